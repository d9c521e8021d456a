from __future__ import annotations

from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"  # ../shared beside the checkout
_LOCAL = Path(__file__).parent / "realdata"


def realdata_dir() -> Path | None:
    for d in (_LOCAL, REALDATA):
        if (d / "xlsx").is_dir():
            return d
    return None


@pytest.fixture
def realdata():
    d = realdata_dir()
    if d is None:
        pytest.skip("faltan los libros reales (realdata/xlsx)")
    return d


def snapshot(db) -> dict:
    """Everything an import could touch, to prove that a refused import wrote nothing."""
    from sqlalchemy import select, text

    out = {}
    with db.reading() as s:
        for table in ("program", "objective", "indicator", "variable", "target", "measurement", "audit_entry",
                      "agency", "fiscal_year", "organization"):
            rows = s.execute(text(f"SELECT * FROM {table} ORDER BY id" if table != "organization"
                                  else "SELECT id, name FROM organization ORDER BY id")).all()
            out[table] = [tuple(str(v) for v in r) for r in rows]
    return out
