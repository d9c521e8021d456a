"""Avance (progress) of every indicator at a monthly cut-off: the rows behind ``ses avance``, the capture
screen, the dashboard, exports and reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import periods
from ..core.engine import (MonthSchedule, SummaryPlan, compute_indicator, month_schedule, month_states, period_rows,
                           summarize_indicator, summary_plan)
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.numbers import round2
from ..core.semaforo import BUILTIN_PRESETS, Preset, preset_from_dict
from ..core.types import LABELS, STATES, IndicatorSpec, Light, progress_state
from ..db.database import Database
from ..db.models import TrafficLightPreset
from .documents import ProgramSet, read_programs
from .errors import ServiceError
from .perf import no_gc

REASONS = {
    "SIN_CAPTURA": "No hay valores capturados para los periodos vencidos.",
    "SIN_EVENTOS": "Sin eventos: numerador y denominador son cero (N/A).",
    "ERROR_DENOMINADOR_CERO": "El denominador es cero y el numerador es mayor que cero.",
    "SIN_PERIODO_VENCIDO": "Ningún periodo de la frecuencia del indicador ha vencido a la fecha de corte.",
    "SIN_MEDICION_EN_EJERCICIO": "Sin medición en el ejercicio.",
    "META_CERO": "La meta es cero: el porcentaje de avance no es calculable; se muestra la diferencia.",
}


_NONE: frozenset[str] = frozenset()


@dataclass(slots=True)
class ProgressRow:
    program_key: str
    program_name: str
    agency_key: str | None
    indicator_key: str
    indicator_name: str
    level: str
    objective_key: str
    frequency: str
    direction: str
    unit: str
    period: str | None  # the indicator's own period that ends in the report month
    period_value: Decimal | None
    cumulative_value: Decimal | None
    period_target: Decimal | None
    cumulative_target: Decimal | None
    annual_target: Decimal | None
    progress_pct: Decimal | None  # cumulative % de avance (unrounded)
    light: str
    period_progress_pct: Decimal | None
    period_light: str | None
    needs_justification: bool
    has_justification: bool
    flags: list[str] = field(default_factory=list)
    period_flags: list[str] = field(default_factory=list)
    reason: str | None = None
    status: str = "OK"
    preset_key: str = ""
    descending_method: str = "lineal"
    progress_alt_pct: Decimal | None = None
    result: object = None  # the engine's IndicatorResult, for charts and detail views

    @property
    def state(self) -> str:
        """verde | amarillo | rojo | gris («Sin dato»: due, not captured) | no_aplica («No aplica al corte»)."""
        return progress_state(self.light, self.status)

    @property
    def period_state(self) -> str | None:
        """The state of the month's own period (``None`` when no own period ends in the month)."""
        if self.period_light is None:
            return None
        if self.period_light == "gris" and self.status in ("SIN_PERIODO_VENCIDO", "SIN_MEDICION_EN_EJERCICIO"):
            return "no_aplica"
        return self.period_light

    def as_json(self) -> dict:
        d = _json_decimal
        return {
            "program_key": self.program_key, "indicator_key": self.indicator_key,
            "indicator_name": self.indicator_name, "level": self.level, "frequency": self.frequency,
            "period": self.period,
            "period_value": d(self.period_value), "cumulative_value": d(self.cumulative_value),
            "period_target": d(self.period_target), "cumulative_target": d(self.cumulative_target),
            "annual_target": d(self.annual_target),
            "progress_pct": d(self.progress_pct), "period_progress_pct": d(self.period_progress_pct),
            "light": self.light, "period_light": self.period_light, "state": self.state,
            "needs_justification": self.needs_justification, "has_justification": self.has_justification,
            "flags": list(self.flags), "period_flags": list(self.period_flags), "reason": self.reason,
        }


def _json_decimal(x: Decimal | None) -> str | None:
    """A decimal string rounded as DOMAIN.md says (``numbers.round2``), never a float."""
    return None if x is None else format(round2(x), "f")


class Presets(dict):
    """Semáforo presets by key, plus ``profile_key``: the chosen state profile's preset (issue 16), or None."""

    profile_key: str | None = None


def presets_by_key(session: Session) -> Presets:
    """Every preset (built-in, stored, and the state profiles' own); ``profile_key`` names the chosen profile's
    preset when it has one (see :func:`resolve_preset`)."""
    from .profiles import current, profile_presets

    out = Presets(BUILTIN_PRESETS)
    for row in session.scalars(select(TrafficLightPreset)):
        if row.key not in BUILTIN_PRESETS:
            try:
                out[row.key] = preset_from_dict(row.key, row.data)
            except (ValueError, KeyError, TypeError):
                continue
    for key, preset in profile_presets().items():
        out.setdefault(key, preset)
    chosen = current(session).semaforo
    out.profile_key = chosen.key if chosen is not None else None
    return out


def resolve_preset(presets: dict[str, Preset], org_key: str | None, program: ProgramDoc,
                   indicator: IndicatorDoc) -> Preset:
    """The preset of an indicator: its own ``preset_key``, else its program's, else the organization's.

    Under a state profile with its own semáforo (``presets.profile_key``), the profile's preset takes the place
    of the organization's default, and an indicator or program whose preset *is* that default (the ficha field
    filled with the default, as imported MIRs and the demo do) follows the profile too; a preset chosen on
    purpose (different from the organization's default) still wins. Stored data is never changed."""
    profile_key = getattr(presets, "profile_key", None)
    if profile_key and profile_key in presets:
        for key in (indicator.preset_key, program.preset_key):
            if key and key in presets and key != org_key:
                return presets[key]
        return presets[profile_key]
    for key in (indicator.preset_key, program.preset_key, org_key, "PRESET_A_BANDA_90_110"):
        if key and key in presets:
            return presets[key]
    raise ServiceError("No hay preset de semáforo disponible.")  # pragma: no cover - builtin always exists


def rows_for(pset: ProgramSet, presets: dict[str, Preset], month: str, *, detail: bool = True) -> list[ProgressRow]:
    """Progress rows; ``detail=False`` skips per-period results other than the report month's (faster)."""
    cutoff = periods.month_cutoff(month)
    year, report_month, _ = periods.parse(month)
    org_key = pset.organization.preset_key if pset.organization else None
    rows: list[ProgressRow] = []
    summary = pset.lean and not detail  # the columnar path of core.engine.summarize_indicator
    plans: dict[tuple, tuple[IndicatorSpec, SummaryPlan]] = {}
    preset_of: dict[tuple, Preset] = {}
    for prog in pset.programs:
        levels = {o.key: o.level for o in prog.objectives}
        for ind in prog.indicators:
            preset = preset_of.get((ind.preset_key, prog.preset_key))
            if preset is None:
                preset = preset_of[(ind.preset_key, prog.preset_key)] = resolve_preset(presets, org_key, prog, ind)
            justified = pset.justified.get(ind.key, _NONE)
            res = plan = None
            if summary:
                # indicators of the same shape share their parsed formula, calendar and classifier
                shape = (ind.formula, ind.frequency, ind.direction, ind.type, ind.formula_type, ind.natural_cap,
                         tuple([(v.key, v.role, v.accumulation) for v in ind.variables]), id(preset))
                known = plans.get(shape)
                if known is not None:
                    model, plan = known
                    spec = IndicatorSpec(ind.key, model.formula, model.variables, model.frequency, model.direction,
                                         model.type, model.formula_type, model.natural_cap)
            if plan is None:
                try:
                    spec = ind.spec()
                except ValueError as exc:  # e.g. a sentido outside the catalogue: shown grey with the reason
                    rows.append(_invalid_row(prog, ind, levels, str(exc), preset))
                    continue
                if summary:
                    plan = summary_plan(spec, preset, fiscal_year=year, cutoff=cutoff, report_month=month)
                    plans[shape] = (spec, plan)
            if summary:
                tcols, vcols = pset.columns_of(ind)
                res = summarize_indicator(spec, tcols, vcols, cutoff, preset, fiscal_year=year,
                                          report_month=month, justified_periods=justified, plan=plan)
            if res is None:
                targets, values = pset.engine_inputs(ind)
                res = compute_indicator(spec, targets, values, cutoff, preset, fiscal_year=year,
                                        report_month=month, justified_periods=justified, detail=detail)
            cum = res.cumulative
            per = res.period_for_month
            needs = bool(cum.needs_justification or (per is not None and per.needs_justification))
            has_just = bool(justified) and ((per is not None and per.period in justified) or (
                bool(cum.due_periods) and cum.due_periods[-1] in justified))
            reason = None
            if cum.value is None:
                reason = cum.reason or REASONS.get(cum.status)
            elif cum.progress is None:
                reason = REASONS["META_CERO"]
            rows.append(ProgressRow(
                program_key=prog.key, program_name=prog.name, agency_key=prog.agency_key, indicator_key=ind.key,
                indicator_name=ind.name, level=levels.get(ind.objective_key or "", ""),
                objective_key=ind.objective_key or "", frequency=ind.frequency, direction=ind.direction,
                unit=ind.unit, period=per.period if per else periods.period_ending_in(ind.frequency, year, report_month),
                period_value=per.value if per else None, cumulative_value=cum.value,
                period_target=per.target if per else None, cumulative_target=cum.target,
                annual_target=ind.annual_target, progress_pct=cum.progress, light=str(cum.light),
                period_progress_pct=per.progress if per else None, period_light=str(per.light) if per else None,
                needs_justification=needs, has_justification=has_just, flags=list(cum.flags),
                period_flags=list(per.flags) if per else [], reason=reason, status=cum.status,
                preset_key=preset.key, descending_method=str(preset.descending_method),
                progress_alt_pct=cum.progress_alt, result=res))
    return rows


def monthly_states(pset: ProgramSet, presets: dict[str, Preset], months: list[str],
                   progress=None) -> list[list[tuple[str | None, str]]]:
    """For each of ``months`` (chronological, one fiscal year, none after the cut-off ``pset`` was read at):
    per indicator ``(agency key, state)`` — the states of ``compute_progress(db, month)`` — from the one read
    in ``pset`` (lean) and one engine pass per indicator (:func:`core.engine.month_states`); the general
    path (``compute_indicator`` on the columns cut at the month) only where the columnar one declines."""
    if not months:
        return []
    if not pset.lean:  # documents: the engine ignores what is not due at each cut-off
        return [[(r.agency_key, r.state) for r in rows_for(pset, presets, m, detail=False)] for m in months]
    with no_gc():  # about 175,000 states at estado scale: the collector would rescan them again and again
        agencies, per_indicator = _indicator_month_states(pset, presets, months, progress)
        if not per_indicator:
            return [[] for _ in months]
        return [list(zip(agencies, states)) for states in zip(*per_indicator)]


def _indicator_month_states(pset: ProgramSet, presets: dict[str, Preset], months: list[str],
                            progress=None) -> tuple[list[str | None], list[list[str]]]:
    """(agency key of each indicator, the indicator's state at each month) in program order."""
    year = periods.year_of(months[-1])
    cutoffs = [periods.month_cutoff(m) for m in months]
    month_ids = tuple(months)
    org_key = pset.organization.preset_key if pset.organization else None
    plans: dict[tuple, tuple[IndicatorSpec | None, SummaryPlan | None, MonthSchedule | None]] = {}
    preset_of: dict[tuple, Preset] = {}
    grey_months = [Light.GRIS.value] * len(months)
    total = sum(len(p.indicators) for p in pset.programs) or 1
    done = 0
    agencies: list[str | None] = []
    out: list[list[str]] = []
    for prog in pset.programs:
        agency = prog.agency_key
        for ind in prog.indicators:
            done += 1
            if progress and done % 2000 == 0:
                progress(int(100 * done / total), "Tendencia…")
            agencies.append(agency)
            preset = preset_of.get((ind.preset_key, prog.preset_key))
            if preset is None:
                preset = preset_of[(ind.preset_key, prog.preset_key)] = resolve_preset(presets, org_key, prog, ind)
            shape = (ind.formula, ind.frequency, ind.direction, ind.type, ind.formula_type, ind.natural_cap,
                     tuple([(v.key, v.role, v.accumulation) for v in ind.variables]), id(preset))
            known = plans.get(shape)
            if known is None:
                try:
                    spec = ind.spec()
                except ValueError:  # shown grey with the reason by rows_for
                    known = plans[shape] = (None, None, None)
                else:
                    known = plans[shape] = (spec, summary_plan(spec, preset, fiscal_year=year, cutoff=cutoffs[-1],
                                                               report_month=months[-1]),
                                            month_schedule(spec.frequency, year, month_ids))
            model, plan, schedule = known
            if model is None:
                out.append(grey_months)
                continue
            tcols, vcols = pset.columns_of(ind)
            states = month_states(plan, schedule, tcols, vcols)
            if None in states:
                spec = IndicatorSpec(ind.key, model.formula, model.variables, model.frequency, model.direction,
                                     model.type, model.formula_type, model.natural_cap)
                justified = pset.justified.get(ind.key, _NONE)
                for i, st in enumerate(states):
                    if st is None:
                        cut = schedule.cuts[i]
                        cum = compute_indicator(spec, period_rows(_cut_columns(tcols, cut)),
                                                period_rows(_cut_columns(vcols, cut)), cutoffs[i], preset,
                                                fiscal_year=year, report_month=months[i],
                                                justified_periods=justified, detail=False).cumulative
                        states[i] = progress_state(str(cum.light), cum.status)
            out.append(states)
    return agencies, out


def _cut_columns(columns, cut: frozenset[str]) -> dict:
    """Columns limited to the periods in ``cut`` (what a read with ``value_periods=cut`` gives)."""
    out = {}
    for key, (ps, vs) in columns.items():
        keep = [(p, v) for p, v in zip(ps, vs) if p in cut]
        if keep:
            out[key] = (tuple(p for p, _ in keep), tuple(v for _, v in keep))
    return out


def _invalid_row(prog: ProgramDoc, ind: IndicatorDoc, levels: dict, reason: str, preset: Preset) -> ProgressRow:
    return ProgressRow(
        program_key=prog.key, program_name=prog.name, agency_key=prog.agency_key, indicator_key=ind.key,
        indicator_name=ind.name, level=levels.get(ind.objective_key or "", ""), objective_key=ind.objective_key or "",
        frequency=ind.frequency, direction=ind.direction, unit=ind.unit, period=None, period_value=None,
        cumulative_value=None, period_target=None, cumulative_target=None, annual_target=ind.annual_target,
        progress_pct=None, light=Light.GRIS.value, period_progress_pct=None, period_light=None,
        needs_justification=False, has_justification=False, reason=reason, status="DATOS_INVALIDOS",
        preset_key=preset.key, descending_method=str(preset.descending_method))


def compute_progress(db: Database, month: str, program_key: str | None = None,
                     agency_key: str | None = None, *, detail: bool = False) -> list[ProgressRow]:
    """One row per indicator at the end of ``month``. With ``detail=True`` each row's ``result`` carries every
    due period's result (charts, detail views); without it only the cumulative and the month's own period."""
    try:
        periods.month_cutoff(month)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    year = periods.year_of(month)
    with no_gc(), db.reading() as session:
        due = periods.due_periods(periods.month_cutoff(month))
        pset = read_programs(session, year, [program_key] if program_key else None, agency_key, value_periods=due,
                              lean=True)
        presets = presets_by_key(session)
    with no_gc():
        return rows_for(pset, presets, month, detail=detail)


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """The figures of one own period of an indicator (meta del periodo, realizado, %, semáforo, flags)."""

    period: str
    target: Decimal | None
    value: Decimal | None
    progress: Decimal | None
    light: str
    flags: tuple[str, ...]


def last_period(row: ProgressRow) -> PeriodFigures | None:
    """The month's own period of the row, else its latest due period (a quarterly indicator in October shows
    the third quarter); None when no period is due. Needs rows computed with ``detail=True`` for the latter."""
    res = row.result
    per = getattr(res, "period_for_month", None) if res is not None else None
    if per is None and res is not None:
        due = set(getattr(res.cumulative, "due_periods", None) or ())
        done = [p for p in (getattr(res, "periods", None) or ()) if p.period in due]
        per = done[-1] if done else None
    if per is None:
        return None
    return PeriodFigures(per.period, per.target, per.value, per.progress, str(per.light), tuple(per.flags))


def light_counts(rows: list[ProgressRow]) -> dict[str, int]:
    counts = {c.value: 0 for c in Light}
    for r in rows:
        counts[r.light] = counts.get(r.light, 0) + 1
    return counts


def state_counts(rows: list[ProgressRow]) -> dict[str, int]:
    """Counts by display state: the lights with «Sin dato» (gris) apart from «No aplica al corte»."""
    counts = dict.fromkeys(STATES, 0)
    for r in rows:
        st = r.state
        counts[st] = counts.get(st, 0) + 1
    return counts


def flag_labels(flags: list[str]) -> str:
    return ", ".join(LABELS.get(f, f) for f in flags)
