"""Opening, creating, migrating and locking an SES database.

SQLite is opened with foreign keys on, WAL journal, ``synchronous=FULL`` (an office PC can lose power;
FULL makes every committed transaction survive it, and capture is not write-heavy enough for NORMAL's
speed to matter) and a busy timeout. A PostgreSQL URL works too: only this module knows the dialect.
"""
from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from . import audit_chain
from .models import APP_ID, AppMeta, Base

audit_chain.install()  # every ORM session seals the audit entries it writes

SQLITE_HEADER = b"SQLite format 3\x00"
# Latest Alembic revision of db/migrations/versions; tests/db checks it equals Alembic's head.
SCHEMA_HEAD = "0007"
CACHE_KIB = -65536  # PRAGMA cache_size: negative = KiB
# SQLite retries a busy write with backoff for this long before "database is locked" (then a Spanish message)
BUSY_TIMEOUT_MS = 5_000


class DatabaseError(Exception):
    """A problem opening or using a database file; ``str()`` is a Spanish message for the user."""


class NotSesDatabase(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


class DatabaseLocked(DatabaseError):
    pass


class ConnectionLost(DatabaseError):
    """The server did not answer or the connection dropped; the transaction was rolled back by the server."""


class DatabaseBusy(DatabaseError):
    pass


MSG = {
    "missing": "No existe el archivo «{path}». Use «ses init --db {path}» para crear una base de datos nueva.",
    "empty": ("El archivo «{path}» está vacío (0 bytes): no es una base de SES. No se modificó; use "
              "«ses init --db {path}» para crear una base nueva en él o restaure un respaldo."),
    "is_dir": "«{path}» es una carpeta, no un archivo de base de datos.",
    "no_access": ("No se pudo abrir «{path}»: no hay permiso para leer o escribir en la carpeta «{folder}» "
                  "(¿carpeta de solo lectura?). La base de datos no está dañada y no se modificó."),
    "no_write": ("No se puede escribir en «{path}» (archivo o carpeta de solo lectura). La base de datos no está "
                 "dañada; no se guardó el cambio. Ábrala en modo de solo lectura o cópiela a una carpeta con "
                 "permiso de escritura."),
    "disk_full": ("El disco donde está «{path}» está lleno: no se guardó el cambio y la base de datos quedó como "
                  "estaba. Libere espacio e inténtelo de nuevo."),
    "io_error": ("Error de lectura o escritura del disco en «{path}» ({detail}). No se guardó el cambio; revise el "
                 "disco o la unidad de red y vuelva a intentarlo."),
    "busy": ("La base de datos «{path}» está ocupada: otro proceso lleva más de {seconds} segundos escribiendo en "
             "ella. No se guardó nada; inténtelo de nuevo en un momento."),
    "lock_wait": ("La base de datos «{path}» está abierta en otro proceso de SES ({owner}) y no se liberó en "
                  "{seconds} segundos. No se modificó; inténtelo de nuevo cuando termine."),
    "not_sqlite": "El archivo «{path}» no es una base de datos de SES (no es un archivo SQLite). No se modificó.",
    "not_ses": "El archivo «{path}» es una base de datos SQLite, pero no de SES. No se modificó.",
    "damaged": "La base de datos «{path}» está dañada ({detail}). No se modificó; restaure un respaldo con «ses restaurar».",
    "too_new": ("La base de datos «{path}» fue creada por una versión más reciente de SES (esquema {rev}). "
                "Actualice el programa para abrirla; el archivo no se modificó."),
    "locked": ("La base de datos «{path}» está abierta en otra ventana de SES ({owner}). "
               "Ciérrela allí o ábrala en modo de solo lectura."),
    "exists": "Ya existe el archivo «{path}»; no se sobrescribe. Elija otro nombre.",
    "readonly": "La base de datos está abierta en modo de solo lectura; no se guardó el cambio.",
    "connection": ("No hay conexión con el servidor «{server}» ({detail}). No se guardó nada de esta operación y lo "
                   "que escribió sigue en pantalla. Revise la red; SES vuelve a intentar."),
    "network": ("La base de datos «{path}» está en una carpeta compartida de la red ({fs}). SQLite no puede "
                "proteger un archivo compartido así: dos PC podrían escribir a la vez y dañarlo. Copie la base a "
                "una carpeta de esta PC, o use el modo servidor (ses servidor copiar) para trabajar entre varias PC."),
}


def _alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _set_sqlite_pragmas(dbapi_conn, _record, read_only: bool) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # page cache of up to 64 MiB per connection (SQLite's default is 2 MiB): a state-wide progress read walks
    # tens of MB of index pages and runs about twice as fast when they stay cached; memory is taken only as used
    cur.execute(f"PRAGMA cache_size={CACHE_KIB}")
    if not read_only:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _refuse_network_share(path: Path) -> None:
    from ..netfs import is_network_path, mount_type

    if is_network_path(path):
        raise DatabaseError(MSG["network"].format(path=path, fs=mount_type(path) or "red"))


class FileLock:
    """Advisory lock beside the database (``FILE.lock``) held while a program instance has it open.

    Uses the OS lock (fcntl / msvcrt) so a crashed instance never leaves a stale lock; the file's
    text says who holds it, for the message shown to the second instance."""

    def __init__(self, db_path: Path):
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh = None

    def owner(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "otro proceso"
        except OSError:
            return "otro proceso"

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock; ``wait`` > 0 retries with backoff (50 ms doubling to 0.5 s) for that many seconds."""
        import time

        deadline = time.monotonic() + wait
        delay = 0.05
        while not self._try_acquire():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.5)
        return True

    def _try_acquire(self) -> bool:
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            if os.name == "nt":  # pragma: no cover - Windows only
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        try:
            if os.name != "nt" and os.fstat(fh.fileno()).st_ino != os.stat(self.path).st_ino:
                fh.close()  # the holder released and removed the file after we opened it: lock the new one
                return False
            fh.seek(0)
            fh.truncate()
            fh.write(f"{socket.gethostname()}, proceso {os.getpid()}, desde {datetime.now():%Y-%m-%d %H:%M}\n")
            fh.flush()
        except FileNotFoundError:
            fh.close()
            return False
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        return True

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.truncate(0)
                self._fh.close()
            self._fh = None
            with contextlib.suppress(OSError):
                self.path.unlink()


@dataclass
class OpenOptions:
    create: bool = False
    read_only: bool = False
    allow_read_only_fallback: bool = False  # open read-only when another instance holds the lock
    lock_wait: float = 0.0  # seconds to wait (retrying with backoff) for another process's lock; the CLI uses 5
    migrate: bool = True


class Database:
    """An open SES database: an engine, a session factory and (for files) the instance lock."""

    def __init__(self, engine: Engine, path: Path | None, read_only: bool, lock: FileLock | None):
        self.engine = engine
        self.path = path
        self.read_only = read_only
        self._lock = lock
        self.Session = sessionmaker(engine, expire_on_commit=False, future=True)
        self.user = None  # signed-in user (services.auth.CurrentUser) — set by the caller

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, target: str | os.PathLike, options: OpenOptions | None = None) -> Database:
        opts = options or OpenOptions()
        target = str(target)
        if "://" in target:
            return cls._open_url(target, opts)
        return cls._open_file(Path(target), opts)

    @classmethod
    def _open_url(cls, url: str, opts: OpenOptions) -> Database:
        # pre-ping: a connection the server or the network dropped while idle is replaced before use
        engine = create_engine(url, future=True, pool_pre_ping=True)
        db = cls(engine, None, opts.read_only, None)
        with db.server_errors():
            db._prepare(opts)
        return db

    @contextlib.contextmanager
    def server_errors(self) -> Iterator[None]:
        """A dropped or refused connection to a server becomes ``ConnectionLost`` with a Spanish message."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            yield
        except (OperationalError, DBAPIError) as exc:
            state = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
            lost = exc.connection_invalidated or (isinstance(exc, OperationalError)
                                                  and (not state or state.startswith(("08", "57P"))))
            if self.engine.dialect.name == "sqlite" or not lost:
                raise
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:160] if str(exc).strip() else ""
            raise ConnectionLost(MSG["connection"].format(
                server=self.engine.url.render_as_string(hide_password=True), detail=detail)) from exc

    @classmethod
    def _open_file(cls, path: Path, opts: OpenOptions) -> Database:
        path = path.expanduser().resolve()
        _refuse_network_share(path)
        if path.is_dir():
            raise DatabaseError(MSG["is_dir"].format(path=path))
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not opts.create:
            if path.exists():
                raise NotSesDatabase(MSG["empty"].format(path=path))
            raise DatabaseError(MSG["missing"].format(path=path))
        if exists:
            with open(path, "rb") as fh:
                if fh.read(16) != SQLITE_HEADER:
                    raise NotSesDatabase(MSG["not_sqlite"].format(path=path))
            cls._check_file(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        read_only = opts.read_only
        lock = None
        if not read_only:
            lock = FileLock(path)
            try:
                acquired = lock.acquire(wait=opts.lock_wait)
            except OSError as exc:
                if opts.allow_read_only_fallback and exists:
                    acquired, read_only, lock = True, True, None  # a read-only folder: read without the lock
                else:
                    raise DatabaseError(_os_message(exc, path)) from exc
            if not acquired:
                if opts.allow_read_only_fallback and exists:
                    read_only, lock = True, None
                elif opts.lock_wait:
                    raise DatabaseLocked(MSG["lock_wait"].format(path=path, owner=FileLock(path).owner(),
                                                                 seconds=round(opts.lock_wait)))
                else:
                    raise DatabaseLocked(MSG["locked"].format(path=path, owner=FileLock(path).owner()))
        try:
            # by path, never by a hand-built URI: «#», «?», «%» in folder names must not send reads or writes
            # elsewhere (the read-only open uses Path.as_uri(), which percent-encodes them)
            url = URL.create("sqlite", database=str(path))
            if read_only:
                from .backup import ro_uri

                uri = ro_uri(path)
                engine = create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                                       future=True)
            else:
                engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", lambda c, r: _set_sqlite_pragmas(c, r, read_only))
            db = cls(engine, path, read_only, lock)
            try:
                db._prepare(opts)
            except DBAPIError as exc:
                engine.dispose()
                raise translate_error(exc, path) or exc
            return db
        except BaseException:
            if lock:
                lock.release()
            raise

    @staticmethod
    def _check_file(path: Path) -> None:
        """Read-only look at an existing file before anything writes to it (not even a pragma)."""
        from .backup import connect_ro

        if not os.access(path, os.R_OK):
            raise DatabaseError(MSG["no_access"].format(path=path, folder=path.parent))
        try:
            conn = connect_ro(path)
        except sqlite3.Error as exc:
            raise DatabaseError(MSG["no_access"].format(path=path, folder=path.parent)) from exc
        try:
            res = [r[0] for r in conn.execute("PRAGMA quick_check").fetchmany(3)]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if res != ["ok"]:
                raise NotSesDatabase(MSG["damaged"].format(path=path, detail="; ".join(map(str, res))))
            if tables and "app_meta" not in tables:
                raise NotSesDatabase(MSG["not_ses"].format(path=path))
            if tables:
                row = conn.execute("SELECT value FROM app_meta WHERE key='app'").fetchone()
                if not row or row[0] != APP_ID:
                    raise NotSesDatabase(MSG["not_ses"].format(path=path))
        except sqlite3.Error as exc:
            text_ = str(exc).lower()
            if "disk i/o" in text_ or "full" in text_:
                raise DatabaseError(_disk_message(path, exc)) from exc
            if "unable to open" in text_ or "readonly" in text_ or "locked" in text_ or "busy" in text_:
                # a WAL file whose -shm cannot be created (read-only folder) or a writer holding it: not damage
                raise DatabaseError(MSG["no_access"].format(path=path, folder=path.parent)) from exc
            raise NotSesDatabase(MSG["damaged"].format(path=path, detail=str(exc))) from exc
        finally:
            conn.close()

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # noqa: BLE001 - no such table: an empty (new) database
                conn.rollback()
                if "alembic_version" in inspect(conn).get_table_names():
                    raise
                return None

    def _prepare(self, opts: OpenOptions) -> None:
        rev = self.current_revision()
        if rev == SCHEMA_HEAD:  # the usual case: no need to load Alembic's script directory (≈0.3 s)
            return
        head = head_revision()
        if rev is not None and rev not in known_revisions():
            self.close()
            raise DatabaseTooNew(MSG["too_new"].format(path=self.path or self.engine.url, rev=rev))
        if rev == head or self.read_only or not opts.migrate:
            return
        if rev is not None and self.path is not None:
            self.backup_to(self.path.with_name(
                f"{self.path.stem}.antes-de-migrar-{rev}-{datetime.now():%Y%m%d-%H%M%S}{self.path.suffix}"))
        self._upgrade()

    def _upgrade(self) -> None:
        from alembic import command

        with self.engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    # ---- sessions ------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on any exception."""
        if self.read_only:
            raise DatabaseError(MSG["readonly"])
        try:
            with self.server_errors(), self.Session() as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise translate_error(exc, self.path) or exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with self.server_errors(), self.Session() as session:
            yield session

    # ---- maintenance ---------------------------------------------------------------------
    def backup_to(self, dest: str | os.PathLike) -> Path:
        """Consistent, verified online copy (works while others read/write); see ``db/backup.py``."""
        from .backup import backup_file

        if self.path is None:
            raise DatabaseError("El respaldo con la API de SQLite sólo aplica a archivos locales.")
        return backup_file(self.path, Path(dest))

    def close(self) -> None:
        self.engine.dispose()
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def create_schema_marker(connection) -> None:
    """Called from the first migration: marks the file as SES."""
    import uuid

    connection.execute(AppMeta.__table__.insert(), [{"key": "app", "value": APP_ID},
                                                    {"key": "created", "value": datetime.now().isoformat(timespec="seconds")},
                                                    {"key": "db_id", "value": str(uuid.uuid4())},  # identity (packages)
                                                    # identity of the organization: a restore checks it
                                                    {"key": "organizacion_uid", "value": str(uuid.uuid4())}])


def restore(backup: Path, target: Path, *, force: bool = False):
    """Replace ``target`` with a verified copy of a complete SES ``backup`` of the same organization (``force``
    accepts another one); the replaced file is kept as ``<stem>.previo-N<suffix>``. Returns ``RestoreResult``."""
    from .backup import restore_file

    return restore_file(Path(backup), Path(target), force=force)


def _disk_message(path: Path, exc: BaseException) -> str:
    """An I/O error is a full disk when the disk has (almost) no room left; otherwise say it as it is."""
    import shutil

    with contextlib.suppress(OSError):
        if shutil.disk_usage(Path(path).parent).free < 1 << 20:
            return MSG["disk_full"].format(path=path)
    return MSG["io_error"].format(path=path, detail=exc)


def _os_message(exc: OSError, path: Path) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return MSG["disk_full"].format(path=path)
    return MSG["no_access"].format(path=path, folder=path.parent)


def translate_error(exc: BaseException, path: Path | str | None) -> DatabaseError | None:
    """The Spanish message for what SQLite really reported (busy, read-only, disk full), or None."""
    orig = getattr(exc, "orig", exc)
    text_ = str(orig).lower()
    where = path or "la base de datos"
    if "database is locked" in text_ or "database is busy" in text_ or "database table is locked" in text_:
        err = DatabaseBusy(MSG["busy"].format(path=where, seconds=BUSY_TIMEOUT_MS // 1000))
    elif "readonly" in text_ or "read-only" in text_:
        err = DatabaseError(MSG["no_write"].format(path=where))
    elif "database or disk is full" in text_:
        err = DatabaseError(MSG["disk_full"].format(path=where))
    elif "disk i/o error" in text_:
        err = DatabaseError(_disk_message(Path(str(where)), orig))
    elif "unable to open database file" in text_:
        p = Path(str(where))
        err = DatabaseError(MSG["no_access"].format(path=where, folder=p.parent))
    else:
        return None
    err.__cause__ = exc
    return err


__all__ = ["Database", "DatabaseError", "NotSesDatabase", "DatabaseTooNew", "DatabaseLocked", "DatabaseBusy",
           "ConnectionLost", "OpenOptions", "Base", "restore", "translate_error", "head_revision", "text"]


def fetch_raw(session: Session, stmt) -> list[tuple]:
    """Rows of a Core SELECT as the driver's plain tuples, without SQLAlchemy's per-row processing.

    The statement goes through SQLAlchemy's compiled-statement cache like any other (so repeated reads do not
    recompile it), and the rows are taken straight from the driver cursor (3–5× faster on the hundreds of
    thousands of values that progress computation reads). Result processors are skipped, so select decimals
    with ``type_coerce(col, String)`` and convert them yourself."""
    result = session.connection().execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def sync_id_sequences(session: Session, tables: list) -> None:
    """After inserting rows with ids chosen by the program (bulk loads), move PostgreSQL's id sequences past
    them so later inserts get fresh ids. SQLite needs nothing (it uses max(rowid) + 1)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        name = table.name if hasattr(table, "name") else table.__tablename__
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"GREATEST(COALESCE((SELECT MAX(id) FROM {name}), 0), 1), "
            f"(SELECT MAX(id) FROM {name}) IS NOT NULL)"))
