"""Edit use cases: one transaction each, audit, roles, undo data (old values / snapshots)."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sistema_seguimiento.db.models import AuditEntry, Indicator, Objective, PeriodState, Program, Target
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError, ValidationFailed
from sistema_seguimiento.services.users import CurrentUser

ADMIN = CurrentUser("admin", "administrador")
CAPT = CurrentUser("captura-0301", "capturista", "0301")
CONSULTA = CurrentUser("consulta", "consulta")


def count(db, model):
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_program_create_update_delete_restore(demo_db):
    key = ed.create_program(demo_db, ADMIN, None, key="E010", name="Bacheo", agency_key="0301", modality="E",
                            budget_approved="1,250,000.50")
    vals = ed.program_values(demo_db, None, key)
    assert vals["budget_approved"] == Decimal("1250000.50") and vals["name"] == "Bacheo"
    old = ed.update_program(demo_db, ADMIN, None, key, "name", "Bacheo y pavimentación")
    assert old == "Bacheo"
    c1 = ed.add_objective(demo_db, ADMIN, None, key, "COMPONENTE", text="Baches reparados")
    a1 = ed.add_objective(demo_db, ADMIN, None, key, "ACTIVIDAD", c1, "Reparación de baches")
    assert (c1, a1) == ("E010-C1", "E010-A11")
    ind = ed.add_indicator(demo_db, ADMIN, None, key, c1, "Porcentaje de baches reparados")
    ed.add_variable(demo_db, ADMIN, ind, "BR", role="numerador")
    ed.set_target(demo_db, ADMIN, ind, "BR", "2026-T4", "10")
    before = count(demo_db, Indicator), count(demo_db, Objective), count(demo_db, Target)
    snap = ed.delete_program(demo_db, ADMIN, None, key)
    assert "indicadores" in snap["summary"]
    assert count(demo_db, Indicator) == before[0] - 1
    ed.restore_program(demo_db, ADMIN, snap)
    assert (count(demo_db, Indicator), count(demo_db, Objective), count(demo_db, Target)) == before
    vals = ed.indicator_values(demo_db, ind)
    assert vals["targets"] == {"2026-T4": {"BR": Decimal(10)}}


def test_failed_save_leaves_database_unchanged(demo_db):
    n = count(demo_db, AuditEntry)
    with pytest.raises(ValidationFailed):
        ed.update_program(demo_db, ADMIN, None, "E001", "name", "   ")
    with pytest.raises(ValidationFailed):
        ed.update_indicator(demo_db, ADMIN, "E001-C1-01", "annual_target", "12,34")
    with pytest.raises(ValidationFailed):
        ed.create_program(demo_db, ADMIN, None, key="E001", name="dup", agency_key="0301")
    assert count(demo_db, AuditEntry) == n
    assert ed.program_values(demo_db, None, "E001")["name"] == "Alumbrado público"


def test_roles(demo_db):
    with pytest.raises(PermissionDenied):
        ed.update_program(demo_db, CONSULTA, None, "E001", "name", "x")
    with pytest.raises(PermissionDenied, match="Capturista"):
        ed.update_program(demo_db, CAPT, None, "E001", "responsible", "Ing. Pérez")  # not even its own agency
    with pytest.raises(PermissionDenied):
        ed.update_program(demo_db, CAPT, None, "S001", "responsible", "x")
    with pytest.raises(PermissionDenied):
        ed.create_agency(demo_db, CAPT, key="0999", name="Nueva")


def test_capturista_creates_or_edits_no_program_mir_or_ficha(demo_db):
    """The capturista captures; programs, MIRs and fichas belong to administrador and validador (README «Roles»)."""
    own = CAPT.agency_key
    program = next(p for p in ed.program_overview(demo_db, 2026) if p["agency_key"] == own)["key"]
    ind = "E001-C1-01"
    n = count(demo_db, AuditEntry)
    before = (ed.program_values(demo_db, None, program), ed.indicator_values(demo_db, ind))
    attempts = [
        lambda: ed.create_program(demo_db, CAPT, None, key="E900", name="Nuevo", agency_key=own),
        lambda: ed.update_program(demo_db, CAPT, None, program, "name", "Otro nombre"),
        lambda: ed.delete_program(demo_db, CAPT, None, program),
        lambda: ed.add_objective(demo_db, CAPT, None, program, "COMPONENTE"),
        lambda: ed.update_objective(demo_db, CAPT, None, program, f"{program}-F", "text", "x"),
        lambda: ed.add_indicator(demo_db, CAPT, None, program, f"{program}-F", name="Nuevo"),
        lambda: ed.update_indicator(demo_db, CAPT, ind, "name", "Otro"),
        lambda: ed.add_variable(demo_db, CAPT, ind, "Z"),
        lambda: ed.update_variable(demo_db, CAPT, ind, "A", "description", "x"),
        lambda: ed.delete_indicator(demo_db, CAPT, ind),
        lambda: ed.set_target(demo_db, CAPT, ind, "A", "2026-12", "5"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="no puede"):
            attempt()
    assert count(demo_db, AuditEntry) == n
    assert (ed.program_values(demo_db, None, program), ed.indicator_values(demo_db, ind)) == before
    assert not ed.can_edit_program(CAPT, own) and ed.can_edit_program(ADMIN) and not ed.can_edit_program(CONSULTA)


def test_update_indicator_fields_and_audit(demo_db):
    old = ed.update_indicator(demo_db, ADMIN, "E001-C1-01", "annual_target", "1,234.5")
    new = ed.indicator_values(demo_db, "E001-C1-01")
    assert new["annual_target"] == Decimal("1234.5") and old != new["annual_target"]
    ed.update_indicator(demo_db, ADMIN, "E001-C1-01", "verification_sources", "Uno\nDos\n")
    assert ed.indicator_values(demo_db, "E001-C1-01")["verification_sources"] == ["Uno", "Dos"]
    with pytest.raises(ValidationFailed):
        ed.update_indicator(demo_db, ADMIN, "E001-C1-01", "dimension", "rapidez")
    with demo_db.reading() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.field == "annual_target")).first()
        assert e.new == "1234.5" and e.user_name == "admin"


def test_reorder_and_move_activity(demo_db):
    assert ed.move_objective(demo_db, ADMIN, None, "E001", "E001-A12", -1) == -1
    assert ed.move_objective(demo_db, ADMIN, None, "E001", "E001-A12", -1) == 0
    old_parent = ed.move_activity(demo_db, ADMIN, None, "E001", "E001-A12", "E001-C2")
    assert old_parent == "E001-C1"
    with demo_db.reading() as s:
        a = s.scalars(select(Objective).where(Objective.key == "E001-A12")).one()
        assert s.get(Objective, a.parent_id).key == "E001-C2"


def test_delete_objective_with_activities_restores(demo_db):
    n_obj, n_ind = count(demo_db, Objective), count(demo_db, Indicator)
    snap = ed.delete_objective(demo_db, ADMIN, None, "E001", "E001-C1")
    assert count(demo_db, Objective) == n_obj - 3
    ed.restore_objective(demo_db, ADMIN, snap)
    assert (count(demo_db, Objective), count(demo_db, Indicator)) == (n_obj, n_ind)


def test_targets_closed_period_and_modification(demo_db):
    # demo: months 2026-01..05 are closed for dependencia 0301 (E001)
    vals = ed.indicator_values(demo_db, "E001-A11-01")
    var = vals["variables"][0]["key"]
    period_closed = next(p for p in vals["targets"] if p.startswith("2026-0") and p <= "2026-05" or p == "2026-T1")
    with pytest.raises(ServiceError, match="periodos cerrados"):
        ed.set_target(demo_db, ADMIN, "E001-A11-01", var, period_closed, "5")
    open_period = max(vals["targets"])
    with pytest.raises(ServiceError, match="justificación"):
        ed.set_target(demo_db, ADMIN, "E001-A11-01", var, open_period, "7")
    old = ed.set_target(demo_db, ADMIN, "E001-A11-01", var, open_period, "7", reason="Ajuste presupuestal")
    with demo_db.reading() as s:
        t = s.scalars(select(Target).where(Target.period == open_period, Target.change_reason != "")).one()
        assert t.value == 7 and t.original_value == old and t.changed_by == "admin"
        e = s.scalars(select(AuditEntry).where(AuditEntry.action == "modificar_meta")).one()
        assert e.reason == "Ajuste presupuestal"


def test_targets_without_closed_months_need_no_reason(demo_db):
    with demo_db.transaction() as s:
        for ps in s.scalars(select(PeriodState)):
            s.delete(ps)
    ed.set_target(demo_db, ADMIN, "E001-A11-01", ed.indicator_values(demo_db, "E001-A11-01")["variables"][0]["key"],
                  "2026-12", "3")


def test_agency_and_plan_and_org(demo_db):
    ed.create_agency(demo_db, ADMIN, key="0999", name="Obras Públicas", acronym="DOP")
    snap = ed.delete_agency(demo_db, ADMIN, "0999")
    ed.restore_agency(demo_db, ADMIN, snap)
    assert any(a[0] == "0999" for a in ed.agencies(demo_db))
    with pytest.raises(ServiceError):
        ed.delete_agency(demo_db, ADMIN, "0301")
    eje = ed.add_plan_element(demo_db, ADMIN, "eje", "Municipio seguro", code="1")
    obj = ed.add_plan_element(demo_db, ADMIN, "objetivo", "Reducir delitos", eje, code="1.1")
    with pytest.raises(ValidationFailed):
        ed.add_plan_element(demo_db, ADMIN, "estrategia", "x", eje)
    ed.update_program(demo_db, ADMIN, None, "E001", "plan_element_id", obj)
    tree = ed.plan_tree(demo_db)
    assert [p[0] for r in tree if r["id"] == obj for p in r["programs"]] == ["E001"]
    snap = ed.delete_plan_element(demo_db, ADMIN, eje)
    assert not {eje, obj} & {r["id"] for r in ed.plan_tree(demo_db)}
    assert ed.program_values(demo_db, None, "E001")["plan_element_id"] is None
    ed.restore_plan_element(demo_db, ADMIN, snap)
    assert ed.program_values(demo_db, None, "E001")["plan_element_id"] == obj
    old = ed.update_organization(demo_db, ADMIN, "name", "Municipio de Prueba")
    assert ed.organization_values(demo_db)["name"] == "Municipio de Prueba" and old
    with pytest.raises(PermissionDenied):
        ed.update_organization(demo_db, CAPT, "name", "x")
