"""``compute_progress`` (the columnar summary path of ``ses avance``) gives, row for row, what the full engine
gives on a generated database: every frequency, both senses, stock and flow, missing and partial captures."""
from __future__ import annotations

import pytest

from sistema_seguimiento.core import periods
from sistema_seguimiento.core.exchange import read_exchange
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services.documents import read_programs
from sistema_seguimiento.services.generator import generate
from sistema_seguimiento.services.loading import load_document
from sistema_seguimiento.services.progress import compute_progress, presets_by_key, rows_for


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "mini.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        load_document(db, read_exchange(generate("mini", seed=3)), source="prueba")
    return path


@pytest.mark.parametrize("month", ["2026-01", "2026-03", "2026-06", "2026-10", "2026-12"])
def test_summary_rows_equal_full_engine_rows(generated, month):
    with Database.open(generated, OpenOptions(read_only=True)) as db:
        fast = compute_progress(db, month)
        with db.reading() as session:
            due = periods.due_periods(periods.month_cutoff(month))
            pset = read_programs(session, 2026, value_periods=due, lean=True)
            presets = presets_by_key(session)
    slow = rows_for(pset, presets, month, detail=True)  # every indicator through compute_indicator
    assert len(fast) == len(slow) > 100
    for f, s in zip(fast, slow):
        assert f.as_json() == s.as_json(), f.indicator_key
        assert f.status == s.status and f.progress_alt_pct == s.progress_alt_pct
        assert f.result.cumulative.to_dict() == s.result.cumulative.to_dict()
    assert {r.light for r in fast} >= {"verde", "rojo", "gris"}
