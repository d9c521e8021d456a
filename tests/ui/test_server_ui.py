"""«Conectar a un servidor…» (issue 17): the dialog remembers the server but never its password; the window opens a
PostgreSQL database (when SES_TEST_DATABASE_URL is set) and says which server in its title."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from sistema_seguimiento.ui.server_dialog import SETTINGS_KEY, ServerDialog, server_url
from sistema_seguimiento.ui.worker import wait_all


def test_dialog_builds_url_and_remembers_server_without_password(qtbot):
    d = ServerDialog()
    qtbot.addWidget(d)
    d._accept()
    assert "Escriba el servidor" in d.error.text() and not d.result()
    d.host.setText("planeacion-srv")
    d.port.setValue(5433)
    d.database.setText("ses_oficina")
    d.user.setText("ana")
    d.password.setText("clave con espacios/y@")
    d._accept()
    url = d.url()
    from sqlalchemy.engine import make_url

    u = make_url(url)
    assert (u.host, u.port, u.database, u.username, u.password) == ("planeacion-srv", 5433, "ses_oficina", "ana",
                                                                     "clave con espacios/y@")
    stored = QSettings().value(SETTINGS_KEY)
    assert stored == {"host": "planeacion-srv", "port": 5433, "database": "ses_oficina", "user": "ana"}
    assert "clave" not in repr(stored)
    d2 = ServerDialog()
    qtbot.addWidget(d2)
    assert d2.host.text() == "planeacion-srv" and d2.port.value() == 5433 and d2.password.text() == ""


def test_server_url_without_password():
    assert server_url("srv", 5432, "ses", "ana") == "postgresql+psycopg://ana@srv:5432/ses"


def test_window_on_a_server_postgresql(qtbot, tmp_path, monkeypatch):
    from tests.dbfixtures import PG_URL, _reset_postgres

    if not PG_URL:
        pytest.skip("sin SES_TEST_DATABASE_URL")
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services import server, users
    from sistema_seguimiento.services.loading import load_demo
    from sistema_seguimiento.ui import app as app_mod

    _reset_postgres(PG_URL)
    src = tmp_path / "oficina.db"
    with Database.open(src, OpenOptions(create=True)) as db:
        load_demo(db)
    server.copy_database(src, PG_URL)
    with Database.open(PG_URL) as db:
        users.set_password(db, users.SYSTEM, "admin", "clave-admin")
    asked = []

    def fake_sign_in(db, pre=None, parent=None):
        asked.append(pre)
        with db.reading() as s:
            return users.sign_in(s, "admin", "clave-admin")

    monkeypatch.setattr(app_mod, "sign_in_interactive", fake_sign_in)
    w = app_mod.open_session(PG_URL, "admin")
    qtbot.addWidget(w)
    assert asked == ["admin"]  # a password is needed: the sign-in dialog was shown
    assert "servidor 127.0.0.1/" in w.windowTitle() and w.ctx.year == 2026
    assert QSettings().value("archivo/ultimo") is None  # a server is never remembered as the last file
    w.close()
    wait_all(10_000)


def test_change_watcher_announces_other_officials_changes(qtbot, ctx):
    from datetime import date
    from decimal import Decimal

    from PySide6.QtWidgets import QLineEdit, QWidget

    from sistema_seguimiento.services.capture import ValueChange, save_values
    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui.live_refresh import ChangeWatcher, attach

    host = QWidget()
    qtbot.addWidget(host)
    assert attach(ctx, host) is None  # a file this window holds: nobody else can write to it
    seen = []
    ctx.dataChanged.connect(lambda e, k: seen.append((e, k)))
    watcher = ChangeWatcher(ctx, host, interval_ms=50)
    qtbot.waitUntil(lambda: watcher._last is not None, timeout=5000)
    other = CurrentUser("validador", "validador")
    save_values(ctx.db, other, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("23"))],
                today=date(2026, 11, 15))
    qtbot.waitUntil(lambda: ("remoto", "") in seen, timeout=5000)
    assert ("measurement", "E001-A11-01/RRI/2026-10") in seen
    # one's own changes are already on screen: not announced again
    seen.clear()
    me = ctx.user
    save_values(ctx.db, me, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("22"))], today=date(2026, 11, 15))
    qtbot.wait(300)
    assert seen == []
    # while the user types in a field, the refresh waits; it comes when the field loses focus
    edit = QLineEdit(host)
    host.show()
    host.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: edit.hasFocus(), timeout=2000)
    save_values(ctx.db, other, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("21"))], today=date(2026, 11, 15))
    qtbot.wait(400)
    assert seen == [] and watcher._pending
    edit.clearFocus()
    host.setFocus()
    qtbot.waitUntil(lambda: ("remoto", "") in seen, timeout=5000)
    watcher.stop()


@pytest.mark.parametrize("keep_mine", [True, False])
def test_capture_grid_reports_a_value_changed_by_someone_else(qtbot, demo_db, monkeypatch, keep_mine):
    from datetime import date
    from decimal import Decimal

    from sistema_seguimiento.services.capture import ValueChange, save_values
    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui import capture as capture_mod
    from tests.ui.test_capture_grid import CAP, db_value, make_page, returned, row_of, wait_saved

    page = make_page(qtbot, returned(demo_db), CAP)
    shown = []
    monkeypatch.setattr(capture_mod, "ask_keep_mine", lambda parent, exc: shown.append(str(exc)) or keep_mine)
    # the validador changes the value after the capturista's grid was loaded (24)
    save_values(demo_db, CurrentUser("validador", "validador"), "2026-10",
                [ValueChange("E001-A11-01", "RRI", Decimal("30"))], today=date(2026, 11, 15))
    r = row_of(page, "E001-A11-01", "RRI")
    assert page.model.setData(page.model.index(r, capture_mod.COL_VALUE), "25")
    wait_saved(qtbot, page)
    assert len(shown) == 1 and "su valor 25" in shown[0] and "en la base 30" in shown[0] and "validador" in shown[0]
    if keep_mine:
        assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(25)
    else:
        assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(30)
        assert page.model.values[("E001-A11-01", "RRI")] == Decimal(30)
        assert page.model.index(r, capture_mod.COL_VALUE).data() == "30.00"
    # the next edit is checked against what is now stored: no conflict
    assert page.model.setData(page.model.index(r, capture_mod.COL_VALUE), "26")
    wait_saved(qtbot, page)
    assert len(shown) == 1 and db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(26)


def test_capture_grid_retries_after_a_lost_connection_postgresql(qtbot, demo_db, monkeypatch):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("only a server connection can be lost")
    from decimal import Decimal

    from sqlalchemy.engine import make_url

    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.ui import capture as capture_mod
    from tests.dbfixtures import PG_URL
    from tests.services.test_connection_lost import Relay
    from tests.ui.test_capture_grid import CAP, db_value, make_page, returned, row_of, wait_saved

    monkeypatch.setattr(capture_mod, "RETRY_MS", 300)
    url = make_url(PG_URL)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    db = Database.open(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    try:
        page = make_page(qtbot, returned(db), CAP)
        r = row_of(page, "E001-A11-01", "RRI")
        relay.cut()
        assert page.model.setData(page.model.index(r, capture_mod.COL_VALUE), "27")
        qtbot.waitUntil(lambda: "No hay conexión" in page.message_label.text(), timeout=10_000)
        assert page.model.index(r, capture_mod.COL_VALUE).data() == "27.00"  # what was typed stays
        relay.restore()
        wait_saved(qtbot, page)
        assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(27)
        page.close()
    finally:
        from sistema_seguimiento.ui.worker import wait_all

        wait_all(10_000)
        db.close()
        relay.cut()
