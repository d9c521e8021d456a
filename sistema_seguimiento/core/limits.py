"""Limits on what users may enter, in one place (docs/entradas.md explains them to users).

Pure: no Qt, no SQLAlchemy. ``check_text`` and ``clip`` are used by the services (through the write guard in
``services.guards``), the capture parser (``core.numbers.parse_strict_number``), the imports and the messages.
"""
from __future__ import annotations

import re
import unicodedata

# ---- numbers captured by users (avances) ----------------------------------------------------------------
MAX_INT_DIGITS = 15  # up to 999,999,999,999,999 — what a spreadsheet keeps exactly
MAX_DECIMALS = 6

# ---- text ------------------------------------------------------------------------------------------------
MAX_KEY = 120  # claves, símbolos, nombres de usuario, periodos (as long as a user name may be)
MAX_NAME = 1_000  # nombres, títulos, unidades, responsables (one line)
MAX_TEXT = 20_000  # long texts: definitions, justifications, comments, resumen narrativo
MESSAGE_CLIP = 80  # user text quoted in a message is cut after this many characters

# ---- files -------------------------------------------------------------------------------------------------
MAX_JSON_BYTES = 200 * 1024 * 1024  # ``ses cargar``
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# kinds of text field
KEY, NAME, TEXT = "clave", "nombre", "texto"
_MAX = {KEY: MAX_KEY, NAME: MAX_NAME, TEXT: MAX_TEXT}

MSG = {
    "control": "{what} «{text}» contiene un carácter de control no permitido ({code}).",
    "too_long": "{what} «{text}» excede el máximo de {max:,} caracteres (tiene {n:,}).",
    "key_space": "{what} «{text}» no puede contener saltos de línea ni tabuladores.",
}


class LimitError(ValueError):
    """Text outside the limits; the message is in Spanish and names the field."""


def clip(text: object, n: int = MESSAGE_CLIP) -> str:
    """``text`` for a message: at most ``n`` characters plus «…», control characters shown as «�»."""
    s = "" if text is None else str(text)
    if len(s) > n:
        s = s[:n] + "…"
    return "".join("\N{REPLACEMENT CHARACTER}" if _is_control(ch) else ch for ch in s)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029"


# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F; plus the line/paragraph separators
_KEY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def max_length(kind: str) -> int:
    return _MAX[kind]


def check_text(value: str | None, what: str, kind: str = NAME) -> str | None:
    """Raise :class:`LimitError` when ``value`` has a control character not allowed in ``kind`` (a key allows
    none; names and long texts allow tab and line breaks) or is longer than the limit of ``kind``. Returns
    ``value`` unchanged."""
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    m = (_KEY_CONTROL if kind == KEY else _TEXT_CONTROL).search(value)
    if m:
        ch = m.group()
        if ch in "\t\n\r":
            raise LimitError(MSG["key_space"].format(what=what, text=clip(value)))
        raise LimitError(MSG["control"].format(what=what, text=clip(value), code=f"U+{ord(ch):04X}"))
    limit = _MAX[kind]
    if len(value) > limit:
        raise LimitError(MSG["too_long"].format(what=what, text=clip(value), n=len(value), max=limit))
    return value


__all__ = ["MAX_INT_DIGITS", "MAX_DECIMALS", "MAX_KEY", "MAX_NAME", "MAX_TEXT", "MESSAGE_CLIP", "MAX_JSON_BYTES",
           "MAX_EVIDENCE_BYTES", "KEY", "NAME", "TEXT", "LimitError", "clip", "check_text", "max_length"]
