"""``ses paquete …`` through ``cli.main``: the contract flags and the Spanish --json keys."""
from __future__ import annotations

import json

from sistema_seguimiento import cli


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_cli_round_trip(tmp_path, capsys, monkeypatch):
    office, dep = tmp_path / "oficina.db", tmp_path / "dep.db"
    monkeypatch.setenv("SES_HOY", "2026-11-15")
    assert cli.main(["demo", "--db", str(office)]) == 0
    # the demo's October is «Validado» (read-only for the capturista): the office returns it first
    assert cli.main(["periodo", "devolver", "--db", str(office), "--usuario", "validador", "--periodo", "2026-10",
                     "--dependencia", "0301", "--motivo", "Capture octubre"]) == 0
    capsys.readouterr()
    assert cli.main(["paquete", "crear", "--db", str(office), "--usuario", "admin", "--periodo", "2026-10",
                     "--hasta", "2026-12", "--dependencia", "0301", "--salida", str(tmp_path / "p.ses"),
                     "--json"]) == 0
    [made] = _json(capsys)
    assert made["dependencia"] == "0301" and made["bytes"] < 1_000_000 and made["indicadores"] == 8
    assert cli.main(["paquete", "abrir", "--db", str(dep), str(tmp_path / "p.ses"), "--json"]) == 0
    opened = _json(capsys)
    assert opened["nueva"] is True and opened["periodos"] == ["2026-10", "2026-11", "2026-12"]
    assert cli.main(["capturar", "--db", str(dep), "--usuario", "captura-0301", "--periodo", "2026-10",
                     "--indicador", "E001-A11-01", "--variable", "RRI", "--valor", "33"]) == 0
    capsys.readouterr()
    assert cli.main(["paquete", "responder", "--db", str(dep), "--usuario", "captura-0301",
                     "--salida", str(tmp_path / "r.ses"), "--json"]) == 0
    assert _json(capsys)["valores"] >= 1
    # preview only (read-only open), then apply
    assert cli.main(["paquete", "importar", "--db", str(office), str(tmp_path / "r.ses"), "--json"]) == 0
    [pv] = _json(capsys)
    assert pv["valores_modificados"] == 1 and pv["aplicado"] is False and pv["conflictos"] == []
    assert cli.main(["paquete", "importar", "--db", str(office), str(tmp_path / "r.ses"), "--usuario", "admin",
                     "--aplicar", "--conflictos", "paquete", "--json"]) == 0
    [done] = _json(capsys)
    assert done["aplicado"] is True and done["resultado"]["valores"] == 1
    # a consulta user may not import
    assert cli.main(["paquete", "importar", "--db", str(office), str(tmp_path / "r.ses"), "--usuario", "consulta",
                     "--aplicar"]) == 2


def test_all_dependencias_go_to_a_folder(tmp_path, capsys):
    office = tmp_path / "oficina.db"
    assert cli.main(["demo", "--db", str(office)]) == 0
    capsys.readouterr()
    assert cli.main(["paquete", "crear", "--db", str(office), "--usuario", "admin", "--periodo", "2026-10",
                     "--salida", str(tmp_path / "paquetes"), "--json"]) == 0
    rows = _json(capsys)
    assert len(rows) >= 2 and all((tmp_path / "paquetes" / f"Paquete_{r['dependencia']}_2026-10.ses").exists()
                                  for r in rows)


def test_a_ses_argument_opens_the_window_with_the_package(monkeypatch, tmp_path):
    import sistema_seguimiento.ui.app as app

    seen = {}
    monkeypatch.setattr(app, "run_app", lambda path=None, user=None: seen.update(path=path) or 0)
    assert cli.main([str(tmp_path / "Paquete_0301.ses")]) == 0
    assert seen["path"].endswith("Paquete_0301.ses")
