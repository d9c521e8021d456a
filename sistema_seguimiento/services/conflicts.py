"""Field-level optimistic concurrency for the forms (issue 17): ficha, MIR editor, metas, Configuración.

Every edit of a form is one field of one record, so the version a form carries is the value it showed: the
window passes it as ``expected`` to the service, which compares it with what is stored inside the same
transaction. If another official changed the field meanwhile (stored ≠ what this user saw, and ≠ what this user
is saving), the service raises a ``ConflictError`` with both values and who changed it and when (the latest
bitácora entry of that field), and the transaction rolls back: nothing is written. The window then asks
(``ui.conflicts.ask_keep_mine``) and, to keep the user's value, saves again with the stored value as ``expected``.

A per-field check, rather than a row version, keeps two officials editing different fields of the same ficha
from ever being told about a conflict that is not one. Callers that saw nothing (scripts, imports, undo) pass
nothing: ``NOT_SEEN`` checks nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import AuditEntry
from .errors import ConflictError, ServiceError

MSG = {
    "conflict": ("Otra persona cambió {what} mientras usted lo editaba. No se guardó nada: elija si conserva su "
                 "valor o toma el de la base."),
    "empty": "(vacío)",
    "yes": "sí", "no": "no",
    "logo": "imagen de {n} bytes",
    "line": "{what}: su valor {mine}; en la base {theirs}",
    "by": ", guardado por {by}",
    "at": " el {at:%d/%m/%Y %H:%M}",
    "undo_changed": ("No se pudo {action}: {by} cambió ese dato después de su edición (ahora {value}{at}). "
                     "Nada se sobrescribió; edite el dato de nuevo si aún quiere cambiarlo."),
}
MAX_SHOWN = 200  # characters of a long text shown in the dialog


class _NotSeen:
    def __repr__(self) -> str:
        return "NOT_SEEN"


NOT_SEEN: Any = _NotSeen()  # ``expected`` when the caller saw no previous value: nothing is checked


@dataclass(frozen=True)
class FieldConflict:
    what: str  # «el campo Nombre del indicador I-01» (Spanish, for the message)
    mine: Any
    theirs: Any  # what is stored now: pass it as ``expected`` to keep the user's value
    seen: Any
    by: str
    at: datetime | None

    def describe(self) -> str:
        return (MSG["line"].format(what=self.what[:1].upper() + self.what[1:], mine=show(self.mine),
                                   theirs=show(self.theirs))
                + (MSG["by"].format(by=self.by) if self.by else "")
                + (MSG["at"].format(at=self.at) if self.at else ""))


def show(value: Any) -> str:
    """A field value as the dialog shows it."""
    from ..core.numbers import fmt_es

    v = _norm(value)
    if v == "":
        return MSG["empty"]
    if isinstance(value, bool):
        return MSG["yes"] if value else MSG["no"]
    if isinstance(value, bytes):
        return MSG["logo"].format(n=len(value))
    if isinstance(value, Decimal):
        return fmt_es(value)
    if isinstance(value, dict):
        text = " — ".join(str(x) for x in value.values() if x)
    elif isinstance(value, (list, tuple)):
        text = "; ".join(str(x) for x in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return f"«{text[:MAX_SHOWN]}…»" if len(text) > MAX_SHOWN else f"«{text}»"


def _norm(value: Any) -> Any:
    """Comparable form: empty is empty whatever its type, text without surrounding blanks, numbers as Decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        items = tuple(_norm(v) for v in value)
        return "" if not items else items
    if isinstance(value, dict):
        items = tuple(sorted((str(k), _norm(v)) for k, v in value.items() if _norm(v) != ""))
        return "" if not items else items
    return value


def same(a: Any, b: Any) -> bool:
    return _norm(a) == _norm(b)


def check(session: Session, *, what: str, current: Any, expected: Any, new: Any, entity: str, key: str | None,
          field: str) -> None:
    """Raise ``ConflictError`` when someone else changed the field since the user saw ``expected``.

    ``entity``/``key``/``field`` find who and when in the bitácora (``key`` None: any key of the entity)."""
    if expected is NOT_SEEN or same(current, expected) or same(current, new):
        return
    q = select(AuditEntry.user_name, AuditEntry.at).where(AuditEntry.entity == entity, AuditEntry.field == field)
    if key is not None:
        q = q.where(AuditEntry.entity_key == key)
    last = session.execute(q.order_by(AuditEntry.id.desc()).limit(1)).first()
    raise ConflictError(MSG["conflict"].format(what=what),
                        [FieldConflict(what, new, current, expected, last[0] if last else "",
                                       last[1] if last else None)])


# --- undo and redo (issue 17): refused when someone changed the field after this user's edit ---------------------

def _entries(entity: str, key: str | None, field: str | tuple[str, ...]):
    fields = (field,) if isinstance(field, str) else tuple(field)
    q = select(AuditEntry.id).where(AuditEntry.entity == entity, AuditEntry.field.in_(fields))
    return q if key is None else q.where(AuditEntry.entity_key == key)


def last_change(db, entity: str, key: str | None, field: str | tuple[str, ...]) -> int:
    """Id of the latest bitácora entry of that field (0: none); ``key`` None: any key of the entity. ``field``
    may be a tuple: one edit that writes several bitácora fields (a meta de actividad's calendar is written as
    «calendario» by its editor and as «meta_anual» / «programado 2026-T3» by a reconducción)."""
    with db.reading() as s:
        q = _entries(entity, key, field).with_only_columns(func.max(AuditEntry.id))
        return int(s.scalar(q) or 0)


def refuse_if_changed(db, entity: str, key: str | None, field: str | tuple[str, ...], mark: int, action: str,
                      user: str) -> None:
    """Raise ``ServiceError`` (Spanish: who, what and when) when another user than ``user`` wrote the field after
    ``mark`` (a bitácora id): an undo or redo must not overwrite another official's later change unseen. The
    user's own later edits (and their undos) do not count: the undo stack replays them in order."""
    with db.reading() as s:
        row = s.execute(select(AuditEntry.user_name, AuditEntry.at, AuditEntry.new)
                        .where(AuditEntry.id.in_(_entries(entity, key, field).where(
                            AuditEntry.id > mark, AuditEntry.user_name != user)))
                        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is not None:
        raise ServiceError(MSG["undo_changed"].format(action=action, by=row[0] or "otra persona", value=show(row[2]),
                                                      at=MSG["at"].format(at=row[1]) if row[1] else ""))
