"""Row locks that keep the period workflow consistent when many officials write at once (server mode).

SQLite lets one writer in at a time, so a capture and a close can never interleave inside a file. PostgreSQL runs
them side by side: without a lock, a value could be saved into a month that another official is closing (the close
read the values before the save committed). Both use cases therefore lock the month's ``period_state`` row of the
dependencia first: captures wait for each other only within the same dependencia and month (a few milliseconds),
and a close never waits: if someone is saving at that moment it refuses cleanly and can be repeated.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..db.models import PeriodState
from .errors import ServiceError

MSG = {
    "busy": ("Alguien está guardando valores de la dependencia {agency} en {period} en este momento. "
             "No se cambió nada; intente de nuevo en unos segundos."),
}


def on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def period_state_for_update(session: Session, month: str, agency_id: int | None, *, nowait: bool = False,
                            agency_label: str = "", period_label: str = "") -> PeriodState | None:
    """The ``period_state`` row of (month, dependencia), locked until the transaction ends on a server.

    On a server the row is created first when missing (state «capturando», the same as no row), so that there is
    always something to lock. With ``nowait`` a row locked by someone else raises a Spanish ``ServiceError``."""
    q = select(PeriodState).where(PeriodState.period == month, PeriodState.agency_id == agency_id)
    if not on_server(session) or agency_id is None:
        return session.scalars(q).first()
    from sqlalchemy.dialects.postgresql import insert

    session.execute(insert(PeriodState).values(
        period=month, agency_id=agency_id, status="capturando", comment="", updated_by="",
        updated_at=datetime.now().replace(microsecond=0)).on_conflict_do_nothing(constraint="uq_period_state"))
    try:
        return session.scalars(q.with_for_update(nowait=nowait)).one()
    except OperationalError as exc:
        if nowait and "lock" in str(exc).lower():
            raise ServiceError(MSG["busy"].format(agency=agency_label or agency_id, period=period_label or month)) \
                from exc
        raise
