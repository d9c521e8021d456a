"""Spanish message boxes shared by every screen."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def show_error(parent: QWidget | None, exc: BaseException, tb: str = "", *, action: str = "guardar",
               committed: bool | None = False) -> None:
    """User errors (services/db) show their own Spanish text; anything else is logged and explained.
    ``committed`` (see ``errorlog.report_unexpected``): False only when the failed operation wrote nothing."""
    from ..db.database import DatabaseError
    from ..services.errors import ServiceError

    if isinstance(exc, (ServiceError, DatabaseError, ValueError)) and not tb.count("Traceback") > 1:
        text = str(exc)
        if not isinstance(exc, (ServiceError, DatabaseError)):
            text = f"No se pudo {action}: {exc}"
    else:
        from ..errorlog import report_unexpected

        text = report_unexpected(exc, action, committed=committed)
    box = QMessageBox(QMessageBox.Icon.Warning, "SES", text, QMessageBox.StandardButton.Ok, parent)
    box.setWindowTitle("No se pudo completar la operación")
    box.exec() if parent is not None and parent.isVisible() else box.open()


def confirm(parent: QWidget | None, title: str, text: str, *, yes: str = "Sí, continuar", no: str = "Cancelar") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_btn if False else None)
    box.exec()
    return box.clickedButton() is yes_btn


def info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def page_title(text: str, parent: QWidget | None = None) -> QLabel:
    """The bold, slightly larger heading at the top of a page (MIR, ficha …)."""
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    return label
