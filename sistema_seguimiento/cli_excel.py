"""``ses exportar mir|fichas|avance|captura`` and ``ses importar captura|mir`` (issue 6)."""
from __future__ import annotations

from pathlib import Path

from .cli_auth import ADMIN, CAPTURE

TEXT = {
    "exportar": "exportar libros de Excel (MIR, fichas técnicas, avance, libro de captura)",
    "importar": "importar libros de Excel (captura llenada, MIR de otros sistemas)",
    "saved": "Libro guardado: {path}",
    "applied": "Aplicado: {summary}",
    "preview_only": "Vista previa: no se escribió nada. Use --aplicar para guardar los cambios.",
    "refused": "No se importó nada: el libro tiene {n} errores.",
}


def _salida(s):
    s.add_argument("--salida", required=True, help="archivo .xlsx de salida")


def cmd_exportar_mir(args) -> int:
    from .cli import open_db, out
    from .excel.export_mir import export_mir

    with open_db(args, read_only=True) as db:
        path = export_mir(db, args.salida, args.programa, args.ejercicio, args.dependencia)
    out(TEXT["saved"].format(path=path))
    return 0


def cmd_exportar_fichas(args) -> int:
    from .cli import open_db, out
    from .excel.export_fichas import export_fichas

    with open_db(args, read_only=True) as db:
        path = export_fichas(db, args.salida, args.programa, args.ejercicio, args.dependencia)
    out(TEXT["saved"].format(path=path))
    return 0


def cmd_exportar_avance(args) -> int:
    from .cli import open_db, out
    from .excel.export_avance import export_avance

    with open_db(args, read_only=True) as db:
        path = export_avance(db, args.periodo, args.salida, args.programa, args.dependencia)
    out(TEXT["saved"].format(path=path))
    return 0


def cmd_exportar_captura(args) -> int:
    from .cli import open_db, out
    from .excel.capture_workbook import export_capture

    from .db.database import DatabaseLocked

    try:
        db = open_db(args)  # writable: the database gets its identity the first time
    except DatabaseLocked:
        db = open_db(args, read_only=True)
    with db:
        path = export_capture(db, args.periodo, args.dependencia, args.salida, password=args.contrasena)
    out(TEXT["saved"].format(path=path))
    return 0


def _run_import(args, preview_fn, apply_fn, applied_key: str, *, roles: tuple[str, ...], action: str,
                create: bool = False, say_refused: bool = False) -> int:
    """Preview a workbook; with --aplicar and no errors apply it (one transaction) as the signed-in user
    (``cli_auth.actor``, checked before the workbook is read). Exit 1 when it has errors."""
    from .cli import open_db, out, print_json
    from .cli_auth import actor as signed_in

    with open_db(args, create=create, read_only=not args.aplicar) as db:
        actor = signed_in(db, args, roles=roles, action=action) if args.aplicar else None
        preview = preview_fn(db)
        applied = None
        if args.aplicar and not preview.errors:
            applied = apply_fn(db, preview, actor)
    if args.json:
        data = preview.as_json()
        data["applied"] = applied is not None
        if applied is not None:
            data[applied_key] = applied
        print_json(data)
    else:
        out(preview.as_text())
        if applied is not None:
            out(TEXT["applied"].format(summary=applied))
        elif preview.errors:
            if say_refused:
                out(TEXT["refused"].format(n=len(preview.errors)))
        else:
            out(TEXT["preview_only"])
    return 1 if preview.errors else 0


def cmd_importar_captura(args) -> int:
    from .excel.capture_workbook import apply_capture, preview_capture

    return _run_import(args, lambda db: preview_capture(db, args.archivo, expected_month=args.periodo),
                       lambda db, preview, actor: apply_capture(db, preview, actor=actor), "saved",
                       roles=CAPTURE, action="importar capturas")


def cmd_importar_mir(args) -> int:
    from .services.import_mir import apply_import, preview_import

    return _run_import(args, lambda db: preview_import(db, args.archivo, year=args.ejercicio),
                       lambda db, plan, actor: apply_import(db, plan, actor=actor), "summary",
                       roles=ADMIN, action="importar una MIR", create=bool(args.aplicar), say_refused=True)


def register(subparsers, common) -> None:
    from .cli_auth import add_user_flag

    exp = subparsers.add_parser("exportar", help=TEXT["exportar"])
    esub = exp.add_subparsers(dest="que", metavar="QUÉ", required=True)

    s = esub.add_parser("mir", help="MIR de uno o varios programas en el formato oficial")
    common(s)
    s.add_argument("--programa", action="extend", nargs="+", help="clave(s) del programa")
    s.add_argument("--dependencia")
    s.add_argument("--ejercicio", type=int)
    _salida(s)
    s.set_defaults(func=cmd_exportar_mir)

    s = esub.add_parser("fichas", help="fichas técnicas: una hoja por indicador")
    common(s)
    s.add_argument("--programa", action="extend", nargs="+")
    s.add_argument("--dependencia")
    s.add_argument("--ejercicio", type=int)
    _salida(s)
    s.set_defaults(func=cmd_exportar_fichas)

    s = esub.add_parser("avance", help="avance de los indicadores a un mes de corte")
    common(s)
    s.add_argument("--periodo", required=True, help="mes de corte AAAA-MM")
    s.add_argument("--programa", action="extend", nargs="+")
    s.add_argument("--dependencia")
    _salida(s)
    s.set_defaults(func=cmd_exportar_avance)

    s = esub.add_parser("captura", help="libro de captura de una dependencia para un mes")
    common(s)
    s.add_argument("--periodo", required=True, help="mes AAAA-MM")
    s.add_argument("--dependencia", required=True, help="clave o siglas de la dependencia")
    s.add_argument("--contrasena", default=None, help="contraseña de protección de la hoja (por omisión ninguna)")
    _salida(s)
    s.set_defaults(func=cmd_exportar_captura)

    imp = subparsers.add_parser("importar", help=TEXT["importar"])
    isub = imp.add_subparsers(dest="que", metavar="QUÉ", required=True)

    s = isub.add_parser("captura", help="libro de captura llenado → valores del periodo")
    common(s)
    s.add_argument("archivo", type=Path)
    s.add_argument("--aplicar", action="store_true", help="guardar (sin esto solo muestra la vista previa)")
    s.add_argument("--json", action="store_true")
    add_user_flag(s, "usuario que importa (o SES_USUARIO): capturista de la dependencia, validador o administrador")
    s.add_argument("--periodo", help="mes esperado AAAA-MM (se rechaza un libro de otro periodo)")
    s.set_defaults(func=cmd_importar_captura)

    s = isub.add_parser("mir", help="MIR de libros hechos por otras personas o sistemas")
    common(s)
    s.add_argument("archivo", type=Path)
    s.add_argument("--ejercicio", type=int)
    s.add_argument("--aplicar", action="store_true")
    s.add_argument("--json", action="store_true")
    add_user_flag(s, "usuario que importa (o SES_USUARIO): administrador")
    s.set_defaults(func=cmd_importar_mir)
