"""Offline capture packages between PCs (issue 13): ``crear`` (office → one ``.ses`` per dependencia), ``abrir``
(dependencia: create or update its local copy), ``responder`` (dependencia → office) and the office's
``preview_import`` / ``apply_import`` (conflicts, idempotent re-import, bitácora with the package of each value).

Format and zip checks: :mod:`sistema_seguimiento.exchange.package`; rules written down in ``docs/paquetes.md``.
Values, justifications and evidence go through the same services as the window (``capture.save_values``,
``justifications.save`` / ``add_evidence``), all of one package inside ONE transaction (:class:`_Bound`).
"""
from __future__ import annotations

import contextlib
import json
import re
import secrets
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .. import paths
from ..core import exchange as jsonx
from ..core import periods
from ..core.numbers import NumberParseError, parse_strict_number
from ..core.types import PeriodStatus, Role
from ..db.database import Database
from ..db.models import (Agency, AppMeta, AuditEntry, Evidence, FiscalYear, Indicator, Justification, Measurement,
                         Objective, Organization, PeriodState, Program, TrafficLightPreset, User, Variable)
from ..exchange import package as fmt
from . import audit, justifications
from . import projects as goal_rows
from .capture import (GoalChange, ValueChange, check_agency_access, goal_quarter, load_indicators, save_values,
                      workflow_month)
from .documents import read_programs
from .errors import PermissionDenied, ServiceError
from .loading import load_into
from .mir_view import exchange_doc
from .users import SYSTEM, CurrentUser

META_DB_ID = "db_id"  # stable identity of this database file (UUID), created at init or on first need
META_SECRET = "paquete_secreto"  # office: key from which each package's response key is derived
META_COPY = "paquete_copia"  # dependencia: JSON facts of the last package opened (office, dependencia, key, base)

# justification fields carried by packages (hecho and proyeccion: the tarjeta de justificación, issue 16; absent in
# older packages, read as empty)
_JUST_KEYS = ("causa", "efecto", "otros_motivos", "acciones_mejora", "hecho", "proyeccion")

MSG = {
    "role_create": "generar paquetes de captura",
    "role_import": "importar respuestas de paquetes",
    "periods": "El periodo final {to} es anterior al inicial {frm}.",
    "year": "Los periodos de un paquete deben ser del mismo ejercicio ({frm} y {to}).",
    "month": "Indique meses AAAA-MM: «{p}» no lo es.",
    "no_agency": "No existe la dependencia «{a}».",
    "no_agencies": "Indique al menos una dependencia.",
    "no_programs": "La dependencia {a} no tiene programas en el ejercicio {y}; no se generó su paquete.",
    "bad_doc": "Los datos del paquete «{name}» no son válidos:",
    "doc_other_agency": "El paquete «{name}» dice ser de la dependencia {claimed} pero contiene datos de {other}. "
                        "No se abrió.",
    "is_office": "Esta base de datos es la de la oficina que generó el paquete «{name}»; ábralo en la base de la "
                 "dependencia (o en una base nueva).",
    "not_copy": "Esta base de datos ya tiene programas y no es una copia de dependencia creada con un paquete; "
                "abra el paquete en una base nueva.",
    "other_office": "El paquete «{name}» es de otra oficina de planeación (otra base de datos) que la copia de "
                    "esta dependencia. No se abrió.",
    "other_copy_agency": "Esta base de datos es la copia de la dependencia {own}; el paquete «{name}» es de la "
                         "dependencia {other}. No se abrió.",
    "older": "El paquete «{name}» ({new}) es anterior al ya abierto ({old}); no se abrió para no perder datos.",
    "no_copy": "Esta base de datos no se creó con un paquete de captura: abra primero un paquete («ses paquete "
               "abrir»).",
    "responder_user": "El usuario «{user}» no puede capturar avances de la dependencia {a}.",
    "other_org": "La respuesta «{name}» es de otra organización («{org}»), no de «{own}». No se importó.",
    "other_db": "La respuesta «{name}» corresponde a un paquete de otra base de datos, no de esta oficina. "
                "No se importó.",
    "never_issued": "Esta base de datos no ha generado paquetes de captura; la respuesta «{name}» no es suya. "
                    "No se importó.",
    "agency_missing": "La respuesta «{name}» es de la dependencia {a}, que no existe en esta base. No se importó.",
    "user_missing": "La respuesta «{name}» la firmó el usuario «{user}», que no existe (o está inactivo) en esta "
                    "base. No se importó.",
    "user_rights": "La respuesta «{name}»: {reason} No se importó.",
    "foreign_ind": "La respuesta «{name}» dice ser de la dependencia {a} pero trae datos del indicador {ind}, de "
                   "{other}. No se importó.",
    "bad_row": "La respuesta «{name}» tiene datos no válidos:",
    "row_ind": "{where}: el indicador «{ind}» no existe en esta base.",
    "row_var": "{where}: el indicador {ind} no tiene la variable «{var}».",
    "row_period": "{where}: el periodo «{period}» no es del paquete ({periods}).",
    "row_value": "{where}: valor «{value}» no válido ({error}).",
    "row_dup": "{where}: el valor de {ind} / {var} / {period} viene dos veces.",
    "row_evidence": "{where}: la evidencia «{file}» no está en el paquete o no coincide con su SHA-256.",
    "row_ext": "{where}: la evidencia «{file}» no es de un tipo admitido.",
    "closed": "La respuesta «{name}» trae cambios para el periodo cerrado {period} de la dependencia {a} "
              "(indicador {ind}); solicite su reapertura. No se importó.",
    "field_list": "La respuesta «{name}» no tiene la lista «{field}».",
    "row_goal": "{where}: la meta de actividad «{goal}» (proyecto/ID) no existe en esta base.",
    "row_goal_dup": "{where}: el avance de la meta de actividad {goal} / {period} viene dos veces.",
    "foreign_goal": "La respuesta «{name}» dice ser de la dependencia {a} pero trae el avance de la meta de "
                    "actividad {goal}, de otra dependencia. No se importó.",
    "closed_goal": "La respuesta «{name}» trae cambios para el periodo cerrado {period} de la dependencia {a} "
                   "(meta de actividad {goal}); solicite su reapertura. No se importó.",
    "applied_reason": "paquete {pkg} ({file})",
    "imported": "{values} valor(es), {just} justificación(es), {ev} evidencia(s); {conf} conflicto(s) conservando "
                "el valor de la oficina",
}

KIND_NEW, KIND_CHANGED, KIND_CLEARED, KIND_SAME, KIND_CONFLICT = "nuevo", "modificado", "borrado", "sin_cambio", \
    "conflicto"
KEEP_OFFICE, TAKE_PACKAGE = "oficina", "paquete"
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?\Z")


# ---------------------------------------------------------------------------------------------------
# identity of a database file

def _meta(session: Session, key: str) -> str | None:
    return session.scalar(select(AppMeta.value).where(AppMeta.key == key))


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value


def database_id(session: Session, *, create: bool = True) -> str | None:
    """The stable identity of this database (UUID in app_meta); created on first need for older files."""
    value = _meta(session, META_DB_ID)
    if value is None and create:
        value = str(uuid.uuid4())
        _set_meta(session, META_DB_ID, value)
    return value


def _office_secret(session: Session, *, create: bool) -> str | None:
    value = _meta(session, META_SECRET)
    if value is None and create:
        value = secrets.token_hex(32)
        _set_meta(session, META_SECRET, value)
    return value


def _org(session: Session) -> dict:
    org = session.scalars(select(Organization)).first()
    return {"nombre": org.name if org else "", "clave_inegi": (org.inegi_key if org else None) or ""}


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ---------------------------------------------------------------------------------------------------
# office: create packages

@dataclass
class CreatedPackage:
    agency_key: str
    path: Path
    size: int
    package_id: str
    programs: int
    indicators: int


def month_range(frm: str, to: str | None = None) -> list[str]:
    """Months from ``frm`` to ``to`` (inclusive, same fiscal year), as ``AAAA-MM``."""
    to = to or frm
    bounds = []
    for p in (frm, to):
        try:
            year, first, last = periods.parse(p)
        except periods.PeriodError as exc:
            raise ServiceError(MSG["month"].format(p=p)) from exc
        if first != last:
            raise ServiceError(MSG["month"].format(p=p))
        bounds.append((year, first))
    if bounds[0][0] != bounds[1][0]:
        raise ServiceError(MSG["year"].format(frm=frm, to=to))
    if bounds[1][1] < bounds[0][1]:
        raise ServiceError(MSG["periods"].format(frm=frm, to=to))
    return [periods.month_id(bounds[0][0], m) for m in range(bounds[0][1], bounds[1][1] + 1)]


def package_name(agency_key: str, months: list[str]) -> str:
    span = months[0] if len(months) == 1 else f"{months[0]}_{months[-1]}"
    return f"Paquete_{agency_key}_{span}.ses"


def create_packages(db: Database, actor: CurrentUser, agency_keys: list[str] | None, period_from: str,
                    period_to: str | None, output: str | Path, *,
                    progress: Callable[[int, str], None] | None = None) -> list[CreatedPackage]:
    """One ``.ses`` per dependencia (``agency_keys`` None: all). ``output`` is the file when there is one
    dependencia and it ends in ``.ses``; otherwise a folder (created) that gets ``Paquete_<clave>_<periodos>.ses``."""
    actor.require(Role.ADMINISTRADOR.value, Role.VALIDADOR.value, action=MSG["role_create"])
    months = month_range(period_from, period_to)
    year = periods.year_of(months[0])
    with db.transaction() as s:  # identity and secret are created here on first need (app_meta only)
        office_id = database_id(s)
        secret = _office_secret(s, create=True)
    output = Path(output)
    built: list[CreatedPackage] = []
    with db.reading() as s:
        all_agencies = {a.key: a for a in s.scalars(select(Agency).order_by(Agency.key))}
        if agency_keys is None:
            keys = [k for k in all_agencies
                    if s.scalar(select(func.count()).select_from(Program).join(FiscalYear)
                                .where(Program.agency_id == all_agencies[k].id, FiscalYear.year == year))]
        else:
            keys = []
            for k in agency_keys:
                ag = all_agencies.get(k) or next((a for a in all_agencies.values() if a.acronym == k), None)
                if ag is None:
                    raise ServiceError(MSG["no_agency"].format(a=k))
                keys.append(ag.key)
        if not keys:
            raise ServiceError(MSG["no_agencies"])
        single_file = len(keys) == 1 and output.suffix.lower() == ".ses"
        if not single_file:
            output.mkdir(parents=True, exist_ok=True)
        org = _org(s)
        presets = {p.key: p.data for p in s.scalars(select(TrafficLightPreset))}
        for n, key in enumerate(keys):
            if progress:
                progress(int(100 * n / len(keys)), key)
            ag = all_agencies[key]
            pset = read_programs(s, year, agency_key=key)
            if not pset.programs:
                raise ServiceError(MSG["no_programs"].format(a=key, y=year))
            doc = exchange_doc(pset)
            doc.agencies = [a for a in doc.agencies if a.key == key]
            doc.presets = presets
            doc.organization = {"nombre": org["nombre"], "clave_inegi": org["clave_inegi"] or None,
                                "tipo": pset.organization.kind if pset.organization else "municipio",
                                "entidad_federativa": pset.organization.state_name if pset.organization else ""}
            # the office's state profile and plan name travel with the package: the dependencia's copy asks for the
            # same justification (tarjeta) and shows the same labels and semáforo as the office (issue 16)
            doc.extra["configuracion"] = _shared_settings(s)
            goals = goal_rows.export_rows(s, year, key)  # proyectos and metas de actividad (issue 16)
            if goals:
                doc.extra["proyectos"] = goals
            doc.users = [{"nombre": u.name, "rol": u.role, "nombre_completo": u.full_name, "dependencia": key}
                         for u in s.scalars(select(User).where(User.agency_id == ag.id, User.active.is_(True)))]
            states = {st.period: st.status for st in s.scalars(
                select(PeriodState).where(PeriodState.agency_id == ag.id, PeriodState.period.like(f"{year}-%")))}
            package_id = str(uuid.uuid4())
            manifest = {
                "tipo": fmt.KIND_CAPTURE, "paquete": package_id, "base_oficina": office_id, "organizacion": org,
                "dependencia": {"clave": key, "siglas": ag.acronym, "nombre": ag.name}, "ejercicio": year,
                "periodos": months, "creado_en": datetime.now().isoformat(timespec="microseconds"), "creado_por": actor.name,
                "contenido": {"programas": len(pset.programs),
                              "indicadores": sum(len(p.indicators) for p in pset.programs),
                              "usuarios": len(doc.users), "evidencias": 0},
            }
            data = {"intercambio": jsonx.write_exchange(doc), "estados_periodo": states,
                    "clave_respuesta": fmt.response_key(secret, package_id, key, office_id)}
            target = output if single_file else output / package_name(key, months)
            raw = fmt.write_package(target, manifest, data)
            built.append(CreatedPackage(key, target, len(raw), package_id, manifest["contenido"]["programas"],
                                        manifest["contenido"]["indicadores"]))
    return built


# ---------------------------------------------------------------------------------------------------
# dependencia: open a package

@dataclass
class OpenResult:
    agency_key: str
    package_id: str
    created: bool  # a fresh local copy (else: an update)
    programs: int
    indicators: int
    kept_values: int  # local captures kept over the package's values
    kept_justifications: int
    kept_evidence: int
    periods: list[str]


def _read(path: str | Path, kind: str) -> fmt.Package:
    try:
        return fmt.read_package(path, kind=kind)
    except FileNotFoundError as exc:
        raise ServiceError(f"No existe el archivo «{path}».") from exc
    except fmt.PackageError as exc:
        raise ServiceError(str(exc)) from exc


def open_package(db: Database, path: str | Path, actor: CurrentUser = SYSTEM) -> OpenResult:
    """Create (fresh database) or update (a copy made from an earlier package of the same office and
    dependencia) the local copy. Local captures — values that differ from the previous package's, and all
    justifications and evidence — are kept over the newer package's values."""
    actor.require(Role.ADMINISTRADOR.value, Role.CAPTURISTA.value, action="abrir paquetes de captura")
    pkg = _read(path, fmt.KIND_CAPTURE)
    man, name = pkg.manifest, pkg.name
    agency = man["dependencia"].get("clave") if isinstance(man["dependencia"], dict) else None
    try:
        doc = jsonx.read_exchange(pkg.data.get("intercambio"))
    except (jsonx.ExchangeError, AttributeError, TypeError) as exc:
        details = [f"{p}: {m}" for p, m in getattr(exc, "errors", [("$", str(exc))])]
        raise ServiceError(MSG["bad_doc"].format(name=name), details[:20]) from exc
    others = sorted({p.agency_key or "(ninguna)" for p in doc.programs if p.agency_key != agency}
                    | {a.key for a in doc.agencies if a.key != agency})
    if not agency or others:
        raise ServiceError(MSG["doc_other_agency"].format(name=name, claimed=agency, other=", ".join(others)))
    key = pkg.data.get("clave_respuesta")
    if not isinstance(key, str) or len(key) != 64:
        raise ServiceError(fmt.MSG["field"].format(name=name, field="clave_respuesta"))
    states = pkg.data.get("estados_periodo") or {}
    with db.transaction() as s:
        own_id = database_id(s)
        if own_id == man["base_oficina"]:
            raise ServiceError(MSG["is_office"].format(name=name))
        copy = json.loads(_meta(s, META_COPY) or "null")
        has_programs = bool(s.scalar(select(func.count()).select_from(Program)))
        kept = ([], [], [])
        if copy is None:
            if has_programs:
                raise ServiceError(MSG["not_copy"])
        else:
            if copy["oficina"] != man["base_oficina"]:
                raise ServiceError(MSG["other_office"].format(name=name))
            if copy["dependencia"] != agency:
                raise ServiceError(MSG["other_copy_agency"].format(own=copy["dependencia"], other=agency, name=name))
            if str(man.get("creado_en", "")) < copy.get("creado_en", ""):
                raise ServiceError(MSG["older"].format(name=name, new=man.get("creado_en"),
                                                       old=copy.get("creado_en")))
            kept = _local_captures(s, copy.get("base", {}))
            kept_goals = _local_goal_captures(s, copy.get("base_metas", {}))
            _drop_catalog(s, doc.fiscal_year)
        summary = load_into(s, doc, actor=SYSTEM, source=f"paquete {man['paquete']} ({name})")
        counts = _restore_captures(s, *kept)
        if copy is not None:
            _restore_goal_captures(s, doc.fiscal_year, kept_goals)
        agency_id = s.scalar(select(Agency.id).where(Agency.key == agency))
        s.execute(delete(PeriodState).where(PeriodState.agency_id == agency_id))
        for month, status in sorted(states.items()):
            if status in {st.value for st in PeriodStatus}:
                s.add(PeriodState(period=str(month), agency_id=agency_id, status=status, updated_by="oficina",
                                  updated_at=_now()))
        base = {f"{i.key}|{v}|{m.period}": _dec_text(val) for p in doc.programs for i in p.indicators
                for m in i.measurements for v, val in m.values.items()}
        base_goals = {f"{p.get('clave')}|{g.get('id')}|{doc.fiscal_year}-{q}": _dec_text(Decimal(str(v)))
                      for p in (doc.extra.get("proyectos") or []) for g in (p.get("metas") or [])
                      for q, v in (g.get("alcanzado") or {}).items() if v is not None}
        _set_meta(s, META_COPY, json.dumps({
            "oficina": man["base_oficina"], "dependencia": agency, "paquete": man["paquete"], "clave": key,
            "periodos": list(man["periodos"]), "ejercicio": doc.fiscal_year, "creado_en": man.get("creado_en", ""),
            "organizacion": man.get("organizacion") or {}, "base": base, "base_metas": base_goals},
            ensure_ascii=False))
        org = s.scalars(select(Organization)).first()
        if org is not None:
            shared = doc.extra.get("configuracion") if isinstance(doc.extra.get("configuracion"), dict) else {}
            org.settings = {**(org.settings or {}), **_accepted_settings(shared), "copia_dependencia": agency}
        audit.record(s, actor, "paquete", man["paquete"], "abrir", None, name, action="abrir_paquete")
    return OpenResult(agency, man["paquete"], copy is None, summary.programs, summary.indicators, *counts,
                      periods=list(man["periodos"]))


def _row_numbers(r: dict, fields: tuple[str, ...], where: str, problems: list[str]) -> list[Decimal | None] | None:
    """The numbers of a response row's ``fields`` (None where absent), or None after adding the first problem.
    Plain decimal text (what SES writes) is read directly; anything else through the strict capture parser."""
    nums: list[Decimal | None] = []
    for fld in fields:
        raw = r.get(fld)
        if raw is None:
            nums.append(None)
            continue
        try:
            if not isinstance(raw, str):
                raise NumberParseError("se esperaba el número como texto")
            nums.append(Decimal(raw) if _PLAIN_DECIMAL.match(raw) else parse_strict_number(raw))
        except NumberParseError as exc:
            problems.append(MSG["row_value"].format(where=f"{where}.{fld}", value=raw, error=exc))
            return None
    return nums


def _shared_settings(s: Session) -> dict:
    """The office settings a dependencia's copy follows: the state profile and the plan's name."""
    from ..core import plan_name
    from . import profiles

    settings = s.scalars(select(Organization.settings)).first() or {}
    out = {profiles.SETTING: profiles.key_of(s)}
    if settings.get(plan_name.SETTING) in plan_name.NAMES:
        out[plan_name.SETTING] = settings[plan_name.SETTING]
    return out


def _accepted_settings(shared: dict) -> dict:
    """Of a package's settings, only a known profile and a known plan name (anything else is ignored)."""
    from ..core import plan_name
    from . import profiles

    out = {}
    if shared.get(profiles.SETTING) in {k for k, _ in profiles.available()}:
        out[profiles.SETTING] = shared[profiles.SETTING]
    if shared.get(plan_name.SETTING) in plan_name.NAMES:
        out[plan_name.SETTING] = shared[plan_name.SETTING]
    return out


def _local_captures(s: Session, base: dict[str, str]):
    """What the dependencia captured locally: values that differ from the last package's (or are new),
    justifications written here (the package's own are loaded as the system) and all evidence records; keyed
    by indicator/variable keys (ids change on reload)."""
    values = []
    q = (select(Indicator.key, Variable.key, Measurement.period, Measurement.value, Measurement.status,
                Measurement.captured_by, Measurement.captured_at)
         .join(Variable, Variable.id == Measurement.variable_id).join(Indicator, Indicator.id == Variable.indicator_id))
    for ik, vk, per, value, status, by, at in s.execute(q):
        if base.get(f"{ik}|{vk}|{per}") != _dec_text(value):
            values.append((ik, vk, per, value, status, by, at))
    just = [(ik, j) for ik, j in s.execute(select(Indicator.key, Justification)
                                           .join(Justification, Justification.indicator_id == Indicator.id)
                                           .where(Justification.author != SYSTEM.name))]  # not the package's own
    evid = [(ik, e) for ik, e in s.execute(select(Indicator.key, Evidence)
                                           .join(Evidence, Evidence.indicator_id == Indicator.id))]
    for _, obj in just + evid:
        s.expunge(obj)
    return values, just, evid


def _drop_catalog(s: Session, year: int) -> None:
    fy = s.scalar(select(FiscalYear.id).where(FiscalYear.year == year))
    if fy is None:
        return
    progs = select(Program.id).where(Program.fiscal_year_id == fy)
    s.execute(update(Objective).where(Objective.program_id.in_(progs)).values(parent_id=None))
    s.execute(delete(Program).where(Program.id.in_(progs)))  # cascades to objectives … measurements, evidence


def _restore_captures(s: Session, values, just, evid) -> tuple[int, int, int]:
    inds = {k: i for k, i in s.execute(select(Indicator.key, Indicator.id))}
    var_ids = {(ik, vk): vid for ik, vk, vid in s.execute(
        select(Indicator.key, Variable.key, Variable.id).join(Variable, Variable.indicator_id == Indicator.id))}
    n_values = 0
    for ik, vk, per, value, status, by, at in values:
        vid = var_ids.get((ik, vk))
        if vid is None:
            continue  # the variable left the catalog
        m = s.scalars(select(Measurement).where(Measurement.variable_id == vid, Measurement.period == per)).first()
        if m is None:
            s.add(Measurement(variable_id=vid, period=per, value=value, status=status, captured_by=by,
                              captured_at=at))
        else:
            m.value, m.status, m.captured_by, m.captured_at = value, status, by, at
        n_values += 1
    s.flush()
    n_just = n_ev = 0
    for ik, j in just:
        if ik in inds:
            s.execute(delete(Justification).where(Justification.indicator_id == inds[ik],
                                                  Justification.period == j.period))
            s.add(Justification(indicator_id=inds[ik], period=j.period, cause=j.cause, effect=j.effect,
                                other_reasons=j.other_reasons, improvement_actions=j.improvement_actions,
                                author=j.author, updated_at=j.updated_at))
            n_just += 1
    for ik, e in evid:
        if ik in inds:
            s.add(Evidence(indicator_id=inds[ik], period=e.period, filename=e.filename, stored_name=e.stored_name,
                           sha256=e.sha256, size=e.size, added_by=e.added_by, added_at=e.added_at))
            n_ev += 1
    return n_values, n_just, n_ev


def _dec_text(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------------------------------------------
# dependencia: respond

@dataclass
class ResponseResult:
    path: Path
    size: int
    values: int
    justifications: int
    evidence: int


def copy_info(db: Database) -> dict | None:
    """The facts of the last package opened in this (dependencia) database, or None."""
    with db.reading() as s:
        raw = _meta(s, META_COPY)
    return json.loads(raw) if raw else None


def respond(db: Database, actor: CurrentUser, output: str | Path) -> ResponseResult:
    """The response of this dependencia copy: every value of the package's periods (with the office's value
    at packaging time, to detect conflicts), justifications and evidence files, signed with the package's key."""
    copy = copy_info(db)
    if copy is None:
        raise ServiceError(MSG["no_copy"])
    agency = copy["dependencia"]
    try:
        check_agency_access(actor, agency, agency)
    except PermissionDenied as exc:
        raise PermissionDenied(MSG["responder_user"].format(user=actor.name, a=agency)) from exc
    months = copy["periodos"]
    base: dict[str, str] = copy.get("base", {})
    folder = paths.evidence_dir(db.path) if db.path else None
    values, justs, evid_rows = [], [], []
    evidence: dict[str, bytes] = {}
    with db.reading() as s:
        own_id = database_id(s, create=False) or ""
        agency_id = s.scalar(select(Agency.id).where(Agency.key == agency))
        inds = list(s.execute(
            select(Indicator.id, Indicator.key, Indicator.frequency).join(Objective).join(Program)
            .where(Program.agency_id == agency_id).order_by(Indicator.key)))
        wanted: dict[int, tuple[str, set[str]]] = {}
        for iid, ikey, freq in inds:
            own = set()
            for month in months:
                year, m, _ = periods.parse(month)
                p = periods.period_ending_in(freq, year, m)
                if p:
                    own.add(p)
            if own:
                wanted[iid] = (ikey, own)
        ids = list(wanted)
        meas = {}
        for ikey, vkey, per, value, by, at in s.execute(
                select(Indicator.key, Variable.key, Measurement.period, Measurement.value, Measurement.captured_by,
                       Measurement.captured_at)
                .join(Variable, Variable.id == Measurement.variable_id)
                .join(Indicator, Indicator.id == Variable.indicator_id).where(Indicator.id.in_(ids))):
            meas[(ikey, vkey, per)] = (value, by, at)
        for iid, ikey, vkey in s.execute(select(Indicator.id, Indicator.key, Variable.key)
                                         .join(Variable, Variable.indicator_id == Indicator.id)
                                         .where(Indicator.id.in_(ids)).order_by(Indicator.key, Variable.order)):
            for per in sorted(wanted[iid][1], key=periods.sort_key):
                got = meas.get((ikey, vkey, per))
                b = base.get(f"{ikey}|{vkey}|{per}")
                if got is None and b is None:
                    continue
                values.append({"indicador": ikey, "variable": vkey, "periodo": per,
                               "valor": _dec_text(got[0]) if got else None, "base": b,
                               "capturado_por": got[1] if got else "",
                               "capturado_en": got[2].isoformat() if got and got[2] else ""})
        for ikey, j in s.execute(select(Indicator.key, Justification)
                                 .join(Justification, Justification.indicator_id == Indicator.id)
                                 .where(Indicator.id.in_(ids)).order_by(Indicator.key, Justification.period)):
            if j.period in wanted[j.indicator_id][1]:
                justs.append({"indicador": ikey, "periodo": j.period, "causa": j.cause, "efecto": j.effect,
                              "otros_motivos": j.other_reasons, "acciones_mejora": j.improvement_actions,
                              "hecho": j.fact or "", "proyeccion": j.projection or "",
                              "autor": j.author, "actualizado": j.updated_at.isoformat() if j.updated_at else ""})
        for ikey, e in s.execute(select(Indicator.key, Evidence).join(Evidence, Evidence.indicator_id == Indicator.id)
                                 .where(Indicator.id.in_(ids)).order_by(Evidence.id)):
            if e.period not in wanted[e.indicator_id][1] or folder is None:
                continue
            ext = Path(e.stored_name).suffix.lower()
            member = f"{fmt.EVIDENCE_PREFIX}{e.sha256}{ext}"
            if member not in evidence:
                evidence[member] = (folder / e.stored_name).read_bytes()
            evid_rows.append({"indicador": ikey, "periodo": e.period, "archivo": e.filename, "miembro": member,
                              "sha256": e.sha256, "tamano": e.size, "agregado_por": e.added_by})
        goal_values = _response_goals(s, agency, months, copy.get("base_metas", {}))
    manifest = {"tipo": fmt.KIND_RESPONSE, "paquete": copy["paquete"], "base_oficina": copy["oficina"],
                "base_origen": own_id, "organizacion": copy.get("organizacion") or {},
                "dependencia": {"clave": agency}, "ejercicio": copy.get("ejercicio"), "periodos": months,
                "usuario": actor.name, "creado_en": datetime.now().isoformat(timespec="microseconds"),
                "contenido": {"valores": len(values), "justificaciones": len(justs), "evidencias": len(evid_rows)}}
    data = {"valores": values, "justificaciones": justs, "evidencias": evid_rows}
    if goal_values:  # metas de actividad of the quarters ending in the package's months (issue 16)
        data["metas"] = goal_values
        manifest["contenido"]["metas"] = len(goal_values)
    out = Path(output)
    raw = fmt.write_package(out, manifest, data, evidence, key=copy["clave"])
    return ResponseResult(out, len(raw), len(values), len(justs), len(evid_rows))


# ---------------------------------------------------------------------------------------------------
# office: preview and apply responses

@dataclass
class ValueRow:
    indicator: str
    variable: str
    period: str
    kind: str  # nuevo | modificado | borrado | sin_cambio | conflicto
    office: Decimal | None  # the office's current value
    package: Decimal | None  # the value in the response
    base: Decimal | None  # the office's value when the package was made
    office_by: str = ""
    office_at: datetime | None = None
    package_by: str = ""
    package_at: str = ""

    @property
    def key(self) -> str:
        return f"{self.indicator}|{self.variable}|{self.period}"


@dataclass
class GoalRow:
    """The achieved value of a meta de actividad (proyecto/ID) for a quarter, office vs. response."""
    project: str
    goal: str
    period: str
    kind: str  # nuevo | modificado | borrado | sin_cambio | conflicto
    office: Decimal | None
    package: Decimal | None
    base: Decimal | None
    office_by: str = ""
    package_by: str = ""

    @property
    def key(self) -> str:
        return f"meta|{self.project}|{self.goal}|{self.period}"


@dataclass
class JustificationRow:
    indicator: str
    period: str
    kind: str  # nuevo | modificado | sin_cambio
    fields: dict[str, str]
    office_text: str = ""


@dataclass
class EvidenceRow:
    indicator: str
    period: str
    filename: str
    member: str
    sha256: str
    size: int
    kind: str  # nuevo | sin_cambio


@dataclass
class ResponsePreview:
    path: Path
    name: str
    error: str | None = None
    details: list[str] = field(default_factory=list)
    package_id: str = ""
    agency_key: str = ""
    user: str = ""
    created_at: str = ""
    periods: list[str] = field(default_factory=list)
    values: list[ValueRow] = field(default_factory=list)
    justifications: list[JustificationRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    package: fmt.Package | None = None

    def count(self, kind: str) -> int:
        return sum(1 for r in self.values if r.kind == kind)

    @property
    def conflicts(self) -> list[ValueRow]:
        return [r for r in self.values if r.kind == KIND_CONFLICT]

    @property
    def has_changes(self) -> bool:
        return (any(r.kind != KIND_SAME for r in self.values)
                or any(r.kind != KIND_SAME for r in self.goals)
                or any(j.kind != KIND_SAME for j in self.justifications)
                or any(e.kind != KIND_SAME for e in self.evidence))

    def summary(self) -> dict:
        return {"archivo": str(self.path), "paquete": self.package_id, "dependencia": self.agency_key,
                "usuario": self.user, "creado_en": self.created_at, "periodos": self.periods,
                "rechazado": self.error is not None, "error": self.error, "detalles": self.details,
                "valores_nuevos": self.count(KIND_NEW), "valores_modificados": self.count(KIND_CHANGED),
                "valores_borrados": self.count(KIND_CLEARED), "valores_sin_cambio": self.count(KIND_SAME),
                "conflictos": [{"indicador": r.indicator, "variable": r.variable, "periodo": r.period,
                                "valor_oficina": _dec_text(r.office), "valor_paquete": _dec_text(r.package),
                                "valor_base": _dec_text(r.base), "oficina_usuario": r.office_by,
                                "oficina_fecha": r.office_at.isoformat() if r.office_at else "",
                                "paquete_usuario": r.package_by, "paquete_fecha": r.package_at}
                               for r in self.conflicts],
                "justificaciones_nuevas": sum(1 for j in self.justifications if j.kind == KIND_NEW),
                "justificaciones_modificadas": sum(1 for j in self.justifications if j.kind == KIND_CHANGED),
                "justificaciones_sin_cambio": sum(1 for j in self.justifications if j.kind == KIND_SAME),
                "evidencias_nuevas": sum(1 for e in self.evidence if e.kind == KIND_NEW),
                "evidencias_sin_cambio": sum(1 for e in self.evidence if e.kind == KIND_SAME),
                **({"metas": {k: sum(1 for r in self.goals if r.kind == k)
                              for k in (KIND_NEW, KIND_CHANGED, KIND_CLEARED, KIND_SAME, KIND_CONFLICT)},
                    "conflictos_metas": [{"proyecto": r.project, "meta": r.goal, "periodo": r.period,
                                          "valor_oficina": _dec_text(r.office), "valor_paquete": _dec_text(r.package),
                                          "valor_base": _dec_text(r.base), "oficina_usuario": r.office_by,
                                          "paquete_usuario": r.package_by}
                                         for r in self.goals if r.kind == KIND_CONFLICT]} if self.goals else {})}


class _Refused(Exception):
    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


def preview_import(db: Database, files: list[str | Path], *,
                   progress: Callable[[int, str], None] | None = None) -> list[ResponsePreview]:
    """Check and classify each response against the office database; reads only (nothing is written)."""
    out = []
    with db.reading() as s:
        office = (_org(s), database_id(s, create=False), _office_secret(s, create=False))
    for n, f in enumerate(files):
        path = Path(f)
        if progress:
            progress(int(100 * n / max(len(files), 1)), path.name)
        pv = ResponsePreview(path=path, name=path.name)
        try:
            pkg = fmt.read_package(path, kind=fmt.KIND_RESPONSE)
            pv.package = pkg
            with db.reading() as s:
                _classify(s, pkg, pv, office)
        except FileNotFoundError:
            pv.error = f"No existe el archivo «{path}»."
        except fmt.PackageError as exc:
            pv.error = str(exc)
        except _Refused as exc:
            pv.error, pv.details = str(exc), exc.details
        if pv.error:
            pv.values, pv.justifications, pv.evidence, pv.goals, pv.package = [], [], [], [], None
        out.append(pv)
    return out


def _text_list(pkg: fmt.Package, key: str) -> list[dict]:
    items = pkg.data.get(key)
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise _Refused(MSG["field_list"].format(name=pkg.name, field=key))
    return items


def _classify(s: Session, pkg: fmt.Package, pv: ResponsePreview, office: tuple[dict, str | None, str | None]) -> None:
    man, name = pkg.manifest, pkg.name
    org, own_id, secret = office
    claimed_org = (man.get("organizacion") or {}).get("nombre", "") if isinstance(man.get("organizacion"), dict) \
        else ""
    if claimed_org != org["nombre"]:
        raise _Refused(MSG["other_org"].format(name=name, org=claimed_org, own=org["nombre"]))
    if own_id is None or own_id != man["base_oficina"]:
        raise _Refused(MSG["other_db"].format(name=name))
    if secret is None:
        raise _Refused(MSG["never_issued"].format(name=name))
    agency = man["dependencia"].get("clave") if isinstance(man["dependencia"], dict) else None
    fmt.verify_signature(pkg, fmt.response_key(secret, str(man["paquete"]), str(agency), own_id))
    pv.package_id, pv.agency_key, pv.created_at = man["paquete"], agency, str(man.get("creado_en", ""))
    pv.periods, pv.user = list(man["periodos"]), str(man.get("usuario", ""))
    ag = s.scalars(select(Agency).where(Agency.key == agency)).first()
    if ag is None:
        raise _Refused(MSG["agency_missing"].format(name=name, a=agency))
    user = s.scalars(select(User).where(User.name == pv.user, User.active.is_(True))).first()
    if user is None:
        raise _Refused(MSG["user_missing"].format(name=name, user=pv.user))
    actor = CurrentUser(user.name, user.role, user.agency.key if user.agency else None)
    try:
        check_agency_access(actor, agency, agency)
    except PermissionDenied as exc:
        raise _Refused(MSG["user_rights"].format(name=name, reason=str(exc))) from exc
    values, justs, evid = (_text_list(pkg, "valores"), _text_list(pkg, "justificaciones"),
                           _text_list(pkg, "evidencias"))
    months = set(pv.periods)
    ind_keys = [str(r.get("indicador")) for r in values + justs + evid]
    inds = _agency_indicators(s, ag.id, agency)
    missing = set(ind_keys) - set(inds)
    if missing:  # not this dependencia's: found elsewhere (refused below) or nowhere
        inds.update(load_indicators(s, sorted(missing)))
    problems: list[str] = []

    period_ok: dict[tuple[str, object], bool] = {}

    def own_period(where, ind, per) -> bool:
        ok = period_ok.get((ind.frequency, per))
        if ok is None:
            try:
                year, _first, last = periods.parse(per) if isinstance(per, str) else (0, 0, 0)
                ok = bool(year) and workflow_month(per) in months and \
                    periods.period_ending_in(ind.frequency, year, last) == per
            except periods.PeriodError:
                ok = False
            period_ok[(ind.frequency, per)] = ok
        if not ok:
            problems.append(MSG["row_period"].format(where=where, period=per, periods=", ".join(pv.periods)))
        return ok

    def indicator(where, key):
        ind = inds.get(key)
        if ind is None:
            problems.append(MSG["row_ind"].format(where=where, ind=key))
        elif ind.agency_key != agency:
            raise _Refused(MSG["foreign_ind"].format(name=name, a=agency, ind=key, other=ind.agency_key))
        return ind

    parsed: list[tuple] = []
    seen_values: set[tuple[str, str, str]] = set()
    for n, r in enumerate(values, 1):
        where = f"valores[{n}]"
        ind = indicator(where, str(r.get("indicador")))
        if ind is None:
            continue
        var = ind.variables.get(str(r.get("variable")))
        if var is None:
            problems.append(MSG["row_var"].format(where=where, ind=ind.key, var=r.get("variable")))
            continue
        if not own_period(where, ind, r.get("periodo")):
            continue
        nums = _row_numbers(r, ("valor", "base"), where, problems)
        if nums is None:
            continue
        if (ind.key, var.key, r["periodo"]) in seen_values:
            problems.append(MSG["row_dup"].format(where=where, ind=ind.key, var=var.key, period=r["periodo"]))
            continue
        seen_values.add((ind.key, var.key, r["periodo"]))
        parsed.append((ind, var, r["periodo"], nums[0], nums[1], str(r.get("capturado_por", "")),
                       str(r.get("capturado_en", ""))))
    jparsed = []
    for n, r in enumerate(justs, 1):
        where = f"justificaciones[{n}]"
        ind = indicator(where, str(r.get("indicador")))
        if ind is None or not own_period(where, ind, r.get("periodo")):
            continue
        fields = {k: str(r.get(k) or "") for k in _JUST_KEYS}
        jparsed.append((ind, r["periodo"], fields))
    eparsed = []
    for n, r in enumerate(evid, 1):
        where = f"evidencias[{n}]"
        ind = indicator(where, str(r.get("indicador")))
        if ind is None or not own_period(where, ind, r.get("periodo")):
            continue
        member, sha, fname = str(r.get("miembro", "")), str(r.get("sha256", "")), str(r.get("archivo", ""))
        content = pkg.members.get(member)
        if content is None or fmt.sha256(content) != sha or not member.startswith(fmt.EVIDENCE_PREFIX + sha):
            problems.append(MSG["row_evidence"].format(where=where, file=fname))
            continue
        if Path(fname).suffix.lower() not in justifications.ALLOWED_EXTENSIONS or "/" in fname or "\\" in fname:
            problems.append(MSG["row_ext"].format(where=where, file=fname))
            continue
        eparsed.append((ind, r["periodo"], fname, member, sha, len(content)))
    gparsed = _parse_goals(s, pkg, ag, months, problems)
    if problems:
        raise _Refused(MSG["bad_row"].format(name=name), problems[:50])
    _classify_goals(s, gparsed, pv, ag, name)
    # office's current values
    vids = sorted({var.id for _, var, *_ in parsed})
    own_periods = sorted({per for _, _, per, *_ in parsed})
    current = {}
    for start in range(0, len(vids), 20_000):
        for vid, per, value, by, at in s.execute(
                select(Measurement.variable_id, Measurement.period, Measurement.value, Measurement.captured_by,
                       Measurement.captured_at).where(Measurement.variable_id.in_(vids[start:start + 20_000]),
                                                      Measurement.period.in_(own_periods))):
            current[(vid, per)] = (value, by, at)
    states = {(p, a): st for p, a, st in s.execute(select(PeriodState.period, PeriodState.agency_id,
                                                          PeriodState.status).where(PeriodState.agency_id == ag.id))}
    for ind, var, per, new, base, by, at in parsed:
        cur = current.get((var.id, per))
        cur_value = cur[0] if cur else None
        if new == cur_value:
            kind = KIND_SAME
        elif cur_value == base:
            kind = KIND_NEW if cur_value is None else (KIND_CLEARED if new is None else KIND_CHANGED)
        else:
            kind = KIND_CONFLICT
        if kind != KIND_SAME and states.get((workflow_month(per), ag.id)) == PeriodStatus.CERRADO.value:
            raise _Refused(MSG["closed"].format(name=name, period=periods.label(workflow_month(per)), a=agency,
                                                ind=ind.key))
        pv.values.append(ValueRow(ind.key, var.key, per, kind, cur_value, new, base, cur[1] if cur else "",
                                  cur[2] if cur else None, by, at))
    iids = list({ind.id for ind, *_ in jparsed + eparsed})
    office_j = {(r[0], r[1]): r[2:] for r in s.execute(
        select(Justification.indicator_id, Justification.period, Justification.cause, Justification.effect,
               Justification.other_reasons, Justification.improvement_actions, Justification.fact,
               Justification.projection)
        .where(Justification.indicator_id.in_(iids), Justification.period.in_({per for _, per, _ in jparsed})))}
    office_e = {tuple(r) for r in s.execute(select(Evidence.indicator_id, Evidence.period, Evidence.sha256)
                                            .where(Evidence.indicator_id.in_(iids)))}
    for ind, per, fields in jparsed:
        j = office_j.get((ind.id, per))
        if j is None:
            kind = KIND_NEW
        elif tuple(x or "" for x in j) == tuple(
                fields[k].strip() for k in _JUST_KEYS):
            kind = KIND_SAME
        else:
            kind = KIND_CHANGED
        if kind != KIND_SAME and states.get((workflow_month(per), ag.id)) == PeriodStatus.CERRADO.value:
            raise _Refused(MSG["closed"].format(name=name, period=periods.label(workflow_month(per)), a=agency,
                                                ind=ind.key))
        pv.justifications.append(JustificationRow(ind.key, per, kind, fields, " ".join(x for x in j if x) if j else ""))
    seen = set()
    for ind, per, fname, member, sha, size in eparsed:
        kind = KIND_SAME if (ind.id, per, sha) in office_e or (ind.id, per, sha) in seen else KIND_NEW
        seen.add((ind.id, per, sha))
        pv.evidence.append(EvidenceRow(ind.key, per, fname, member, sha, size, kind))


def _agency_indicators(s: Session, agency_id: int, agency_key: str) -> dict:
    """``capture.load_indicators`` for all of one dependencia's indicators in two queries (no key list)."""
    from .capture import _Ind, _Var

    out = {}
    by_id = {}
    for iid, key, freq in s.execute(select(Indicator.id, Indicator.key, Indicator.frequency)
                                    .join(Objective, Objective.id == Indicator.objective_id)
                                    .join(Program, Program.id == Objective.program_id)
                                    .where(Program.agency_id == agency_id)):
        out[key] = by_id[iid] = _Ind(iid, key, freq, agency_id, agency_key)
    for vid, iid, key, integer_only, allow_negative in s.execute(
            select(Variable.id, Variable.indicator_id, Variable.key, Variable.integer_only, Variable.allow_negative)
            .join(Indicator, Indicator.id == Variable.indicator_id)
            .join(Objective, Objective.id == Indicator.objective_id)
            .join(Program, Program.id == Objective.program_id).where(Program.agency_id == agency_id)):
        by_id[iid].variables[key] = _Var(vid, key, bool(integer_only), bool(allow_negative))
    return out


class _Bound:
    """A Database whose ``transaction()`` and ``reading()`` are one outer session: several service use cases
    (values, justifications, evidence of one package) commit or roll back together."""

    def __init__(self, db: Database, session: Session):
        self._db, self._session = db, session
        self.path, self.read_only = db.path, False

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self._session

    reading = transaction


@dataclass
class ApplyResult:
    name: str
    package_id: str
    applied: bool
    values: int = 0
    justifications: int = 0
    evidence: int = 0
    conflicts_kept: int = 0
    conflicts_taken: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return {"archivo": self.name, "paquete": self.package_id, "aplicado": self.applied,
                "valores": self.values, "justificaciones": self.justifications, "evidencias": self.evidence,
                "conflictos_oficina": self.conflicts_kept, "conflictos_paquete": self.conflicts_taken,
                "error": self.error}


def apply_import(db: Database, actor: CurrentUser, previews: list[ResponsePreview], *,
                 conflicts: str = KEEP_OFFICE, resolutions: dict[tuple[int, str], str] | None = None,
                 today: date | None = None) -> list[ApplyResult]:
    """Apply the checked responses, one transaction per package. Conflicts keep the office's value unless
    ``conflicts`` is ``paquete`` or ``resolutions[(index of the preview, row key)]`` says so."""
    actor.require(Role.ADMINISTRADOR.value, Role.VALIDADOR.value, action=MSG["role_import"])
    resolutions = resolutions or {}
    results = []
    for n, pv in enumerate(previews):
        res = ApplyResult(pv.name, pv.package_id, False, error=pv.error)
        results.append(res)
        if pv.error or pv.package is None:
            continue
        take = [r for r in pv.values if r.kind in (KIND_NEW, KIND_CHANGED, KIND_CLEARED)
                or (r.kind == KIND_CONFLICT and resolutions.get((n, r.key), conflicts) == TAKE_PACKAGE)]
        res.conflicts_taken = sum(1 for r in take if r.kind == KIND_CONFLICT)
        res.conflicts_kept = len(pv.conflicts) - res.conflicts_taken
        just = [j for j in pv.justifications if j.kind != KIND_SAME]
        evid = [e for e in pv.evidence if e.kind != KIND_SAME]
        goals = [r for r in pv.goals if r.kind in (KIND_NEW, KIND_CHANGED, KIND_CLEARED)
                 or (r.kind == KIND_CONFLICT and resolutions.get((n, r.key), conflicts) == TAKE_PACKAGE)]
        goal_conflicts = sum(1 for r in pv.goals if r.kind == KIND_CONFLICT)
        res.conflicts_taken += sum(1 for r in goals if r.kind == KIND_CONFLICT)
        res.conflicts_kept += goal_conflicts - sum(1 for r in goals if r.kind == KIND_CONFLICT)
        take = take + goals  # GoalRow items are told apart in _apply_one
        if not (take or just or evid):
            res.applied = True  # nothing to change: a re-import is a no-op
            continue
        try:
            _apply_one(db, actor, pv, take, just, evid, today)
        except ServiceError as exc:
            res.error = str(exc) + ("".join(f"\n  - {d}" for d in exc.details[:20]) if exc.details else "")
            continue
        res.applied, res.values, res.justifications, res.evidence = True, len(take), len(just), len(evid)
    return results


def _apply_one(db, importer: CurrentUser, pv: ResponsePreview, take, just, evid, today) -> None:
    pkg = pv.package
    created: list[Path] = []
    try:
        with db.transaction() as s:
            user = s.scalars(select(User).where(User.name == pv.user)).one()
            capturista = CurrentUser(user.name, user.role, user.agency.key if user.agency else None)
            bound = _Bound(db, s)
            last_audit = s.scalar(select(func.max(AuditEntry.id))) or 0
            by_period: dict[str, list[ValueChange]] = {}
            goal_changes: dict[str, list[GoalChange]] = {}
            for r in take:
                if isinstance(r, GoalRow):
                    goal_changes.setdefault(r.period, []).append(GoalChange(r.project, r.goal, r.package))
                else:
                    by_period.setdefault(r.period, []).append(ValueChange(r.indicator, r.variable, r.package))
            for per, changes in by_period.items():
                save_values(bound, capturista, per, changes, today=today)
            for per, changes in goal_changes.items():
                save_values(bound, capturista, per, [], goals=changes, today=today)
            for j in just:
                f = j.fields
                justifications.save(bound, capturista, j.indicator, j.period, cause=f["causa"], effect=f["efecto"],
                                    other_reasons=f["otros_motivos"], improvement_actions=f["acciones_mejora"],
                                    fact=f["hecho"], projection=f["proyeccion"])
            if evid:
                folder = paths.evidence_dir(db.path) if db.path else None
                with tempfile.TemporaryDirectory(prefix="ses-paquete-") as tmp:
                    for k, e in enumerate(evid):
                        sub = Path(tmp) / str(k)
                        sub.mkdir()
                        src = sub / e.filename
                        src.write_bytes(pkg.members[e.member])
                        dest = (folder / f"{e.sha256[:2]}/{e.sha256}{src.suffix.lower()}") if folder else None
                        existed = dest is not None and dest.exists()
                        justifications.add_evidence(bound, capturista, e.indicator, e.period, src)
                        if dest is not None and not existed:
                            created.append(dest)
            reason = MSG["applied_reason"].format(pkg=pv.package_id, file=pv.name)
            s.flush()
            s.execute(update(AuditEntry).where(AuditEntry.id > last_audit, AuditEntry.reason == "")
                      .values(reason=reason))
            audit.record(s, importer, "paquete", pv.package_id, "importar", None,
                         MSG["imported"].format(values=len(take), just=len(just), ev=len(evid),
                                                conf=len(pv.conflicts) - sum(1 for r in take
                                                                             if r.kind == KIND_CONFLICT)),
                         action="importar_paquete", reason=f"{pv.name}: dependencia {pv.agency_key}, "
                                                           f"capturista {pv.user}")
    except BaseException:
        for p in created:  # files copied for a package that was rolled back
            p.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------------
# metas de actividad (issue 16): achieved values per quarter travel with the values

def _goal_index(s: Session, agency_id: int | None = None):
    """(proyecto key, meta key, quarter) -> ActivityGoalQuarter row data, and (proyecto, meta) -> goal id."""
    from ..db.models import ActivityGoal, ActivityGoalQuarter, Project

    q = (select(Project.key, ActivityGoal.key, ActivityGoal.id, Program.agency_id)
         .join(Project, Project.id == ActivityGoal.project_id).join(Program, Program.id == Project.program_id))
    if agency_id is not None:
        q = q.where(Program.agency_id == agency_id)
    goals = {(pk, gk): (gid, aid) for pk, gk, gid, aid in s.execute(q)}
    rows = {}
    if goals:
        by_id = {gid: key for key, (gid, _a) in goals.items()}
        for gq in s.scalars(select(ActivityGoalQuarter).where(ActivityGoalQuarter.goal_id.in_(list(by_id)))):
            rows[(*by_id[gq.goal_id], gq.period)] = gq
    return goals, rows


def _local_goal_captures(s: Session, base: dict[str, str]) -> list[tuple]:
    """Achieved values captured in this copy (differing from the last package's), kept across a re-open."""
    _goals, rows = _goal_index(s)
    return [(pk, gk, per, q.achieved, q.captured_by, q.captured_at) for (pk, gk, per), q in rows.items()
            if q.achieved is not None or base.get(f"{pk}|{gk}|{per}") is not None
            if base.get(f"{pk}|{gk}|{per}") != _dec_text(q.achieved)]


def _restore_goal_captures(s: Session, year: int, kept: list[tuple]) -> None:
    from ..db.models import ActivityGoalQuarter

    s.flush()
    goals, rows = _goal_index(s)
    for pk, gk, per, value, by, at in kept:
        hit = goals.get((pk, gk))
        if hit is None:
            continue  # the meta left the catalog
        q = rows.get((pk, gk, per))
        if q is None:
            q = ActivityGoalQuarter(goal_id=hit[0], period=per)
            s.add(q)
        q.achieved, q.captured_by, q.captured_at = value, by, at


def _response_goals(s: Session, agency: str, months: list[str], base: dict[str, str]) -> list[dict]:
    quarters = {q for q in (goal_quarter(m) for m in months) if q}
    if not quarters:
        return []
    agency_id = s.scalar(select(Agency.id).where(Agency.key == agency))
    goals, rows = _goal_index(s, agency_id)
    out = []
    for (pk, gk) in sorted(goals):
        for per in sorted(quarters):
            q = rows.get((pk, gk, per))
            got = q.achieved if q is not None else None
            b = base.get(f"{pk}|{gk}|{per}")
            if got is None and b is None:
                continue
            out.append({"proyecto": pk, "meta": gk, "periodo": per, "alcanzado": _dec_text(got), "base": b,
                        "capturado_por": q.captured_by if q is not None else "",
                        "capturado_en": q.captured_at.isoformat() if q is not None and q.captured_at else ""})
    return out


def _parse_goals(s: Session, pkg: fmt.Package, ag, months: set[str], problems: list[str]) -> list[tuple]:
    if pkg.data.get("metas") is None:
        return []
    items = _text_list(pkg, "metas")
    goals, _rows = _goal_index(s)
    out, seen = [], set()
    for n, r in enumerate(items, 1):
        where = f"metas[{n}]"
        pk, gk, per = str(r.get("proyecto")), str(r.get("meta")), r.get("periodo")
        hit = goals.get((pk, gk))
        if hit is None:
            problems.append(MSG["row_goal"].format(where=where, goal=f"{pk}/{gk}"))
            continue
        if hit[1] != ag.id:
            raise _Refused(MSG["foreign_goal"].format(name=pkg.name, a=ag.key, goal=f"{pk}/{gk}"))
        try:
            ok = isinstance(per, str) and goal_quarter(per) == per and workflow_month(per) in months
        except periods.PeriodError:
            ok = False
        if not ok:
            problems.append(MSG["row_period"].format(where=where, period=per, periods=", ".join(sorted(months))))
            continue
        nums = _row_numbers(r, ("alcanzado", "base"), where, problems)
        if nums is None:
            continue
        if (pk, gk, per) in seen:
            problems.append(MSG["row_goal_dup"].format(where=where, goal=f"{pk}/{gk}", period=per))
            continue
        seen.add((pk, gk, per))
        out.append((pk, gk, per, nums[0], nums[1], str(r.get("capturado_por", ""))))
    return out


def _classify_goals(s: Session, parsed: list[tuple], pv: ResponsePreview, ag, name: str) -> None:
    if not parsed:
        return
    _goals, rows = _goal_index(s, ag.id)
    states = {p: st for p, st in s.execute(select(PeriodState.period, PeriodState.status)
                                           .where(PeriodState.agency_id == ag.id))}
    for pk, gk, per, new, base, by in parsed:
        q = rows.get((pk, gk, per))
        cur = q.achieved if q is not None else None
        if new == cur:
            kind = KIND_SAME
        elif cur == base:
            kind = KIND_NEW if cur is None else (KIND_CLEARED if new is None else KIND_CHANGED)
        else:
            kind = KIND_CONFLICT
        if kind != KIND_SAME and states.get(workflow_month(per)) == PeriodStatus.CERRADO.value:
            raise _Refused(MSG["closed_goal"].format(name=name, period=periods.label(workflow_month(per)), a=ag.key,
                                                     goal=f"{pk}/{gk}"))
        pv.goals.append(GoalRow(pk, gk, per, kind, cur, new, base, q.captured_by if q is not None else "", by))


__all__ = ["create_packages", "open_package", "respond", "preview_import", "apply_import", "database_id",
           "copy_info", "month_range", "ResponsePreview", "ApplyResult", "KEEP_OFFICE", "TAKE_PACKAGE"]
