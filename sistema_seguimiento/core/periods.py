"""Period ids and calendar rules (DOMAIN.md §f).

Period ids: ``YYYY-MM`` (mensual), ``YYYY-B1..B6``, ``YYYY-T1..T4``, ``YYYY-C1..C3``, ``YYYY-S1..S2``,
``YYYY`` (anual and multi-year frequencies, in their measurement years).
"""
from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from .types import Frequency

# months per period and prefix letter, per sub-annual frequency
_SUB_ANNUAL: dict[Frequency, tuple[int, str]] = {
    Frequency.MENSUAL: (1, ""),
    Frequency.BIMESTRAL: (2, "B"),
    Frequency.TRIMESTRAL: (3, "T"),
    Frequency.CUATRIMESTRAL: (4, "C"),
    Frequency.SEMESTRAL: (6, "S"),
}
_MULTI_YEAR = {
    Frequency.ANUAL: 1, Frequency.BIENAL: 2, Frequency.TRIENAL: 3,
    Frequency.QUINQUENAL: 5, Frequency.SEXENAL: 6,
}
_PREFIX_MONTHS = {"B": 2, "T": 3, "C": 4, "S": 6}
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(\d{2})|([BTCS])(\d)))?$")

MONTH_NAMES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"]
_PREFIX_NAMES = {"B": "bimestre", "T": "trimestre", "C": "cuatrimestre", "S": "semestre"}
_ORDINALS = ["", "primer", "segundo", "tercer", "cuarto", "quinto", "sexto"]


class PeriodError(ValueError):
    pass


@lru_cache(maxsize=4096)
def parse(period: str) -> tuple[int, int, int]:
    """Return (year, first_month, last_month) of a period id; raise PeriodError in Spanish."""
    m = _PERIOD_RE.match(period.strip()) if isinstance(period, str) else None
    if not m:
        raise PeriodError(f"Periodo «{period}» no válido (use AAAA-MM, AAAA-T1, AAAA-S1 o AAAA).")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"Periodo «{period}»: el mes debe estar entre 01 y 12.")
        return year, month, month
    if m.group(3):
        size = _PREFIX_MONTHS[m.group(3)]
        n = int(m.group(4))
        if not 1 <= n <= 12 // size:
            raise PeriodError(f"Periodo «{period}» no válido.")
        return year, (n - 1) * size + 1, n * size
    return year, 1, 12


def year_of(period: str) -> int:
    return parse(period)[0]


@lru_cache(maxsize=4096)
def end_date(period: str) -> date:
    y, _, last = parse(period)
    return date(y, last, calendar.monthrange(y, last)[1])


def start_date(period: str) -> date:
    y, first, _ = parse(period)
    return date(y, first, 1)


def month_id(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_cutoff(month_period: str) -> date:
    """End date of a ``YYYY-MM`` cut-off given on the command line."""
    y, first, last = parse(month_period)
    if first != last:
        raise PeriodError(f"«{month_period}» no es un mes; use AAAA-MM, por ejemplo 2026-10.")
    return end_date(month_period)


def due_periods(cutoff: date) -> list[str]:
    """Every period id of ``cutoff.year`` (any frequency) whose end date is on or before the cut-off."""
    out = []
    for freq in (Frequency.MENSUAL, Frequency.BIMESTRAL, Frequency.TRIMESTRAL, Frequency.CUATRIMESTRAL,
                 Frequency.SEMESTRAL, Frequency.ANUAL):
        out += [p for p in periods_for(freq, cutoff.year) if end_date(p) <= cutoff]
    return out


def periods_for(frequency: Frequency | str, year: int, base_year: int | None = None) -> list[str]:
    """Period ids of a fiscal year for a frequency. Multi-year frequencies measure in years where
    ``(year - base_year) % n == 0`` (base_year defaults to ``year``, i.e. measured this year)."""
    freq = Frequency(frequency)
    if freq in _SUB_ANNUAL:
        size, prefix = _SUB_ANNUAL[freq]
        if size == 1:
            return [month_id(year, m) for m in range(1, 13)]
        return [f"{year:04d}-{prefix}{n}" for n in range(1, 12 // size + 1)]
    n = _MULTI_YEAR[freq]
    base = year if base_year is None else base_year
    return [f"{year:04d}"] if (year - base) % n == 0 else []


def frequency_of(period: str) -> Frequency:
    y, first, last = parse(period)
    span = last - first + 1
    return {1: Frequency.MENSUAL, 2: Frequency.BIMESTRAL, 3: Frequency.TRIMESTRAL,
            4: Frequency.CUATRIMESTRAL, 6: Frequency.SEMESTRAL, 12: Frequency.ANUAL}[span]


def is_due(period: str, cutoff: date) -> bool:
    return end_date(period) <= cutoff


@lru_cache(maxsize=1024)
def period_ending_in(frequency: Frequency | str, year: int, month: int) -> str | None:
    """The indicator's own period that ends in that month, or None."""
    freq = Frequency(frequency)
    if freq in _SUB_ANNUAL:
        size, prefix = _SUB_ANNUAL[freq]
        if month % size:
            return None
        return month_id(year, month) if size == 1 else f"{year:04d}-{prefix}{month // size}"
    return f"{year:04d}" if month == 12 else None


def months_of(period: str) -> list[str]:
    y, first, last = parse(period)
    return [month_id(y, m) for m in range(first, last + 1)]


@lru_cache(maxsize=4096)
def sort_key(period: str) -> tuple[int, int, int]:
    y, first, last = parse(period)
    return (y, last, first)


def label(period: str) -> str:
    """Spanish label: 'octubre 2026', 'tercer trimestre 2026', '2026'."""
    y, first, last = parse(period)
    if first == last:
        return f"{MONTH_NAMES[first - 1]} {y}"
    if first == 1 and last == 12:
        return str(y)
    prefix = period.split("-")[1][0]
    return f"{_ORDINALS[int(period.split('-')[1][1:])]} {_PREFIX_NAMES[prefix]} {y}"
