"""``ses reconduccion solicitar|autorizar`` through ``cli.main``: a second request on a pending (target, period)
exits 2 with the Spanish message and writes nothing; after the UIPPE's decision it is accepted."""
from __future__ import annotations

import json
import sqlite3

import pytest

from sistema_seguimiento import cli
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services.loading import load_demo


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "demo.db"
    db = Database.open(path, OpenOptions(create=True))
    load_demo(db)
    db.close()
    return str(path)


def _dump(path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _ask(db, user, change, capsys, *extra):
    code = cli.main(["reconduccion", "solicitar", "--db", db, "--usuario", user, "--indicador", "E001-C1-01",
                     "--cambio", change, "--motivo", "Robo de cableado", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_solicitar_refuses_a_pending_target_and_period_then_accepts_after_the_decision(demo_file, capsys,
                                                                                      monkeypatch):
    monkeypatch.setenv("SES_HOY", "2026-12-01")
    code, out, _ = _ask(demo_file, "captura-0301", "LMP:2026-T4=2500", capsys, "--json")
    assert code == 0
    first = json.loads(out)["id"]
    monkeypatch.setenv("SES_HOY", "2026-12-02")
    before = _dump(demo_file)
    code, out, err = _ask(demo_file, "validador", "LP:2026-T4=90", capsys)
    assert code == 2 and out == ""
    assert "E001-C1-01" in err and "(2026-T4)" in err and f"N.º {first}" in err and "captura-0301" in err
    assert "1 de diciembre de 2026" in err and "pida a la UIPPE que la rechace" in err
    assert _dump(demo_file) == before
    assert cli.main(["reconduccion", "rechazar", "--db", demo_file, "--usuario", "validador", "--id", str(first),
                     "--nota", "Se sostiene la meta"]) == 0
    capsys.readouterr()
    code, out, err = _ask(demo_file, "validador", "LP:2026-T4=90", capsys, "--json")
    assert code == 0, err
    assert json.loads(out)["estado"] == "solicitada"
