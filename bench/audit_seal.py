"""Benchmark (issue 11): what sealing the bitácora costs a capture save.

Saves one captured value per transaction (``services.capture.save_values``, the window's and ``ses capturar``'s
path: value, audit entry, commit with ``synchronous=FULL``) on a copy of the municipio database, alternating
values so each save changes something. The floor is the same saves in the same run with the sealing listener
removed (``db/audit_chain.py``); the ratio is the seal's cost.

Usage: python bench/audit_seal.py [--dir /tmp/ses-bench] [--guardados 60]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402


def _saves(db, actor, month, indicator, variable, n) -> list[float]:
    from sistema_seguimiento.services.capture import ValueChange, save_values

    times = []
    for i in range(n):
        t = time.perf_counter()
        save_values(db, actor, month, [ValueChange(indicator, variable, Decimal(100 + i % 7))],
                    today=date(2027, 1, 15))
        times.append((time.perf_counter() - t) * 1000)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/ses-bench")
    ap.add_argument("--guardados", type=int, default=60)
    args = ap.parse_args(argv)
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from sistema_seguimiento.db import audit_chain
    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.db.models import Indicator, Variable
    from sistema_seguimiento.services.users import SYSTEM

    source = ensure_db("municipio", Path(args.dir))
    work = Path(args.dir) / "sello.db"
    shutil.copyfile(source, work)
    for suffix in ("-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    with Database.open(work) as db:
        with db.reading() as s:
            ind, var = s.execute(select(Indicator.key, Variable.key)
                                 .join(Variable, Variable.indicator_id == Indicator.id)
                                 .where(Indicator.frequency == "mensual").limit(1)).one()
        month = "2026-12"
        _saves(db, SYSTEM, month, ind, var, 5)  # warm-up
        sealed, plain = [], []
        for _ in range(3):  # interleaved rounds: the machine's load affects both alike
            sealed += _saves(db, SYSTEM, month, ind, var, args.guardados // 3)
            event.remove(Session, "before_flush", audit_chain._seal_pending)
            plain += _saves(db, SYSTEM, month, ind, var, args.guardados // 3)
            audit_chain.install()
    a, b = statistics.median(sealed), statistics.median(plain)
    print(f"guardar un valor con sello {a:6.2f} ms (mediana de {len(sealed)}), sin sello {b:6.2f} ms "
          f"(piso, misma corrida): razón {a / b:4.2f}×")
    work.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
