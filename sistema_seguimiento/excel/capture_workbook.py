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

FORMAT = "SES-captura-2"
SHEET = "Captura"
META_SHEET = "_ses"
HEADER_ROW = 9
FIRST_ROW = HEADER_ROW + 1
HEADERS = ["Programa", "Clave indicador", "Indicador", "Periodo", "Variable", "Nombre de la variable",
           "Unidad de medida", "Meta del periodo", "Valor", "Valor anterior", "Resultado del periodo",
           "Meta del indicador", "% del periodo", "Semáforo del periodo", "Causa", "Efecto", "Otros motivos",
           "Acciones de mejora"]
WIDTHS = [10, 13, 36, 16, 9, 30, 12, 13, 13, 13, 13, 13, 10, 12, 30, 30, 24, 30]
VALUE_COL = 9  # I
RESULT_COL, TARGET_COL, PCT_COL, LIGHT_COL = 11, 12, 13, 14  # K L M N: formulas written by SES
JUST_COLS = [15, 16, 17, 18]  # O P Q R: causa, efecto, otros motivos, acciones de mejora (first row of a block)
JUST_FIELDS = ["cause", "effect", "other_reasons", "improvement_actions"]
# under a profile with the tarjeta de justificación (issue 16) the same four columns hold the tarjeta's parts; the
# headers (covered by the fingerprint) tell the import which layout a workbook has
TARJETA_HEADERS = ["Hecho", "Causa", "Acción correctiva", "Proyección"]
TARJETA_FIELDS = ["fact", "cause", "improvement_actions", "projection"]


def headers_for(tarjeta: bool) -> list[str]:
    return HEADERS[:JUST_COLS[0] - 1] + TARJETA_HEADERS if tarjeta else HEADERS


def just_fields(tarjeta: bool) -> list[str]:
    return TARJETA_FIELDS if tarjeta else JUST_FIELDS
LOCKED_COLS = [1, 2, 3, 4, 5, 6, 7, 8, 10]
SECRET_KEY = "capture_secret"  # app_meta: HMAC key of the workbook fingerprint (never leaves the database)
PASSWORD_KEY = "capture_password"  # app_meta: sheet / workbook protection password kept by SES

TEXT = {
    "title": "Libro de captura de avances — {agency}",
    "subtitle": "{org} · Mes: {month} · Ejercicio {year}",
    "instructions": [
        "Instrucciones:",
        "1. Escriba el valor de cada variable en la columna «Valor» (celdas amarillas). Solo esas celdas se "
        "pueden modificar.",
        "2. Use punto decimal (por ejemplo 1234.5). Deje vacía la celda si aún no tiene el dato; borre el valor "
        "para eliminar una captura anterior.",
        "3. «Resultado», «Meta del indicador», «%» y «Semáforo» se calculan solos con el método de cálculo del "
        "indicador. Si el semáforo no es verde, escriba la justificación: la «Causa» es obligatoria "
        "(se marca en rojo).",
        "4. No agregue, borre ni mueva filas u hojas: el libro se rechaza si la plantilla fue alterada. "
        "Guárdelo como «Libro de Excel (.xlsx)» y entréguelo a la unidad de planeación, que lo importará en SES.",
    ],
    "instruction_tarjeta": ("3. «Resultado», «Meta del indicador», «%» y «Semáforo» se calculan solos con el método "
                            "de cálculo del indicador. Si el semáforo no es verde, escriba la tarjeta de "
                            "justificación: hecho, causa, acción correctiva y proyección, las cuatro obligatorias "
                            "(se marcan en rojo)."),
    "just_tarjeta": ("Hoja «{sheet}», fila {row} (tarjeta de justificación del indicador {ind}): falta {missing}; "
                     "escriba los cuatro apartados (hecho, causa, acción correctiva y proyección)."),
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
    "meta_altered": ("La hoja oculta «_ses» del libro «{name}» fue modificada (periodo, dependencia, claves o "
                     "identificadores no coinciden con la huella de SES). No se importó nada; exporte una "
                     "plantilla nueva."),
    "just_no_cause": ("Hoja «{sheet}», fila {row}, columna {col} (justificación del indicador {ind}): escriba la "
                      "causa; efecto, otros motivos y acciones de mejora no se guardan sin ella."),
    "just_needed": ("Hoja «{sheet}», fila {row}: {message} (indicador {ind}); escriba la causa en la columna "
                    "{col}."),
    "finding": "Hoja «{sheet}», fila {row}: {rule} {message} (indicador {ind}).",
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
    # metas de actividad (issue 16): a second sheet under the month that ends a quarter
    "goal_title": "Metas de actividad — avance del {quarter}",
    "goal_instructions": "Escriba en «Alcanzado» (celdas amarillas) lo realizado en el trimestre por cada meta de "
                         "actividad; use punto decimal. Deje vacía la celda si aún no tiene el dato.",
    "goal_gone": "Hoja «{sheet}», fila {row}: la meta de actividad {goal} ya no existe en la base de datos.",
    "goal_bad_value": "Hoja «{sheet}», fila {row}, columna {col} (Alcanzado de la meta de actividad {goal}): {error}",
    "goal_negative": "Hoja «{sheet}», fila {row}, columna {col} (Alcanzado de la meta de actividad {goal}): el valor "
                     "no puede ser negativo ({value}).",
    "goal_changed_since": ("Hoja «{sheet}», fila {row}: el alcanzado de la meta de actividad {goal} cambió en la base "
                           "después de exportar el libro (exportado: {exported}; ahora: {now}); el libro lo "
                           "reemplazará."),
    "goal_summary": "Metas de actividad: {new} nuevas, {changed} modificadas, {cleared} borradas, {unchanged} sin cambio.",
    "goal_kinds": {"nuevo": "Nuevo", "modificado": "Modificado", "borrado": "Borrado"},
}
GOAL_SHEET = "Metas de actividad"
GOAL_HEADERS = ["Programa", "Proyecto", "Nombre del proyecto", "ID", "Meta de actividad", "Unidad de medida",
                "Trimestre", "Programado del trimestre", "Alcanzado", "Alcanzado anterior"]
GOAL_WIDTHS = [10, 15, 30, 6, 44, 14, 16, 14, 13, 13]
GOAL_VALUE_COL = 9  # I
GOAL_LOCKED_COLS = [1, 2, 3, 4, 5, 6, 7, 8, 10]
GOAL_IDS_HEADER = "fila_meta"  # hidden sheet: the goal rows follow this line


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
    """Give the database its random id, the fingerprint key and the protection password (once each) so that
    workbooks of another database are recognised and edited templates are refused."""
    import secrets
    import uuid

    from ..db.models import AppMeta

    if db.read_only:
        return
    wanted = {INSTANCE_KEY: lambda: uuid.uuid4().hex[:20], SECRET_KEY: lambda: secrets.token_hex(32),
              PASSWORD_KEY: lambda: secrets.token_urlsafe(12)}
    with db.reading() as s:
        have = set(s.scalars(select(AppMeta.key).where(AppMeta.key.in_(list(wanted)))))
    if have >= set(wanted):
        return
    with db.transaction() as s:
        for key, make in wanted.items():
            if s.get(AppMeta, key) is None:
                s.add(AppMeta(key=key, value=make()))


def capture_keys(session) -> tuple[str, str]:
    """(fingerprint key, protection password) that SES keeps for this database ("" when never exported)."""
    from ..db.models import AppMeta

    got = dict(session.execute(select(AppMeta.key, AppMeta.value).where(AppMeta.key.in_([SECRET_KEY,
                                                                                          PASSWORD_KEY]))).all())
    return got.get(SECRET_KEY, ""), got.get(PASSWORD_KEY, "")


def kept_password(db) -> str:
    """The password SES put on the capture workbooks of this database (for the planning office)."""
    with db.reading() as s:
        return capture_keys(s)[1]


def fingerprint(rows: list[list], secret: str = "") -> str:
    """HMAC-SHA256 (keyed by the database's secret) of what a person must not change: the protected cells and
    the whole hidden sheet (period, dependencia, database, row ids, exported values)."""
    import hmac

    h = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    for r in rows:
        h.update(json.dumps([_canon(v) for v in r], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def _meta_rows(info: dict, ids: list[list]) -> list[list]:
    head = [[k, info.get(k)] for k in ("formato", "periodo", "dependencia", "base_de_datos", "organizacion",
                                        "filas")]
    return head + [list(r[:6]) for r in ids]


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
                           password: str | None = None, *, secret: str = "",
                           justifications: dict | None = None, tarjeta: bool = False) -> Workbook:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.workbook.protection import WorkbookProtection

    from ..core.formula import FormulaError
    from .formulas import NotTranslatable, excel_expression, light_expression, progress_expression

    justifications = justifications or {}
    headers = headers_for(tarjeta)
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
    instructions = list(TEXT["instructions"])
    if tarjeta:
        instructions[3] = TEXT["instruction_tarjeta"]
    for i, line in enumerate(instructions, start=3):
        ws.merge_cells(f"A{i}:{last}{i}")
        cell = ws.cell(i, 1, line)
        cell.font = c.FONT_BOLD if i == 3 else c.FONT_BODY
        cell.alignment = c.LEFT_CENTER
        ws.row_dimensions[i].height = 15 if i == 3 else 27
    for i, (h, w) in enumerate(zip(headers, WIDTHS), start=1):
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
        first = row
        n = len(ci.variables)
        doc = ci.doc
        ind_fmt = c.unit_format(doc.unit, doc.formula_type)
        for v in ci.variables:
            vals = [ci.program_key, ci.key, ci.name, periods.label(ci.period), v.key, v.name, v.unit,
                    c.decimal_for_cell(v.target), c.decimal_for_cell(v.value), c.decimal_for_cell(v.value)]
            var_fmt = c.unit_format(v.unit)
            for col, value in enumerate(vals, start=1):
                cell = ws.cell(row, col)
                if isinstance(value, str):
                    c.set_text(cell, value)
                else:
                    cell.value = value
                cell.border = c.BORDER
                cell.font = c.FONT_BODY
                if col in (8, 9, 10):
                    cell.number_format = var_fmt
                    cell.alignment = c.Alignment(vertical="top")
                else:
                    cell.alignment = c.WRAP_TOP
            for col in range(RESULT_COL, len(HEADERS) + 1):
                cell = ws.cell(row, col)
                cell.border = c.BORDER
                cell.font = c.FONT_BODY
                cell.alignment = c.WRAP_TOP
            ws.row_dimensions[row].height = _height([(ci.name, WIDTHS[2]), (v.name, WIDTHS[5]),
                                                     (periods.label(ci.period), WIDTHS[3])])
            vcell = ws.cell(row, VALUE_COL)
            vcell.protection = unlocked
            vcell.fill = c.FILL_INPUT
            (dv_int if v.integer_only and not v.allow_negative else
             dv_any if v.allow_negative else dv_nonneg).add(vcell)
            ids.append([row, ci.key, v.key, ci.period, _canon(c.decimal_for_cell(v.value)), first])
            protected.append([ws.cell(row, col).value for col in LOCKED_COLS])
            row += 1
        end = row - 1
        # the live result of the period: SES's own formulas over the «Valor» and «Meta» cells of the block
        refs_v = {v.key: f"$I${first + i}" for i, v in enumerate(ci.variables)}
        refs_t = {v.key: f"$H${first + i}" for i, v in enumerate(ci.variables)}
        try:
            ev, et = excel_expression(doc.formula, refs_v), excel_expression(doc.formula, refs_t)
        except (NotTranslatable, FormulaError):
            ev = et = None
        if ev is not None:
            K, L, M = (f"{get_column_letter(x)}{first}" for x in (RESULT_COL, TARGET_COL, PCT_COL))
            ws.cell(first, RESULT_COL).value = f'=IF(COUNT($I${first}:$I${end})<{n},"",IFERROR({ev},""))'
            ws.cell(first, TARGET_COL).value = f'=IF(COUNT($H${first}:$H${end})<{n},"",IFERROR({et},""))'
            pct = progress_expression(K, L, doc.direction, str(ci.preset.descending_method))
            ws.cell(first, PCT_COL).value = f'=IF(OR({K}="",{L}="",{L}=0),"",IFERROR(ROUND({pct},2),""))'
            try:
                ws.cell(first, LIGHT_COL).value = "=" + light_expression(M, ci.preset, doc.type or "gestion")
            except Exception:  # noqa: BLE001 - a preset without thresholds for the type: no live colour
                ws.cell(first, LIGHT_COL).value = None
        ws.cell(first, RESULT_COL).number_format = ind_fmt
        ws.cell(first, TARGET_COL).number_format = ind_fmt
        ws.cell(first, PCT_COL).number_format = c.FMT_PCT_POINTS
        ws.cell(first, LIGHT_COL).alignment = c.WRAP_CENTER
        parts = justifications.get((ci.key, ci.period)) or ("", "", "", "")
        for col, text in zip(JUST_COLS, parts):
            cell = ws.cell(first, col)
            if text:
                c.set_text(cell, text)
            cell.protection = unlocked
            cell.fill = c.FILL_INPUT
        need = _height([(t, WIDTHS[col - 1]) for col, t in zip(JUST_COLS, parts)])
        have = sum(ws.row_dimensions[r].height or 15 for r in range(first, end + 1))
        if need > have:  # the block grows so that the stored justification is readable
            ws.row_dimensions[first].height = (ws.row_dimensions[first].height or 15) + need - have
        if n > 1:
            for col in [RESULT_COL, TARGET_COL, PCT_COL, LIGHT_COL] + JUST_COLS:
                letter = get_column_letter(col)
                ws.merge_cells(f"{letter}{first}:{letter}{end}")
    if ids:
        n_col, o_col = get_column_letter(LIGHT_COL), get_column_letter(JUST_COLS[0])
        area = f"{n_col}{FIRST_ROW}:{n_col}{row - 1}"
        for k in ("verde", "amarillo", "rojo"):
            ws.conditional_formatting.add(area, FormulaRule(formula=[f'${n_col}{FIRST_ROW}="{label(k)}"'],
                                                            fill=c.LIGHT_FILLS[k]))
        # the causa (the tarjeta: its four parts) is required when the result is out of band: the empty cell
        # turns red
        for j_col in (JUST_COLS if tarjeta else JUST_COLS[:1]):
            o_col = get_column_letter(j_col)
            ws.conditional_formatting.add(
                f"{o_col}{FIRST_ROW}:{o_col}{row - 1}",
                FormulaRule(formula=[f'AND(${n_col}{FIRST_ROW}<>"",${n_col}{FIRST_ROW}<>"{label("verde")}",'
                                     f'LEN(TRIM(${o_col}{FIRST_ROW}))=0)'], fill=c.LIGHT_FILLS["rojo"]))
    ws.freeze_panes = ws.cell(FIRST_ROW, 4)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = True
    if password:
        ws.protection.password = password
    c.print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.page_setup.paperSize = "5"  # oficio (legal): the capture and justification columns stay readable

    goal_protected, goal_ids = _write_goal_sheet(wb, getattr(sheet, "goals", None) or [], password, unlocked)
    info = {"formato": FORMAT, "periodo": month, "dependencia": agency_key, "base_de_datos": db_id,
            "organizacion": org_name, "filas": len(ids)}
    fp = fingerprint(protected + _meta_rows(info, ids) + goal_protected + goal_ids, secret)
    for k in ("formato", "periodo", "dependencia", "base_de_datos", "organizacion"):
        meta.append([k, info[k]])
    meta.append(["huella", fp])
    meta.append(["huella_hoja", fingerprint(protected + goal_protected, secret)])
    meta.append(["filas", len(ids)])
    meta.append([])
    meta.append(["fila", "indicador", "variable", "periodo", "valor_exportado", "fila_indicador"])
    for r in ids:
        meta.append(r)
    if goal_ids:
        meta.append([])
        meta.append([GOAL_IDS_HEADER, "proyecto", "meta", "trimestre", "valor_exportado"])
        for r in goal_ids:
            meta.append(r)
    meta.protection.sheet = True
    if password:
        meta.protection.password = password
        # the hidden sheet cannot be shown, nor sheets added, moved or removed, without the password
        wb.security = WorkbookProtection(workbookPassword=password, lockStructure=True)
    return wb


def export_capture(db, month: str, agency: str, out: str | Path, password: str | None = None) -> Path:
    """Write the capture workbook of a dependencia for a month. Without ``password`` the sheets are protected
    with the password that SES keeps for this database (:func:`kept_password`)."""
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
        secret, kept = capture_keys(s)
    sheet = capture_rows(db, month, agency_key)
    if not sheet.indicators and not sheet.goals:
        raise ServiceError(TEXT["no_rows"].format(agency=agency_name, month=periods.label(month)))
    with db.reading() as s:
        from ..services.tarjeta import uses_tarjeta

        tarjeta = uses_tarjeta(s)
        just = _justification_parts(s, [(ci.key, ci.period) for ci in sheet.indicators], tarjeta)
    wb = build_capture_workbook(sheet, month, agency_key, agency_name, org_name, db_id, password or kept or None,
                                secret=secret, justifications=just, tarjeta=tarjeta)
    from ..fileops import save_workbook

    return save_workbook(wb, out)


def _justification_parts(session, pairs: list[tuple[str, str]],
                         tarjeta: bool = False) -> dict[tuple[str, str], tuple[str, ...]]:
    """(indicator key, period) -> (causa, efecto, otros motivos, acciones de mejora) stored in the database; with
    ``tarjeta`` (hecho, causa, acción correctiva, proyección)."""
    from ..db.models import Indicator, Justification

    out: dict[tuple[str, str], tuple[str, ...]] = {}
    keys = sorted({k for k, _p in pairs})
    wanted = set(pairs)
    for start in range(0, len(keys), 20_000):
        q = (select(Indicator.key, Justification.period,
                    *(getattr(Justification, f) for f in just_fields(tarjeta)))
             .join(Justification, Justification.indicator_id == Indicator.id)
             .where(Indicator.key.in_(keys[start:start + 20_000])))
        for key, period, *parts in session.execute(q):
            if (key, period) in wanted:
                out[(key, period)] = tuple(p or "" for p in parts)
    return out


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
class JustificationLine:
    sheet: str
    row: int
    indicator_key: str
    period: str
    parts: tuple[str, str, str, str]  # causa, efecto, otros motivos, acciones de mejora (tarjeta: see ``fields``)
    kind: str  # nueva | modificada
    fields: tuple[str, ...] = tuple(JUST_FIELDS)  # Justification attributes of ``parts``

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self.fields, self.parts))

    def as_json(self) -> dict:
        out = {"hoja": self.sheet, "fila": self.row, "indicador": self.indicator_key, "periodo": self.period}
        if tuple(self.fields) == tuple(TARJETA_FIELDS):
            out.update({"hecho": self.parts[0], "causa": self.parts[1], "accion_correctiva": self.parts[2],
                        "proyeccion": self.parts[3]})
        else:
            out.update({"causa": self.parts[0], "efecto": self.parts[1], "otros_motivos": self.parts[2],
                        "acciones_de_mejora": self.parts[3]})
        out["tipo"] = self.kind
        return out


@dataclass
class CapturePreview:
    file: str
    month: str = ""
    agency_key: str = ""
    lines: list[CaptureLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    justifications: list[JustificationLine] = field(default_factory=list)
    goal_lines: list["GoalLine"] = field(default_factory=list)  # metas de actividad of the quarter

    @property
    def goal_changes(self) -> list["GoalLine"]:
        return [x for x in self.goal_lines if x.kind in ("nuevo", "modificado", "borrado")]

    def count(self, kind: str) -> int:
        return sum(1 for x in self.lines if x.kind == kind)

    @property
    def changes(self) -> list[CaptureLine]:
        return [x for x in self.lines if x.kind in ("nuevo", "modificado", "borrado")]

    def as_json(self) -> dict:
        return {"archivo": self.file, "periodo": self.month, "dependencia": self.agency_key,
                "nuevos": self.count("nuevo"), "modificados": self.count("modificado"),
                "borrados": self.count("borrado"), "sin_cambio": self.count("sin_cambio"),
                "errores": list(self.errors), "advertencias": list(self.warnings), "filas": [x.as_json() for x in self.lines if x.kind != "sin_cambio"],
                "justificaciones": [j.as_json() for j in self.justifications],
                "metas": [x.as_json() for x in self.goal_changes]}

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
        if self.goal_lines:
            gc = [x.kind for x in self.goal_lines]
            lines.append(TEXT["goal_summary"].format(new=gc.count("nuevo"), changed=gc.count("modificado"),
                                                     cleared=gc.count("borrado"), unchanged=gc.count("sin_cambio")))
        for x in self.goal_changes:
            old = "—" if x.old is None else fmt_es(x.old)
            new = "—" if x.new is None else fmt_es(x.new)
            lines.append(f"  {TEXT['goal_kinds'][x.kind]:10} fila {x.row} ({GOAL_SHEET}): {x.project_key}/{x.goal_key} "
                         f"({periods.label(x.period)}): {old} → {new}")
        for j in self.justifications:
            lines.append(f"  Justificación {'nueva' if j.kind == 'nueva' else 'modificada'} fila {j.row}: "
                         f"{j.indicator_key} ({periods.label(j.period)}): {j.parts[0]}")
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
    goal_ids: list[list] = []
    in_ids = in_goals = False
    for r in ms.iter_rows(values_only=True):
        if not r or r[0] is None:
            continue
        if r[0] == "fila":
            in_ids = True
            continue
        if r[0] == GOAL_IDS_HEADER:
            in_goals = True
            continue
        if in_goals:
            goal_ids.append(list(r[:5]) + [None] * (5 - len(r[:5])))
        elif in_ids:
            ids.append(list(r[:6]) + [None] * (6 - len(r[:6])))
        else:
            info[str(r[0])] = r[1] if len(r) > 1 else None
    for k in ("formato", "periodo", "dependencia", "base_de_datos", "huella"):
        if not info.get(k):
            raise ServiceError(TEXT["bad_meta"].format(name=name))
    if info["formato"] != FORMAT:
        raise ServiceError(TEXT["other_format"].format(name=name, fmt=info["formato"]))
    try:
        rows = [[int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4], int(r[5])] for r in ids]
    except (TypeError, ValueError):
        raise ServiceError(TEXT["bad_meta"].format(name=name)) from None
    if str(len(rows)) != str(info.get("filas")):
        raise ServiceError(TEXT["bad_meta"].format(name=name))
    try:
        info["_goal_ids"] = [[int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]] for r in goal_ids]
    except (TypeError, ValueError):
        raise ServiceError(TEXT["bad_meta"].format(name=name)) from None
    if goal_ids and GOAL_SHEET not in wb.sheetnames:
        raise ServiceError(TEXT["bad_meta"].format(name=name))
    return info, rows


def preview_capture(db, path: str | Path, *, expected_month: str | None = None) -> CapturePreview:
    """Read a filled capture workbook and compare it with the database; writes nothing."""
    from ..services.capture import load_indicators

    path = Path(path)
    wb = c.open_user_workbook(path, data_only=True)
    info, ids = _read_meta(wb, path.name)
    month = str(info["periodo"])
    with db.reading() as s:
        db_id, org_name = database_identity(s)
        secret, _password = capture_keys(s)
    if info["base_de_datos"] != db_id:
        raise ServiceError(TEXT["other_db"].format(name=path.name, org=info.get("organizacion") or "?"))
    ws = wb[SHEET]
    protected = [[ws.cell(HEADER_ROW, i).value for i in range(1, len(HEADERS) + 1)]]
    tarjeta = ws.cell(HEADER_ROW, JUST_COLS[0]).value == TARJETA_HEADERS[0]  # the fingerprint covers the headers
    for r in ids:
        protected.append([ws.cell(r[0], col).value for col in LOCKED_COLS])
    goal_ids = info.pop("_goal_ids")
    goal_protected = _goal_protected(wb, goal_ids)
    fp = fingerprint(protected + _meta_rows(info, ids) + goal_protected + goal_ids, secret)
    if fp != info["huella"]:
        if fingerprint(protected + goal_protected, secret) == info.get("huella_hoja"):  # visible sheet intact: the hidden one edited
            raise ServiceError(TEXT["meta_altered"].format(name=path.name))
        raise ServiceError(TEXT["altered"].format(name=path.name, detail=_first_difference(ws, ids, tarjeta)))
    if expected_month and month != expected_month:
        raise ServiceError(TEXT["other_period"].format(name=path.name, got=periods.label(month),
                                                       want=periods.label(expected_month)))
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
    for rownum, ik, vk, per, exported, _first in ids:
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
    _read_justifications(db, ws, ids, preview, tarjeta)
    _validation_warnings(db, ids, preview)
    _read_goals(db, wb, goal_ids, preview)
    return preview


def _read_justifications(db, ws, ids: list[list], preview: CapturePreview, tarjeta: bool = False) -> None:
    """The justification parts of each indicator block, compared with the database's record of the period."""
    blocks = {}
    for r in ids:
        blocks.setdefault((r[1], r[3]), r[5])
    with db.reading() as s:
        stored = _justification_parts(s, list(blocks), tarjeta)
    col = get_column_letter(JUST_COLS[0])
    for (ik, per), first in blocks.items():
        parts = tuple(c.cell_text(ws.cell(first, x).value).strip() for x in JUST_COLS)
        old = tuple((stored.get((ik, per)) or ("", "", "", "")))
        if parts == tuple(x.strip() for x in old):
            continue
        if tarjeta:
            missing = [h.lower() for h, p in zip(TARJETA_HEADERS, parts) if not p]
            if missing:
                if any(parts) or any(old):
                    preview.errors.append(TEXT["just_tarjeta"].format(sheet=SHEET, row=first, ind=ik,
                                                                      missing=", ".join(missing)))
                continue
        elif not parts[0]:
            if any(parts) or any(old):
                preview.errors.append(TEXT["just_no_cause"].format(sheet=SHEET, row=first, col=col, ind=ik))
            continue
        preview.justifications.append(JustificationLine(SHEET, first, ik, per, parts,
                                                        "modificada" if any(old) else "nueva",
                                                        tuple(just_fields(tarjeta))))


_PREVIEW_RULES = ("AV-002", "AV-003", "AV-004", "AV-005", "AV-006", "AV-008", "AV-009")


def _validation_warnings(db, ids: list[list], preview: CapturePreview) -> None:
    """What ``ses validar`` would say about the captured periods once the workbook is applied (AV-005, AV-006 …),
    as warnings of the preview."""
    from datetime import date

    from ..core.engine import compute_indicator
    from ..core.mir import MeasurementDoc
    from ..core.numbers import round2
    from ..core.validation import validate_indicator
    from ..services.documents import read_programs
    from ..services.progress import presets_by_key, resolve_preset
    from ..services.validation import validation_context

    month = preview.month
    new_values: dict[tuple[str, str], dict[str, Decimal]] = {}
    for x in preview.lines:
        vals = new_values.setdefault((x.indicator_key, x.period), {})
        if x.new is not None:
            vals[x.variable_key] = x.new
    if not any(new_values.values()):
        return
    first_row = {}
    for r in ids:
        first_row.setdefault(r[1], r[5])
    just = {(j.indicator_key, j.period) for j in preview.justifications}
    year = periods.year_of(month)
    with db.reading() as s:
        pset = read_programs(s, year, None, preview.agency_key or None)
        ctx = validation_context(s, pset)
        presets = presets_by_key(s)
    ctx.cutoff, ctx.today = periods.month_cutoff(month), date.today()
    org_key = pset.organization.preset_key if pset.organization else None
    docs = {ind.key: (prog, ind) for prog in pset.programs for ind in prog.indicators}
    for (ik, per), vals in new_values.items():
        if ik not in docs or not vals:
            continue
        prog, ind = docs[ik]
        m = next((x for x in ind.measurements if x.period == per), None)
        if m is None:
            m = MeasurementDoc(period=per, values={})
            ind.measurements.append(m)
            ind.measurements.sort(key=lambda x: x.period)
        m.values = dict(vals)
        if (ik, per) in just:
            m.justification = "workbook"
        preset = resolve_preset(presets, org_key, prog, ind)

        def needs(doc, meas, _preset=preset, _per=per):
            if meas.period != _per:
                return None
            try:
                spec = doc.spec()
            except ValueError:
                return None
            targets, values = pset.engine_inputs(doc)
            res = compute_indicator(spec, targets, values, ctx.cutoff, _preset, fiscal_year=year,
                                    report_month=month, justified_periods=set())
            pr = next((p for p in res.periods if p.period == _per), None)
            if pr is None or not pr.needs_justification:
                return None
            return round2(pr.progress) if pr.progress is not None else "N/D"

        ctx.justification_check = needs
        for f in validate_indicator(ind, ctx, program=prog):
            if f.period == per and f.rule_id in _PREVIEW_RULES:
                preview.warnings.append(TEXT["finding"].format(sheet=SHEET, row=first_row.get(ik, "?"),
                                                               rule=f.rule_id, message=f.message, ind=ik))


def _first_difference(ws, ids, tarjeta: bool = False) -> str:
    expected_headers = headers_for(tarjeta)
    for i, h in enumerate(expected_headers, start=1):
        if ws.cell(HEADER_ROW, i).value != h:
            return f"encabezado de la columna {get_column_letter(i)}"
    for r in ids:
        if str(ws.cell(r[0], 2).value) != r[1] or str(ws.cell(r[0], 5).value) != r[2]:
            return f"fila {r[0]}: se esperaba {r[1]} / {r[2]}"
    return "celdas protegidas con otro contenido"


def apply_capture(db, preview: CapturePreview, *, actor) -> str:
    """Save the preview's changes through services.capture.save_values (one transaction, all or nothing)."""
    from ..services.capture import GoalChange, JustificationChange, ValueChange, save_values

    if preview.errors:
        raise ServiceError(f"El libro tiene {len(preview.errors)} errores; no se guardó nada.", preview.errors)
    changes = [ValueChange(x.indicator_key, x.variable_key, x.new) for x in preview.changes]
    justs = [JustificationChange(j.indicator_key, j.period, **j.values) for j in preview.justifications]
    goals = [GoalChange(x.project_key, x.goal_key, x.new) for x in preview.goal_changes]
    if not changes and not justs and not goals:
        return "no había cambios que guardar"
    result = save_values(db, actor, preview.month, changes, justifications=justs, goals=goals)
    text = f"{result.saved} valores guardados, {result.cleared} borrados"
    if goals:
        text += f" (incluye {len(goals)} avance(s) de metas de actividad)"
    if justs:
        text += f", {len(justs)} justificaciones guardadas"
    return text


# ------------------------------------------------------------------------------------------------
# metas de actividad (issue 16)

@dataclass
class GoalLine:
    sheet: str
    row: int
    project_key: str
    goal_key: str
    period: str  # quarter
    old: Decimal | None
    new: Decimal | None
    kind: str  # nuevo | modificado | borrado | sin_cambio

    def as_json(self) -> dict:
        return {"hoja": self.sheet, "fila": self.row, "proyecto": self.project_key, "meta": self.goal_key,
                "periodo": self.period, "anterior": None if self.old is None else format(self.old, "f"),
                "nuevo": None if self.new is None else format(self.new, "f"), "tipo": self.kind}


def _write_goal_sheet(wb, goals: list, password: str | None, unlocked) -> tuple[list[list], list[list]]:
    """The «Metas de actividad» sheet (only «Alcanzado» unlocked): (protected cells, hidden ids)."""
    if not goals:
        return [], []
    ws = wb.create_sheet(GOAL_SHEET, 1)
    last = get_column_letter(len(GOAL_HEADERS))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = TEXT["goal_title"].format(quarter=periods.label(goals[0].period))
    ws["A1"].font = c.FONT_TITLE
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = TEXT["goal_instructions"]
    ws["A2"].font, ws["A2"].alignment = c.FONT_BODY, c.LEFT_CENTER
    ws.row_dimensions[2].height = 27
    for i, (h, w) in enumerate(zip(GOAL_HEADERS, GOAL_WIDTHS), start=1):
        cell = ws.cell(HEADER_ROW, i, h)
        cell.font, cell.fill, cell.alignment, cell.border = c.FONT_HEADER, c.FILL_HEADER, c.WRAP_CENTER, c.BORDER
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.row_dimensions[HEADER_ROW].height = 30
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        showErrorMessage=True, errorTitle=TEXT["validation_title"], error=TEXT["validation_nonneg"])
    ws.add_data_validation(dv)
    protected = [[ws.cell(HEADER_ROW, i).value for i in range(1, len(GOAL_HEADERS) + 1)]]
    ids = []
    for row, g in enumerate(goals, start=FIRST_ROW):
        vals = [g.program_key, g.project_key, g.project_name, g.key, g.name, g.unit, periods.label(g.period),
                c.decimal_for_cell(g.programmed), c.decimal_for_cell(g.achieved), c.decimal_for_cell(g.achieved)]
        for col, value in enumerate(vals, start=1):
            cell = ws.cell(row, col)
            if isinstance(value, str):
                c.set_text(cell, value)
            else:
                cell.value = value
            cell.border, cell.font = c.BORDER, c.FONT_BODY
            cell.alignment = c.Alignment(vertical="top") if col >= 8 else c.WRAP_TOP
        ws.row_dimensions[row].height = _height([(g.name, GOAL_WIDTHS[4]), (g.project_name, GOAL_WIDTHS[2])])
        vcell = ws.cell(row, GOAL_VALUE_COL)
        vcell.protection = unlocked
        vcell.fill = c.FILL_INPUT
        dv.add(vcell)
        protected.append([ws.cell(row, col).value for col in GOAL_LOCKED_COLS])
        ids.append([row, g.project_key, g.key, g.period, _canon(c.decimal_for_cell(g.achieved))])
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if password:
        ws.protection.password = password
    c.print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return protected, ids


def _goal_protected(wb, goal_ids: list[list]) -> list[list]:
    if not goal_ids:
        return []
    ws = wb[GOAL_SHEET]
    out = [[ws.cell(HEADER_ROW, i).value for i in range(1, len(GOAL_HEADERS) + 1)]]
    for r in goal_ids:
        out.append([ws.cell(r[0], col).value for col in GOAL_LOCKED_COLS])
    return out


def _read_goals(db, wb, goal_ids: list[list], preview: CapturePreview) -> None:
    """Each «Alcanzado» cell compared with the database (nothing written)."""
    if not goal_ids:
        return
    from ..db.models import ActivityGoalQuarter
    from ..services.projects import find_goal

    ws = wb[GOAL_SHEET]
    col = get_column_letter(GOAL_VALUE_COL)
    with db.reading() as s:
        current: dict[tuple[str, str], tuple[bool, Decimal | None]] = {}
        for _row, pk, gk, per, _exp in goal_ids:
            g = find_goal(s, periods.year_of(per), pk, gk)
            if g is None:
                continue
            q = s.scalars(select(ActivityGoalQuarter).where(ActivityGoalQuarter.goal_id == g.id,
                                                            ActivityGoalQuarter.period == per)).first()
            current[(pk, gk)] = (True, q.achieved if q is not None else None)
    for rownum, pk, gk, per, exported in goal_ids:
        label_ = f"{pk}/{gk}"
        if (pk, gk) not in current:
            preview.errors.append(TEXT["goal_gone"].format(sheet=GOAL_SHEET, row=rownum, goal=label_))
            continue
        args = dict(sheet=GOAL_SHEET, row=rownum, col=col, goal=label_)
        try:
            new = c.strict_cell_number(ws.cell(rownum, GOAL_VALUE_COL).value)
        except (c.CellNumberError, ValueError) as exc:
            preview.errors.append(TEXT["goal_bad_value"].format(error=exc, **args))
            continue
        if new is not None and new < 0:
            preview.errors.append(TEXT["goal_negative"].format(value=fmt_es(new), **args))
            continue
        old = current[(pk, gk)][1]
        if new is None:
            kind = "borrado" if old is not None and exported not in (None, "") else "sin_cambio"
        elif old is None:
            kind = "nuevo"
        else:
            kind = "sin_cambio" if old == new else "modificado"
        if kind in ("modificado", "borrado") and _canon(c.decimal_for_cell(old)) != _canon(exported):
            preview.warnings.append(TEXT["goal_changed_since"].format(
                exported=exported if exported not in (None, "") else "vacío",
                now=fmt_es(old) if old is not None else "vacío", **{k: v for k, v in args.items() if k != "col"}))
        preview.goal_lines.append(GoalLine(GOAL_SHEET, rownum, pk, gk, per, old, new, kind))
