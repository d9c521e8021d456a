"""Where SES keeps its files: the user's data folder (platformdirs), never beside the program — except in
portable mode.

Portable mode: when a file ``ses-portable.ini`` sits beside the executable (the folder of ``sys.executable`` in
the bundled program; for a source run, the folder named by ``SES_PORTABLE_DIR``), the data, settings, logs and
backups all live in a ``datos/`` folder beside it, so SES runs from a USB stick and leaves nothing on the PC.
``SES_DATA_DIR`` still wins over everything (tests, CI, administrators).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "SES"
APP_AUTHOR = "SistemaEstrategicoSeguimiento"
PORTABLE_MARKER = "ses-portable.ini"
PORTABLE_DATA = "datos"


def program_dir() -> Path | None:
    """The folder the portable marker is looked for in: beside the executable when bundled (PyInstaller sets
    ``sys.frozen``), else ``SES_PORTABLE_DIR`` (source runs and tests); None when neither applies."""
    env = os.environ.get("SES_PORTABLE_DIR")
    if env:
        return Path(env)
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def portable_root() -> Path | None:
    """``<program folder>/datos`` when ``ses-portable.ini`` sits in the program folder, else None."""
    folder = program_dir()
    if folder is not None and (folder / PORTABLE_MARKER).is_file():
        return folder / PORTABLE_DATA
    return None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    override = os.environ.get("SES_DATA_DIR")
    if override:
        return _ensure(Path(override))
    portable = portable_root()
    return _ensure(portable if portable is not None else user_data_path(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    override = os.environ.get("SES_DATA_DIR")
    if override:
        return _ensure(Path(override) / "logs")
    portable = portable_root()
    return _ensure(portable / "logs" if portable is not None else user_log_path(APP_NAME, APP_AUTHOR))


def settings_dir() -> Path | None:
    """Where the window keeps its settings (QSettings, INI format) in portable mode; None means the platform's
    usual place (registry on Windows, ~/.config elsewhere)."""
    if os.environ.get("SES_DATA_DIR"):
        return None
    portable = portable_root()
    return _ensure(portable / "configuracion") if portable is not None else None


def backups_dir() -> Path:
    """Folder for automatic and manual backups (``respaldos/`` in the data folder)."""
    return _ensure(data_dir() / "respaldos")


def default_db_path() -> Path:
    env = os.environ.get("SES_DB")
    return Path(env) if env else data_dir() / "ses.db"


def evidence_dir(db_path: Path | None) -> Path:
    """Evidence files live beside the database in ``<name>.evidencias/`` so a copy of both travels together."""
    base = db_path if db_path is not None else data_dir() / "ses.db"
    path = base.with_name(base.stem + ".evidencias")
    path.mkdir(parents=True, exist_ok=True)
    return path
