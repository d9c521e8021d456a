"""The «Metas de actividad» part of the capture page (issue 16): under the month that ends a quarter, the
dependencia's metas de actividad (proyecto, meta, unidad, programado del trimestre, alcanzado) below the
indicators. «Alcanzado» is typed like the indicators' «Valor» and saved at once through
``services.capture.save_values(..., goals=…)`` in a worker thread: same roles, period states (read-only for the
capturista after «Enviado»), AV-008, conflicts (``GoalChange.expected``) and audit.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ..core import periods
from ..core.numbers import NumberParseError, fmt_es, parse_strict_number
from ..core.types import PeriodStatus, Role, label
from ..services.capture import NOT_SEEN, SENT_STATES, CaptureGoal, GoalChange, save_values
from ..services.errors import ConflictError, ServiceError

TEXT = {
    "title": "Metas de actividad del {quarter}",
    "headers": ["Proyecto", "ID", "Meta de actividad", "Unidad de medida", "Programado del trimestre", "Alcanzado",
                "EF %"],
    "negative": "El alcanzado de la meta {goal} no puede ser negativo (AV-002).",
    "saving": "Guardando avance de metas de actividad…",
    "saved": "Guardado: {n} avance(s) de metas de actividad.",
    "failed": "No se guardó el avance de la meta de actividad: {reason}",
    "conflict": "Otra persona cambió el alcanzado de la meta {goal} ({theirs}); se muestra el valor de la base. "
                "Escriba de nuevo el suyo si debe prevalecer.",
    "original": "{value} (original {orig})",
}
COL_PROJECT, COL_ID, COL_NAME, COL_UNIT, COL_PROGRAMMED, COL_ACHIEVED, COL_EF = range(7)
_EDITABLE = QColor("#fffde8")
_ERROR = QColor("#ffd6d6")


def _num(value: Decimal) -> str:
    """Counts without decimals (metas de actividad are mostly counts), others with two."""
    return fmt_es(value, places=0) if value == value.to_integral_value() else fmt_es(value)


class GoalModel(QAbstractTableModel):
    """One row per meta de actividad of the quarter; only «Alcanzado» is editable (when not locked)."""

    edited = Signal(int, object)  # row, Decimal | None
    message = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.goals: list[CaptureGoal] = []
        self.month = ""
        self.values: dict[str, Decimal | None] = {}
        self.stored: dict[str, Decimal | None] = {}
        self.errors: dict[str, str] = {}
        self.today: date | None = None

    def set_goals(self, month: str, goals: list[CaptureGoal]) -> None:
        self.beginResetModel()
        self.month, self.goals = month, list(goals)
        self.values = {g.label: g.achieved for g in self.goals}
        self.stored = dict(self.values)
        self.errors = {}
        self.endResetModel()

    def lock_reason(self, row: int) -> str | None:
        from .capture import cell_lock_reason

        g = self.goals[row]
        return cell_lock_reason(self.ctx, g.agency_key, g.workflow_status, g.period, self.today)

    # ---- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.goals)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(TEXT["headers"])

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TEXT["headers"][section]
        return None

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() == COL_ACHIEVED and self.lock_reason(index.row()) is None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        g = self.goals[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            value = self.values.get(g.label)
            if col == COL_PROJECT:
                return g.project_key
            if col == COL_ID:
                return g.key
            if col == COL_NAME:
                return g.name
            if col == COL_UNIT:
                return g.unit
            if col == COL_PROGRAMMED:
                if g.programmed is None:
                    return ""
                if g.programmed_original is not None and g.programmed_original != g.programmed:
                    return TEXT["original"].format(value=_num(g.programmed), orig=_num(g.programmed_original))
                return _num(g.programmed)
            if col == COL_ACHIEVED:
                if value is None:
                    return ""
                return format(value, "f") if role == Qt.ItemDataRole.EditRole else _num(value)
            if col == COL_EF:
                if value is None or not g.programmed:
                    return ""
                from ..core.numbers import fmt_pct_es, round2

                return fmt_pct_es(round2(value / g.programmed * 100))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_ACHIEVED:
                return self.errors.get(g.label) or self.lock_reason(index.row()) or f"{g.name} ({g.unit})"
            if col in (COL_PROJECT, COL_NAME):
                return f"{g.project_key} {g.project_name}\n{g.key}. {g.name}"
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_ACHIEVED:
            if g.label in self.errors:
                return QBrush(_ERROR)
            if self.lock_reason(index.row()) is None:
                return QBrush(_EDITABLE)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_PROGRAMMED, COL_ACHIEVED, COL_EF):
            return int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
        return None

    def check_value(self, row: int, text: str) -> tuple[Decimal | None, str | None]:
        text = (text or "").strip()
        if not text:
            return None, None
        try:
            value = parse_strict_number(text)
        except NumberParseError as exc:
            return None, str(exc)
        if value < 0:
            return None, TEXT["negative"].format(goal=self.goals[row].label)
        return value, None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != COL_ACHIEVED:
            return False
        lock = self.lock_reason(index.row())
        if lock:
            self.message.emit(lock)
            return False
        parsed, error = self.check_value(index.row(), "" if value is None else str(value))
        if error:
            self.message.emit(error)
            return False
        g = self.goals[index.row()]
        if self.values.get(g.label) == parsed and g.label not in self.errors:
            return True
        self.values[g.label] = parsed
        self.dataChanged.emit(self.index(index.row(), COL_ACHIEVED), self.index(index.row(), COL_EF))
        self.edited.emit(index.row(), parsed)
        return True

    def set_state(self, agency_key: str, status: str) -> None:
        for g in self.goals:
            if g.agency_key == agency_key:
                g.workflow_status = status
        if self.goals:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.goals) - 1, self.columnCount() - 1))


class GoalPanel(QWidget):
    """Title and table of the metas de actividad; hidden when the month ends no quarter or there are none."""

    saveFinished = Signal(bool)

    def __init__(self, page):
        super().__init__(page)
        self.page = page
        self.pending_saves = 0
        self.model = GoalModel(page.ctx, self)
        self.model.edited.connect(self._save)
        self.model.message.connect(lambda m: page.show_message(m, error=True))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        lay.addWidget(self.title)
        self.table = QTableView(self)
        self.table.setObjectName("tabla_metas_actividad")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed |
                                   QAbstractItemView.EditTrigger.DoubleClicked |
                                   QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setTabKeyNavigation(False)
        h = self.table.horizontalHeader()
        for col, w in ((COL_PROJECT, 110), (COL_ID, 40), (COL_UNIT, 110), (COL_PROGRAMMED, 150), (COL_ACHIEVED, 100),
                       (COL_EF, 80)):
            self.table.setColumnWidth(col, max(w, h.sectionSizeFromContents(col).width()))
        h.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.setVisible(False)

    def load(self, sheet) -> None:
        self.model.today = self.page.today
        goals = getattr(sheet, "goals", []) or []
        self.model.set_goals(sheet.month, goals)
        self.setVisible(bool(goals))
        if goals:
            self.title.setText(TEXT["title"].format(quarter=periods.label(goals[0].period)))
            self.table.setMaximumHeight(min(30 + 24 * len(goals), 30 + 24 * 8) + 4)

    def _confirm(self, g: CaptureGoal) -> bool:
        """Administrador/validador changing an «Enviado»/«Validado» period: ask once (shared with the grid)."""
        if g.workflow_status not in SENT_STATES:
            return True
        key = (self.model.month, g.agency_key or "")
        confirmed = self.page.model.confirmed_states
        if key in confirmed:
            return True
        from . import messages
        from .capture import TEXT as CT

        state = label(g.workflow_status)
        ok = messages.confirm(self, CT["sent_title"].format(state=state.lower()),
                              CT["sent_ask"].format(period=periods.label(self.model.month),
                                                    agencies=g.agency_key or "—", state=state),
                              yes=CT["sent_yes"], no=CT["sent_no"])
        if ok:
            confirmed.add(key)
        else:
            self.page.show_message(CT["sent_declined"].format(state=state), error=True)
        return ok

    def _save(self, row: int, value: Decimal | None) -> None:
        from .worker import run_task

        g = self.model.goals[row]
        if not self._confirm(g):
            self.model.values[g.label] = self.model.stored.get(g.label)
            self.model.dataChanged.emit(self.model.index(row, COL_ACHIEVED), self.model.index(row, COL_EF))
            return
        ctx, month, today = self.page.ctx, self.model.month, self.page.today
        change = GoalChange(g.project_key, g.key, value, expected=self.model.stored.get(g.label, NOT_SEEN))
        self.pending_saves += 1
        self.page.show_message(TEXT["saving"])

        def job(_control):
            return save_values(ctx.db, ctx.user, month, [], goals=[change], today=today)

        def done(result):
            self.pending_saves -= 1
            self.model.stored[g.label] = value
            self.model.errors.pop(g.label, None)
            text = TEXT["saved"].format(n=result.changed)
            from .capture import TEXT as CT

            for m, agency in result.reopened_states:
                self.model.set_state(agency, PeriodStatus.CAPTURANDO.value)
                if self.page.model.sheet is not None:
                    self.page.model.sheet.states[agency] = PeriodStatus.CAPTURANDO.value
                    for ci in self.page.model.sheet.indicators:
                        if ci.agency_key == agency:
                            ci.workflow_status = PeriodStatus.CAPTURANDO.value
                    self.page.model.invalidate_locks()
                    self.page._update_state(self.page.model.sheet)
                text += " " + CT["state_back"].format(period=periods.label(m), agency=agency)
            self.page.invalidate()
            self.page.show_message(text)
            ctx.notify("avance_meta", month)
            self.saveFinished.emit(True)

        def failed(exc, _tb):
            self.pending_saves -= 1
            if isinstance(exc, ConflictError) and exc.conflicts:
                theirs = exc.conflicts[0].theirs
                self.model.values[g.label] = self.model.stored[g.label] = theirs
                self.page.show_message(TEXT["conflict"].format(goal=g.label, theirs=fmt_es(theirs)
                                                               if theirs is not None else "vacío"), error=True)
            else:
                reason = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
                if isinstance(exc, ServiceError) and exc.details:
                    reason += " " + " ".join(exc.details[:3])
                self.model.errors[g.label] = reason
                self.page.show_message(TEXT["failed"].format(reason=reason), error=True)
            self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, COL_EF))
            self.saveFinished.emit(False)

        run_task(job, on_done=done, on_error=failed)
