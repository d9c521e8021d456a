"""The organization's state profile (issue 16): which one is chosen, and reading profile files.

The choice is ``Organization.settings["perfil"]`` (absent = the generic profile). Choosing a profile changes
labels, ranges and the formats offered; it never touches programs, fichas, targets or measurements.
Profile files are ``resources/profiles/<clave>.toml`` (``core.profiles`` checks them).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.profiles import DEFAULT_PROFILE, Profile, ProfileError, profile_from_dict
from ..core.types import Role
from ..db.database import Database
from ..db.models import Organization
from . import audit
from .errors import ValidationFailed
from .users import CurrentUser

SETTING = "perfil"  # Organization.settings key

# user-visible texts (Spanish)
MSG = {
    "unknown": "No existe el perfil «{key}». Perfiles disponibles: {keys}.",
    "bad_file": "El archivo del perfil «{key}» no se pudo leer: {error}",
    "no_org": "La base no tiene organización; créela antes de elegir un perfil.",
    "action": "cambiar el perfil estatal",
}


def _folder():
    return resources.files("sistema_seguimiento.resources").joinpath("profiles")


@lru_cache(maxsize=None)
def available() -> tuple[tuple[str, str], ...]:
    """(clave, nombre) of every profile file, the generic one first."""
    keys = sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml"))
    keys.sort(key=lambda k: (k != DEFAULT_PROFILE, k))
    return tuple((k, load(k).name) for k in keys)


@lru_cache(maxsize=None)
def load(key: str) -> Profile:
    """The profile of that key, read from its file (cached: profiles do not change while SES runs)."""
    path = _folder().joinpath(f"{key}.toml")
    if not key.replace("_", "").isalnum() or not path.is_file():
        keys = ", ".join(sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml")))
        raise ValidationFailed(MSG["unknown"].format(key=key, keys=keys))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(MSG["bad_file"].format(key=key, error=exc)) from None
    try:
        return profile_from_dict(key, data)
    except ProfileError as exc:
        raise ValidationFailed(str(exc)) from None


def key_of(session: Session) -> str:
    settings = session.scalars(select(Organization.settings)).first() or {}
    return str(settings.get(SETTING) or DEFAULT_PROFILE)


def current(session: Session) -> Profile:
    """The chosen profile (the generic one if none was chosen or its file is gone)."""
    key = key_of(session)
    try:
        return load(key)
    except ValidationFailed:
        return load(DEFAULT_PROFILE)


def current_profile(db: Database) -> Profile:
    with db.reading() as s:
        return current(s)


def set_profile(db: Database, actor: CurrentUser, key: str) -> str:
    """Choose the profile; returns the previous key. Only ``Organization.settings`` changes (audited)."""
    actor.require(Role.ADMINISTRADOR.value, action=MSG["action"])
    load(key)  # refuses an unknown key before writing
    with db.transaction() as s:
        org = s.scalars(select(Organization)).first()
        if org is None:
            raise ValidationFailed(MSG["no_org"])
        settings = dict(org.settings or {})
        old = str(settings.get(SETTING) or DEFAULT_PROFILE)
        if old != key:
            settings[SETTING] = key
            org.settings = settings  # a new dict, so the JSON column is written
            audit.record(s, actor, "organizacion", org.name, SETTING, old, key)
    return old


def profile_presets() -> dict:
    """The semáforo presets that profiles bring (key → ``core.semaforo.Preset``), for ``progress.presets_by_key``."""
    out = {}
    for key, _name in available():
        try:
            preset = load(key).semaforo
        except ValidationFailed:
            continue
        if preset is not None:
            out.setdefault(preset.key, preset)
    return out


#: The generic monthly report's three signatures (settings keys ``firma_<clave>``), always offered.
MONTHLY_SIGNATURES = (("elaboro", "Elaboró"), ("reviso", "Revisó"), ("autorizo", "Autorizó"))


def signature_fields(profile: Profile) -> dict[str, str]:
    """Settings key → caption of every signature to ask for under ``profile``: the monthly report's three, then the
    profile's own roles (``firma_<clave>``); a profile role that is also a monthly one shows its cargo there
    (Edomex: «Elaboró (Titular de la dependencia)»)."""
    out = {f"firma_{k}": caption for k, caption in MONTHLY_SIGNATURES}
    for sig in profile.signatures:
        caption = f"{sig.label} ({sig.role})" if sig.role else sig.label
        out[f"firma_{sig.key}"] = caption
    return out


def signature_keys() -> frozenset[str]:
    """Every settings key a signature may use under any available profile (edits and undo across a switch)."""
    keys = {f"firma_{k}" for k, _ in MONTHLY_SIGNATURES}
    for key, _name in available():
        keys.update(f"firma_{s.key}" for s in load(key).signatures)
    return frozenset(keys)


def profile_label(profile: Profile, key: str, default: str) -> str:
    """The profile's label for ``key`` (``FIN``, ``plan_eje``, ``dependencia`` …), else ``default``."""
    return profile.labels.get(key) or default


def describe(profile: Profile) -> dict:
    """What ``ses perfil --json`` prints (keys are the CLI contract)."""
    return {"perfil": profile.key, "nombre": profile.name, "calendario": profile.calendar,
            "justificacion": profile.justification, "formatos": list(profile.formats)}
