"""``ses servidor preparar`` and ``ses servidor copiar`` (issue 17): a shared PostgreSQL database for an office."""
from __future__ import annotations

import getpass
import os
import sys

TEXT = {
    "prepared": ("Servidor preparado: {target}. Organización «{org}», ejercicio {year}, administrador «{admin}» "
                 "(con contraseña). Agregue a los demás usuarios con «ses usuarios agregar --db URL», "
                 "cada uno con contraseña."),
    "password": "Contraseña del administrador «{user}»: ",
    "again": "Repita la contraseña: ",
    "mismatch": "Las dos contraseñas no coinciden; no se preparó el servidor.",
    "no_password": ("Escriba la contraseña del administrador (o defínala en SES_PASSWORD); en un servidor todos "
                    "los usuarios necesitan contraseña."),
    "copied": "Copiado «{src}» → «{dst}»: {total:,} filas en {tables} tablas.",
    "kept": "El archivo anterior se conservó como «{path}».",
    "no_driver": ("Falta el controlador de PostgreSQL. Instálelo con: pip install \"psycopg[binary]>=3.1,<4\" "
                  "(o el programa completo con la opción [postgres])."),
}


def _new_password(user: str) -> str:
    from . import cli

    password = os.environ.get("SES_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise cli.UserError(TEXT["no_password"])
    first = getpass.getpass(TEXT["password"].format(user=user))
    if getpass.getpass(TEXT["again"]) != first:
        raise cli.UserError(TEXT["mismatch"])
    return first


def _driver_check(*targets: str) -> None:
    from . import cli
    from .services.server import is_url

    if any(is_url(t) and t.startswith("postgresql") for t in targets):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise cli.UserError(TEXT["no_driver"]) from exc


def cmd_preparar(args) -> int:
    from . import cli
    from .services.server import prepare_server

    target = str(cli.db_path(args))
    _driver_check(target)
    summary = prepare_server(target, admin=args.usuario, password=_new_password(args.usuario), name=args.nombre,
                             year=args.ejercicio)
    cli.out(TEXT["prepared"].format(target=summary.target, org=summary.organization, year=summary.year,
                                    admin=summary.admin))
    return 0


def cmd_copiar(args) -> int:
    from . import cli
    from .services.server import copy_database

    _driver_check(args.de, args.a)
    summary = copy_database(args.de, args.a, replace=args.reemplazar)
    if args.json:
        cli.print_json({"origen": summary.source, "destino": summary.target, "filas": summary.rows,
                        "total": summary.total,
                        "anterior": str(summary.kept_previous) if summary.kept_previous else None})
        return 0
    cli.out(TEXT["copied"].format(src=summary.source, dst=summary.target, total=summary.total,
                                  tables=len(summary.rows)))
    if summary.kept_previous:
        cli.out(TEXT["kept"].format(path=summary.kept_previous))
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("servidor", help="base compartida en un servidor PostgreSQL (preparar, copiar)")
    ssub = p.add_subparsers(dest="accion", metavar="ACCIÓN", required=True)

    s = ssub.add_parser("preparar", help="crear el esquema de SES y el primer administrador en una base vacía")
    common(s)
    s.add_argument("--usuario", default="admin", help="nombre del primer administrador (por omisión admin)")
    s.add_argument("--nombre", default="Municipio nuevo", help="nombre de la organización")
    s.add_argument("--ejercicio", type=int, default=None, help="ejercicio fiscal (por omisión el año actual)")
    s.set_defaults(func=cmd_preparar)

    s = ssub.add_parser("copiar", help="copiar toda una base entre un archivo y un servidor (todo o nada)")
    s.add_argument("--de", required=True, help="origen: archivo .db o postgresql+psycopg://usuario@servidor/base")
    s.add_argument("--a", required=True, help="destino: archivo .db o postgresql+psycopg://usuario@servidor/base")
    s.add_argument("--reemplazar", action="store_true",
                   help="reemplazar un destino que ya tiene datos (un archivo anterior se conserva)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_copiar)
