"""``ses formato``: the state formats (Estado de México: PbRM-01c, 02a, 01d, 01e, 08b, 08c, tarjeta de
justificación, formato de reconducción) for a quarter, as PDF or Excel, without a display."""
from __future__ import annotations

# the format ids (a contract; reports.formats_data.FORMATS is the same tuple, checked by the tests)
FORMATS = ("pbrm-01c", "pbrm-02a", "pbrm-01d", "pbrm-01e", "pbrm-08b", "pbrm-08c", "tarjeta", "reconduccion")

TEXT = {
    "help": "formatos estatales (PbRM del Estado de México, tarjeta, reconducción) en PDF o Excel",
    "formato": "formato: {all}",
    "trimestre": "trimestre AAAA-Tn, p. ej. 2026-T3",
    "dependencia": "solo una dependencia (clave o siglas)",
    "pdf": "archivo PDF de salida",
    "xlsx": "libro de Excel de salida",
    "done_pdf": "{code} escrito en {path}: {n} página(s).",
    "done_xlsx": "{code} escrito en {path}: {n} hoja(s).",
    "empty": "Aviso: {why}",
    "no_dir": "No existe la carpeta de destino «{d}».",
}


def cmd_formato(args) -> int:
    import gc
    import sys
    from pathlib import Path

    from .cli import UserError, open_db, out
    from .cli_report import ensure_gui_app

    target = Path(args.pdf or args.xlsx)
    if not target.parent.exists():
        raise UserError(TEXT["no_dir"].format(d=target.parent))
    if args.pdf:
        _app = ensure_gui_app()  # noqa: F841 - must live while painting
    from .reports.formats import make_format

    with open_db(args, read_only=True) as db:  # the PDF and the workbook are put in place only once whole
        if args.pdf:
            fd, n = make_format(db, args.formato, args.trimestre, args.dependencia, pdf=str(target))
        else:
            fd, n = make_format(db, args.formato, args.trimestre, args.dependencia, xlsx=str(target))
    gc.collect()  # free the painted document while the QGuiApplication still exists
    if fd.empty_reason:
        print(TEXT["empty"].format(why=fd.empty_reason), file=sys.stderr)
    out(TEXT["done_pdf" if args.pdf else "done_xlsx"].format(code=fd.code, path=target, n=n))
    return 0


def register(subparsers, common) -> None:
    s = subparsers.add_parser("formato", help=TEXT["help"])
    s.add_argument("formato", choices=FORMATS, help=TEXT["formato"].format(all=", ".join(FORMATS)))
    common(s)
    s.add_argument("--trimestre", required=True, help=TEXT["trimestre"])
    s.add_argument("--dependencia", help=TEXT["dependencia"])
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--pdf", help=TEXT["pdf"])
    g.add_argument("--xlsx", help=TEXT["xlsx"])
    s.set_defaults(func=cmd_formato)
