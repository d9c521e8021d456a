"""Load an SES JSON exchange document into the database: all or nothing, fast (Core bulk inserts)."""
from __future__ import annotations

import stat

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..core import exchange, plan_name
from ..core.exchange import ExchangeDoc
from ..core.numbers import number_limit_problem
from ..core.semaforo import BUILTIN_PRESETS, preset_to_dict
from ..db.database import Database, sync_id_sequences
from ..db.models import (Agency, FiscalYear, Indicator, Justification, Measurement, Objective,
                         Organization, PeriodState, PlanElement, Program, Target, TrafficLightPreset, User,
                         Variable)
from . import audit
from .errors import ServiceError
from .guards import check_rows
from .perf import no_gc
from .users import (SYSTEM, CurrentUser, add_user_row, ensure_default_users,
                    missing_default_users, password_required)

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
    users: int = 0
    users_skipped: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        text = (f"{self.agencies} dependencias, {self.programs} programas, {self.objectives} objetivos, "
                f"{self.indicators} indicadores, {self.variables} variables, {self.targets} metas, "
                f"{self.measurements} valores capturados")
        if self.users:
            text += f", {self.users} usuarios nuevos"
        if self.users_skipped:
            text += (f" (no se crearon los usuarios {', '.join(self.users_skipped[:10])}"
                     f"{' …' if len(self.users_skipped) > 10 else ''}: la organización exige contraseña; "
                     "agréguelos con «ses usuarios agregar --con-contrasena»)")
        return text


def read_file(path: str | Path) -> ExchangeDoc:
    """Read an exchange file; refused before reading when it is not a regular file or is larger than
    ``core.limits.MAX_JSON_BYTES``."""
    from ..core.limits import MAX_JSON_BYTES, clip

    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError as exc:
        raise ServiceError(f"No existe el archivo «{clip(path, 200)}».") from exc
    except OSError as exc:
        raise ServiceError(f"No se pudo leer «{clip(path, 200)}»: {exc.strerror or exc}.") from exc
    if not stat.S_ISREG(st.st_mode):
        raise ServiceError(f"«{clip(p.name)}» no es un archivo normal; no se cargó.")
    if st.st_size > MAX_JSON_BYTES:
        raise ServiceError(f"El archivo «{clip(p.name)}» mide {st.st_size / 1048576:,.0f} MB; el máximo para "
                           f"«ses cargar» es {MAX_JSON_BYTES // 1048576:,} MB. No se leyó; no se escribió nada.")
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
    if doc.extra.get("proyectos"):  # proyectos and metas de actividad (issue 16, services/projects.py)
        from .projects import project_rows

        rows.update(project_rows(doc.extra["proyectos"], doc.fiscal_year,
                                 {r["key"]: r["id"] for r in rows[Program]}, ids))
    for model, batch in rows.items():  # bulk inserts skip the ORM flush: same checks as every other write
        check_rows(model, batch)
        if model in (Measurement, Target):
            for row in batch:
                value = row.get("value")
                if value is None:
                    continue
                t = value.as_tuple() if isinstance(value, Decimal) else None
                if t is not None and t.exponent >= -6 and len(t.digits) + t.exponent <= 15:
                    continue  # fast path: plainly within the limits
                problem = number_limit_problem(value)
                if problem:
                    raise ServiceError(f"{problem} ({'avance' if model is Measurement else 'meta'} del periodo "
                                       f"{row.get('period')}); no se escribió nada.")
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

    summary.users, summary.users_skipped = _load_users(session, doc.users, agencies, actor)
    if password_required(session, on_server=False):  # the default users would have no password
        summary.users_skipped += missing_default_users(session)
    else:
        summary.users += ensure_default_users(session, actor)
    audit.record(session, actor, "archivo", source[:120], "", None, summary.as_text(), action="cargar")
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
        row = dict(id=pid, parent_id=parent, kind=kind, code=str(item.get("clave", "")), text=text, order=order,
                   plan_name=plan_name)
        check_rows(PlanElement, [row])
        session.execute(insert(PlanElement), [row])
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


def _load_users(session: Session, users: list[dict], agencies: dict[str, Agency],
                actor: CurrentUser) -> tuple[int, list[str]]:
    """Add the file's users that do not exist yet (existing users are never changed), each recorded in the
    bitácora. The exchange format carries no passwords: when the organization requires them, none is created
    (their names are returned so the summary can say so). Returns (added, skipped names)."""
    existing = set(session.scalars(select(User.name)))
    required = password_required(session, on_server=False)
    added, skipped = 0, []
    for u in users or []:
        name = u.get("nombre")
        if not name or name in existing:
            continue
        if required:
            skipped.append(name)
            continue
        ag = agencies.get(u.get("dependencia") or "")
        add_user_row(session, actor, name, u.get("rol", "consulta"), ag.id if ag else None,
                     ag.key if ag else None, u.get("nombre_completo", ""))
        existing.add(name)
        added += 1
    return added, skipped


def set_demo_workflow(session: Session, last_closed_month: int, validated_month: int, year: int) -> None:
    """Demo state: months up to ``last_closed_month`` closed, ``validated_month`` validated but open."""
    now = datetime.now().replace(microsecond=0)
    for ag in session.scalars(select(Agency)):
        for m in range(1, validated_month + 1):
            status = "cerrado" if m <= last_closed_month else "validado"
            session.add(PeriodState(period=f"{year:04d}-{m:02d}", agency_id=ag.id, status=status,
                                    comment="", updated_by="admin", updated_at=now))


def load_demo(db: Database, actor: CurrentUser = SYSTEM) -> LoadSummary:
    doc = demo_document()
    with db.transaction() as session:
        summary = load_into(session, doc, actor=actor, source="demostración")
        set_demo_workflow(session, last_closed_month=9, validated_month=10, year=doc.fiscal_year)
        org = session.scalars(select(Organization)).one()
        # the demo's catalog is its Plan Municipal de Desarrollo: the window, reports and workbooks say so
        org.settings = {**(org.settings or {}), "demo": True, plan_name.SETTING: plan_name.PMD}
    return summary
