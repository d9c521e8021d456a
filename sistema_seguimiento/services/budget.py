"""Budget of a program for a period: aprobado, modificado, ejercido (pesos, exact decimals)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..core import periods
from ..core.types import PeriodStatus
from ..db.database import Database
from ..db.models import Agency, Budget, FiscalYear, Program
from . import audit
from .capture import check_agency_access, period_status, workflow_month
from .errors import NotFound, ServiceError
from .users import CurrentUser

FIELDS = (("approved", "aprobado"), ("modified", "modificado"), ("exercised", "ejercido"))
MSG = {
    "no_program": "No existe el programa «{p}» en el ejercicio {y}.",
    "negative": "El presupuesto {f} no puede ser negativo.",
    "closed": "PER-003: El periodo {period} está cerrado; solicite su reapertura.",
    "exceeds": "El presupuesto ejercido ({e}) supera al modificado ({m}).",
}


@dataclass
class BudgetFigures:
    program_key: str
    period: str
    approved: Decimal | None = None
    modified: Decimal | None = None
    exercised: Decimal | None = None


def get(db: Database, program_key: str, period: str) -> BudgetFigures:
    year = periods.year_of(period)
    with db.reading() as s:
        row = s.execute(select(Budget.approved, Budget.modified, Budget.exercised)
                        .join(Program, Program.id == Budget.program_id)
                        .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
                        .where(Program.key == program_key, FiscalYear.year == year, Budget.period == period)).first()
    return BudgetFigures(program_key, period, *(row or (None, None, None)))


def save(db: Database, actor: CurrentUser, program_key: str, period: str, *, approved: Decimal | None,
         modified: Decimal | None, exercised: Decimal | None) -> BudgetFigures:
    try:
        year = periods.year_of(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    new = {"approved": approved, "modified": modified, "exercised": exercised}
    problems = [MSG["negative"].format(f=label) for attr, label in FIELDS
                if new[attr] is not None and new[attr] < 0]
    if problems:
        raise ServiceError(problems[0], problems[1:])
    with db.transaction() as s:
        row = s.execute(select(Program, Agency.key).outerjoin(Agency, Agency.id == Program.agency_id)
                        .join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
                        .where(Program.key == program_key, FiscalYear.year == year)).first()
        if row is None:
            raise NotFound(MSG["no_program"].format(p=program_key, y=year))
        prog, agency_key = row
        check_agency_access(actor, agency_key, f"del programa {program_key}")
        month = workflow_month(period)
        if period_status(s, month, prog.agency_id) == PeriodStatus.CERRADO.value:
            raise ServiceError(MSG["closed"].format(period=periods.label(month)))
        b = s.scalars(select(Budget).where(Budget.program_id == prog.id, Budget.period == period)).first()
        if b is None:
            b = Budget(program_id=prog.id, period=period)
            s.add(b)
        for attr, label in FIELDS:
            old = getattr(b, attr)
            if old != new[attr]:
                audit.record(s, actor, "budget", f"{program_key}/{period}", label, old, new[attr],
                             action="presupuesto")
                setattr(b, attr, new[attr])
    return BudgetFigures(program_key, period, approved, modified, exercised)
