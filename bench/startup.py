"""Benchmarks of the desktop window (issue 4).

1. Time to an interactive main window on a municipio-scale database, as a ratio to a bare PySide6 window
   (QApplication + QMainWindow.show()) measured in the same run. Each measurement is a fresh interpreter;
   the clock starts before the first import and stops when the shown window has processed its first events
   (tree, menus and validation dock usable). A second figure includes building the registered home page
   (the dashboard, with its charts), which the window builds right after its first paint.
   Target: ratio <= 3.
2. Opening a program's MIR in the MIR editor at estado scale (services + model + view), milliseconds.
   Target: <= 100 ms.

    .venv/bin/python bench/startup.py [--municipio /tmp/m.db] [--estado /tmp/e.db] [--runs 5]

Missing databases are generated with ``ses generar`` (estado takes about a minute).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = r"""
import time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow()
w.resize(1280, 800)
w.show()
app.processEvents()
print(time.perf_counter() - t0)
"""

SES = r"""
import time
t0 = time.perf_counter()
import sys
from sistema_seguimiento.ui.app import open_session, setup_application
app = setup_application()
w = open_session(sys.argv[1], "admin")
app.processEvents()
t1 = time.perf_counter() - t0
mods = [m for m in ("pyqtgraph", "openpyxl", "numpy") if m in sys.modules]
from PySide6.QtCore import QEventLoop, QTimer
while not w.home_ready:
    loop = QEventLoop(); QTimer.singleShot(5, loop.quit); loop.exec()
app.processEvents()
t2 = time.perf_counter() - t0
print(t1, t2, ",".join(mods) or "-")
from sistema_seguimiento.ui.worker import wait_all
wait_all(60000)
"""

MIR = r"""
import sys, time, statistics
from sistema_seguimiento.ui.app import setup_application
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.ui.context import AppContext
from sistema_seguimiento.ui.mir_editor import MirEditor
app = setup_application()
db = Database.open(sys.argv[1], OpenOptions(read_only=True))
ctx = AppContext(db, CurrentUser("admin", "administrador"), ed.window_info(db)["years"][-1], "2026-10")
m = MirEditor(ctx)
m.resize(1200, 700)
m.show()
app.processEvents()
keys = [r["key"] for r in ed.program_overview(db, ctx.year)]
sample = keys[:: max(1, len(keys) // 25)][:25]
m.set_program(sample[-1]); app.processEvents()  # warm-up
times = []
for k in sample:
    t = time.perf_counter()
    m.set_program(k)
    app.processEvents()
    times.append((time.perf_counter() - t) * 1000)
print(statistics.median(times), max(times), len(sample), len(keys))
db.close()
"""


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["SES_DATA_DIR"] = str(tmp / "datos")
    env["XDG_CONFIG_HOME"] = str(tmp / "config")  # fresh QSettings: no remembered geometry
    return env


def _run(code: str, *args: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"fallo la medición:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1] if code is not SES else out.stdout.strip().splitlines()[0]


def _ensure(path: Path, scale: str) -> Path:
    if not (path.exists() and path.stat().st_size > 0):
        subprocess.run([sys.executable, "-m", "sistema_seguimiento", "generar", "--escala", scale, "--db", str(path)],
                       check=True)
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--municipio", default="/tmp/m.db")
    ap.add_argument("--estado", default="/tmp/e.db")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import ensure_bytecode

    ensure_bytecode()  # an installed program starts from bytecode
    muni = _ensure(Path(args.municipio), "municipio")
    estado = _ensure(Path(args.estado), "estado")
    tmp = Path(tempfile.mkdtemp(prefix="ses-bench-"))
    env = _env(tmp)
    bare, ses, full, loaded = [], [], [], set()
    for _ in range(args.runs):  # interleaved so both see the same machine state
        bare.append(float(_run(BARE, env=env)))
        line = _run(SES, str(muni), env=env).split()
        ses.append(float(line[0]))
        full.append(float(line[1]))
        loaded |= set(line[2].split(",")) - {"-"}
    b, s, h = statistics.median(bare), statistics.median(ses), statistics.median(full)
    med, worst, n, total = map(float, _run(MIR, str(estado), env=env).split())
    result = {"bare_window_s": round(b, 3), "ses_window_s": round(s, 3), "ratio": round(s / b, 2),
              "ses_with_home_page_s": round(h, 3), "ratio_with_home_page": round(h / b, 2),
              "target_ratio": 3.0, "heavy_modules_at_start": sorted(loaded),
              "mir_open_ms_median": round(med, 1), "mir_open_ms_max": round(worst, 1),
              "mir_programs_sampled": int(n), "estado_programs": int(total), "target_mir_ms": 100}
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"Ventana PySide6 mínima: {b:.3f} s (mediana de {args.runs})")
        print(f"Ventana principal de SES (municipio): {s:.3f} s  → razón {s / b:.2f}× (meta ≤ 3×)")
        print(f"Con la página de inicio registrada ya construida: {h:.3f} s → razón {h / b:.2f}×")
        print(f"Módulos pesados cargados antes de la primera pantalla: {', '.join(sorted(loaded)) or 'ninguno'}")
        print(f"Abrir la MIR de un programa (estado, {int(n)} de {int(total)} programas): mediana {med:.1f} ms, "
              f"máximo {worst:.1f} ms (meta ≤ 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
