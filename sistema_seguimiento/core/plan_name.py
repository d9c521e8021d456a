"""The one name the program gives the development plan the programs align to (issue 15): «Plan Municipal de
Desarrollo», «Plan de Gobierno» or, for a state, «Plan Estatal de Desarrollo». Chosen in Configuración and
kept in ``Organization.settings["nombre_plan"]``; every window title, menu, report heading, workbook label and
help text that names the plan reads it through :func:`plan_name`. Pure: no Qt, no database."""
from __future__ import annotations

from typing import Mapping

SETTING = "nombre_plan"  # key in Organization.settings
PMD = "pmd"
GOBIERNO = "gobierno"
PED = "ped"
NAMES = {
    PMD: "Plan Municipal de Desarrollo",
    GOBIERNO: "Plan de Gobierno",
    PED: "Plan Estatal de Desarrollo",
}
SHORT = {PMD: "PMD", GOBIERNO: "Plan de Gobierno", PED: "PED"}


def default_choice(kind: str | None) -> str:
    """Without a choice: «Plan Estatal de Desarrollo» for a state (entidad), «Plan de Gobierno» otherwise."""
    return PED if kind == "entidad" else GOBIERNO


def plan_choice(settings: Mapping | None, kind: str | None = None) -> str:
    """The chosen key (pmd | gobierno | ped); an unknown or missing value gives :func:`default_choice`."""
    value = (settings or {}).get(SETTING)
    return value if value in NAMES else default_choice(kind)


def plan_name(settings: Mapping | None, kind: str | None = None) -> str:
    """The plan's name as every screen, report and workbook writes it."""
    return NAMES[plan_choice(settings, kind)]


def plan_name_of(org) -> str:
    """:func:`plan_name` of an organization record (``settings`` and ``kind`` attributes), or of None."""
    if org is None:
        return NAMES[GOBIERNO]
    return plan_name(getattr(org, "settings", None) or {}, getattr(org, "kind", None))
