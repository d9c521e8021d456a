"""Navigation tree, search, validation dock, MIR operations, forms, settings, plan editor, help, start flow."""
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox

from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.context import AppContext
from sistema_seguimiento.ui.main_window import MainWindow
from sistema_seguimiento.ui.worker import wait_all


def _window(qtbot, ctx):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    return w


def test_tree_loads_lazily_and_navigates(qtbot, ctx):
    w = _window(qtbot, ctx)
    m = w.nav.model
    year = m.index(0, 0)
    assert m.data(year) == "Ejercicio 2026"
    agencies = m.node(year).children
    assert [a.key for a in agencies] == ["0301", "0801"]
    assert all(a.children is None for a in agencies)  # not loaded until expanded
    idx = m.find("program", "E001")
    program = m.node(idx)
    assert program.children is None
    assert m.canFetchMore(idx)
    m.fetchMore(idx)
    levels = [c.payload for c in program.children]
    assert levels == ["FIN", "PROPOSITO", "COMPONENTE", "COMPONENTE"]
    ind = m.find("indicator", "E001-A12-01", "E001")
    assert ind.isValid()
    w.nav.tree.setCurrentIndex(ind)
    assert w.tabs.currentWidget() is w.pages["ficha"] and w.ficha.key == "E001-A12-01"
    obj = m.find("objective", "E001-C2", "E001")
    w.nav.tree.setCurrentIndex(obj)
    assert w.tabs.currentWidget() is w.pages["mir"] and w.mir.current_objective().key == "E001-C2"
    w.nav.tree.setCurrentIndex(m.find("agency", "0801"))
    assert w.detail.currentWidget() is w.agency_form and w.agency_form.name.text().startswith("Sistema Municipal")


def test_filter_finds_by_word_accent_and_case_insensitive(qtbot, ctx):
    w = _window(qtbot, ctx)
    w.nav.focus_filter()
    assert w.nav.filter.placeholderText().startswith("Buscar")
    for text, expected in (("ALUMBRADO publico", "E001"), ("e001-c1", "E001-C1-01"), ("adultas mayores", "S001")):
        w.nav.filter.setText(text)
        w.nav._search()
        qtbot.waitUntil(lambda: w.nav.stack.currentIndex() == 1 and
                        expected in [h["key"] for h in w.nav.search_model.hits], timeout=5000)
    w.nav.filter.setText("E001-C1-01")
    w.nav._search()
    qtbot.waitUntil(lambda: [h["key"] for h in w.nav.search_model.hits] == ["E001-C1-01"], timeout=5000)
    w.nav._activated(w.nav.search_model.index(0))
    assert w.ficha.key == "E001-C1-01"
    w.nav.filter.setText("")
    w.nav._search()
    assert w.nav.stack.currentIndex() == 0


def test_validation_double_click_goes_to_field_and_explains_rule(qtbot, ctx, no_dialogs):
    ed.update_indicator(ctx.db, ctx.user, "E001-C1-01", "name", "")  # IND-001 (error)
    w = _window(qtbot, ctx)
    w.validation.refresh()
    qtbot.waitUntil(lambda: any(f.rule_id == "IND-001" for f in w.validation.findings()), timeout=10_000)
    model = w.validation.proxy
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "IND-001")
    w.validation.view.setCurrentIndex(model.index(row, 4))
    w.validation._goto(model.index(row, 4))
    assert w.ficha.key == "E001-C1-01"
    assert w.ficha.help.toPlainText().startswith("Nombre del indicador")
    from sistema_seguimiento.ui import help as help_mod

    shown = []
    qtbot_dialogs = help_mod._OPEN
    w.validation._explain()
    assert qtbot_dialogs and "IND-001" in qtbot_dialogs[-1].windowTitle()
    assert "Cómo construir un indicador" in qtbot_dialogs[-1].browser.toPlainText()
    for d in list(qtbot_dialogs):
        d.close()
    del shown
    # the error disappears once the name is written in the ficha
    w.ficha.widgets["name"].setText("Porcentaje de luminarias con mantenimiento")
    w.ficha.widgets["name"].editingFinished.emit()
    qtbot.waitUntil(lambda: not any(f.rule_id == "IND-001" for f in w.validation._all) and not w.validation._running,
                    timeout=10_000)


def test_mir_reorder_move_delete_undo(qtbot, ctx, no_dialogs):
    w = _window(qtbot, ctx)
    w.navigate("mir", {"program": "E001"})
    mir = w.mir
    order = lambda: [o.key for o in mir.model.rows]  # noqa: E731
    start = order()
    assert mir.model.labels[:4] == ["Fin", "Propósito", "C1", "A1.1"]
    mir.select_objective("E001-A12")
    mir.move(-1)
    assert order().index("E001-A12") < order().index("E001-A11")
    mir.move_to_component("E001-C2")
    assert mir.model.rows[order().index("E001-A12")].parent_key == "E001-C2"
    mir.select_objective("E001-C2")
    mir.move(-1)
    assert order().index("E001-C2") < order().index("E001-C1")
    mir.select_objective("E001-C1")
    assert mir.delete_row(ask=True)
    assert "E001-C1" not in order() and "E001-A11" not in order()
    assert any(kind == "confirm" and "Se perderá también" in text for kind, text in no_dialogs)
    for _ in range(4):
        ctx.undo_stack.undo()
    assert order() == start
    for _ in range(4):
        ctx.undo_stack.redo()
    assert "E001-C1" not in order()


def test_program_form_validates_and_saves(qtbot, ctx, no_dialogs):
    w = _window(qtbot, ctx)
    w.nav.tree.setCurrentIndex(w.nav.model.find("program", "E001"))
    form = w.program_form
    assert form.name.text() == "Alumbrado público"
    form.name.setText("")
    form.name.editingFinished.emit()
    assert ed.program_values(ctx.db, 2026, "E001")["name"] == "Alumbrado público"  # invalid: not saved
    form.name.setText("Alumbrado público municipal")
    form.name.editingFinished.emit()
    assert ed.program_values(ctx.db, 2026, "E001")["name"] == "Alumbrado público municipal"
    form.budget.setText("2,500,000.75")
    form.budget.editingFinished.emit()
    assert str(ed.program_values(ctx.db, 2026, "E001")["budget_approved"]) == "2500000.75"
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert ed.program_values(ctx.db, 2026, "E001")["name"] == "Alumbrado público"
    assert form.name.text() == "Alumbrado público"


def test_consulta_and_other_agency_are_read_only(qtbot, ctx):
    ctx.user = CurrentUser("captura-0801", "capturista", "0801")
    w = _window(qtbot, ctx)
    w.navigate("mir", {"program": "E001"})
    assert not w.mir.model.editable and not w.mir.a_comp.isEnabled()
    w.navigate("mir", {"program": "S001"})  # its own dependencia: the capturista captures, it does not design
    assert not w.mir.model.editable
    w.navigate("ficha", {"indicator": "E001-C1-01"})
    assert w.ficha.widgets["name"].isReadOnly() and w.ficha.notice.isVisibleTo(w.ficha)


def test_settings_and_title_and_plan_editor(qtbot, ctx, no_dialogs):
    w = _window(qtbot, ctx)
    assert w.windowTitle() == "Municipio de Ejemplo — demo.db — Ejercicio 2026"
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx, w)
    dlg.name.setText("H. Ayuntamiento de Ejemplo")
    dlg.name.editingFinished.emit()
    assert w.windowTitle().startswith("H. Ayuntamiento de Ejemplo — ")
    dlg.add_year()
    assert 2027 in ed.organization_values(ctx.db)["years"]
    ctx.undo_stack.undo()
    assert 2027 not in ed.organization_values(ctx.db)["years"]
    ctx.undo_stack.undo()
    assert w.windowTitle().startswith("Municipio de Ejemplo")
    from sistema_seguimiento.ui.plan_editor import PlanEditor

    plan = PlanEditor(ctx, w)
    demo = {r["id"] for r in ed.plan_tree(ctx.db)}  # the demo's catalog: the programs' alignment (issue 15)
    assert any(p[0] == "E001" for r in ed.plan_tree(ctx.db) for p in r["programs"])
    eje = plan.add("eje", "1", "Municipio con servicios de calidad")
    obj = plan.add("objetivo", "1.1", "Mejorar el alumbrado")
    assert sorted(r["kind"] for r in ed.plan_tree(ctx.db) if r["id"] not in demo) == ["eje", "objetivo"]
    ed.update_program(ctx.db, ctx.user, 2026, "E001", "plan_element_id", obj)
    plan.reload(obj)
    assert plan.programs.item(0).text().startswith("E001")
    ctx.undo_stack.undo()  # objetivo
    ctx.undo_stack.undo()  # eje
    assert {r["id"] for r in ed.plan_tree(ctx.db)} == demo
    ctx.undo_stack.redo()
    assert [r["id"] for r in ed.plan_tree(ctx.db) if r["id"] not in demo] == [eje]


def test_help_guide_and_tooltips(qtbot, ctx):
    w = _window(qtbot, ctx)
    w.open_guide()
    from sistema_seguimiento.ui import help as help_mod

    text = help_mod._OPEN[-1].browser.toPlainText()
    assert "Árbol de problemas" in text and "Fichas técnicas" in text
    help_mod._OPEN[-1].close()
    w.navigate("ficha", {"indicator": "E001-C1-01"})
    f = w.ficha
    for field in ("name", "definition", "formula", "unit", "type", "dimension", "direction", "frequency",
                  "baseline_value", "annual_target", "targets", "preset_key", "verification_sources",
                  "measurement_owner", "variables"):
        assert f.widgets[field].toolTip(), field
    f.show_help("dimension")
    assert "Eficacia" in f.help.toPlainText() and "Ejemplo" in f.help.toPlainText()
    actions = {a.text().replace("&", ""): a for m in w.menus.values() for a in m.actions()}
    assert actions["Guía rápida"].shortcut().toString() == "F1"
    assert w.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Y" in [s.toString() for s in w.redo_action.shortcuts()]


def test_open_session_read_only_fallback_and_last_file(qtbot, qapp, tmp_path, monkeypatch):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.loading import load_demo
    from sistema_seguimiento.ui import app as app_mod

    path = tmp_path / "muni.db"
    holder = Database.open(path, OpenOptions(create=True))
    load_demo(holder)
    notices = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: notices.append(self.text()) or 0)
    w = app_mod.open_session(path, "validador")
    qtbot.addWidget(w)
    assert w.ctx.read_only and w.windowTitle().endswith("[solo lectura]")
    assert notices and "SOLO LECTURA" in notices[0]
    assert w.ctx.user.role == "validador"
    assert Path(app_mod.initial_path(None)) == path.resolve()
    w.close()
    wait_all(10_000)
    holder.close()


def test_start_dialog_and_new_organization(qtbot, tmp_path):
    from sistema_seguimiento.ui.app import NewOrganizationWizard, StartDialog, create_organization

    d = StartDialog()
    qtbot.addWidget(d)
    assert [b.text() for b in d.buttons.values()] == ["Abrir &demostración", "Crear &municipio nuevo",
                                                      "Abrir &archivo…", "Conectar a un &servidor…"]
    d.buttons["new"].click()
    assert d.choice == "new"
    wiz = NewOrganizationWizard()
    qtbot.addWidget(wiz)
    wiz.name.setText("Municipio de Prueba")
    wiz.inegi.setText("11020")
    wiz.file.setText(str(tmp_path / "nuevo.db"))
    path = create_organization(wiz.values())
    from sistema_seguimiento.db.database import Database

    with Database.open(path) as db:
        v = ed.organization_values(db)
        assert v["name"] == "Municipio de Prueba" and v["inegi_key"] == "11020" and v["years"]


def test_switching_files_opens_the_other_database(qtbot, qapp, tmp_path, monkeypatch):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.setup import initialize_empty
    from sistema_seguimiento.services.loading import load_demo
    from sistema_seguimiento.ui import app as app_mod

    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with Database.open(a, OpenOptions(create=True)) as db:
        load_demo(db)
    with Database.open(b, OpenOptions(create=True)) as db:
        initialize_empty(db, name="Municipio B", year=2027)
    w = app_mod.open_session(a, "admin")
    assert w.ctx.year == 2026
    from sistema_seguimiento.services.users import CurrentUser as CU

    asked = []
    monkeypatch.setattr(app_mod, "sign_in_interactive",
                        lambda db, pre=None, parent=None: asked.append(pre) or CU("admin", "administrador"))
    app_mod.switch_to(b)
    w2 = app_mod._STATE["window"]
    qtbot.addWidget(w2)
    assert asked == ["admin"]
    assert w2 is not w and w2.windowTitle() == "Municipio B — b.db — Ejercicio 2027"
    assert w2.nav.model.node(w2.nav.model.index(0, 0)).text == "Ejercicio 2027"
    w2.close()
    wait_all(10_000)


def test_mir_in_place_editor_keyboard(qtbot, ctx, no_dialogs):
    from PySide6.QtWidgets import QPlainTextEdit

    w = _window(qtbot, ctx)
    w.navigate("mir", {"program": "E001"})
    view = w.mir.view
    view.setCurrentIndex(w.mir.model.index(1, 3))  # Propósito, Supuestos
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QPlainTextEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Primer supuesto")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # new line
    qtbot.keyClicks(editor, "Segundo supuesto")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # saves
    doc = ed.program_document(ctx.db, 2026, "E001")
    assert next(o for o in doc.objectives if o.key == "E001-P").assumptions == ["Primer supuesto", "Segundo supuesto"]
    view.setCurrentIndex(w.mir.model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QPlainTextEdit)
    qtbot.keyClicks(editor, "texto que no se guarda")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # cancels
    assert "no se guarda" not in next(o for o in ed.program_document(ctx.db, 2026, "E001").objectives
                                      if o.key == "E001-F").text
    ctx.undo_stack.undo()
    assert next(o for o in ed.program_document(ctx.db, 2026, "E001").objectives
                if o.key == "E001-P").assumptions != ["Primer supuesto", "Segundo supuesto"]


def test_large_database_validates_the_current_program_first(qtbot, ctx, monkeypatch):
    from sistema_seguimiento.ui.validation_panel import ValidationPanel

    monkeypatch.setattr(ValidationPanel, "LARGE", 1)  # the demo's 2 programs count as "large"
    w = _window(qtbot, ctx)
    panel = w.validation
    panel.refresh()
    assert panel.scope.currentIndex() == 1 and not panel._running
    w.navigate("mir", {"program": "E001"})
    qtbot.waitUntil(lambda: not panel._running and bool(panel._all) and not panel._timer.isActive(), timeout=10_000)
    assert {f.program for f in panel._all} == {"E001"}
    panel.scope.setCurrentIndex(0)
    qtbot.waitUntil(lambda: panel._has_full and not panel._running, timeout=10_000)
    assert {f.program for f in panel._all} == {"E001", "S001"}
