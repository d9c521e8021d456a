"""Capture workbooks that go out to a dependencia and come back filled.

Export: one sheet «Captura» with instructions, one row per variable of every indicator due in the month,
only the «Valor» cells unlocked (sheet protected, no password by default), data validation, and a hidden sheet
«_ses» with the stable row identifiers, the period, the database identity and a fingerprint of the template.

Import: the fingerprint, period and database are checked first (an altered template or a workbook of another
period/database is refused); then each value is read as the user sees it and compared with the database
(new / changed / unchanged / cleared / errors). Applying goes through ``services.capture.save_values``: one
transaction, role and period rules, audit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from ..core import periods
from ..core.numbers import fmt_es
from ..core.types import label
from ..services.errors import ServiceError
from . import common as c
from .export_mir import _height

FORMAT = "SES-captura-1"
SHEET = "Captura"
META_SHEET = "_ses"
HEADER_ROW = 9
FIRST_ROW = HEADER_ROW + 1
HEADERS = ["Programa", "Clave indicador", "Indicador", "Periodo", "Variable", "Nombre de la variable",
           "Unidad de medida", "Meta del periodo", "Valor", "Valor anterior"]
WIDTHS = [11, 15, 46, 20, 10, 42, 16, 14, 14, 14]
VALUE_COL = 9  # I
LOCKED_COLS = [1, 2, 3, 4, 5, 6, 7, 8, 10]

TEXT = {
    "title": "Libro de captura de avances — {agency}",
    "subtitle": "{org} · Mes: {month} · Ejercicio {year}",
    "instructions": [
        "Instrucciones:",
        "1. Escriba el valor de cada variable en la columna «Valor» (celdas amarillas). Solo esas celdas se "
        "pueden modificar.",
        "2. Use punto decimal (por ejemplo 1234.5). Deje vacía la celda si aún no tiene el dato; borre el valor "
        "para eliminar una captura anterior.",
        "3. No agregue, borre ni mueva filas u hojas: el libro se rechaza si la plantilla fue alterada.",
        "4. Guarde como «Libro de Excel (.xlsx)» y entréguelo a la unidad de planeación, que lo importará en SES.",
    ],
    "validation_title": "Valor no válido",
    "validation_nonneg": "Escriba un número mayor o igual a cero, con punto decimal.",
    "validation_int": "Escriba un número entero mayor o igual a cero.",
    "validation_any": "Escriba un número con punto decimal.",
    "prompt_title": "Valor de la variable",
    "no_rows": "La dependencia {agency} no tiene indicadores que capturar en {month}.",
    "no_agency": "Indique la dependencia (--dependencia CLAVE).",
    # import
    "not_capture": ("El libro «{name}» no es un libro de captura de SES (falta la hoja oculta «_ses»). "
                    "Exporte la plantilla con «ses exportar captura»."),
    "bad_meta": "El libro «{name}» tiene dañada la hoja oculta «_ses»; exporte una plantilla nueva.",
    "other_format": "El libro «{name}» es de otra versión de plantilla ({fmt}); exporte una plantilla nueva.",
    "other_db": ("El libro «{name}» se generó con otra base de datos ({org}); no corresponde a esta base. "
                 "No se importó nada."),
    "other_period": ("El libro «{name}» es del periodo {got}; se esperaba {want}. No se importó nada."),
    "altered": ("La plantilla del libro «{name}» fue alterada (se movieron, agregaron o borraron filas, o se "
                "cambiaron celdas protegidas: {detail}). No se importó nada; exporte una plantilla nueva y "
                "copie en ella los valores."),
    "gone": "Hoja «{sheet}», fila {row}: el indicador {ind} / variable {var} ya no existe en la base de datos.",
    "bad_value": "Hoja «{sheet}», fila {row}, columna {col} (Valor de «{var}» del indicador {ind}): {error}",
    "percent": "Hoja «{sheet}», fila {row}, columna {col} (Valor de «{var}» del indicador {ind}): es un "
               "porcentaje y debe estar entre 0 y 100 ({value}).",
    "negative": "Hoja «{sheet}», fila {row}, columna {col} (Valor de «{var}» del indicador {ind}): el valor no "
                "puede ser negativo ({value}).",
    "integer": "Hoja «{sheet}», fila {row}, columna {col} (Valor de «{var}» del indicador {ind}): debe ser un "
               "número entero ({value}).",
    "changed_since": ("Hoja «{sheet}», fila {row}: el valor de «{var}» del indicador {ind} cambió en la base después "
                      "de exportar el libro (exportado: {exported}; ahora: {now}); el libro lo reemplazará."),
    "summary": ("Libro de captura de {agency} para {month}: {new} nuevos, {changed} modificados, "
                "{cleared} borrados, {unchanged} sin cambio, {errors} errores."),
}


# ------------------------------------------------------------------------------------------------
# identity and fingerprint

INSTANCE_KEY = "instance_id"


def database_identity(session) -> tuple[str, str]:
    """(stable id, organization name) of a database: a random id kept in app_meta (survives backups and
    restores); databases that never exported a capture workbook fall back to creation time + name."""
    from ..db.models import AppMeta, Organization

    org = session.scalars(select(Organization)).first()
    name = org.name if org else ""
    inst = session.scalar(select(AppMeta.value).where(AppMeta.key == INSTANCE_KEY))
    if inst:
        return inst, name
    created = session.scalar(select(AppMeta.value).where(AppMeta.key == "created")) or ""
    return hashlib.sha256(f"{created}|{name}".encode()).hexdigest()[:20], name


def ensure_identity(db) -> None:
    """Give the database its random id (once) so that workbooks of another database are recognised."""
    import uuid

    from ..db.models import AppMeta

    if db.read_only:
        return
    with db.reading() as s:
        if s.scalar(select(AppMeta.value).where(AppMeta.key == INSTANCE_KEY)):
            return
    with db.transaction() as s:
        if s.get(AppMeta, INSTANCE_KEY) is None:
            s.add(AppMeta(key=INSTANCE_KEY, value=uuid.uuid4().hex[:20]))


def fingerprint(rows: list[list]) -> str:
    """SHA-256 of the protected cells: what a person must not change."""
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps([_canon(v) for v in r], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def _canon(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float, Decimal)):
        return format(Decimal(str(v)).normalize(), "f")
    return str(v)


# ------------------------------------------------------------------------------------------------
# export

def build_capture_workbook(sheet, month: str, agency_key: str, agency_name: str, org_name: str, db_id: str,
                           password: str | None = None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = get_column_letter(len(HEADERS))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = TEXT["title"].format(agency=agency_name)
    ws["A1"].font = c.FONT_TITLE
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = TEXT["subtitle"].format(org=org_name, month=periods.label(month), year=periods.year_of(month))
    ws["A2"].font = c.FONT_SUBTITLE
    for i, line in enumerate(TEXT["instructions"], start=3):
        ws.merge_cells(f"A{i}:{last}{i}")
        cell = ws.cell(i, 1, line)
        cell.font = c.FONT_BOLD if i == 3 else c.FONT_BODY
        cell.alignment = c.LEFT_CENTER
    for i, (h, w) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(HEADER_ROW, i, h)
        cell.font, cell.fill, cell.alignment, cell.border = c.FONT_HEADER, c.FILL_HEADER, c.WRAP_CENTER, c.BORDER
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.row_dimensions[HEADER_ROW].height = 30

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    ids: list[list] = []
    protected: list[list] = [[ws.cell(HEADER_ROW, i).value for i in range(1, len(HEADERS) + 1)]]
    unlocked = Protection(locked=False)
    dv_nonneg = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, errorTitle=TEXT["validation_title"],
                               error=TEXT["validation_nonneg"], promptTitle=TEXT["prompt_title"],
                               prompt=TEXT["validation_nonneg"], showInputMessage=True)
    dv_int = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle=TEXT["validation_title"], error=TEXT["validation_int"],
                            promptTitle=TEXT["prompt_title"], prompt=TEXT["validation_int"], showInputMessage=True)
    dv_any = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                            allow_blank=True, showErrorMessage=True, errorTitle=TEXT["validation_title"],
                            error=TEXT["validation_any"], promptTitle=TEXT["prompt_title"],
                            prompt=TEXT["validation_any"], showInputMessage=True)
    for dv in (dv_nonneg, dv_int, dv_any):
        ws.add_data_validation(dv)
    row = FIRST_ROW
    for ci in sheet.indicators:
        for v in ci.variables:
            vals = [ci.program_key, ci.key, ci.name, periods.label(ci.period), v.key, v.name, v.unit,
                    c.decimal_for_cell(v.target), c.decimal_for_cell(v.value), c.decimal_for_cell(v.value)]
            for col, value in enumerate(vals, start=1):
                cell = ws.cell(row, col)
                if isinstance(value, str):
                    c.set_text(cell, value)
                else:
                    cell.value = value
                cell.border = c.BORDER
                cell.font = c.FONT_BODY
                if col in (8, 9, 10):
                    cell.number_format = c.FMT_NUMBER
                    cell.alignment = c.Alignment(vertical="top")
                else:
                    cell.alignment = c.WRAP_TOP
            ws.row_dimensions[row].height = _height([(ci.name, WIDTHS[2]), (v.name, WIDTHS[5]),
                                                     (periods.label(ci.period), WIDTHS[3])])
            vcell = ws.cell(row, VALUE_COL)
            vcell.protection = unlocked
            vcell.fill = c.FILL_INPUT
            (dv_int if v.integer_only and not v.allow_negative else
             dv_any if v.allow_negative else dv_nonneg).add(vcell)
            ids.append([row, ci.key, v.key, ci.period, _canon(c.decimal_for_cell(v.value))])
            protected.append([ws.cell(row, col).value for col in LOCKED_COLS])
            row += 1
    ws.freeze_panes = ws.cell(FIRST_ROW, 4)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = True
    if password:
        ws.protection.password = password
    c.print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")

    fp = fingerprint(protected + [[r[0], r[1], r[2], r[3]] for r in ids])
    meta.append(["formato", FORMAT])
    meta.append(["periodo", month])
    meta.append(["dependencia", agency_key])
    meta.append(["base_de_datos", db_id])
    meta.append(["organizacion", org_name])
    meta.append(["huella", fp])
    meta.append(["filas", len(ids)])
    meta.append([])
    meta.append(["fila", "indicador", "variable", "periodo", "valor_exportado"])
    for r in ids:
        meta.append(r)
    meta.protection.sheet = True
    return wb


def export_capture(db, month: str, agency: str, out: str | Path, password: str | None = None) -> Path:
    from ..services.capture import capture_rows

    if not agency:
        raise ServiceError(TEXT["no_agency"])
    ensure_identity(db)
    with db.reading() as s:
        from ..db.models import Agency

        ag = s.scalars(select(Agency).where((Agency.key == agency) | (Agency.acronym == agency))).first()
        if ag is None:
            raise ServiceError(f"No existe la dependencia «{agency}».")
        agency_key, agency_name = ag.key, f"{ag.acronym or ag.key} — {ag.name}"
        db_id, org_name = database_identity(s)
    sheet = capture_rows(db, month, agency_key)
    if not sheet.indicators:
        raise ServiceError(TEXT["no_rows"].format(agency=agency_name, month=periods.label(month)))
    wb = build_capture_workbook(sheet, month, agency_key, agency_name, org_name, db_id, password)
    from ..fileops import save_workbook

    return save_workbook(wb, out)


# ------------------------------------------------------------------------------------------------
# import

@dataclass
class CaptureLine:
    sheet: str
    row: int
    indicator_key: str
    variable_key: str
    period: str
    old: Decimal | None
    new: Decimal | None
    kind: str  # nuevo | modificado | sin_cambio | borrado

    def as_json(self) -> dict:
        return {"hoja": self.sheet, "fila": self.row, "indicador": self.indicator_key, "variable": self.variable_key,
                "periodo": self.period, "anterior": None if self.old is None else format(self.old, "f"),
                "nuevo": None if self.new is None else format(self.new, "f"), "tipo": self.kind}


@dataclass
class CapturePreview:
    file: str
    month: str = ""
    agency_key: str = ""
    lines: list[CaptureLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for x in self.lines if x.kind == kind)

    @property
    def changes(self) -> list[CaptureLine]:
        return [x for x in self.lines if x.kind in ("nuevo", "modificado", "borrado")]

    def as_json(self) -> dict:
        return {"archivo": self.file, "periodo": self.month, "dependencia": self.agency_key,
                "nuevos": self.count("nuevo"), "modificados": self.count("modificado"),
                "borrados": self.count("borrado"), "sin_cambio": self.count("sin_cambio"),
                "errores": list(self.errors), "advertencias": list(self.warnings), "filas": [x.as_json() for x in self.lines if x.kind != "sin_cambio"]}

    def as_text(self) -> str:
        lines = [TEXT["summary"].format(agency=self.agency_key, month=periods.label(self.month) if self.month else "?",
                                        new=self.count("nuevo"), changed=self.count("modificado"),
                                        cleared=self.count("borrado"), unchanged=self.count("sin_cambio"),
                                        errors=len(self.errors))]
        names = {"nuevo": "Nuevo", "modificado": "Modificado", "borrado": "Borrado"}
        for x in self.changes:
            old = "—" if x.old is None else fmt_es(x.old)
            new = "—" if x.new is None else fmt_es(x.new)
            lines.append(f"  {names[x.kind]:10} fila {x.row}: {x.indicator_key} / {x.variable_key} "
                         f"({periods.label(x.period)}): {old} → {new}")
        for w in self.warnings:
            lines.append(f"  Advertencia: {w}")
        for e in self.errors:
            lines.append(f"  ERROR: {e}")
        return "\n".join(lines)


def _read_meta(wb, name: str) -> tuple[dict, list[list]]:
    if META_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        raise ServiceError(TEXT["not_capture"].format(name=name))
    ms = wb[META_SHEET]
    info: dict = {}
    ids: list[list] = []
    in_ids = False
    for r in ms.iter_rows(values_only=True):
        if not r or r[0] is None:
            continue
        if r[0] == "fila":
            in_ids = True
            continue
        if in_ids:
            ids.append(list(r[:5]) + [None] * (5 - len(r[:5])))
        else:
            info[str(r[0])] = r[1] if len(r) > 1 else None
    for k in ("formato", "periodo", "dependencia", "base_de_datos", "huella"):
        if not info.get(k):
            raise ServiceError(TEXT["bad_meta"].format(name=name))
    if info["formato"] != FORMAT:
        raise ServiceError(TEXT["other_format"].format(name=name, fmt=info["formato"]))
    try:
        rows = [[int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]] for r in ids]
    except (TypeError, ValueError):
        raise ServiceError(TEXT["bad_meta"].format(name=name)) from None
    if str(len(rows)) != str(info.get("filas")):
        raise ServiceError(TEXT["bad_meta"].format(name=name))
    return info, rows


def preview_capture(db, path: str | Path, *, expected_month: str | None = None) -> CapturePreview:
    """Read a filled capture workbook and compare it with the database; writes nothing."""
    from ..services.capture import load_indicators

    path = Path(path)
    wb = c.open_user_workbook(path, data_only=True)
    info, ids = _read_meta(wb, path.name)
    month = str(info["periodo"])
    if expected_month and month != expected_month:
        raise ServiceError(TEXT["other_period"].format(name=path.name, got=periods.label(month),
                                                       want=periods.label(expected_month)))
    with db.reading() as s:
        db_id, org_name = database_identity(s)
    if info["base_de_datos"] != db_id:
        raise ServiceError(TEXT["other_db"].format(name=path.name, org=info.get("organizacion") or "?"))
    ws = wb[SHEET]
    protected = [[ws.cell(HEADER_ROW, i).value for i in range(1, len(HEADERS) + 1)]]
    for r in ids:
        protected.append([ws.cell(r[0], col).value for col in LOCKED_COLS])
    fp = fingerprint(protected + [r[:4] for r in ids])
    if fp != info["huella"]:
        detail = _first_difference(ws, ids)
        raise ServiceError(TEXT["altered"].format(name=path.name, detail=detail))
    # rows below the template must be empty
    last = ids[-1][0] if ids else FIRST_ROW - 1
    for extra in ws.iter_rows(min_row=last + 1, max_row=min(ws.max_row, last + 200), values_only=True):
        if any(v not in (None, "") for v in extra):
            raise ServiceError(TEXT["altered"].format(name=path.name,
                                                      detail=f"hay datos debajo de la fila {last}"))
    preview = CapturePreview(file=path.name, month=month, agency_key=str(info["dependencia"]))
    with db.reading() as s:
        meta = load_indicators(s, [r[1] for r in ids])
        from ..db.models import Measurement

        vids = {}
        for r in ids:
            ind = meta.get(r[1])
            var = ind.variables.get(r[2]) if ind else None
            if var is not None:
                vids[(r[1], r[2], r[3])] = var.id
        current: dict[tuple[int, str], Decimal] = {}
        by_period: dict[str, list[int]] = {}
        for (ik, vk, per), vid in vids.items():
            by_period.setdefault(per, []).append(vid)
        for per, lst in by_period.items():
            for start in range(0, len(lst), 20_000):
                for vid, value in s.execute(select(Measurement.variable_id, Measurement.value).where(
                        Measurement.period == per, Measurement.variable_id.in_(lst[start:start + 20_000]))):
                    current[(vid, per)] = value
    col = get_column_letter(VALUE_COL)
    for rownum, ik, vk, per, exported in ids:
        vid = vids.get((ik, vk, per))
        if vid is None:
            preview.errors.append(TEXT["gone"].format(sheet=SHEET, row=rownum, ind=ik, var=vk))
            continue
        cell = ws.cell(rownum, VALUE_COL)
        args = dict(sheet=SHEET, row=rownum, col=col, var=vk, ind=ik)
        try:
            new = c.strict_cell_number(cell.value)
        except (c.CellNumberError, ValueError) as exc:
            preview.errors.append(TEXT["bad_value"].format(error=exc, **args))
            continue
        var = meta[ik].variables[vk]
        if new is not None:
            if new < 0 and not var.allow_negative:
                preview.errors.append(TEXT["negative"].format(value=fmt_es(new), **args))
                continue
            if var.integer_only and new != new.to_integral_value():
                preview.errors.append(TEXT["integer"].format(value=fmt_es(new), **args))
                continue
            if var.is_percentage and not (-100 if var.allow_negative else 0) <= new <= 100:
                preview.errors.append(TEXT["percent"].format(value=fmt_es(new), **args))
                continue
        old = current.get((vid, per))
        if new is None:
            if old is not None and exported not in (None, ""):
                kind = "borrado"
            else:
                kind = "sin_cambio"
        elif old is None:
            kind = "nuevo"
        elif old == new:
            kind = "sin_cambio"
        else:
            kind = "modificado"
        if kind in ("modificado", "borrado") and _canon(c.decimal_for_cell(old)) != _canon(exported):
            preview.warnings.append(TEXT["changed_since"].format(
                sheet=SHEET, row=rownum, ind=ik, var=vk, exported=exported if exported not in (None, "") else "vacío",
                now=fmt_es(old) if old is not None else "vacío"))
        preview.lines.append(CaptureLine(SHEET, rownum, ik, vk, per, old, new, kind))
    return preview


def _first_difference(ws, ids) -> str:
    expected_headers = HEADERS
    for i, h in enumerate(expected_headers, start=1):
        if ws.cell(HEADER_ROW, i).value != h:
            return f"encabezado de la columna {get_column_letter(i)}"
    for r in ids:
        if str(ws.cell(r[0], 2).value) != r[1] or str(ws.cell(r[0], 5).value) != r[2]:
            return f"fila {r[0]}: se esperaba {r[1]} / {r[2]}"
    return "celdas protegidas con otro contenido"


def apply_capture(db, preview: CapturePreview, *, actor) -> str:
    """Save the preview's changes through services.capture.save_values (one transaction, all or nothing)."""
    from ..services.capture import ValueChange, save_values

    if preview.errors:
        raise ServiceError(f"El libro tiene {len(preview.errors)} errores; no se guardó nada.", preview.errors)
    changes = [ValueChange(x.indicator_key, x.variable_key, x.new) for x in preview.changes]
    if not changes:
        return "no había cambios que guardar"
    result = save_values(db, actor, preview.month, changes)
    return f"{result.saved} valores guardados, {result.cleared} borrados"
