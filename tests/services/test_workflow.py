"""services.workflow: enviar/validar/devolver/cerrar/reabrir with PER-001/002/003, AV-006 and roles."""
from datetime import date
from decimal import Decimal

import pytest

from sistema_seguimiento.services import audit_log, justifications, users, workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
VAL = CurrentUser("validador", "validador")
CAP = CurrentUser("captura-0301", "capturista", "0301")


def test_capturista_cannot_close_nor_touch_other_agency(demo_db):
    with pytest.raises(PermissionDenied):
        workflow.apply(demo_db, CAP, "cerrar", "2026-10", "0301")
    with pytest.raises(PermissionDenied):
        workflow.apply(demo_db, CAP, "enviar", "2026-10", "0801")
    with pytest.raises(PermissionDenied):
        workflow.apply(demo_db, CurrentUser("consulta", "consulta"), "enviar", "2026-10")


def test_close_and_reopen_leave_audit_entries_and_closed_rejects_edits(demo_db):
    workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")
    assert workflow.states(demo_db, "2026-10")["0301"] == "cerrado"
    with pytest.raises(ServiceError) as exc:
        save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(3))], today=TODAY)
    assert "PER-003" in str(exc.value)
    with pytest.raises(ServiceError) as exc:
        workflow.apply(demo_db, ADMIN, "reabrir", "2026-10", "0301", "")
    assert "PER-002" in str(exc.value)
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-10", "0301", "Corrección solicitada por Tesorería")
    entries = audit_log.query(demo_db, entity="period")
    assert [(e.action, e.old, e.new) for e in entries[:2]] == [("reabrir", "cerrado", "capturando"),
                                                                ("cerrar", "validado", "cerrado")]
    assert entries[0].reason == "Corrección solicitada por Tesorería" and entries[0].user == "admin"
    save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(23))], today=TODAY)


def test_required_justification_blocks_sending_then_full_cycle(demo_db):
    workflow.apply(demo_db, VAL, "devolver", "2026-10", "0301", "Capture de nuevo")  # demo October is validado
    save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(5))], today=TODAY)  # 20.83 %
    with pytest.raises(ServiceError) as exc:
        workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert "AV-006" in str(exc.value) and "E001-A11-01" in str(exc.value)
    assert workflow.states(demo_db, "2026-10")["0301"] == "capturando"
    justifications.save(demo_db, CAP, "E001-A11-01", "2026-10", cause="Falta de vehículos")
    res = workflow.apply(demo_db, CAP, "enviar", "2026-10")
    assert [(t.agency_key, t.new) for t in res.transitions] == [("0301", "enviado")]
    with pytest.raises(ServiceError) as exc:
        workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")
    assert "PER-001" in str(exc.value)
    with pytest.raises(ServiceError):
        workflow.apply(demo_db, VAL, "devolver", "2026-10", "0301", "")  # comment required
    workflow.apply(demo_db, VAL, "devolver", "2026-10", "0301", "Revise recorridos")
    assert workflow.comment_of(demo_db, "2026-10", "0301") == "Revise recorridos"
    save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(6))], today=TODAY)
    assert workflow.states(demo_db, "2026-10")["0301"] == "capturando"  # devuelto → capturando on capture
    workflow.apply(demo_db, CAP, "enviar", "2026-10")
    res = workflow.apply(demo_db, VAL, "validar", "2026-10", "0301")
    assert res.transitions[0].measurements >= 1
    workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")
    assert workflow.states(demo_db, "2026-10") == {"0301": "cerrado", "0801": "validado"}


def test_user_management_roles_and_password_hash(demo_db):
    with pytest.raises(PermissionDenied):
        users.add_user(demo_db, CAP, "nuevo", "consulta")
    users.add_user(demo_db, ADMIN, "ana", "capturista", "0801", "Ana Pérez", password="clave-1")
    from sqlalchemy import select
    from sistema_seguimiento.db.models import User
    with demo_db.reading() as s:
        h = s.scalars(select(User.password_hash).where(User.name == "ana")).one()
    assert h.startswith("scrypt$") and "clave-1" not in h
    with pytest.raises(PermissionDenied):
        users.sign_in_db(demo_db, "ana", "mala")
    assert users.sign_in_db(demo_db, "ana", "clave-1").agency_key == "0801"
    if demo_db.engine.dialect.name == "sqlite":
        users.set_password(demo_db, ADMIN, "ana", None)
        assert users.sign_in_db(demo_db, "ana").role == "capturista"
    else:  # server mode: nobody without a password
        with pytest.raises(ServiceError):
            users.set_password(demo_db, ADMIN, "ana", None)
        with pytest.raises(ServiceError):
            users.add_user(demo_db, ADMIN, "beto", "consulta")
        with pytest.raises(PermissionDenied):
            users.sign_in_db(demo_db, "admin")
    with pytest.raises(ServiceError):
        users.update_user(demo_db, ADMIN, "admin", role="consulta")  # last administrador
