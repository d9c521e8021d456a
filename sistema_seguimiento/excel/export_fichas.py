"""Fichas técnicas: one sheet per indicator in a two-column layout (field | value) with every field, its
variables and its calendarized targets; an index sheet first."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..core import periods
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.plan_name import plan_name_of
from ..core.semaforo import describe_preset
from ..core.types import label
from ..services.documents import ProgramSet
from ..services.errors import ServiceError
from ..services.mir_view import FICHA_FIELDS, _value, mir_order
from . import common as c
from .export_mir import _height, level_names, signature_people

TEXT = {
    "title": "Ficha técnica del indicador",
    "ident": "Identificación",
    "year": "Ejercicio fiscal",
    "program": "Programa presupuestario",
    "agency": "Dependencia / unidad responsable",
    "level": "Nivel de la MIR",
    "objective": "Resumen narrativo (objetivo)",
    "assumptions": "Supuestos",
    "fields": "Datos del indicador",
    "variables": "Variables",
    "var_headers": ["Clave", "Nombre", "Descripción", "Unidad de medida", "Fuente", "Rol", "Acumulación"],
    "targets": "Metas calendarizadas por periodo",
    "targets_note": ("Resultado esperado del indicador en cada uno de sus periodos (método de cálculo aplicado a "
                     "las metas de las variables) y la meta de cada variable."),
    "period": "Periodo",
    "expected": "Meta del indicador",
    "total": "Total anual",
    "alignment": "Alineación al {plan}",
    "responsible": "Unidad responsable",
    "unset": "(sin registrar)",
    "signatures": "Firmas",
    "index": "Índice",
    "index_headers": ["Clave", "Indicador", "Programa", "Nivel", "Hoja"],
    "go": "Ir a la ficha",
    "none": "No hay indicadores que exportar.",
}
WIDTHS = [30, 22, 22, 22, 22, 18, 18, 16]


def _section(ws, row: int, text: str, ncols: int) -> int:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    cell = ws.cell(row, 1, text)
    cell.font, cell.fill, cell.alignment = c.FONT_HEADER, c.FILL_HEADER, c.LEFT_CENTER
    ws.row_dimensions[row].height = 18
    return row + 1


def _pair(ws, row: int, name: str, value, ncols: int, number: bool = False, fmt: str = c.FMT_NUMBER) -> int:
    a = ws.cell(row, 1, name)
    a.font, a.fill, a.border, a.alignment = c.FONT_BOLD, c.FILL_LABEL, c.BORDER, c.WRAP_TOP
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
    b = ws.cell(row, 2)
    if number:
        b.value = c.decimal_for_cell(value)
        b.number_format = fmt
        b.alignment = c.LEFT_CENTER
    else:
        c.set_text(b, value)
        b.alignment = c.WRAP_TOP
    b.font = c.FONT_BODY
    for col in range(2, ncols + 1):
        ws.cell(row, col).border = c.BORDER
    text = "" if value is None else str(value)
    width = sum(WIDTHS[1:ncols]) * 1.1
    lines = sum(max(1, -(-len(part) // max(1, int(width)))) for part in text.split("\n")) if text else 1
    ws.row_dimensions[row].height = min(409, 14 * lines + 3)
    return row + 1


def _alignment_text(program: ProgramDoc) -> str:
    al = program.alignment or {}
    parts = [f"{k.capitalize()}: {al[k]}" for k in ("eje", "objetivo", "estrategia") if al.get(k)]
    if not parts:
        return TEXT["unset"]
    return (al.get("plan") + ". " if al.get("plan") else "") + "; ".join(parts)


def target_rows(ind: IndicatorDoc, year: int) -> list[tuple[str, Decimal | None, dict]]:
    """(period label, indicator's expected result, variable targets) for each own period of the fiscal year,
    then the «Total anual» row (variables accumulated by their rule, the método over the totals)."""
    from ..core.engine import accumulate
    from ..core.formula import FormulaError, parse_formula

    try:
        formula = parse_formula(ind.formula)
    except FormulaError:
        formula = None

    def result(values: dict) -> Decimal | None:
        if formula is None or not values or any(v.key not in values for v in ind.variables):
            return None
        try:
            return formula.compute(values)
        except (ArithmeticError, FormulaError, KeyError, ValueError):
            return None

    try:
        own = periods.periods_for(ind.frequency, year, ind.base_year)
    except (ValueError, periods.PeriodError):
        own = []
    own = own + [p for p in sorted(ind.targets, key=periods.sort_key) if p not in own]
    out = [(periods.label(p), result(ind.targets.get(p, {})), ind.targets.get(p, {})) for p in own]
    rows = [ind.targets[p] for p in own if p in ind.targets]
    totals = accumulate(rows, [(v.key, v.accumulation) for v in ind.variables]) or {}
    out.append((TEXT["total"], result(totals), totals))
    return out


def write_ficha(ws, pset: ProgramSet, program: ProgramDoc, ind: IndicatorDoc, level_name: str,
                preset=None) -> None:
    ncols = max(len(TEXT["var_headers"]), 2)
    for i, w in enumerate(WIDTHS[:max(ncols, 8)], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    org = pset.organization
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    c.set_text(ws.cell(1, 1), org.name if org else "")
    ws.cell(1, 1).font = c.FONT_TITLE
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    c.set_text(ws.cell(2, 1), f"{TEXT['title']} — {ind.key}")
    ws.cell(2, 1).font = c.FONT_SUBTITLE
    obj = next((o for o in program.objectives if o.key == ind.objective_key), None)
    ag = pset.agencies.get(program.agency_key or "")
    row = _section(ws, 4, TEXT["ident"], ncols)
    row = _pair(ws, row, TEXT["year"], pset.fiscal_year, ncols, number=False)
    row = _pair(ws, row, TEXT["program"], f"{program.key} — {program.name}", ncols)
    row = _pair(ws, row, TEXT["agency"], f"{ag.key} {ag.acronym} — {ag.name}" if ag else "", ncols)
    row = _pair(ws, row, TEXT["responsible"], program.responsible or TEXT["unset"], ncols)
    row = _pair(ws, row, TEXT["alignment"].format(plan=plan_name_of(org)), _alignment_text(program), ncols)
    row = _pair(ws, row, TEXT["level"], level_name, ncols)
    row = _pair(ws, row, TEXT["objective"], obj.text if obj else "", ncols)
    row = _pair(ws, row, TEXT["assumptions"], "\n".join(obj.assumptions) if obj else "", ncols)
    row = _section(ws, row + 1, TEXT["fields"], ncols)
    for attr, name in FICHA_FIELDS:
        if attr in ("annual_target",):
            row = _pair(ws, row, name, ind.annual_target, ncols, number=True,
                        fmt=c.unit_format(ind.unit, ind.formula_type))
        elif attr == "preset_key":  # the ranges in words, never the preset's internal code
            text = ""
            if preset is not None:
                try:
                    text = f"{preset.name}. {describe_preset(preset, ind.type or 'gestion')}."
                except Exception:  # noqa: BLE001 - a preset without thresholds for the type
                    text = preset.name
            row = _pair(ws, row, name, text, ncols)
        elif attr == "verification_sources":
            row = _pair(ws, row, name, "\n".join(ind.verification_sources), ncols)
        else:
            row = _pair(ws, row, name, _value(ind, attr), ncols)
    row = _section(ws, row + 1, TEXT["variables"], ncols)
    for i, h in enumerate(TEXT["var_headers"], start=1):
        cell = ws.cell(row, i, h)
        cell.font, cell.fill, cell.border, cell.alignment = c.FONT_BOLD, c.FILL_LABEL, c.BORDER, c.WRAP_CENTER
    row += 1
    for v in ind.variables:
        vals = [v.key, v.name, v.description, v.unit, v.source, label(v.role), label(v.accumulation)]
        longest = 1
        for i, val in enumerate(vals, start=1):
            cell = ws.cell(row, i)
            c.set_text(cell, val)
            cell.font, cell.border, cell.alignment = c.FONT_BODY, c.BORDER, c.WRAP_TOP
            longest = max(longest, -(-len(str(val or "")) // max(1, int(WIDTHS[i - 1] * 1.1))))
        ws.row_dimensions[row].height = min(409, 14 * longest + 3)
        row += 1
    # targets: the indicator's expected result and each variable's target in the indicator's own periods
    row = _section(ws, row + 1, TEXT["targets"], ncols)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    note = ws.cell(row, 1, TEXT["targets_note"])
    note.font, note.alignment = c.FONT_NOTE, c.WRAP_TOP
    ws.row_dimensions[row].height = 27
    row += 1
    keys = [v.key for v in ind.variables][:ncols - 2]
    headers = [TEXT["period"], TEXT["expected"]] + keys
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row, i, h)
        cell.font, cell.fill, cell.border, cell.alignment = c.FONT_BOLD, c.FILL_LABEL, c.BORDER, c.WRAP_CENTER
    row += 1
    ind_fmt = c.unit_format(ind.unit, ind.formula_type)
    var_fmt = {v.key: c.unit_format(v.unit) for v in ind.variables}
    for plabel, expected, values in target_rows(ind, pset.fiscal_year):
        total = plabel == TEXT["total"]
        cell = ws.cell(row, 1, plabel)
        cell.font, cell.border = (c.FONT_BOLD if total else c.FONT_BODY), c.BORDER
        cell = ws.cell(row, 2, c.decimal_for_cell(expected))
        cell.number_format, cell.font, cell.border = ind_fmt, (c.FONT_BOLD if total else c.FONT_BODY), c.BORDER
        for i, k in enumerate(keys, start=3):
            cell = ws.cell(row, i, c.decimal_for_cell(values.get(k)))
            cell.number_format, cell.border = var_fmt[k], c.BORDER
            cell.font = c.FONT_BOLD if total else c.FONT_BODY
        if total:
            for i in range(1, len(headers) + 1):
                ws.cell(row, i).fill = c.FILL_LEVEL
        row += 1
    # signatures (names of Configuración)
    row = _section(ws, row + 1, TEXT["signatures"], ncols)
    people = signature_people(pset.organization)
    spans = [(1, 2), (3, 5), (6, ncols)]
    for (a, b), (role, pname, title) in zip(spans, people):
        for r, text, font in ((row, role, c.FONT_BOLD), (row + 3, pname or "Nombre, cargo y firma", c.FONT_BODY),
                              (row + 4, title, c.FONT_NOTE)):
            ws.merge_cells(start_row=r, start_column=a, end_row=r, end_column=b)
            cell = ws.cell(r, a)
            c.set_text(cell, text)
            cell.font, cell.alignment = font, c.CENTER
        for col in range(a, b + 1):
            ws.cell(row + 3, col).border = c.Border(top=c.Side(style="thin", color="000000"))
    row += 5
    c.print_setup(ws, landscape=False)
    ws.print_area = f"A1:{get_column_letter(ncols)}{row}"


def build_fichas_workbook(pset: ProgramSet, presets: dict | None = None) -> Workbook:
    from ..services.progress import resolve_preset

    org_key = pset.organization.preset_key if pset.organization else None
    items = []
    for p in pset.programs:
        names = level_names(p)
        by_obj: dict[str, list[IndicatorDoc]] = {}
        for ind in p.indicators:
            by_obj.setdefault(ind.objective_key or "", []).append(ind)
        for o in mir_order(p):
            for ind in by_obj.get(o.key, []):
                items.append((p, ind, names.get(o.key, label(o.level))))
    if not items:
        raise ServiceError(TEXT["none"])
    wb = Workbook()
    index = wb.active
    used: set[str] = set()
    index.title = c.sheet_title(TEXT["index"], used)
    rows = []
    for p, ind, lname in items:
        ws = wb.create_sheet(c.sheet_title(ind.key, used))
        preset = resolve_preset(presets, org_key, p, ind) if presets else None
        write_ficha(ws, pset, p, ind, lname, preset)
        rows.append((p, ind, lname, ws.title))
    index["A1"] = pset.organization.name if pset.organization else ""
    index["A1"].font = c.FONT_TITLE
    index["A2"] = f"Fichas técnicas de indicadores — ejercicio {pset.fiscal_year}"
    index["A2"].font = c.FONT_SUBTITLE
    for i, h in enumerate(TEXT["index_headers"], start=1):
        cell = index.cell(4, i, h)
        cell.font, cell.fill, cell.border = c.FONT_HEADER, c.FILL_HEADER, c.BORDER
    for r, (p, ind, lname, title) in enumerate(rows, start=5):
        for col, v in enumerate([ind.key, ind.name, p.key, lname], start=1):
            cell = index.cell(r, col)
            c.set_text(cell, v)
            cell.border, cell.font, cell.alignment = c.BORDER, c.FONT_BODY, c.WRAP_TOP
        index.row_dimensions[r].height = _height([(ind.name, 60)])  # wrapped names never overlap the next row
        link = index.cell(r, 5, TEXT["go"])
        link.hyperlink = f"#'{title}'!A1"
        link.font = c.Font(name="Calibri", size=10, color="0563C1", underline="single")
        link.border = c.BORDER
    for col, w in zip("ABCDE", [16, 60, 10, 14, 14]):
        index.column_dimensions[col].width = w
    index.freeze_panes = "A5"
    c.print_setup(index, landscape=False, title_rows="4:4")
    return wb


def export_fichas(db, out: str | Path, program_keys: list[str] | None = None, year: int | None = None,
                  agency_key: str | None = None) -> Path:
    from ..services.documents import read_programs

    with db.reading() as s:
        from ..services.progress import presets_by_key

        pset = read_programs(s, year, program_keys or None, agency_key)
        presets = presets_by_key(s)
        if pset.organization is not None:
            _ = pset.organization.name, pset.organization.settings
    wb = build_fichas_workbook(pset, presets)
    from ..fileops import save_workbook

    return save_workbook(wb, out)
