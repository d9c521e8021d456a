"""The capture grid refuses, with the reason, what the strict parser refuses (real widgets, pytest-qt)."""
from __future__ import annotations

import os
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from sistema_seguimiento.services import editing
from tests.ui.test_capture_grid import ADMIN, CAP, db_value, make_page, returned, row_of, wait_saved

from sistema_seguimiento.ui.capture import COL_VALUE


@pytest.mark.parametrize("text,reason", [
    ("5%", "«%»"), ("$5", "«$»"), ("٣", "0–9"), ("５", "0–9"), ("1.234,5", "ambiguo"), ("1e5", "notación"),
    ("NaN", "finito"), ("Infinity", "finito"), ("1" * 60, "60 dígitos enteros"), ("0.1234567", "7 decimales"),
])
def test_typed_values_refused_with_reason(qtbot, demo_db, text, reason):
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    assert not page.model.setData(page.model.index(r, COL_VALUE), text)
    assert reason in page.last_error
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(24)


def test_typing_sixty_digits_in_the_editor_writes_nothing(qtbot, demo_db):
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    page.table.setCurrentIndex(page.model.index(r, COL_VALUE))
    page.table.setFocus()
    qtbot.keyClicks(page.table, "1")
    editor = page.table.focusWidget()
    qtbot.keyClicks(editor, "1" * 59)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "60 dígitos enteros" in page.table.error_label.text(), timeout=5000)
    assert page.table.state() == QAbstractItemView.State.EditingState  # the refused value stays in edit
    qtbot.keyClick(page.table.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(24)


def test_percentage_variable_range_in_the_grid(qtbot, demo_db):
    editing.update_variable(demo_db, ADMIN, "E001-A11-01", "RRI", "unit", "Porcentaje")
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")
    assert not page.model.setData(page.model.index(r, COL_VALUE), "101")
    assert "entre 0 y 100" in page.last_error
    assert page.model.setData(page.model.index(r, COL_VALUE), "99.5")
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal("99.5")


def test_a_failure_after_the_save_is_not_reported_as_not_saved(qtbot, demo_db, monkeypatch):
    """The value is committed; refreshing the view then fails: the page says it was saved."""
    page = make_page(qtbot, returned(demo_db), CAP)
    r = row_of(page, "E001-A11-01", "RRI")

    def broken(*_a, **_k):
        raise RuntimeError("vista")

    monkeypatch.setattr(page, "_update_state", broken)
    assert page.model.setData(page.model.index(r, COL_VALUE), "21")
    wait_saved(qtbot, page)
    assert db_value(demo_db, "E001-A11-01", "RRI", "2026-10") == Decimal(21)
    assert page.message_label.text().startswith("Guardado: 1 valor(es)")
    assert "No se guardó" not in page.message_label.text()
