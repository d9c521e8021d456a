"""Two real databases play the planning office (the demo municipio) and a dependencia's PC (a fresh file)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services import justifications
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.loading import load_demo
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
CAP = CurrentUser("captura-0301", "capturista", "0301")
IND, VAR = "E001-A11-01", "RRI"  # mensual, dependencia 0301, 24 captured for 2026-10 in the demo


@pytest.fixture
def office(tmp_path):
    db = Database.open(tmp_path / "oficina.db", OpenOptions(create=True))
    load_demo(db)
    # the demo's October is «Validado», read-only for capturistas: the office returns it before packaging it
    from sistema_seguimiento.services import workflow

    for agency in ("0301", "0801"):
        workflow.apply(db, CurrentUser("validador", "validador"), "devolver", "2026-10", agency, "Capture octubre")
    yield db
    db.close()


@pytest.fixture
def dependencia(tmp_path):
    db = Database.open(tmp_path / "dependencia.db", OpenOptions(create=True))
    yield db
    db.close()


@pytest.fixture
def response(tmp_path, office, dependencia):
    """A real response: package for 0301 (Oct–Dec), opened in the dependencia, one value changed, a
    justification and an evidence file, answered by the capturista."""
    P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p.ses")
    P.open_package(dependencia, tmp_path / "p.ses")
    save_values(dependencia, CAP, "2026-10", [ValueChange(IND, VAR, Decimal("30"))], today=TODAY)
    justifications.save(dependencia, CAP, IND, "2026-10", cause="Lluvias intensas", effect="Menos recorridos")
    pdf = tmp_path / "acta.pdf"
    pdf.write_bytes(b"%PDF-1.4 acta de recorridos\n")
    justifications.add_evidence(dependencia, CAP, IND, "2026-10", pdf)
    P.respond(dependencia, CAP, tmp_path / "r.ses")
    return tmp_path / "r.ses"
