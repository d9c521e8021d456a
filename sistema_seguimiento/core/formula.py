"""Safe evaluation of an indicator's *método de cálculo* (DOMAIN.md §f).

The text is parsed with :func:`ast.parse` (mode ``"eval"``) and checked against a whitelist:
binary ``+ - * /``, unary ``+ -``, parentheses, numeric literals and variable names. Literals are
converted to :class:`~decimal.Decimal` from their source text (never through ``float``). The AST is
compiled once into nested closures, so evaluating a formula costs a handful of Python calls; parsed
formulas are cached by text. Nothing is ever passed to ``eval``/``exec``.

Arithmetic uses :data:`DECIMAL_CONTEXT` (precision 28, banker's rounding for intermediate results: the
default context, as in the reference calculator). :meth:`Formula.evaluate` switches to it only when the
thread's context differs, so the common path stays a plain operator call.
"""
from __future__ import annotations

import ast
import functools
import operator
import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, ROUND_HALF_EVEN, getcontext, localcontext
from typing import Callable, Mapping, NamedTuple

from .types import ERROR_DENOMINADOR_CERO, ERROR_FORMULA, OK, SIN_CAPTURA, SIN_EVENTOS

__all__ = [
    "Evaluation", "Formula", "FormulaError", "ZeroDenominator", "parse_formula", "numerator_denominator",
    "DECIMAL_CONTEXT", "MSG",
    "SHAPE_RATIO_X100", "SHAPE_RATIO", "SHAPE_RATIO_MINUS_1_X100", "SHAPE_SINGLE", "SHAPE_OTHER",
]

#: Arithmetic context of every formula evaluation (same precision as the reference calculator).
DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)

SHAPE_RATIO_X100 = "ratio_x100"  # (A / B) * 100
SHAPE_RATIO = "ratio"  # A / B
SHAPE_RATIO_MINUS_1_X100 = "ratio_minus_1_x100"  # ((A / B) - 1) * 100
SHAPE_SINGLE = "single"  # A
SHAPE_OTHER = "other"

MAX_FORMULA_LENGTH = 500

# characters users paste from Word/Excel, mapped to Python operators
_TRANSLATION = str.maketrans({"×": "*", "÷": "/", "−": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})

_OP_SYMBOLS = {
    ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not",
}


# user-visible texts (Spanish)
MSG = {
    "not_text": "El método de cálculo debe ser texto.",
    "empty": "El método de cálculo está vacío.",
    "too_long": "El método de cálculo es demasiado largo (máximo {max} caracteres).",
    "syntax": "El método de cálculo «{text}» tiene un error de sintaxis en la posición {pos}.",
    "syntax_end": "El método de cálculo «{text}» tiene un error de sintaxis en la posición {pos} (al final del texto).",
    "unreadable": "El método de cálculo «{text}» no se pudo interpretar.",
    "too_deep": "El método de cálculo «{text}» tiene demasiados niveles de paréntesis.",
    "operator": "Operación no permitida «{op}» en el método de cálculo «{text}»; use solo + - * / y paréntesis.",
    "unary": "Operación no permitida «{op}» en el método de cálculo «{text}».",
    "function": "Operación no permitida «{op}»: el método de cálculo no admite funciones.",
    "comparison": "Operación no permitida «{op}»: el método de cálculo no admite comparaciones.",
    "other": "Operación no permitida «{op}» en el método de cálculo «{text}».",
    "comma": ("El método de cálculo «{text}» contiene una coma; la coma no es separador decimal: use punto "
              "(por ejemplo 0.5)."),
    "value": ("Valor no permitido «{value}» en el método de cálculo «{text}»; solo se admiten números y claves de "
              "variables."),
    "number": "Número no válido «{value}» en el método de cálculo «{text}».",
    "name": "Nombre no válido «{name}» en el método de cálculo «{text}».",
    "sin_eventos": "Sin eventos: numerador y denominador son cero; el indicador no es calculable (N/A).",
    "zero_denominator": "El denominador es cero y el numerador es distinto de cero.",
    "missing_one": "Falta el valor de la variable {names}.",
    "missing_many": "Falta el valor de las variables {names}.",
    "not_numeric": "Valor no numérico en el cálculo de «{text}».",
    "failed": "No se pudo calcular «{text}»: {error}.",
}


HINT = {
    "close": " Falta un paréntesis de cierre «)».",
    "open": " Sobra un paréntesis de cierre «)» en la posición {pos} (falta el de apertura).",
    "times": " «{op}» no es un operador: use * para multiplicar, por ejemplo (A / B) * 100.",
    "end": " Falta un término después de «{op}» al final.",
    "double": " Hay dos operadores seguidos («{a} {b}») en la posición {pos}.",
    "juxtaposed": " Falta un operador entre «{a}» y «{b}» (posición {pos}).",
}


def syntax_hint(text: str) -> str:
    """What is missing in a formula that does not parse, in words (appended to the position message)."""
    depth = 0
    for i, ch in enumerate(text, start=1):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return HINT["open"].format(pos=i)
    if depth > 0:
        return HINT["close"]
    m = re.search(r"(?<=[\w)])\s*([x×X·])\s*(?=[\d(])", text)
    if m:
        return HINT["times"].format(op=m.group(1))
    stripped = text.rstrip()
    if stripped and stripped[-1] in "+-*/":
        return HINT["end"].format(op=stripped[-1])
    m = re.search(r"([+*/])\s*([*/])", text)
    if m:
        return HINT["double"].format(a=m.group(1), b=m.group(2), pos=m.start(2) + 1)
    m = re.search(r"([\w)])\s+([A-Za-z(])", text)
    if m:
        return HINT["juxtaposed"].format(a=m.group(1), b=m.group(2), pos=m.start(2) + 1)
    return ""


class FormulaError(ValueError):
    """The formula text is not a valid *método de cálculo*. The message is in Spanish."""


class Evaluation(NamedTuple):
    value: Decimal | None
    status: str  # OK | SIN_CAPTURA | SIN_EVENTOS | ERROR_DENOMINADOR_CERO | ERROR_FORMULA
    reason: str | None = None


_new_evaluation = tuple.__new__  # builds an Evaluation without the Python-level NamedTuple __new__


class ZeroDenominator(ArithmeticError):
    """Raised by compiled formulas when a divisor is zero; ``dividend_is_zero`` tells which status."""

    def __init__(self, dividend_is_zero: bool):
        super().__init__(dividend_is_zero)
        self.dividend_is_zero = dividend_is_zero


# --------------------------------------------------------------------------------------------------
# compilation: every node becomes (kind, payload) with kind in {"const", "name", "fn"}

_CONST, _NAME, _FN = 0, 1, 2

_add = operator.add
_sub = operator.sub
_mul = operator.mul
_truediv = operator.truediv
_minus = operator.neg
_plus = operator.pos


def _div(a: Decimal, b: Decimal) -> Decimal:
    if not b:
        raise ZeroDenominator(not a)
    return a / b


_BINOPS: dict[type, Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: _add, ast.Sub: _sub, ast.Mult: _mul, ast.Div: _div,
}


def _binop_closure(op, left, right):
    """Closure for ``op(left, right)``; name and constant operands are inlined (no extra call)."""
    lk, lv = left
    rk, rv = right
    if op is _div:
        return _div_closure(left, right)
    if lk == _NAME:
        if rk == _NAME:
            return lambda v: op(v[lv], v[rv])
        if rk == _CONST:
            return lambda v: op(v[lv], rv)
        return lambda v: op(v[lv], rv(v))
    if lk == _CONST:
        if rk == _NAME:
            return lambda v: op(lv, v[rv])
        if rk == _CONST:
            return lambda v: op(lv, rv)
        return lambda v: op(lv, rv(v))
    if rk == _NAME:
        return lambda v: op(lv(v), v[rv])
    if rk == _CONST:
        return lambda v: op(lv(v), rv)
    return lambda v: op(lv(v), rv(v))


def _div_closure(left, right):
    """Division with the zero-divisor check inlined (the divisor is evaluated first)."""
    lk, lv = left
    rk, rv = right
    if rk == _CONST:
        if not rv:  # literal zero divisor: always fails at run time
            if lk == _NAME:
                return lambda v: _div(v[lv], rv)
            if lk == _CONST:
                return lambda v: _div(lv, rv)
            return lambda v: _div(lv(v), rv)
        if lk == _NAME:
            return lambda v: _truediv(v[lv], rv)
        return lambda v: _truediv(lv(v), rv)
    if rk == _NAME:
        if lk == _NAME:
            def div_name_name(v):
                b = v[rv]
                if not b:
                    raise ZeroDenominator(not v[lv])
                return v[lv] / b
            return div_name_name
        if lk == _CONST:
            def div_const_name(v):
                b = v[rv]
                if not b:
                    raise ZeroDenominator(not lv)
                return lv / b
            return div_const_name

        def div_fn_name(v):
            b = v[rv]
            if not b:
                raise ZeroDenominator(not lv(v))
            return lv(v) / b
        return div_fn_name
    if lk == _NAME:
        def div_name_fn(v):
            b = rv(v)
            if not b:
                raise ZeroDenominator(not v[lv])
            return v[lv] / b
        return div_name_fn
    if lk == _CONST:
        def div_const_fn(v):
            b = rv(v)
            if not b:
                raise ZeroDenominator(not lv)
            return lv / b
        return div_const_fn

    def div_fn_fn(v):
        b = rv(v)
        if not b:
            raise ZeroDenominator(not lv(v))
        return lv(v) / b
    return div_fn_fn


class _Compiler:
    def __init__(self, text: str, source: str):
        self.text = text  # what the user wrote (for messages)
        self.source = source  # normalised text actually parsed
        self.source_bytes = source.encode("utf-8")
        self.names: list[str] = []

    def _segment(self, node: ast.AST) -> str:
        seg = ast.get_source_segment(self.source, node)
        return seg if seg else type(node).__name__

    def _literal(self, node: ast.Constant) -> Decimal:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(MSG["value"].format(value=self._segment(node), text=self.text))
        # col offsets are UTF-8 byte offsets
        raw = self.source_bytes[node.col_offset:node.end_col_offset].decode("utf-8")
        try:
            dec = Decimal(raw)
        except InvalidOperation:
            raise FormulaError(MSG["number"].format(value=raw, text=self.text)) from None
        if not dec.is_finite():
            raise FormulaError(MSG["number"].format(value=raw, text=self.text))
        return dec

    def compile(self, node: ast.AST):
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                symbol = _OP_SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise FormulaError(MSG["operator"].format(op=symbol, text=self.text))
            left = self.compile(node.left)
            right = self.compile(node.right)
            if left[0] == _CONST and right[0] == _CONST and not (op is _div and not right[1]):
                return (_CONST, op(left[1], right[1]))
            return (_FN, _binop_closure(op, left, right))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                fn = _minus
            elif isinstance(node.op, ast.UAdd):
                fn = _plus
            else:
                symbol = _OP_SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise FormulaError(MSG["unary"].format(op=symbol, text=self.text))
            kind, payload = self.compile(node.operand)
            if kind == _CONST:
                return (_CONST, fn(payload))
            if kind == _NAME:
                return (_FN, lambda v: fn(v[payload]))
            return (_FN, lambda v: fn(payload(v)))
        if isinstance(node, ast.Constant):
            return (_CONST, self._literal(node))
        if isinstance(node, ast.Name):
            name = node.id
            if name.startswith("__"):
                raise FormulaError(MSG["name"].format(name=name, text=self.text))
            if name not in self.names:
                self.names.append(name)
            return (_NAME, name)
        if isinstance(node, ast.Tuple):
            raise FormulaError(MSG["comma"].format(text=self.text))
        if isinstance(node, ast.Call):
            raise FormulaError(MSG["function"].format(op=self._segment(node)))
        if isinstance(node, ast.Compare):
            raise FormulaError(MSG["comparison"].format(op=self._segment(node)))
        raise FormulaError(MSG["other"].format(op=self._segment(node), text=self.text))


# --------------------------------------------------------------------------------------------------
# shape analysis (used by the validator, IND-002)

def _is_const(node: ast.AST, value: int) -> bool:
    return (isinstance(node, ast.Constant) and not isinstance(node.value, bool)
            and isinstance(node.value, (int, float)) and node.value == value)


def _strip_x100(node: ast.AST) -> ast.AST | None:
    """The other factor of ``X * 100`` / ``100 * X``, or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        if _is_const(node.right, 100):
            return node.left
        if _is_const(node.left, 100):
            return node.right
    return None


def _is_div(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)


def _core_division(node: ast.AST) -> ast.BinOp | None:
    """The division of a ratio-like formula: (A/B), (A/B)*100, ((A/B)-1)*100, 100*A/B, (A-B)/B*100."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and _is_const(node.right, 100):
        node = node.left  # (A / B) * 100 - 100
    inner = _strip_x100(node)
    if inner is not None:
        node = inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and _is_const(node.right, 1):
        node = node.left
    if _is_div(node):
        return node  # type: ignore[return-value]
    return None


def _names_in(node: ast.AST | None) -> frozenset[str]:
    if node is None:
        return frozenset()
    return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))


def _shape_of(tree: ast.AST) -> str:
    if isinstance(tree, ast.Name):
        return SHAPE_SINGLE
    inner = _strip_x100(tree)
    if inner is not None:
        if _is_div(inner):
            num = inner.left  # type: ignore[attr-defined]
            # 100 * A / B parses as (100 * A) / B; handled below. ((A - B) / B) * 100 is a variation
            if (isinstance(num, ast.BinOp) and isinstance(num.op, ast.Sub)
                    and ast.dump(num.right) == ast.dump(inner.right)):  # type: ignore[attr-defined]
                return SHAPE_RATIO_MINUS_1_X100
            return SHAPE_RATIO_X100
        if (isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub) and _is_const(inner.right, 1)
                and _is_div(inner.left)):
            return SHAPE_RATIO_MINUS_1_X100
        return SHAPE_OTHER
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Sub) and _is_const(tree.right, 100):
        if _shape_of(tree.left) == SHAPE_RATIO_X100:  # (A / B) * 100 - 100
            return SHAPE_RATIO_MINUS_1_X100
        return SHAPE_OTHER
    if _is_div(tree):
        left = tree.left  # type: ignore[attr-defined]
        if _strip_x100(left) is not None:  # (100 * A) / B
            return SHAPE_RATIO_X100
        return SHAPE_RATIO
    return SHAPE_OTHER


# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed, compiled *método de cálculo*. Build it with :func:`parse_formula`."""

    text: str
    names: frozenset[str]
    ordered_names: tuple[str, ...]  # names in order of first appearance
    tree: ast.Expression
    _fn: Callable[[Mapping[str, Decimal]], Decimal]

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def compute(self, values: Mapping[str, Decimal]) -> Decimal:
        """Raw evaluation for hot loops, in the caller's decimal context: raises ``KeyError`` (missing
        variable), ``ZeroDenominator`` or ``TypeError``/``ArithmeticError`` (bad values). Prefer
        :meth:`evaluate`."""
        return self._fn(values)

    def evaluate(self, values: Mapping[str, Decimal]) -> Evaluation:
        """Evaluate with the given variable values (Decimals; a missing or None value is "not
        captured"; other types give ERROR_FORMULA). Never raises."""
        ctx = getcontext()
        if ctx.prec == 28 and ctx.rounding == ROUND_HALF_EVEN:
            try:
                return _new_evaluation(Evaluation, (self._fn(values), OK, None))
            except Exception as exc:  # noqa: BLE001 - evaluate must never raise
                return self._failure(values, exc)
        with localcontext(DECIMAL_CONTEXT):
            try:
                return _new_evaluation(Evaluation, (self._fn(values), OK, None))
            except Exception as exc:  # noqa: BLE001
                return self._failure(values, exc)

    def _failure(self, values: Mapping[str, Decimal], exc: Exception) -> Evaluation:
        """Explain why the evaluation failed (missing values first, then zero divisors)."""
        try:
            missing = self.missing(values)
        except Exception:  # noqa: BLE001 - a broken mapping
            missing = []
        if missing:
            return self._missing_evaluation(missing)
        if isinstance(exc, ZeroDenominator):
            if exc.dividend_is_zero:
                return Evaluation(None, SIN_EVENTOS, MSG["sin_eventos"])
            return Evaluation(None, ERROR_DENOMINADOR_CERO, MSG["zero_denominator"])
        if isinstance(exc, TypeError):
            return Evaluation(None, ERROR_FORMULA, MSG["not_numeric"].format(text=self.text))
        return Evaluation(None, ERROR_FORMULA, MSG["failed"].format(text=self.text, error=exc))

    @staticmethod
    def _missing_evaluation(missing: list[str]) -> Evaluation:
        listed = ", ".join(f"«{n}»" for n in missing)
        template = MSG["missing_one"] if len(missing) == 1 else MSG["missing_many"]
        return Evaluation(None, SIN_CAPTURA, template.format(names=listed))

    def missing(self, values: Mapping[str, Decimal]) -> list[str]:
        """Names of the formula without a value (absent or None) in ``values``."""
        return [n for n in self.ordered_names if values.get(n) is None]

    def shape(self) -> str:
        """'ratio_x100' | 'ratio' | 'ratio_minus_1_x100' | 'single' | 'other'."""
        return _shape_of(self.tree.body)


@functools.lru_cache(maxsize=65536)
def parse_formula(text: str) -> Formula:
    """Parse and compile a formula; raises :class:`FormulaError` (Spanish message)."""
    if not isinstance(text, str):
        raise FormulaError(MSG["not_text"])
    source = text.translate(_TRANSLATION).strip()
    if source.startswith("="):  # pasted from a spreadsheet cell
        source = source[1:].strip()
    if not source:
        raise FormulaError(MSG["empty"])
    if len(source) > MAX_FORMULA_LENGTH:
        raise FormulaError(MSG["too_long"].format(max=MAX_FORMULA_LENGTH))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        pos = exc.offset or 0
        hint = syntax_hint(source)
        if pos <= 0 or (exc.lineno or 1) > 1 or pos > len(source):  # unexpected end of the text
            raise FormulaError(MSG["syntax_end"].format(text=text, pos=len(source) + 1) + hint) from None
        raise FormulaError(MSG["syntax"].format(text=text, pos=pos) + hint) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError(MSG["unreadable"].format(text=text)) from None
    compiler = _Compiler(text, source)
    try:
        kind, payload = compiler.compile(tree.body)
    except RecursionError:
        raise FormulaError(MSG["too_deep"].format(text=text)) from None
    if kind == _CONST:
        fn = lambda v, _c=payload: _c  # noqa: E731
    elif kind == _NAME:
        fn = operator.itemgetter(payload)
    else:
        fn = payload
    return Formula(text=text, names=frozenset(compiler.names), ordered_names=tuple(compiler.names), tree=tree,
                   _fn=fn)


def numerator_denominator(formula: Formula | str) -> tuple[frozenset[str], frozenset[str]]:
    """(names in the numerator, names in the denominator) of a ratio-like formula.

    For ``((A / B) - 1) * 100`` → ({A}, {B}); for a formula without a division → (all names, ∅).
    """
    f = parse_formula(formula) if isinstance(formula, str) else formula
    div = _core_division(f.tree.body)
    if div is None:
        return f.names, frozenset()
    return _names_in(div.left), _names_in(div.right)
