from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings, strategies as st

from sistema_seguimiento.core.formula import (Evaluation, FormulaError, numerator_denominator, parse_formula)
from sistema_seguimiento.core.types import (ERROR_DENOMINADOR_CERO, ERROR_FORMULA, OK, SIN_CAPTURA,
                                            SIN_EVENTOS)

D = Decimal


# ---------------------------------------------------------------------------------------------- parsing

@pytest.mark.parametrize("text, values, expected", [
    ("(A / B) * 100", {"A": D(7650), "B": D(18050)}, D(7650) / D(18050) * 100),
    ("((PTC_t / PTC_t1) - 1) * 100", {"PTC_t": D(729), "PTC_t1": D(660)}, (D(729) / D(660) - 1) * 100),
    ("DR / NR", {"DR": D(960), "NR": D(330)}, D(960) / D(330)),
    ("LSL", {"LSL": D("131.5")}, D("131.5")),
    ("A + B * C", {"A": D(1), "B": D(2), "C": D(3)}, D(7)),
    ("(A + B) * C", {"A": D(1), "B": D(2), "C": D(3)}, D(9)),
    ("A - B - C", {"A": D(10), "B": D(2), "C": D(3)}, D(5)),
    ("A / B / C", {"A": D(12), "B": D(2), "C": D(3)}, D(2)),
    ("-A + +B", {"A": D(4), "B": D(1)}, D(-3)),
    ("- (A - B)", {"A": D(4), "B": D(1)}, D(-3)),
    ("A × 100 ÷ B", {"A": D(1), "B": D(4)}, D(25)),
    ("=A/B", {"A": D(1), "B": D(4)}, D("0.25")),
    ("A * 0.1", {"A": D(3)}, D("0.3")),  # exact: the literal is read from its text, not via float
    ("A * 1_000", {"A": D(3)}, D(3000)),
    ("2 * 3 + A", {"A": D(1)}, D(7)),
])
def test_evaluate_values(text, values, expected):
    result = parse_formula(text).evaluate(values)
    assert result == Evaluation(expected, OK, None)
    assert result.value == expected and str(result.value) == str(expected)


def test_literal_is_not_converted_through_float():
    value = parse_formula("A * 0.1").evaluate({"A": D(3)}).value
    assert value == D("0.3")
    assert value != D(3) * D(0.1)  # what a float-based conversion would give


def test_names_in_order_and_as_frozenset():
    f = parse_formula("((B / A) - B) * 100 + C")
    assert f.names == frozenset({"A", "B", "C"})
    assert f.ordered_names == ("B", "A", "C")


def test_parse_is_cached():
    assert parse_formula("(X1 / X2) * 100") is parse_formula("(X1 / X2) * 100")


@pytest.mark.parametrize("text, fragment", [
    ("A ** 2", "Operación no permitida «**»"),
    ("A % 2", "Operación no permitida «%»"),
    ("A // 2", "Operación no permitida «//»"),
    ("A ^ 2", "Operación no permitida «^»"),
    ("~A", "Operación no permitida «~»"),
    ("not A", "Operación no permitida «not»"),
    ("abs(A)", "no admite funciones"),
    ("__import__('os').system('ls')", "no admite funciones"),
    ("A.real", "Operación no permitida «A.real»"),
    ("A[0]", "Operación no permitida «A[0]»"),
    ("A if B else C", "Operación no permitida"),
    ("lambda: 1", "Operación no permitida"),
    ("A < B", "comparaciones"),
    ("A, B", "la coma no es separador decimal"),
    ("85,5", "la coma no es separador decimal"),
    ("'texto'", "Valor no permitido"),
    ("True", "Valor no permitido"),
    ("1j * A", "Valor no permitido"),
    ("0x10 * A", "Número no válido «0x10»"),
    ("__class__", "Nombre no válido «__class__»"),
    ("", "está vacío"),
    ("   ", "está vacío"),
    ("A" + " + A" * 300, "demasiado largo"),
])
def test_rejected_formulas(text, fragment):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize("text, position", [
    ("A B", "posición 3"),
    ("A + * 2)", "posición 8"),
    ("(A / B", "error de sintaxis"),
    ("A +", "posición 4 (al final del texto)"),
])
def test_syntax_error_reports_position(text, position):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    message = str(info.value)
    assert message.startswith(f"El método de cálculo «{text}» tiene un error de sintaxis")
    assert position in message


def test_formula_error_is_value_error():
    assert issubclass(FormulaError, ValueError)


# ---------------------------------------------------------------------------------------------- statuses

def test_zero_over_zero_is_sin_eventos():
    assert parse_formula("(A / B) * 100").evaluate({"A": D(0), "B": D(0)}).status == SIN_EVENTOS


@pytest.mark.parametrize("numerator", [D(1), D(-1), D("0.001")])
def test_nonzero_over_zero_is_error(numerator):
    ev = parse_formula("(A / B) * 100").evaluate({"A": numerator, "B": D("0.00")})
    assert ev.value is None and ev.status == ERROR_DENOMINADOR_CERO and ev.reason


def test_nested_zero_denominator():
    f = parse_formula("((A / B) - 1) * 100")
    assert f.evaluate({"A": D(0), "B": D(0)}).status == SIN_EVENTOS
    assert f.evaluate({"A": D(5), "B": D(0)}).status == ERROR_DENOMINADOR_CERO
    assert parse_formula("A / (B - C)").evaluate({"A": D(2), "B": D(3), "C": D(3)}).status == ERROR_DENOMINADOR_CERO
    assert parse_formula("A / 0").evaluate({"A": D(0)}).status == SIN_EVENTOS
    assert parse_formula("1 / 0").evaluate({}).status == ERROR_DENOMINADOR_CERO


def test_missing_variable_names_it():
    ev = parse_formula("(RA72 / RR) * 100").evaluate({"RR": D(10)})
    assert ev == Evaluation(None, SIN_CAPTURA, "Falta el valor de la variable «RA72».")
    ev = parse_formula("(RA72 / RR) * 100").evaluate({})
    assert ev.status == SIN_CAPTURA and "«RA72»" in ev.reason and "«RR»" in ev.reason


def test_none_value_counts_as_missing_even_with_zero_denominator():
    ev = parse_formula("A / B").evaluate({"A": None, "B": D(0)})
    assert ev.status == SIN_CAPTURA and "«A»" in ev.reason


@pytest.mark.parametrize("values", [{"A": 1.5, "B": D(1)}, {"A": "3", "B": D(1)}, {"A": object(), "B": D(2)}])
def test_evaluate_never_raises_on_bad_values(values):
    ev = parse_formula("A / B").evaluate(values)
    assert ev.value is None and ev.status == ERROR_FORMULA and ev.reason


def test_evaluation_uses_precision_28_whatever_the_thread_context():
    f = parse_formula("A / B")
    expected = f.evaluate({"A": D(1), "B": D(3)}).value
    assert len(expected.as_tuple().digits) == 28
    with localcontext() as ctx:
        ctx.prec = 5
        assert f.evaluate({"A": D(1), "B": D(3)}).value == expected


# ---------------------------------------------------------------------------------------------- shapes

@pytest.mark.parametrize("text, shape", [
    ("(A / B) * 100", "ratio_x100"),
    ("A / B * 100", "ratio_x100"),
    ("100 * (A / B)", "ratio_x100"),
    ("100 * A / B", "ratio_x100"),
    ("A / B", "ratio"),
    ("((A / B) - 1) * 100", "ratio_minus_1_x100"),
    ("100 * ((A / B) - 1)", "ratio_minus_1_x100"),
    ("(A - B) / B * 100", "ratio_minus_1_x100"),
    ("A / B * 100 - 100", "ratio_minus_1_x100"),
    ("A", "single"),
    ("A + B", "other"),
    ("A * 100", "other"),
    ("(A / B) * 1000", "other"),
    ("((A / B) - 2) * 100", "other"),
])
def test_shape(text, shape):
    assert parse_formula(text).shape() == shape


@pytest.mark.parametrize("text, num, den", [
    ("(A / B) * 100", {"A"}, {"B"}),
    ("((A / B) - 1) * 100", {"A"}, {"B"}),
    ("100 * A / B", {"A"}, {"B"}),
    ("A / B * 100 - 100", {"A"}, {"B"}),
    ("(A + C) / (B + D)", {"A", "C"}, {"B", "D"}),
    ("V", {"V"}, set()),
    ("A + B", {"A", "B"}, set()),
])
def test_numerator_denominator(text, num, den):
    assert numerator_denominator(text) == (frozenset(num), frozenset(den))
    assert numerator_denominator(parse_formula(text)) == (frozenset(num), frozenset(den))


# ---------------------------------------------------------------------------------------------- property (c)

NAMES = ("A", "B", "C", "DR", "x_1")
_values = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
_constants = st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False)


class _ZeroDiv(Exception):
    pass


@st.composite
def expressions(draw, depth=0):
    """(text, reference function over a dict of Decimals) built side by side."""
    kind = draw(st.sampled_from(["name", "const", "neg", "bin", "bin"] if depth < 4 else ["name", "const"]))
    if kind == "name":
        name = draw(st.sampled_from(NAMES))
        return name, (lambda v, n=name: v[n])
    if kind == "const":
        c = draw(_constants)
        return format(c, "f"), (lambda v, c=c: c)
    if kind == "neg":
        text, fn = draw(expressions(depth=depth + 1))
        return f"-({text})", (lambda v, fn=fn: -fn(v))
    op = draw(st.sampled_from("+-*/×÷"))
    lt, lf = draw(expressions(depth=depth + 1))
    rt, rf = draw(expressions(depth=depth + 1))

    def ref(v, op=op, lf=lf, rf=rf):
        a, b = lf(v), rf(v)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op in "*×":
            return a * b
        if b == 0:
            raise _ZeroDiv
        return a / b
    return f"({lt} {op} {rt})", ref


@settings(max_examples=300, deadline=None)
@given(expr=expressions(), values=st.fixed_dictionaries({n: _values for n in NAMES}))
def test_random_expressions_match_decimal_reference(expr, values):
    text, ref = expr
    ev = parse_formula(text).evaluate(values)
    try:
        expected = ref(values)
    except _ZeroDiv:
        assert ev.value is None
        assert ev.status in (SIN_EVENTOS, ERROR_DENOMINADOR_CERO)
        return
    assert ev.status == OK, (text, ev)
    assert ev.value == expected
    assert str(ev.value) == str(expected)
