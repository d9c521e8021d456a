"""Capture workbook under the Estado de México profile (issue 16): the four justification columns are the tarjeta
(hecho, causa, acción correctiva, proyección), all four required, read back into the same records."""
from __future__ import annotations

from openpyxl import load_workbook

from sistema_seguimiento.excel.capture_workbook import (FIRST_ROW, HEADER_ROW, JUST_COLS, SHEET, VALUE_COL,
                                                        apply_capture, export_capture, preview_capture)
from sistema_seguimiento.services import justifications, profiles, workflow
from sistema_seguimiento.services.users import SYSTEM, CurrentUser


def _first_row(ws, key):
    r = FIRST_ROW
    while ws.cell(r, 2).value != key:
        r += 1
    return r


def test_tarjeta_columns_round_trip(demo_db, tmp_path):
    profiles.set_profile(demo_db, CurrentUser("admin", "administrador"), "edomex")
    workflow.apply(demo_db, CurrentUser("validador", "validador"), "devolver", "2026-10", "0301", "Capture")
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    assert [ws.cell(HEADER_ROW, c).value for c in JUST_COLS] == ["Hecho", "Causa", "Acción correctiva", "Proyección"]
    first = _first_row(ws, "E001-A11-01")
    ws.cell(first, VALUE_COL).value = 12  # 50 %: out of band
    parts = ["12 de 24 recorridos", "Unidad en taller", "Renta de una unidad", "Meta recuperada en diciembre"]
    for col, text in zip(JUST_COLS[:3], parts):
        ws.cell(first, col).value = text
    half = tmp_path / "incompleto.xlsx"
    wb.save(half)
    preview = preview_capture(demo_db, half)
    assert any("falta proyección" in e and f"fila {first}" in e for e in preview.errors), preview.errors
    ws.cell(first, JUST_COLS[3]).value = parts[3]
    full = tmp_path / "completo.xlsx"
    wb.save(full)
    preview = preview_capture(demo_db, full)
    assert not preview.errors
    assert preview.justifications[0].as_json()["proyeccion"] == parts[3]
    apply_capture(demo_db, preview, actor=SYSTEM)
    info = justifications.get(demo_db, "E001-A11-01", "2026-10")
    assert [info.fact, info.cause, info.improvement_actions, info.projection] == parts and info.complete
