"""GUI tests: real widgets offscreen over a demo database in tmp_path; background tasks run for real and the
tests wait for them (ui.worker.wait_all); message boxes that would block are answered automatically."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from sistema_seguimiento.ui.worker import wait_all

    monkeypatch.setenv("SES_DATA_DIR", str(tmp_path / "datos"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    for _ in range(3):  # deliver late worker callbacks and timers before the next test starts
        wait_all(10_000)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        loop = QEventLoop()
        QTimer.singleShot(60, loop.quit)
        loop.exec()


@pytest.fixture
def ctx(qapp, tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.loading import load_demo
    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui.context import AppContext
    from sistema_seguimiento.ui.worker import wait_all

    qapp.setOrganizationName("SES-pruebas")
    db = Database.open(tmp_path / "demo.db", OpenOptions(create=True))
    load_demo(db)
    context = AppContext(db, CurrentUser("admin", "administrador"), 2026, "2026-10")
    yield context
    # drain background tasks and deliver their callbacks while the test's widgets still exist
    for _ in range(3):
        wait_all(10_000)
        qapp.processEvents()
    db.close()


@pytest.fixture
def no_dialogs(monkeypatch):
    """Answer every confirmation «yes» and swallow error boxes (recorded in the returned list)."""
    shown = []
    from sistema_seguimiento.ui import messages

    monkeypatch.setattr(messages, "confirm", lambda *a, **k: shown.append(("confirm", a[2] if len(a) > 2 else "")) or True)
    monkeypatch.setattr(messages, "show_error", lambda parent, exc, tb="", **k: shown.append(("error", str(exc))))
    for mod in ("mir_editor", "ficha", "main_window", "commands"):
        m = __import__(f"sistema_seguimiento.ui.{mod}", fromlist=["x"])
        if hasattr(m, "confirm"):
            monkeypatch.setattr(m, "confirm", messages.confirm)
    return shown
