"""«Proyectos y metas de actividad» editor (issue 16) with real widgets: edits, undo, calendar rules."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from sistema_seguimiento.services import projects
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.projects_editor import COL_ANNUAL, COL_T1, ProjectsEditor


def _project(ctx, key):
    return next((p for p in projects.list_projects(ctx.db, 2026, "E001") if p.key == key), None)


def test_edit_project_and_goal_with_undo_and_calendar_sum(qtbot, ctx, no_dialogs):
    ed = ProjectsEditor(ctx, "E001")
    qtbot.addWidget(ed)
    ed.show()
    assert ed.projects.rowCount() == 2 and ed.goals.rowCount() == 3
    assert ed.goals.item(0, COL_T1 + 2).text() == "250" and ed.goals.item(0, COL_T1 + 6).text() == "250"  # T3, alc.
    # approved calendar (the demo has closed months): not editable, the reason in the tooltip
    assert not ed.goals.item(0, COL_T1).flags() & Qt.ItemFlag.ItemIsEditable
    assert "reconducción" in ed.goals.item(0, COL_T1).toolTip()
    # edit a project's name in place, then undo and redo
    ed.projects.item(0, 1).setText("Alumbrado público municipal")
    assert _project(ctx, "020204010101").name == "Alumbrado público municipal"
    ctx.undo_stack.undo()
    assert _project(ctx, "020204010101").name == "Alumbrado público"
    ctx.undo_stack.redo()
    assert _project(ctx, "020204010101").name == "Alumbrado público municipal"
    # a new proyecto and meta: its first calendar is typed quarter by quarter, the annual target follows
    assert ed.add_project("020204010199", "Proyecto de prueba", "156", "Jefatura de prueba")
    assert ed.current_project().key == "020204010199"
    assert ed.add_goal("Instalar postes", "Poste")
    assert ed.goals.item(0, COL_T1).flags() & Qt.ItemFlag.ItemIsEditable
    # an annual target the (empty) calendar does not add up to: refused in Spanish, nothing written
    ed.goals.item(0, COL_ANNUAL).setText("50")
    assert no_dialogs and "suma del calendario trimestral" in no_dialogs[-1][1]
    assert _project(ctx, "020204010199").goals[0].annual_target is None
    ed.goals.item(0, COL_T1 + 1).setText("12")
    g = _project(ctx, "020204010199").goals[0]
    assert g.annual_target == Decimal(12) and g.programmed == [Decimal(0), Decimal(12), Decimal(0), Decimal(0)]
    assert g.programmed_original == g.programmed
    ctx.undo_stack.undo()
    assert _project(ctx, "020204010199").goals[0].annual_target is None
    # delete the proyecto, then undo brings it back with its meta
    ed.projects.setCurrentCell(2, 0)
    assert ed.delete_project(ask=False)
    assert _project(ctx, "020204010199") is None
    # every undo step is a user's edit (rebuilding the tables pushes nothing)
    assert ctx.undo_stack.undoText() == "Eliminar proyecto 020204010199"
    ctx.undo_stack.undo()

    assert [g.name for g in _project(ctx, "020204010199").goals] == ["Instalar postes"]


def test_capturista_sees_a_read_only_editor(qtbot, ctx):
    ctx.user = CurrentUser("captura-0301", "capturista", "0301")
    ed = ProjectsEditor(ctx, "E001")
    qtbot.addWidget(ed)
    assert not ed.b_add_project.isEnabled() and not ed.b_add_goal.isEnabled()
    assert not ed.projects.item(0, 1).flags() & Qt.ItemFlag.ItemIsEditable
    assert "Solo lectura" in ed.note.text()


def test_mir_editor_opens_the_view(qtbot, ctx):
    from sistema_seguimiento.ui.mir_editor import MirEditor

    m = MirEditor(ctx)
    qtbot.addWidget(m)
    m.set_program("S001")
    assert m.a_projects.isEnabled()
    dialog = m.open_projects()
    qtbot.addWidget(dialog)
    assert dialog.editor.projects.rowCount() == 2 and dialog.editor.rows[0].key == "020605010102"
    dialog.reject()
