"""Users, roles and passwords (salted scrypt hash; stdlib ``hashlib.scrypt``)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.types import Role
from ..db.models import Agency, User
from .errors import NotFound, PermissionDenied

_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return "scrypt$%d$%d$%d$%s$%s" % (_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"],
                                      base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    calc = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                          dklen=len(base64.b64decode(digest)))
    return hmac.compare_digest(calc, base64.b64decode(digest))


@dataclass(frozen=True)
class CurrentUser:
    """Who acts in a use case. ``SYSTEM`` is used by loading and maintenance commands."""

    name: str
    role: str
    agency_key: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role != Role.CONSULTA.value

    def require(self, *roles: str, action: str) -> None:
        if self.role not in roles:
            from ..core.types import label

            raise PermissionDenied(
                f"El usuario «{self.name}» ({label(self.role)}) no puede {action}. "
                f"Se requiere el rol: {', '.join(label(r) for r in roles)}.")


SYSTEM = CurrentUser("sistema", Role.ADMINISTRADOR.value)


def default_users(agency_keys: list[str]) -> list[tuple[str, str, str | None, str]]:
    """(name, role, agency_key, full_name) of the users every new database gets (no password)."""
    users = [("admin", Role.ADMINISTRADOR.value, None, "Administrador"),
             ("validador", Role.VALIDADOR.value, None, "Validador de la unidad de planeación"),
             ("consulta", Role.CONSULTA.value, None, "Consulta (solo lectura)")]
    users += [(f"captura-{k}", Role.CAPTURISTA.value, k, f"Capturista de la dependencia {k}") for k in agency_keys]
    return users


def ensure_default_users(session: Session) -> int:
    existing = set(session.scalars(select(User.name)))
    agencies = {a.key: a.id for a in session.scalars(select(Agency))}
    added = 0
    for name, role, agency_key, full in default_users(sorted(agencies)):
        if name not in existing:
            session.add(User(name=name, role=role, full_name=full,
                             agency_id=agencies.get(agency_key) if agency_key else None))
            added += 1
    return added


def sign_in(session: Session, name: str, password: str | None = None) -> CurrentUser:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"No existe el usuario «{name}» en esta base de datos.")
    if user.password_hash:
        if password is None:
            raise PermissionDenied(f"El usuario «{name}» tiene contraseña; escríbala para entrar.")
        if not verify_password(password, user.password_hash):
            raise PermissionDenied("La contraseña no es correcta.")
    return CurrentUser(user.name, user.role, user.agency.key if user.agency else None)
