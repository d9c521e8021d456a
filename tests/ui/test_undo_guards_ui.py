"""Undo and redo never overwrite another official's later change (issue 17) in the proyectos/metas de actividad
editor, the plan catalog and the «exigir contraseña» policy, as in the ficha (tests/ui/test_form_conflicts_ui.py):
after someone else wrote the field, undo is refused naming who, nothing is written; without such a change undo and
redo work as before."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sistema_seguimiento.db.models import AuditEntry
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services import projects, reconduction as rc, users
from sistema_seguimiento.services.users import CurrentUser

BETO = CurrentUser("beto", "validador")  # the other official (on a server: another PC)
CAP = CurrentUser("captura-0301", "capturista", "0301")


@pytest.fixture
def shown(monkeypatch):
    """The error boxes the undo stack would show (their text)."""
    from sistema_seguimiento.ui import messages

    out: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc, *a, **k: out.append(str(exc)))
    return out


def _last_entry(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.max(AuditEntry.id)))


def _project(ctx, key):
    return next(p for p in projects.list_projects(ctx.db, 2026, "E001") if p.key == key)


def _editor(qtbot, ctx):
    from sistema_seguimiento.ui.projects_editor import ProjectsEditor

    editor = ProjectsEditor(ctx, "E001")
    qtbot.addWidget(editor)
    editor.show()
    return editor


def test_project_and_goal_fields_undo_refused_after_another_officials_change(qtbot, ctx, shown):
    editor = _editor(qtbot, ctx)
    before = _project(ctx, "020204010101").name
    editor.projects.item(0, 1).setText("Alumbrado de Ana")
    ctx.undo_stack.undo()  # nobody else touched it: undo and redo work
    assert _project(ctx, "020204010101").name == before and not shown
    ctx.undo_stack.redo()
    assert _project(ctx, "020204010101").name == "Alumbrado de Ana" and not shown
    projects.update_project(ctx.db, BETO, 2026, "E001", "020204010101", "name", "Alumbrado de Beto")
    mark = _last_entry(ctx.db)
    ctx.undo_stack.undo()
    assert _project(ctx, "020204010101").name == "Alumbrado de Beto" and _last_entry(ctx.db) == mark
    assert len(shown) == 1 and "deshacer" in shown[0] and "beto" in shown[0] and "«Alumbrado de Beto»" in shown[0]

    editor.reload()
    goal = editor.rows[0].goals[0]
    editor.goals.item(0, 2).setText("Luminaria reparada")  # unit of the first meta
    projects.update_goal(ctx.db, BETO, 2026, "E001", "020204010101", goal.key, "unit", "Luminarias (Beto)")
    mark = _last_entry(ctx.db)
    ctx.undo_stack.undo()
    assert _project(ctx, "020204010101").goals[0].unit == "Luminarias (Beto)" and _last_entry(ctx.db) == mark
    assert len(shown) == 2 and "beto" in shown[1]


def test_calendar_undo_refused_after_a_reconduccion_of_that_meta(qtbot, ctx, shown):
    """The calendar typed in the editor («calendario») and a reconducción («programado 2026-T4») are the same
    data: undoing the first programming after the UIPPE authorised a change would erase it."""
    from sistema_seguimiento.ui.projects_editor import COL_T1

    editor = _editor(qtbot, ctx)
    assert editor.add_project("020204010199", "Proyecto de prueba")
    assert editor.add_goal("Instalar postes", "Poste")
    editor.goals.item(0, COL_T1 + 3).setText("12")
    assert _project(ctx, "020204010199").goals[0].programmed[3] == Decimal(12)
    ctx.undo_stack.undo()  # alone: undo clears the first programming, redo puts it back
    assert _project(ctx, "020204010199").goals[0].annual_target is None and not shown
    ctx.undo_stack.redo()
    assert _project(ctx, "020204010199").goals[0].programmed[3] == Decimal(12) and not shown
    req = rc.request(ctx.db, CAP, "meta", "020204010199/1", [rc.TargetChange("2026-T4", "10")], "Menos postes",
                     period="2026-T4", today=date(2026, 11, 2))
    rc.authorize(ctx.db, BETO, req.id, oficio="UIPPE/5", today=date(2026, 11, 3))
    mark = _last_entry(ctx.db)
    ctx.undo_stack.undo()
    goal = _project(ctx, "020204010199").goals[0]
    assert goal.programmed[3] == Decimal(10) and goal.annual_target == Decimal(10) and _last_entry(ctx.db) == mark
    assert len(shown) == 1 and "beto" in shown[0]


def test_plan_element_text_undo_refused_after_another_officials_change(qtbot, ctx, shown, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from sistema_seguimiento.ui.plan_editor import PlanEditor

    plan = PlanEditor(ctx)
    qtbot.addWidget(plan)
    eid = plan.add("eje", "9", "Municipio seguro")
    assert plan.current()["id"] == eid
    text = {"value": "Municipio seguro y ordenado"}
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: (text["value"], True)))
    plan.edit()
    texts = lambda: {r["id"]: r["text"] for r in ed.plan_tree(ctx.db)}  # noqa: E731
    assert texts()[eid] == "Municipio seguro y ordenado"
    ctx.undo_stack.undo()  # alone: undo and redo work
    assert texts()[eid] == "Municipio seguro" and not shown
    ctx.undo_stack.redo()
    assert texts()[eid] == "Municipio seguro y ordenado" and not shown
    ed.update_plan_element(ctx.db, BETO, eid, "text", "Municipio seguro (Beto)")
    mark = _last_entry(ctx.db)
    ctx.undo_stack.undo()
    assert texts()[eid] == "Municipio seguro (Beto)" and _last_entry(ctx.db) == mark
    assert len(shown) == 1 and "beto" in shown[0] and "«Municipio seguro (Beto)»" in shown[0]


def test_password_policy_undo_refused_after_another_administrador_changed_it(qtbot, ctx, shown):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    users.set_password(ctx.db, ctx.user, "admin", "clave-admin")
    users.add_user(ctx.db, ctx.user, "carla", "administrador", password="clave-carla")
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.policy.setChecked(True)
    assert users.password_policy(ctx.db)
    ctx.undo_stack.undo()  # alone: undo and redo work
    assert not users.password_policy(ctx.db) and not shown
    ctx.undo_stack.redo()
    assert users.password_policy(ctx.db) and not shown
    carla = CurrentUser("carla", "administrador")
    users.set_password_policy(ctx.db, carla, False)  # carla turns it off and on again: her decision stands
    users.set_password_policy(ctx.db, carla, True)
    mark = _last_entry(ctx.db)
    ctx.undo_stack.undo()  # would turn it off over carla's later «sí»
    assert users.password_policy(ctx.db) and _last_entry(ctx.db) == mark
    assert len(shown) == 1 and "carla" in shown[0] and "«sí»" in shown[0]
    assert dlg.policy.isChecked()
