"""Content of the state formats (issue 16, Estado de México): PbRM-01c, 02a, 01d, 01e, 08b, 08c, the Tarjeta de
justificación and the Formato de reconducción, for one quarter (``YYYY-Tn``) and one dependencia or all.

Everything here is read from the database and computed with the engine (``core.engine.compute_indicator`` over
the documents of ``services.documents.read_programs``), never re-implemented: a quarter's figures are the
engine's cumulative result over the periods of the indicator that end in the quarter; the accumulated figures
are its cumulative result at the quarter's last day. Only validated progress counts: a measurement (or a meta's
achieved value) is used when the workflow month in which its period ends is «Validado» or «Cerrado» for the
program's dependencia. EF% and semáforo use the profile's ranges (``services.profiles.current(session)``), else
the organization's preset.

The result is a ``FormatDoc``: sections (one per program, indicator or project) made of a header (label, value
pairs) and blocks (``FTable``, ``FText``, ``FSign``) that ``reports.formats`` draws as PDF and writes as Excel.
No Qt here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from sqlalchemy import select

from ..core import periods
from ..core.engine import accumulate, compute_indicator
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.numbers import fmt_es, round2
from ..core.semaforo import OVERACHIEVEMENT_FLAGS
from ..core.types import LABELS, label
from ..db.database import Database
from ..db.models import (ActivityGoal, ActivityGoalQuarter, Agency, FiscalYear, Indicator, Justification,
                         Organization, PeriodState, PlanElement, Program, Project, Reconduction, Target, Variable)
from ..services import profiles
from ..services.documents import read_programs
from ..services.errors import ServiceError
from ..services.mir_view import mir_order
from ..services.progress import presets_by_key, resolve_preset

FORMATS = ("pbrm-01c", "pbrm-02a", "pbrm-01d", "pbrm-01e", "pbrm-08b", "pbrm-08c", "tarjeta", "reconduccion")
QUARTERS = ("T1", "T2", "T3", "T4")
VALID_STATES = frozenset({"validado", "cerrado"})
_HUNDRED = Decimal(100)

TITLES = {
    "pbrm-01c": ("PbRM-01c", "Programa anual de metas de actividad por proyecto"),
    "pbrm-02a": ("PbRM-02a", "Calendarización trimestral de metas de actividad por proyecto"),
    "pbrm-01d": ("PbRM-01d", "Ficha técnica de diseño de indicadores estratégicos o de gestión"),
    "pbrm-01e": ("PbRM-01e", "Matriz de Indicadores para Resultados por programa presupuestario y dependencia general"),
    "pbrm-08b": ("PbRM-08b", "Ficha técnica de seguimiento de indicadores"),
    "pbrm-08c": ("PbRM-08c", "Avance trimestral de metas de actividad por proyecto"),
    "tarjeta": ("Tarjeta de justificación", "Resultados fuera de la banda del semáforo"),
    "reconduccion": ("Formato de reconducción", "Modificación de metas de indicadores y de actividad"),
}

TEXT = {
    "bad_format": "Formato «{f}» no válido; use uno de: {all}.",
    "bad_quarter": "El trimestre debe escribirse AAAA-Tn, por ejemplo 2026-T3 (se recibió «{q}»).",
    "no_year": "No hay ejercicio fiscal {y} en la base de datos.",
    "cancelled": "Generación cancelada.",
    "ente": "Ente público", "trimestre": "Trimestre", "ejercicio": "Ejercicio",
    "pilar": "Pilar / Eje transversal", "tema": "Tema de desarrollo", "pp": "Programa presupuestario",
    "objetivo_pp": "Objetivo del programa presupuestario", "dg": "Dependencia General",
    "da": "Dependencia Auxiliar", "proyecto": "Proyecto", "indicador": "Indicador",
    "estructura": "Estructura del indicador",
    "calendario": "Calendarización trimestral",
    "resultado_esperado": "Resultado esperado %",
    "desc_meta_anual": "Descripción de la meta anual", "desc_meta": "Descripción de la meta",
    "medios": "Medios de verificación", "metas_rel": "Metas de actividad relacionadas y avance",
    "vars": "Comportamiento de las variables", "ind": "Comportamiento del indicador",
    "meta_anual_text": "Meta anual de {v} {u} ({ind}).",
    "meta_mod": "Meta anual modificada por reconducción: {v} (original: {o}).{oficio}",
    "oficio": " Oficio {o}.",
    "no_goals": "El programa no tiene metas de actividad registradas.",
    "none": "No hay datos de este formato para la selección: {why}",
    "why_projects": "ningún programa tiene proyectos con metas de actividad.",
    "why_programs": "no hay programas en la selección.",
    "why_tarjeta": "ningún resultado del trimestre está fuera de la banda del semáforo.",
    "why_recon": "no hay solicitudes de reconducción registradas en el trimestre.",
    "sin_tarjeta": "Sin tarjeta capturada.",
    "todas": "Todas las dependencias",
    "placeholder": "Nombre y cargo",
    "no_aplica": "No aplica en el trimestre",
    "sin_dato": "—",
    "resultado": "Resultado", "hecho": "Hecho", "causa": "Causa", "accion": "Acción correctiva",
    "proyeccion": "Proyección",
    "kind_indicador": "Indicador", "kind_meta": "Meta de actividad",
    "recon_motivo": "Justificación de la reconducción",
    "recon_estado": "Estado", "recon_solicito": "Solicitó", "recon_autorizo": "Resolvió",
    "recon_oficio": "Oficio de autorización", "recon_nota": "Observaciones de la UIPPE",
    "estado_solicitada": "Solicitada (pendiente de autorización)", "estado_autorizada": "Autorizada",
    "estado_rechazada": "Rechazada",
}

STRUCTURE_FIELDS = (("Nombre del indicador", "name"), ("Fórmula de cálculo", "formula"),
                    ("Interpretación", "interpretation"), ("Dimensión que atiende", "dimension"),
                    ("Frecuencia de medición", "frequency"), ("Factor de comparación", "benchmark"),
                    ("Tipo de indicador", "type"), ("Descripción del factor de comparación", "benchmark_desc"),
                    ("Línea base", "baseline"))


# ------------------------------------------------------------------------------------------ documents
@dataclass
class FCol:
    title: str
    kind: str = "text"  # text | num | pct | light
    width: float = 10.0


@dataclass
class LightCell:
    light: str  # verde | amarillo | rojo | gris | no_aplica
    word: str
    over: bool = False  # over-achievement (drawn in the profile's overachievement colour)


@dataclass
class FTable:
    title: str
    columns: list[FCol]
    rows: list[list]  # cells: Decimal (num/pct), str, LightCell or None
    groups: list[tuple[str, int]] = field(default_factory=list)  # (group heading, columns spanned) above headings
    total_rows: set[int] = field(default_factory=set)


@dataclass
class FText:
    label: str
    text: str


@dataclass
class FSign:
    entries: list[tuple[str, str, str, str]]  # (Elaboró, role, name, cargo)


@dataclass
class Section:
    key: str  # short name (sheet names): program, indicator or project key
    header: list[tuple[str, str]]
    blocks: list = field(default_factory=list)


@dataclass
class FormatDoc:
    format_id: str
    code: str
    title: str
    org: str
    quarter: str
    quarter_label: str
    fiscal_year: int
    scope: str
    profile_name: str
    sections: list[Section] = field(default_factory=list)
    empty_reason: str = ""
    overachievement_color: str = ""
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ helpers
def parse_quarter(quarter: str) -> tuple[int, int]:
    try:
        year, _, last = periods.parse(quarter)
        if periods.frequency_of(quarter) != "trimestral":
            raise periods.PeriodError(quarter)
        n = last // 3
    except (periods.PeriodError, ValueError):
        raise ServiceError(TEXT["bad_quarter"].format(q=quarter)) from None
    return year, n


def quarter_id(year: int, n: int) -> str:
    return f"{year:04d}-T{n}"


def pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole × 100 (None when either is missing or the whole is zero)."""
    if part is None or whole is None or not whole:
        return None
    return part / whole * _HUNDRED


def num(x: Decimal | None) -> str:
    return TEXT["sin_dato"] if x is None else fmt_es(round2(x))


def _in_quarter(period: str, year: int, n: int) -> bool:
    end = periods.end_date(period)
    return end.year == year and (end.month - 1) // 3 + 1 == n


@dataclass
class QuarterFigures:
    """The engine's result over some periods: variable targets/values accumulated, indicator target/value, EF%."""

    target_vars: dict[str, Decimal] | None
    value_vars: dict[str, Decimal] | None
    target: Decimal | None
    value: Decimal | None
    ef: Decimal | None
    light: str
    flags: list[str]
    applies: bool = True


# ------------------------------------------------------------------------------------------ reading
class _Source:
    """Everything the formats read, in one reading session."""

    def __init__(self, db: Database | None, quarter: str, agency_key: str | None, *, session=None,
                 program_keys: list[str] | None = None):
        self.quarter = quarter
        self.year, self.qn = parse_quarter(quarter)
        if session is not None:
            self._read(session, agency_key, program_keys)
        else:
            with db.reading() as s:
                self._read(s, agency_key, program_keys)
        self.org_doc = self.pset.organization
        self.semaforo = self.profile.semaforo

    def _read(self, s, agency_key: str | None, program_keys: list[str] | None) -> None:
        fy = s.scalars(select(FiscalYear).where(FiscalYear.year == self.year)).first()
        if fy is None:
            raise ServiceError(TEXT["no_year"].format(y=self.year))
        self.pset = read_programs(s, self.year, program_keys, agency_key)
        self.profile = profiles.current(s)
        org = s.scalars(select(Organization)).first()
        self.org_name = org.name if org else ""
        self.settings = dict(org.settings or {}) if org else {}
        presets = presets_by_key(s)
        self.org_preset_key = org.preset_key if org else None
        self.presets = presets
        self.agencies = {a.key: a for a in s.scalars(select(Agency))}
        agency_of_id = {a.id: a.key for a in self.agencies.values()}
        progs = list(s.scalars(select(Program).where(Program.fiscal_year_id == fy.id)))
        keys = {p.key for p in self.pset.programs}
        self.program_row = {p.key: p for p in progs if p.key in keys}
        elements = {e.id: e for e in s.scalars(select(PlanElement))}
        self.alignment = {k: self._alignment(p, elements) for k, p in self.program_row.items()}
        prog_ids = {p.id: p.key for p in self.program_row.values()}
        self.projects: dict[str, list[Project]] = defaultdict(list)
        goal_rows: dict[int, list[ActivityGoal]] = defaultdict(list)
        self.quarters: dict[int, dict[str, ActivityGoalQuarter]] = defaultdict(dict)
        if prog_ids:
            projs = list(s.scalars(select(Project).where(Project.program_id.in_(list(prog_ids)))
                                   .order_by(Project.order, Project.key)))
            for pr in projs:
                self.projects[prog_ids[pr.program_id]].append(pr)
            pids = [pr.id for pr in projs]
            goals = list(s.scalars(select(ActivityGoal).where(ActivityGoal.project_id.in_(pids))
                                   .order_by(ActivityGoal.order, ActivityGoal.id))) if pids else []
            for g in goals:
                goal_rows[g.project_id].append(g)
            gids = [g.id for g in goals]
            for q in (s.scalars(select(ActivityGoalQuarter).where(ActivityGoalQuarter.goal_id.in_(gids)))
                      if gids else []):
                self.quarters[q.goal_id][q.period] = q
            for pr in projs:
                s.expunge(pr)
            for g in goals:
                s.expunge(g)
            for qs in self.quarters.values():
                for q in qs.values():
                    s.expunge(q)
        self.goals = goal_rows
        self.states = {(agency_of_id.get(aid), per): st for per, aid, st in
                       s.execute(select(PeriodState.period, PeriodState.agency_id, PeriodState.status))}
        ind_ids: dict[int, str] = {}
        ind_keys = {i.key for p in self.pset.programs for i in p.indicators}
        for iid, key, orig in s.execute(select(Indicator.id, Indicator.key, Indicator.annual_target_original)):
            if key in ind_keys:
                ind_ids[iid] = key
        self.indicator_key_of = ind_ids
        # approved (original) calendar of every variable, for the 01d and the reconducción check
        self.original_targets: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        var_q = (select(Variable.indicator_id, Variable.key, Target.period, Target.original_value)
                 .join(Target, Target.variable_id == Variable.id))
        for iid, vkey, per, orig in s.execute(var_q):
            key = ind_ids.get(iid)
            if key is not None:
                self.original_targets[key][per][vkey] = orig
        self.justifications: dict[tuple[str, str], Justification] = {}
        self.justified_periods: dict[str, set[str]] = defaultdict(set)
        for j in s.scalars(select(Justification)):
            key = ind_ids.get(j.indicator_id)
            if key is not None:
                self.justifications[(key, j.period)] = j
                self.justified_periods[key].add(j.period)
                s.expunge(j)
        self.goal_key_of = {g.id: g for gs in goal_rows.values() for g in gs}
        self.reconductions = []
        for r in s.scalars(select(Reconduction).order_by(Reconduction.requested_at, Reconduction.id)):
            if (r.indicator_id in ind_ids) or (r.goal_id in self.goal_key_of):
                s.expunge(r)
                self.reconductions.append(r)
        self.project_of_goal = {g.id: pr for pr_list in self.projects.values() for pr in pr_list
                                for g in goal_rows.get(pr.id, [])}
        self.program_of_project = {pr.id: k for k, prs in self.projects.items() for pr in prs}
        self.indicator_ids = {v: k for k, v in ind_ids.items()}

    @staticmethod
    def _alignment(p: Program, elements: dict) -> tuple[str, str]:
        """(Pilar / Eje, Tema) from the PDM element the program is aligned to, else the alignment text."""
        eje = tema = ""
        e = elements.get(p.plan_element_id) if p.plan_element_id else None
        while e is not None:
            text = f"{e.code} {e.text}".strip()
            if e.kind == "eje":
                eje = text
            elif e.kind == "objetivo":
                tema = text
            e = elements.get(e.parent_id) if e.parent_id else None
        al = p.alignment_text or {}
        return eje or str(al.get("eje") or ""), tema or str(al.get("objetivo") or "")

    # -- validated progress
    def validated(self, agency_key: str | None, period: str) -> bool:
        month = periods.months_of(period)[-1]
        return self.states.get((agency_key, month)) in VALID_STATES

    def preset_for(self, prog: ProgramDoc, ind: IndicatorDoc):
        if self.semaforo is not None:
            return self.semaforo
        return resolve_preset(self.presets, self.org_preset_key, prog, ind)

    def light_word(self, light: str, flags) -> LightCell:
        over = any(f in OVERACHIEVEMENT_FLAGS for f in flags)
        word = self.profile.label(light, LABELS.get(light, light))
        if over:
            word += " · " + LABELS.get("SOBRECUMPLIMIENTO", "Sobrecumplimiento")
        return LightCell(light, word, over)


# ------------------------------------------------------------------------------------------ indicator figures
class IndicatorFigures:
    """The 08b / 01d figures of one indicator for the selected quarter, all from the engine."""

    def __init__(self, src: _Source, prog: ProgramDoc, ind: IndicatorDoc):
        self.ind = ind
        self.spec = ind.spec()
        self.preset = src.preset_for(prog, ind)
        year, qn = src.year, src.qn
        self.year = year
        self.values = {m.period: m.values for m in ind.measurements
                       if len(m.values) == len(ind.variables) and src.validated(prog.agency_key, m.period)}
        self.targets = ind.targets
        self.original = {p: dict(v) for p, v in src.original_targets.get(ind.key, {}).items()}
        self.justified = src.justified_periods.get(ind.key, frozenset())
        cutoff = periods.end_date(quarter_id(year, qn))
        full = compute_indicator(self.spec, self.targets, self.values, cutoff, self.preset, fiscal_year=year,
                                 justified_periods=self.justified)
        self.calendar = full.calendar
        self.annual_vars = full.annual_target_variables
        self.annual_target = full.annual_target
        self.acc_keys = [(v.key, v.accumulation) for v in self.spec.variables]
        orig_annual = accumulate([self.original[p] for p in self.calendar if p in self.original], self.acc_keys)
        self.original_annual_vars = orig_annual
        self.cumulative = self._figures(full.cumulative, bool(full.cumulative.due_periods))
        self.quarter = self.quarter_figures(qn)
        self.quarter_periods = [p for p in self.calendar if _in_quarter(p, year, qn)]

    def _figures(self, cum, applies: bool) -> QuarterFigures:
        return QuarterFigures(cum.target_variables, cum.variables, cum.target, cum.value,
                              cum.progress, str(cum.light), [f for f in cum.flags if f != "DATOS_INCOMPLETOS"],
                              applies)

    def quarter_figures(self, n: int, targets: dict | None = None) -> QuarterFigures:
        """The engine over the indicator's periods that end in quarter ``n`` (``targets``: another calendar,
        e.g. the original one)."""
        targets = self.targets if targets is None else targets
        own = [p for p in self.calendar if _in_quarter(p, self.year, n)]
        if not own:
            return QuarterFigures(None, None, None, None, None, "no_aplica", [], False)
        cutoff = periods.end_date(quarter_id(self.year, n))
        res = compute_indicator(self.spec, {p: targets[p] for p in own if p in targets},
                                {p: self.values[p] for p in own if p in self.values}, cutoff, self.preset,
                                fiscal_year=self.year, justified_periods=self.justified)
        return self._figures(res.cumulative, True)

    def modified(self) -> bool:
        return bool(self.original_annual_vars) and self.annual_vars is not None and any(
            self.original_annual_vars.get(k) != v for k, v in self.annual_vars.items())

    def original_annual_target(self) -> Decimal | None:
        if not self.original_annual_vars:
            return None
        res = compute_indicator(self.spec, {p: self.original[p] for p in self.calendar if p in self.original}, {},
                                date_end(self.year), self.preset, fiscal_year=self.year)
        return res.annual_target


def _figures_or_none(src: _Source, prog: ProgramDoc, ind: IndicatorDoc) -> IndicatorFigures | None:
    """None for an indicator the engine cannot compute (a code outside the catalogue)."""
    try:
        ind.spec()
    except ValueError:
        return None
    return IndicatorFigures(src, prog, ind)


def date_end(year: int):
    return periods.end_date(f"{year:04d}-T4")


# ------------------------------------------------------------------------------------------ building
def build_format(db: Database, format_id: str, quarter: str, agency_key: str | None = None, *,
                 progress: Callable[[int, str], None] | None = None) -> FormatDoc:
    """The content of one format for ``quarter`` (``YYYY-Tn``) and one dependencia (clave or siglas) or all.
    ``progress(percent, message)`` may raise to cancel."""
    if format_id not in FORMATS:
        raise ServiceError(TEXT["bad_format"].format(f=format_id, all=", ".join(FORMATS)))
    if progress:
        progress(2, "Leyendo programas…")
    src = _Source(db, quarter, agency_key)
    code, title = TITLES[format_id]
    scope = TEXT["todas"]
    if agency_key:
        ag = src.agencies.get(agency_key) or next((a for a in src.agencies.values() if a.acronym == agency_key), None)
        scope = f"{ag.key} {ag.name}" if ag else agency_key
    doc = FormatDoc(format_id, code, title, src.org_name or "Organización", quarter, periods.label(quarter),
                    src.year, scope, src.profile.name, overachievement_color=src.profile.overachievement_color)
    builder = _BUILDERS[format_id]
    builder(src, doc, progress)
    if not doc.sections and not doc.empty_reason:
        doc.empty_reason = TEXT["why_programs"]
    return doc


def _computable(src: _Source, progress, what: str):
    """(program, MIR indicator, its figures) for every indicator the engine can compute, reporting ``what`` as
    progress (the 01d, 08b and tarjeta go through the same indicators)."""
    all_inds = [(p, i) for p in src.pset.programs for i in _mir_indicators(p)]
    for n, (prog, ind) in enumerate(all_inds):
        _step(progress, n, len(all_inds), what)
        fig = _figures_or_none(src, prog, ind)
        if fig is not None:
            yield prog, ind, fig


def _step(progress, i: int, n: int, what: str) -> None:
    if progress and (i % 25 == 0 or i == n - 1):
        progress(5 + int(55 * i / max(1, n)), what)


def _agency(src: _Source, prog: ProgramDoc) -> str:
    a = src.agencies.get(prog.agency_key or "")
    return f"{a.key} {a.name}" if a else TEXT["sin_dato"]


def _auxiliaries(src: _Source, prog: ProgramDoc) -> str:
    seen = []
    for pr in src.projects.get(prog.key, []):
        t = f"{pr.auxiliary_key} {pr.auxiliary_name}".strip()
        if t and t not in seen:
            seen.append(t)
    return ", ".join(seen) or TEXT["sin_dato"]


def _program_objective(prog: ProgramDoc) -> str:
    for o in prog.objectives:
        if o.level == "PROPOSITO" and o.text:
            return o.text
    return prog.problem or TEXT["sin_dato"]


def _program_header(src: _Source, prog: ProgramDoc, *, quarter: bool, auxiliary: str | None = None) -> list:
    eje, tema = src.alignment.get(prog.key, ("", ""))
    h = [(TEXT["ente"], src.org_name), (src.profile.label("plan_eje", TEXT["pilar"]), eje or TEXT["sin_dato"]),
         (src.profile.label("plan_objetivo", TEXT["tema"]), tema or TEXT["sin_dato"]),
         (TEXT["pp"], f"{prog.key} {prog.name}"), (TEXT["objetivo_pp"], _program_objective(prog)),
         (TEXT["dg"], _agency(src, prog)), (TEXT["da"], auxiliary if auxiliary is not None else _auxiliaries(src, prog)),
         (TEXT["ejercicio"], str(src.year))]
    if quarter:
        h.append((TEXT["trimestre"], periods.label(src.quarter)))
    return h


def _signatures(src: _Source, prog: ProgramDoc | None) -> FSign:
    entries = []
    for sig in src.profile.signatures:
        v = src.settings.get("firma_" + sig.key) or {}
        if isinstance(v, str):
            v = {"nombre": v}
        name = str(v.get("nombre") or "").strip()
        cargo = str(v.get("cargo") or "").strip()
        if not name and sig.key == "elaboro" and prog is not None:
            ag = src.agencies.get(prog.agency_key or "")
            if ag is not None and ag.head:  # the titular de la dependencia of this program
                name, cargo = ag.head, cargo or f"Titular de {ag.name}"
        entries.append((sig.label, sig.role, name or TEXT["placeholder"], cargo))
    return FSign(entries)


def _ficha(ind: IndicatorDoc, key: str) -> str:
    if key == "baseline":
        if ind.baseline_unavailable:
            return "No disponible"
        if ind.baseline_value is None:
            return TEXT["sin_dato"]
        return fmt_es(ind.baseline_value) + (f" ({ind.baseline_year})" if ind.baseline_year else "")
    if key == "benchmark_desc":
        return ind.notes or TEXT["sin_dato"]
    value = getattr(ind, key, "")
    if key in ("dimension", "frequency", "type"):
        return label(value) if value else TEXT["sin_dato"]
    return str(value or TEXT["sin_dato"])


def _meta_description(ind: IndicatorDoc, approved: bool = False) -> str:
    """The meta anual in words; ``approved``: the one first approved (the 01d is the design ficha)."""
    target = ind.annual_target
    if approved and ind.annual_target_original is not None:
        target = ind.annual_target_original
    base = TEXT["meta_anual_text"].format(v=num(target), u=ind.unit or "", ind=ind.name).replace("  ", " ")
    return f"{ind.definition}\n{base}" if ind.definition else base


def _goal_progress(src: _Source, prog: ProgramDoc, goal: ActivityGoal, upto: int) -> tuple:
    """(annual, programmed in quarter ``upto``, achieved in it, programmed T1..Tupto, achieved T1..Tupto);
    achieved only from validated quarters."""
    qs = src.quarters.get(goal.id, {})
    prog_q = ach_q = None
    prog_acc = ach_acc = None
    for n in range(1, upto + 1):
        q = qs.get(quarter_id(src.year, n))
        p = q.programmed if q is not None else None
        a = q.achieved if q is not None and src.validated(prog.agency_key, quarter_id(src.year, n)) else None
        if p is not None:
            prog_acc = (prog_acc or Decimal(0)) + p
        if a is not None:
            ach_acc = (ach_acc or Decimal(0)) + a
        if n == upto:
            prog_q, ach_q = p, a
    return goal.annual_target, prog_q, ach_q, prog_acc, ach_acc


# -- PbRM-01d
def _build_01d(src: _Source, doc: FormatDoc, progress) -> None:
    for prog, ind, fig in _computable(src, progress, "Componiendo fichas de diseño…"):
        sec = Section(ind.key, _program_header(src, prog, quarter=False) + [(TEXT["indicador"], f"{ind.key} {ind.name}")])
        pairs = [[t, _ficha(ind, k)] for t, k in STRUCTURE_FIELDS]
        half = (len(pairs) + 1) // 2
        left, right = pairs[:half], pairs[half:] + [["", ""]] * (2 * half - len(pairs))
        sec.blocks.append(FTable(TEXT["estructura"], [FCol("Concepto", "text", 16), FCol("Descripción", "text", 34),
                                                      FCol("Concepto", "text", 16), FCol("Descripción", "text", 34)],
                                 [a + b for a, b in zip(left, right)]))
        cols = [FCol("Variable", "text", 30), FCol("Unidad de medida", "text", 12), FCol("Tipo de operación", "text", 12)] + [
            FCol(q, "num", 9) for q in QUARTERS] + [FCol("Total anual", "num", 10)]
        rows = []
        # the approved calendar (original targets) of every variable by quarter
        qfig = [fig.quarter_figures(n, fig.original or fig.targets) for n in range(1, 5)]
        annual_vars = fig.original_annual_vars or fig.annual_vars or {}
        for v in ind.variables:
            rows.append([v.name or v.key, v.unit or ind.unit, label(v.accumulation)] + [
                (q.target_vars or {}).get(v.key) if q.applies else None for q in qfig] + [annual_vars.get(v.key)])
        annual = fig.original_annual_target() if fig.original_annual_vars else fig.annual_target
        rows.append([TEXT["resultado_esperado"], ind.unit, ""] + [q.target if q.applies else None for q in qfig]
                    + [annual])
        sec.blocks.append(FTable(TEXT["calendario"], cols, rows, total_rows={len(rows) - 1}))
        sec.blocks.append(FText(TEXT["desc_meta_anual"], _meta_description(ind, approved=True)))
        sec.blocks.append(FText(TEXT["medios"], "; ".join(ind.verification_sources) or TEXT["sin_dato"]))
        goals = [(pr, g) for pr in src.projects.get(prog.key, []) for g in src.goals.get(pr.id, [])]
        grows = []
        for pr, g in goals:
            annual_g, _, _, p_acc, a_acc = _goal_progress(src, prog, g, src.qn)
            grows.append([f"{pr.key}-{g.key}", g.name, g.unit, annual_g, a_acc, pct(a_acc, annual_g)])
        if grows:
            sec.blocks.append(FTable(TEXT["metas_rel"], [FCol("ID", "text", 12), FCol("Meta de actividad", "text", 40),
                                                          FCol("Unidad", "text", 12), FCol("Programada anual", "num", 11),
                                                          FCol(f"Alcanzada al {src.quarter[-2:]}", "num", 11),
                                                          FCol("% de avance anual", "pct", 10)], grows))
        else:
            sec.blocks.append(FText(TEXT["metas_rel"], TEXT["no_goals"]))
        doc.sections.append(sec)


def _mir_indicators(prog: ProgramDoc) -> list[IndicatorDoc]:
    by_key = {i.key: i for i in prog.indicators}
    out = []
    for o in mir_order(prog):
        out += [by_key[k] for k in o.indicator_keys if k in by_key]
    seen = {id(i) for i in out}
    return out + [i for i in prog.indicators if id(i) not in seen]


# -- PbRM-01e
def _build_01e(src: _Source, doc: FormatDoc, progress) -> None:
    for n, prog in enumerate(src.pset.programs):
        _step(progress, n, len(src.pset.programs), "Componiendo matrices…")
        by_key = {i.key: i for i in prog.indicators}
        rows = []
        for o in mir_order(prog):
            inds = [by_key[k] for k in o.indicator_keys if k in by_key] or [None]
            for j, ind in enumerate(inds):
                lvl = src.profile.label(o.level, label(o.level)) if j == 0 else ""
                text = o.text if j == 0 else ""
                sup = "; ".join(o.assumptions) if j == 0 else ""
                if ind is None:
                    rows.append([lvl, text, "", "", "", "", sup])
                    continue
                rows.append([lvl, text, f"{ind.key} {ind.name}", ind.formula, label(ind.frequency) if ind.frequency else "",
                             "; ".join(ind.verification_sources), sup])
        cols = [FCol("Nivel", "text", 9), FCol("Resumen narrativo", "text", 26), FCol("Indicador", "text", 18),
                FCol("Fórmula", "text", 16), FCol("Frecuencia", "text", 8), FCol("Medios de verificación", "text", 14),
                FCol("Supuestos", "text", 14)]
        sec = Section(prog.key, _program_header(src, prog, quarter=False))
        sec.blocks.append(FTable("Matriz de Indicadores para Resultados", cols, rows))
        sec.blocks.append(_signatures(src, prog))
        doc.sections.append(sec)


# -- PbRM-08b
def _build_08b(src: _Source, doc: FormatDoc, progress) -> None:
    for prog, ind, fig in _computable(src, progress, "Componiendo fichas de seguimiento…"):
        doc.sections.append(_section_08b(src, prog, ind, fig))


VAR_COLS_08B = ([FCol("Variable", "text", 26), FCol("Unidad de medida", "text", 11), FCol("Tipo de operación", "text", 11),
                 FCol("Meta anual", "num", 9)]
                + [FCol("Programado", "num", 9), FCol("%", "pct", 7.5), FCol("Alcanzado", "num", 9), FCol("%", "pct", 7.5)] * 2)
VAR_GROUPS_08B = [("", 4), ("Avance trimestral", 4), ("Avance acumulado", 4)]
IND_COLS_08B = ([FCol("Meta anual", "num", 10)]
                + [FCol("Programado", "num", 10), FCol("Alcanzado", "num", 10), FCol("EF%", "pct", 8),
                   FCol("Semáforo", "light", 16)] * 2)
IND_GROUPS_08B = [("", 1), ("Trimestral", 4), ("Acumulado", 4)]


def _section_08b(src: _Source, prog: ProgramDoc, ind: IndicatorDoc, fig: IndicatorFigures) -> Section:
    sec = Section(ind.key, _program_header(src, prog, quarter=True) + [
        (TEXT["indicador"], f"{ind.key} {ind.name}"),
        ("Tipo de indicador", label(ind.type) if ind.type else TEXT["sin_dato"]),
        ("Frecuencia de medición", label(ind.frequency) if ind.frequency else TEXT["sin_dato"])])
    q, c = fig.quarter, fig.cumulative
    annual_vars = fig.annual_vars or {}
    rows = []
    for v in ind.variables:
        meta = annual_vars.get(v.key)
        cells = [v.name or v.key, v.unit or ind.unit, label(v.accumulation), meta]
        for f in (q, c):
            tp = (f.target_vars or {}).get(v.key) if f.applies else None
            va = (f.value_vars or {}).get(v.key) if f.applies else None
            cells += [tp, pct(tp, meta), va, pct(va, meta)]
        rows.append(cells)
    sec.blocks.append(FTable(TEXT["vars"], VAR_COLS_08B, rows, groups=VAR_GROUPS_08B))
    cells = [fig.annual_target]
    for f in (q, c):
        if not f.applies:
            cells += [None, None, None, LightCell("no_aplica", TEXT["no_aplica"])]
        else:
            cells += [f.target, f.value, None if f.ef is None else round2(f.ef),
                      src.light_word(f.light, f.flags) if f.value is not None else LightCell("gris", LABELS["gris"])]
    sec.blocks.append(FTable(TEXT["ind"], IND_COLS_08B, [cells], groups=IND_GROUPS_08B))
    if fig.modified():
        orig = fig.original_annual_target()
        oficio = next((r.oficio for r in reversed(src.reconductions) if r.indicator_id == src.indicator_ids.get(ind.key)
                       and r.status == "autorizada" and r.oficio), "")
        sec.blocks.append(FText("Meta modificada", TEXT["meta_mod"].format(
            v=num(fig.annual_target), o=num(orig), oficio=TEXT["oficio"].format(o=oficio) if oficio else "")))
    sec.blocks.append(FText(TEXT["desc_meta"], _meta_description(ind)))
    sec.blocks.append(FText(TEXT["medios"], "; ".join(ind.verification_sources) or TEXT["sin_dato"]))
    sec.blocks.append(_signatures(src, prog))
    return sec


# -- PbRM-01c, 02a, 08c: per proyecto
def _project_sections(src: _Source, doc: FormatDoc, progress, make_rows, quarter: bool) -> None:
    items = [(prog, pr) for prog in src.pset.programs for pr in src.projects.get(prog.key, [])]
    for n, (prog, pr) in enumerate(items):
        _step(progress, n, len(items), "Componiendo metas de actividad…")
        goals = src.goals.get(pr.id, [])
        if not goals:
            continue
        header = _program_header(src, prog, quarter=quarter, auxiliary=f"{pr.auxiliary_key} {pr.auxiliary_name}".strip()
                                 or TEXT["sin_dato"])
        header.insert(4, (src.profile.label("proyecto", TEXT["proyecto"]), f"{pr.key} {pr.name}"))
        sec = Section(pr.key, header)
        make_rows(src, prog, pr, goals, sec)
        sec.blocks.append(_signatures(src, prog))
        doc.sections.append(sec)
    if not doc.sections:
        doc.empty_reason = TEXT["why_projects"]


def _rows_01c(src, prog, pr, goals, sec) -> None:
    cols = [FCol("ID", "text", 6), FCol("Nombre de la meta de actividad", "text", 50), FCol("Unidad de medida", "text", 16),
            FCol("Cantidad programada anual", "num", 14), FCol("Cantidad vigente", "num", 14)]
    rows = [[g.key, g.name, g.unit, g.annual_target_original if g.annual_target_original is not None else g.annual_target,
             g.annual_target] for g in goals]
    sec.blocks.append(FTable("Metas de actividad del proyecto", cols, rows))


def _rows_02a(src, prog, pr, goals, sec) -> None:
    cols = [FCol("ID", "text", 5), FCol("Nombre de la meta de actividad", "text", 32), FCol("Unidad de medida", "text", 12),
            FCol("Programada anual", "num", 10)]
    for qn in QUARTERS:
        cols += [FCol("Meta", "num", 8), FCol("%", "pct", 6)]
    rows = []
    for g in goals:
        annual = g.annual_target_original if g.annual_target_original is not None else g.annual_target
        cells = [g.key, g.name, g.unit, annual]
        qs = src.quarters.get(g.id, {})
        for n in range(1, 5):
            q = qs.get(quarter_id(src.year, n))
            v = None if q is None else (q.programmed_original if q.programmed_original is not None else q.programmed)
            cells += [v, pct(v, annual)]
        rows.append(cells)
    groups = [("", 4)] + [(f"Trimestre {n}", 2) for n in range(1, 5)]
    sec.blocks.append(FTable("Calendarización trimestral", cols, rows, groups=groups))


COLS_08C = ([FCol("ID", "text", 3), FCol("Nombre de la meta de actividad", "text", 18), FCol("Unidad de medida", "text", 8),
             FCol("Programada anual", "num", 10)]
            + [FCol("Programada", "num", 8.5), FCol("%", "pct", 6.5), FCol("Alcanzada", "num", 8), FCol("%", "pct", 6.5),
               FCol("Variación", "num", 8), FCol("%", "pct", 6.5)] * 2)
GROUPS_08C = [("", 4), ("Avance trimestral", 6), ("Avance acumulado anual", 6)]


def _rows_08c(src, prog, pr, goals, sec) -> None:
    rows = []
    for g in goals:
        annual, pq, aq, pa, aa = _goal_progress(src, prog, g, src.qn)
        cells = [g.key, g.name, g.unit, annual]
        for p, a in ((pq, aq), (pa, aa)):
            var = None if p is None or a is None else a - p
            cells += [p, pct(p, annual), a, pct(a, annual), var, pct(var, p)]
        rows.append(cells)
    sec.blocks.append(FTable("Metas de actividad", COLS_08C, rows, groups=GROUPS_08C))


# -- Tarjeta de justificación
def _build_tarjeta(src: _Source, doc: FormatDoc, progress) -> None:
    for prog, ind, fig in _computable(src, progress, "Buscando resultados fuera de rango…"):
        outside = [(name, f) for name, f in (("Trimestral", fig.quarter), ("Acumulado", fig.cumulative))
                   if f.applies and f.value is not None and (f.light != "verde" or f.flags)]
        if not outside:
            continue
        sec = Section(ind.key, _program_header(src, prog, quarter=True) + [(TEXT["indicador"], f"{ind.key} {ind.name}")])
        rows = [[name, f.target, f.value, None if f.ef is None else round2(f.ef), src.light_word(f.light, f.flags)]
                for name, f in outside]
        sec.blocks.append(FTable(TEXT["resultado"], [FCol("Resultado", "text", 16), FCol("Programado", "num", 14),
                                                    FCol("Alcanzado", "num", 14), FCol("EF%", "pct", 10),
                                                    FCol("Semáforo", "light", 22)], rows))
        j = None
        for p in reversed(fig.quarter_periods or [src.quarter]):
            j = src.justifications.get((ind.key, p))
            if j is not None:
                break
        if j is None:
            for p in reversed(fig.calendar):
                if periods.end_date(p) <= periods.end_date(src.quarter):
                    j = src.justifications.get((ind.key, p))
                    if j is not None:
                        break
        parts = (j.fact, j.cause, j.improvement_actions, j.projection) if j is not None else ("", "", "", "")
        if not any(parts):
            sec.blocks.append(FText(TEXT["hecho"], TEXT["sin_tarjeta"]))
        else:
            for title, text in zip((TEXT["hecho"], TEXT["causa"], TEXT["accion"], TEXT["proyeccion"]), parts):
                sec.blocks.append(FText(title, text or TEXT["sin_dato"]))
        sec.blocks.append(_signatures(src, prog))
        doc.sections.append(sec)
    if not doc.sections:
        doc.empty_reason = TEXT["why_tarjeta"]


# -- Formato de reconducción
def _build_reconduccion(src: _Source, doc: FormatDoc, progress) -> None:
    progs = {p.key: p for p in src.pset.programs}
    ind_doc = {i.key: (p, i) for p in src.pset.programs for i in p.indicators}
    for n, r in enumerate(src.reconductions):
        if r.period != src.quarter:
            continue
        if r.kind == "indicador":
            key = src.indicator_key_of.get(r.indicator_id)
            prog, ind = ind_doc[key]
            what = f"{ind.key} {ind.name}"
            header = _program_header(src, prog, quarter=True) + [(TEXT["indicador"], what)]
            unit = ind.unit
        else:
            g = src.goal_key_of[r.goal_id]
            pr = src.project_of_goal[r.goal_id]
            prog = progs[src.program_of_project[pr.id]]
            what = f"{g.key} {g.name}"
            header = _program_header(src, prog, quarter=True, auxiliary=f"{pr.auxiliary_key} {pr.auxiliary_name}".strip())
            header.insert(4, (TEXT["proyecto"], f"{pr.key} {pr.name}"))
            header.append((TEXT["kind_meta"], what))
            unit = g.unit
        sec = Section(f"R{r.id}", header)
        rows = []
        for ch in r.changes or []:
            before = _dec(ch.get("anterior"))
            after = _dec(ch.get("nuevo"))
            per = str(ch.get("periodo", ""))
            rows.append([periods.label(per) if per else TEXT["sin_dato"], unit, before, after,
                         None if before is None or after is None else after - before])
        sec.blocks.append(FTable("Metas programadas antes y después de la reconducción",
                                 [FCol("Periodo", "text", 20), FCol("Unidad de medida", "text", 16),
                                  FCol("Programado anterior", "num", 14), FCol("Programado nuevo", "num", 14),
                                  FCol("Diferencia", "num", 12)], rows))
        sec.blocks.append(FText(TEXT["recon_motivo"], r.reason or TEXT["sin_dato"]))
        stamp = lambda d: d.strftime("%d/%m/%Y") if d else ""  # noqa: E731
        sec.blocks.append(FTable("Trámite", [FCol("Concepto", "text", 30), FCol("Detalle", "text", 70)], [
            [TEXT["recon_estado"], TEXT.get(f"estado_{r.status}", r.status)],
            [TEXT["recon_solicito"], f"{r.requested_by} {stamp(r.requested_at)}".strip() or TEXT["sin_dato"]],
            [TEXT["recon_autorizo"], f"{r.decided_by} {stamp(r.decided_at)}".strip() or TEXT["sin_dato"]],
            [TEXT["recon_oficio"], r.oficio or TEXT["sin_dato"]],
            [TEXT["recon_nota"], r.decision_note or TEXT["sin_dato"]]]))
        sec.blocks.append(_signatures(src, prog))
        doc.sections.append(sec)
    if not doc.sections:
        doc.empty_reason = TEXT["why_recon"]


def _dec(x) -> Decimal | None:
    try:
        return None if x is None or x == "" else Decimal(str(x))
    except ArithmeticError:
        return None


def _build_01c(src, doc, progress) -> None:
    _project_sections(src, doc, progress, _rows_01c, quarter=False)


def _build_02a(src, doc, progress) -> None:
    _project_sections(src, doc, progress, _rows_02a, quarter=False)


def _build_08c(src, doc, progress) -> None:
    _project_sections(src, doc, progress, _rows_08c, quarter=True)


_BUILDERS = {"pbrm-01c": _build_01c, "pbrm-02a": _build_02a, "pbrm-01d": _build_01d, "pbrm-01e": _build_01e,
             "pbrm-08b": _build_08b, "pbrm-08c": _build_08c, "tarjeta": _build_tarjeta,
             "reconduccion": _build_reconduccion}
