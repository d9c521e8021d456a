"""Ficha técnica of an indicator: every field of DOMAIN.md §e in sections, a formula editor (family template or
free expression, live check, «Probar» calculator), the variables table and the calendarized targets grid with
the annual total. Each field is saved when you leave it (one transaction, undoable); a side panel explains the
focused field in plain Spanish with an example. A chart (ui.charts.IndicatorChart) is added on the right if that
module is installed."""
from __future__ import annotations

import importlib.util
import os
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSizePolicy, QSplitter, QStyledItemDelegate, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ..core import periods
from ..core.formula import FormulaError, parse_formula
from ..core.numbers import NumberParseError, fmt_es, parse_es_number, round2
from ..core.types import LABELS, label
from ..services import editing as ed
from . import commands, help_texts
from .profile_ui import level_label
from .context import AppContext
from .forms import ERROR_STYLE, _CommitPlainText
from .messages import confirm, page_title
from .table_widths import PaddedDelegate, give_to_column, keep_fitted

TEXT = {
    "title": "Ficha técnica del indicador {key}",
    "empty": "Seleccione un indicador en el árbol o en la MIR para ver su ficha técnica.",
    "sections": {"id": "Identificación", "formula": "Método de cálculo", "vars": "Variables",
                 "char": "Características", "baseline": "Línea base", "targets": "Metas",
                 "verif": "Semaforización y medios de verificación", "extra": "Información complementaria",
                 "control": "Control de la ficha"},
    "use_template": "Usar &plantilla", "template_tip": "Escribe el método de cálculo típico del tipo de fórmula elegido",
    "check_ok": "✓ Fórmula válida. Variables: {names}.",
    "check_undefined": "La variable «{v}» no está en la tabla de variables; agréguela.",
    "check_shape": "Aviso: la fórmula no tiene la forma típica de un indicador de tipo {tipo} ({expected}).",
    "probar": "&Probar", "probar_title": "Probar con valores de ejemplo:", "result": "Resultado: {value}",
    "add_var": "Agregar &variable", "del_var": "Eliminar variable", "var_symbol": "Símbolo de la nueva variable:",
    "var_headers": ["Símbolo", "Nombre", "Descripción", "Unidad", "Fuente", "Rol", "Acumulación"],
    "annual": "Total anual", "indicator_row": "Indicador (calculado)",
    "total_ok": "El total anual calculado ({c}) coincide con la meta anual.",
    "total_bad": "⚠ El total anual calculado ({c}) no coincide con la meta anual ({r}) — regla MET-002.",
    "total_none": "Programe las metas de cada variable; SES calculará el total anual.",
    "closed": "Periodo cerrado: no se puede modificar (MET-005).",
    "reason_title": "Modificación de metas", "reason": ("El ejercicio ya tiene periodos cerrados: este cambio es una "
                                                        "modificación de metas.\nEscriba el motivo (queda registrado):"),
    "no_preset": "(el de la organización)", "na": "No disponible (explíquelo en la nota)",
    "readonly": "Solo lectura: su usuario no puede editar este indicador.",
    "version": "Versión {v}", "del_var_q": "¿Eliminar la variable «{v}»?\n\nSe perderá también: {lost}.",
    "status": {"borrador": "Borrador", "aprobada": "Aprobada"},
    "bad_number": "Escriba un número como 1,234.50 (punto decimal).",
    "bad_year": "Escriba un año de cuatro dígitos.",
    "chart": "Gráfica",
}
TEMPLATES = {"porcentaje": ("({n} / {d}) * 100", "(A / B) × 100"), "tasa_variacion": ("(({n} / {d}) - 1) * 100",
                                                                                    "((A_t / A_t−1) − 1) × 100"),
             "razon": ("{n} / {d}", "A / B"), "promedio": ("{n} / {d}", "A / B"), "indice": ("{v}", "A"),
             "absoluto": ("{v}", "V")}
_SHAPES = {"porcentaje": "ratio_x100", "tasa_variacion": "ratio_minus_1_x100", "razon": "ratio", "promedio": "ratio",
           "absoluto": "single"}
UNITS = ["Porcentaje", "Tasa", "Razón", "Promedio", "Índice", "Días", "Personas", "Servicios", "Acciones",
         "Pesos", "Luminaria", "Reporte", "Apoyo"]
# validation finding field / rule -> widget field of this form
FIELD_OF_RULE = {"IND-001": "name", "IND-011": "name", "IND-002": "formula", "IND-003": "formula",
                 "FT-006": "variables", "FT-005": "unit", "FT-002": "baseline_value", "FT-008": "baseline_year",
                 "FT-003": "annual_target", "FT-004": "targets", "MET-001": "targets", "MET-002": "annual_target",
                 "MET-003": "annual_target", "MET-004": "annual_target", "IND-004": "targets", "IND-005": "targets",
                 "IND-012": "annual_target", "MIR-007": "verification_sources", "FT-007": "verification_sources",
                 "IND-006": "type", "IND-007": "frequency", "IND-008": "dimension", "IND-009": "direction",
                 "FT-009": "preset_key", "IND-010": "formula_type"}
FINDING_FIELD = {"baseline": "baseline_value", "traffic_light": "preset_key", "period_targets": "targets",
                 "objective": "objective_key"}


def _dec_problem(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        parse_es_number(text)
    except (NumberParseError, ValueError):
        return TEXT["bad_number"]
    return None


def _year_problem(text: str) -> str | None:
    t = text.strip()
    return None if not t or (t.isdigit() and len(t) == 4) else TEXT["bad_year"]


class VariablesModel(QAbstractTableModel):
    FIELDS = ["key", "name", "description", "unit", "source", "role", "accumulation"]

    def __init__(self, view: "FichaView"):
        super().__init__(view)
        self.view = view
        self.rows: list[dict] = []
        self.editable = False

    def set_rows(self, rows: list[dict], editable: bool) -> None:
        self.beginResetModel()
        self.rows, self.editable = rows, editable
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(self.FIELDS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TEXT["var_headers"][section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        f = self.FIELDS[index.column()]
        v = self.rows[index.row()].get(f)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return label(v) if f in ("role", "accumulation") else (v or "")
        if role == Qt.ItemDataRole.EditRole:
            return v or ""
        if role == Qt.ItemDataRole.BackgroundRole and f == "source" and not (v or "").strip():
            return QBrush(QColor("#fdecea"))
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if self.editable else f

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self.rows[index.row()]
        f = self.FIELDS[index.column()]
        if str(value or "").strip() == str(row.get(f) or "").strip():
            return False
        return commands.edit_variable_field(self.view.ctx, self.view, self.view.key, row["key"], f, value,
                                            expected=row.get(f))


class ChoiceDelegate(PaddedDelegate):
    def __init__(self, choices: dict[int, list[str]], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        if index.column() in self.choices:
            cb = QComboBox(parent)
            for code in self.choices[index.column()]:
                cb.addItem(label(code), code)
            return cb
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class TargetsModel(QAbstractTableModel):
    """Rows: variables + the computed indicator; columns: periods of the frequency + annual total."""

    def __init__(self, view: "FichaView"):
        super().__init__(view)
        self.view = view
        self.variables: list[dict] = []
        self.periods: list[str] = []
        self.targets: dict[str, dict[str, Decimal]] = {}
        self.closed: set[str] = set()
        self.formula = None
        self.editable = False

    def load(self, values: dict, editable: bool) -> None:
        self.beginResetModel()
        self.variables = values["variables"]
        year = values["fiscal_year"]
        try:
            self.periods = periods.periods_for(values["frequency"] or "mensual", year, values.get("base_year"))
        except ValueError:
            self.periods = []
        extra = sorted((p for p in values["targets"] if p not in self.periods), key=periods.sort_key)
        self.periods += extra
        self.targets = values["targets"]
        closed_months = set(values["closed_periods"])
        self.closed = {p for p in self.periods if any(m in closed_months for m in periods.months_of(p))}
        try:
            self.formula = parse_formula(values["formula"]) if values["formula"] else None
        except FormulaError:
            self.formula = None
        self.editable = editable
        self.endResetModel()

    def annual(self, var: dict) -> Decimal | None:
        vals = [self.targets.get(p, {}).get(var["key"]) for p in self.periods]
        vals = [v for v in vals if v is not None]
        if not vals:
            return None
        return vals[-1] if var["accumulation"] == "ultimo_valor" else sum(vals, Decimal(0))

    def indicator_value(self, values: dict[str, Decimal]) -> Decimal | None:
        if self.formula is None:
            return None
        ev = self.formula.evaluate(values)
        return ev.value

    def annual_indicator(self) -> Decimal | None:
        totals = {v["key"]: self.annual(v) for v in self.variables}
        if any(t is None for t in totals.values()):
            return None
        return self.indicator_value(totals)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.variables) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(self.periods) + 1

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                if section == len(self.periods):
                    return TEXT["annual"]
                p = self.periods[section]
                return _short_period(p)
            return self.variables[section]["key"] if section < len(self.variables) else TEXT["indicator_row"]
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and section < len(self.periods):
            return periods.label(self.periods[section])
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical \
                and section < len(self.variables):
            v = self.variables[section]
            return f"{v['name']} ({label(v['accumulation'])})"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        is_total = c == len(self.periods)
        is_ind = r == len(self.variables)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if is_ind:
                if is_total:
                    val = self.annual_indicator()
                else:
                    vals = self.targets.get(self.periods[c], {})
                    val = self.indicator_value(vals) if vals else None
                return "" if val is None else fmt_es(round2(val))
            var = self.variables[r]
            val = self.annual(var) if is_total else self.targets.get(self.periods[c], {}).get(var["key"])
            if val is None:
                return ""
            return fmt_es(val, places=_places(val)) if role == Qt.ItemDataRole.DisplayRole else fmt_es(
                val, places=_places(val), thousands=False)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if is_total or is_ind:
                return QBrush(QColor("#eef3fb"))
            if self.periods[c] in self.closed:
                return QBrush(QColor("#e6e6e6"))
        if role == Qt.ItemDataRole.ToolTipRole and not is_total and not is_ind and self.periods[c] in self.closed:
            return TEXT["closed"]
        if role == Qt.ItemDataRole.FontRole and (is_total or is_ind):
            from PySide6.QtGui import QFont

            f = QFont()
            f.setBold(True)
            return f
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if (self.editable and index.row() < len(self.variables) and index.column() < len(self.periods)
                and self.periods[index.column()] not in self.closed):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.view.set_target(self.variables[index.row()]["key"], self.periods[index.column()], value)


def _places(v: Decimal) -> int:
    exp = v.normalize().as_tuple().exponent
    return max(0, min(6, -exp)) if isinstance(exp, int) else 2


def _short_period(p: str) -> str:
    y, first, last = periods.parse(p)
    if first == last:
        return periods.MONTH_NAMES[first - 1][:3].capitalize() if hasattr(periods, "MONTH_NAMES") else p
    if first == 1 and last == 12:
        return str(y)
    return p.split("-")[1]


class _FocusHelp(QObject):
    def __init__(self, view: "FichaView"):
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.FocusIn:
            field = obj.property("ficha_field")
            if field:
                self.view.show_help(field)
        return False


class FichaView(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.key: str | None = None
        self.values: dict = {}
        self.editable = False
        self._loading = False
        self.widgets: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._focus_help = _FocusHelp(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.title = page_title(TEXT["empty"], self)
        outer.addWidget(self.title)
        self.notice = QLabel("", self)
        self.notice.setStyleSheet(ERROR_STYLE)
        self.notice.setVisible(False)
        outer.addWidget(self.notice)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("ficha_splitter")
        outer.addWidget(self.splitter, 1)
        self.scroll = QScrollArea(self.splitter)
        self.scroll.setWidgetResizable(True)
        self.body = QWidget()
        self.scroll.setWidget(self.body)
        self.form_layout = QVBoxLayout(self.body)
        self.side = QWidget(self.splitter)
        side_lay = QVBoxLayout(self.side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        self.help = QTextBrowser(self.side)
        self.help.setMinimumWidth(220)
        self.help.setMinimumHeight(170)
        self.help.setHtml(help_texts.TOPICS["ficha"][1])
        side_lay.addWidget(self.help, 2)
        self.chart = None
        if importlib.util.find_spec("sistema_seguimiento.ui.charts") is not None and \
                not os.environ.get("SES_SIN_GRAFICAS"):
            self._chart_holder = side_lay
        else:
            self._chart_holder = None
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([760, 300])
        self.side.setMaximumWidth(520)
        self.body.setMinimumWidth(560)
        self._build()
        self.body.setEnabled(False)
        ctx.dataChanged.connect(self._data_changed)

    # ---- building ---------------------------------------------------------------------------
    def _group(self, key: str) -> QFormLayout:
        box = QGroupBox(TEXT["sections"][key], self.body)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form_layout.addWidget(box)
        return form

    def _register(self, field: str, w: QWidget, help_field: str | None = None) -> None:
        hf = help_field or field
        w.setProperty("ficha_field", hf)
        w.setToolTip(help_texts.field_tooltip(hf))
        w.installEventFilter(self._focus_help)
        self.widgets[field] = w

    def _label(self, field: str, text: str) -> QLabel:
        lab = QLabel(text, self.body)
        lab.setToolTip(help_texts.field_tooltip(field))
        return lab

    def _line(self, form: QFormLayout, field: str, text: str, problem=None) -> QLineEdit:
        w = QLineEdit(self.body)
        err = QLabel("", self.body)
        err.setStyleSheet(ERROR_STYLE)
        err.setVisible(False)
        box = QWidget(self.body)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(w)
        lay.addWidget(err)
        lab = self._label(field, text)
        lab.setBuddy(w)
        form.addRow(lab, box)
        self._register(field, w)
        self._errors[field] = err

        def check(t: str) -> None:
            p = problem(t) if problem else None
            err.setText(p or "")
            err.setVisible(bool(p))

        w.textChanged.connect(check)
        w.editingFinished.connect(lambda: self._commit_line(field, w, problem))
        return w

    def _text(self, form: QFormLayout, field: str, text: str, height: int = 60) -> _CommitPlainText:
        w = _CommitPlainText(self.body)
        w.setTabChangesFocus(True)
        w.setMinimumHeight(height)
        w.setMaximumHeight(height * 2)
        lab = self._label(field, text)
        lab.setBuddy(w)
        form.addRow(lab, w)
        self._register(field, w)
        w.committed.connect(lambda: self._commit(field, w.toPlainText()))
        return w

    def _combo(self, form: QFormLayout, field: str, text: str, codes: list[str]) -> QComboBox:
        w = QComboBox(self.body)
        for c in codes:
            w.addItem(LABELS.get(c, c) if c else "—", c)
        lab = self._label(field, text)
        lab.setBuddy(w)
        form.addRow(lab, w)
        self._register(field, w)
        w.activated.connect(lambda _i: self._commit(field, w.currentData()))
        return w

    def _build(self) -> None:
        # identificación
        f = self._group("id")
        self.context_label = QLabel("", self.body)
        self.context_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f.addRow(self._label("program", "Programa:"), self.context_label)
        self.agency_label = QLabel("", self.body)
        from .profile_ui import plabel, with_colon

        self.agency_caption = self._label("program", with_colon(plabel(self.ctx, "dependencia", "Dependencia")))
        f.addRow(self.agency_caption, self.agency_label)
        self.year_label = QLabel("", self.body)
        f.addRow(self._label("program", "Ejercicio fiscal:"), self.year_label)
        self.objective = QComboBox(self.body)
        self.objective.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.objective.setMinimumContentsLength(30)
        self.objective.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        lab = self._label("level", "&Nivel y objetivo:")
        lab.setBuddy(self.objective)
        f.addRow(lab, self.objective)
        self._register("objective_key", self.objective, "level")
        self.objective.activated.connect(lambda _i: self._commit("objective_key", self.objective.currentData()))
        self._line(f, "name", "No&mbre del indicador:")
        self._text(f, "definition", "&Definición:")
        # método de cálculo
        f = self._group("formula")
        row = QHBoxLayout()
        self.formula_type = QComboBox(self.body)
        for c in [""] + list(TEMPLATES):
            self.formula_type.addItem(LABELS.get(c, "—") if c else "—", c)
        self._register("formula_type", self.formula_type)
        self.formula_type.activated.connect(lambda _i: self._commit("formula_type", self.formula_type.currentData()))
        self.template_btn = QPushButton(TEXT["use_template"], self.body)
        self.template_btn.setToolTip(TEXT["template_tip"])
        self.template_btn.clicked.connect(self.use_template)
        row.addWidget(self.formula_type, 1)
        row.addWidget(self.template_btn)
        lab = self._label("formula_type", "&Tipo de fórmula:")
        lab.setBuddy(self.formula_type)
        f.addRow(lab, row)
        self.formula = self._line(f, "formula", "Método de &cálculo:")
        self.formula.textChanged.connect(self.check_formula)
        self.formula_check = QLabel("", self.body)
        self.formula_check.setWordWrap(True)
        f.addRow("", self.formula_check)
        self.probar_box = QWidget(self.body)
        self.probar_grid = QGridLayout(self.probar_box)
        self.probar_grid.setContentsMargins(0, 0, 0, 0)
        self.probar_inputs: dict[str, QLineEdit] = {}
        self.probar_btn = QPushButton(TEXT["probar"], self.body)
        self.probar_btn.setProperty("ficha_field", "probar")
        self.probar_btn.installEventFilter(self._focus_help)
        self.probar_btn.setToolTip(help_texts.field_tooltip("probar"))
        self.probar_btn.clicked.connect(self.probar)
        self.probar_result = QLabel("", self.body)
        self.probar_result.setWordWrap(True)
        f.addRow(self._label("probar", TEXT["probar_title"]), self.probar_box)
        prow = QHBoxLayout()
        prow.addWidget(self.probar_btn)
        prow.addWidget(self.probar_result, 1)
        f.addRow("", prow)
        # variables
        box = QGroupBox(TEXT["sections"]["vars"], self.body)
        vl = QVBoxLayout(box)
        self.var_model = VariablesModel(self)
        self.var_view = QTableView(box)
        self.var_view.setModel(self.var_model)
        self.var_view.setItemDelegate(ChoiceDelegate({5: ["numerador", "denominador", "valor"],
                                                      6: ["suma", "ultimo_valor"]}, self.var_view))
        self.var_view.setMinimumHeight(110)
        self.var_view.verticalHeader().setVisible(False)
        # the name takes the width: the other columns get their content (at most a fifth each, never less than
        # their header); long texts elide with a tooltip
        self.fit_variables = lambda: give_to_column(self.var_view, VariablesModel.FIELDS.index("name"))
        keep_fitted(self.var_view, self.fit_variables)
        self.var_model.modelReset.connect(self.fit_variables)
        self.var_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self._register("variables", self.var_view)
        vl.addWidget(self.var_view)
        brow = QHBoxLayout()
        self.add_var_btn = QPushButton(TEXT["add_var"], box)
        self.del_var_btn = QPushButton(TEXT["del_var"], box)
        self.add_var_btn.clicked.connect(lambda: self.add_variable())
        self.del_var_btn.clicked.connect(lambda: self.delete_variable())
        brow.addWidget(self.add_var_btn)
        brow.addWidget(self.del_var_btn)
        brow.addStretch(1)
        vl.addLayout(brow)
        self.form_layout.addWidget(box)
        # características
        f = self._group("char")
        self.unit = QComboBox(self.body)
        self.unit.setEditable(True)
        self.unit.addItems(UNITS)
        lab = self._label("unit", "&Unidad de medida:")
        lab.setBuddy(self.unit)
        f.addRow(lab, self.unit)
        self._register("unit", self.unit)
        self.unit.lineEdit().editingFinished.connect(lambda: self._commit("unit", self.unit.currentText()))
        self.unit.activated.connect(lambda _i: self._commit("unit", self.unit.currentText()))
        self._combo(f, "type", "Ti&po:", ["", "estrategico", "gestion"])
        self._combo(f, "dimension", "D&imensión:", ["", "eficacia", "eficiencia", "calidad", "economia"])
        self._combo(f, "direction", "&Sentido:", ["ascendente", "descendente", "regular"])
        self._combo(f, "frequency", "&Frecuencia de medición:",
                    ["mensual", "bimestral", "trimestral", "cuatrimestral", "semestral", "anual", "bienal", "trienal",
                     "quinquenal", "sexenal"])
        self._combo(f, "reporting_mode", "Acumulado o &periódico:", ["acumulado", "periodico"])
        self._line(f, "natural_cap", "Tope natural:", _dec_problem)
        # línea base
        f = self._group("baseline")
        self._line(f, "baseline_value", "&Valor:", _dec_problem)
        self._line(f, "baseline_year", "&Año:", _year_problem)
        self._line(f, "baseline_period", "Periodo:")
        self.unavailable = QCheckBox(TEXT["na"], self.body)
        self._register("baseline_unavailable", self.unavailable, "baseline")
        self.unavailable.toggled.connect(lambda v: self._commit("baseline_unavailable", v))
        f.addRow("", self.unavailable)
        self._text(f, "baseline_note", "Nota:", 44)
        # metas
        f = self._group("targets")
        self._line(f, "annual_target", "&Meta anual:", _dec_problem)
        self.targets_model = TargetsModel(self)
        self.targets_view = QTableView(self.body)
        self.targets_view.setModel(self.targets_model)
        self.targets_view.setMinimumHeight(110)
        self.targets_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.targets_view.horizontalHeader().setMinimumSectionSize(56)
        self._register("targets", self.targets_view, "period_targets")
        f.addRow(self._label("period_targets", "Metas calendarizadas:"), self.targets_view)
        self.total_label = QLabel("", self.body)
        self.total_label.setWordWrap(True)
        self.total_label.setMinimumWidth(360)
        f.addRow("", self.total_label)
        self.target_error = QLabel("", self.body)
        self.target_error.setStyleSheet(ERROR_STYLE)
        self.target_error.setWordWrap(True)
        f.addRow("", self.target_error)
        self._text(f, "multi_year_targets", "Metas intermedias:", 44)
        self.widgets["multi_year_targets"].setPlaceholderText("Un renglón por año, p. ej. 2027: 97")
        # semaforización y verificación
        f = self._group("verif")
        self.preset = QComboBox(self.body)
        lab = self._label("preset_key", "Parámetros de &semaforización:")
        lab.setBuddy(self.preset)
        f.addRow(lab, self.preset)
        self._register("preset_key", self.preset)
        self.preset.activated.connect(lambda _i: self._commit("preset_key", self.preset.currentData()))
        self._text(f, "verification_sources", "Medios de &verificación:", 60)
        self.widgets["verification_sources"].setPlaceholderText("Uno por renglón: documento, área que lo genera y "
                                                                "dónde consultarlo")
        # información complementaria
        f = self._group("extra")
        self._text(f, "disaggregation", "Nivel de desagregación:", 40)
        self._text(f, "geographic_coverage", "Cobertura geográfica:", 40)
        self._text(f, "data_availability", "Disponibilidad de la información:", 40)
        self._text(f, "measurement_owner", "Responsable de la medición:", 40)
        self._text(f, "benchmark", "Factor de comparación:", 40)
        self._text(f, "interpretation", "Interpretación:", 40)
        self._text(f, "history", "Serie histórica:", 44)
        self.widgets["history"].setPlaceholderText("Un renglón por año, p. ej. 2024: 83.5")
        self._line(f, "base_year", "Año base (multianual):", _year_problem)
        self._text(f, "notes", "Observaciones:", 44)
        # control
        f = self._group("control")
        self._line(f, "created_on", "Fecha de alta:")
        self.version_label = QLabel("", self.body)
        f.addRow(self._label("version", "Versión:"), self.version_label)
        self._combo(f, "status", "Estado:", ["borrador", "aprobada"])
        st = self.widgets["status"]
        for i in range(st.count()):
            st.setItemText(i, TEXT["status"][st.itemData(i)])
        self.form_layout.addStretch(1)

    # ---- loading ----------------------------------------------------------------------------
    def set_indicator(self, key: str | None, field: str | None = None) -> None:
        self.key = key
        self.reload()
        if field:
            self.focus_field(field)

    def reload(self) -> None:
        if self.key is None:
            self.body.setEnabled(False)
            self.title.setText(TEXT["empty"])
            return
        v = ed.indicator_values(self.ctx.db, self.key)
        self.values = v
        self.editable = not self.ctx.read_only and ed.can_edit_program(self.ctx.user, v["agency_key"])
        self._loading = True
        try:
            self.title.setText(TEXT["title"].format(key=self.key) + (f" — {v['name']}" if v["name"] else ""))
            self.notice.setText(TEXT["readonly"])
            self.notice.setVisible(not self.editable)
            self.body.setEnabled(True)
            self.context_label.setText(f"{v['program_key']} {v['program_name']}")
            self.agency_label.setText(f"{v['agency_key'] or ''} {v['agency_name']}".strip())
            self.year_label.setText(str(v["fiscal_year"]))
            self._fill_objectives(v)
            for field, w in self.widgets.items():
                if field in ("objective_key", "variables", "targets"):
                    continue
                value = v.get(field)
                if isinstance(w, QLineEdit):
                    w.setText(self._shown(field, value))
                    w.setReadOnly(not self.editable)
                    w.setCursorPosition(0)
                elif isinstance(w, _CommitPlainText):
                    w.setPlainText(self._shown(field, value))
                    w.document().setModified(False)
                    w.setReadOnly(not self.editable)
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                    w.setEnabled(self.editable)
                elif isinstance(w, QComboBox) and field == "unit":
                    w.setCurrentText(value or "")
                    w.setEnabled(self.editable)
                elif isinstance(w, QComboBox) and field != "preset_key":
                    i = w.findData(value or "")
                    if i < 0 and value:
                        w.addItem(str(value), value)
                        i = w.count() - 1
                    w.setCurrentIndex(max(i, 0))
                    w.setEnabled(self.editable)
            self._fill_presets(v)
            self.version_label.setText(TEXT["version"].format(v=v.get("version") or 1))
            self.var_model.set_rows(v["variables"], self.editable)
            self.var_view.resizeColumnsToContents()
            self.targets_model.load(v, self.editable)
            self.targets_view.resizeColumnsToContents()
            self._fit_table_height(self.targets_view)
            self._fit_table_height(self.var_view)
            for b in (self.add_var_btn, self.del_var_btn, self.template_btn):
                b.setEnabled(self.editable)
            self.objective.setEnabled(self.editable)
            self.check_formula()
            self._update_total()
            self._build_probar()
        finally:
            self._loading = False
        self._attach_chart()

    def _fit_table_height(self, view: QTableView) -> None:
        rows = max(view.model().rowCount(), 2)
        h = (view.horizontalHeader().sizeHint().height() + rows * view.verticalHeader().defaultSectionSize()
             + 2 * view.frameWidth() + view.horizontalScrollBar().sizeHint().height() + 2)
        view.setMinimumHeight(min(max(h, 80), 320))
        view.setMaximumHeight(max(min(h, 320), 80))

    def _shown(self, field: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return fmt_es(value, places=_places(value))
        if field == "verification_sources":
            return "\n".join(value)
        if field in ("history", "multi_year_targets"):
            return "\n".join(f"{r.get('anio', '')}: {r.get('valor', '')}" for r in value if isinstance(r, dict))
        return str(value)

    def _fill_objectives(self, v: dict) -> None:
        from .profile_ui import plabel, with_colon

        self.agency_caption.setText(with_colon(plabel(self.ctx, "dependencia", "Dependencia")))
        self.objective.clear()
        doc = ed.program_document(self.ctx.db, self.ctx.year, v["program_key"]) \
            if v["fiscal_year"] == self.ctx.year else None
        objs = []
        if doc is not None:
            from ..services.mir_view import mir_order

            objs = mir_order(doc)
        for o in objs:
            self.objective.addItem(f"{level_label(self.ctx, o.level)} {o.key.split('-', 1)[-1]} — {o.text[:70]}",
                                   o.key)
        i = self.objective.findData(v["objective_key"])
        if i < 0:
            self.objective.addItem(f"{level_label(self.ctx, v['level'])} — {v['objective_text'][:70]}",
                                   v["objective_key"])
            i = self.objective.count() - 1
        self.objective.setCurrentIndex(i)

    def _fill_presets(self, v: dict) -> None:
        self.preset.clear()
        self.preset.addItem(TEXT["no_preset"], None)
        for key, name in ed.organization_values(self.ctx.db)["presets"]:
            self.preset.addItem(name, key)
        self.preset.setCurrentIndex(max(self.preset.findData(v.get("preset_key")), 0))
        self.preset.setEnabled(self.editable)

    def _attach_chart(self) -> None:
        if self._chart_holder is None or self.key is None:
            return
        if self.chart is None:
            try:
                from . import charts

                self.chart = charts.IndicatorChart(self.ctx, self.side)
                self.chart.setMinimumHeight(260)
                self._chart_holder.addWidget(self.chart, 3)
                sizes = self.splitter.sizes()
                if sum(sizes) and sizes[1] < 380 and QSettings().value("ventana/ficha_splitter") is None:
                    self.splitter.setSizes([max(sum(sizes) - 400, 560), 400])
            except Exception:  # noqa: BLE001 - the chart is optional; the ficha must work without it
                self._chart_holder = None
                return
        try:
            self.chart.set_indicator(self.key)
        except Exception:  # noqa: BLE001
            pass

    def _data_changed(self, entity: str, key: str) -> None:
        if self.key is None:
            return
        if entity == "indicator" and key == self.key or entity in ("*", "settings"):
            if not self._indicator_exists():
                self.key = None
            self.reload()
        elif entity == "program" and self.values.get("program_key") == key:
            if not self._indicator_exists():
                self.key = None
            self.reload()

    def _indicator_exists(self) -> bool:
        try:
            ed.indicator_values(self.ctx.db, self.key)
            return True
        except Exception:  # noqa: BLE001 - deleted (e.g. by an undo)
            return False

    # ---- saving -----------------------------------------------------------------------------
    def _commit_line(self, field: str, w: QLineEdit, problem) -> None:
        if problem and problem(w.text()):
            return  # invalid: the typed text stays on screen, nothing is saved
        self._commit(field, w.text())

    def _commit(self, field: str, value) -> bool:
        if self._loading or self.key is None or not self.editable:
            return False
        old = self.values.get(field if field != "objective_key" else "objective_key")
        if isinstance(value, str) and self._shown(field, old).strip() == value.strip():
            return False
        if not isinstance(value, str) and value == old:
            return False
        if field == "formula_type" and not value and not old:
            return False
        return commands.edit_indicator_field(self.ctx, self, self.key, field, value, expected=old)

    def set_target(self, var: str, period: str, text) -> bool:
        self.target_error.setText("")
        try:
            value = parse_es_number(text) if str(text).strip() else None
        except (NumberParseError, ValueError) as exc:
            self.target_error.setText(str(exc))
            return False
        reason = ""
        if ed.target_change_needs_reason(self.ctx.db, self.key) and \
                self.targets_model.targets.get(period, {}).get(var) is not None:
            reason, ok = QInputDialog.getMultiLineText(self, TEXT["reason_title"], TEXT["reason"])
            if not ok or not reason.strip():
                return False
        return commands.set_target(self.ctx, self, self.key, var, period, value, reason,
                                   expected=self.targets_model.targets.get(period, {}).get(var))

    def add_variable(self, symbol: str | None = None, role: str | None = None) -> str | None:
        if symbol is None:
            symbol, ok = QInputDialog.getText(self, TEXT["add_var"].replace("&", ""), TEXT["var_symbol"])
            if not ok or not symbol.strip():
                return None
        roles = [r["role"] for r in self.var_model.rows]
        role = role or ("numerador" if "numerador" not in roles else "denominador" if "denominador" not in roles
                        else "valor")
        ctx, key = self.ctx, self.key
        return commands.create_with_key(
            ctx, self, f"Agregar variable {symbol} a {key}",
            lambda _k: ed.add_variable(ctx.db, ctx.user, key, symbol.strip(), role=role),
            lambda k: ed.delete_variable(ctx.db, ctx.user, key, k), "indicator", key)

    def delete_variable(self, symbol: str | None = None, ask: bool = True) -> bool:
        if symbol is None:
            idx = self.var_view.currentIndex()
            if not idx.isValid():
                return False
            symbol = self.var_model.rows[idx.row()]["key"]
        n = sum(1 for p in self.targets_model.targets.values() if symbol in p)
        lost = f"{n} metas calendarizadas y los avances capturados de la variable" if n else \
            "los avances capturados de la variable, si los hay"
        if ask and not confirm(self, TEXT["del_var"], TEXT["del_var_q"].format(v=symbol, lost=lost), yes="Eliminar"):
            return False
        ctx, key = self.ctx, self.key
        return commands.delete_with_snapshot(
            ctx, self, f"Eliminar variable {symbol}", lambda: ed.delete_variable(ctx.db, ctx.user, key, symbol),
            lambda snap: ed.restore_variable(ctx.db, ctx.user, snap), "indicator", key)

    # ---- formula editor ---------------------------------------------------------------------
    def use_template(self) -> None:
        """Write the family's método de cálculo with the indicator's variables, creating the ones it lacks (A, B
        or V with their roles) so that the result is valid at once."""
        ftype = self.formula_type.currentData() or "porcentaje"
        roles = {r["role"]: r["key"] for r in reversed(self.var_model.rows)}
        first = self.var_model.rows[0]["key"] if self.var_model.rows else None
        pattern = TEMPLATES[ftype][0]
        needed = {"n": ("numerador", roles.get("numerador") or self._free_symbol("A")),
                  "d": ("denominador", roles.get("denominador") or self._free_symbol("B")),
                  "v": ("valor", roles.get("valor") or first or self._free_symbol("V"))}
        existing = {r["key"] for r in self.var_model.rows}
        for slot, (role, symbol) in needed.items():
            if "{" + slot + "}" in pattern and symbol not in existing:
                self.add_variable(symbol, role)
                existing.add(symbol)
        text = pattern.format(**{slot: symbol for slot, (_role, symbol) in needed.items()})
        self.formula.setText(text)
        self._commit("formula", text)
        self.check_formula()

    def _free_symbol(self, base: str) -> str:
        taken = {r["key"] for r in self.var_model.rows}
        sym, n = base, 2
        while sym in taken:
            sym, n = f"{base}{n}", n + 1
        return sym

    def check_formula(self) -> None:
        text = self.formula.text().strip()
        if not text:
            self.formula_check.setText("")
            self.probar_result.setText("")
            return
        try:
            f = parse_formula(text)
        except FormulaError as exc:
            self.formula_check.setStyleSheet(ERROR_STYLE)
            self.formula_check.setText(str(exc))
            self.probar_result.setText("")  # the old result no longer belongs to this text
            return
        defined = {r["key"] for r in self.var_model.rows}
        missing = [n for n in f.ordered_names if n not in defined]
        if missing:
            self.formula_check.setStyleSheet(ERROR_STYLE)
            self.formula_check.setText(TEXT["check_undefined"].format(v=missing[0]))
            return
        ftype = self.formula_type.currentData()
        if ftype in _SHAPES and f.shape() != _SHAPES[ftype]:
            self.formula_check.setStyleSheet("color: #8a5a00;")
            self.formula_check.setText(TEXT["check_shape"].format(tipo=label(ftype), expected=TEMPLATES[ftype][1]))
            return
        self.formula_check.setStyleSheet("color: #1e6b2f;")
        self.formula_check.setText(TEXT["check_ok"].format(names=", ".join(f.ordered_names) or "ninguna"))

    def _build_probar(self) -> None:
        while self.probar_grid.count():
            item = self.probar_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.probar_inputs = {}
        try:
            names = parse_formula(self.formula.text()).ordered_names if self.formula.text().strip() else ()
        except FormulaError:
            names = ()
        for i, n in enumerate(names):
            lab = QLabel(f"{n} =", self.probar_box)
            e = QLineEdit(self.probar_box)
            e.setPlaceholderText("0")
            e.setMaximumWidth(140)
            e.returnPressed.connect(self.probar)
            self.probar_grid.addWidget(lab, i // 3, (i % 3) * 2)
            self.probar_grid.addWidget(e, i // 3, (i % 3) * 2 + 1)
            self.probar_inputs[n] = e
        self.probar_result.setText("")

    def probar(self) -> str:
        try:
            f = parse_formula(self.formula.text())
        except FormulaError as exc:
            self.probar_result.setText(str(exc))
            return ""
        if set(self.probar_inputs) != set(f.ordered_names):
            self._build_probar()
        values = {}
        for n, e in self.probar_inputs.items():
            if e.text().strip():
                try:
                    values[n] = parse_es_number(e.text())
                except (NumberParseError, ValueError) as exc:
                    self.probar_result.setText(str(exc))
                    return ""
        ev = f.evaluate(values)
        text = TEXT["result"].format(value=fmt_es(round2(ev.value)) if ev.value is not None else ev.reason)
        self.probar_result.setText(text)
        return text

    def _update_total(self) -> None:
        m = self.targets_model
        computed = m.annual_indicator()
        recorded = self.values.get("annual_target")
        if computed is None:
            self.total_label.setStyleSheet("")
            self.total_label.setText(TEXT["total_none"])
        elif recorded is not None and round2(computed) != round2(recorded):
            self.total_label.setStyleSheet("color: #8a5a00;")
            self.total_label.setText(TEXT["total_bad"].format(c=fmt_es(round2(computed)), r=fmt_es(round2(recorded))))
        else:
            self.total_label.setStyleSheet("color: #1e6b2f;")
            self.total_label.setText(TEXT["total_ok"].format(c=fmt_es(round2(computed))))

    # ---- help / navigation ------------------------------------------------------------------
    def show_help(self, field: str) -> None:
        html = help_texts.field_html(field)
        if html:
            self.help.setHtml(html)

    def focus_field(self, field: str | None, rule_id: str | None = None) -> bool:
        target = FINDING_FIELD.get(field or "", field) if field else None
        if target not in self.widgets and rule_id:
            target = FIELD_OF_RULE.get(rule_id)
        w = self.widgets.get(target or "")
        if w is None:
            return False
        self.scroll.ensureWidgetVisible(w, 20, 60)
        w.setFocus(Qt.FocusReason.OtherFocusReason)
        self.show_help(w.property("ficha_field") or target)
        return True


class _Signals(QObject):
    changed = Signal()
