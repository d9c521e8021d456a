"""The program's identity in the window: its icon, where its settings live (portable mode), and a hidden switch
for automated checks of the bundled program.

``SES_SALIR_TRAS_MS=N`` (undocumented for users): N milliseconds after the main window opened, the program quits
with exit code 0 if the window was shown, 4 if not, 5 if the home page never got ready within a minute
(an error message waiting for an answer). It also writes on stderr the wall-clock time when the window became
interactive (``SES_VENTANA_LISTA``) and when the home page was ready (``SES_INICIO_LISTO``), for bench/bundle.py. ``installer/build.sh`` uses it to open the bundled window
offscreen and close it.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtGui import QIcon

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
AUTO_QUIT_ENV = "SES_SALIR_TRAS_MS"
NOT_SHOWN_EXIT = 4
STUCK_EXIT = 5  # the home page never became ready (e.g. an error message waiting for the user)
STUCK_AFTER_MS = 60_000


def icon_files() -> list[Path]:
    base = resources.files("sistema_seguimiento.resources")
    return [Path(str(base / f"ses-{s}.png")) for s in ICON_SIZES]


def app_icon() -> QIcon:
    icon = QIcon()
    for path in icon_files():
        if path.is_file():
            icon.addFile(str(path))
    return icon


def apply_identity(app) -> None:
    from ..paths import settings_dir

    folder = settings_dir()
    if folder is not None:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    app.setWindowIcon(app_icon())


def _mark(name: str) -> None:
    """Wall-clock marks on stderr for bench/bundle.py (the bundled program cannot run the bench's own code)."""
    import sys
    import time

    if sys.stderr is not None:
        sys.stderr.write(f"{name} {time.time():.6f}\n")
        sys.stderr.flush()


def arm_auto_quit(app, window) -> None:
    value = os.environ.get(AUTO_QUIT_ENV, "").strip()
    if not value.isdigit():
        return

    from .worker import wait_all

    waited = [0]

    def finish() -> None:
        if not waited[0]:  # first run of the event loop after show(): the window is interactive
            _mark("SES_VENTANA_LISTA")
        if window is not None and not getattr(window, "home_ready", True):
            waited[0] += 50
            if waited[0] > STUCK_AFTER_MS:
                app.exit(STUCK_EXIT)
                return
            QTimer.singleShot(50, finish)  # let the home page finish its background work first
            return
        _mark("SES_INICIO_LISTO")
        shown = window is not None and window.isVisible()
        if window is not None:
            window.close()
        for _ in range(50):  # callbacks of finished tasks may start others: settle before quitting
            wait_all(30_000)
            app.processEvents()
            if QThreadPool.globalInstance().activeThreadCount() == 0:
                break
        app.exit(0 if shown else NOT_SHOWN_EXIT)

    app.aboutToQuit.connect(lambda: wait_all(30_000))
    QTimer.singleShot(int(value), finish)
