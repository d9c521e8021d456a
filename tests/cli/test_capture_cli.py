"""``ses capturar``, ``ses periodo``, ``ses bitacora``, ``ses usuarios`` in a subprocess, with roles enforced."""
from __future__ import annotations

import json

import pytest

from tests.cli.test_ses_command import ses

HOY = {"SES_HOY": "2026-11-15"}


@pytest.fixture
def demo(tmp_path):
    db = tmp_path / "demo.db"
    ses("demo", "--db", db)
    return db


def test_capture_roles_and_audit(demo):
    p = ses("capturar", "--db", demo, "--usuario", "captura-0301", "--periodo", "2026-10", "--indicador",
            "E001-A11-01", "--variable", "RRI", "--valor", "1,234.5", env=HOY, check=False)
    assert p.returncode == 2 and "Validado" in p.stderr  # the demo's October is validated: read-only for capturista
    ses("periodo", "devolver", "--db", demo, "--usuario", "validador", "--periodo", "2026-10", "--dependencia",
        "0301", "--motivo", "Revise el alumbrado")
    p = ses("capturar", "--db", demo, "--usuario", "captura-0301", "--periodo", "2026-10", "--indicador",
            "E001-A11-01", "--variable", "RRI", "--valor", "1,234.5", env=HOY)
    assert "1,234.50" in p.stdout
    p = ses("capturar", "--db", demo, "--usuario", "captura-0801", "--periodo", "2026-10", "--indicador",
            "E001-A11-01", "--variable", "RRI", "--valor", "3", check=False, env=HOY)
    assert p.returncode == 2 and "0301" in p.stderr
    p = ses("capturar", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--indicador",
            "E001-A11-01", "--variable", "RRI", "--valor", "3", check=False, env=HOY)
    assert p.returncode == 2 and "PER-003" in p.stderr
    p = ses("capturar", "--db", demo, "--periodo", "2026-10", "--indicador", "E001-A11-01", "--variable", "RRI",
            "--valor", "-3", check=False, env={**HOY, "SES_USUARIO": "admin"})
    assert p.returncode == 2 and "AV-002" in p.stderr
    rows = json.loads(ses("bitacora", "--db", demo, "--json").stdout)
    assert any(r["clave"] == "E001-A11-01/RRI/2026-10" and r["anterior"] == "24" and r["nuevo"] == "1234.5"
               and r["usuario"] == "captura-0301" for r in rows)


def test_period_workflow_commands(demo, tmp_path):
    p = ses("periodo", "cerrar", "--db", demo, "--usuario", "captura-0301", "--periodo", "2026-10", check=False)
    assert p.returncode == 2 and "Administrador" in p.stderr
    p = ses("periodo", "reabrir", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--dependencia",
            "0301", check=False)
    assert p.returncode == 2 and "PER-002" in p.stderr
    ses("periodo", "reabrir", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--dependencia", "0301",
        "--motivo", "Corrección de cifras")
    out = json.loads(ses("periodo", "cerrar", "--db", demo, "--usuario", "admin", "--periodo", "2026-09",
                         "--dependencia", "0301", "--json").stdout)
    assert out["cambios"] == [{"dependencia": "0301", "anterior": "capturando", "nuevo": "cerrado", "avances": 0}]
    rows = json.loads(ses("bitacora", "--db", demo, "--json").stdout)
    assert [(r["accion"], r["motivo"]) for r in rows if r["entidad"] == "period"][:2] == [
        ("cerrar", ""), ("reabrir", "Corrección de cifras")]
    csv_path = tmp_path / "bitacora.csv"
    ses("bitacora", "--db", demo, "--csv", csv_path)
    assert "Valor anterior" in csv_path.read_text("utf-8-sig")


def test_password_user_needs_ses_password(demo):
    ses("usuarios", "agregar", "--db", demo, "--usuario", "admin", "--nombre", "ana", "--rol", "validador")
    ses("usuarios", "contrasena", "--db", demo, "--usuario", "admin", "--nombre", "ana",
        env={"SES_NEW_PASSWORD": "secreto"})
    listing = json.loads(ses("usuarios", "--db", demo, "--json").stdout)
    assert {"nombre": "ana", "contrasena": True}.items() <= next(u for u in listing if u["nombre"] == "ana").items()
    p = ses("periodo", "devolver", "--db", demo, "--usuario", "ana", "--periodo", "2026-10", "--dependencia", "0801",
            "--motivo", "x", check=False)
    assert p.returncode == 2 and "SES_PASSWORD" in p.stderr
    p = ses("periodo", "devolver", "--db", demo, "--usuario", "ana", "--periodo", "2026-10", "--dependencia", "0801",
            "--motivo", "x", check=False, env={"SES_PASSWORD": "mala"})
    assert p.returncode == 2 and "contraseña" in p.stderr
    ses("periodo", "devolver", "--db", demo, "--usuario", "ana", "--periodo", "2026-10", "--dependencia", "0801",
        "--motivo", "Revise metas", env={"SES_PASSWORD": "secreto"})
