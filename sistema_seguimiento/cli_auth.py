"""Who runs a writing ``ses`` command (issue 11): one helper for every command that writes.

``add_user_flag(parser)`` adds ``--usuario`` the same way everywhere (its default is the ``SES_USUARIO``
environment variable, read when the command runs). ``actor(db, args, roles=…, action=…)`` signs that user in
against the open database — asking the password (``SES_PASSWORD``, or a prompt on a terminal) when the user has
one — and checks the role. Only a database without any user lets a command run as «sistema» (a new file).

Roles per command (README «Usuarios y permisos», docs/acceso.md):

=====================================  ===================================================================
``cargar``, ``restaurar``, ``usuarios`` administrador (``usuarios contrasena``: anyone, for their own password)
``demo``, ``generar`` into a database   administrador (a new file needs nobody: it has no users yet)
that has users
``importar mir``                        administrador
``importar captura``, ``capturar``      capturista (of the dependencia: the capture service checks it),
                                        validador, administrador
``periodo``                             capturista, validador, administrador; each transition's own role is
                                        checked by services.workflow
=====================================  ===================================================================
"""
from __future__ import annotations

import getpass
import os
import sys

ADMIN = ("administrador",)
CAPTURE = ("capturista", "validador", "administrador")
WRITERS = ("capturista", "validador", "administrador")

TEXT = {
    "flag": "usuario que realiza la operación (o la variable SES_USUARIO)",
    "no_user": ("La base de datos tiene usuarios: indique quién realiza la operación con --usuario NOMBRE "
                "(o la variable SES_USUARIO){roles}."),
    "roles": "; se requiere el rol: {roles}",
    "password": "Contraseña de {user}: ",
    "no_password": "El usuario «{user}» tiene contraseña: escríbala (o defina SES_PASSWORD).",
}


def add_user_flag(parser, help_text: str | None = None) -> None:
    parser.add_argument("--usuario", default=None, help=help_text or TEXT["flag"])


def user_name(args) -> str | None:
    return getattr(args, "usuario", None) or os.environ.get("SES_USUARIO") or None


def password_for(name: str) -> str:
    """``SES_PASSWORD``, or a prompt when the command runs on a terminal."""
    from .cli import UserError

    password = os.environ.get("SES_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise UserError(TEXT["no_password"].format(user=name))
        password = getpass.getpass(TEXT["password"].format(user=name))
    return password


def actor(db, args, *, roles: tuple[str, ...] | None = None, action: str = "realizar esta operación",
          setting_own_password: bool = False):
    """The signed-in user (``services.users.CurrentUser``) who runs this command, with ``roles`` checked.

    A database without users (a new file) runs the command as «sistema». ``setting_own_password`` lets an
    administrador without a password sign in when the organization requires one, only to set it."""
    from .cli import UserError
    from .core.types import label
    from .services import users

    if not users.has_users(db):
        return users.SYSTEM
    name = user_name(args)
    if not name:
        needed = TEXT["roles"].format(roles=", ".join(label(r) for r in roles)) if roles else ""
        raise UserError(TEXT["no_user"].format(roles=needed))
    password = password_for(name) if users.needs_password(db, name) else None
    current = users.sign_in_db(db, name, password, setting_own_password=setting_own_password)
    if roles:
        current.require(*roles, action=action)
    return current


def actor_on_file(path, args, *, roles: tuple[str, ...], action: str):
    """``actor`` against the database file at ``path`` when it exists (opened read-only, not migrated), for
    commands that replace or create the file (``restaurar``, ``demo``, ``generar``). None when there is no file
    or it has no users yet."""
    from pathlib import Path

    from .db.database import Database, DatabaseError, OpenOptions
    from .services import users

    path = Path(path)
    if not (path.exists() and path.stat().st_size > 0):
        return None
    try:
        db = Database.open(path, OpenOptions(read_only=True, migrate=False))
    except DatabaseError:  # damaged or not SES: nobody can be checked there (the command says what it finds)
        return None
    with db:
        try:
            if db.current_revision() is None:
                return None
        except Exception:  # noqa: BLE001 - unreadable tables: as above
            return None
        current = actor(db, args, roles=roles, action=action)
    return None if current is users.SYSTEM else current
