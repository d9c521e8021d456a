"""Benchmark (issue 6): Excel interchange.

1. Avance export of the estado-scale database, against a floor measured in the same run: a raw openpyxl
   write-only workbook with the same cells (same values, no styles). Target: export writing ≤ 2× the floor.
   Also shown: the whole command (database read + engine + writing).
2. Import of one dependencia's capture workbook at municipio scale (the dependencia with most capture rows):
   preview (open, fingerprint, compare) + apply through ``services.capture.save_values``. Target: ≤ 1 s.

Peak memory is measured with tracemalloc in a separate pass (Python allocations), plus the process max RSS.

Usage: python bench/excel.py [--dir /tmp/ses-bench] [--mes 2026-10] [--repeticiones 3]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def bench_avance(path: Path, month: str, repeat: int, tmp: Path) -> dict:
    from openpyxl import Workbook

    from sistema_seguimiento.core import periods
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.excel.export_avance import (HEADERS, detail_values, export_avance,
                                                         justification_texts, sort_rows, write_avance)
    from sistema_seguimiento.services.documents import read_programs
    from sistema_seguimiento.services.progress import presets_by_key, rows_for

    db = Database.open(path, OpenOptions(read_only=True))
    with db.reading() as s:
        pset = read_programs(s, periods.year_of(month))
        presets = presets_by_key(s)
        _ = pset.organization.name if pset.organization else None
    rows = sort_rows(rows_for(pset, presets, month), pset)
    just = justification_texts(pset)
    names = {k: f"{a.acronym or a.key} — {a.name}" for k, a in pset.agencies.items()}
    cells = [detail_values(r, names.get(r.agency_key, ""), just) for r in rows]

    def raw():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Avance")
        ws.append(HEADERS)
        for vals in cells:
            ws.append(vals)
        wb.save(tmp / "raw.xlsx")

    def raw_nogc():  # the same floor with the cyclic GC paused, as the export does: the fairest floor
        import gc

        gc.disable()
        try:
            raw()
        finally:
            gc.enable()

    def write():
        write_avance(rows, pset, month, tmp / "avance.xlsx")

    def whole():
        export_avance(db, month, tmp / "avance_total.xlsx")

    raw()
    write()
    t_raw = min(best(raw, repeat), best(raw_nogc, repeat))
    t_raw_gc = best(raw, 1)
    t_write = best(write, repeat)
    t_whole = best(whole, 1)
    mem_write = peak_mb(write)
    mem_whole = peak_mb(whole)
    db.close()
    return {"rows": len(rows), "raw": t_raw, "raw_gc": t_raw_gc, "write": t_write, "whole": t_whole, "mem_write": mem_write,
            "mem_whole": mem_whole, "size_mb": (tmp / "avance.xlsx").stat().st_size / 1024 / 1024}


def bench_capture(path: Path, month: str, repeat: int, tmp: Path) -> dict:
    import sqlite3

    from openpyxl import load_workbook

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.excel.capture_workbook import (FIRST_ROW, SHEET, VALUE_COL, apply_capture,
                                                            export_capture, preview_capture)
    from sistema_seguimiento.services.capture import capture_rows
    from sistema_seguimiento.services.users import SYSTEM

    work = tmp / "captura.db"
    shutil.copy(path, work)
    conn = sqlite3.connect(work)
    agencies = [k for (k,) in conn.execute("SELECT key FROM agency ORDER BY key")]
    # open every period so that the import is not refused as «cerrado»
    conn.execute("DELETE FROM period_state")
    conn.commit()
    conn.close()
    db = Database.open(work, OpenOptions())
    best_agency, n_rows = None, -1
    for key in agencies:
        n = capture_rows(db, month, key).row_count
        if n > n_rows:
            best_agency, n_rows = key, n
    src = tmp / "captura.xlsx"
    export_capture(db, month, best_agency, src)
    wb = load_workbook(src)
    ws = wb[SHEET]
    changed = 0
    for r in range(FIRST_ROW, FIRST_ROW + n_rows):
        v = ws.cell(r, VALUE_COL).value
        ws.cell(r, VALUE_COL).value = (v or 0) + 1
        changed += 1
    filled = tmp / "captura_llena.xlsx"
    wb.save(filled)
    t_preview = best(lambda: preview_capture(db, filled), repeat)
    preview = preview_capture(db, filled)
    assert not preview.errors, preview.errors[:3]
    t = time.perf_counter()
    apply_capture(db, preview, actor=SYSTEM)
    t_apply = time.perf_counter() - t
    mem = peak_mb(lambda: preview_capture(db, filled))
    db.close()
    return {"agency": best_agency, "rows": n_rows, "changes": len(preview.changes), "preview": t_preview,
            "apply": t_apply, "total": t_preview + t_apply, "mem": mem}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "ses-bench"))
    ap.add_argument("--mes", default="2026-10")
    ap.add_argument("--repeticiones", type=int, default=3)
    args = ap.parse_args()
    folder = Path(args.dir)
    ok = True
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        est = ensure_db("estado", folder)
        a = bench_avance(est, args.mes, args.repeticiones, tmp)
        ratio = a["write"] / a["raw"]
        print(f"Exportar avance (estado, {a['rows']:,} indicadores, {a['size_mb']:.1f} MB):")
        print(f"  piso openpyxl write-only sin estilos: {a['raw']:.2f} s (el mejor de: con el recolector de basura "
              f"activo {a['raw_gc']:.2f} s, o pausado)")
        print(f"  escritura del libro de SES:           {a['write']:.2f} s  → {ratio:.2f}× el piso "
              f"(meta ≤ 2×) {'OK' if ratio <= 2 else 'NO CUMPLE'}")
        print(f"  comando completo (lectura + motor + escritura): {a['whole']:.2f} s "
              f"({a['whole'] / a['raw']:.2f}× el piso)")
        print(f"  memoria pico (tracemalloc): escritura {a['mem_write']:.0f} MB, completo {a['mem_whole']:.0f} MB")
        ok &= ratio <= 2
        mun = ensure_db("municipio", folder)
        c = bench_capture(mun, args.mes, args.repeticiones, tmp)
        print(f"Importar libro de captura (municipio, dependencia {c['agency']}, {c['rows']} filas, "
              f"{c['changes']} cambios):")
        print(f"  vista previa {c['preview'] * 1000:.0f} ms + aplicar {c['apply'] * 1000:.0f} ms = "
              f"{c['total'] * 1000:.0f} ms (meta ≤ 1000 ms) {'OK' if c['total'] <= 1 else 'NO CUMPLE'}")
        print(f"  memoria pico de la vista previa (tracemalloc): {c['mem']:.1f} MB")
        ok &= c["total"] <= 1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Memoria máxima del proceso (RSS): {rss:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
