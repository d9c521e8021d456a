"""Replacing files safely on office PCs.

On Windows an antivirus, a search indexer or a OneDrive/Excel preview often holds a file for a moment right after
it was written; ``os.replace`` then fails with PermissionError. ``replace_file`` retries for a few seconds and
then raises ``FileBusyError`` with a Spanish message that says which file and what to do.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, TypeVar

from .services.errors import ServiceError

MSG = {
    "busy": ("No se pudo reemplazar «{dst}»: el archivo está abierto o bloqueado por otro programa (por ejemplo "
             "Excel, un visor de PDF o el antivirus). Ciérrelo e intente de nuevo. El archivo nuevo no se guardó."),
}

RETRY_SECONDS = 5.0
T = TypeVar("T")
RETRY_STEP = 0.1


class FileBusyError(ServiceError):
    """The destination stayed locked for the whole retry period; the message is for the user (the CLI exits 2,
    the window shows it as a user error)."""


def replace_file(src: str | os.PathLike, dst: str | os.PathLike, *, timeout: float | None = None) -> Path:
    """``os.replace(src, dst)`` retried on PermissionError for ``timeout`` seconds (RETRY_SECONDS by default).

    On failure ``src`` is removed (it is a temporary file the caller wrote) and FileBusyError is raised; ``dst``
    is left exactly as it was."""
    limit = RETRY_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + limit
    while True:
        try:
            os.replace(src, dst)
            return Path(dst)
        except PermissionError as exc:
            if time.monotonic() >= deadline:
                try:
                    os.unlink(src)
                except OSError:
                    pass
                raise FileBusyError(MSG["busy"].format(dst=dst)) from exc
            time.sleep(RETRY_STEP)


def temp_beside(dst: str | os.PathLike) -> Path:
    """A temporary name in the destination's folder (same volume, so the final replace is atomic), keeping the
    extension so libraries that look at it (openpyxl) still work."""
    dst = Path(dst)
    return dst.with_name(f".{dst.stem}.{os.getpid()}.tmp{dst.suffix}")


def write_via_temp(dst: str | os.PathLike, write: Callable[[Path], T]) -> T:
    """``write(tmp)`` to a temporary file beside ``dst``, then ``replace_file(tmp, dst)``; returns what ``write``
    returned. On any error (a cancelled job, a full disk, a busy destination) the temporary file is removed and
    ``dst`` is left exactly as it was: a PDF or workbook open in a viewer is never left half-written."""
    dst = Path(dst)
    tmp = temp_beside(dst)
    try:
        result = write(tmp)
        replace_file(tmp, dst)
        return result
    finally:
        if tmp.exists():
            tmp.unlink()


def save_workbook(wb, out: str | os.PathLike) -> Path:
    """``wb.save`` through :func:`write_via_temp`: a workbook open in Excel or held by the antivirus is never left
    half-written."""
    write_via_temp(out, wb.save)
    return Path(out)
