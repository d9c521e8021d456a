"""Which justification a profile asks for (issue 16): the generic profile keeps SES's own fields (causa required,
efecto, otros motivos, acciones de mejora); a profile with ``justification == "tarjeta"`` (Estado de México) asks
for the four-part tarjeta de justificación — hecho (``fact``), causa (``cause``), acción correctiva
(``improvement_actions``) and proyección (``projection``) — all four required. Under such a profile a
justification record counts as present (capture grid, sending the month) only when its four parts are written.

This module imports only the models and the profile service so that documents, capture and workflow can use it.
"""
from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.orm import Session

from ..db.models import Justification
from . import profiles

TARJETA = "tarjeta"
# (attribute, Spanish label) in the tarjeta's order
TARJETA_FIELDS = (("fact", "hecho"), ("cause", "causa"), ("improvement_actions", "acción correctiva"),
                  ("projection", "proyección"))
GENERIC_FIELDS = (("cause", "causa"), ("effect", "efecto"), ("other_reasons", "otros motivos"),
                  ("improvement_actions", "acciones de mejora"))

MSG = {
    "missing": "Tarjeta de justificación incompleta: falta {fields}. El perfil «{profile}» pide hecho, causa, "
               "acción correctiva y proyección.",
}


def uses_tarjeta(session: Session) -> bool:
    return profiles.current(session).justification == TARJETA


def fields_for(session: Session) -> tuple[tuple[str, str], ...]:
    return TARJETA_FIELDS if uses_tarjeta(session) else GENERIC_FIELDS


def missing_parts(parts: dict[str, str]) -> list[str]:
    """Spanish labels of the tarjeta parts that are empty in ``parts`` (attribute -> text)."""
    return [lbl for attr, lbl in TARJETA_FIELDS if not (parts.get(attr) or "").strip()]


def is_complete(tarjeta: bool, parts: dict[str, str]) -> bool:
    """Whether a stored justification counts: the four parts under the tarjeta, any text otherwise."""
    if tarjeta:
        return not missing_parts(parts)
    return any((parts.get(a) or "").strip() for a in ("cause", "effect", "other_reasons", "improvement_actions",
                                                      "fact", "projection"))


def complete_clause(session: Session):
    """SQL condition on ``Justification`` for a record that counts under the current profile (None: any)."""
    if not uses_tarjeta(session):
        return None
    return and_(*(getattr(Justification, attr) != "" for attr, _ in TARJETA_FIELDS))


def check(session: Session, parts: dict[str, str]) -> str | None:
    """Spanish refusal when the tarjeta is incomplete under the current profile; None when acceptable."""
    prof = profiles.current(session)
    if prof.justification != TARJETA:
        return None
    missing = missing_parts(parts)
    if not missing:
        return None
    return MSG["missing"].format(fields=", ".join(missing), profile=prof.name)
