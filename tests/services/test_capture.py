"""services.capture: save_values rules (roles, PER-003, AV-008, AV-002, integer, frequency), audit, capture_rows."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.models import AuditEntry, Measurement, PeriodState, Variable
from sistema_seguimiento.services import budget, justifications
from sistema_seguimiento.services.capture import ValueChange, capture_rows, save_values
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
CAP_0301 = CurrentUser("captura-0301", "capturista", "0301")
CAP_0801 = CurrentUser("captura-0801", "capturista", "0801")
CONSULTA = CurrentUser("consulta", "consulta")


def _value(db, ind, var, period):
    with db.reading() as s:
        from sistema_seguimiento.db.models import Indicator
        return s.scalars(select(Measurement).join(Variable).join(Indicator).where(
            Indicator.key == ind, Variable.key == var, Measurement.period == period)).first()


def test_capturista_saves_own_agency_with_audit_and_status(demo_db):
    from sistema_seguimiento.services import workflow

    workflow.apply(demo_db, ADMIN, "devolver", "2026-10", "0301", "Revise el dato de octubre")
    res = save_values(demo_db, CAP_0301, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("23"))], today=TODAY)
    assert res.saved == 1
    m = _value(demo_db, "E001-A11-01", "RRI", "2026-10")
    assert m.value == Decimal("23") and m.status == "capturado" and m.captured_by == "captura-0301"
    with demo_db.reading() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.entity == "measurement")).all()
        assert any(x.old == "24" and x.new == "23" and x.user_name == "captura-0301" for x in e)
        st = s.scalars(select(PeriodState.status).where(PeriodState.period == "2026-10")).all()
        assert "capturando" in st  # the returned month is being captured again


def test_sent_or_validated_month_is_read_only_for_capturista_and_traced_for_validador(demo_db):
    from sistema_seguimiento.services import audit_log, workflow

    before = _value(demo_db, "E001-A11-01", "RRI", "2026-10").value
    with pytest.raises(ServiceError) as exc:  # demo: October is «Validado»
        save_values(demo_db, CAP_0301, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("23"))], today=TODAY)
    assert "Validado" in " ".join(exc.value.details or []) and "devuelva" in " ".join(exc.value.details or [])
    assert _value(demo_db, "E001-A11-01", "RRI", "2026-10").value == before
    assert workflow.states(demo_db, "2026-10")["0301"] == "validado"
    # the validador corrects a value: the state goes back and the period's history says who had validated it
    res = save_values(demo_db, CurrentUser("validador", "validador"), "2026-10",
                      [ValueChange("E001-A11-01", "RRI", Decimal("22"))], today=TODAY)
    assert res.reopened_states == [("2026-10", "0301")]
    assert workflow.states(demo_db, "2026-10")["0301"] == "capturando"
    entry = audit_log.query(demo_db, entity="period")[0]
    assert (entry.key, entry.old, entry.new, entry.user) == ("2026-10/0301", "validado", "capturando", "validador")
    assert "admin" in entry.reason and "validado" in entry.reason


def test_other_agency_and_consulta_denied(demo_db):
    with pytest.raises(PermissionDenied) as exc:
        save_values(demo_db, CAP_0801, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(1))], today=TODAY)
    assert "0301" in str(exc.value)
    with pytest.raises(PermissionDenied):
        save_values(demo_db, CONSULTA, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(1))], today=TODAY)
    assert _value(demo_db, "E001-A11-01", "RRI", "2026-10").value == Decimal(24)


def test_all_or_nothing_with_spanish_details(demo_db):
    changes = [ValueChange("E001-A11-01", "RRI", Decimal(5)),  # fine alone
               ValueChange("E001-A11-01", "RPI", Decimal(-1)),  # AV-002
               ValueChange("E001-C1-01", "LMP", Decimal(1)),  # trimestral: not in October
               ValueChange("E001-A11-01", "NOPE", Decimal(1)),
               ValueChange("X-999", "A", Decimal(1))]
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, ADMIN, "2026-10", changes, today=TODAY)
    details = "\n".join(exc.value.details)
    assert "AV-002" in details and "RPI" in details and "E001-A11-01" in details
    assert "trimestral" in details and "NOPE" in details and "X-999" in details
    assert _value(demo_db, "E001-A11-01", "RRI", "2026-10").value == Decimal(24)


def test_closed_period_and_not_ended_period(demo_db):
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, ADMIN, "2026-09", [ValueChange("E001-A11-01", "RRI", Decimal(5))], today=TODAY)
    assert "PER-003" in str(exc.value)
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, ADMIN, "2026-11", [ValueChange("E001-A11-01", "RRI", Decimal(5))], today=TODAY)
    assert "AV-008" in str(exc.value)
    # with an injected later "today" November can be captured
    save_values(demo_db, ADMIN, "2026-11", [ValueChange("E001-A11-01", "RRI", Decimal(5))], today=date(2026, 12, 2))


def test_integer_only_and_clear(demo_db):
    with demo_db.transaction() as s:
        v = s.scalars(select(Variable).where(Variable.key == "RRI")).one()
        v.integer_only = True
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, ADMIN, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("2.5"))], today=TODAY)
    assert "entero" in str(exc.value)
    res = save_values(demo_db, ADMIN, "2026-10", [ValueChange("E001-A11-01", "RRI", None)], today=TODAY)
    assert res.cleared == 1 and _value(demo_db, "E001-A11-01", "RRI", "2026-10") is None


def test_quarterly_month_maps_to_quarter_after_reopen(demo_db):
    from sistema_seguimiento.services import workflow
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "corrección del T3")
    res = save_values(demo_db, CAP_0301, "2026-09", [ValueChange("E001-C1-01", "LMP", Decimal(1000))], today=TODAY)
    assert res.periods == {"E001-C1-01": "2026-T3"}


def test_capture_rows_due_variables_only(demo_db):
    oct_ = capture_rows(demo_db, "2026-10")
    assert {i.frequency for i in oct_.indicators} == {"mensual"}
    sep = capture_rows(demo_db, "2026-09", agency_key="0301")
    freqs = {i.key: i.period for i in sep.indicators}
    assert freqs["E001-C1-01"] == "2026-T3" and "E001-P-01" not in freqs  # semestral not due in September
    assert all(i.agency_key == "0301" for i in sep.indicators)
    dec = capture_rows(demo_db, "2026-12", program_key="E001")
    assert {i.period for i in dec.indicators} >= {"2026", "2026-S2", "2026-T4", "2026-12"}
    row = oct_.indicators[0]
    assert row.variables[0].target is not None and row.progress.result is not None
    assert oct_.states == {"0301": "validado", "0801": "validado"}


def test_justification_evidence_and_budget(demo_db, tmp_path):
    info = justifications.save(demo_db, CAP_0301, "E001-A11-01", "2026-10", cause="Lluvias", effect="Retraso")
    assert info.exists
    f = tmp_path / "oficio.pdf"
    f.write_bytes(b"%PDF-1.4 prueba")
    ev = justifications.add_evidence(demo_db, CAP_0301, "E001-A11-01", "2026-10", f)
    import hashlib
    assert ev.sha256 == hashlib.sha256(b"%PDF-1.4 prueba").hexdigest() and ev.stored_path.exists()
    big = tmp_path / "grande.pdf"
    with open(big, "wb") as fh:
        fh.truncate(justifications.MAX_EVIDENCE_BYTES + 1)
    with pytest.raises(ServiceError) as exc:
        justifications.add_evidence(demo_db, CAP_0301, "E001-A11-01", "2026-10", big)
    assert "20 MB" in str(exc.value)
    with pytest.raises(PermissionDenied):
        justifications.save(demo_db, CAP_0801, "E001-A11-01", "2026-10", cause="x")
    budget.save(demo_db, CAP_0301, "E001", "2026-10", approved=Decimal("1500000"), modified=Decimal("1450000.50"),
                exercised=Decimal("120000"))
    assert budget.get(demo_db, "E001", "2026-10").modified == Decimal("1450000.50")
    with pytest.raises(PermissionDenied):
        budget.save(demo_db, CAP_0801, "E001", "2026-10", approved=None, modified=None, exercised=None)
