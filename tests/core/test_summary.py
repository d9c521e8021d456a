"""The columnar summary path (``summarize_indicator``) gives exactly what ``compute_indicator(detail=False)``
gives, on the fixture and on random indicators; where it cannot, it says so (None) instead of guessing."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from fixture_specs import fixture_indicators, load_fixture
from sistema_seguimiento.core import periods
from sistema_seguimiento.core.engine import compute_indicator, period_rows, summarize_indicator
from sistema_seguimiento.core.semaforo import PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO
from sistema_seguimiento.core.types import (Accumulation, Direction, Frequency, IndicatorSpec, IndicatorType,
                                            VariableRole, VariableSpec)

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def columns(values: dict[str, dict[str, Decimal]], month: str) -> dict:
    """Per-variable columns of the periods due at the end of ``month`` (what services.documents reads)."""
    due = set(periods.due_periods(periods.month_cutoff(month)))
    out: dict[str, list] = {}
    for pid in sorted(values):
        if pid not in due:
            continue
        for key, value in values[pid].items():
            ps, vs = out.setdefault(key, ([], []))
            ps.append(pid)
            vs.append(value)
    return {k: (tuple(ps), tuple(vs)) for k, (ps, vs) in out.items()}


def comparable(res) -> dict:
    own = res.period_for_month
    return {
        "cumulative": res.cumulative.to_dict(),
        "own": None if own is None else (own.to_dict(), own.variables, own.target_variables, own.justified),
        "periods": [p.to_dict() for p in res.periods],
        "findings": [(f.rule_id, f.severity, f.period, f.message) for f in res.findings],
        "key": res.key, "preset": res.preset_key, "calendar": res.calendar,
    }


def both(spec, targets, measurements, month, preset, justified=frozenset()):
    """(summary or None, engine) for the same inputs, as the service calls them."""
    cutoff = periods.month_cutoff(month)
    tcols, vcols = columns(targets, month), columns(measurements, month)
    fast = summarize_indicator(spec, tcols, vcols, cutoff, preset, fiscal_year=2026, report_month=month,
                               justified_periods=justified)
    slow = compute_indicator(spec, period_rows(tcols), period_rows(vcols), cutoff, preset, fiscal_year=2026,
                             report_month=month, justified_periods=justified, detail=False)
    return fast, slow


@pytest.mark.parametrize("preset", [PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO], ids=["A", "B"])
def test_fixture_indicators_match_the_engine_every_month(preset):
    taken = compared = 0
    for fi in fixture_indicators(load_fixture()):
        for month in MONTHS:
            fast, slow = both(fi.spec, fi.targets, fi.measurements, month, preset, frozenset(fi.justified))
            compared += 1
            if fast is not None:
                taken += 1
                assert comparable(fast) == comparable(slow), (fi.spec.key, month)
    # the fast path must really be the common one (otherwise this test would prove nothing)
    assert taken > compared * 0.6, (taken, compared)


def test_partial_capture_and_unknown_periods_fall_back():
    spec = IndicatorSpec("X", "(A / B) * 100", (VariableSpec("A", VariableRole.NUMERADOR, Accumulation.SUMA),
                                                VariableSpec("B", VariableRole.DENOMINADOR, Accumulation.SUMA)),
                         Frequency.MENSUAL, Direction.ASCENDENTE)
    cutoff = date(2026, 3, 31)
    kw = dict(fiscal_year=2026, report_month="2026-03")
    a = ((("2026-01", "2026-02"), (Decimal(1), Decimal(2))))
    b = ((("2026-01",), (Decimal(4),)))
    assert summarize_indicator(spec, {}, {"A": a, "B": b}, cutoff, PRESET_A_BANDA_90_110, **kw) is None
    stray = ((("2026-T1",), (Decimal(4),)))  # a quarterly id on a monthly indicator
    assert summarize_indicator(spec, {"A": stray}, {}, cutoff, PRESET_A_BANDA_90_110, **kw) is None
    full = ((("2026-01", "2026-02"), (Decimal(1), Decimal(2))))
    res = summarize_indicator(spec, {}, {"A": full, "B": full}, cutoff, PRESET_A_BANDA_90_110, **kw)
    assert res is not None and res.cumulative.missing_periods == ["2026-03"]
    assert res.cumulative.value == Decimal(100)


value = st.one_of(st.just(Decimal(0)), st.integers(0, 500).map(Decimal),
                  st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
FREQS = [Frequency.MENSUAL, Frequency.BIMESTRAL, Frequency.TRIMESTRAL, Frequency.SEMESTRAL, Frequency.ANUAL]


@st.composite
def indicator_case(draw):
    freq = draw(st.sampled_from(FREQS))
    calendar = periods.periods_for(freq, 2026)
    accs = draw(st.tuples(st.sampled_from(list(Accumulation)), st.sampled_from(list(Accumulation))))
    formula = draw(st.sampled_from(["(A / B) * 100", "A / B", "A - B", "A", "((A - B) / B) * 100"]))
    spec = IndicatorSpec("R-01", formula, (VariableSpec("A", VariableRole.NUMERADOR, accs[0]),
                                           VariableSpec("B", VariableRole.DENOMINADOR, accs[1])),
                         freq, draw(st.sampled_from(list(Direction))), draw(st.sampled_from(list(IndicatorType))))
    targets, measurements = {}, {}
    for pid in calendar:
        if draw(st.booleans()) or draw(st.booleans()):
            targets[pid] = {"A": draw(value), "B": draw(value)}
        kind = draw(st.sampled_from(["both", "both", "both", "none", "only_a"]))
        if kind == "both":
            measurements[pid] = {"A": draw(value), "B": draw(value)}
        elif kind == "only_a":
            measurements[pid] = {"A": draw(value)}
    justified = frozenset(p for p in calendar if draw(st.booleans()))
    return spec, targets, measurements, justified, draw(st.sampled_from(MONTHS))


@settings(max_examples=300, deadline=None)
@given(indicator_case(), st.sampled_from([PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO]))
def test_random_indicators_match_the_engine(case, preset):
    spec, targets, measurements, justified, month = case
    fast, slow = both(spec, targets, measurements, month, preset, justified)
    if fast is not None:
        assert comparable(fast) == comparable(slow)
