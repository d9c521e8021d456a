"""End-to-end through the real widgets: create a program, fill its MIR, add an indicator with a formula,
watch a validation error appear and disappear, undo and redo."""
from decimal import Decimal

from PySide6.QtCore import Qt

from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.ui.main_window import MainWindow
from sistema_seguimiento.ui.worker import wait_all


def _settle(qtbot, window):
    """Let the debounced validation start, and finish."""
    qtbot.wait(450)
    wait_all(10_000)
    qtbot.wait(50)
    wait_all(10_000)
    qtbot.wait(20)


def _rules(window, program):
    return {(f.rule_id, f.objective or f.indicator) for f in window.validation._all if f.program == program}


def test_create_program_fill_mir_indicator_validation_undo_redo(qtbot, ctx, no_dialogs):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    _settle(qtbot, w)
    # 1. create a program (the same use case as the «Nuevo programa» dialog)
    from sistema_seguimiento.ui.forms import create_program

    key = create_program(ctx, {"key": "E050", "name": "Bacheo", "agency_key": "0301", "modality": "E",
                               "responsible": "Ing. Ruiz", "plan_element_id": None, "budget_approved": "500,000"}, w)
    assert key == "E050"
    w.navigate("mir", {"program": "E050"})
    mir = w.mir
    assert [o.level for o in mir.model.rows] == ["FIN", "PROPOSITO"]
    # 2. fill the MIR in place through the model (what the delegate does)
    mir.model.setData(mir.model.index(0, 0), "Contribuir a mejorar la movilidad mediante calles sin baches.")
    mir.model.setData(mir.model.index(1, 0), "Las calles del municipio cuentan con pavimento en buen estado.")
    mir.model.setData(mir.model.index(1, 3), "La población reporta los baches\nHay asfalto disponible")
    assert mir.model.rows[1].assumptions == ["La población reporta los baches", "Hay asfalto disponible"]
    mir.select_objective("E050-P")
    comp = mir.add_component()
    mir.model.setData(mir.model.index(2, 0), "Baches reportados por la ciudadanía reparados.")
    mir.select_objective(comp)
    _settle(qtbot, w)
    assert ("MIR-004", comp) in _rules(w, "E050")  # componente without actividades
    act = mir.add_activity()
    assert act == "E050-A11"
    mir.model.setData(mir.model.index(3, 0), "Reparación de baches con mezcla asfáltica en frío.")
    _settle(qtbot, w)
    assert ("MIR-004", comp) not in _rules(w, "E050")  # the error disappeared
    # 3. indicator with a formula in the ficha
    mir.select_objective(comp)
    ind = mir.add_indicator()
    assert ind == "E050-C1-01"
    ficha = w.ficha
    assert ficha.key == ind and w.tabs.currentWidget() is w.pages["ficha"]
    ficha.widgets["name"].setText("Porcentaje de baches reparados")
    ficha.widgets["name"].editingFinished.emit()
    assert ficha.add_variable("BR", "numerador") == "BR"
    assert ficha.add_variable("BRep", "denominador") == "BRep"
    ficha.formula_type.setCurrentIndex(ficha.formula_type.findData("porcentaje"))
    ficha.formula_type.activated.emit(ficha.formula_type.currentIndex())
    ficha.formula.setText("(BR / BRep) * 100")
    assert "válida" in ficha.formula_check.text()
    ficha.formula.editingFinished.emit()
    vals = ed.indicator_values(ctx.db, ind)
    assert vals["formula"] == "(BR / BRep) * 100" and vals["formula_type"] == "porcentaje"
    # Probar
    ficha.probar_inputs["BR"].setText("45")
    ficha.probar_inputs["BRep"].setText("60")
    assert ficha.probar() == "Resultado: 75.00"
    # undo / redo of the formula
    ctx.undo_stack.undo()
    assert ed.indicator_values(ctx.db, ind)["formula"] == ""
    assert ficha.formula.text() == ""
    ctx.undo_stack.redo()
    assert ed.indicator_values(ctx.db, ind)["formula"] == "(BR / BRep) * 100"
    assert ficha.formula.text() == "(BR / BRep) * 100"
    # undo everything back to before the program existed, then redo it all
    n = ctx.undo_stack.index()
    while ctx.undo_stack.canUndo():
        ctx.undo_stack.undo()
    assert all(r["key"] != "E050" for r in ed.program_overview(ctx.db, 2026))
    while ctx.undo_stack.canRedo():
        ctx.undo_stack.redo()
    assert ctx.undo_stack.index() == n
    vals = ed.indicator_values(ctx.db, ind)
    assert vals["name"] == "Porcentaje de baches reparados" and [v["key"] for v in vals["variables"]] == ["BR", "BRep"]
    assert not [e for e in no_dialogs if e[0] == "error"]
    w.close()


def test_targets_grid_annual_total_and_warning(qtbot, ctx, no_dialogs):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.navigate("ficha", {"indicator": "E001-C1-01"})
    f = w.ficha
    m = f.targets_model
    assert "coincide" in f.total_label.text()
    # a closed period (T1 for 0301 in the demo) cannot be edited
    col_t1 = m.periods.index("2026-S1") if "2026-S1" in m.periods else 0
    assert not (m.flags(m.index(0, col_t1)) & Qt.ItemFlag.ItemIsEditable)
    # changing an open target needs a reason (modificación de metas): cancelled dialog -> no change
    last = len(m.periods) - 1
    from PySide6.QtWidgets import QInputDialog

    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("Reprogramación autorizada", True)))
    before = m.targets[m.periods[last]][m.variables[0]["key"]]
    assert m.setData(m.index(0, last), str(before + 100))
    mp.undo()
    assert "no coincide" in f.total_label.text()
    ctx.undo_stack.undo()
    assert "coincide" in f.total_label.text() and "no coincide" not in f.total_label.text()
    assert m.targets[m.periods[last]][m.variables[0]["key"]] == before


def test_failed_save_keeps_text_and_database(qtbot, ctx, no_dialogs):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.navigate("ficha", {"indicator": "E001-C1-01"})
    f = w.ficha
    f.widgets["annual_target"].setText("12,34")  # invalid es_MX number: error shown, nothing saved
    assert f._errors["annual_target"].text()
    f.widgets["annual_target"].editingFinished.emit()
    assert f.widgets["annual_target"].text() == "12,34"
    assert ed.indicator_values(ctx.db, "E001-C1-01")["annual_target"] == Decimal("60")
    # a service refusal (dimension outside the catalogue cannot be typed; use a too-long name)
    f.widgets["name"].setText("x" * 300)
    f.widgets["name"].editingFinished.emit()
    assert ("error", "El nombre del indicador admite hasta 250 caracteres.") in no_dialogs
    assert f.widgets["name"].text() == "x" * 300
    assert ctx.undo_stack.count() == 0
