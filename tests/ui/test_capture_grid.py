"""The capture page with real widgets (pytest-qt, offscreen) over a demo database."""
from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from sistema_seguimiento.services import audit_log, workflow
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.capture import COL_JUST, COL_PCT, COL_VALUE, CapturePage, parse_tsv
from sistema_seguimiento.ui.context import AppContext

ADMIN = CurrentUser("admin", "administrador")
CAP = CurrentUser("captura-0301", "capturista", "0301")


def make_page(qtbot, db, user, month="2026-10"):
    ctx = AppContext(db, user, 2026, month)
    page = CapturePage(ctx)
    page.today = date(2026, 11, 15)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    return page


def row_of(page, ind, var):
    m = page.model
    for r, row in enumerate(m.rows):
        ci = m.sheet.indicators[row.ind]
        if ci.key == ind and row.var is not None and ci.variables[row.var].key == var:
            return r
    raise KeyError((ind, var))


def header_row(page, ind):
    return next(r for r, row in enumerate(page.model.rows)
                if row.var is None and page.model.sheet.indicators[row.ind].key == ind)


def wait_saved(qtbot, page):
    qtbot.waitUntil(lambda: page.pending_saves == 0, timeout=10_000)


def db_value(db, ind, var, period):
    from sistema_seguimiento.services.capture import capture_rows
    sheet = capture_rows(db, period)
    ci = next(i for i in sheet.indicators if i.key == ind)
    return next(v.value for v in ci.variables if v.key == var)


def test_grid_rows_grouped_and_due_only(qtbot, demo_db):
    page = make_page(qtbot, demo_db, ADMIN, "2026-09")
    keys = {ci.key: ci.period for ci in page.model.sheet.indicators}
    assert keys["E001-C1-01"] == "2026-T3" and "E001-P-01" not in keys
    page.select(month="2026-10")
    assert all(ci.frequency == "mensual" for ci in page.model.sheet.indicators)
    hr = header_row(page, "E001-A11-01")
    light = page.model.index(hr, 6).data()
    assert light in ("Verde", "Amarillo", "Rojo", "Sin dato") or "·" in light  # text, not colour alone


def returned(db, agency="0301"):
    """The demo's October is «Validado» (read-only for the capturista): the validador returns it first."""
    workflow.apply(db, CurrentUser("validador", "validador"), "devolver", "2026-10", agency, "Revise octubre")
    return db


def test_type_values_enter_moves_down_and_saves(qtbot, demo_db):
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    page.table.setFocus()
    qtbot.keyClicks(page.table, "2")
    editor = page.table.focusWidget()
    qtbot.keyClicks(editor, "0")
    # results recompute while typing: 20 of 24 programmed → 83.33 % in the period
    res = page.model.results["E001-A11-01"]
    assert res.period("2026-10").value == Decimal("83.33333333333333333333333333") or \
        round(res.period("2026-10").value, 2) == Decimal("83.33")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    wait_saved(qtbot, page)
    assert page.table.currentIndex().row() == r + 1  # Enter moved down
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(20)
    assert page.model.index(header_row(page, "E001-A11-01"), COL_JUST).data().startswith("Falta")
    # Esc cancels an edit in progress
    before = page.model.results["E001-A11-01"].period("2026-10").value
    qtbot.keyClicks(page.table, "9")
    editor = page.table.focusWidget()
    assert page.model.results["E001-A11-01"].period("2026-10").value != before  # live preview of 20 / 9
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    assert page.model.results["E001-A11-01"].period("2026-10").value == before  # Esc restores the results
    assert db_value(demo_db, "E001-A11-01", "RPI", "2026-10") == Decimal(24)
    # Delete clears the value
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A11-01", "RPI", "2026-10") is None


def test_invalid_typed_value_is_rejected_with_reason(qtbot, demo_db):
    page = make_page(qtbot, demo_db, ADMIN)
    r = row_of(page, "E001-A11-01", "RRI")
    assert not page.model.setData(page.model.index(r, COL_VALUE), "-4")
    assert "negativo" in page.last_error
    assert not page.model.setData(page.model.index(r, COL_VALUE), "1,5")
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(24)


def test_paste_block_with_bad_cells_reports_each(qtbot, demo_db, no_dialogs):
    page = make_page(qtbot, demo_db, ADMIN)
    r = row_of(page, "E001-A21-01", "RA72")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    block = "1,100\r\nabc\r\n\"2,000.5\"\r\n-3\r\n85.3 %\r\n"
    assert parse_tsv(block) == [["1,100"], ["abc"], ["2,000.5"], ["-3"], ["85.3 %"]]
    report = page.paste_text(block)
    wait_saved(qtbot, page)
    assert report.applied == 2
    assert [k for k, _ in no_dialogs] == ["confirm"]  # October is validado: the administrador was asked once
    assert [(p.text, "negativo" in p.reason or "número" in p.reason.lower() or "válido" in p.reason)
            for p in report.problems] == [("abc", True), ("-3", True), ("85.3 %", True)]  # captured: no «%»
    assert db_value(demo_db, "E001-A21-01", "RA72", "2026-10") == Decimal(1100)
    assert db_value(demo_db, "E001-A22-01", "ME", "2026-10") == Decimal("2000.5")  # header row skipped
    assert db_value(demo_db, "E001-A21-01", "RR", "2026-10") == Decimal(126)  # bad cell: unchanged
    # copy gives tab-separated es_MX text
    page.table.clearSelection()
    sel = page.table.selectionModel()
    from PySide6.QtCore import QItemSelectionModel
    for c in (COL_VALUE, COL_VALUE + 1):
        sel.select(page.model.index(r, c), QItemSelectionModel.SelectionFlag.Select)
    assert page.table.selection_text() == "1,100.00\t" + page.model.index(r, COL_VALUE + 1).data()


def test_required_justification_blocks_sending(qtbot, demo_db, tmp_path):
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    assert page.model.setData(page.model.index(r, COL_VALUE), "5")
    wait_saved(qtbot, page)
    assert not page.buttons["cerrar"].isVisibleTo(page)  # capturista: no close button
    with qtbot.waitSignal(page.saveFinished, timeout=10_000) as blocker:
        page.run_workflow("enviar")
    assert blocker.args == [False] and "AV-006" in page.last_error
    from sistema_seguimiento.ui.justification_dialog import JustificationDialog
    dlg = JustificationDialog(page.ctx, "E001-A11-01", "2026-10", page)
    qtbot.addWidget(dlg)
    big = tmp_path / "enorme.pdf"
    with open(big, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    assert not dlg.add_file(str(big)) and "20 MB" in dlg.error.text()
    ok = tmp_path / "foto.png"
    ok.write_bytes(b"\x89PNG fake")
    assert dlg.add_file(str(ok))
    dlg.edits["cause"].setPlainText("Falta de vehículos en octubre")
    assert dlg.save()
    page.model.refresh_justification("E001-A11-01", True, 1)
    with qtbot.waitSignal(page.saveFinished, timeout=10_000) as blocker:
        page.run_workflow("enviar")
    assert blocker.args == [True]
    assert workflow.states(demo_db, "2026-10")["0301"] == "enviado"


def test_capturista_cannot_close_nor_touch_other_agency_in_window(qtbot, demo_db):
    page = make_page(qtbot, demo_db, CAP)
    agencies = [page.agency_combo.itemData(i) for i in range(page.agency_combo.count())]
    assert agencies == ["0301"]
    assert {ci.agency_key for ci in page.model.sheet.indicators} == {"0301"}
    with qtbot.waitSignal(page.saveFinished, timeout=10_000) as blocker:
        page.run_workflow("cerrar")
    assert blocker.args == [False] and "Administrador" in page.last_error
    # even if the grid held another dependencia's rows, they would not be editable
    admin_page = make_page(qtbot, demo_db, ADMIN)
    admin_page.ctx.user = CAP
    admin_page.model.invalidate_locks()
    r = row_of(admin_page, "S001-A11-01", "SD15")
    assert not admin_page.model.flags(admin_page.model.index(r, COL_VALUE)) & Qt.ItemFlag.ItemIsEditable


def test_closed_period_is_read_only_and_close_reopen_audited(qtbot, demo_db):
    page = make_page(qtbot, demo_db, ADMIN, "2026-09")
    r = row_of(page, "E001-A11-01", "RRI")
    idx = page.model.index(r, COL_VALUE)
    assert not page.model.flags(idx) & Qt.ItemFlag.ItemIsEditable
    assert not page.model.setData(idx, "3") and "cerrado" in page.last_error
    page.table.setCurrentIndex(idx)
    report = page.paste_text("3\n4")
    assert report.applied == 0 and all("cerrado" in p.reason for p in report.problems)
    page.select(month="2026-10", agency="0801")
    with qtbot.waitSignal(page.saveFinished, timeout=10_000):
        page.run_workflow("cerrar")
    assert workflow.states(demo_db, "2026-10")["0801"] == "cerrado"
    r = row_of(page, "S001-A11-01", "SD15")
    assert not page.model.flags(page.model.index(r, COL_VALUE)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(page.saveFinished, timeout=10_000):
        page.run_workflow("reabrir", "Se corrige el padrón")
    entries = audit_log.query(demo_db, entity="period")
    assert [(e.action, e.key, e.reason) for e in entries[:2]] == [
        ("reabrir", "2026-10/0801", "Se corrige el padrón"), ("cerrar", "2026-10/0801", "")]
    assert page.model.flags(page.model.index(r, COL_VALUE)) & Qt.ItemFlag.ItemIsEditable


def test_save_failure_keeps_typed_value_and_shows_reason(qtbot, demo_db, no_dialogs):
    page = make_page(qtbot, demo_db, ADMIN)
    # someone else closes October after the grid was opened: the service refuses the save (PER-003)
    workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")
    r = row_of(page, "E001-A11-01", "RRI")
    assert page.model.setData(page.model.index(r, COL_VALUE), "7")
    wait_saved(qtbot, page)
    assert page.model.index(r, COL_VALUE).data() == "7.00"
    assert "PER-003" in page.last_error
    assert "PER-003" in page.model.index(r, COL_VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(24)


def test_period_not_ended_is_locked(qtbot, demo_db):
    page = make_page(qtbot, demo_db, ADMIN)
    page.today = date(2026, 10, 15)
    r = row_of(page, "E001-A11-01", "RRI")
    assert not page.model.flags(page.model.index(r, COL_VALUE)) & Qt.ItemFlag.ItemIsEditable
    assert "AV-008" in page.model.index(r, COL_VALUE).data(Qt.ItemDataRole.ToolTipRole)


def test_budget_panel_and_audit_and_users_dialogs(qtbot, demo_db, tmp_path):
    page = make_page(qtbot, demo_db, ADMIN)
    page.budget.fields["approved"].setText("1,500,000")
    page.budget.fields["modified"].setText("1,450,000.50")
    page.budget.fields["exercised"].setText("120,000")
    page.budget.save()
    qtbot.waitUntil(lambda: "Presupuesto guardado" in page.message_label.text(), timeout=10_000)
    from sistema_seguimiento.services import budget
    assert budget.get(demo_db, page.budget.program.currentData(), "2026-10").modified == Decimal("1450000.50")
    from sistema_seguimiento.ui.audit_view import AuditDialog
    dlg = AuditDialog(page.ctx, page, indicator=None)
    qtbot.addWidget(dlg)
    assert dlg.model.rowCount() >= 3
    from PySide6.QtCore import QDate
    dlg.since.setDate(QDate.currentDate().addDays(-10))
    dlg.until.setDate(QDate.currentDate().addDays(-5))
    dlg.use_dates.setChecked(True)
    assert dlg.model.rowCount() == 0  # everything was written today
    dlg.use_dates.setChecked(False)
    dlg.export(str(tmp_path / "b.csv"))
    assert "presupuesto" in (tmp_path / "b.csv").read_text("utf-8-sig")
    from sistema_seguimiento.ui.users_dialog import UsersDialog
    ud = UsersDialog(page.ctx, page)
    qtbot.addWidget(ud)
    assert ud.table.rowCount() == 5


def test_consulta_is_read_only(qtbot, demo_db):
    page = make_page(qtbot, demo_db, CurrentUser("consulta", "consulta"))
    assert not any(b.isVisibleTo(page) for b in page.buttons.values())
    r = row_of(page, "E001-A11-01", "RRI")
    idx = page.model.index(r, COL_VALUE)
    assert not page.model.flags(idx) & Qt.ItemFlag.ItemIsEditable
    assert not page.model.setData(idx, "3")
    assert not page.budget.save_btn.isEnabled()


def test_quarterly_rows_only_in_quarter_months_and_original_target_shown(qtbot, demo_db):
    from sqlalchemy import select
    from sistema_seguimiento.db.models import Target, Variable
    with demo_db.transaction() as s:
        t = s.scalars(select(Target).join(Variable).where(Variable.key == "RRI", Target.period == "2026-10")).one()
        t.value = Decimal(30)  # a modified target (original stays 24)
    page = make_page(qtbot, demo_db, ADMIN, "2026-10")
    r = row_of(page, "E001-A11-01", "RRI")
    assert page.model.index(r, 2).data() == "30.00 (original 24.00)"
    assert "E001-C1-01" not in {ci.key for ci in page.model.sheet.indicators}
    page.select(month="2026-12")
    periods_shown = {ci.key: ci.period for ci in page.model.sheet.indicators}
    assert periods_shown["E001-C1-01"] == "2026-T4" and periods_shown["E001-F-01"] == "2026"


def test_tab_moves_right_and_clipboard_keys(qtbot, demo_db, no_dialogs):
    from PySide6.QtGui import QGuiApplication
    page = make_page(qtbot, demo_db, ADMIN)
    r = row_of(page, "E001-A21-01", "RA72")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    page.table.setFocus()
    qtbot.keyClicks(page.table, "1")  # the first key opens the editor (as in Excel)…
    editor = page.table.focusWidget()
    qtbot.keyClicks(editor, "00")  # …which has the focus for the rest
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: page.table.currentIndex().column() == COL_VALUE + 1, timeout=5000)
    assert page.table.currentIndex().row() == r
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A21-01", "RA72", "2026-10") == Decimal(100)
    # Ctrl+C of the value cell, Ctrl+V of a block from "Excel" on the next variable row
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "100.00"
    QGuiApplication.clipboard().setText("130\r\nx\r\n")
    page.table.setCurrentIndex(page.model.index(r + 1, COL_VALUE))
    qtbot.keyClick(page.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert page.last_paste_report.applied == 1 and page.last_paste_report.problems[0].text == "x"
    assert db_value(demo_db, "E001-A21-01", "RR", "2026-10") == Decimal(130)


def test_registered_in_the_main_window():
    from sistema_seguimiento.ui import registry
    registry.load_features()
    assert any(p.key == "captura" for p in registry.pages())  # Ctrl+5: the window numbers its pages
    assert "&Bitácora…" in [a.text for a in registry.actions("Captura")]
    assert "&Cerrar periodo…" in [a.text for a in registry.actions("Captura")]
    assert "&Usuarios…" in [a.text for a in registry.actions("Herramientas")]


def test_returned_period_shows_the_comment(qtbot, demo_db):
    workflow.apply(demo_db, ADMIN, "devolver", "2026-10", "0301", "Revise los recorridos de octubre")
    page = make_page(qtbot, demo_db, CAP)
    assert "Devuelto" in page.state_label.text() and "Revise los recorridos" in page.state_label.text()
    assert page.buttons["enviar"].isEnabled()


def test_quick_successive_edits_are_saved_in_order(qtbot, demo_db, no_dialogs):
    page = make_page(qtbot, demo_db, ADMIN)
    r = row_of(page, "E001-A11-01", "RRI")
    for text in ("1", "2", "3", "4", "22"):
        assert page.model.setData(page.model.index(r, COL_VALUE), text)
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(22)
    rows = [e.new for e in audit_log.query(demo_db, indicator="E001-A11-01", entity="measurement")
            if e.field == "valor"]
    assert rows[:5] == ["22", "4", "3", "2", "1"]


def test_sent_or_validated_period_is_read_only_for_capturista(qtbot, demo_db):
    page = make_page(qtbot, demo_db, CAP)  # demo: October is «Validado»
    r = row_of(page, "E001-A11-01", "RRI")
    idx = page.model.index(r, COL_VALUE)
    assert not page.model.flags(idx) & Qt.ItemFlag.ItemIsEditable
    assert not page.model.setData(idx, "3") and "Validado" in page.last_error
    page.table.setCurrentIndex(idx)
    report = page.paste_text("3")
    assert report.applied == 0 and "Validado" in report.problems[0].reason
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(24)
    assert workflow.states(demo_db, "2026-10")["0301"] == "validado"


def test_validador_is_asked_and_the_state_change_is_shown(qtbot, demo_db, monkeypatch):
    from sistema_seguimiento.ui import messages

    answers, asked = [False, True], []
    monkeypatch.setattr(messages, "confirm", lambda parent, title, text, **k: asked.append(text) or answers.pop(0))
    page = make_page(qtbot, demo_db, CurrentUser("validador", "validador"))
    r = row_of(page, "E001-A11-01", "RRI")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)  # declined: no editor, nothing changes
    assert page.table.state() != QAbstractItemView.State.EditingState
    assert "Validado" in asked[0] and "sigue" in page.message_label.text()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)  # accepted once for the period and dependencia
    assert page.table.state() == QAbstractItemView.State.EditingState
    editor = page.table.indexWidget(page.table.currentIndex())
    editor.selectAll()
    qtbot.keyClicks(editor, "21")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    wait_saved(qtbot, page)
    assert len(asked) == 2
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(21)
    assert workflow.states(demo_db, "2026-10")["0301"] == "capturando"
    assert "volvió a «Capturando»" in page.message_label.text() and "Capturando" in page.state_label.text()
    entry = audit_log.query(demo_db, entity="period")[0]
    assert (entry.key, entry.old, entry.new, entry.user) == ("2026-10/0301", "validado", "capturando", "validador")


def test_rejected_typed_value_keeps_the_cell_in_edit_with_the_reason_beside(qtbot, demo_db):
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    page.table.setFocus()
    qtbot.keyClicks(page.table, "a")
    editor = page.table.focusWidget()
    qtbot.keyClicks(editor, "bc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.table.error_label.isVisible(), timeout=5000)  # Qt commits Enter queued
    assert page.table.state() == QAbstractItemView.State.EditingState  # still editing «abc»
    assert page.table.focusWidget() is editor and editor.text() == "abc"
    beside = page.table.error_label
    assert beside.isVisible() and "Esc" in beside.text() and beside.x() >= editor.geometry().right()
    assert page.table.currentIndex().row() == r
    editor.setText("7")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    wait_saved(qtbot, page)
    assert not beside.isVisible() and db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(7)
