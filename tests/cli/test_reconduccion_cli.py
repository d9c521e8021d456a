"""``ses reconduccion``, ``ses trimestre`` and ``ses justificar`` through subprocesses (SES_HOY fixes today)."""
from __future__ import annotations

import json

from sistema_seguimiento.db.database import Database
from sistema_seguimiento.services import profiles
from sistema_seguimiento.services.users import CurrentUser
from tests.cli.test_ses_command import ses


def _json_lines(text):
    return json.loads(text)


def test_reconduccion_request_list_authorise_and_refusals(demo):
    late = ses("reconduccion", "solicitar", "--db", demo, "--usuario", "captura-0301", "--indicador", "E001-C1-01",
               "--cambio", "LMP:2026-T4=2,500", "--motivo", "Robo de cableado", "--trimestre", "2026-T4",
               check=False, env={"SES_HOY": "2027-01-01"})
    assert late.returncode == 2 and "31 de diciembre de 2026" in late.stderr + late.stdout
    bad = ses("reconduccion", "solicitar", "--db", demo, "--usuario", "captura-0301", "--indicador", "E001-C1-01",
              "--cambio", "LMP-2500", "--motivo", "x", check=False, env={"SES_HOY": "2026-12-31"})
    assert bad.returncode == 2 and "VARIABLE:PERIODO=VALOR" in bad.stderr + bad.stdout
    ok = ses("reconduccion", "solicitar", "--db", demo, "--usuario", "captura-0301", "--indicador", "E001-C1-01",
             "--cambio", "LMP:2026-T4=2,500", "--motivo", "Robo de cableado", "--json",
             env={"SES_HOY": "2026-12-31"})
    req = json.loads(ok.stdout)
    assert (req["estado"], req["trimestre"], req["fecha_limite_resolucion"]) == ("solicitada", "2026-T4",
                                                                                 "2027-01-08")
    assert req["cambios"] == [{"variable": "LMP", "periodo": "2026-T4", "anterior": "2800", "nuevo": "2500"}]
    denied = ses("reconduccion", "autorizar", "--db", demo, "--usuario", "captura-0301", "--id", req["id"],
                 "--oficio", "UIPPE/1", check=False, env={"SES_HOY": "2027-01-08"})
    assert denied.returncode == 2
    too_late = ses("reconduccion", "autorizar", "--db", demo, "--usuario", "validador", "--id", req["id"],
                   "--oficio", "UIPPE/1", check=False, env={"SES_HOY": "2027-01-11"})
    assert too_late.returncode == 2 and "8 de enero de 2027" in too_late.stderr + too_late.stdout
    done = ses("reconduccion", "autorizar", "--db", demo, "--usuario", "validador", "--id", req["id"],
               "--oficio", "UIPPE/1", env={"SES_HOY": "2027-01-08"})
    assert "autorizada (oficio UIPPE/1)" in done.stdout and "2,800.00 → 2,500.00" in done.stdout
    rows = _json_lines(ses("reconduccion", "listar", "--db", demo, "--json").stdout)
    assert [(r["id"], r["estado"], r["oficio"], r["resuelta_por"]) for r in rows] == [
        (req["id"], "autorizada", "UIPPE/1", "validador")]
    log = _json_lines(ses("bitacora", "--db", demo, "--accion", "reconducir", "--json").stdout)
    assert [(e["clave"], e["anterior"], e["nuevo"]) for e in log] == [("E001-C1-01/LMP/2026-T4", "2800", "2500")]
    assert "oficio UIPPE/1" in log[0]["motivo"]


def test_trimestre_entregar_and_estado(demo):
    refused = ses("trimestre", "entregar", "--db", demo, "--usuario", "admin", "--trimestre", "2026-T4",
                  "--dependencia", "0301", check=False)
    assert refused.returncode == 2 and "octubre 2026" in refused.stderr + refused.stdout
    ses("trimestre", "entregar", "--db", demo, "--usuario", "admin", "--trimestre", "2026-T3",
        "--formatos", "pbrm-08b,pbrm-08c")
    rows = _json_lines(ses("trimestre", "estado", "--db", demo, "--trimestre", "2026-T3", "--json").stdout)
    assert [(r["dependencia"], r["entregado"], r["formatos"]) for r in rows] == [
        ("0301", True, ["pbrm-08b", "pbrm-08c"]), ("0801", True, ["pbrm-08b", "pbrm-08c"])]
    ses("periodo", "reabrir", "--db", demo, "--usuario", "admin", "--periodo", "2026-08", "--dependencia", "0801",
        "--motivo", "Corregir el 08b")
    text = ses("trimestre", "estado", "--db", demo, "--trimestre", "2026-T3").stdout
    assert "0301 | Entregado" in text and "0801 | Reabierto tras la entrega" in text


def test_justificar_tarjeta_under_the_edomex_profile(demo):
    db = Database.open(demo)
    with db:
        profiles.set_profile(db, CurrentUser("admin", "administrador"), "edomex")
    ses("capturar", "--db", demo, "--usuario", "captura-0301", "--periodo", "2026-10", "--indicador", "E001-A11-01",
        "--variable", "RRI", "--valor", "5", env={"SES_HOY": "2026-11-15"})
    half = ses("justificar", "--db", demo, "--usuario", "captura-0301", "--indicador", "E001-A11-01", "--periodo",
               "2026-10", "--causa", "Falta de vehículos", check=False)
    assert half.returncode == 2 and "hecho" in half.stderr + half.stdout
    out = ses("justificar", "--db", demo, "--usuario", "captura-0301", "--indicador", "E001-A11-01", "--periodo",
              "2026-10", "--hecho", "5 de 24", "--causa", "Falta de vehículos", "--accion", "Renta de grúa",
              "--proyeccion", "Meta en diciembre", "--json")
    got = json.loads(out.stdout)
    assert (got["tarjeta"], got["hecho"], got["proyeccion"], got["accion"]) == (True, "5 de 24", "Meta en diciembre",
                                                                                "Renta de grúa")
