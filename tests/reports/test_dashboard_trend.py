"""The dashboard's monthly trend (``reports.data.dashboard_trend``) is computed from one read and one engine pass
per indicator; it must give, month by month and dependencia by dependencia, the counts of ``compute_progress``
at each month-end (a read limited to that month's due periods)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from sistema_seguimiento.core import periods
from sistema_seguimiento.core.exchange import read_exchange
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.reports.data import LIGHTS, dashboard_summary, dashboard_trend
from sistema_seguimiento.services.generator import generate
from sistema_seguimiento.services.loading import load_document
from sistema_seguimiento.services.progress import compute_progress


def expected_trend(db, month: str) -> dict[str, list]:
    """The trend as it was computed before: one ``compute_progress`` per month."""
    year, last, _ = periods.parse(month)
    out: dict[str, list] = defaultdict(list)
    for m in (periods.month_id(year, i) for i in range(1, last + 1)):
        groups: dict[str, list] = defaultdict(list)
        for row in compute_progress(db, m):
            if row.agency_key:
                groups[row.agency_key].append(row.state)
            groups[None].append(row.state)
        for key, states in groups.items():
            counts = {k: states.count(k) for k in LIGHTS}
            coloured = counts["verde"] + counts["amarillo"] + counts["rojo"]
            share = Decimal(counts["verde"]) * 100 / coloured if coloured else None
            out["" if key is None else key].append((m, share, counts))
    return dict(out)


def assert_same(db, month):
    got = dashboard_trend(db, month)
    want = expected_trend(db, month)
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key
    return got


@pytest.mark.parametrize("month", ["2026-10", "2026-12", "2026-02"])
def test_trend_equals_per_month_progress_on_the_demo(demo_db, month):
    got = assert_same(demo_db, month)
    assert len(got[""]) == periods.parse(month)[1]


def _generated(tmp_path_factory, scale: str, seed: int):
    path = tmp_path_factory.mktemp(scale) / f"{scale}.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        load_document(db, read_exchange(generate(scale, seed=seed)), source="prueba")
    return path


@pytest.fixture(scope="module")
def municipio(tmp_path_factory):
    return _generated(tmp_path_factory, "municipio", 1)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):  # partial and missing captures, every frequency
    return _generated(tmp_path_factory, "mini", 3)


def test_trend_equals_per_month_progress_on_a_generated_municipio(municipio):
    with Database.open(municipio, OpenOptions(read_only=True)) as db:
        got = assert_same(db, "2026-10")
    counts = [c for _, _, c in got[""]]
    assert len({tuple(c.values()) for c in counts}) > 5  # the months differ
    assert sum(c["no_aplica"] for c in counts) and sum(c["rojo"] for c in counts)


@pytest.mark.parametrize("month", ["2026-03", "2026-10", "2026-12"])
def test_trend_equals_per_month_progress_on_a_generated_mini(mini, month):
    with Database.open(mini, OpenOptions(read_only=True)) as db:
        assert_same(db, month)


def test_dashboard_keeps_its_read_for_the_trend(mini):
    with Database.open(mini, OpenOptions(read_only=True)) as db:
        data = dashboard_summary(db, "2026-10", with_trend=False)
        assert data.source is not None and not data.trend
        assert dashboard_trend(db, "2026-10", _read=data.source) == expected_trend(db, "2026-10")
        full = dashboard_summary(db, "2026-10")
        assert full.trend == expected_trend(db, "2026-10") and full.source is None
