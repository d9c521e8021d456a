"""services.projects (proyectos and metas de actividad) and their capture through services.capture."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.models import ActivityGoal, ActivityGoalQuarter, AuditEntry, Project
from sistema_seguimiento.services import projects, workflow
from sistema_seguimiento.services.capture import GoalChange, capture_rows, save_values
from sistema_seguimiento.services.errors import ConflictError, PermissionDenied, ServiceError
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
VALID = CurrentUser("validador", "validador")
CAP_0301 = CurrentUser("captura-0301", "capturista", "0301")
CAP_0801 = CurrentUser("captura-0801", "capturista", "0801")
D = Decimal


def _dump(db):
    """Every row of the proyectos tables (to prove a refused call wrote nothing)."""
    with db.reading() as s:
        return ([(p.key, p.name, p.auxiliary_key, p.auxiliary_name) for p in s.scalars(select(Project))],
                [(g.key, g.name, g.unit, g.annual_target, g.annual_target_original)
                 for g in s.scalars(select(ActivityGoal))],
                [(q.goal_id, q.period, q.programmed, q.programmed_original, q.achieved)
                 for q in s.scalars(select(ActivityGoalQuarter))],
                s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())))


def _goal(db, program, project, key):
    return next(g for p in projects.list_projects(db, 2026, program) if p.key == project for g in p.goals
                if g.key == key)


def test_demo_has_proyectos_with_calendars_and_achieved_values(demo_db):
    e001 = projects.list_projects(demo_db, 2026, "E001")
    s001 = projects.list_projects(demo_db, 2026, "S001")
    assert [p.key for p in e001] == ["020204010101", "020204010102"]
    assert all(p.key.startswith("0206050101") for p in s001)
    for p in e001 + s001:
        assert 2 <= len(p.goals) <= 4 and p.auxiliary_key and p.auxiliary_name
        for g in p.goals:
            assert sum(g.programmed) == g.annual_target == g.annual_target_original
            assert g.programmed == g.programmed_original
            assert all(a is not None for a in g.achieved[:3]) and g.achieved[3] is None


def test_create_edit_delete_restore_project_and_goal_with_audit(demo_db):
    projects.create_project(demo_db, VALID, 2026, "E001", key="020204010199", name="Proyecto nuevo",
                            auxiliary_key="156", auxiliary_name="Jefatura de prueba")
    projects.create_goal(demo_db, VALID, 2026, "E001", "020204010199", key="1", name="Instalar postes",
                         unit="Poste", annual_target="40", calendar=["10", "10", "10", "10"])
    g = _goal(demo_db, "E001", "020204010199", "1")
    # the year has closed months (demo), but a meta's first programming is its approved calendar
    assert g.programmed == [D(10)] * 4 == g.programmed_original and g.annual_target_original == D(40)
    old = projects.update_goal(demo_db, ADMIN, 2026, "E001", "020204010199", "1", "name", "Instalar postes nuevos")
    assert old == "Instalar postes"
    assert projects.update_project(demo_db, ADMIN, 2026, "E001", "020204010199", "auxiliary_name", "Otra") == \
        "Jefatura de prueba"
    snap = projects.delete_project(demo_db, ADMIN, 2026, "E001", "020204010199")
    assert "020204010199" not in [p.key for p in projects.list_projects(demo_db, 2026, "E001")]
    projects.restore_project(demo_db, ADMIN, snap)
    g2 = _goal(demo_db, "E001", "020204010199", "1")
    assert g2.name == "Instalar postes nuevos" and g2.programmed == [D(10)] * 4
    gsnap = projects.delete_goal(demo_db, ADMIN, 2026, "E001", "020204010199", "1")
    projects.restore_goal(demo_db, ADMIN, gsnap)
    assert _goal(demo_db, "E001", "020204010199", "1").annual_target == D(40)
    with demo_db.reading() as s:
        entries = [(e.entity, e.action, e.user_name) for e in s.scalars(select(AuditEntry))]
    for entity, action in (("proyecto", "crear"), ("meta_actividad", "crear"), ("meta_actividad", "editar"),
                           ("proyecto", "eliminar"), ("proyecto", "restaurar"), ("meta_actividad", "eliminar"),
                           ("meta_actividad", "restaurar")):
        assert any(e[0] == entity and e[1] == action for e in entries), (entity, action)


def test_calendar_sum_must_equal_annual_target_in_spanish_and_nothing_written(demo_db):
    projects.create_project(demo_db, ADMIN, 2026, "S001", key="020605010199", name="Proyecto")
    before = _dump(demo_db)
    with pytest.raises(ServiceError) as exc:
        projects.create_goal(demo_db, ADMIN, 2026, "S001", "020605010199", key="1", name="Meta", unit="Taller",
                             annual_target="100", calendar=["25", "25", "25", "20"])
    assert "suma del calendario trimestral" in str(exc.value) and "95" in str(exc.value) and "100" in str(exc.value)
    with pytest.raises(ServiceError, match="no puede ser negativa"):
        projects.create_goal(demo_db, ADMIN, 2026, "S001", "020605010199", key="1", name="Meta",
                             annual_target="0", calendar=["-5", "5", "0", "0"])
    with pytest.raises(ServiceError, match="ID"):
        projects.create_goal(demo_db, ADMIN, 2026, "S001", "020605010199", key="1 a", name="Meta")
    with pytest.raises(ServiceError, match="ya tiene el proyecto"):
        projects.create_project(demo_db, ADMIN, 2026, "S001", key="020605010199", name="Otro")
    assert _dump(demo_db) == before


def test_capturista_cannot_edit_proyectos(demo_db):
    before = _dump(demo_db)
    with pytest.raises(PermissionDenied):
        projects.create_project(demo_db, CAP_0301, 2026, "E001", key="020204010199", name="X")
    with pytest.raises(PermissionDenied):
        projects.update_goal(demo_db, CAP_0301, 2026, "E001", "020204010101", "1", "name", "X")
    with pytest.raises(PermissionDenied):
        projects.set_calendar(demo_db, CurrentUser("consulta", "consulta"), 2026, "E001", "020204010101", "1",
                              "800", ["200", "200", "200", "200"])
    assert _dump(demo_db) == before


def test_approved_calendar_is_changed_only_by_reconduccion(demo_db):
    before = _dump(demo_db)
    with pytest.raises(ServiceError, match="reconducción"):  # the demo has closed months: approved
        projects.set_calendar(demo_db, ADMIN, 2026, "E001", "020204010101", "1", "800",
                              ["150", "200", "200", "250"])
    assert _dump(demo_db) == before
    with demo_db.transaction() as s:
        goal = projects.find_goal(s, 2026, "020204010101", "1")
        projects.apply_goal_changes(s, goal, [{"periodo": "2026-T4", "anterior": "200", "nuevo": "150"}], VALID,
                                    "Oficio UIPPE/012/2026")
    g = _goal(demo_db, "E001", "020204010101", "1")
    assert g.programmed == [D(150), D(200), D(250), D(150)] and g.annual_target == D(750)
    assert g.programmed_original == [D(150), D(200), D(250), D(200)] and g.annual_target_original == D(800)
    with demo_db.reading() as s:
        e = [x for x in s.scalars(select(AuditEntry).where(AuditEntry.action == "reconducir"))]
    assert {(x.field, x.old, x.new) for x in e} == {("meta_anual", "800", "750"), ("programado 2026-T4", "200", "150")}
    assert all(x.reason == "Oficio UIPPE/012/2026" for x in e)
    # a stale «anterior», or an annual target the calendar does not add up to, changes nothing
    before = _dump(demo_db)
    for changes in ([{"periodo": "2026-T4", "anterior": "200", "nuevo": "100"}],
                    [{"periodo": "2026", "anterior": "750", "nuevo": "700"}],
                    [{"periodo": "2026-T9", "anterior": "", "nuevo": "1"}]):
        with pytest.raises(ServiceError):
            with demo_db.transaction() as s:
                projects.apply_goal_changes(s, projects.find_goal(s, 2026, "020204010101", "1"), changes, VALID,
                                            "motivo")
    assert _dump(demo_db)[:3] == before[:3]


# ---- capture of the achieved value -------------------------------------------------------------------

def test_capture_grid_lists_metas_under_the_quarter_month_only(demo_db):
    sheet = capture_rows(demo_db, "2026-09", "0301")
    assert [g.label for g in sheet.goals] == ["020204010101/1", "020204010101/2", "020204010101/3",
                                             "020204010102/1", "020204010102/2"]
    g = sheet.goals[0]
    assert (g.period, g.programmed, g.achieved, g.workflow_status) == ("2026-T3", D(250), D(250), "cerrado")
    assert capture_rows(demo_db, "2026-08", "0301").goals == []
    assert {g.agency_key for g in capture_rows(demo_db, "2026-06").goals} == {"0301", "0801"}


def test_capture_meta_follows_workflow_roles_audit_and_conflicts(demo_db):
    key = GoalChange("020204010101", "2", D("30"))
    with pytest.raises(ServiceError, match="PER-003"):  # September is closed in the demo
        save_values(demo_db, CAP_0301, "2026-09", [], goals=[key], today=TODAY)
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corrección de metas de actividad")
    with pytest.raises(PermissionDenied):
        save_values(demo_db, CAP_0801, "2026-09", [], goals=[key], today=TODAY)
    with pytest.raises(ServiceError, match="no termina un trimestre"):
        save_values(demo_db, CAP_0301, "2026-08", [], goals=[key], today=TODAY)
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, CAP_0301, "2026-09", [], goals=[GoalChange("020204010101", "2", D("-1"))], today=TODAY)
    assert "negativo" in " ".join(exc.value.details)
    res = save_values(demo_db, CAP_0301, "2026-09", [], goals=[GoalChange("020204010101", "2", D("30"), D("28"))],
                      today=TODAY)
    assert (res.saved, res.periods["020204010101/2"]) == (1, "2026-T3")
    assert _goal(demo_db, "E001", "020204010101", "2").achieved[2] == D(30)
    with demo_db.reading() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.entity == "avance_meta")).one()
    assert (e.entity_key, e.old, e.new, e.user_name) == ("020204010101/2/2026-T3", "28", "30", "captura-0301")
    # another official changed it meanwhile: a conflict, nothing written
    with pytest.raises(ConflictError) as exc:
        save_values(demo_db, VALID, "2026-T3", [], goals=[GoalChange("020204010101", "2", D("31"), D("28"))],
                    today=TODAY)
    assert exc.value.conflicts[0].kind == "meta" and exc.value.conflicts[0].theirs == D(30)
    # re-saving the same value changes nothing
    assert save_values(demo_db, CAP_0301, "2026-09", [], goals=[GoalChange("020204010101", "2", D("30"))],
                       today=TODAY).changed == 0
    # Enviado: read-only for the capturista, like the indicators
    workflow.apply(demo_db, ADMIN, "enviar", "2026-09", "0301")
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, CAP_0301, "2026-09", [], goals=[GoalChange("020204010101", "2", D("29"))], today=TODAY)
    assert "Enviado" in " ".join(exc.value.details)
    # the validador corrects it: the month goes back to capturando, as for values
    res = save_values(demo_db, VALID, "2026-09", [], goals=[GoalChange("020204010101", "2", D("29"))], today=TODAY)
    assert res.reopened_states == [("2026-09", "0301")]


def test_meta_of_a_quarter_not_ended_is_refused(demo_db):
    with pytest.raises(ServiceError, match="AV-008"):
        save_values(demo_db, ADMIN, "2026-12", [], goals=[GoalChange("020605010102", "1", D("1"))], today=TODAY)
    with pytest.raises(ServiceError, match="No existe la meta"):
        save_values(demo_db, ADMIN, "2026-09", [], goals=[GoalChange("020605010102", "9", D("1"))], today=TODAY)


def test_validating_and_closing_the_month_cover_the_metas(demo_db):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-06", "0801", "Corregir metas del T2")
    change = [GoalChange("020605010103", "1", D("13"))]
    save_values(demo_db, CAP_0801, "2026-06", [], goals=change, today=TODAY)
    workflow.apply(demo_db, CAP_0801, "enviar", "2026-06", "0801")
    workflow.apply(demo_db, VALID, "validar", "2026-06", "0801")
    with pytest.raises(ServiceError, match="no se guardó|revise") as exc:  # Validado: read-only for the capturista
        save_values(demo_db, CAP_0801, "2026-06", [], goals=[GoalChange("020605010103", "1", D("14"))], today=TODAY)
    assert "Validado" in " ".join(exc.value.details)
    workflow.apply(demo_db, ADMIN, "cerrar", "2026-06", "0801")
    with pytest.raises(ServiceError) as exc:  # Cerrado: read-only for everyone (PER-003)
        save_values(demo_db, ADMIN, "2026-06", [], goals=[GoalChange("020605010103", "1", D("14"))], today=TODAY)
    assert "PER-003" in " ".join(exc.value.details)
    assert next(g for p in projects.list_projects(demo_db, 2026, "S001") if p.key == "020605010103"
                for g in p.goals if g.key == "1").achieved[1] == D(13)
