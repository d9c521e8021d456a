"""Indicator calculation engine (DOMAIN.md §f, §g, §h). Pure Python + Decimal.

``compute_indicator`` turns an indicator's calendarized variable targets and captured variable values
into per-period results, the cumulative result at a cut-off date, the annual target and the engine
findings (AV-001, AV-003, AV-004, AV-006). Core rules:

* only *due* periods (end date ≤ cut-off) count;
* the cumulative value accumulates each **variable** (``suma`` → Σ of captured due periods,
  ``ultimo_valor`` → latest captured due period) and then applies the formula — percentages are never
  averaged; the cumulative target accumulates the targets of all due periods the same way;
* % de avance: ascendente/regular L/P×100; descendente lineal ((2P−L)/P)×100 or inversa P/L×100
  (per preset), the other one is always reported as ``progress_alt``; P = 0 → no % and flag META_CERO;
* colours are assigned on the % rounded half-up to 2 decimals; values stay unrounded internally.
"""
from __future__ import annotations

import functools
from itertools import accumulate as _accumulate_sums
from operator import add as _add
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, ROUND_HALF_EVEN, ROUND_HALF_UP, getcontext, localcontext
from typing import Any, Iterable, Mapping

from . import periods as _periods
from .formula import DECIMAL_CONTEXT, Formula, FormulaError, ZeroDenominator, numerator_denominator, parse_formula
from .numbers import fmt_decimal_opt, fmt_es, round2
from .semaforo import Preset, compile_classifier
from .types import (Accumulation, DescendingMethod, Direction, ERROR_DENOMINADOR_CERO, ERROR_FORMULA,
                    FLAG_DATOS_INCOMPLETOS, FLAG_META_CERO, Finding, Frequency, IndicatorSpec, Light, OK,
                    PeriodValues, SIN_CAPTURA, SIN_EVENTOS, SIN_MEDICION_EJERCICIO, SIN_PERIODO_VENCIDO,
                    VariableRole, progress_state)

__all__ = ["PeriodResult", "CumulativeResult", "IndicatorResult", "compute_indicator", "summarize_indicator",
           "SummaryPlan", "summary_plan", "MonthSchedule", "month_schedule", "month_states", "period_rows", "progress_pct", "accumulate", "PeriodValues", "Columns"]

# user-visible texts (Spanish); findings use the DOMAIN.md §d templates
MSG = {
    "AV-001": "El periodo {period} está vencido y no tiene avance capturado.",
    "AV-001_partial": "El periodo {period} está vencido y no tiene avance capturado (falta {names}).",
    "AV-003": "En {period} el denominador «{variable}» es cero y el numerador es mayor que cero.",
    "AV-004": "Sin eventos en {period}: el indicador no es calculable en el periodo (se reporta N/A).",
    "AV-006": "El avance de {period} está fuera del rango aceptable ({pct} %); capture la justificación.",
    "AV-006_no_pct": "El avance de {period} no tiene un % de avance calculable; capture la justificación.",
    "not_captured": "Sin avance capturado para {period}.",
    "missing_values": "Falta el valor de {names} en {period}.",
    "not_numeric": "Valor no numérico en la captura de {period}.",
    "sin_eventos": "Sin eventos en {period}: numerador y denominador en cero; no calculable (N/A).",
    "no_measurement_year": ("Sin medición en el ejercicio {year}: el indicador de frecuencia {frequency} no se mide "
                            "este año."),
    "not_due": "Sin periodo vencido al {cutoff}.",
    "none_captured": "Ningún periodo vencido tiene avance capturado.",
    "cum_sin_eventos": "Sin eventos en los periodos capturados: numerador y denominador acumulados en cero (N/A).",
    "cum_zero_denominator": "El denominador acumulado «{variable}» es cero y el numerador es mayor que cero.",
    "no_target": "Sin meta calculable{where}; no se calcula el % de avance.",
    "zero_target": "La meta{where} es cero; no se calcula el % de avance (diferencia: {difference}).",
    "inverse_zero": ("El % de avance{where} no se puede calcular con la fórmula inversa cuando el valor alcanzado "
                     "es cero."),
    "where": " de {period}",
    "not_a_month": "«{value}» no es un mes; use AAAA-MM, por ejemplo 2026-10.",
    "denominator": "denominador",
}

_HUNDRED = Decimal(100)
_Q2 = Decimal("0.01")
_HALF_UP = ROUND_HALF_UP
_ROUND_CTX = Context(prec=60, rounding=ROUND_HALF_UP)  # like numbers.round2, inlined in the hot loop
_ZERO = Decimal(0)
_GRIS = Light.GRIS
_VERDE = Light.VERDE
_ULTIMO = Accumulation.ULTIMO_VALOR
_MULTI_YEAR = frozenset({Frequency.BIENAL, Frequency.TRIENAL, Frequency.QUINQUENAL, Frequency.SEXENAL})


# --------------------------------------------------------------------------------------------------
# results

class _Figures:
    """Helpers shared by period and cumulative results (``progress``, ``value`` and ``target`` fields)."""

    __slots__ = ()

    @property
    def progress_rounded(self) -> Decimal | None:
        return None if self.progress is None else round2(self.progress)

    @property
    def difference(self) -> Decimal | None:
        """L − P (shown instead of the % when the target is zero)."""
        return None if self.value is None or self.target is None else self.value - self.target


@dataclass(slots=True)
class PeriodResult(_Figures):
    """One due period. Decimals are unrounded; use the ``*_rounded`` helpers / :meth:`to_dict` to show."""

    period: str
    target: Decimal | None
    value: Decimal | None
    status: str  # OK | SIN_CAPTURA | SIN_EVENTOS | ERROR_DENOMINADOR_CERO | ERROR_FORMULA
    progress: Decimal | None = None  # % de avance (descendente: per preset.descending_method)
    progress_alt: Decimal | None = None  # descendente: the other formula (default: inversa)
    light: Light = Light.GRIS
    flags: list[str] = field(default_factory=list)
    needs_justification: bool = False
    reason: str | None = None  # Spanish explanation when there is no value or no %
    variables: Mapping[str, Decimal] | None = None  # captured variable values (None: not captured)
    target_variables: Mapping[str, Decimal] | None = None  # calendarized variable targets
    justified: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Fixture / JSON shape with 2-decimal strings."""
        return {
            "periodo": self.period, "meta": fmt_decimal_opt(self.target), "valor": fmt_decimal_opt(self.value),
            "estado": self.status, "pct_avance": fmt_decimal_opt(self.progress),
            "pct_avance_alterno": fmt_decimal_opt(self.progress_alt), "semaforo": self.light.value,
            "flags": list(self.flags), "justificacion_requerida": self.needs_justification,
            "motivo": self.reason,
        }


@dataclass(slots=True)
class CumulativeResult(_Figures):
    """Cumulative figure at the cut-off."""

    cutoff: date
    due_periods: list[str]
    captured_periods: list[str]
    missing_periods: list[str]
    variables: dict[str, Decimal] | None  # accumulated captured values
    target_variables: dict[str, Decimal] | None  # accumulated targets of all due periods
    value: Decimal | None
    target: Decimal | None
    status: str  # OK | SIN_PERIODO_VENCIDO | SIN_CAPTURA | SIN_MEDICION_EN_EJERCICIO | SIN_EVENTOS | ...
    progress: Decimal | None = None
    progress_alt: Decimal | None = None
    light: Light = Light.GRIS
    flags: list[str] = field(default_factory=list)
    needs_justification: bool = False
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "corte": self.cutoff.isoformat(), "periodos_vencidos": list(self.due_periods),
            "periodos_capturados": list(self.captured_periods), "periodos_faltantes": list(self.missing_periods),
            "variables_acumuladas": None if self.variables is None else {k: str(v) for k, v in self.variables.items()},
            "variables_meta_acumuladas": (None if self.target_variables is None
                                          else {k: str(v) for k, v in self.target_variables.items()}),
            "valor": fmt_decimal_opt(self.value), "meta": fmt_decimal_opt(self.target), "estado": self.status,
            "pct_avance": fmt_decimal_opt(self.progress), "pct_avance_alterno": fmt_decimal_opt(self.progress_alt),
            "semaforo": self.light.value, "flags": list(self.flags),
            "justificacion_requerida": self.needs_justification, "motivo": self.reason,
        }


@dataclass(slots=True)
class IndicatorResult:
    spec: IndicatorSpec
    preset_key: str
    descending_method: DescendingMethod
    fiscal_year: int
    cutoff: date
    calendar: tuple[str, ...]  # all periods of the fiscal year for the indicator's frequency
    periods: list[PeriodResult]  # due periods only, chronological
    cumulative: CumulativeResult
    annual_target: Decimal | None
    annual_target_variables: dict[str, Decimal] | None
    findings: list[Finding]
    period_for_month: PeriodResult | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    def period(self, period_id: str) -> PeriodResult | None:
        for p in self.periods:
            if p.period == period_id:
                return p
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_id": self.spec.key, "preset": self.preset_key,
            "descendente_formula": DescendingMethod(self.descending_method).value,
            "meta_anual_calculada": fmt_decimal_opt(self.annual_target),
            "periodos": [p.to_dict() for p in self.periods],
            "acumulado": self.cumulative.to_dict(),
            "hallazgos": [{"rule": f.rule_id, "severity": f.severity, "periodo": f.period, "mensaje": f.message}
                          for f in self.findings],
        }


# --------------------------------------------------------------------------------------------------
# building blocks (public for the services and the tests)

def progress_pct(value: Decimal | None, target: Decimal | None, direction: Direction | str,
                 method: DescendingMethod | str = DescendingMethod.LINEAL) -> tuple[Decimal | None, Decimal | None]:
    """(% de avance, alternative %) — DOMAIN.md §g. None when not computable (no value, target None or 0;
    inversa with L = 0). The alternative is only defined for descendente (the non-selected formula)."""
    if value is None or target is None or not target:
        return None, None
    if direction == Direction.DESCENDENTE:
        lineal = (2 * target - value) / target * _HUNDRED
        inversa = target / value * _HUNDRED if value else None
        if method == DescendingMethod.INVERSA:
            return inversa, lineal
        return lineal, inversa
    return value / target * _HUNDRED, None


def accumulate(rows: list[Mapping[str, Decimal]], keys: Iterable[tuple[str, Accumulation | str]]
               ) -> dict[str, Decimal] | None:
    """Accumulate variable values of chronologically ordered rows: ``suma`` → Σ, ``ultimo_valor`` → the
    latest row that has the variable. None when there are no rows; variables absent from every row are
    left out."""
    if not rows:
        return None
    out: dict[str, Decimal] = {}
    for key, acc in keys:
        if acc == _ULTIMO:
            for row in reversed(rows):
                x = row.get(key)
                if x is not None:
                    out[key] = x
                    break
        else:
            total = _ZERO
            seen = False
            for row in rows:
                x = row.get(key)
                if x is not None:
                    total = total + x
                    seen = True
            if seen:
                out[key] = total
    return out


@functools.lru_cache(maxsize=4096)
def _schedule(frequency: str, fiscal_year: int, base_year: int | None,
              cutoff: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(all period ids of the year, due period ids) — chronological, computed once per combination."""
    calendar = tuple(_periods.periods_for(frequency, fiscal_year, base_year))
    return calendar, tuple(p for p in calendar if _periods.end_date(p) <= cutoff)


def _accumulation_keys(spec_variables: tuple, names: tuple[str, ...]) -> tuple[tuple[str, Accumulation], ...]:
    """(key, accumulation) for the spec's variables, then formula names not declared (as ``suma``)."""
    keys = [(v.key, v.accumulation if type(v.accumulation) is Accumulation else Accumulation(v.accumulation))
            for v in spec_variables]
    if len(keys) < len(names) or any(k != n for (k, _), n in zip(keys, names)):
        declared = {k for k, _ in keys}
        keys.extend((n, Accumulation.SUMA) for n in names if n not in declared)
    return tuple(keys)


def _period_label(period: str) -> str:
    try:
        return _periods.label(period)
    except ValueError:
        return period


class _Context:
    """Per-call data needed only on the slow paths (messages)."""

    __slots__ = ("spec", "formula", "_denominator")

    def __init__(self, spec: IndicatorSpec, formula: Formula | None):
        self.spec = spec
        self.formula = formula
        self._denominator: str | None = None

    def denominator(self) -> str:
        if self._denominator is None:
            names = [v.key for v in self.spec.variables if v.role == VariableRole.DENOMINADOR]
            if not names and self.formula is not None:
                names = sorted(numerator_denominator(self.formula)[1])
            self._denominator = ", ".join(names) or MSG["denominator"]
        return self._denominator


def _zero_status(exc: ZeroDenominator) -> str:
    return SIN_EVENTOS if exc.dividend_is_zero else ERROR_DENOMINADOR_CERO


def _evaluate(formula: Formula, values: Mapping[str, Decimal] | None) -> tuple[Decimal | None, str]:
    """(value, status) without messages, for targets and accumulated values."""
    if values is None:
        return None, SIN_CAPTURA
    try:
        return formula._fn(values), OK
    except ZeroDenominator as exc:
        if formula.missing(values):
            return None, SIN_CAPTURA
        return None, _zero_status(exc)
    except (KeyError, TypeError):
        return None, SIN_CAPTURA if formula.missing(values) else ERROR_FORMULA
    except ArithmeticError:
        return None, ERROR_FORMULA


# --------------------------------------------------------------------------------------------------

def compute_indicator(spec: IndicatorSpec, targets: PeriodValues, measurements: PeriodValues, cutoff: date,
                      preset: Preset, *, fiscal_year: int, report_month: str | None = None,
                      justified_periods: set[str] | frozenset[str] | None = None,
                      base_year: int | None = None, detail: bool = True) -> IndicatorResult:
    """Compute one indicator at ``cutoff`` with ``preset``.

    ``targets``/``measurements``: period id → variable key → Decimal (a period whose measurement lacks a
    formula variable counts as not captured). ``justified_periods``: periods whose capture carries a
    justification (AV-006 fires for the others when one is required). ``base_year``: first measurement
    year of bienal…sexenal indicators; when omitted they are measured in ``fiscal_year`` if it has a
    target or a measurement. ``report_month`` ("2026-10") selects ``period_for_month``.
    ``detail=False`` (progress tables over thousands of indicators): only the report month's own period gets
    a full PeriodResult; the other due periods are only accumulated (no per-period findings or results), and
    the annual target is not recomputed (``annual_target`` is None).
    """
    return _in_engine_context(_compute, spec, targets, measurements, cutoff, preset, fiscal_year, report_month,
                              justified_periods, base_year, detail)


def _in_engine_context(fn, *args):
    """Run ``fn`` under the engine's decimal context (a cheap check when the thread already has it)."""
    ctx = getcontext()
    if ctx.prec == 28 and ctx.rounding == ROUND_HALF_EVEN:
        return fn(*args)
    with localcontext(DECIMAL_CONTEXT):
        return fn(*args)


# per-variable columns: variable key -> (period ids, values), chronological (text order within one frequency)
Columns = Mapping[str, tuple[tuple[str, ...], tuple[Decimal, ...]]]


@dataclass(slots=True)
class SummaryPlan:
    """What :func:`summarize_indicator` needs that depends only on an indicator's shape (formula, variables,
    frequency, sentido, tipo), its preset and the cut-off — shared by every indicator of the same shape."""

    formula: Formula | None
    acc_keys: tuple[tuple[str, Accumulation], ...]
    calendar: tuple[str, ...]
    due: tuple[str, ...]
    own: str | None  # the indicator's own period that ends in the report month (when due)
    classifier: Any
    method: DescendingMethod
    descending: bool
    inverse: bool
    fiscal_year: int
    cutoff: date


def summary_plan(spec: IndicatorSpec, preset: Preset, *, fiscal_year: int, cutoff: date,
                 report_month: str) -> SummaryPlan:
    try:
        formula = parse_formula(spec.formula)
    except FormulaError:
        formula = None
    regular = formula is not None and formula.ordered_names and spec.frequency not in _MULTI_YEAR
    calendar, due = _schedule(str(spec.frequency), fiscal_year, None, cutoff) if regular else ((), ())
    own = _own_period(spec.frequency, report_month)
    method = preset.descending_method
    return SummaryPlan(formula if regular else None,
                       _accumulation_keys(spec.variables, formula.ordered_names) if regular else (), calendar, due,
                       own if own in due else None, compile_classifier(preset, spec.type, spec.direction), method,
                       spec.direction == Direction.DESCENDENTE, method == DescendingMethod.INVERSA, fiscal_year,
                       cutoff)


def summarize_indicator(spec: IndicatorSpec, target_columns: Columns, value_columns: Columns, cutoff: date,
                        preset: Preset, *, fiscal_year: int, report_month: str,
                        justified_periods: set[str] | frozenset[str] | None = None,
                        plan: SummaryPlan | None = None) -> IndicatorResult | None:
    """``compute_indicator(..., detail=False)`` from per-variable columns, for progress tables over thousands of
    indicators: each variable is accumulated with one ``sum`` instead of period by period. ``plan``: the
    :func:`summary_plan` of the indicator's shape (computed here when not given).

    Only the regular case is handled here — every formula variable captured in the same due periods, targets
    only in due periods, a sub-annual or annual frequency. Anything else returns None and the caller uses
    :func:`compute_indicator` (with :func:`period_rows` of the same columns), which gives the same result
    for the regular case (tested on the fixture and on generated databases)."""
    if plan is None:
        plan = summary_plan(spec, preset, fiscal_year=fiscal_year, cutoff=cutoff, report_month=report_month)
    if plan.formula is None:
        return None
    return _in_engine_context(_summary, plan, spec, target_columns, value_columns, preset, justified_periods)


@dataclass(frozen=True, slots=True, eq=False)
class MonthSchedule:
    """What a monthly trend needs of a frequency at the end of each of ``months`` (one fiscal year): the
    calendar, the due periods, the indicator's own period ending in the month (when due) and every period of
    any frequency due at the month-end (``cuts``: what a read at that cut-off holds). Shared by every
    indicator of the frequency; ``layouts`` caches, per capture pattern, which months take the columnar path
    and with which prefixes (see :func:`month_states`)."""

    months: tuple[str, ...]
    calendars: tuple[tuple[str, ...], ...]
    dues: tuple[tuple[str, ...], ...]
    owns: tuple[str | None, ...]
    cuts: tuple[frozenset[str], ...]
    layouts: dict = field(default_factory=dict)
    prefixes: dict = field(default_factory=dict)  # period tuple → its prefix length per cut (_prefix_lengths)


@functools.lru_cache(maxsize=64)
def month_schedule(frequency: Frequency | str, fiscal_year: int, months: tuple[str, ...]) -> MonthSchedule:
    """The :class:`MonthSchedule` of a frequency for ``months`` of ``fiscal_year`` (a multi-year frequency has no
    calendar here: its indicators take the general path, which knows the base year)."""
    calendars, dues, owns, cuts = [], [], [], []
    multi_year = frequency in _MULTI_YEAR
    for month in months:
        cutoff = _periods.month_cutoff(month)
        calendar, due = ((), ()) if multi_year else _schedule(str(frequency), fiscal_year, None, cutoff)
        own = None if multi_year else _own_period(frequency, month)
        calendars.append(calendar)
        dues.append(due)
        owns.append(own if own in due else None)
        cuts.append(frozenset(_periods.due_periods(cutoff)))
    return MonthSchedule(tuple(months), tuple(calendars), tuple(dues), tuple(owns), tuple(cuts))


def month_states(plan: SummaryPlan, schedule: MonthSchedule, target_columns: Columns,
                 value_columns: Columns) -> list[str | None]:
    """One pass over an indicator's columns for every month of ``schedule`` (a monthly trend): entry ``i`` is
    the display state (:func:`core.types.progress_state` of the light and the status) of the cumulative figure
    that :func:`summarize_indicator` gives at the end of month ``i`` on the columns cut to the periods due then
    — what a read limited to those periods (``read_programs(value_periods=…)``) would give. ``plan``: the
    :func:`summary_plan` of the indicator's shape (formula, accumulation, classifier, method; its dates are not
    used). Only the state is computed — the value, the target, the % and the classifier's light — with no result
    objects, reasons or flags. The columns are read once; each variable is accumulated with running sums.
    ``None`` where :func:`summarize_indicator` would return None (the caller uses :func:`compute_indicator`).
    Consecutive months with the same inputs (no new due period, nothing new captured) share one state."""
    if plan.formula is None:
        return [None] * len(schedule.months)
    return _in_engine_context(_month_states, plan, schedule, target_columns, value_columns)


def _prefix_lengths(ps: tuple[str, ...], cuts: list[frozenset[str]], cache: dict) -> list[int | None]:
    """Per cut, how many leading periods of ``ps`` are in it; None when the periods in it are not a prefix."""
    known = cache.get(ps)
    if known is not None:
        return known
    out: list[int | None] = []
    for cut in cuts:
        k = len(ps)
        while k and ps[k - 1] not in cut:
            k -= 1
        out.append(None if any(p not in cut for p in ps[:k]) else k)
    cache[ps] = out
    return out


def _running(values: tuple[Decimal, ...], acc: Accumulation) -> list[Decimal]:
    """``_accumulated(values[:k], acc)`` for every k ≥ 1 (index k - 1), summed in the same order."""
    if acc is _ULTIMO:
        return list(values)
    out = list(_accumulate_sums(values, _add, initial=_ZERO))  # 0 + v1, (0 + v1) + v2, … as sum(values, 0)
    del out[0]
    return out


# the kinds of month in a layout: what the cumulative figure is made of (see _cumulative)
_NO_CALENDAR, _NOT_DUE_YET, _NONE_CAPTURED, _VALUE = range(4)


def _month_layout(schedule: MonthSchedule, captured_all: tuple[str, ...],
                  t_ps: tuple[tuple[str, ...], ...]) -> list[tuple | None]:
    """Per month of ``schedule``, for value columns captured in ``captured_all`` and target columns in the
    periods ``t_ps``: None when the columnar path declines (the periods read at the cut-off are not a prefix
    of a column, or not all due periods of the frequency), else ``(k, kts, own_idx, kind, same)`` — how many
    captured periods count, how many periods of each target column, the index of the month's own period among
    the captured ones (checked for a value that is not a number), the kind of figure, and whether the inputs
    are those of the month before."""
    cuts = schedule.cuts
    cache = schedule.prefixes
    kv_all = _prefix_lengths(captured_all, cuts, cache) if captured_all else [0] * len(cuts)
    t_all = [_prefix_lengths(ps, cuts, cache) for ps in t_ps]
    out: list[tuple | None] = []
    last = None
    for i, due in enumerate(schedule.dues):
        k = kv_all[i]
        if k is None:
            out.append(None)
            last = None
            continue
        captured = captured_all[:k]
        due_set = _due_set(due)
        if captured != due and not due_set.issuperset(captured):
            out.append(None)
            last = None
            continue
        kts: list[int] | None = []
        for ps, kt_all in zip(t_ps, t_all):
            kt = kt_all[i]
            if kt is None or (kt and ps[:kt] != due and not due_set.issuperset(ps[:kt])):
                kts = None
                break
            kts.append(kt)
        if kts is None:
            out.append(None)
            last = None
            continue
        own = schedule.owns[i]
        own_idx = captured.index(own) if own is not None and own in captured else None
        if not schedule.calendars[i]:
            kind = _NO_CALENDAR
        elif not due:
            kind = _NOT_DUE_YET
        elif not k:
            kind = _NONE_CAPTURED
        else:
            kind = _VALUE
        key = (due, k, tuple(kts))
        out.append((k, tuple(kts), own_idx, kind, key == last))
        last = key
    return out


# a formula is at most MAX_FORMULA_LENGTH characters, so fewer than 500 operations: values within 10^±1000 keep
# every intermediate result far inside the decimal context's exponent range (no Overflow)
_PLAIN_EXPONENT = 1000
_is_finite = Decimal.is_finite
_adjusted = Decimal.adjusted


def _plain(values: tuple[Decimal, ...]) -> bool:
    """Every value finite and within 10^±_PLAIN_EXPONENT (checked in C, a column at a time)."""
    return all(map(_is_finite, values)) and (not values or (
        max(map(_adjusted, values)) <= _PLAIN_EXPONENT and min(map(_adjusted, values)) >= -_PLAIN_EXPONENT))


_STATE_OF_LIGHT = {light: str(light) for light in Light}
_STATE_WITHOUT_VALUE = {status: progress_state(str(_GRIS), status)
                        for status in (OK, SIN_CAPTURA, SIN_EVENTOS, ERROR_DENOMINADOR_CERO, ERROR_FORMULA,
                                       SIN_PERIODO_VENCIDO, SIN_MEDICION_EJERCICIO)}
_STATE_OF_KIND = {_NO_CALENDAR: _STATE_WITHOUT_VALUE[SIN_MEDICION_EJERCICIO],
                  _NOT_DUE_YET: _STATE_WITHOUT_VALUE[SIN_PERIODO_VENCIDO],
                  _NONE_CAPTURED: _STATE_WITHOUT_VALUE[SIN_CAPTURA]}


def _month_states(plan: SummaryPlan, schedule: MonthSchedule, tcols: Columns, vcols: Columns) -> list[str | None]:
    n = len(schedule.months)
    formula = plan.formula
    names = formula.ordered_names
    acc_of = dict(plan.acc_keys)
    # the general path whenever a column is not one the shape accumulates, or the value columns differ
    for k in vcols:
        if k not in acc_of:
            return [None] * n
    for k in tcols:
        if k not in acc_of:
            return [None] * n
    captured_all: tuple[str, ...] = ()
    if vcols:
        first = vcols.get(names[0])
        if first is None:
            return [None] * n
        captured_all = first[0]
        for col in vcols.values():
            if col[0] != captured_all:
                return [None] * n
        for name in names:
            if name not in vcols:
                return [None] * n
    t_keys = tuple(tcols)
    t_ps = tuple([col[0] for col in tcols.values()])
    layout_key = (captured_all, t_ps)
    layout = schedule.layouts.get(layout_key)
    if layout is None:
        layout = schedule.layouts[layout_key] = _month_layout(schedule, captured_all, t_ps)
    fn = formula._fn
    classifier = plan.classifier
    descending = plan.descending
    inverse = plan.inverse
    state_of = _STATE_OF_LIGHT
    state_of_kind = _STATE_OF_KIND
    v_running = t_running = None
    own_bad: dict[int, bool] = {}
    # the month's own period takes the general path when its values do not evaluate (see _compute: such a
    # period counts as not captured). With finite values of moderate size in every column, a formula of
    # + - * / can only fail by dividing by zero, which is not that case: no need to evaluate each own period.
    plain = all(_plain(col[1]) for col in vcols.values())
    out: list[str | None] = []
    state: str | None = None
    for lay in layout:
        if lay is None:
            out.append(None)
            state = None
            continue
        k, kts, own_idx, kind, same = lay
        if own_idx is not None and not plain:
            bad = own_bad.get(own_idx)
            if bad is None:
                mvals = {vkey: col[1][own_idx] for vkey, col in vcols.items()}
                bad = own_bad[own_idx] = _evaluate(formula, mvals)[1] in _NOT_CAPTURED
            if bad:  # e.g. a value that is not a number: the general path
                out.append(None)
                state = None
                continue
        if same and state is not None:
            out.append(state)
            continue
        if kind != _VALUE:
            state = state_of_kind[kind]
            out.append(state)
            continue
        # the cumulative figure's state, as _cumulative and core.types.progress_state give it
        if v_running is None:
            v_running = {vkey: _running(col[1], acc_of[vkey]) for vkey, col in vcols.items()}
        cum_vars = {vkey: run[k - 1] for vkey, run in v_running.items()}
        try:
            value, status = fn(cum_vars), OK
        except Exception:  # noqa: BLE001 - the status (or the error) exactly as _evaluate gives it
            value, status = _evaluate(formula, cum_vars)
        if value is None:
            state = _STATE_WITHOUT_VALUE[status]
            out.append(state)
            continue
        target = None
        if any(kts):
            if t_running is None:
                t_running = {tk: _running(col[1], acc_of[tk]) for tk, col in tcols.items()}
            tgt_vars = {tk: t_running[tk][kt - 1] for tk, kt in zip(t_keys, kts) if kt}
            try:
                target = fn(tgt_vars)
            except Exception:  # noqa: BLE001 - as _evaluate
                target = _evaluate(formula, tgt_vars)[0]
        if not target:  # None or zero: no %
            light = classifier(None)[0]
        else:
            if not descending:
                pct = value / target * _HUNDRED
            elif inverse:
                pct = target / value * _HUNDRED if value else None
            else:
                pct = (2 * target - value) / target * _HUNDRED
            light = classifier(None if pct is None else pct.quantize(_Q2, _HALF_UP, _ROUND_CTX))[0]
        state = state_of[light]
        out.append(state)
    return out


def period_rows(columns: Columns) -> PeriodValues:
    """Columns back to period id -> variable key -> value (the input of :func:`compute_indicator`)."""
    out: dict[str, dict[str, Decimal]] = {}
    for key, (ps, vs) in columns.items():
        for p, v in zip(ps, vs):
            row = out.get(p)
            if row is None:
                row = out[p] = {}
            row[key] = v
    return out


def _accumulated(values: tuple[Decimal, ...], acc: Accumulation) -> Decimal:
    """A variable's chronological values accumulated: the latest (``ultimo_valor``) or the sum (``suma``, added
    in the same order as :func:`accumulate` adds them, so the two paths round alike)."""
    return values[-1] if acc is _ULTIMO else sum(values, _ZERO)


def _values_at(columns: Columns, pid: str) -> dict[str, Decimal] | None:
    out = {}
    for key, (ps, vs) in columns.items():
        if ps[-1] == pid:
            out[key] = vs[-1]
        elif pid in ps:
            out[key] = vs[ps.index(pid)]
    return out or None


def _summary(plan: SummaryPlan, spec: IndicatorSpec, tcols: Columns, vcols: Columns, preset: Preset,
             justified_periods: Iterable[str] | None) -> IndicatorResult | None:
    formula = plan.formula
    due = plan.due
    names = formula.ordered_names
    if vcols:
        first = vcols.get(names[0])
        if first is None:
            return None
        captured_t = first[0]  # the periods where every formula variable was captured …
        for name in names[1:]:
            col = vcols.get(name)
            if col is None or col[0] != captured_t:  # … or a partial capture: the general path
                return None
    else:
        captured_t = ()
    due_set = None
    if captured_t == due:
        missing: list[str] = []
    else:
        due_set = _due_set(due)
        if not due_set.issuperset(captured_t):
            return None
        have = set(captured_t)
        missing = [p for p in due if p not in have]
    cum_vars: dict[str, Decimal] = {}
    tgt_vars: dict[str, Decimal] = {}
    n_values = n_targets = 0
    for key, acc in plan.acc_keys:
        col = vcols.get(key)
        if col is not None:
            n_values += 1
            if col[0] != captured_t:
                return None
            cum_vars[key] = _accumulated(col[1], acc)
        col = tcols.get(key)
        if col is not None:
            n_targets += 1
            ps = col[0]
            if ps != due:
                if due_set is None:
                    due_set = _due_set(due)
                if not due_set.issuperset(ps):
                    return None
            tgt_vars[key] = _accumulated(col[1], acc)
    if n_values != len(vcols) or n_targets != len(tcols):  # values of variables the formula does not know
        return None

    context = _Context(spec, formula)
    findings: list[Finding] = []
    period_results: list[PeriodResult] = []
    own = plan.own
    own_result = None
    if own is not None:
        mvals = _values_at(vcols, own) if vcols else None
        own_result = _full_period(own, _values_at(tcols, own) if tcols else None, mvals, formula, context,
                                  plan.classifier, plan.descending, plan.inverse,
                                  justified_periods if justified_periods is not None else (), findings)
        if (own_result.status in _NOT_CAPTURED) == (mvals is not None):  # e.g. a value that is not a number
            return None
        period_results.append(own_result)
    cumulative = _cumulative(formula, context, cum_vars if captured_t else None, tgt_vars or None, plan.calendar,
                             due, list(captured_t), missing, plan.cutoff, plan.fiscal_year, plan.classifier,
                             plan.method)
    return IndicatorResult(spec, preset.key, plan.method, plan.fiscal_year, plan.cutoff, plan.calendar,
                           period_results, cumulative, None, None, findings, own_result)


@functools.lru_cache(maxsize=64)
def _not_due(cutoff: date) -> str:
    return MSG["not_due"].format(cutoff=cutoff.strftime("%d/%m/%Y"))


@functools.lru_cache(maxsize=64)
def _due_set(due: tuple[str, ...]) -> frozenset[str]:
    return frozenset(due)


@functools.lru_cache(maxsize=256)
def _own_period(frequency: Frequency | str, report_month: str) -> str | None:
    year, first, last = _periods.parse(report_month)
    if first != last:
        raise _periods.PeriodError(MSG["not_a_month"].format(value=report_month))
    return _periods.period_ending_in(frequency, year, last)


def _compute(spec: IndicatorSpec, targets: PeriodValues | None, measurements: PeriodValues | None, cutoff: date,
             preset: Preset, fiscal_year: int, report_month: str | None,
             justified_periods: Iterable[str] | None, base_year: int | None,
             detail: bool = True) -> IndicatorResult:
    targets = targets or {}
    measurements = measurements or {}
    justified = justified_periods if justified_periods is not None else ()
    frequency = spec.frequency
    direction = spec.direction
    ind_type = spec.type
    method = preset.descending_method
    descending = direction == Direction.DESCENDENTE
    inverse = method == DescendingMethod.INVERSA
    classifier = compile_classifier(preset, ind_type, direction)

    # calendar and due periods
    if frequency in _MULTI_YEAR and base_year is None:
        year_id = f"{fiscal_year:04d}"
        measured = year_id in targets or year_id in measurements
        calendar = (year_id,) if measured else ()
        due = calendar if measured and date(fiscal_year, 12, 31) <= cutoff else ()
    else:
        calendar, due = _schedule(str(frequency), fiscal_year, base_year, cutoff)

    findings: list[Finding] = []

    try:
        formula: Formula | None = parse_formula(spec.formula)
    except FormulaError as exc:
        formula = None
        formula_error = str(exc)
    ctx = _Context(spec, formula)

    if formula is None:
        return _formula_error_result(spec, preset, fiscal_year, cutoff, calendar, due, measurements, formula_error)

    acc_keys = _accumulation_keys(spec.variables, formula.ordered_names)

    period_results: list[PeriodResult] = []
    captured_rows: list[Mapping[str, Decimal]] = []
    captured: list[str] = []
    missing: list[str] = []
    target_rows: list[Mapping[str, Decimal]] = []

    own = _own_period(frequency, report_month) if not detail and report_month else None
    missing_names = formula.missing
    for pid in due:
        tvars = targets.get(pid)
        if tvars is not None:
            target_rows.append(tvars)
        mvals = measurements.get(pid)
        if not detail and pid != own:
            if mvals is None or missing_names(mvals):
                missing.append(pid)
            else:
                captured_rows.append(mvals)
                captured.append(pid)
            continue
        result = _full_period(pid, tvars, mvals, formula, ctx, classifier, descending, inverse, justified, findings)
        period_results.append(result)
        if result.status in _NOT_CAPTURED:
            missing.append(pid)
        else:
            captured_rows.append(mvals)
            captured.append(pid)

    cumulative = _cumulative(formula, ctx, accumulate(captured_rows, acc_keys), accumulate(target_rows, acc_keys),
                             calendar, due, captured, missing, cutoff, fiscal_year, classifier, method)

    # annual target: all periods of the year (not in summary mode, whose callers have the stored meta anual)
    if detail:
        annual_vars = accumulate([targets[p] for p in calendar if targets.get(p) is not None], acc_keys)
        annual_target = None if annual_vars is None else _evaluate(formula, annual_vars)[0]
    else:
        annual_vars = annual_target = None

    return IndicatorResult(spec, preset.key, method, fiscal_year, cutoff, calendar, period_results, cumulative,
                           annual_target, annual_vars, findings,
                           _for_month(frequency, report_month, period_results))


_NOT_CAPTURED = frozenset({SIN_CAPTURA, ERROR_FORMULA})


def _full_period(pid: str, tvars: Mapping[str, Decimal] | None, mvals: Mapping[str, Decimal] | None,
                 formula: Formula, ctx: _Context, classifier, descending: bool, inverse: bool,
                 justified: Iterable[str], findings: list[Finding]) -> PeriodResult:
    """The full result of one due period (value, target, %, colour, flags, reason); appends its findings.
    A result whose status is in ``_NOT_CAPTURED`` counts as a missing period for the cumulative figure."""
    fn = formula._fn
    key = ctx.spec.key
    if tvars is not None:
        try:
            target = fn(tvars)
        except Exception:  # noqa: BLE001 - zero/missing target: no % for the period
            target = None
    else:
        target = None
    if mvals is None:
        findings.append(Finding("AV-001", "warning", MSG["AV-001"].format(period=_period_label(pid)),
                                indicator=key, period=pid))
        return PeriodResult(pid, target, None, SIN_CAPTURA,
                            flags=[FLAG_META_CERO] if target is not None and not target else [],
                            reason=MSG["not_captured"].format(period=_period_label(pid)), target_variables=tvars,
                            justified=pid in justified)
    try:
        value = fn(mvals)
        status = OK
    except ZeroDenominator as exc:
        value = None
        status = SIN_CAPTURA if formula.missing(mvals) else _zero_status(exc)
    except (KeyError, TypeError):
        value = None
        status = SIN_CAPTURA if formula.missing(mvals) else ERROR_FORMULA
    except ArithmeticError:
        value = None
        status = ERROR_FORMULA

    if status == SIN_CAPTURA:
        names = ", ".join(f"«{n}»" for n in formula.missing(mvals))
        findings.append(Finding("AV-001", "warning",
                                MSG["AV-001_partial"].format(period=_period_label(pid), names=names),
                                indicator=key, period=pid))
        return PeriodResult(pid, target, None, SIN_CAPTURA,
                            flags=[FLAG_META_CERO] if target is not None and not target else [],
                            reason=MSG["missing_values"].format(names=names, period=_period_label(pid)),
                            variables=mvals, target_variables=tvars, justified=pid in justified)
    if status == ERROR_FORMULA:
        # a value that is not a number: the capture is unusable, so it counts as missing
        return PeriodResult(pid, target, None, ERROR_FORMULA,
                            reason=MSG["not_numeric"].format(period=_period_label(pid)), variables=mvals,
                            target_variables=tvars, justified=pid in justified)
    if value is None:
        label = _period_label(pid)
        if status == SIN_EVENTOS:
            reason = MSG["sin_eventos"].format(period=label)
            findings.append(Finding("AV-004", "info", MSG["AV-004"].format(period=label), indicator=key, period=pid))
        else:
            reason = MSG["AV-003"].format(period=label, variable=ctx.denominator())
            findings.append(Finding("AV-003", "error", reason, indicator=key, period=pid))
        return PeriodResult(pid, target, None, status,
                            flags=[FLAG_META_CERO] if target is not None and not target else [],
                            reason=reason, variables=mvals, target_variables=tvars, justified=pid in justified)

    # progress and colour
    if target is None or not target:
        progress = alt = None
    elif descending:
        lineal = (2 * target - value) / target * _HUNDRED
        inversa = target / value * _HUNDRED if value else None
        progress, alt = (inversa, lineal) if inverse else (lineal, inversa)
    else:
        progress = value / target * _HUNDRED
        alt = None
    rounded = None if progress is None else progress.quantize(_Q2, _HALF_UP, _ROUND_CTX)
    light, flags_t, needs = classifier(rounded)
    flags = list(flags_t)
    if target is not None and not target:
        flags.append(FLAG_META_CERO)
    needs = needs or light != _VERDE or bool(flags)
    reason = None if progress is not None else _no_progress_reason(target, value, pid)
    is_justified = pid in justified
    if needs and not is_justified:
        findings.append(_av006(key, pid, rounded))
    return PeriodResult(pid, target, value, OK, progress, alt, light, flags, needs, reason, mvals, tvars,
                        is_justified)


def _cumulative(formula: Formula, ctx: _Context, cum_vars: dict[str, Decimal] | None,
                tgt_vars: dict[str, Decimal] | None, calendar: tuple[str, ...], due: tuple[str, ...],
                captured: list[str], missing: list[str], cutoff: date, fiscal_year: int, classifier,
                method: DescendingMethod) -> CumulativeResult:
    """The cumulative figure at the cut-off from the accumulated variables (captured) and targets (due)."""
    spec = ctx.spec
    cum_target = None
    if tgt_vars is not None:
        cum_target, _ = _evaluate(formula, tgt_vars)
    cum_value = None
    if not calendar:
        status = SIN_MEDICION_EJERCICIO
        reason = MSG["no_measurement_year"].format(year=fiscal_year, frequency=spec.frequency)
    elif not due:
        status = SIN_PERIODO_VENCIDO
        reason = _not_due(cutoff)
    elif cum_vars is None:
        status = SIN_CAPTURA
        reason = MSG["none_captured"]
    else:
        cum_value, status = _evaluate(formula, cum_vars)
        reason = None
        if status == SIN_EVENTOS:
            reason = MSG["cum_sin_eventos"]
        elif status == ERROR_DENOMINADOR_CERO:
            reason = MSG["cum_zero_denominator"].format(variable=ctx.denominator())

    progress, alt = progress_pct(cum_value, cum_target, spec.direction, method)
    rounded = None if progress is None else round2(progress)
    light, flags_t, needs = classifier(rounded)
    flags = list(flags_t)
    if cum_target is not None and not cum_target:
        flags.append(FLAG_META_CERO)
    if missing:
        flags.append(FLAG_DATOS_INCOMPLETOS)
    needs = cum_value is not None and (
        needs or light != _VERDE or any(f != FLAG_DATOS_INCOMPLETOS for f in flags))
    if cum_value is not None and progress is None:
        extra = _no_progress_reason(cum_target, cum_value, None)
        reason = extra if reason is None else f"{reason} {extra}"
    return CumulativeResult(cutoff, list(due), captured, missing, cum_vars, tgt_vars, cum_value, cum_target,
                            status, progress, alt, light, flags, needs, reason)

def _no_progress_reason(target: Decimal | None, value: Decimal, period: str | None) -> str:
    where = "" if period is None else MSG["where"].format(period=_period_label(period))
    if target is None:
        return MSG["no_target"].format(where=where)
    if not target:
        return MSG["zero_target"].format(where=where, difference=fmt_es(value - target))
    return MSG["inverse_zero"].format(where=where)


def _av006(key: str, period: str, rounded: Decimal | None) -> Finding:
    label = _period_label(period)
    if rounded is None:
        msg = MSG["AV-006_no_pct"].format(period=label)
    else:
        msg = MSG["AV-006"].format(period=label, pct=fmt_es(rounded))
    return Finding("AV-006", "error", msg, indicator=key, period=period)


def _for_month(frequency: Frequency | str, report_month: str | None,
               period_results: list[PeriodResult]) -> PeriodResult | None:
    if not report_month:
        return None
    own = _own_period(frequency, report_month)
    if own is None:
        return None
    for p in period_results:
        if p.period == own:
            return p
    return None


def _formula_error_result(spec: IndicatorSpec, preset: Preset, fiscal_year: int, cutoff: date,
                          calendar: tuple[str, ...], due: tuple[str, ...], measurements: Mapping[str, Any],
                          message: str) -> IndicatorResult:
    """Every due period and the cumulative figure carry ERROR_FORMULA with the parser's message."""
    results = [PeriodResult(p, None, None, ERROR_FORMULA, reason=message, variables=measurements.get(p))
               for p in due]
    cumulative = CumulativeResult(cutoff, list(due), [p for p in due if p in measurements],
                                  [p for p in due if p not in measurements], None, None, None, None, ERROR_FORMULA,
                                  reason=message)
    return IndicatorResult(spec, preset.key, preset.descending_method, fiscal_year, cutoff, calendar, results,
                           cumulative, None, None, [], None)
