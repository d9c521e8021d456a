"""Spreadsheet formulas that SES writes into its workbooks (never formulas typed by users): an indicator's
método de cálculo over cell references, the % de avance of DOMAIN.md §g and the semáforo of a preset, so that
a capture workbook shows the live result offline exactly as SES computes it (rounded to two decimals before
the colour is chosen)."""
from __future__ import annotations

import ast
from decimal import Decimal

from ..core.formula import Formula, parse_formula
from ..core.semaforo import KIND_DEVIATION, Preset
from ..core.types import DescendingMethod, Direction, label

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


class NotTranslatable(ValueError):
    """A formula the spreadsheet translation does not cover (the row then carries no live result)."""


def _num(d: Decimal) -> str:
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def excel_expression(formula: Formula | str, refs: dict[str, str]) -> str:
    """The formula as a spreadsheet expression with each variable replaced by its cell reference."""
    f = parse_formula(formula) if isinstance(formula, str) else formula

    def walk(node: ast.AST) -> str:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return f"({walk(node.left)}{_OPS[type(node.op)]}{walk(node.right)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return f"({'-' if isinstance(node.op, ast.USub) else '+'}{walk(node.operand)})"
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value,
                                                                                                     bool):
            return _num(Decimal(str(node.value)))
        if isinstance(node, ast.Name):
            if node.id not in refs:
                raise NotTranslatable(node.id)
            return refs[node.id]
        raise NotTranslatable(ast.dump(node))

    return walk(f.tree.body)


def progress_expression(value: str, target: str, direction: str, method: str) -> str:
    """% de avance (unrounded) of a value cell against a target cell; the caller guards blanks and zeros."""
    if direction == Direction.DESCENDENTE.value:
        if method == DescendingMethod.INVERSA.value:
            return f"IF({value}=0,\"\",{target}/{value}*100)"
        return f"(2*{target}-{value})/{target}*100"
    return f"{value}/{target}*100"


def light_expression(pct: str, preset: Preset, indicator_type: str) -> str:
    """Nested IFs that give the semáforo word of a rounded % cell under ``preset`` (blank when empty)."""
    words = {k: label(k) for k in ("verde", "amarillo", "rojo")}
    if preset.kind == KIND_DEVIATION:
        t = preset.thresholds_for(indicator_type)
        return (f"IF({pct}=\"\",\"\",IF(ABS({pct}-100)<={_num(t.green_max)},\"{words['verde']}\","
                f"IF(ABS({pct}-100)<={_num(t.yellow_max)},\"{words['amarillo']}\",\"{words['rojo']}\")))")
    out = "\"\""
    for rng in reversed(preset.ranges):
        conds = []
        if rng.min is not None:
            conds.append(f"{pct}{'>=' if rng.min_inclusive else '>'}{_num(rng.min)}")
        if rng.max is not None:
            conds.append(f"{pct}{'<=' if rng.max_inclusive else '<'}{_num(rng.max)}")
        cond = "TRUE" if not conds else conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
        out = f"IF({cond},\"{label(str(rng.color))}\",{out})"
    return f"IF({pct}=\"\",\"\",{out})"
