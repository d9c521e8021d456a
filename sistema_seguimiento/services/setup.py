"""Creating a new, empty organization database."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..core.semaforo import BUILTIN_PRESETS, preset_to_dict
from ..db.database import Database
from ..db.models import FiscalYear, Organization, TrafficLightPreset
from . import audit
from .users import SYSTEM, ensure_default_users


def initialize_empty(db: Database, *, name: str = "Municipio nuevo", year: int | None = None,
                     inegi_key: str | None = None, kind: str = "municipio", logo: bytes | None = None,
                     state_name: str = "", with_default_users: bool = True) -> None:
    year = year or date.today().year
    with db.transaction() as session:
        if session.scalars(select(Organization)).first() is None:
            session.add(Organization(name=name, kind=kind, inegi_key=inegi_key, logo=logo, state_name=state_name,
                                     preset_key="PRESET_A_BANDA_90_110", settings={}))
        if session.scalars(select(FiscalYear).where(FiscalYear.year == year)).first() is None:
            session.add(FiscalYear(year=year))
        for key, preset in BUILTIN_PRESETS.items():
            if session.get(TrafficLightPreset, key) is None:
                session.add(TrafficLightPreset(key=key, name=preset.name, data=preset_to_dict(preset)))
        session.flush()
        if with_default_users:
            ensure_default_users(session)
        audit.record(session, SYSTEM, "organizacion", name[:120], "", None, f"Ejercicio {year}", action="crear")
