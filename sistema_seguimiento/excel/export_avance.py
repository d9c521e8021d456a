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
from ..core.types import NO_APLICA, Light, label
from ..services.documents import ProgramSet
from ..services.errors import ServiceError
from ..services.progress import PeriodFigures, ProgressRow, last_period, presets_by_key, rows_for
from . import common as c

TEXT = {
    "overview": "Resumen",
    "detail": "Avance",
    "justifications": "Justificaciones",
    "title": "Avance de indicadores al cierre de {month}",
    "page_header": "{org} · Avance de indicadores · corte al {cutoff} ({month})",
    "generated": "Generado el {when} con SES.",
    "notes": [
        "«Meta del periodo», «Realizado en el periodo», «% del periodo» y «Semáforo del periodo»: los del último",
        "periodo propio del indicador vencido al corte (el del mes, o el trimestre, semestre… más reciente).",
        "«Meta al corte» y «Acumulado al corte»: acumulados del ejercicio hasta la fecha de corte; los conteos de",
        "este resumen usan el semáforo al corte.",
        "«Sin dato»: el periodo venció y no hay captura (o no es calculable). «No aplica al corte»: ningún periodo",
        "del indicador ha vencido (anual, multianual) o el indicador no se mide en el ejercicio.",
    ],
    "by_light": "Indicadores por semáforo al corte",
    "by_agency": "Indicadores por dependencia y semáforo al corte",
    "light": "Semáforo",
    "count": "Indicadores",
    "share": "% del total",
    "total": "Total",
    "agency": "Dependencia",
    "no_rows": "No hay indicadores para ese periodo y filtro.",
    "needs_missing": "Requerida (falta)",
    "has_just": "Sí, {period} (hoja «Justificaciones»)",
    "no_period": "Ningún periodo vencido",
    "just_title": "Justificaciones de indicadores al cierre de {month}",
    "no_just": "No hay justificaciones capturadas hasta el corte.",
}

HEADERS = ["Dependencia", "Programa presupuestario", "Nivel", "Clave indicador", "Indicador", "Unidad de medida",
           "Periodo", "Meta del periodo", "Realizado en el periodo", "% del periodo", "Semáforo del periodo",
           "Meta anual", "Meta al corte", "Acumulado al corte", "% de avance al corte", "Semáforo al corte",
           "Hallazgos", "Justificación"]
WIDTHS = [11, 26, 11, 13, 40, 13, 16, 12, 12, 10, 14, 12, 12, 12, 10, 14, 26, 24]
WRAPPED = (1, 4, 5, 6, 10, 15, 16, 17)  # columns whose text wraps: the row height follows the longest
NUMERIC = {7, 8, 11, 12, 13}  # 0-based columns with figures in the indicator's unit
PERIOD_PCT_COL = 9
PERIOD_LIGHT_COL = 10
PCT_COL = 14
LIGHT_COL = 15
JUST_HEADERS = ["Dependencia", "Clave indicador", "Indicador", "Periodo", "Causa", "Efecto", "Otros motivos",
                "Acciones de mejora"]
JUST_WIDTHS = [11, 13, 34, 16, 40, 40, 30, 40]
LIGHTS = [Light.VERDE.value, Light.AMARILLO.value, Light.ROJO.value, Light.GRIS.value, NO_APLICA]


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
        self.light = {k: make(fill=f, align=c.WRAP_CENTER) for k, f in c.LIGHT_FILLS.items()}
        self.light_head = {k: make(font=c.FONT_BOLD, fill=f, align=c.WRAP_CENTER)
                           for k, f in c.LIGHT_FILLS.items()}
        # data rows of the detail sheet print gridlines: no per-cell borders
        self.numbers = {f: make(fmt=f, align=c.Alignment(vertical="top"), border=None)
                        for f in c.UNIT_FORMATS.values()}
        self.dpct = make(fmt=c.FMT_PCT_POINTS, align=c.Alignment(vertical="top"), border=None)
        self.dtext = make(align=c.Alignment(vertical="top"), border=None)
        self.dwrap = make(align=c.WRAP_TOP, border=None)
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


def justification_texts(pset: ProgramSet) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """(indicator key, period) -> (causa, efecto, otros motivos, acciones de mejora) of a full read."""
    return {k: v for k, v in pset.justification_parts.items() if any(v)}


def row_justification(row: ProgressRow, just: dict) -> tuple[str | None, tuple | None]:
    """(period, parts) of the row's justification: its own period's, else the latest due period's."""
    key = row.indicator_key
    if row.period and (key, row.period) in just:
        return row.period, just[(key, row.period)]
    if row.result is not None:
        for p in reversed(getattr(row.result.cumulative, "due_periods", None) or ()):
            if (key, p) in just:
                return p, just[(key, p)]
    return None, None


def findings_text(row: ProgressRow, per: PeriodFigures | None = None) -> str:
    """The row's findings in words: flags of the cumulative and of the period, or why there is no figure."""
    seen = []
    for f in list(row.flags) + list(per.flags if per is not None else row.period_flags):
        if f not in seen:
            seen.append(f)
    words = [label(f) for f in seen]
    state = row.state
    if state == NO_APLICA:
        words.insert(0, label(NO_APLICA))
    elif row.reason and (state == Light.GRIS.value or row.progress_pct is None):
        words.append(row.reason.rstrip("."))
    return "; ".join(words)


def period_state(row: ProgressRow, per: PeriodFigures | None) -> str:
    if per is None:
        return NO_APLICA if row.state == NO_APLICA else ""
    return per.light


def detail_values(row: ProgressRow, agency_name: str, just: dict) -> list:
    jper, parts = row_justification(row, just)
    if parts is not None:
        text = TEXT["has_just"].format(period=periods.label(jper))
    elif row.needs_justification:
        text = TEXT["needs_missing"]
    else:
        text = ""
    per = last_period(row)
    pstate = period_state(row, per)
    return [agency_name, f"{row.program_key} {row.program_name}", label(row.level), row.indicator_key,
            row.indicator_name, row.unit, periods.label(per.period) if per else TEXT["no_period"],
            _num(per.target if per else None), _num(per.value if per else None),
            _num(per.progress if per else None), label(pstate) if pstate else "",
            _num(row.annual_target), _num(row.cumulative_target), _num(row.cumulative_value), _num(row.progress_pct),
            label(row.state), findings_text(row, per), text]


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


def _page_header(ws, org_name: str, month: str) -> None:
    cutoff = periods.month_cutoff(month).strftime("%d/%m/%Y")
    ws.oddHeader.center.text = TEXT["page_header"].format(org=org_name, cutoff=cutoff, month=periods.label(month))
    ws.oddHeader.center.size = 9
    ws.oddHeader.center.font = "Calibri,Bold"


def _write_avance(rows: list[ProgressRow], pset: ProgramSet, month: str, out: str | Path) -> Path:
    wb = Workbook(write_only=True)
    agencies = pset.agencies
    org = pset.organization
    org_name = org.name if org else ""

    def agency_name(key):
        a = agencies.get(key or "")
        return f"{a.acronym or a.key} — {a.name}" if a else ""

    def agency_short(key):
        a = agencies.get(key or "")
        return (a.acronym or a.key) if a else ""

    # overview
    ov = wb.create_sheet(TEXT["overview"])
    st = Styles(ov)
    for col, w in zip("ABCDEFGH", [50, 11, 11, 11, 11, 13, 11, 11]):
        ov.column_dimensions[col].width = w
    c.print_setup(ov)  # before the first row: a write-only sheet writes its properties with it
    _page_header(ov, org_name, month)
    ov.append([st.cell(org_name, st.title)])
    ov.append([st.cell(TEXT["title"].format(month=periods.label(month)), st.title)])
    ov.append([st.cell(TEXT["generated"].format(when=datetime.now().strftime("%d/%m/%Y %H:%M")), st.note)])
    for line in TEXT["notes"]:
        ov.append([st.cell(line, st.note)])
    ov.append([])
    counts = {k: 0 for k in LIGHTS}
    by_agency: dict[str, dict[str, int]] = {}
    for r in rows:
        state = r.state
        counts[state] = counts.get(state, 0) + 1
        by_agency.setdefault(agency_name(r.agency_key), {k: 0 for k in LIGHTS})[state] += 1
    total = len(rows)
    ov.append([st.cell(TEXT["by_light"], st.header), st.cell(TEXT["count"], st.header),
               st.cell(TEXT["share"], st.header)])
    for k in LIGHTS:
        ov.append([st.cell(label(k), st.light[k]), st.cell(counts[k], st.int),
                   st.cell(c.decimal_for_cell(c_round(c_pct(counts[k], total))), st.pct)])
    ov.append([st.cell(TEXT["total"], st.header), st.cell(total, st.int), st.cell(100, st.pct)])
    ov.append([])
    ov.append([st.cell(TEXT["by_agency"], st.header)] + [st.cell(label(k), st.light_head[k]) for k in LIGHTS]
              + [st.cell(TEXT["total"], st.header)])
    ov_row = 3 + len(TEXT["notes"]) + 1 + 1 + len(LIGHTS) + 1 + 1 + 1  # the row of the dependencia header
    ov.row_dimensions[ov_row].height = 30
    for name in sorted(by_agency):
        cts = by_agency[name]
        ov_row += 1
        ov.row_dimensions[ov_row].height = row_height([(name, 50)])
        ov.append([st.cell(name, st.wrap)] + [st.cell(cts[k], st.int) for k in LIGHTS]
                  + [st.cell(sum(cts.values()), st.int)])

    # detail
    ws = wb.create_sheet(TEXT["detail"])
    st = Styles(ws)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "F2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(rows) + 1}"
    c.print_setup(ws, title_rows="1:1")
    ws.page_setup.paperSize = "5"  # oficio (legal): eighteen columns stay readable when fitted to the width
    _page_header(ws, org_name, month)
    ws.row_dimensions[1].height = 42  # three-line headers
    ws.append([st.cell(h, st.header) for h in HEADERS])
    just = justification_texts(pset)
    fmt_of = {ind.key: c.unit_format(ind.unit, ind.formula_type) for p in pset.programs for ind in p.indicators}
    # data rows: printed gridlines instead of per-cell borders; long texts wrap (LibreOffice and Excel grow the
    # row when the file is opened), numbers carry the indicator's unit format, the semáforos their fill
    ws.print_options.gridLines = True
    base = [st.dtext, st.dwrap, st.dtext, st.dtext, st.dwrap, st.dwrap, st.dwrap, None, None, st.dpct, None,
            None, None, None, st.dpct, None, st.dwrap, st.dwrap]
    names = {}
    rownum = 1
    dims = ws.row_dimensions
    for r in rows:
        if r.agency_key not in names:
            names[r.agency_key] = agency_short(r.agency_key)
        vals = detail_values(r, names[r.agency_key], just)
        rownum += 1
        dims[rownum].height = row_height([(vals[i], WIDTHS[i]) for i in WRAPPED])
        num_style = st.numbers[fmt_of.get(r.indicator_key, c.FMT_NUMBER)]
        cells = []
        for i, v in enumerate(vals):
            if i == LIGHT_COL:
                cells.append(st.cell(v, st.light.get(r.state, st.light["gris"])))
            elif i == PERIOD_LIGHT_COL:
                pst = next((k for k in LIGHTS if label(k) == v), "gris")
                cells.append(st.cell(v, st.light[pst]) if v else None)
            elif v is None or v == "":
                cells.append(None)
            elif i in NUMERIC:
                cells.append(st.cell(v, num_style))
            elif base[i] is None:
                cells.append(st.plain(v))
            else:
                cells.append(st.cell(v, base[i]))
        ws.append(cells)

    # justifications, as their four parts, only where one exists
    js = wb.create_sheet(TEXT["justifications"])
    st = Styles(js)
    for i, w in enumerate(JUST_WIDTHS, start=1):
        js.column_dimensions[get_column_letter(i)].width = w
    c.print_setup(js, title_rows="1:1")
    _page_header(js, org_name, month)
    js.freeze_panes = "D2"
    js.append([st.cell(h, st.header) for h in JUST_HEADERS])
    n = 0
    for r in rows:
        jper, parts = row_justification(r, just)
        if parts is None:
            continue
        n += 1
        js.row_dimensions[n + 1].height = row_height([(r.indicator_name, JUST_WIDTHS[2])]
                                                     + [(x, w) for x, w in zip(parts, JUST_WIDTHS[4:])])
        js.append([st.cell(names.get(r.agency_key) or agency_short(r.agency_key), st.wrap),
                   st.cell(r.indicator_key, st.wrap), st.cell(r.indicator_name, st.wrap),
                   st.cell(periods.label(jper), st.wrap)] + [st.cell(x, st.wrap) if x else None for x in parts])
    if not n:
        js.append([st.cell(TEXT["no_just"], st.note)])
    from ..fileops import save_workbook

    return save_workbook(wb, out)


def row_height(texts, line_pt: float = 13.0) -> float:
    """Points of a row whose wrapped texts are ``(text, column width)``: words wrap, so a line holds a little
    less than the width in characters."""
    lines = 1
    for text, width in texts:
        if text and isinstance(text, str):
            per = max(1, int(width * 0.95) - 1)
            n = 0
            for part in text.split("\n"):
                cur = 0
                n += 1
                for word in part.split(" "):
                    add = len(word) + (1 if cur else 0)
                    if cur and cur + add > per:
                        n += 1
                        cur = len(word)
                    else:
                        cur += add
            if n > lines:
                lines = n
    return min(409.0, line_pt * lines + 2)


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
