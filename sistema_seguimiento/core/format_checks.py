"""Consistency checks between the state formats (issue 16, Estado de México), reported like validation rules
with stable IDs (``Finding``), in the validation dock and ``ses validar``:

* FMT-001 — PbRM-01d vs PbRM-08b: a quarter's programmed value of a variable in the 08b (current targets) differs
  from the 01d calendar (approved targets) and no authorised reconducción of the indicator explains it.
* FMT-002 — PbRM-01c vs PbRM-02a: the quarterly calendar of a meta de actividad does not add up to its annual
  target (the approved pair, and the current pair).
* FMT-003 — PbRM-02a vs PbRM-08c: a quarter's programmed value in the 08c (current) differs from the 02a calendar
  (approved) and no authorised reconducción of the meta explains it.

Pure: the caller hands plain calendars (Decimals); no Qt, no SQLAlchemy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import fmt_es
from .periods import label as period_label
from .types import Finding

ERROR, WARNING = "error", "warning"

#: rule id -> (severity, message template, explanation); Spanish
FORMAT_RULES: dict[str, tuple[str, str, str]] = {
    "FMT-001": (WARNING, "PbRM-01d vs PbRM-08b: la variable «{var}» del indicador {ind} tiene programado {prog} en "
                "el {q} del 08b y {cal} en la calendarización del 01d, sin una reconducción autorizada.",
                "El 08b da seguimiento a las metas calendarizadas en la ficha de diseño (01d); solo una "
                "reconducción autorizada por la UIPPE puede cambiarlas."),
    "FMT-002": (ERROR, "PbRM-01c vs PbRM-02a: la calendarización trimestral de la meta {goal} del proyecto {proj} "
                "suma {sum} y su cantidad anual {which} es {annual}.",
                "Los cuatro trimestres del 02a deben sumar la cantidad programada anual del 01c."),
    "FMT-003": (WARNING, "PbRM-02a vs PbRM-08c: la meta {goal} del proyecto {proj} tiene programado {prog} en el {q} "
                "del 08c y {cal} en el 02a, sin una reconducción autorizada.",
                "El 08c da seguimiento a la calendarización del 02a; solo una reconducción autorizada la cambia."),
}


@dataclass
class IndicatorCalendar:
    program: str
    key: str
    variables: list[tuple[str, str]]  # (key, name)
    design: dict[str, dict[str, Decimal]]  # quarter -> variable -> programmed (01d, approved)
    followup: dict[str, dict[str, Decimal]]  # quarter -> variable -> programmed (08b, current)
    reconducted: bool = False  # an authorised reconducción exists


@dataclass
class GoalCalendar:
    program: str
    project: str
    key: str
    name: str
    annual: Decimal | None
    annual_original: Decimal | None
    programmed: dict[str, Decimal | None] = field(default_factory=dict)  # quarter -> current (08c)
    programmed_original: dict[str, Decimal | None] = field(default_factory=dict)  # quarter -> approved (02a)
    reconducted: bool = False


def _msg(rule: str, **values) -> str:
    return FORMAT_RULES[rule][1].format(**values)


def check_formats(indicators: list[IndicatorCalendar], goals: list[GoalCalendar]) -> list[Finding]:
    out: list[Finding] = []
    for ic in indicators:
        if ic.reconducted:
            continue
        for q in sorted(set(ic.design) | set(ic.followup)):
            d, f = ic.design.get(q, {}), ic.followup.get(q, {})
            for vkey, vname in ic.variables:
                a, b = f.get(vkey), d.get(vkey)
                if a != b:
                    out.append(Finding("FMT-001", FORMAT_RULES["FMT-001"][0], _msg(
                        "FMT-001", var=vname or vkey, ind=ic.key, prog=fmt_es(a), cal=fmt_es(b), q=period_label(q)),
                        program=ic.program, indicator=ic.key, period=q))
    for g in goals:
        goal = f"{g.key} «{g.name}»"
        for which, annual, cal in (("aprobada", g.annual_original, g.programmed_original),
                                   ("vigente", g.annual, g.programmed)):
            values = [v for v in cal.values() if v is not None]
            if annual is None or not values:
                continue
            total = sum(values, Decimal(0))
            if total != annual:
                out.append(Finding("FMT-002", ERROR, _msg("FMT-002", goal=goal, proj=g.project, sum=fmt_es(total),
                                                          which=which, annual=fmt_es(annual)),
                                   program=g.program, extra={"proyecto": g.project, "meta": g.key}))
        if g.reconducted:
            continue
        for q in sorted(set(g.programmed) | set(g.programmed_original)):
            a, b = g.programmed.get(q), g.programmed_original.get(q)
            if b is not None and a != b:
                out.append(Finding("FMT-003", WARNING, _msg("FMT-003", goal=goal, proj=g.project, prog=fmt_es(a),
                                                            cal=fmt_es(b), q=period_label(q)),
                                   program=g.program, period=q, extra={"proyecto": g.project, "meta": g.key}))
    return out
