"""Business days in Mexico (pure): weekdays that are not official rest days.

Official rest days (Ley Federal del Trabajo, art. 74): 1 January; the first Monday of February (Constitución);
the third Monday of March (Benito Juárez); 1 May; 16 September; the third Monday of November (Revolución);
25 December; and 1 October every six years from 2024 (transmisión del Poder Ejecutivo Federal: 2024, 2030, …).
The reconducción deadlines of the Estado de México (SEGEMUN) count these days: a request by the last business day
of the quarter, the UIPPE's decision within five business days after the quarter closes.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

# Spanish names of the rest days (shown by docs and messages)
REST_DAY_NAMES = {
    "año_nuevo": "Año Nuevo (1 de enero)",
    "constitucion": "Día de la Constitución (primer lunes de febrero)",
    "juarez": "Natalicio de Benito Juárez (tercer lunes de marzo)",
    "trabajo": "Día del Trabajo (1 de mayo)",
    "independencia": "Día de la Independencia (16 de septiembre)",
    "transmision": "Transmisión del Poder Ejecutivo Federal (1 de octubre, cada seis años desde 2024)",
    "revolucion": "Día de la Revolución (tercer lunes de noviembre)",
    "navidad": "Navidad (25 de diciembre)",
}
_MONTH_NAMES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                "noviembre", "diciembre")


def nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (0 - first.weekday()) % 7  # Monday is 0
    return first + timedelta(days=offset + 7 * (n - 1))


@lru_cache(maxsize=64)
def rest_days(year: int) -> dict[date, str]:
    """Official rest days of ``year`` (date -> key of ``REST_DAY_NAMES``)."""
    days = {
        date(year, 1, 1): "año_nuevo",
        nth_monday(year, 2, 1): "constitucion",
        nth_monday(year, 3, 3): "juarez",
        date(year, 5, 1): "trabajo",
        date(year, 9, 16): "independencia",
        nth_monday(year, 11, 3): "revolucion",
        date(year, 12, 25): "navidad",
    }
    if year >= 2024 and (year - 2024) % 6 == 0:
        days[date(year, 10, 1)] = "transmision"
    return days


def is_business_day(d: date) -> bool:
    return d.weekday() < 5 and d not in rest_days(d.year)


def last_business_day_on_or_before(d: date) -> date:
    while not is_business_day(d):
        d -= timedelta(days=1)
    return d


def nth_business_day_after(d: date, n: int) -> date:
    """The ``n``-th business day strictly after ``d`` (n ≥ 1)."""
    if n < 1:
        raise ValueError("n debe ser 1 o más")
    count = 0
    while count < n:
        d += timedelta(days=1)
        if is_business_day(d):
            count += 1
    return d


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> date:
    """Last calendar day of the quarter."""
    if quarter == 4:
        return date(year, 12, 31)
    return quarter_start(year, quarter + 1) - timedelta(days=1)


def last_business_day_of_quarter(year: int, quarter: int) -> date:
    return last_business_day_on_or_before(quarter_end(year, quarter))


def business_days_after_quarter(year: int, quarter: int, n: int) -> date:
    """The ``n``-th business day after the quarter closes (after its last calendar day)."""
    return nth_business_day_after(quarter_end(year, quarter), n)


def fmt_date(d: date) -> str:
    """«30 de septiembre de 2026»."""
    return f"{d.day} de {_MONTH_NAMES[d.month - 1]} de {d.year}"


__all__ = ["REST_DAY_NAMES", "rest_days", "is_business_day", "last_business_day_on_or_before",
           "nth_business_day_after", "quarter_of", "quarter_start", "quarter_end", "last_business_day_of_quarter",
           "business_days_after_quarter", "fmt_date", "nth_monday"]
