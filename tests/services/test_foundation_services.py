"""Loading, reading and progress services on a real database (SQLite file; PostgreSQL when configured)."""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sistema_seguimiento.core import exchange
from sistema_seguimiento.core.numbers import fmt_decimal, round2
from sistema_seguimiento.db.models import AuditEntry, Measurement, PeriodState, Program, User
from sistema_seguimiento.services.documents import read_programs
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.loading import demo_document, load_document
from sistema_seguimiento.services.maintenance import verify
from sistema_seguimiento.services.progress import compute_progress, light_counts
from sistema_seguimiento.services.users import CurrentUser, hash_password, sign_in, verify_password
from sistema_seguimiento.services.validation import validate_database

FIXTURE = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"
EXPECTED = json.loads(FIXTURE.read_text("utf-8"))["expected"]


def _count(db, model):
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_demo_loads_everything_with_keys(demo_db):
    with demo_db.reading() as s:
        pset = read_programs(s, 2026)
    assert [p.key for p in pset.programs] == ["E001", "S001"]
    inds = [i.key for p in pset.programs for i in p.indicators]
    assert sorted(inds) == sorted(EXPECTED["indicators"])
    c1 = next(i for i in pset.programs[0].indicators if i.key == "E001-C1-01")
    assert [v.key for v in c1.variables] == ["LMP", "LP"]
    assert c1.targets["2026-T1"] == {"LMP": Decimal("2400"), "LP": Decimal("18000")}
    assert list(c1.targets) == ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]
    assert _count(demo_db, Measurement) == 172


def test_demo_users_and_workflow(demo_db):
    with demo_db.reading() as s:
        names = set(s.scalars(select(User.name)))
        states = {(st.period, st.status) for st in s.scalars(select(PeriodState))}
    assert {"admin", "validador", "consulta", "captura-0301", "captura-0801"} <= names
    assert ("2026-09", "cerrado") in states and ("2026-10", "validado") in states
    assert not any(p == "2026-10" and st == "cerrado" for p, st in states)


def test_progress_service_matches_fixture(demo_db):
    rows = compute_progress(demo_db, "2026-10")
    assert len(rows) == 16
    for r in rows:
        acc = EXPECTED["indicators"][r.indicator_key]["acumulado"]
        got = None if r.progress_pct is None else fmt_decimal(round2(r.progress_pct))
        assert got == acc["pct_avance"], r.indicator_key
        assert r.light == acc["semaforo_preset_A"], r.indicator_key
    counts = light_counts(rows)
    assert sum(counts.values()) == 16
    for prog, exp in EXPECTED["programs"].items():
        mine = light_counts([r for r in rows if r.program_key == prog])
        assert {k: v for k, v in mine.items() if v} == exp["semaforo_preset_A_conteo"]


def test_progress_filters(demo_db):
    assert {r.program_key for r in compute_progress(demo_db, "2026-10", program_key="S001")} == {"S001"}
    assert {r.agency_key for r in compute_progress(demo_db, "2026-10", agency_key="DSPM")} == {"0301"}
    with pytest.raises(ServiceError, match="No existe el programa"):
        compute_progress(demo_db, "2026-10", program_key="Z999")
    with pytest.raises(ServiceError):
        compute_progress(demo_db, "octubre")


def test_validation_of_demo_has_no_errors(demo_db):
    findings = validate_database(demo_db)
    assert [f for f in findings if f.severity == "error"] == []


def test_load_is_all_or_nothing(new_db):
    doc = demo_document()
    bad = copy.deepcopy(doc)
    # second program reuses an indicator key of the first: refused as a whole
    bad.programs[1].indicators[0].key = bad.programs[0].indicators[0].key
    with pytest.raises(Exception):
        load_document(new_db, bad)
    assert _count(new_db, Program) == 0 and _count(new_db, Measurement) == 0
    load_document(new_db, doc)
    with pytest.raises(ServiceError, match="Ya existen"):
        load_document(new_db, doc)
    assert _count(new_db, Program) == 2


def test_only_admin_loads(new_db):
    with pytest.raises(PermissionDenied, match="no puede cargar"):
        load_document(new_db, demo_document(), actor=CurrentUser("ana", "capturista", "0301"))
    assert _count(new_db, Program) == 0


def test_load_writes_audit_entry(demo_db):
    with demo_db.reading() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "cargar")).all()
    assert entries and "16 indicadores" in entries[0].new


def test_passwords_are_salted_scrypt(new_db):
    h1, h2 = hash_password("secreto"), hash_password("secreto")
    assert h1 != h2 and h1.startswith("scrypt$") and "secreto" not in h1
    assert verify_password("secreto", h1) and not verify_password("otro", h1)
    from sistema_seguimiento.services.setup import initialize_empty

    initialize_empty(new_db, name="Municipio de prueba", year=2026)
    with new_db.transaction() as s:
        s.add(User(name="ana", role="validador", password_hash=h1))
    with new_db.reading() as s:
        assert sign_in(s, "ana", "secreto").role == "validador"
        with pytest.raises(PermissionDenied):
            sign_in(s, "ana", "mal")
        with pytest.raises(PermissionDenied):
            sign_in(s, "ana")
        if new_db.engine.dialect.name == "sqlite":
            assert sign_in(s, "admin").role == "administrador"
        else:  # server mode: a user without a password cannot sign in
            with pytest.raises(PermissionDenied):
                sign_in(s, "admin")


def test_verify_clean_and_detects_bad_period(demo_db):
    assert verify(demo_db) == []
    with demo_db.transaction() as s:
        m = s.scalars(select(Measurement)).first()
        m.period = "2026-T9"
    problems = verify(demo_db)
    assert any("2026-T9" in p for p in problems)


def test_exchange_round_trip_through_database(demo_db, tmp_path):
    from sistema_seguimiento.services.mir_view import mir_json

    data = mir_json(demo_db)
    text = exchange.dumps(data)
    again = exchange.read_exchange(exchange.loads(text))
    src = demo_document()
    assert [p.key for p in again.programs] == [p.key for p in src.programs]
    for a, b in zip(again.programs, src.programs):
        for ia, ib in zip(a.indicators, b.indicators):
            assert ia.key == ib.key and ia.formula == ib.formula and ia.targets == ib.targets
            assert ia.annual_target == ib.annual_target
