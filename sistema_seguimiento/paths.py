"""Where SES keeps its files: the user's data folder (platformdirs), never beside the program."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "SES"
APP_AUTHOR = "SistemaEstrategicoSeguimiento"


def data_dir() -> Path:
    override = os.environ.get("SES_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get("SES_DATA_DIR")
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    env = os.environ.get("SES_DB")
    return Path(env) if env else data_dir() / "ses.db"


def evidence_dir(db_path: Path | None) -> Path:
    """Evidence files live beside the database in ``<name>.evidencias/`` so a copy of both travels together."""
    base = db_path if db_path is not None else data_dir() / "ses.db"
    path = base.with_name(base.stem + ".evidencias")
    path.mkdir(parents=True, exist_ok=True)
    return path
