"""Extension points of the main window, so features (capture, Excel, reports, dashboard) plug in without
editing the window itself.

A feature module calls ``register_page`` / ``register_action`` at import time; the main window imports the
modules in ``FEATURE_MODULES`` (skipping the ones not present) and builds its pages and menus from them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

FEATURE_MODULES = [
    "sistema_seguimiento.ui.dashboard",  # home page (issue 7)
    "sistema_seguimiento.ui.capture",  # capture grid (issue 5)
    "sistema_seguimiento.ui.excel_actions",  # Excel menu (issue 6)
    "sistema_seguimiento.ui.report_actions",  # Informe mensual (issue 7)
    "sistema_seguimiento.ui.format_actions",  # Formatos del Estado de México (issue 16)
    "sistema_seguimiento.ui.server_dialog",  # Archivo → Conectar a un servidor (issue 17)
    "sistema_seguimiento.ui.package_actions",  # paquetes de captura sin conexión (issue 13)
    "sistema_seguimiento.ui.backup_actions",  # Archivo → Respaldar / Restaurar (issues 11, 13)
    "sistema_seguimiento.ui.about",  # Ayuda → Acerca de SES (issue 12)
    "sistema_seguimiento.ui.reconduction_dialog",  # Captura → Reconducción, Entregar trimestre (issue 16)
]

# Menus of the main window, in order. Features add actions to these by name.
MENUS = ["Archivo", "Editar", "Ver", "Captura", "Excel", "Informes", "Herramientas", "Ayuda"]


@dataclass
class PageSpec:
    key: str  # e.g. "tablero", "captura"
    title: str  # Spanish, shown on the tab / in the Ver menu
    factory: Callable  # factory(ctx: AppContext, parent: QWidget) -> QWidget
    order: int = 100
    shortcut: str | None = None
    home: bool = False  # the page shown when the window opens


@dataclass
class ActionSpec:
    menu: str  # one of MENUS
    text: str  # Spanish, with & mnemonic
    callback: Callable  # callback(ctx: AppContext, window: QMainWindow) -> None
    shortcut: str | None = None
    order: int = 100
    requires_write: bool = False
    tooltip: str = ""
    visible: Callable | None = None  # visible(ctx) -> bool, asked again when the settings change (e.g. the profile)


@dataclass
class Registry:
    pages: list[PageSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    _loaded: bool = False


REGISTRY = Registry()


def register_page(spec: PageSpec) -> PageSpec:
    REGISTRY.pages = [p for p in REGISTRY.pages if p.key != spec.key] + [spec]
    return spec


def register_action(spec: ActionSpec) -> ActionSpec:
    REGISTRY.actions = [a for a in REGISTRY.actions if (a.menu, a.text) != (spec.menu, spec.text)] + [spec]
    return spec


def load_features() -> Registry:
    if not REGISTRY._loaded:
        for name in FEATURE_MODULES:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
        REGISTRY._loaded = True
    return REGISTRY


def pages() -> list[PageSpec]:
    return sorted(load_features().pages, key=lambda p: p.order)


def actions(menu: str) -> list[ActionSpec]:
    return sorted((a for a in load_features().actions if a.menu == menu), key=lambda a: a.order)
