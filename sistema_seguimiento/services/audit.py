"""Audit trail: who changed what, when, old and new value."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from ..db.models import AuditEntry
from .users import CurrentUser


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def record(session: Session, actor: CurrentUser, entity: str, key: str, field: str = "", old=None, new=None, *,
           action: str = "editar", reason: str = "") -> AuditEntry:
    entry = AuditEntry(at=datetime.now().replace(microsecond=0), user_name=actor.name, action=action, entity=entity,
                       entity_key=str(key)[:120], field=field, old=_text(old), new=_text(new), reason=reason or "",
                       chain=actor.agency_key or "")  # the writer's dependencia: its own hash chain (audit_chain)
    session.add(entry)
    return entry
