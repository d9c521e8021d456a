"""Forms of dependencias and programas: a creation dialog whose «Aceptar» is enabled only while the data is
valid (with the reason shown as you type), and an edit form that saves each field when you leave it."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from ..core.numbers import NumberParseError, fmt_es, parse_es_number
from ..services import editing as ed
from . import commands
from .context import AppContext

TEXT = {
    "new_agency": "Nueva dependencia", "new_program": "Nuevo programa",
    "key": "&Clave:", "acronym": "&Siglas:", "name": "&Nombre:", "head": "&Titular:",
    "evidence": "Exige &evidencia en los avances",
    "modality": "&Modalidad:", "agency": "&Dependencia:", "responsible": "&Responsable:",
    "problem": "Problema que atiende:", "population": "Población objetivo:",
    "plan": "&Alineación al Plan:", "no_plan": "(sin alinear)",
    "budget": "Presupuesto &aprobado:", "budget_mod": "Presupuesto modificado:", "budget_exe": "Presupuesto ejercido:",
    "ok": "Aceptar", "cancel": "Cancelar",
    "err_key": "La clave es obligatoria: letras, números, guion o punto, sin espacios.",
    "err_key_dup": "Ya existe esa clave.",
    "err_name": "El nombre es obligatorio.",
    "err_number": "Escriba un importe como 1,250,000.50 (punto decimal).",
    "warn_key": "Aviso: la clave no sigue el formato letra + 3 dígitos (p. ej. E001); se acepta.",
    "agency_title": "Dependencia {key}", "program_title": "Programa {key}",
    "programs_of": "Programas de la dependencia: {list}",
    "open_mir": "Abrir la &MIR", "readonly": "Solo lectura: su usuario no puede editar este programa.",
    "alignment": "Alineación", "general": "Datos generales", "budget_group": "Presupuesto",
    "modalities": [("E", "E — Prestación de servicios públicos"), ("B", "B — Provisión de bienes públicos"),
                   ("P", "P — Planeación, seguimiento y evaluación"), ("F", "F — Promoción y fomento"),
                   ("G", "G — Regulación y supervisión"), ("S", "S — Sujetos a Reglas de Operación"),
                   ("U", "U — Otros subsidios"), ("R", "R — Específicos"), ("K", "K — Proyectos de inversión"),
                   ("M", "M — Apoyo al proceso presupuestario"), ("O", "O — Apoyo a la función pública"),
                   ("W", "W — Operaciones ajenas")],
}
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
ERROR_STYLE = "color: #b3261e;"


def decimal_or_error(text: str):
    if not text.strip():
        return None, None
    try:
        return parse_es_number(text), None
    except (NumberParseError, ValueError) as exc:
        return None, str(exc)


def agency_text(ctx: AppContext) -> str:
    """«&Dependencia:», or the state profile's word (Edomex: «&Dependencia General:»), issue 16."""
    from .profile_ui import plabel

    return TEXT["agency"].replace("Dependencia", plabel(ctx, "dependencia", "Dependencia"), 1)


def plan_choices(ctx: AppContext) -> list[tuple[int | None, str]]:
    rows = ed.plan_tree(ctx.db)
    by_id = {r["id"]: r for r in rows}

    def path(r):
        parts = []
        while r is not None:
            parts.append(f"{r['code']} {r['text']}".strip())
            r = by_id.get(r["parent_id"])
        return " › ".join(reversed(parts))

    return [(None, TEXT["no_plan"])] + [(r["id"], path(r)) for r in rows]


class _ValidatingDialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = QLabel("", self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(TEXT["ok"])
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(TEXT["cancel"])
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def set_problem(self, text: str | None, warning: str | None = None) -> None:
        self.error.setText(text or warning or "")
        self.error.setStyleSheet(ERROR_STYLE if text else "color: #8a5a00;")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not text)


class NewAgencyDialog(_ValidatingDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(TEXT["new_agency"], parent)
        self.existing = {k for k, _a, _n in ed.agencies(ctx.db)}
        self.key, self.acronym, self.name, self.head = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.key.setPlaceholderText("0301")
        self.name.setPlaceholderText("Dirección de Servicios Públicos Municipales")
        for label, w in ((TEXT["key"], self.key), (TEXT["acronym"], self.acronym), (TEXT["name"], self.name),
                         (TEXT["head"], self.head)):
            self.form.addRow(label, w)
            w.textChanged.connect(self.check)
        self.check()

    def check(self) -> None:
        k = self.key.text().strip()
        if not _KEY.match(k):
            self.set_problem(TEXT["err_key"])
        elif k in self.existing:
            self.set_problem(TEXT["err_key_dup"])
        elif not self.name.text().strip():
            self.set_problem(TEXT["err_name"])
        else:
            self.set_problem(None)

    def values(self) -> dict:
        return {"key": self.key.text().strip(), "acronym": self.acronym.text().strip(),
                "name": self.name.text().strip(), "head": self.head.text().strip()}


class NewProgramDialog(_ValidatingDialog):
    def __init__(self, ctx: AppContext, agency_key: str | None = None, parent=None):
        super().__init__(TEXT["new_program"], parent)
        self.ctx = ctx
        self.existing = {r["key"] for r in ed.program_overview(ctx.db, ctx.year)}
        self.key, self.name, self.responsible, self.budget = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.key.setPlaceholderText("E001")
        self.name.setPlaceholderText("Alumbrado público")
        self.budget.setPlaceholderText("1,250,000.00")
        self.modality = QComboBox()
        for code, text in TEXT["modalities"]:
            self.modality.addItem(text, code)
        self.agency = QComboBox()
        for key, acr, name in ed.agencies(ctx.db):
            if ctx.user.role == "capturista" and key != ctx.user.agency_key:
                continue
            self.agency.addItem(f"{key} {acr or name}", key)
        if agency_key is not None:
            i = self.agency.findData(agency_key)
            if i >= 0:
                self.agency.setCurrentIndex(i)
        self.plan = QComboBox()
        for pid, text in plan_choices(ctx):
            self.plan.addItem(text, pid)
        for label, w in ((TEXT["key"], self.key), (TEXT["modality"], self.modality), (TEXT["name"], self.name),
                         (agency_text(ctx), self.agency), (TEXT["responsible"], self.responsible),
                         (TEXT["plan"], self.plan), (TEXT["budget"], self.budget)):
            self.form.addRow(label, w)
        for w in (self.key, self.name, self.budget):
            w.textChanged.connect(self.check)
        self.key.textChanged.connect(self._modality_from_key)
        self.check()

    def _modality_from_key(self, text: str) -> None:
        i = self.modality.findData(text[:1].upper())
        if i >= 0:
            self.modality.setCurrentIndex(i)

    def check(self) -> None:
        k = self.key.text().strip()
        _v, num_err = decimal_or_error(self.budget.text())
        if not _KEY.match(k):
            self.set_problem(TEXT["err_key"])
        elif k in self.existing:
            self.set_problem(TEXT["err_key_dup"])
        elif not self.name.text().strip():
            self.set_problem(TEXT["err_name"])
        elif self.agency.count() == 0:
            self.set_problem(ed.MSG["no_agency"].format(key=""))
        elif num_err:
            self.set_problem(TEXT["err_number"])
        else:
            self.set_problem(None, None if re.fullmatch(r"[A-Z]\d{3}", k) else TEXT["warn_key"])

    def values(self) -> dict:
        return {"key": self.key.text().strip(), "name": self.name.text().strip(),
                "modality": self.modality.currentData(), "agency_key": self.agency.currentData(),
                "responsible": self.responsible.text().strip(), "plan_element_id": self.plan.currentData(),
                "budget_approved": self.budget.text().strip() or None}


# ---- creation / deletion (undoable) ----------------------------------------------------------------

def new_agency(ctx: AppContext, parent=None) -> str | None:
    dlg = NewAgencyDialog(ctx, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    v = dlg.values()
    return commands.create_with_key(
        ctx, parent, f"Crear dependencia {v['key']}",
        lambda _k: ed.create_agency(ctx.db, ctx.user, **v),
        lambda k: ed.delete_agency(ctx.db, ctx.user, k), "agency", v["key"])


def new_program(ctx: AppContext, agency_key: str | None = None, parent=None) -> str | None:
    dlg = NewProgramDialog(ctx, agency_key, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    v = dlg.values()
    return create_program(ctx, v, parent)


def create_program(ctx: AppContext, v: dict, parent=None) -> str | None:
    return commands.create_with_key(
        ctx, parent, f"Crear programa {v['key']}",
        lambda _k: ed.create_program(ctx.db, ctx.user, ctx.year, **v),
        lambda k: ed.delete_program(ctx.db, ctx.user, ctx.year, k), "program", v["key"])


class _Saver:
    """Connects a widget so that leaving it saves the field (if it changed)."""

    def __init__(self, form: "EntityForm"):
        self.form = form


class EntityForm(QScrollArea):
    """Base of the agency and program forms: each field saves when edited; errors show beside it."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWidgetResizable(True)
        self.body = QWidget()
        self.setWidget(self.body)
        self.outer = QVBoxLayout(self.body)
        self.title = QLabel("", self.body)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.outer.addWidget(self.title)
        self.notice = QLabel("", self.body)
        self.notice.setStyleSheet(ERROR_STYLE)
        self.notice.setWordWrap(True)
        self.outer.addWidget(self.notice)
        self._values: dict = {}
        self._widgets: dict[str, QWidget] = {}
        self._loading = False

    def line(self, form: QFormLayout, field: str, label: str, validator=None) -> QLineEdit:
        w = QLineEdit(self.body)
        err = QLabel("", self.body)
        err.setStyleSheet(ERROR_STYLE)
        err.setVisible(False)
        box = QVBoxLayout()
        box.setSpacing(0)
        box.addWidget(w)
        box.addWidget(err)
        lab = QLabel(label, self.body)
        lab.setBuddy(w)
        form.addRow(lab, box)
        self._widgets[field] = w

        def check(text: str) -> None:
            problem = validator(text) if validator else None
            err.setText(problem or "")
            err.setVisible(bool(problem))
            w.setProperty("invalid", bool(problem))

        w.textChanged.connect(check)
        w.editingFinished.connect(lambda: self._commit(field, w.text(), validator))
        return w

    def text_box(self, form: QFormLayout, field: str, label: str) -> QPlainTextEdit:
        w = _CommitPlainText(self.body)
        w.setTabChangesFocus(True)
        w.setMinimumHeight(60)
        w.setMaximumHeight(90)
        lab = QLabel(label, self.body)
        lab.setBuddy(w)
        form.addRow(lab, w)
        self._widgets[field] = w
        w.committed.connect(lambda: self._commit(field, w.toPlainText(), None))
        return w

    def _commit(self, field: str, value, validator) -> None:
        if self._loading or self.ctx.read_only:
            return
        if validator and validator(value):
            return  # invalid: keep the text on screen, nothing saved
        old = self._values.get(field)
        shown_old = fmt_es(old) if field.startswith("budget_") and old is not None else (old or "")
        if str(value).strip() == str(shown_old).strip():
            return
        if self.save(field, value):
            self._values[field] = value if not field.startswith("budget_") else decimal_or_error(value)[0]

    def save(self, field: str, value) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


class _CommitPlainText(QPlainTextEdit):
    from PySide6.QtCore import Signal as _Signal

    committed = _Signal()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self.document().isModified():
            self.document().setModified(False)
            self.committed.emit()


def _key_problem(text: str) -> str | None:
    return None if _KEY.match(text.strip()) else TEXT["err_key"]


def _name_problem(text: str) -> str | None:
    return None if text.strip() else TEXT["err_name"]


def _number_problem(text: str) -> str | None:
    return TEXT["err_number"] if decimal_or_error(text)[1] else None


class AgencyForm(EntityForm):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.key_value = ""
        box = QGroupBox(TEXT["general"], self.body)
        form = QFormLayout(box)
        self.key = self.line(form, "key", TEXT["key"], _key_problem)
        self.acronym = self.line(form, "acronym", TEXT["acronym"])
        self.name = self.line(form, "name", TEXT["name"], _name_problem)
        self.head = self.line(form, "head", TEXT["head"])
        self.evidence = QCheckBox(TEXT["evidence"], box)
        form.addRow("", self.evidence)
        self.evidence.toggled.connect(lambda v: self._loading or self.save("requires_evidence", v))
        self.outer.addWidget(box)
        self.programs = QLabel("", self.body)
        self.programs.setWordWrap(True)
        self.outer.addWidget(self.programs)
        self.outer.addStretch(1)

    def load(self, key: str) -> None:
        self._loading = True
        try:
            v = ed.agency_values(self.ctx.db, key)
            self.key_value = key
            self._values = {k: v[k] for k in ("key", "acronym", "name", "head", "requires_evidence")}
            self.title.setText(TEXT["agency_title"].format(key=key) + f" — {v['name']}")
            for f in ("key", "acronym", "name", "head"):
                self._widgets[f].setText(v[f] or "")
            self.evidence.setChecked(bool(v["requires_evidence"]))
            self.programs.setText(TEXT["programs_of"].format(
                list=", ".join(f"{k} {n}" for k, n in v["programs"]) or "ninguno"))
            editable = not self.ctx.read_only and self.ctx.user.role in ("administrador", "validador")
            for w in list(self._widgets.values()) + [self.evidence]:
                w.setEnabled(editable)
        finally:
            self._loading = False

    def save(self, field: str, value) -> bool:
        key = self.key_value
        new_key = value.strip() if field == "key" else key

        def undo_factory(old):
            return lambda: ed.update_agency(self.ctx.db, self.ctx.user, new_key, field, old)

        def do(seen):
            return lambda: ed.update_agency(self.ctx.db, self.ctx.user, key, field, value, expected=seen)

        ok, result = commands.apply_edit(self.ctx, self, f"Editar dependencia {key}", do(self._values.get(field)),
                                         undo_factory, "agency", new_key, redo=do(ed.NOT_SEEN),
                                         keep_mine=lambda exc: do(exc.conflicts[0].theirs))
        if result == commands.THEIRS_TAKEN:  # another official's value: show it
            self.load(key)
        if ok and field == "key":
            self.key_value = new_key
        return ok


class ProgramForm(EntityForm):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.key_value = ""
        box = QGroupBox(TEXT["general"], self.body)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.key = self.line(form, "key", TEXT["key"], _key_problem)
        self.modality = QComboBox(box)
        for code, text in TEXT["modalities"]:
            self.modality.addItem(text, code)
        form.addRow(TEXT["modality"], self.modality)
        self.name = self.line(form, "name", TEXT["name"], _name_problem)
        self.agency = QComboBox(box)
        form.addRow(agency_text(ctx), self.agency)
        self.agency_form = form
        self.responsible = self.line(form, "responsible", TEXT["responsible"])
        self.problem = self.text_box(form, "problem", TEXT["problem"])
        self.population = self.text_box(form, "target_population", TEXT["population"])
        self.outer.addWidget(box)
        box2 = QGroupBox(TEXT["alignment"], self.body)
        form2 = QFormLayout(box2)
        self.plan = QComboBox(box2)
        self.plan.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan.setMinimumContentsLength(30)
        self.plan.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        form2.addRow(TEXT["plan"], self.plan)
        self.alignment_text = QLabel("", box2)
        self.alignment_text.setWordWrap(True)
        self.alignment_text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form2.addRow("", self.alignment_text)
        self.outer.addWidget(box2)
        box3 = QGroupBox(TEXT["budget_group"], self.body)
        form3 = QFormLayout(box3)
        self.budget = self.line(form3, "budget_approved", TEXT["budget"], _number_problem)
        self.budget_mod = self.line(form3, "budget_modified", TEXT["budget_mod"], _number_problem)
        self.budget_exe = self.line(form3, "budget_exercised", TEXT["budget_exe"], _number_problem)
        self.outer.addWidget(box3)
        row = QHBoxLayout()
        self.open_mir = QPushButton(TEXT["open_mir"], self.body)
        row.addWidget(self.open_mir)
        row.addStretch(1)
        self.outer.addLayout(row)
        self.outer.addStretch(1)
        self.open_mir.clicked.connect(lambda: self.ctx.navigate("mir", program=self.key_value))
        self.modality.activated.connect(lambda _i: self._combo("modality", self.modality.currentData()))
        self.agency.activated.connect(lambda _i: self._combo("agency_key", self.agency.currentData()))
        self.plan.activated.connect(lambda _i: self._combo("plan_element_id", self.plan.currentData()))

    def _combo(self, field: str, value) -> None:
        if self._loading or value == self._values.get(field):
            return
        if self.save(field, value):
            self._values[field] = value
        else:
            self.load(self.key_value)

    def load(self, key: str) -> None:
        self._loading = True
        try:
            v = ed.program_values(self.ctx.db, self.ctx.year, key)
            self.key_value = key
            self._values = dict(v)
            self.title.setText(TEXT["program_title"].format(key=key) + f" — {v['name']}")
            label_widget = self.agency_form.labelForField(self.agency)
            if label_widget is not None:  # the state profile may have changed since the form was built
                label_widget.setText(agency_text(self.ctx))
            for f in ("key", "name", "responsible"):
                self._widgets[f].setText(v[f] or "")
            for f in ("problem", "target_population"):
                self._widgets[f].setPlainText(v[f] or "")
                self._widgets[f].document().setModified(False)
            for f in ("budget_approved", "budget_modified", "budget_exercised"):
                self._widgets[f].setText("" if v[f] is None else fmt_es(v[f]))
            i = self.modality.findData(v["modality"])
            if i < 0 and v["modality"]:
                self.modality.addItem(v["modality"], v["modality"])
                i = self.modality.count() - 1
            self.modality.setCurrentIndex(max(i, 0))
            self.agency.clear()
            for akey, acr, name in ed.agencies(self.ctx.db):
                self.agency.addItem(f"{akey} {acr or name}", akey)
            self.agency.setCurrentIndex(max(self.agency.findData(v["agency_key"]), 0))
            self.plan.clear()
            for pid, text in plan_choices(self.ctx):
                self.plan.addItem(text, pid)
            self.plan.setCurrentIndex(max(self.plan.findData(v["plan_element_id"]), 0))
            at = v.get("alignment_text") or {}
            self.alignment_text.setText(" / ".join(str(x) for x in at.values() if x))
            editable = not self.ctx.read_only and ed.can_edit_program(self.ctx.user, v["agency_key"])
            self.notice.setText("" if editable else TEXT["readonly"])
            for w in list(self._widgets.values()) + [self.modality, self.agency, self.plan]:
                if isinstance(w, (QLineEdit, QPlainTextEdit)):
                    w.setReadOnly(not editable)
                else:
                    w.setEnabled(editable)
        finally:
            self._loading = False

    def save(self, field: str, value) -> bool:
        key = self.key_value
        new_key = value.strip() if field == "key" else key
        ctx = self.ctx

        def undo_factory(old):
            return lambda: ed.update_program(ctx.db, ctx.user, ctx.year, new_key, field, old)

        def do(seen):
            return lambda: ed.update_program(ctx.db, ctx.user, ctx.year, key, field, value, expected=seen)

        ok, result = commands.apply_edit(ctx, self, f"Editar {ed.PROGRAM_FIELDS.get(field, field).lower()} de {key}",
                                         do(self._values.get(field)), undo_factory, "program", new_key,
                                         redo=do(ed.NOT_SEEN), keep_mine=lambda exc: do(exc.conflicts[0].theirs))
        if result == commands.THEIRS_TAKEN:  # another official's value: show it
            self.load(key)
        if ok and field == "key":
            self.key_value = new_key
        if ok and field == "name":
            self.title.setText(TEXT["program_title"].format(key=key) + f" — {value}")
        return ok


__all__ = ["AgencyForm", "ProgramForm", "NewAgencyDialog", "NewProgramDialog", "new_agency", "new_program", "Qt"]
