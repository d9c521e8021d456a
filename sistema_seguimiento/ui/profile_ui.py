"""The chosen state profile in the window (issue 16).

``profile(ctx)`` is the chosen ``core.profiles.Profile``, read once and forgotten when the profile changes (any
``dataChanged`` on ``"*"``, ``"settings"`` or ``"perfil"``); ``plabel(ctx, key, default)`` is the profile-aware
label lookup the pages use for levels («Fin» …), plan kinds (``plan_eje`` → «Pilar / Eje transversal»),
``dependencia`` / ``unidad`` («Dependencia General» / «Dependencia Auxiliar») and ``programa``. A profile change
is announced as ``dataChanged("*", "perfil")`` so that every open page reloads and shows the new labels.

``profile_box(dialog)`` is the «Perfil estatal» group of the Configuración dialog: the choice (administrador,
with undo and bitácora through ``services.profiles.set_profile``).
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel

from ..core.profiles import Profile
from ..core.types import label as core_label
from ..services import profiles as svc
from . import commands

TEXT = {
    "box": "Perfil estatal",
    "choice": "&Perfil:",
    "hint": ("El perfil define etiquetas, campos obligatorios de la ficha, rangos del semáforo, calendario, firmas "
             "y formatos. Cambiarlo no modifica programas, metas ni avances capturados."),
    "details": "Calendario: {calendar} · Justificación: {justification} · Semáforo: {semaforo}",
    "org_preset": "el de la organización",
    "undo": "Configuración: perfil estatal «{name}»",
    "calendar": {"mensual": "mensual", "trimestral": "trimestral (trimestres)"},
    "justification": {"libre": "texto libre", "tarjeta": "tarjeta de justificación"},
}

_ATTR = "_ses_profile"
_REFRESH = ("*", "settings", "perfil")


def profile(ctx) -> Profile:
    """The chosen profile (cached on the context until the profile changes)."""
    cached = ctx.__dict__.get(_ATTR) if hasattr(ctx, "__dict__") else None
    if cached is not None:
        return cached
    try:
        value = svc.current_profile(ctx.db)
    except Exception:  # noqa: BLE001 - an empty or unreadable database shows the generic labels
        value = svc.load(svc.DEFAULT_PROFILE)
    if not ctx.__dict__.get("_ses_profile_hooked") and hasattr(ctx, "dataChanged"):
        ctx.__dict__["_ses_profile_hooked"] = True
        ctx.dataChanged.connect(lambda entity, _key: _heard(ctx, entity))
    ctx.__dict__[_ATTR] = value
    return value


def _heard(ctx, entity: str) -> None:
    if entity in _REFRESH:
        forget(ctx)
    elif entity == "organizacion" and _ATTR in ctx.__dict__:
        # the bitácora's word for organization settings: another official may have chosen another profile
        # (ui.live_refresh re-announces their changes); if so every open page must relabel
        try:
            key = svc.current_profile(ctx.db).key
        except Exception:  # noqa: BLE001 - a lost connection is reported elsewhere
            return
        if key != ctx.__dict__[_ATTR].key:
            forget(ctx)
            ctx.notify("*", "perfil")


def forget(ctx) -> None:
    ctx.__dict__.pop(_ATTR, None)


def plabel(ctx, key: str, default: str) -> str:
    """The profile's label for ``key`` (FIN, plan_eje, dependencia, unidad, programa, …), else ``default``."""
    return svc.profile_label(profile(ctx), key, default)


def level_label(ctx, level: str | None) -> str:
    """A MIR level (FIN, PROPOSITO, COMPONENTE, ACTIVIDAD) as the profile names it."""
    return plabel(ctx, str(level or ""), core_label(level))


def with_colon(text: str) -> str:
    return text if text.endswith(":") else text + ":"


def set_profile(ctx, parent, key: str) -> bool:
    """Choose a profile with undo; every open page reloads (``dataChanged("*", "perfil")``)."""
    name = svc.load(key).name

    def choose(k: str) -> str:
        forget(ctx)  # before the pages hear dataChanged and ask for labels again
        return svc.set_profile(ctx.db, ctx.user, k)

    ok, _old = commands.apply_edit(ctx, parent, TEXT["undo"].format(name=name), lambda: choose(key),
                                   lambda old: (lambda: choose(old)), "*", "perfil")
    return ok


def _details(p: Profile) -> str:
    return TEXT["details"].format(calendar=TEXT["calendar"].get(p.calendar, p.calendar),
                                  justification=TEXT["justification"].get(p.justification, p.justification),
                                  semaforo=p.semaforo.name if p.semaforo else TEXT["org_preset"])


def _ranges(p: Profile) -> str:
    from ..core.semaforo import describe_preset

    return describe_preset(p.semaforo) if p.semaforo else TEXT["org_preset"]


class ProfileBox(QGroupBox):
    """«Perfil estatal» in Configuración."""

    def __init__(self, ctx, parent=None, *, admin: bool = True):
        super().__init__(TEXT["box"], parent)
        self.ctx = ctx
        f = QFormLayout(self)
        self.choice = QComboBox(self)
        for key, name in svc.available():
            self.choice.addItem(name, key)
        self.choice.setEnabled(admin)
        f.addRow(TEXT["choice"], self.choice)
        self.details = QLabel(self)  # one line; the ranges in words and the hint are in the tooltips
        self.details.setWordWrap(True)
        f.addRow("", self.details)
        self.choice.setToolTip(TEXT["hint"])
        self.setToolTip(TEXT["hint"])
        self.show_current()
        self.choice.activated.connect(lambda _i: self.choose(self.choice.currentData()))
        ctx.dataChanged.connect(self._changed)

    def show_current(self) -> None:
        p = profile(self.ctx)
        self.choice.blockSignals(True)
        self.choice.setCurrentIndex(max(self.choice.findData(p.key), 0))
        self.choice.blockSignals(False)
        self.details.setText(_details(p))
        self.details.setToolTip(_ranges(p))

    def choose(self, key: str) -> bool:
        if key == profile(self.ctx).key:
            return False
        ok = set_profile(self.ctx, self.window(), key)
        self.show_current()
        return ok

    def _changed(self, entity: str, _key: str) -> None:
        if entity in _REFRESH:
            self.show_current()


def over_color(ctx, flags) -> str | None:
    """The profile's over-achievement colour when ``flags`` hold an over-achievement flag (Edomex: «#1F4E9C»)."""
    from ..core.semaforo import OVERACHIEVEMENT_FLAGS

    colour = profile(ctx).overachievement_color
    if colour and any(f in OVERACHIEVEMENT_FLAGS for f in flags or ()):
        return colour
    return None


def tint(colour: str, share: float = 0.72) -> str:
    """``colour`` mixed with white (a background light enough for black text)."""
    c = colour.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(v + (255 - v) * share):02x}" for v in rgb)
