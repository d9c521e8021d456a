"""Issue 16, «perfil»: ``ses perfil`` shows and sets the state profile; switching changes the semáforo ranges of
``ses avance`` and the required ficha fields of ``ses validar``, and never touches stored data (byte for byte)."""
from __future__ import annotations

import json
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.cli.test_ses_command import ses

ADMIN = {"SES_USUARIO": "admin"}
KEYS = {"perfil", "nombre", "calendario", "justificacion", "formatos"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("perfil") / "demo.db"
    ses("demo", "--db", db)
    return db


def _perfil(db) -> dict:
    return json.loads(ses("perfil", "--db", db, "--json").stdout)


def _avance(db) -> list[dict]:
    return json.loads(ses("avance", "--db", db, "--periodo", "2026-10", "--json").stdout)


def _dump(db) -> dict[str, list[str]]:
    """Every table but ``organization`` and the bitácora (``audit_entry``, ``audit_chain_head``), as SQL text, in a stable order."""
    con = sqlite3.connect(db)
    try:
        out: dict[str, list[str]] = {}
        for line in con.iterdump():
            if line.startswith('INSERT INTO "'):
                table = line.split('"')[1]
                if table not in ("organization", "audit_entry", "audit_chain_head"):
                    out.setdefault(table, []).append(line)
        return out
    finally:
        con.close()


def _org_without_settings(db) -> list:
    con = sqlite3.connect(db)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(organization)") if r[1] != "settings"]
        return con.execute(f"SELECT {', '.join(cols)} FROM organization").fetchall()
    finally:
        con.close()


def _light(pct: str | None, bands) -> str | None:
    """Classify a rounded % with the bands written out here (independent of core.semaforo)."""
    if pct is None:
        return None
    x = Decimal(pct).quantize(Decimal("0.01"), ROUND_HALF_UP)
    for test, light in bands:
        if test(x):
            return light
    raise AssertionError(pct)


GENERIC = [(lambda x: x < 80, "rojo"), (lambda x: x < 90, "amarillo"), (lambda x: x <= 110, "verde"),
           (lambda x: x <= 130, "amarillo"), (lambda x: True, "rojo")]
EDOMEX = [(lambda x: x < 90, "rojo"), (lambda x: x <= 110, "verde"), (lambda x: True, "rojo")]


def test_show_and_set_the_profile(demo):
    shown = _perfil(demo)
    assert set(shown) == KEYS
    assert shown["perfil"] == "generico" and shown["calendario"] == "mensual" and shown["formatos"] == []
    text = ses("perfil", "--db", demo).stdout
    assert "Genérico (CONEVAL/SHCP)" in text and "Elaboró, Revisó, Autorizó" in text

    p = ses("perfil", "--db", demo, "edomex", check=False)  # the database has users: who?
    assert p.returncode == 2 and "--usuario" in p.stderr and "Administrador" in p.stderr
    p = ses("perfil", "--db", demo, "edomex", "--usuario", "validador", check=False)
    assert p.returncode == 2 and "Administrador" in p.stderr
    p = ses("perfil", "--db", demo, "tamaulipas", env=ADMIN, check=False)
    assert p.returncode == 2 and "No existe el perfil «tamaulipas»" in p.stderr and "edomex" in p.stderr
    assert _perfil(demo)["perfil"] == "generico"

    p = ses("perfil", "--db", demo, "edomex", env=ADMIN)
    assert "generico → edomex" in p.stdout
    shown = _perfil(demo)
    assert shown == {"perfil": "edomex", "nombre": "Estado de México", "calendario": "trimestral",
                     "justificacion": "tarjeta", "formatos": ["pbrm-01c", "pbrm-02a", "pbrm-01d", "pbrm-01e",
                                                              "pbrm-08b", "pbrm-08c", "tarjeta", "reconduccion"]}
    assert "Validó (UIPPE)" in ses("perfil", "--db", demo).stdout
    audit = json.loads(ses("bitacora", "--db", demo, "--json").stdout)
    assert audit[0]["usuario"] == "admin" and "edomex" in json.dumps(audit[0], ensure_ascii=False)
    assert "no hubo cambios" in ses("perfil", "--db", demo, "edomex", env=ADMIN).stdout
    ses("perfil", "--db", demo, "generico", env=ADMIN)
    assert _perfil(demo)["perfil"] == "generico"


def test_switching_changes_lights_and_never_touches_stored_data(tmp_path):
    db = tmp_path / "demo.db"
    ses("demo", "--db", db)
    before, org_before = _dump(db), _org_without_settings(db)
    generic = _avance(db)

    ses("perfil", "--db", db, "edomex", env=ADMIN)
    assert _dump(db) == before and _org_without_settings(db) == org_before
    edomex = _avance(db)

    ses("perfil", "--db", db, "generico", env=ADMIN)
    after = _dump(db)
    assert after == before and _org_without_settings(db) == org_before
    assert sum(map(len, after.values())) > 500  # the demo's rows were really compared
    assert _avance(db) == generic

    changed = 0
    assert [r["indicator_key"] for r in generic] == [r["indicator_key"] for r in edomex]
    for g, e in zip(generic, edomex):
        assert g["progress_pct"] == e["progress_pct"] and g["period_value"] == e["period_value"]
        for pct, light in (("progress_pct", "light"), ("period_progress_pct", "period_light")):
            if g[pct] is None:
                continue
            assert g[light] == _light(g[pct], GENERIC), (g["indicator_key"], light)
            assert e[light] == _light(e[pct], EDOMEX), (e["indicator_key"], light)
            changed += g[light] != e[light]
    assert changed >= 1
    over = next(e for e in edomex if e["period_progress_pct"] and Decimal(e["period_progress_pct"]) > 110)
    assert over["period_light"] == "rojo" and any(f.startswith(("SOBRECUMPLIMIENTO", "DESVIACION_POR_EXCESO"))
                                                  for f in over["period_flags"])


def test_required_fields_of_the_profile_in_ses_validar(tmp_path):
    db = tmp_path / "demo.db"
    ses("demo", "--db", db)
    generic = json.loads(ses("validar", "--db", db, "--json", check=False).stdout)
    assert not [f for f in generic if f["rule_id"] == "PRF-001"]
    ses("perfil", "--db", db, "edomex", env=ADMIN)
    edomex = json.loads(ses("validar", "--db", db, "--json", check=False).stdout)
    prf = [f for f in edomex if f["rule_id"] == "PRF-001"]
    assert prf and all(f["severity"] == "error" and "Estado de México" in f["message"] for f in prf)
    # the demo's fichas have no «interpretación» nor «parámetro de referencia»: one finding per indicator each
    indicators = {r["indicator_key"] for r in _avance(db)}
    assert {(f["indicator"], f["field"]) for f in prf} == {(i, fld) for i in indicators
                                                           for fld in ("interpretation", "benchmark")}
    # everything else is what the generic profile reports
    strip = lambda fs: sorted(json.dumps(f, sort_keys=True) for f in fs if f["rule_id"] != "PRF-001")  # noqa: E731
    assert strip(edomex) == strip(generic)
