"""``ses --version``: program version (pyproject), schema revision, Python and Qt; PySide6 loaded only for it."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tomllib
from pathlib import Path

from sistema_seguimiento.db.database import SCHEMA_HEAD

ROOT = Path(__file__).resolve().parents[2]


def _py(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_version_prints_program_schema_python_and_qt():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "sistema_seguimiento", "--version"], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    import PySide6
    from PySide6.QtCore import qVersion

    lines = p.stdout.splitlines()
    assert lines[0] == f"SES — Sistema Estratégico de Seguimiento {version}"
    assert lines[1].endswith(f": {SCHEMA_HEAD}")
    assert f"Python {platform.python_version()}" in lines[2]
    assert lines[3] == f"Qt {qVersion()} (PySide6 {PySide6.__version__})"


def test_other_commands_do_not_import_qt():
    out = _py("import sys\nfrom sistema_seguimiento import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n"
              "    pass\nprint('PySide6' in sys.modules)")
    assert out.strip().splitlines()[-1] == "False"
    out = _py("import sys\nfrom sistema_seguimiento import cli\ntry:\n    cli.main(['--version'])\nexcept SystemExit:\n"
              "    pass\nprint('PySide6' in sys.modules)")
    assert out.strip().splitlines()[-1] == "True"
