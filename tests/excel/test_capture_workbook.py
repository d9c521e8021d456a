from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sistema_seguimiento.excel.capture_workbook import (FIRST_ROW, HEADER_ROW, META_SHEET, SHEET, VALUE_COL,
                                                        apply_capture, export_capture, preview_capture)
from sistema_seguimiento.services.documents import read_programs
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import SYSTEM, CurrentUser

from .conftest import snapshot


def _values(db, period="2026-10"):
    with db.reading() as s:
        pset = read_programs(s, 2026)
    out = {}
    for p in pset.programs:
        for ind in p.indicators:
            for m in ind.measurements:
                if m.period == period:
                    for k, v in m.values.items():
                        out[(ind.key, k)] = v
    return out


def _rows(ws):
    """(row, indicator key, variable key) of the capture rows, as a person sees them."""
    out = []
    r = FIRST_ROW
    while ws.cell(r, 2).value:
        out.append((r, ws.cell(r, 2).value, ws.cell(r, 5).value))
        r += 1
    return out


def test_export_structure(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [SHEET, META_SHEET]
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb[SHEET]
    # protected with the password SES keeps for this database (never an empty or a fixed one)
    from openpyxl.utils.protection import hash_password

    from sistema_seguimiento.excel.capture_workbook import kept_password

    kept = kept_password(demo_db)
    assert len(kept) >= 12
    assert ws.protection.sheet and ws.protection.password == hash_password(kept)
    assert wb.security.lockStructure and wb[META_SHEET].protection.sheet
    assert "Instrucciones" in ws["A3"].value
    assert ws.cell(HEADER_ROW, VALUE_COL).value == "Valor"
    rows = _rows(ws)
    assert rows and all(k.startswith("E001") for _, k, _ in rows)
    for r, _, _ in rows:
        assert ws.cell(r, VALUE_COL).protection.locked is False
        assert ws.cell(r, 2).protection.locked is not False
    assert ws.data_validations.dataValidation, "the value cells are validated"
    covered = " ".join(str(dv.sqref) for dv in ws.data_validations.dataValidation)
    assert f"I{rows[0][0]}" in covered


def test_password_optional(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "0301", tmp_path / "cap.xlsx", password="secreto")
    assert load_workbook(out)[SHEET].protection.password


def test_round_trip_fill_import_apply(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    before = _values(demo_db)
    wb = load_workbook(out)
    ws = wb[SHEET]
    rows = _rows(ws)
    typed = {}
    # a person types numbers, numbers as text, a percentage and clears one value
    samples = [130, "1,234.5", "27", 88.25]
    for (r, ik, vk), value in zip(rows, samples):
        ws.cell(r, VALUE_COL).value = value
        typed[(ik, vk)] = Decimal(str(value).replace(",", ""))
    cleared = rows[len(samples)]
    ws.cell(cleared[0], VALUE_COL).value = None
    filled = tmp_path / "llenado.xlsx"
    wb.save(filled)

    preview = preview_capture(demo_db, filled)
    assert not preview.errors
    assert preview.count("borrado") == 1
    assert preview.count("modificado") + preview.count("nuevo") == len([k for k in typed if before.get(k) != typed[k]])
    assert snapshot(demo_db) == snapshot(demo_db)
    msg = apply_capture(demo_db, preview, actor=SYSTEM)
    assert "guardados" in msg
    after = _values(demo_db)
    for key, value in typed.items():
        assert after[key] == value
    assert (cleared[1], cleared[2]) not in after
    # importing the same workbook again: nothing left to change
    again = preview_capture(demo_db, filled)
    assert not again.changes


def test_errors_name_sheet_row_column_and_field(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    (r1, i1, v1), (r2, i2, v2) = _rows(ws)[:2]
    ws.cell(r1, VALUE_COL).value = "abc"
    ws.cell(r2, VALUE_COL).value = -5
    bad = tmp_path / "malo.xlsx"
    wb.save(bad)
    before = snapshot(demo_db)
    preview = preview_capture(demo_db, bad)
    assert len(preview.errors) == 2
    assert f"Hoja «Captura», fila {r1}, columna I" in preview.errors[0] and v1 in preview.errors[0]
    assert "negativo" in preview.errors[1]
    with pytest.raises(ServiceError):
        apply_capture(demo_db, preview, actor=SYSTEM)
    assert snapshot(demo_db) == before


@pytest.mark.parametrize("change", ["key", "insert_row", "header", "extra_below", "meta"])
def test_altered_template_refused(demo_db, tmp_path, change):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    rows = _rows(ws)
    if change == "key":
        ws.cell(rows[0][0], 2).value = "E001-F-01"
    elif change == "insert_row":
        ws.insert_rows(rows[1][0])
    elif change == "header":
        ws.cell(HEADER_ROW, 3).value = "Otra cosa"
    elif change == "extra_below":
        ws.cell(rows[-1][0] + 2, 2).value = "E001-X"
        ws.cell(rows[-1][0] + 2, VALUE_COL).value = 5
    else:
        del wb[META_SHEET]
    p = tmp_path / "alterado.xlsx"
    wb.save(p)
    with pytest.raises(ServiceError, match="alterada|no es un libro de captura"):
        preview_capture(demo_db, p)


def test_other_database_and_period_refused(demo_db, tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.loading import load_demo

    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    with pytest.raises(ServiceError, match="periodo"):
        preview_capture(demo_db, out, expected_month="2026-09")
    other = Database.open(str(tmp_path / "otra.db"), OpenOptions(create=True))
    try:
        load_demo(other)
        with pytest.raises(ServiceError, match="otra base de datos"):
            preview_capture(other, out)
    finally:
        other.close()


def test_role_rules_apply_through_save_values(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    r, _, _ = _rows(ws)[0]
    ws.cell(r, VALUE_COL).value = 777
    p = tmp_path / "f.xlsx"
    wb.save(p)
    before = snapshot(demo_db)
    preview = preview_capture(demo_db, p)
    other_agency = CurrentUser("captura-0801", "capturista", "0801")
    with pytest.raises(ServiceError):
        apply_capture(demo_db, preview, actor=other_agency)
    assert snapshot(demo_db) == before


def test_not_a_capture_workbook(demo_db, tmp_path):
    from openpyxl import Workbook

    p = tmp_path / "otro.xlsx"
    wb = Workbook()
    wb.active["A1"] = "hola"
    wb.save(p)
    with pytest.raises(ServiceError, match="no es un libro de captura"):
        preview_capture(demo_db, p)


def test_value_changed_in_database_after_export_is_warned(demo_db, tmp_path):
    from sistema_seguimiento.services.capture import ValueChange, save_values

    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    r, ik, vk = _rows(ws)[0]
    ws.cell(r, VALUE_COL).value = 50
    wb.save(out)
    save_values(demo_db, SYSTEM, "2026-10", [ValueChange(ik, vk, Decimal("40"))])  # someone captured meanwhile
    preview = preview_capture(demo_db, out)
    assert any("cambió en la base después de exportar" in w and f"fila {r}" in w for w in preview.warnings)
