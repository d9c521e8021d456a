"""Configuración: which name the program gives the development plan (``core.plan_name``), read for the window
and written by an administrador with an audit entry — ``Organization.settings`` (JSON), no schema change."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core import plan_name as pn
from ..db.database import Database
from ..db.models import Organization
from . import audit, conflicts
from .conflicts import NOT_SEEN
from .errors import ValidationFailed
from .users import CurrentUser

MSG = {
    "bad": "Nombre del plan no reconocido: «{value}». Elija uno de: {options}.",
    "no_org": "La base de datos no tiene organización: cargue datos primero.",
    "what": "Configuración: nombre del plan",
}
FIELD = pn.SETTING


def plan_choice(db: Database) -> str:
    """The chosen key (pmd | gobierno | ped), the default for the organization's kind when none is chosen."""
    with db.reading() as s:
        org = s.scalars(select(Organization)).first()
        return pn.plan_choice(dict(org.settings or {}) if org else {}, org.kind if org else None)


def current_plan_name(db: Database) -> str:
    return pn.NAMES[plan_choice(db)]


def update_plan_name(db: Database, actor: CurrentUser, _field: str, value: str | None, *,
                     expected: Any = NOT_SEEN) -> str | None:
    """Choose the plan's name (a key of ``core.plan_name.NAMES``, or its name; None goes back to the default);
    returns the former stored choice (None when there was none) — the ``update(db, actor, field, value)`` shape
    that the settings dialog's undo uses. Administrador only; recorded in the bitácora."""
    actor.require("administrador", action="cambiar el nombre del plan")
    choice = None
    if value not in (None, ""):
        by_name = {name.lower(): key for key, name in pn.NAMES.items()}
        choice = value if value in pn.NAMES else by_name.get(str(value).strip().lower())
        if choice is None:
            raise ValidationFailed(MSG["bad"].format(value=value, options=", ".join(
                f"«{n}»" for n in pn.NAMES.values())))
    with db.transaction() as s:
        org = s.scalars(select(Organization)).first()
        if org is None:
            raise ValidationFailed(MSG["no_org"])
        settings = dict(org.settings or {})
        old = settings.get(FIELD)
        conflicts.check(s, what=MSG["what"], current=old, expected=expected, new=choice, entity="organizacion",
                        key=None, field=FIELD)
        if choice is None:
            settings.pop(FIELD, None)
        else:
            settings[FIELD] = choice
        org.settings = settings  # a new dict, so the JSON column is written
        audit.record(s, actor, "organizacion", org.name, FIELD, pn.NAMES.get(old) if old else None,
                     pn.NAMES[choice] if choice else None)
    return old
