"""The ``ses`` command end to end, in a subprocess, against real SQLite files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sistema_seguimiento.core import periods

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "resources" / "demo_municipio.json"
SHARED_FIXTURE = ROOT.parent / "shared" / "fixtures" / "mir_demo.json"


def ses(*args, check=True, env=None):
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "sistema_seguimiento", *map(str, args)], capture_output=True,
                          text=True, env=e, cwd=ROOT, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"ses {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "ses.db"
    ses("cargar", "--db", db, FIXTURE)
    return db


def test_bundled_fixture_matches_shared_copy():
    if not SHARED_FIXTURE.exists():
        pytest.skip("shared/ no está junto al repositorio")
    ours, shared = json.loads(FIXTURE.read_text("utf-8")), json.loads(SHARED_FIXTURE.read_text("utf-8"))
    # the demo adds its Plan Municipal de Desarrollo catalog (issue 15) and its proyectos with metas de actividad
    # (issue 16); everything the fixture has is unchanged
    for added in ("plan", "proyectos"):
        assert added not in shared or ours[added] == shared[added]
        ours.pop(added, None)
        shared.pop(added, None)
    assert ours == shared


def test_avance_json_reproduces_every_expected_value(loaded):
    expected = json.loads(FIXTURE.read_text("utf-8"))["expected"]["indicators"]
    rows = json.loads(ses("avance", "--db", loaded, "--periodo", "2026-10", "--json").stdout)
    assert {r["indicator_key"] for r in rows} == set(expected)
    keys = {"program_key", "indicator_key", "period_value", "cumulative_value", "period_target",
            "cumulative_target", "progress_pct", "light", "needs_justification", "flags", "reason"}
    for row in rows:
        assert keys <= set(row), row
        exp = expected[row["indicator_key"]]
        acc = exp["acumulado"]
        assert row["program_key"] == row["indicator_key"].split("-")[0]
        assert row["cumulative_value"] == acc["valor"], row
        assert row["cumulative_target"] == acc["meta"], row
        assert row["progress_pct"] == acc["pct_avance"], row
        assert row["light"] == acc["semaforo_preset_A"], row
        assert sorted(row["flags"]) == sorted(acc["flags"]), row
        own = periods.period_ending_in(exp["frecuencia"], 2026, 10)
        per = next((p for p in exp["periodos"] if p["periodo"] == own), None)
        if per is None:
            assert row["period_value"] is None and row["period_target"] is None, row
        else:
            assert row["period_value"] == per["valor"], row
            assert row["period_target"] == per["meta"], row
        needs = acc["justificacion_requerida"] or bool(per and per["justificacion_requerida"])
        assert row["needs_justification"] == needs, row
        if acc["valor"] is None:
            assert row["reason"], row
        for key in ("period_value", "cumulative_value", "progress_pct"):
            v = row[key]
            assert v is None or (isinstance(v, str) and len(v.split(".")[-1]) == 2 and "e" not in v.lower())


def test_avance_period_fields_for_a_quarter_end(loaded):
    rows = {r["indicator_key"]: r for r in json.loads(
        ses("avance", "--db", loaded, "--periodo", "2026-09", "--json").stdout)}
    exp = json.loads(FIXTURE.read_text("utf-8"))["expected"]["indicators"]["E001-C2-01"]
    t3 = next(p for p in exp["periodos"] if p["periodo"] == "2026-T3")
    assert rows["E001-C2-01"]["period_value"] == t3["valor"] == "3.45"
    assert rows["E001-C2-01"]["period_target"] == t3["meta"]


def test_avance_text_and_program_filter(loaded):
    out = ses("avance", "--db", loaded, "--periodo", "2026-10", "--programa", "S001").stdout
    assert "S001-A22-01" in out and "E001" not in out
    assert "88.89" in out and "Requerida" in out


def test_keys_survive_loading(loaded):
    data = json.loads(ses("mir", "--db", loaded, "--programa", "E001", "--json").stdout)
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    prog = data["programs"][0]
    assert prog["clave"] == "E001"
    src = fixture["programs"][0]
    assert [i["id"] for i in prog["indicators"]] == [i["id"] for i in src["indicators"]]
    assert [[v["clave"] for v in i["variables"]] for i in prog["indicators"]] == \
        [[v["clave"] for v in i["variables"]] for i in src["indicators"]]


def test_mir_text_has_ficha_fields(loaded):
    out = ses("mir", "--db", loaded, "--programa", "E001").stdout
    for word in ("Método de cálculo", "Línea base", "Meta anual", "Medios de verificación", "Supuesto",
                 "Metas calendarizadas", "Responsable de la medición", "(LMP / LP) * 100"):
        assert word in out, word


def test_validar_valid_fixture_exit_0(loaded):
    proc = ses("validar", "--db", loaded, "--json", check=False)
    findings = json.loads(proc.stdout)
    assert proc.returncode == 0, [f for f in findings if f["severity"] == "error"]
    assert all({"rule_id", "severity", "message", "program"} <= set(f) for f in findings)


def test_validar_reports_errors_with_exit_1(tmp_path):
    data = json.loads(FIXTURE.read_text("utf-8"))
    ind = data["programs"][0]["indicators"][1]
    ind["linea_base"] = None
    ind["medios_verificacion"] = []
    data["programs"][0]["objectives"] = [o for o in data["programs"][0]["objectives"] if o["nivel"] != "FIN"] + \
        [o for o in data["programs"][0]["objectives"] if o["nivel"] == "FIN"] * 1
    bad = tmp_path / "mal.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    db = tmp_path / "ses.db"
    ses("cargar", "--db", db, bad)
    proc = ses("validar", "--db", db, "--json", check=False)
    assert proc.returncode == 1
    ids = {(f["rule_id"], f["indicator"]) for f in json.loads(proc.stdout)}
    assert ("FT-002", "E001-P-01") in ids and ("MIR-007", "E001-P-01") in ids
    text = ses("validar", "--db", db, check=False).stdout
    assert "FT-002" in text and "no tiene línea base" in text


def test_cargar_bad_file_names_json_path_and_writes_nothing(tmp_path):
    data = json.loads(FIXTURE.read_text("utf-8"))
    data["programs"][1]["objectives"][3]["nivel"] = "SUBCOMPONENTE"
    data["programs"][0]["indicators"][2]["avances"][0]["variables"]["LMP"] = "mucho"
    bad = tmp_path / "mal.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    db = tmp_path / "ses.db"
    ses("init", "--db", db)
    before = ses("verificar", "--db", db, "--json").stdout
    proc = ses("cargar", "--db", db, bad, check=False)
    assert proc.returncode == 2
    assert "programs[1].objectives[3]" in proc.stderr
    assert "programs[0].indicators[2].avances[0]" in proc.stderr
    assert "no se escribió nada" in proc.stderr.lower()
    rows = json.loads(ses("avance", "--db", db, "--periodo", "2026-10", "--json", check=False).stdout or "[]")
    assert rows == []
    assert ses("verificar", "--db", db, "--json").stdout == before


def test_cargar_twice_is_refused_as_a_whole(loaded, tmp_path):
    proc = ses("cargar", "--db", loaded, FIXTURE, "--usuario", "admin", check=False)
    assert proc.returncode == 2 and "Ya existen" in proc.stderr


def test_invalid_json_file(tmp_path):
    bad = tmp_path / "roto.json"
    bad.write_text('{"programs": [', "utf-8")
    proc = ses("cargar", "--db", tmp_path / "x.db", bad, check=False)
    assert proc.returncode == 2 and "línea" in proc.stderr.lower()


def test_demo_respaldar_verificar_restaurar(tmp_path):
    db = tmp_path / "demo.db"
    assert "Demostración cargada" in ses("demo", "--db", db).stdout
    assert ses("verificar", "--db", db).returncode == 0
    copy = tmp_path / "copia.db"
    ses("respaldar", "--db", db, "--destino", copy)
    assert copy.exists()
    ses("restaurar", "--db", db, "--origen", copy, "--usuario", "admin")
    assert json.loads(ses("verificar", "--db", db, "--json").stdout) == {"ok": True, "problems": []}


def test_ses_db_environment_variable(tmp_path):
    db = tmp_path / "por_entorno.db"
    ses("demo", env={"SES_DB": str(db)})
    assert db.exists()
    rows = json.loads(ses("avance", "--periodo", "2026-10", "--json", env={"SES_DB": str(db)}).stdout)
    assert len(rows) == 16


def test_opening_a_non_ses_file_says_so(tmp_path):
    f = tmp_path / "libro.db"
    f.write_text("no soy sqlite")
    proc = ses("avance", "--db", f, "--periodo", "2026-10", check=False)
    assert proc.returncode == 2 and "no es una base de datos de SES" in proc.stderr
    assert f.read_text() == "no soy sqlite"


def test_bad_period_is_explained(loaded):
    proc = ses("avance", "--db", loaded, "--periodo", "2026-13", check=False)
    assert proc.returncode == 2 and "mes" in proc.stderr


def test_unexpected_error_is_logged(tmp_path):
    # a directory where the database file should be: sqlite cannot open it -> message, traceback in the log
    d = tmp_path / "carpeta.db"
    d.mkdir()
    proc = ses("demo", "--db", d, check=False, env={"SES_DATA_DIR": str(tmp_path / "datos")})
    assert proc.returncode in (2, 3)
    assert "Traceback" not in proc.stderr


def test_bad_sentido_still_loads_and_validar_reports_it(tmp_path):
    data = json.loads(FIXTURE.read_text("utf-8"))
    data["programs"][0]["indicators"][3]["sentido"] = "hacia arriba"
    f = tmp_path / "sentido.json"
    f.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    db = tmp_path / "ses.db"
    ses("cargar", "--db", db, f)
    rows = {r["indicator_key"]: r for r in json.loads(ses("avance", "--db", db, "--periodo", "2026-10",
                                                          "--json").stdout)}
    assert rows["E001-C2-01"]["light"] == "gris" and "sentido" in rows["E001-C2-01"]["reason"]
    proc = ses("validar", "--db", db, "--json", check=False)
    assert proc.returncode == 1
    assert any(f["rule_id"] == "IND-009" and f["indicator"] == "E001-C2-01" for f in json.loads(proc.stdout))
