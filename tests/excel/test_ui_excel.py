import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from openpyxl import load_workbook  # noqa: E402

from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL, export_capture, preview_capture  # noqa: E402
from sistema_seguimiento.excel.export_mir import export_mir  # noqa: E402
from sistema_seguimiento.services.import_mir import preview_import  # noqa: E402


def test_excel_menu_actions_are_registered():
    from sistema_seguimiento.ui import registry

    import sistema_seguimiento.ui.excel_actions  # noqa: F401

    texts = [a.text for a in registry.actions("Excel")]
    for t in ("Exportar MIR…", "Exportar fichas técnicas…", "Exportar avance…", "Exportar libro de captura…",
              "Importar libro de captura…", "Importar MIR…"):
        assert t in texts


def test_capture_preview_dialog(qtbot, demo_db, tmp_path):
    from sistema_seguimiento.ui.excel_actions import capture_preview_dialog

    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "c.xlsx")
    wb = load_workbook(out)
    wb[SHEET].cell(FIRST_ROW, VALUE_COL).value = 999
    wb[SHEET].cell(FIRST_ROW + 1, VALUE_COL).value = "x"
    wb.save(out)
    dlg = capture_preview_dialog(preview_capture(demo_db, out))
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 1
    assert dlg.table.item(0, 0).text() == "Modificado"
    assert not dlg.apply_button.isEnabled()  # there is an error
    assert "Errores (1)" in dlg.tabs.tabText(1)


def test_mir_preview_dialog(qtbot, demo_db, tmp_path):
    from sistema_seguimiento.ui.excel_actions import mir_preview_dialog

    out = export_mir(demo_db, tmp_path / "m.xlsx", ["E001"])
    wb = load_workbook(out)
    from sistema_seguimiento.excel.export_mir import HEADER_ROW

    wb.active.cell(HEADER_ROW + 1, 3).value = "Nuevo nombre del indicador del Fin"
    wb.save(out)
    dlg = mir_preview_dialog(preview_import(demo_db, out))
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 0).text() == "Modificar"
    assert dlg.apply_button.isEnabled()


def test_import_capture_action_applies_after_preview(qtbot, demo_db, tmp_path, monkeypatch):
    """The Excel menu's import: file → background preview → dialog accepted → background apply → database."""
    from PySide6.QtWidgets import QDialog, QMessageBox

    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui import excel_actions
    from sistema_seguimiento.ui.context import AppContext
    from sistema_seguimiento.ui.worker import wait_all

    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "c.xlsx")
    wb = load_workbook(out)
    wb[SHEET].cell(FIRST_ROW, VALUE_COL).value = 23
    wb.save(out)
    ctx = AppContext(demo_db, CurrentUser("admin", "administrador"), 2026, "2026-10")
    monkeypatch.setattr(excel_actions, "_open_path", lambda window, title: str(out))
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.Accepted)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    changed = []
    ctx.dataChanged.connect(lambda entity, key: changed.append(entity))
    excel_actions.import_captura_action(ctx, None)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    wait_all()
    assert changed == ["measurement"]
    first = preview_capture(demo_db, out)  # the same workbook again: the value is now in the database
    assert not first.errors and first.changes == []
    line = next(x for x in first.lines if x.row == FIRST_ROW)
    assert line.kind == "sin_cambio" and line.new == 23
