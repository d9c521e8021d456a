"""Archivo → «Respaldar…» / «Restaurar…», the automatic backup on close and its setting (issues 11 and 13).
Real widgets and real files; only Qt's static file and message dialogs are answered by the test."""
from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QFileDialog, QMessageBox

from sistema_seguimiento.ui import backup_actions
from sistema_seguimiento.ui.worker import wait_all


def _window(qtbot, ctx):
    from sistema_seguimiento.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    return w


def _action(window, text):
    menu = window.menus["Archivo"]
    return next(a for a in menu.actions() if a.text() == text)


def _drain(qtbot):
    for _ in range(5):
        wait_all(30_000)
        qtbot.wait(20)


def _count(path, sql):
    c = sqlite3.connect(path)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()


def test_respaldar_writes_a_verified_backup_off_the_ui_thread(qtbot, ctx, tmp_path, monkeypatch):
    w = _window(qtbot, ctx)
    dest = tmp_path / "mis respaldos #1" / "copia 50%.db"
    dest.parent.mkdir()
    shown = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(dest), "")))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: shown.append(text)))
    _action(w, backup_actions.TEXT["backup"]).trigger()
    _drain(qtbot)
    assert dest.exists() and _count(dest, "select count(*) from measurement") == 172
    assert shown and "172 valores capturados" in shown[0] and str(dest) in shown[0]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copia 50%.db"]


def test_restaurar_shows_the_backup_then_keeps_the_current_file(qtbot, ctx, tmp_path, monkeypatch):
    from sistema_seguimiento.services.backups import make_backup
    from sistema_seguimiento.services.capture import ValueChange, save_values

    w = _window(qtbot, ctx)
    path = ctx.db.path
    backup = tmp_path / "respaldo.db"
    make_backup(path, backup)
    save_values(ctx.db, ctx.user, "2026-10", [ValueChange("E001-A11-01", "RRI", None)])
    after_clear = _count(path, "select count(*) from measurement")
    asked, reopened, shown = [], [], []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(backup), "")))

    def question(parent, title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: shown.append(text)))
    monkeypatch.setattr(backup_actions, "reopen", lambda p: reopened.append(p))
    _action(w, backup_actions.TEXT["restore"]).trigger()
    _drain(qtbot)
    assert asked and "172 valores capturados" in asked[0] and "Ejercicios fiscales: 2026" in asked[0]
    assert "Organización: Municipio de Ejemplo" in asked[0]
    assert reopened == [path]
    assert _count(path, "select count(*) from measurement") == 172
    previous = path.with_name("demo.previo-1.db")
    assert previous.exists() and _count(previous, "select count(*) from measurement") == after_clear
    assert shown and str(previous) in shown[0]


def test_restaurar_cancelled_changes_nothing(qtbot, ctx, tmp_path, monkeypatch):
    from sistema_seguimiento.services.backups import make_backup

    w = _window(qtbot, ctx)
    backup = tmp_path / "respaldo.db"
    make_backup(ctx.db.path, backup)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(backup), "")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    _action(w, backup_actions.TEXT["restore"]).trigger()
    _drain(qtbot)
    assert not ctx.db.path.with_name("demo.previo-1.db").exists()
    with ctx.db.reading() as s:  # still open and usable
        from sqlalchemy import text

        assert s.scalar(text("select count(*) from measurement")) == 172


def test_restaurar_refuses_a_file_that_is_not_a_backup(qtbot, ctx, tmp_path, monkeypatch, no_dialogs):
    w = _window(qtbot, ctx)
    blank = tmp_path / "vacio.db"
    c = sqlite3.connect(blank)
    c.execute("pragma user_version=1")
    c.close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(blank), "")))
    from sistema_seguimiento.ui import messages

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    errors = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc, tb="", **k: errors.append(str(exc)))
    _action(w, backup_actions.TEXT["restore"]).trigger()
    _drain(qtbot)
    assert errors and "sin tablas" in errors[0]
    assert not ctx.db.path.with_name("demo.previo-1.db").exists()


def test_automatic_backup_on_close_keeps_the_last_n(qtbot, ctx, tmp_path):
    from datetime import datetime

    from sistema_seguimiento.services import backups
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    w = _window(qtbot, ctx)
    dlg = SettingsDialog(ctx, w)
    qtbot.addWidget(dlg)
    assert dlg.backup_box.spin.value() == backups.DEFAULT_KEEP
    dlg.backup_box.spin.setValue(2)
    assert backup_actions.keep_count() == 2
    for minute in range(3):  # three older automatic backups
        backups.auto_backup(ctx.db.path, 5, now=datetime(2026, 11, 1, 10, minute))
    assert len(backups.auto_backups(ctx.db.path)) == 3
    w.close()
    kept = backups.auto_backups(ctx.db.path)
    assert len(kept) == 2
    assert kept[0].name == "demo-20261101-100200.db"  # the oldest two went away
    assert _count(kept[-1], "select count(*) from measurement") == 172
    assert kept[-1].parent == ctx.db.path.parent / "respaldos"
