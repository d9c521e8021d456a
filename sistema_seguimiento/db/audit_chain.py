"""Tamper evidence for the bitácora: every ``audit_entry`` row carries ``hash``, the SHA-256 of a canonical
serialization of its fields chained to the hash of the entry before it in the same chain.

Chains (revision 0007): one per dependencia (``audit_entry.chain`` = the key of the writer's dependencia, set by
``services.audit.record`` from the actor) plus "" for the organization (administradores and validadores without a
dependencia, the system, and every entry written before 0007, which keep the seals they had). Each chain's last
entry is kept in ``audit_chain_head`` (scope, last_id, last_hash).

The hashes are filled by a ``before_flush`` listener on every ORM session, so every way of writing an audit entry
(``services.audit.record``, loading, setup) is chained without the caller doing anything. Two writers must not fork
a chain: the listener first locks the chain's head row (an upsert that returns the last hash: on PostgreSQL it waits
for whoever holds that row, on SQLite it takes the file's single write lock) and only then computes the hashes, inside
the same transaction, so the entries of one chain follow the order in which their transactions commit. Writers of
different chains lock different rows: on a server, capturistas of different dependencias never wait for each other
(before 0007 one ``LOCK TABLE audit_entry`` serialized every commit of the office). An ``after_flush`` listener
stores the last id and hash in the head.

Limits (documented in docs/acceso.md): the chain has no secret key, so someone who knows this algorithm and edits
the file can recompute every hash after the row they changed (and the head); what it catches is an entry altered,
removed or inserted with an ordinary SQLite editor, and since 0007 also the last entries of a chain removed (the
head no longer matches).
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
    "truncated": ("Bitácora: la cadena {chain} termina en la entrada {id} pero su registro de cierre dice {head}: "
                  "se quitaron sus últimas entradas, o alguien alteró el registro de cierre."),
    "emptied": ("Bitácora: la cadena {chain} no tiene entradas pero su registro de cierre dice {id}: se quitaron "
                "sus entradas."),
    "no_head": ("Bitácora: la cadena {chain} (hasta la entrada {id}) no tiene registro de cierre; se agregó fuera "
                "del programa."),
    "org_chain": "de la organización",
    "agency_chain": "de la dependencia {scope}",
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


def lock_head(conn, scope: str) -> str | None:
    """Lock the head row of chain ``scope`` until the transaction ends (creating it when missing) and return the
    chain's last hash (None: the chain is empty)."""
    row = conn.execute(text(
        "INSERT INTO audit_chain_head (scope, last_id, last_hash) VALUES (:s, 0, '') "
        "ON CONFLICT (scope) DO UPDATE SET scope = excluded.scope RETURNING last_hash"), {"s": scope}).first()
    return row[0] or None


def _seal_pending(session: Session, _flush_context, _instances) -> None:
    from .models import AuditEntry

    session.info.pop("audit_chain_heads", None)  # a flush that failed before after_flush leaves nothing behind
    pending = [o for o in session.new if isinstance(o, AuditEntry)]
    if not pending:
        return
    pending.sort(key=lambda o: inspect(o).insert_order)  # the order the unit of work inserts them (ids)
    chains: dict[str, list] = {}
    for entry in pending:
        entry.chain = entry.chain or ""
        chains.setdefault(entry.chain, []).append(entry)
    conn = session.connection()
    now = datetime.now().replace(microsecond=0)
    host = this_host()
    heads = session.info.setdefault("audit_chain_heads", {})
    for scope in sorted(chains):  # always in the same order: two writers of two chains cannot deadlock
        previous = lock_head(conn, scope)
        for entry in chains[scope]:
            if not entry.host:
                entry.host = host
            if entry.at is None:
                entry.at = now
            entry.at = entry.at.replace(microsecond=0)
            for name, default in DEFAULTS.items():
                if getattr(entry, name) is None:
                    setattr(entry, name, default)
            entry.hash = previous = entry_hash({f: getattr(entry, f) for f in FIELDS + ("host",)}, previous)
        heads[scope] = entry


def _store_heads(session: Session, _flush_context) -> None:
    """After the entries got their ids: each chain's head names its new last entry."""
    heads = session.info.pop("audit_chain_heads", None)
    if not heads:
        return
    conn = session.connection()
    conn.execute(text("UPDATE audit_chain_head SET last_id = :i, last_hash = :h WHERE scope = :s"),
                 [{"i": e.id, "h": e.hash, "s": scope} for scope, e in heads.items()])


def this_host() -> str:
    """The PC's name as the bitácora records it."""
    import socket

    return (socket.gethostname() or "")[:120]


def install() -> None:
    if not event.contains(Session, "before_flush", _seal_pending):
        event.listen(Session, "before_flush", _seal_pending)
    if not event.contains(Session, "after_flush", _store_heads):
        event.listen(Session, "after_flush", _store_heads)


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


def chain_name(scope: str) -> str:
    return MSG["org_chain"] if not scope else MSG["agency_chain"].format(scope=scope)


def check_chain(conn, limit: int = 50) -> list[str]:
    """Spanish problems of the chains: each entry whose hash does not follow from its fields and the stored hash
    of the entry before it in its chain (so one altered entry is reported once, not with every entry after it),
    and each chain whose head does not name its last entry (the last entries removed)."""
    problems: list[str] = []
    last: dict[str, tuple[int, str | None]] = {}  # chain -> (id, hash) of its last entry so far
    gaps: list[tuple[int, int]] = []  # ids missing from the table (first, last)
    previous_id = 0
    t = _table()
    result = conn.execute(select(t.c.id, t.c.hash, t.c.host, t.c.chain, *[t.c[f] for f in FIELDS]).order_by(t.c.id))
    for row in result.mappings():
        if row["id"] - previous_id > 1:
            gaps.append((previous_id + 1, row["id"] - 1))
        previous_id = row["id"]
        scope = row["chain"] or ""
        before_id, before_hash = last.get(scope, (0, None))
        if row["hash"] is None:
            problems.append(MSG["unsealed"].format(id=row["id"]))
        elif entry_hash(dict(row), before_hash) != row["hash"]:
            if any(lo < row["id"] and hi > before_id for lo, hi in gaps):
                problems.append(MSG["removed"].format(prev=before_id, id=row["id"]))
            else:
                problems.append(MSG["altered"].format(id=row["id"]))
        last[scope] = (row["id"], row["hash"])
        if len(problems) >= limit:
            problems.append(MSG["many"].format(n=limit))
            result.close()
            return problems
    result.close()
    heads = {scope: (last_id, last_hash or None) for scope, last_id, last_hash in conn.execute(
        text("SELECT scope, last_id, last_hash FROM audit_chain_head"))}
    for scope in sorted(set(heads) | set(last)):
        head, tail = heads.get(scope), last.get(scope)
        if head is None:
            problems.append(MSG["no_head"].format(chain=chain_name(scope), id=tail[0]))
        elif tail is None and head[0]:
            problems.append(MSG["emptied"].format(chain=chain_name(scope), id=head[0]))
        elif tail is not None and head != tail:
            problems.append(MSG["truncated"].format(chain=chain_name(scope), id=tail[0], head=head[0]))
    return problems
