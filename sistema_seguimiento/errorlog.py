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


def report_unexpected(exc: BaseException, action: str, *, committed: bool | None = False) -> str:
    """Write the traceback to the log; return the message for the user.

    ``committed``: False when the caller knows nothing was written (the operation's transaction rolled back),
    True when the error came after a commit, None when it cannot tell. Only False claims that the database
    stayed as it was."""
    logger().error("Error inesperado al %s (%s):\n%s", action,
                   {False: "sin cambios", True: "después de guardar", None: "estado desconocido"}[committed],
                   "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    if committed:
        return (f"Los cambios sí se guardaron en la base de datos, pero después ocurrió un error inesperado al "
                f"{action} (por ejemplo al mostrar el resultado). Revise el resultado en la ventana o con "
                f"«ses bitacora». El detalle técnico está en {log_path()}")
    if committed is None:
        return f"Ocurrió un error inesperado al {action}. El detalle técnico está en {log_path()}"
    return (f"Ocurrió un error inesperado al {action}. No se perdió información: la operación se canceló "
            f"completa y la base de datos quedó como estaba. El detalle técnico está en {log_path()}")
