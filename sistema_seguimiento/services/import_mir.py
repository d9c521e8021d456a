"""Import MIRs from workbooks: preview (what would be created, changed, ignored, and every error) and apply in
ONE transaction. New programs go through an ExchangeDoc and ``loading.load_into``; programs that already exist
(same fiscal year and clave) are updated in place, matched by objective / indicator keys (or the indicator
name within its objective), with audit entries. Nothing is deleted: indicators missing from the workbook are
kept and reported."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.exchange import ExchangeDoc
from ..core.mir import IndicatorDoc, ProgramDoc
from ..db.database import Database
from ..db.models import Agency, FiscalYear, Indicator, Measurement, Objective, Program, Variable
from ..excel import common as xc
from ..excel.import_mir import Issue, WorkbookParse, formula_type_of, parse_workbook, to_program_doc, variables_for
from . import audit
from .errors import ServiceError
from .loading import load_into
from .users import SYSTEM, CurrentUser

MSG = {
    "refused": "No se importó nada: el libro tiene {n} errores.",
    "kept": "el indicador {key} «{name}» existe en la base pero no en el libro; se conserva{meas}.",
    "kept_meas": " (tiene {n} valores capturados)",
    "kept_var": "la variable «{var}» del indicador {key} ya no aparece en la fórmula; se conserva.",
    "renamed": "la clave {old} ya existe en otro programa; el indicador se creará como {new}.",
    "clash": "la clave de indicador {key} ya existe en otro programa.",
    "long_unit": "la unidad de medida tiene {n} caracteres (máximo 80); se recortó y el texto completo quedó en "
                 "Observaciones.",
    "no_agency": "la dependencia «{text}» no existe en la base; el programa queda sin dependencia.",
    "summary": "{new_p} programas nuevos, {upd_p} programas actualizados, {new_o} objetivos nuevos, "
               "{new_i} indicadores nuevos, {mod} campos modificados",
    "head": "Importación de MIR desde «{file}» (ejercicio {year}):",
}

# parsed field (sheet column) → (IndicatorDoc / Indicator attribute, Spanish field name for the audit)
FIELDS = {
    "indicador": ("name", "nombre"), "formula": ("formula", "método de cálculo"),
    "frecuencia": ("frequency", "frecuencia"), "unidad": ("unit", "unidad de medida"),
    "meta": ("annual_target", "meta anual"), "medios": ("verification_sources", "medios de verificación"),
    "definicion": ("definition", "definición"), "tipo": ("type", "tipo"), "dimension": ("dimension", "dimensión"),
    "sentido": ("direction", "sentido"), "linea_base": ("baseline_value", "línea base"),
    "anio_linea_base": ("baseline_year", "año de línea base"),
}


@dataclass
class Change:
    kind: str  # programa_nuevo | objetivo_nuevo | indicador_nuevo | modificar
    program: str
    key: str
    field: str = ""
    old: object = None
    new: object = None

    def text(self) -> str:
        if self.kind == "programa_nuevo":
            return f"Programa nuevo {self.program}: {self.new}"
        if self.kind == "objetivo_nuevo":
            return f"Objetivo nuevo {self.key}: {str(self.new)[:80]}"
        if self.kind == "indicador_nuevo":
            return f"Indicador nuevo {self.key}: {str(self.new)[:80]}"
        return f"Modificar {self.key} · {self.field}: «{_short(self.old)}» → «{_short(self.new)}»"

    def as_json(self) -> dict:
        return {"tipo": self.kind, "programa": self.program, "clave": self.key, "campo": self.field,
                "anterior": audit._text(self.old), "nuevo": audit._text(self.new)}


def _short(v) -> str:
    t = audit._text(v) or ""
    return t if len(t) <= 60 else t[:57] + "…"


@dataclass
class ImportPlan:
    file: str
    year: int
    parse: WorkbookParse
    new_docs: list[ProgramDoc] = field(default_factory=list)
    updates: list[ProgramDoc] = field(default_factory=list)
    given: dict[str, set] = field(default_factory=dict)  # indicator key → fields present in the workbook
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # indicator key → (sheet, row)
    changes: list[Change] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    ignored: list[Issue] = field(default_factory=list)

    def counts(self) -> dict:
        k = [c.kind for c in self.changes]
        return {"programas_nuevos": len(self.new_docs), "programas_actualizados": len(self.updates),
                "objetivos_nuevos": k.count("objetivo_nuevo") + sum(len(d.objectives) for d in self.new_docs),
                "indicadores_nuevos": k.count("indicador_nuevo") + sum(len(d.indicators) for d in self.new_docs),
                "campos_modificados": k.count("modificar"),
                "indicadores_leidos": self.parse.indicator_count()}

    def as_json(self) -> dict:
        return {"archivo": self.file, "ejercicio": self.year, **self.counts(),
                "programas": [{"clave": p.key, "nombre": p.name, "hoja": p.sheet, "objetivos": len(p.objectives),
                               "indicadores": sum(len(o.indicators) for o in p.objectives)}
                              for p in self.parse.programs],
                "cambios": [c.as_json() for c in self.changes],
                "errores": [e.as_json() for e in self.errors],
                "advertencias": [w.as_json() for w in self.warnings],
                "ignorado": [i.as_json() for i in self.ignored]}

    def summary(self) -> str:
        c = self.counts()
        return MSG["summary"].format(new_p=c["programas_nuevos"], upd_p=c["programas_actualizados"],
                                     new_o=c["objetivos_nuevos"], new_i=c["indicadores_nuevos"],
                                     mod=c["campos_modificados"])

    def as_text(self) -> str:
        out = [MSG["head"].format(file=self.file, year=self.year)]
        for p in self.parse.programs:
            out.append(f"  Programa {p.key} «{p.name}» (hoja «{p.sheet}»): {len(p.objectives)} objetivos, "
                       f"{sum(len(o.indicators) for o in p.objectives)} indicadores")
        out.append("  " + self.summary())
        for ch in self.changes:
            out.append("  " + ch.text())
        for title, items in (("Errores", self.errors), ("Advertencias", self.warnings),
                             ("Ignorado", self.ignored)):
            if items:
                out.append(f"{title} ({len(items)}):")
                out += [f"  - {i.text()}" for i in items]
        return "\n".join(out)


# ------------------------------------------------------------------------------------------------

def _match_agency(agencies: list[Agency], text: str) -> str | None:
    if not text:
        return None
    t = xc.norm(text)
    for a in agencies:
        if xc.norm(a.key) == t or (a.acronym and xc.norm(a.acronym) == t):
            return a.key
    for a in agencies:
        if a.name and xc.norm(a.name) and xc.norm(a.name) in t:
            return a.key
    first = text.replace(".-", " ").replace("—", " ").split()
    if first:
        tok = xc.norm(first[0])
        for a in agencies:
            if tok and (tok == xc.norm(a.key) or tok == xc.norm(a.acronym or "")):
                return a.key
    return None


def preview_import(db: Database, path: str | Path, *, year: int | None = None) -> ImportPlan:
    """Read the workbook and compare it with the database; writes nothing."""
    parsed = parse_workbook(path, year)
    with db.reading() as s:
        default_year = year or next((p.fiscal_year for p in parsed.programs if p.fiscal_year), None)
        if default_year is None:
            default_year = s.scalar(select(func.max(FiscalYear.year))) or date.today().year
        plan = ImportPlan(file=Path(path).name, year=default_year, parse=parsed, errors=list(parsed.errors),
                          warnings=list(parsed.warnings), ignored=list(parsed.ignored))
        agencies = list(s.scalars(select(Agency)))
        for p in parsed.programs:
            p.fiscal_year = default_year
            agency_key = _match_agency(agencies, p.agency_text)
            if p.agency_text and agency_key is None:
                plan.warnings.append(Issue(p.sheet, p.header_row, MSG["no_agency"].format(text=p.agency_text[:80])))
            doc = to_program_doc(p, agency_key)
            for ind in doc.indicators:
                if len(ind.unit) > 80:  # the database keeps 80 characters; the whole text goes to the notes
                    where = plan.rows.get(ind.key, (p.sheet, None))
                    plan.warnings.append(Issue(where[0], where[1], MSG["long_unit"].format(n=len(ind.unit)),
                                               field="Unidad de medida"))
                    ind.notes = (ind.notes + "\n" if ind.notes else "") + f"Unidad de medida: {ind.unit}"
                    ind.unit = ind.unit[:79] + "…"
            for o in p.objectives:
                for ind, given, r in zip(o.indicators, o.given, o.rows):
                    plan.given[ind.key] = given
                    plan.rows[ind.key] = (p.sheet, r)
            row = _existing_program(s, default_year, p.key)
            if row is None:
                _rename_clashes(s, doc, plan, p.sheet)
                plan.new_docs.append(doc)
                plan.changes.append(Change("programa_nuevo", doc.key, doc.key, new=f"{doc.name} "
                                           f"({len(doc.objectives)} objetivos, {len(doc.indicators)} indicadores)"))
            else:
                plan.updates.append(doc)
                _update(s, row, doc, plan, actor=None, execute=False)
    return plan


def _existing_program(s: Session, year: int, key: str) -> Program | None:
    return s.scalars(select(Program).join(FiscalYear, FiscalYear.id == Program.fiscal_year_id)
                     .where(FiscalYear.year == year, Program.key == key)).first()


def _rename_clashes(s: Session, doc: ProgramDoc, plan: ImportPlan, sheet: str) -> None:
    keys = [i.key for i in doc.indicators]
    taken = set(s.scalars(select(Indicator.key).where(Indicator.key.in_(keys)))) if keys else set()
    for ind in doc.indicators:
        if ind.key in taken:
            new = f"{ind.key}-{plan.year}"
            if s.scalar(select(Indicator.id).where(Indicator.key == new)) is not None:
                plan.errors.append(Issue(sheet, None, MSG["clash"].format(key=ind.key)))
                continue
            plan.warnings.append(Issue(sheet, None, MSG["renamed"].format(old=ind.key, new=new)))
            plan.given[new] = plan.given.pop(ind.key, set())
            for o in doc.objectives:
                o.indicator_keys = [new if k == ind.key else k for k in o.indicator_keys]
            ind.key = new


def _norm_name(text: str) -> str:
    return xc.norm(text)


def _update(s: Session, prog: Program, doc: ProgramDoc, plan: ImportPlan, *, actor: CurrentUser | None,
            execute: bool) -> None:
    """Compare (and with ``execute`` apply) one existing program against the workbook's document."""
    objs = {o.key: o for o in s.scalars(select(Objective).where(Objective.program_id == prog.id))}
    inds = list(s.scalars(select(Indicator).join(Objective, Objective.id == Indicator.objective_id)
                          .where(Objective.program_id == prog.id)))
    by_key = {i.key: i for i in inds}
    by_name = {(i.objective_id, _norm_name(i.name)): i for i in inds}
    matched: set[int] = set()

    def change(kind, key, fld="", old=None, new=None, entity="", attr=None, target=None):
        plan.changes.append(Change(kind, prog.key, key, fld, old, new))
        if execute and kind == "modificar":
            setattr(target, attr, new)
            audit.record(s, actor, entity, key, fld, old, new, action="importar", reason=f"libro {plan.file}")

    if doc.name and doc.name != prog.name and doc.name != doc.key:
        change("modificar", prog.key, "nombre", prog.name, doc.name, "program", "name", prog)
    order_base = max([o.order for o in objs.values()] + [0]) + 1
    obj_rows: dict[str, Objective] = {}
    for i, o in enumerate(doc.objectives):
        row = objs.get(o.key)
        if row is None:
            plan.changes.append(Change("objetivo_nuevo", prog.key, o.key, new=o.text))
            if execute:
                parent = obj_rows.get(o.parent_key or "") or objs.get(o.parent_key or "")
                row = Objective(program_id=prog.id, parent_id=parent.id if parent else None, key=o.key,
                                level=o.level, text=o.text, assumptions=list(o.assumptions), order=order_base + i)
                s.add(row)
                s.flush()
                audit.record(s, actor, "objective", o.key, "", None, o.text, action="importar",
                             reason=f"libro {plan.file}")
        else:
            if o.text and o.text != row.text:
                change("modificar", o.key, "resumen narrativo", row.text, o.text, "objective", "text", row)
            if o.assumptions and list(o.assumptions) != list(row.assumptions or []):
                change("modificar", o.key, "supuestos", list(row.assumptions or []), list(o.assumptions),
                       "objective", "assumptions", row)
        if row is not None:
            obj_rows[o.key] = row
    for ind in doc.indicators:
        orow = obj_rows.get(ind.objective_key or "") or objs.get(ind.objective_key or "")
        row = by_key.get(ind.key)
        if row is None and orow is not None:
            row = by_name.get((orow.id, _norm_name(ind.name)))
        if row is None:
            if ind.key in {i.key for i in inds} or (s.scalar(select(Indicator.id).where(Indicator.key == ind.key))
                                                    is not None):
                ind.key = f"{ind.key}-{plan.year}"
            plan.changes.append(Change("indicador_nuevo", prog.key, ind.key, new=ind.name))
            if execute:
                _insert_indicator(s, orow, ind, actor, plan.file)
            continue
        matched.add(row.id)
        given = plan.given.get(ind.key, set())
        for f, (attr, fname) in FIELDS.items():
            if f not in given:
                continue
            new = getattr(ind, attr)
            old = getattr(row, attr)
            if attr == "verification_sources":
                old = list(old or [])
                if not new:
                    continue
            if attr in ("annual_target", "baseline_value", "baseline_year") and new is None:
                continue
            if attr == "formula" and not new:
                continue
            if isinstance(new, str) and not new and attr not in ("formula",):
                continue
            if new != old:
                change("modificar", row.key, fname, old, new, "indicator", attr, row)
                if attr == "formula" and execute:
                    _sync_variables(s, row, ind, actor, plan)
        if not execute and (ind.formula or "") == (row.formula or ""):
            where = plan.rows.get(ind.key)  # same formula: its variables already exist, nothing to warn
            plan.warnings = [w for w in plan.warnings if not (where and (w.sheet, w.row) == where
                                                               and w.field == "Método de cálculo")]
    for row in inds:
        if row.id in matched:
            continue
        if any(c.kind == "indicador_nuevo" and c.key == row.key for c in plan.changes):
            continue
        n = s.scalar(select(func.count(Measurement.id)).join(Variable, Variable.id == Measurement.variable_id)
                     .where(Variable.indicator_id == row.id)) or 0
        meas = MSG["kept_meas"].format(n=n) if n else ""
        if not execute:
            plan.ignored.append(Issue(prog.key, None, MSG["kept"].format(key=row.key, name=row.name[:60], meas=meas)))


def _insert_indicator(s: Session, orow: Objective, ind: IndicatorDoc, actor, file: str) -> None:
    order = (s.scalar(select(func.max(Indicator.order)).where(Indicator.objective_id == orow.id)) or 0) + 1
    row = Indicator(objective_id=orow.id, key=ind.key, order=order, name=ind.name, definition=ind.definition,
                    formula_type=ind.formula_type, formula=ind.formula, unit=ind.unit, type=ind.type,
                    dimension=ind.dimension, direction=ind.direction or "ascendente",
                    frequency=ind.frequency or "anual", reporting_mode="acumulado",
                    baseline_value=ind.baseline_value, baseline_year=ind.baseline_year,
                    annual_target=ind.annual_target, annual_target_original=ind.annual_target,
                    verification_sources=list(ind.verification_sources), notes=ind.notes or "", history=[],
                    multi_year_targets=[], status="borrador")
    s.add(row)
    s.flush()
    for i, v in enumerate(ind.variables):
        s.add(Variable(indicator_id=row.id, key=v.key, name=v.name, description=v.description, unit=v.unit,
                       source=v.source, role=v.role, accumulation=v.accumulation, order=i))
    audit.record(s, actor, "indicator", ind.key, "", None, ind.name, action="importar", reason=f"libro {file}")


def _sync_variables(s: Session, row: Indicator, ind: IndicatorDoc, actor, plan: ImportPlan) -> None:
    """A changed formula: add the variables it names that the indicator lacks (never delete any)."""
    existing = {v.key for v in s.scalars(select(Variable).where(Variable.indicator_id == row.id))}
    n = len(existing)
    for v in variables_for(ind.formula) if ind.formula else []:
        if v.key not in existing:
            s.add(Variable(indicator_id=row.id, key=v.key, name=v.name, role=v.role, accumulation=v.accumulation,
                           order=n))
            n += 1
            audit.record(s, actor, "variable", f"{row.key}/{v.key}", "", None, v.key, action="importar",
                         reason=f"libro {plan.file}")
    ft = formula_type_of(ind.formula) if ind.formula else ""
    if ft and ft != row.formula_type:
        audit.record(s, actor, "indicator", row.key, "tipo de fórmula", row.formula_type, ft, action="importar")
        row.formula_type = ft


def apply_import(db: Database, plan: ImportPlan, *, actor: CurrentUser = SYSTEM) -> str:
    """Create and update everything of the plan in one transaction (all or nothing)."""
    actor.require("administrador", action="importar una MIR")
    if plan.errors:
        raise ServiceError(MSG["refused"].format(n=len(plan.errors)), [e.text() for e in plan.errors])
    with db.transaction() as s:
        if plan.new_docs:
            doc = ExchangeDoc(fiscal_year=plan.year, programs=plan.new_docs)
            load_into(s, doc, actor=actor, source=f"importar mir {plan.file}")
        if plan.updates:
            scratch = ImportPlan(file=plan.file, year=plan.year, parse=plan.parse, given=plan.given)
            for doc in plan.updates:
                row = _existing_program(s, plan.year, doc.key)
                if row is None:  # pragma: no cover - deleted between preview and apply
                    raise ServiceError(f"El programa {doc.key} ya no existe; vuelva a generar la vista previa.")
                _update(s, row, doc, scratch, actor=actor, execute=True)
        audit.record(s, actor, "archivo", plan.file, "", None, plan.summary(), action="importar")
    return plan.summary()
