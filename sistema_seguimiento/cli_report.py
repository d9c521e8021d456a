"""``ses informe``: the monthly progress report as a PDF, without a display."""
from __future__ import annotations

import os
import sys

TEXT = {
    "help": "informe mensual de avance en PDF",
    "periodo": "mes de corte AAAA-MM, p. ej. 2026-10",
    "dependencia": "solo una dependencia (clave o siglas)",
    "programa": "solo un programa (clave)",
    "sin_graficas": "omitir las gráficas por indicador",
    "resumen": "solo el resumen ejecutivo y el avance por eje",
    "pdf": "archivo PDF de salida",
    "done": "Informe escrito en {path}: {n} páginas.",
    "both": "Indique --dependencia o --programa, no ambos.",
    "no_dir": "No existe la carpeta de destino «{d}».",
}


def ensure_gui_app():
    """A QGuiApplication for fonts and painting; offscreen when there is no display."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication(["ses"])
    return app


def cmd_informe(args) -> int:
    from pathlib import Path

    from .cli import UserError, open_db, out

    if args.dependencia and args.programa:
        raise UserError(TEXT["both"])
    target = Path(args.pdf)
    if not target.parent.exists():
        raise UserError(TEXT["no_dir"].format(d=target.parent))
    _app = ensure_gui_app()  # noqa: F841 - must live while painting
    from .reports.monthly import make_pdf

    with open_db(args, read_only=True) as db:  # the PDF is put in place only once whole (reports.layout)
        warnings: list[str] = []
        n = make_pdf(db, args.periodo, str(target), agency_key=args.dependencia, program_key=args.programa,
                     include_charts=not args.sin_graficas, executive_only=args.resumen, warnings=warnings)
        for w in warnings:
            print(w, file=sys.stderr)
    import gc

    gc.collect()  # free the painted document while the QGuiApplication still exists
    out(TEXT["done"].format(path=target, n=n))
    return 0


def register(subparsers, common) -> None:
    s = subparsers.add_parser("informe", help=TEXT["help"])
    common(s)
    s.add_argument("--periodo", required=True, help=TEXT["periodo"])
    s.add_argument("--dependencia", help=TEXT["dependencia"])
    s.add_argument("--programa", help=TEXT["programa"])
    s.add_argument("--sin-graficas", action="store_true", help=TEXT["sin_graficas"])
    s.add_argument("--resumen", action="store_true", help=TEXT["resumen"])
    s.add_argument("--pdf", required=True, help=TEXT["pdf"])
    s.set_defaults(func=cmd_informe)
