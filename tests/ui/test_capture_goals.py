"""The metas de actividad of the quarter in the capture page (issue 16): real widgets, offscreen."""
from __future__ import annotations

import os
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from sistema_seguimiento.services import projects, workflow
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.capture_goals import COL_ACHIEVED, COL_EF, COL_PROGRAMMED

from .test_capture_grid import ADMIN, CAP, make_page


def _row(page, label):
    return next(r for r, g in enumerate(page.goals.model.goals) if g.label == label)


def _achieved(db, project="020204010101", goal="2"):
    p = next(p for p in projects.list_projects(db, 2026, "E001") if p.key == project)
    return next(g for g in p.goals if g.key == goal).achieved[2]


def test_meta_rows_under_the_quarter_month_typed_saved_then_read_only_after_enviado(qtbot, demo_db):
    workflow.apply(demo_db, ADMIN, "reabrir", "2026-09", "0301", "Corregir metas de actividad")
    page = make_page(qtbot, demo_db, CAP, "2026-09")
    panel = page.goals
    assert panel.isVisible() and "tercer trimestre 2026" in panel.title.text()
    m = panel.model
    r = _row(page, "020204010101/2")
    assert m.index(r, COL_PROGRAMMED).data() == "36" and m.index(r, COL_ACHIEVED).data() == "28"
    assert m.index(r, COL_EF).data() == "77.78 %"
    assert m.flags(m.index(r, COL_ACHIEVED)) & Qt.ItemFlag.ItemIsEditable
    # typed like a spreadsheet: the value is saved through the capture service
    panel.table.setCurrentIndex(m.index(r, COL_ACHIEVED))
    panel.table.setFocus()
    qtbot.keyClicks(panel.table, "3")  # the first key opens the editor, the rest goes into it
    qtbot.keyClicks(panel.table.focusWidget(), "0")
    qtbot.keyClick(panel.table.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.pending_saves == 0 and _achieved(demo_db) == Decimal(30), timeout=10_000)
    assert m.index(r, COL_EF).data() == "83.33 %"
    # a bad number is refused with a Spanish reason and nothing is saved
    assert not m.setData(m.index(r, COL_ACHIEVED), "-4")
    assert "negativo" in page.message_label.text()
    # the capturista sends the month: the meta rows become read-only for them
    workflow.apply(demo_db, CAP, "enviar", "2026-09", "0301")
    page.select(month="2026-09")
    r = _row(page, "020204010101/2")
    assert not m.flags(m.index(r, COL_ACHIEVED)) & Qt.ItemFlag.ItemIsEditable
    assert "Enviado" in m.index(r, COL_ACHIEVED).data(Qt.ItemDataRole.ToolTipRole)
    assert not m.setData(m.index(r, COL_ACHIEVED), "31")
    assert _achieved(demo_db) == Decimal(30)


def test_no_meta_rows_outside_quarter_months_and_closed_quarter_read_only(qtbot, demo_db):
    page = make_page(qtbot, demo_db, ADMIN, "2026-10")
    assert not page.goals.isVisible() and page.goals.model.rowCount() == 0
    page.select(month="2026-06")
    m = page.goals.model
    assert page.goals.isVisible() and m.rowCount() == 10  # both dependencias («Todas»)
    assert not m.flags(m.index(0, COL_ACHIEVED)) & Qt.ItemFlag.ItemIsEditable  # June is closed in the demo
    assert "PER-003" in m.index(0, COL_ACHIEVED).data(Qt.ItemDataRole.ToolTipRole)
