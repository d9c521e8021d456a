"""Reconducción (SEGEMUN, Estado de México): a request to change the targets of an indicator (its variables'
calendarized targets, ``Target.value``; ``original_value`` keeps the approved one) or of a meta de actividad
(quarterly ``programmed``, ``annual_target``), with a justification, and the UIPPE's decision.

Rules (docs/reconduccion.md; business days from ``core.business_days``):

- a request belongs to a quarter (``YYYY-Tn``, by default the quarter of the request date) and must be made by the
  last business day of that quarter;
- never retroactive: only periods that have not ended at the request date can change;
- the UIPPE (administrador or validador) authorises — with its oficio number — or rejects — with a note — until the
  fifth business day after the quarter closes;
- the targets change only on authorisation; the request, the decision and every changed target are audit
  entries;
- one pending request per (target, period): a request touching a period of an indicator (any of its variables) or
  of a meta de actividad (a quarter, or the annual target) that another pending request already touches is refused,
  and a request is not authorised when another one on the same (target, period) was authorised while it was
  pending (``_authorised_meanwhile``).

"Today" is a parameter (``today=``) of every use case so that the date rules can be tested at their edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import business_days as bd
from ..core import periods
from ..core.numbers import fmt_es
from ..core.types import Role
from ..db.database import Database
from ..db.models import (ActivityGoal, Agency, FiscalYear, Indicator, Objective, Program,
                         Project, Reconduction, Target, Variable)
from . import audit
from .capture import check_agency_access
from .errors import NotFound, ServiceError
from .users import CurrentUser

KINDS = ("indicador", "meta")
STATUSES = ("solicitada", "autorizada", "rechazada")
UIPPE = (Role.ADMINISTRADOR.value, Role.VALIDADOR.value)
REQUESTERS = (Role.CAPTURISTA.value, Role.VALIDADOR.value, Role.ADMINISTRADOR.value)
DECISION_DAYS = 5  # business days after the quarter closes

MSG = {
    "kind": "Tipo de reconducción «{kind}» no válido: use indicador o meta.",
    "quarter": "El periodo de la reconducción debe ser un trimestre (AAAA-T1 … AAAA-T4); se recibió «{period}».",
    "late": "La reconducción del {quarter} debía solicitarse a más tardar el {deadline} (último día hábil del "
            "trimestre); la solicitud es del {today}. Solicítela en el trimestre siguiente, antes del {next}.",
    "retro": "No se puede reconducir {period}: terminó el {end}, antes de la solicitud ({today}). La reconducción "
             "no es retroactiva: solo cambian los periodos que no han terminado.",
    "reason": "Escriba la justificación de la reconducción (por qué cambian las metas).",
    "no_changes": "Indique al menos un cambio de meta (periodo y nuevo valor).",
    "no_indicator": "No existe el indicador «{key}».",
    "no_goal": "No existe la meta de actividad «{key}» en el ejercicio {year} (use PROYECTO/ID, p. ej. "
               "010304010101/1).",
    "goal_key": "La meta de actividad se indica como PROYECTO/ID (p. ej. 010304010101/1); se recibió «{key}».",
    "ambiguous_goal": "La meta «{key}» existe en varios programas ({programs}); indique el programa.",
    "variable": "Indique la variable del indicador {ind} ({vars}) para el periodo {period}.",
    "no_variable": "El indicador {ind} no tiene la variable «{var}» (tiene: {vars}).",
    "no_target": "El indicador {ind} no tiene meta de {var} para {period}; la reconducción cambia metas ya "
                 "programadas.",
    "goal_period": "La meta {key} no tiene el periodo {period}: use un trimestre del {year} (AAAA-Tn) o el año "
                   "({year}) para la meta anual.",
    "no_goal_quarter": "La meta {key} no tiene programado el {period}.",
    "same": "{what}: el nuevo valor ({new}) es igual al actual.",
    "number": "{what}: «{value}» no es un número válido.",
    "negative": "{what}: la meta no puede ser negativa ({value}).",
    "duplicate": "El periodo {period} aparece dos veces en la solicitud.",
    "no_request": "No existe la solicitud de reconducción {id}.",
    "decided": "La solicitud {id} ya fue {status} el {at} por {by}.",
    "decision_late": "La UIPPE debía resolver la reconducción del {quarter} a más tardar el {deadline} (quinto día "
                     "hábil después del cierre del trimestre, {closed}); hoy es {today}.",
    "before_request": "La solicitud {id} es del {requested}: no se puede resolver con fecha anterior ({today}).",
    "oficio": "Para autorizar la reconducción escriba el número de oficio de la UIPPE.",
    "note": "Para rechazar la reconducción escriba una nota con el motivo.",
    "changed_since": "{what} cambió desde la solicitud (era {old}, ahora es {now}); rechace esta solicitud y "
                     "pida una nueva.",
    "pending": "{target}, {period}, ya está en la solicitud de reconducción N.º {id}, pendiente de resolución: "
               "la solicitó {by} el {at}. No se registró esta solicitud. Espere a que la UIPPE autorice o rechace "
               "la solicitud {id} (o pida a la UIPPE que la rechace) y solicite entonces el cambio.",
    "pending_more": "También pendiente: {target}, {period}, en la solicitud N.º {id} ({by}, {at}).",
    "authorised_meanwhile": "No se puede autorizar la solicitud {rec}: {target}, {period}, ya cambió con la "
                            "solicitud de reconducción N.º {id} (la solicitó {by} el {at}), que {decided_by} "
                            "autorizó el {decided_at}{oficio}, cuando esta ya estaba pendiente (se solicitó el "
                            "{requested}). No se cambió nada. Rechace la solicitud {rec} y, si aún hace falta, "
                            "pida una nueva sobre la meta vigente.",
    "target_ind": "La meta del indicador {key}",
    "target_goal": "La meta de actividad {key}",
    "period_annual": "meta anual {period}",
    "period_year": "año {period}",
    "period_text": "{label} ({period})",
    "at": "{day} a las {time}",
    "with_oficio": " (oficio {oficio})",
    "act_request": "solicitar reconducciones",
    "act_decide": "autorizar o rechazar reconducciones (UIPPE)",
    "applied_reason": "Reconducción {id}, oficio {oficio}: {reason}",
    "status_solicitada": "solicitada", "status_autorizada": "autorizada", "status_rechazada": "rechazada",
}


@dataclass
class TargetChange:
    """One change asked for: the target's period (indicator: the variable's period; meta: ``YYYY-Tn`` quarter
    programmed or ``YYYY`` annual target) and its new value. ``variable`` only for indicators."""

    period: str
    new: Decimal | str
    variable: str | None = None


@dataclass
class ReconductionInfo:
    id: int
    kind: str
    key: str  # indicator key, or PROYECTO/ID of the meta
    name: str
    agency_key: str | None
    period: str
    reason: str
    changes: list[dict]
    status: str
    requested_by: str
    requested_at: datetime | None
    decided_by: str = ""
    decided_at: datetime | None = None
    oficio: str = ""
    decision_note: str = ""
    request_deadline: date | None = None
    decision_deadline: date | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "tipo": self.kind, "clave": self.key, "nombre": self.name,
                "dependencia": self.agency_key or "", "trimestre": self.period, "justificacion": self.reason,
                "cambios": self.changes, "estado": self.status, "solicitada_por": self.requested_by,
                "solicitada_el": self.requested_at.isoformat() if self.requested_at else "",
                "resuelta_por": self.decided_by,
                "resuelta_el": self.decided_at.isoformat() if self.decided_at else "",
                "oficio": self.oficio, "nota": self.decision_note,
                "fecha_limite_solicitud": self.request_deadline.isoformat() if self.request_deadline else "",
                "fecha_limite_resolucion": self.decision_deadline.isoformat() if self.decision_deadline else ""}


@dataclass
class Deadlines:
    quarter: str
    request: date  # last business day of the quarter
    closes: date  # last calendar day of the quarter
    decision: date  # fifth business day after it closes
    rest_days: list[date] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# dates

def _quarter(period: str) -> tuple[int, int]:
    try:
        year, first, last = periods.parse(period)
    except periods.PeriodError:
        raise ServiceError(MSG["quarter"].format(period=period)) from None
    if last - first != 2 or not period.strip().upper().split("-")[1].startswith("T"):
        raise ServiceError(MSG["quarter"].format(period=period))
    return year, last // 3


def quarter_id(year: int, quarter: int) -> str:
    return f"{year:04d}-T{quarter}"


def deadlines(period: str) -> Deadlines:
    """The dates of a quarter's reconducción: request by, closes, decision by."""
    year, q = _quarter(period)
    end = bd.quarter_end(year, q)
    decision = bd.business_days_after_quarter(year, q, DECISION_DAYS)
    rest = sorted(d for y in {year, decision.year} for d in bd.rest_days(y)
                  if bd.quarter_start(year, q) <= d <= decision)
    return Deadlines(quarter_id(year, q), bd.last_business_day_of_quarter(year, q), end, decision, rest)


def _today(today: date | None) -> date:
    return today or date.today()


def _stamp(day: date) -> datetime:
    """The moment of a use case on ``day`` (today's clock time on that day)."""
    now = datetime.now().replace(microsecond=0)
    return datetime.combine(day, now.time())


def check_request_date(period: str, today: date) -> None:
    dl = deadlines(period)
    if today > dl.request:
        year, q = _quarter(dl.quarter)
        nyear, nq = (year + 1, 1) if q == 4 else (year, q + 1)
        raise ServiceError(MSG["late"].format(
            quarter=periods.label(dl.quarter), deadline=bd.fmt_date(dl.request), today=bd.fmt_date(today),
            next=bd.fmt_date(bd.last_business_day_of_quarter(nyear, nq))))


def check_decision_date(rec_id: int, period: str, requested: date, today: date) -> None:
    dl = deadlines(period)
    if today < requested:
        raise ServiceError(MSG["before_request"].format(id=rec_id, requested=bd.fmt_date(requested),
                                                        today=bd.fmt_date(today)))
    if today > dl.decision:
        raise ServiceError(MSG["decision_late"].format(
            quarter=periods.label(dl.quarter), deadline=bd.fmt_date(dl.decision), closed=bd.fmt_date(dl.closes),
            today=bd.fmt_date(today)))


# ---------------------------------------------------------------------------------------------------
# targets

def _decimal(value, what: str) -> Decimal:
    if isinstance(value, Decimal):
        d = value
    else:
        from ..core.numbers import NumberParseError, parse_strict_number

        try:
            d = parse_strict_number(str(value))
        except (NumberParseError, InvalidOperation):
            raise ServiceError(MSG["number"].format(what=what, value=value)) from None
    if d is None or not d.is_finite():
        raise ServiceError(MSG["number"].format(what=what, value=value))
    if d < 0:
        raise ServiceError(MSG["negative"].format(what=what, value=fmt_es(d)))
    return d


def _indicator(s: Session, key: str):
    row = s.execute(select(Indicator, Program, Agency)
                    .join(Objective, Objective.id == Indicator.objective_id)
                    .join(Program, Program.id == Objective.program_id)
                    .outerjoin(Agency, Agency.id == Program.agency_id)
                    .where(Indicator.key == key)).first()
    if row is None:
        raise NotFound(MSG["no_indicator"].format(key=key))
    return row


def _goal(s: Session, key: str, year: int, program_key: str | None = None):
    if "/" not in key:
        raise ServiceError(MSG["goal_key"].format(key=key))
    pkey, gkey = (x.strip() for x in key.rsplit("/", 1))
    q = (select(ActivityGoal, Project, Program, Agency)
         .join(Project, Project.id == ActivityGoal.project_id)
         .join(Program, Program.id == Project.program_id)
         .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
         .outerjoin(Agency, Agency.id == Program.agency_id)
         .where(Project.key == pkey, ActivityGoal.key == gkey, FiscalYear.year == year))
    if program_key:
        q = q.where(Program.key == program_key)
    rows = list(s.execute(q))
    if not rows:
        raise NotFound(MSG["no_goal"].format(key=key, year=year))
    if len(rows) > 1:
        raise ServiceError(MSG["ambiguous_goal"].format(key=key, programs=", ".join(r[2].key for r in rows)))
    return rows[0]


def _indicator_targets(s: Session, ind: Indicator) -> dict[tuple[str, str], Target]:
    out = {}
    for var, t in s.execute(select(Variable.key, Target).join(Target, Target.variable_id == Variable.id)
                            .where(Variable.indicator_id == ind.id)):
        out[(var, t.period)] = t
    return out


def _indicator_changes(s: Session, ind: Indicator, changes: list[TargetChange], today: date) -> list[dict]:
    var_keys = list(s.scalars(select(Variable.key).where(Variable.indicator_id == ind.id).order_by(Variable.id)))
    targets = _indicator_targets(s, ind)
    out, seen = [], set()
    for c in changes:
        var = c.variable or (var_keys[0] if len(var_keys) == 1 else None)
        if var is None:
            raise ServiceError(MSG["variable"].format(ind=ind.key, vars=", ".join(var_keys), period=c.period))
        if var not in var_keys:
            raise ServiceError(MSG["no_variable"].format(ind=ind.key, var=var, vars=", ".join(var_keys)))
        period = _period(c.period)
        _not_retroactive(period, today)
        if (var, period) in seen:
            raise ServiceError(MSG["duplicate"].format(period=f"{var} {period}"))
        seen.add((var, period))
        t = targets.get((var, period))
        if t is None:
            raise ServiceError(MSG["no_target"].format(ind=ind.key, var=var, period=period))
        what = f"{ind.key} / {var} / {period}"
        new = _decimal(c.new, what)
        if new == t.value:
            raise ServiceError(MSG["same"].format(what=what, new=fmt_es(new)))
        out.append({"variable": var, "periodo": period, "anterior": str(t.value), "nuevo": str(new)})
    return out


def _goal_changes(s: Session, goal: ActivityGoal, label_key: str, year: int, changes: list[TargetChange],
                  today: date) -> list[dict]:
    quarters = {q.period: q for q in goal.quarters}
    out, seen = [], set()
    for c in changes:
        period = _period(c.period)
        if period != str(year) and not (period.startswith(f"{year:04d}-T")):
            raise ServiceError(MSG["goal_period"].format(key=label_key, period=period, year=year))
        _not_retroactive(period, today)
        if period in seen:
            raise ServiceError(MSG["duplicate"].format(period=period))
        seen.add(period)
        if period == str(year):
            old = goal.annual_target
        else:
            q = quarters.get(period)
            if q is None or q.programmed is None:
                raise ServiceError(MSG["no_goal_quarter"].format(key=label_key, period=period))
            old = q.programmed
        what = f"{label_key} / {period}"
        new = _decimal(c.new, what)
        if old is not None and new == old:
            raise ServiceError(MSG["same"].format(what=what, new=fmt_es(new)))
        out.append({"periodo": period, "anterior": "" if old is None else str(old), "nuevo": str(new)})
    return out


def _period(text: str) -> str:
    try:
        periods.parse(text)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from None
    return text.strip().upper()


def _not_retroactive(period: str, today: date) -> None:
    end = periods.end_date(period)
    if end < today:
        raise ServiceError(MSG["retro"].format(period=periods.label(period), end=bd.fmt_date(end),
                                               today=bd.fmt_date(today)))


def changes_text(changes: list[dict]) -> str:
    """A request's changes in one line for people: «VAR 2026-11: 100.00 → 150.00; 2026-T4: — → 60.00»."""
    parts = []
    for c in changes:
        who = f"{c['variable']} " if c.get("variable") else ""
        old = fmt_es(Decimal(c["anterior"])) if c.get("anterior") else "—"
        parts.append(f"{who}{c['periodo']}: {old} → {fmt_es(Decimal(c['nuevo']))}")
    return "; ".join(parts)


def _current_goal_value(goal: ActivityGoal, period: str):
    if "-T" in period:
        q = next((q for q in goal.quarters if q.period == period), None)
        return q.programmed if q else None
    return goal.annual_target


# ---------------------------------------------------------------------------------------------------
# use cases

def request(db: Database, actor: CurrentUser, kind: str, key: str, changes: list[TargetChange], reason: str, *,
            period: str | None = None, program_key: str | None = None, today: date | None = None) -> ReconductionInfo:
    """Record a reconducción request (the targets do not change yet). ``key`` is the indicator key or
    ``PROYECTO/ID`` of a meta de actividad; ``period`` the quarter (default: the quarter of ``today``)."""
    actor.require(*REQUESTERS, action=MSG["act_request"])
    if kind not in KINDS:
        raise ServiceError(MSG["kind"].format(kind=kind))
    today = _today(today)
    quarter = quarter_id(*bd.quarter_of(today)) if not period else deadlines(period).quarter
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(MSG["reason"])
    if not changes:
        raise ServiceError(MSG["no_changes"])
    check_request_date(quarter, today)
    with db.transaction() as s:
        rec = Reconduction(kind=kind, period=quarter, reason=reason, status="solicitada", requested_by=actor.name,
                           requested_at=_stamp(today))
        if kind == "indicador":
            ind, _prog, agency = _indicator(s, key)
            check_agency_access(actor, agency.key if agency else None, ind.key)
            rec.indicator_id = ind.id
            rec.changes = _indicator_changes(s, ind, changes, today)
            key = ind.key
        else:
            goal, _project, _prog, agency = _goal(s, key, int(quarter[:4]), program_key)
            check_agency_access(actor, agency.key if agency else None, key)
            rec.goal_id = goal.id
            rec.changes = _goal_changes(s, goal, key, int(quarter[:4]), changes, today)
        _refuse_if_pending(s, rec, key)
        s.add(rec)
        s.flush()
        audit.record(s, actor, "reconduccion", str(rec.id), "solicitud", None, _changes_text(rec.changes),
                     action="solicitar_reconduccion", reason=reason)
        rec_id = rec.id
    return get(db, rec_id)


def authorize(db: Database, actor: CurrentUser, rec_id: int, *, oficio: str, note: str = "",
              today: date | None = None) -> ReconductionInfo:
    """The UIPPE authorises: the targets change now (``original_value`` kept), each change audited."""
    oficio = (oficio or "").strip()
    if not oficio:
        raise ServiceError(MSG["oficio"])
    return _decide(db, actor, rec_id, True, oficio, note, today)


def reject(db: Database, actor: CurrentUser, rec_id: int, *, note: str, oficio: str = "",
           today: date | None = None) -> ReconductionInfo:
    if not (note or "").strip():
        raise ServiceError(MSG["note"])
    return _decide(db, actor, rec_id, False, (oficio or "").strip(), note, today)


def _decide(db, actor, rec_id, authorized, oficio, note, today) -> ReconductionInfo:
    actor.require(*UIPPE, action=MSG["act_decide"])
    today = _today(today)
    note = (note or "").strip()
    with db.transaction() as s:
        rec = s.get(Reconduction, rec_id)
        if rec is None:
            raise NotFound(MSG["no_request"].format(id=rec_id))
        if rec.status != "solicitada":
            raise ServiceError(MSG["decided"].format(id=rec_id, status=MSG["status_" + rec.status],
                                                     at=bd.fmt_date(rec.decided_at.date()) if rec.decided_at else "—",
                                                     by=rec.decided_by or "—"))
        check_decision_date(rec_id, rec.period, rec.requested_at.date(), today)
        if authorized:
            _refuse_if_authorised_meanwhile(s, rec, _key_of(s, rec))
        status = "autorizada" if authorized else "rechazada"
        rec.status, rec.decided_by, rec.decided_at = status, actor.name, _stamp(today)
        rec.oficio, rec.decision_note = oficio, note
        audit.record(s, actor, "reconduccion", str(rec.id), "estado", "solicitada", status,
                     action="autorizar_reconduccion" if authorized else "rechazar_reconduccion",
                     reason=(f"oficio {oficio}" if oficio else "") + (f"; {note}" if oficio and note else note))
        if authorized:
            why = MSG["applied_reason"].format(id=rec.id, oficio=oficio, reason=rec.reason)
            if rec.kind == "indicador":
                _apply_indicator(s, actor, rec, why, today)
            else:
                goal = s.get(ActivityGoal, rec.goal_id)
                key = f"{goal.project.key}/{goal.key}"
                for c in rec.changes:
                    _same_as_requested(key + f" / {c['periodo']}", c["anterior"], _current_goal_value(goal, c["periodo"]))
                from .projects import apply_goal_changes

                apply_goal_changes(s, goal, rec.changes, actor, why)
    return get(db, rec_id)


def _same_as_requested(what: str, old_text: str, now) -> None:
    old = Decimal(old_text) if old_text else None
    if old != now:
        raise ServiceError(MSG["changed_since"].format(what=what, old=fmt_es(old) if old is not None else "—",
                                                       now=fmt_es(now) if now is not None else "—"))


def _apply_indicator(s: Session, actor: CurrentUser, rec: Reconduction, why: str, today: date) -> None:
    ind = s.get(Indicator, rec.indicator_id)
    targets = _indicator_targets(s, ind)
    for c in rec.changes:
        what = f"{ind.key} / {c['variable']} / {c['periodo']}"
        t = targets.get((c["variable"], c["periodo"]))
        _same_as_requested(what, c["anterior"], t.value if t else None)
        new = Decimal(c["nuevo"])
        old = t.value
        t.value = new
        t.change_reason, t.changed_by, t.changed_at = why, actor.name, _stamp(today)
        audit.record(s, actor, "meta", f"{ind.key}/{c['variable']}/{c['periodo']}", "valor", old, new,
                     action="reconducir", reason=why)


# ---------------------------------------------------------------------------------------------------
# one pending request per (target, period)

def _touched(rec: Reconduction) -> set[str]:
    """The periods a request changes. For an indicator the target of a period is its variables' targets together
    (the formula), so the variable does not matter; for a meta de actividad a quarter and the annual target
    (``YYYY``) are different targets."""
    return {c["periodo"] for c in rec.changes or []}


def _same_target(s: Session, rec: Reconduction):
    """The other requests on the same indicator or meta de actividad, oldest first."""
    q = select(Reconduction).where(Reconduction.kind == rec.kind)
    if rec.id is not None:
        q = q.where(Reconduction.id != rec.id)
    q = q.where(Reconduction.indicator_id == rec.indicator_id) if rec.kind == "indicador" \
        else q.where(Reconduction.goal_id == rec.goal_id)
    return s.scalars(q.order_by(Reconduction.requested_at, Reconduction.id))


def _lock_target(s: Session, rec: Reconduction) -> None:
    """On a server, two officials asking for the same target at the same moment are checked one after the other
    (the indicator's or the meta's row stays locked until the transaction ends; SQLite has one writer)."""
    from .locking import on_server

    if on_server(s):
        model, rid = (Indicator, rec.indicator_id) if rec.kind == "indicador" else (ActivityGoal, rec.goal_id)
        s.execute(select(model.id).where(model.id == rid).with_for_update())


def _target_text(kind: str, key: str) -> str:
    return MSG["target_ind" if kind == "indicador" else "target_goal"].format(key=key)


def _period_text(kind: str, period: str) -> str:
    if "-" not in period:
        return MSG["period_annual" if kind == "meta" else "period_year"].format(period=period)
    return MSG["period_text"].format(label=periods.label(period), period=period)


def _at(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return MSG["at"].format(day=bd.fmt_date(moment.date()), time=moment.strftime("%H:%M"))


def _refuse_if_pending(s: Session, rec: Reconduction, key: str) -> None:
    """Refuse ``rec`` (not yet added) when another pending request touches one of its (target, period)."""
    _lock_target(s, rec)
    mine = _touched(rec)
    clashes = [(other, period) for other in _same_target(s, rec) if other.status == "solicitada"
               for period in sorted(mine & _touched(other), key=periods.sort_key)]
    if not clashes:
        return
    target = _target_text(rec.kind, key)
    first, period = clashes[0]
    details = [MSG["pending_more"].format(target=target, period=_period_text(rec.kind, p), id=o.id,
                                          by=o.requested_by, at=_at(o.requested_at)) for o, p in clashes[1:]]
    raise ServiceError(MSG["pending"].format(target=target, period=_period_text(rec.kind, period), id=first.id,
                                             by=first.requested_by, at=_at(first.requested_at)), details)


def _authorised_meanwhile(other: Reconduction, rec: Reconduction) -> bool:
    """Whether ``other`` was authorised while ``rec`` was pending: decided after ``rec`` was requested. Stamps
    are to the second; on a tie the request made later in this database (higher id) is the one that came after:
    ``other`` requested after ``rec`` was necessarily decided while ``rec`` was pending, and ``other`` requested
    before ``rec`` was decided before it (the request rule refuses a request while another is pending)."""
    if other.status != "autorizada" or other.decided_at is None or rec.requested_at is None:
        return False
    if other.decided_at != rec.requested_at:
        return other.decided_at > rec.requested_at
    return other.id > rec.id


def _refuse_if_authorised_meanwhile(s: Session, rec: Reconduction, key: str) -> None:
    _lock_target(s, rec)
    mine = _touched(rec)
    for other in _same_target(s, rec):
        common = sorted(mine & _touched(other), key=periods.sort_key)
        if common and _authorised_meanwhile(other, rec):
            raise ServiceError(MSG["authorised_meanwhile"].format(
                rec=rec.id, target=_target_text(rec.kind, key), period=_period_text(rec.kind, common[0]),
                id=other.id, by=other.requested_by, at=_at(other.requested_at), decided_by=other.decided_by or "—",
                decided_at=_at(other.decided_at),
                oficio=MSG["with_oficio"].format(oficio=other.oficio) if other.oficio else "",
                requested=_at(rec.requested_at)))


def _changes_text(changes: list[dict]) -> str:
    parts = []
    for c in changes:
        who = f"{c['variable']} " if c.get("variable") else ""
        old = fmt_es(Decimal(c["anterior"])) if c["anterior"] else "—"
        parts.append(f"{who}{c['periodo']}: {old} → {fmt_es(Decimal(c['nuevo']))}")
    return "; ".join(parts)


def _key_of(s: Session, rec: Reconduction) -> str:
    if rec.kind == "indicador":
        return s.get(Indicator, rec.indicator_id).key
    goal = s.get(ActivityGoal, rec.goal_id)
    return f"{goal.project.key}/{goal.key}"


def _info(s: Session, rec: Reconduction) -> ReconductionInfo:
    if rec.kind == "indicador":
        ind, _prog, agency = _indicator_by_id(s, rec.indicator_id)
        key, name = ind.key, ind.name
    else:
        goal = s.get(ActivityGoal, rec.goal_id)
        prog = goal.project.program
        agency = s.get(Agency, prog.agency_id) if prog.agency_id else None
        key, name = f"{goal.project.key}/{goal.key}", goal.name
    dl = deadlines(rec.period)
    return ReconductionInfo(rec.id, rec.kind, key, name, agency.key if agency else None, rec.period, rec.reason,
                            list(rec.changes or []), rec.status, rec.requested_by, rec.requested_at, rec.decided_by,
                            rec.decided_at, rec.oficio, rec.decision_note, dl.request, dl.decision)


def _indicator_by_id(s: Session, iid: int):
    return s.execute(select(Indicator, Program, Agency)
                     .join(Objective, Objective.id == Indicator.objective_id)
                     .join(Program, Program.id == Objective.program_id)
                     .outerjoin(Agency, Agency.id == Program.agency_id)
                     .where(Indicator.id == iid)).one()


def get(db: Database, rec_id: int) -> ReconductionInfo:
    with db.reading() as s:
        rec = s.get(Reconduction, rec_id)
        if rec is None:
            raise NotFound(MSG["no_request"].format(id=rec_id))
        return _info(s, rec)


@dataclass
class CurrentTarget:
    """A target a reconducción could change (its period has not ended on ``today``)."""

    variable: str | None  # indicator variable; None for a meta de actividad
    period: str
    value: Decimal | None


def changeable_targets(db: Database, kind: str, key: str, *, program_key: str | None = None,
                       today: date | None = None) -> tuple[str, list[CurrentTarget]]:
    """(name, targets whose period has not ended on ``today``) of an indicator or a meta de actividad: what the
    window's request form offers to change."""
    if kind not in KINDS:
        raise ServiceError(MSG["kind"].format(kind=kind))
    today = _today(today)
    with db.reading() as s:
        if kind == "indicador":
            ind, _prog, _agency = _indicator(s, key)
            rows = [CurrentTarget(var, per, t.value) for (var, per), t in _indicator_targets(s, ind).items()]
            name = ind.name
        else:
            goal, *_ = _goal(s, key, today.year, program_key)
            rows = [CurrentTarget(None, q.period, q.programmed) for q in goal.quarters if q.programmed is not None]
            rows.append(CurrentTarget(None, str(today.year), goal.annual_target))
            name = goal.name
    rows = [r for r in rows if periods.end_date(r.period) >= today]
    rows.sort(key=lambda r: (r.variable or "", periods.sort_key(r.period)))
    return name, rows


def list_requests(db: Database, *, period: str | None = None, status: str | None = None,
                  agency_key: str | None = None) -> list[ReconductionInfo]:
    """Requests, newest first; filtered by quarter, status or dependencia."""
    with db.reading() as s:
        q = select(Reconduction).order_by(Reconduction.id.desc())
        if period:
            q = q.where(Reconduction.period == deadlines(period).quarter)
        if status:
            q = q.where(Reconduction.status == status)
        out = [_info(s, r) for r in s.scalars(q)]
    if agency_key:
        out = [r for r in out if r.agency_key == agency_key]
    return out


__all__ = ["changeable_targets", "CurrentTarget", "request", "authorize", "reject", "list_requests", "get", "deadlines", "TargetChange",
           "ReconductionInfo", "Deadlines", "check_request_date", "check_decision_date"]
