"""«Conectar a un servidor…» (issue 17): open a shared PostgreSQL database instead of a file.

The dialog asks for host, port, database, user and password. The last server is remembered (QSettings) without
its password: the password lives only in memory while the window is open (PostgreSQL's own ``.pgpass`` or
``PGPASSWORD`` are honoured by the driver when the field is left empty)."""
from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox,
                               QVBoxLayout)

from . import registry

TEXT = {
    "title": "Conectar a un servidor",
    "intro": ("Para trabajar varias personas a la vez sobre una base compartida en el servidor PostgreSQL de la "
              "oficina. Pida estos datos al administrador de SES."),
    "host": "&Servidor:", "port": "&Puerto:", "database": "&Base de datos:", "user": "&Usuario del servidor:",
    "password": "&Contraseña del servidor:", "remember": "&Recordar este servidor (nunca la contraseña)",
    "connect": "Conectar", "cancel": "Cancelar",
    "host_ph": "p. ej. planeacion-srv o 192.168.1.20", "missing": "Escriba el servidor, la base de datos y el usuario.",
    "action": "Conectar a un &servidor…",
    "action_tip": "Abrir una base compartida en el servidor PostgreSQL de la oficina",
}
SETTINGS_KEY = "servidor/ultimo"


def server_url(host: str, port: int, database: str, user: str, password: str = "") -> str:
    """The SQLAlchemy URL, with the password when given (kept in memory only)."""
    from sqlalchemy.engine import URL

    url = URL.create("postgresql+psycopg", username=user, password=password or None, host=host,
                     port=port, database=database)
    return url.render_as_string(hide_password=False)


class ServerDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        intro = QLabel(TEXT["intro"], self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.host = QLineEdit(self)
        self.host.setPlaceholderText(TEXT["host_ph"])
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("ses", self)
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for label, w in (("host", self.host), ("port", self.port), ("database", self.database),
                         ("user", self.user), ("password", self.password)):
            form.addRow(TEXT[label], w)
        lay.addLayout(form)
        self.remember = QCheckBox(TEXT["remember"], self)
        self.remember.setChecked(True)
        lay.addWidget(self.remember)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        bb.button(QDialogButtonBox.StandardButton.Ok).setText(TEXT["connect"])
        bb.button(QDialogButtonBox.StandardButton.Cancel).setText(TEXT["cancel"])
        bb.accepted.connect(self._accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self._load()

    def _load(self) -> None:
        last = QSettings().value(SETTINGS_KEY)
        if isinstance(last, dict):
            self.host.setText(str(last.get("host", "")))
            self.port.setValue(int(last.get("port", 5432)))
            self.database.setText(str(last.get("database", "ses")))
            self.user.setText(str(last.get("user", "")))
            self.password.setFocus()

    def _accept(self) -> None:
        if not (self.host.text().strip() and self.database.text().strip() and self.user.text().strip()):
            self.error.setText(TEXT["missing"])
            return
        settings = QSettings()
        if self.remember.isChecked():
            settings.setValue(SETTINGS_KEY, {"host": self.host.text().strip(), "port": self.port.value(),
                                             "database": self.database.text().strip(),
                                             "user": self.user.text().strip()})
        else:
            settings.remove(SETTINGS_KEY)
        self.accept()

    def url(self) -> str:
        return server_url(self.host.text().strip(), self.port.value(), self.database.text().strip(),
                          self.user.text().strip(), self.password.text())


def ask_server_url(parent=None) -> str | None:
    dlg = ServerDialog(parent)
    return dlg.url() if dlg.exec() == QDialog.DialogCode.Accepted else None


def _connect(ctx, window) -> None:
    from .app import switch_to

    url = ask_server_url(window)
    if url:
        switch_to(url, window)


registry.register_action(registry.ActionSpec("Archivo", TEXT["action"], _connect, order=25,
                                             tooltip=TEXT["action_tip"]))
