"""Capture workbook with the metas de actividad of the quarter (issue 16): export, fill, import, re-import."""
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from sistema_seguimiento.excel.capture_workbook import (FIRST_ROW, GOAL_SHEET, GOAL_VALUE_COL, HEADER_ROW,
                                                        META_SHEET, SHEET, apply_capture, export_capture,
                                                        preview_capture)
from sistema_seguimiento.services import projects, workflow
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.users import SYSTEM, CurrentUser

ADMIN = CurrentUser("admin", "administrador")


def _achieved(db):
    out = {}
    for prog in ("E001", "S001"):
        for p in projects.list_projects(db, 2026, prog):
            for g in p.goals:
                out[(p.key, g.key)] = g.achieved[2]
    return out


def _goal_tables(db):
    with db.reading() as s:
        return [tuple(str(v) for v in r) for r in s.execute(text(
            "SELECT goal_id, period, programmed, achieved, captured_by FROM activity_goal_quarter ORDER BY id"))]


def test_quarter_month_workbook_carries_metas_round_trip(demo_db, tmp_path):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corrección de metas")
    out = export_capture(demo_db, "2026-09", "0301", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [SHEET, GOAL_SHEET, META_SHEET]
    ws = wb[GOAL_SHEET]
    assert ws.cell(HEADER_ROW, GOAL_VALUE_COL).value == "Alcanzado"
    rows = [(r, ws.cell(r, 2).value, str(ws.cell(r, 4).value)) for r in range(FIRST_ROW, FIRST_ROW + 20)
            if ws.cell(r, 2).value]
    assert [(p, g) for _, p, g in rows] == [("020204010101", "1"), ("020204010101", "2"), ("020204010101", "3"),
                                            ("020204010102", "1"), ("020204010102", "2")]
    assert ws.cell(FIRST_ROW, 8).value == 250 and ws.cell(FIRST_ROW, GOAL_VALUE_COL).value == 250  # T3 of meta 1
    assert ws.cell(FIRST_ROW, GOAL_VALUE_COL).protection.locked is False
    assert ws.cell(FIRST_ROW, 2).protection.locked is not False and ws.protection.sheet
    before = _achieved(demo_db)
    ws.cell(rows[1][0], GOAL_VALUE_COL).value = "30"  # 28 → 30
    ws.cell(rows[3][0], GOAL_VALUE_COL).value = None  # 610 → cleared
    filled = tmp_path / "llenado.xlsx"
    wb.save(filled)
    preview = preview_capture(demo_db, filled)
    assert not preview.errors
    assert [(x.project_key, x.goal_key, x.old, x.new, x.kind) for x in preview.goal_changes] == [
        ("020204010101", "2", Decimal(28), Decimal(30), "modificado"),
        ("020204010102", "1", Decimal(610), None, "borrado")]
    assert preview.as_json()["metas"][0]["nuevo"] == "30"
    assert "Metas de actividad: 0 nuevas, 1 modificadas, 1 borradas, 3 sin cambio" in preview.as_text()
    apply_capture(demo_db, preview, actor=ADMIN)
    after = _achieved(demo_db)
    assert after[("020204010101", "2")] == Decimal(30) and after[("020204010102", "1")] is None
    assert {k: v for k, v in after.items() if k not in (("020204010101", "2"), ("020204010102", "1"))} == \
        {k: v for k, v in before.items() if k not in (("020204010101", "2"), ("020204010102", "1"))}
    # importing the same workbook again changes nothing
    state = _goal_tables(demo_db)
    again = preview_capture(demo_db, filled)
    assert not again.goal_changes and not again.changes
    assert apply_capture(demo_db, again, actor=ADMIN) == "no había cambios que guardar"
    assert _goal_tables(demo_db) == state


def test_meta_errors_and_altered_sheet_refused(demo_db, tmp_path):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corrección de metas")
    out = export_capture(demo_db, "2026-09", "0301", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    ws = wb[GOAL_SHEET]
    ws.cell(FIRST_ROW, GOAL_VALUE_COL).value = -3
    ws.cell(FIRST_ROW + 1, GOAL_VALUE_COL).value = "12 piezas"
    bad = tmp_path / "malo.xlsx"
    wb.save(bad)
    state = _goal_tables(demo_db)
    preview = preview_capture(demo_db, bad)
    assert len(preview.errors) == 2
    assert f"Hoja «{GOAL_SHEET}», fila {FIRST_ROW}, columna I" in preview.errors[0] and "negativo" in preview.errors[0]
    assert "020204010101/2" in preview.errors[1]
    with pytest.raises(ServiceError):
        apply_capture(demo_db, preview, actor=ADMIN)
    assert _goal_tables(demo_db) == state
    wb = load_workbook(out)
    wb[GOAL_SHEET].cell(FIRST_ROW, 8).value = 1  # a protected cell (programado) changed
    altered = tmp_path / "alterado.xlsx"
    wb.save(altered)
    with pytest.raises(ServiceError, match="alterada"):
        preview_capture(demo_db, altered)


def test_capturista_import_of_a_sent_quarter_is_refused(demo_db, tmp_path):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corrección de metas")
    out = export_capture(demo_db, "2026-09", "0301", tmp_path / "cap.xlsx")
    wb = load_workbook(out)
    wb[GOAL_SHEET].cell(FIRST_ROW, GOAL_VALUE_COL).value = 251
    filled = tmp_path / "llenado.xlsx"
    wb.save(filled)
    workflow.apply(demo_db, ADMIN, "enviar", "2026-09", "0301")
    state = _goal_tables(demo_db)
    with pytest.raises(ServiceError) as exc:
        apply_capture(demo_db, preview_capture(demo_db, filled),
                      actor=CurrentUser("captura-0301", "capturista", "0301"))
    assert "Enviado" in " ".join(exc.value.details)
    assert _goal_tables(demo_db) == state


def test_other_months_have_no_metas_sheet(demo_db, tmp_path):
    wb = load_workbook(export_capture(demo_db, "2026-10", "0301", tmp_path / "cap.xlsx"))
    assert wb.sheetnames == [SHEET, META_SHEET]
