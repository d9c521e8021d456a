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


def ensure_default_users(session: Session, actor: CurrentUser = SYSTEM) -> int:
    """Create the default users that are missing (each one recorded in the bitácora). When the organization
    requires passwords none is created: they would have none (the administrador adds them with a password)."""
    if password_required(session, on_server=False):
        return 0
    existing = set(session.scalars(select(User.name)))
    agencies = {a.key: a.id for a in session.scalars(select(Agency))}
    added = 0
    for name, role, agency_key, full in default_users(sorted(agencies)):
        if name not in existing:
            add_user_row(session, actor, name, role, agencies.get(agency_key) if agency_key else None, agency_key,
                         full)
            added += 1
    return added


def missing_default_users(session: Session) -> list[str]:
    existing = set(session.scalars(select(User.name)))
    return [u[0] for u in default_users(sorted(session.scalars(select(Agency.key)))) if u[0] not in existing]


def add_user_row(session: Session, actor: CurrentUser, name: str, role: str, agency_id: int | None,
                 agency_key: str | None, full_name: str = "", password_hash: str | None = None) -> User:
    """Insert one user and its «alta» entry in the bitácora (every way of creating users goes through here)."""
    from . import audit

    user = User(name=name, role=role, full_name=full_name, agency_id=agency_id, password_hash=password_hash)
    session.add(user)
    audit.record(session, actor, "user", name, "rol", None, f"{role}" + (f" ({agency_key})" if agency_key else ""),
                 action="alta")
    return user


# ---------------------------------------------------------------------------------------------------
# password policy (issue 11): Organization.settings["exigir_contrasena"]

POLICY_KEY = "exigir_contrasena"
POLICY_MSG = {
    "missing": ("La organización exige contraseña y el usuario «{name}» no tiene una: pida al administrador que "
                "le asigne una."),
    "missing_admin": ("La organización exige contraseña y el usuario administrador «{name}» no tiene una: "
                      "asígnela primero (ventana: al entrar; comando: «ses usuarios contrasena --usuario {name}»)."),
    "own_first": ("Asigne primero su propia contraseña («ses usuarios contrasena» o el diálogo Usuarios): si la "
                  "organización exige contraseña y usted no tiene una, nadie podría administrar la base."),
    "new_user": "La organización exige contraseña: indique una para el usuario «{name}».",
    "no_clear": "La organización exige contraseña: no se puede quitar la contraseña de «{name}».",
    "no_org": "La base de datos no tiene organización.",
}


class PasswordMissing(PermissionDenied):
    """Sign-in refused: the organization requires passwords and this user has none. ``may_set_own`` is True for
    an administrador, who may sign in only to set their own password first (see docs/acceso.md)."""

    def __init__(self, message: str, name: str, may_set_own: bool):
        super().__init__(message)
        self.name = name
        self.may_set_own = may_set_own


def server_mode(session: Session) -> bool:
    """A shared database on a server (PostgreSQL), as opposed to a file on one PC."""
    return session.get_bind().dialect.name != "sqlite"


def password_required(session: Session, *, on_server: bool = True) -> bool:
    """Whether sign-in, new users and password changes require a password: the organization's policy, and on a
    server (issue 17) always. ``on_server=False`` asks only for the policy: loading still creates the default users
    of a server database (they cannot sign in until an administrador gives them a password)."""
    from ..db.models import Organization

    if on_server and server_mode(session):
        return True

    settings = session.scalars(select(Organization.settings)).first()
    return bool((settings or {}).get(POLICY_KEY))


def password_policy(db) -> bool:
    with db.reading() as s:
        return password_required(s)


def set_password_policy(db, actor: CurrentUser, required: bool) -> bool:
    """Turn the «exigir contraseña» policy on or off; returns the previous value. Turning it on needs an
    administrador who has a password (so that at least one administrador can still sign in)."""
    from ..db.models import Organization
    from . import audit
    from .errors import ServiceError

    actor.require(Role.ADMINISTRADOR.value, action="cambiar la política de contraseñas")
    with db.transaction() as s:
        org = s.scalars(select(Organization)).first()
        if org is None:
            raise ServiceError(POLICY_MSG["no_org"])
        settings = dict(org.settings or {})
        old = bool(settings.get(POLICY_KEY))
        if old == bool(required):
            return old
        if required:
            own = s.scalars(select(User.password_hash).where(User.name == actor.name)).first()
            if not own:
                raise ServiceError(POLICY_MSG["own_first"])
            settings[POLICY_KEY] = True
        else:
            settings.pop(POLICY_KEY, None)
        org.settings = settings  # a new dict, so the JSON column is written
        audit.record(s, actor, "organizacion", org.name, POLICY_KEY, "sí" if old else "no",
                     "sí" if required else "no", action="politica")
    return old


def users_without_password(db) -> list[str]:
    with db.reading() as s:
        return list(s.scalars(select(User.name).where(User.active.is_(True), User.password_hash.is_(None))
                              .order_by(User.name)))


def has_users(db) -> bool:
    with db.reading() as s:
        return s.scalars(select(User.id).limit(1)).first() is not None


def sign_in(session: Session, name: str, password: str | None = None, *,
            setting_own_password: bool = False) -> CurrentUser:
    """The signed-in user, or PermissionDenied/NotFound in Spanish. When the organization requires passwords a
    user without one is refused (PasswordMissing), except an administrador who signs in to set their own
    (``setting_own_password=True``: the caller lets them do only that)."""
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"No existe el usuario «{name}» en esta base de datos.")
    if user.password_hash:
        if password is None:
            raise PermissionDenied(f"El usuario «{name}» tiene contraseña; escríbala para entrar.")
        if not verify_password(password, user.password_hash):
            raise PermissionDenied("La contraseña no es correcta.")
    elif password_required(session):
        admin = user.role == Role.ADMINISTRADOR.value
        if not (admin and setting_own_password):
            raise PasswordMissing(POLICY_MSG["missing_admin" if admin else "missing"].format(name=name), name, admin)
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


def sign_in_db(db, name: str, password: str | None = None, *, setting_own_password: bool = False) -> CurrentUser:
    with db.reading() as s:
        return sign_in(s, name, password, setting_own_password=setting_own_password)


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
        if not password and password_required(s):
            raise ServiceError(POLICY_MSG["new_user"].format(name=name))
        add_user_row(s, actor, name, role, _agency_id(s, agency_key), agency_key, full_name,
                     hash_password(password) if password else None)
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
        if not password and password_required(s):
            raise ServiceError(POLICY_MSG["no_clear"].format(name=name))
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
