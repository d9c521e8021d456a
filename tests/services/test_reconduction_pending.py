"""services.reconduction: one pending request per (target, period). A request touching a period of an indicator or
a meta de actividad that another pending request touches is refused (nothing written); once that request is
decided a new one is accepted; other periods and other targets are free. A request is not authorised when another
one on the same (target, period) was authorised while it was pending (e.g. two pending requests of an older file)."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from sistema_seguimiento.db.models import Base, Indicator, Reconduction, Target, Variable
from sistema_seguimiento.services import reconduction as rc
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import CurrentUser
from tests.services.test_reconduction import _goal

ADMIN = CurrentUser("admin", "administrador")
VAL = CurrentUser("validador", "validador")
CAP = CurrentUser("captura-0301", "capturista", "0301")
IND = "E001-C1-01"  # trimestral, LMP 2026-T4 = 2800 and LP 2026-T4 in the demo
MONTHLY = "E001-A11-01"  # mensual, variables RRI and RPI


def dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, the bitácora included (a refused call must leave the file exactly as it was)."""
    with db.reading() as s:
        return {t.name: sorted((tuple(map(repr, r)) for r in s.execute(select(t))))
                for t in Base.metadata.sorted_tables}


def _value(db, ind, var, period):
    with db.reading() as s:
        return s.scalar(select(Target.value).join(Variable, Variable.id == Target.variable_id)
                        .join(Indicator, Indicator.id == Variable.indicator_id)
                        .where(Indicator.key == ind, Variable.key == var, Target.period == period))


def _ask(db, var, value, day, period="2026-T4", ind=IND, who=CAP):
    return rc.request(db, who, "indicador", ind, [rc.TargetChange(period, value, var)], "Robo de cableado",
                      today=day)


def test_a_second_request_on_a_pending_target_and_period_is_refused_naming_the_first(demo_db):
    first = _ask(demo_db, "LMP", "2500", date(2026, 12, 1))
    before = dump(demo_db)
    for var in ("LMP", "LP"):  # the indicator's 2026-T4 target, whichever variable changes
        with pytest.raises(ServiceError) as exc:
            _ask(demo_db, var, "2600", date(2026, 12, 3), who=VAL)
        msg = str(exc.value)
        assert f"indicador {IND}" in msg and "cuarto trimestre 2026 (2026-T4)" in msg
        assert f"N.º {first.id}" in msg and "captura-0301" in msg and "1 de diciembre de 2026" in msg
        assert "autorice o rechace" in msg and "pida a la UIPPE que la rechace" in msg
        assert "No se registró" in msg
        assert dump(demo_db) == before
    assert [r.id for r in rc.list_requests(demo_db)] == [first.id]


def test_accepted_again_once_the_pending_request_is_rejected_or_authorised(demo_db):
    first = _ask(demo_db, "LMP", "2500", date(2026, 12, 1))
    rc.reject(demo_db, ADMIN, first.id, note="La meta se sostiene", today=date(2026, 12, 2))
    second = _ask(demo_db, "LMP", "2600", date(2026, 12, 3))
    assert second.status == "solicitada"
    rc.authorize(demo_db, ADMIN, second.id, oficio="UIPPE/2", today=date(2026, 12, 4))
    assert _value(demo_db, IND, "LMP", "2026-T4") == Decimal(2600)
    third = _ask(demo_db, "LMP", "2700", date(2026, 12, 7))  # after an authorisation: on the new target
    assert third.changes[0]["anterior"] == "2600"
    done = rc.authorize(demo_db, ADMIN, third.id, oficio="UIPPE/3", today=date(2026, 12, 8))
    assert done.status == "autorizada" and _value(demo_db, IND, "LMP", "2026-T4") == Decimal(2700)


def test_other_periods_and_other_targets_are_not_affected(demo_db):
    nov = _ask(demo_db, "RRI", "20", date(2026, 11, 2), period="2026-11", ind=MONTHLY)
    dec = _ask(demo_db, "RRI", "21", date(2026, 11, 3), period="2026-12", ind=MONTHLY)  # same target, other period
    other = _ask(demo_db, "LMP", "2500", date(2026, 11, 3))  # another indicator, same quarter
    assert len({nov.id, dec.id, other.id}) == 3
    with pytest.raises(ServiceError) as exc:  # a request with a free period and a pending one is refused whole
        rc.request(demo_db, CAP, "indicador", MONTHLY, [rc.TargetChange("2026-12", "30", "RPI"),
                                                        rc.TargetChange("2026-11", "22", "RPI")], "Motivo",
                   today=date(2026, 11, 4))
    msg = str(exc.value)
    assert "noviembre 2026 (2026-11)" in msg and f"N.º {nov.id}" in msg
    assert f"N.º {dec.id}" in msg and "diciembre 2026 (2026-12)" in msg  # the second clash, in the details
    for r in (nov, dec, other):
        rc.authorize(demo_db, ADMIN, r.id, oficio=f"UIPPE/{r.id}", today=date(2026, 11, 5))
    assert _value(demo_db, MONTHLY, "RRI", "2026-12") == Decimal(21)


def test_meta_de_actividad_quarter_pending_annual_target_free(demo_db):
    key = _goal(demo_db)
    first = rc.request(demo_db, CAP, "meta", key, [rc.TargetChange("2026-T4", "60")], "Recorte",
                       today=date(2026, 11, 2))
    before = dump(demo_db)
    with pytest.raises(ServiceError) as exc:
        rc.request(demo_db, CAP, "meta", key, [rc.TargetChange("2026-T4", "70")], "Otro recorte",
                   today=date(2026, 11, 9))
    msg = str(exc.value)
    assert f"meta de actividad {key}" in msg and "2026-T4" in msg and f"N.º {first.id}" in msg
    assert "2 de noviembre de 2026" in msg
    assert dump(demo_db) == before
    annual = rc.request(demo_db, CAP, "meta", key, [rc.TargetChange("2026", "380")], "Meta anual",
                        today=date(2026, 11, 9))
    assert annual.status == "solicitada"


def _legacy_request(db, var, old, new, requested_at, period="2026-T4"):
    """A second pending request on the same target, as an older file may hold (written before the rule)."""
    with db.transaction() as s:
        ind = s.scalars(select(Indicator).where(Indicator.key == IND)).one()
        rec = Reconduction(kind="indicador", indicator_id=ind.id, period="2026-T4", reason="Archivo anterior",
                           status="solicitada", requested_by="captura-0301", requested_at=requested_at,
                           changes=[{"variable": var, "periodo": period, "anterior": old, "nuevo": new}])
        s.add(rec)
        s.flush()
        return rec.id


def test_not_authorised_when_another_request_on_the_target_was_authorised_while_it_was_pending(demo_db):
    first = _ask(demo_db, "LMP", "2500", date(2026, 12, 1))
    legacy = _legacy_request(demo_db, "LP", str(_value(demo_db, IND, "LP", "2026-T4")), "90",
                             datetime(2026, 12, 1, 9, 0))
    rc.authorize(demo_db, VAL, first.id, oficio="UIPPE/10", today=date(2026, 12, 2))
    before = dump(demo_db)
    with pytest.raises(ServiceError) as exc:  # its LP target is untouched, but the indicator's 2026-T4 changed
        rc.authorize(demo_db, ADMIN, legacy, oficio="UIPPE/11", today=date(2026, 12, 3))
    msg = str(exc.value)
    assert f"No se puede autorizar la solicitud {legacy}" in msg and f"N.º {first.id}" in msg
    assert "validador autorizó el 2 de diciembre de 2026" in msg and "oficio UIPPE/10" in msg
    assert "1 de diciembre de 2026 a las 09:00" in msg and "Rechace la solicitud" in msg and "2026-T4" in msg
    assert dump(demo_db) == before
    assert rc.reject(demo_db, ADMIN, legacy, note="Sustituida por la 1", today=date(2026, 12, 3)).status \
        == "rechazada"


def test_the_later_legacy_request_authorised_first_blocks_the_earlier_one(demo_db):
    first = _ask(demo_db, "LMP", "2500", date(2026, 12, 1))
    legacy = _legacy_request(demo_db, "LMP", "2800", "2600", datetime(2026, 12, 2, 9, 0))
    rc.authorize(demo_db, VAL, legacy, oficio="UIPPE/20", today=date(2026, 12, 3))
    with pytest.raises(ServiceError) as exc:
        rc.authorize(demo_db, VAL, first.id, oficio="UIPPE/21", today=date(2026, 12, 4))
    assert f"N.º {legacy}" in str(exc.value) and "ya cambió con la solicitud" in str(exc.value)
    assert _value(demo_db, IND, "LMP", "2026-T4") == Decimal(2600)


def test_a_tie_to_the_second_goes_by_the_order_of_the_requests(demo_db):
    """Stamps are to the second: authorised in the same second a request was made counts as «while pending» only
    for a request made later in the file (the request rule kept an earlier one from being pending meanwhile)."""
    first = _ask(demo_db, "LMP", "2500", date(2026, 12, 1))
    rc.authorize(demo_db, VAL, first.id, oficio="UIPPE/30", today=date(2026, 12, 2))
    second = _ask(demo_db, "LMP", "2600", date(2026, 12, 3))
    tie = datetime(2026, 12, 3, 10, 0)
    with demo_db.transaction() as s:
        s.execute(update(Reconduction).where(Reconduction.id == first.id).values(decided_at=tie))
        s.execute(update(Reconduction).where(Reconduction.id == second.id).values(requested_at=tie))
    assert rc.authorize(demo_db, VAL, second.id, oficio="UIPPE/31", today=date(2026, 12, 4)).status == "autorizada"
    legacy = _legacy_request(demo_db, "LP", str(_value(demo_db, IND, "LP", "2026-T4")), "95",
                             datetime(2026, 12, 5, 10, 0))
    late = _legacy_request(demo_db, "LMP", "2600", "2700", datetime(2026, 12, 5, 11, 0))
    rc.authorize(demo_db, VAL, late, oficio="UIPPE/32", today=date(2026, 12, 7))
    with demo_db.transaction() as s:  # the later request authorised in the second the earlier one was made
        s.execute(update(Reconduction).where(Reconduction.id == late).values(decided_at=datetime(2026, 12, 5, 10)))
    with pytest.raises(ServiceError) as exc:
        rc.authorize(demo_db, VAL, legacy, oficio="UIPPE/33", today=date(2026, 12, 7))
    assert f"N.º {late}" in str(exc.value) and "ya cambió con la solicitud" in str(exc.value)
