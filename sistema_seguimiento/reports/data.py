"""Content of the *Informe mensual de avance*: everything the printed report shows, assembled from the
services (``read_programs`` + ``rows_for`` — the engine's results, never recomputed here) plus a few small
read-only queries (budget, Plan de Gobierno, justifications, signatures). No Qt.

DOMAIN.md §j "What officials print each month"."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

from sqlalchemy import case, select

from ..core import periods
from ..core.plan_name import plan_name
from ..core.semaforo import BUILTIN_PRESETS, OVERACHIEVEMENT_FLAGS, describe_preset
from ..core.types import NO_APLICA, Light
from ..db.database import Database
from ..db.models import Budget, Indicator, Justification, PlanElement, Program, FiscalYear
from ..services.documents import read_programs
from ..services.errors import ServiceError
from ..services.mir_view import mir_order
from ..services.perf import no_gc
from ..services.progress import ProgressRow, monthly_states, presets_by_key, rows_for

TEXT = {
    "no_eje": "Sin alineación al {plan}",
    "placeholder_name": "Nombre y cargo",
    "elaboro": "Elaboró",
    "reviso": "Revisó",
    "autorizo": "Autorizó",
    "no_programs": "No hay programas en el alcance seleccionado para {periodo}.",
    "scope_all": "Toda la organización",
    "scope_agency": "Dependencia: {name}",
    "scope_program": "Programa: {key} {name}",
}

#: the display states counted everywhere: the four lights, «Sin dato» (gris) apart from «No aplica al corte»
LIGHTS = [Light.VERDE.value, Light.AMARILLO.value, Light.ROJO.value, Light.GRIS.value, NO_APLICA]
UNCOLOURED = (Light.GRIS.value, NO_APLICA)


@dataclass
class Signature:
    role: str  # "Elaboró" …
    name: str
    title: str
    missing: bool = False  # no name in Configuración: the box prints a placeholder


@dataclass
class BudgetFigures:
    approved: Decimal | None = None
    modified: Decimal | None = None
    exercised: Decimal | None = None

    @property
    def exercised_pct(self) -> Decimal | None:
        base = self.modified if self.modified else self.approved
        if self.exercised is None or not base:
            return None
        return self.exercised * 100 / base


@dataclass
class JustificationEntry:
    row: ProgressRow
    period: str | None
    cause: str = ""
    effect: str = ""
    other: str = ""
    actions: str = ""

    @property
    def missing(self) -> bool:
        return not (self.cause or self.effect or self.other or self.actions)


@dataclass
class ProgramSection:
    key: str
    name: str
    modality: str
    agency_key: str | None
    agency_name: str
    responsible: str
    alignment: dict
    eje: str
    rows: list[ProgressRow]
    budget: BudgetFigures | None
    counts: dict[str, int]
    docs: dict = field(default_factory=dict)  # indicator key -> IndicatorDoc (fórmula, línea base, metas)


@dataclass
class GroupSummary:
    """Semáforo counts of a dependencia or an eje."""

    key: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in LIGHTS})
    programs: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def coloured(self) -> int:
        return self.total - sum(self.counts.get(k, 0) for k in UNCOLOURED)

    def share(self, light: str) -> Decimal | None:
        """Share of the indicators with this colour, over all indicators of the group."""
        return None if not self.total else Decimal(self.counts.get(light, 0)) * 100 / self.total

    @property
    def green_share_of_coloured(self) -> Decimal | None:
        return None if not self.coloured else Decimal(self.counts[Light.VERDE.value]) * 100 / self.coloured


@dataclass
class ReportData:
    month: str
    month_label: str
    fiscal_year: int
    cutoff: date
    org_name: str
    org_state: str
    administration: str
    org_kind: str
    logo: bytes | None
    scope_label: str
    agencies: list[GroupSummary]
    total: GroupSummary
    ejes: list[GroupSummary]
    sections: list[ProgramSection]
    justifications: list[JustificationEntry]
    signatures: list[Signature]
    presets_used: list[tuple[str, str, str, str]]  # (key, name, descending formula text, ranges in words)
    flags_used: list[str]
    due_captures: int
    done_captures: int
    red_rows: list[ProgressRow]
    over_rows: list[ProgressRow]
    validated_captures: int = 0
    include_charts: bool = True
    overachievement_color: str = ""  # the state profile's colour for results above the band (issue 16)
    executive_only: bool = False
    cumulative_series: dict[str, list[tuple[str, Decimal | None, Decimal | None]]] = field(default_factory=dict)
    issuing_unit: str = ""  # Configuración: unidad que emite el informe (settings «unidad_emisora»)
    plan_name: str = "Plan de Gobierno"  # Configuración: the plan's name (core.plan_name)

    @property
    def missing_signatures(self) -> list[str]:
        """Roles (Elaboró, Revisó, Autorizó) whose name is empty in Configuración."""
        return [s.role for s in self.signatures if s.missing]

    @property
    def rows(self) -> list[ProgressRow]:
        return [r for s in self.sections for r in s.rows]


def _counts(rows) -> dict[str, int]:
    c = {k: 0 for k in LIGHTS}
    for r in rows:
        st = r.state
        c[st if st in c else Light.GRIS.value] += 1
    return c


def read_budget(session, year: int, month: str, program_keys: list[str]) -> dict[str, BudgetFigures]:
    """Budget per program at the cut-off (read-only). Rows of table ``budget`` are per period: monthly rows
    up to the cut-off month are used (approved/modified: the latest figure; exercised: the sum of the monthly
    exercised amounts); a program with only annual/quarterly rows uses its latest row up to the cut-off."""
    if not program_keys:
        return {}
    cutoff = periods.month_cutoff(month)
    q = (select(Program.key, Budget.period, Budget.approved, Budget.modified, Budget.exercised)
         .join(Budget, Budget.program_id == Program.id).join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
         .where(FiscalYear.year == year))
    by_prog: dict[str, list] = defaultdict(list)
    wanted = set(program_keys)
    for key, period, ap, mo, ex in session.execute(q):
        if key not in wanted:
            continue
        try:
            if periods.start_date(period) > cutoff:
                continue
            sk = periods.sort_key(period)
            monthly = periods.parse(period)[1] == periods.parse(period)[2]
        except Exception:  # noqa: BLE001 - a malformed period is ignored, not printed
            continue
        by_prog[key].append((sk, monthly, ap, mo, ex))
    out: dict[str, BudgetFigures] = {}
    for key, items in by_prog.items():
        items.sort(key=lambda t: t[0])
        monthly = [t for t in items if t[1]]
        use = monthly or items
        fig = BudgetFigures()
        for _sk, _m, ap, mo, ex in use:
            if ap is not None:
                fig.approved = ap
            if mo is not None:
                fig.modified = mo
        if monthly:
            ex_vals = [t[4] for t in monthly if t[4] is not None]
            fig.exercised = sum(ex_vals, Decimal(0)) if ex_vals else None
        else:
            fig.exercised = next((t[4] for t in reversed(use) if t[4] is not None), None)
        out[key] = fig
    return out


def _eje_of_programs(session, year: int, program_keys: list[str], no_eje: str) -> dict[str, str]:
    """Eje of the plan per program: the linked plan element's eje, else the received text, else ``no_eje``."""
    elems = {e.id: e for e in session.scalars(select(PlanElement))}
    q = (select(Program.key, Program.plan_element_id, Program.alignment_text)
         .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id).where(FiscalYear.year == year))
    wanted = set(program_keys)
    out = {}
    for key, pe_id, align in session.execute(q):
        if key not in wanted:
            continue
        name = ""
        e = elems.get(pe_id)
        while e is not None:
            if e.kind == "eje":
                # «Eje 3. Servicios públicos de calidad», as the plan and the programs' alignment write it
                name = (f"Eje {e.code}. {e.text}" if e.code and not e.text.lower().startswith(("eje", e.code.lower()))
                        else e.text)
                break
            e = elems.get(e.parent_id)
        if not name:
            name = str((align or {}).get("eje") or "").strip()
        out[key] = name or no_eje
    return out


def _justifications(session, rows: list[ProgressRow], cutoff: date) -> list[JustificationEntry]:
    wanted = [r for r in rows if r.light in (Light.AMARILLO.value, Light.ROJO.value) or r.needs_justification
              or any(f in OVERACHIEVEMENT_FLAGS for f in r.flags)]
    if not wanted:
        return []
    keys = [r.indicator_key for r in wanted]
    found: dict[str, list] = defaultdict(list)
    for start in range(0, len(keys), 20_000):
        part = keys[start:start + 20_000]
        q = (select(Indicator.key, Justification.period, Justification.cause, Justification.effect,
                    Justification.other_reasons, Justification.improvement_actions)
             .join(Justification, Justification.indicator_id == Indicator.id).where(Indicator.key.in_(part)))
        for key, period, *texts in session.execute(q):
            try:
                if periods.end_date(period) > cutoff:
                    continue
                sk = periods.sort_key(period)
            except Exception:  # noqa: BLE001
                continue
            found[key].append((sk, period, texts))
    out = []
    for r in wanted:
        items = sorted(found.get(r.indicator_key, []), key=lambda t: t[0])
        # the justification of the row's own period if there is one, else the latest one up to the cut-off
        pick = next((t for t in items if t[1] == r.period), None) or (items[-1] if items else None)
        if pick is None:
            out.append(JustificationEntry(row=r, period=r.period))
        else:
            c, e, o, a = (x or "" for x in pick[2])
            out.append(JustificationEntry(row=r, period=pick[1], cause=c, effect=e, other=o, actions=a))
    return out


def _validated_captures(session, keys: set[str] | None, cutoff: date) -> int:
    """Indicator-periods up to the cut-off whose captured values are all «validado» (read-only; counted by the
    database). ``keys`` None: every indicator of the database's programs."""
    from sqlalchemy import func

    from ..db.models import Measurement, Variable

    due = [p for p in periods.due_periods(cutoff)] if hasattr(periods, "due_periods") else None
    all_valid = func.min(case((Measurement.status == "validado", 1), else_=0))
    total = 0
    key_list = sorted(keys) if keys is not None else [None]
    for start in range(0, len(key_list), 20_000):
        q = (select(Variable.indicator_id, Measurement.period)
             .join(Measurement, Measurement.variable_id == Variable.id)
             .group_by(Variable.indicator_id, Measurement.period).having(all_valid == 1))
        if due is not None:
            q = q.where(Measurement.period.in_(due))
        if keys is not None:
            part = key_list[start:start + 20_000]
            q = q.where(Variable.indicator_id.in_(select(Indicator.id).where(Indicator.key.in_(part))))
        total += session.execute(select(func.count()).select_from(q.subquery())).scalar() or 0
    return total


def _fill_ficha_figures(session, pset) -> None:
    """Línea base (with its year) and the approved annual target of the indicators of a lean read, for the
    program tables (read-only)."""
    docs = {ind.key: ind for p in pset.programs for ind in p.indicators}
    keys = sorted(docs)
    for start in range(0, len(keys), 20_000):
        q = select(Indicator.key, Indicator.baseline_value, Indicator.baseline_year,
                   Indicator.annual_target_original).where(Indicator.key.in_(keys[start:start + 20_000]))
        for key, value, year, original in session.execute(q):
            ind = docs.get(key)
            if ind is not None:
                ind.baseline_value = None if value is None else Decimal(str(value))
                ind.baseline_year = year
                ind.annual_target_original = None if original is None else Decimal(str(original))


def _signatures(settings: dict | None) -> list[Signature]:
    settings = settings or {}
    out = []
    for key, role in (("firma_elaboro", TEXT["elaboro"]), ("firma_reviso", TEXT["reviso"]),
                      ("firma_autorizo", TEXT["autorizo"])):
        v = settings.get(key) or {}
        if isinstance(v, str):
            v = {"nombre": v}
        name = str(v.get("nombre") or "").strip()
        title = str(v.get("cargo") or "").strip()
        out.append(Signature(role=role, name=name or TEXT["placeholder_name"], title=title if name else "",
                             missing=not name))
    return out


def build_report(db: Database, month: str, *, agency_key: str | None = None, program_key: str | None = None,
                 include_charts: bool = True, executive_only: bool = False,
                 progress: Callable[[int, str], None] | None = None) -> ReportData:
    """Assemble the report content. ``progress(percent, message)`` may raise to cancel."""
    def step(p: int, msg: str) -> None:
        if progress:
            progress(p, msg)

    try:
        cutoff = periods.month_cutoff(month)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    year = periods.year_of(month)
    step(2, "Leyendo programas…")
    with db.reading() as session:
        due = periods.due_periods(cutoff) if hasattr(periods, "due_periods") else None
        kw = {"value_periods": due, "lean": True} if due is not None else {}
        pset = read_programs(session, year, [program_key] if program_key else None, agency_key, **kw)
        presets = presets_by_key(session)
        from ..services.profiles import current as current_profile

        over_colour = current_profile(session).overachievement_color  # issue 16: the state profile's colour
        org = pset.organization
        org_name = org.name if org else ""
        org_state = org.state_name if org else ""
        org_kind = (org.kind if org else "") or "municipio"
        administration = org.administration if org else ""
        logo = bytes(org.logo) if org is not None and org.logo else None
        settings = dict(org.settings or {}) if org is not None else {}
        plan = plan_name(settings, org.kind if org is not None else None)
        no_eje = TEXT["no_eje"].format(plan=plan)
        pkeys = [p.key for p in pset.programs]
        budgets = {} if executive_only else read_budget(session, year, month, pkeys)
        ejes = _eje_of_programs(session, year, pkeys, no_eje)
        if not executive_only:
            _fill_ficha_figures(session, pset)
    if not pset.programs:
        raise ServiceError(TEXT["no_programs"].format(periodo=periods.label(month)))
    step(15, "Calculando avance…")
    # program tables show each indicator's latest due own period (a quarter in October): detail results
    rows = rows_for(pset, presets, month, detail=not executive_only)
    by_prog: dict[str, list[ProgressRow]] = defaultdict(list)
    for r in rows:
        by_prog[r.program_key].append(r)
    step(35, "Organizando secciones…")
    sections: list[ProgramSection] = []
    agencies: dict[str, GroupSummary] = {}
    eje_groups: dict[str, GroupSummary] = {}
    total = GroupSummary(key="", name="Total")
    for prog in pset.programs:
        prow = by_prog.get(prog.key, [])
        order = {}
        for i, o in enumerate(mir_order(prog)):
            order[o.key] = i
        pos = {ind.key: i for i, ind in enumerate(prog.indicators)}
        prow.sort(key=lambda r: (order.get(r.objective_key, 10_000), pos.get(r.indicator_key, 0)))
        ag = pset.agencies.get(prog.agency_key or "")
        counts = _counts(prow)
        eje = ejes.get(prog.key, no_eje)
        sections.append(ProgramSection(
            key=prog.key, name=prog.name, modality=prog.modality, agency_key=prog.agency_key,
            agency_name=ag.name if ag else "", responsible=prog.responsible, alignment=prog.alignment, eje=eje,
            rows=prow, budget=budgets.get(prog.key), counts=counts,
            docs={ind.key: ind for ind in prog.indicators}))
        akey = prog.agency_key or ""
        g = agencies.get(akey)
        if g is None:
            g = agencies[akey] = GroupSummary(key=akey, name=(ag.acronym or ag.name) if ag else "Sin dependencia")
            g.full_name = ag.name if ag else ""  # type: ignore[attr-defined]
        e = eje_groups.setdefault(eje, GroupSummary(key=eje, name=eje))
        for grp in (g, e, total):
            grp.programs += 1
            for k, v in counts.items():
                grp.counts[k] += v
    step(45, "Justificaciones…")
    with db.reading() as session:
        justs = [] if executive_only else _justifications(session, rows, cutoff)
    used = sorted({r.preset_key for r in rows if r.preset_key})
    presets_used = []
    for k in used:
        p = presets.get(k) or BUILTIN_PRESETS.get(k)
        method = str(p.descending_method) if p else "lineal"
        formula = ("lineal: ((2 × meta − realizado) / meta) × 100" if method == "lineal"
                   else "inversa: (meta / realizado) × 100")
        try:
            words = describe_preset(p) if p else ""
        except Exception:  # noqa: BLE001 - a deviation preset without thresholds for «gestión»
            words = ""
        presets_used.append((k, p.name if p else k, formula, words))
    flags = sorted({f for r in rows for f in r.flags})
    due = sum(len(r.result.cumulative.due_periods) for r in rows if r.result is not None)
    done = sum(len(r.result.cumulative.captured_periods) for r in rows if r.result is not None)
    scope = TEXT["scope_all"]
    if program_key and pset.programs:
        scope = TEXT["scope_program"].format(key=pset.programs[0].key, name=pset.programs[0].name)
    elif agency_key:
        ag = next((a for a in pset.agencies.values() if agency_key in (a.key, a.acronym)), None)
        scope = TEXT["scope_agency"].format(name=ag.name if ag else agency_key)
    data = ReportData(
        overachievement_color=over_colour,
        month=month, month_label=periods.label(month), fiscal_year=year, cutoff=cutoff, org_name=org_name,
        org_state=org_state, org_kind=org_kind, administration=administration, logo=logo, scope_label=scope,
        agencies=sorted(agencies.values(), key=lambda g: g.key), total=total,
        ejes=sorted(eje_groups.values(), key=lambda g: (g.key == no_eje, g.key)), sections=sections,
        justifications=justs, signatures=_signatures(settings), presets_used=presets_used, flags_used=flags,
        due_captures=due, done_captures=done,
        red_rows=[r for r in rows if r.light == Light.ROJO.value],
        over_rows=[r for r in rows if any(f in OVERACHIEVEMENT_FLAGS for f in r.flags)],
        include_charts=include_charts, executive_only=executive_only,
        issuing_unit=str(settings.get("unidad_emisora") or "").strip(), plan_name=plan)
    with db.reading() as session:
        whole = not agency_key and not program_key
        data.validated_captures = _validated_captures(session, None if whole else {r.indicator_key for r in rows},
                                                      cutoff)
    if include_charts and not executive_only:
        step(50, "Series acumuladas para las gráficas…")
        data.cumulative_series = cumulative_series(pset, presets, month, rows, progress=step)
    return data


def cumulative_series(pset, presets, month: str, rows: list[ProgressRow] | None = None,
                      progress=None) -> dict[str, list]:
    """Per indicator, the engine's cumulative value and target at the end of each of its due periods:
    ``{key: [(period, cumulative_value, cumulative_target), …]}``. The engine is run (``detail=False``) at
    each earlier period end of the indicator; the last point is the report's own row (same cut-off result)."""
    from ..core.engine import compute_indicator
    from ..services.progress import resolve_preset

    year = periods.year_of(month)
    cutoff = periods.month_cutoff(month)
    org_key = pset.organization.preset_key if pset.organization else None
    by_key = {r.indicator_key: r for r in rows or []}
    series: dict[str, list] = {}
    total = sum(len(p.indicators) for p in pset.programs) or 1
    done = 0
    for prog in pset.programs:
        for ind in prog.indicators:
            done += 1
            if progress and done % 200 == 0:
                progress(50 + int(12 * done / total), "Series acumuladas para las gráficas…")
            row = by_key.get(ind.key)
            due = list(row.result.cumulative.due_periods) if row is not None and row.result is not None else []
            if not due:
                continue
            preset = resolve_preset(presets, org_key, prog, ind)
            justified = pset.justified.get(ind.key, set())
            targets, values = pset.engine_inputs(ind)
            try:
                spec = ind.spec()
            except ValueError:
                continue
            points = []
            for per in due[:-1]:
                end = periods.end_date(per)
                if end >= cutoff:
                    break
                res = compute_indicator(spec, targets, values, end, preset, fiscal_year=year,
                                        report_month=periods.month_id(end.year, end.month),
                                        justified_periods=justified, detail=False)
                points.append((per, res.cumulative.value, res.cumulative.target))
            points.append((due[-1], row.cumulative_value, row.cumulative_target))
            series[ind.key] = points
    return series


@dataclass
class DashboardData:
    month: str
    agencies: list[tuple[str, str, str, dict[str, int]]]  # (key, acronym, name, counts)
    total: dict[str, int]
    behind: list[ProgressRow]  # rojo, then amarillo, then verde below 100 %; lowest % de avance first in each
    trend: dict[str, list[tuple[str, Decimal | None, dict[str, int]]]]  # agency key ("" = all) -> per month
    # the read behind the figures, kept for the trend's own phase (one read per dashboard refresh)
    source: tuple | None = field(default=None, repr=False, compare=False)


def _read_for_dashboard(db: Database, month: str):
    cutoff = periods.month_cutoff(month)
    year = periods.year_of(month)
    with no_gc(), db.reading() as session:  # as compute_progress: a burst of small objects (see services.perf)
        kw = {"value_periods": periods.due_periods(cutoff), "lean": True} if hasattr(periods, "due_periods") else {}
        pset = read_programs(session, year, **kw)
        presets = presets_by_key(session)
    return pset, presets


def dashboard_summary(db: Database, month: str, *, behind_limit: int = 15, with_trend: bool = True,
                      progress: Callable[[int, str], None] | None = None) -> DashboardData:
    """What the home page shows: semáforo counts per dependencia at ``month`` and the indicators most behind;
    with ``with_trend`` also the monthly trend per dependencia (see :func:`dashboard_trend`)."""
    pset, presets = _read_for_dashboard(db, month)
    if progress:
        progress(10, f"Calculando {periods.label(month)}…")
    with no_gc():
        rows = rows_for(pset, presets, month, detail=False)
    by_agency: dict[str, list] = defaultdict(list)
    for r in rows:
        by_agency[r.agency_key or ""].append(r)
    agencies = []
    for key in sorted(by_agency):
        a = pset.agencies.get(key)
        agencies.append((key, (a.acronym if a else "") or key or "—", a.name if a else "Sin dependencia",
                         _counts(by_agency[key])))
    # rojo first (including a sobrecumplimiento in rojo), then amarillo, then verde below 100 %: the headline's
    # rojo and amarillo counts are the first rows of the list
    rank = {Light.ROJO.value: 0, Light.AMARILLO.value: 1, Light.VERDE.value: 2}
    cand = [r for r in rows if r.progress_pct is not None and r.light in rank and
            (r.light != Light.VERDE.value or r.progress_pct < 100)]
    cand.sort(key=lambda r: (rank[r.light], r.progress_pct))
    data = DashboardData(month=month, agencies=agencies, total=_counts(rows), behind=cand[:behind_limit], trend={})
    if with_trend:
        data.trend = dashboard_trend(db, month, progress=progress, _read=(pset, presets))
    else:
        data.source = (pset, presets)
    return data


def dashboard_trend(db: Database, month: str, progress: Callable[[int, str], None] | None = None, *,
                    _read=None) -> dict[str, list]:
    """Per dependencia ("" = all), for each month from January to ``month``: (month, share of the coloured
    indicators in verde, counts per colour) — the states of ``compute_progress`` at each month-end, from one
    read (``_read``: the dashboard's own, else read here) and one engine pass per indicator
    (:func:`services.progress.monthly_states`)."""
    year, last, _ = periods.parse(month)
    pset, presets = _read or _read_for_dashboard(db, month)
    months = [periods.month_id(year, m) for m in range(1, last + 1)]
    if progress:
        progress(0, "Tendencia…")
    trend: dict[str, list] = defaultdict(list)
    green, grey = Light.VERDE.value, Light.GRIS.value
    for m, states in zip(months, monthly_states(pset, presets, months, progress=progress)):
        per_agency: dict[str, dict[str, int]] = {}
        whole = {k: 0 for k in LIGHTS}
        for (agency, st), n in Counter(states).items():  # counted in C: 17,600 indicators at estado scale
            c = per_agency.get(agency or "")
            if c is None:
                c = per_agency[agency or ""] = {k: 0 for k in LIGHTS}
            st = st if st in whole else grey
            c[st] += n
            whole[st] += n
        per_agency.pop("", None)  # programs without a dependencia count in the whole ("" = all)
        for key, c in list(per_agency.items()) + [("", whole)]:
            coloured = sum(c.values()) - c[grey] - c[NO_APLICA]
            share = Decimal(c[green]) * 100 / coloured if coloured else None
            trend[key].append((m, share, c))
    return dict(trend)
