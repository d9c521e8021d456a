"""Small helpers for the bulk paths (whole-organization reads and loads)."""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of small acyclic objects.

    CPython's generational collector rescans the growing young generations again and again during such
    bursts (about half of the time of a state-scale progress computation); reference counting still frees
    everything, and the collector is restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
