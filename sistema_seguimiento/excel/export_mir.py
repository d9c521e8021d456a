"""MIR workbook in the usual official layout: title block, one header row, level cells merged vertically,
wrapped text, borders, letter landscape print set-up. Several programs: one sheet each and an index sheet."""
from __future__ import annotations

import math
from pathlib import Path

from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.utils import get_column_letter

from ..core.mir import IndicatorDoc, ObjectiveDoc, ProgramDoc
from ..core.plan_name import plan_name_of
from ..core.types import label
from ..services.documents import ProgramSet
from ..services.mir_view import mir_order
from . import common as c

TEXT = {
    "title": "Matriz de Indicadores para Resultados (MIR)",
    "year": "Ejercicio fiscal {year}",
    "program": "Programa presupuestario: {key} — {name}",
    "agency": "Dependencia: {agency}",
    "no_agency": "Dependencia: (sin asignar)",
    "responsible": "Unidad responsable: {resp}",
    "admin": "Administración: {adm}",
    "state": "{state}",
    "unset": "(sin registrar)",
    "alignment": "Alineación al {plan}: {parts}",
    "eje": "Eje: {x}", "objetivo": "Objetivo: {x}", "estrategia": "Estrategia: {x}",
    "no_alignment": "Alineación al {plan}: (sin registrar)",
    "index": "Índice",
    "index_title": "Matrices de Indicadores para Resultados — ejercicio {year}",
    "index_headers": ["Clave", "Programa presupuestario", "Dependencia", "Objetivos", "Indicadores", "Hoja"],
    "go": "Ir a la hoja",
    "no_programs": "No hay programas que exportar.",
    "indicators": "Indicadores",
    "signatures": ["Elaboró", "Revisó", "Autorizó"],
    "sign_line": "Nombre, cargo y firma",
}

# one grouped header («Indicadores») over the indicator's columns; the other columns span both header rows
HEADERS = ["Nivel", "Resumen narrativo", "Nombre del indicador", "Método de cálculo", "Variables del método",
           "Tipo", "Dimensión", "Frecuencia", "Sentido", "Unidad de medida", "Línea base",
           "Año de la línea base", "Meta anual", "Medios de verificación", "Supuestos"]
WIDTHS = [13, 34, 28, 24, 30, 11, 11, 11, 11, 12, 11, 9, 11, 30, 30]
GROUP = (3, 13)  # first and last column under «Indicadores»
COL = {h: i for i, h in enumerate(HEADERS, start=1)}
TITLE_ROWS = 8
GROUP_ROW = TITLE_ROWS + 1
HEADER_ROW = GROUP_ROW + 1  # the row with every column's own name; data start below it


def symbol_legend(ind: IndicatorDoc) -> str:
    """What every symbol of the método means: «RR = Reportes recibidos», one per line."""
    return "\n".join(f"{v.key} = {v.name or v.description or v.key}" for v in ind.variables)


def level_names(program: ProgramDoc) -> dict[str, str]:
    """Objective key → "Fin", "Propósito", "Componente 1", "Actividad 1.2" in MIR order."""
    names: dict[str, str] = {}
    comp_no: dict[str, int] = {}
    act_count: dict[str, int] = {}
    n_comp = 0
    for o in mir_order(program):
        if o.level == "COMPONENTE":
            n_comp += 1
            comp_no[o.key] = n_comp
            names[o.key] = f"Componente {n_comp}"
        elif o.level == "ACTIVIDAD":
            cn = comp_no.get(o.parent_key or "")
            act_count[o.parent_key or ""] = act_count.get(o.parent_key or "", 0) + 1
            names[o.key] = f"Actividad {cn}.{act_count[o.parent_key or '']}" if cn else "Actividad"
        else:
            names[o.key] = label(o.level)
    return names


def _height(texts: list[tuple[str, int]], min_lines: int = 1) -> float:
    """Row height that shows wrapped text: (text, column width) pairs."""
    lines = min_lines
    for text, width in texts:
        if not text:
            continue
        per_line = max(1, int(width * 1.0))
        n = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
        lines = max(lines, n)
    return min(409, 13.5 * lines + 3)


def _title_block(ws, pset: ProgramSet, program: ProgramDoc, ncols: int) -> None:
    org = pset.organization
    agency = pset.agencies.get(program.agency_key or "")
    last = get_column_letter(ncols)
    al = program.alignment or {}
    parts = [TEXT[k].format(x=al[k]) for k in ("eje", "objetivo", "estrategia") if al.get(k)]
    plan = plan_name_of(org)  # Configuración's name; a program's own plan text (with its years) comes first
    alignment = (TEXT["alignment"].format(plan=al.get("plan") or plan, parts="; ".join(parts))
                 if parts else TEXT["no_alignment"].format(plan=plan))
    state = getattr(org, "state_name", "") if org else ""
    admin = getattr(org, "administration", "") if org else ""
    rows = [
        ((org.name if org else "") + (f" · {state}" if state else ""), c.FONT_TITLE),
        (TEXT["title"] + " — " + TEXT["year"].format(year=pset.fiscal_year) + " · "
         + TEXT["admin"].format(adm=admin or TEXT["unset"]), c.FONT_SUBTITLE),
        (TEXT["program"].format(key=program.key, name=program.name), c.FONT_SUBTITLE),
        (TEXT["agency"].format(agency=f"{agency.key} {agency.acronym} — {agency.name}".replace("  ", " "))
         if agency else TEXT["no_agency"], c.FONT_BODY),
        (TEXT["responsible"].format(resp=program.responsible or TEXT["unset"]), c.FONT_BODY),
        (alignment, c.FONT_BODY),
    ]
    has_logo = _logo(ws, org)
    first = 3 if has_logo else 1
    for i, (text, font) in enumerate(rows, start=1):
        ws.merge_cells(f"{get_column_letter(first)}{i}:{last}{i}")
        cell = ws.cell(i, first)
        c.set_text(cell, text)
        cell.font = font
        cell.alignment = c.LEFT_CENTER
        ws.row_dimensions[i].height = 22 if i == 1 else 18 if i < len(rows) else _height([(text, 200)])
    if has_logo:
        ws.merge_cells(f"A1:B{TITLE_ROWS - 1}")  # logo area


def _logo(ws, org) -> bool:
    logo = getattr(org, "logo", None) if org is not None else None
    if not logo:
        return False
    img = logo_image(bytes(logo))
    if img is None:
        return False
    ratio = min(1.0, 70 / max(1, img.height))
    img.height = int(img.height * ratio)
    img.width = int(img.width * ratio)
    img.anchor = "A1"
    ws.add_image(img)
    return True


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) of a PNG, JPEG or GIF, read from its header (no Pillow needed)."""
    import struct

    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return "gif", w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "jpeg", w, h
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return None


def logo_image(data: bytes):
    """An openpyxl image from the organization's logo bytes, or None when the format is not PNG/JPEG/GIF."""
    from openpyxl.drawing.image import Image

    info = image_size(data)
    if info is None or not info[1] or not info[2]:
        return None

    class _Raw(Image):
        def __init__(self, raw: bytes, fmt: str, width: int, height: int):  # noqa: D401 - no Pillow needed
            self.ref = None
            self._raw = raw
            self.format = fmt
            self.width, self.height = width, height

        def _data(self) -> bytes:
            return self._raw

    return _Raw(data, *info)


def write_program_sheet(ws, pset: ProgramSet, program: ProgramDoc) -> None:
    ncols = len(HEADERS)
    _title_block(ws, pset, program, ncols)
    for i, (h, w) in enumerate(zip(HEADERS, WIDTHS), start=1):
        top = ws.cell(GROUP_ROW, i)
        cell = ws.cell(HEADER_ROW, i)
        for x in (top, cell):
            x.font, x.fill, x.alignment, x.border = c.FONT_HEADER, c.FILL_HEADER, c.WRAP_CENTER, c.BORDER
        if GROUP[0] <= i <= GROUP[1]:
            cell.value = h
        else:
            top.value = h
            ws.merge_cells(start_row=GROUP_ROW, start_column=i, end_row=HEADER_ROW, end_column=i)
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.cell(GROUP_ROW, GROUP[0]).value = TEXT["indicators"]
    ws.merge_cells(start_row=GROUP_ROW, start_column=GROUP[0], end_row=GROUP_ROW, end_column=GROUP[1])
    ws.row_dimensions[GROUP_ROW].height = 18
    ws.row_dimensions[HEADER_ROW].height = 30
    names = level_names(program)
    by_obj: dict[str, list[IndicatorDoc]] = {}
    for ind in program.indicators:
        by_obj.setdefault(ind.objective_key or "", []).append(ind)
    row = HEADER_ROW + 1
    for obj in mir_order(program):
        inds = by_obj.get(obj.key) or [None]
        first = row
        for ind in inds:
            _indicator_row(ws, row, obj, ind, names.get(obj.key, ""), first == row)
            row += 1
        if len(inds) > 1:
            for col in (1, 2, ncols):  # every cell already has its border: add the range without re-styling
                ws.merged_cells.add(CellRange(min_col=col, min_row=first, max_col=col, max_row=row - 1))
            # the merged objective text needs room: grow the last row if needed
            need = _height([(obj.text, WIDTHS[1]), ("\n".join(obj.assumptions), WIDTHS[-1])])
            have = sum(ws.row_dimensions[r].height or 15 for r in range(first, row))
            if need > have:
                ws.row_dimensions[row - 1].height = min(409, (ws.row_dimensions[row - 1].height or 15)
                                                        + need - have)
    last_data = max(row - 1, HEADER_ROW)
    row = _signature_block(ws, pset, row + 1, ncols)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    c.print_setup(ws, title_rows=f"{GROUP_ROW}:{HEADER_ROW}")
    ws.page_setup.paperSize = "5"  # oficio: fifteen columns stay readable
    ws.print_area = f"A1:{get_column_letter(ncols)}{max(row - 1, last_data)}"


def signature_people(org) -> list[tuple[str, str, str]]:
    """(role, name, cargo) of Elaboró / Revisó / Autorizó from the organization's settings (Configuración)."""
    settings = dict(getattr(org, "settings", None) or {}) if org is not None else {}
    out = []
    for key, role in zip(("firma_elaboro", "firma_reviso", "firma_autorizo"), TEXT["signatures"]):
        v = settings.get(key) or {}
        if isinstance(v, str):
            v = {"nombre": v}
        out.append((role, str(v.get("nombre") or "").strip(), str(v.get("cargo") or "").strip()))
    return out


def _signature_block(ws, pset: ProgramSet, row: int, ncols: int) -> int:
    """Elaboró / Revisó / Autorizó under the matrix, with the names of Configuración; returns the next row."""
    people = signature_people(pset.organization)
    span = ncols // 3
    thin = c.Side(style="thin", color="000000")
    for i, (role, name, title) in enumerate(people):
        a, b = 1 + i * span, (i + 1) * span if i < 2 else ncols
        for r, text, font in ((row, role, c.FONT_BOLD), (row + 3, name or TEXT["sign_line"], c.FONT_BODY),
                              (row + 4, title, c.FONT_NOTE)):
            ws.merge_cells(start_row=r, start_column=a, end_row=r, end_column=b)
            cell = ws.cell(r, a)
            c.set_text(cell, text)
            cell.font, cell.alignment = font, c.CENTER
        for col in range(a, b + 1):  # the line to sign on
            ws.cell(row + 3, col).border = c.Border(top=thin)
    return row + 5


def _styles(ws) -> dict:
    """StyleArrays made once per workbook and copied into each cell (much faster than setting fonts, borders
    and fills cell by cell)."""
    wb = ws.parent
    cache = getattr(wb, "_ses_mir_styles", None)
    if cache is None:
        def make(**attrs):
            cell = WriteOnlyCell(ws)
            for k, v in attrs.items():
                setattr(cell, k, v)
            return cell._style

        cache = {"level": make(font=c.FONT_BOLD, border=c.BORDER, fill=c.FILL_LEVEL, alignment=c.WRAP_CENTER),
                 "text": make(font=c.FONT_BODY, border=c.BORDER, alignment=c.WRAP_TOP),
                 "center": make(font=c.FONT_BODY, border=c.BORDER, alignment=c.WRAP_CENTER),
                 "number": make(font=c.FONT_BODY, border=c.BORDER, alignment=c.CENTER, number_format=c.FMT_NUMBER)}
        wb._ses_mir_styles = cache
    return cache


def _indicator_row(ws, row: int, obj: ObjectiveDoc, ind: IndicatorDoc | None, level_name: str,
                   first: bool) -> None:
    if ind is not None:
        kind_fmt = c.unit_format(ind.unit, ind.formula_type)
        ind_vals = [ind.name, ind.formula, symbol_legend(ind), label(ind.type) if ind.type else "",
                    label(ind.dimension) if ind.dimension else "", label(ind.frequency) if ind.frequency else "",
                    label(ind.direction) if ind.direction else "", ind.unit,
                    c.decimal_for_cell(ind.baseline_value), ind.baseline_year,
                    c.decimal_for_cell(ind.annual_target), "\n".join(ind.verification_sources)]
    else:
        kind_fmt = c.FMT_NUMBER
        ind_vals = [""] * 8 + [None, None, None, ""]
    values = [level_name if first else None, obj.text if first else None] + ind_vals + [
        "\n".join(obj.assumptions) if first else None]
    st = _styles(ws)
    numeric = (COL["Línea base"], COL["Meta anual"])
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col)
        if col in numeric:
            cell._style = copy(st["number"])
            cell.value = value
            cell.number_format = kind_fmt
        elif col == COL["Año de la línea base"]:
            cell._style = copy(st["center"])
            cell.value = value
        else:
            cell._style = copy(st["level"] if col == 1 else st["center"] if 6 <= col <= 10 else st["text"])
            c.set_text(cell, value)
    ws.row_dimensions[row].height = _height([(str(v or ""), w) for v, w in zip(values, WIDTHS)
                                             if isinstance(v, str)])


def build_mir_workbook(pset: ProgramSet) -> Workbook:
    from ..services.errors import ServiceError

    if not pset.programs:
        raise ServiceError(TEXT["no_programs"])
    wb = Workbook()
    used: set[str] = set()
    if len(pset.programs) == 1:
        ws = wb.active
        ws.title = c.sheet_title(f"MIR {pset.programs[0].key}", used)
        write_program_sheet(ws, pset, pset.programs[0])
        return wb
    index = wb.active
    index.title = c.sheet_title(TEXT["index"], used)
    sheets = []
    for p in pset.programs:
        ws = wb.create_sheet(c.sheet_title(f"MIR {p.key}", used))
        write_program_sheet(ws, pset, p)
        sheets.append((p, ws.title))
    _index_sheet(index, pset, sheets)
    return wb


def _index_sheet(ws, pset: ProgramSet, sheets) -> None:
    org = pset.organization
    ws["A1"] = org.name if org else ""
    ws["A1"].font = c.FONT_TITLE
    ws["A2"] = TEXT["index_title"].format(year=pset.fiscal_year)
    ws["A2"].font = c.FONT_SUBTITLE
    for i, h in enumerate(TEXT["index_headers"], start=1):
        cell = ws.cell(4, i, h)
        cell.font, cell.fill, cell.border, cell.alignment = c.FONT_HEADER, c.FILL_HEADER, c.BORDER, c.WRAP_CENTER
    for r, (p, title) in enumerate(sheets, start=5):
        ag = pset.agencies.get(p.agency_key or "")
        vals = [p.key, p.name, f"{ag.acronym or ag.key} — {ag.name}" if ag else "", len(p.objectives),
                len(p.indicators)]
        for col, v in enumerate(vals, start=1):
            cell = ws.cell(r, col)
            if isinstance(v, int):
                cell.value = v
            else:
                c.set_text(cell, v)
            cell.border, cell.font, cell.alignment = c.BORDER, c.FONT_BODY, c.WRAP_TOP
        ws.row_dimensions[r].height = _height([(vals[1], 50), (vals[2], 36)])
        link = ws.cell(r, 6, TEXT["go"])
        link.hyperlink = f"#'{title}'!A1"
        link.font = c.Font(name="Calibri", size=10, color="0563C1", underline="single")
        link.border = c.BORDER
    for col, w in zip("ABCDEF", [10, 50, 36, 11, 12, 14]):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "A5"
    c.print_setup(ws, title_rows="4:4")


def export_mir(db, out: str | Path, program_keys: list[str] | None = None, year: int | None = None,
               agency_key: str | None = None) -> Path:
    from ..services.documents import read_programs

    with db.reading() as s:
        pset = read_programs(s, year, program_keys or None, agency_key, with_values=False)
        org = pset.organization
        if org is not None:
            _ = org.logo, org.name  # load while the session is open
    wb = build_mir_workbook(pset)
    from ..fileops import save_workbook

    return save_workbook(wb, out)
