"""The modules installer/ses.spec leaves out of the bundle are not needed: the demo, the PDF report, the Excel
export and the window with its home page (charts) all work from source with those modules made unimportable.
Catches a new import of an excluded module (e.g. pyqtgraph needing QtOpenGL) without building the bundle."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "ses.spec"

RUNNER = r'''
import sys
BLOCK = {block!r}

class Blocker:
    def find_spec(self, name, path=None, target=None):
        for b in BLOCK:
            if name == b or name.startswith(b + "."):
                raise ModuleNotFoundError(f"No module named {{name!r}} (excluido del paquete)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
from sistema_seguimiento.cli import main
sys.exit(main(sys.argv[1:]))
'''


def excluded() -> list[str]:
    text = SPEC.read_text(encoding="utf-8")
    seg = text[text.index("EXCLUDES = ["):]
    return ast.literal_eval(seg[seg.index("["):seg.index("\n]\n") + 2])


def test_spec_excludes_tests_and_unused_qt():
    names = excluded()
    assert {"pytest", "tests", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork",
            "PySide6.QtWebEngineCore"} <= set(names)


def test_ses_works_without_the_excluded_modules(tmp_path):
    runner = tmp_path / "sin_excluidos.py"
    runner.write_text(RUNNER.format(block=excluded()), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", SES_DATA_DIR=str(tmp_path / "d"),
               XDG_CONFIG_HOME=str(tmp_path / "c"))
    db = tmp_path / "d" / "ses.db"

    def run(*args, **extra):
        p = subprocess.run([sys.executable, str(runner), *map(str, args)], capture_output=True, text=True,
                           env=dict(env, **extra), cwd=tmp_path, timeout=300)
        assert p.returncode == 0, f"{args}: {p.stderr[-3000:]}"

    run("demo")
    run("informe", "--periodo", "2026-10", "--pdf", tmp_path / "informe.pdf")
    run("exportar", "avance", "--periodo", "2026-10", "--salida", tmp_path / "avance.xlsx")
    run("abrir", db, "--usuario", "admin", SES_SALIR_TRAS_MS="200")
    log = tmp_path / "d" / "logs" / "ses.log"
    assert not log.exists() or "Error" not in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
