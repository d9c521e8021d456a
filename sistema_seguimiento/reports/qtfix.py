"""Work around a reference-count bug of the installed PySide6 on Python 3.11: every call of a ``void`` QPainter
method (setPen, drawLine, fillRect …) releases one reference to ``None`` that it never took. A report or a
chart makes hundreds of thousands of such calls, and the process aborts with "Fatal Python error:
none_dealloc". ``None`` can never be freed anyway, so we give it a very large reference count, which is what
Python 3.12+ does for all such singletons ("immortal objects"). Harmless where the bug is absent."""
from __future__ import annotations

import ctypes
import sys

_DONE = False


def protect_none() -> None:
    global _DONE
    if _DONE or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        _DONE = True
        return
    ref = ctypes.c_ssize_t.from_address(id(None))
    ref.value += 1 << 40
    _DONE = True
