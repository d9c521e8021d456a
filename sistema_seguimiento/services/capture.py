"""Capture of variable values (avances) for a period: the rules of DOMAIN.md §d (AV-002, AV-008, PER-003),
roles (issue 5) and the audit trail; plus ``capture_rows``, what the capture grid shows.

``save_values`` is all-or-nothing: every change is checked first, any problem raises ``ServiceError`` with a
Spanish details list naming indicator, variable and period, and nothing is written.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import periods
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.limits import clip
from ..core.numbers import number_limit_problem
from ..core.semaforo import Preset
from ..core.types import PeriodStatus, Role, label
from ..db.database import Database
from ..db.models import (Agency, Budget, Evidence, FiscalYear, Indicator, Justification, Measurement, Objective,
                         PeriodState, Program, Target, Variable)
from . import audit
from .documents import ProgramSet, read_programs
from .errors import ConflictError, PermissionDenied, ServiceError
from .guards import require_fiscal_period
from .locking import period_state_for_update
from .mir_view import mir_order
from .progress import ProgressRow, presets_by_key, resolve_preset, rows_for
from .users import CurrentUser

MSG = {
    "rejected": "No se guardó ningún valor: revise {n} problema(s).",
    "no_changes": "No hay valores que guardar.",
    "consulta": "El usuario «{user}» es de consulta (solo lectura) y no puede capturar avances.",
    "other_agency": "El usuario «{user}» solo puede capturar avances de su dependencia ({own}); "
                    "el indicador {ind} pertenece a la dependencia {agency}.",
    "no_agency": "El usuario «{user}» es capturista pero no tiene dependencia asignada.",
    "no_indicator": "El indicador «{ind}» no existe.",
    "no_variable": "El indicador {ind} no tiene la variable «{var}».",
    "bad_period": "Periodo «{period}» no válido: {error}",
    "not_in_frequency": "El indicador {ind} es de frecuencia {freq}: el periodo {period} no le corresponde.",
    "closed": "PER-003: El periodo {period} está cerrado para la dependencia {agency}; solicite su reapertura "
              "(indicador {ind}, variable {var}).",
    "not_ended": "AV-008: No se puede capturar el periodo {period} antes de su fecha de término ({end}) "
                 "(indicador {ind}, variable {var}).",
    "negative": "AV-002: El valor de «{var}» no puede ser negativo (indicador {ind}, periodo {period}: {value}).",
    "integer": "El valor de «{var}» debe ser un número entero (indicador {ind}, periodo {period}: {value}).",
    "not_finite": "El valor de «{var}» no es un número válido (indicador {ind}, periodo {period}).",
    "limit": "El valor de «{var}» está fuera de los límites (indicador {ind}, periodo {period}): {reason}",
    "percent_range": "El valor de «{var}» es un porcentaje y debe estar entre 0 y 100 (indicador {ind}, "
                     "periodo {period}: {value}).",
    "percent_negative": "El valor de «{var}» es un porcentaje y no puede ser menor que -100 (indicador {ind}, "
                        "periodo {period}: {value}).",
    "read_only": "La base de datos está abierta en modo de solo lectura.",
    "state_back": "captura después de «{old}» (estado puesto por {by}); el periodo vuelve a «Capturando»",
    "sent": "El periodo {period} de la dependencia {agency} está «{state}»: el capturista ya no puede cambiar sus "
            "valores (indicador {ind}, variable {var}); pida al validador que lo devuelva.",
    "conflict": ("Otra persona cambió {n} valor(es) mientras usted capturaba. No se guardó nada: elija para cada uno "
                 "si conserva su valor o toma el de la base."),
    # metas de actividad (issue 16): the achieved value of a quarter, under the workflow of its last month
    "no_goal": "No existe la meta de actividad «{goal}» (proyecto/ID) en el ejercicio {year}.",
    "goal_quarter": "Las metas de actividad se capturan por trimestre: {period} no termina un trimestre "
                    "(meta {goal}); use el mes de cierre (marzo, junio, septiembre o diciembre) o AAAA-Tn.",
    "goal_closed": "PER-003: El periodo {period} está cerrado para la dependencia {agency}; solicite su reapertura "
                   "(meta de actividad {goal}).",
    "goal_sent": "El periodo {period} de la dependencia {agency} está «{state}»: el capturista ya no puede cambiar "
                 "el avance de la meta de actividad {goal}; pida al validador que lo devuelva.",
    "goal_not_ended": "AV-008: No se puede capturar el trimestre {period} antes de su fecha de término ({end}) "
                      "(meta de actividad {goal}).",
    "goal_negative": "AV-002: El avance alcanzado de la meta de actividad {goal} no puede ser negativo "
                     "({period}: {value}).",
    "goal_limit": "El avance alcanzado de la meta de actividad {goal} está fuera de los límites ({period}): {reason}",
    "goal_not_finite": "El avance alcanzado de la meta de actividad {goal} no es un número válido ({period}).",
}
# states in which the capturista's values are read-only: only an administrador or validador may still correct
# them (the window asks first), and the period then goes back to «capturando» with an audit entry that names
# whoever had sent or validated it
SENT_STATES = (PeriodStatus.ENVIADO.value, PeriodStatus.VALIDADO.value)


NOT_SEEN = "no visto"  # ValueChange.expected when the caller did not see a previous value (no conflict check)


@dataclass(frozen=True)
class ValueChange:
    indicator_key: str
    variable_key: str
    value: Decimal | None  # None clears the captured value
    # the value the user saw before editing (None: empty). When another official saved something else meanwhile,
    # the save is refused with a ConflictError that shows both values, who and when; nothing is written.
    expected: Decimal | None | str = NOT_SEEN


@dataclass(frozen=True)
class Conflict:
    indicator_key: str
    variable_key: str
    period: str
    mine: Decimal | None
    theirs: Decimal | None
    seen: Decimal | None
    by: str
    at: datetime | None
    kind: str = "indicador"  # "meta": indicator_key is the proyecto, variable_key the meta's ID


@dataclass(frozen=True)
class GoalChange:
    """The achieved value of a meta de actividad (``project_key``/``goal_key``) for the quarter of the period."""
    project_key: str
    goal_key: str
    value: Decimal | None  # None clears it
    expected: Decimal | None | str = NOT_SEEN  # as ValueChange.expected

    @property
    def label(self) -> str:
        return f"{self.project_key}/{self.goal_key}"


@dataclass
class JustificationChange:
    indicator_key: str
    period: str  # the indicator's own period (or a month inside it)
    cause: str
    effect: str = ""
    other_reasons: str = ""
    improvement_actions: str = ""
    fact: str = ""  # tarjeta de justificación: hecho
    projection: str = ""  # tarjeta de justificación: proyección


@dataclass
class SaveResult:
    saved: int = 0  # values written (new or changed)
    cleared: int = 0  # values removed
    unchanged: int = 0
    periods: dict[str, str] = field(default_factory=dict)  # indicator key -> indicator period written
    reopened_states: list[tuple[str, str]] = field(default_factory=list)  # (month, agency) set back to capturando

    @property
    def changed(self) -> int:
        return self.saved + self.cleared


# ---------------------------------------------------------------------------------------------------
# helpers shared with workflow / justifications

def indicator_period(frequency: str, period: str) -> str | None:
    """The indicator's own period id for a capture period given as a month (``2026-09`` → ``2026-T3`` for a
    quarterly indicator) or as the indicator's period id itself; None when it does not belong."""
    year, _first, last = periods.parse(period)
    own = periods.period_ending_in(frequency, year, last)
    if own is None:
        return None
    if _first == last:
        return own
    return period if own == period else None


def workflow_month(period: str) -> str:
    """The month a period ends in: the workflow (period_state) is kept per month and dependencia."""
    return periods.months_of(period)[-1]


def period_status(session: Session, month: str, agency_id: int | None) -> str:
    st = session.scalars(select(PeriodState.status).where(PeriodState.period == month,
                                                          PeriodState.agency_id == agency_id)).first()
    return st or PeriodStatus.CAPTURANDO.value


def check_agency_access(actor: CurrentUser, agency_key: str | None, what: str) -> None:
    if actor.role == Role.CONSULTA.value:
        raise PermissionDenied(MSG["consulta"].format(user=actor.name))
    if actor.role == Role.CAPTURISTA.value:
        if not actor.agency_key:
            raise PermissionDenied(MSG["no_agency"].format(user=actor.name))
        if agency_key != actor.agency_key:
            raise PermissionDenied(MSG["other_agency"].format(user=actor.name, own=actor.agency_key, ind=what,
                                                              agency=agency_key or "(ninguna)"))


@dataclass
class _Var:
    id: int
    key: str
    integer_only: bool
    allow_negative: bool
    unit: str = ""

    @property
    def is_percentage(self) -> bool:
        return is_percentage_unit(self.unit)


_PERCENT_UNITS = {"%", "porcentaje", "por ciento", "porciento", "tasa porcentual", "puntos porcentuales"}


def is_percentage_unit(unit: str | None) -> bool:
    """A variable whose unit of measure is a percentage («Porcentaje», «%»)."""
    return (unit or "").strip().lower() in _PERCENT_UNITS


@dataclass
class _Ind:
    id: int
    key: str
    frequency: str
    agency_id: int | None
    agency_key: str | None
    variables: dict[str, _Var] = field(default_factory=dict)


def load_indicators(session: Session, keys: list[str]) -> dict[str, _Ind]:
    out: dict[str, _Ind] = {}
    keys = sorted(set(keys))
    for start in range(0, len(keys), 20_000):
        part = keys[start:start + 20_000]
        q = (select(Indicator.id, Indicator.key, Indicator.frequency, Program.agency_id, Agency.key)
             .join(Objective, Objective.id == Indicator.objective_id)
             .join(Program, Program.id == Objective.program_id)
             .outerjoin(Agency, Agency.id == Program.agency_id)
             .where(Indicator.key.in_(part)))
        for iid, key, freq, agency_id, agency_key in session.execute(q):
            out[key] = _Ind(iid, key, freq, agency_id, agency_key)
    by_id = {i.id: i for i in out.values()}
    ids = list(by_id)
    for start in range(0, len(ids), 20_000):
        q = select(Variable.id, Variable.indicator_id, Variable.key, Variable.integer_only,
                   Variable.allow_negative, Variable.unit).where(Variable.indicator_id.in_(ids[start:start + 20_000]))
        for vid, iid, key, integer_only, allow_negative, unit in session.execute(q):
            by_id[iid].variables[key] = _Var(vid, key, bool(integer_only), bool(allow_negative), unit or "")
    return out


def value_problems(value: Decimal, var: _Var, ind_key: str, period: str) -> list[str]:
    """Why ``value`` cannot be captured for ``var`` (empty when it can): a finite number within the digit limits
    of ``core.limits``, not negative unless the variable allows it (AV-002), whole when the variable is a count,
    and between 0 and 100 when its unit is a percentage (-100 to 100 if negatives are allowed)."""
    args = dict(var=var.key, ind=ind_key, period=period)
    if not isinstance(value, Decimal) or not value.is_finite():
        return [MSG["not_finite"].format(**args)]
    reason = number_limit_problem(value)
    if reason:
        return [MSG["limit"].format(reason=reason, **args)]
    args["value"] = value
    out = []
    if value < 0 and not var.allow_negative:
        out.append(MSG["negative"].format(**args))
    if var.integer_only and value != value.to_integral_value():
        out.append(MSG["integer"].format(**args))
    if var.is_percentage and not out:
        if value > 100:
            out.append(MSG["percent_range"].format(**args))
        elif value < -100:
            out.append(MSG["percent_negative"].format(**args))
    return out


# ---------------------------------------------------------------------------------------------------
# save

def save_values(db: Database, actor: CurrentUser, period: str, changes: list[ValueChange], *,
                today: date | None = None, justifications: list[JustificationChange] | None = None,
                goals: list[GoalChange] | None = None) -> SaveResult:
    """Write captured values for ``period`` (a month, or an indicator period id such as ``2026-T3``), and with
    ``justifications`` their justification records, and with ``goals`` the achieved values of metas de actividad
    for the quarter ending in the period, in the same transaction (all or nothing)."""
    if db.read_only:
        raise ServiceError(MSG["read_only"])
    if actor.role == Role.CONSULTA.value:
        raise PermissionDenied(MSG["consulta"].format(user=actor.name))
    try:
        periods.parse(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    if not changes and not justifications and not goals:
        return SaveResult()
    today = today or date.today()
    result = SaveResult()
    with db.transaction() as s:
        require_fiscal_period(s, period)
        inds = load_indicators(s, [c.indicator_key for c in changes])
        problems: list[str] = []
        denied: list[str] = []
        plan: list[tuple[_Ind, _Var, str, Decimal | None]] = []
        states: dict[tuple[str, int | None], str] = {}
        for c in changes:
            ind = inds.get(c.indicator_key)
            if ind is None:
                problems.append(MSG["no_indicator"].format(ind=clip(c.indicator_key)))
                continue
            try:
                check_agency_access(actor, ind.agency_key, ind.key)
            except PermissionDenied as exc:
                denied.append(str(exc))
                continue
            var = ind.variables.get(c.variable_key)
            if var is None:
                problems.append(MSG["no_variable"].format(ind=ind.key, var=clip(c.variable_key)))
                continue
            own = indicator_period(ind.frequency, period)
            if own is None:
                problems.append(MSG["not_in_frequency"].format(ind=ind.key, freq=ind.frequency, period=period))
                continue
            month = workflow_month(own)
            skey = (month, ind.agency_id)
            if skey not in states:
                st = period_state_for_update(s, month, ind.agency_id)
                states[skey] = st.status if st is not None else PeriodStatus.CAPTURANDO.value
            if states[skey] == PeriodStatus.CERRADO.value:
                problems.append(MSG["closed"].format(period=periods.label(month), agency=ind.agency_key,
                                                     ind=ind.key, var=var.key))
                continue
            if states[skey] in SENT_STATES and actor.role == Role.CAPTURISTA.value:
                problems.append(MSG["sent"].format(period=periods.label(month), agency=ind.agency_key,
                                                   state=label(states[skey]), ind=ind.key, var=var.key))
                continue
            end = periods.end_date(own)
            if end > today:
                problems.append(MSG["not_ended"].format(period=own, end=end.strftime("%d/%m/%Y"), ind=ind.key,
                                                        var=var.key))
                continue
            if c.value is not None:
                bad = value_problems(c.value, var, ind.key, own)
                if bad:
                    problems.extend(bad)
                    continue
            plan.append((ind, var, own, c.value, c.expected))
        goal_plan = _plan_goals(s, actor, period, goals or [], today, states, problems, denied)
        if denied:
            raise PermissionDenied(denied[0], denied[1:] + problems if len(denied) > 1 or problems else None)
        if problems:
            raise ServiceError(MSG["rejected"].format(n=len(problems)), problems)
        existing: dict[tuple[int, str], Measurement] = {}
        by_period: dict[str, list[int]] = defaultdict(list)
        for ind, var, own, _, _ in plan:
            by_period[own].append(var.id)
        for own, vids in by_period.items():
            for start in range(0, len(vids), 20_000):
                q = select(Measurement).where(Measurement.period == own,
                                              Measurement.variable_id.in_(vids[start:start + 20_000]))
                for m in s.scalars(q):
                    existing[(m.variable_id, m.period)] = m
        conflicts: list[Conflict] = []
        for ind, var, own, value, expected in plan:
            m = existing.get((var.id, own))
            current = m.value if m is not None else None
            if expected != NOT_SEEN and current != expected and current != value:
                conflicts.append(Conflict(ind.key, var.key, own, value, current, expected,
                                          m.captured_by if m is not None else "",
                                          m.captured_at if m is not None else None))
        conflicts.extend(_goal_conflicts(goal_plan))
        if conflicts:
            raise ConflictError(MSG["conflict"].format(n=len(conflicts)), conflicts)
        now = datetime.now().replace(microsecond=0)
        touched: set[tuple[str, int | None, str | None]] = set()
        for ind, var, own, value, _ in plan:
            m = existing.get((var.id, own))
            key = f"{ind.key}/{var.key}/{own}"
            if value is None:
                if m is None:
                    result.unchanged += 1
                    continue
                audit.record(s, actor, "measurement", key, "valor", m.value, None, action="borrar")
                s.delete(m)
                existing.pop((var.id, own))
                result.cleared += 1
            elif m is None:
                m = Measurement(variable_id=var.id, period=own, value=value, status="capturado",
                                captured_by=actor.name, captured_at=now)
                s.add(m)
                existing[(var.id, own)] = m
                audit.record(s, actor, "measurement", key, "valor", None, value, action="capturar")
                result.saved += 1
            elif m.value == value and m.status == "capturado":
                result.unchanged += 1
                continue
            else:
                if m.value != value:
                    audit.record(s, actor, "measurement", key, "valor", m.value, value, action="capturar")
                if m.status != "capturado":
                    audit.record(s, actor, "measurement", key, "estado", m.status, "capturado", action="capturar")
                m.value, m.status, m.captured_by, m.captured_at = value, "capturado", actor.name, now
                result.saved += 1
            result.periods[ind.key] = own
            touched.add((workflow_month(own), ind.agency_id, ind.agency_key))
        _write_goals(s, actor, goal_plan, now, result, touched)
        for month, agency_id, agency_key in touched:
            st = s.scalars(select(PeriodState).where(PeriodState.period == month,
                                                     PeriodState.agency_id == agency_id)).first()
            if st is not None and st.status in (PeriodStatus.DEVUELTO.value, PeriodStatus.ENVIADO.value,
                                                PeriodStatus.VALIDADO.value):
                audit.record(s, actor, "period", f"{month}/{agency_key or ''}", "estado", st.status, "capturando",
                             action="capturar", reason=MSG["state_back"].format(old=st.status, by=st.updated_by or "—"))
                st.status, st.updated_by, st.updated_at = PeriodStatus.CAPTURANDO.value, actor.name, now
                result.reopened_states.append((month, agency_key or ""))
        if justifications:
            from . import justifications as just_service

            for j in justifications:
                just_service.write(s, actor, j.indicator_key, j.period, cause=j.cause, effect=j.effect,
                                   other_reasons=j.other_reasons, improvement_actions=j.improvement_actions,
                                   fact=j.fact, projection=j.projection)
    return result


# ---------------------------------------------------------------------------------------------------
# what the grid shows

@dataclass
class CaptureVariable:
    key: str
    name: str
    role: str
    unit: str
    accumulation: str
    integer_only: bool
    allow_negative: bool
    target: Decimal | None  # current (possibly modified) target of the period
    original_target: Decimal | None  # approved target before any modificación de metas
    value: Decimal | None  # captured value of the period
    status: str | None  # measurement status


@dataclass
class CaptureIndicator:
    program_key: str
    agency_key: str | None
    key: str
    name: str
    level: str
    frequency: str
    period: str  # the indicator's own period ending in the month
    variables: list[CaptureVariable]
    progress: ProgressRow  # engine result at the month's cut-off (``.result`` = IndicatorResult)
    doc: IndicatorDoc  # for recomputing in memory as the user types
    preset: Preset
    justified_periods: set[str]
    has_justification: bool
    evidence_count: int
    workflow_status: str  # period_state of the month for the indicator's dependencia


@dataclass
class CaptureSheet:
    month: str
    year: int
    agency_key: str | None
    program_key: str | None
    indicators: list[CaptureIndicator]
    states: dict[str, str]  # agency key -> workflow status of the month
    programs: list[tuple[str, str, str | None]]  # (key, name, agency key) of the programs shown
    budgets: dict[str, dict[str, Decimal | None]]  # program key -> {approved, modified, exercised}
    comments: dict[str, str] = field(default_factory=dict)  # agency key -> last workflow comment (devuelto)
    goals: list[CaptureGoal] = field(default_factory=list)  # metas de actividad of the quarter ending in the month

    @property
    def row_count(self) -> int:
        return sum(len(i.variables) for i in self.indicators)


@dataclass
class CaptureSource:
    """The month-independent part of the grid for one selection (dependencia and/or programa of a year):
    documents with all targets and measurements, variable rules, original targets, justification and evidence
    presence. The page keeps it while only the period changes and drops it after any write."""

    year: int
    agency_key: str | None
    program_key: str | None
    pset: ProgramSet
    presets: dict[str, Preset]
    ordered: list[tuple[ProgramDoc, IndicatorDoc, str]]  # (program, indicator, level) in MIR order
    meta: dict[str, _Ind]
    original: dict[tuple[str, str, str], Decimal]  # (indicator, variable, period) -> original target (if modified)
    justified_now: set[tuple[int, str]]
    evidence: dict[tuple[int, str], int]
    agencies: dict[str, int]


def load_source(db: Database, year: int, agency_key: str | None = None,
                program_key: str | None = None) -> CaptureSource:
    with db.reading() as s:
        pset = read_programs(s, year, [program_key] if program_key else None, agency_key)
        presets = presets_by_key(s)
        ordered: list[tuple[ProgramDoc, IndicatorDoc, str]] = []
        for prog in pset.programs:
            by_obj: dict[str, list[IndicatorDoc]] = defaultdict(list)
            for ind in prog.indicators:
                by_obj[ind.objective_key or ""].append(ind)
            for obj in mir_order(prog):
                for ind in by_obj.get(obj.key, []):
                    ordered.append((prog, ind, obj.level))
        meta = load_indicators(s, [ind.key for _, ind, _ in ordered]) if ordered else {}
        var_ids = {v.id: (k, v.key) for k, i in meta.items() for v in i.variables.values()}
        original: dict[tuple[str, str, str], Decimal] = {}
        ids = list(var_ids)
        for start in range(0, len(ids), 20_000):
            q = select(Target.variable_id, Target.period, Target.original_value).where(
                Target.variable_id.in_(ids[start:start + 20_000]), Target.original_value != Target.value)
            for vid, per, ov in s.execute(q):
                ik, vk = var_ids[vid]
                original[(ik, vk, per)] = ov
        evidence: dict[tuple[int, str], int] = defaultdict(int)
        justified_now: set[tuple[int, str]] = set()
        iids = [i.id for i in meta.values()]
        from .tarjeta import complete_clause  # under the tarjeta profile only a complete tarjeta counts

        counts = complete_clause(s)
        for start in range(0, len(iids), 20_000):
            part = iids[start:start + 20_000]
            for iid, per in s.execute(select(Evidence.indicator_id, Evidence.period)
                                      .where(Evidence.indicator_id.in_(part))):
                evidence[(iid, per)] += 1
            jq = select(Justification.indicator_id, Justification.period).where(Justification.indicator_id.in_(part))
            if counts is not None:
                jq = jq.where(counts)
            for iid, per in s.execute(jq):
                justified_now.add((iid, per))
        agencies = {k: i for i, k in s.execute(select(Agency.id, Agency.key))}
    return CaptureSource(year, agency_key, program_key, pset, presets, ordered, meta, original, justified_now,
                         dict(evidence), agencies)


def capture_rows(db: Database, period: str, agency_key: str | None = None, program_key: str | None = None, *,
                 source: CaptureSource | None = None) -> CaptureSheet:
    """Rows of the capture grid for a month: one per variable of every indicator due in that month.
    ``source`` (from :func:`load_source` for the same selection and year) skips re-reading the documents."""
    try:
        periods.month_cutoff(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    year, month_no, _ = periods.parse(period)
    if source is None or (source.year, source.agency_key, source.program_key) != (year, agency_key, program_key):
        source = load_source(db, year, agency_key, program_key)
    pset = source.pset
    due: list[tuple[ProgramDoc, IndicatorDoc, str, str]] = []
    for prog, ind, level in source.ordered:
        own = periods.period_ending_in(ind.frequency, year, month_no)
        if own is None:
            continue
        if own == str(year) and ind.frequency != "anual" and not (
                own in ind.targets or any(m.period == own for m in ind.measurements)):
            continue  # multi-year indicator without measurement this year
        due.append((prog, ind, own, level))
    months_needed = {workflow_month(own) for _, _, own, _ in due} | {period}
    states_raw: dict[tuple[str, int | None], str] = {}
    budgets: dict[str, dict[str, Decimal | None]] = {}
    prog_keys = [p.key for p in pset.programs]
    with db.reading() as s:
        comments_raw: dict[int | None, str] = {}
        for per, aid, st, comment in s.execute(
                select(PeriodState.period, PeriodState.agency_id, PeriodState.status, PeriodState.comment)
                .where(PeriodState.period.in_(months_needed))):
            states_raw[(per, aid)] = st
            if per == period and comment:
                comments_raw[aid] = comment
        if prog_keys:
            q = (select(Program.key, Budget.approved, Budget.modified, Budget.exercised)
                 .join(Budget, Budget.program_id == Program.id)
                 .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
                 .where(Budget.period == period, FiscalYear.year == year))
            if len(prog_keys) < 500:
                q = q.where(Program.key.in_(prog_keys))
            wanted = set(prog_keys)
            for pk, ap, mo, ex in s.execute(q):
                if pk in wanted:
                    budgets[pk] = {"approved": ap, "modified": mo, "exercised": ex}
    # engine results for the due indicators only (one call per indicator, through services.progress)
    progress_by_key: dict[str, ProgressRow] = {}
    if due:
        sub = ProgramSet(fiscal_year=pset.fiscal_year, organization=pset.organization, agencies=pset.agencies,
                         programs=[], measurement_status=pset.measurement_status, justified=pset.justified)
        by_prog: dict[str, list[IndicatorDoc]] = defaultdict(list)
        for prog, ind, _, _ in due:
            by_prog[prog.key].append(ind)
        for prog in pset.programs:
            inds = by_prog.get(prog.key)
            if inds:
                sub.programs.append(ProgramDoc(key=prog.key, name=prog.name, agency_key=prog.agency_key,
                                               fiscal_year=prog.fiscal_year, objectives=prog.objectives,
                                               indicators=inds, preset_key=prog.preset_key))
        for row in rows_for(sub, source.presets, period):
            progress_by_key[row.indicator_key] = row
    org_key = pset.organization.preset_key if pset.organization else None
    indicators: list[CaptureIndicator] = []
    original = source.original
    for prog, ind, own, level in due:
        m = source.meta.get(ind.key)
        measured = next((x for x in reversed(ind.measurements) if x.period == own), None)
        values = measured.values if measured else {}
        tgt = ind.targets.get(own, {})
        cvars = []
        for v in ind.variables:
            vm = m.variables.get(v.key) if m else None
            target = tgt.get(v.key)
            cvars.append(CaptureVariable(
                key=v.key, name=v.name, role=v.role, unit=v.unit, accumulation=v.accumulation,
                integer_only=bool(vm and vm.integer_only), allow_negative=bool(vm and vm.allow_negative),
                target=target, original_target=original.get((ind.key, v.key, own), target),
                value=values.get(v.key), status=measured.status if (measured and v.key in values) else None))
        aid = m.agency_id if m else None
        indicators.append(CaptureIndicator(
            program_key=prog.key, agency_key=prog.agency_key, key=ind.key, name=ind.name, level=level,
            frequency=ind.frequency, period=own, variables=cvars, progress=progress_by_key[ind.key], doc=ind,
            preset=resolve_preset(source.presets, org_key, prog, ind),
            justified_periods=set(pset.justified.get(ind.key, set())),
            has_justification=(m is not None and (m.id, own) in source.justified_now),
            evidence_count=source.evidence.get((m.id, own), 0) if m else 0,
            workflow_status=states_raw.get((workflow_month(own), aid), PeriodStatus.CAPTURANDO.value)))
    states = {}
    comments: dict[str, str] = {}
    shown_agencies = {p.agency_key for p in pset.programs}
    for key, aid in sorted(source.agencies.items()):
        if agency_key and key != agency_key:
            continue
        if program_key and key not in shown_agencies:
            continue
        states[key] = states_raw.get((period, aid), PeriodStatus.CAPTURANDO.value)
        if aid in comments_raw:
            comments[key] = comments_raw[aid]
    return CaptureSheet(month=period, year=year, agency_key=agency_key, program_key=program_key,
                        indicators=indicators, states=states, comments=comments,
                        programs=[(p.key, p.name, p.agency_key) for p in pset.programs], budgets=budgets,
                        goals=capture_goals(db, period, agency_key, program_key))


def recompute(ci: CaptureIndicator, values: dict[str, Decimal | None], month: str):
    """Engine result of one indicator with the grid's in-memory values for its period (as the user types)."""
    from ..core.engine import compute_indicator

    doc = ci.doc
    measurements = {m.period: dict(m.values) for m in doc.measurements}
    current = {k: v for k, v in values.items() if v is not None}
    if current:
        measurements[ci.period] = current
    else:
        measurements.pop(ci.period, None)
    keys = {v.key for v in doc.variables}
    measurements = {p: vals for p, vals in measurements.items() if set(vals) >= keys}
    year = periods.year_of(month)
    return compute_indicator(doc.spec(), doc.targets, measurements, periods.month_cutoff(month), ci.preset,
                             fiscal_year=year, report_month=month, justified_periods=ci.justified_periods)


# ---------------------------------------------------------------------------------------------------
# metas de actividad (issue 16): achieved value per quarter, same rules as the indicators' values

@dataclass
class _GoalPlan:
    change: GoalChange
    goal_id: int
    quarter: str
    agency_id: int | None
    agency_key: str | None
    row: object | None  # ActivityGoalQuarter or None


def goal_quarter(period: str) -> str | None:
    """The quarter (``YYYY-Tn``) whose achieved values are captured under ``period``: the quarter itself, or
    the quarter ending in a month (``2026-09`` → ``2026-T3``); None for other months and periods."""
    year, first, last = periods.parse(period)
    if first == last:
        return periods.period_ending_in("trimestral", year, last)
    return period if periods.frequency_of(period) == "trimestral" else None


def _load_goal_rows(session: Session, year: int, project_keys: list[str]):
    from ..db.models import ActivityGoal, Project

    q = (select(ActivityGoal.id, ActivityGoal.key, Project.key, Program.agency_id, Agency.key)
         .join(Project, Project.id == ActivityGoal.project_id)
         .join(Program, Program.id == Project.program_id)
         .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
         .outerjoin(Agency, Agency.id == Program.agency_id)
         .where(FiscalYear.year == year, Project.key.in_(sorted(set(project_keys)))))
    out: dict[tuple[str, str], tuple[int, int | None, str | None]] = {}
    for gid, gkey, pkey, aid, akey in session.execute(q):
        out.setdefault((pkey, gkey), (gid, aid, akey))
    return out


def _plan_goals(s: Session, actor: CurrentUser, period: str, goals: list[GoalChange], today: date,
                states: dict, problems: list[str], denied: list[str]) -> list[_GoalPlan]:
    from ..db.models import ActivityGoalQuarter

    if not goals:
        return []
    quarter = goal_quarter(period)
    if quarter is None:
        problems.extend(MSG["goal_quarter"].format(period=period, goal=clip(g.label)) for g in goals)
        return []
    year = periods.year_of(quarter)
    found = _load_goal_rows(s, year, [g.project_key for g in goals])
    month = workflow_month(quarter)
    end = periods.end_date(quarter)
    plan: list[_GoalPlan] = []
    for g in goals:
        hit = found.get((g.project_key, g.goal_key))
        if hit is None:
            problems.append(MSG["no_goal"].format(goal=clip(g.label), year=year))
            continue
        gid, aid, akey = hit
        try:
            check_agency_access(actor, akey, f"meta de actividad {g.label}")
        except PermissionDenied as exc:
            denied.append(str(exc))
            continue
        skey = (month, aid)
        if skey not in states:
            st = period_state_for_update(s, month, aid)
            states[skey] = st.status if st is not None else PeriodStatus.CAPTURANDO.value
        args = dict(goal=g.label, period=quarter)
        if states[skey] == PeriodStatus.CERRADO.value:
            problems.append(MSG["goal_closed"].format(goal=g.label, period=periods.label(month), agency=akey))
            continue
        if states[skey] in SENT_STATES and actor.role == Role.CAPTURISTA.value:
            problems.append(MSG["goal_sent"].format(goal=g.label, period=periods.label(month), agency=akey,
                                                    state=label(states[skey])))
            continue
        if end > today:
            problems.append(MSG["goal_not_ended"].format(end=end.strftime("%d/%m/%Y"), **args))
            continue
        v = g.value
        if v is not None:
            if not isinstance(v, Decimal) or not v.is_finite():
                problems.append(MSG["goal_not_finite"].format(**args))
                continue
            reason = number_limit_problem(v)
            if reason:
                problems.append(MSG["goal_limit"].format(reason=reason, **args))
                continue
            if v < 0:
                problems.append(MSG["goal_negative"].format(value=v, **args))
                continue
        plan.append(_GoalPlan(g, gid, quarter, aid, akey, None))
    if plan:
        rows = {r.goal_id: r for r in s.scalars(select(ActivityGoalQuarter).where(
            ActivityGoalQuarter.period == quarter, ActivityGoalQuarter.goal_id.in_([p.goal_id for p in plan])))}
        for p in plan:
            p.row = rows.get(p.goal_id)
    return plan


def _goal_conflicts(plan: list[_GoalPlan]) -> list[Conflict]:
    out = []
    for p in plan:
        current = p.row.achieved if p.row is not None else None
        expected, value = p.change.expected, p.change.value
        if expected != NOT_SEEN and current != expected and current != value:
            out.append(Conflict(p.change.project_key, p.change.goal_key, p.quarter, value, current, expected,
                                p.row.captured_by if p.row is not None else "",
                                p.row.captured_at if p.row is not None else None, kind="meta"))
    return out


def _write_goals(s: Session, actor: CurrentUser, plan: list[_GoalPlan], now: datetime, result: SaveResult,
                 touched: set) -> None:
    from ..db.models import ActivityGoalQuarter

    for p in plan:
        row, value = p.row, p.change.value
        key = f"{p.change.label}/{p.quarter}"
        old = row.achieved if row is not None else None
        if old == value:
            result.unchanged += 1
            continue
        if row is None:
            row = ActivityGoalQuarter(goal_id=p.goal_id, period=p.quarter)
            s.add(row)
        row.achieved, row.captured_by, row.captured_at = value, actor.name, now
        audit.record(s, actor, "avance_meta", key, "alcanzado", old, value,
                     action="borrar" if value is None else "capturar")
        if value is None:
            result.cleared += 1
        else:
            result.saved += 1
        result.periods[p.change.label] = p.quarter
        touched.add((workflow_month(p.quarter), p.agency_id, p.agency_key))


@dataclass
class CaptureGoal:
    """A meta de actividad row of the capture grid for the quarter ending in the month."""
    program_key: str
    agency_key: str | None
    project_key: str
    project_name: str
    key: str
    name: str
    unit: str
    period: str  # quarter id
    annual_target: Decimal | None
    programmed: Decimal | None
    programmed_original: Decimal | None
    achieved: Decimal | None
    workflow_status: str

    @property
    def label(self) -> str:
        return f"{self.project_key}/{self.key}"


def capture_goals(db: Database, period: str, agency_key: str | None = None,
                  program_key: str | None = None) -> list[CaptureGoal]:
    """The metas de actividad captured under ``period`` (a month ending a quarter, or ``YYYY-Tn``) for the
    selection, in program / proyecto / meta order; empty for other months."""
    from ..db.models import ActivityGoal, ActivityGoalQuarter, Project

    try:
        quarter = goal_quarter(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    if quarter is None:
        return []
    year = periods.year_of(quarter)
    month = workflow_month(quarter)
    with db.reading() as s:
        q = (select(Program.key, Agency.key, Program.agency_id, Project.key, Project.name, ActivityGoal.id,
                    ActivityGoal.key, ActivityGoal.name, ActivityGoal.unit, ActivityGoal.annual_target)
             .join(Project, Project.id == ActivityGoal.project_id)
             .join(Program, Program.id == Project.program_id)
             .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
             .outerjoin(Agency, Agency.id == Program.agency_id)
             .where(FiscalYear.year == year)
             .order_by(Program.order, Program.key, Project.order, Project.key, ActivityGoal.order, ActivityGoal.id))
        if agency_key:
            q = q.where(Agency.key == agency_key)
        if program_key:
            q = q.where(Program.key == program_key)
        rows = list(s.execute(q))
        quarters = {r.goal_id: r for r in s.scalars(select(ActivityGoalQuarter).where(
            ActivityGoalQuarter.period == quarter,
            ActivityGoalQuarter.goal_id.in_([r[5] for r in rows])))} if rows else {}
        st = {aid: status for aid, status in s.execute(
            select(PeriodState.agency_id, PeriodState.status).where(PeriodState.period == month))}
    out = []
    for pk, ak, aid, prk, prn, gid, gk, gn, gu, annual in rows:
        qr = quarters.get(gid)
        out.append(CaptureGoal(pk, ak, prk, prn, gk, gn, gu or "", quarter, annual,
                               qr.programmed if qr else None, qr.programmed_original if qr else None,
                               qr.achieved if qr else None, st.get(aid, PeriodStatus.CAPTURANDO.value)))
    return out
