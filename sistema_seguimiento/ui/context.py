"""What every screen receives: the open database, the signed-in user, the fiscal year and the report
month, the undo stack, and signals to tell other screens that data changed or to navigate."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..db.database import Database
from ..services.users import CurrentUser


class AppContext(QObject):
    # entity name ("program", "indicator", "measurement", "period", "settings", "*") and a key or ""
    dataChanged = Signal(str, str)
    # page key ("mir", "ficha", "captura", "tablero", …) and arguments (e.g. {"program": "E001"})
    navigateRequested = Signal(str, dict)
    monthChanged = Signal(str)

    def __init__(self, db: Database, user: CurrentUser, year: int, month: str, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self.user = user
        self.year = year
        self.month = month  # report month "YYYY-MM"
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(0)

    @property
    def read_only(self) -> bool:
        return self.db.read_only or not self.user.can_write

    def notify(self, entity: str, key: str = "") -> None:
        self.dataChanged.emit(entity, key)

    def navigate(self, page: str, **kwargs) -> None:
        self.navigateRequested.emit(page, kwargs)

    def set_month(self, month: str) -> None:
        if month != self.month:
            self.month = month
            self.monthChanged.emit(month)


@dataclass
class Selection:
    """What the navigation tree has selected."""

    kind: str  # "year" | "agency" | "program" | "level" | "objective" | "indicator"
    key: str = ""
    program: str | None = None
