"""Read MIRs from workbooks made by other people and systems into plain documents plus a report.

Finds the header row anywhere in the first 30 rows by column synonyms (accents, case, spaces and underscores
ignored), fills merged cells down, skips title rows, blank separators, notes and sheets without a MIR header,
reads level names written in many ways and numbers written as text. Everything is collected: errors (the
import is refused as a whole), warnings and ignored rows, each with sheet and row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl.utils import get_column_letter

from ..core.formula import FormulaError, numerator_denominator, parse_formula
from ..core.mir import IndicatorDoc, ObjectiveDoc, ProgramDoc, VariableDoc
from . import common as c

HEADER_SCAN_ROWS = 30

FIELD_LABEL = {
    "nivel": "Nivel", "resumen": "Resumen narrativo", "indicador": "Indicador", "formula": "Método de cálculo",
    "frecuencia": "Frecuencia", "unidad": "Unidad de medida", "meta": "Meta anual",
    "medios": "Medios de verificación", "supuestos": "Supuestos", "definicion": "Definición", "tipo": "Tipo",
    "dimension": "Dimensión", "sentido": "Sentido", "linea_base": "Línea base",
    "anio_linea_base": "Año de línea base", "clave_indicador": "Clave del indicador", "clave_pp": "Clave Pp",
    "nombre_pp": "Nombre del programa", "dependencia": "Dependencia",
}

MSG = {
    "no_header": "no tiene encabezados de MIR (Nivel, Resumen narrativo, Indicador…); se omitió.",
    "empty_sheet": "está vacía; se omitió.",
    "no_nivel": "tiene encabezados de indicadores pero falta la columna «Nivel» (Fin, Propósito, Componente, "
                "Actividad).",
    "bad_level": "el nivel «{raw}» no es Fin, Propósito, Componente ni Actividad.",
    "act_first": "la Actividad «{raw}» aparece antes de cualquier Componente.",
    "act_parent": "la Actividad «{raw}» se refiere al Componente {n}, que no existe en el programa.",
    "bad_number": "{error}",
    "no_freq": "falta la frecuencia del indicador «{name}».",
    "bad_freq": "la frecuencia «{raw}» no es válida (mensual, bimestral, trimestral, cuatrimestral, semestral, anual, "
                "bienal, trienal, quinquenal o sexenal).",
    "no_freq_col": "no tiene columna «Frecuencia»: los indicadores nuevos quedan con frecuencia anual; revísela.",
    "no_direction_col": "no tiene columna «Sentido»: los indicadores nuevos quedan como ascendentes; revíselo.",
    "no_direction": "sin «Sentido»: se supuso ascendente para «{name}».",
    "bad_enum": "«{raw}» no es un valor reconocido de {what}; se dejó vacío (revíselo en la ficha).",
    "note_row": "fila de nota o pie («{text}»); no es un indicador.",
    "budget": "bloque de presupuesto a partir de esta fila; no es parte de la MIR.",
    "no_key": ("no se encontró la clave del programa (columna «Clave Pp» o título «Clave del programa: …»); "
               "se usó «{key}», tomada del nombre de la hoja."),
    "formula_from_text": ("del método de cálculo se tomó la fórmula «{expr}»; el texto completo quedó en "
                          "Observaciones."),
    "no_formula": ("el método de cálculo no contiene una fórmula reconocible; el indicador queda sin variables "
                   "(capture la fórmula en la ficha)."),
    "vars_missing": ("las variables {names} se crearon desde la fórmula sin descripción ni fuente; complételas "
                     "en la ficha (FT-006)."),
    "objective_no_indicator": "el objetivo no tiene indicador.",
    "formula_words": ("el método de cálculo «{raw}» está en palabras: se propone la fórmula «{expr}» con las "
                      "variables {vars}; revísela antes de aplicar (el texto original queda en Observaciones)."),
    "table_end": "«{text}»: fin de la tabla de la MIR (firmas o notas); las filas siguientes no se leyeron.",
    "orphan_row": "fila de indicador sin objetivo previo (Nivel y Resumen vacíos).",
    "year_differs": "el título dice ejercicio {title}; se importa en el ejercicio {year} (--ejercicio).",
    "year_title": "ejercicio {year} tomado del título de la hoja.",
}

_FREQ = {"mensual": "mensual", "bimestral": "bimestral", "trimestral": "trimestral",
         "cuatrimestral": "cuatrimestral", "semestral": "semestral", "anual": "anual", "bienal": "bienal",
         "trienal": "trienal", "quinquenal": "quinquenal", "sexenal": "sexenal", "bianual": "bienal",
         "mes": "mensual", "trimestre": "trimestral", "semestre": "semestral", "ano": "anual"}
_TYPE = {"estrategico": "estrategico", "estrategica": "estrategico", "gestion": "gestion", "degestion": "gestion"}
_DIM = {"eficacia": "eficacia", "eficiencia": "eficiencia", "calidad": "calidad", "economia": "economia"}
_DIR = {"ascendente": "ascendente", "descendente": "descendente", "regular": "regular", "nominal": "regular",
        "constante": "regular"}
_SIGNATURE_START = ("elaboro", "reviso", "autorizo", "valido")
_NOTE_START = ("fuente", "elaboro", "elaborado", "nota", "notas", "total", "autorizo", "reviso", "valido",
               "observaciones")


@dataclass
class Issue:
    sheet: str
    row: int | None
    message: str
    column: str = ""
    field: str = ""

    def text(self) -> str:
        where = f"Hoja «{self.sheet}»"
        if self.row:
            where += f", fila {self.row}"
        if self.column:
            where += f", columna {self.column}"
        if self.field:
            where += f" ({self.field})"
        return f"{where}: {self.message}"

    def as_json(self) -> dict:
        return {"hoja": self.sheet, "fila": self.row, "columna": self.column, "campo": self.field,
                "mensaje": self.message}


@dataclass
class ParsedObjective:
    sheet: str
    row: int
    level_raw: str
    level: str | None
    component: int | None
    number: int | None
    text: str
    assumptions: list[str] = field(default_factory=list)
    indicators: list[IndicatorDoc] = field(default_factory=list)
    given: list[set] = field(default_factory=list)  # per indicator: fields present in the sheet
    rows: list[int] = field(default_factory=list)  # per indicator: sheet row
    key: str = ""
    parent_key: str | None = None


@dataclass
class ParsedProgram:
    sheet: str
    key: str
    name: str = ""
    agency_text: str = ""
    fiscal_year: int | None = None
    objectives: list[ParsedObjective] = field(default_factory=list)
    header_row: int = 0


@dataclass
class WorkbookParse:
    file: str
    programs: list[ParsedProgram] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    ignored: list[Issue] = field(default_factory=list)

    def indicator_count(self) -> int:
        return sum(len(o.indicators) for p in self.programs for o in p.objectives)


# ------------------------------------------------------------------------------------------------

def _grid(ws) -> dict[tuple[int, int], object]:
    """Cell values with vertically merged cells filled down (horizontal merges keep only the first cell)."""
    vals: dict[tuple[int, int], object] = {}
    fmts: dict[tuple[int, int], str] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and cell.value != "":
                vals[(cell.row, cell.column)] = cell.value
                if cell.number_format and cell.number_format != "General":
                    fmts[(cell.row, cell.column)] = cell.number_format
    wide: set[int] = set()
    for rng in ws.merged_cells.ranges:
        v = vals.get((rng.min_row, rng.min_col))
        f = fmts.get((rng.min_row, rng.min_col))
        if rng.max_col > rng.min_col + 1:
            wide.add(rng.min_row)
        for r in range(rng.min_row + 1, rng.max_row + 1):
            if v is not None:
                vals[(r, rng.min_col)] = v
                if f:
                    fmts[(r, rng.min_col)] = f
    return vals, fmts, wide


def _find_header(vals, max_row: int, max_col: int):
    for r in range(1, min(HEADER_SCAN_ROWS, max_row) + 1):
        cols: dict[str, int] = {}
        for col in range(1, max_col + 1):
            f = c.header_field(vals.get((r, col)))
            if f and f not in cols:
                cols[f] = col
        mir_like = ("nivel" in cols and ("indicador" in cols or "resumen" in cols)) or (
            "formula" in cols and ("indicador" in cols or "resumen" in cols))
        if len(cols) >= 3 and mir_like:
            data_start = r + 1
            # second header row (group headings such as «Indicador» over «Nombre / Método de cálculo …»)
            below: dict[str, int] = {}
            for col in range(1, max_col + 1):
                f = c.header_field(vals.get((r + 1, col)))
                if f:
                    below.setdefault(f, col)
            if len(below) >= 2:
                for f, col in below.items():
                    owner = next((k for k, v in cols.items() if v == col), None)
                    if owner is not None and owner != f:
                        del cols[owner]
                    cols[f] = col
                data_start = r + 2
            return r, data_start, cols
    return None


_KEY_RX = re.compile(r"clave\s+(?:del\s+)?(?:programa|pp)(?:\s+presupuestario)?\s*[:.\-]\s*(.+?)(?:\s{2,}|$)", re.I)
_PP_RX = re.compile(r"programa\s+presupuestario\s*[:.]\s*([A-Z]\d{3}|\S+)\s*[—–\-:]\s*(.+)$", re.I)
_NAME_RX = re.compile(r"(?:nombre\s+del\s+(?:programa|pp))\s*[:.]\s*(.+?)(?:\s{2,}|$)", re.I)
_YEAR_RX = re.compile(r"ejercicio(?:\s+fiscal)?\s*[:.]?\s*(\d{4})", re.I)
_AGENCY_RX = re.compile(r"(?:dependencia|unidad\s+responsable)\s*[:.]\s*(.+)$", re.I)


_CLOSING_RX = re.compile(r"^(elaboro|elaborado por|reviso|revisado por|autorizo|autorizado por|valido|vo\.?\s*bo|"
                         r"nota|notas|observaciones|fuente)\b\s*[:.]", re.I)
# «Programa: K012 Infraestructura educativa / Dependencia: Obras Públicas» (key, name and unit in one title line)
_PROG_LINE_RX = re.compile(r"\bprograma\s*[:.]\s*([A-Z]{1,2}\d{2,4})\b\s*[—–\-:]?\s*(.+?)\s*(?:[/|;]|\s{2,}|$)", re.I)
_UNIT_RX = re.compile(r"(?:dependencia|unidad\s+responsable|[aá]rea\s+responsable)\s*[:.]\s*(.+?)\s*(?:[/|;]|\s{2,}|$)",
                      re.I)


def _closing_line(text: str) -> bool:
    return bool(text) and _CLOSING_RX.match(_plain_lower(text)) is not None


def _plain_lower(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).strip().lower()


def _title_info(vals, header_row: int, max_col: int) -> dict:
    info: dict = {}
    texts = [str(vals[(r, col)]) for r in range(1, header_row) for col in range(1, max_col + 1)
             if isinstance(vals.get((r, col)), str)]
    for t in texts:
        t1 = t.strip()
        if "key" not in info:
            m = _PP_RX.search(t1)
            if m:
                info["key"], info["name"] = m.group(1).strip(), m.group(2).strip()
                unit = _UNIT_RX.search(t1)
                if unit and "agency" not in info:
                    info["agency"] = unit.group(1).strip()
                    info["name"] = re.split(r"\s*[/|;]\s*", info["name"])[0].strip()
                continue
            m = None if re.search(r"clave", t1, re.I) else _PROG_LINE_RX.search(t1)
            if m:
                info["key"], info["name"] = m.group(1).strip().upper(), m.group(2).strip()
                unit = _UNIT_RX.search(t1)
                if unit and "agency" not in info:
                    info["agency"] = unit.group(1).strip()
                continue
            m = _KEY_RX.search(t1)
            if m:
                info["key"] = m.group(1).strip()
        if "year" not in info:
            m = _YEAR_RX.search(t1)
            if m:
                info["year"] = int(m.group(1))
        if "name" not in info:
            m = _NAME_RX.search(t1)
            if m:
                info["name"] = m.group(1).strip()
        if "agency" not in info:
            m = _UNIT_RX.search(t1) or _AGENCY_RX.search(t1)
            if m:
                info["agency"] = m.group(1).strip()
    if "name" not in info:
        for t in texts:
            s = t.strip()
            if re.match(r"^programa\s", s, re.I) and ":" not in s[:30]:
                info["name"] = s
                break
    return info


def _split_list(text: str) -> list[str]:
    parts = re.split(r"\n|;", text or "")
    return [p.strip() for p in parts if p.strip()]


from .formula_words import formula_from_words  # noqa: E402 - beside its only caller


def formula_parts(text: str) -> tuple[str | None, list[str]]:
    """(expression, names) from a «Método de cálculo» text: the whole text when it parses, else the right-hand
    side of the first line with «=» that parses; (None, []) when nothing parses."""
    candidates = [text.strip()]
    for line in (text or "").splitlines():
        if "=" in line:
            candidates.append(line.rsplit("=", 1)[1].strip())
        candidates.append(line.strip())
    for cand in candidates:
        if not cand:
            continue
        try:
            f = parse_formula(cand.replace("×", "*").replace("x100", "*100").replace("X100", "*100"))
        except (FormulaError, Exception):  # noqa: BLE001 - free text
            continue
        if f.names:
            return f.text, list(f.ordered_names)
    return None, []


def formula_type_of(expr: str) -> str:
    try:
        shape = parse_formula(expr).shape()
    except Exception:  # noqa: BLE001
        return ""
    return {"ratio_x100": "porcentaje", "ratio_minus_1_x100": "tasa_variacion", "ratio": "razon",
            "single": "absoluto"}.get(shape, "")


def variables_for(expr: str) -> list[VariableDoc]:
    f = parse_formula(expr)
    try:
        num, den = numerator_denominator(f)
    except Exception:  # noqa: BLE001
        num, den = frozenset(), frozenset()
    out = []
    for n in f.ordered_names:
        role = "numerador" if n in num else "denominador" if n in den else "valor"
        out.append(VariableDoc(key=n[:40], name=n, role=role, accumulation="suma"))
    return out


def _sheet_key(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-]+", "", c.norm(title).upper())[:40] or "PP"


def parse_sheet(ws, result: WorkbookParse, year: int | None) -> None:
    sheet = ws.title
    if ws.max_row is None or ws.max_row < 1 or ws.max_column is None:
        result.ignored.append(Issue(sheet, None, MSG["empty_sheet"]))
        return
    vals, fmts, wide = _grid(ws)
    if not vals:
        result.ignored.append(Issue(sheet, None, MSG["empty_sheet"]))
        return
    max_row = max(r for r, _ in vals)
    max_col = max(col for _, col in vals)
    found = _find_header(vals, max_row, max_col)
    if found is None:
        result.ignored.append(Issue(sheet, None, MSG["no_header"]))
        return
    header_row, data_start, cols = found
    if "nivel" not in cols:
        result.errors.append(Issue(sheet, header_row, MSG["no_nivel"], field="Nivel"))
        return
    info = _title_info(vals, header_row, max_col)
    if year and info.get("year") and info["year"] != year:
        result.warnings.append(Issue(sheet, None, MSG["year_differs"].format(title=info["year"], year=year)))
    mapped = set(cols.values())
    for col in range(1, max_col + 1):
        h = vals.get((header_row, col))
        if h is not None and col not in mapped:
            result.ignored.append(Issue(sheet, header_row, f"columna «{h}» no reconocida; se ignoró.",
                                        column=get_column_letter(col)))
    if "frecuencia" not in cols:
        result.warnings.append(Issue(sheet, header_row, MSG["no_freq_col"]))
    if "sentido" not in cols:
        result.warnings.append(Issue(sheet, header_row, MSG["no_direction_col"]))

    def get(r, f):
        col = cols.get(f)
        return None if col is None else vals.get((r, col))

    programs: dict[str, ParsedProgram] = {}
    order: list[str] = []

    def program_for(r) -> ParsedProgram:
        key = c.cell_text(get(r, "clave_pp")) if "clave_pp" in cols else ""
        if not key:
            key = info.get("key") or ""
        if not key:
            key = _sheet_key(sheet)
            if key not in programs:
                result.warnings.append(Issue(sheet, header_row, MSG["no_key"].format(key=key)))
        if key not in programs:
            name = c.cell_text(get(r, "nombre_pp")) if "nombre_pp" in cols else ""
            p = ParsedProgram(sheet=sheet, key=key[:40], name=name or info.get("name", ""),
                              agency_text=c.cell_text(get(r, "dependencia")) or info.get("agency", ""),
                              fiscal_year=year or info.get("year"), header_row=header_row)
            programs[key] = p
            order.append(key)
        return programs[key]

    state: dict[str, dict] = {}  # program key → {"obj": last objective, "prev": (nivel, resumen), "comp": …}
    last_pp_key = None
    for r in range(data_start, max_row + 1):
        row_vals = {f: vals.get((r, col)) for f, col in cols.items()}
        nonempty = [v for v in row_vals.values() if v not in (None, "")]
        if not nonempty:
            continue
        nivel_raw = c.cell_text(row_vals.get("nivel"))
        if c.norm(nivel_raw).startswith("presupuesto"):
            result.ignored.append(Issue(sheet, r, MSG["budget"]))
            break
        if c.norm(nivel_raw).startswith(_SIGNATURE_START):  # the signature block closes the matrix
            result.warnings.append(Issue(sheet, r, MSG["table_end"].format(text=nivel_raw[:60])))
            result.ignored.append(Issue(sheet, r, MSG["note_row"].format(text=nivel_raw[:60])))
            break
        first_text = c.cell_text(nonempty[0])
        if _closing_line(first_text) and parse_level(nivel_raw) is None:
            # «Elaboró: …», «Revisó: …», «Nota: …» after the table end it (with a warning), whatever follows
            result.warnings.append(Issue(sheet, r, MSG["table_end"].format(text=first_text[:60])))
            result.ignored.append(Issue(sheet, r, MSG["note_row"].format(text=first_text[:60])))
            break
        if len(nonempty) == 1 and (r in wide or c.norm(first_text).startswith(_NOTE_START)
                                   or not c.cell_text(row_vals.get("indicador"))
                                   and not c.cell_text(row_vals.get("resumen"))
                                   and parse_level(nivel_raw) is None):
            result.ignored.append(Issue(sheet, r, MSG["note_row"].format(text=first_text[:60])))
            continue
        prog = program_for(r) if ("clave_pp" in cols and get(r, "clave_pp")) or last_pp_key is None \
            else programs[last_pp_key]
        last_pp_key = prog.key
        st = state.setdefault(prog.key, {"obj": None, "prev": None, "comps": {}, "last_comp": None, "ncomp": 0})
        resumen = c.cell_text(row_vals.get("resumen"))
        prev = st["prev"]
        same = (not nivel_raw and not resumen) or (prev is not None and nivel_raw == prev[0]
                                                   and (not resumen or resumen == prev[1]))
        if same and st["obj"] is None:
            result.errors.append(Issue(sheet, r, MSG["orphan_row"], column=get_column_letter(cols["nivel"]),
                                       field="Nivel"))
            continue
        if not same:
            if not nivel_raw and prev is not None:
                nivel_raw = prev[0]
            lv = parse_level(nivel_raw)
            obj = ParsedObjective(sheet, r, nivel_raw, lv.level if lv else None,
                                  lv.component if lv else None, lv.number if lv else None, resumen)
            if lv is None:
                result.errors.append(Issue(sheet, r, MSG["bad_level"].format(raw=nivel_raw),
                                           column=get_column_letter(cols["nivel"]), field="Nivel"))
            elif lv.level == "COMPONENTE":
                st["ncomp"] += 1
                n = lv.component or st["ncomp"]
                obj.component = n
                st["comps"][n] = obj
                st["last_comp"] = obj
            elif lv.level == "ACTIVIDAD":
                if not st["comps"]:
                    result.errors.append(Issue(sheet, r, MSG["act_first"].format(raw=nivel_raw),
                                               column=get_column_letter(cols["nivel"]), field="Nivel"))
                elif lv.component is not None:
                    parent = st["comps"].get(lv.component)
                    if parent is None:
                        result.errors.append(Issue(sheet, r, MSG["act_parent"].format(raw=nivel_raw,
                                                                                      n=lv.component),
                                                   column=get_column_letter(cols["nivel"]), field="Nivel"))
                    obj.parent_key = f"#C{lv.component}"
                else:
                    obj.parent_key = f"#C{st['last_comp'].component}"
                    obj.component = st["last_comp"].component
            prog.objectives.append(obj)
            st["obj"] = obj
            st["prev"] = (nivel_raw, resumen)
        obj = st["obj"]
        sup = c.cell_text(row_vals.get("supuestos"))
        for s_item in _split_list(sup):
            if s_item not in obj.assumptions:
                obj.assumptions.append(s_item)
        name = c.cell_text(row_vals.get("indicador"))
        ftext = row_vals.get("formula")
        if not name and ftext in (None, ""):
            continue
        ind, given = _indicator(sheet, r, cols, row_vals, fmts, name, result)
        obj.indicators.append(ind)
        obj.given.append(given)
        obj.rows.append(r)
    for key in order:
        result.programs.append(programs[key])


def parse_level(text):
    return c.parse_level(text)


def _indicator(sheet, r, cols, row_vals, fmts, name, result) -> tuple[IndicatorDoc, set]:
    given = {f for f in cols if f not in ("nivel", "resumen", "supuestos", "clave_pp", "nombre_pp", "dependencia")}
    ind = IndicatorDoc(key="", name=name)

    def err(f, message):
        result.errors.append(Issue(sheet, r, message, column=get_column_letter(cols[f]), field=FIELD_LABEL[f]))

    def warn(f, message):
        result.warnings.append(Issue(sheet, r, message, column=get_column_letter(cols[f]) if f in cols else "",
                                     field=FIELD_LABEL.get(f, "")))

    ftext = row_vals.get("formula")
    raw = "" if ftext is None else str(ftext)
    if "formula" in cols and raw.strip():
        expr, names = formula_parts(raw)
        words = formula_from_words(raw) if expr is None else None
        if words is not None:
            # a método de cálculo in words: variables named from the text, shown in the preview to accept
            expr, wvars = words
            ind.formula = expr
            ind.notes = f"Método de cálculo original: {raw.strip()}"
            ind.variables = variables_for(expr)
            described = {w.symbol: w.description for w in wvars}
            for v in ind.variables:
                v.name = described.get(v.key, v.name)
                v.description = described.get(v.key, "")
            ind.formula_type = formula_type_of(expr)
            warn("formula", MSG["formula_words"].format(raw=raw.strip()[:120], expr=expr, vars="; ".join(
                f"{w.symbol} = {w.description}" for w in wvars)))
        elif expr is None:
            ind.formula = raw
            warn("formula", MSG["no_formula"])
        else:
            ind.formula = expr
            if expr.strip() != raw.strip():
                ind.notes = f"Método de cálculo original: {raw.strip()}"
                warn("formula", MSG["formula_from_text"].format(expr=expr))
            ind.variables = variables_for(expr)
            ind.formula_type = formula_type_of(expr)
            warn("formula", MSG["vars_missing"].format(names=", ".join(f"«{n}»" for n in names)))
    if "frecuencia" in cols:
        fr = c.cell_text(row_vals.get("frecuencia"))
        if not fr:
            err("frecuencia", MSG["no_freq"].format(name=name[:60]))
        else:
            code = _FREQ.get(c.norm(fr))
            if code is None:
                err("frecuencia", MSG["bad_freq"].format(raw=fr))
            else:
                ind.frequency = code
    else:
        ind.frequency = "anual"
    ind.unit = c.cell_text(row_vals.get("unidad"))
    ind.definition = c.cell_text(row_vals.get("definicion"))
    for f, table, attr, what in (("tipo", _TYPE, "type", "Tipo"), ("dimension", _DIM, "dimension", "Dimensión"),
                                 ("sentido", _DIR, "direction", "Sentido")):
        rawv = c.cell_text(row_vals.get(f))
        if rawv:
            code = table.get(c.norm(rawv))
            if code is None:
                warn(f, MSG["bad_enum"].format(raw=rawv, what=what))
            else:
                setattr(ind, attr, code)
    if not ind.direction:
        ind.direction = "ascendente"
        if "sentido" in cols:
            warn("sentido", MSG["no_direction"].format(name=name[:60]))
    for f, attr in (("meta", "annual_target"), ("linea_base", "baseline_value")):
        if f in cols:
            v = row_vals.get(f)
            try:
                setattr(ind, attr, c.cell_number(v, fmts.get((r, cols[f]), "General")))
            except (c.CellNumberError, ValueError) as exc:
                err(f, MSG["bad_number"].format(error=exc))
    if "anio_linea_base" in cols:
        try:
            ind.baseline_year = c.cell_int(row_vals.get("anio_linea_base"))
        except (c.CellNumberError, ValueError) as exc:
            err("anio_linea_base", str(exc))
    ind.verification_sources = _split_list(c.cell_text(row_vals.get("medios")))
    key = c.cell_text(row_vals.get("clave_indicador"))
    if key:
        ind.key = key[:60]
    return ind, given


# ------------------------------------------------------------------------------------------------

def assign_keys(p: ParsedProgram) -> None:
    """Objective keys like the fixture's (E001-F, E001-P, E001-C1, E001-A11) and indicator keys (E001-C1-01)."""
    used: set[str] = set()
    comp_key: dict[int, str] = {}
    act_count: dict[int, int] = {}
    other = 0
    for o in p.objectives:
        if o.level == "FIN":
            base = f"{p.key}-F"
        elif o.level == "PROPOSITO":
            base = f"{p.key}-P"
        elif o.level == "COMPONENTE":
            base = f"{p.key}-C{o.component}"
        elif o.level == "ACTIVIDAD" and o.component is not None:
            act_count[o.component] = act_count.get(o.component, 0) + 1
            n = o.number or act_count[o.component]
            base = f"{p.key}-A{o.component}{n}"
        else:
            other += 1
            base = f"{p.key}-X{other}"
        key = base
        k = 2
        while key in used:
            key = f"{base}-{k}"
            k += 1
        used.add(key)
        o.key = key
        if o.level == "COMPONENTE":
            comp_key[o.component] = key
    fin = next((o.key for o in p.objectives if o.level == "FIN"), None)
    prop = next((o.key for o in p.objectives if o.level == "PROPOSITO"), None)
    for o in p.objectives:
        if o.parent_key and o.parent_key.startswith("#C"):
            o.parent_key = comp_key.get(int(o.parent_key[2:]))
        elif o.level == "PROPOSITO" and o.parent_key is None:
            o.parent_key = fin  # vertical logic: Propósito → Fin, Componente → Propósito
        elif o.level == "COMPONENTE" and o.parent_key is None:
            o.parent_key = prop
        seq = 0
        for ind in o.indicators:
            seq += 1
            if not ind.key:
                ind.key = f"{o.key}-{seq:02d}"
            ind.objective_key = o.key


def to_program_doc(p: ParsedProgram, agency_key: str | None) -> ProgramDoc:
    doc = ProgramDoc(key=p.key, name=p.name or p.key, agency_key=agency_key, fiscal_year=p.fiscal_year)
    for i, o in enumerate(p.objectives):
        doc.objectives.append(ObjectiveDoc(key=o.key, level=o.level or "", parent_key=o.parent_key, text=o.text,
                                           assumptions=list(o.assumptions), order=i,
                                           indicator_keys=[x.key for x in o.indicators]))
        doc.indicators.extend(o.indicators)
    return doc


def parse_workbook(path: str | Path, year: int | None = None) -> WorkbookParse:
    path = Path(path)
    wb = c.open_user_workbook(path, data_only=True)
    result = WorkbookParse(file=path.name)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            result.ignored.append(Issue(ws.title, None, "hoja oculta; se omitió."))
            continue
        parse_sheet(ws, result, year)
    if not result.programs and not result.errors:
        result.errors.append(Issue(path.name, None, "ninguna hoja del libro tiene una MIR reconocible "
                                                    "(encabezados Nivel, Resumen narrativo, Indicador…)."))
    for p in result.programs:
        assign_keys(p)
    return result
