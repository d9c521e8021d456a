"""Quarter delivery lock (issue 16): «A quarter whose formats were generated and delivered is locked; reopening is
the existing reopen act, with reason.»

*Entregar* a quarter (``YYYY-Tn``) for one dependencia or all: every month of the quarter must be «Validado» (or
already «Cerrado»); the months are closed through the workflow's close act (``workflow.apply(..., "cerrar")``,
so they are read-only as any closed month, PER-003) and the delivery — who, when, which formats if known — is an
audit entry (entity ``trimestre``, key ``YYYY-Tn/DEPENDENCIA``). Everything happens in one transaction: a refusal
leaves the database as it was. Reopening a month (``ses periodo reabrir`` with reason) lifts the lock; the
quarter's state then says «Reabierto tras la entrega».
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..core import periods
from ..core.types import PeriodStatus, Role, label
from ..db.database import Database
from ..db.models import AuditEntry, PeriodState
from . import audit, workflow
from .errors import ServiceError
from .users import CurrentUser

ENTITY = "trimestre"
ACTION = "entregar_trimestre"
ALLOWED = (PeriodStatus.VALIDADO.value, PeriodStatus.CERRADO.value)

MSG = {
    "quarter": "El trimestre debe escribirse AAAA-T1 … AAAA-T4 (p. ej. 2026-T3); se recibió «{period}».",
    "not_validated": "{month}, dependencia {agency}: su estado es «{state}»; para entregar el trimestre sus tres "
                     "meses deben estar validados.",
    "blocked": "No se pudo entregar el {quarter}: revise {n} problema(s).",
    "already": "El {quarter} de la dependencia {agency} ya fue entregado el {at} por {by}.",
    "action": "entregar el trimestre (cierra sus meses)",
    "state_delivered": "Entregado",
    "state_reopened": "Reabierto tras la entrega",
    "state_pending": "Sin entregar",
}


@dataclass
class QuarterState:
    agency_key: str
    months: dict[str, str]  # month -> workflow status
    delivered: bool  # delivered and every month still closed (locked)
    delivered_by: str = ""
    delivered_at: datetime | None = None
    formats: list[str] = field(default_factory=list)
    reopened: bool = False  # delivered once, a month reopened since

    @property
    def state_label(self) -> str:
        if self.delivered:
            return MSG["state_delivered"]
        return MSG["state_reopened"] if self.reopened else MSG["state_pending"]

    def as_dict(self) -> dict:
        return {"dependencia": self.agency_key, "meses": self.months, "entregado": self.delivered,
                "reabierto": self.reopened, "estado": self.state_label, "entregado_por": self.delivered_by,
                "entregado_el": self.delivered_at.isoformat() if self.delivered_at else "",
                "formatos": self.formats}


def quarter_months(quarter: str) -> list[str]:
    q = (quarter or "").strip().upper()
    try:
        _year, first, last = periods.parse(q)
    except periods.PeriodError:
        raise ServiceError(MSG["quarter"].format(period=quarter)) from None
    if last - first != 2 or "-T" not in q:
        raise ServiceError(MSG["quarter"].format(period=quarter))
    return periods.months_of(q)


def _states(s, months: list[str]) -> dict[tuple[str, int], str]:
    return {(p, a): st for p, a, st in s.execute(select(PeriodState.period, PeriodState.agency_id,
                                                        PeriodState.status).where(PeriodState.period.in_(months)))}


def _last_delivery(s, quarter: str, agency_key: str) -> AuditEntry | None:
    return s.scalars(select(AuditEntry).where(AuditEntry.entity == ENTITY, AuditEntry.action == ACTION,
                                              AuditEntry.entity_key == f"{quarter}/{agency_key}")
                     .order_by(AuditEntry.id.desc())).first()


def deliver(db: Database, actor: CurrentUser, quarter: str, agency_key: str | None = None,
            formats: list[str] | None = None) -> list[QuarterState]:
    """Close the quarter's months (all validated) and record the delivery; returns the new states."""
    from .packages import _Bound  # several use cases in one transaction, as packages do

    actor.require(Role.ADMINISTRADOR.value, action=MSG["action"])
    months = quarter_months(quarter)
    quarter = quarter.strip().upper()
    qlabel = periods.label(quarter)
    formats = [f.strip() for f in (formats or []) if f and f.strip()]
    with db.transaction() as s:
        agencies = workflow.agencies_for(s, agency_key)
        states = _states(s, months)
        problems = []
        for ag in agencies:
            delivered = _last_delivery(s, quarter, ag.key)
            all_closed = all(states.get((m, ag.id)) == PeriodStatus.CERRADO.value for m in months)
            if delivered is not None and all_closed:
                problems.append(MSG["already"].format(quarter=qlabel, agency=ag.key,
                                                      at=delivered.at.strftime("%d/%m/%Y %H:%M"),
                                                      by=delivered.user_name))
                continue
            for m in months:
                st = states.get((m, ag.id), PeriodStatus.CAPTURANDO.value)
                if st not in ALLOWED:
                    problems.append(MSG["not_validated"].format(month=periods.label(m), agency=ag.key,
                                                                state=label(st)))
        if problems:
            raise ServiceError(MSG["blocked"].format(quarter=qlabel, n=len(problems)), problems)
        bound = _Bound(db, s)
        for ag in agencies:
            for m in months:
                if states.get((m, ag.id)) != PeriodStatus.CERRADO.value:
                    workflow.apply(bound, actor, "cerrar", m, ag.key)
            audit.record(s, actor, ENTITY, f"{quarter}/{ag.key}", "entrega", None, "entregado", action=ACTION,
                         reason=("formatos: " + ", ".join(formats)) if formats else "")
        keys = [ag.key for ag in agencies]
    return [st for st in status(db, quarter) if st.agency_key in keys]


def status(db: Database, quarter: str, agency_key: str | None = None) -> list[QuarterState]:
    """Per dependencia: the months' workflow states and whether the quarter is delivered (locked)."""
    months = quarter_months(quarter)
    quarter = quarter.strip().upper()
    out = []
    with db.reading() as s:
        states = _states(s, months)
        for ag in workflow.agencies_for(s, agency_key):
            ms = {m: states.get((m, ag.id), PeriodStatus.CAPTURANDO.value) for m in months}
            entry = _last_delivery(s, quarter, ag.key)
            closed = all(v == PeriodStatus.CERRADO.value for v in ms.values())
            st = QuarterState(ag.key, ms, delivered=entry is not None and closed,
                              reopened=entry is not None and not closed)
            if entry is not None:
                st.delivered_by, st.delivered_at = entry.user_name, entry.at
                reason = entry.reason or ""
                st.formats = [f.strip() for f in reason.removeprefix("formatos:").split(",") if f.strip()] \
                    if reason.startswith("formatos:") else []
            out.append(st)
    return out


__all__ = ["deliver", "status", "QuarterState", "quarter_months"]
