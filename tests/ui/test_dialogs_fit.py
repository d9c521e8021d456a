"""Every dialog of the window fits a small screen and shows its titles, labels, buttons and column headers whole
(issue 15). The offscreen screen is 800×800 logical pixels — less than the 1280×720 that a 1920×1080 screen
at 150 % leaves in height terms only for wide dialogs, so each dialog is also checked against a 1280×720 box."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QHeaderView

from sistema_seguimiento.ui.dialog_catalog import DIALOGS
from sistema_seguimiento.ui.fitcheck import fit_problems
from sistema_seguimiento.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, ctx):
    from sistema_seguimiento.ui.screen_fit import install

    install(QApplication.instance())  # as ui.app.setup_application does
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.mark.parametrize("stem,label,build", DIALOGS, ids=[d[0] for d in DIALOGS])
def test_dialog_fits_the_screen_and_nothing_is_cut(qtbot, window, tmp_path, stem, label, build):
    dlg = build(window, tmp_path)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.wait(30)
    avail = dlg.screen().availableGeometry()
    assert avail.height() <= 800  # the small screen of the offscreen platform
    frame = dlg.frameGeometry()
    assert frame.width() <= avail.width() and frame.height() <= avail.height(), (label, frame, avail)
    assert avail.contains(frame), (label, frame, avail)
    assert fit_problems(dlg) == [], label
    for header in dlg.findChildren(QHeaderView):  # the column headers, checked directly as well
        if header.orientation().name != "Horizontal" or not header.isVisible() or header.model() is None:
            continue
        for c in range(header.count()):
            text = str(header.model().headerData(c, header.orientation()) or "")
            if text and not header.isSectionHidden(c):
                assert header.fontMetrics().horizontalAdvance(text) <= header.sectionSize(c), (label, text)


def test_a_tall_dialog_scrolls_its_content_and_keeps_its_buttons(qtbot, window):
    from PySide6.QtWidgets import QDialogButtonBox, QScrollArea

    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(window.ctx, window)
    qtbot.addWidget(dlg)
    natural = dlg.sizeHint().height()
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.wait(50)
    avail = dlg.screen().availableGeometry()
    assert natural > avail.height()  # Configuración is taller than this screen …
    area = dlg.findChild(QScrollArea, "ses_dialog_scroll")
    assert area is not None and area.verticalScrollBar().maximum() > 0  # … so its content scrolls
    assert not area.horizontalScrollBar().isVisible()
    buttons = dlg.findChild(QDialogButtonBox)
    assert buttons.parent() is dlg and buttons.isVisible()  # the Cerrar button stays below, not scrolled away
    assert dlg.frameGeometry().height() <= avail.height()
    assert dlg.name.isVisible() and dlg.plan_name.isVisible()  # the fields still work
