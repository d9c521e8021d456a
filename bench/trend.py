"""Benchmark: the dashboard's monthly trend (January to October) at municipio and estado scale.

The trend is computed from the dashboard's own read (``reports.data.dashboard_trend(..., _read=…)``): one
engine pass per indicator for every month (``services.progress.monthly_states``). Each figure is a ratio to
a floor measured in the same run, in alternation: the raw ``sqlite3`` read of the same rows (bench/avance.py's
queries). ``--antes`` also times the former way (one ``compute_progress`` per month) once.
Target (issue 15): the trend within 2 s at estado scale.

Usage: python bench/trend.py [--escalas municipio,estado] [--dir /tmp/ses-bench] [--repeticiones 5] [--antes]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402
from avance import MONTH, raw_floor  # noqa: E402


def trend_once(path: Path) -> tuple[float, float, int]:
    """(seconds of the dashboard's read, seconds of the trend from that read, indicators)."""
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.reports.data import _read_for_dashboard, dashboard_trend

    with Database.open(path, OpenOptions(read_only=True)) as db:
        t = time.perf_counter()
        read = _read_for_dashboard(db, MONTH)
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        trend = dashboard_trend(db, MONTH, _read=read)
        t_trend = time.perf_counter() - t
    return t_read, t_trend, sum(trend[""][-1][2].values())


def former_way(path: Path) -> float:
    """One ``compute_progress`` per month, as the dashboard did before."""
    from sistema_seguimiento.core import periods
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.progress import compute_progress

    year, last, _ = periods.parse(MONTH)
    with Database.open(path, OpenOptions(read_only=True)) as db:
        t = time.perf_counter()
        for m in range(1, last + 1):
            compute_progress(db, periods.month_id(year, m))
        return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--escalas", default="municipio,estado")
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--repeticiones", type=int, default=5)
    ap.add_argument("--antes", action="store_true", help="también la forma anterior (un cálculo por mes)")
    args = ap.parse_args()
    print(f"bench/trend.py — tendencia del tablero, enero a {MONTH}")
    for scale in args.escalas.split(","):
        path = ensure_db(scale, Path(args.dir))
        floors, reads, trends, ratios = [], [], [], []
        nind = 0
        for _ in range(args.repeticiones):
            f, _rows = raw_floor(path)
            r, t, nind = trend_once(path)
            floors.append(f)
            reads.append(r)
            trends.append(t)
            ratios.append(t / f)
        line = (f"{scale:10} indicadores={nind:6d}  piso sqlite3={min(floors) * 1000:8.1f} ms  "
                f"lectura del tablero={min(reads) * 1000:8.1f} ms  tendencia={min(trends) * 1000:8.1f} ms  "
                f"razón tendencia/piso={statistics.median(ratios):5.2f}× (mediana de {args.repeticiones} pares)  "
                f"{'≤ 2 s' if min(trends) <= 2 else '> 2 s'}")
        if args.antes:
            before = former_way(path)
            line += f"  forma anterior={before:6.2f} s ({before / min(trends):.1f}× más lenta)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
