"""Shared by the benchmarks: the synthetic databases they measure on."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def ensure_db(scale: str, folder: Path) -> Path:
    """``folder/<scale>.db`` built with ``ses generar --escala <scale>`` (semilla 1) when missing."""
    path = Path(folder) / f"{scale}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sistema_seguimiento", "generar", "--escala", scale, "--db", str(path)],
                       check=True, cwd=ROOT)
        print(f"  base {scale} generada en {time.perf_counter() - t:.1f} s: {path}")
    return path


def ensure_bytecode() -> None:
    """Compile the package's bytecode, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE set (as on this
    machine) a source checkout would otherwise recompile every module of SES on every start."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "sistema_seguimiento")], check=True)
