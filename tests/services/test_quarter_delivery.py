"""services.quarter_delivery: a delivered quarter is locked (its months closed through the close act), the
delivery is in the bitácora, reopening a month is the existing reopen act with reason."""
from datetime import date
from decimal import Decimal

import pytest

from sistema_seguimiento.services import audit_log, quarter_delivery as qd, workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.users import CurrentUser

ADMIN = CurrentUser("admin", "administrador")
VAL = CurrentUser("validador", "validador")
CAP = CurrentUser("captura-0301", "capturista", "0301")


def test_deliver_requires_validated_months_closes_them_and_records_the_delivery(demo_db):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corrección de septiembre")
    with pytest.raises(PermissionDenied):
        qd.deliver(demo_db, VAL, "2026-T3", "0301")
    with pytest.raises(ServiceError) as exc:
        qd.deliver(demo_db, ADMIN, "2026-T3", "0301")
    assert "septiembre 2026" in " ".join(exc.value.details) and "Capturando" in " ".join(exc.value.details)
    assert audit_log.query(demo_db, entity="trimestre") == []
    workflow.apply(demo_db, CAP, "enviar", "2026-09")
    with pytest.raises(ServiceError):  # enviado is not validado
        qd.deliver(demo_db, ADMIN, "2026-T3", "0301")
    workflow.apply(demo_db, VAL, "validar", "2026-09", "0301")
    assert [s.state_label for s in qd.status(demo_db, "2026-T3")] == ["Sin entregar", "Sin entregar"]
    got = qd.deliver(demo_db, ADMIN, "2026-T3", "0301", formats=["pbrm-08b", "tarjeta"])
    assert [(g.agency_key, g.delivered, g.formats) for g in got] == [("0301", True, ["pbrm-08b", "tarjeta"])]
    assert workflow.states(demo_db, "2026-09")["0301"] == "cerrado"
    entry = audit_log.query(demo_db, entity="trimestre")[0]
    assert (entry.key, entry.action, entry.user, entry.reason) == ("2026-T3/0301", "entregar_trimestre", "admin",
                                                                   "formatos: pbrm-08b, tarjeta")
    with pytest.raises(ServiceError) as exc:  # locked: a closed month refuses capture
        save_values(demo_db, CAP, "2026-09", [ValueChange("E001-A11-01", "RRI", Decimal(3))], today=date(2026, 10, 2))
    assert "PER-003" in str(exc.value)
    with pytest.raises(ServiceError) as exc:
        qd.deliver(demo_db, ADMIN, "2026-T3", "0301")
    assert "ya fue entregado" in " ".join(exc.value.details)
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Error en el 08b")
    states = {s.agency_key: s for s in qd.status(demo_db, "2026-T3")}
    assert (states["0301"].delivered, states["0301"].reopened, states["0301"].state_label) == (
        False, True, "Reabierto tras la entrega")
    assert states["0801"].state_label == "Sin entregar"


def test_deliver_all_dependencias_is_all_or_nothing(demo_db):
    with pytest.raises(ServiceError) as exc:  # November is capturando for both
        qd.deliver(demo_db, ADMIN, "2026-T4")
    assert len(exc.value.details) == 4  # November and December of two dependencias
    assert workflow.states(demo_db, "2026-10") == {"0301": "validado", "0801": "validado"}
    got = qd.deliver(demo_db, ADMIN, "2026-T3")  # the demo's third quarter is closed: delivered as it is
    assert [g.delivered for g in got] == [True, True]
    with pytest.raises(ServiceError):
        qd.quarter_months("2026-09")
