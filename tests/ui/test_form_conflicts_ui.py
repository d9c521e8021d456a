"""Concurrent edits in the forms (issue 17): the ficha, its variables and metas, the MIR editor and the
Configuración show the same dialog as the capture grid when another official saved the field meanwhile (both values,
who and when), and keep the user's value or take the other one. Nothing is lost: the bitácora has both changes."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.models import AuditEntry
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui import conflicts as conflicts_ui

BETO = CurrentUser("beto", "validador")  # the other official (on a server: another PC)
IND = "E001-A11-01"


@pytest.fixture
def dialog(monkeypatch):
    """Answers the conflict dialog; records what it showed."""
    state = {"keep": True, "shown": []}

    def ask(parent, exc):
        state["shown"].append(str(exc))
        return state["keep"]

    monkeypatch.setattr(conflicts_ui, "ask_keep_mine", ask)
    return state


def _log(db, entity, key, field):
    with db.reading() as s:
        return [(e.user_name, e.new) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.entity == entity, AuditEntry.entity_key == key, AuditEntry.field == field)
            .order_by(AuditEntry.id))]


def _ficha(qtbot, ctx):
    from sistema_seguimiento.ui.ficha import FichaView

    view = FichaView(ctx)
    qtbot.addWidget(view)
    view.set_indicator(IND)
    return view


@pytest.mark.parametrize("keep", [True, False])
def test_ficha_field_changed_by_someone_else(qtbot, ctx, dialog, keep):
    dialog["keep"] = keep
    view = _ficha(qtbot, ctx)
    ed.update_indicator(ctx.db, BETO, IND, "name", "Nombre de Beto")  # after the ficha was shown
    w = view.widgets["name"]
    w.setText("Nombre de Ana")
    w.editingFinished.emit()
    assert len(dialog["shown"]) == 1
    shown = dialog["shown"][0]
    assert "«Nombre de Ana»" in shown and "«Nombre de Beto»" in shown and "beto" in shown
    stored = ed.indicator_values(ctx.db, IND)["name"]
    assert stored == ("Nombre de Ana" if keep else "Nombre de Beto")
    assert w.text() == stored  # on screen: what is stored (theirs re-read, or mine kept)
    assert ("beto", "Nombre de Beto") in _log(ctx.db, "indicador", IND, "name")
    # the next edit is checked against what is now shown: no conflict
    w.setText("Otro nombre")
    w.editingFinished.emit()
    assert len(dialog["shown"]) == 1 and ed.indicator_values(ctx.db, IND)["name"] == "Otro nombre"


def test_variable_and_target_changed_by_someone_else(qtbot, ctx, dialog, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("Ajuste de Ana", True)))
    view = _ficha(qtbot, ctx)
    var = view.var_model.rows[0]["key"]
    ed.update_variable(ctx.db, BETO, IND, var, "source", "Registro de Beto")
    col = view.var_model.FIELDS.index("source")
    assert view.var_model.setData(view.var_model.index(0, col), "Registro de Ana")
    assert len(dialog["shown"]) == 1 and "Registro de Beto" in dialog["shown"][0]
    assert ed.indicator_values(ctx.db, IND)["variables"][0]["source"] == "Registro de Ana"

    tm = view.targets_model
    row = [v["key"] for v in tm.variables].index(var)
    period = max(p for p in tm.periods if p not in tm.closed)
    ed.set_target(ctx.db, BETO, IND, var, period, "70", reason="Ajuste de Beto")
    dialog["keep"] = False
    assert not tm.setData(tm.index(row, tm.periods.index(period)), "80")
    assert len(dialog["shown"]) == 2 and "en la base 70" in dialog["shown"][1] and "su valor 80" in dialog["shown"][1]
    assert ed.indicator_values(ctx.db, IND)["targets"][period][var] == Decimal("70")
    assert view.targets_model.targets[period][var] == Decimal("70")  # theirs shown


def test_mir_objective_text_changed_by_someone_else(qtbot, ctx, dialog):
    from sistema_seguimiento.ui.mir_editor import MirEditor

    editor = MirEditor(ctx)
    qtbot.addWidget(editor)
    editor.set_program("E001")
    r = next(i for i, o in enumerate(editor.model.rows) if o.key == "E001-A11")
    ed.update_objective(ctx.db, BETO, None, "E001", "E001-A11", "text", "Resumen de Beto")
    assert editor.model.setData(editor.model.index(r, 0), "Resumen de Ana")
    assert len(dialog["shown"]) == 1 and "Resumen de Beto" in dialog["shown"][0]
    assert ed.indicator_values(ctx.db, IND)["objective_text"] == "Resumen de Ana"
    assert [u for u, n in _log(ctx.db, "objetivo", "E001-A11", "text")][-2:] == ["beto", "admin"]


def test_settings_changed_by_someone_else(qtbot, ctx, dialog):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    ed.update_issuing_unit(ctx.db, CurrentUser("admin2", "administrador"), ed.ISSUING_UNIT, "Unidad de Beto")
    dialog["keep"] = False
    dlg.issuing_unit.setText("Unidad de Ana")
    dlg.issuing_unit.editingFinished.emit()
    assert len(dialog["shown"]) == 1 and "admin2" in dialog["shown"][0]
    assert ed.organization_values(ctx.db)["issuing_unit"] == "Unidad de Beto"
    assert dlg.issuing_unit.text() == "Unidad de Beto"  # theirs shown
    dialog["keep"] = True
    name, title = dlg.signatures["firma_elaboro"]
    ed.update_signature(ctx.db, CurrentUser("admin2", "administrador"), "firma_elaboro",
                        {"nombre": "Beto", "cargo": "Jefe"})
    name.setText("Ana")
    name.editingFinished.emit()
    assert len(dialog["shown"]) == 2 and "Beto — Jefe" in dialog["shown"][1]
    assert ed.organization_values(ctx.db)["signatures"]["firma_elaboro"]["nombre"] == "Ana"


def test_undo_and_redo_never_overwrite_another_officials_change(qtbot, ctx, monkeypatch):
    """Undo and redo are refused once another official changed the field after this edit (the bitácora says
    so); the other official's value stays and the message names them."""
    from sistema_seguimiento.ui import commands, messages

    shown = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc, *a, **k: shown.append(str(exc)))
    before = ed.indicator_values(ctx.db, IND)["name"]
    assert commands.edit_indicator_field(ctx, None, IND, "name", "Nombre de Ana", expected=before)
    ctx.undo_stack.undo()  # nobody else touched it: the undo puts back the former name
    assert ed.indicator_values(ctx.db, IND)["name"] == before and not shown
    ctx.undo_stack.redo()
    assert ed.indicator_values(ctx.db, IND)["name"] == "Nombre de Ana" and not shown
    ed.update_indicator(ctx.db, BETO, IND, "name", "Nombre de Beto")  # another official, meanwhile
    ctx.undo_stack.undo()
    assert ed.indicator_values(ctx.db, IND)["name"] == "Nombre de Beto"
    assert len(shown) == 1 and "beto" in shown[0] and "«Nombre de Beto»" in shown[0]
    assert _log(ctx.db, "indicador", IND, "name")[-1] == ("beto", "Nombre de Beto")


def test_undo_of_a_setting_never_overwrites_another_officials_change(qtbot, ctx, monkeypatch):
    from sistema_seguimiento.ui import messages
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    shown = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc, *a, **k: shown.append(str(exc)))
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.issuing_unit.setText("Unidad de Ana")
    assert dlg._save_issuing_unit()
    ed.update_issuing_unit(ctx.db, CurrentUser("carla", "administrador"), ed.ISSUING_UNIT, "Unidad de Carla")
    ctx.undo_stack.undo()
    assert ed.organization_values(ctx.db)["issuing_unit"] == "Unidad de Carla"
    assert len(shown) == 1 and "carla" in shown[0]
