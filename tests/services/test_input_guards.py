"""Bad input is refused by the services before anything is written (issue 11, «input»): absurd values, the unit's
range, periods outside the fiscal years, control characters and lengths in names, evidence that is not a regular
file."""
from __future__ import annotations

import os
import socket
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sistema_seguimiento.core import limits
from sistema_seguimiento.db.models import AuditEntry, Evidence, Measurement
from sistema_seguimiento.services import capture, editing, justifications, users, workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import CurrentUser

ADMIN = CurrentUser("admin", "administrador")
CAP = CurrentUser("captura-0301", "capturista", "0301")
TODAY = date(2026, 12, 31)


def _counts(db):
    with db.reading() as s:
        return (s.scalar(select(func.count()).select_from(Measurement)),
                s.scalar(select(func.count()).select_from(AuditEntry)),
                s.scalar(select(func.count()).select_from(Evidence)))


def _value(db, ind, var, period):
    sheet = capture.capture_rows(db, period)
    ci = next(i for i in sheet.indicators if i.key == ind)
    return next(v.value for v in ci.variables if v.key == var)


def _returned(db):
    """The demo's October is «Validado», read-only for capturistas: the validador returns 0301's first."""
    workflow.apply(db, CurrentUser("validador", "validador"), "devolver", "2026-10", "0301", "Capture octubre")
    return db


def test_sixty_digit_value_is_refused_before_writing(demo_db):
    _returned(demo_db)
    before = _counts(demo_db)
    huge = Decimal("1" * 60)
    with pytest.raises(ServiceError) as err:
        save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", huge)], today=TODAY)
    assert "60 dígitos enteros" in str(err.value) and "LSL" in str(err.value)
    with pytest.raises(ServiceError, match="7 decimales"):
        save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", Decimal("1.1234567"))], today=TODAY)
    assert _counts(demo_db) == before
    # the limits themselves are accepted
    save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", Decimal("999999999999999.5"))],
                today=TODAY)
    assert _value(demo_db, "E001-A12-01", "LSL", "2026-10") == Decimal("999999999999999.5")


def test_percentage_variable_outside_0_100_is_refused(demo_db):
    _returned(demo_db)
    editing.update_variable(demo_db, ADMIN, "E001-A12-01", "LSL", "unit", "Porcentaje")
    before = _counts(demo_db)
    with pytest.raises(ServiceError, match="entre 0 y 100"):
        save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", Decimal("100.5"))], today=TODAY)
    with pytest.raises(ServiceError, match="AV-002"):
        save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", Decimal("-1"))], today=TODAY)
    assert _counts(demo_db) == before
    save_values(demo_db, CAP, "2026-10", [ValueChange("E001-A12-01", "LSL", Decimal("100"))], today=TODAY)
    assert _value(demo_db, "E001-A12-01", "LSL", "2026-10") == Decimal(100)


def test_negative_count_refused(demo_db):
    before = _counts(demo_db)
    with pytest.raises(ServiceError, match="AV-002"):
        save_values(demo_db, ADMIN, "2026-10", [ValueChange("S001-A21-01", "AT", Decimal(-3))], today=TODAY)
    assert _counts(demo_db) == before


@pytest.mark.parametrize("action,reason", [("cerrar", ""), ("reabrir", "motivo"), ("enviar", ""),
                                           ("validar", ""), ("devolver", "comentario")])
def test_workflow_refuses_periods_outside_the_fiscal_years(demo_db, action, reason):
    before = _counts(demo_db)
    with pytest.raises(ServiceError) as err:
        workflow.apply(demo_db, ADMIN, action, "2031-05", None, reason)
    assert "2031-05" in str(err.value) and "(2026)" in str(err.value)
    assert _counts(demo_db) == before
    assert "2031-05" not in str(workflow.states(demo_db, "2031-05"))


def test_capture_and_justification_refuse_periods_outside_the_fiscal_years(demo_db):
    before = _counts(demo_db)
    with pytest.raises(ServiceError, match=r"«2019-10» no pertenece a los ejercicios de esta base de datos \(2026\)"):
        save_values(demo_db, CAP, "2019-10", [ValueChange("E001-A12-01", "LSL", Decimal(3))], today=TODAY)
    with pytest.raises(ServiceError, match="2027-01"):
        justifications.save(demo_db, CAP, "E001-A12-01", "2027-01", cause="Lluvias")
    assert _counts(demo_db) == before


def test_control_characters_and_lengths_in_names_are_refused(demo_db):
    before = _counts(demo_db)
    with pytest.raises(ServiceError, match="U\\+0007"):
        editing.update_indicator(demo_db, ADMIN, "E001-A12-01", "name", "Luminarias\x07 reparadas")
    with pytest.raises(ServiceError, match="máximo de 1,000 caracteres"):
        editing.update_variable(demo_db, ADMIN, "E001-A12-01", "LSL", "name", "x" * 1001)
    with pytest.raises(ServiceError) as err:
        users.add_user(demo_db, ADMIN, "ana\x1b[31m", "validador", password="clave-segura")  # (a server needs one)
    assert "ana" in str(err.value) and "\x1b" not in str(err.value)
    with pytest.raises(ServiceError) as err:
        users.add_user(demo_db, ADMIN, "ana", "validador", full_name="Ana " + "u" * 1500, password="clave-segura")
    assert "…" in str(err.value) and len(str(err.value)) < 300  # long input cut in the message
    with pytest.raises(ServiceError, match="U\\+0000"):
        justifications.save(demo_db, CAP, "E001-A11-01", "2026-10", cause="Lluvias\x00")
    assert _counts(demo_db) == before
    # tabs and line breaks are fine in names and long texts
    editing.update_indicator(demo_db, ADMIN, "E001-A12-01", "name", "Luminarias\nreparadas")


# ---- evidence files --------------------------------------------------------------------------------------

def _refused(db, path, needle):
    before = _counts(db)
    with pytest.raises(ServiceError) as err:
        justifications.add_evidence(db, CAP, "E001-A11-01", "2026-10", path)
    assert needle in str(err.value) and os.path.basename(str(path))[:20] in str(err.value)
    assert _counts(db) == before
    return str(err.value)


def test_evidence_refuses_links_folders_and_special_files(demo_db, tmp_path):
    justifications.save(demo_db, CAP, "E001-A11-01", "2026-10", cause="Lluvias")
    real = tmp_path / "oficio.pdf"
    real.write_bytes(b"%PDF-1.4 oficio")
    link = tmp_path / "enlace.pdf"
    link.symlink_to(real)
    _refused(demo_db, link, "enlace")
    hard = tmp_path / "duro.pdf"
    os.link(real, hard)
    _refused(demo_db, hard, "enlace duro")
    os.unlink(hard)
    folder = tmp_path / "carpeta.pdf"
    folder.mkdir()
    _refused(demo_db, folder, "carpeta")
    fifo = tmp_path / "tuberia.pdf"
    os.mkfifo(fifo)
    _refused(demo_db, fifo, "no es un archivo normal")  # and it did not block waiting for a writer
    _refused(demo_db, "/dev/null", "no es un archivo normal")
    sock_path = tmp_path / "s.pdf"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        _refused(demo_db, sock_path, "no es un archivo normal")
    finally:
        sock.close()
    dangling = tmp_path / "roto.pdf"
    dangling.symlink_to(tmp_path / "no-existe.pdf")
    _refused(demo_db, dangling, "enlace")
    # the regular file is copied, and nothing else was left in the evidence folder
    info = justifications.add_evidence(demo_db, CAP, "E001-A11-01", "2026-10", real)
    assert info.stored_path.read_bytes() == b"%PDF-1.4 oficio" and not info.stored_path.is_symlink()
    leftovers = [p for p in info.stored_path.parent.parent.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_evidence_size_limit_names_the_file(demo_db, tmp_path):
    big = tmp_path / "grande.pdf"
    with open(big, "wb") as fh:
        fh.truncate(limits.MAX_EVIDENCE_BYTES + 1)
    _refused(demo_db, big, "límite")


def test_targets_keep_the_digit_limits(demo_db):
    before = _counts(demo_db)
    with pytest.raises(ServiceError, match="Meta: «1{60}» tiene 60 dígitos enteros"):
        editing.set_target(demo_db, ADMIN, "E001-A12-01", "LSL", "2026-12", "1" * 60)
    assert _counts(demo_db) == before
