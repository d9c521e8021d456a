"""Period workflow per month and dependencia (DOMAIN.md §i, PER-001/002, AV-006):

``capturando`` → (enviar) → ``enviado`` → (validar) → ``validado`` → (cerrar) → ``cerrado`` → (reabrir) → ``capturando``;
``enviado``/``validado`` → (devolver, with a comment) → ``devuelto`` → (capture or enviar) → ``enviado``.

What each action does to the measurements of the month (every variable value whose period ends in the month,
for the dependencia's indicators): *validar* marks them ``validado``; *devolver* marks them ``rechazado``;
a new capture marks a value ``capturado`` again (services.capture). *cerrar* requires all of them ``validado``
(PER-001); a closed month is read-only (PER-003); only an administrador closes or reopens, and reopening needs
a reason kept in the audit trail (PER-002).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import periods
from ..core.types import PeriodStatus, Role, label
from ..db.database import Database
from ..db.models import Agency, Indicator, Measurement, Objective, PeriodState, Program, Variable
from . import audit
from .capture import workflow_month
from .documents import read_programs
from .locking import period_state_for_update
from .errors import NotFound, PermissionDenied, ServiceError
from .guards import require_fiscal_period
from .progress import presets_by_key, rows_for
from .users import CurrentUser

ACTIONS = ("enviar", "validar", "devolver", "cerrar", "reabrir")

MSG = {
    "bad_action": "Acción «{a}» no válida; use enviar, validar, devolver, cerrar o reabrir.",
    "no_agency": "No existe la dependencia «{a}».",
    "own_only": "El usuario «{user}» solo puede {action} el periodo de su dependencia ({own}).",
    "from": "No se puede {action} {period} de la dependencia {agency}: su estado es «{state}» "
            "(se requiere {expected}).",
    "per001": "PER-001: No se puede cerrar {period} de la dependencia {agency}: hay {n} avances sin validar.",
    "per002": "PER-002: La reapertura de {period} requiere motivo y autorización.",
    "comment": "Para devolver {period} escriba un comentario con lo que se debe corregir.",
    "av006": "AV-006: El avance de {period} del indicador {ind} está fuera del rango aceptable ({pct} %); "
             "capture la justificación.",
    "blocked": "No se pudo {action} {period}: revise {n} problema(s).",
    "month": "El periodo del flujo de trabajo debe ser un mes (AAAA-MM), por ejemplo 2026-10.",
}

_ACTION_TEXT = {"enviar": "enviar", "validar": "validar", "devolver": "devolver", "cerrar": "cerrar",
                "reabrir": "reabrir"}
_ROLES = {
    "enviar": (Role.CAPTURISTA.value, Role.ADMINISTRADOR.value, Role.VALIDADOR.value),
    "validar": (Role.VALIDADOR.value, Role.ADMINISTRADOR.value),
    "devolver": (Role.VALIDADOR.value, Role.ADMINISTRADOR.value),
    "cerrar": (Role.ADMINISTRADOR.value,),
    "reabrir": (Role.ADMINISTRADOR.value,),
}
FROM_STATES = {
    "enviar": (PeriodStatus.CAPTURANDO.value, PeriodStatus.DEVUELTO.value),
    "validar": (PeriodStatus.ENVIADO.value,),
    "devolver": (PeriodStatus.ENVIADO.value, PeriodStatus.VALIDADO.value),
    "cerrar": (PeriodStatus.CAPTURANDO.value, PeriodStatus.ENVIADO.value, PeriodStatus.VALIDADO.value,
               PeriodStatus.DEVUELTO.value),
    "reabrir": (PeriodStatus.CERRADO.value,),
}
_TO = {"enviar": PeriodStatus.ENVIADO.value, "validar": PeriodStatus.VALIDADO.value,
       "devolver": PeriodStatus.DEVUELTO.value, "cerrar": PeriodStatus.CERRADO.value,
       "reabrir": PeriodStatus.CAPTURANDO.value}


@dataclass
class Transition:
    agency_key: str
    old: str
    new: str
    measurements: int = 0  # measurement statuses changed


@dataclass
class WorkflowResult:
    action: str
    month: str
    transitions: list[Transition] = field(default_factory=list)


def month_period_ids(month: str) -> set[str]:
    """Every period id (any frequency) that ends in ``month``."""
    year, m, _ = periods.parse(month)
    out = {month}
    for freq in ("bimestral", "trimestral", "cuatrimestral", "semestral", "anual"):
        own = periods.period_ending_in(freq, year, m)
        if own:
            out.add(own)
    return out


def _measurements_of(session: Session, month: str, agency_id: int):
    q = (select(Measurement)
         .join(Variable, Variable.id == Measurement.variable_id)
         .join(Indicator, Indicator.id == Variable.indicator_id)
         .join(Objective, Objective.id == Indicator.objective_id)
         .join(Program, Program.id == Objective.program_id)
         .where(Program.agency_id == agency_id, Measurement.period.in_(month_period_ids(month))))
    return list(session.scalars(q))


def states(db: Database, month: str) -> dict[str, str]:
    """Workflow status of ``month`` for every dependencia (key -> status)."""
    with db.reading() as s:
        agencies = {a.id: a.key for a in s.scalars(select(Agency))}
        rows = {aid: st for aid, st in s.execute(select(PeriodState.agency_id, PeriodState.status)
                                                 .where(PeriodState.period == month))}
    return {key: rows.get(aid, PeriodStatus.CAPTURANDO.value) for aid, key in sorted(agencies.items(),
                                                                                      key=lambda kv: kv[1])}


def missing_justifications(session: Session, month: str, agency_key: str) -> list[str]:
    """AV-006 messages for the dependencia's indicators whose period ends in ``month``."""
    year = periods.year_of(month)
    pset = read_programs(session, year, None, agency_key)
    out = []
    for row in rows_for(pset, presets_by_key(session), month):
        res = row.result
        per = res.period_for_month if res is not None else None
        if per is None:
            continue
        required = per.needs_justification or bool(res.cumulative.needs_justification)
        if required and per.period not in pset.justified.get(row.indicator_key, set()):
            pct = per.progress_rounded if per.needs_justification else res.cumulative.progress_rounded
            from ..core.numbers import fmt_es

            out.append(MSG["av006"].format(period=per.period, ind=row.indicator_key,
                                           pct=fmt_es(pct) if pct is not None else "N/A"))
    return out


def agencies_for(s, agency_key: str | None) -> list[Agency]:
    """The dependencias a workflow act covers, by key order: all, or the one given by key or acronym (NotFound in
    Spanish when there is none)."""
    q = select(Agency).order_by(Agency.key)
    if agency_key:
        q = q.where((Agency.key == agency_key) | (Agency.acronym == agency_key))
    out = list(s.scalars(q))
    if agency_key and not out:
        raise NotFound(MSG["no_agency"].format(a=agency_key))
    return out


def apply(db: Database, actor: CurrentUser, action: str, month: str, agency_key: str | None = None,
          reason: str = "") -> WorkflowResult:
    """Apply a workflow action to ``month`` for one dependencia, or for all of them when ``agency_key`` is
    None (a capturista: only their own). All-or-nothing."""
    if action not in ACTIONS:
        raise ServiceError(MSG["bad_action"].format(a=action))
    try:
        year, first, last = periods.parse(month)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    if first != last:
        raise ServiceError(MSG["month"])
    reason = (reason or "").strip()
    actor.require(*_ROLES[action], action=f"{_ACTION_TEXT[action]} periodos")
    if action == "reabrir" and not reason:
        raise ServiceError(MSG["per002"].format(period=periods.label(month)))
    if action == "devolver" and not reason:
        raise ServiceError(MSG["comment"].format(period=periods.label(month)))
    if actor.role == Role.CAPTURISTA.value:
        if agency_key and agency_key != actor.agency_key:
            raise PermissionDenied(MSG["own_only"].format(user=actor.name, action=_ACTION_TEXT[action],
                                                          own=actor.agency_key or "ninguna"))
        agency_key = actor.agency_key
        if not agency_key:
            raise PermissionDenied(MSG["own_only"].format(user=actor.name, action=_ACTION_TEXT[action],
                                                          own="ninguna"))
    result = WorkflowResult(action, month)
    plabel = periods.label(month)
    with db.transaction() as s:
        require_fiscal_period(s, month)
        agencies = agencies_for(s, agency_key)
        problems: list[str] = []
        skipped: list[str] = []
        now = datetime.now().replace(microsecond=0)
        for ag in agencies:
            st = period_state_for_update(s, month, ag.id, nowait=action == "cerrar", agency_label=ag.key,
                                         period_label=plabel)
            old = st.status if st else PeriodStatus.CAPTURANDO.value
            if old not in FROM_STATES[action]:
                target = skipped if agency_key is None else problems  # all dependencias: apply where it fits
                target.append(MSG["from"].format(action=_ACTION_TEXT[action], period=plabel, agency=ag.key,
                                                   state=label(old),
                                                   expected=" o ".join(f"«{label(x)}»" for x in FROM_STATES[action])))
                continue
            measurements = _measurements_of(s, month, ag.id) if action in ("validar", "devolver", "cerrar") else []
            if action == "cerrar":
                pending = [m for m in measurements if m.status != "validado"]
                if pending:
                    problems.append(MSG["per001"].format(period=plabel, agency=ag.key, n=len(pending)))
                    continue
            if action == "enviar":
                missing = missing_justifications(s, month, ag.key)
                if missing:
                    problems.extend(missing)
                    continue
            changed = 0
            if action in ("validar", "devolver"):
                new_status = "validado" if action == "validar" else "rechazado"
                for m in measurements:
                    if m.status != new_status:
                        m.status = new_status
                        changed += 1
            if st is None:
                st = PeriodState(period=month, agency_id=ag.id, status=old)
                s.add(st)
            st.status, st.updated_by, st.updated_at = _TO[action], actor.name, now
            if action == "devolver":
                st.comment = reason
            audit.record(s, actor, "period", f"{month}/{ag.key}", "estado", old, _TO[action], action=action,
                         reason=reason)
            result.transitions.append(Transition(ag.key, old, _TO[action], changed))
        if not problems and not result.transitions and skipped:
            problems = skipped
        if problems:
            raise ServiceError(MSG["blocked"].format(action=_ACTION_TEXT[action], period=plabel, n=len(problems)),
                               problems)
    return result


def comment_of(db: Database, month: str, agency_key: str) -> str:
    with db.reading() as s:
        row = s.execute(select(PeriodState.comment).join(Agency, Agency.id == PeriodState.agency_id)
                        .where(PeriodState.period == month, Agency.key == agency_key)).first()
    return row[0] if row else ""


__all__ = ["ACTIONS", "apply", "states", "missing_justifications", "month_period_ids", "workflow_month",
           "WorkflowResult", "Transition"]
