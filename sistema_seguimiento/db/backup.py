"""Backups and restores of an SES file that cannot lie (issue 11).

A backup is written to a new temporary file in the destination folder through SQLite's online backup API (one
read snapshot of the source, so it is consistent while other processes write), checked (``integrity_check``, the
SES marker, the schema revision and the row count of every table equal to the source's snapshot), fsynced, and
only then moved into place with ``os.replace``. A destination that another process has open is refused; stale
``-wal``/``-shm`` files of the old destination are removed; no temporary file survives a failure.

Every SQLite file is opened by *path* (``sqlite3.connect(str(path))``) or, for read-only opens, by a correctly
percent-encoded ``file:`` URI (``Path.as_uri()``): folder names such as «Oficio #12», «50% avance», «¿Qué?» or
«%41» must never send a read or a write to another file.

This module uses the ``sqlite3`` driver only (no SQLAlchemy): it works on files that are not open as a
``Database``.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .database import SCHEMA_HEAD, DatabaseError, FileLock, known_revisions
from .models import APP_ID

SQLITE_HEADER = b"SQLite format 3\x00"
META_BACKUP_DATE = "respaldo_fecha"  # app_meta key written into every backup
META_ORG_UID = "organizacion_uid"  # app_meta key: identity of the organization (new files have it)
REQUIRED_TABLES = {"app_meta", "alembic_version", "organization", "fiscal_year", "program", "objective",
                   "indicator", "variable", "target", "measurement", "app_user", "audit_entry"}
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")

MSG = {
    "missing": "No existe el archivo «{path}».",
    "is_dir": "«{path}» es una carpeta, no un archivo de base de datos.",
    "empty": "El archivo «{path}» está vacío (0 bytes): no es una base de SES. No se usó.",
    "not_sqlite": "El archivo «{path}» no es una base de SES (no es un archivo SQLite). No se usó.",
    "no_tables": "El archivo «{path}» es una base SQLite sin tablas: no es un respaldo de SES. No se usó.",
    "not_ses": "El archivo «{path}» es una base SQLite, pero no de SES. No se usó.",
    "incomplete": "El archivo «{path}» no es una base de SES completa (le faltan las tablas: {tables}). No se usó.",
    "damaged": "El archivo «{path}» está dañado ({detail}). No se usó.",
    "too_new": ("El respaldo «{path}» fue hecho con una versión más reciente de SES (esquema {rev}); este programa "
                "llega al esquema {head}. Actualice el programa para restaurarlo. No se modificó nada."),
    "unreadable": "No se pudo leer «{path}»: {detail}.",
    "same_file": "El respaldo no puede escribirse sobre la base de datos que se respalda («{path}»).",
    "dest_busy": ("El destino «{path}» está abierto en otro proceso ({owner}); no se sobrescribe. "
                  "Ciérrelo o elija otro nombre. No se creó el respaldo."),
    "dest_foreign": ("El destino «{path}» ya existe y no es una base de SES; no se sobrescribe. "
                     "Elija otro nombre. No se creó el respaldo."),
    "check_failed": ("La copia no pasó la revisión ({detail}); no se creó el respaldo y «{path}» quedó como "
                     "estaba."),
    "disk_full": ("No hay espacio suficiente en el disco de «{folder}» para escribir la copia. No se creó ningún "
                  "archivo y «{path}» quedó como estaba."),
    "no_write": ("No se puede escribir en la carpeta «{folder}» (permisos o solo lectura). No se creó ningún archivo "
                 "y «{path}» quedó como estaba."),
    "io": "No se pudo escribir la copia en «{folder}» ({detail}). No se creó ningún archivo y «{path}» quedó como estaba.",
    "target_busy": ("La base de datos «{path}» está abierta en otro proceso ({owner}). Ciérrela antes de restaurar; "
                    "no se modificó nada."),
    "other_org": ("El respaldo «{path}» es de otra organización («{backup_org}»); la base de datos actual es de "
                  "«{target_org}». No se restauró. Si de verdad quiere reemplazarla, use --forzar (en la ventana, "
                  "confirme la advertencia)."),
}


class BackupError(DatabaseError):
    """``str()`` is a Spanish message for the user; raised before anything was changed."""


# ---- opening by path -----------------------------------------------------------------------------------
def connect_ro(path: Path) -> sqlite3.Connection:
    """Read-only connection to the file at ``path`` (a percent-encoded URI: «#», «?», «%» stay in the name)."""
    return sqlite3.connect(ro_uri(path), uri=True, check_same_thread=False)


def ro_uri(path: Path) -> str:
    """``file:`` URI (``Path.as_uri()`` percent-encodes «#», «?», «%») for a read-only open. On a read-only folder
    or medium SQLite cannot create the ``-shm`` a WAL file needs; nobody can write there, so when there is no
    pending ``-wal`` content the file is opened as ``immutable``."""
    path = Path(path).resolve()
    uri = path.as_uri() + "?mode=ro"
    wal = Path(str(path) + "-wal")
    if not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size > 0):
        uri += "&immutable=1"
    return uri


def connect_rw(path: Path) -> sqlite3.Connection:
    """Read-write connection by plain path (no URI interpretation)."""
    return sqlite3.connect(str(Path(path).resolve()), check_same_thread=False)


def connect_reader(path: Path) -> sqlite3.Connection:
    """A connection that only reads. Where the folder is writable it is a read-write connection with
    ``query_only`` (so, being the last one to close, it tidies the ``-wal``/``-shm`` files a read-only connection
    would leave behind); elsewhere (read-only folder or medium) a ``mode=ro`` connection."""
    path = Path(path).resolve()
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        conn = connect_rw(path)
        conn.execute("PRAGMA query_only=1")
        return conn
    return connect_ro(path)


def side_files(path: Path) -> list[Path]:
    return [Path(str(path) + s) for s in SIDE_SUFFIXES]


def _remove_side_files(path: Path) -> None:
    for p in side_files(path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _remove_with_side_files(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _remove_side_files(path)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open a folder for fsync and needs nothing more."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _os_error_message(exc: BaseException, folder: Path, path: Path) -> str:
    import errno

    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)) or "full" in text:
        return MSG["disk_full"].format(folder=folder, path=path)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text or "read-only" in text \
            or "unable to open" in text:
        return MSG["no_write"].format(folder=folder, path=path)
    if "disk i/o" in text:  # SQLite reports EFBIG (file size limit) and most write errors like this
        return MSG["disk_full"].format(folder=folder, path=path) + " (error de escritura del disco)"
    return MSG["io"].format(folder=folder, path=path, detail=exc)


# ---- what a file holds -------------------------------------------------------------------------------
def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM app_meta").fetchall())


def check_ses_file(path: Path, *, full: bool = True) -> sqlite3.Connection:
    """Open ``path`` read-only and make sure it is a complete, undamaged SES database of a schema this program
    knows; returns the open connection (the caller closes it). Raises ``BackupError`` with the reason."""
    path = Path(path)
    if not path.exists():
        raise BackupError(MSG["missing"].format(path=path))
    if path.is_dir():
        raise BackupError(MSG["is_dir"].format(path=path))
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise BackupError(MSG["unreadable"].format(path=path, detail=exc.strerror or exc)) from exc
    if size == 0:
        raise BackupError(MSG["empty"].format(path=path))
    if header != SQLITE_HEADER:
        raise BackupError(MSG["not_sqlite"].format(path=path))
    try:
        conn = connect_reader(path)
    except sqlite3.Error as exc:
        raise BackupError(MSG["unreadable"].format(path=path, detail=exc)) from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            raise BackupError(MSG["no_tables"].format(path=path))
        if "app_meta" not in tables:
            raise BackupError(MSG["not_ses"].format(path=path))
        if _meta(conn).get("app") != APP_ID:
            raise BackupError(MSG["not_ses"].format(path=path))
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(MSG["incomplete"].format(path=path, tables=", ".join(sorted(missing))))
        rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        rev = rev[0] if rev else None
        if rev is None:
            raise BackupError(MSG["incomplete"].format(path=path, tables="alembic_version (sin revisión)"))
        if rev != SCHEMA_HEAD and rev not in known_revisions():
            raise BackupError(MSG["too_new"].format(path=path, rev=rev, head=SCHEMA_HEAD))
        if full:
            res = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchmany(3)]
            if res != ["ok"]:
                raise BackupError(MSG["damaged"].format(path=path, detail="; ".join(map(str, res))))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise BackupError(MSG["damaged"].format(path=path, detail=exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


@dataclass
class BackupInfo:
    """What a backup (or any SES file) holds, for the confirmation before a restore."""

    path: Path
    organization: str
    organization_uid: str | None
    fiscal_years: list[int]
    made_at: datetime
    made_at_source: str  # "respaldo" (stored in app_meta when the backup was made) or "archivo" (file time)
    revision: str
    counts: dict[str, int] = field(default_factory=dict)  # programas, indicadores, valores, metas, usuarios
    evidence_files: int = 0

    def as_json(self) -> dict:
        return {"archivo": str(self.path), "organizacion": self.organization, "ejercicios": self.fiscal_years,
                "fecha": self.made_at.isoformat(timespec="seconds"), "fecha_origen": self.made_at_source,
                "esquema": self.revision, "conteos": dict(self.counts), "evidencias": self.evidence_files}

    def as_text(self) -> str:
        years = ", ".join(map(str, self.fiscal_years)) or "ninguno"
        how = "fecha del respaldo" if self.made_at_source == "respaldo" else "fecha del archivo"
        c = self.counts
        return (f"Organización: {self.organization or '(sin nombre)'}\n"
                f"Ejercicios fiscales: {years}\n"
                f"Fecha: {self.made_at:%d/%m/%Y %H:%M} ({how})\n"
                f"Esquema: {self.revision}\n"
                f"Contenido: {c['programas']} programas, {c['indicadores']} indicadores, "
                f"{c['valores']} valores capturados, {c['metas']} metas, {c['usuarios']} usuarios, "
                f"{self.evidence_files} archivos de evidencia")


def evidence_path(db_path: Path) -> Path:
    """``<stem>.evidencias`` beside the database (the same rule as ``paths.evidence_dir``, without creating it)."""
    return db_path.with_name(db_path.stem + ".evidencias")


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def describe(path: Path) -> BackupInfo:
    """Check ``path`` (complete SES database, integrity) and say what it holds. Raises ``BackupError``."""
    path = Path(path).expanduser().resolve()
    conn = check_ses_file(path)
    try:
        meta = _meta(conn)
        org = conn.execute("SELECT name FROM organization ORDER BY id LIMIT 1").fetchone()
        years = [r[0] for r in conn.execute("SELECT year FROM fiscal_year ORDER BY year")]
        rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]

        def count(table: str) -> int:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        counts = {"programas": count("program"), "indicadores": count("indicator"), "valores": count("measurement"),
                  "metas": count("target"), "usuarios": count("app_user")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(MSG["damaged"].format(path=path, detail=exc)) from exc
    finally:
        conn.close()
    made, source = None, "archivo"
    if meta.get(META_BACKUP_DATE):
        with contextlib.suppress(ValueError):
            made, source = datetime.fromisoformat(meta[META_BACKUP_DATE]), "respaldo"
    if made is None:
        made = datetime.fromtimestamp(path.stat().st_mtime)
    return BackupInfo(path, org[0] if org else "", meta.get(META_ORG_UID), years, made, source, rev, counts,
                      _count_files(evidence_path(path)))


# ---- who has a file open -----------------------------------------------------------------------------
def probe_busy(path: Path) -> bool:
    """True when another connection has the SQLite file at ``path`` open for writing, or holds its WAL open.

    A writer holds SQLite's write lock (``BEGIN IMMEDIATE`` fails at once); in WAL mode every open connection
    keeps the ``-wal`` file alive, so after our own connection closes (the last one to close checkpoints and
    deletes it) a remaining ``-wal`` means somebody else has the file open. A stale ``-wal`` of a crashed process
    is recovered and removed by our connection."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    wal = Path(str(path) + "-wal")
    try:
        conn = connect_rw(path)
    except sqlite3.Error:
        return False
    try:
        conn.execute("PRAGMA busy_timeout=0")
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
        except sqlite3.DatabaseError:
            return False  # damaged or foreign content: nobody can be using it as a database
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        except sqlite3.DatabaseError:
            mode = ""
    finally:
        conn.close()
    return mode == "wal" and wal.exists()


# ---- backup ------------------------------------------------------------------------------------------
def _temp_name(folder: Path, name: str, suffix: str = ".tmp") -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp)


def copy_verified(src_path: Path, dest: Path, *, meta: dict[str, str] | None = None,
                  expect_revision: str | None = None) -> Path:
    """Copy the SQLite file ``src_path`` (consistent snapshot) to a new temporary file in ``dest``'s folder, check
    it, write ``meta`` into its app_meta, fsync it and return the temporary path (the caller moves it into place).
    On any failure nothing is left behind and ``BackupError`` says why."""
    folder = dest.parent
    try:
        tmp = _temp_name(folder, dest.name)
    except OSError as exc:
        raise BackupError(_os_error_message(exc, folder, dest)) from exc
    try:
        src = connect_reader(src_path)
        try:
            src.execute("BEGIN")  # one read snapshot for the counts and the copy
            src_counts = table_counts(src)
            rev = src.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            out = connect_rw(tmp)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")
                res = [r[0] for r in out.execute("PRAGMA integrity_check").fetchmany(3)]
                problems = []
                if res != ["ok"]:
                    problems.append("integridad: " + "; ".join(map(str, res)))
                got = table_counts(out)
                if got != src_counts:
                    diff = [t for t in sorted(set(got) | set(src_counts)) if got.get(t) != src_counts.get(t)]
                    problems.append("filas distintas en " + ", ".join(diff))
                if _meta(out).get("app") != APP_ID:
                    problems.append("falta la marca de SES")
                out_rev = out.execute("SELECT version_num FROM alembic_version").fetchone()
                if not out_rev or out_rev[0] != rev or (expect_revision and rev != expect_revision):
                    problems.append("revisión del esquema distinta")
                if problems:
                    raise BackupError(MSG["check_failed"].format(detail="; ".join(problems), path=dest))
                if meta:
                    with out:
                        out.executemany("INSERT OR REPLACE INTO app_meta(key, value) VALUES (?, ?)",
                                        list(meta.items()))
            finally:
                out.close()
            src.execute("COMMIT")
        finally:
            src.close()
        fsync_file(tmp)
        return tmp
    except BackupError:
        _remove_with_side_files(tmp)
        raise
    except sqlite3.DatabaseError as exc:
        _remove_with_side_files(tmp)
        text = str(exc).lower()
        if any(w in text for w in ("full", "disk i/o", "readonly", "unable to open")):
            raise BackupError(_os_error_message(exc, folder, dest)) from exc
        raise BackupError(MSG["check_failed"].format(detail=exc, path=dest)) from exc
    except OSError as exc:
        _remove_with_side_files(tmp)
        raise BackupError(_os_error_message(exc, folder, dest)) from exc
    except BaseException:
        _remove_with_side_files(tmp)
        raise


def _lock_or_refuse(path: Path, busy: str) -> FileLock:
    """The SES lock of ``path``, or a Spanish BackupError: held by another program (``MSG[busy]``) or the folder
    refused the lock file."""
    lock = FileLock(path)
    try:
        acquired = lock.acquire()
    except OSError as exc:
        raise BackupError(_os_error_message(exc, path.parent, path)) from exc
    if not acquired:
        raise BackupError(MSG[busy].format(path=path, owner=lock.owner()))
    return lock


def move_into_place(tmp: Path, dest: Path) -> None:
    """Atomically replace ``dest`` by ``tmp`` and drop the old destination's ``-wal``/``-shm`` (which would be
    replayed into the new file otherwise)."""
    try:
        _remove_side_files(dest)
        from ..fileops import replace_file

        replace_file(tmp, dest)  # a destination briefly held (antivirus, sync client): retried, then a message
        _remove_side_files(dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        _remove_with_side_files(tmp)
        raise BackupError(_os_error_message(exc, dest.parent, dest)) from exc


def backup_file(src_path: Path, dest: Path, *, made_at: datetime | None = None) -> Path:
    """The whole backup of the SES file ``src_path`` to ``dest`` (see the module docstring), evidence folder
    included: ``<dest stem>.evidencias/`` is replaced by a copy of the source's (through a temporary folder)."""
    src_path = Path(src_path).expanduser().resolve()
    dest = Path(dest).expanduser()
    dest = dest.parent.resolve() / dest.name if dest.parent.exists() else dest.absolute()
    if dest == src_path:
        raise BackupError(MSG["same_file"].format(path=dest))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(_os_error_message(exc, dest.parent, dest)) from exc
    if dest.is_dir():
        raise BackupError(MSG["is_dir"].format(path=dest))
    lock = _lock_or_refuse(dest, "dest_busy")
    try:
        sweep_stale(dest)
        if dest.exists() and dest.stat().st_size > 0:
            with open(dest, "rb") as fh:
                is_sqlite = fh.read(16) == SQLITE_HEADER
            if not is_sqlite:
                raise BackupError(MSG["dest_foreign"].format(path=dest))
            if probe_busy(dest):
                raise BackupError(MSG["dest_busy"].format(path=dest, owner="otra conexión de SQLite"))
        stamp = (made_at or datetime.now()).isoformat(timespec="seconds")
        evid_tmp = copy_tree_to_temp(evidence_path(src_path), evidence_path(dest))
        try:
            tmp = copy_verified(src_path, dest, meta={META_BACKUP_DATE: stamp})
            move_into_place(tmp, dest)
        except BaseException:
            _rmtree(evid_tmp)
            raise
        swap_tree(evid_tmp, evidence_path(dest))
        return dest
    finally:
        lock.release()


# ---- evidence folders ---------------------------------------------------------------------------------
def _rmtree(folder: Path | None) -> None:
    import shutil

    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def copy_tree_to_temp(src_dir: Path, dest_dir: Path) -> Path | None:
    """Copy the evidence folder ``src_dir`` to a new temporary folder beside ``dest_dir`` (None when there is no
    evidence). Regular files only; each file is fsynced. Nothing is left behind on failure."""
    import shutil

    if not src_dir.is_dir() or not any(src_dir.iterdir()):
        return None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest_dir.name}.", suffix=".tmp", dir=dest_dir.parent))
    except OSError as exc:
        raise BackupError(_os_error_message(exc, dest_dir.parent, dest_dir)) from exc
    try:
        for item in src_dir.rglob("*"):
            rel = item.relative_to(src_dir)
            if item.is_symlink():
                continue
            if item.is_dir():
                (tmp / rel).mkdir(parents=True, exist_ok=True)
            elif item.is_file():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(item, tmp / rel)
                fsync_file(tmp / rel)
        return tmp
    except OSError as exc:
        _rmtree(tmp)
        raise BackupError(_os_error_message(exc, dest_dir.parent, dest_dir)) from exc
    except BaseException:
        _rmtree(tmp)
        raise


def swap_tree(new_dir: Path | None, dest_dir: Path, keep_old_as: Path | None = None) -> None:
    """Put ``new_dir`` (or nothing) at ``dest_dir``; the old folder is renamed to ``keep_old_as`` or removed."""
    old = None
    if dest_dir.exists():
        if keep_old_as is not None:
            os.replace(dest_dir, keep_old_as)
        else:
            old = dest_dir.with_name(f".{dest_dir.name}.viejo-{os.getpid()}")
            _rmtree(old)
            os.replace(dest_dir, old)
    if new_dir is not None:
        os.replace(new_dir, dest_dir)
    _rmtree(old)
    with contextlib.suppress(OSError):
        fsync_dir(dest_dir.parent)


# ---- restore ------------------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def same_organization(backup: BackupInfo, current: BackupInfo) -> bool:
    """The rule for «this organization»: the identity stored in app_meta when both files have it, otherwise the
    organization's name (ignoring case and spacing). A file without an organization accepts any backup."""
    if not current.organization and not current.organization_uid:
        return True
    if backup.organization_uid and current.organization_uid:
        return backup.organization_uid == current.organization_uid
    return _norm(backup.organization) == _norm(current.organization)


@dataclass
class RestoreResult:
    info: BackupInfo  # what was restored
    previous: Path | None  # where the file it replaced was kept (ses.previo-N.db), None if there was none


def _keep_copy(target: Path, previous: Path) -> None:
    """A consistent copy of ``target`` (with its WAL content) at ``previous``; a damaged target is copied byte
    for byte, so nothing the user had is lost."""
    import shutil

    tmp = _temp_name(previous.parent, previous.name)
    try:
        try:
            src = connect_reader(target)
            try:
                out = connect_rw(tmp)
                try:
                    src.backup(out)
                    out.execute("PRAGMA journal_mode=DELETE")
                finally:
                    out.close()
            finally:
                src.close()
        except sqlite3.DatabaseError:
            _remove_side_files(tmp)
            shutil.copyfile(target, tmp)
        fsync_file(tmp)
        os.replace(tmp, previous)
    except OSError as exc:
        _remove_with_side_files(tmp)
        raise BackupError(_os_error_message(exc, previous.parent, target)) from exc
    except BaseException:
        _remove_with_side_files(tmp)
        raise


def restore_file(backup: Path, target: Path, *, force: bool = False) -> RestoreResult:
    """Replace ``target`` with a verified copy of ``backup``. The file it replaces is kept as
    ``<stem>.previo-N<suffix>`` (N never reused) with its evidence folder; the backup's evidence comes back."""
    backup = Path(backup).expanduser().resolve()
    target = Path(target).expanduser()
    target = target.parent.resolve() / target.name if target.parent.exists() else target.absolute()
    if backup == target:
        raise BackupError(MSG["same_file"].format(path=target))
    info = describe(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_or_refuse(target, "target_busy")
    try:
        sweep_stale(target)
        exists = target.exists() and target.stat().st_size > 0
        if exists:
            try:
                current = describe(target)
            except BackupError:
                current = None  # a damaged or foreign target: restoring over it is what the user needs
            if current is not None and not force and not same_organization(info, current):
                raise BackupError(MSG["other_org"].format(path=backup, backup_org=info.organization,
                                                          target_org=current.organization))
            if probe_busy(target):
                raise BackupError(MSG["target_busy"].format(path=target, owner="otra conexión de SQLite"))
        evid_tmp = copy_tree_to_temp(evidence_path(backup), evidence_path(target))
        previous = None
        try:
            tmp = copy_verified(backup, target)
            try:
                if exists:
                    previous = next_previous_name(target)
                    _keep_copy(target, previous)
            except BaseException:
                _remove_with_side_files(tmp)
                raise
            move_into_place(tmp, target)
        except BaseException:
            _rmtree(evid_tmp)
            raise
        old_evidence = evidence_path(previous) if previous is not None else None
        swap_tree(evid_tmp, evidence_path(target), keep_old_as=old_evidence)
        return RestoreResult(info, previous)
    finally:
        lock.release()


def sweep_stale(dest: Path) -> list[Path]:
    """Remove what a killed backup or restore of ``dest`` left behind (its temporary copy, previous-copy and
    evidence folders). Called while holding ``dest``'s lock, which every writer of those temporaries holds too,
    so none of them can belong to a live process."""
    import shutil

    prefixes = (f".{dest.name}.", f".{dest.stem}.previo-", f".{evidence_path(dest).name}.")
    removed = []
    if not dest.parent.is_dir():
        return removed
    for p in dest.parent.iterdir():
        if p.name.startswith(prefixes) and (".tmp" in p.name or ".viejo-" in p.name):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()
            removed.append(p)
    return removed


def next_previous_name(target: Path) -> Path:
    """``ses.previo-N.db`` beside ``target`` with N one more than any existing one (older copies are kept)."""
    import re

    pat = re.compile(re.escape(target.stem) + r"\.previo-(\d+)" + re.escape(target.suffix) + "$")
    numbers = [int(m.group(1)) for p in target.parent.iterdir() if (m := pat.match(p.name))]
    return target.with_name(f"{target.stem}.previo-{max(numbers, default=0) + 1}{target.suffix}")
