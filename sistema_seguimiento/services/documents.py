"""Read programs from the database as plain documents (core.mir) with a handful of bulk queries.

Used by ``ses mir``, ``ses validar``, progress computation, exports and reports, so that each of them
reads the same way and fast (no per-object lazy loading)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ..core import periods
from ..core.engine import Columns, period_rows
from ..core.exchange import AgencyDoc
from ..core.mir import IndicatorDoc, MeasurementDoc, ObjectiveDoc, ProgramDoc, VariableDoc
from ..core.types import PeriodValues
from ..db.database import fetch_raw
from ..db.models import (Agency, FiscalYear, Indicator, Justification, Measurement, Objective, Organization,
                         Program, Target, Variable)
from .errors import NotFound


@dataclass
class ProgramSet:
    """Programs of one fiscal year plus what is needed to show them."""

    fiscal_year: int
    organization: Organization | None
    agencies: dict[str, AgencyDoc]  # key -> agency
    programs: list[ProgramDoc]
    measurement_status: dict[tuple[str, str], str] = field(default_factory=dict)  # (indicator, period) -> status
    justified: dict[str, set[str]] = field(default_factory=dict)  # indicator key -> periods with justification
    # full reads only: (indicator key, period) -> (causa, efecto, otros motivos, acciones de mejora)
    justification_parts: dict[tuple[str, str], tuple[str, str, str, str]] = field(default_factory=dict)
    # lean reads only: indicator key -> (targets, values) as per-variable columns, variable key -> (period ids,
    # Decimals) in period order (instead of IndicatorDoc.targets and IndicatorDoc.measurements)
    columns: dict[str, tuple[Columns, Columns]] = field(default_factory=dict)
    lean: bool = False

    def columns_of(self, ind: IndicatorDoc) -> tuple[Columns, Columns]:
        """Lean reads: (target columns, value columns) of an indicator (empty when it has none)."""
        return self.columns.get(ind.key, _NO_COLUMNS)

    def engine_inputs(self, ind: IndicatorDoc) -> tuple[PeriodValues, PeriodValues]:
        """(targets, measurements) of an indicator as ``core.engine.compute_indicator`` takes them."""
        if self.lean:
            tcols, vcols = self.columns_of(ind)
            return period_rows(tcols), period_rows(vcols)
        return ind.targets, {m.period: m.values for m in ind.measurements if len(m.values) == len(ind.variables)}


_NO_COLUMNS: tuple[dict, dict] = ({}, {})
_ORDER_THEN_ID_14 = itemgetter(14, 0)  # indicator rows: ("order", id)
_ORDER_THEN_ID_5 = itemgetter(5, 0)  # variable rows: ("order", id)


class _DecimalCache(dict):
    """Text → Decimal with reuse: captured values repeat a lot (0, 100, 1 …) and Decimals are immutable."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


def _columns(rows: list[tuple], owner: dict[int, tuple[dict, str]], decimal: _DecimalCache) -> None:
    """rows (variable id, period ids "a,b,…", value texts "x,y,…") → ``owner[variable id][0][key] = (period ids,
    Decimals)`` in period order (text order, which is the calendar order within one frequency)."""
    owner_get = owner.get
    to_decimal = decimal.__getitem__
    for vid, ps, vs in rows:
        slot = owner_get(vid)
        if slot is None:  # another fiscal year or program
            continue
        ps = ps.split(",")
        vs = vs.split(",")
        if len(ps) > 1 and ps != sorted(ps):  # the database may aggregate in any order
            pairs = sorted(zip(ps, vs))
            ps = [p for p, _ in pairs]
            vs = [v for _, v in pairs]
        cols, key = slot
        cols[key] = (tuple(ps), tuple(map(to_decimal, vs)))


def fiscal_year_of(session: Session, year: int | None) -> FiscalYear:
    q = select(FiscalYear).order_by(FiscalYear.year.desc())
    if year is not None:
        q = select(FiscalYear).where(FiscalYear.year == year)
    fy = session.scalars(q).first()
    if fy is None:
        raise NotFound("La base de datos no tiene ese ejercicio fiscal." if year else
                       "La base de datos está vacía: cargue datos con «ses cargar» o «ses demo».")
    return fy


def read_programs(session: Session, year: int | None = None, program_keys: list[str] | None = None,
                  agency_key: str | None = None, *, with_values: bool = True,
                  value_periods: Collection[str] | None = None, lean: bool = False) -> ProgramSet:
    """Programs of a fiscal year as documents. ``value_periods`` limits the targets and measurements read
    to those period ids (progress at a cut-off needs only the due periods). ``lean`` reads only what the
    calculation needs (no long texts, no ficha prose) — for progress over the whole organization."""
    fy = fiscal_year_of(session, year)
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    agency_id = None
    if agency_key:
        agency_id = next((a.id for a in agencies.values() if agency_key in (a.key, a.acronym)), None)
        if agency_id is None:
            raise NotFound(f"No existe la dependencia «{agency_key}».")
    prog_filter = select(Program.id).where(Program.fiscal_year_id == fy.id)
    if program_keys:
        prog_filter = prog_filter.where(Program.key.in_(program_keys))
    if agency_id is not None:
        prog_filter = prog_filter.where(Program.agency_id == agency_id)
    programs = list(session.scalars(select(Program).where(Program.id.in_(prog_filter))
                                    .order_by(Program.order, Program.key)))
    if program_keys:
        missing = sorted(set(program_keys) - {p.key for p in programs})
        if missing:
            raise NotFound(f"No existe el programa «{', '.join(missing)}» en el ejercicio {fy.year}.")
    docs: dict[int, ProgramDoc] = {}
    for p in programs:
        ag = agencies.get(p.agency_id)
        docs[p.id] = ProgramDoc(key=p.key, modality=p.modality, name=p.name, agency_key=ag.key if ag else None,
                                fiscal_year=fy.year, responsible=p.responsible, problem=p.problem,
                                target_population=p.target_population, alignment=dict(p.alignment_text or {}),
                                preset_key=p.preset_key)
    obj_query = (select(Objective.id, Objective.program_id, Objective.parent_id, Objective.key, Objective.level,
                        Objective.order, *(() if lean else (Objective.text, Objective.assumptions)))
                 .where(Objective.program_id.in_(prog_filter)).order_by(Objective.order, Objective.id))
    obj_rows = fetch_raw(session, obj_query) if lean else session.execute(obj_query).all()
    obj_key: dict[int, str] = {r[0]: r[3] for r in obj_rows}
    obj_doc: dict[int, ObjectiveDoc] = {}
    for oid, pid, parent, key, level, order, *texts in obj_rows:
        o = ObjectiveDoc(key=key, level=level, parent_key=obj_key.get(parent), text=texts[0] if texts else "",
                         assumptions=list(texts[1] or []) if texts else [], order=order)
        obj_doc[oid] = o
        docs[pid].objectives.append(o)
    obj_filter = select(Objective.id).where(Objective.program_id.in_(prog_filter))
    ind_filter = select(Indicator.id).where(Indicator.objective_id.in_(obj_filter))
    var_filter = select(Variable.id).where(Variable.indicator_id.in_(ind_filter))
    ind_by_id: dict[int, IndicatorDoc] = {}
    prog_of_obj = {r[0]: r[1] for r in obj_rows}
    decimal = _DecimalCache()
    whole_year = not program_keys and agency_id is None
    if lean:  # raw tuples: no SQLAlchemy row processing (decimals are converted here)
        c = Indicator
        iq = select(c.id, c.objective_id, c.key, c.name, c.formula_type, c.formula, c.unit, c.type, c.direction,
                    c.frequency, type_coerce(c.annual_target, String), c.preset_key,
                    type_coerce(c.natural_cap, String), c.base_year, c.order)
        if whole_year:  # one sequential scan is faster than an index search per objective plus a sort
            ind_rows = [r for r in fetch_raw(session, iq) if r[1] in obj_doc]  # drops other fiscal years
            ind_rows.sort(key=_ORDER_THEN_ID_14)
        else:
            ind_rows = fetch_raw(session, iq.where(c.objective_id.in_(obj_filter)).order_by(c.order, c.id))
        for (iid, oid, key, name, ftype, formula, unit, itype, direction, frequency, annual, preset, cap,
             base_year, _) in ind_rows:
            ind = IndicatorDoc(key=key, objective_key=obj_key[oid], name=name, formula_type=ftype, formula=formula,
                               unit=unit, type=itype, direction=direction, frequency=frequency,
                               annual_target=None if annual is None else decimal[annual], preset_key=preset,
                               natural_cap=None if cap is None else decimal[cap], base_year=base_year)
            ind_by_id[iid] = ind
            obj_doc[oid].indicator_keys.append(key)
            docs[prog_of_obj[oid]].indicators.append(ind)
        ind_rows = []
    else:
        ind_rows = session.execute(select(Indicator.__table__).where(Indicator.objective_id.in_(obj_filter))
                                   .order_by(Indicator.order, Indicator.id)).all()
    for row in ind_rows:
        r = row._mapping
        ind = IndicatorDoc(
            key=r["key"], objective_key=obj_key[r["objective_id"]], name=r["name"], definition=r["definition"],
            formula_type=r["formula_type"], formula=r["formula"], unit=r["unit"], type=r["type"],
            dimension=r["dimension"], direction=r["direction"], frequency=r["frequency"],
            reporting_mode=r["reporting_mode"], baseline_value=r["baseline_value"], baseline_year=r["baseline_year"],
            baseline_period=r["baseline_period"], baseline_note=r["baseline_note"],
            baseline_unavailable=r["baseline_unavailable"], annual_target=r["annual_target"],
            annual_target_original=r["annual_target_original"],
            verification_sources=list(r["verification_sources"] or []), preset_key=r["preset_key"],
            disaggregation=r["disaggregation"], geographic_coverage=r["geographic_coverage"],
            data_availability=r["data_availability"], measurement_owner=r["measurement_owner"],
            benchmark=r["benchmark"], interpretation=r["interpretation"], notes=r["notes"],
            created_on=r["created_on"], version=r["version"], natural_cap=r["natural_cap"], base_year=r["base_year"])
        ind_by_id[r["id"]] = ind
        obj_doc[r["objective_id"]].indicator_keys.append(ind.key)
        docs[prog_of_obj[r["objective_id"]]].indicators.append(ind)
    vq = select(Variable.id, Variable.indicator_id, Variable.key, Variable.role, Variable.accumulation, Variable.order,
                *(() if lean else (Variable.name, Variable.description, Variable.unit, Variable.source)))
    if whole_year:  # as for indicators: scan, keep this year's, sort here
        var_rows = [r for r in fetch_raw(session, vq) if r[1] in ind_by_id]
        var_rows.sort(key=_ORDER_THEN_ID_5)
    else:
        var_rows = fetch_raw(session, vq.where(Variable.indicator_id.in_(ind_filter))
                             .order_by(Variable.order, Variable.id))
    var_owner: dict[int, tuple[IndicatorDoc, str]] = {}
    for vid, iid, key, role, acc, _, *texts in var_rows:
        ind = ind_by_id[iid]
        if texts:
            ind.variables.append(VariableDoc(key=key, name=texts[0], description=texts[1], unit=texts[2],
                                             source=texts[3], role=role, accumulation=acc))
        else:
            ind.variables.append(VariableDoc(key=key, role=role, accumulation=acc))
        var_owner[vid] = (ind, key)
    result = ProgramSet(fiscal_year=fy.year, organization=session.scalars(select(Organization)).first(),
                        agencies={a.key: AgencyDoc(key=a.key, acronym=a.acronym, name=a.name, head=a.head)
                                  for a in agencies.values()},
                        programs=[docs[p.id] for p in programs], lean=lean)
    if not with_values or not var_owner:
        return result

    def value_query(model, *extra):
        q = select(model.variable_id, model.period, type_coerce(model.value, String), *extra)
        if not whole_year:
            q = q.where(model.variable_id.in_(var_filter))
        # no ORDER BY in SQL: a plain scan is the fastest read (rows are stored per indicator); the order is
        # checked (and restored) here — within one frequency the text order of period ids is the calendar order
        return q

    wanted = frozenset(value_periods) if value_periods is not None else None
    owner_get = var_owner.get

    def grouped(rows, slots: dict[int, tuple[dict, str]]) -> None:
        """rows (variable id, period, text) → slots[variable id] = (period → {variable key: Decimal}, key)."""
        slot_get = slots.get
        if wanted is None:
            for vid, period, value in rows:
                slot = slot_get(vid)
                if slot is None:  # another fiscal year
                    continue
                per, key = slot
                row = per.get(period)
                if row is None:
                    row = per[period] = {}
                row[key] = decimal[value]
            return
        for vid, period, value in rows:
            if period not in wanted:  # not due at the cut-off
                continue
            slot = slot_get(vid)
            if slot is None:
                continue
            per, key = slot
            row = per.get(period)
            if row is None:
                row = per[period] = {}
            row[key] = decimal[value]

    if lean:
        # per-variable columns (no statuses, no per-period dicts): what core.engine.summarize_indicator reads
        columns = result.columns
        t_owner, v_owner = {}, {}
        for vid, (ind, key) in var_owner.items():
            pair = columns.get(ind.key)
            if pair is None:
                pair = columns[ind.key] = ({}, {})
            t_owner[vid] = (pair[0], key)
            v_owner[vid] = (pair[1], key)
        for model, owner in ((Target, t_owner), (Measurement, v_owner)):
            # one row per variable with its periods and values joined by commas (neither contains one): the
            # database groups, and Python splits strings instead of building a tuple per value
            q = select(model.variable_id, func.aggregate_strings(model.period, ","),
                       func.aggregate_strings(type_coerce(model.value, String), ",")).group_by(model.variable_id)
            if not whole_year:
                q = q.where(model.variable_id.in_(var_filter))
            if wanted is not None:
                q = q.where(model.period.in_(sorted(wanted)))
            _columns(fetch_raw(session, q), owner, decimal)
    else:
        grouped(fetch_raw(session, value_query(Target)),
                {vid: (ind.targets, key) for vid, (ind, key) in var_owner.items()})
        per_ind: dict[int, dict[str, MeasurementDoc]] = defaultdict(dict)
        status = result.measurement_status
        for vid, period, value, st in fetch_raw(session, value_query(Measurement, Measurement.status)):
            owner = owner_get(vid)
            if owner is None or (wanted is not None and period not in wanted):
                continue
            ind, key = owner
            bucket = per_ind[id(ind)]
            m = bucket.get(period)
            if m is None:
                m = bucket[period] = MeasurementDoc(period=period, values={}, status=st)
                ind.measurements.append(m)
                status[(ind.key, period)] = st
            m.values[key] = decimal[value]
    for ind in ind_by_id.values():  # a variable without some period can break the order: restore it
        if len(ind.targets) > 1 and list(ind.targets) != sorted(ind.targets):
            ind.targets = dict(sorted(ind.targets.items()))
        if len(ind.measurements) > 1:
            ind.measurements.sort(key=lambda m: m.period)
    key_of = {iid: ind.key for iid, ind in ind_by_id.items()}
    jq = select(Justification.indicator_id, Justification.period,
                *(() if lean else (Justification.cause, Justification.effect, Justification.other_reasons,
                                   Justification.improvement_actions)))
    if not whole_year:
        jq = jq.where(Justification.indicator_id.in_(ind_filter))
    from .tarjeta import complete_clause  # under the tarjeta profile only a complete tarjeta counts

    counts = complete_clause(session)
    if counts is not None:
        jq = jq.add_columns(case((counts, 1), else_=0))
    justified = result.justified
    for iid, period, *texts in fetch_raw(session, jq):
        key = key_of.get(iid)
        if key is None:
            continue
        if counts is not None:
            if not texts.pop():
                if not lean:  # an incomplete tarjeta: its text is shown, the period is not justified
                    result.justification_parts[(key, period)] = tuple(x or "" for x in texts)
                continue
        periods_of = justified.get(key)
        if periods_of is None:
            periods_of = justified[key] = set()
        periods_of.add(period)
        if lean:
            continue
        cause, effect, other, actions = texts
        result.justification_parts[(key, period)] = (cause or "", effect or "", other or "", actions or "")
        for m in ind_by_id[iid].measurements:
            if m.period == period:
                m.justification = " ".join(x for x in (cause, effect, other, actions) if x)
    return result
