"""``ses capturar --meta PROYECTO/ID`` in a subprocess: the achieved value of a meta de actividad per quarter."""
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


def test_capture_meta_from_the_command_line(demo):
    args = ["capturar", "--db", demo, "--meta", "020204010101/2", "--valor", "30"]
    p = ses(*args, "--usuario", "captura-0301", "--periodo", "2026-09", env=HOY, check=False)
    assert p.returncode == 2 and "PER-003" in p.stderr and "020204010101/2" in p.stderr  # September closed
    ses("periodo", "reabrir", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--dependencia", "0301",
        "--motivo", "Corregir metas de actividad")
    p = ses(*args, "--usuario", "captura-0801", "--periodo", "2026-09", env=HOY, check=False)
    assert p.returncode == 2 and "0301" in p.stderr
    p = ses(*args, "--usuario", "captura-0301", "--periodo", "2026-08", env=HOY, check=False)
    assert p.returncode == 2 and "trimestre" in p.stderr
    out = json.loads(ses(*args, "--usuario", "captura-0301", "--periodo", "2026-T3", "--json", env=HOY).stdout)
    assert out == {"meta": "020204010101/2", "guardados": 1, "borrados": 0, "sin_cambio": 0, "periodo": "2026-T3",
                   "estados_reabiertos": []}
    p = ses(*args, "--usuario", "captura-0301", "--periodo", "2026-09", env=HOY)
    assert "Sin cambios" in p.stdout
    rows = json.loads(ses("bitacora", "--db", demo, "--json", "--entidad", "avance_meta").stdout)
    assert [(r["clave"], r["anterior"], r["nuevo"]) for r in rows] == [("020204010101/2/2026-T3", "28", "30")]
    p = ses("capturar", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--meta", "sinbarra",
            "--valor", "1", env=HOY, check=False)
    assert p.returncode == 2 and "PROYECTO/ID" in p.stderr
    p = ses("capturar", "--db", demo, "--usuario", "admin", "--periodo", "2026-09", "--valor", "1", env=HOY,
            check=False)
    assert p.returncode == 2 and "--meta" in p.stderr
