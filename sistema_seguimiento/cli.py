"""The ``ses`` command: administration, automation and tests.

Subcommands, flags and JSON keys named in the issues are a contract scripts rely on: keep them as written.
Exit codes: 0 ok, 1 the command ran and found problems (``validar``, ``verificar``), 2 the command could not
be carried out (bad input, missing file, permission); nothing is written in that case.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXTENSIONS = [
    # modules with a ``register(subparsers, common)`` function, added by later features
    "sistema_seguimiento.cli_capture",
    "sistema_seguimiento.cli_excel",
    "sistema_seguimiento.cli_report",
    "sistema_seguimiento.cli_servidor",
    "sistema_seguimiento.cli_paquete",
    "sistema_seguimiento.cli_perfil",
    "sistema_seguimiento.cli_reconduccion",
    "sistema_seguimiento.cli_formato",
]


class UserError(Exception):
    """A problem the user can fix; printed without traceback."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="archivo de base de datos (por omisión SES_DB o la carpeta de datos del usuario)")


def db_path(args) -> Path | str:
    """The database a command works on: a file path, or a server URL kept as text (``Path`` would fold its
    ``//``): ``--db``, else ``SES_DB``, else the user's data folder."""
    from .paths import default_db_path

    target = getattr(args, "db", None) or os.environ.get("SES_DB")
    if target and "://" in target:
        return target
    return Path(target) if target else default_db_path()


def file_db_path(args, what: str) -> Path:
    """For commands that only make sense on a file (backups, ``init``): refuse a server URL clearly."""
    target = db_path(args)
    if isinstance(target, str):
        raise UserError(f"«ses {what}» trabaja con archivos; para un servidor use «ses servidor …» "
                        f"(copiar, preparar) o las herramientas de respaldo de PostgreSQL.")
    return target


def open_db(args, *, create: bool = False, read_only: bool = False):
    from .db.database import Database, OpenOptions

    # a writer waits (with backoff) up to 5 s for another ``ses`` process to release the file before refusing
    return Database.open(db_path(args), OpenOptions(create=create, read_only=read_only,
                                                    lock_wait=0.0 if read_only else LOCK_WAIT_S))


LOCK_WAIT_S = 5.0


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def json_text(data) -> str:
    """The JSON that ``--json`` prints. A list of objects is written one object per line: as easy to read and to
    ``grep`` as an indented listing, and produced by the json module's C encoder (indented output goes through
    its pure-Python encoder, ten times slower on a state's 17,000 indicators)."""
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        encode = json.JSONEncoder(ensure_ascii=False).encode
        return "[\n" + ",\n".join(map(encode, data)) + "\n]\n"
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def print_json(data) -> None:
    sys.stdout.write(json_text(data))


# ---------------------------------------------------------------------------------------------------
def cmd_init(args) -> int:
    path = file_db_path(args, "init")
    if path.exists() and path.stat().st_size > 0:
        raise UserError(f"Ya existe el archivo «{path}»; no se sobrescribe. Elija otro nombre.")
    with open_db(args, create=True) as db:
        from .services.setup import initialize_empty

        initialize_empty(db, name=args.nombre, year=args.ejercicio)
    out(f"Base de datos creada: {path}")
    return 0


def cmd_cargar(args) -> int:
    from .services.loading import load_document, read_file

    from .cli_auth import ADMIN, actor

    doc = read_file(args.archivo)
    with open_db(args, create=True) as db:
        summary = load_document(db, doc, actor=actor(db, args, roles=ADMIN, action="cargar datos"),
                                source=str(args.archivo))
    out(f"Cargado «{args.archivo}»: {summary.as_text()}.")
    return 0


def cmd_demo(args) -> int:
    from .services.loading import load_demo

    from .cli_auth import ADMIN, actor

    with open_db(args, create=True) as db:
        summary = load_demo(db, actor(db, args, roles=ADMIN, action="cargar la demostración"))
    out(f"Demostración cargada en {db_path(args)}: {summary.as_text()}.")
    return 0


def cmd_generar(args) -> int:
    import time

    from .core.exchange import read_exchange
    from .services.generator import generate
    from .services.loading import load_document

    from .services.perf import no_gc

    from .cli_auth import ADMIN, actor

    t0 = time.perf_counter()
    with open_db(args, create=True) as db:
        current = actor(db, args, roles=ADMIN, action="cargar una base sintética")
        with no_gc():
            data = generate(args.escala, seed=args.semilla)
            doc = read_exchange(data)
            del data
        summary = load_document(db, doc, actor=current, source=f"generar {args.escala} semilla {args.semilla}")
    out(f"Base sintética «{args.escala}» (semilla {args.semilla}) en {db_path(args)}: {summary.as_text()} "
        f"({time.perf_counter() - t0:.1f} s).")
    return 0


AVANCE_HEADERS = ["Clave", "Indicador", "Nivel", "Frecuencia", "Valor periodo", "Valor acumulado", "Meta periodo",
                  "Meta acumulada", "% avance", "Semáforo", "Justificación"]


def cmd_avance(args) -> int:
    from .core.numbers import fmt_es, round2
    from .core.types import label
    from .services.progress import compute_progress

    with open_db(args, read_only=True) as db:
        rows = compute_progress(db, args.periodo, program_key=args.programa, agency_key=args.dependencia)
    if args.json:
        from .services.perf import no_gc

        with no_gc():
            print_json([r.as_json() for r in rows])
        return 0

    def n(x):
        return "—" if x is None else fmt_es(round2(x))

    table = [[r.indicator_key, r.indicator_name[:48], label(r.level), label(r.frequency), n(r.period_value),
              n(r.cumulative_value), n(r.period_target), n(r.cumulative_target),
              "—" if r.progress_pct is None else fmt_es(round2(r.progress_pct)) + " %", label(r.light),
              "Requerida" if r.needs_justification else ""] for r in rows]
    _print_table(AVANCE_HEADERS, table)
    out(f"\n{len(rows)} indicadores; corte al {args.periodo}.")
    return 0


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(h)] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    out("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    out("  ".join("-" * w for w in widths))
    for r in rows:
        out("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def cmd_mir(args) -> int:
    from .services.mir_view import mir_json, mir_text

    with open_db(args, read_only=True) as db:
        if args.json:
            from .core.exchange import dumps

            out(dumps(mir_json(db, args.programa)))
        else:
            out(mir_text(db, args.programa))
    return 0


def cmd_validar(args) -> int:
    from .core.types import label
    from .services.validation import validate_database

    with open_db(args, read_only=True) as db:
        findings = validate_database(db, program_key=args.programa)
    errors = sum(1 for f in findings if f.severity == "error")
    if args.json:
        print_json([{"rule_id": f.rule_id, "severity": f.severity, "message": f.message, "program": f.program,
                     "level": f.level, "objective": f.objective, "indicator": f.indicator, "field": f.field,
                     "period": f.period} for f in findings])
    else:
        sev = {"error": "ERROR", "warning": "Advertencia", "info": "Info"}
        for f in findings:
            where = " / ".join(x for x in (f.program, label(f.level) if f.level else None, f.objective, f.indicator)
                               if x)
            out(f"{f.rule_id:8} {sev.get(f.severity, f.severity):11} {where}: {f.message}")
        warnings = sum(1 for f in findings if f.severity == "warning")
        out(f"\n{errors} errores, {warnings} advertencias.")
    return 1 if errors else 0


def cmd_respaldar(args) -> int:
    from .services.backups import make_backup

    info = make_backup(file_db_path(args, "respaldar"), Path(args.destino))
    out(f"Respaldo creado: {info.path}\n{info.as_text()}")
    return 0


def cmd_restaurar(args) -> int:
    from .cli_auth import ADMIN, actor_on_file
    from .services.backups import restore_backup

    target = file_db_path(args, "restaurar")
    actor_on_file(target, args, roles=ADMIN, action="restaurar la base de datos")
    res = restore_backup(Path(args.origen), target, force=args.forzar)
    out(f"Base de datos restaurada desde «{args.origen}» en {target}.\n{res.info.as_text()}")
    if res.previous is not None:
        out(f"La base de datos anterior se conservó en «{res.previous}».")
    return 0


def cmd_verificar(args) -> int:
    from .services.maintenance import verify

    with open_db(args, read_only=True) as db:
        problems = verify(db)
    if args.json:
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        for p in problems:
            out(f"- {p}")
        out(f"\n{len(problems)} problemas encontrados.")
    else:
        out("La base de datos está íntegra: integridad de SQLite, llaves foráneas, sellos de la bitácora e "
            "invariantes de SES correctos.")
    return 1 if problems else 0


def cmd_abrir(args) -> int:
    try:
        from .ui.app import run_app
    except ImportError as exc:  # the window needs PySide6
        raise UserError(f"No se pudo iniciar la ventana: {exc}") from exc
    return run_app(args.archivo or args.db, user=getattr(args, "usuario", None))


def build_parser() -> argparse.ArgumentParser:
    from .cli_auth import add_user_flag

    p = argparse.ArgumentParser(prog="ses", description="SES — Sistema Estratégico de Seguimiento")
    from .version import add_version_argument

    add_version_argument(p)
    sub = p.add_subparsers(dest="command", metavar="SUBCOMANDO")

    s = sub.add_parser("init", help="crear una base de datos vacía")
    _common(s)
    s.add_argument("--nombre", default="Municipio nuevo", help="nombre de la organización")
    s.add_argument("--ejercicio", type=int, default=None, help="ejercicio fiscal (por omisión el año actual)")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("cargar", help="cargar un archivo en el formato de intercambio JSON de SES")
    _common(s)
    s.add_argument("archivo")
    add_user_flag(s)
    s.set_defaults(func=cmd_cargar)

    s = sub.add_parser("demo", help="cargar el municipio de demostración")
    _common(s)
    add_user_flag(s)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("generar", help="crear una base sintética realista para pruebas de escala")
    _common(s)
    s.add_argument("--escala", choices=["municipio", "estado", "mini"], required=True)
    s.add_argument("--semilla", type=int, default=1)
    add_user_flag(s)
    s.set_defaults(func=cmd_generar)

    s = sub.add_parser("avance", help="avance de los indicadores a un mes de corte")
    _common(s)
    s.add_argument("--periodo", required=True, help="mes de corte AAAA-MM, p. ej. 2026-10")
    s.add_argument("--programa")
    s.add_argument("--dependencia")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_avance)

    s = sub.add_parser("mir", help="mostrar la MIR y las fichas técnicas")
    _common(s)
    s.add_argument("--programa")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_mir)

    s = sub.add_parser("validar", help="revisar las reglas de la MIR y de las fichas técnicas")
    _common(s)
    s.add_argument("--programa")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_validar)

    s = sub.add_parser("respaldar", help="copia consistente de la base de datos")
    _common(s)
    s.add_argument("--destino", required=True)
    s.set_defaults(func=cmd_respaldar)

    s = sub.add_parser("restaurar", help="reemplazar la base de datos con un respaldo")
    _common(s)
    s.add_argument("--origen", required=True)
    add_user_flag(s)
    s.add_argument("--forzar", action="store_true",
                   help="restaurar aunque el respaldo sea de otra organización (reemplaza sus datos)")
    s.set_defaults(func=cmd_restaurar)

    s = sub.add_parser("verificar", help="comprobar la integridad de la base de datos")
    _common(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_verificar)

    s = sub.add_parser("abrir", help="abrir la ventana del programa")
    _common(s)
    s.add_argument("archivo", nargs="?")
    s.add_argument("--usuario", default=os.environ.get("SES_USUARIO"))
    s.set_defaults(func=cmd_abrir)

    import importlib

    for name in EXTENSIONS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.register(sub, _common)
    return p


def main(argv: list[str] | None = None) -> int:
    from .db.database import DatabaseError
    from .services.errors import ServiceError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].lower().endswith(".ses"):  # double-click on a capture package: ``ses P.ses``
        argv = ["abrir"] + argv
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["abrir"] + (argv or sys.argv[1:]))
    from .services.guards import commit_count

    commits = commit_count()
    try:
        return args.func(args)
    except (UserError, DatabaseError, ServiceError) as exc:
        # a deliberate refusal with its own message (a service rolls back what it refuses; a sign-in may have
        # recorded the failed attempt): exit 2 as always
        sys.stderr.write(f"ses: {exc}\n")
        return 2
    except KeyboardInterrupt:
        if commit_count() > commits:  # interrupted after a commit: never claim nothing was saved
            return _after_commit(args, None)
        sys.stderr.write("ses: cancelado por el usuario; no se guardó nada.\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: log and explain
        if commit_count() > commits:  # a step after a commit failed (formatting, a message…)
            return _after_commit(args, exc)
        from .db.database import translate_error

        known = translate_error(exc, getattr(args, "db", None) or db_path(args))
        if known is not None:  # busy, read-only or full disk: say so (exit 2), it is not an unexpected error
            sys.stderr.write(f"ses: {known}\n")
            return 2
        from .errorlog import report_unexpected

        sys.stderr.write("ses: " + report_unexpected(exc, f"ejecutar «ses {args.command}»") + "\n")
        return 3


def _after_commit(args, exc: BaseException | None) -> int:
    """The command wrote to the database and then failed (formatting, a message…): say that it was saved.
    Exit 0: the write the user asked for is done (docs/entradas.md)."""
    from .errorlog import report_unexpected

    text = report_unexpected(exc or KeyboardInterrupt(), f"ejecutar «ses {args.command}»", committed=True)
    sys.stderr.write(f"ses: aviso: {text}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
