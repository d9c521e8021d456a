"""Starting the window: QApplication in es_MX, the start dialog on the first run («Abrir demostración», «Crear
municipio nuevo», «Abrir archivo…»), the last file on later runs, sign-in, the read-only fallback when another
instance holds the file, and the global exception hook (logged, explained in Spanish)."""
from __future__ import annotations

import os
import sys
import traceback
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget, QWizard, QWizardPage)

TEXT = {
    "app": "SES — Sistema Estratégico de Seguimiento",
    "start_title": "Bienvenido a SES",
    "start_intro": ("SES le ayuda a diseñar la MIR de cada programa, documentar las fichas técnicas de sus "
                    "indicadores y dar seguimiento a sus metas. ¿Cómo desea empezar?"),
    "demo": "Abrir &demostración", "demo_tip": "Un municipio de ejemplo con dos programas completos para explorar",
    "new": "Crear &municipio nuevo", "new_tip": "Un archivo vacío para su organización (nombre, clave INEGI, ejercicio)",
    "open": "Abrir &archivo…", "open_tip": "Un archivo de SES que ya existe (.db)",
    "server": "Conectar a un &servidor…",
    "server_tip": "Una base compartida en el servidor PostgreSQL de la oficina, para trabajar varias personas a la vez",
    "quit": "Salir",
    "filter": "Bases de datos de SES (*.db *.sqlite);;Todos los archivos (*)",
    "open_title": "Abrir base de datos de SES", "save_title": "Guardar la base de datos nueva como",
    "wizard": "Crear municipio nuevo", "w1": "Datos de la organización",
    "w1_sub": "El nombre aparece en la barra de título y en los informes.",
    "w2": "Logotipo y archivo", "w2_sub": "El logotipo es opcional; el archivo guarda toda la información.",
    "name": "&Nombre:", "inegi": "Clave &INEGI:", "year": "&Ejercicio fiscal:", "logo": "&Logotipo:",
    "file": "&Archivo:", "browse": "Examinar…", "inegi_ph": "p. ej. 11020 (opcional)",
    "name_ph": "Municipio de …",
    "images": "Imágenes (*.png *.jpg *.jpeg *.svg)",
    "signin": "Entrar a SES", "signin_intro": "Elija su usuario. Sus cambios quedan registrados a su nombre.",
    "user": "&Usuario:", "password": "&Contraseña:", "enter": "Entrar", "cancel": "Cancelar",
    "ro_title": "Abierta en solo lectura",
    "ro": ("La base de datos «{path}» está abierta en otra ventana de SES ({owner}).\n\nSe abrió en modo de SOLO "
           "LECTURA: puede consultar todo, pero no guardar cambios. Para editar, cierre la otra ventana y vuelva a "
           "abrir el archivo."),
    "creating_demo": "Preparando la demostración…",
    "open_failed": "No se pudo abrir el archivo",
    "no_users": "La base de datos no tiene usuarios activos.",
    "own_pw_title": "Asignar su contraseña",
    "own_pw": ("La organización exige contraseña y «{name}» no tiene una. Como administrador, elija su contraseña "
               "ahora (al menos 4 caracteres):"),
    "own_pw_again": "Escriba la misma contraseña otra vez:",
    "own_pw_mismatch": "Las dos contraseñas no coinciden; no se guardó nada.",
}


# ---- application setup ---------------------------------------------------------------------------

def setup_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("SES")
    app.setOrganizationDomain("ses.local")
    app.setApplicationName("SES")
    app.setApplicationDisplayName("SES")
    from .identity import apply_identity

    apply_identity(app)  # window icon; settings in datos/ in portable mode
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico))
    from .translations import install_qt_spanish

    install_qt_spanish(app)  # Qt's own file dialogs and buttons in Mexican Spanish
    install_exception_hook()
    from .screen_fit import install as fit_dialogs_to_screen

    fit_dialogs_to_screen(app)  # no dialog larger than the screen (150 % scaling, laptops)
    return app


def install_exception_hook() -> None:
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        from .messages import show_error

        exc.__traceback__ = tb
        try:
            show_error(QApplication.activeWindow(), exc, "".join(traceback.format_exception(exc_type, exc, tb)),
                       action="completar la operación", committed=None)  # cannot tell what was written
        except Exception:  # noqa: BLE001 - never recurse
            sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = hook


# ---- start dialog --------------------------------------------------------------------------------

class StartDialog(QDialog):
    """First run: three ways to start. ``choice`` is 'demo' | 'new' | 'open' after exec()."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["start_title"])
        self.setMinimumWidth(480)
        self.choice: str | None = None
        lay = QVBoxLayout(self)
        title = QLabel(TEXT["app"], self)
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        title.setFont(f)
        title.setWordWrap(True)
        lay.addWidget(title)
        intro = QLabel(TEXT["start_intro"], self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.buttons = {}
        self.descriptions: list[QLabel] = []
        for key in ("demo", "new", "open", "server"):
            b = QPushButton(TEXT[key], self)
            b.setToolTip(TEXT[key + "_tip"])
            b.setMinimumHeight(40)
            b.clicked.connect(lambda _c=False, k=key: self._choose(k))
            sub = QLabel(TEXT[key + "_tip"], self)
            sub.setWordWrap(True)
            from .contrast import secondary_text_color

            sub.setStyleSheet(f"color: {secondary_text_color(self.palette())};")  # ≥ 4.5:1 (WCAG AA)
            self.descriptions.append(sub)
            lay.addWidget(b)
            lay.addWidget(sub)
            self.buttons[key] = b
        row = QHBoxLayout()
        row.addStretch(1)
        quit_btn = QPushButton(TEXT["quit"], self)
        quit_btn.clicked.connect(self.reject)
        row.addWidget(quit_btn)
        lay.addLayout(row)
        self.buttons["demo"].setDefault(True)

    def _choose(self, key: str) -> None:
        self.choice = key
        self.accept()


class NewOrganizationWizard(QWizard):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["wizard"])
        self.setMinimumSize(520, 360)
        self.setButtonText(QWizard.WizardButton.NextButton, "Siguiente >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Atrás")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Crear")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Cancelar")
        p1 = QWizardPage(self)
        p1.setTitle(TEXT["w1"])
        p1.setSubTitle(TEXT["w1_sub"])
        f1 = QFormLayout(p1)
        self.name = QLineEdit(p1)
        self.name.setPlaceholderText(TEXT["name_ph"])
        self.inegi = QLineEdit(p1)
        self.inegi.setPlaceholderText(TEXT["inegi_ph"])
        self.inegi.setMaxLength(5)
        from PySide6.QtGui import QRegularExpressionValidator
        from PySide6.QtCore import QRegularExpression

        self.inegi.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,5}"), self.inegi))
        self.year = QSpinBox(p1)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        f1.addRow(TEXT["name"], self.name)
        f1.addRow(TEXT["inegi"], self.inegi)
        f1.addRow(TEXT["year"], self.year)
        p1.registerField("name*", self.name)
        self.addPage(p1)
        p2 = QWizardPage(self)
        p2.setTitle(TEXT["w2"])
        p2.setSubTitle(TEXT["w2_sub"])
        f2 = QFormLayout(p2)
        self.logo = QLineEdit(p2)
        b1 = QPushButton(TEXT["browse"], p2)
        b1.clicked.connect(self._browse_logo)
        r1 = QHBoxLayout()
        r1.addWidget(self.logo, 1)
        r1.addWidget(b1)
        f2.addRow(TEXT["logo"], r1)
        self.file = QLineEdit(p2)
        b2 = QPushButton(TEXT["browse"], p2)
        b2.clicked.connect(self._browse_file)
        r2 = QHBoxLayout()
        r2.addWidget(self.file, 1)
        r2.addWidget(b2)
        f2.addRow(TEXT["file"], r2)
        p2.registerField("file*", self.file)
        self.addPage(p2)
        self.currentIdChanged.connect(self._suggest_file)

    def _suggest_file(self, _i) -> None:
        if not self.file.text():
            from ..paths import data_dir

            safe = "".join(c if c.isalnum() else "-" for c in self.name.text().strip().lower()).strip("-") or "municipio"
            self.file.setText(str(data_dir() / f"{safe}.db"))

    def _browse_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, TEXT["logo"].replace("&", ""), "", TEXT["images"])
        if path:
            self.logo.setText(path)

    def _browse_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, TEXT["save_title"], self.file.text(), TEXT["filter"])
        if path:
            self.file.setText(path if path.endswith(".db") else path + ".db")

    def values(self) -> dict:
        return {"name": self.name.text().strip(), "inegi_key": self.inegi.text().strip() or None,
                "year": self.year.value(), "logo": self.logo.text().strip() or None, "file": self.file.text().strip()}


def create_organization(values: dict) -> Path:
    from ..db.database import Database, DatabaseError, OpenOptions
    from ..services.setup import initialize_empty

    path = Path(values["file"]).expanduser()
    if path.exists() and path.stat().st_size > 0:
        raise DatabaseError(f"Ya existe el archivo «{path}»; no se sobrescribe. Elija otro nombre.")
    logo = Path(values["logo"]).read_bytes() if values.get("logo") else None
    with Database.open(path, OpenOptions(create=True)) as db:
        initialize_empty(db, name=values["name"], year=values["year"], inegi_key=values.get("inegi_key"), logo=logo)
    return path


def demo_path() -> Path:
    from ..paths import data_dir

    return data_dir() / "demostracion.db"


def ensure_demo() -> Path:
    path = demo_path()
    if not (path.exists() and path.stat().st_size > 0):
        from ..db.database import Database, OpenOptions
        from ..services.loading import load_demo

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with Database.open(path, OpenOptions(create=True)) as db:
                load_demo(db)
        finally:
            QApplication.restoreOverrideCursor()
    return path


def run_start_dialog(parent: QWidget | None = None) -> Path | str | None:
    """Loop until a usable file is chosen or the user quits."""
    from .messages import show_error

    while True:
        dlg = StartDialog(parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        try:
            if dlg.choice == "demo":
                return ensure_demo()
            if dlg.choice == "new":
                wiz = NewOrganizationWizard(parent)
                if wiz.exec() == QDialog.DialogCode.Accepted:
                    return create_organization(wiz.values())
            if dlg.choice == "open":
                path, _ = QFileDialog.getOpenFileName(parent, TEXT["open_title"], "", TEXT["filter"])
                if path:
                    return Path(path)
            if dlg.choice == "server":
                from .server_dialog import ask_server_url

                url = ask_server_url(parent)
                if url:
                    return url
        except Exception as exc:  # noqa: BLE001 - explained; back to the start dialog
            show_error(parent, exc, action="preparar el archivo")


# ---- sign-in -------------------------------------------------------------------------------------

class SignInDialog(QDialog):
    def __init__(self, users: list[dict], parent=None, preselect: str | None = None,
                 password_required: bool = False):
        super().__init__(parent)
        self.password_required = password_required  # the organization requires passwords: always ask
        from ..core.types import label

        self.setWindowTitle(TEXT["signin"])
        self.setMinimumWidth(420)
        self.users = users
        lay = QVBoxLayout(self)
        intro = QLabel(TEXT["signin_intro"], self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.combo = QComboBox(self)
        for u in users:
            extra = f" — {u['agency_key']}" if u["agency_key"] else ""
            self.combo.addItem(f"{u['name']} ({label(u['role'])}{extra})", u["name"])
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.pw_label = QLabel(TEXT["password"], self)
        self.pw_label.setBuddy(self.password)
        form.addRow(TEXT["user"], self.combo)
        form.addRow(self.pw_label, self.password)
        lay.addLayout(form)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        bb.button(QDialogButtonBox.StandardButton.Ok).setText(TEXT["enter"])
        bb.button(QDialogButtonBox.StandardButton.Cancel).setText(TEXT["cancel"])
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.combo.currentIndexChanged.connect(self._update)
        if preselect:
            self.combo.setCurrentIndex(max(self.combo.findData(preselect), 0))
        self._update()

    def _update(self, *_):
        u = self.users[self.combo.currentIndex()] if self.users else None
        need = bool(u and (u["has_password"] or self.password_required))
        self.password.setVisible(need)
        self.pw_label.setVisible(need)
        self.password.clear()

    def selected(self) -> tuple[str, str | None]:
        return self.combo.currentData(), (self.password.text() if self.password.isVisible() else None)


def sign_in_interactive(db, preselect: str | None = None, parent=None):
    from ..services import editing as ed
    from ..services.errors import ServiceError
    from ..services.users import sign_in

    from ..services.users import PasswordMissing, password_policy

    users = ed.list_users(db)
    if not users:
        raise ServiceError(TEXT["no_users"])
    dlg = SignInDialog(users, parent, preselect, password_required=password_policy(db))
    while dlg.exec() == QDialog.DialogCode.Accepted:
        name, pw = dlg.selected()
        try:
            with db.reading() as s:
                return sign_in(s, name, pw or None)
        except PasswordMissing as exc:
            if exc.may_set_own and not db.read_only:
                try:
                    user = set_own_password(db, name, dlg)
                except ServiceError as again:
                    dlg.error.setText(str(again))
                    continue
                if user is not None:
                    return user
            dlg.error.setText(str(exc))
        except ServiceError as exc:
            dlg.error.setText(str(exc))
    return None


def set_own_password(db, name: str, parent=None):
    """An administrador without a password when the organization requires one: they choose it now (twice),
    it is saved (and recorded in the bitácora) and they are signed in with it. None when cancelled."""
    from PySide6.QtWidgets import QInputDialog

    from ..services.errors import ServiceError
    from ..services.users import set_password, sign_in_db

    first, ok = QInputDialog.getText(parent, TEXT["own_pw_title"], TEXT["own_pw"].format(name=name),
                                     QLineEdit.EchoMode.Password)
    if not ok:
        return None
    second, ok = QInputDialog.getText(parent, TEXT["own_pw_title"], TEXT["own_pw_again"],
                                      QLineEdit.EchoMode.Password)
    if not ok:
        return None
    if first != second:
        raise ServiceError(TEXT["own_pw_mismatch"])
    current = sign_in_db(db, name, None, setting_own_password=True)
    set_password(db, current, name, first)
    return sign_in_db(db, name, first)


def resolve_user(db, name: str | None, parent=None):
    """--usuario / SES_USUARIO signs in directly (asking only a password when that user has one)."""
    from ..services.errors import PermissionDenied, ServiceError
    from ..services.users import sign_in

    if name:
        try:
            with db.reading() as s:
                return sign_in(s, name)
        except PermissionDenied:
            return sign_in_interactive(db, name, parent)
        except ServiceError:
            raise
    return sign_in_interactive(db, None, parent)


# ---- opening a file ------------------------------------------------------------------------------

_STATE: dict = {"window": None, "ctx": None}


def default_month(db, year: int) -> str:
    from ..services import editing as ed

    cutoff = ed.window_info(db)["cutoffs"].get(year)
    if cutoff:
        return cutoff[:7]
    today = date.today()
    if year < today.year:
        return f"{year}-12"
    if year > today.year:
        return f"{year}-01"
    return f"{year}-{today.month:02d}"


def open_session(path: str | os.PathLike, user_name: str | None = None, parent=None, *, ask_user: bool = True,
                 preselect: str | None = None):
    """Open a database and show the main window; returns the window or None (errors were shown)."""
    from ..db.database import Database, FileLock, OpenOptions
    from ..services import editing as ed
    from .context import AppContext
    from .messages import show_error

    server = "://" in str(path)  # a server URL (issue 17) or a file
    path = str(path) if server else Path(path)
    try:
        db = Database.open(path, OpenOptions(allow_read_only_fallback=True))
    except Exception as exc:  # noqa: BLE001
        show_error(parent, exc, action="abrir el archivo")
        return None
    try:
        if db.read_only:
            box = QMessageBox(QMessageBox.Icon.Information, TEXT["ro_title"],
                              TEXT["ro"].format(path=path, owner=FileLock(path.resolve()).owner()),
                              QMessageBox.StandardButton.Ok, parent)
            box.exec()
        if user_name or ask_user:
            user = resolve_user(db, user_name, parent) if user_name else sign_in_interactive(db, preselect, parent)
        else:
            from ..services.users import SYSTEM

            user = SYSTEM
        if user is None:
            db.close()
            return None
        info = ed.window_info(db)
        if not info["years"]:
            from ..services.errors import ServiceError

            raise ServiceError("La base de datos no tiene ningún ejercicio fiscal.")
        settings = QSettings()
        place = _display_target(path) if server else str(path.resolve())
        year = int(settings.value(f"ejercicio/{place}", info["years"][-1]))
        if year not in info["years"]:
            year = info["years"][-1]
        ctx = AppContext(db, user, year, default_month(db, year))
        from .main_window import MainWindow

        window = MainWindow(ctx)
        ctx.setParent(window)
        window.destroyed.connect(lambda *_: db.close())
        from .live_refresh import attach

        window.change_watcher = attach(ctx, window)  # other officials' changes (server, read-only copy)
        if not server:  # a server is remembered by its dialog, never with its password
            settings.setValue("archivo/ultimo", str(path.resolve()))
        _STATE.update(window=window, ctx=ctx)
        window.show()
        return window
    except Exception as exc:  # noqa: BLE001
        db.close()
        show_error(parent, exc, action="abrir el archivo")
        return None


def _display_target(target) -> str:
    from ..services.server import display

    return display(target)


def _close_current() -> bool:
    w = _STATE.get("window")
    if w is not None:
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        w.close()
        ctx = _STATE.get("ctx")
        if ctx is not None:
            ctx.db.close()
        _STATE.update(window=None, ctx=None)
    return True


def switch_to(path: Path | str, parent=None) -> None:
    """Close the open file and open another one (signing in again: users belong to each file)."""
    app = QApplication.instance()
    app.setQuitOnLastWindowClosed(False)
    previous = _STATE["ctx"].user.name if _STATE.get("ctx") is not None else None
    try:
        _close_current()
        if open_session(path, None, None, preselect=previous) is None:
            run_app_loop_fallback()
    finally:
        app.setQuitOnLastWindowClosed(True)


def choose_and_switch(parent) -> None:
    path, _ = QFileDialog.getOpenFileName(parent, TEXT["open_title"], "", TEXT["filter"])
    if path:
        switch_to(Path(path), parent)


def new_and_switch(parent) -> None:
    from .messages import show_error

    wiz = NewOrganizationWizard(parent)
    if wiz.exec() != QDialog.DialogCode.Accepted:
        return
    try:
        path = create_organization(wiz.values())
    except Exception as exc:  # noqa: BLE001
        show_error(parent, exc, action="crear el archivo")
        return
    switch_to(path, parent)


def run_app_loop_fallback() -> None:
    path = run_start_dialog()
    if path is None:
        QApplication.quit()
        return
    if open_session(path) is None:
        run_app_loop_fallback()


def initial_path(path: str | None) -> Path | None:
    if path:
        return Path(path)
    env = os.environ.get("SES_DB")
    if env and Path(env).exists():
        return Path(env)
    last = QSettings().value("archivo/ultimo")
    if last and Path(str(last)).exists():
        return Path(str(last))
    from ..paths import default_db_path

    default = default_db_path()
    if default.exists() and default.stat().st_size > 0:
        return default
    return None


def run_app(path: str | None = None, user: str | None = None) -> int:
    """Entry point of ``ses`` / ``ses abrir [FILE] [--usuario NAME]``."""
    app = setup_application()
    package = None
    if path and str(path).lower().endswith(".ses"):  # a capture package (issue 13): open it in the window
        from .package_actions import launch_target

        path, package = launch_target(path)
    target = initial_path(path)
    window = None
    while window is None:
        if target is None:
            target = run_start_dialog()
            if target is None:
                return 0
        window = open_session(target, user)
        if window is None:
            target = None
            user = None
    if package is not None:
        from .package_actions import open_package_action

        QTimer.singleShot(0, lambda: open_package_action(window.ctx, window, str(package)))
    from .identity import arm_auto_quit

    arm_auto_quit(app, window)  # SES_SALIR_TRAS_MS: checks of the bundled program
    return app.exec()
