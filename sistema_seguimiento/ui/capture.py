"""«Captura»: the period grid (one row per variable due in the month, grouped by indicator), typed like Excel,
with justifications, evidence, the program's budget, the period workflow and the audit trail.

The grid model is a QAbstractTableModel over ``services.capture.capture_rows``; every accepted edit is saved at
once through ``services.capture.save_values`` in a worker thread (``ui.worker.run_task``); the typed value stays
on screen when the save fails and the Spanish reason is shown beside the grid and on the cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QPushButton,
                               QStyledItemDelegate, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core import periods
from ..core.numbers import NumberParseError, fmt_es, fmt_pct_es, parse_es_number, parse_strict_number
from ..core.types import PeriodStatus, Role, label
from ..services import budget as budget_service
from ..services import workflow
from ..db.database import ConnectionLost
from ..services.capture import (NOT_SEEN, SENT_STATES, CaptureIndicator, CaptureSheet, ValueChange, capture_rows,
                                is_percentage_unit, load_source, recompute, save_values)
from ..services.errors import ConflictError, ServiceError
from .profile_ui import level_label, over_color, plabel, tint, with_colon
from .conflicts import ask_keep_mine  # noqa: F401 - the grid's conflict dialog (shared)
from .context import AppContext
from .worker import run_task


def _alive(widget) -> bool:
    """False once Qt deleted the widget (a background task may finish after its page was closed)."""
    try:
        import shiboken6

        return shiboken6.isValid(widget)
    except ImportError:  # pragma: no cover
        return True

RETRY_MS = 5000  # a save that found no server connection is tried again after this long

TEXT = {
    "title": "Captura",
    "period": "Periodo:",
    "agency": "Dependencia:",
    "program": "Programa:",
    "all_agencies": "Todas",
    "all_programs": "Todos",
    "state": "Estado del periodo: {states}",
    "headers": ["Indicador", "Variable", "Meta del periodo", "Valor", "Acumulado", "% de avance", "Semáforo (acumulado)",
                "Justificación", "Evidencia"],
    "original": "{value} (original {orig})",
    "just_required": "Falta (requerida)",
    "just_tip": "AV-006: el resultado está fuera del rango aceptable o tiene sobrecumplimiento; capture la "
                "justificación antes de enviar el periodo.",
    "just_done": "Capturada",
    "just_optional": "—",
    "evidence": "{n} archivo(s)",
    "no_rows": "No hay variables que capturar en {period} para esta selección.",
    "saving": "Guardando…",
    "saved": "Guardado: {n} valor(es).",
    "conflict_taken": "Se tomaron {n} valor(es) guardados por otra persona; los suyos no se guardaron.",
    "save_failed": "No se guardó: {reason}",
    "bad_number": "{text}",
    "negative": "El valor de «{var}» no puede ser negativo (AV-002).",
    "percent": "El valor de «{var}» es un porcentaje y debe estar entre 0 y 100.",
    "after_save": "Guardado: {n} valor(es). No se pudo actualizar la vista ({reason}); vuelva a abrir el periodo.",
    "integer": "El valor de «{var}» debe ser un número entero.",
    "not_editable": "La celda no se puede editar.",
    "closed_cell": "El periodo está cerrado (PER-003); solicite su reapertura.",
    "sent_cell": "El periodo está «{state}»: solo lectura para el capturista hasta que el validador lo devuelva.",
    "sent_title": "Cambiar un periodo {state}",
    "sent_ask": "El periodo {period} de {agencies} está «{state}».\n\nSi cambia un valor, el periodo vuelve a "
                "«Capturando» y deberá enviarse y validarse de nuevo; el cambio queda en el historial del periodo "
                "a la vista de quien lo envió o validó.\n\n¿Desea corregir el valor?",
    "sent_yes": "Sí, corregir y volver a «Capturando»",
    "sent_no": "No cambiar",
    "sent_declined": "No se cambió nada: el periodo sigue «{state}».",
    "state_back": "El periodo {period} de {agency} volvió a «Capturando»: deberá enviarse y validarse de nuevo.",
    "edit_error": "{reason} — corrija el valor o pulse Esc para cancelar.",
    "readonly_cell": "Solo lectura para este usuario.",
    "not_ended_cell": "AV-008: {period} termina el {end}; se podrá capturar después de esa fecha.",
    "paste_title": "Pegado: celdas no aplicadas",
    "paste_intro": "Se aplicaron {ok} celda(s). Estas {n} no se pegaron:",
    "paste_cols": ["Fila", "Columna", "Destino", "Texto pegado", "Motivo"],
    "paste_beyond": "Fuera de la tabla: no hay más filas de captura.",
    "paste_readonly": "Columna no editable.",
    "btn_just": "Justificación y evidencia…",
    "btn_audit": "Historial del indicador…",
    "btn_send": "Enviar",
    "btn_validate": "Validar",
    "btn_return": "Devolver…",
    "btn_close": "Cerrar periodo…",
    "btn_reopen": "Reabrir…",
    "ask_return": "Comentario para la dependencia (qué debe corregir):",
    "ask_reopen": "Motivo de la reapertura (queda en la bitácora):",
    "ask_close": "Observación del cierre (opcional):",
    "wf_done": "{action}: {changes}",
    "wf_none": "Sin cambios de estado.",
    "budget": "Presupuesto del programa en el periodo",
    "approved": "Aprobado:",
    "modified": "Modificado:",
    "exercised": "Ejercido:",
    "budget_save": "Guardar presupuesto",
    "budget_saved": "Presupuesto guardado.",
    "select_indicator": "Seleccione una fila de un indicador.",
    "comment": " (comentario: «{c}»)",
    "period_light": " (mes: {light})",
    "tip_cum": "Acumulado: {pct} — {light}",
    "tip_per": "Periodo: {pct} — {light}",
    "closed_banner": " — periodo cerrado: solo lectura (un administrador puede reabrirlo).",
    "readonly_banner": " — solo lectura.",
    "not_ended_banner": " — el mes aún no termina: se podrá capturar a partir del {end} (AV-008).",
}
LIGHT_COLORS = {"verde": "#c8e6c9", "amarillo": "#fff3a0", "rojo": "#f4b4b4", "gris": "#e6e6e6"}
COL_IND, COL_VAR, COL_TARGET, COL_VALUE, COL_CUM, COL_PCT, COL_LIGHT, COL_JUST, COL_EVID = range(9)
# roles as plain ints: Qt hands data() an int, and int comparisons are what painting calls thousands of times
ErrorRole = Qt.ItemDataRole.UserRole.value + 1
_DISPLAY, _EDIT = Qt.ItemDataRole.DisplayRole.value, Qt.ItemDataRole.EditRole.value
_BACKGROUND, _FONT = Qt.ItemDataRole.BackgroundRole.value, Qt.ItemDataRole.FontRole.value
_ALIGN, _TOOLTIP = Qt.ItemDataRole.TextAlignmentRole.value, Qt.ItemDataRole.ToolTipRole.value
_OTHER_ROLES = frozenset({_EDIT, _TOOLTIP, ErrorRole})
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_BASE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDIT_FLAGS = _BASE_FLAGS | Qt.ItemFlag.ItemIsEditable
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LIGHT_BRUSHES: dict = {}
_HEADER_BRUSH = _ERROR_BRUSH = _EDITABLE_BRUSH = _BOLD = None


def _init_styles() -> None:
    global _HEADER_BRUSH, _ERROR_BRUSH, _EDITABLE_BRUSH, _BOLD
    if _BOLD is None:
        _LIGHT_BRUSHES.update({k: QBrush(QColor(v)) for k, v in LIGHT_COLORS.items()})
        _HEADER_BRUSH, _ERROR_BRUSH = QBrush(QColor("#eef2f7")), QBrush(QColor("#ffd6d6"))
        _EDITABLE_BRUSH = QBrush(QColor("#fffde8"))
        _BOLD = QFont()
        _BOLD.setBold(True)


def cell_lock_reason(ctx, agency_key: str | None, workflow_status: str | None, period: str,
                     today: date | None = None) -> str | None:
    """Why a capture cell (an indicator's variable or a meta de actividad) cannot be typed into, or None: read-only
    session or consulta, another dependencia's row for a capturista, a closed month, a sent or validated month for a
    capturista, a period that has not ended."""
    user = ctx.user
    if ctx.read_only or user.role == Role.CONSULTA.value:
        return TEXT["readonly_cell"]
    if user.role == Role.CAPTURISTA.value and agency_key != user.agency_key:
        return TEXT["readonly_cell"]
    if workflow_status == PeriodStatus.CERRADO.value:
        return TEXT["closed_cell"]
    if workflow_status in SENT_STATES and user.role == Role.CAPTURISTA.value:
        return TEXT["sent_cell"].format(state=label(workflow_status))
    end = periods.end_date(period)
    if end > (today or date.today()):
        return TEXT["not_ended_cell"].format(period=periods.label(period), end=end.strftime("%d/%m/%Y"))
    return None


@dataclass
class _Row:
    ind: int  # index into sheet.indicators
    var: int | None  # index into its variables; None: the indicator's header row


@dataclass
class PasteProblem:
    row: int  # row of the pasted block (1-based)
    column: int  # column of the pasted block (1-based)
    target: str  # "indicador / variable — columna" it would have gone to
    text: str
    reason: str


@dataclass
class PasteReport:
    applied: int = 0
    problems: list[PasteProblem] = field(default_factory=list)


class CaptureModel(QAbstractTableModel):
    """Rows: for each indicator a header row (results) and one editable row per variable (Valor)."""

    valuesEdited = Signal(list)  # list[(indicator_key, variable_key, Decimal | None)]
    message = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.sheet: CaptureSheet | None = None
        self.rows: list[_Row] = []
        self.values: dict[tuple[str, str], Decimal | None] = {}
        # what the database holds as far as this grid knows (loaded, then each successful save): sent with every
        # save so that a value another official changed meanwhile is a reported conflict, never overwritten
        self.stored: dict[tuple[str, str], Decimal | None] = {}
        self.results: dict[str, object] = {}  # indicator key -> IndicatorResult (recomputed in memory)
        self.errors: dict[tuple[str, str], str] = {}
        self._text_cache: dict[int, list] = {}
        self._lock_cache: list | None = None
        self.today: date | None = None  # injectable for tests; None: the real date
        # called with the rows about to change in an «Enviado»/«Validado» period (administrador, validador): the
        # page asks for confirmation; None (a bare model) lets the service decide
        self.state_guard = None
        self.confirmed_states: set[tuple[str, str]] = set()  # (month, agency) the user agreed to send back
        _init_styles()

    # ---- loading -------------------------------------------------------------------------------
    def set_sheet(self, sheet: CaptureSheet) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.rows = []
        self.values = {}
        self.results = {}
        self.errors = {}
        self._text_cache = {}
        self._lock_cache = None
        for i, ci in enumerate(sheet.indicators):
            self.rows.append(_Row(i, None))
            for j, v in enumerate(ci.variables):
                self.rows.append(_Row(i, j))
                self.values[(ci.key, v.key)] = v.value
            self.results[ci.key] = ci.progress.result
        self.stored = dict(self.values)
        self._first_row = {}
        for r, row in enumerate(self.rows):
            self._first_row.setdefault(row.ind, r)
        self.endResetModel()

    def invalidate_locks(self) -> None:
        self._lock_cache = None
        self._text_cache.clear()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))

    def indicator_at(self, row: int) -> CaptureIndicator | None:
        if self.sheet is None or not 0 <= row < len(self.rows):
            return None
        return self.sheet.indicators[self.rows[row].ind]

    def is_value_cell(self, index: QModelIndex) -> bool:
        return index.isValid() and index.column() == COL_VALUE and self.rows[index.row()].var is not None

    def lock_reason(self, row: int) -> str | None:
        ci = self.indicator_at(row)
        if ci is None:
            return TEXT["not_editable"]
        return cell_lock_reason(self.ctx, ci.agency_key, ci.workflow_status, ci.period, self.today)

    def unconfirmed_sent(self, rows) -> list[CaptureIndicator]:
        """Indicators of ``rows`` in an «Enviado»/«Validado» period the user has not yet agreed to reopen."""
        seen, out = set(), []
        for r in rows:
            ci = self.indicator_at(r)
            if ci is None or ci.workflow_status not in SENT_STATES:
                continue
            key = (self.sheet.month, ci.agency_key or "")
            if key not in self.confirmed_states and key not in seen:
                seen.add(key)
                out.append(ci)
        return out

    def editable_rows(self) -> list[int]:
        return [r for r, row in enumerate(self.rows) if row.var is not None]

    # ---- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(TEXT["headers"])

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TEXT["headers"][section]
        return None

    def flags(self, index):
        if not index.isValid():
            return _NO_FLAGS
        r = index.row()
        if index.column() == COL_VALUE and self.rows[r].var is not None and self._locks()[r] is None:
            return _EDIT_FLAGS
        return _BASE_FLAGS

    def _locks(self) -> list[str | None]:
        if self._lock_cache is None:
            self._lock_cache = [self.lock_reason(r) for r in range(len(self.rows))]
        return self._lock_cache

    def _texts(self, r: int) -> list:
        """Display texts of a row, cached until its indicator is recomputed (painting calls data() a lot)."""
        cached = self._text_cache.get(r)
        if cached is None:
            row = self.rows[r]
            ci = self.sheet.indicators[row.ind]
            res = self.results.get(ci.key)
            if row.var is None:
                cached = [self._indicator_text(ci, res, c) for c in range(len(TEXT["headers"]))]
            else:
                v = ci.variables[row.var]
                cached = [self._variable_text(ci, v, res, c, _DISPLAY) for c in range(len(TEXT["headers"]))]
            self._text_cache[r] = cached
        return cached

    def data(self, index, role=_DISPLAY):
        if role == _DISPLAY:
            return self._texts(index.row())[index.column()] if index.isValid() else None
        if role not in _OTHER_ROLES and role not in (_BACKGROUND, _FONT, _ALIGN) or not index.isValid():
            return None
        r = index.row()
        col = index.column()
        row = self.rows[r]
        if role == _BACKGROUND:
            if row.var is None:
                if col == COL_LIGHT:
                    res = self.results.get(self.sheet.indicators[row.ind].key)
                    if res is None:
                        return None
                    over = over_color(self.ctx, res.cumulative.flags)  # the state profile's colour (issue 16)
                    return QBrush(QColor(tint(over))) if over else _LIGHT_BRUSHES.get(str(res.cumulative.light))
                if col == COL_JUST and self._texts(r)[col] == TEXT["just_required"]:
                    return _ERROR_BRUSH
                return _HEADER_BRUSH
            if col == COL_VALUE:
                ci = self.sheet.indicators[row.ind]
                if (ci.key, ci.variables[row.var].key) in self.errors:
                    return _ERROR_BRUSH
                if self._locks()[r] is None:
                    return _EDITABLE_BRUSH
            return None
        if role == _FONT:
            return _BOLD if row.var is None else None
        if role == _ALIGN:
            return _RIGHT if col in (COL_TARGET, COL_VALUE, COL_CUM, COL_PCT) else None
        ci = self.sheet.indicators[row.ind]
        if role == _EDIT:
            if row.var is None:
                return self._texts(r)[col]
            return self._variable_text(ci, ci.variables[row.var], self.results.get(ci.key), col, role)
        if role == _TOOLTIP:
            res = self.results.get(ci.key)
            if row.var is not None and col == COL_VALUE:
                v = ci.variables[row.var]
                err = self.errors.get((ci.key, v.key))
                lock = self._locks()[r]
                return err or lock or f"{v.name} ({v.unit}) — {label(v.role)}, {label(v.accumulation)}"
            if row.var is None and col in (COL_IND, COL_VAR):
                return (f"{ci.key}: {ci.name}\n{level_label(self.ctx, ci.level)} · {label(ci.frequency)} · "
                        f"{periods.label(ci.period)}")
            if row.var is not None and col == COL_VAR:
                v = ci.variables[row.var]
                return f"{v.key} — {v.name} ({v.unit})"
            if row.var is None and col in (COL_LIGHT, COL_PCT) and res is not None:
                per = res.period(ci.period)
                lines = [TEXT["tip_cum"].format(pct=fmt_pct_es(res.cumulative.progress) if res.cumulative.progress
                                                is not None else "N/A", light=label(str(res.cumulative.light)))]
                if per is not None:
                    lines.append(TEXT["tip_per"].format(pct=fmt_pct_es(per.progress) if per.progress is not None
                                                        else "N/A", light=label(str(per.light))))
                flags = ", ".join(label(f) for f in res.cumulative.flags)
                return "\n".join(lines + ([flags] if flags else []))
            if row.var is None and col == COL_JUST and not ci.has_justification and self.needs_justification(ci):
                return TEXT["just_tip"]
        if role == ErrorRole and row.var is not None:
            return self.errors.get((ci.key, ci.variables[row.var].key))
        return None

    def _indicator_text(self, ci: CaptureIndicator, res, col: int):
        per = res.period(ci.period) if res is not None else None
        cum = res.cumulative if res is not None else None
        if col == COL_IND:
            return f"{ci.key} · {label(ci.frequency)}"
        if col == COL_VAR:
            return ci.name
        if col == COL_TARGET:
            return fmt_es(per.target) if per is not None and per.target is not None else ""
        if col == COL_VALUE:
            return fmt_es(per.value) if per is not None and per.value is not None else ""
        if col == COL_CUM:
            return fmt_es(cum.value) if cum is not None and cum.value is not None else ""
        if col == COL_PCT:
            return fmt_pct_es(cum.progress) if cum is not None and cum.progress is not None else "N/A"
        if col == COL_LIGHT:
            if cum is None:
                return ""
            flags = [label(f) for f in cum.flags if f in ("SOBRECUMPLIMIENTO", "SOBRECUMPLIMIENTO_CRITICO",
                                                          "DESVIACION_POR_EXCESO")]
            text = label(str(cum.light)) + (f" · {flags[0]}" if flags else "")
            if per is not None and per.light != cum.light:  # the month itself may be out of range on its own
                text += TEXT["period_light"].format(light=label(str(per.light)).lower())
            return text
        if col == COL_JUST:
            if ci.has_justification:
                return TEXT["just_done"]
            return TEXT["just_required"] if self.needs_justification(ci) else TEXT["just_optional"]
        if col == COL_EVID:
            return TEXT["evidence"].format(n=ci.evidence_count) if ci.evidence_count else "—"
        return None

    def _variable_text(self, ci, v, res, col: int, role):
        if col == COL_IND:
            return ""
        if col == COL_VAR:
            return f"{v.key} — {v.name}"
        if col == COL_TARGET:
            if v.target is None:
                return ""
            if v.original_target is not None and v.original_target != v.target:
                return TEXT["original"].format(value=fmt_es(v.target), orig=fmt_es(v.original_target))
            return fmt_es(v.target)
        if col == COL_VALUE:
            value = self.values.get((ci.key, v.key))
            if value is None:
                return ""
            return fmt_es(value, places=max(0, -value.as_tuple().exponent) if value == value else 2) \
                if role == Qt.ItemDataRole.EditRole else fmt_es(value)
        if col == COL_CUM:
            cum = res.cumulative if res is not None else None
            if cum is not None and cum.variables and v.key in cum.variables:
                return fmt_es(cum.variables[v.key])
            return ""
        return ""

    def needs_justification(self, ci: CaptureIndicator) -> bool:
        res = self.results.get(ci.key)
        if res is None:
            return False
        per = res.period(ci.period)
        return bool((per is not None and per.needs_justification) or res.cumulative.needs_justification)

    # ---- editing -------------------------------------------------------------------------------
    def check_value(self, row: int, text: str) -> tuple[Decimal | None, str | None]:
        """Parse and validate typed/pasted text for a variable row: (value, error)."""
        ci = self.indicator_at(row)
        v = ci.variables[self.rows[row].var]
        text = (text or "").strip()
        if text == "":
            return None, None
        try:
            value = parse_strict_number(text)  # captured values: strict (docs/entradas.md)
        except NumberParseError as exc:
            return None, str(exc)
        if value < 0 and not v.allow_negative:
            return None, TEXT["negative"].format(var=v.key)
        if v.integer_only and value != value.to_integral_value():
            return None, TEXT["integer"].format(var=v.key)
        if is_percentage_unit(v.unit) and not (-100 if v.allow_negative else 0) <= value <= 100:
            return None, TEXT["percent"].format(var=v.key)
        return value, None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not self.is_value_cell(index):
            return False
        lock = self.lock_reason(index.row())
        if lock:
            self.message.emit(lock)
            return False
        parsed, error = self.check_value(index.row(), value if isinstance(value, str) else
                                         ("" if value is None else str(value)))
        if error:
            self.message.emit(error)
            return False
        self.apply_values([(index.row(), parsed)])
        return True

    def apply_values(self, items: list[tuple[int, Decimal | None]]) -> None:
        """Set already-validated values, recompute the indicators and ask the page to save them."""
        if self.state_guard is not None and items and not self.state_guard([r for r, _ in items]):
            return
        changes = []
        touched = set()
        for row, value in items:
            ci = self.indicator_at(row)
            v = ci.variables[self.rows[row].var]
            key = (ci.key, v.key)
            if self.values.get(key) == value and key not in self.errors:
                continue
            self.values[key] = value
            changes.append((ci.key, v.key, value))
            touched.add(self.rows[row].ind)
        for i in touched:
            self.recompute_indicator(i)
        if changes:
            self.valuesEdited.emit(changes)

    def recompute_indicator(self, ind_index: int, override: dict[str, Decimal | None] | None = None) -> None:
        ci = self.sheet.indicators[ind_index]
        vals = {v.key: self.values.get((ci.key, v.key)) for v in ci.variables}
        if override:
            vals.update(override)
        self.results[ci.key] = recompute(ci, vals, self.sheet.month)
        first = self._first_row[ind_index]
        last = first + len(ci.variables)
        for r in range(first, last + 1):
            self._text_cache.pop(r, None)
        self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def preview(self, row: int, text: str) -> None:
        """Recompute the indicator with the text being typed (not saved yet)."""
        if not 0 <= row < len(self.rows) or self.rows[row].var is None:
            return
        value, error = self.check_value(row, text)
        if error:
            return
        ci = self.indicator_at(row)
        self.recompute_indicator(self.rows[row].ind, {ci.variables[self.rows[row].var].key: value})

    def cancel_preview(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.recompute_indicator(self.rows[row].ind)

    def take_values(self, values: dict[tuple[str, str], Decimal | None]) -> None:
        """Show values that are already in the database (another official's), without saving anything."""
        touched = set()
        for r, row in enumerate(self.rows):
            if row.var is None:
                continue
            ci = self.sheet.indicators[row.ind]
            key = (ci.key, ci.variables[row.var].key)
            if key in values:
                self.values[key] = self.stored[key] = values[key]
                self.errors.pop(key, None)
                touched.add(row.ind)
        for i in touched:
            self.recompute_indicator(i)

    def mark_errors(self, keys: list[tuple[str, str]], reason: str | None) -> None:
        for k in keys:
            if reason:
                self.errors[k] = reason
            else:
                self.errors.pop(k, None)
        if self.rows:
            self.dataChanged.emit(self.index(0, COL_VALUE), self.index(len(self.rows) - 1, COL_VALUE))

    def refresh_justification(self, ind_key: str, has: bool, evidence: int) -> None:
        for i, ci in enumerate(self.sheet.indicators if self.sheet else []):
            if ci.key == ind_key:
                ci.has_justification = has
                ci.evidence_count = evidence
                if has:
                    ci.justified_periods.add(ci.period)
                self.recompute_indicator(i)


class ValueDelegate(QStyledItemDelegate):
    """Line editor for Valor; recomputes the indicator as the user types; Esc restores."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        model = index.model()
        row = index.row()
        editor.textEdited.connect(lambda text: model.preview(row, text))
        return editor

    def setEditorData(self, editor, index):
        # only once: the live recomputation emits dataChanged, which must not reset what is being typed
        if editor.property("ses_loaded"):
            return
        editor.setProperty("ses_loaded", True)
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.selectAll()

    def setModelData(self, editor, model, index):
        _value, error = model.check_value(index.row(), editor.text()) if model.is_value_cell(index) else (None, None)
        if error:
            # a rejected typed value keeps the cell in edit with the reason beside it (CaptureTable.closeEditor)
            editor.setProperty("ses_error", error)
            model.message.emit(error)
            return
        editor.setProperty("ses_error", None)
        if not model.setData(index, editor.text(), Qt.ItemDataRole.EditRole):
            model.cancel_preview(index.row())


class CaptureTable(QTableView):
    """Excel-like keys: Enter moves down, Tab moves right, Esc cancels, Delete clears, Ctrl+C / Ctrl+V blocks."""

    pasteRequested = Signal(str)
    clearRequested = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.error_label = QLabel(self.viewport())
        self.error_label.setObjectName("error_beside_cell")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("background: #fdecea; color: #8a1c12; border: 1px solid #b3261e; "
                                       "padding: 2px 4px;")
        self.error_label.hide()
        self.setTabKeyNavigation(False)  # Tab leaves the table (never trapped); arrows and Enter move inside

    def edit(self, index, trigger=QAbstractItemView.EditTrigger.AllEditTriggers, event=None):
        model = self.model()
        all_triggers = QAbstractItemView.EditTrigger.AllEditTriggers
        opens = trigger == all_triggers or bool(self.editTriggers() & trigger)  # would this trigger open an editor?
        if opens and model is not None and \
                model.is_value_cell(index) and model.flags(index) & Qt.ItemFlag.ItemIsEditable and \
                model.state_guard is not None and model.unconfirmed_sent([index.row()]):
            if not model.state_guard([index.row()]):
                return False
        return super().edit(index, trigger, event)

    def show_error_beside(self, editor, text: str) -> None:
        rect = editor.geometry()
        width = max(220, min(420, self.viewport().width() - rect.right() - 8))
        self.error_label.setText(text)
        self.error_label.setFixedWidth(width)
        self.error_label.adjustSize()
        x = rect.right() + 4
        if x + width > self.viewport().width():
            x = max(0, rect.left() - width - 4)
        self.error_label.move(x, rect.top())
        self.error_label.show()
        self.error_label.raise_()

    def keyPressEvent(self, event):
        key = event.key()
        model = self.model()
        if event.matches(QKeySequence.StandardKey.Copy):
            QGuiApplication.clipboard().setText(self.selection_text())
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.pasteRequested.emit(QGuiApplication.clipboard().text())
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != QAbstractItemView.State.EditingState:
            self.clearRequested.emit([i.row() for i in self.selectedIndexes() if model.is_value_cell(i)])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self.move_down()
            return
        if key == Qt.Key.Key_Escape and model is not None:
            model.cancel_preview(self.currentIndex().row())
        super().keyPressEvent(event)

    def closeEditor(self, editor, hint):
        error = editor.property("ses_error")
        if error and hint != QStyledItemDelegate.EndEditHint.RevertModelCache:
            self.show_error_beside(editor, TEXT["edit_error"].format(reason=error))
            editor.setFocus()
            editor.selectAll()
            return
        self.error_label.hide()
        # Enter inside the editor commits and moves down to the next variable row (not right, not stay)
        move_down = hint == QStyledItemDelegate.EndEditHint.SubmitModelCache
        if hint == QStyledItemDelegate.EndEditHint.RevertModelCache and self.model() is not None:
            self.model().cancel_preview(self.currentIndex().row())  # Esc: results back to the saved values
        super().closeEditor(editor, QStyledItemDelegate.EndEditHint.NoHint if move_down else hint)
        if move_down:
            self.move_down()

    def move_down(self) -> None:
        cur = self.currentIndex()
        model = self.model()
        row = cur.row() + 1
        while row < model.rowCount() and model.rows[row].var is None and cur.column() == COL_VALUE:
            row += 1
        if row < model.rowCount():
            self.setCurrentIndex(model.index(row, cur.column()))

    def selection_text(self) -> str:
        idx = self.selectedIndexes()
        if not idx:
            return ""
        rows = sorted({i.row() for i in idx})
        cols = sorted({i.column() for i in idx})
        selected = {(i.row(), i.column()) for i in idx}
        model = self.model()
        lines = []
        for r in rows:
            cells = []
            for c in cols:
                cells.append((model.index(r, c).data() or "") if (r, c) in selected else "")
            lines.append("\t".join(cells))
        return "\n".join(lines)


def parse_tsv(text: str) -> list[list[str]]:
    """Tab-separated text as Excel puts it on the clipboard (CRLF or LF, trailing newline, quoted cells)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    rows = []
    for line in text.split("\n"):
        cells = []
        for cell in line.split("\t"):
            if len(cell) >= 2 and cell[0] == cell[-1] == '"':
                cell = cell[1:-1].replace('""', '"')
            cells.append(cell)
        rows.append(cells)
    return rows


class PasteReportDialog(QDialog):
    def __init__(self, report: PasteReport, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["paste_title"])
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(TEXT["paste_intro"].format(ok=report.applied, n=len(report.problems))))
        table = QTableWidget(len(report.problems), len(TEXT["paste_cols"]), self)
        table.setHorizontalHeaderLabels(TEXT["paste_cols"])
        table.verticalHeader().setVisible(False)
        for r, p in enumerate(report.problems):
            for c, text in enumerate([str(p.row), str(p.column), p.target, p.text, p.reason]):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Cerrar")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(720, 320)


class BudgetPanel(QGroupBox):
    def __init__(self, page: "CapturePage"):
        super().__init__(TEXT["budget"], page)
        self.page = page
        lay = QHBoxLayout(self)
        self.program = QComboBox(self)
        lay.addWidget(self.program)
        form = QFormLayout()
        self.fields = {}
        row = QHBoxLayout()
        for key in ("approved", "modified", "exercised"):
            edit = QLineEdit(self)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setPlaceholderText("0.00")
            self.fields[key] = edit
            row.addWidget(QLabel(TEXT[key], self))
            row.addWidget(edit)
        form.addRow(row)
        lay.addLayout(form, 1)
        self.save_btn = QPushButton(TEXT["budget_save"], self)
        self.save_btn.clicked.connect(self.save)
        lay.addWidget(self.save_btn)
        self.program.currentIndexChanged.connect(self.show_program)

    def load(self, sheet: CaptureSheet) -> None:
        self.sheet = sheet
        self.program.blockSignals(True)
        self.program.clear()
        for key, name, _agency in sheet.programs:
            self.program.addItem(f"{key} {name}"[:60], key)
        self.program.blockSignals(False)
        self.show_program()

    def show_program(self) -> None:
        key = self.program.currentData()
        figures = self.sheet.budgets.get(key, {}) if key else {}
        for k, edit in self.fields.items():
            v = figures.get(k)
            edit.setText(fmt_es(v) if v is not None else "")
        agency = next((a for p, _n, a in self.sheet.programs if p == key), None)
        user = self.page.ctx.user
        writable = (key is not None and not self.page.ctx.read_only and
                    not (user.role == Role.CAPTURISTA.value and agency != user.agency_key) and
                    self.sheet.states.get(agency) != PeriodStatus.CERRADO.value)
        for edit in self.fields.values():
            edit.setReadOnly(not writable)
        self.save_btn.setEnabled(writable)

    def save(self) -> None:
        key = self.program.currentData()
        vals = {}
        for k, edit in self.fields.items():
            t = edit.text().strip()
            try:
                vals[k] = parse_es_number(t) if t else None
            except NumberParseError as exc:
                self.page.show_message(f"{TEXT[k]} {exc}", error=True)
                return
        ctx, month = self.page.ctx, self.sheet.month

        def job(_control):
            return budget_service.save(ctx.db, ctx.user, key, month, **vals)

        def done(_res):
            if not _alive(self):
                return
            self.sheet.budgets[key] = vals
            self.page.show_message(TEXT["budget_saved"])
            ctx.notify("budget", key)

        run_task(job, on_done=done,
                 on_error=lambda exc, tb: _alive(self) and self.page.show_message(str(exc), error=True))


class CapturePage(QWidget):
    """The capture page. Works standalone (tests build it with an AppContext)."""

    SOURCE_CACHE = 12
    ALL_AGENCIES_MAX = 6
    # municipio scale: after the first grid is shown, read the other dependencias' documents in the background so
    # that switching dependencia does not wait for the database (bigger organizations: only recently shown ones)
    PREFETCH_MAX_AGENCIES = 60

    loaded = Signal()
    saveFinished = Signal(bool)  # ok

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_paste_report: PasteReport | None = None
        self.last_error: str | None = None
        self.pending_saves = 0
        self._save_queue: list[tuple[str, list]] = []
        self._saving = False
        # month-independent data of recently shown selections (dependencia/programa); dropped after any write
        self._sources: dict[tuple, object] = {}
        self.prefetch_enabled = True
        self._generation = 0  # bumped on every invalidation: late prefetch results are dropped
        self._prefetch_task = None
        self.model = CaptureModel(ctx, self)
        self.model.valuesEdited.connect(self.save_changes)
        self.model.message.connect(lambda m: self.show_message(m, error=True))
        self.model.state_guard = self.confirm_state_change
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.period_combo = QComboBox(self)
        for m in range(1, 13):
            pid = periods.month_id(ctx.year, m)
            self.period_combo.addItem(periods.label(pid), pid)
        top.addWidget(QLabel(TEXT["period"], self))
        top.addWidget(self.period_combo)
        self.agency_combo = QComboBox(self)
        self.agency_title = QLabel(with_colon(plabel(ctx, "dependencia", TEXT["agency"].rstrip(":"))), self)
        top.addWidget(self.agency_title)
        top.addWidget(self.agency_combo)
        self.program_combo = QComboBox(self)
        top.addWidget(QLabel(TEXT["program"], self))
        top.addWidget(self.program_combo, 1)
        lay.addLayout(top)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        wf = QHBoxLayout()
        wf.addWidget(self.state_label, 1)
        self.buttons = {}
        for action, text in (("enviar", TEXT["btn_send"]), ("validar", TEXT["btn_validate"]),
                             ("devolver", TEXT["btn_return"]), ("cerrar", TEXT["btn_close"]),
                             ("reabrir", TEXT["btn_reopen"])):
            b = QPushButton(text, self)
            b.clicked.connect(lambda _=False, a=action: self.ask_workflow(a))
            self.buttons[action] = b
            wf.addWidget(b)
        self.just_btn = QPushButton(TEXT["btn_just"], self)
        self.just_btn.clicked.connect(self.open_justification)
        wf.addWidget(self.just_btn)
        self.hist_btn = QPushButton(TEXT["btn_audit"], self)
        self.hist_btn.clicked.connect(self.open_history)
        wf.addWidget(self.hist_btn)
        lay.addLayout(wf)
        self.table = CaptureTable(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_VALUE, ValueDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed |
                                   QAbstractItemView.EditTrigger.DoubleClicked |
                                   QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)  # eliding instead of wrapping: much cheaper to paint
        self.table.verticalHeader().setVisible(False)
        self.table.pasteRequested.connect(self.paste_text)
        self.table.clearRequested.connect(self.clear_rows)
        h = self.table.horizontalHeader()
        # numbers get what they need; «Variable» (the indicator's name on its header row) takes the rest, so a
        # 1366×768 laptop still reads the names (the full name is in the tooltip)
        for c, w in ((COL_IND, 165), (COL_VAR, 320), (COL_TARGET, 100), (COL_VALUE, 90), (COL_CUM, 95),
                     (COL_PCT, 80), (COL_LIGHT, 150), (COL_JUST, 110), (COL_EVID, 70)):
            # never narrower than the header's own text (at 150 % «Meta del periodo» was cut)
            self.table.setColumnWidth(c, max(w, h.sectionSizeFromContents(c).width()))
        h.setMinimumSectionSize(60)
        h.setSectionResizeMode(COL_VAR, QHeaderView.ResizeMode.Stretch)  # names take the remaining width
        lay.addWidget(self.table, 1)
        from .capture_goals import GoalPanel

        self.goals = GoalPanel(self)  # metas de actividad of the quarter ending in the month (issue 16)
        lay.addWidget(self.goals)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        lay.addWidget(self.message_label)
        self.budget = BudgetPanel(self)
        lay.addWidget(self.budget)
        self._fill_agencies()
        i = self.period_combo.findData(ctx.month)
        self.period_combo.setCurrentIndex(i if i >= 0 else 0)
        self.period_combo.currentIndexChanged.connect(self.reload)
        self.agency_combo.currentIndexChanged.connect(self._agency_changed)
        self.program_combo.currentIndexChanged.connect(self.reload)
        ctx.monthChanged.connect(self.set_month)
        ctx.dataChanged.connect(self._data_changed)
        self._agency_changed()

    # ---- selection -----------------------------------------------------------------------------
    def _fill_agencies(self) -> None:
        from sqlalchemy import select

        from ..db.models import Agency, FiscalYear, Program

        with self.ctx.db.reading() as s:
            self._agencies = [(a.key, a.acronym, a.name) for a in s.scalars(select(Agency).order_by(Agency.key))]
            self._programs = list(s.execute(
                select(Program.key, Program.name, Program.agency_id)
                .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
                .where(FiscalYear.year == self.ctx.year).order_by(Program.order, Program.key)))
            self._agency_ids = {a.key: a.id for a in s.scalars(select(Agency))}
        user = self.ctx.user
        self.agency_combo.blockSignals(True)
        # «Todas» only where a whole-organization grid stays quick (small municipios, the demo); at larger
        # scale the grid opens on one dependencia
        if user.role != Role.CAPTURISTA.value and len(self._agencies) <= self.ALL_AGENCIES_MAX:
            self.agency_combo.addItem(TEXT["all_agencies"], None)
        for key, acr, name in self._agencies:
            if user.role == Role.CAPTURISTA.value and key != user.agency_key:
                continue
            self.agency_combo.addItem(f"{key} {acr or name}"[:50], key)
        self.agency_combo.blockSignals(False)

    def _agency_changed(self) -> None:
        self._fill_programs()
        self.reload()

    def _fill_programs(self) -> None:
        agency = self.agency_combo.currentData()
        aid = self._agency_ids.get(agency) if agency else None
        self.program_combo.blockSignals(True)
        self.program_combo.clear()
        self.program_combo.addItem(TEXT["all_programs"], None)
        for key, name, pa in self._programs:
            if agency is None or pa == aid:
                self.program_combo.addItem(f"{key} {name}"[:70], key)
        self.program_combo.blockSignals(False)

    def set_month(self, month: str) -> None:
        i = self.period_combo.findData(month)
        if i >= 0:
            self.period_combo.setCurrentIndex(i)

    def select(self, month: str | None = None, agency: str | None = "", program: str | None = "") -> None:
        """Switch period / dependencia (None: all) / programa (None: all) and reload once (tests, menus,
        benchmark). "" leaves a selector as it is."""
        if month:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(max(self.period_combo.findData(month), 0))
            self.period_combo.blockSignals(False)
        if agency != "":
            self.agency_combo.blockSignals(True)
            self.agency_combo.setCurrentIndex(max(self.agency_combo.findData(agency), 0))
            self.agency_combo.blockSignals(False)
            self._fill_programs()
        if program != "":
            self.program_combo.blockSignals(True)
            self.program_combo.setCurrentIndex(max(self.program_combo.findData(program), 0))
            self.program_combo.blockSignals(False)
        self.reload()

    @property
    def today(self) -> date | None:
        """Injectable "today" for AV-008 (tests); None: the real date."""
        return self.model.today

    @today.setter
    def today(self, value: date | None) -> None:
        self.model.today = value
        self.model.invalidate_locks()
        if hasattr(self, "goals"):
            self.goals.model.today = value
            self.goals.model.layoutChanged.emit()

    def navigate_to(self, month: str | None = None, agency: str | None = "", program: str | None = "",
                    indicator: str | None = None, **_ignored) -> None:
        """Called by the main window for ``ctx.navigate("captura", …)``."""
        if month or agency != "" or program != "":
            self.select(month=month, agency=agency, program=program)
        if indicator:
            for r, row in enumerate(self.model.rows):
                ci = self.model.sheet.indicators[row.ind]
                if ci.key == indicator and row.var is not None:
                    self.table.setCurrentIndex(self.model.index(r, COL_VALUE))
                    self.table.scrollTo(self.model.index(r, COL_VALUE))
                    break

    @property
    def month(self) -> str:
        return self.period_combo.currentData()

    @property
    def agency(self) -> str | None:
        return self.agency_combo.currentData()

    def reload(self) -> None:
        try:
            key = (self.ctx.year, self.agency, self.program_combo.currentData())
            source = self._sources.pop(key, None)
            if source is None:
                source = load_source(self.ctx.db, *key)
            self._sources[key] = source  # most recently used last
            while len(self._sources) > self._cache_size():
                self._sources.pop(next(iter(self._sources)))
            sheet = capture_rows(self.ctx.db, self.month, self.agency, self.program_combo.currentData(),
                                 source=source)
        except ServiceError as exc:
            self.show_message(str(exc), error=True)
            return
        self.model.set_sheet(sheet)
        self.goals.load(sheet)
        self.budget.load(sheet)
        self._update_state(sheet)
        if not sheet.indicators and not sheet.goals:
            self.show_message(TEXT["no_rows"].format(period=periods.label(self.month)))
        else:
            self.show_message("")
        rows = self.model.editable_rows()
        if rows:
            self.table.setCurrentIndex(self.model.index(rows[0], COL_VALUE))
        self.loaded.emit()
        if self.prefetch_enabled and self._prefetch_task is None:
            QTimer.singleShot(400, self._prefetch)

    def _prefetch_agencies(self) -> list[str]:
        keys = [self.agency_combo.itemData(i) for i in range(self.agency_combo.count())]
        keys = [k for k in keys if k is not None]
        return keys if self.ALL_AGENCIES_MAX < len(keys) <= self.PREFETCH_MAX_AGENCIES else []

    def _cache_size(self) -> int:
        return max(self.SOURCE_CACHE, len(self._prefetch_agencies()) + 2)

    def _prefetch(self) -> None:
        if not self.prefetch_enabled or self._prefetch_task is not None:
            return
        missing = [(self.ctx.year, a, None) for a in self._prefetch_agencies()
                   if (self.ctx.year, a, None) not in self._sources]
        if not missing:
            return
        db, generation = self.ctx.db, self._generation

        def job(control):
            out = {}
            for key in missing:
                control.check()
                out[key] = load_source(db, *key)
            return out

        def finished(result=None, *_):
            if not _alive(self):
                return
            self._prefetch_task = None
            if result and generation == self._generation:
                for key, source in result.items():
                    self._sources.setdefault(key, source)

        self._prefetch_task = run_task(job, on_done=finished, on_error=lambda *_: finished(),
                                       on_cancel=finished)

    def prefetch_done(self) -> bool:
        return self._prefetch_task is None

    def _update_state(self, sheet: CaptureSheet) -> None:
        states = ", ".join(f"{k} {label(v)}" + (TEXT["comment"].format(c=sheet.comments[k])
                                                 if v == PeriodStatus.DEVUELTO.value and k in sheet.comments else "")
                           for k, v in sheet.states.items()) or "—"
        text = TEXT["state"].format(states=states)
        values = set(sheet.states.values())
        if values == {PeriodStatus.CERRADO.value}:
            text += TEXT["closed_banner"]
        elif self.ctx.read_only:
            text += TEXT["readonly_banner"]
        elif periods.end_date(sheet.month) > (self.today or date.today()):
            text += TEXT["not_ended_banner"].format(end=periods.end_date(sheet.month).strftime("%d/%m/%Y"))
        self.state_label.setText(text)
        user = self.ctx.user
        ro = self.ctx.read_only
        allowed = {
            "enviar": user.role in (Role.CAPTURISTA.value, Role.ADMINISTRADOR.value, Role.VALIDADOR.value),
            "validar": user.role in (Role.VALIDADOR.value, Role.ADMINISTRADOR.value),
            "devolver": user.role in (Role.VALIDADOR.value, Role.ADMINISTRADOR.value),
            "cerrar": user.role == Role.ADMINISTRADOR.value,
            "reabrir": user.role == Role.ADMINISTRADOR.value,
        }
        for action, b in self.buttons.items():
            b.setVisible(allowed[action])
            # enabled when some shown dependencia is in a state the action starts from (the service decides)
            b.setEnabled(not ro and bool(values & set(workflow.FROM_STATES[action])))

    def invalidate(self) -> None:
        """Forget the cached selection data (after any write)."""
        self._generation += 1
        if self._prefetch_task is not None:
            self._prefetch_task.control.cancel_requested = True
        self._sources.clear()

    def _data_changed(self, entity: str, _key: str) -> None:
        self.invalidate()  # anything written elsewhere: re-read on the next switch
        if entity == "*":  # e.g. another state profile (issue 16)
            self.agency_title.setText(with_colon(plabel(self.ctx, "dependencia", TEXT["agency"].rstrip(":"))))
        if entity in ("target", "indicator", "program", "variable", "*", "import", "remoto"):
            self.reload()

    # ---- messages ------------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #a00000;" if error else "color: #1b5e20;")
        if error and text:
            self.last_error = text

    # ---- saving --------------------------------------------------------------------------------
    def save_changes(self, changes: list) -> None:
        """Queue an edit for saving. Saves run one at a time, in order, off the UI thread (two quick edits of a
        cell must reach the database in the order they were typed)."""
        self._save_queue.append((self.month, changes))
        self.pending_saves += 1
        self.show_message(TEXT["saving"])
        if not self._saving:
            self._next_save()

    def _next_save(self) -> None:
        if not self._save_queue:
            self._saving = False
            return
        self._saving = True
        month, changes = self._save_queue.pop(0)
        ctx, today = self.ctx, self.today
        keys = [(i, v) for i, v, _ in changes]
        same_sheet = lambda: self.model.sheet is not None and self.model.sheet.month == month  # noqa: E731
        stored = self.model.stored if same_sheet() else {}
        vcs = [ValueChange(i, v, val, expected=stored.get((i, v), NOT_SEEN)) for i, v, val in changes]

        def job(_control):
            return save_values(ctx.db, ctx.user, month, vcs, today=today)

        def refresh_after_save(result):
            self.invalidate()
            if same_sheet():
                self.model.mark_errors(keys, None)
                self.model.stored.update({(i, v): val for i, v, val in changes})
                for _m, agency in result.reopened_states:
                    self.model.sheet.states[agency] = PeriodStatus.CAPTURANDO.value
                    for ci in self.model.sheet.indicators:
                        if ci.agency_key == agency:
                            ci.workflow_status = PeriodStatus.CAPTURANDO.value
                self.model.invalidate_locks()
                self._update_state(self.model.sheet)
            ctx.notify("measurement", month)

        def done(result):
            if not _alive(self):
                return
            self.pending_saves -= 1
            # the values are committed: a failure while refreshing the view must not read as «no se guardó»
            try:
                refresh_after_save(result)
                text = TEXT["saved"].format(n=result.changed)
                for m, agency in result.reopened_states:  # the state change is shown, never silent
                    text += " " + TEXT["state_back"].format(period=periods.label(m), agency=agency)
                self.show_message(text)
            except Exception as exc:  # noqa: BLE001 - logged, and the user is told the save succeeded
                from ..errorlog import logger

                logger().exception("Error al actualizar la captura después de guardar")
                self.show_message(TEXT["after_save"].format(n=result.changed, reason=f"{type(exc).__name__}"),
                                  error=True)
            self.saveFinished.emit(True)
            self._next_save()

        def failed(exc, _tb):
            if not _alive(self):
                return
            self.pending_saves -= 1
            if isinstance(exc, ConflictError) and same_sheet():
                self._resolve_conflict(month, changes, exc)
                return
            if isinstance(exc, ConnectionLost):  # server mode: keep what was typed and try again shortly
                self.show_message(str(exc), error=True)
                self._save_queue.insert(0, (month, changes))
                self.pending_saves += 1
                QTimer.singleShot(RETRY_MS, self, self._next_save)
                return
            reason = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
            if same_sheet():
                self.model.mark_errors(keys, reason)
            self.show_message(TEXT["save_failed"].format(reason=reason), error=True)
            self.saveFinished.emit(False)
            self._next_save()

        run_task(job, on_done=done, on_error=failed)

    def _resolve_conflict(self, month: str, changes: list, exc: ConflictError) -> None:
        """Another official saved these values meanwhile: show both sides, keep mine or take theirs."""
        for c in exc.conflicts:
            self.model.stored[(c.indicator_key, c.variable_key)] = c.theirs
        if ask_keep_mine(self, exc):
            self._save_queue.insert(0, (month, changes))  # saved again, now over the value seen
            self.pending_saves += 1
        else:
            theirs = {(c.indicator_key, c.variable_key): c.theirs for c in exc.conflicts}
            self.model.take_values(theirs)
            self.show_message(TEXT["conflict_taken"].format(n=len(theirs)))
            self.saveFinished.emit(False)
        self._next_save()

    def confirm_state_change(self, rows: list[int]) -> bool:
        """Administrador/validador changing a value of an «Enviado»/«Validado» period: ask once per period and
        dependencia (the capturista never gets here: those cells are read-only for them)."""
        pending = self.model.unconfirmed_sent(rows)
        if not pending:
            return True
        from . import messages

        state = label(pending[0].workflow_status)
        agencies = ", ".join(sorted({ci.agency_key or "—" for ci in pending}))
        ok = messages.confirm(self, TEXT["sent_title"].format(state=state.lower()),
                              TEXT["sent_ask"].format(period=periods.label(self.model.sheet.month), agencies=agencies,
                                                      state=state), yes=TEXT["sent_yes"], no=TEXT["sent_no"])
        if ok:
            for ci in pending:
                self.model.confirmed_states.add((self.model.sheet.month, ci.agency_key or ""))
        else:
            self.show_message(TEXT["sent_declined"].format(state=state), error=True)
        return ok

    def clear_rows(self, rows: list[int]) -> None:
        items = []
        for r in sorted(set(rows)):
            lock = self.model.lock_reason(r)
            if lock:
                self.show_message(lock, error=True)
                return
            items.append((r, None))
        if items:
            self.model.apply_values(items)

    def paste_text(self, text: str) -> PasteReport:
        """Paste a tab-separated block at the current cell: rows go to the following variable rows (indicator
        header rows are skipped), columns to the right; only «Valor» is editable."""
        report = PasteReport()
        block = parse_tsv(text)
        cur = self.table.currentIndex()
        if not cur.isValid() or not block:
            return report
        start_col = cur.column()
        rows = [r for r in self.model.editable_rows() if r >= cur.row()]
        items = []
        for i, cells in enumerate(block):
            for j, cell in enumerate(cells):
                col = start_col + j
                col_name = TEXT["headers"][col] if col < len(TEXT["headers"]) else f"{col + 1}"
                if i >= len(rows):
                    if cell.strip():
                        report.problems.append(PasteProblem(i + 1, j + 1, f"— ({col_name})", cell,
                                                            TEXT["paste_beyond"]))
                    continue
                r = rows[i]
                ci = self.model.indicator_at(r)
                target = f"{ci.key} / {ci.variables[self.model.rows[r].var].key} ({col_name})"
                index = self.model.index(r, col) if col < len(TEXT["headers"]) else QModelIndex()
                if col != COL_VALUE:
                    shown = (index.data() or "") if index.isValid() else ""
                    if cell.strip() and cell.strip() != shown.strip():
                        report.problems.append(PasteProblem(i + 1, j + 1, target, cell, TEXT["paste_readonly"]))
                    continue
                lock = self.model.lock_reason(r)
                if lock:
                    report.problems.append(PasteProblem(i + 1, j + 1, target, cell, lock))
                    continue
                value, error = self.model.check_value(r, cell)
                if error:
                    report.problems.append(PasteProblem(i + 1, j + 1, target, cell, error))
                    continue
                items.append((r, value))
        report.applied = len(items)
        if items:
            self.model.apply_values(items)
        self.last_paste_report = report
        if report.problems:
            dlg = PasteReportDialog(report, self)
            dlg.setModal(False)
            dlg.show()
            self._paste_dialog = dlg
        return report

    # ---- workflow ------------------------------------------------------------------------------
    def hideEvent(self, event) -> None:
        if self._prefetch_task is not None:
            self._prefetch_task.control.cancel_requested = True
        super().hideEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.prefetch_enabled and self._prefetch_task is None and self.model.sheet is not None:
            QTimer.singleShot(400, self._prefetch)

    def ask_workflow(self, action: str) -> None:
        reason = ""
        prompts = {"devolver": TEXT["ask_return"], "reabrir": TEXT["ask_reopen"], "cerrar": TEXT["ask_close"]}
        if action in prompts:
            text, ok = QInputDialog.getMultiLineText(self, TEXT["title"], prompts[action])
            if not ok:
                return
            reason = text
        self.run_workflow(action, reason)

    def run_workflow(self, action: str, reason: str = "") -> None:
        ctx, month, agency = self.ctx, self.month, self.agency

        def job(_control):
            return workflow.apply(ctx.db, ctx.user, action, month, agency, reason)

        def done(res):
            if not _alive(self):
                return
            changes = ", ".join(f"{t.agency_key} {label(t.old)} → {label(t.new)}" for t in res.transitions)
            self.reload()
            self.show_message(TEXT["wf_done"].format(action=action.capitalize(), changes=changes)
                              if changes else TEXT["wf_none"])
            ctx.notify("period", month)
            self.saveFinished.emit(True)

        def failed(exc, _tb):
            if not _alive(self):
                return
            self.show_message(str(exc), error=True)
            self.saveFinished.emit(False)

        run_task(job, on_done=done, on_error=failed)

    # ---- justification / history ---------------------------------------------------------------
    def current_indicator(self) -> CaptureIndicator | None:
        return self.model.indicator_at(self.table.currentIndex().row())

    def open_justification(self) -> None:
        ci = self.current_indicator()
        if ci is None:
            self.show_message(TEXT["select_indicator"], error=True)
            return
        from .justification_dialog import JustificationDialog

        dlg = JustificationDialog(self.ctx, ci.key, ci.period, self,
                                  read_only=self.model.lock_reason(self.rows_of(ci)) is not None)
        self.invalidate()
        if dlg.exec():
            self.model.refresh_justification(ci.key, dlg.info.complete, len(dlg.info.evidence))

    def rows_of(self, ci: CaptureIndicator) -> int:
        return next(r for r, row in enumerate(self.model.rows)
                    if self.model.sheet.indicators[row.ind] is ci)

    def open_history(self) -> None:
        ci = self.current_indicator()
        from .audit_view import AuditDialog

        AuditDialog(self.ctx, self, indicator=ci.key if ci else None).exec()


# ---------------------------------------------------------------------------------------------------
# registration in the main window

def _page(window) -> CapturePage | None:
    return window.findChild(CapturePage) if window is not None else None


def _workflow_action(action: str):
    def run(ctx: AppContext, window) -> None:
        ctx.navigate("captura")
        page = _page(window)
        if page is not None:
            page.ask_workflow(action)
    return run


def _audit(ctx: AppContext, window) -> None:
    from .audit_view import AuditDialog

    AuditDialog(ctx, window).exec()


def _users(ctx: AppContext, window) -> None:
    from .users_dialog import UsersDialog

    UsersDialog(ctx, window).exec()


def _justification(ctx: AppContext, window) -> None:
    ctx.navigate("captura")
    page = _page(window)
    if page is not None:
        page.open_justification()


def _register() -> None:
    from .registry import ActionSpec, PageSpec, register_action, register_page

    register_page(PageSpec(key="captura", title=TEXT["title"], factory=lambda ctx, parent: CapturePage(ctx, parent),
                           order=20))
    for order, (action, text, write) in enumerate((
            ("enviar", "&Enviar periodo", True), ("validar", "&Validar periodo", True),
            ("devolver", "&Devolver periodo…", True), ("cerrar", "&Cerrar periodo…", True),
            ("reabrir", "&Reabrir periodo…", True))):
        register_action(ActionSpec(menu="Captura", text=text, callback=_workflow_action(action), order=10 + order,
                                   requires_write=write))
    register_action(ActionSpec(menu="Captura", text="&Justificación y evidencia…", callback=_justification,
                               order=30, requires_write=False))
    register_action(ActionSpec(menu="Captura", text="&Bitácora…", callback=_audit, order=40))
    register_action(ActionSpec(menu="Herramientas", text="&Usuarios…", callback=_users, order=20))


_register()
