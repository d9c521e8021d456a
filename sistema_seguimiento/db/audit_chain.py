"""Tamper evidence for the bitácora: every ``audit_entry`` row carries ``hash``, the SHA-256 of a canonical
serialization of its fields chained to the hash of the row before it (by id).

The hashes are filled by a ``before_flush`` listener on every ORM session, so every way of writing an audit entry
(``services.audit.record``, loading, setup) is chained without the caller doing anything. Two writers must not fork
the chain: the listener takes the write lock first (SQLite: a no-op write statement, which makes SQLite serialize
this transaction with every other writer; PostgreSQL: ``LOCK TABLE audit_entry``) and only then reads the previous
row's hash, inside the same transaction, so ids and hashes follow the order in which transactions commit.

Limits (documented in docs/acceso.md): the chain has no secret key, so someone who knows this algorithm and edits
the file can recompute every hash after the row they changed; what it catches is an entry altered, removed or
inserted with an ordinary SQLite editor. Removing the LAST entries leaves a shorter chain that still verifies.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import bindparam, event, inspect, select, text
from sqlalchemy.orm import Session

GENESIS = ""  # the "previous hash" of the first entry
FIELDS = ("at", "user_name", "action", "entity", "entity_key", "field", "old", "new", "reason")
DEFAULTS = {"user_name": "", "action": "editar", "entity_key": "", "field": "", "reason": ""}

MSG = {
    "altered": "Bitácora: la entrada {id} fue alterada o insertada después de registrarse (su sello no coincide).",
    "removed": ("Bitácora: falta(n) la(s) entrada(s) entre la {prev} y la {id}, o la entrada {id} fue alterada "
                "(su sello no coincide con la entrada anterior)."),
    "unsealed": "Bitácora: la entrada {id} no tiene sello; se agregó fuera del programa.",
    "many": "Bitácora: … se detuvo la revisión de la cadena tras {n} problemas.",
}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return str(value)


def entry_hash(values: dict, previous: str | None) -> str:
    """SHA-256 (hex) of the entry's fields, in a fixed order as a compact JSON array, after the previous hash.
    The PC (``host``, revision 0005) is sealed after the other fields when the entry has one, so entries written
    before it existed keep their seals."""
    fields = [_text(values.get(f)) for f in FIELDS]
    if values.get("host"):
        fields.append(_text(values["host"]))
    data = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(((previous or GENESIS) + "\n" + data).encode("utf-8")).hexdigest()


def take_write_lock(conn) -> None:
    """Make this transaction the only writer of the audit trail until it ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE audit_entry IN SHARE ROW EXCLUSIVE MODE"))
    else:  # SQLite: any write statement takes the database's single write lock (none is taken by this one's rows)
        conn.execute(text("UPDATE audit_entry SET id = id WHERE id < 0"))


def last_hash(conn) -> str | None:
    return conn.execute(text("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar()


def _seal_pending(session: Session, _flush_context, _instances) -> None:
    from .models import AuditEntry

    pending = [o for o in session.new if isinstance(o, AuditEntry)]
    if not pending:
        return
    pending.sort(key=lambda o: inspect(o).insert_order)  # the order the unit of work inserts them (ids)
    conn = session.connection()
    take_write_lock(conn)
    previous = last_hash(conn)
    now = datetime.now().replace(microsecond=0)
    host = this_host()
    for entry in pending:
        if not entry.host:
            entry.host = host
        if entry.at is None:
            entry.at = now
        entry.at = entry.at.replace(microsecond=0)
        for name, default in DEFAULTS.items():
            if getattr(entry, name) is None:
                setattr(entry, name, default)
        entry.hash = previous = entry_hash({f: getattr(entry, f) for f in FIELDS + ("host",)}, previous)


def this_host() -> str:
    """The PC's name as the bitácora records it."""
    import socket

    return (socket.gethostname() or "")[:120]


def install() -> None:
    if not event.contains(Session, "before_flush", _seal_pending):
        event.listen(Session, "before_flush", _seal_pending)


def _table():
    from .models import AuditEntry

    return AuditEntry.__table__


def seal_all(conn) -> int:
    """Compute the hash of every entry in id order (the migration that adds the column). Returns the count."""
    t = _table()
    rows = conn.execute(select(t.c.id, *[t.c[f] for f in FIELDS]).order_by(t.c.id)).mappings().all()
    previous = None
    updates = []
    for row in rows:
        previous = entry_hash(dict(row), previous)
        updates.append({"i": row["id"], "h": previous})
    if updates:
        conn.execute(t.update().where(t.c.id == bindparam("i")).values(hash=bindparam("h")), updates)
    return len(updates)


def check_chain(conn, limit: int = 50) -> list[str]:
    """Spanish problems of the chain: each entry whose hash does not follow from its fields and the stored hash
    of the entry before it (so one altered entry is reported once, not with every entry after it)."""
    problems: list[str] = []
    previous_hash, previous_id = None, None
    t = _table()
    result = conn.execute(select(t.c.id, t.c.hash, t.c.host, *[t.c[f] for f in FIELDS]).order_by(t.c.id))
    for row in result.mappings():
        if row["hash"] is None:
            problems.append(MSG["unsealed"].format(id=row["id"]))
        elif entry_hash(dict(row), previous_hash) != row["hash"]:
            if previous_id is not None and row["id"] - previous_id > 1:
                problems.append(MSG["removed"].format(prev=previous_id, id=row["id"]))
            elif previous_id is None and row["id"] > 1:
                problems.append(MSG["removed"].format(prev=0, id=row["id"]))
            else:
                problems.append(MSG["altered"].format(id=row["id"]))
        previous_hash, previous_id = row["hash"], row["id"]
        if len(problems) >= limit:
            problems.append(MSG["many"].format(n=limit))
            break
    result.close()
    return problems
