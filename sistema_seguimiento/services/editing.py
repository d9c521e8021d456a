"""Edit use cases of the desktop window: dependencias, programas, MIR objectives, indicators (every ficha
field), variables, calendarized targets, the Plan de Gobierno catalog and the organization settings.

Every function is ONE transaction (``db.transaction()``) with an audit entry and a role check, and returns
what the caller needs to undo it: ``update_*`` return the old value, ``delete_*`` return a snapshot dict that
the matching ``restore_*`` re-creates with the same keys, ``create_*`` return the new key (and accept it back
so a redo re-creates the same key).

Roles: administrador and validador create and edit programs, MIRs and fichas (indicators, variables, metas);
a capturista captures avances and justifications (services.capture) but creates or edits no program, MIR or
ficha — every use case here refuses it; consulta edits nothing. Catalogs (dependencias, Plan de Gobierno) need administrador
or validador; the organization settings need administrador.
"""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import periods
from ..core.limits import clip
from ..core.numbers import NumberParseError, number_limit_problem, parse_es_number
from ..core.types import (Accumulation, Dimension, Direction, FormulaType, Frequency, IndicatorType, Level,
                          ReportingMode, Role, VariableRole, label)
from ..core.validation import rule_message
from ..db.database import Database
from ..db.models import (Agency, Budget, Evidence, FiscalYear, Indicator, Justification, Measurement, Objective,
                         Organization, PeriodState, PlanElement, Program, Target, TrafficLightPreset, Variable)
from . import audit, conflicts
from .conflicts import NOT_SEEN
from .errors import NotFound, ServiceError, ValidationFailed
from .users import CurrentUser

ADMIN, VALID = Role.ADMINISTRADOR.value, Role.VALIDADOR.value

MSG = {
    # what another official changed meanwhile (services.conflicts)
    "what_agency": "el campo «{field}» de la dependencia {key}",
    "what_program": "el campo «{field}» del programa {key}",
    "what_objective": "{field} del objetivo {key}",
    "what_indicator": "el campo «{field}» del indicador {key}",
    "what_variable": "el campo «{field}» de la variable {key} del indicador {ind}",
    "what_target": "la meta de la variable {var} del indicador {ind} en {period}",
    "what_settings": "la configuración «{field}»",
    "no_program": "No existe el programa «{key}» en el ejercicio {year}.",
    "no_agency": "No existe la dependencia «{key}».",
    "no_objective": "No existe el objetivo «{key}» en el programa {program}.",
    "no_indicator": "No existe el indicador «{key}».",
    "no_variable": "El indicador {ind} no tiene la variable «{key}».",
    "no_plan": "No existe el elemento del plan solicitado.",
    "no_year": "La base de datos no tiene el ejercicio {year}.",
    "dup_agency": "Ya existe la dependencia con clave «{key}».",
    "dup_program": "Ya existe el programa «{key}» en el ejercicio {year}.",
    "dup_variable": "El indicador ya tiene una variable con el símbolo «{key}».",
    "required": "El campo «{field}» es obligatorio.",
    "bad_key": "La clave «{key}» no es válida: use letras, números, guion o punto, sin espacios.",
    "bad_symbol": ("El símbolo «{key}» no es válido: debe iniciar con letra y usar solo letras, números y guion "
                   "bajo (por ejemplo RA o LF_t1)."),
    "bad_choice": "El valor «{value}» no es válido para «{field}».",
    "bad_number": "«{value}» no es un número válido para «{field}».",
    "bad_year": "El año «{value}» no es válido.",
    "agency_has_programs": ("No se puede eliminar la dependencia {key}: tiene {n} programa(s). Elimínelos o "
                            "asígnelos a otra dependencia primero."),
    "bad_level": "Un objetivo de nivel {level} no puede agregarse aquí.",
    "one_only": "La MIR ya tiene un {level}; solo puede haber uno.",
    "activity_parent": "Una Actividad debe depender de un Componente.",
    "not_activity": "Solo las Actividades se pueden mover a otro Componente.",
    "unknown_field": "El campo «{field}» no se puede editar.",
    "reason": rule_message("MET-006") + " Escriba el motivo de la modificación.",
    "plan_parent": "Un {kind} debe depender de un {parent}.",
    "no_fiscal_year": "Escriba un ejercicio fiscal entre 1990 y 2200.",
}

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
_SYMBOL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
LEVEL_PREFIX = {"FIN": "F", "PROPOSITO": "P", "COMPONENTE": "C", "ACTIVIDAD": "A"}


# --------------------------------------------------------------------------------------------------
# helpers

def _year(session: Session, year: int | None) -> FiscalYear:
    q = select(FiscalYear).order_by(FiscalYear.year.desc())
    if year is not None:
        q = select(FiscalYear).where(FiscalYear.year == year)
    fy = session.scalars(q).first()
    if fy is None:
        raise NotFound(MSG["no_year"].format(year=year))
    return fy


def _found(session: Session, stmt, message: str):
    """The first row of ``stmt``, or NotFound with ``message`` (Spanish)."""
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(message)
    return row


def _locked(stmt, lock: bool):
    """``lock``: the row stays locked until the transaction ends (a server; SQLite has one writer at a time), so
    that two officials saving the same record at the same moment are checked one after the other
    (services.conflicts): the second sees the first one's value, never the one both had read."""
    return stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt


def _program(session: Session, year: int | None, key: str, lock: bool = False) -> Program:
    fy = _year(session, year)
    return _found(session, _locked(select(Program).where(Program.fiscal_year_id == fy.id, Program.key == key), lock),
                  MSG["no_program"].format(key=key, year=fy.year))


def _agency(session: Session, key: str, lock: bool = False) -> Agency:
    return _found(session, _locked(select(Agency).where(Agency.key == key), lock), MSG["no_agency"].format(key=key))


def _objective(session: Session, program: Program, key: str) -> Objective:
    return _found(session, select(Objective).where(Objective.program_id == program.id, Objective.key == key),
                  MSG["no_objective"].format(key=key, program=program.key))


def _indicator(session: Session, key: str, lock: bool = False) -> Indicator:
    return _found(session, _locked(select(Indicator).where(Indicator.key == key), lock),
                  MSG["no_indicator"].format(key=key))


def _variable(session: Session, ind: Indicator, key: str) -> Variable:
    return _found(session, select(Variable).where(Variable.indicator_id == ind.id, Variable.key == key),
                  MSG["no_variable"].format(ind=ind.key, key=key))


EDITORS = (ADMIN, VALID)  # who designs programs, MIRs and fichas (README, «Roles»)


def can_edit_program(actor: CurrentUser, agency_key: str | None = None) -> bool:
    """True when ``actor`` may create or edit programs, MIRs and fichas (the capturista only captures)."""
    return actor.role in EDITORS


def _check_program(session: Session, actor: CurrentUser, program: Program, action: str = "editar programas") -> None:
    actor.require(*EDITORS, action=action)


def _program_of_indicator(session: Session, ind: Indicator) -> Program:
    obj = session.get(Objective, ind.objective_id)
    return session.get(Program, obj.program_id)


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not _KEY_RE.match(key):
        raise ValidationFailed(MSG["bad_key"].format(key=key))
    return key


def _required(value: Any, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise ValidationFailed(MSG["required"].format(field=field))
    return text


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        d = parse_es_number(value) if not isinstance(value, Decimal) else value
    except (NumberParseError, ValueError):
        raise ValidationFailed(MSG["bad_number"].format(value=clip(value), field=field)) from None
    problem = number_limit_problem(d, value)  # core.limits: digits a spreadsheet keeps exactly
    if problem:
        raise ValidationFailed(f"{field}: {problem}")
    return d


def _int(value: Any, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValidationFailed(MSG["bad_number"].format(value=value, field=field)) from None
    if not 1900 <= n <= 2200 and field.lower().startswith("año"):
        raise ValidationFailed(MSG["bad_year"].format(value=value))
    return n


def _choice(value: Any, enum, field: str) -> str:
    v = str(value or "").strip()
    if v not in enum._value2member_map_:
        raise ValidationFailed(MSG["bad_choice"].format(value=value, field=field))
    return v


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in (value or []) if str(v).strip()]


def _row(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _touch(ind: Indicator) -> None:
    """A ficha changed: approved fichas go back to a new version."""
    if ind.status == "aprobada":
        ind.status = "borrador"
        ind.version = (ind.version or 1) + 1


# --------------------------------------------------------------------------------------------------
# snapshots: rows of a subtree, re-created with fresh ids and the same keys

_CHILD_TABLES = [  # (model, parent column, parent model)
    (Budget, "program_id", Program), (Indicator, "objective_id", Objective), (Variable, "indicator_id", Indicator),
    (Target, "variable_id", Variable), (Measurement, "variable_id", Variable),
    (Justification, "indicator_id", Indicator), (Evidence, "indicator_id", Indicator),
]


def _collect(session: Session, *, programs: list[Program] = (), objectives: list[Objective] = (),
             indicators: list[Indicator] = ()) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {t.__tablename__: [] for t in (Program, Budget, Objective, Indicator, Variable,
                                                                  Target, Measurement, Justification, Evidence)}
    rows["program"] = [_row(p) for p in programs]
    prog_ids = [p.id for p in programs]
    objs = list(objectives)
    if prog_ids:
        objs += list(session.scalars(select(Objective).where(Objective.program_id.in_(prog_ids))))
    # objectives whose parent is in the set (activities of a componente)
    ids = {o.id for o in objs}
    frontier = list(ids)
    while frontier:
        kids = list(session.scalars(select(Objective).where(Objective.parent_id.in_(frontier))))
        kids = [k for k in kids if k.id not in ids]
        objs += kids
        ids |= {k.id for k in kids}
        frontier = [k.id for k in kids]
    # parents first
    by_id = {o.id: o for o in objs}

    def depth(o):
        d = 0
        while o.parent_id in by_id:
            o = by_id[o.parent_id]
            d += 1
        return d

    rows["objective"] = [_row(o) for o in sorted(objs, key=depth)]
    if prog_ids:
        rows["budget"] = [_row(b) for b in session.scalars(select(Budget).where(Budget.program_id.in_(prog_ids)))]
    inds = list(indicators)
    if ids:
        inds += list(session.scalars(select(Indicator).where(Indicator.objective_id.in_(ids))))
    rows["indicator"] = [_row(i) for i in inds]
    iids = [i.id for i in inds]
    if iids:
        variables = list(session.scalars(select(Variable).where(Variable.indicator_id.in_(iids))))
        rows["variable"] = [_row(v) for v in variables]
        vids = [v.id for v in variables]
        if vids:
            rows["target"] = [_row(t) for t in session.scalars(select(Target).where(Target.variable_id.in_(vids)))]
            rows["measurement"] = [_row(m) for m in
                                   session.scalars(select(Measurement).where(Measurement.variable_id.in_(vids)))]
        rows["justification"] = [_row(j) for j in
                                 session.scalars(select(Justification).where(Justification.indicator_id.in_(iids)))]
        rows["evidence"] = [_row(e) for e in session.scalars(select(Evidence).where(Evidence.indicator_id.in_(iids)))]
    return rows


_FK = {"budget": [("program_id", "program")], "objective": [("program_id", "program"), ("parent_id", "objective")],
       "indicator": [("objective_id", "objective")], "variable": [("indicator_id", "indicator")],
       "target": [("variable_id", "variable")], "measurement": [("variable_id", "variable")],
       "justification": [("indicator_id", "indicator")], "evidence": [("indicator_id", "indicator")]}
_MODELS = {m.__tablename__: m for m in (Program, Budget, Objective, Indicator, Variable, Target, Measurement,
                                         Justification, Evidence)}


def _recreate(session: Session, rows: dict[str, list[dict]]) -> None:
    maps: dict[str, dict[int, int]] = {name: {} for name in _MODELS}
    for name in ("program", "budget", "objective", "indicator", "variable", "target", "measurement",
                 "justification", "evidence"):
        model = _MODELS[name]
        for row in rows.get(name, []):
            data = dict(row)
            old_id = data.pop("id")
            for col, ref in _FK.get(name, []):
                if data.get(col) is not None and data[col] in maps[ref]:
                    data[col] = maps[ref][data[col]]
            obj = model(**data)
            session.add(obj)
            session.flush()
            maps[name][old_id] = obj.id


def _count_rows(rows: dict[str, list[dict]]) -> str:
    parts = []
    for name, text in (("objective", "objetivos"), ("indicator", "indicadores"), ("target", "metas"),
                       ("measurement", "avances capturados"), ("justification", "justificaciones"),
                       ("evidence", "evidencias")):
        n = len(rows.get(name, []))
        if n:
            parts.append(f"{n} {text}")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------------
# dependencias

AGENCY_FIELDS = {"name": "Nombre", "acronym": "Siglas", "head": "Titular", "requires_evidence": "Requiere evidencia",
                 "key": "Clave"}


def create_agency(db: Database, actor: CurrentUser, *, key: str, name: str, acronym: str = "", head: str = "",
                  requires_evidence: bool = False) -> str:
    actor.require(ADMIN, VALID, action="crear dependencias")
    key = _check_key(key)
    name = _required(name, "Nombre")
    with db.transaction() as s:
        if s.scalars(select(Agency).where(Agency.key == key)).first():
            raise ValidationFailed(MSG["dup_agency"].format(key=key))
        s.add(Agency(key=key, name=name, acronym=(acronym or "").strip(), head=(head or "").strip(),
                     requires_evidence=bool(requires_evidence)))
        audit.record(s, actor, "dependencia", key, "", None, name, action="crear")
    return key


def update_agency(db: Database, actor: CurrentUser, key: str, field: str, value: Any, *,
                  expected: Any = NOT_SEEN) -> Any:
    """Change one field; ``expected`` (the value the form showed) makes a change by someone else meanwhile a
    ``ConflictError`` (services.conflicts) instead of an overwrite. Returns the old value (for undo)."""
    actor.require(ADMIN, VALID, action="editar dependencias")
    if field not in AGENCY_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        a = _agency(s, key, lock=True)
        old = getattr(a, field)
        if field == "key":
            value = _check_key(value)
            if value != key and s.scalars(select(Agency).where(Agency.key == value)).first():
                raise ValidationFailed(MSG["dup_agency"].format(key=value))
        elif field == "name":
            value = _required(value, "Nombre")
        elif field == "requires_evidence":
            value = bool(value)
        else:
            value = (value or "").strip()
        setattr(a, field, value)
        conflicts.check(s, what=MSG["what_agency"].format(field=AGENCY_FIELDS.get(field, field), key=key),
                        current=old, expected=expected, new=value, entity="dependencia", key=key, field=field)
        audit.record(s, actor, "dependencia", key, field, old, value)
    return old


def delete_agency(db: Database, actor: CurrentUser, key: str) -> dict:
    actor.require(ADMIN, VALID, action="eliminar dependencias")
    with db.transaction() as s:
        a = _agency(s, key)
        n = s.scalar(select(func.count()).select_from(Program).where(Program.agency_id == a.id))
        if n:
            raise ServiceError(MSG["agency_has_programs"].format(key=key, n=n))
        snap = {"kind": "agency", "row": _row(a)}
        s.delete(a)
        audit.record(s, actor, "dependencia", key, "", a.name, None, action="eliminar")
    return snap


def restore_agency(db: Database, actor: CurrentUser, snapshot: dict) -> str:
    actor.require(ADMIN, VALID, action="crear dependencias")
    data = dict(snapshot["row"])
    data.pop("id", None)
    with db.transaction() as s:
        s.add(Agency(**data))
        audit.record(s, actor, "dependencia", data["key"], "", None, data["name"], action="restaurar")
    return data["key"]


# --------------------------------------------------------------------------------------------------
# programas

PROGRAM_FIELDS = {"key": "Clave", "modality": "Modalidad", "name": "Nombre", "responsible": "Responsable",
                  "agency_key": "Dependencia", "problem": "Problema", "target_population": "Población objetivo",
                  "plan_element_id": "Alineación al Plan", "budget_approved": "Presupuesto aprobado",
                  "budget_modified": "Presupuesto modificado", "budget_exercised": "Presupuesto ejercido",
                  "preset_key": "Parámetros de semaforización"}


def _budget_row(s: Session, p: Program, year: int) -> Budget | None:
    return s.scalars(select(Budget).where(Budget.program_id == p.id, Budget.period == str(year))).first()


def create_program(db: Database, actor: CurrentUser, year: int | None, *, key: str, name: str, agency_key: str,
                   modality: str = "", responsible: str = "", plan_element_id: int | None = None,
                   budget_approved: Any = None, with_mir: bool = True) -> str:
    """A new program; with ``with_mir`` it gets an empty Fin and Propósito to start the matrix."""
    key = _check_key(key)
    name = _required(name, "Nombre")
    modality = (modality or (key[:1] if key[:1].isalpha() else "")).strip().upper()
    approved = _decimal(budget_approved, "Presupuesto aprobado")
    with db.transaction() as s:
        fy = _year(s, year)
        ag = _agency(s, agency_key)
        actor.require(*EDITORS, action="crear programas")
        if s.scalars(select(Program).where(Program.fiscal_year_id == fy.id, Program.key == key)).first():
            raise ValidationFailed(MSG["dup_program"].format(key=key, year=fy.year))
        order = (s.scalar(select(func.max(Program.order)).where(Program.fiscal_year_id == fy.id)) or 0) + 1
        p = Program(fiscal_year_id=fy.id, agency_id=ag.id, key=key, modality=modality, name=name,
                    responsible=(responsible or "").strip(), plan_element_id=plan_element_id, order=order,
                    alignment_text={})
        s.add(p)
        s.flush()
        if approved is not None:
            s.add(Budget(program_id=p.id, period=str(fy.year), approved=approved))
        if with_mir:
            fin = Objective(program_id=p.id, key=f"{key}-F", level="FIN", text="", assumptions=[], order=1)
            s.add(fin)
            s.flush()
            s.add(Objective(program_id=p.id, parent_id=fin.id, key=f"{key}-P", level="PROPOSITO", text="",
                            assumptions=[], order=1))
        audit.record(s, actor, "programa", key, "", None, name, action="crear")
    return key


def program_values(db: Database, year: int | None, key: str) -> dict:
    """Every editable field of a program (for the form)."""
    with db.reading() as s:
        p = _program(s, year, key)
        ag = s.get(Agency, p.agency_id) if p.agency_id else None
        b = _budget_row(s, p, p.fiscal_year.year)
        return {"key": p.key, "modality": p.modality, "name": p.name, "responsible": p.responsible,
                "agency_key": ag.key if ag else None, "problem": p.problem, "target_population": p.target_population,
                "plan_element_id": p.plan_element_id, "preset_key": p.preset_key,
                "alignment_text": dict(p.alignment_text or {}),
                "budget_approved": b.approved if b else None, "budget_modified": b.modified if b else None,
                "budget_exercised": b.exercised if b else None}


def update_program(db: Database, actor: CurrentUser, year: int | None, key: str, field: str, value: Any, *,
                   expected: Any = NOT_SEEN) -> Any:
    if field not in PROGRAM_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        p = _program(s, year, key, lock=True)
        _check_program(s, actor, p)
        if field.startswith("budget_"):
            col = {"budget_approved": "approved", "budget_modified": "modified", "budget_exercised": "exercised"}[field]
            value = _decimal(value, PROGRAM_FIELDS[field])
            b = _budget_row(s, p, p.fiscal_year.year)
            old = getattr(b, col) if b else None
            if b is None:
                b = Budget(program_id=p.id, period=str(p.fiscal_year.year))
                s.add(b)
            setattr(b, col, value)
        elif field == "agency_key":
            ag = _agency(s, value)
            old_ag = s.get(Agency, p.agency_id) if p.agency_id else None
            old = old_ag.key if old_ag else None
            p.agency_id = ag.id
        elif field == "plan_element_id":
            old = p.plan_element_id
            if value is not None and s.get(PlanElement, int(value)) is None:
                raise NotFound(MSG["no_plan"])
            p.plan_element_id = None if value is None else int(value)
        elif field == "preset_key":
            old = p.preset_key
            if value and s.get(TrafficLightPreset, value) is None:
                raise ValidationFailed(MSG["bad_choice"].format(value=value, field=PROGRAM_FIELDS[field]))
            p.preset_key = value or None
        else:
            old = getattr(p, field)
            if field == "key":
                value = _check_key(value)
                if value != key and s.scalars(select(Program).where(Program.fiscal_year_id == p.fiscal_year_id,
                                                                    Program.key == value)).first():
                    raise ValidationFailed(MSG["dup_program"].format(key=value, year=p.fiscal_year.year))
            elif field == "name":
                value = _required(value, "Nombre")
            elif field == "modality":
                value = (value or "").strip().upper()[:4]
            else:
                value = (value or "").strip()
            setattr(p, field, value)
        conflicts.check(s, what=MSG["what_program"].format(field=PROGRAM_FIELDS[field], key=key), current=old,
                        expected=expected, new=value, entity="programa", key=key, field=field)
        audit.record(s, actor, "programa", key, field, old, value)
    return old


def delete_program(db: Database, actor: CurrentUser, year: int | None, key: str) -> dict:
    with db.transaction() as s:
        p = _program(s, year, key)
        _check_program(s, actor, p, action="eliminar programas")
        rows = _collect(s, programs=[p])
        snap = {"kind": "program", "year": p.fiscal_year.year, "key": key, "rows": rows,
                "summary": _count_rows(rows)}
        # activities first (objective.parent_id is RESTRICT)
        objs = sorted(s.scalars(select(Objective).where(Objective.program_id == p.id)),
                      key=lambda o: -["FIN", "PROPOSITO", "COMPONENTE", "ACTIVIDAD"].index(o.level))
        for o in objs:
            s.delete(o)
            s.flush()
        s.delete(p)
        audit.record(s, actor, "programa", key, "", p.name, None, action="eliminar")
    return snap


def deletion_summary(db: Database, year: int | None, kind: str, key: str, program_key: str | None = None) -> str:
    """What a delete would take with it, in Spanish, for the confirmation question."""
    with db.reading() as s:
        if kind == "program":
            rows = _collect(s, programs=[_program(s, year, key)])
        elif kind == "objective":
            rows = _collect(s, objectives=[_objective(s, _program(s, year, program_key), key)])
        elif kind == "indicator":
            rows = _collect(s, indicators=[_indicator(s, key)])
        else:
            return ""
    return _count_rows(rows)


def restore_program(db: Database, actor: CurrentUser, snapshot: dict) -> str:
    rows = snapshot["rows"]
    with db.transaction() as s:
        prog = rows["program"][0]
        actor.require(*EDITORS, action="crear programas")
        _recreate(s, rows)
        audit.record(s, actor, "programa", prog["key"], "", None, prog["name"], action="restaurar")
    return prog["key"]


# --------------------------------------------------------------------------------------------------
# objetivos (MIR rows)

def _next_key(s: Session, program: Program, level: str, parent: Objective | None) -> str:
    existing = set(s.scalars(select(Objective.key).where(Objective.program_id == program.id)))
    if level == "COMPONENTE":
        n = 1
        while f"{program.key}-C{n}" in existing:
            n += 1
        return f"{program.key}-C{n}"
    if level == "ACTIVIDAD":
        c = parent.key.rsplit("-C", 1)[-1] if parent is not None and "-C" in parent.key else "0"
        n = 1
        while f"{program.key}-A{c}{n}" in existing:
            n += 1
        return f"{program.key}-A{c}{n}"
    base = f"{program.key}-{LEVEL_PREFIX[level]}"
    key, n = base, 2
    while key in existing:
        key = f"{base}{n}"
        n += 1
    return key


def add_objective(db: Database, actor: CurrentUser, year: int | None, program_key: str, level: str,
                  parent_key: str | None = None, text: str = "", *, key: str | None = None) -> str:
    level = _choice(level, Level, "Nivel")
    with db.transaction() as s:
        p = _program(s, year, program_key)
        _check_program(s, actor, p)
        objs = list(s.scalars(select(Objective).where(Objective.program_id == p.id)))
        parent = None
        if level in ("FIN", "PROPOSITO"):
            if any(o.level == level for o in objs):
                raise ValidationFailed(MSG["one_only"].format(level=label(level)))
            if level == "PROPOSITO":
                parent = next((o for o in objs if o.level == "FIN"), None)
        elif level == "COMPONENTE":
            parent = next((o for o in objs if o.level == "PROPOSITO"), None)
        else:
            parent = next((o for o in objs if o.key == parent_key), None)
            if parent is None or parent.level != "COMPONENTE":
                raise ValidationFailed(MSG["activity_parent"])
        siblings = [o for o in objs if o.level == level and (level != "ACTIVIDAD" or o.parent_id == parent.id)]
        key = key or _next_key(s, p, level, parent)
        obj = Objective(program_id=p.id, parent_id=parent.id if parent else None, key=key, level=level,
                        text=(text or "").strip(), assumptions=[], order=max([o.order for o in siblings], default=0) + 1)
        s.add(obj)
        audit.record(s, actor, "objetivo", key, "", None, label(level), action="crear")
    return key


def update_objective(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str, field: str,
                     value: Any, *, expected: Any = NOT_SEEN) -> Any:
    if field not in ("text", "assumptions"):
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        p = _program(s, year, program_key, lock=True)
        _check_program(s, actor, p)
        o = _objective(s, p, key)
        old = list(o.assumptions or []) if field == "assumptions" else o.text
        value = _lines(value) if field == "assumptions" else (value or "").strip()
        setattr(o, field, value)
        conflicts.check(s, what=MSG["what_objective"].format(
                            field="el resumen narrativo" if field == "text" else "los supuestos", key=key),
                        current=old, expected=expected, new=value, entity="objetivo", key=key, field=field)
        audit.record(s, actor, "objetivo", key, field, old, value)
    return old


def delete_objective(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str) -> dict:
    with db.transaction() as s:
        p = _program(s, year, program_key)
        _check_program(s, actor, p)
        o = _objective(s, p, key)
        rows = _collect(s, objectives=[o])
        snap = {"kind": "objective", "year": p.fiscal_year.year, "program": program_key, "key": key, "rows": rows,
                "summary": _count_rows(rows)}
        kids = list(s.scalars(select(Objective).where(Objective.parent_id == o.id)))
        for k in kids:
            grandkids = list(s.scalars(select(Objective).where(Objective.parent_id == k.id)))
            for g in grandkids:
                s.delete(g)
            s.flush()
            s.delete(k)
        s.flush()
        s.delete(o)
        audit.record(s, actor, "objetivo", key, "", o.text, None, action="eliminar")
    return snap


def restore_objective(db: Database, actor: CurrentUser, snapshot: dict) -> str:
    rows = snapshot["rows"]
    with db.transaction() as s:
        p = _program(s, snapshot["year"], snapshot["program"])
        _check_program(s, actor, p)
        _recreate(s, rows)
        audit.record(s, actor, "objetivo", snapshot["key"], "", None, "", action="restaurar")
    return snapshot["key"]


def move_objective(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str, delta: int) -> int:
    """Move a Componente or Actividad up (-1) or down (+1) among its siblings; returns the applied delta
    (0 at an edge), so the undo is ``move_objective(..., -returned)``."""
    with db.transaction() as s:
        p = _program(s, year, program_key)
        _check_program(s, actor, p)
        o = _objective(s, p, key)
        sibs = sorted(s.scalars(select(Objective).where(Objective.program_id == p.id, Objective.level == o.level,
                                                        Objective.parent_id.is_(o.parent_id) if o.parent_id is None
                                                        else Objective.parent_id == o.parent_id)),
                      key=lambda x: (x.order, x.id))
        i = sibs.index(o)
        j = max(0, min(len(sibs) - 1, i + delta))
        if i == j:
            return 0
        sibs.insert(j, sibs.pop(i))
        for n, x in enumerate(sibs, 1):
            x.order = n
        audit.record(s, actor, "objetivo", key, "orden", i + 1, j + 1)
    return j - i


def move_activity(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str,
                  new_parent_key: str) -> str:
    """Move an Actividad to another Componente (at the end); returns the old Componente's key."""
    with db.transaction() as s:
        p = _program(s, year, program_key)
        _check_program(s, actor, p)
        o = _objective(s, p, key)
        if o.level != "ACTIVIDAD":
            raise ValidationFailed(MSG["not_activity"])
        new_parent = _objective(s, p, new_parent_key)
        if new_parent.level != "COMPONENTE":
            raise ValidationFailed(MSG["activity_parent"])
        old_parent = s.get(Objective, o.parent_id)
        last = s.scalar(select(func.max(Objective.order)).where(Objective.parent_id == new_parent.id)) or 0
        o.parent_id = new_parent.id
        o.order = last + 1
        audit.record(s, actor, "objetivo", key, "componente", old_parent.key if old_parent else None, new_parent.key)
    return old_parent.key if old_parent else ""


# --------------------------------------------------------------------------------------------------
# indicadores (ficha técnica)

INDICATOR_FIELDS: dict[str, str] = {
    "name": "Nombre del indicador", "definition": "Definición", "formula_type": "Tipo de fórmula",
    "formula": "Método de cálculo", "unit": "Unidad de medida", "type": "Tipo de indicador",
    "dimension": "Dimensión", "direction": "Sentido", "frequency": "Frecuencia de medición",
    "reporting_mode": "Acumulado o periódico", "baseline_value": "Valor de la línea base",
    "baseline_year": "Año de la línea base", "baseline_period": "Periodo de la línea base",
    "baseline_note": "Nota de la línea base", "baseline_unavailable": "Línea base no disponible",
    "annual_target": "Meta anual", "verification_sources": "Medios de verificación",
    "preset_key": "Parámetros de semaforización", "disaggregation": "Nivel de desagregación",
    "geographic_coverage": "Cobertura geográfica", "data_availability": "Disponibilidad de la información",
    "measurement_owner": "Responsable de la medición", "benchmark": "Factor de comparación",
    "interpretation": "Interpretación", "notes": "Observaciones", "natural_cap": "Tope natural",
    "base_year": "Año base (frecuencias multianuales)", "history": "Serie histórica",
    "multi_year_targets": "Metas intermedias / sexenales", "created_on": "Fecha de alta", "status": "Estado",
    "objective_key": "Objetivo (nivel de la MIR)",
}
_ENUM_FIELDS = {"formula_type": FormulaType, "type": IndicatorType, "dimension": Dimension, "direction": Direction,
                "frequency": Frequency, "reporting_mode": ReportingMode}


def _clean_indicator_value(s: Session, ind: Indicator, field: str, value: Any) -> Any:
    title = INDICATOR_FIELDS[field]
    if field in _ENUM_FIELDS:
        if field in ("formula_type", "type", "dimension") and (value is None or value == ""):
            return ""
        return _choice(value, _ENUM_FIELDS[field], title)
    if field in ("baseline_value", "annual_target", "natural_cap"):
        return _decimal(value, title)
    if field in ("baseline_year", "base_year"):
        return _int(value, "Año")
    if field == "baseline_unavailable":
        return bool(value)
    if field == "verification_sources":
        return _lines(value)
    if field in ("history", "multi_year_targets"):
        if isinstance(value, str):
            out = []
            for line in value.splitlines():
                if not line.strip():
                    continue
                left, _, right = line.partition(":")
                year = _int(left, "Año")
                out.append({"anio": year, "valor": format(_decimal(right, title), "f") if right.strip() else None})
            return out
        return list(value or [])
    if field == "status":
        if value not in ("borrador", "aprobada"):
            raise ValidationFailed(MSG["bad_choice"].format(value=value, field=title))
        return value
    if field == "preset_key":
        if value and s.get(TrafficLightPreset, value) is None:
            raise ValidationFailed(MSG["bad_choice"].format(value=value, field=title))
        return value or None
    if field == "baseline_period":
        v = (value or "").strip()
        if v:
            try:
                periods.parse(v)
            except Exception:  # noqa: BLE001 - any malformed id
                raise ValidationFailed(MSG["bad_choice"].format(value=v, field=title)) from None
        return v or None
    if field == "created_on":
        return (value or "").strip() or None
    if field == "name":
        v = (value or "").strip()
        if len(v) > 250:
            raise ValidationFailed("El nombre del indicador admite hasta 250 caracteres.")
        return v
    return (value or "").strip() if isinstance(value, str) or value is None else value


def add_indicator(db: Database, actor: CurrentUser, year: int | None, program_key: str, objective_key: str,
                  name: str = "", *, key: str | None = None) -> str:
    with db.transaction() as s:
        p = _program(s, year, program_key)
        _check_program(s, actor, p)
        o = _objective(s, p, objective_key)
        if key is None:
            n = 1
            existing = set(s.scalars(select(Indicator.key).where(Indicator.key.like(f"{o.key}-%"))))
            while f"{o.key}-{n:02d}" in existing:
                n += 1
            key = f"{o.key}-{n:02d}"
        elif s.scalars(select(Indicator).where(Indicator.key == key)).first():
            raise ValidationFailed(f"Ya existe el indicador «{key}».")
        order = (s.scalar(select(func.max(Indicator.order)).where(Indicator.objective_id == o.id)) or 0) + 1
        typ = "estrategico" if o.level in ("FIN", "PROPOSITO") else "gestion"
        freq = {"FIN": "anual", "PROPOSITO": "anual", "COMPONENTE": "trimestral"}.get(o.level, "mensual")
        if freq == "mensual":  # a trimestral state profile (Edomex) follows its indicators by quarter (issue 16)
            from .profiles import current

            if current(s).calendar == "trimestral":
                freq = "trimestral"
        s.add(Indicator(objective_id=o.id, key=key, order=order, name=(name or "").strip(), type=typ,
                        frequency=freq, direction="ascendente", verification_sources=[], history=[],
                        multi_year_targets=[], created_on=datetime.now().date().isoformat(), version=1,
                        status="borrador"))
        audit.record(s, actor, "indicador", key, "", None, name, action="crear")
    return key


def indicator_values(db: Database, key: str) -> dict:
    """Every ficha field of an indicator plus its context (program, level, objective, variables, targets)."""
    with db.reading() as s:
        ind = _indicator(s, key)
        obj = s.get(Objective, ind.objective_id)
        p = s.get(Program, obj.program_id)
        ag = s.get(Agency, p.agency_id) if p.agency_id else None
        out = _row(ind)
        out.update(objective_key=obj.key, objective_text=obj.text, level=obj.level, program_key=p.key,
                   program_name=p.name, modality=p.modality, agency_key=ag.key if ag else None,
                   agency_name=ag.name if ag else "", fiscal_year=p.fiscal_year.year,
                   assumptions=list(obj.assumptions or []))
        variables = list(s.scalars(select(Variable).where(Variable.indicator_id == ind.id).order_by(Variable.order,
                                                                                                    Variable.id)))
        out["variables"] = [_row(v) for v in variables]
        targets: dict[str, dict[str, Decimal]] = {}
        if variables:
            by_id = {v.id: v.key for v in variables}
            for t in s.scalars(select(Target).where(Target.variable_id.in_(list(by_id)))):
                targets.setdefault(t.period, {})[by_id[t.variable_id]] = t.value
        out["targets"] = targets
        out["closed_periods"] = sorted(closed_months(s, p))
        return out


def update_indicator(db: Database, actor: CurrentUser, key: str, field: str, value: Any, *,
                     expected: Any = NOT_SEEN) -> Any:
    if field not in INDICATOR_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        ind = _indicator(s, key, lock=True)
        p = _program_of_indicator(s, ind)
        _check_program(s, actor, p)
        if field == "objective_key":
            old = s.get(Objective, ind.objective_id).key
            o = _objective(s, p, value)
            ind.objective_id = o.id
            new = o.key
        else:
            old = getattr(ind, field)
            if isinstance(old, list):
                old = list(old)
            new = _clean_indicator_value(s, ind, field, value)
            setattr(ind, field, new)
            if field == "annual_target" and ind.annual_target_original is None:
                ind.annual_target_original = new
        if field != "status":
            _touch(ind)
        conflicts.check(s, what=MSG["what_indicator"].format(field=INDICATOR_FIELDS[field], key=key), current=old,
                        expected=expected, new=new, entity="indicador", key=key, field=field)
        audit.record(s, actor, "indicador", key, field, old, new)
    return old


def delete_indicator(db: Database, actor: CurrentUser, key: str) -> dict:
    with db.transaction() as s:
        ind = _indicator(s, key)
        p = _program_of_indicator(s, ind)
        _check_program(s, actor, p)
        rows = _collect(s, indicators=[ind])
        snap = {"kind": "indicator", "key": key, "program": p.key, "rows": rows, "summary": _count_rows(rows)}
        s.delete(ind)
        audit.record(s, actor, "indicador", key, "", ind.name, None, action="eliminar")
    return snap


def restore_indicator(db: Database, actor: CurrentUser, snapshot: dict) -> str:
    with db.transaction() as s:
        obj = s.get(Objective, snapshot["rows"]["indicator"][0]["objective_id"])
        if obj is None:
            raise NotFound(MSG["no_indicator"].format(key=snapshot["key"]))
        _check_program(s, actor, s.get(Program, obj.program_id))
        _recreate(s, snapshot["rows"])
        audit.record(s, actor, "indicador", snapshot["key"], "", None, "", action="restaurar")
    return snapshot["key"]


# --------------------------------------------------------------------------------------------------
# variables

VARIABLE_FIELDS = {"key": "Símbolo", "name": "Nombre", "description": "Descripción", "unit": "Unidad de medida",
                   "source": "Fuente", "role": "Rol", "accumulation": "Acumulación", "integer_only": "Solo enteros",
                   "allow_negative": "Admite negativos"}


def add_variable(db: Database, actor: CurrentUser, indicator_key: str, key: str, *, role: str = "valor",
                 accumulation: str = "suma", name: str = "", description: str = "", unit: str = "",
                 source: str = "") -> str:
    key = (key or "").strip()
    if not _SYMBOL_RE.match(key):
        raise ValidationFailed(MSG["bad_symbol"].format(key=key))
    role = _choice(role, VariableRole, "Rol")
    accumulation = _choice(accumulation, Accumulation, "Acumulación")
    with db.transaction() as s:
        ind = _indicator(s, indicator_key)
        _check_program(s, actor, _program_of_indicator(s, ind))
        if s.scalars(select(Variable).where(Variable.indicator_id == ind.id, Variable.key == key)).first():
            raise ValidationFailed(MSG["dup_variable"].format(key=key))
        order = (s.scalar(select(func.max(Variable.order)).where(Variable.indicator_id == ind.id)) or 0) + 1
        s.add(Variable(indicator_id=ind.id, key=key, role=role, accumulation=accumulation, name=name.strip(),
                       description=description.strip(), unit=unit.strip(), source=source.strip(), order=order))
        _touch(ind)
        audit.record(s, actor, "variable", f"{indicator_key}/{key}", "", None, key, action="crear")
    return key


def update_variable(db: Database, actor: CurrentUser, indicator_key: str, key: str, field: str, value: Any, *,
                    expected: Any = NOT_SEEN) -> Any:
    if field not in VARIABLE_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        ind = _indicator(s, indicator_key, lock=True)
        _check_program(s, actor, _program_of_indicator(s, ind))
        v = _variable(s, ind, key)
        old = getattr(v, field)
        if field == "key":
            value = (value or "").strip()
            if not _SYMBOL_RE.match(value):
                raise ValidationFailed(MSG["bad_symbol"].format(key=value))
            if value != key and s.scalars(select(Variable).where(Variable.indicator_id == ind.id,
                                                                 Variable.key == value)).first():
                raise ValidationFailed(MSG["dup_variable"].format(key=value))
        elif field == "role":
            value = _choice(value, VariableRole, "Rol")
        elif field == "accumulation":
            value = _choice(value, Accumulation, "Acumulación")
        elif field in ("integer_only", "allow_negative"):
            value = bool(value)
        else:
            value = (value or "").strip()
        setattr(v, field, value)
        _touch(ind)
        conflicts.check(s, what=MSG["what_variable"].format(field=VARIABLE_FIELDS[field], key=key,
                                                            ind=indicator_key),
                        current=old, expected=expected, new=value, entity="variable", key=f"{indicator_key}/{key}",
                        field=field)
        audit.record(s, actor, "variable", f"{indicator_key}/{key}", field, old, value)
    return old


def delete_variable(db: Database, actor: CurrentUser, indicator_key: str, key: str) -> dict:
    with db.transaction() as s:
        ind = _indicator(s, indicator_key)
        _check_program(s, actor, _program_of_indicator(s, ind))
        v = _variable(s, ind, key)
        rows = {"variable": [_row(v)],
                "target": [_row(t) for t in s.scalars(select(Target).where(Target.variable_id == v.id))],
                "measurement": [_row(m) for m in s.scalars(select(Measurement).where(Measurement.variable_id == v.id))]}
        snap = {"kind": "variable", "indicator": indicator_key, "key": key, "rows": rows, "summary": _count_rows(rows)}
        s.delete(v)
        _touch(ind)
        audit.record(s, actor, "variable", f"{indicator_key}/{key}", "", key, None, action="eliminar")
    return snap


def restore_variable(db: Database, actor: CurrentUser, snapshot: dict) -> str:
    with db.transaction() as s:
        ind = _indicator(s, snapshot["indicator"])
        _check_program(s, actor, _program_of_indicator(s, ind))
        _recreate(s, snapshot["rows"])
        audit.record(s, actor, "variable", f"{snapshot['indicator']}/{snapshot['key']}", "", None, snapshot["key"],
                     action="restaurar")
    return snapshot["key"]


# --------------------------------------------------------------------------------------------------
# metas calendarizadas

def closed_months(s: Session, program: Program) -> set[str]:
    """Months (YYYY-MM) closed for the program's dependencia or organization-wide."""
    q = select(PeriodState.period).where(PeriodState.status == "cerrado")
    if program.agency_id is not None:
        q = q.where((PeriodState.agency_id == program.agency_id) | PeriodState.agency_id.is_(None))
    else:
        q = q.where(PeriodState.agency_id.is_(None))
    return set(s.scalars(q))


def target_change_needs_reason(db: Database, indicator_key: str) -> bool:
    """True once the fiscal year has a closed month: target changes are then a modificación de metas."""
    with db.reading() as s:
        ind = _indicator(s, indicator_key)
        p = _program_of_indicator(s, ind)
        year = p.fiscal_year.year
        return any(m.startswith(f"{year:04d}-") for m in closed_months(s, p))


def set_target(db: Database, actor: CurrentUser, indicator_key: str, variable_key: str, period: str, value: Any,
               reason: str = "", *, expected: Any = NOT_SEEN) -> Decimal | None:
    """Set (or with ``value`` None, clear) the calendarized target of a variable; returns the old value.

    A period that is closed (any of its months) is refused (MET-005). Once the fiscal year has any closed month,
    the change is a *modificación de metas*: it needs a reason (MET-006), keeps ``original_value`` and records
    who, when and why."""
    new = _decimal(value, "Meta")
    with db.transaction() as s:
        ind = _indicator(s, indicator_key, lock=True)
        p = _program_of_indicator(s, ind)
        _check_program(s, actor, p, action="modificar metas")
        v = _variable(s, ind, variable_key)
        try:
            months = periods.months_of(period)
        except Exception:  # noqa: BLE001
            raise ValidationFailed(MSG["bad_choice"].format(value=period, field="Periodo")) from None
        closed = closed_months(s, p)
        if any(m in closed for m in months):
            raise ServiceError(rule_message("MET-005", periodo=periods.label(period)))
        year = p.fiscal_year.year
        modification = any(m.startswith(f"{year:04d}-") for m in closed)
        t = s.scalars(select(Target).where(Target.variable_id == v.id, Target.period == period)).first()
        old = t.value if t else None
        if old == new:
            return old
        conflicts.check(s, what=MSG["what_target"].format(var=variable_key, ind=indicator_key,
                                                          period=periods.label(period)),
                        current=old, expected=expected, new=new, entity="meta",
                        key=f"{indicator_key}/{variable_key}/{period}", field="valor")
        modification = modification and old is not None  # first programming of a period is not a change
        if modification and not (reason or "").strip():
            raise ServiceError(MSG["reason"])
        if new is None:
            if t is not None:
                s.delete(t)
        elif t is None:
            t = Target(variable_id=v.id, period=period, value=new, original_value=new)
            s.add(t)
        else:
            t.value = new
        if modification and t is not None and new is not None:
            t.change_reason = reason.strip()
            t.changed_by = actor.name
            t.changed_at = datetime.now().replace(microsecond=0)
        _touch(ind)
        audit.record(s, actor, "meta", f"{indicator_key}/{variable_key}/{period}", "valor", old, new,
                     action="modificar_meta" if modification else "editar", reason=(reason or "").strip())
    return old


# --------------------------------------------------------------------------------------------------
# Plan de Gobierno

PLAN_PARENT = {"eje": None, "objetivo": "eje", "estrategia": "objetivo"}


def plan_tree(db: Database) -> list[dict]:
    """Every element of the catalog with its aligned programs: [{id, parent_id, kind, code, text, order, programs}]."""
    with db.reading() as s:
        rows = [_row(e) for e in s.scalars(select(PlanElement).order_by(PlanElement.order, PlanElement.id))]
        aligned: dict[int, list[tuple[str, str]]] = {}
        for pid, key, name, year in s.execute(select(Program.plan_element_id, Program.key, Program.name,
                                                     FiscalYear.year).join(FiscalYear)
                                              .where(Program.plan_element_id.is_not(None))):
            aligned.setdefault(pid, []).append((key, name, year))
    for r in rows:
        r["programs"] = aligned.get(r["id"], [])
    return rows


def add_plan_element(db: Database, actor: CurrentUser, kind: str, text: str, parent_id: int | None = None,
                     code: str = "", *, snapshot: dict | None = None) -> int:
    actor.require(ADMIN, VALID, action="editar el catálogo del plan")
    if kind not in PLAN_PARENT:
        raise ValidationFailed(MSG["bad_choice"].format(value=kind, field="Tipo"))
    text = _required(text, "Texto")
    with db.transaction() as s:
        parent = s.get(PlanElement, parent_id) if parent_id is not None else None
        if (PLAN_PARENT[kind] is None) != (parent is None) or (parent is not None and parent.kind != PLAN_PARENT[kind]):
            raise ValidationFailed(MSG["plan_parent"].format(kind=kind, parent=PLAN_PARENT[kind] or "nada"))
        order = (s.scalar(select(func.max(PlanElement.order)).where(
            PlanElement.parent_id.is_(None) if parent_id is None else PlanElement.parent_id == parent_id)) or 0) + 1
        e = PlanElement(kind=kind, parent_id=parent_id, code=(code or "").strip(), text=text, order=order,
                        plan_name=parent.plan_name if parent else "")
        s.add(e)
        s.flush()
        audit.record(s, actor, "plan", e.code or str(e.id), "", None, text, action="crear")
        return e.id


def update_plan_element(db: Database, actor: CurrentUser, element_id: int, field: str, value: Any) -> Any:
    actor.require(ADMIN, VALID, action="editar el catálogo del plan")
    if field not in ("code", "text", "plan_name"):
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        e = s.get(PlanElement, element_id)
        if e is None:
            raise NotFound(MSG["no_plan"])
        old = getattr(e, field)
        value = _required(value, "Texto") if field == "text" else (value or "").strip()
        setattr(e, field, value)
        audit.record(s, actor, "plan", e.code or str(e.id), field, old, value)
    return old


def delete_plan_element(db: Database, actor: CurrentUser, element_id: int) -> dict:
    actor.require(ADMIN, VALID, action="editar el catálogo del plan")
    with db.transaction() as s:
        e = s.get(PlanElement, element_id)
        if e is None:
            raise NotFound(MSG["no_plan"])
        elems, frontier = [e], [e]
        while frontier:
            kids = list(s.scalars(select(PlanElement).where(PlanElement.parent_id.in_([x.id for x in frontier]))))
            elems += kids
            frontier = kids
        ids = [x.id for x in elems]
        aligned = [(p.id, p.plan_element_id) for p in s.scalars(select(Program).where(Program.plan_element_id.in_(ids)))]
        snap = {"kind": "plan", "rows": [_row(x) for x in elems], "aligned": aligned}
        for pid, _ in aligned:
            s.get(Program, pid).plan_element_id = None
        for x in reversed(elems):
            s.delete(x)
            s.flush()
        audit.record(s, actor, "plan", e.code or str(e.id), "", e.text, None, action="eliminar")
    return snap


def restore_plan_element(db: Database, actor: CurrentUser, snapshot: dict) -> int:
    actor.require(ADMIN, VALID, action="editar el catálogo del plan")
    with db.transaction() as s:
        for row in snapshot["rows"]:  # same ids: they were deleted and SQLite may reuse them only if free
            s.add(PlanElement(**row))
            s.flush()
        for pid, eid in snapshot["aligned"]:
            p = s.get(Program, pid)
            if p is not None:
                p.plan_element_id = eid
        audit.record(s, actor, "plan", str(snapshot["rows"][0]["id"]), "", None, snapshot["rows"][0]["text"],
                     action="restaurar")
    return snapshot["rows"][0]["id"]


# --------------------------------------------------------------------------------------------------
# organización

ORG_FIELDS = {"name": "Nombre de la organización", "inegi_key": "Clave INEGI", "logo": "Logotipo",
              "preset_key": "Semáforo", "administration": "Administración", "state_name": "Entidad federativa",
              "kind": "Tipo"}


def organization_values(db: Database) -> dict:
    with db.reading() as s:
        org = s.scalars(select(Organization)).first()
        years = sorted(s.scalars(select(FiscalYear.year)))
        presets = [(p.key, p.name or p.key) for p in s.scalars(select(TrafficLightPreset).order_by(TrafficLightPreset.key))]
        out = _row(org) if org else {k: None for k in ORG_FIELDS}
        out.update(years=years, presets=presets)
        settings = (org.settings or {}) if org else {}
        from .profiles import current, signature_fields

        out["signature_fields"] = signature_fields(current(s))  # the chosen profile's roles (issue 16)
        out["signatures"] = {k: dict(settings.get(k) or {}) for k in {**SIGNATURE_FIELDS, **out["signature_fields"]}}
        out["issuing_unit"] = str(settings.get(ISSUING_UNIT) or "")
        return out


def update_organization(db: Database, actor: CurrentUser, field: str, value: Any, *, expected: Any = NOT_SEEN) -> Any:
    actor.require(ADMIN, action="cambiar la configuración de la organización")
    if field not in ORG_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=field))
    with db.transaction() as s:
        org = s.scalars(_locked(select(Organization), True)).first()
        if org is None:
            org = Organization(name="Municipio nuevo", settings={})
            s.add(org)
        old = getattr(org, field)
        if field == "name":
            value = _required(value, ORG_FIELDS[field])
        elif field == "preset_key":
            if s.get(TrafficLightPreset, value) is None:
                raise ValidationFailed(MSG["bad_choice"].format(value=value, field=ORG_FIELDS[field]))
        elif field == "kind":
            if value not in ("municipio", "entidad"):
                raise ValidationFailed(MSG["bad_choice"].format(value=value, field=ORG_FIELDS[field]))
        elif field == "inegi_key":
            value = (value or "").strip() or None
            if value and not re.fullmatch(r"\d{2,5}", value):
                raise ValidationFailed("La clave INEGI debe tener de 2 a 5 dígitos (por ejemplo 11020).")
        elif field != "logo":
            value = (value or "").strip()
        setattr(org, field, value)
        conflicts.check(s, what=MSG["what_settings"].format(field=ORG_FIELDS[field]), current=old,
                        expected=expected, new=value, entity="organizacion", key=None, field=field)
        shown_old = f"{len(old)} bytes" if field == "logo" and old else old
        shown_new = f"{len(value)} bytes" if field == "logo" and value else value
        audit.record(s, actor, "organizacion", org.name, field, shown_old, shown_new)
    return old


# the generic monthly report's three; a state profile adds its roles (services.profiles.signature_fields)
SIGNATURE_FIELDS = {"firma_elaboro": "Elaboró", "firma_reviso": "Revisó", "firma_autorizo": "Autorizó"}


def update_signature(db: Database, actor: CurrentUser, key: str, value: dict | None, *,
                     expected: Any = NOT_SEEN) -> dict | None:
    """Name and cargo of one signature of the monthly report ({"nombre", "cargo"}); returns the old value."""
    from .profiles import signature_keys

    actor.require(ADMIN, action="cambiar las firmas del informe")
    if key not in SIGNATURE_FIELDS and key not in signature_keys():
        raise ValidationFailed(MSG["unknown_field"].format(field=key))
    clean = {k: str((value or {}).get(k) or "").strip()[:200] for k in ("nombre", "cargo")}
    with db.transaction() as s:
        org = s.scalars(_locked(select(Organization), True)).first()
        if org is None:
            raise ValidationFailed(MSG["unknown_field"].format(field=key))
        settings = dict(org.settings or {})
        old = settings.get(key)
        if any(clean.values()):
            settings[key] = clean
        else:
            settings.pop(key, None)
        org.settings = settings  # a new dict, so the JSON column is written
        conflicts.check(s, what=MSG["what_settings"].format(field=f"firma «{SIGNATURE_FIELDS.get(key, key.removeprefix('firma_'))}»"), current=old,
                        expected=expected, new=clean, entity="organizacion", key=None, field=key)
        audit.record(s, actor, "organizacion", org.name, key,
                     None if not old else f"{old.get('nombre', '')} — {old.get('cargo', '')}",
                     f"{clean['nombre']} — {clean['cargo']}" if any(clean.values()) else None)
    return old


ISSUING_UNIT = "unidad_emisora"  # settings key: the unit that issues the monthly report (its cover)


def update_issuing_unit(db: Database, actor: CurrentUser, _field: str, value: str | None, *,
                        expected: Any = NOT_SEEN) -> str:
    """The unit named on the monthly report's cover («Unidad de Información, Planeación…»); returns the old one.
    (``_field`` keeps the ``update(db, actor, field, value)`` shape the settings dialog's undo uses.)"""
    actor.require(ADMIN, action="cambiar la unidad que emite el informe")
    clean = str(value or "").strip()[:250]
    with db.transaction() as s:
        org = s.scalars(_locked(select(Organization), True)).first()
        if org is None:
            raise ValidationFailed(MSG["unknown_field"].format(field=ISSUING_UNIT))
        settings = dict(org.settings or {})
        old = str(settings.get(ISSUING_UNIT) or "")
        if clean:
            settings[ISSUING_UNIT] = clean
        else:
            settings.pop(ISSUING_UNIT, None)
        org.settings = settings
        conflicts.check(s, what=MSG["what_settings"].format(field="unidad que emite el informe"), current=old,
                        expected=expected, new=clean, entity="organizacion", key=None, field=ISSUING_UNIT)
        audit.record(s, actor, "organizacion", org.name, ISSUING_UNIT, old or None, clean or None)
    return old


def add_fiscal_year(db: Database, actor: CurrentUser, year: int) -> bool:
    """Adds a fiscal year if missing; returns True when it was created."""
    actor.require(ADMIN, action="agregar ejercicios fiscales")
    if not isinstance(year, int) or not 1990 <= year <= 2200:
        raise ValidationFailed(MSG["no_fiscal_year"])
    with db.transaction() as s:
        if s.scalars(select(FiscalYear).where(FiscalYear.year == year)).first():
            return False
        s.add(FiscalYear(year=year))
        audit.record(s, actor, "ejercicio", str(year), "", None, str(year), action="crear")
    return True


def remove_fiscal_year(db: Database, actor: CurrentUser, year: int) -> None:
    """Undo of :func:`add_fiscal_year` (only an empty year)."""
    actor.require(ADMIN, action="eliminar ejercicios fiscales")
    with db.transaction() as s:
        fy = _year(s, year)
        if s.scalar(select(func.count()).select_from(Program).where(Program.fiscal_year_id == fy.id)):
            raise ServiceError(f"El ejercicio {year} tiene programas; no se elimina.")
        s.delete(fy)
        audit.record(s, actor, "ejercicio", str(year), "", str(year), None, action="eliminar")


# --------------------------------------------------------------------------------------------------
# lookups for the window (read-only, small)

def agencies(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as s:
        return [(a.key, a.acronym, a.name) for a in s.scalars(select(Agency).order_by(Agency.key))]


def agency_values(db: Database, key: str) -> dict:
    with db.reading() as s:
        a = _agency(s, key)
        out = _row(a)
        out["programs"] = [(p.key, p.name) for p in s.scalars(select(Program).where(Program.agency_id == a.id)
                                                              .order_by(Program.key))]
        return out


__all__ = [n for n in dir() if not n.startswith("_")]


# --------------------------------------------------------------------------------------------------
# navigation tree and search (read-only; small queries so the tree loads lazily)

def tree_agencies(db: Database, year: int | None) -> list[tuple[str, str, int]]:
    """(agency key, label, program count in the year); programs without agency under key ''."""
    with db.reading() as s:
        fy = _year(s, year)
        counts = dict(s.execute(select(Program.agency_id, func.count()).where(Program.fiscal_year_id == fy.id)
                                .group_by(Program.agency_id)).all())
        out = [(a.key, f"{a.key} {a.acronym or a.name}".strip() if a.acronym else f"{a.key} {a.name}",
                counts.get(a.id, 0)) for a in s.scalars(select(Agency).order_by(Agency.key))]
        if counts.get(None):
            out.append(("", "Sin unidad responsable", counts[None]))
        return out


def tree_programs(db: Database, year: int | None, agency_key: str) -> list[tuple[str, str]]:
    with db.reading() as s:
        fy = _year(s, year)
        q = select(Program.key, Program.name).where(Program.fiscal_year_id == fy.id)
        if agency_key:
            q = q.join(Agency, Agency.id == Program.agency_id).where(Agency.key == agency_key)
        else:
            q = q.where(Program.agency_id.is_(None))
        return [(k, n) for k, n in s.execute(q.order_by(Program.order, Program.key))]


def tree_program(db: Database, year: int | None, key: str) -> list[dict]:
    """The MIR of a program as nested dicts: objectives in MIR order, each with 'children' (activities) and
    'indicators' [(key, name)]."""
    with db.reading() as s:
        p = _program(s, year, key)
        objs = s.execute(select(Objective.id, Objective.key, Objective.level, Objective.parent_id, Objective.text,
                                Objective.order).where(Objective.program_id == p.id)).all()
        inds: dict[int, list] = {}
        if objs:
            for oid, ik, name in s.execute(select(Indicator.objective_id, Indicator.key, Indicator.name)
                                           .where(Indicator.objective_id.in_([o[0] for o in objs]))
                                           .order_by(Indicator.order, Indicator.id)):
                inds.setdefault(oid, []).append((ik, name))
    rank = {"FIN": 0, "PROPOSITO": 1, "COMPONENTE": 2, "ACTIVIDAD": 3}
    nodes = {o[0]: {"key": o[1], "level": o[2], "text": o[4], "order": o[5], "children": [],
                    "indicators": inds.get(o[0], []), "parent": o[3]} for o in objs}
    top = []
    for oid, n in nodes.items():
        parent = nodes.get(n["parent"])
        if n["level"] == "ACTIVIDAD" and parent is not None:
            parent["children"].append(n)
        else:
            top.append(n)
    for n in nodes.values():
        n["children"].sort(key=lambda x: (x["order"], x["key"]))
    top.sort(key=lambda x: (rank.get(x["level"], 9), x["order"], x["key"]))
    return top


def fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c)).casefold()


def search(db: Database, year: int | None, text: str, limit: int = 500) -> list[dict]:
    """Programs and indicators whose clave or text contain every word of ``text`` (accent- and case-insensitive)."""
    words = fold(text).split()
    if not words:
        return []
    out: list[dict] = []
    with db.reading() as s:
        fy = _year(s, year)
        for key, name in s.execute(select(Program.key, Program.name).where(Program.fiscal_year_id == fy.id)
                                   .order_by(Program.key)):
            hay = fold(f"{key} {name}")
            if all(w in hay for w in words):
                out.append({"kind": "program", "key": key, "program": key, "label": f"{key} {name}"})
        q = (select(Indicator.key, Indicator.name, Indicator.definition, Program.key)
             .join(Objective, Objective.id == Indicator.objective_id).join(Program, Program.id == Objective.program_id)
             .where(Program.fiscal_year_id == fy.id).order_by(Indicator.key))
        for key, name, definition, pkey in s.execute(q):
            hay = fold(f"{key} {name} {definition}")
            if all(w in hay for w in words):
                out.append({"kind": "indicator", "key": key, "program": pkey, "label": f"{key} {name}"})
                if len(out) >= limit:
                    break
    return out[:limit]


def program_overview(db: Database, year: int | None) -> list[dict]:
    """One row per program of the year: clave, nombre, dependencia, objetivos, indicadores, presupuesto."""
    with db.reading() as s:
        fy = _year(s, year)
        n_obj = dict(s.execute(select(Objective.program_id, func.count()).join(Program)
                               .where(Program.fiscal_year_id == fy.id).group_by(Objective.program_id)).all())
        n_ind = dict(s.execute(select(Objective.program_id, func.count(Indicator.id)).join(Program)
                               .join(Indicator, Indicator.objective_id == Objective.id)
                               .where(Program.fiscal_year_id == fy.id).group_by(Objective.program_id)).all())
        budgets = dict(s.execute(select(Budget.program_id, Budget.approved).join(Program)
                                 .where(Program.fiscal_year_id == fy.id, Budget.period == str(fy.year))).all())
        ags = {a.id: a for a in s.scalars(select(Agency))}
        out = []
        for p in s.scalars(select(Program).where(Program.fiscal_year_id == fy.id).order_by(Program.order, Program.key)):
            a = ags.get(p.agency_id)
            out.append({"key": p.key, "name": p.name, "agency": (a.acronym or a.name) if a else "",
                        "agency_key": a.key if a else "", "objectives": n_obj.get(p.id, 0),
                        "indicators": n_ind.get(p.id, 0), "budget": budgets.get(p.id)})
        return out


def window_info(db: Database) -> dict:
    """What the title bar and the start need: organization name, years, default report month."""
    with db.reading() as s:
        org = s.scalars(select(Organization)).first()
        years = sorted(s.scalars(select(FiscalYear.year)))
        cutoffs = {fy.year: fy.cutoff for fy in s.scalars(select(FiscalYear))}
        return {"organization": org.name if org else "", "years": years, "cutoffs": cutoffs,
                "logo": org.logo if org else None, "settings": dict(org.settings or {}) if org else {}}


def program_document(db: Database, year: int | None, key: str):
    """The program's MIR as a plain document (core.mir.ProgramDoc) without targets and measurements."""
    from .documents import read_programs

    with db.reading() as s:
        pset = read_programs(s, year, [key], with_values=False)
    return pset.programs[0]


def list_users(db: Database) -> list[dict]:
    """Active users for the sign-in dialog: name, full name, role, dependencia, whether a password is needed."""
    from ..db.models import User

    with db.reading() as s:
        return [{"name": u.name, "full_name": u.full_name, "role": u.role,
                 "agency_key": u.agency.key if u.agency else None, "has_password": bool(u.password_hash)}
                for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.id))]
