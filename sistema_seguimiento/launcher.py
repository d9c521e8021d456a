"""Entry points of the bundled program (installer/ses.spec): ``ses`` (console, every subcommand) and ``SES``
(windowed: opens the window; on Windows it has no console, so stdout/stderr are None).

``SES [FILE]`` opens FILE in the window; a ``.ses`` package goes to ``abrir-paquete`` when that subcommand exists.
"""
from __future__ import annotations

import os
import sys


def gui_argv(argv: list[str], commands: set[str]) -> list[str]:
    """The ``ses`` arguments for a double-click or «Abrir con»: no arguments → ``abrir``; a file → ``abrir FILE``
    (or ``abrir-paquete FILE`` for a .ses package); a subcommand or an option is passed through unchanged."""
    if not argv:
        return ["abrir"]
    first = argv[0]
    if first in commands or first.startswith("-"):
        return list(argv)
    if first.lower().endswith(".ses") and "abrir-paquete" in commands:
        return ["abrir-paquete", *argv]
    return ["abrir", *argv]


def _ensure_streams() -> None:
    """A windowed Windows executable has no console: give print() and logging somewhere harmless to write."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def console_main() -> int:
    from .cli import main

    return main()


def gui_main() -> int:
    _ensure_streams()
    from .cli import build_parser, main

    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions if hasattr(a, "choices"))  # noqa: SLF001
    return main(gui_argv(sys.argv[1:], set(sub.choices)))
