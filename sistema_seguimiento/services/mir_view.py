"""``ses mir``: a program's MIR with every ficha field, variables and targets, as text or JSON."""
from __future__ import annotations

from ..core import exchange, periods
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.numbers import fmt_es
from ..core.types import LABELS, label
from ..db.database import Database
from .documents import ProgramSet, read_programs

LEVEL_ORDER = {"FIN": 0, "PROPOSITO": 1, "COMPONENTE": 2, "ACTIVIDAD": 3}

FICHA_FIELDS: list[tuple[str, str]] = [
    ("name", "Nombre del indicador"), ("definition", "Definición"), ("formula_type", "Tipo de fórmula"),
    ("formula", "Método de cálculo"), ("unit", "Unidad de medida"), ("type", "Tipo"), ("dimension", "Dimensión"),
    ("direction", "Sentido"), ("frequency", "Frecuencia de medición"), ("reporting_mode", "Acumulado o periódico"),
    ("baseline", "Línea base"), ("annual_target", "Meta anual"), ("preset_key", "Parámetros de semaforización"),
    ("verification_sources", "Medios de verificación"), ("disaggregation", "Nivel de desagregación"),
    ("geographic_coverage", "Cobertura geográfica"), ("data_availability", "Disponibilidad de la información"),
    ("measurement_owner", "Responsable de la medición"), ("benchmark", "Factor de comparación"),
    ("interpretation", "Interpretación"), ("notes", "Observaciones"), ("created_on", "Fecha de alta"),
    ("version", "Versión"),
]


def mir_order(program: ProgramDoc) -> list:
    """Objectives in MIR reading order: Fin, Propósito, C1, A1.1, A1.2, C2, A2.1 …"""
    by_parent: dict[str | None, list] = {}
    for o in program.objectives:
        by_parent.setdefault(o.parent_key, []).append(o)
    keys = {o.key for o in program.objectives}
    out: list = []
    fins = sorted((o for o in program.objectives if o.level == "FIN"), key=lambda o: o.order)
    props = sorted((o for o in program.objectives if o.level == "PROPOSITO"), key=lambda o: o.order)
    comps = sorted((o for o in program.objectives if o.level == "COMPONENTE"), key=lambda o: o.order)
    out += fins + props
    for c in comps:
        out.append(c)
        out += sorted((a for a in by_parent.get(c.key, []) if a.level == "ACTIVIDAD"), key=lambda o: o.order)
    seen = {id(o) for o in out}
    out += [o for o in program.objectives if id(o) not in seen]  # orphans (parent missing) at the end
    del keys
    return out


def _value(ind: IndicatorDoc, field: str) -> str:
    if field == "baseline":
        if ind.baseline_unavailable:
            return f"No disponible. {ind.baseline_note}".strip()
        if ind.baseline_value is None:
            return ""
        return f"{fmt_es(ind.baseline_value)} ({ind.baseline_year or 's/a'}) {ind.baseline_note}".strip()
    if field == "annual_target":
        return "" if ind.annual_target is None else fmt_es(ind.annual_target)
    if field == "verification_sources":
        return "; ".join(ind.verification_sources)
    v = getattr(ind, field)
    if field in ("formula_type", "type", "dimension", "direction", "frequency", "reporting_mode"):
        return label(v)
    return "" if v is None else str(v)


def program_text(p: ProgramDoc, pset: ProgramSet) -> str:
    ag = pset.agencies.get(p.agency_key or "")
    lines = [f"Programa {p.key} — {p.name}",
             f"  Modalidad: {p.modality}   Dependencia: {ag.name if ag else 'sin unidad responsable'}   "
             f"Ejercicio: {pset.fiscal_year}"]
    if p.alignment:
        lines.append("  Alineación: " + " / ".join(str(v) for v in p.alignment.values() if v))
    inds = {i.key: i for i in p.indicators}
    for o in mir_order(p):
        lines.append("")
        lines.append(f"[{label(o.level)}] {o.key}: {o.text}")
        for s in o.assumptions:
            lines.append(f"    Supuesto: {s}")
        for ik in o.indicator_keys:
            ind = inds[ik]
            lines.append(f"    Indicador {ind.key}")
            for field, title in FICHA_FIELDS:
                val = _value(ind, field)
                if val:
                    lines.append(f"      {title}: {val}")
            for v in ind.variables:
                lines.append(f"      Variable {v.key} ({label(v.role)}, {label(v.accumulation)}): {v.name} — "
                             f"{v.description} [{v.unit}] Fuente: {v.source}")
            if ind.targets:
                lines.append("      Metas calendarizadas:")
                for period in sorted(ind.targets, key=periods.sort_key):
                    vals = ", ".join(f"{k} = {fmt_es(x)}" for k, x in ind.targets[period].items())
                    lines.append(f"        {period}: {vals}")
    return "\n".join(lines)


def mir_text(db: Database, program_key: str | None = None) -> str:
    with db.reading() as session:
        pset = read_programs(session, None, [program_key] if program_key else None)
    return "\n\n".join(program_text(p, pset) for p in pset.programs) or "No hay programas."


def exchange_doc(pset: ProgramSet) -> exchange.ExchangeDoc:
    org = pset.organization
    return exchange.ExchangeDoc(
        format_version="1.0", fiscal_year=pset.fiscal_year,
        organization={"nombre": org.name if org else "", "entidad_federativa": org.state_name if org else "",
                      "clave_inegi": org.inegi_key if org else None},
        cutoff=None, presets={}, agencies=list(pset.agencies.values()), programs=pset.programs, users=[], plan=[])


def mir_json(db: Database, program_key: str | None = None) -> dict:
    with db.reading() as session:
        pset = read_programs(session, None, [program_key] if program_key else None)
    return exchange.write_exchange(exchange_doc(pset))


__all__ = ["mir_text", "mir_json", "mir_order", "FICHA_FIELDS", "LABELS", "LEVEL_ORDER"]
