"""Issue 11, «Access»: every writing command signs in a named user, the password policy, the sealed bitácora and
the CSV export, through the ``ses`` command in subprocesses against real SQLite files."""
from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from tests.cli.test_ses_command import FIXTURE, ses

HOY = {"SES_HOY": "2026-11-15"}
CAPTURE = ("capturar", "--periodo", "2026-10", "--indicador", "E001-A11-01", "--variable", "RRI")


def _audit(db) -> list[dict]:
    return json.loads(ses("bitacora", "--db", db, "--json").stdout)


def _value(db):
    rows = json.loads(ses("avance", "--db", db, "--periodo", "2026-10", "--json").stdout)
    return next(r for r in rows if r["indicator_key"] == "E001-A11-01")["period_value"]


def test_password_protected_user_needs_the_password_for_every_writing_command(demo):
    ses("usuarios", "contrasena", "--db", demo, "--usuario", "admin", "--nombre", "captura-0301",
        env={"SES_NEW_PASSWORD": "clave-0301"})
    before = _value(demo)
    p = ses(*CAPTURE, "--db", demo, "--usuario", "captura-0301", "--valor", "7", check=False, env=HOY)
    assert p.returncode == 2 and "tiene contraseña" in p.stderr and "SES_PASSWORD" in p.stderr
    p = ses(*CAPTURE, "--db", demo, "--usuario", "captura-0301", "--valor", "7", check=False,
            env={**HOY, "SES_PASSWORD": "otra"})
    assert p.returncode == 2 and "contraseña no es correcta" in p.stderr
    p = ses("periodo", "enviar", "--db", demo, "--periodo", "2026-10", check=False,
            env={"SES_USUARIO": "captura-0301"})
    assert p.returncode == 2 and "tiene contraseña" in p.stderr
    assert _value(demo) == before
    ses(*CAPTURE, "--db", demo, "--valor", "7", env={**HOY, "SES_USUARIO": "captura-0301",
                                                     "SES_PASSWORD": "clave-0301"})
    assert _value(demo) != before
    assert _audit(demo)[0]["usuario"] == "captura-0301"


def test_writing_commands_refuse_without_a_user_once_the_database_has_users(demo, tmp_path):
    for args in ((*CAPTURE, "--valor", "7"), ("periodo", "cerrar", "--periodo", "2026-10"),
                 ("usuarios", "agregar", "--nombre", "ana", "--rol", "consulta"), ("demo",)):
        p = ses(*args, "--db", demo, check=False, env=HOY)
        assert p.returncode == 2 and "--usuario" in p.stderr, args
    p = ses("usuarios", "agregar", "--db", demo, "--usuario", "validador", "--nombre", "ana", "--rol", "consulta",
            check=False)
    assert p.returncode == 2 and "Administrador" in p.stderr
    copy = tmp_path / "copia.db"
    ses("respaldar", "--db", demo, "--destino", copy)
    for who in ((), ("--usuario", "captura-0301")):
        p = ses("restaurar", "--db", demo, "--origen", copy, *who, check=False)
        assert p.returncode == 2 and ("--usuario" in p.stderr or "Administrador" in p.stderr), who
    assert not list(tmp_path.glob("demo.db.previo*"))
    assert all(r["usuario"] != "ana" for r in _audit(demo))


def test_cargar_into_a_database_with_users_needs_an_administrador_and_records_the_users(tmp_path):
    db = tmp_path / "ses.db"
    ses("init", "--db", db, "--ejercicio", "2026")
    before = {u["nombre"] for u in json.loads(ses("usuarios", "--db", db, "--json").stdout)}
    assert "admin" in before
    p = ses("cargar", "--db", db, FIXTURE, check=False)
    assert p.returncode == 2 and "--usuario" in p.stderr
    p = ses("cargar", "--db", db, FIXTURE, "--usuario", "validador", check=False)
    assert p.returncode == 2 and "no puede cargar datos" in p.stderr
    assert {u["nombre"] for u in json.loads(ses("usuarios", "--db", db, "--json").stdout)} == before
    ses("cargar", "--db", db, FIXTURE, "--usuario", "admin")
    after = {u["nombre"] for u in json.loads(ses("usuarios", "--db", db, "--json").stdout)}
    added = after - before
    assert {"captura-0301", "captura-0801"} <= added
    altas = {r["clave"]: r["usuario"] for r in _audit(db) if r["entidad"] == "user" and r["accion"] == "alta"}
    assert all(altas.get(name) == "admin" for name in added)
    assert {"admin", "validador", "consulta"} <= set(altas)  # the users «ses init» created, by «sistema»
    assert ses("verificar", "--db", db).returncode == 0


def test_password_policy_on_and_off(demo):
    p = ses("usuarios", "politica", "--db", demo, "--json")
    assert json.loads(p.stdout)["exigir_contrasena"] is False
    p = ses("usuarios", "politica", "--db", demo, "--usuario", "admin", "--exigir-contrasena", check=False)
    assert p.returncode == 2 and "Asigne primero su propia contraseña" in p.stderr
    ses("usuarios", "contrasena", "--db", demo, "--usuario", "admin", env={"SES_NEW_PASSWORD": "clave-admin"})
    admin = {"SES_USUARIO": "admin", "SES_PASSWORD": "clave-admin"}
    p = ses("usuarios", "politica", "--db", demo, "--exigir-contrasena", "--usuario", "validador", check=False)
    assert p.returncode == 2
    ses("usuarios", "agregar", "--db", demo, "--nombre", "jefa", "--rol", "administrador", env=admin)
    ses("usuarios", "politica", "--db", demo, "--exigir-contrasena", env=admin)
    shown = json.loads(ses("usuarios", "politica", "--db", demo, "--json").stdout)
    assert shown["exigir_contrasena"] is True and "validador" in shown["sin_contrasena"]
    assert "se exige contraseña" in ses("usuarios", "politica", "--db", demo).stdout
    # a user without a password is refused, with what to do
    p = ses("periodo", "cerrar", "--db", demo, "--usuario", "validador", "--periodo", "2026-10", check=False)
    assert p.returncode == 2 and "pida al administrador" in p.stderr
    # new users must get a password; nobody's password can be removed
    p = ses("usuarios", "agregar", "--db", demo, "--nombre", "ana", "--rol", "consulta", check=False, env=admin)
    assert p.returncode == 2 and "exige contraseña" in p.stderr
    p = ses("usuarios", "contrasena", "--db", demo, "--quitar", check=False, env=admin)
    assert p.returncode == 2 and "no se puede quitar" in p.stderr
    ses("usuarios", "agregar", "--db", demo, "--nombre", "ana", "--rol", "consulta", "--con-contrasena",
        env={**admin, "SES_NEW_PASSWORD": "clave-ana"})
    # an administrador without a password may only set their own
    p = ses("periodo", "cerrar", "--db", demo, "--usuario", "jefa", "--periodo", "2026-10", check=False)
    assert p.returncode == 2 and "asígnela primero" in p.stderr
    ses("usuarios", "contrasena", "--db", demo, "--usuario", "jefa", env={"SES_NEW_PASSWORD": "clave-jefa"})
    p = ses("usuarios", "contrasena", "--db", demo, "--usuario", "validador", check=False,
            env={"SES_NEW_PASSWORD": "yo-misma"})
    assert p.returncode == 2 and "pida al administrador" in p.stderr
    users_before = json.loads(ses("usuarios", "--db", demo, "--json").stdout)
    ses("usuarios", "politica", "--db", demo, "--no-exigir-contrasena", env=admin)
    assert json.loads(ses("usuarios", "politica", "--db", demo, "--json").stdout)["exigir_contrasena"] is False
    assert json.loads(ses("usuarios", "--db", demo, "--json").stdout) == users_before
    changes = [(r["anterior"], r["nuevo"]) for r in _audit(demo) if r["campo"] == "exigir_contrasena"]
    assert changes == [("sí", "no"), ("no", "sí")]
    p = ses("periodo", "cerrar", "--db", demo, "--usuario", "validador", "--periodo", "2026-10", check=False)
    assert "no puede cerrar periodos" in p.stderr  # signed in again without a password: only the role stops it


def test_loading_under_the_policy_skips_users_without_password(tmp_path):
    db = tmp_path / "ses.db"
    ses("init", "--db", db, "--ejercicio", "2026")
    ses("usuarios", "contrasena", "--db", db, "--usuario", "admin", env={"SES_NEW_PASSWORD": "clave-admin"})
    admin = {"SES_USUARIO": "admin", "SES_PASSWORD": "clave-admin"}
    ses("usuarios", "politica", "--db", db, "--exigir-contrasena", env=admin)
    before = json.loads(ses("usuarios", "--db", db, "--json").stdout)
    p = ses("cargar", "--db", db, FIXTURE, env=admin)
    assert "no se crearon los usuarios" in p.stdout and "captura-0301" in p.stdout
    assert json.loads(ses("usuarios", "--db", db, "--json").stdout) == before


def _sqlite(db, *statements):
    conn = sqlite3.connect(db)
    try:
        for st in statements:
            conn.execute(st)
        conn.commit()
    finally:
        conn.close()


def test_verificar_catches_an_altered_a_deleted_and_an_inserted_audit_entry(demo, tmp_path):
    ses(*CAPTURE, "--db", demo, "--usuario", "captura-0301", "--valor", "8", env=HOY)
    ses(*CAPTURE, "--db", demo, "--usuario", "captura-0301", "--valor", "9", env=HOY)
    assert ses("verificar", "--db", demo).returncode == 0
    ids = [r[0] for r in sqlite3.connect(demo).execute("SELECT id FROM audit_entry ORDER BY id")]
    assert len(ids) >= 8

    altered = tmp_path / "alterada.db"
    ses("respaldar", "--db", demo, "--destino", altered)
    _sqlite(altered, f"UPDATE audit_entry SET new = '1' WHERE id = {ids[-1]}")
    p = ses("verificar", "--db", altered, "--json", check=False)
    assert p.returncode == 1
    assert [x for x in json.loads(p.stdout)["problems"] if "Bitácora" in x] == [
        f"Bitácora: la entrada {ids[-1]} fue alterada o insertada después de registrarse (su sello no coincide)."]

    deleted = tmp_path / "borrada.db"
    ses("respaldar", "--db", demo, "--destino", deleted)
    _sqlite(deleted, f"DELETE FROM audit_entry WHERE id = {ids[3]}")
    p = ses("verificar", "--db", deleted, check=False)
    assert p.returncode == 1 and f"entre la {ids[2]} y la {ids[4]}" in p.stdout

    inserted = tmp_path / "insertada.db"
    ses("respaldar", "--db", demo, "--destino", inserted)
    _sqlite(inserted, f"INSERT INTO audit_entry (at, user_name, action, entity, entity_key, field, old, new, reason, "
                      f"hash) SELECT at, 'admin', action, entity, entity_key, field, old, '0', reason, hash "
                      f"FROM audit_entry WHERE id = {ids[-1]}")
    p = ses("verificar", "--db", inserted, check=False)
    assert p.returncode == 1 and f"la entrada {ids[-1] + 1} fue alterada o insertada" in p.stdout
    _sqlite(inserted, f"UPDATE audit_entry SET hash = NULL WHERE id = {ids[-1] + 1}")
    p = ses("verificar", "--db", inserted, check=False)
    assert p.returncode == 1 and f"la entrada {ids[-1] + 1} no tiene sello" in p.stdout


def test_bitacora_csv_escapes_formulas_for_excel(demo, tmp_path):
    ses("usuarios", "agregar", "--db", demo, "--usuario", "admin", "--nombre", "=HYPERLINK(1)", "--rol", "consulta")
    ses("usuarios", "agregar", "--db", demo, "--usuario", "admin", "--nombre", "@SUM(A1)", "--rol", "consulta")
    out = tmp_path / "bitacora.csv"
    ses("bitacora", "--db", demo, "--csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    keys = [r[4] for r in rows[1:]]
    assert "'=HYPERLINK(1)" in keys and "'@SUM(A1)" in keys
    assert not any(cell.startswith(("=", "+", "@", "-")) for r in rows for cell in r
                   if not cell.lstrip("+-").replace(",", "").replace(".", "").isdigit())
