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
    everything, and the collector is restored afterwards.

    On the way out the objects built meanwhile are moved to the oldest generation without being scanned
    (``gc.freeze()`` + ``gc.unfreeze()``). Left in the youngest generation, the first allocation after
    ``gc.enable()`` would make the collector walk all of them at once (a quarter of a second at state scale)
    only to find them alive; in the oldest one they are looked at by the next full collection, which still
    frees any cycle among them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
