"""Identity of the running program: ``ses --version`` and Ayuda → «Acerca de SES».

The Qt version is read only when asked for (``qt=True``): importing PySide6 costs a tenth of a second that the
other subcommands must not pay."""
from __future__ import annotations

import platform
import sys
from pathlib import Path

DIST_NAME = "sistema-seguimiento"

TEXT = {
    "program": "SES — Sistema Estratégico de Seguimiento {version}",
    "schema": "Revisión del esquema de la base de datos: {schema}",
    "python": "Python {python} ({impl}, {arch})",
    "qt": "Qt {qt} (PySide6 {pyside})",
    "no_qt": "Qt no disponible ({error})",
    "bundle": "Programa empaquetado en: {folder}",
    "portable": "Modo portátil: datos en {folder}",
}


def program_version() -> str:
    """The version in pyproject.toml: from the installed distribution's metadata (the bundle carries it too),
    else read from pyproject.toml of a source checkout."""
    from importlib import metadata

    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        import tomllib

        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "desconocida"


def qt_versions() -> tuple[str, str]:
    import PySide6
    from PySide6.QtCore import qVersion

    return qVersion(), PySide6.__version__


def version_info(qt: bool = True) -> dict:
    from .db.database import SCHEMA_HEAD

    info = {"version": program_version(), "schema": SCHEMA_HEAD, "python": platform.python_version(),
            "python_impl": platform.python_implementation(), "arch": platform.machine() or "?",
            "frozen": bool(getattr(sys, "frozen", False))}
    if qt:
        try:
            info["qt"], info["pyside"] = qt_versions()
        except ImportError as exc:
            info["qt_error"] = str(exc)
    return info


def version_lines(info: dict | None = None) -> list[str]:
    info = info or version_info()
    lines = [TEXT["program"].format(**info), TEXT["schema"].format(**info),
             TEXT["python"].format(python=info["python"], impl=info["python_impl"], arch=info["arch"])]
    if "qt" in info:
        lines.append(TEXT["qt"].format(**info))
    elif "qt_error" in info:
        lines.append(TEXT["no_qt"].format(error=info["qt_error"]))
    if info.get("frozen"):
        lines.append(TEXT["bundle"].format(folder=Path(sys.executable).resolve().parent))
    from .paths import portable_root

    portable = portable_root()
    if portable is not None:
        lines.append(TEXT["portable"].format(folder=portable))
    return lines


def add_version_argument(parser) -> None:
    import argparse

    class _Action(argparse.Action):
        def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
            super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

        def __call__(self, parser, namespace, values, option_string=None):
            sys.stdout.write("\n".join(version_lines()) + "\n")
            parser.exit(0)

    parser.add_argument("--version", action=_Action,
                        help="mostrar la versión del programa, del esquema de la base de datos, de Python y de Qt")
