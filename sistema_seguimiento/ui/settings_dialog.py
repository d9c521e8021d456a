"""Configuración: organization name and logo, fiscal year in use (and adding a new one), default semáforo preset,
the user recorded in the audit trail (changing user signs in again) and the «exigir contraseña» policy. Each
change is saved at once and can be undone with Ctrl+Z."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout)

from ..core.types import label
from ..services import editing as ed
from . import commands
from .context import AppContext

TEXT = {
    "title": "Configuración", "org": "Organización", "year_box": "Ejercicio fiscal", "user_box": "Usuario",
    "name": "&Nombre:", "inegi": "Clave &INEGI:", "admin": "&Administración:", "state": "&Entidad federativa:",
    "logo": "Logotipo:", "logo_pick": "&Cambiar logotipo…", "logo_clear": "&Quitar", "no_logo": "(sin logotipo)",
    "preset": "&Semáforo por omisión:", "year": "&Ejercicio en uso:", "add_year": "Agregar e&jercicio",
    "year_hint": "Al cambiar de ejercicio, la ventana vuelve a cargar el árbol y la validación.",
    "user": "Usuario actual:", "change_user": "Cambiar de &usuario…",
    "user_hint": "Cada cambio queda registrado en la bitácora con el nombre y rol del usuario.",
    "close": "Cerrar", "images": "Imágenes (*.png *.jpg *.jpeg *.svg)",
    "only_admin": "Solo un usuario Administrador puede cambiar los datos de la organización.",
    "sign_box": "Firmas del informe mensual", "sign_name": "Nombre", "sign_title": "Cargo",
    "sign_hint": "Aparecen en el bloque de firmas del «Informe mensual de avance».",
    "issuing_unit": "Unidad que emite:", "issuing_unit_ph": "p. ej. Unidad de Información, Planeación, Programación y Evaluación",
    "policy": "E&xigir contraseña a todos los usuarios",
    "policy_hint": ("Al entrar, un usuario sin contraseña no podrá trabajar: el administrador debe asignarle una "
                    "en Usuarios. Sin contraseña ahora: {names}."),
    "policy_all": "Al entrar, cada usuario escribe su contraseña. Todos los usuarios activos tienen una.",
    "policy_undo": "Configuración: exigir contraseña",
    "plan_name": "Nombre del &plan:", "plan_undo": "Configuración: nombre del plan",
    "plan_hint": "Así se llama el plan en los menús, el informe mensual, los libros de Excel y la ayuda.",
}


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(520)
        self.values = ed.organization_values(ctx.db)
        admin = ctx.user.role == "administrador" and not ctx.read_only
        lay = QVBoxLayout(self)
        box = QGroupBox(TEXT["org"], self)
        f = QFormLayout(box)
        self.name = QLineEdit(self.values.get("name") or "", box)
        self.inegi = QLineEdit(self.values.get("inegi_key") or "", box)
        self.administration = QLineEdit(self.values.get("administration") or "", box)
        self.administration.setPlaceholderText("2024-2027")
        self.state = QLineEdit(self.values.get("state_name") or "", box)
        f.addRow(TEXT["name"], self.name)
        f.addRow(TEXT["inegi"], self.inegi)
        f.addRow(TEXT["admin"], self.administration)
        f.addRow(TEXT["state"], self.state)
        for field, w in (("name", self.name), ("inegi_key", self.inegi), ("administration", self.administration),
                         ("state_name", self.state)):
            w.editingFinished.connect(lambda fld=field, wid=w: self._save(fld, wid.text()))
            w.setReadOnly(not admin)
        self.logo_label = QLabel(box)
        self.logo_label.setMinimumSize(96, 64)
        self.logo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pick = QPushButton(TEXT["logo_pick"], box)
        clear = QPushButton(TEXT["logo_clear"], box)
        pick.clicked.connect(self.pick_logo)
        clear.clicked.connect(lambda: self._save("logo", None))
        pick.setEnabled(admin)
        clear.setEnabled(admin)
        row = QHBoxLayout()
        row.addWidget(self.logo_label)
        row.addWidget(pick)
        row.addWidget(clear)
        row.addStretch(1)
        f.addRow(TEXT["logo"], row)
        self.preset = QComboBox(box)
        for key, name in self.values["presets"]:
            self.preset.addItem(name, key)
        self.preset.setCurrentIndex(max(self.preset.findData(self.values.get("preset_key")), 0))
        self.preset.activated.connect(lambda _i: self._save("preset_key", self.preset.currentData()))
        self.preset.setEnabled(admin)
        f.addRow(TEXT["preset"], self.preset)
        self._plan_row(f, box, admin)
        if not admin:
            note = QLabel(TEXT["only_admin"], box)
            note.setWordWrap(True)
            f.addRow("", note)
        lay.addWidget(box)
        from .profile_ui import ProfileBox, profile

        self.profile_box = ProfileBox(ctx, self, admin=admin)  # issue 16: «Perfil estatal»
        lay.addWidget(self.profile_box)
        box = QGroupBox(TEXT["sign_box"], self)
        f = QFormLayout(box)
        self.sign_form = f
        self.signatures: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        # the monthly report's three and every state profile's roles; only the chosen profile's are shown
        from ..services.profiles import signature_fields, signature_keys

        all_keys = list(ed.SIGNATURE_FIELDS) + sorted(signature_keys() - set(ed.SIGNATURE_FIELDS))
        for key in all_keys:
            role = signature_fields(profile(ctx)).get(key, key.removeprefix("firma_").capitalize())
            current = self.values.get("signatures", {}).get(key, {})
            name = QLineEdit(current.get("nombre", ""), box)
            name.setPlaceholderText(TEXT["sign_name"])
            title = QLineEdit(current.get("cargo", ""), box)
            title.setPlaceholderText(TEXT["sign_title"])
            row = QHBoxLayout()
            row.addWidget(name, 3)
            row.addWidget(title, 2)
            f.addRow(f"{role}:", row)
            for w in (name, title):
                w.setReadOnly(not admin)
                w.editingFinished.connect(lambda k=key: self._save_signature(k))
            self.signatures[key] = (name, title)
        self.show_signature_roles()
        ctx.dataChanged.connect(self._profile_changed)
        self.issuing_unit = QLineEdit(self.values.get("issuing_unit", ""), box)
        self.issuing_unit.setPlaceholderText(TEXT["issuing_unit_ph"])
        self.issuing_unit.setReadOnly(not admin)
        self.issuing_unit.editingFinished.connect(self._save_issuing_unit)
        f.addRow(TEXT["issuing_unit"], self.issuing_unit)
        hint = QLabel(TEXT["sign_hint"], box)
        hint.setWordWrap(True)
        f.addRow("", hint)
        lay.addWidget(box)
        box = QGroupBox(TEXT["year_box"], self)
        f = QFormLayout(box)
        self.year = QComboBox(box)
        for y in self.values["years"]:
            self.year.addItem(str(y), y)
        self.year.setCurrentIndex(max(self.year.findData(ctx.year), 0))
        self.year.activated.connect(lambda _i: self.change_year(self.year.currentData()))
        f.addRow(TEXT["year"], self.year)
        self.new_year = QSpinBox(box)
        self.new_year.setRange(1990, 2200)
        self.new_year.setValue(max(self.values["years"] or [ctx.year]) + 1)
        add = QPushButton(TEXT["add_year"], box)
        add.setEnabled(admin)
        add.clicked.connect(self.add_year)
        r = QHBoxLayout()
        r.addWidget(self.new_year)
        r.addWidget(add)
        r.addStretch(1)
        f.addRow("", r)
        hint = QLabel(TEXT["year_hint"], box)
        hint.setWordWrap(True)
        f.addRow("", hint)
        lay.addWidget(box)
        box = QGroupBox(TEXT["user_box"], self)
        f = QFormLayout(box)
        self.user_label = QLabel(self._user_text(), box)
        f.addRow(TEXT["user"], self.user_label)
        change = QPushButton(TEXT["change_user"], box)
        change.clicked.connect(self.change_user)
        f.addRow("", change)
        hint = QLabel(TEXT["user_hint"], box)
        hint.setWordWrap(True)
        f.addRow("", hint)
        self.policy = QCheckBox(TEXT["policy"], box)
        self.policy.setEnabled(admin)
        self.policy_hint = QLabel(box)
        self.policy_hint.setWordWrap(True)
        f.addRow("", self.policy)
        f.addRow("", self.policy_hint)
        self._show_policy()
        self.policy.toggled.connect(self.set_policy)
        ctx.dataChanged.connect(self._policy_changed)
        lay.addWidget(box)
        from .backup_actions import settings_box

        self.backup_box = settings_box(self)
        lay.addWidget(self.backup_box)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        bb.button(QDialogButtonBox.StandardButton.Close).setText(TEXT["close"])
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self._show_logo(self.values.get("logo"))

    def show_signature_roles(self) -> None:
        """Captions and rows of the chosen profile's signature roles (issue 16); the others are hidden."""
        from ..services.profiles import signature_fields
        from .profile_ui import profile

        fields = signature_fields(profile(self.ctx))
        for key in self.signatures:
            row = self._sign_row(key)
            if row is None:
                continue
            lab = self.sign_form.labelForField(row)
            if lab is not None and key in fields:
                lab.setText(f"{fields[key]}:")
            self.sign_form.setRowVisible(row, key in fields)

    def _profile_changed(self, entity: str, _key: str) -> None:
        if entity in ("*", "perfil"):
            self.show_signature_roles()

    def _sign_row(self, key: str):
        name, _title = self.signatures[key]
        for row in range(self.sign_form.rowCount()):
            item = self.sign_form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is not None and item.layout() is not None and item.layout().indexOf(name) >= 0:
                return item.layout()
        return None
    def _plan_row(self, form: QFormLayout, box: QGroupBox, admin: bool) -> None:
        """«Nombre del plan»: Plan Municipal de Desarrollo, Plan de Gobierno or Plan Estatal de Desarrollo
        (core.plan_name), saved at once with undo and an audit entry (services.plan_setting)."""
        from ..core import plan_name as pn
        from ..services import plan_setting

        self.plan_name = QComboBox(box)
        for key, name in pn.NAMES.items():
            self.plan_name.addItem(name, key)
        self.plan_name.setToolTip(TEXT["plan_hint"])
        self._show_plan_name()
        self.plan_name.activated.connect(lambda _i: self.set_plan_name(self.plan_name.currentData()))
        self.plan_name.setEnabled(admin)
        form.addRow(TEXT["plan_name"], self.plan_name)
        self._plan_setting = plan_setting

    def _show_plan_name(self) -> None:
        from ..services.plan_setting import plan_choice

        self.plan_name.setCurrentIndex(max(self.plan_name.findData(plan_choice(self.ctx.db)), 0))

    def set_plan_name(self, choice: str) -> bool:
        """Save the plan's name with undo (Ctrl+Z brings back the former choice, or the default when none)."""
        if choice == self._plan_setting.plan_choice(self.ctx.db):
            return False
        ok = self._apply(TEXT["plan_undo"], self._plan_setting.update_plan_name, self._plan_setting.FIELD, choice)
        self._show_plan_name()
        return ok

    def _show_policy(self) -> None:
        from ..services import users

        required = users.password_policy(self.ctx.db)
        self.policy.blockSignals(True)
        self.policy.setChecked(required)
        self.policy.blockSignals(False)
        missing = users.users_without_password(self.ctx.db)
        self.policy_hint.setText(TEXT["policy_hint"].format(names=", ".join(missing)) if missing
                                 else TEXT["policy_all"])

    def _policy_changed(self, entity: str, _key: str) -> None:
        if entity in ("settings", "*"):
            self._show_policy()
            self._show_plan_name()

    def set_policy(self, required: bool) -> bool:
        """Turn the «exigir contraseña» policy on or off (services.users.set_password_policy: administrador
        with a password; recorded in the bitácora), with undo. A refusal is explained and the box goes back."""
        from ..services import users

        ctx = self.ctx
        ok, _old = commands.apply_edit(
            ctx, self, TEXT["policy_undo"], lambda: users.set_password_policy(ctx.db, ctx.user, required),
            lambda old: (lambda: users.set_password_policy(ctx.db, ctx.user, old)), "settings", users.POLICY_KEY,
            watch=("organizacion", None, users.POLICY_KEY))
        self._show_policy()
        return ok

    def _user_text(self) -> str:
        u = self.ctx.user
        return f"{u.name} ({label(u.role)}{', ' + u.agency_key if u.agency_key else ''})"

    def _show_logo(self, data) -> None:
        if data:
            pm = QPixmap()
            pm.loadFromData(QByteArray(data))
            self.logo_label.setPixmap(pm.scaled(96, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo_label.setPixmap(QPixmap())
            self.logo_label.setText(TEXT["no_logo"])

    def _apply(self, text: str, update, field: str, value, expected=ed.NOT_SEEN) -> bool:
        """Save ``update(db, user, field, value)`` (which returns the old value) with undo. ``expected`` is what the
        dialog showed: a change by another official meanwhile asks keep mine / take theirs (issue 17)."""
        ctx = self.ctx

        def do(seen):
            return lambda: update(ctx.db, ctx.user, field, value, expected=seen)

        ok, result = commands.apply_edit(ctx, self, text, do(expected),
                                         lambda old: (lambda: update(ctx.db, ctx.user, field, old)), "settings", field,
                                         redo=do(ed.NOT_SEEN), keep_mine=lambda exc: do(exc.conflicts[0].theirs),
                                         watch=("organizacion", None, field))
        if result == commands.THEIRS_TAKEN:
            self._show_stored()
        return ok

    def _show_stored(self) -> None:
        """Show what is stored now (the other official's values) in the organization and signature fields."""
        stored = ed.organization_values(self.ctx.db)
        for field in ("name", "inegi_key", "administration", "state_name", "preset_key", "logo", "issuing_unit",
                      "signatures"):
            self.values[field] = stored.get(field)
        for field, w in (("name", self.name), ("inegi_key", self.inegi), ("administration", self.administration),
                         ("state_name", self.state), ("issuing_unit", self.issuing_unit)):
            w.setText(stored.get(field) or "")
        self.preset.setCurrentIndex(max(self.preset.findData(stored.get("preset_key")), 0))
        for key, (name, title) in self.signatures.items():
            current = stored["signatures"].get(key) or {}
            name.setText(current.get("nombre", ""))
            title.setText(current.get("cargo", ""))
        self._show_logo(stored.get("logo"))

    def _save(self, field: str, value) -> bool:
        current = self.values.get(field)
        if field != "logo" and (value or "") == (current or ""):
            return False
        ok = self._apply(f"Configuración: {ed.ORG_FIELDS[field].lower()}", ed.update_organization, field, value,
                         expected=current)
        if ok:
            self.values[field] = value
            if field == "logo":
                self._show_logo(value)
        return ok

    def _save_signature(self, key: str) -> bool:
        name, title = self.signatures[key]
        value = {"nombre": name.text().strip(), "cargo": title.text().strip()}
        current = self.values.get("signatures", {}).get(key) or {}
        if value == {"nombre": current.get("nombre", ""), "cargo": current.get("cargo", "")}:
            return False
        from ..services.profiles import signature_fields
        from .profile_ui import profile

        role = signature_fields(profile(self.ctx)).get(key) or ed.SIGNATURE_FIELDS.get(key, key)
        ok = self._apply(f"Configuración: firma «{role}»", ed.update_signature, key, value, expected=current)
        if ok:
            self.values.setdefault("signatures", {})[key] = value
        return ok

    def _save_issuing_unit(self) -> bool:
        value = self.issuing_unit.text().strip()
        if value == self.values.get("issuing_unit", ""):
            return False
        ok = self._apply("Configuración: unidad que emite el informe", ed.update_issuing_unit, ed.ISSUING_UNIT, value,
                         expected=self.values.get("issuing_unit", ""))
        if ok:
            self.values["issuing_unit"] = value
        return ok

    def pick_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, TEXT["logo_pick"].replace("&", ""), "", TEXT["images"])
        if path:
            with open(path, "rb") as fh:
                self._save("logo", fh.read())

    def add_year(self) -> None:
        y = self.new_year.value()
        ctx = self.ctx
        ok, created = commands.apply_edit(ctx, self, f"Agregar ejercicio {y}",
                                          lambda: ed.add_fiscal_year(ctx.db, ctx.user, y),
                                          lambda created: (lambda: created and ed.remove_fiscal_year(ctx.db, ctx.user, y)),
                                          "year", str(y))
        if ok and self.year.findData(y) < 0:
            self.year.addItem(str(y), y)

    def change_year(self, year: int) -> None:
        if year == self.ctx.year:
            return
        from .app import default_month

        self.ctx.year = year
        QSettings().setValue(f"ejercicio/{self.ctx.db.path}", year)
        self.ctx.set_month(default_month(self.ctx.db, year))
        self.ctx.undo_stack.clear()
        parent = self.parent()
        if parent is not None and hasattr(parent, "nav"):
            parent.nav.model.reload()
            parent.nav.tree.expand(parent.nav.model.index(0, 0))
        self.ctx.notify("*", "")

    def change_user(self) -> None:
        from .app import sign_in_interactive

        user = sign_in_interactive(self.ctx.db, self.ctx.user.name, self)
        if user is not None and user != self.ctx.user:
            self.ctx.user = user
            self.ctx.undo_stack.clear()
            self.user_label.setText(self._user_text())
            self.ctx.notify("*", "")
