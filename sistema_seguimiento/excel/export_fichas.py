"""Fichas técnicas: one sheet per indicator in a two-column layout (field | value) with every field, its
variables and its calendarized targets; an index sheet first."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..core import periods
from ..core.mir import IndicatorDoc, ProgramDoc
from ..core.types import label
from ..services.documents import ProgramSet
from ..services.errors import ServiceError
from ..services.mir_view import FICHA_FIELDS, _value, mir_order
from . import common as c
from .export_mir import level_names

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
    "period": "Periodo",
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


def _pair(ws, row: int, name: str, value, ncols: int, number: bool = False) -> int:
    a = ws.cell(row, 1, name)
    a.font, a.fill, a.border, a.alignment = c.FONT_BOLD, c.FILL_LABEL, c.BORDER, c.WRAP_TOP
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
    b = ws.cell(row, 2)
    if number:
        b.value = c.decimal_for_cell(value)
        b.number_format = c.FMT_NUMBER
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


def write_ficha(ws, pset: ProgramSet, program: ProgramDoc, ind: IndicatorDoc, level_name: str) -> None:
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
    row = _pair(ws, row, TEXT["level"], level_name, ncols)
    row = _pair(ws, row, TEXT["objective"], obj.text if obj else "", ncols)
    row = _pair(ws, row, TEXT["assumptions"], "\n".join(obj.assumptions) if obj else "", ncols)
    row = _section(ws, row + 1, TEXT["fields"], ncols)
    for attr, name in FICHA_FIELDS:
        if attr in ("annual_target",):
            row = _pair(ws, row, name, ind.annual_target, ncols, number=True)
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
    # targets: one row per period, one column per variable (+ indicator's expected result not computed here)
    row = _section(ws, row + 1, TEXT["targets"], ncols)
    keys = [v.key for v in ind.variables]
    headers = [TEXT["period"]] + keys
    for i, h in enumerate(headers[:ncols], start=1):
        cell = ws.cell(row, i, h)
        cell.font, cell.fill, cell.border, cell.alignment = c.FONT_BOLD, c.FILL_LABEL, c.BORDER, c.WRAP_CENTER
    row += 1
    for period, values in ind.targets.items():
        cell = ws.cell(row, 1, periods.label(period))
        cell.font, cell.border = c.FONT_BODY, c.BORDER
        for i, k in enumerate(keys[:ncols - 1], start=2):
            cell = ws.cell(row, i, c.decimal_for_cell(values.get(k)))
            cell.number_format, cell.font, cell.border = c.FMT_NUMBER, c.FONT_BODY, c.BORDER
        row += 1
    c.print_setup(ws, landscape=False)
    ws.print_area = f"A1:{get_column_letter(ncols)}{row}"


def build_fichas_workbook(pset: ProgramSet) -> Workbook:
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
        write_ficha(ws, pset, p, ind, lname)
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
        pset = read_programs(s, year, program_keys or None, agency_key)
        if pset.organization is not None:
            _ = pset.organization.name
    wb = build_fichas_workbook(pset)
    from ..fileops import save_workbook

    return save_workbook(wb, out)
