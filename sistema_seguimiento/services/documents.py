"""Read programs from the database as plain documents (core.mir) with a handful of bulk queries.

Used by ``ses mir``, ``ses validar``, progress computation, exports and reports, so that each of them
reads the same way and fast (no per-object lazy loading)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import periods
from ..core.exchange import AgencyDoc
from ..core.mir import IndicatorDoc, MeasurementDoc, ObjectiveDoc, ProgramDoc, VariableDoc
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
                  agency_key: str | None = None, *, with_values: bool = True) -> ProgramSet:
    fy = fiscal_year_of(session, year)
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    agency_id = None
    if agency_key:
        agency_id = next((a.id for a in agencies.values() if agency_key in (a.key, a.acronym)), None)
        if agency_id is None:
            raise NotFound(f"No existe la dependencia «{agency_key}».")
    q = select(Program).where(Program.fiscal_year_id == fy.id).order_by(Program.order, Program.key)
    if program_keys:
        q = q.where(Program.key.in_(program_keys))
    if agency_id is not None:
        q = q.where(Program.agency_id == agency_id)
    programs = list(session.scalars(q))
    if program_keys:
        missing = sorted(set(program_keys) - {p.key for p in programs})
        if missing:
            raise NotFound(f"No existe el programa «{', '.join(missing)}» en el ejercicio {fy.year}.")
    pids = [p.id for p in programs]
    docs: dict[int, ProgramDoc] = {}
    for p in programs:
        ag = agencies.get(p.agency_id)
        docs[p.id] = ProgramDoc(key=p.key, modality=p.modality, name=p.name, agency_key=ag.key if ag else None,
                                fiscal_year=fy.year, responsible=p.responsible, problem=p.problem,
                                target_population=p.target_population, alignment=dict(p.alignment_text or {}),
                                preset_key=p.preset_key)
    obj_rows = _chunked(session, select(Objective.id, Objective.program_id, Objective.parent_id, Objective.key,
                                        Objective.level, Objective.text, Objective.assumptions, Objective.order),
                        Objective.program_id, pids, order=(Objective.order, Objective.id))
    obj_key: dict[int, str] = {r[0]: r[3] for r in obj_rows}
    obj_doc: dict[int, ObjectiveDoc] = {}
    for oid, pid, parent, key, level, text, assumptions, order in obj_rows:
        o = ObjectiveDoc(key=key, level=level, parent_key=obj_key.get(parent), text=text,
                         assumptions=list(assumptions or []), order=order)
        obj_doc[oid] = o
        docs[pid].objectives.append(o)
    cols = [c for c in Indicator.__table__.c]
    ind_rows = _chunked(session, select(*cols), Indicator.objective_id, list(obj_doc), order=(Indicator.order, Indicator.id))
    ind_by_id: dict[int, IndicatorDoc] = {}
    prog_of_obj = {r[0]: r[1] for r in obj_rows}
    for row in ind_rows:
        r = row._mapping
        ind = IndicatorDoc(
            key=r["key"], objective_key=obj_key[r["objective_id"]], name=r["name"], definition=r["definition"],
            formula_type=r["formula_type"], formula=r["formula"], unit=r["unit"], type=r["type"],
            dimension=r["dimension"], direction=r["direction"], frequency=r["frequency"],
            reporting_mode=r["reporting_mode"], baseline_value=r["baseline_value"], baseline_year=r["baseline_year"],
            baseline_period=r["baseline_period"], baseline_note=r["baseline_note"],
            baseline_unavailable=r["baseline_unavailable"], annual_target=r["annual_target"], annual_target_original=r["annual_target_original"],
            verification_sources=list(r["verification_sources"] or []), preset_key=r["preset_key"],
            disaggregation=r["disaggregation"], geographic_coverage=r["geographic_coverage"],
            data_availability=r["data_availability"], measurement_owner=r["measurement_owner"],
            benchmark=r["benchmark"], interpretation=r["interpretation"], notes=r["notes"],
            created_on=r["created_on"], version=r["version"], natural_cap=r["natural_cap"], base_year=r["base_year"])
        ind_by_id[r["id"]] = ind
        obj_doc[r["objective_id"]].indicator_keys.append(ind.key)
        docs[prog_of_obj[r["objective_id"]]].indicators.append(ind)
    var_rows = _chunked(session, select(Variable.id, Variable.indicator_id, Variable.key, Variable.name,
                                        Variable.description, Variable.unit, Variable.source, Variable.role,
                                        Variable.accumulation),
                        Variable.indicator_id, list(ind_by_id), order=(Variable.order, Variable.id))
    var_owner: dict[int, tuple[IndicatorDoc, str]] = {}
    for vid, iid, key, name, desc, unit, source, role, acc in var_rows:
        ind = ind_by_id[iid]
        ind.variables.append(VariableDoc(key=key, name=name, description=desc, unit=unit, source=source, role=role,
                                         accumulation=acc))
        var_owner[vid] = (ind, key)
    result = ProgramSet(fiscal_year=fy.year, organization=session.scalars(select(Organization)).first(),
                        agencies={a.key: AgencyDoc(key=a.key, acronym=a.acronym, name=a.name, head=a.head)
                                  for a in agencies.values()},
                        programs=[docs[p.id] for p in programs])
    if not with_values or not var_owner:
        return result
    vids = list(var_owner)
    for vid, period, value in _chunked(session, select(Target.variable_id, Target.period, Target.value),
                                       Target.variable_id, vids):
        ind, key = var_owner[vid]
        ind.targets.setdefault(period, {})[key] = value
    per_ind: dict[int, dict[str, MeasurementDoc]] = defaultdict(dict)
    status = result.measurement_status
    for vid, period, value, st in _chunked(session, select(Measurement.variable_id, Measurement.period,
                                                           Measurement.value, Measurement.status),
                                           Measurement.variable_id, vids):
        ind, key = var_owner[vid]
        m = per_ind[id(ind)].get(period)
        if m is None:
            m = per_ind[id(ind)][period] = MeasurementDoc(period=period, values={}, status=st)
            ind.measurements.append(m)
            status[(ind.key, period)] = st
        m.values[key] = value
    for ind in ind_by_id.values():  # calendar order, whatever order the rows came in
        if len(ind.targets) > 1:
            ind.targets = dict(sorted(ind.targets.items(), key=lambda kv: periods.sort_key(kv[0])))
        if len(ind.measurements) > 1:
            ind.measurements.sort(key=lambda m: periods.sort_key(m.period))
    key_of = {iid: ind.key for iid, ind in ind_by_id.items()}
    for iid, period, cause, effect, other, actions in _chunked(
            session, select(Justification.indicator_id, Justification.period, Justification.cause,
                            Justification.effect, Justification.other_reasons, Justification.improvement_actions),
            Justification.indicator_id, list(ind_by_id)):
        result.justified.setdefault(key_of[iid], set()).add(period)
        for m in ind_by_id[iid].measurements:
            if m.period == period:
                m.justification = " ".join(x for x in (cause, effect, other, actions) if x)
    return result


def _chunked(session: Session, query, column, ids: list[int], order=()) -> list:
    """Run ``query WHERE column IN ids`` in chunks (SQLite's variable limit); whole table when unfiltered."""
    if not ids:
        return []
    out = []
    size = 30_000
    for start in range(0, len(ids), size):
        part = ids[start:start + size]
        out.extend(session.execute(query.where(column.in_(part)).order_by(*order)).all())
    return out
