"""Decimal helpers: rounding, canonical strings for files, es_MX display and parsing of user input.

Rules (DOMAIN.md §f "Rounding", §k): compute with Decimal, round only for display with ROUND_HALF_UP
to 2 decimals; files use a decimal point and no thousands separator; ``es_MX`` formatting
("1,234.50", "85.30 %") only in the UI and printed reports.
"""
from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation, ROUND_HALF_UP

__all__ = [
    "NumberParseError", "Q2", "round2", "quantize", "fmt_decimal", "fmt_decimal_opt", "fmt_es", "fmt_pct_es",
    "parse_es_number", "parse_strict_number", "number_limit_problem", "to_decimal", "NOT_AVAILABLE",
]

Q2 = Decimal("0.01")
NOT_AVAILABLE = "N/D"  # display text for a missing number
_QUANTUM = {n: Decimal(1).scaleb(-n) for n in range(0, 11)}
# enough digits to quantize any realistic amount without InvalidOperation
_ROUND_CTX = Context(prec=60, rounding=ROUND_HALF_UP)


# user-visible texts (Spanish)
MSG = {
    "empty": "Capture un número.",
    "invalid": "«{text}» no es un número válido.",
    "not_finite": "«{text}» no es un número finito.",
    "decimal_comma": "«{text}»: use punto decimal, no coma (por ejemplo {suggestion}).",
    # strict parsing of captured values (parse_strict_number)
    "percent": "«{text}»: capture solo el número, sin el signo «%» (por ejemplo {suggestion}).",
    "currency": "«{text}»: capture solo el número, sin el signo «$» (por ejemplo {suggestion}).",
    "other_digits": "«{text}» contiene dígitos que no son 0–9 ({char}); escriba el número con dígitos 0 a 9.",
    "exponent": "«{text}»: no se admite notación científica; escriba el número completo.",
    "ambiguous": "«{text}» es ambiguo: use coma para los miles y punto para los decimales (por ejemplo 1,234.5).",
    "spaces": "«{text}»: escriba el número sin espacios (por ejemplo {suggestion}).",
    "grouping": "«{text}»: la coma separa miles y debe agrupar de tres en tres (por ejemplo 1,234,567.5).",
    "int_digits": "«{text}» tiene {n} dígitos enteros; el máximo es {max}.",
    "decimals": "«{text}» tiene {n} decimales; el máximo es {max}.",
}


class NumberParseError(ValueError):
    """Text that is not a number; the message is in Spanish."""


def _quantum(places: int) -> Decimal:
    q = _QUANTUM.get(places)
    if q is None:
        if places < 0:
            raise ValueError("places debe ser mayor o igual a cero")
        q = Decimal(1).scaleb(-places)
    return q


def quantize(d: Decimal, places: int = 2) -> Decimal:
    """Round half up to ``places`` decimals; a negative zero becomes zero."""
    q = d.quantize(_quantum(places), rounding=ROUND_HALF_UP, context=_ROUND_CTX)
    if not q and q.is_signed():
        q = q.copy_abs()
    return q


def round2(d: Decimal) -> Decimal:
    """ROUND_HALF_UP to 2 decimals (103.125 → 103.13; -0.001 → 0.00)."""
    q = d.quantize(Q2, rounding=ROUND_HALF_UP, context=_ROUND_CTX)
    if not q and q.is_signed():
        q = q.copy_abs()
    return q


def fmt_decimal(d: Decimal, places: int = 2) -> str:
    """Canonical string for JSON/CSV: fixed point, ``places`` decimals, never exponent notation,
    never "-0.00" ("103.13", "1200.00", "0.00")."""
    if d is None:
        raise TypeError("fmt_decimal() recibió None; use fmt_decimal_opt() para valores opcionales")
    d = to_decimal(d)
    return format(quantize(d, places), "f")


def fmt_decimal_opt(d: Decimal | None, places: int = 2) -> str | None:
    """:func:`fmt_decimal`, or None for None."""
    return None if d is None else fmt_decimal(d, places)


def fmt_es(d: Decimal | None, places: int = 2, thousands: bool = True) -> str:
    """es_MX display: "1,234.50" (comma thousands, point decimals); None → "N/D"."""
    if d is None:
        return NOT_AVAILABLE
    q = quantize(to_decimal(d), places)
    return format(q, ",f" if thousands else "f")


def fmt_pct_es(d: Decimal | None, places: int = 2) -> str:
    """Percentage for display: "85.30 %" (the value is already a percentage); None → "N/D"."""
    if d is None:
        return NOT_AVAILABLE
    return f"{fmt_es(d, places)} %"


# --------------------------------------------------------------------------------------------------
# parsing user input

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_GROUPED = re.compile(r"^\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*$")
_DIGITS = re.compile(r"^\d+$")


def parse_es_number(text: str) -> Decimal:
    """Parse a number typed or pasted by a user in es_MX conventions.

    Accepts "1,234.5", "1 234.5", "85.3 %", "85.3%", "$ 1,200", "-3", "+3", ".5", "5.", "−3" (Unicode minus).
    Comma and space are thousands separators only (they must group by three); the decimal separator is
    the point. Raises :class:`NumberParseError` with a Spanish message for anything else.
    """
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise NumberParseError(MSG["invalid"].format(text=text))
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str):
        raise NumberParseError(MSG["invalid"].format(text=text))
    original = text
    s = text.strip().replace("\u2212", "-")
    if not s:
        raise NumberParseError(MSG["empty"])
    sign = ""
    # sign and currency symbol, in either order: "-$1,200", "$ -1,200"
    for _ in range(2):
        s = s.strip()
        if s[:1] in "+-" and not sign and s[:1]:
            sign = "-" if s[0] == "-" else "+"
            s = s[1:]
        elif s.startswith("$"):
            s = s[1:]
    s = s.strip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if not s:
        raise NumberParseError(MSG["invalid"].format(text=original.strip()))
    integer, dot, fraction = s.partition(".")
    if dot and not (_DIGITS.match(fraction) or (fraction == "" and integer.strip())):  # "5." is 5
        raise NumberParseError(MSG["invalid"].format(text=original.strip()))
    integer = _SPACES.sub(" ", integer)
    if integer == "":
        if not dot:
            raise NumberParseError(MSG["invalid"].format(text=original.strip()))
        integer = "0"
    elif not _DIGITS.match(integer):
        if _GROUPED.match(integer):
            integer = integer.replace(",", "").replace(" ", "")
        elif "," in integer and re.fullmatch(r"\d+,\d+", integer) and not dot:
            raise NumberParseError(MSG["decimal_comma"].format(text=original.strip(),
                                                               suggestion=integer.replace(",", ".")))
        else:
            raise NumberParseError(MSG["invalid"].format(text=original.strip()))
    try:
        return Decimal(f"{sign}{integer}{dot}{fraction}")
    except InvalidOperation:  # pragma: no cover - the regexes above only let digits through
        raise NumberParseError(MSG["invalid"].format(text=original.strip())) from None


_STRICT = re.compile(r"^(?P<sign>[+\-\u2212]?)(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<frac>[0-9]*))?$")
_NON_FINITE = {"nan", "snan", "qnan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "+nan", "-nan"}


def number_limit_problem(value: Decimal, text: object = None) -> str | None:
    """Spanish reason when ``value`` has more integer digits or decimals than ``core.limits`` allows (or is not
    finite); None when it is acceptable. ``text`` is how the user wrote it (for the message)."""
    from .limits import MAX_DECIMALS, MAX_INT_DIGITS, clip

    shown = clip(text if text is not None else value)
    if not isinstance(value, Decimal) or not value.is_finite():
        return MSG["not_finite"].format(text=shown)
    sign, digits, exp = value.normalize().as_tuple()
    n_int = max(len(digits) + exp, 0) if value else 0
    n_dec = max(-exp, 0)
    if n_int > MAX_INT_DIGITS:
        return MSG["int_digits"].format(text=shown, n=n_int, max=MAX_INT_DIGITS)
    if n_dec > MAX_DECIMALS:
        return MSG["decimals"].format(text=shown, n=n_dec, max=MAX_DECIMALS)
    return None


def parse_strict_number(text: str) -> Decimal:
    """Parse a captured value (avance): ASCII digits in es_MX form ("1,234.5") or plain form ("1234.5", "-3").

    Refused with the reason (Spanish :class:`NumberParseError`): percent and currency signs ("5%", "$5"), digits
    of other scripts ("٣", "５"), decimal commas and the ambiguous "1.234,5", spaces inside the number, exponent
    forms ("1e5"), "NaN"/"Infinity", more than ``limits.MAX_INT_DIGITS`` integer digits or
    ``limits.MAX_DECIMALS`` decimals. ``parse_es_number`` stays the lenient reader of other people's workbooks.
    """
    from .limits import clip

    if isinstance(text, bool) or not isinstance(text, str):
        raise NumberParseError(MSG["invalid"].format(text=clip(text)))
    s = text.strip()
    shown = clip(s)
    if not s:
        raise NumberParseError(MSG["empty"])
    m = _STRICT.match(s)
    if m is None or (m.group("int") == "" and not m.group("frac")):
        low = s.lower()
        plain = re.sub(r"[%$\s]", "", s)
        for ch in s:
            if ch.isdigit() and ch not in "0123456789":
                raise NumberParseError(MSG["other_digits"].format(text=shown, char=ch))
        if low in _NON_FINITE or low.lstrip("+-").startswith(("nan", "inf")):
            raise NumberParseError(MSG["not_finite"].format(text=shown))
        if "%" in s:
            raise NumberParseError(MSG["percent"].format(text=shown, suggestion=clip(plain)))
        if "$" in s:
            raise NumberParseError(MSG["currency"].format(text=shown, suggestion=clip(plain)))
        if re.fullmatch(r"[+\-]?[0-9.]*[0-9][eE][+\-]?[0-9]+", s):
            raise NumberParseError(MSG["exponent"].format(text=shown))
        if re.fullmatch(r"[+\-]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+", s) or ("," in s and "." in s
                                                                         and s.rfind(",") > s.rfind(".")):
            raise NumberParseError(MSG["ambiguous"].format(text=shown))
        if re.fullmatch(r"[+\-]?[0-9]+,[0-9]+", s):
            raise NumberParseError(MSG["decimal_comma"].format(text=shown, suggestion=s.replace(",", ".")))
        if re.fullmatch(r"[+\-]?[0-9][0-9 \u00a0\u2009\u202f]*(\.[0-9]+)?", s):
            raise NumberParseError(MSG["spaces"].format(text=shown, suggestion=clip(plain)))
        if re.fullmatch(r"[+\-]?[0-9][0-9,]*(\.[0-9]*)?", s):
            raise NumberParseError(MSG["grouping"].format(text=shown))
        raise NumberParseError(MSG["invalid"].format(text=shown))
    sign = "-" if m.group("sign") in ("-", "\u2212") else ""
    integer = m.group("int").replace(",", "") or "0"
    frac = m.group("frac") or ""
    value = Decimal(f"{sign}{integer}.{frac}" if frac else f"{sign}{integer}")
    problem = number_limit_problem(value, s)
    if problem:
        raise NumberParseError(problem)
    if not value and value.is_signed():
        value = value.copy_abs()
    return value


def to_decimal(x: object) -> Decimal:
    """Exact conversion of int / str / Decimal (and float through its shortest repr: 0.1 → 0.1).

    Strings in canonical form ("1234.5", "-3", "1E+3") are read directly; otherwise es_MX input is
    accepted through :func:`parse_es_number`. Raises :class:`NumberParseError` for booleans, None,
    NaN and infinities.
    """
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise NumberParseError(MSG["not_finite"].format(text=x))
        return x
    if isinstance(x, bool) or x is None:
        raise NumberParseError(MSG["invalid"].format(text=x))
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        d = Decimal(repr(x))
        if not d.is_finite():
            raise NumberParseError(MSG["not_finite"].format(text=x))
        return d
    if isinstance(x, str):
        s = x.strip()
        try:
            d = Decimal(s)
        except InvalidOperation:
            return parse_es_number(s)
        if not d.is_finite():
            raise NumberParseError(MSG["invalid"].format(text=x))
        return d
    raise NumberParseError(MSG["invalid"].format(text=x))
