"""The trend's columnar path (``core.engine.month_states``) gives, month by month, the state of the cumulative
figure that ``compute_indicator(detail=False)`` gives on the columns cut at each month-end; where it cannot, it
says so (None) and the service takes the general path."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from sistema_seguimiento.core import periods
from sistema_seguimiento.core.engine import compute_indicator, month_schedule, month_states, period_rows, summary_plan
from sistema_seguimiento.core.semaforo import PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO, Preset, Range
from sistema_seguimiento.core.types import (Accumulation, DescendingMethod, Direction, Frequency, IndicatorSpec,
                                            Light, VariableRole, VariableSpec, progress_state)
from test_summary import MONTHS, columns, indicator_case


def general_state(spec, targets, measurements, month, preset) -> str:
    cutoff = periods.month_cutoff(month)
    res = compute_indicator(spec, period_rows(columns(targets, month)), period_rows(columns(measurements, month)),
                            cutoff, preset, fiscal_year=2026, report_month=month, detail=False)
    return progress_state(str(res.cumulative.light), res.cumulative.status)


def trend_states(spec, targets, measurements, months, preset) -> list[str | None]:
    """What services.progress.monthly_states does for one indicator: the columns as read at the last month."""
    plan = summary_plan(spec, preset, fiscal_year=2026, cutoff=periods.month_cutoff(months[-1]),
                        report_month=months[-1])
    schedule = month_schedule(spec.frequency, 2026, tuple(months))
    return month_states(plan, schedule, columns(targets, months[-1]), columns(measurements, months[-1]))


# the descendente «inversa» formula (P / L × 100) as a third preset
PRESET_A_INVERSA = replace(PRESET_A_BANDA_90_110, descending_method=DescendingMethod.INVERSA)


def striped(method: DescendingMethod) -> Preset:
    """Bands 3.01 points wide cycling verde, amarillo, rojo from −1000 % to 10000 %: the light then tells apart
    percentages the real presets put in one band (a wrong formula for the % would not hide behind them)."""
    colours = (Light.VERDE, Light.AMARILLO, Light.ROJO)
    step = Decimal("3.01")
    ranges = tuple(Range(colours[i % 3], Decimal(-1000) + i * step, True, Decimal(-1000) + (i + 1) * step, False)
                   for i in range(int(11000 / step) + 1))
    return Preset("rayas", "Rayas", ranges=ranges, descending_method=method)


PRESETS = [PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO, PRESET_A_INVERSA,
           striped(DescendingMethod.LINEAL), striped(DescendingMethod.INVERSA)]


@settings(max_examples=400, deadline=None)
@given(indicator_case(), st.sampled_from(PRESETS))
def test_random_indicators_match_the_engine_every_month(case, preset):
    spec, targets, measurements, _justified, last = case
    months = MONTHS[:MONTHS.index(last) + 1]
    states = trend_states(spec, targets, measurements, months, preset)
    assert len(states) == len(months)
    for month, state in zip(months, states):
        if state is not None:
            assert state == general_state(spec, targets, measurements, month, preset), month


def test_the_columnar_path_is_the_common_one():
    spec = IndicatorSpec("X", "(A / B) * 100", (VariableSpec("A", VariableRole.NUMERADOR, Accumulation.SUMA),
                                                VariableSpec("B", VariableRole.DENOMINADOR, Accumulation.SUMA)),
                         Frequency.TRIMESTRAL, Direction.ASCENDENTE)
    targets = {p: {"A": Decimal(90), "B": Decimal(100)} for p in periods.periods_for(Frequency.TRIMESTRAL, 2026)}
    measurements = {"2026-T1": {"A": Decimal(85), "B": Decimal(100)}, "2026-T2": {"A": Decimal(60), "B": Decimal(100)}}
    states = trend_states(spec, targets, measurements, MONTHS[:10], PRESET_A_BANDA_90_110)
    assert None not in states
    assert states == [general_state(spec, targets, measurements, m, PRESET_A_BANDA_90_110) for m in MONTHS[:10]]
    # T1 is due at the end of March: 85 % against 90 % is 94.44 % of the target (verde); from June T1 + T2, 72.5 %
    # against 90 %, is 80.56 % (amarillo); T3, due in September and not captured, leaves the figure as it was
    assert states == ["no_aplica"] * 2 + ["verde"] * 3 + ["amarillo"] * 5


def test_an_own_period_that_does_not_evaluate_takes_the_general_path():
    """In its own month a period whose values overflow the formula counts as not captured (compute_indicator
    leaves it out of the cumulative figure); the columnar path must hand that month over instead of reading it."""
    last = Accumulation.ULTIMO_VALOR
    spec = IndicatorSpec("X", "(A / B) * 100", (VariableSpec("A", VariableRole.NUMERADOR, last),
                                                VariableSpec("B", VariableRole.DENOMINADOR, last)),
                         Frequency.MENSUAL, Direction.ASCENDENTE)
    months = MONTHS[:8]
    targets = {m: {"A": Decimal(90), "B": Decimal(100)} for m in MONTHS}
    measurements = {m: {"A": Decimal(92), "B": Decimal(100)} for m in months}
    measurements["2026-05"] = {"A": Decimal("9E+999999"), "B": Decimal(1)}
    states = trend_states(spec, targets, measurements, months, PRESET_A_BANDA_90_110)
    assert states[4] is None
    assert general_state(spec, targets, measurements, "2026-05", PRESET_A_BANDA_90_110) == "verde"  # April's
    assert states[:4] + states[5:] == ["verde"] * 7
