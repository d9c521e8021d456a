"""Load an SES JSON exchange document into the database: all or nothing, fast (Core bulk inserts)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..core import exchange
from ..core.exchange import ExchangeDoc
from ..core.semaforo import BUILTIN_PRESETS, preset_to_dict
from ..db.database import Database, sync_id_sequences
from ..db.models import (Agency, AuditEntry, FiscalYear, Indicator, Justification, Measurement, Objective,
                         Organization, PeriodState, PlanElement, Program, Target, TrafficLightPreset, User,
                         Variable)
from .errors import ServiceError
from .perf import no_gc
from .users import SYSTEM, CurrentUser, ensure_default_users

DEMO_RESOURCE = "demo_municipio.json"


@dataclass
class LoadSummary:
    agencies: int = 0
    programs: int = 0
    objectives: int = 0
    indicators: int = 0
    variables: int = 0
    targets: int = 0
    measurements: int = 0

    def as_text(self) -> str:
        return (f"{self.agencies} dependencias, {self.programs} programas, {self.objectives} objetivos, "
                f"{self.indicators} indicadores, {self.variables} variables, {self.targets} metas, "
                f"{self.measurements} valores capturados")


def read_file(path: str | Path) -> ExchangeDoc:
    try:
        return exchange.read_exchange_file(path)
    except FileNotFoundError as exc:
        raise ServiceError(f"No existe el archivo «{path}».") from exc
    except exchange.ExchangeError as exc:
        raise ServiceError(f"El archivo «{path}» no se cargó; no se escribió nada:",
                           [f"{p}: {m}" for p, m in exc.errors]) from exc


def demo_document() -> ExchangeDoc:
    data = resources.files("sistema_seguimiento.resources").joinpath(DEMO_RESOURCE).read_text(encoding="utf-8")
    return exchange.read_exchange(json.loads(data, parse_float=Decimal))


class _Ids:
    """Hand out primary keys ourselves so bulk inserts need no round trips."""

    def __init__(self, session: Session):
        self.session = session
        self.next: dict[type, int] = {}

    def __call__(self, model) -> int:
        if model not in self.next:
            self.next[model] = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value


def load_document(db: Database, doc: ExchangeDoc, *, actor: CurrentUser = SYSTEM, source: str = "") -> LoadSummary:
    with no_gc(), db.transaction() as session:
        return load_into(session, doc, actor=actor, source=source)


def load_into(session: Session, doc: ExchangeDoc, *, actor: CurrentUser = SYSTEM, source: str = "") -> LoadSummary:
    actor.require("administrador", action="cargar datos")
    now = datetime.now().replace(microsecond=0)
    summary = LoadSummary()
    ids = _Ids(session)

    org = session.scalars(select(Organization)).first()
    o = doc.organization or {}
    if org is None:
        org = Organization(name=o.get("nombre") or "Organización sin nombre", kind=o.get("tipo") or "municipio",
                           state_name=o.get("entidad_federativa") or "", inegi_key=o.get("clave_inegi"),
                           preset_key=next(iter(doc.presets), "PRESET_A_BANDA_90_110"), settings={})
        session.add(org)

    for key, preset in BUILTIN_PRESETS.items():
        if session.get(TrafficLightPreset, key) is None:
            session.add(TrafficLightPreset(key=key, name=preset.name, data=preset_to_dict(preset)))
    for key, data in (doc.presets or {}).items():
        if session.get(TrafficLightPreset, key) is None:
            session.add(TrafficLightPreset(key=key, name=str(data.get("descripcion", key))[:200],
                                           data=json.loads(json.dumps(data, default=str))))

    fy = session.scalars(select(FiscalYear).where(FiscalYear.year == doc.fiscal_year)).first()
    if fy is None:
        fy = FiscalYear(year=doc.fiscal_year, cutoff=doc.cutoff)
        session.add(fy)
    session.flush()

    # agencies: reuse existing ones by key
    agencies = {a.key: a for a in session.scalars(select(Agency))}
    for a in doc.agencies:
        if a.key not in agencies:
            ag = Agency(key=a.key, acronym=a.acronym or "", name=a.name, head=a.head or "")
            session.add(ag)
            agencies[a.key] = ag
            summary.agencies += 1
    session.flush()

    plan_ids = _load_plan(session, doc.plan, ids)

    existing = set(session.scalars(select(Program.key).where(Program.fiscal_year_id == fy.id)))
    clashes = [p.key for p in doc.programs if p.key in existing]
    if clashes:
        raise ServiceError(f"Ya existen en el ejercicio {doc.fiscal_year} los programas: {', '.join(clashes[:20])}"
                           + (" …" if len(clashes) > 20 else "") + ". No se escribió nada.")
    existing_ind = set(session.scalars(select(Indicator.key)))
    dup_ind = [i.key for p in doc.programs for i in p.indicators if i.key in existing_ind]
    if dup_ind:
        raise ServiceError(f"Ya existen los indicadores: {', '.join(dup_ind[:20])}. No se escribió nada.")

    rows: dict[type, list[dict]] = {m: [] for m in (Program, Objective, Indicator, Variable, Target, Measurement,
                                                    Justification)}
    for p_order, p in enumerate(doc.programs):
        pid = ids(Program)
        al = p.alignment or {}
        rows[Program].append(dict(
            id=pid, fiscal_year_id=fy.id, agency_id=agencies[p.agency_key].id if p.agency_key in agencies else None,
            key=p.key, modality=p.modality or "", name=p.name or "", responsible=p.responsible or "",
            problem=p.problem or "", target_population=p.target_population or "", preset_key=p.preset_key,
            alignment_text=dict(al), order=p_order,
            plan_element_id=plan_ids.get(al.get("estrategia")) or plan_ids.get(al.get("objetivo"))
            or plan_ids.get(al.get("eje"))))
        obj_ids: dict[str, int] = {o.key: ids(Objective) for o in p.objectives}
        for o_order, o in _parents_first(p.objectives):
            rows[Objective].append(dict(
                id=obj_ids[o.key], program_id=pid, parent_id=obj_ids.get(o.parent_key) if o.parent_key else None,
                key=o.key, level=o.level, text=o.text or "", assumptions=list(o.assumptions),
                order=o.order or o_order))
        for i_order, ind in enumerate(p.indicators):
            iid = ids(Indicator)
            rows[Indicator].append(dict(
                id=iid, objective_id=obj_ids[ind.objective_key], key=ind.key, order=i_order, name=ind.name,
                definition=ind.definition, formula_type=ind.formula_type, formula=ind.formula, unit=ind.unit,
                type=ind.type, dimension=ind.dimension, direction=ind.direction, frequency=ind.frequency,
                reporting_mode=ind.reporting_mode or "acumulado", baseline_value=ind.baseline_value,
                baseline_year=ind.baseline_year, baseline_period=ind.baseline_period,
                baseline_note=ind.baseline_note or "", baseline_unavailable=bool(ind.baseline_unavailable),
                annual_target=ind.annual_target, annual_target_original=ind.annual_target,
                verification_sources=list(ind.verification_sources), preset_key=ind.preset_key,
                disaggregation=ind.disaggregation or "", geographic_coverage=ind.geographic_coverage or "",
                data_availability=ind.data_availability or "", measurement_owner=ind.measurement_owner or "",
                benchmark=ind.benchmark or "", interpretation=ind.interpretation or "", notes=ind.notes or "",
                natural_cap=ind.natural_cap, base_year=ind.base_year, history=[], multi_year_targets=[],
                created_on=ind.created_on, version=ind.version or 1, status="aprobada"))
            var_ids = {}
            for v_order, v in enumerate(ind.variables):
                vid = var_ids[v.key] = ids(Variable)
                rows[Variable].append(dict(
                    id=vid, indicator_id=iid, key=v.key, name=v.name or "", description=v.description or "",
                    unit=v.unit or "", source=v.source or "", role=v.role, accumulation=v.accumulation,
                    integer_only=False, allow_negative=False, order=v_order))
            for period, values in ind.targets.items():
                for vkey, value in values.items():
                    rows[Target].append(dict(id=ids(Target), variable_id=var_ids[vkey], period=period, value=value,
                                             original_value=value, change_reason="", changed_by="",
                                             changed_at=None))
            for m in ind.measurements:
                status = m.status if m.status in ("borrador", "capturado", "validado", "rechazado") else "capturado"
                for vkey, value in m.values.items():
                    rows[Measurement].append(dict(id=ids(Measurement), variable_id=var_ids[vkey], period=m.period,
                                                  value=value, status=status, captured_by=actor.name,
                                                  captured_at=now))
                if m.justification:
                    rows[Justification].append(dict(
                        id=ids(Justification), indicator_id=iid, period=m.period, cause=m.justification, effect="",
                        other_reasons="", improvement_actions="", author=actor.name, updated_at=now))
    for model, batch in rows.items():
        for start in range(0, len(batch), 50_000):
            session.execute(insert(model), batch[start:start + 50_000])
    sync_id_sequences(session, [PlanElement.__table__] + [m.__table__ for m in rows])
    summary.programs = len(rows[Program])
    summary.objectives = len(rows[Objective])
    summary.indicators = len(rows[Indicator])
    summary.variables = len(rows[Variable])
    summary.targets = len(rows[Target])
    summary.measurements = len(rows[Measurement])

    _load_users(session, doc.users, agencies)
    ensure_default_users(session)
    session.add(AuditEntry(at=now, user_name=actor.name, action="cargar", entity="archivo", entity_key=source[:120],
                           field="", old=None, new=summary.as_text(), reason=""))
    return summary


def _parents_first(objectives: list) -> list[tuple[int, object]]:
    """(original index, objective) with every parent before its children (foreign keys are checked per row)."""
    pending = list(enumerate(objectives))
    done: set[str] = set()
    ordered = []
    while pending:
        rest = [(i, o) for i, o in pending if o.parent_key and o.parent_key not in done]
        ready = [(i, o) for i, o in pending if not (o.parent_key and o.parent_key not in done)]
        if not ready:  # a cycle (the reader refuses those); keep the file order
            ready, rest = rest, []
        ordered += ready
        done.update(o.key for _, o in ready)
        pending = rest
    return ordered


def _load_plan(session: Session, plan: list[dict], ids: _Ids) -> dict[str, int]:
    """Create the eje → objetivo → estrategia catalog; returns text → id for alignment."""
    by_text: dict[str, int] = {}
    existing = {(e.kind, e.text): e.id for e in session.scalars(select(PlanElement))}
    by_text.update({text: i for (_, text), i in existing.items()})

    def add(kind: str, item: dict, parent: int | None, order: int, plan_name: str) -> int:
        text = item.get("nombre") or item.get("texto") or ""
        if (kind, text) in existing:
            return existing[(kind, text)]
        pid = ids(PlanElement)
        session.execute(insert(PlanElement), [dict(id=pid, parent_id=parent, kind=kind, code=str(item.get("clave", "")),
                                                   text=text, order=order, plan_name=plan_name)])
        existing[(kind, text)] = pid
        by_text[text] = pid
        code = str(item.get("clave", "")).strip()
        if code:  # programs' alignment text may carry the code: «3.2 Garantizar…», «Eje 3. Servicios…»
            by_text.setdefault(f"{code} {text}", pid)
            by_text.setdefault(f"{kind.capitalize()} {code}. {text}", pid)
        return pid

    for i, eje in enumerate(plan or []):
        plan_name = eje.get("plan", "")
        eid = add("eje", eje, None, i, plan_name)
        for j, obj in enumerate(eje.get("objetivos", [])):
            oid = add("objetivo", obj, eid, j, plan_name)
            for k, est in enumerate(obj.get("estrategias", [])):
                add("estrategia", est, oid, k, plan_name)
    return by_text


def _load_users(session: Session, users: list[dict], agencies: dict[str, Agency]) -> None:
    existing = set(session.scalars(select(User.name)))
    for u in users or []:
        name = u.get("nombre")
        if not name or name in existing:
            continue
        ag = agencies.get(u.get("dependencia") or "")
        session.add(User(name=name, role=u.get("rol", "consulta"), full_name=u.get("nombre_completo", ""),
                         agency_id=ag.id if ag else None))
        existing.add(name)


def set_demo_workflow(session: Session, last_closed_month: int, validated_month: int, year: int) -> None:
    """Demo state: months up to ``last_closed_month`` closed, ``validated_month`` validated but open."""
    now = datetime.now().replace(microsecond=0)
    for ag in session.scalars(select(Agency)):
        for m in range(1, validated_month + 1):
            status = "cerrado" if m <= last_closed_month else "validado"
            session.add(PeriodState(period=f"{year:04d}-{m:02d}", agency_id=ag.id, status=status,
                                    comment="", updated_by="admin", updated_at=now))


def load_demo(db: Database) -> LoadSummary:
    doc = demo_document()
    with db.transaction() as session:
        summary = load_into(session, doc, source="demostración")
        set_demo_workflow(session, last_closed_month=9, validated_month=10, year=doc.fiscal_year)
        org = session.scalars(select(Organization)).one()
        org.settings = {**(org.settings or {}), "demo": True}
    return summary
