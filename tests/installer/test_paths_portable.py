"""Portable mode (``ses-portable.ini`` beside the program → everything in ``datos/``) and folders with accents and
spaces, like a OneDrive-synced «Documentos» folder on a Windows office PC."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sistema_seguimiento import paths

ROOT = Path(__file__).resolve().parents[2]
ONEDRIVE = "OneDrive - Municipio de Santa María/Documentos/Planeación 2026"


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SES_DATA_DIR", "SES_DB", "SES_PORTABLE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_marker_beside_the_program_puts_everything_in_datos(clean_env, tmp_path):
    program = tmp_path / "USB Sánchez" / "SES"
    program.mkdir(parents=True)
    (program / paths.PORTABLE_MARKER).write_text("[SES]\n", encoding="utf-8")
    clean_env.setenv("SES_PORTABLE_DIR", str(program))
    datos = program / "datos"
    assert paths.portable_root() == datos
    assert paths.data_dir() == datos
    assert paths.log_dir() == datos / "logs"
    assert paths.backups_dir() == datos / "respaldos"
    assert paths.settings_dir() == datos / "configuracion"
    assert paths.default_db_path() == datos / "ses.db"
    for folder in (datos, datos / "logs", datos / "respaldos", datos / "configuracion"):
        assert folder.is_dir()


def test_without_marker_the_user_folders_are_used(clean_env, tmp_path):
    clean_env.setenv("SES_PORTABLE_DIR", str(tmp_path))  # a program folder, but no ses-portable.ini
    assert paths.portable_root() is None
    assert paths.settings_dir() is None
    assert not str(paths.data_dir()).startswith(str(tmp_path))


def test_a_source_run_is_never_portable_by_accident(clean_env):
    assert not getattr(sys, "frozen", False)
    assert paths.program_dir() is None and paths.portable_root() is None


def test_ses_data_dir_wins_over_portable_mode(clean_env, tmp_path):
    (tmp_path / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    clean_env.setenv("SES_PORTABLE_DIR", str(tmp_path))
    clean_env.setenv("SES_DATA_DIR", str(tmp_path / "otra"))
    assert paths.data_dir() == tmp_path / "otra"
    assert paths.backups_dir() == tmp_path / "otra" / "respaldos"
    assert paths.settings_dir() is None


def _ses(*args, env):
    e = {k: v for k, v in os.environ.items() if not k.startswith("SES_")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env)
    return subprocess.run([sys.executable, "-m", "sistema_seguimiento", *map(str, args)], capture_output=True,
                          text=True, env=e, cwd=ROOT, timeout=300, encoding="utf-8")


def test_portable_cli_writes_only_beside_the_program(tmp_path):
    program = tmp_path / "Memoria USB" / "SES"
    program.mkdir(parents=True)
    (program / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {"SES_PORTABLE_DIR": str(program), "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_STATE_HOME": str(home / ".local/state"), "XDG_CONFIG_HOME": str(home / ".config")}
    p = _ses("demo", env=env)
    assert p.returncode == 0, p.stderr
    assert (program / "datos" / "ses.db").stat().st_size > 0
    p = _ses("avance", "--periodo", "2026-10", "--json", env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)
    assert not any(home.rglob("*")), "nothing may be written in the user's profile in portable mode"


def test_data_folder_with_accents_and_spaces_like_onedrive(tmp_path):
    data = tmp_path / ONEDRIVE
    env = {"SES_DATA_DIR": str(data)}
    assert _ses("demo", env=env).returncode == 0
    db = data / "ses.db"
    assert db.stat().st_size > 0
    out = data / "Exportaciones año 2026" / "Avance de metas (octubre).xlsx"
    out.parent.mkdir(parents=True)
    p = _ses("exportar", "avance", "--periodo", "2026-10", "--salida", out, env=env)
    assert p.returncode == 0, p.stderr
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames
    backup = data / "respaldos" / "copia de seguridad ñandú.db"
    backup.parent.mkdir()
    assert _ses("respaldar", "--destino", backup, env=env).returncode == 0
    p = _ses("verificar", "--db", backup, "--json", env=env)
    assert p.returncode == 0 and json.loads(p.stdout)["ok"], p.stderr
    assert sorted(x.name for x in out.parent.iterdir()) == [out.name], "no temporary file left behind"
