"""State profiles as data (issue 16): what differs between a generic CONEVAL/SHCP office and a state's formats.

A profile is a TOML file in ``resources/profiles/`` (``generico.toml``, ``edomex.toml``): labels of levels and
fields, the ficha fields a state requires, its semáforo ranges (a preset in ``core.semaforo``'s dict shape), its
descendente formula (inside the preset), calendar of the formats, signature roles, the kind of justification and
which formats the report and Excel menus offer. A new state is a new file (and its templates), no code change.
This module is pure: it turns a parsed TOML mapping into a ``Profile`` and checks it, with Spanish messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .semaforo import Preset, PresetError, preset_from_dict

DEFAULT_PROFILE = "generico"
CALENDARS = ("mensual", "trimestral")
JUSTIFICATION_KINDS = ("libre", "tarjeta")

# user-visible texts (Spanish)
MSG = {
    "missing": "El perfil «{key}» no tiene el campo obligatorio «{field}».",
    "bad_value": "El perfil «{key}»: «{field}» debe ser uno de {choices} (tiene «{value}»).",
    "bad_type": "El perfil «{key}»: «{field}» debe ser {kind}.",
    "bad_semaforo": "El perfil «{key}» tiene un semáforo no válido: {error}",
    "bad_signature": "El perfil «{key}»: la firma {n} necesita «clave» y «etiqueta».",
}


class ProfileError(ValueError):
    """Invalid profile definition (Spanish message)."""


@dataclass(frozen=True)
class Signature:
    key: str  # e.g. elaboro, valido
    label: str  # «Elaboró»
    role: str = ""  # who signs, e.g. «Titular de la dependencia», «UIPPE»


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    description: str = ""
    calendar: str = "mensual"  # the formats' calendar: mensual | trimestral
    justification: str = "libre"  # libre (SES's own fields) | tarjeta (hecho, causa, acción correctiva, proyección)
    labels: Mapping[str, str] = field(default_factory=dict)
    required_fields: tuple[str, ...] = ()  # Indicator attribute names a ficha must have
    semaforo: Preset | None = None  # None: the organization's own preset applies
    overachievement_color: str = ""  # display colour of a result above the band (e.g. «#1F4E9C»), "" = preset colour
    signatures: tuple[Signature, ...] = ()
    formats: tuple[str, ...] = ()  # format ids offered by the menus, e.g. pbrm-08b
    extra: Mapping[str, Any] = field(default_factory=dict)  # anything else in the file, for templates

    def label(self, key: str, default: str | None = None) -> str:
        """The profile's label for ``key`` (a level such as ``COMPONENTE`` or a field such as ``dependencia``)."""
        return self.labels.get(key, default if default is not None else key)


def _text(d: Mapping[str, Any], key: str, name: str, *, required: bool = False, default: str = "") -> str:
    value = d.get(name, None)
    if value is None:
        if required:
            raise ProfileError(MSG["missing"].format(key=key, field=name))
        return default
    if not isinstance(value, str):
        raise ProfileError(MSG["bad_type"].format(key=key, field=name, kind="un texto"))
    return value.strip()


def _choice(d: Mapping[str, Any], key: str, name: str, choices: tuple[str, ...]) -> str:
    value = _text(d, key, name, default=choices[0])
    if value not in choices:
        raise ProfileError(MSG["bad_value"].format(key=key, field=name, choices=", ".join(choices), value=value))
    return value


def _texts(d: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = d.get(name, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ProfileError(MSG["bad_type"].format(key=key, field=name, kind="una lista de textos"))
    return tuple(x.strip() for x in value)


def profile_from_dict(key: str, d: Mapping[str, Any]) -> Profile:
    """Build and check a profile from its parsed TOML mapping."""
    labels = d.get("etiquetas", {})
    if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
        raise ProfileError(MSG["bad_type"].format(key=key, field="etiquetas", kind="una tabla de textos"))
    preset = None
    sem = d.get("semaforo")
    if sem is not None:
        if not isinstance(sem, Mapping):
            raise ProfileError(MSG["bad_type"].format(key=key, field="semaforo", kind="una tabla"))
        try:
            preset = preset_from_dict(_text(sem, key, "clave", required=True), sem)
        except PresetError as exc:
            raise ProfileError(MSG["bad_semaforo"].format(key=key, error=exc)) from None
    signatures = []
    raw_signatures = d.get("firmas", [])
    if not isinstance(raw_signatures, list):
        raise ProfileError(MSG["bad_type"].format(key=key, field="firmas", kind="una lista de tablas"))
    for i, s in enumerate(raw_signatures, 1):
        if not isinstance(s, Mapping) or not s.get("clave") or not s.get("etiqueta"):
            raise ProfileError(MSG["bad_signature"].format(key=key, n=i))
        signatures.append(Signature(str(s["clave"]), str(s["etiqueta"]), str(s.get("cargo", ""))))
    known = {"clave", "nombre", "descripcion", "calendario", "justificacion", "etiquetas", "ficha",
             "semaforo", "color_sobrecumplimiento", "firmas", "formatos"}
    ficha = d.get("ficha", {})
    if not isinstance(ficha, Mapping):
        raise ProfileError(MSG["bad_type"].format(key=key, field="ficha", kind="una tabla"))
    return Profile(
        key=key,
        name=_text(d, key, "nombre", required=True),
        description=_text(d, key, "descripcion"),
        calendar=_choice(d, key, "calendario", CALENDARS),
        justification=_choice(d, key, "justificacion", JUSTIFICATION_KINDS),
        labels=MappingProxyType(dict(labels)),
        required_fields=_texts(ficha, key, "obligatorios"),
        semaforo=preset,
        overachievement_color=_text(d, key, "color_sobrecumplimiento"),
        signatures=tuple(signatures),
        formats=_texts(d, key, "formatos"),
        extra=MappingProxyType({k: v for k, v in d.items() if k not in known}),
    )
