"""``ses validar``: every MIR and ficha rule over the programs stored in the database."""
from __future__ import annotations

from ..core.types import Finding
from ..core.validation import ValidationContext, validate_all
from ..db.database import Database
from .documents import read_programs
from .progress import presets_by_key


def validation_context(session, pset) -> ValidationContext:
    from datetime import date

    from sqlalchemy import select

    from ..db.models import FiscalYear

    from .profiles import current

    fy = session.scalars(select(FiscalYear).where(FiscalYear.year == pset.fiscal_year)).first()
    cutoff = date.fromisoformat(fy.cutoff) if fy and fy.cutoff else None
    profile = current(session)
    return ValidationContext(
        required_fields=profile.required_fields, profile_name=profile.name,
        fiscal_year=pset.fiscal_year, cutoff=cutoff, known_agencies=set(pset.agencies),
        default_preset=pset.organization.preset_key if pset.organization else None,
        known_presets=set(presets_by_key(session)))


def validate_database(db: Database, program_key: str | None = None, year: int | None = None) -> list[Finding]:
    with db.reading() as session:
        pset = read_programs(session, year, [program_key] if program_key else None)
        ctx = validation_context(session, pset)
    findings = validate_all(pset.programs, ctx)
    from .format_checks import format_findings  # state formats' consistency (issue 16)

    findings += format_findings(db, pset.fiscal_year, program_key)
    order = {"error": 0, "warning": 1, "info": 2}
    prog_order = {p.key: i for i, p in enumerate(pset.programs)}
    return sorted(findings, key=lambda f: (prog_order.get(f.program or "", -1), order.get(f.severity, 3)))

