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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402

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
    page.prefetch_enabled = False  # measured separately below
    page.resize(1400, 800)
    page.show()
    page.select(month="2026-10", agency=keys[0])  # warm-up
    app.processEvents()

    def timed(fn):
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000

    def paint():
        page.table.viewport().repaint()
        app.processEvents()

    out = {}
    # switching period (largest dependencia, its documents kept by the page), switching dependencia the first
    # time (nothing cached: every read hits the database) and again (selection data kept by the page)
    plans = {"periodo": [(m, keys[0], False) for m in MONTHS[:switches]],
             "dependencia (1.ª vez)": [("2026-10", k, True) for k in keys[1:] + keys[:1]],
             "dependencia (precargada)": [("2026-10", k, False) for k in keys[1:] + keys[:1]]}
    for kind, plan in plans.items():
        if kind == "dependencia (precargada)":
            # what the page does on its own: documents of the other dependencias read in the background
            # (municipio scale) or kept from an earlier visit (larger organizations)
            page.prefetch_enabled = True
            page._prefetch()
            deadline = time.time() + 120
            while not page.prefetch_done() and time.time() < deadline:
                app.processEvents()
                time.sleep(0.01)
            for month, agency, _ in plan:
                if (2026, agency, None) not in page._sources:
                    page.select(month=month, agency=agency)
        data_ms, paint_ms, total, floor, rows = [], [], [], [], []
        for month, agency, cold in plan:
            if cold:
                page.invalidate()
            if kind == "periodo":
                d = timed(lambda: page.select(month=month))
            else:
                d = timed(lambda: page.select(month=month, agency=agency))
            p = timed(paint)
            data_ms.append(d)
            paint_ms.append(p)
            total.append(d + p)
            rows.append(page.model.rowCount())
            floor.append(timed(lambda: raw_read(conn, ids[agency], month)))
        med_t, med_f = statistics.median(total), statistics.median(floor)
        out[kind] = {"datos_ms": statistics.median(data_ms), "pintado_ms": statistics.median(paint_ms),
                     "mediana_ms": med_t, "max_ms": max(total), "piso_ms": med_f, "razon": med_t / med_f,
                     "filas": int(statistics.median(rows)), "limite_ms": LIMITS_MS.get(scale, 1000)}
    # context for the paint figures: Qt's own cost of painting a plain QTableWidget of the same size and rows
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    w = QTableWidget(page.model.rowCount(), page.model.columnCount())
    for r in range(page.model.rowCount()):
        for c in range(page.model.columnCount()):
            w.setItem(r, c, QTableWidgetItem(page.model.index(r, c).data() or ""))
    w.resize(page.table.size())
    w.show()
    app.processEvents()
    out["pintado_qt_ms"] = statistics.median(timed(lambda: w.viewport().repaint()) for _ in range(5))
    w.close()
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
        qt_paint = res.pop("pintado_qt_ms")
        for kind, r in res.items():
            verdict = "OK" if r["mediana_ms"] <= r["limite_ms"] else "EXCEDE"
            ok &= verdict == "OK"
            print(f"{scale:<10} {kind:<23} mediana {r['mediana_ms']:6.1f} ms (datos+modelo {r['datos_ms']:5.1f}, "
                  f"pintado {r['pintado_ms']:5.1f})  máx {r['max_ms']:6.1f} ms  límite {r['limite_ms']} ms: {verdict}  "
                  f"piso sqlite3 {r['piso_ms']:5.1f} ms  razón {r['razon']:5.1f}×  filas {r['filas']}", flush=True)
        print(f"{scale:<10} (referencia: Qt tarda {qt_paint:.1f} ms en pintar un QTableWidget simple del mismo tamaño)",
              flush=True)
    sys.stdout.flush()
    os._exit(0 if ok else 1)  # skip interpreter teardown of the Qt objects (PySide6 may crash there)


if __name__ == "__main__":
    sys.exit(main())
