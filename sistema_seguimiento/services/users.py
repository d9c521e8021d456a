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


def server_mode(session: Session) -> bool:
    """A shared database on a server (PostgreSQL), as opposed to a file on one PC."""
    return session.get_bind().dialect.name != "sqlite"


SERVER_NEEDS_PASSWORD = ("En una base compartida en un servidor todos los usuarios necesitan contraseña, y «{name}» "
                         "no tiene. Pida al administrador que le asigne una (ses usuarios contrasena).")


def sign_in(session: Session, name: str, password: str | None = None) -> CurrentUser:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"No existe el usuario «{name}» en esta base de datos.")
    if not user.password_hash and server_mode(session):
        # server mode (issue 17): a shared database on the network never lets anyone in without a password
        raise PermissionDenied(SERVER_NEEDS_PASSWORD.format(name=name))
    if user.password_hash:
        if password is None:
            raise PermissionDenied(f"El usuario «{name}» tiene contraseña; escríbala para entrar.")
        if not verify_password(password, user.password_hash):
            raise PermissionDenied("La contraseña no es correcta.")
    return CurrentUser(user.name, user.role, user.agency.key if user.agency else None)


# ---------------------------------------------------------------------------------------------------
# user management (issue 5): administrador only, except that anyone may change their own password

USER_MSG = {
    "exists": "Ya existe el usuario «{name}».",
    "name": "El nombre de usuario debe tener de 2 a 120 caracteres, sin espacios.",
    "role": "Rol «{role}» no válido (capturista, validador, administrador, consulta).",
    "agency": "No existe la dependencia «{a}».",
    "needs_agency": "Un capturista necesita una dependencia.",
    "missing": "No existe el usuario «{name}».",
    "last_admin": "No se puede quitar el rol de administrador al último administrador activo.",
    "short": "La contraseña debe tener al menos 4 caracteres.",
    "server_password": "En una base compartida en un servidor todo usuario necesita contraseña.",
}


@dataclass
class UserInfo:
    name: str
    full_name: str
    role: str
    agency_key: str | None
    has_password: bool
    active: bool


def list_users(db) -> list[UserInfo]:
    with db.reading() as s:
        return [UserInfo(u.name, u.full_name, u.role, u.agency.key if u.agency else None, bool(u.password_hash),
                         u.active) for u in s.scalars(select(User).order_by(User.name))]


def needs_password(db, name: str) -> bool:
    with db.reading() as s:
        h = s.scalars(select(User.password_hash).where(User.name == name)).first()
    return bool(h)


def sign_in_db(db, name: str, password: str | None = None) -> CurrentUser:
    with db.reading() as s:
        return sign_in(s, name, password)


def _agency_id(session: Session, key: str | None) -> int | None:
    if not key:
        return None
    ag = session.scalars(select(Agency).where((Agency.key == key) | (Agency.acronym == key))).first()
    if ag is None:
        from .errors import ServiceError

        raise ServiceError(USER_MSG["agency"].format(a=key))
    return ag.id


def add_user(db, actor: CurrentUser, name: str, role: str, agency_key: str | None = None, full_name: str = "",
             password: str | None = None) -> UserInfo:
    from . import audit
    from .errors import ServiceError

    actor.require(Role.ADMINISTRADOR.value, action="administrar usuarios")
    name = (name or "").strip()
    if not 2 <= len(name) <= 120 or " " in name:
        raise ServiceError(USER_MSG["name"])
    if role not in {r.value for r in Role}:
        raise ServiceError(USER_MSG["role"].format(role=role))
    if role == Role.CAPTURISTA.value and not agency_key:
        raise ServiceError(USER_MSG["needs_agency"])
    if password is not None and len(password) < 4:
        raise ServiceError(USER_MSG["short"])
    with db.transaction() as s:
        if s.scalars(select(User.id).where(User.name == name)).first():
            raise ServiceError(USER_MSG["exists"].format(name=name))
        if not password and server_mode(s):
            raise ServiceError(USER_MSG["server_password"])
        s.add(User(name=name, role=role, full_name=full_name, agency_id=_agency_id(s, agency_key),
                   password_hash=hash_password(password) if password else None))
        audit.record(s, actor, "user", name, "rol", None, f"{role}" + (f" ({agency_key})" if agency_key else ""),
                     action="alta")
    return UserInfo(name, full_name, role, agency_key, bool(password), True)


def set_password(db, actor: CurrentUser, name: str, password: str | None) -> None:
    """Set (or clear with None/"") a user's password; stored only as a salted scrypt hash."""
    from . import audit
    from .errors import NotFound as _NF, ServiceError

    if actor.name != name:
        actor.require(Role.ADMINISTRADOR.value, action="cambiar la contraseña de otro usuario")
    if password and len(password) < 4:
        raise ServiceError(USER_MSG["short"])
    with db.transaction() as s:
        u = s.scalars(select(User).where(User.name == name)).first()
        if u is None:
            raise _NF(USER_MSG["missing"].format(name=name))
        if not password and server_mode(s):
            raise ServiceError(USER_MSG["server_password"])
        had = bool(u.password_hash)
        u.password_hash = hash_password(password) if password else None
        audit.record(s, actor, "user", name, "contraseña", "con contraseña" if had else "sin contraseña",
                     "con contraseña" if password else "sin contraseña", action="contraseña")


def update_user(db, actor: CurrentUser, name: str, *, role: str | None = None, agency_key: str | None = "",
                full_name: str | None = None, active: bool | None = None) -> UserInfo:
    """Change role, dependencia (``agency_key=""`` leaves it, None clears it), full name or active flag."""
    from . import audit
    from .errors import NotFound as _NF, ServiceError

    actor.require(Role.ADMINISTRADOR.value, action="administrar usuarios")
    if role is not None and role not in {r.value for r in Role}:
        raise ServiceError(USER_MSG["role"].format(role=role))
    with db.transaction() as s:
        u = s.scalars(select(User).where(User.name == name)).first()
        if u is None:
            raise _NF(USER_MSG["missing"].format(name=name))
        old_role, old_agency = u.role, (u.agency.key if u.agency else None)
        new_role = role or u.role
        new_agency = old_agency if agency_key == "" else agency_key
        if new_role == Role.CAPTURISTA.value and not new_agency:
            raise ServiceError(USER_MSG["needs_agency"])
        losing_admin = old_role == Role.ADMINISTRADOR.value and (
            new_role != Role.ADMINISTRADOR.value or active is False)
        if losing_admin:
            admins = s.scalars(select(User.id).where(User.role == Role.ADMINISTRADOR.value, User.active.is_(True),
                                                     User.name != name)).all()
            if not admins:
                raise ServiceError(USER_MSG["last_admin"])
        if new_role != old_role:
            audit.record(s, actor, "user", name, "rol", old_role, new_role)
            u.role = new_role
        if new_agency != old_agency:
            audit.record(s, actor, "user", name, "dependencia", old_agency, new_agency)
            u.agency_id = _agency_id(s, new_agency)
        if full_name is not None and full_name != u.full_name:
            audit.record(s, actor, "user", name, "nombre", u.full_name, full_name)
            u.full_name = full_name
        if active is not None and active != u.active:
            audit.record(s, actor, "user", name, "activo", u.active, active)
            u.active = active
        info = UserInfo(u.name, u.full_name, u.role, new_agency, bool(u.password_hash), u.active)
    return info
