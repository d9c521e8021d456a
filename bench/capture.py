"""Benchmark (issue 5): switching period or dependencia in the capture grid, at municipio and estado scale.

What is timed is the real page: ``CapturePage.select(...)`` (service read, engine results of the due
indicators, model reset, budget panel, workflow state) with Qt offscreen, one switch at a time, after one warm-up
switch. Each figure is also given as a ratio to a floor measured in the same run: a raw ``sqlite3`` read of the
same rows (the dependencia's indicators, variables, all their targets and measurements of the year, which the
cumulative figures need) into Python tuples.
Targets: ≤ 100 ms at municipio scale and ≤ 1 s at estado scale.

Usage: python bench/capture.py [--escalas municipio,estado] [--dir /tmp/ses-bench] [--cambios 8]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIMITS_MS = {"municipio": 100, "estado": 1000, "mini": 100}
MONTHS = ["2026-10", "2026-09", "2026-12", "2026-06", "2026-03", "2026-11", "2026-07", "2026-08"]

RAW = {
    "ind": "SELECT i.id, i.key, i.name, i.formula, i.frequency, i.direction, i.type, i.preset_key, o.key, o.level, "
           "o.parent_id, p.key FROM indicator i JOIN objective o ON o.id = i.objective_id "
           "JOIN program p ON p.id = o.program_id WHERE p.agency_id = ?",
    "var": "SELECT v.id, v.indicator_id, v.key, v.name, v.role, v.accumulation, v.integer_only, v.allow_negative "
           "FROM variable v JOIN indicator i ON i.id = v.indicator_id JOIN objective o ON o.id = i.objective_id "
           "JOIN program p ON p.id = o.program_id WHERE p.agency_id = ?",
    "tgt": "SELECT t.variable_id, t.period, t.value, t.original_value FROM target t JOIN variable v "
           "ON v.id = t.variable_id JOIN indicator i ON i.id = v.indicator_id JOIN objective o ON o.id = i.objective_id "
           "JOIN program p ON p.id = o.program_id WHERE p.agency_id = ?",
    "mea": "SELECT m.variable_id, m.period, m.value, m.status FROM measurement m JOIN variable v "
           "ON v.id = m.variable_id JOIN indicator i ON i.id = v.indicator_id JOIN objective o ON o.id = i.objective_id "
           "JOIN program p ON p.id = o.program_id WHERE p.agency_id = ?",
    "state": "SELECT status FROM period_state WHERE period = ? AND agency_id = ?",
}


def ensure_db(scale: str, folder: Path) -> Path:
    path = folder / f"{scale}.db"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sistema_seguimiento", "generar", "--escala", scale, "--db", str(path)],
                       check=True, cwd=ROOT)
        print(f"  base {scale} generada en {time.perf_counter() - t:.1f} s: {path}")
    return path


def raw_read(conn: sqlite3.Connection, agency_id: int, month: str) -> int:
    n = 0
    for key in ("ind", "var", "tgt", "mea"):
        n += len(conn.execute(RAW[key], (agency_id,)).fetchall())
    conn.execute(RAW["state"], (month, agency_id)).fetchall()
    return n


def bench_scale(scale: str, folder: Path, switches: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui.capture import CapturePage
    from sistema_seguimiento.ui.context import AppContext

    app = QApplication.instance() or QApplication([])
    path = ensure_db(scale, folder)
    db = Database.open(path, OpenOptions(read_only=True))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    agencies = conn.execute("SELECT a.id, a.key, COUNT(*) FROM agency a JOIN program p ON p.agency_id = a.id "
                            "GROUP BY a.id ORDER BY COUNT(*) DESC, a.key").fetchall()
    ids = {key: aid for aid, key, _ in agencies}
    keys = [k for _, k, _ in agencies][:switches]
    ctx = AppContext(db, CurrentUser("admin", "administrador"), 2026, "2026-10")
    page = CapturePage(ctx)
    page.resize(1400, 800)
    page.show()
    page.select(month="2026-10", agency=keys[0])  # warm-up
    app.processEvents()

    def timed(fn):
        t = time.perf_counter()
        fn()
        app.processEvents()
        return (time.perf_counter() - t) * 1000

    out = {}
    # switching period (largest dependencia), then switching dependencia (October)
    plans = {"periodo": [(m, keys[0]) for m in MONTHS[:switches]],
             "dependencia": [("2026-10", k) for k in keys[1:] + keys[:1]]}
    for kind, plan in plans.items():
        grid, floor, rows = [], [], []
        for month, agency in plan:
            if kind == "periodo":
                grid.append(timed(lambda: page.select(month=month)))
            else:
                grid.append(timed(lambda: page.select(agency=agency)))
            rows.append(page.model.rowCount())
            floor.append(timed(lambda: raw_read(conn, ids[agency], month)))
        med_g, med_f = statistics.median(grid), statistics.median(floor)
        out[kind] = {"mediana_ms": med_g, "max_ms": max(grid), "piso_ms": med_f, "razon": med_g / med_f,
                     "filas": int(statistics.median(rows)), "limite_ms": LIMITS_MS.get(scale, 1000)}
    page.close()
    db.close()
    conn.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--escalas", default="municipio,estado")
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--cambios", type=int, default=8)
    args = ap.parse_args(argv)
    ok = True
    for scale in args.escalas.split(","):
        res = bench_scale(scale, Path(args.dir), args.cambios)
        for kind, r in res.items():
            verdict = "OK" if r["max_ms"] <= r["limite_ms"] else "EXCEDE"
            ok &= verdict == "OK"
            print(f"{scale:<10} cambio de {kind:<12} mediana {r['mediana_ms']:7.1f} ms  máx {r['max_ms']:7.1f} ms  "
                  f"(límite {r['limite_ms']} ms, {verdict})  piso sqlite3 {r['piso_ms']:6.1f} ms  "
                  f"razón {r['razon']:5.1f}×  filas en la tabla {r['filas']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
