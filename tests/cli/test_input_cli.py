"""Bad input through the ``ses`` command (subprocesses, real files): refused before anything is written, with
the reason; and a failure after a commit is never reported as «no se guardó»."""
from __future__ import annotations

import json
import sqlite3

import pytest

from sistema_seguimiento.core import limits
from tests.cli.test_ses_command import FIXTURE, ses

HOY = {"SES_HOY": "2026-12-31"}
CAPTURE = ["--usuario", "captura-0301", "--periodo", "2026-10", "--indicador", "E001-A12-01", "--variable", "LSL"]


def _state(db):
    """Every stored value and the audit trail, read straight from the file."""
    con = sqlite3.connect(db)
    try:
        return (con.execute("select variable_id, period, value, status from measurement order by 1, 2").fetchall(),
                con.execute("select count(*) from audit_entry").fetchone()[0],
                con.execute("select period, agency_id, status from period_state order by 1, 2").fetchall())
    finally:
        con.close()


def test_sixty_digits_refused_before_writing(demo):
    before = _state(demo)
    p = ses("capturar", "--db", demo, *CAPTURE, "--valor", "1" * 60, check=False, env=HOY)
    assert p.returncode == 2, p.stderr
    assert "60 dígitos enteros; el máximo es 15" in p.stderr
    assert "quedó como estaba" not in p.stderr and "inesperado" not in p.stderr
    assert _state(demo) == before


@pytest.mark.parametrize("text,reason", [
    ("5%", "sin el signo «%»"), ("$5", "sin el signo «$»"), ("٣", "0–9"), ("５", "0–9"), ("1.234,5", "ambiguo"),
    ("1e5", "notación científica"), ("NaN", "finito"), ("Infinity", "finito"), ("1.1234567", "7 decimales"),
])
def test_capture_refuses_forms_that_are_not_plain_numbers(demo, text, reason):
    before = _state(demo)
    p = ses("capturar", "--db", demo, *CAPTURE, "--valor", text, check=False, env=HOY)
    assert p.returncode == 2 and reason in p.stderr, p.stderr
    assert _state(demo) == before


def test_capture_accepts_es_mx_and_plain(demo):
    for text, stored in (("1,234.5", "1234.5"), ("1234.25", "1234.25"), ("12", "12")):
        p = ses("capturar", "--db", demo, *CAPTURE, "--valor", text, "--json", env=HOY)
        assert json.loads(p.stdout)["guardados"] == 1
        con = sqlite3.connect(demo)
        assert con.execute("select m.value from measurement m join variable v on v.id = m.variable_id "
                           "where v.key = 'LSL' and m.period = '2026-10'").fetchone()[0] == stored
        con.close()


def test_error_after_the_commit_says_it_was_saved(demo, tmp_path, monkeypatch, capsys):
    """A step after the commit fails (here the formatting of the confirmation): the value IS saved, and the
    message says so instead of «no se guardó… quedó como estaba»."""
    from sistema_seguimiento import cli
    from sistema_seguimiento.core import numbers

    def broken(*_a, **_k):
        raise ArithmeticError("formato")

    monkeypatch.setenv("SES_HOY", "2026-12-31")
    monkeypatch.setenv("SES_DATA_DIR", str(tmp_path / "datos"))
    monkeypatch.setattr(numbers, "fmt_es", broken)
    rc = cli.main(["capturar", "--db", str(demo), *CAPTURE, "--valor", "77"])
    err = capsys.readouterr().err
    assert rc == 0
    assert "sí se guardaron" in err and "quedó como estaba" not in err
    con = sqlite3.connect(demo)
    assert con.execute("select m.value from measurement m join variable v on v.id = m.variable_id "
                       "where v.key = 'LSL' and m.period = '2026-10'").fetchone()[0] == "77"
    con.close()


def test_periods_outside_the_fiscal_years_are_refused(demo):
    before = _state(demo)
    p = ses("capturar", "--db", demo, "--usuario", "captura-0301", "--periodo", "2019-10", "--indicador",
            "E001-A12-01", "--variable", "LSL", "--valor", "3", check=False, env=HOY)
    assert p.returncode == 2 and "«2019-10» no pertenece a los ejercicios de esta base de datos (2026)" in p.stderr
    for action, extra in (("cerrar", []), ("reabrir", ["--motivo", "Corrección"]), ("enviar", []),
                          ("validar", []), ("devolver", ["--motivo", "Revisar"])):
        p = ses("periodo", action, "--db", demo, "--usuario", "admin", "--periodo", "2031-05", *extra, check=False)
        assert p.returncode == 2, (action, p.stdout, p.stderr)
        assert "2031-05" in p.stderr and "(2026)" in p.stderr
    assert _state(demo) == before


def test_names_with_control_characters_or_too_long_are_refused(demo):
    before = _state(demo)
    p = ses("usuarios", "agregar", "--db", demo, "--usuario", "admin", "--nombre", "ana", "--rol", "validador",
            "--nombre-completo", "Ana\x07 López", check=False)
    assert p.returncode == 2 and "U+0007" in p.stderr
    p = ses("usuarios", "agregar", "--db", demo, "--usuario", "admin", "--nombre", "ana", "--rol", "validador",
            "--nombre-completo", "A" * 5000, check=False)
    assert p.returncode == 2 and "máximo de 1,000 caracteres" in p.stderr
    assert "A" * 200 not in p.stderr  # the long input is cut in the message
    assert _state(demo) == before


def test_cargar_refuses_control_characters_and_huge_files(tmp_path):
    doc = json.loads(FIXTURE.read_text("utf-8"))
    doc["programs"][0]["indicators"][0]["nombre"] = "Tasa\x00 de delitos"
    bad = tmp_path / "malo.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    db = tmp_path / "nueva.db"
    p = ses("cargar", "--db", db, bad, check=False)
    assert p.returncode == 2 and "U+0000" in p.stderr and "indicador" in p.stderr
    if db.exists():
        con = sqlite3.connect(db)
        assert con.execute("select count(*) from sqlite_master where name = 'indicator'").fetchone()[0] == 0 or \
            con.execute("select count(*) from indicator").fetchone()[0] == 0
        con.close()
    huge = tmp_path / "enorme.json"
    with open(huge, "wb") as fh:
        fh.truncate(limits.MAX_JSON_BYTES + 1)  # sparse: no disk used
    p = ses("cargar", "--db", tmp_path / "otra.db", huge, check=False)
    assert p.returncode == 2 and "máximo para «ses cargar»" in p.stderr


def test_long_unknown_keys_are_cut_in_messages(demo):
    p = ses("capturar", "--db", demo, "--usuario", "admin", "--periodo", "2026-10", "--indicador", "X" * 3000,
            "--variable", "LSL", "--valor", "3", check=False, env=HOY)
    assert p.returncode == 2 and "X" * 80 + "…" in p.stderr and "X" * 81 not in p.stderr
