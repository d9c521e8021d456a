"""Tarjeta de justificación (issue 16): under the Estado de México profile a justification is hecho, causa,
acción correctiva y proyección, all four required; the capture grid and sending the month count only a complete
tarjeta. The generic profile keeps causa (required), efecto, otros motivos, acciones de mejora."""
from datetime import date
from decimal import Decimal

import pytest

from sistema_seguimiento.services import capture, justifications, profiles, workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
VAL = CurrentUser("validador", "validador")
CAP = CurrentUser("captura-0301", "capturista", "0301")
IND = "E001-A11-01"
TARJETA = dict(fact="Se repararon 5 de 24 luminarias", cause="Falta de vehículos",
               improvement_actions="Renta de una grúa", projection="Recuperar la meta en diciembre")


def _out_of_band(db):
    workflow.apply(db, VAL, "devolver", "2026-10", "0301", "Capture de nuevo")  # demo October is validado
    save_values(db, CAP, "2026-10", [ValueChange(IND, "RRI", Decimal(5))], today=TODAY)  # 20.83 %


def _row(db):
    sheet = capture.capture_rows(db, "2026-10", "0301")
    return next(ci for ci in sheet.indicators if ci.key == IND)


def test_tarjeta_requires_the_four_parts_and_blocks_sending_until_complete(demo_db):
    profiles.set_profile(demo_db, ADMIN, "edomex")
    _out_of_band(demo_db)
    with pytest.raises(ServiceError) as exc:
        justifications.save(demo_db, CAP, IND, "2026-10", cause="Falta de vehículos")
    assert "hecho" in str(exc.value) and "proyección" in str(exc.value)
    assert not justifications.get(demo_db, IND, "2026-10").exists
    with pytest.raises(ServiceError) as exc:
        justifications.save(demo_db, CAP, IND, "2026-10", **{**TARJETA, "projection": "  "})
    assert "falta proyección" in str(exc.value)
    with pytest.raises(ServiceError) as exc:
        workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert "AV-006" in str(exc.value.details)
    assert _row(demo_db).has_justification is False
    info = justifications.save(demo_db, CAP, IND, "2026-10", **TARJETA)
    assert info.tarjeta and info.complete
    assert (info.fact, info.cause, info.improvement_actions, info.projection) == tuple(TARJETA.values())
    assert _row(demo_db).has_justification is True
    with pytest.raises(ServiceError) as exc:  # the demo's generic justification of E001-A12-01 (145 %) is no tarjeta
        workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert [d for d in exc.value.details if "E001-A12-01" in d] and not [d for d in exc.value.details if IND in d]
    justifications.save(demo_db, CAP, "E001-A12-01", "2026-10", **TARJETA)
    res = workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert [(t.agency_key, t.new) for t in res.transitions] == [("0301", "enviado")]


def test_a_generic_justification_does_not_count_as_a_tarjeta(demo_db):
    _out_of_band(demo_db)
    justifications.save(demo_db, CAP, IND, "2026-10", cause="Falta de vehículos", effect="Calles oscuras")
    assert _row(demo_db).has_justification is True
    profiles.set_profile(demo_db, ADMIN, "edomex")  # the stored record has no hecho nor proyección
    assert _row(demo_db).has_justification is False
    assert not justifications.get(demo_db, IND, "2026-10").complete
    with pytest.raises(ServiceError) as exc:
        workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert IND in " ".join(exc.value.details)
    profiles.set_profile(demo_db, ADMIN, "generico")  # back: the generic record counts again, nothing was lost
    info = justifications.get(demo_db, IND, "2026-10")
    assert info.complete and info.effect == "Calles oscuras"
    workflow.apply(demo_db, CAP, "enviar", "2026-10")


def test_generic_profile_keeps_cause_only_rule(demo_db):
    _out_of_band(demo_db)
    with pytest.raises(ServiceError) as exc:
        justifications.save(demo_db, CAP, IND, "2026-10", fact="x", projection="y")
    assert "causa" in str(exc.value)
    info = justifications.save(demo_db, CAP, IND, "2026-10", cause="Falta de vehículos")
    assert not info.tarjeta and info.complete
