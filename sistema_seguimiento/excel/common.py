"""Shared pieces of the Excel exports and imports: shared styles, safe text, number parsing of cells, header
synonym matching, level names, and opening workbooks that users send (with clear Spanish errors)."""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..core.cells import is_risky  # noqa: F401 - shared with the CSV exports (core/cells.py)
from ..core.numbers import NumberParseError, parse_es_number, to_decimal
from .. import safezip
from ..services.errors import ServiceError

MSG = {
    "missing": "No existe el archivo «{path}».",
    "empty_file": "El archivo «{path}» está vacío (0 bytes).",
    "too_big": "El archivo «{path}» mide {mb:.0f} MB; el máximo aceptado es {max} MB. No se leyó.",
    "encrypted": ("El archivo «{path}» está protegido con contraseña o es un libro de Excel antiguo (.xls). "
                  "Quite la contraseña o guárdelo como «Libro de Excel (.xlsx)» y vuelva a intentarlo."),
    "not_xlsx": "El archivo «{path}» no es un libro de Excel (.xlsx) válido: {detail}",
    "too_many_rows": "La hoja «{sheet}» tiene {rows:,} filas; el máximo aceptado es {max:,}. No se leyó el archivo.",
    "too_many_columns": "La hoja «{sheet}» tiene {cols:,} columnas; el máximo aceptado es {max:,}. "
                        "No se leyó el archivo.",
    "too_many_cells": "La hoja «{sheet}» tiene {cells:,} celdas ({rows:,} filas × {cols:,} columnas); el máximo "
                      "aceptado es {max:,}. No se leyó el archivo.",
    "no_sheets": "El libro «{path}» no tiene hojas con datos.",
}

MAX_FILE_MB = 40
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MAX_CELLS = 5_000_000  # rows × columns of one sheet
# a workbook is a zip: limits checked on its directory before openpyxl opens it (sistema_seguimiento.safezip)
WORKBOOK_LIMITS = safezip.ZipLimits(max_members=2_000, max_member_bytes=120 * 1024 * 1024,
                                    max_total_bytes=150 * 1024 * 1024, max_ratio=100.0,
                                    ratio_floor_bytes=2 * 1024 * 1024)

# ------------------------------------------------------------------------------------------------
# styles (few shared objects: openpyxl dedups, and write-only cells reuse them)

COLOR_HEADER = "1F3864"
COLOR_TITLE = "1F3864"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT_HEADER = Font(name="Calibri", bold=True, color="FFFFFF", size=10)
FONT_BODY = Font(name="Calibri", size=10)
FONT_BOLD = Font(name="Calibri", size=10, bold=True)
FONT_TITLE = Font(name="Calibri", size=14, bold=True, color=COLOR_TITLE)
FONT_SUBTITLE = Font(name="Calibri", size=11, bold=True)
FONT_NOTE = Font(name="Calibri", size=9, italic=True, color="595959")
FILL_HEADER = PatternFill("solid", fgColor=COLOR_HEADER)
FILL_LABEL = PatternFill("solid", fgColor="D9E1F2")
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_LEVEL = PatternFill("solid", fgColor="EDEDED")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
CENTER = Alignment(horizontal="center", vertical="center")
LEFT_CENTER = Alignment(horizontal="left", vertical="center", wrap_text=True)

LIGHT_FILLS = {
    "verde": PatternFill("solid", fgColor="63BE7B"),
    "amarillo": PatternFill("solid", fgColor="FFEB84"),
    "rojo": PatternFill("solid", fgColor="F8696B"),
    "gris": PatternFill("solid", fgColor="D9D9D9"),
}

FMT_NUMBER = "#,##0.00"
FMT_INT = "#,##0"
FMT_PCT_POINTS = '#,##0.00" %"'  # percent points stored as numbers (85.3 shows «85.30 %»)
FMT_MONEY = '"$"#,##0.00'

LIGHT_FILLS["no_aplica"] = PatternFill("solid", fgColor="F2F2F2")

_MONEY_UNITS = re.compile(r"(\$|\bpesos?\b|\bmxn\b|\bmonto\b|\bimporte\b|\bmiles de pesos\b)", re.I)
_PCT_UNITS = re.compile(r"(%|porcentaje|por ciento|\btasa\b)", re.I)


def unit_kind(unit: str | None, formula_type: str | None = None) -> str:
    """How a figure of this unit is shown: ``pct`` (percent points, «%»), ``money`` («$»), ``count`` (whole
    things: no decimals) or ``number``."""
    u = unit or ""
    if _PCT_UNITS.search(u) or formula_type in ("porcentaje", "tasa_variacion"):
        return "pct"
    if _MONEY_UNITS.search(u):
        return "money"
    if formula_type == "absoluto" or (u and not formula_type and u[:1].isupper() and " " not in u.strip()):
        return "count"
    return "number"


UNIT_FORMATS = {"pct": FMT_PCT_POINTS, "money": FMT_MONEY, "count": FMT_INT, "number": FMT_NUMBER}


def unit_format(unit: str | None, formula_type: str | None = None) -> str:
    """The number format of a figure in the indicator's (or variable's) unit."""
    return UNIT_FORMATS[unit_kind(unit, formula_type)]

# ------------------------------------------------------------------------------------------------
# safe text

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value) -> str | None:
    """User text without the control characters Excel refuses (the text itself is kept exactly)."""
    if value is None:
        return None
    return _ILLEGAL.sub("", str(value))


def unsafe_text(value) -> str:
    """Text read back from one of our cells (kept for symmetry: the text is stored unchanged)."""
    return "" if value is None else str(value)


def set_text(cell, value) -> None:
    """Write user text into a cell (normal or write-only) so that it is shown as text and never evaluated:
    risky text is stored as a string cell with the «quote prefix» style (what Excel does for \'=A1)."""
    text = safe_text(value)
    cell.value = text
    if is_risky(text):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True


# ------------------------------------------------------------------------------------------------
# normalisation and header synonyms

def norm(text) -> str:
    """Lower case, no accents, only letters and digits ("Método de cálculo" → "metododecalculo")."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "", s)


_STOP = re.compile(r"\b(de|del|la|las|los|el|en|y|a)\b")


def norm_words(text) -> str:
    """Like :func:`norm` but without Spanish stop words ("Método de cálculo" → "metodocalculo")."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[_\-/.]+", " ", s)
    s = _STOP.sub(" ", s)
    return re.sub(r"[^a-z0-9]+", "", s)


# field → synonyms (written naturally; compared through norm_words)
HEADER_SYNONYMS: dict[str, list[str]] = {
    "nivel": ["Nivel", "Nivel de la MIR", "Nivel MIR", "DESC_NIVEL", "Nivel de objetivo"],
    "resumen": ["Resumen narrativo", "Objetivo", "Objetivos", "Resumen", "Narrativa", "DESC_OBJETIVO",
                "Objetivo (resumen narrativo)", "Resumen narrativo / objetivo"],
    "indicador": ["Indicador", "Indicadores", "Nombre del indicador", "Denominación", "Denominación del indicador",
                  "Nombre", "Nombre indicador", "Indicador de desempeño"],
    "formula": ["Método de cálculo", "Metodo calculo", "Fórmula", "Fórmula de cálculo", "Método", "Formula",
                "Método de cálculo (fórmula)", "Algoritmo"],
    "frecuencia": ["Frecuencia", "Frecuencia de medición", "Periodicidad", "Periodicidad de medición",
                   "Frecuencia de medicion del indicador", "Periodicidad o frecuencia de medición"],
    "unidad": ["Unidad de medida", "Unidad", "UM", "Unidad medida"],
    "meta": ["Meta anual", "Meta", "Meta anual aprobada", "Meta aprobada", "Meta programada anual",
             "Meta programada", "Meta anual programada"],
    "medios": ["Medios de verificación", "Medio de verificación", "Fuentes de información", "Fuente de información",
               "Fuentes", "Fuente", "Medios", "Fuente de información variable"],
    "supuestos": ["Supuestos", "Supuesto", "Riesgos"],
    "definicion": ["Definición", "Definición del indicador", "Descripción del indicador"],
    "tipo": ["Tipo", "Tipo de indicador", "Tipo indicador"],
    "dimension": ["Dimensión", "Dimensión a medir", "Dimensión del indicador"],
    "sentido": ["Sentido", "Sentido del indicador", "Comportamiento del indicador", "Tendencia esperada"],
    "linea_base": ["Línea base", "Valor línea base", "Línea base valor", "Valor de la línea base"],
    "anio_linea_base": ["Año línea base", "Anio linea base", "Año de la línea base", "Línea base año",
                        "Ciclo línea base"],
    "clave_indicador": ["Clave del indicador", "Clave indicador", "ID indicador", "Id del indicador"],
    "clave_pp": ["Clave Pp", "Clave del programa", "Programa presupuestario", "Clave programa", "ID_PP",
                 "Pp", "Clave del Pp"],
    "nombre_pp": ["Nombre del programa", "Nombre del Pp", "DESC_PP", "Programa"],
    "dependencia": ["Dependencia", "Unidad responsable", "UR", "Dependencia general"],
}

_SYN_INDEX: dict[str, str] = {}
for _field, _names in HEADER_SYNONYMS.items():
    for _n in _names:
        _SYN_INDEX.setdefault(norm_words(_n), _field)


def header_field(text) -> str | None:
    """The MIR field a header cell names, or None."""
    key = norm_words(text)
    if not key:
        return None
    return _SYN_INDEX.get(key)


# ------------------------------------------------------------------------------------------------
# levels

LEVEL_LABEL = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}


@dataclass(frozen=True)
class LevelName:
    level: str  # FIN | PROPOSITO | COMPONENTE | ACTIVIDAD
    component: int | None = None  # C<n>, or the component of an A<n>.<m>
    number: int | None = None  # the m of A<n>.<m>


_LEVEL_RE = [
    (re.compile(r"^fin(?:\s*\d*)?$"), "FIN"),
    (re.compile(r"^(?:proposito|prop)(?:\s*\d*)?$"), "PROPOSITO"),
]
# «C1», «C.1», «Comp 3», «Comp. 3», «COMPONENTE 2», «Componente C-2»; «A1.1», «A.1.1», «Act 2-1», «Actividad 1.2»
_SEP = r"[\s.:\-_#º°]*"
_COMP_RE = re.compile(rf"^(?:componente|comp|c){_SEP}(?:c{_SEP})?(\d+)?$")
_ACT_RE = re.compile(rf"^(?:actividad|activ|act|a){_SEP}(?:a{_SEP})?(?:(\d+)\s*[.\-_ ]\s*(\d+)|(\d+))?$")


def parse_level(text) -> LevelName | None:
    """"FIN", "Propósito", "C1", "Componente 1", "Componente C2", "A1.1", "Actividad 1.2", "A 2-1" …; None when
    the text is not one of the four MIR levels."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower().strip()
    s = re.sub(r"[\s:]+$", "", s)
    s = re.sub(r"\s+", " ", s)
    s = s.rstrip(".")
    for rx, level in _LEVEL_RE:
        if rx.match(s):
            return LevelName(level)
    m = _COMP_RE.match(s)
    if m:
        return LevelName("COMPONENTE", int(m.group(1)) if m.group(1) else None)
    m = _ACT_RE.match(s)
    if m:
        if m.group(1):
            return LevelName("ACTIVIDAD", int(m.group(1)), int(m.group(2)))
        return LevelName("ACTIVIDAD", None, int(m.group(3)) if m.group(3) else None)
    return None


# ------------------------------------------------------------------------------------------------
# numbers in cells

_MISSING_TEXT = {"", "nd", "na", "n/d", "n/a", "-", "—", "–", "s/d", "sd", "nodisponible", "noaplica"}


class CellNumberError(ValueError):
    pass


MAX_ABS = Decimal("1E15")


def _in_range(d: Decimal, original) -> Decimal:
    if not d.is_finite() or abs(d) >= MAX_ABS:
        raise CellNumberError(f"«{original}» está fuera del rango aceptado (hasta 999,999,999,999,999).")
    return d


def cell_number(value, number_format: str = "General", *, percent_points: bool = True) -> Decimal | None:
    """A number from a cell as the user sees it: 85 → 85; "85.3%" → 85.3; "1,234" → 1234; "1 234.5" → 1234.5;
    0.9 with a % format (shown «90 %») → 90 (percent points); "N/D", "-", "" → None. Raises CellNumberError
    (Spanish) for text that is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellNumberError(f"«{value}» no es un número.")
    if isinstance(value, (int, float, Decimal)):
        try:
            d = _in_range(to_decimal(value), value)
        except NumberParseError as exc:
            raise CellNumberError(str(exc)) from None
        if percent_points and isinstance(number_format, str) and "%" in number_format.replace('"%"', "") \
                and '" %"' not in number_format:
            d = (d * 100).normalize()
            if d == d.to_integral_value():
                d = d.quantize(Decimal(1))
        return d
    text = str(value).strip()
    if norm(text) in {norm(t) for t in _MISSING_TEXT} or text.lower() in _MISSING_TEXT:
        return None
    try:
        return _in_range(parse_es_number(text), text)
    except NumberParseError as exc:
        raise CellNumberError(str(exc)) from None


def strict_cell_number(value) -> Decimal | None:
    """A captured value from a cell (capture workbook, packages): numbers as stored; text only in the strict form
    of ``core.numbers.parse_strict_number`` ("1,234.5", "1234.5", "-3"; no «%», «$», other digits, exponents);
    "N/D", "-", "" → None; the digit limits of ``core.limits``. Raises CellNumberError (Spanish)."""
    from ..core.numbers import number_limit_problem, parse_strict_number

    if value is None:
        return None
    if isinstance(value, bool):
        raise CellNumberError(f"«{value}» no es un número.")
    if isinstance(value, (int, float, Decimal)):
        try:
            d = to_decimal(value)
        except NumberParseError as exc:
            raise CellNumberError(str(exc)) from None
        problem = number_limit_problem(d, value)
        if problem:
            raise CellNumberError(problem)
        return d
    text = str(value).strip()
    if text.lower() in _MISSING_TEXT or text.lower().replace(" ", "") in _MISSING_TEXT:
        return None
    try:
        return parse_strict_number(text)
    except NumberParseError as exc:
        raise CellNumberError(str(exc)) from None


def cell_int(value) -> int | None:
    d = cell_number(value, percent_points=False)
    if d is None:
        return None
    if d != d.to_integral_value():
        raise CellNumberError(f"«{value}» no es un número entero.")
    return int(d)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unsafe_text(value).strip() if isinstance(value, str) else str(value).strip()


def decimal_for_cell(d: Decimal | None):
    """A Decimal as a real number for a cell (openpyxl writes floats; ints stay ints)."""
    if d is None:
        return None
    if d == d.to_integral_value() and abs(d) < 10 ** 15:
        return int(d)
    return float(d)


def col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


# ------------------------------------------------------------------------------------------------
# opening user workbooks

def open_user_workbook(path: str | Path, *, read_only: bool = False, data_only: bool = True):
    """Open an .xlsx a user sent; every failure becomes a ServiceError in Spanish (nothing is written)."""
    from openpyxl import load_workbook

    p = Path(path)
    if not p.exists():
        raise ServiceError(MSG["missing"].format(path=p))
    size = p.stat().st_size
    if size == 0:
        raise ServiceError(MSG["empty_file"].format(path=p.name))
    if size > MAX_FILE_MB * 1024 * 1024:
        raise ServiceError(MSG["too_big"].format(path=p.name, mb=size / 1024 / 1024, max=MAX_FILE_MB))
    with open(p, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ServiceError(MSG["encrypted"].format(path=p.name))
    if not zipfile.is_zipfile(p):
        raise ServiceError(MSG["not_xlsx"].format(path=p.name, detail="no tiene el formato de Office Open XML."))
    try:
        with zipfile.ZipFile(p) as zf:
            # sizes, ratio, member count and names first, then rows × columns of every sheet: all BEFORE
            # openpyxl loads anything (a small file that expands to hundreds of MB is refused at once)
            safezip.check(zf, WORKBOOK_LIMITS, name=p.name)
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise ServiceError(MSG["not_xlsx"].format(path=p.name,
                                                          detail="falta el libro (xl/workbook.xml)."))
            check_sheet_sizes(zf, p.name)
        wb = load_workbook(p, read_only=read_only, data_only=data_only)
    except safezip.UnsafeZip as exc:
        raise ServiceError(str(exc)) from None
    except ServiceError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
        raise ServiceError(MSG["not_xlsx"].format(path=p.name, detail=f"{type(exc).__name__}: {exc}"[:300])) \
            from None
    for ws in wb.worksheets:
        if (ws.max_row or 0) > MAX_ROWS:
            raise ServiceError(MSG["too_many_rows"].format(sheet=ws.title, rows=ws.max_row, max=MAX_ROWS))
    if not wb.worksheets:
        raise ServiceError(MSG["no_sheets"].format(path=p.name))
    return wb


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref\s*=\s*"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr\s*=\s*"(\d{1,9})"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*\br\s*=\s*"([A-Z]{1,4})\d+"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _sheet_names(zf: zipfile.ZipFile, name: str) -> dict[str, str]:
    """worksheet member → sheet title (best effort; member name when unknown)."""
    out: dict[str, str] = {}
    try:
        wb = safezip.read_member(zf, "xl/workbook.xml", WORKBOOK_LIMITS, name=name)
        rels = safezip.read_member(zf, "xl/_rels/workbook.xml.rels", WORKBOOK_LIMITS, name=name)
    except safezip.UnsafeZip:
        return out
    targets = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    for tag in _SHEET_TAG.findall(wb):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(tag)}
        member = targets.get(attrs.get(b"id", b""))
        if member:
            import html

            out[member] = html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
    return out


def check_sheet_sizes(zf: zipfile.ZipFile, name: str) -> None:
    """Rows × columns of every worksheet, from its ``<dimension>`` and a streaming count of ``<row>`` tags and
    cell references (never trusting the dimension alone): ServiceError past MAX_ROWS / MAX_COLUMNS / MAX_CELLS.
    Stops reading as soon as a limit is passed."""
    titles = _sheet_names(zf, name)
    for member in sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        sheet = titles.get(member, member)
        rows = cols = count = 0
        tail = b""
        seen_dimension = False
        for chunk in safezip.stream_member(zf, member, WORKBOOK_LIMITS, chunk=1 << 20, name=name):
            data = tail + chunk
            if not seen_dimension:
                m = _DIMENSION.search(data)
                if m:
                    seen_dimension = True
                    if m.group(4):  # rows only: the declared columns often span formatted, empty columns
                        _check_dims(sheet, int(m.group(4)) - int(m.group(2) or 1) + 1, 0)
                elif b"<sheetData" in data or b":sheetData" in data:
                    seen_dimension = True
            # count complete tags only: keep an unfinished tag for the next chunk
            cut = data.rfind(b"<")
            if cut < 0 or data.find(b">", cut) >= 0:
                cut = len(data)
            body, tail = data[:cut], data[cut:]
            count += len(_ROW_TAG.findall(body))
            numbers = _ROW_NUMBER.findall(body)
            rows = max(rows, count, max(map(int, numbers)) if numbers else 0)
            refs = _CELL_REF.findall(body)
            if refs:
                cols = max(cols, max(_col_number(r) for r in set(refs)))
            _check_dims(sheet, rows, cols)


def _check_dims(sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS:
        raise ServiceError(MSG["too_many_rows"].format(sheet=sheet, rows=rows, max=MAX_ROWS))
    if cols > MAX_COLUMNS:
        raise ServiceError(MSG["too_many_columns"].format(sheet=sheet, cols=cols, max=MAX_COLUMNS))
    if rows * cols > MAX_CELLS:
        raise ServiceError(MSG["too_many_cells"].format(sheet=sheet, cells=rows * cols, rows=rows, cols=cols,
                                                        max=MAX_CELLS))


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet title (≤ 31 chars, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", text).strip("'")[:31] or "Hoja"
    title = base
    n = 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def print_setup(ws, *, landscape: bool = True, title_rows: str | None = None, fit_width: bool = True) -> None:
    """Letter paper, landscape, fit to width, repeated header rows, page numbers."""
    ws.page_setup.paperSize = "1"  # carta (letter)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows
    from datetime import date

    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "Página &P de &N"
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "SES — " + date.today().strftime("%d/%m/%Y")  # the date in es_MX order
    ws.oddFooter.right.size = 8
