"""Ayuda → «Acerca de SES»: versions as ``ses --version``, the data/log/backup folders and buttons that open them;
the window icon; SES_SALIR_TRAS_MS closing a shown window with exit code 0."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from sistema_seguimiento.db.database import SCHEMA_HEAD
from sistema_seguimiento.ui import registry

ROOT = Path(__file__).resolve().parents[2]


class UrlSink(QObject):
    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_about_is_in_the_help_menu_and_shows_versions_and_folders(qtbot, ctx, tmp_path):
    from sistema_seguimiento.ui.about import AboutDialog
    from sistema_seguimiento.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menus["Ayuda"].actions()]
    assert texts.count("&Acerca de SES") == 1
    dlg = AboutDialog(ctx.db.path, window)
    qtbot.addWidget(dlg)
    assert f"Revisión del esquema de la base de datos: {SCHEMA_HEAD}" in dlg.versions.text()
    assert "Qt 6." in dlg.versions.text() and "Python 3." in dlg.versions.text()
    assert dlg.folders["data"] == tmp_path / "datos"
    assert dlg.folders["logs"] == tmp_path / "datos" / "logs"
    assert dlg.folders["backups"] == tmp_path / "datos" / "respaldos"
    sink = UrlSink()
    QDesktopServices.setUrlHandler("file", sink, "handle")
    try:
        dlg.open_buttons["logs"].click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in sink.urls] == [tmp_path / "datos" / "logs"]


def test_application_has_the_ses_icon(qapp):
    from sistema_seguimiento.ui.identity import app_icon, icon_files

    assert all(p.is_file() for p in icon_files())
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}


def test_auto_quit_opens_shows_and_closes_the_window(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", SES_DATA_DIR=str(tmp_path / "d"),
               XDG_CONFIG_HOME=str(tmp_path / "c"), SES_SALIR_TRAS_MS="300")
    db = tmp_path / "demo.db"
    run = lambda *a: subprocess.run([sys.executable, "-m", "sistema_seguimiento", *map(str, a)],  # noqa: E731
                                    capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert run("demo", "--db", db).returncode == 0
    p = run("abrir", db, "--usuario", "admin")
    assert p.returncode == 0, p.stderr
