"""Avance workbook at a monthly cut-off: an overview sheet with counts per semáforo and a detail sheet with one
row per dependencia / programa / indicador. Written in openpyxl write-only mode with a handful of shared
styles, so the estado-scale database exports in seconds."""
from __future__ import annotations

import gc
from copy import copy
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter

from ..core import periods
from ..core.types import Light, label
from ..services.documents import ProgramSet
from ..services.errors import ServiceError
from ..services.progress import ProgressRow, presets_by_key, rows_for
from . import common as c

TEXT = {
    "overview": "Resumen",
    "detail": "Avance",
    "title": "Avance de indicadores al cierre de {month}",
    "generated": "Generado el {when} con SES. Semáforo al acumulado del ejercicio.",
    "by_light": "Indicadores por semáforo",
    "by_agency": "Indicadores por dependencia y semáforo",
    "light": "Semáforo",
    "count": "Indicadores",
    "share": "% del total",
    "total": "Total",
    "agency": "Dependencia",
    "no_rows": "No hay indicadores para ese periodo y filtro.",
    "needs": "Requerida",
    "needs_missing": "Requerida (falta)",
}

HEADERS = ["Dependencia", "Clave Pp", "Programa presupuestario", "Nivel", "Clave indicador", "Indicador",
           "Frecuencia", "Unidad de medida", "Meta anual", "Meta al periodo", "Realizado en el periodo",
           "Acumulado", "% de avance", "Semáforo", "Justificación"]
WIDTHS = [30, 9, 34, 11, 13, 56, 11, 16, 13, 15, 15, 13, 12, 10, 70]
NUMERIC = {8, 9, 10, 11}  # 0-based columns with numbers
PCT_COL = 12
LIGHT_COL = 13
LIGHTS = [Light.VERDE.value, Light.AMARILLO.value, Light.ROJO.value, Light.GRIS.value]


class _StyledCell(Cell):
    """A cell whose style id is known in advance: the writer would otherwise hash the style of every cell."""

    __slots__ = ("_sid",)

    @property
    def style_id(self):
        sid = self._sid
        return super().style_id if sid is None else sid


class Styles:
    """StyleArrays computed once and copied into every WriteOnlyCell (the fast path of openpyxl)."""

    def __init__(self, ws):
        self.ws = ws
        self._texts: dict[str, str] = {}
        self._ids: dict[int, int] = {}

        def make(font=c.FONT_BODY, fill=None, fmt=None, align=None, border=c.BORDER):
            cell = WriteOnlyCell(ws)
            cell.font = font
            cell.border = border
            if fill is not None:
                cell.fill = fill
            if fmt:
                cell.number_format = fmt
            if align is not None:
                cell.alignment = align
            return cell._style

        self.text = make(align=c.Alignment(vertical="top"))  # one line per row: write-only rows keep their height
        self.wrap = make(align=c.WRAP_TOP)
        self.number = make(fmt=c.FMT_NUMBER)
        self.pct = make(fmt=c.FMT_PCT_POINTS)
        self.header = make(font=c.FONT_HEADER, fill=c.FILL_HEADER, align=c.WRAP_CENTER)
        self.title = make(font=c.FONT_TITLE, border=None)
        self.note = make(font=c.FONT_NOTE, border=None)
        self.light = {k: make(fill=f, align=c.CENTER) for k, f in c.LIGHT_FILLS.items()}
        self.int = make(fmt=c.FMT_INT, align=c.CENTER)

    def plain(self, value):
        """Unstyled value; risky text still becomes a quote-prefixed string cell."""
        if not isinstance(value, str):
            return value
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = c.safe_text(value)
        if c.is_risky(text):
            cell = Cell(self.ws, row=1, column=1, value=text)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return text

    def cell(self, value, style):
        cell = _StyledCell(self.ws, row=1, column=1, value=None)
        if isinstance(value, str):
            text = self._texts.get(value)
            if text is None:  # names of dependencias / programas repeat on many rows: clean each once
                text = self._texts[value] = c.safe_text(value)
            cell.value = text
            cell._style = copy(style)
            if c.is_risky(text):
                cell.data_type = "s"
                cell.quotePrefix = True  # changes the style: let openpyxl look the id up
                cell._sid = None
                return cell
        else:
            cell.value = value
            cell._style = copy(style)
        cell._sid = self._ids.get(id(style))
        if cell._sid is None:
            cell._sid = self._ids[id(style)] = self.ws.parent._cell_styles.add(style)
        return cell


def _num(d):
    return c.decimal_for_cell(c_round(d))


def c_round(d):
    from ..core.numbers import round2

    return None if d is None else round2(d)


def justification_texts(pset: ProgramSet) -> dict[tuple[str, str], str]:
    out = {}
    for p in pset.programs:
        for ind in p.indicators:
            for m in ind.measurements:
                if m.justification:
                    out[(ind.key, m.period)] = m.justification
    return out


def detail_values(row: ProgressRow, agency_name: str, just: dict) -> list:
    text = just.get((row.indicator_key, row.period or ""), "")
    if not text and row.result is not None:
        for p in (getattr(row.result.cumulative, "due_periods", []) or [])[-1:]:
            text = just.get((row.indicator_key, p), "")
            if text:
                break
    if not text and row.needs_justification:
        text = TEXT["needs_missing"]
    return [agency_name, row.program_key, row.program_name, label(row.level), row.indicator_key, row.indicator_name,
            label(row.frequency), row.unit, _num(row.annual_target), _num(row.cumulative_target),
            _num(row.period_value), _num(row.cumulative_value), _num(row.progress_pct), label(row.light), text]


def write_avance(rows: list[ProgressRow], pset: ProgramSet, month: str, out: str | Path) -> Path:
    if not rows:
        raise ServiceError(TEXT["no_rows"])
    # hundreds of thousands of short-lived, acyclic cell objects on top of a large heap (documents and engine
    # results): pausing the cyclic garbage collector avoids repeated full scans of that heap while writing
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _write_avance(rows, pset, month, out)
    finally:
        if enabled:
            gc.enable()


def _write_avance(rows: list[ProgressRow], pset: ProgramSet, month: str, out: str | Path) -> Path:
    wb = Workbook(write_only=True)
    agencies = pset.agencies
    org = pset.organization

    def agency_name(key):
        a = agencies.get(key or "")
        return f"{a.acronym or a.key} — {a.name}" if a else ""

    # overview
    ov = wb.create_sheet(TEXT["overview"])
    st = Styles(ov)
    for col, w in zip("ABCDEFG", [40, 11, 11, 11, 11, 11, 11]):
        ov.column_dimensions[col].width = w
    ov.append([st.cell(org.name if org else "", st.title)])
    ov.append([st.cell(TEXT["title"].format(month=periods.label(month)), st.title)])
    ov.append([st.cell(TEXT["generated"].format(when=datetime.now().strftime("%d/%m/%Y %H:%M")), st.note)])
    ov.append([])
    counts = {k: 0 for k in LIGHTS}
    by_agency: dict[str, dict[str, int]] = {}
    for r in rows:
        counts[r.light] = counts.get(r.light, 0) + 1
        by_agency.setdefault(agency_name(r.agency_key), {k: 0 for k in LIGHTS})[r.light] += 1
    total = len(rows)
    ov.append([st.cell(TEXT["by_light"], st.header), st.cell(TEXT["count"], st.header),
               st.cell(TEXT["share"], st.header)])
    for k in LIGHTS:
        ov.append([st.cell(label(k), st.light[k]), st.cell(counts[k], st.int),
                   st.cell(c.decimal_for_cell(c_round(c_pct(counts[k], total))), st.pct)])
    ov.append([st.cell(TEXT["total"], st.header), st.cell(total, st.int), st.cell(100, st.pct)])
    ov.append([])
    ov.append([st.cell(TEXT["by_agency"], st.header)] + [st.cell(label(k), st.light[k]) for k in LIGHTS]
              + [st.cell(TEXT["total"], st.header)])
    for name in sorted(by_agency):
        cts = by_agency[name]
        ov.append([st.cell(name, st.text)] + [st.cell(cts[k], st.int) for k in LIGHTS]
                  + [st.cell(sum(cts.values()), st.int)])
    c.print_setup(ov)

    # detail
    ws = wb.create_sheet(TEXT["detail"])
    st = Styles(ws)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "G2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(rows) + 1}"
    c.print_setup(ws, title_rows="1:1")
    ws.row_dimensions[1].height = 30  # two-line headers
    ws.append([st.cell(h, st.header) for h in HEADERS])
    just = justification_texts(pset)
    # data rows: printed gridlines instead of per-cell borders, so that plain text and empty cells need no style
    # (the write stays close to a raw write-only workbook); numbers keep their formats, the semáforo its fill
    ws.print_options.gridLines = True
    styles = [None] * 8 + [st.number] * 4 + [st.pct, None, None]
    names = {}
    for r in rows:
        if r.agency_key not in names:
            names[r.agency_key] = agency_name(r.agency_key)
        vals = detail_values(r, names[r.agency_key], just)
        cells = []
        for i, v in enumerate(vals):
            if i == LIGHT_COL:
                cells.append(st.cell(v, st.light.get(r.light, st.light["gris"])))
            elif v is None:
                cells.append(None)
            elif styles[i] is None:
                cells.append(st.plain(v))
            else:
                cells.append(st.cell(v, styles[i]))
        ws.append(cells)
    from ..fileops import save_workbook

    return save_workbook(wb, out)


def c_pct(n: int, total: int):
    from decimal import Decimal

    return None if not total else Decimal(n) * 100 / Decimal(total)


def sort_rows(rows: list[ProgressRow], pset: ProgramSet) -> list[ProgressRow]:
    order = {p.key: i for i, p in enumerate(pset.programs)}
    return sorted(rows, key=lambda r: (r.agency_key or "", order.get(r.program_key, 0)))


def export_avance(db, month: str, out: str | Path, program_keys: list[str] | None = None,
                  agency_key: str | None = None) -> Path:
    from ..services.documents import read_programs

    try:
        periods.month_cutoff(month)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    with db.reading() as s:
        pset = read_programs(s, periods.year_of(month), program_keys or None, agency_key)
        presets = presets_by_key(s)
        if pset.organization is not None:
            _ = pset.organization.name
    rows = sort_rows(rows_for(pset, presets, month), pset)
    return write_avance(rows, pset, month, out)
