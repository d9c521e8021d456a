"""Rotating error log in the data folder and the short Spanish message shown for unexpected errors."""
from __future__ import annotations

import logging
import logging.handlers
import traceback

from .paths import log_dir

_LOGGER_NAME = "ses"


def logger() -> logging.Logger:
    log = logging.getLogger(_LOGGER_NAME)
    if not log.handlers:
        path = log_dir() / "ses.log"
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return log


def log_path() -> str:
    return str(log_dir() / "ses.log")


def report_unexpected(exc: BaseException, action: str) -> str:
    """Write the traceback to the log; return the message for the user."""
    logger().error("Error inesperado al %s:\n%s", action,
                   "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return (f"Ocurrió un error inesperado al {action}. No se perdió información: la operación se canceló "
            f"completa y la base de datos quedó como estaba. El detalle técnico está en {log_path()}")
