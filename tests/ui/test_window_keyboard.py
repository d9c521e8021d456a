"""The window's keyboard and first screen (issue 15): one owner per shortcut across every action that exists at
run time (features register more through ui.registry), Ctrl+1…5 and Ctrl+Tab, Tab never trapped in a table,
Archivo → Salir, F1 on the page's topic, the once-only «saved at once» note, the capturista's window, screen fit."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QApplication

from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.main_window import MainWindow


def _window(qtbot, ctx):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _build_every_page(w) -> None:
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
    w.mir_editor()
    w.ficha_view()


def _is_ancestor(a, b) -> bool:
    while b is not None:
        if b is a:
            return True
        b = b.parentWidget()
    return False


def shortcut_owners(w) -> dict[str, list[tuple[str, object, Qt.ShortcutContext]]]:
    """Every key sequence bound in the window → [(who, scope widget, context)] for QActions and QShortcuts."""
    owners: dict[str, list] = {}
    for a in w.findChildren(QAction):
        for seq in dict.fromkeys(a.shortcuts()):  # one action listing a key twice is still one owner
            if seq.isEmpty():
                continue
            scopes = [o for o in a.associatedObjects() if hasattr(o, "parentWidget")] or [w]
            ctx = a.shortcutContext()
            scope = w if ctx in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut) \
                else next((o for o in scopes if not o.inherits("QMenu")), scopes[0])
            owners.setdefault(seq.toString(), []).append((a.text() or a.objectName(), scope, ctx))
    for sc in w.findChildren(QShortcut):
        for seq in sc.keys():
            owners.setdefault(seq.toString(), []).append((sc.objectName() or "QShortcut", sc.parentWidget(),
                                                         sc.context()))
    return owners


def ambiguous(owners) -> dict[str, list[str]]:
    """Pairs that Qt would both consider active at once: window-wide vs anything, or widget scopes that nest."""
    bad = {}
    for key, items in owners.items():
        for i, (n1, s1, c1) in enumerate(items):
            for n2, s2, c2 in items[i + 1:]:
                wide = Qt.ShortcutContext.WidgetShortcut not in (c1, c2) and \
                    (c1 != Qt.ShortcutContext.WidgetWithChildrenShortcut or
                     c2 != Qt.ShortcutContext.WidgetWithChildrenShortcut)
                nested = s1 is s2 or _is_ancestor(s1, s2) or _is_ancestor(s2, s1)
                if (wide and nested) or (s1 is s2):
                    bad.setdefault(key, []).append(f"{n1} / {n2}")
    return bad


def test_no_shortcut_is_bound_twice_across_every_action(qtbot, ctx):
    w = _window(qtbot, ctx)
    _build_every_page(w)
    owners = shortcut_owners(w)
    assert len(owners) > 20  # menus of every feature, pages, editors: the test sees what exists at run time
    assert ambiguous(owners) == {}
    for i, key in enumerate(["tablero", "programa", "mir", "ficha", "captura"], start=1):
        assert w.page_actions[key].shortcut().toString() == f"Ctrl+{i}"


def test_ctrl_numbers_and_ctrl_tab_change_page(qtbot, ctx):
    w = _window(qtbot, ctx)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    for i, key in enumerate(["tablero", "programa", "mir", "ficha", "captura"], start=1):
        qtbot.keyClick(w, getattr(Qt.Key, f"Key_{i}"), Qt.KeyboardModifier.ControlModifier)
        assert w.current_page_key() == key
    qtbot.keyClick(w, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentIndex() == 5 % w.tabs.count()
    qtbot.keyClick(w, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.current_page_key() == "captura"


def test_tab_never_traps_inside_a_table(qtbot, ctx):
    w = _window(qtbot, ctx)
    w.activateWindow()
    _build_every_page(w)
    views = [v for v in w.findChildren(QAbstractItemView) if v.isVisibleTo(w) or True]
    assert views and not [v.objectName() or type(v).__name__ for v in views if v.tabKeyNavigation()]
    w.show_page("captura")
    page = w.pages["captura"].page
    qtbot.waitUntil(lambda: page.model.sheet is not None, timeout=10_000)
    page.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=3000)
    qtbot.keyClick(page.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not page.table  # reading order goes on after the grid
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is page.table


def test_archivo_salir_and_f1_topics(qtbot, ctx):
    w = _window(qtbot, ctx)
    texts = [a.text() for a in w.menus["Archivo"].actions()]
    assert "&Salir" in texts and w.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    from sistema_seguimiento.ui import help as help_mod

    for page, topic in (("captura", "captura"), ("tablero", "semaforo"), ("mir", "mir")):
        w.show_page(page)
        w.open_guide()
        dlg = help_mod._OPEN[-1]
        assert dlg.topic == topic and f'name="{topic}"' in help_mod.help_texts.GUIA_RAPIDA
        dlg.close()
    html = help_mod.help_texts.GUIA_RAPIDA
    for word in ("Captura de avances", "Semáforo", "Justificación", "Enviar, validar y cerrar"):
        assert word in html
    w.quit_action.trigger()
    assert not w.isVisible()


def test_saved_at_once_note_shown_once(qtbot, ctx):
    w = _window(qtbot, ctx)
    assert w.saved_note.isVisibleTo(w) and "se guarda al instante" in w.saved_note.label.text()
    w.saved_note.ok.click()
    assert not w.saved_note.isVisibleTo(w)
    w2 = _window(qtbot, ctx)
    assert not w2.saved_note.isVisibleTo(w2)


def test_first_run_maximized_and_never_taller_than_the_screen(qtbot, ctx):
    w = _window(qtbot, ctx)
    assert w.windowState() & Qt.WindowState.WindowMaximized
    avail = w.screen().availableGeometry()
    assert w.minimumHeight() <= avail.height() and w.minimumSizeHint().height() <= avail.height()
    w.showNormal()
    w.resize(avail.width() + 300, avail.height() + 400)
    w.save_state()
    w2 = MainWindow(ctx)
    qtbot.addWidget(w2)
    assert w2.height() <= avail.height() and w2.width() <= avail.width()


def test_capturista_window_opens_on_own_capture_and_cannot_design(qtbot, ctx):
    ctx.user = CurrentUser("captura-0301", "capturista", "0301")
    w = _window(qtbot, ctx)
    qtbot.waitUntil(lambda: w.current_page_key() == "captura", timeout=5000)
    page = w.pages["captura"].page
    qtbot.waitUntil(lambda: page.model.sheet is not None, timeout=10_000)
    assert page.agency == "0301"
    edit_texts = {a.text(): a.isEnabled() for a in w.menus["Editar"].actions()}
    assert edit_texts["Nuevo &programa…"] is False and edit_texts["Nueva &dependencia…"] is False
    w.navigate("mir", {"program": "E001"})  # its own dependencia's program: shown, not editable
    assert not w.mir.model.editable and not w.mir.a_comp.isEnabled()
    w.navigate("ficha", {"indicator": "E001-C1-01"})
    assert w.ficha.widgets["name"].isReadOnly()
    w.validation.refresh()
    qtbot.waitUntil(lambda: not w.validation._running, timeout=20_000)
    own = w.validation.own_programs()
    assert own and "S001" not in own
    assert all(f.program in own for f in w.validation.findings())


def test_validation_dock_sorts_errors_first_and_follows_the_program(qtbot, ctx):
    from sistema_seguimiento.services import editing as ed

    ed.update_indicator(ctx.db, ctx.user, "S001-A11-01", "name", "")  # an error in S001
    w = _window(qtbot, ctx)
    w.validation.refresh()
    qtbot.waitUntil(lambda: not w.validation._running and bool(w.validation.findings()), timeout=20_000)
    sev = [f.severity for f in w.validation.findings()]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert sev == sorted(sev, key=rank.get) and sev[0] == "error"
    w.navigate("mir", {"program": "E001"})
    assert w.validation.scope.currentIndex() == 1
    assert {f.program for f in w.validation.findings()} <= {"E001"}


def test_qt_dialogs_in_mexican_spanish(qapp):
    from PySide6.QtCore import QCoreApplication

    from sistema_seguimiento.ui.translations import install_qt_spanish, mexican

    tr = install_qt_spanish(qapp)
    try:
        assert tr is not None  # qtbase_es.qm ships with PySide6-Essentials
        assert QCoreApplication.translate("QFileDialog", "&Open") == "&Abrir"
        assert QCoreApplication.translate("QFileDialog", "File &name:") == "&Nombre de archivo:"
        assert QCoreApplication.translate("QFileDialog", "Create New Folder") == "Crear nueva carpeta"
        assert mexican("Ficheros de tipo:") == "Archivos de tipo:"
    finally:
        qapp.removeTranslator(tr)


def test_start_dialog_descriptions_are_readable(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from sistema_seguimiento.ui.app import StartDialog
    from sistema_seguimiento.ui.contrast import contrast_ratio

    dlg = StartDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    assert len(dlg.descriptions) == 4  # demo, new, open, server
    for label in dlg.descriptions:
        fg = label.palette().color(QPalette.ColorRole.WindowText)
        bg = dlg.palette().color(QPalette.ColorRole.Window)
        assert contrast_ratio(fg, bg) >= 4.5, (fg.name(), bg.name())
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) < 4.5 < contrast_ratio(QColor("#595959"),
                                                                                         QColor("#ffffff"))


def test_formula_editor_template_creates_variables_and_errors_say_what_is_missing(qtbot, ctx, no_dialogs):
    from sistema_seguimiento.services import editing as ed

    key = ed.add_indicator(ctx.db, ctx.user, 2026, "E001", "E001-C1", "Porcentaje de postes pintados")
    w = _window(qtbot, ctx)
    w.navigate("ficha", {"indicator": key})
    f = w.ficha
    assert f.var_model.rows == []
    f.formula_type.setCurrentIndex(f.formula_type.findData("porcentaje"))
    f.use_template()
    assert [(r["key"], r["role"]) for r in f.var_model.rows] == [("A", "numerador"), ("B", "denominador")]
    assert ed.indicator_values(ctx.db, key)["formula"] == "(A / B) * 100"
    assert "Variables" in f.formula_check.text() or "correct" in f.formula_check.text().lower() or \
        "A, B" in f.formula_check.text()
    f._build_probar()
    f.probar_inputs["A"].setText("3")
    f.probar_inputs["B"].setText("4")
    assert "75.00" in f.probar()
    f.formula.setText("(A / B * 100")
    assert "posición 1" in f.formula_check.text() and "falta un paréntesis de cierre" in \
        f.formula_check.text().lower()
    assert f.probar_result.text() == ""  # the old result disappears while the formula is invalid
    f.formula.setText("(A / B) x 100")
    assert "use * para multiplicar" in f.formula_check.text()
