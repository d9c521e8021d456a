"""Benchmark: ``ses avance`` for every indicator of one period, at municipio and estado scale.

Each figure is a ratio to a floor measured in the same run: raw ``sqlite3`` queries that read the same rows
(programs, objectives, indicators, variables, justifications, and the targets and measurements of the periods
due at the cut-off) into Python tuples.
Targets (issue 3): ratio ≤ 3 and ≤ 1 s at estado scale.

Usage: python bench/avance.py [--escalas municipio,estado] [--dir /tmp/ses-bench] [--repeticiones 7]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_bytecode, ensure_db  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTH = "2026-10"
# the same rows and columns that the service reads for ``ses avance`` (services.documents.read_programs, lean)
RAW_QUERIES = [
    "SELECT * FROM program",
    'SELECT id, program_id, parent_id, key, level, "order" FROM objective',
    "SELECT id, objective_id, key, name, formula_type, formula, unit, type, direction, frequency, annual_target, "
    "preset_key, natural_cap, base_year FROM indicator",
    "SELECT id, indicator_id, key, role, accumulation FROM variable",
    "SELECT variable_id, period, value FROM target WHERE period IN ({due})",
    "SELECT variable_id, period, value FROM measurement WHERE period IN ({due})",
    "SELECT indicator_id, period, cause, effect, other_reasons, improvement_actions FROM justification",
]


def raw_floor(path: Path) -> tuple[float, int]:
    from sistema_seguimiento.core.periods import due_periods, month_cutoff

    due = ",".join(f"'{p}'" for p in due_periods(month_cutoff(MONTH)))  # the periods due at the cut-off
    from sistema_seguimiento.db.database import CACHE_KIB

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute(f"PRAGMA cache_size={CACHE_KIB}")  # the same page cache as SES's own connections
    t = time.perf_counter()
    n = 0
    for q in RAW_QUERIES:
        n += len(conn.execute(q.format(due=due)).fetchall())
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed, n


def ses_avance(path: Path) -> tuple[float, int]:
    """What ``ses avance --json`` does once the database is open (cli.cmd_avance)."""
    from sistema_seguimiento.cli import json_text
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.perf import no_gc
    from sistema_seguimiento.services.progress import compute_progress

    with Database.open(path, OpenOptions(read_only=True)) as db:
        t = time.perf_counter()
        rows = compute_progress(db, MONTH)
        with no_gc():
            json_text([r.as_json() for r in rows])
        return time.perf_counter() - t, len(rows)


def paired(path: Path, reps: int) -> tuple[float, float, float, int, int]:
    """Floor and ``ses avance`` measured in alternation, so that both see the same machine load (this machine's
    speed drifts by a third from minute to minute). Returns (best floor, best ours, median of the per-pair
    ratios, rows read, indicators)."""
    floors, ours, ratios = [], [], []
    nrows = nind = 0
    for _ in range(reps):
        f, nrows = raw_floor(path)
        o, nind = ses_avance(path)
        floors.append(f)
        ours.append(o)
        ratios.append(o / f)
    return min(floors), min(ours), statistics.median(ratios), nrows, nind


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--escalas", default="municipio,estado")
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--repeticiones", type=int, default=7)
    args = ap.parse_args()
    ensure_bytecode()  # the full-command figure starts from bytecode, as an installed program does
    print("bench/avance.py — ses avance --periodo 2026-10 (todos los indicadores)")
    for scale in args.escalas.split(","):
        path = ensure_db(scale, Path(args.dir))
        floor, ours, ratio, nrows, nind = paired(path, args.repeticiones)
        size = os.path.getsize(path) / 1e6
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sistema_seguimiento", "avance", "--db", str(path), "--periodo",
                        "2026-10", "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        cmd = time.perf_counter() - t
        print(f"{scale:10} indicadores={nind:6d} filas={nrows:8d} base={size:7.1f} MB  "
              f"piso sqlite3={floor * 1000:8.1f} ms  ses avance={ours * 1000:8.1f} ms  "
              f"razón={ratio:5.2f}× (mediana de {args.repeticiones} pares; de los mínimos {ours / floor:.2f}×)  "
              f"(comando completo con arranque de Python: {cmd:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
