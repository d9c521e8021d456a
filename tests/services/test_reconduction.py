"""services.reconduction: SEGEMUN's date rules at their edges (``today=`` injected), roles, non-retroactivity,
targets changed only on authorisation, bitácora entries; metas de actividad."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.models import (ActivityGoal, ActivityGoalQuarter, Program, Project, Reconduction,
                                           Target, Variable, Indicator)
from sistema_seguimiento.services import audit_log, reconduction as rc
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.users import CurrentUser

ADMIN = CurrentUser("admin", "administrador")
VAL = CurrentUser("validador", "validador")
CAP = CurrentUser("captura-0301", "capturista", "0301")
CAP2 = CurrentUser("captura-0801", "capturista", "0801")
IND = "E001-C1-01"  # trimestral, LMP 2026-T4 = 2800 in the demo


def _target(db, ind, var, period):
    with db.reading() as s:
        return s.execute(select(Target.value, Target.original_value, Target.change_reason)
                         .join(Variable, Variable.id == Target.variable_id)
                         .join(Indicator, Indicator.id == Variable.indicator_id)
                         .where(Indicator.key == ind, Variable.key == var, Target.period == period)).one()


def _rows(db):
    with db.reading() as s:
        return s.execute(select(Reconduction.id, Reconduction.status)).all()


def test_request_on_the_last_business_day_then_authorised_on_the_fifth_business_day_after(demo_db):
    # 2026-T4: last business day Thursday 31 Dec; 1 Jan 2027 is a rest day, so the fifth business day is Jan 8
    info = rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "2,500", "LMP")],
                      "Baja de luminarias por robo de cableado", today=date(2026, 12, 31))
    assert (info.status, info.period, info.agency_key) == ("solicitada", "2026-T4", "0301")
    assert info.changes == [{"variable": "LMP", "periodo": "2026-T4", "anterior": "2800", "nuevo": "2500"}]
    assert info.request_deadline == date(2026, 12, 31) and info.decision_deadline == date(2027, 1, 8)
    assert _target(demo_db, IND, "LMP", "2026-T4")[0] == Decimal(2800)  # not before authorisation
    with pytest.raises(PermissionDenied):
        rc.authorize(demo_db, CAP, info.id, oficio="UIPPE/001/2027", today=date(2027, 1, 8))
    with pytest.raises(ServiceError) as exc:
        rc.authorize(demo_db, VAL, info.id, oficio="", today=date(2027, 1, 8))
    assert "oficio" in str(exc.value)
    done = rc.authorize(demo_db, VAL, info.id, oficio="UIPPE/001/2027", today=date(2027, 1, 8))
    assert (done.status, done.oficio, done.decided_by) == ("autorizada", "UIPPE/001/2027", "validador")
    value, original, why = _target(demo_db, IND, "LMP", "2026-T4")
    assert (value, original) == (Decimal(2500), Decimal(2800))
    assert "oficio UIPPE/001/2027" in why
    actions = [(e.action, e.entity) for e in audit_log.query(demo_db) if e.action.endswith("reconduccion")
               or e.action == "reconducir"]
    assert ("solicitar_reconduccion", "reconduccion") in actions and ("autorizar_reconduccion", "reconduccion") \
        in actions and ("reconducir", "meta") in actions
    change = next(e for e in audit_log.query(demo_db, action="reconducir"))
    assert (change.key, change.old, change.new) == (f"{IND}/LMP/2026-T4", "2800", "2500")
    with pytest.raises(ServiceError) as exc:  # decided once
        rc.reject(demo_db, ADMIN, info.id, note="no", today=date(2027, 1, 8))
    assert "ya fue autorizada" in str(exc.value)


def test_decision_on_the_sixth_business_day_is_refused_with_the_dates(demo_db):
    info = rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "2500", "LMP")], "Motivo",
                      today=date(2026, 12, 15))
    with pytest.raises(ServiceError) as exc:
        rc.authorize(demo_db, ADMIN, info.id, oficio="UIPPE/9", today=date(2027, 1, 11))
    msg = str(exc.value)
    assert "8 de enero de 2027" in msg and "31 de diciembre de 2026" in msg and "11 de enero de 2027" in msg
    assert rc.get(demo_db, info.id).status == "solicitada"
    assert _target(demo_db, IND, "LMP", "2026-T4")[0] == Decimal(2800)


def test_request_after_the_last_business_day_is_refused_in_spanish(demo_db):
    with pytest.raises(ServiceError) as exc:
        rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "2500", "LMP")], "Motivo",
                   period="2026-T4", today=date(2027, 1, 1))
    msg = str(exc.value)
    assert "31 de diciembre de 2026" in msg and "1 de enero de 2027" in msg and "último día hábil" in msg
    assert _rows(demo_db) == []


def test_request_on_a_weekend_closing_the_quarter_is_late():
    # 2029-T2: June 30 is a Saturday; the last business day is Friday June 29
    rc.check_request_date("2029-T2", date(2029, 6, 29))
    with pytest.raises(ServiceError) as exc:
        rc.check_request_date("2029-T2", date(2029, 6, 30))
    assert "29 de junio de 2029" in str(exc.value)
    # 2030-T3 closes Monday Sep 30; Oct 1 2030 is a rest day: decision by Oct 8, not Oct 9
    rc.check_decision_date(1, "2030-T3", date(2030, 9, 30), date(2030, 10, 8))
    with pytest.raises(ServiceError):
        rc.check_decision_date(1, "2030-T3", date(2030, 9, 30), date(2030, 10, 9))


def test_never_retroactive_and_other_refusals_leave_nothing(demo_db):
    with pytest.raises(ServiceError) as exc:  # October ended before the request of 20 November
        rc.request(demo_db, CAP, "indicador", "E001-A11-01", [rc.TargetChange("2026-10", "20", "RRI")], "Motivo",
                   today=date(2026, 11, 20))
    assert "no es retroactiva" in str(exc.value) and "31 de octubre de 2026" in str(exc.value)
    with pytest.raises(ServiceError) as exc:  # two variables: which one?
        rc.request(demo_db, CAP, "indicador", "E001-A11-01", [rc.TargetChange("2026-11", "20")], "Motivo",
                   today=date(2026, 11, 20))
    assert "RRI, RPI" in str(exc.value)
    with pytest.raises(ServiceError):  # no reason
        rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "1", "LMP")], " ",
                   today=date(2026, 11, 20))
    with pytest.raises(PermissionDenied):  # another dependencia's indicator
        rc.request(demo_db, CAP2, "indicador", IND, [rc.TargetChange("2026-T4", "1", "LMP")], "Motivo",
                   today=date(2026, 11, 20))
    with pytest.raises(PermissionDenied):
        rc.request(demo_db, CurrentUser("consulta", "consulta"), "indicador", IND,
                   [rc.TargetChange("2026-T4", "1", "LMP")], "Motivo", today=date(2026, 11, 20))
    assert _rows(demo_db) == []
    ok = rc.request(demo_db, CAP, "indicador", "E001-A11-01", [rc.TargetChange("2026-11", "20", "RRI")], "Motivo",
                    today=date(2026, 11, 20))
    assert ok.period == "2026-T4"


def test_rejection_needs_a_note_and_changes_nothing(demo_db):
    info = rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "2500", "LMP")], "Motivo",
                      today=date(2026, 12, 1))
    with pytest.raises(ServiceError):
        rc.reject(demo_db, ADMIN, info.id, note="", today=date(2026, 12, 2))
    done = rc.reject(demo_db, ADMIN, info.id, note="La meta se sostiene", oficio="UIPPE/7",
                     today=date(2026, 12, 2))
    assert (done.status, done.decision_note) == ("rechazada", "La meta se sostiene")
    assert _target(demo_db, IND, "LMP", "2026-T4")[0] == Decimal(2800)
    assert [r.id for r in rc.list_requests(demo_db, status="rechazada")] == [info.id]
    assert rc.list_requests(demo_db, period="2026-T3") == []


def test_authorisation_refused_when_the_target_changed_since_the_request(demo_db):
    from sistema_seguimiento.services import editing

    info = rc.request(demo_db, CAP, "indicador", IND, [rc.TargetChange("2026-T4", "2500", "LMP")], "Motivo",
                      today=date(2026, 12, 1))
    editing.set_target(demo_db, ADMIN, IND, "LMP", "2026-T4", Decimal(2700), reason="Ajuste")
    with pytest.raises(ServiceError) as exc:
        rc.authorize(demo_db, ADMIN, info.id, oficio="UIPPE/8", today=date(2026, 12, 2))
    assert "cambió desde la solicitud" in str(exc.value)
    assert _target(demo_db, IND, "LMP", "2026-T4")[0] == Decimal(2700)
    assert rc.get(demo_db, info.id).status == "solicitada"


def _goal(db):
    with db.transaction() as s:
        prog = s.scalars(select(Program).where(Program.key == "E001")).first()
        proj = Project(program_id=prog.id, key="019999990101", name="Alumbrado público", auxiliary_key="101")
        s.add(proj)
        s.flush()
        goal = ActivityGoal(project_id=proj.id, key="1", name="Reparar luminarias", unit="Luminaria",
                            annual_target=Decimal(400), annual_target_original=Decimal(400))
        s.add(goal)
        s.flush()
        for n, v in enumerate((100, 100, 100, 100), 1):
            s.add(ActivityGoalQuarter(goal_id=goal.id, period=f"2026-T{n}", programmed=Decimal(v),
                                      programmed_original=Decimal(v)))
    return "019999990101/1"


def test_meta_de_actividad_quarter_and_annual_target(demo_db):
    key = _goal(demo_db)
    with pytest.raises(ServiceError) as exc:
        rc.request(demo_db, CAP, "meta", key, [rc.TargetChange("2026-T3", "80")], "Motivo", today=date(2026, 11, 2))
    assert "no es retroactiva" in str(exc.value)
    info = rc.request(demo_db, CAP, "meta", key, [rc.TargetChange("2026-T4", "60"), rc.TargetChange("2026", "360")],
                      "Recorte presupuestal", today=date(2026, 11, 2))
    assert info.changes == [{"periodo": "2026-T4", "anterior": "100", "nuevo": "60"},
                            {"periodo": "2026", "anterior": "400", "nuevo": "360"}]
    rc.authorize(demo_db, VAL, info.id, oficio="UIPPE/12", today=date(2026, 11, 3))
    with demo_db.reading() as s:
        goal = s.scalars(select(ActivityGoal).join(Project).where(Project.key == "019999990101")).one()
        q4 = next(q for q in goal.quarters if q.period == "2026-T4")
        assert (goal.annual_target, goal.annual_target_original) == (Decimal(360), Decimal(400))
        assert (q4.programmed, q4.programmed_original) == (Decimal(60), Decimal(100))
    entries = audit_log.query(demo_db, entity="meta_actividad")
    assert {(e.field, e.old, e.new) for e in entries} == {("programado 2026-T4", "100", "60"),
                                                          ("meta_anual", "400", "360")}
