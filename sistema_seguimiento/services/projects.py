"""Proyectos of a Pp and their metas de actividad (PbRM-01c: name, unit, annual target; PbRM-02a: quarterly
calendar T1..T4 whose sum is the annual target).

Editing follows ``services.editing``: administrador and validador only (``editing.EDITORS``), ONE transaction per
use case with an audit entry, bad input refused with a Spanish message and nothing written; ``update_*`` return
the old value, ``delete_*`` a snapshot that ``restore_*`` re-creates with the same keys (undo in the window).

The calendar keeps its first approved value: while the fiscal year has no closed month for the program's
dependencia the calendar is still being programmed and ``programmed_original`` / ``annual_target_original``
follow every edit; afterwards the calendar is approved, ``set_calendar`` refuses changes (except the first
programming of a meta that had none) and changes come through reconducción, which calls
:func:`apply_goal_changes` (``programmed`` and ``annual_target`` change, the originals stay).

The achieved value of each quarter is captured through ``services.capture.save_values(..., goals=[GoalChange])``
under the workflow of the quarter's last month (see docs/metas_actividad.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.limits import clip
from ..db.database import Database
from ..db.models import ActivityGoal, ActivityGoalQuarter, Program
from . import audit
from .editing import EDITORS, _check_key, _decimal, _program, _required, closed_months
from .errors import NotFound, ServiceError, ValidationFailed
from .users import CurrentUser

MSG = {
    "no_project": "El programa {program} no tiene el proyecto «{key}».",
    "no_goal": "El proyecto {project} no tiene la meta de actividad con ID «{key}».",
    "dup_project": "El programa {program} ya tiene el proyecto «{key}».",
    "dup_goal": "El proyecto {project} ya tiene una meta de actividad con ID «{key}».",
    "bad_goal_key": "El ID «{key}» de la meta de actividad no es válido: use números o letras, sin espacios "
                    "(por ejemplo 1, 2, 3).",
    "unknown_field": "El campo «{field}» no se puede editar.",
    "negative": "{field} de la meta {goal} no puede ser negativa ({value}).",
    "sum": "La suma del calendario trimestral de la meta {goal} (T1 + T2 + T3 + T4 = {total}) no es igual a su "
           "meta anual ({annual}); corrija el calendario o la meta anual.",
    "need_annual": "Escriba la meta anual de la meta {goal}: el calendario trimestral tiene valores.",
    "calendar_size": "El calendario trimestral debe tener cuatro valores (T1, T2, T3 y T4).",
    "approved": ("El calendario de la meta {goal} ya está aprobado (el ejercicio {year} tiene meses cerrados para "
                 "la dependencia): los cambios de la meta anual o del calendario se hacen por reconducción."),
    "bad_change": "Cambio de reconducción no válido para la meta {goal}: periodo «{period}».",
    "stale": ("La meta {goal} cambió mientras se preparaba la reconducción: {period} tenía {expected} y ahora "
              "tiene {current}. No se aplicó ningún cambio."),
    "reason": "Escriba el motivo de la reconducción de la meta {goal}.",
}

PROJECT_FIELDS = {"key": "Clave del proyecto", "name": "Nombre del proyecto",
                  "auxiliary_key": "Clave de la dependencia auxiliar", "auxiliary_name": "Dependencia auxiliar"}
GOAL_FIELDS = {"key": "ID", "name": "Nombre de la meta de actividad", "unit": "Unidad de medida"}
QUARTERS = ("T1", "T2", "T3", "T4")


def quarter_ids(year: int) -> list[str]:
    return [f"{year:04d}-{q}" for q in QUARTERS]


@dataclass
class GoalRow:
    key: str
    name: str
    unit: str
    annual_target: Decimal | None
    annual_target_original: Decimal | None
    programmed: list[Decimal | None]  # T1..T4
    programmed_original: list[Decimal | None]
    achieved: list[Decimal | None]


@dataclass
class ProjectRow:
    key: str
    name: str
    auxiliary_key: str
    auxiliary_name: str
    goals: list[GoalRow] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# helpers

def _project(session: Session, program: Program, key: str):
    from ..db.models import Project

    p = session.scalars(select(Project).where(Project.program_id == program.id, Project.key == key)).first()
    if p is None:
        raise NotFound(MSG["no_project"].format(program=program.key, key=clip(key)))
    return p


def _goal(session: Session, project, key: str) -> ActivityGoal:
    g = session.scalars(select(ActivityGoal).where(ActivityGoal.project_id == project.id,
                                                   ActivityGoal.key == str(key).strip())).first()
    if g is None:
        raise NotFound(MSG["no_goal"].format(project=project.key, key=clip(key)))
    return g


def _goal_key(key: Any) -> str:
    key = str(key if key is not None else "").strip()
    if not key or len(key) > 20 or not all(c.isalnum() or c in ".-" for c in key):
        raise ValidationFailed(MSG["bad_goal_key"].format(key=clip(key)))
    return key


def _label(goal: ActivityGoal, project=None) -> str:
    project = project or goal.project
    return f"{project.key}/{goal.key}"


def _amount(value: Any, field_name: str, goal: str) -> Decimal | None:
    d = _decimal(value, field_name)
    if d is not None and d < 0:
        raise ValidationFailed(MSG["negative"].format(field=field_name, goal=goal, value=d))
    return d


def _clean_calendar(annual: Any, calendar: Any, goal: str) -> tuple[Decimal | None, list[Decimal | None]]:
    """Parse and check an annual target and its T1..T4 calendar: the sum must equal the annual target."""
    cal = list(calendar) if calendar is not None else [None] * 4
    if len(cal) != 4:
        raise ValidationFailed(MSG["calendar_size"])
    values = [_amount(v, f"El programado de {q}", goal) for v, q in zip(cal, QUARTERS)]
    annual_d = _amount(annual, "La meta anual", goal)
    if annual_d is None and any(v is not None for v in values):
        raise ValidationFailed(MSG["need_annual"].format(goal=goal))
    if annual_d is not None:
        values = [v if v is not None else Decimal(0) for v in values]
        total = sum(values, Decimal(0))
        if total != annual_d:
            from ..core.numbers import fmt_es

            raise ValidationFailed(MSG["sum"].format(goal=goal, total=fmt_es(total), annual=fmt_es(annual_d)))
    return annual_d, values


def calendar_approved(session: Session, program: Program) -> bool:
    """True once the program's fiscal year has a closed month for its dependencia: the calendar of its metas
    de actividad is then approved and changes go through reconducción."""
    year = program.fiscal_year.year
    return any(m.startswith(f"{year:04d}-") for m in closed_months(session, program))


def _quarters(session: Session, goal: ActivityGoal) -> dict[str, ActivityGoalQuarter]:
    return {q.period: q for q in session.scalars(select(ActivityGoalQuarter)
                                                 .where(ActivityGoalQuarter.goal_id == goal.id))}


def _goal_row(goal: ActivityGoal, year: int, quarters: dict[str, ActivityGoalQuarter]) -> GoalRow:
    qs = [quarters.get(p) for p in quarter_ids(year)]
    return GoalRow(goal.key, goal.name, goal.unit or "", goal.annual_target, goal.annual_target_original,
                   [q.programmed if q else None for q in qs], [q.programmed_original if q else None for q in qs],
                   [q.achieved if q else None for q in qs])


# --------------------------------------------------------------------------------------------------
# reading

def list_projects(db: Database, year: int | None, program_key: str) -> list[ProjectRow]:
    """Proyectos of a program with their metas de actividad and calendars (PbRM-01c / 02a order)."""
    from ..db.models import Project

    with db.reading() as s:
        prog = _program(s, year, program_key)
        fy = prog.fiscal_year.year
        out = []
        projects = list(s.scalars(select(Project).where(Project.program_id == prog.id)
                                  .order_by(Project.order, Project.key)))
        goals = list(s.scalars(select(ActivityGoal).where(ActivityGoal.project_id.in_([p.id for p in projects]))
                               .order_by(ActivityGoal.order, ActivityGoal.id))) if projects else []
        quarters: dict[int, dict[str, ActivityGoalQuarter]] = {}
        if goals:
            for q in s.scalars(select(ActivityGoalQuarter)
                               .where(ActivityGoalQuarter.goal_id.in_([g.id for g in goals]))):
                quarters.setdefault(q.goal_id, {})[q.period] = q
        by_project: dict[int, list[ActivityGoal]] = {}
        for g in goals:
            by_project.setdefault(g.project_id, []).append(g)
        for p in projects:
            out.append(ProjectRow(p.key, p.name, p.auxiliary_key or "", p.auxiliary_name or "",
                                  [_goal_row(g, fy, quarters.get(g.id, {})) for g in by_project.get(p.id, [])]))
        return out


def is_calendar_approved(db: Database, year: int | None, program_key: str) -> bool:
    with db.reading() as s:
        return calendar_approved(s, _program(s, year, program_key))


# --------------------------------------------------------------------------------------------------
# proyectos

def create_project(db: Database, actor: CurrentUser, year: int | None, program_key: str, *, key: str, name: str,
                   auxiliary_key: str = "", auxiliary_name: str = "") -> str:
    from ..db.models import Project

    actor.require(*EDITORS, action="crear proyectos")
    key = _check_key(key)
    name = _required(name, PROJECT_FIELDS["name"])
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        if s.scalars(select(Project).where(Project.program_id == prog.id, Project.key == key)).first():
            raise ValidationFailed(MSG["dup_project"].format(program=prog.key, key=key))
        order = (s.scalar(select(func.max(Project.order)).where(Project.program_id == prog.id)) or 0) + 1
        s.add(Project(program_id=prog.id, key=key, name=name, auxiliary_key=(auxiliary_key or "").strip(),
                      auxiliary_name=(auxiliary_name or "").strip(), order=order))
        audit.record(s, actor, "proyecto", f"{prog.key}/{key}", "", None, name, action="crear")
    return key


def update_project(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str, field_name: str,
                   value: Any) -> Any:
    from ..db.models import Project

    if field_name not in PROJECT_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=clip(field_name)))
    actor.require(*EDITORS, action="editar proyectos")
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, key)

        def clash(value: str) -> None:
            if s.scalars(select(Project).where(Project.program_id == prog.id, Project.key == value)).first():
                raise ValidationFailed(MSG["dup_project"].format(program=prog.key, key=value))

        return _set_field(s, actor, p, field_name, value, PROJECT_FIELDS, _check_key, clash, "proyecto",
                          f"{prog.key}/{key}")


def _goal_snapshot(s: Session, g: ActivityGoal) -> dict:
    return {"key": g.key, "name": g.name, "unit": g.unit, "annual_target": g.annual_target,
            "annual_target_original": g.annual_target_original, "order": g.order,
            "quarters": [{"period": q.period, "programmed": q.programmed, "programmed_original": q.programmed_original,
                          "achieved": q.achieved, "captured_by": q.captured_by, "captured_at": q.captured_at}
                         for q in _quarters(s, g).values()]}


def _restore_goal_rows(s: Session, project_id: int, snap: dict) -> ActivityGoal:
    g = ActivityGoal(project_id=project_id, key=snap["key"], name=snap["name"], unit=snap["unit"],
                     annual_target=snap["annual_target"], annual_target_original=snap["annual_target_original"],
                     order=snap["order"])
    s.add(g)
    s.flush()
    for q in snap["quarters"]:
        s.add(ActivityGoalQuarter(goal_id=g.id, **q))
    return g


def delete_project(db: Database, actor: CurrentUser, year: int | None, program_key: str, key: str) -> dict:
    actor.require(*EDITORS, action="eliminar proyectos")
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, key)
        snap = {"year": prog.fiscal_year.year, "program_key": prog.key, "key": p.key, "name": p.name,
                "auxiliary_key": p.auxiliary_key, "auxiliary_name": p.auxiliary_name, "order": p.order,
                "goals": [_goal_snapshot(s, g) for g in p.goals]}
        s.delete(p)
        audit.record(s, actor, "proyecto", f"{prog.key}/{key}", "", p.name, None, action="eliminar",
                     reason=f"{len(snap['goals'])} meta(s) de actividad")
    return snap


def restore_project(db: Database, actor: CurrentUser, snap: dict) -> str:
    from ..db.models import Project

    actor.require(*EDITORS, action="restaurar proyectos")
    with db.transaction() as s:
        prog = _program(s, snap["year"], snap["program_key"])
        if s.scalars(select(Project).where(Project.program_id == prog.id, Project.key == snap["key"])).first():
            raise ValidationFailed(MSG["dup_project"].format(program=prog.key, key=snap["key"]))
        p = Project(program_id=prog.id, key=snap["key"], name=snap["name"], auxiliary_key=snap["auxiliary_key"],
                    auxiliary_name=snap["auxiliary_name"], order=snap["order"])
        s.add(p)
        s.flush()
        for g in snap["goals"]:
            _restore_goal_rows(s, p.id, g)
        audit.record(s, actor, "proyecto", f"{prog.key}/{p.key}", "", None, p.name, action="restaurar")
    return snap["key"]


# --------------------------------------------------------------------------------------------------
# metas de actividad

def create_goal(db: Database, actor: CurrentUser, year: int | None, program_key: str, project_key: str, *,
                key: Any, name: str, unit: str = "", annual_target: Any = None, calendar: Any = None) -> str:
    """A new meta de actividad; its calendar (T1..T4) is its first programming (the originals equal it)."""
    actor.require(*EDITORS, action="crear metas de actividad")
    key = _goal_key(key)
    name = _required(name, GOAL_FIELDS["name"])
    label = f"{project_key}/{key}"
    annual, values = _clean_calendar(annual_target, calendar, label)
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, project_key)
        if s.scalars(select(ActivityGoal).where(ActivityGoal.project_id == p.id, ActivityGoal.key == key)).first():
            raise ValidationFailed(MSG["dup_goal"].format(project=p.key, key=key))
        order = (s.scalar(select(func.max(ActivityGoal.order)).where(ActivityGoal.project_id == p.id)) or 0) + 1
        g = ActivityGoal(project_id=p.id, key=key, name=name, unit=(unit or "").strip(), annual_target=annual,
                         annual_target_original=annual, order=order)
        s.add(g)
        s.flush()
        if annual is not None:
            for period, v in zip(quarter_ids(prog.fiscal_year.year), values):
                s.add(ActivityGoalQuarter(goal_id=g.id, period=period, programmed=v, programmed_original=v))
        audit.record(s, actor, "meta_actividad", label, "", None, name, action="crear")
        if annual is not None:
            audit.record(s, actor, "meta_actividad", label, "calendario", None, _calendar_text(annual, values))
    return key


def _calendar_text(annual: Decimal | None, values: list[Decimal | None]) -> str:
    return "anual " + ("" if annual is None else format(annual, "f")) + "; " + "; ".join(
        f"{q} {'' if v is None else format(v, 'f')}" for q, v in zip(QUARTERS, values))


def update_goal(db: Database, actor: CurrentUser, year: int | None, program_key: str, project_key: str, key: str,
                field_name: str, value: Any) -> Any:
    if field_name not in GOAL_FIELDS:
        raise ValidationFailed(MSG["unknown_field"].format(field=clip(field_name)))
    actor.require(*EDITORS, action="editar metas de actividad")
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, project_key)
        g = _goal(s, p, key)

        def clash(value: str) -> None:
            if s.scalars(select(ActivityGoal).where(ActivityGoal.project_id == p.id, ActivityGoal.key == value)).first():
                raise ValidationFailed(MSG["dup_goal"].format(project=p.key, key=value))

        return _set_field(s, actor, g, field_name, value, GOAL_FIELDS, _goal_key, clash, "meta_actividad",
                          f"{p.key}/{key}")


def _set_field(s: Session, actor: CurrentUser, obj, field_name: str, value: Any, fields: dict, check_key, clash,
               entity: str, audit_key: str) -> Any:
    """One text field of a proyecto or a meta (update_project, update_goal): the key checked (``check_key``) and
    not taken by a sibling (``clash`` raises), the name required, the rest trimmed; recorded in the bitácora.
    Returns the old value (for undo)."""
    old = getattr(obj, field_name)
    if field_name == "key":
        value = check_key(value)
        if value != obj.key:
            clash(value)
    elif field_name == "name":
        value = _required(value, fields["name"])
    else:
        value = (value or "").strip()
    if value == old:
        return old
    setattr(obj, field_name, value)
    audit.record(s, actor, entity, audit_key, field_name, old, value)
    return old


def set_calendar(db: Database, actor: CurrentUser, year: int | None, program_key: str, project_key: str, key: str,
                 annual_target: Any, calendar: Any) -> tuple[Decimal | None, list[Decimal | None]]:
    """Set the annual target and the T1..T4 calendar of a meta together (their sum must be equal); returns the
    old (annual, calendar) for undo. Refused once the calendar is approved (reconducción), unless the meta had
    no calendar yet or the calendar is cleared."""
    actor.require(*EDITORS, action="programar metas de actividad")
    label = f"{project_key}/{key}"
    annual, values = _clean_calendar(annual_target, calendar, label)
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, project_key)
        g = _goal(s, p, key)
        fy = prog.fiscal_year.year
        qs = _quarters(s, g)
        old_values = [qs[x].programmed if x in qs else None for x in quarter_ids(fy)]
        old = (g.annual_target, old_values)
        if (annual, values if annual is not None else [None] * 4) == (g.annual_target, old_values):
            return old
        first = g.annual_target is None and all(v is None for v in old_values)
        cleared = annual is None  # back to «no calendar» (e.g. undoing a first programming), like deleting it
        if not first and not cleared and calendar_approved(s, prog):
            raise ServiceError(MSG["approved"].format(goal=label, year=fy))
        g.annual_target = g.annual_target_original = annual
        for period, v in zip(quarter_ids(fy), values):
            q = qs.get(period)
            if q is None:
                if v is None:
                    continue
                q = ActivityGoalQuarter(goal_id=g.id, period=period)
                s.add(q)
            q.programmed = q.programmed_original = v
        audit.record(s, actor, "meta_actividad", label, "calendario", _calendar_text(*old),
                     _calendar_text(annual, values))
    return old


def delete_goal(db: Database, actor: CurrentUser, year: int | None, program_key: str, project_key: str,
                key: str) -> dict:
    actor.require(*EDITORS, action="eliminar metas de actividad")
    with db.transaction() as s:
        prog = _program(s, year, program_key)
        p = _project(s, prog, project_key)
        g = _goal(s, p, key)
        snap = {"year": prog.fiscal_year.year, "program_key": prog.key, "project_key": p.key,
                **_goal_snapshot(s, g)}
        s.delete(g)
        audit.record(s, actor, "meta_actividad", f"{p.key}/{key}", "", g.name, None, action="eliminar")
    return snap


def restore_goal(db: Database, actor: CurrentUser, snap: dict) -> str:
    actor.require(*EDITORS, action="restaurar metas de actividad")
    with db.transaction() as s:
        prog = _program(s, snap["year"], snap["program_key"])
        p = _project(s, prog, snap["project_key"])
        if s.scalars(select(ActivityGoal).where(ActivityGoal.project_id == p.id,
                                                ActivityGoal.key == snap["key"])).first():
            raise ValidationFailed(MSG["dup_goal"].format(project=p.key, key=snap["key"]))
        _restore_goal_rows(s, p.id, snap)
        audit.record(s, actor, "meta_actividad", f"{p.key}/{snap['key']}", "", None, snap["name"],
                     action="restaurar")
    return snap["key"]


# --------------------------------------------------------------------------------------------------
# reconducción (called by services of another part, inside their transaction)

def apply_goal_changes(session: Session, goal: ActivityGoal, changes: list[dict], actor: CurrentUser,
                       reason: str) -> None:
    """Apply an authorised reconducción to a meta de actividad inside the caller's transaction.

    ``changes`` is ``Reconduction.changes``: ``[{"periodo": "2026-T3", "anterior": "30", "nuevo": "25"}, …]``
    (Decimal texts; "anterior" may be None/"" for an empty quarter). A ``periodo`` equal to the fiscal year
    (``"2026"``) or ``"anual"`` sets the annual target explicitly; otherwise the annual target becomes the sum
    of the new calendar. ``programmed`` and ``annual_target`` change, ``programmed_original`` and
    ``annual_target_original`` keep the first approved values; each change is audited with ``reason``.
    Raises ``ServiceError`` (nothing changed by this function) when a quarter is unknown, a value is not a
    valid amount, "anterior" no longer matches, or the sum differs from the annual target."""
    label = _label(goal)
    if not (reason or "").strip():
        raise ServiceError(MSG["reason"].format(goal=label))
    year = goal.project.program.fiscal_year.year
    qids = quarter_ids(year)
    qs = _quarters(session, goal)
    calendar = {p: (qs[p].programmed if p in qs else None) for p in qids}
    annual: Decimal | None = goal.annual_target
    annual_set = False

    def _d(text: Any, what: str) -> Decimal | None:
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        return _amount(text if isinstance(text, Decimal) else str(text), what, label)

    for ch in changes:
        period = str(ch.get("periodo", "")).strip()
        new = _d(ch.get("nuevo"), f"El valor nuevo de {period}")
        expected = _d(ch.get("anterior"), f"El valor anterior de {period}")
        if period in (str(year), "anual"):
            if expected != goal.annual_target:
                raise ServiceError(MSG["stale"].format(goal=label, period="la meta anual", expected=expected,
                                                       current=goal.annual_target))
            annual, annual_set = new, True
        elif period in calendar:
            if expected != calendar[period]:
                raise ServiceError(MSG["stale"].format(goal=label, period=period, expected=expected,
                                                       current=calendar[period]))
            calendar[period] = new
        else:
            raise ServiceError(MSG["bad_change"].format(goal=label, period=clip(period)))
    values = [calendar[p] for p in qids]
    if not annual_set:
        annual = sum((v for v in values if v is not None), Decimal(0))
    annual, values = _clean_calendar(annual, values, label)
    reason = reason.strip()
    if annual != goal.annual_target:
        audit.record(session, actor, "meta_actividad", label, "meta_anual", goal.annual_target, annual,
                     action="reconducir", reason=reason)
        goal.annual_target = annual
    for period, v in zip(qids, values):
        q = qs.get(period)
        old = q.programmed if q else None
        if old == v:
            continue
        if q is None:
            q = ActivityGoalQuarter(goal_id=goal.id, period=period, programmed_original=None)
            session.add(q)
        q.programmed = v
        audit.record(session, actor, "meta_actividad", label, f"programado {period}", old, v, action="reconducir",
                     reason=reason)
    session.flush()


def find_goal(session: Session, year: int, project_key: str, goal_key: str) -> ActivityGoal | None:
    """The meta de actividad ``project_key``/``goal_key`` of the fiscal year (None when absent)."""
    from ..db.models import FiscalYear, Project

    return session.scalars(
        select(ActivityGoal).join(Project, Project.id == ActivityGoal.project_id)
        .join(Program, Program.id == Project.program_id).join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
        .where(FiscalYear.year == year, Project.key == project_key, ActivityGoal.key == goal_key)).first()


# --------------------------------------------------------------------------------------------------
# loading (exchange files, the demo, the generator): the top-level "proyectos" list

LOAD_MSG = {
    "bad": "proyectos[{i}]: {problem}",
    "not_list": "«proyectos» debe ser una lista.",
    "no_program": "el programa «{key}» no está en el archivo",
    "rejected": "Los proyectos y metas de actividad del archivo no se cargaron; no se escribió nada:",
}


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    return _decimal(value if isinstance(value, (Decimal, str)) else str(value), "Valor")


def project_rows(items: Any, year: int, program_ids: dict[str, int], ids) -> dict[type, list[dict]]:
    """Rows for bulk insertion from the "proyectos" list of an exchange file::

        [{"programa": "E001", "clave": "020204010101", "nombre": "…",
          "dependencia_auxiliar": {"clave": "154", "nombre": "…"},
          "metas": [{"id": "1", "nombre": "…", "unidad": "…", "meta_anual": 800,
                     "calendario": {"T1": 150, "T2": 200, "T3": 250, "T4": 200},
                     "alcanzado": {"T1": 150, "T2": 184}}]}]

    Every problem is collected and raised as one ServiceError (Spanish, with the place)."""
    from ..db.models import Project

    rows: dict[type, list[dict]] = {Project: [], ActivityGoal: [], ActivityGoalQuarter: []}
    if not items:
        return rows
    if not isinstance(items, list):
        raise ServiceError(LOAD_MSG["rejected"], [LOAD_MSG["not_list"]])
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    qids = dict(zip(QUARTERS, quarter_ids(year)))
    for i, item in enumerate(items):
        try:
            prog = str(item.get("programa", ""))
            if prog not in program_ids:
                raise ValidationFailed(LOAD_MSG["no_program"].format(key=clip(prog)))
            key = _check_key(str(item.get("clave", "")))
            if (prog, key) in seen:
                raise ValidationFailed(MSG["dup_project"].format(program=prog, key=key))
            seen.add((prog, key))
            aux = item.get("dependencia_auxiliar") or {}
            pid = ids(Project)
            rows[Project].append(dict(id=pid, program_id=program_ids[prog], key=key,
                                      name=_required(item.get("nombre"), PROJECT_FIELDS["name"]),
                                      auxiliary_key=str(aux.get("clave", "") or ""),
                                      auxiliary_name=str(aux.get("nombre", "") or ""), order=i + 1))
            goal_keys: set[str] = set()
            for j, g in enumerate(item.get("metas") or []):
                gkey = _goal_key(g.get("id"))
                if gkey in goal_keys:
                    raise ValidationFailed(MSG["dup_goal"].format(project=key, key=gkey))
                goal_keys.add(gkey)
                label = f"{key}/{gkey}"
                cal = g.get("calendario") or {}
                annual, values = _clean_calendar(_number(g.get("meta_anual")),
                                                 [_number(cal.get(q)) for q in QUARTERS], label)
                achieved = g.get("alcanzado") or {}
                bad = [q for q in list(cal) + list(achieved) if q not in qids]
                if bad:
                    raise ValidationFailed(MSG["bad_change"].format(goal=label, period=clip(bad[0])))
                gid = ids(ActivityGoal)
                rows[ActivityGoal].append(dict(id=gid, project_id=pid, key=gkey,
                                               name=_required(g.get("nombre"), GOAL_FIELDS["name"]),
                                               unit=str(g.get("unidad", "") or ""), annual_target=annual,
                                               annual_target_original=annual, order=j + 1))
                for q, v in zip(QUARTERS, values):
                    a = _amount(_number(achieved.get(q)), f"El alcanzado de {q}", label)
                    if v is None and a is None:
                        continue
                    rows[ActivityGoalQuarter].append(dict(
                        id=ids(ActivityGoalQuarter), goal_id=gid, period=qids[q], programmed=v,
                        programmed_original=v, achieved=a, captured_by="" if a is None else "carga",
                        captured_at=None))
        except (ServiceError, ValueError, AttributeError, TypeError) as exc:
            problems.append(LOAD_MSG["bad"].format(i=i, problem=str(exc) if isinstance(exc, ServiceError)
                                                   else f"dato no válido ({type(exc).__name__})"))
    if problems:
        raise ServiceError(LOAD_MSG["rejected"], problems)
    return rows


def export_rows(session: Session, year: int, agency_key: str | None = None) -> list[dict]:
    """The "proyectos" list of an exchange file (see :func:`project_rows`) for the programs of a year (one
    dependencia or all), achieved values included; numbers as Decimal texts."""
    from ..db.models import Agency, FiscalYear, Project

    def t(v):
        return None if v is None else format(v, "f")

    q = (select(Program.key, Project).join(Project, Project.program_id == Program.id)
         .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id).where(FiscalYear.year == year)
         .order_by(Program.order, Program.key, Project.order, Project.key))
    if agency_key:
        q = q.join(Agency, Agency.id == Program.agency_id).where(Agency.key == agency_key)
    out = []
    for pkey, p in session.execute(q):
        metas = []
        for g in p.goals:
            qs = _quarters(session, g)
            by_q = {per[-2:]: qq for per, qq in qs.items()}
            metas.append({"id": g.key, "nombre": g.name, "unidad": g.unit, "meta_anual": t(g.annual_target),
                          "calendario": {k: t(v.programmed) for k, v in sorted(by_q.items())
                                         if v.programmed is not None},
                          "alcanzado": {k: t(v.achieved) for k, v in sorted(by_q.items()) if v.achieved is not None}})
        out.append({"programa": pkey, "clave": p.key, "nombre": p.name,
                    "dependencia_auxiliar": {"clave": p.auxiliary_key, "nombre": p.auxiliary_name}, "metas": metas})
    return out
