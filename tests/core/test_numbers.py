from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from sistema_seguimiento.core.numbers import (NumberParseError, fmt_decimal, fmt_decimal_opt, fmt_es, fmt_pct_es,
                                              parse_es_number, quantize, round2, to_decimal)

D = Decimal


@pytest.mark.parametrize("value, expected", [
    ("103.125", "103.13"),  # fixture E001-C2-01
    ("2.675", "2.68"),
    ("2.665", "2.67"),  # half up, not half even
    ("-2.675", "-2.68"),
    ("88.888888888888888888", "88.89"),
    ("-0.004", "0.00"),
    ("1E+3", "1000.00"),
    ("0", "0.00"),
])
def test_round2(value, expected):
    result = round2(D(value))
    assert str(result) == expected
    assert not (result == 0 and result.is_signed())


@pytest.mark.parametrize("value, places, expected", [
    ("103.125", 2, "103.13"),
    ("1E+3", 2, "1000.00"),
    ("1.5E+7", 2, "15000000.00"),
    ("1E-10", 2, "0.00"),
    ("-0.001", 2, "0.00"),
    ("-0", 2, "0.00"),
    ("-1.005", 2, "-1.01"),
    ("2.5", 0, "3"),
    ("1234.56789", 4, "1234.5679"),
    ("7650", 2, "7650.00"),
])
def test_fmt_decimal(value, places, expected):
    assert fmt_decimal(D(value), places) == expected


def test_fmt_decimal_accepts_int_and_rejects_none():
    assert fmt_decimal(5) == "5.00"
    with pytest.raises(TypeError):
        fmt_decimal(None)
    assert fmt_decimal_opt(None) is None
    assert fmt_decimal_opt(D("1.234")) == "1.23"


@pytest.mark.parametrize("value, kwargs, expected", [
    ("1234.5", {}, "1,234.50"),
    ("1234567.555", {}, "1,234,567.56"),
    ("-1234567.555", {}, "-1,234,567.56"),
    ("999.999", {}, "1,000.00"),
    ("-0.004", {}, "0.00"),
    ("1234.5", {"thousands": False}, "1234.50"),
    ("12345", {"places": 0}, "12,345"),
    ("0.5", {"places": 1}, "0.5"),
])
def test_fmt_es(value, kwargs, expected):
    assert fmt_es(D(value), **kwargs) == expected


def test_fmt_pct_es_and_missing_values():
    assert fmt_pct_es(D("85.3")) == "85.30 %"
    assert fmt_pct_es(D("103.125")) == "103.13 %"
    assert fmt_pct_es(D("1234.5")) == "1,234.50 %"
    assert fmt_es(None) == "N/D"
    assert fmt_pct_es(None) == "N/D"


@pytest.mark.parametrize("text, expected", [
    ("1,234.5", "1234.5"),
    ("1 234.5", "1234.5"),
    ("1\u00a0234.5", "1234.5"),
    ("1,234,567.25", "1234567.25"),
    ("85.3 %", "85.3"),
    ("85.3%", "85.3"),
    ("$ 1,200", "1200"),
    ("$1,200.50", "1200.50"),
    ("-$1,200", "-1200"),
    ("$ -1,200", "-1200"),
    ("-3", "-3"),
    ("+3", "3"),
    ("\u22123", "-3"),
    ("  42  ", "42"),
    (".5", "0.5"),
    ("5.", "5"),
    ("0", "0"),
    ("1234", "1234"),
])
def test_parse_es_number_accepts(text, expected):
    result = parse_es_number(text)
    assert isinstance(result, Decimal)
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize("text", [
    "N/D", "abc", "", "   ", "(3)", "1.2.3", "--3", "3-", "1e3", "$", "%", "1,23,456", "12,34,5", "1 ,234",
    "NaN", "Infinity", ".", "1,2345.6", "uno",
])
def test_parse_es_number_rejects(text):
    with pytest.raises(NumberParseError) as info:
        parse_es_number(text)
    assert isinstance(info.value, ValueError)
    assert info.value.args[0]  # a Spanish message, never empty


def test_parse_es_number_explains_decimal_comma():
    with pytest.raises(NumberParseError, match="use punto decimal"):
        parse_es_number("85,5")


def test_to_decimal():
    assert to_decimal(0.1) == D("0.1")
    assert str(to_decimal(0.1)) == "0.1"
    assert to_decimal(1e-07) == D("1E-7")
    assert to_decimal(12) == D(12)
    assert to_decimal("12.50") == D("12.50") and str(to_decimal("12.50")) == "12.50"
    assert to_decimal(" 1,200 ") == D(1200)
    assert to_decimal(D("3.3")) == D("3.3")
    for bad in (True, None, float("nan"), float("inf"), "NaN", D("Infinity"), "abc", [1]):
        with pytest.raises(NumberParseError):
            to_decimal(bad)


def test_quantize_places():
    assert str(quantize(D("1.23456"), 3)) == "1.235"
    with pytest.raises(ValueError):
        quantize(D(1), -1)


# ---------------------------------------------------------------------------------------------- property (e)

_decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=D("-1e15"), max_value=D("1e15"))


@settings(max_examples=400, deadline=None)
@given(_decimals)
def test_fmt_decimal_round_trips(d):
    text = fmt_decimal(d)
    assert re.fullmatch(r"-?\d+\.\d{2}", text), text
    assert text != "-0.00"
    back = D(text)
    assert back == round2(d)
    assert abs(back - d) <= D("0.005")
    assert fmt_decimal(back) == text  # idempotent


@settings(max_examples=300, deadline=None)
@given(_decimals)
def test_fmt_es_round_trips_through_parse(d):
    assert parse_es_number(fmt_es(d)) == round2(d)
    assert parse_es_number(fmt_pct_es(d)) == round2(d)
