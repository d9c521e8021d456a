"""Render every page of every state format (Estado de México) of the demo to PNG, for a look before handing
them out: ``python tools/render_formats.py OUT_DIR [--trimestre 2026-T3] [--dpi 70]``.

The demo gets the Edomex profile and the proyectos, metas de actividad, reconducciones and tarjeta of
``tests/edomex_fixtures.py``; each format is written with ``ses formato`` as PDF and Excel, and each PDF page
becomes ``OUT_DIR/png/<formato>-<n>.png`` (pdftoppm, from poppler-utils).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--trimestre", default="2026-T3")
    ap.add_argument("--dpi", type=int, default=70)
    a = ap.parse_args()
    if shutil.which("pdftoppm") is None:
        print("Falta pdftoppm (apt-get install -y poppler-utils).", file=sys.stderr)
        return 2
    out = Path(a.out)
    for sub in ("pdf", "png", "xlsx"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    db_path = out / "edomex.db"
    for p in (db_path, *out.glob("png/*.png")):
        p.unlink(missing_ok=True)
    from sistema_seguimiento.cli_formato import FORMATS
    from tests.edomex_fixtures import make_edomex_db

    make_edomex_db(db_path).close()
    for f in FORMATS:
        for kind, ext in (("--pdf", "pdf"), ("--xlsx", "xlsx")):
            target = out / ext / f"{f}.{ext}"
            proc = subprocess.run([sys.executable, "-m", "sistema_seguimiento", "formato", f, "--db", str(db_path),
                                   "--trimestre", a.trimestre, kind, str(target)], cwd=ROOT, capture_output=True,
                                  text=True)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
            if ext == "pdf":
                subprocess.run(["pdftoppm", "-r", str(a.dpi), "-png", str(target), str(out / "png" / f)], check=True)
                print(f"{f}: {proc.stdout.strip()}")
    print(f"Páginas en {out / 'png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
