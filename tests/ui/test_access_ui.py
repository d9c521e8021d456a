"""Issue 11 in the window: the «exigir contraseña» setting (with undo and bitácora) and the sign-in under it."""
from __future__ import annotations

from sistema_seguimiento.services import audit_log, editing as ed, users
from sistema_seguimiento.services.users import CurrentUser


def test_policy_checkbox_needs_an_administrador_with_password_and_undoes(qtbot, ctx, no_dialogs):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.policy.isEnabled() and not dlg.policy.isChecked()
    dlg.policy.setChecked(True)  # admin has no password yet: refused, explained, the box goes back
    assert not users.password_policy(ctx.db) and not dlg.policy.isChecked()
    assert any("Asigne primero su propia contraseña" in text for kind, text in no_dialogs if kind == "error")
    users.set_password(ctx.db, ctx.user, "admin", "clave-admin")
    dlg.policy.setChecked(True)
    assert users.password_policy(ctx.db) and dlg.policy.isChecked()
    assert "validador" in dlg.policy_hint.text()
    entry = audit_log.query(ctx.db, action="politica")[0]
    assert (entry.user, entry.field, entry.old, entry.new) == ("admin", "exigir_contrasena", "no", "sí")
    ctx.undo_stack.undo()
    assert not users.password_policy(ctx.db) and not dlg.policy.isChecked()
    ctx.undo_stack.redo()
    assert users.password_policy(ctx.db) and dlg.policy.isChecked()


def test_policy_checkbox_is_read_only_for_other_roles(qtbot, ctx):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    ctx.user = CurrentUser("validador", "validador")
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    assert not dlg.policy.isEnabled()


def test_sign_in_under_the_policy_asks_every_password_and_lets_an_admin_set_theirs(qtbot, ctx, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from sistema_seguimiento.services.errors import PermissionDenied
    from sistema_seguimiento.ui.app import SignInDialog, set_own_password

    users.set_password(ctx.db, ctx.user, "admin", "clave-admin")
    users.add_user(ctx.db, ctx.user, "jefa", "administrador", password=None)
    users.set_password_policy(ctx.db, CurrentUser("admin", "administrador"), True)
    listed = ed.list_users(ctx.db)
    dlg = SignInDialog(listed, None, "validador", password_required=True)
    qtbot.addWidget(dlg)
    assert not dlg.password.isHidden()
    plain = SignInDialog(listed, None, "validador")
    qtbot.addWidget(plain)
    assert plain.password.isHidden()
    import pytest

    with pytest.raises(PermissionDenied, match="pida al administrador"):
        users.sign_in_db(ctx.db, "validador", None)
    answers = iter([("clave-jefa", True), ("clave-jefa", True)])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: next(answers)))
    user = set_own_password(ctx.db, "jefa", None)
    assert user == CurrentUser("jefa", "administrador", None)
    assert users.needs_password(ctx.db, "jefa")
    entry = audit_log.query(ctx.db, user="jefa")[0]
    assert (entry.key, entry.new) == ("jefa", "con contraseña")
