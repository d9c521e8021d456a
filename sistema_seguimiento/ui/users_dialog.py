"""Usuarios (administrador): add users, set or clear passwords, change role and dependencia."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog,
                               QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from sqlalchemy import select

from ..core.types import Role, label
from ..db.models import Agency
from ..services import users
from ..services.errors import ServiceError
from .context import AppContext

TEXT = {
    "title": "Usuarios", "cols": ["Usuario", "Nombre", "Rol", "Dependencia", "Contraseña", "Activo"],
    "add": "Agregar…", "password": "Contraseña…", "clear": "Quitar contraseña", "edit": "Rol y dependencia…",
    "close": "Cerrar", "name": "Usuario:", "full": "Nombre completo:", "role": "Rol:", "agency": "Dependencia:",
    "pw": "Contraseña (opcional):", "pw_required": "Contraseña (la organización la exige):", "none": "(ninguna)", "yes": "Sí", "no": "No",
    "only_admin": "Solo un administrador puede administrar usuarios; usted puede cambiar su propia contraseña.",
    "new_pw": "Contraseña nueva para «{name}» (vacía: sin contraseña):",
}


class UserForm(QDialog):
    def __init__(self, agencies: list[str], parent=None, name: str = "", role: str = Role.CAPTURISTA.value,
                 agency: str | None = None, editing: bool = False, password_required: bool = False):
        super().__init__(parent)
        self.setWindowTitle(TEXT["title"])
        form = QFormLayout(self)
        self.name = QLineEdit(name, self)
        self.name.setReadOnly(editing)
        self.full = QLineEdit(self)
        self.role = QComboBox(self)
        for r in Role:
            self.role.addItem(label(r.value), r.value)
        self.role.setCurrentIndex(self.role.findData(role))
        self.agency = QComboBox(self)
        self.agency.addItem(TEXT["none"], None)
        for a in agencies:
            self.agency.addItem(a, a)
        self.agency.setCurrentIndex(max(0, self.agency.findData(agency)))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(TEXT["name"], self.name)
        if not editing:
            form.addRow(TEXT["full"], self.full)
        form.addRow(TEXT["role"], self.role)
        form.addRow(TEXT["agency"], self.agency)
        if not editing:
            form.addRow(TEXT["pw_required" if password_required else "pw"], self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Aceptar")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancelar")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class UsersDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(TEXT["title"])
        lay = QVBoxLayout(self)
        self.is_admin = ctx.user.role == Role.ADMINISTRADOR.value
        if not self.is_admin:
            lay.addWidget(QLabel(TEXT["only_admin"], self))
        self.table = QTableWidget(0, len(TEXT["cols"]), self)
        self.table.setHorizontalHeaderLabels(TEXT["cols"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(self.table, 1)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #a00000;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        row = QHBoxLayout()
        for key, slot, admin_only in (("add", self.add, True), ("edit", self.edit, True),
                                      ("password", self.change_password, False), ("clear", self.clear_password, False)):
            b = QPushButton(TEXT[key], self)
            b.clicked.connect(slot)
            b.setEnabled(self.is_admin or not admin_only)
            row.addWidget(b)
        row.addStretch(1)
        close = QPushButton(TEXT["close"], self)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        with ctx.db.reading() as s:
            self.agencies = [a for a in s.scalars(select(Agency.key).order_by(Agency.key))]
        self.refresh()
        self.resize(820, 420)

    def refresh(self) -> None:
        rows = users.list_users(self.ctx.db)
        self.table.setRowCount(len(rows))
        for r, u in enumerate(rows):
            for c, text in enumerate([u.name, u.full_name, label(u.role), u.agency_key or "—",
                                      TEXT["yes"] if u.has_password else TEXT["no"],
                                      TEXT["yes"] if u.active else TEXT["no"]]):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def selected(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return item.text() if item else None

    def _run(self, fn) -> bool:
        try:
            fn()
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("")
        self.refresh()
        return True

    def add(self) -> None:
        form = UserForm(self.agencies, self, password_required=users.password_policy(self.ctx.db))
        if form.exec():
            self._run(lambda: users.add_user(self.ctx.db, self.ctx.user, form.name.text(), form.role.currentData(),
                                             form.agency.currentData(), form.full.text(),
                                             form.password.text() or None))

    def edit(self) -> None:
        name = self.selected()
        if not name:
            return
        info = next(u for u in users.list_users(self.ctx.db) if u.name == name)
        form = UserForm(self.agencies, self, name, info.role, info.agency_key, editing=True)
        if form.exec():
            self._run(lambda: users.update_user(self.ctx.db, self.ctx.user, name, role=form.role.currentData(),
                                                agency_key=form.agency.currentData()))

    def change_password(self) -> None:
        name = self.selected() or self.ctx.user.name
        pw, ok = QInputDialog.getText(self, TEXT["title"], TEXT["new_pw"].format(name=name), QLineEdit.EchoMode.Password)
        if ok:
            self._run(lambda: users.set_password(self.ctx.db, self.ctx.user, name, pw or None))

    def clear_password(self) -> None:
        name = self.selected() or self.ctx.user.name
        self._run(lambda: users.set_password(self.ctx.db, self.ctx.user, name, None))
