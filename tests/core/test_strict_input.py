"""Captured values are parsed strictly (core.numbers.parse_strict_number) and text respects core.limits."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sistema_seguimiento.core import limits
from sistema_seguimiento.core.numbers import (NumberParseError, number_limit_problem, parse_es_number,
                                              parse_strict_number)


@pytest.mark.parametrize("text,expected", [
    ("1,234.5", Decimal("1234.5")), ("1234.5", Decimal("1234.5")), ("-3", Decimal(-3)), ("+3", Decimal(3)),
    (" 12 ", Decimal(12)), ("0.5", Decimal("0.5")), (".5", Decimal("0.5")), ("1,234,567.25", Decimal("1234567.25")),
    ("999,999,999,999,999.999999", Decimal("999999999999999.999999")), ("-0", Decimal(0)), ("12,345", Decimal(12345)),
])
def test_strict_accepts_es_mx_and_plain(text, expected):
    assert parse_strict_number(text) == expected


@pytest.mark.parametrize("text,reason", [
    ("5%", "%"), ("85.3 %", "%"), ("$5", "$"), ("$ 1,200", "$"), ("٣", "dígitos que no son 0–9"),
    ("５", "dígitos que no son 0–9"), ("1.234,5", "ambiguo"), ("1,5", "punto decimal"), ("1e5", "notación"),
    ("2E-3", "notación"), ("NaN", "finito"), ("Infinity", "finito"), ("-inf", "finito"), ("1 234", "espacios"),
    ("1" * 16, "16 dígitos enteros"), ("1" * 60, "60 dígitos enteros"), ("0.1234567", "7 decimales"),
    ("1,23", "punto decimal"), ("12,3456", "punto decimal"), ("1,2,3", "miles"), ("abc", "no es un número"),
    ("", "Capture un número"), ("--3", "no es un número"), (".", "no es un número"),
])
def test_strict_refuses_with_reason(text, reason):
    with pytest.raises(NumberParseError) as err:
        parse_strict_number(text)
    assert reason in str(err.value)


def test_lenient_reader_of_other_workbooks_still_reads_percentages():
    # importing other offices' MIR layouts keeps reading «85.3 %»; captured values never do
    assert parse_es_number("85.3 %") == Decimal("85.3")
    with pytest.raises(NumberParseError):
        parse_strict_number("85.3 %")


def test_long_input_is_cut_in_the_message():
    with pytest.raises(NumberParseError) as err:
        parse_strict_number("x" * 5000)
    assert "…" in str(err.value) and len(str(err.value)) < 200


def test_number_limit_problem():
    assert number_limit_problem(Decimal("999999999999999.999999")) is None
    assert "16 dígitos" in number_limit_problem(Decimal("1E15"))
    assert "7 decimales" in number_limit_problem(Decimal("0.0000001"))
    assert number_limit_problem(Decimal("1.50000000")) is None  # trailing zeros are not decimals
    assert number_limit_problem(Decimal("NaN")) is not None


_in_limits = st.decimals(min_value=Decimal("-999999999999999.999999"), max_value=Decimal("999999999999999.999999"),
                         places=6, allow_nan=False, allow_infinity=False)


@given(_in_limits)
def test_plain_and_es_mx_forms_round_trip(d):
    assert parse_strict_number(format(d, "f")) == d
    assert parse_strict_number(format(d, ",f")) == d


@given(st.text(max_size=40))
@settings(max_examples=400)
def test_any_text_parses_or_gives_a_spanish_reason(text):
    try:
        value = parse_strict_number(text)
    except NumberParseError as exc:
        assert str(exc)
    else:
        assert value.is_finite() and number_limit_problem(value) is None
        assert all(ch in "0123456789,.+-\u2212 \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002"
                   "\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
                   for ch in text)


@given(st.characters(whitelist_categories=("Nd",)).filter(lambda ch: ch not in "0123456789"),
       st.integers(min_value=0, max_value=999))
def test_digits_of_other_scripts_are_refused(ch, n):
    text = f"{n}{ch}"
    with pytest.raises(NumberParseError) as err:
        parse_strict_number(text)
    assert "0–9" in str(err.value)


def test_check_text_controls_and_lengths():
    assert limits.check_text("Alumbrado público\nsegunda línea", "El nombre") == "Alumbrado público\nsegunda línea"
    with pytest.raises(limits.LimitError, match="U\\+0007"):
        limits.check_text("a\x07b", "El nombre")
    with pytest.raises(limits.LimitError, match="saltos de línea"):
        limits.check_text("E001\nX", "La clave", limits.KEY)
    with pytest.raises(limits.LimitError, match="máximo de 120 caracteres"):
        limits.check_text("x" * (limits.MAX_KEY + 1), "La clave", limits.KEY)
    limits.check_text("x" * limits.MAX_KEY, "La clave", limits.KEY)
    with pytest.raises(limits.LimitError) as err:
        limits.check_text("y" * (limits.MAX_NAME + 1), "El nombre")
    assert "…" in str(err.value) and len(str(err.value)) < 200
    with pytest.raises(limits.LimitError):
        limits.check_text("a\x00", "El texto", limits.TEXT)
    assert limits.clip("a\x1bb") == "a\N{REPLACEMENT CHARACTER}b"
