"""One name for the development plan (issue 15): Configuración chooses «Plan Municipal de Desarrollo», «Plan de
Gobierno» or «Plan Estatal de Desarrollo»; the menu, the catalog dialog, the monthly report, the Excel exports and
the help follow it; the stored plan elements do not change."""
from __future__ import annotations

from openpyxl import load_workbook

from sistema_seguimiento.core import plan_name as pn
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services import plan_setting
from sistema_seguimiento.services.errors import PermissionDenied, ValidationFailed
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.main_window import MainWindow


def _plan_action(w):
    return w.plan_action.text().replace("&", "")


def _fichas_label(db, tmp_path) -> str:
    from sistema_seguimiento.excel.export_fichas import export_fichas

    out = export_fichas(db, tmp_path / "fichas.xlsx", ["E001"])
    ws = load_workbook(out)["E001-C1-01"]
    return next(v for (v,) in ws.iter_rows(min_col=1, max_col=1, values_only=True)
                if isinstance(v, str) and v.startswith("Alineación al"))


def _report_heading(db) -> str:
    from sistema_seguimiento.reports.data import build_report
    from sistema_seguimiento.reports.layout import Heading
    from sistema_seguimiento.reports.monthly import build_document

    doc = build_document(build_report(db, "2026-10", executive_only=True))
    return next(b.text for b in doc.blocks if isinstance(b, Heading) and "por eje" in b.text)


def test_demo_uses_one_name_and_the_setting_changes_menu_report_and_exports(qtbot, ctx, tmp_path):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    before = ed.plan_tree(ctx.db)
    assert before and any(r["programs"] for r in before)  # the demo's programs are aligned in the catalog
    assert _plan_action(w) == "Plan Municipal de Desarrollo…"
    assert _report_heading(ctx.db) == "2. Avance por eje del Plan Municipal de Desarrollo"
    assert _fichas_label(ctx.db, tmp_path) == "Alineación al Plan Municipal de Desarrollo"

    dlg = SettingsDialog(ctx, w)
    qtbot.addWidget(dlg)
    assert dlg.plan_name.currentData() == pn.PMD
    assert dlg.set_plan_name(pn.GOBIERNO)
    assert _plan_action(w) == "Plan de Gobierno…"
    assert _report_heading(ctx.db) == "2. Avance por eje del Plan de Gobierno"
    assert _fichas_label(ctx.db, tmp_path) == "Alineación al Plan de Gobierno"
    assert ed.plan_tree(ctx.db) == before  # the stored plan elements are untouched

    from sistema_seguimiento.services.audit_log import query

    rows = query(ctx.db, entity="organizacion")
    assert any(r.field == pn.SETTING and r.new == "Plan de Gobierno" for r in rows)

    ctx.undo_stack.undo()
    assert _plan_action(w) == "Plan Municipal de Desarrollo…"
    assert dlg.plan_name.currentData() == pn.PMD
    dlg.set_plan_name(pn.PED)
    from sistema_seguimiento.ui.plan_editor import PlanEditor

    editor = PlanEditor(ctx, w)
    qtbot.addWidget(editor)
    assert editor.windowTitle() == "Plan Estatal de Desarrollo"


def test_help_names_the_chosen_plan(qtbot, ctx):
    from sistema_seguimiento.ui import help_texts
    from sistema_seguimiento.ui.help import HelpDialog

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    dlg = HelpDialog(*help_texts.TOPICS["fin"], w)
    qtbot.addWidget(dlg)
    text = dlg.browser.toPlainText()
    assert "objetivo del Plan Municipal de Desarrollo" in text and help_texts.PLAN_MARK not in text


def test_only_an_administrador_chooses_and_a_bad_name_changes_nothing(ctx):
    import pytest

    with pytest.raises(PermissionDenied):
        plan_setting.update_plan_name(ctx.db, CurrentUser("val", "validador"), pn.SETTING, pn.GOBIERNO)
    with pytest.raises(ValidationFailed, match="Plan de Gobierno"):
        plan_setting.update_plan_name(ctx.db, ctx.user, pn.SETTING, "Plan Quinquenal")
    assert plan_setting.current_plan_name(ctx.db) == "Plan Municipal de Desarrollo"
    assert plan_setting.update_plan_name(ctx.db, ctx.user, pn.SETTING, "plan de gobierno") == pn.PMD
    assert plan_setting.current_plan_name(ctx.db) == "Plan de Gobierno"
    plan_setting.update_plan_name(ctx.db, ctx.user, pn.SETTING, None)  # back to the default of a municipio
    assert plan_setting.current_plan_name(ctx.db) == "Plan de Gobierno"


def test_defaults_by_kind():
    assert pn.plan_name({}, "entidad") == "Plan Estatal de Desarrollo"
    assert pn.plan_name(None, "municipio") == "Plan de Gobierno"
    assert pn.plan_name({pn.SETTING: "pmd"}, "entidad") == "Plan Municipal de Desarrollo"
    assert pn.plan_name({pn.SETTING: "otro"}, "municipio") == "Plan de Gobierno"
