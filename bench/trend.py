"""Benchmark: the dashboard's monthly trend (January to October) at municipio and estado scale.

The trend is computed from the dashboard's own read (``reports.data.dashboard_trend(..., _read=…)``): one
engine pass per indicator for every month (``services.progress.monthly_states``). Each figure is a ratio to
a floor measured in the same run, in alternation: the raw ``sqlite3`` read of the same rows (bench/avance.py's
queries). ``--antes`` also times the former way (one ``compute_progress`` per month) once.
Target (issue 15): the trend within 2 s at estado scale (the slowest repetition, usually the first in the
process, is compared with it).

``--ventana`` also measures it where the official sees it: the real window (Qt offscreen unless a display is
set) opened on a copy of the database, its home dashboard at the bench's month. The clock runs from the
dashboard's figures put on the page (the moment the trend starts loading in the background, while the page
paints) to the trend drawn, and from opening the file to the trend drawn.

Usage: python bench/trend.py [--escalas municipio,estado] [--dir /tmp/ses-bench] [--repeticiones 5] [--antes]
       [--ventana]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


WINDOW = r"""
import sys, time
from PySide6.QtCore import QEventLoop, QTimer
from sistema_seguimiento.ui import dashboard
from sistema_seguimiento.ui.app import open_session, setup_application
marks = {}
show_data, draw_trend = dashboard.DashboardPage.show_data, dashboard.DashboardPage._draw_trend
def timed_show(page, data):  # the summary's figures are in the page (painted at the next event-loop turn)
    show_data(page, data)
    marks["summary"] = time.perf_counter()
def timed_trend(page):
    draw_trend(page)
    if page.data is not None and page.data.trend:
        marks.setdefault("trend", time.perf_counter())
dashboard.DashboardPage.show_data, dashboard.DashboardPage._draw_trend = timed_show, timed_trend
app = setup_application()
t0 = time.perf_counter()
w = open_session(sys.argv[1], "admin")
w.ctx.set_month(sys.argv[2])
while "trend" not in marks:
    loop = QEventLoop(); QTimer.singleShot(50, loop.quit); loop.exec()
page = w.pages[w.home_key].page
assert page.data.month == sys.argv[2], page.data.month
print(marks["summary"] - t0, marks["trend"] - marks["summary"], marks["trend"] - t0, len(page.data.trend[""]))
from sistema_seguimiento.ui.worker import wait_all
wait_all(60000)
"""


def window_once(path: Path) -> tuple[float, float, float]:
    """(seconds from opening to the dashboard's figures, then to the trend drawn, opening to trend) in a fresh
    interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp)
        res = subprocess.run([sys.executable, "-c", WINDOW, str(copy), MONTH], capture_output=True, text=True,
                             env=env, cwd=Path(__file__).resolve().parents[1], timeout=300)
        if res.returncode:
            raise SystemExit(res.stderr[-2000:])
        summary, trend, whole, months = res.stdout.split()[-4:]
        assert int(months) == int(MONTH[-2:]), months
        return float(summary), float(trend), float(whole)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--escalas", default="municipio,estado")
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--repeticiones", type=int, default=5)
    ap.add_argument("--antes", action="store_true", help="también la forma anterior (un cálculo por mes)")
    ap.add_argument("--ventana", action="store_true", help="también en la ventana real (tablero de inicio)")
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
        first = trends[0]  # in a fresh process: the engine's caches (schedules, capture layouts) still empty
        line = (f"{scale:10} indicadores={nind:6d}  piso sqlite3={min(floors) * 1000:8.1f} ms  "
                f"lectura del tablero={min(reads) * 1000:8.1f} ms  tendencia={min(trends) * 1000:8.1f} ms "
                f"(la primera vez {first * 1000:.1f} ms)  "
                f"razón tendencia/piso={statistics.median(ratios):5.2f}× (mediana de {args.repeticiones} pares)  "
                f"{'≤ 2 s' if max(trends) <= 2 else '> 2 s'}")
        if args.antes:
            before = former_way(path)
            line += f"  forma anterior={before:6.2f} s ({before / min(trends):.1f}× más lenta)"
        print(line)
        if args.ventana:
            runs = [window_once(path) for _ in range(args.repeticiones)]
            summary, trend, whole = (statistics.median(r[i] for r in runs) for i in range(3))
            print(f"{'':10} ventana: cifras del tablero a los {summary:5.2f} s de abrir, luego la tendencia en {trend:5.2f} s  "
                  f"{'≤ 2 s' if trend <= 2 else '> 2 s'}  (abrir → tendencia: {whole:5.2f} s; mediana de "
                  f"{args.repeticiones})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
