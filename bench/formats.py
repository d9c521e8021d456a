"""Benchmark: every PbRM-08b of one quarter at municipio scale as one PDF (``ses formato pbrm-08b``).

Target (issue 16): one ficha per indicator (about 1,700 pages) in ≤ 20 s. The floor is the monthly report
(``ses informe``) on the same database in the same run, reported as pages per second: the 08b's pages per
second next to it tell what the formats' layout costs against the report machinery it reuses.

Usage: python bench/formats.py [--dir /tmp/ses-bench] [--repeticiones 1] [--trimestre 2026-T3]
The database is built with ``ses generar --escala municipio`` (semilla 1) when missing; a copy of it gets the
Estado de México profile.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_bytecode, ensure_db  # noqa: E402
from report import best  # noqa: E402

TARGET_S = 20.0


def pages_of(out: str) -> int:
    m = re.search(r"(\d+) página", out)
    if not m:
        raise SystemExit(f"no se encontró el número de páginas en: {out}")
    return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--repeticiones", type=int, default=1)
    ap.add_argument("--trimestre", default="2026-T3")
    a = ap.parse_args()
    ensure_bytecode()
    base = ensure_db("municipio", Path(a.dir))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "edomex.db"
        shutil.copy(base, db)
        from sistema_seguimiento.db.database import Database
        from sistema_seguimiento.services import profiles
        from sistema_seguimiento.services.users import SYSTEM

        d = Database.open(str(db))
        profiles.set_profile(d, SYSTEM, "edomex")
        d.close()
        month = {"T1": "03", "T2": "06", "T3": "09", "T4": "12"}[a.trimestre[-2:]]
        period = f"{a.trimestre[:4]}-{month}"
        f_wall, f_cpu, f_rss, f_out = best(["informe", "--db", str(db), "--periodo", period,
                                            "--pdf", str(Path(tmp) / "informe.pdf")], a.repeticiones)
        f_pages = pages_of(f_out)
        wall, cpu, rss, out = best(["formato", "pbrm-08b", "--db", str(db), "--trimestre", a.trimestre,
                                    "--pdf", str(Path(tmp) / "08b.pdf")], a.repeticiones)
        pages = pages_of(out)
    floor_rate = f_pages / f_wall
    rate = pages / wall
    passed = wall <= TARGET_S
    print(f"bench/formats.py — ses formato pbrm-08b --trimestre {a.trimestre} (municipio)")
    print(f"  08b: {pages} páginas en {wall:6.2f} s (CPU {cpu:6.2f} s, memoria pico {rss:6.1f} MB) = "
          f"{rate:6.1f} páginas/s")
    print(f"  piso «ses informe --periodo {period}»: {f_pages} páginas en {f_wall:6.2f} s (CPU {f_cpu:6.2f} s) = "
          f"{floor_rate:6.1f} páginas/s")
    print(f"  razón 08b / informe (páginas por segundo) = {rate / floor_rate:5.2f}×   objetivo ≤ {TARGET_S:.0f} s: "
          f"{'CUMPLE' if passed else 'NO CUMPLE'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
