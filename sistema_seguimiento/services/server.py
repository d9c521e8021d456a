"""Server mode (issue 17): preparing a shared PostgreSQL database and copying a whole SES database between a
file and a server, in either direction.

A copy is all or nothing. Into a server it is one transaction (PostgreSQL rolls back everything on any error);
into a file it is written to a temporary file in the destination folder, checked, and only then moved into place.
Every table is copied row for row with its ids, so foreign keys, the bitácora (and its hash chain) and the
database's identity travel unchanged.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..db.database import SCHEMA_HEAD, Database, DatabaseError, OpenOptions, sync_id_sequences
from ..db.models import AuditEntry, Base, Organization, User
from .errors import ServiceError
from .users import SYSTEM, hash_password

MSG = {
    "old_schema": ("La base «{src}» está en la versión de esquema {rev}; ábrala una vez con este programa para "
                   "actualizarla antes de copiarla."),
    "target_not_empty": ("La base de destino «{dst}» ya tiene datos ({org}). No se copió nada. Para reemplazarla "
                         "por completo use --reemplazar."),
    "target_file_exists": ("Ya existe el archivo «{dst}». No se copió nada. Para reemplazarlo use --reemplazar "
                           "(el archivo anterior se conserva con otro nombre)."),
    "row_failed": ("El destino rechazó las filas {first} a {last} de la tabla {table} ({detail}). "
                   "No se copió nada; revise el origen con «ses verificar»."),
    "same": "El origen y el destino son la misma base de datos.",
    "counts": "La copia no coincide con el origen en la tabla {table} ({a} filas contra {b}). No se copió nada.",
    "no_org": "La base «{src}» no tiene organización: no es una base de SES con datos.",
    "prepared": "El servidor «{dst}» ya está preparado para SES (organización «{org}»). No se modificó.",
    "not_server": "«{dst}» no es la dirección de un servidor (postgresql+psycopg://usuario@servidor/base).",
    "admin_name": "El nombre del administrador debe tener de 2 a 120 caracteres, sin espacios.",
    "short": "La contraseña del administrador debe tener al menos 8 caracteres.",
}

CHUNK = 5000
# tables whose rows come with the schema itself (Alembic) and are never copied
SKIP = {"alembic_version"}


def is_url(target: str | os.PathLike) -> bool:
    return "://" in str(target)


def display(target: str | os.PathLike) -> str:
    """A target as the user may see it: a server URL without its password."""
    text = str(target)
    if not is_url(text):
        return text
    from sqlalchemy.engine import make_url

    with contextlib.suppress(Exception):
        return make_url(text).render_as_string(hide_password=True)
    return text


@dataclass
class CopySummary:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    kept_previous: Path | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables():
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIP]


def _organization_name(conn) -> str | None:
    return conn.execute(select(Organization.name).limit(1)).scalar()


def copy_database(source: str | os.PathLike, target: str | os.PathLike, *, replace: bool = False,
                  progress: Callable[[str, int], None] | None = None) -> CopySummary:
    """Copy every row of ``source`` into ``target`` (a file path or a server URL). See the module docstring."""
    source, target = str(source), str(target)
    if not is_url(source) and not is_url(target) and Path(source).resolve() == Path(target).resolve():
        raise ServiceError(MSG["same"])
    if is_url(source) and source == target:
        raise ServiceError(MSG["same"])
    src = Database.open(source, OpenOptions(read_only=not is_url(source), migrate=False))
    try:
        rev = src.current_revision()
        if rev != SCHEMA_HEAD:
            raise ServiceError(MSG["old_schema"].format(src=display(source), rev=rev))
        with src.engine.connect() as sconn:
            if _organization_name(sconn) is None:
                raise ServiceError(MSG["no_org"].format(src=display(source)))
        if is_url(target):
            return _copy_to_server(src, source, target, replace, progress)
        return _copy_to_file(src, source, Path(target), replace, progress)
    finally:
        src.close()


def _copy_rows(src: Database, dconn, summary: CopySummary, progress) -> None:
    """Empty every table of the destination, then copy the source's rows in dependency order (same ids)."""
    tables = _tables()
    for table in reversed(tables):
        dconn.execute(table.delete())
    with src.engine.connect() as sconn:
        for table in tables:
            n = 0
            result = sconn.execute(select(table).order_by(*table.primary_key.columns))
            while rows := result.fetchmany(CHUNK):
                try:
                    dconn.execute(table.insert(), [r._asdict() for r in rows])
                except SQLAlchemyError as exc:
                    detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
                    raise ServiceError(MSG["row_failed"].format(table=table.name, first=n + 1, last=n + len(rows),
                                                                detail=detail)) from exc
                n += len(rows)
                if progress:
                    progress(table.name, n)
            summary.rows[table.name] = n
    sync_id_sequences_conn(dconn, tables)
    for table in tables:
        got = dconn.execute(select(func.count()).select_from(table)).scalar()
        if got != summary.rows[table.name]:
            raise ServiceError(MSG["counts"].format(table=table.name, a=got, b=summary.rows[table.name]))


def sync_id_sequences_conn(conn, tables) -> None:
    from sqlalchemy.orm import Session

    with Session(bind=conn) as s:
        sync_id_sequences(s, [t for t in tables if "id" in t.c and t.c.id.primary_key])


def _copy_to_server(src: Database, source: str, target: str, replace: bool, progress) -> CopySummary:
    dst = Database.open(target)  # creates the schema with Alembic on an empty database
    try:
        summary = CopySummary(display(source), display(target))
        with dst.engine.begin() as dconn:
            org = _organization_name(dconn)
            if org is not None and not replace:
                raise ServiceError(MSG["target_not_empty"].format(dst=display(target), org=org))
            _copy_rows(src, dconn, summary, progress)
        return summary
    finally:
        dst.close()


def _copy_to_file(src: Database, source: str, target: Path, replace: bool, progress) -> CopySummary:
    target = target.expanduser().resolve()
    if target.exists() and target.stat().st_size > 0 and not replace:
        raise ServiceError(MSG["target_file_exists"].format(dst=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.copiando-{os.getpid()}")
    summary = CopySummary(display(source), str(target))
    try:
        dst = Database.open(tmp, OpenOptions(create=True))
        try:
            with dst.engine.begin() as dconn:
                _copy_rows(src, dconn, summary, progress)
            with dst.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                ok = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if ok != "ok":
                raise DatabaseError(f"La copia quedó dañada ({ok}). No se copió nada.")
        finally:
            dst.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if target.exists():
            kept = target.with_name(f"{target.stem}.antes-de-copiar-{datetime.now():%Y%m%d-%H%M%S}{target.suffix}")
            os.replace(target, kept)
            summary.kept_previous = kept
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(target) + suffix).unlink()
        from ..fileops import replace_file

        replace_file(tmp, target)
    finally:
        for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"), tmp.with_name(tmp.name + ".lock")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
    return summary


@dataclass
class PrepareSummary:
    target: str
    organization: str
    year: int
    admin: str


def prepare_server(target: str, *, admin: str, password: str, name: str = "Municipio nuevo",
                   year: int | None = None) -> PrepareSummary:
    """Create the SES schema on an empty server database (Alembic) and its first administrador with a password.

    The server starts with that one user: in server mode every user needs a password, so the default users of a
    file database (admin, validador, consulta without password) are not created."""
    from datetime import date

    from . import audit
    from .setup import initialize_empty

    if not is_url(target):
        raise ServiceError(MSG["not_server"].format(dst=target))
    if not (2 <= len(admin) <= 120) or any(c.isspace() for c in admin):
        raise ServiceError(MSG["admin_name"])
    if len(password) < 8:
        raise ServiceError(MSG["short"])
    year = year or date.today().year
    db = Database.open(target)
    try:
        with db.reading() as s:
            org = s.scalars(select(Organization.name)).first()
        if org is not None:
            raise ServiceError(MSG["prepared"].format(dst=display(target), org=org))
        initialize_empty(db, name=name, year=year, with_default_users=False)
        with db.transaction() as s:
            s.add(User(name=admin, role="administrador", full_name="Administrador", password_hash=hash_password(password)))
            audit.record(s, SYSTEM, "user", admin, "rol", None, "administrador", action="crear")
        return PrepareSummary(display(target), name, year, admin)
    finally:
        db.close()


def audit_count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0
