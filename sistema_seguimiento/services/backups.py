"""Backup and restore use cases (CLI ``ses respaldar`` / ``ses restaurar`` and the window's Archivo menu).

The file work (verified copy, atomic move, evidence folder, numbered ``.previo-N`` copies) is in ``db/backup.py``;
this module adds what the user sees: the description of a backup, and the automatic backups kept when the
window closes (``respaldos/`` beside the database, the last N kept).
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ..db.backup import BackupError, BackupInfo, RestoreResult, describe, evidence_path, same_organization
from ..db.database import Database, OpenOptions

AUTO_FOLDER = "respaldos"
DEFAULT_KEEP = 10

MSG = {
    "keep": "El número de respaldos automáticos a conservar debe estar entre 0 y 999.",
}


def describe_backup(path: str | Path) -> BackupInfo:
    """Organization, fiscal years, date the backup was made, schema revision and counts (programas, indicadores,
    valores capturados, metas, usuarios) of a backup; raises ``BackupError`` (Spanish) when it is not a complete,
    undamaged SES database this program can open."""
    return describe(Path(path))


def make_backup(db_path: str | Path, dest: str | Path) -> BackupInfo:
    """Back up the SES file ``db_path`` (with its evidence) to ``dest``; returns what the backup holds."""
    with Database.open(Path(db_path), OpenOptions(read_only=True, migrate=False)) as db:
        written = db.backup_to(Path(dest))
    return describe(written)


def restore_backup(backup: str | Path, target: str | Path, *, force: bool = False) -> RestoreResult:
    """Replace ``target`` with ``backup`` (see ``db.backup.restore_file``). An older schema revision is migrated,
    with the usual pre-migration backup, the next time the file is opened for writing."""
    from ..db.database import restore

    return restore(Path(backup), Path(target), force=force)


# ---- automatic backups -------------------------------------------------------------------------------
def auto_folder(db_path: Path) -> Path:
    """Automatic backups live in ``respaldos/`` beside the database, so they travel with it."""
    return Path(db_path).resolve().parent / AUTO_FOLDER


def _auto_pattern(db_path: Path) -> re.Pattern:
    p = Path(db_path)
    return re.compile(re.escape(p.stem) + r"-(\d{8}-\d{6})(?:-\d+)?" + re.escape(p.suffix or ".db") + "$")


def auto_backups(db_path: Path) -> list[Path]:
    """The automatic backups of ``db_path``, oldest first."""
    folder = auto_folder(db_path)
    if not folder.is_dir():
        return []
    pat = _auto_pattern(db_path)
    return sorted((p for p in folder.iterdir() if p.is_file() and pat.match(p.name)), key=lambda p: p.name)


def auto_backup(db_path: str | Path, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> Path | None:
    """Back up ``db_path`` into ``respaldos/<stem>-AAAAMMDD-HHMMSS<suffix>`` and delete the oldest automatic
    backups beyond ``keep`` (with their evidence folders). ``keep`` = 0 turns automatic backups off."""
    if not 0 <= keep <= 999:
        raise BackupError(MSG["keep"])
    if keep == 0:
        return None
    db_path = Path(db_path).resolve()
    folder = auto_folder(db_path)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = db_path.suffix or ".db"
    dest = folder / f"{db_path.stem}-{stamp}{suffix}"
    n = 1
    while dest.exists():
        n += 1
        dest = folder / f"{db_path.stem}-{stamp}-{n}{suffix}"
    make_backup(db_path, dest)
    prune_auto_backups(db_path, keep)
    return dest


def prune_auto_backups(db_path: Path, keep: int) -> list[Path]:
    import shutil

    removed = []
    existing = auto_backups(db_path)
    for old in existing[:max(len(existing) - keep, 0)]:
        old.unlink()
        shutil.rmtree(evidence_path(old), ignore_errors=True)
        removed.append(old)
    return removed


__all__ = ["BackupError", "BackupInfo", "RestoreResult", "describe_backup", "make_backup", "restore_backup",
           "auto_backup", "auto_backups", "auto_folder", "prune_auto_backups", "same_organization", "DEFAULT_KEEP"]
