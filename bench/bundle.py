"""Benchmark of the bundled program (issue 12): time from starting the bundled ``SES`` to an interactive main
window on the municipio database, next to the same from the source install, in the same run; and the bundle's
size.

Both are started the same way, as a user would (``SES abrir FILE --usuario admin`` / ``python -m
sistema_seguimiento abrir …``) with ``SES_SALIR_TRAS_MS=0``: on the first turn of the event loop after the window
is shown the program writes the wall-clock time (``SES_VENTANA_LISTA``), again when the home page (dashboard) is
built (``SES_INICIO_LISTO``), then closes. The clock starts just before the process is spawned. Runs are
interleaved so both see the same machine state; medians are printed, and the ratio bundle / source.

    python bench/bundle.py [--bundle dist/ses] [--municipio /tmp/m.db] [--runs 5] [--json]

Build the bundle first with ``bash installer/build.sh``; the municipio database is generated when missing.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ROOT, ensure_bytecode, ensure_db  # noqa: E402


def measure(cmd: list[str], env: dict) -> tuple[float, float]:
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        raise SystemExit(f"falló {' '.join(cmd)} ({p.returncode}):\n{p.stderr[-3000:]}")
    marks = dict(line.split()[:2] for line in p.stderr.splitlines() if line.startswith("SES_"))
    return float(marks["SES_VENTANA_LISTA"]) - t0, float(marks["SES_INICIO_LISTO"]) - t0


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1048576


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", default=str(ROOT / "dist" / "ses"))
    ap.add_argument("--municipio", default=None, help="base municipio (por omisión se genera en una carpeta temporal)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    bundle = Path(args.bundle)
    if not (bundle / "SES").exists():
        raise SystemExit(f"No existe el paquete {bundle}: ejecute primero «bash installer/build.sh».")
    ensure_bytecode()
    tmp = Path(tempfile.mkdtemp(prefix="ses-bench-bundle-"))
    muni = Path(args.municipio) if args.municipio else ensure_db("municipio", tmp)
    if not muni.exists():
        ensure_db("municipio", muni.parent)
    env = {"HOME": str(tmp / "home"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
           "SES_DATA_DIR": str(tmp / "datos"), "XDG_CONFIG_HOME": str(tmp / "config"), "SES_SALIR_TRAS_MS": "0"}
    source_env = dict(env, PYTHONPATH=str(ROOT))
    bundled_cmd = [str(bundle / "SES"), "abrir", str(muni), "--usuario", "admin"]
    source_cmd = [sys.executable, "-m", "sistema_seguimiento", "abrir", str(muni), "--usuario", "admin"]
    measure(bundled_cmd, env), measure(source_cmd, source_env)  # warm the file cache for both
    b_win, b_home, s_win, s_home = [], [], [], []
    for _ in range(args.runs):
        w, h = measure(bundled_cmd, env)
        b_win.append(w), b_home.append(h)
        w, h = measure(source_cmd, source_env)
        s_win.append(w), s_home.append(h)
    med = statistics.median
    report_file = ROOT / "dist" / "bundle-report.json"
    build = json.loads(report_file.read_text()) if report_file.exists() else {}
    result = {"bundle_window_s": round(med(b_win), 3), "source_window_s": round(med(s_win), 3),
              "ratio_window": round(med(b_win) / med(s_win), 2),
              "bundle_home_s": round(med(b_home), 3), "source_home_s": round(med(s_home), 3),
              "ratio_home": round(med(b_home) / med(s_home), 2), "runs": args.runs,
              "bundle_mb": round(size_mb(bundle), 1), "build": build}
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"Ventana interactiva (municipio), mediana de {args.runs}:")
    print(f"  programa empaquetado: {result['bundle_window_s']:.3f} s")
    print(f"  instalación desde el código: {result['source_window_s']:.3f} s  → razón {result['ratio_window']:.2f}×")
    print(f"Con la página de inicio construida: empaquetado {result['bundle_home_s']:.3f} s, código "
          f"{result['source_home_s']:.3f} s → razón {result['ratio_home']:.2f}×")
    print(f"Tamaño del paquete: {result['bundle_mb']:.1f} MB descomprimido"
          + (f", {build['archive_bytes'] / 1048576:.1f} MB en .tar.gz" if build else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
