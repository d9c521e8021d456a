"""Benchmark: the Informe mensual de avance as a PDF (``ses informe``).

Targets (issue 7): municipio-scale monthly PDF with charts ≤ 10 s and peak memory ≤ 400 MB; estado-scale
executive summary (``--resumen``) ≤ 10 s. Each case runs the real command in a fresh process (wall time, CPU
time and peak RSS of that process); the floor is ``ses avance --json`` on the same database in the same run
(a process that reads and computes the same indicators, without the report), so the ratio tells what the
report itself adds even when the machine is busy.

Usage: python bench/report.py [--dir /tmp/ses-bench] [--repeticiones 2] [--escalas municipio,estado]
Databases are built with ``ses generar`` (semilla 1) when missing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 10.0
TARGET_MB = 400.0


def run(args: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``ses`` process."""
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sistema_seguimiento", *args], cwd=ROOT, env=env,
                                stdout=fo, stderr=fe, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if len(out) > 2000:
        out = f"({len(out)} caracteres de salida)"
    if proc.returncode != 0:
        raise SystemExit(f"falló ses {' '.join(args)}:\n{out}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


def best(args: list[str], reps: int):
    results = [run(args) for _ in range(reps)]
    return min(results, key=lambda r: r[0])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--repeticiones", type=int, default=2)
    ap.add_argument("--escalas", default="municipio,estado")
    a = ap.parse_args()
    folder = Path(a.dir)
    print("bench/report.py — ses informe --periodo 2026-10")
    cases = {"municipio": ("informe mensual completo con gráficas", []),
             "estado": ("resumen ejecutivo (--resumen)", ["--resumen"])}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for scale in a.escalas.split(","):
            what, extra = cases[scale]
            db = ensure_db(scale, folder)
            floor = best(["avance", "--db", str(db), "--periodo", "2026-10", "--json"], a.repeticiones)
            pdf = Path(tmp) / f"{scale}.pdf"
            wall, cpu, rss, out = best(["informe", "--db", str(db), "--periodo", "2026-10", *extra, "--pdf", str(pdf)],
                                       a.repeticiones)
            passed = wall <= TARGET_S and rss <= TARGET_MB
            ok &= passed
            print(f"{scale:10} {what}: {out}")
            print(f"{'':10} tiempo={wall:6.2f} s (CPU {cpu:6.2f} s)  memoria pico={rss:6.1f} MB  "
                  f"piso «ses avance --json»={floor[0]:5.2f} s  razón={wall / floor[0]:5.2f}×  "
                  f"objetivo ≤ {TARGET_S:.0f} s y ≤ {TARGET_MB:.0f} MB: {'CUMPLE' if passed else 'NO CUMPLE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
