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
]


class UserError(Exception):
    """A problem the user can fix; printed without traceback."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="archivo de base de datos (por omisión SES_DB o la carpeta de datos del usuario)")


def db_path(args) -> Path:
    from .paths import default_db_path

    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_db(args, *, create: bool = False, read_only: bool = False):
    from .db.database import Database, OpenOptions

    return Database.open(db_path(args), OpenOptions(create=create, read_only=read_only))


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
    path = db_path(args)
    if path.exists() and path.stat().st_size > 0:
        raise UserError(f"Ya existe el archivo «{path}»; no se sobrescribe. Elija otro nombre.")
    with open_db(args, create=True) as db:
        from .services.setup import initialize_empty

        initialize_empty(db, name=args.nombre, year=args.ejercicio)
    out(f"Base de datos creada: {path}")
    return 0


def cmd_cargar(args) -> int:
    from .services.loading import load_document, read_file

    doc = read_file(args.archivo)
    with open_db(args, create=True) as db:
        summary = load_document(db, doc, source=str(args.archivo))
    out(f"Cargado «{args.archivo}»: {summary.as_text()}.")
    return 0


def cmd_demo(args) -> int:
    from .services.loading import load_demo

    with open_db(args, create=True) as db:
        summary = load_demo(db)
    out(f"Demostración cargada en {db_path(args)}: {summary.as_text()}.")
    return 0


def cmd_generar(args) -> int:
    import time

    from .core.exchange import read_exchange
    from .services.generator import generate
    from .services.loading import load_document

    from .services.perf import no_gc

    t0 = time.perf_counter()
    with no_gc():
        data = generate(args.escala, seed=args.semilla)
        doc = read_exchange(data)
        del data
    with open_db(args, create=True) as db:
        summary = load_document(db, doc, source=f"generar {args.escala} semilla {args.semilla}")
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
    from .db.database import Database, OpenOptions

    with Database.open(db_path(args), OpenOptions(read_only=True, migrate=False)) as db:
        dest = db.backup_to(args.destino)
    out(f"Respaldo creado: {dest}")
    return 0


def cmd_restaurar(args) -> int:
    from .db.database import restore

    restore(Path(args.origen), db_path(args))
    out(f"Base de datos restaurada desde «{args.origen}» en {db_path(args)} (la anterior quedó como .previo).")
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
        out("La base de datos está íntegra: integridad de SQLite, llaves foráneas e invariantes de SES correctas.")
    return 1 if problems else 0


def cmd_abrir(args) -> int:
    try:
        from .ui.app import run_app
    except ImportError as exc:  # the window needs PySide6
        raise UserError(f"No se pudo iniciar la ventana: {exc}") from exc
    return run_app(args.archivo or args.db, user=getattr(args, "usuario", None))


def build_parser() -> argparse.ArgumentParser:
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
    s.set_defaults(func=cmd_cargar)

    s = sub.add_parser("demo", help="cargar el municipio de demostración")
    _common(s)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("generar", help="crear una base sintética realista para pruebas de escala")
    _common(s)
    s.add_argument("--escala", choices=["municipio", "estado", "mini"], required=True)
    s.add_argument("--semilla", type=int, default=1)
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
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["abrir"] + (argv or sys.argv[1:]))
    try:
        return args.func(args)
    except (UserError, DatabaseError, ServiceError) as exc:
        sys.stderr.write(f"ses: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("ses: cancelado por el usuario; no se guardó nada.\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: log and explain
        from .errorlog import report_unexpected

        sys.stderr.write("ses: " + report_unexpected(exc, f"ejecutar «ses {args.command}»") + "\n")
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
