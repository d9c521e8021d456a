"""Capture workbook, second pass (issue 14): the live result SES writes as formulas, the justification parts
read back into the same records as the window, validator warnings in the preview, unit formats, and the
hidden sheet covered by the keyed fingerprint (a workbook whose period, keys or ids were edited is refused)."""
from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sistema_seguimiento.excel.capture_workbook import (FIRST_ROW, JUST_COLS, LIGHT_COL, META_SHEET, PCT_COL,
                                                        RESULT_COL, SHEET, TARGET_COL, VALUE_COL, apply_capture,
                                                        export_capture, preview_capture)
from sistema_seguimiento.services import justifications
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import SYSTEM

from .conftest import snapshot

FIXTURE = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _blocks(ws):
    """indicator key -> (first row, [(row, variable key)])."""
    out: dict[str, tuple[int, list]] = {}
    r = FIRST_ROW
    while ws.cell(r, 2).value:
        key = ws.cell(r, 2).value
        out.setdefault(key, (r, []))[1].append((r, ws.cell(r, 5).value))
        r += 1
    return out


def _meta_rows(wb):
    return {row[0]: row for row in wb[META_SHEET].iter_rows(values_only=True) if row and row[0] is not None}


def test_result_formulas_units_and_justification_cells(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    ws = load_workbook(out)[SHEET]
    blocks = _blocks(ws)
    first, rows = blocks["E001-A21-01"]  # (RA72 / RR) * 100, ascendente, preset A
    ra72 = next(r for r, v in rows if v == "RA72")
    rr = next(r for r, v in rows if v == "RR")
    k = ws.cell(first, RESULT_COL).value
    assert k.startswith("=") and f"$I${ra72}/$I${rr}" in k and "*100" in k
    assert f"$H${ra72}/$H${rr}" in ws.cell(first, TARGET_COL).value
    assert "ROUND(" in ws.cell(first, PCT_COL).value
    light = ws.cell(first, LIGHT_COL).value
    assert '"Verde"' in light and '"Amarillo"' in light and '"Rojo"' in light and ">=90" in light
    # merged over the indicator's rows; the justification parts are the only other unlocked cells
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"K{first}:K{first + len(rows) - 1}" in merged
    for col in JUST_COLS:
        assert ws.cell(first, col).protection.locked is False
    for col in (RESULT_COL, TARGET_COL, PCT_COL, LIGHT_COL):
        assert ws.cell(first, col).protection.locked is not False
    # the stored justification of the period is written in its parts
    a12 = blocks["E001-A12-01"][0]
    assert ws.cell(a12, JUST_COLS[0]).value.startswith("Se incorporaron 300 luminarias")
    # units: money with «$», counts without decimals
    a22 = blocks["E001-A22-01"][1][0][0]  # ME, «Peso»
    assert ws.cell(a22, VALUE_COL).number_format == '"$"#,##0.00'
    assert ws.cell(blocks["E001-A12-01"][1][0][0], VALUE_COL).number_format == "#,##0"  # luminarias
    assert ws.cell(first, PCT_COL).number_format.endswith('" %"')


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) no está instalado")
def test_live_result_as_a_spreadsheet_computes_it(demo_db, tmp_path):
    """LibreOffice recalculates the workbook: every block shows the value, % and semáforo of the fixture."""
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    conv = tmp_path / "calc"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(conv), str(out)],
                   capture_output=True, timeout=300, check=True)
    ws = load_workbook(conv / "cap.xlsx", data_only=True)[SHEET]
    expected = json.loads(FIXTURE.read_text("utf-8"))["expected"]["indicators"]
    words = {"verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo"}
    checked = 0
    for key, (first, _rows) in _blocks(ws).items():
        per = next(p for p in expected[key]["periodos"] if p["periodo"] == "2026-10")
        assert abs(Decimal(str(ws.cell(first, RESULT_COL).value)) - Decimal(per["valor"])) < Decimal("0.006"), key
        assert abs(Decimal(str(ws.cell(first, TARGET_COL).value)) - Decimal(per["meta"])) < Decimal("0.006"), key
        assert Decimal(str(ws.cell(first, PCT_COL).value)) == Decimal(per["pct_avance"]), key
        assert ws.cell(first, LIGHT_COL).value == words[per["semaforo"]], key
        checked += 1
    assert checked == 4


def test_justification_parts_import_into_the_same_records(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    first, rows = _blocks(ws)["E001-A11-01"]
    ws.cell(rows[0][0], VALUE_COL).value = 12  # 12 of 24 recorridos: 50 %, rojo
    parts = ["Lluvias intensas", "Menos colonias revisadas", "Unidad en taller", "Renta de una unidad"]
    for col, text in zip(JUST_COLS, parts):
        ws.cell(first, col).value = text
    p = tmp_path / "llenado.xlsx"
    wb.save(p)
    preview = preview_capture(demo_db, p, expected_month="2026-10")
    assert not preview.errors
    assert [(j.indicator_key, j.period, list(j.parts), j.kind) for j in preview.justifications] == [
        ("E001-A11-01", "2026-10", parts, "nueva")]
    assert not any("AV-006" in w and "E001-A11-01" in w for w in preview.warnings)  # justified in the workbook
    assert "causa" in json.dumps(preview.as_json(), ensure_ascii=False)
    apply_capture(demo_db, preview, actor=SYSTEM)
    info = justifications.get(demo_db, "E001-A11-01", "2026-10")
    assert [info.cause, info.effect, info.other_reasons, info.improvement_actions] == parts


def test_preview_warns_like_ses_validar(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    first, rows = _blocks(ws)["E001-A21-01"]
    ra72 = next(r for r, v in rows if v == "RA72")
    ws.cell(ra72, VALUE_COL).value = 130  # more attended than received (126): AV-005; far above the band: AV-006
    p = tmp_path / "llenado.xlsx"
    wb.save(p)
    preview = preview_capture(demo_db, p)
    mine = [w for w in preview.warnings if "E001-A21-01" in w]
    assert any("AV-005" in w and "numerador supera al denominador" in w and f"fila {first}" in w for w in mine)
    rr = next(r for r, v in rows if v == "RR")
    meta = Decimal(str(ws.cell(ra72, 8).value)) / Decimal(str(ws.cell(rr, 8).value)) * 100  # period target
    value = Decimal(130) / Decimal(str(ws.cell(rr, VALUE_COL).value)) * 100
    pct = (value / meta * 100).quantize(Decimal("0.01"))
    assert any("AV-006" in w and str(pct) in w for w in mine), mine


def test_cause_is_required_for_the_other_parts(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    first, _rows = _blocks(ws)["E001-A11-01"]
    ws.cell(first, JUST_COLS[1]).value = "Solo efecto"
    p = tmp_path / "llenado.xlsx"
    wb.save(p)
    before = snapshot(demo_db)
    preview = preview_capture(demo_db, p)
    assert any(f"fila {first}, columna O" in e and "causa" in e for e in preview.errors)
    with pytest.raises(ServiceError):
        apply_capture(demo_db, preview, actor=SYSTEM)
    assert snapshot(demo_db) == before


@pytest.mark.parametrize("edit", ["period", "agency", "indicator_key", "variable_key", "row_id", "row_period",
                                  "exported_value", "fingerprint_recomputed"])
def test_tampered_hidden_sheet_is_refused(demo_db, tmp_path, edit):
    import hashlib
    import json as _json

    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    meta = wb[META_SHEET]
    cells = {row[0].value: row for row in meta.iter_rows() if row[0].value is not None}
    first_id = next(row for row in meta.iter_rows() if isinstance(row[0].value, int))
    if edit == "period":
        cells["periodo"][1].value = "2026-09"  # today a changed period passed and was shown as another month
    elif edit == "agency":
        cells["dependencia"][1].value = "0801"
    elif edit == "indicator_key":
        first_id[1].value = "E001-A12-01"
    elif edit == "variable_key":
        first_id[2].value = "RPI"
    elif edit == "row_id":
        first_id[0].value = first_id[0].value + 1
    elif edit == "row_period":
        first_id[3].value = "2026-09"
    elif edit == "exported_value":
        first_id[4].value = "999"
    else:  # someone recomputes an unkeyed SHA-256 after editing the period: the key stays in the database
        cells["periodo"][1].value = "2026-09"
        cells["huella"][1].value = hashlib.sha256(_json.dumps(["2026-09"]).encode()).hexdigest()
    p = tmp_path / "alterado.xlsx"
    wb.save(p)
    before = snapshot(demo_db)
    with pytest.raises(ServiceError, match="hoja oculta «_ses»|alterada"):
        preview_capture(demo_db, p)
    assert snapshot(demo_db) == before
