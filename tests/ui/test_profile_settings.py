"""Issue 16, «perfil»: the «Perfil estatal» choice in Configuración (undo, bitácora, refused for non-admins), the
profile's signature roles, and the window's labels following the profile."""
from __future__ import annotations

from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services import profiles


def _dialog(qtbot, ctx):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    return dlg


def _choose(dlg, key: str) -> None:
    box = dlg.profile_box
    box.choice.setCurrentIndex(box.choice.findData(key))
    box.choice.activated.emit(box.choice.currentIndex())


def _visible_roles(dlg) -> dict[str, str]:
    out = {}
    for key, (name, _title) in dlg.signatures.items():
        row = dlg._sign_row(key)
        lab = dlg.sign_form.labelForField(row)
        if not name.isHidden():
            out[key] = lab.text()
    return out


def test_choose_profile_with_undo_and_audit(qtbot, ctx):
    dlg = _dialog(qtbot, ctx)
    assert dlg.profile_box.choice.currentData() == "generico"
    assert _visible_roles(dlg) == {"firma_elaboro": "Elaboró:", "firma_reviso": "Revisó:",
                                   "firma_autorizo": "Autorizó:"}
    _choose(dlg, "edomex")
    assert profiles.current_profile(ctx.db).key == "edomex"
    assert "trimestral" in dlg.profile_box.details.text()
    roles = _visible_roles(dlg)
    assert roles["firma_elaboro"] == "Elaboró (Titular de la dependencia):"
    assert roles["firma_valido"] == "Validó (UIPPE):"
    assert ctx.undo_stack.undoText().startswith("Configuración: perfil estatal")

    name, title = dlg.signatures["firma_valido"]
    name.setText("Lic. Marta Ruiz")
    name.editingFinished.emit()
    title.setText("Titular de la UIPPE")
    title.editingFinished.emit()
    assert ed.organization_values(ctx.db)["signatures"]["firma_valido"] == {"nombre": "Lic. Marta Ruiz",
                                                                             "cargo": "Titular de la UIPPE"}
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert ed.organization_values(ctx.db)["signatures"]["firma_valido"] == {}

    ctx.undo_stack.undo()  # the profile choice
    assert profiles.current_profile(ctx.db).key == "generico"
    assert dlg.profile_box.choice.currentData() == "generico"
    assert "firma_valido" not in _visible_roles(dlg)
    ctx.undo_stack.redo()
    assert profiles.current_profile(ctx.db).key == "edomex"
    assert dlg.profile_box.choice.currentData() == "edomex"

    from sqlalchemy import select

    from sistema_seguimiento.db.models import AuditEntry

    with ctx.db.reading() as s:
        rows = s.execute(select(AuditEntry.field, AuditEntry.old, AuditEntry.new)
                         .where(AuditEntry.field == "perfil").order_by(AuditEntry.id)).all()
    assert [(r[1], r[2]) for r in rows] == [("generico", "edomex"), ("edomex", "generico"), ("generico", "edomex")]


def test_only_an_administrador_chooses_the_profile(qtbot, ctx, no_dialogs):
    from sistema_seguimiento.services.users import CurrentUser

    ctx.user = CurrentUser("validador", "validador")
    dlg = _dialog(qtbot, ctx)
    assert not dlg.profile_box.choice.isEnabled()
    assert not dlg.profile_box.choose("edomex")
    assert profiles.current_profile(ctx.db).key == "generico"
    assert no_dialogs and "Administrador" in no_dialogs[-1][1]


def test_open_pages_follow_the_profile_labels_and_colour(qtbot, ctx):
    """Switching in Configuración relabels what is open: plan catalog kinds and buttons, «Dependencia General» in
    the programs overview and the dashboard, the capture page header; the dashboard draws an over-achieving
    indicator in the profile's colour; undo brings the generic words back."""
    from PySide6.QtCore import Qt

    from sistema_seguimiento.ui.capture import CapturePage
    from sistema_seguimiento.ui.dashboard import DashboardPage
    from sistema_seguimiento.ui.main_window import OverviewModel
    from sistema_seguimiento.ui.plan_editor import PlanEditor

    plan = PlanEditor(ctx)
    qtbot.addWidget(plan)
    kinds = lambda: {plan.model.data(plan.model.index(r, 0)).split(" ")[0]  # noqa: E731
                     for r in range(plan.model.rowCount())}
    overview = OverviewModel(ctx)
    ctx.dataChanged.connect(lambda e, _k: overview.reload() if e == "*" else None)
    header = lambda: overview.headerData(2, Qt.Orientation.Horizontal)  # noqa: E731
    capture = CapturePage(ctx)
    qtbot.addWidget(capture)
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)

    def light_of(key: str):
        for r in range(page.behind_table.rowCount()):
            if page.behind_table.item(r, 0) is not None and page.behind_table.item(r, 0).text() == key:
                return page.behind_table.item(r, 4)
        raise AssertionError(key)

    assert kinds() == {"Eje"} and header() == "Dependencia" and capture.agency_title.text() == "Dependencia:"
    assert page.agency_table.horizontalHeaderItem(0).text() == "Dependencia"
    assert light_of("E001-A12-01").foreground().color().name().lower() == "#c62828"  # 131 %: plain rojo

    dlg = _dialog(qtbot, ctx)
    _choose(dlg, "edomex")
    assert kinds() == {"Pilar"}  # «Pilar / Eje transversal 1 …»
    assert plan.model.data(plan.model.index(0, 0)).startswith("Pilar / Eje transversal ")
    # the profile names the plan's levels; the plan's own name is the one Configuración chose (issue 15)
    from sistema_seguimiento.services.plan_setting import current_plan_name

    assert "Tema de desarrollo" in plan.intro.text() and current_plan_name(ctx.db) in plan.intro.text()
    assert plan.buttons["add_eje"].text() == "Agregar &pilar / Eje transversal"
    assert header() == "Dependencia General" and capture.agency_title.text() == "Dependencia General:"
    page.loaded = False
    page.refresh()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    assert page.agency_table.horizontalHeaderItem(0).text() == "Dependencia General"
    item = light_of("E001-A12-01")
    assert "Sobrecumplimiento" in item.text() and item.foreground().color().name().lower() == "#1f4e9c"

    ctx.undo_stack.undo()
    assert kinds() == {"Eje"} and header() == "Dependencia" and capture.agency_title.text() == "Dependencia:"


def test_trimestral_calendar_new_indicators_and_cutoffs(qtbot, ctx):
    from sistema_seguimiento.ui.dashboard import DashboardPage
    from sistema_seguimiento.ui.profile_ui import forget
    from sistema_seguimiento.ui.report_actions import ReportDialog

    def new_indicator() -> str:
        key = ed.add_indicator(ctx.db, ctx.user, 2026, "E001", "E001-A11", "Nuevo indicador")
        return ed.indicator_values(ctx.db, key)["frequency"]

    assert new_indicator() == "mensual"
    generic = ReportDialog(ctx)
    qtbot.addWidget(generic)
    assert generic.month.count() == 12 and generic.month.currentData() == "2026-10"

    profiles.set_profile(ctx.db, ctx.user, "edomex")
    forget(ctx)
    assert new_indicator() == "trimestral"  # an Actividad: mensual under the generic profile
    key = ed.add_indicator(ctx.db, ctx.user, 2026, "E001", "E001-F", "Otro Fin")
    assert ed.indicator_values(ctx.db, key)["frequency"] == "anual"  # Fin and Propósito keep their anual
    dlg = ReportDialog(ctx)
    qtbot.addWidget(dlg)
    assert [dlg.month.itemData(i) for i in range(dlg.month.count())] == ["2026-03", "2026-06", "2026-09", "2026-12"]
    assert dlg.month.itemText(2) == "Tercer trimestre 2026 (corte a septiembre)"
    assert dlg.month.currentData() == "2026-09"  # October: the last quarter closed by then
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert "cuarto trimestre 2026 (trimestre en curso)" in page.heading.text()


def test_validation_dock_reports_the_profile_required_fields(qtbot, ctx, no_dialogs):
    from sistema_seguimiento.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.validation.scope.setCurrentIndex(0)
    w.validation.refresh()
    qtbot.waitUntil(lambda: w.validation._has_full and not w.validation._running, timeout=20_000)
    assert not any(f.rule_id == "PRF-001" for f in w.validation._all)
    _choose(_dialog(qtbot, ctx), "edomex")  # announced as "*": the dock validates everything again
    qtbot.waitUntil(lambda: any(f.rule_id == "PRF-001" for f in w.validation._all) and not w.validation._running,
                    timeout=20_000)
    prf = [f for f in w.validation._all if f.rule_id == "PRF-001"]
    assert {f.field for f in prf} == {"interpretation", "benchmark"}
    assert "Estado de México" in prf[0].message
    model = w.validation.proxy
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "PRF-001")
    w.validation._goto(model.index(row, 4))
    assert w.ficha.key == prf[0].indicator
    # filling the field (as the ficha does: an undoable edit) clears that finding
    from sistema_seguimiento.ui import commands

    key = w.ficha.key
    field = next(f for f in prf if f.indicator == key).field
    assert commands.edit_indicator_field(ctx, w, key, field, "Mientras mayor, mejor")
    qtbot.waitUntil(lambda: not any(f.rule_id == "PRF-001" and f.indicator == key and f.field == field
                                    for f in w.validation._all) and not w.validation._running, timeout=20_000)
    assert any(f.rule_id == "PRF-001" and f.indicator == key for f in w.validation._all)  # the other field


def test_a_profile_chosen_on_another_pc_relabels_the_open_window(qtbot, ctx):
    """ui.live_refresh re-announces other officials' changes by their bitácora entity («organizacion»)."""
    from sistema_seguimiento.services.users import CurrentUser
    from sistema_seguimiento.ui.plan_editor import PlanEditor

    plan = PlanEditor(ctx)
    qtbot.addWidget(plan)
    assert plan.model.data(plan.model.index(0, 0)).startswith("Eje ")
    heard = []
    ctx.dataChanged.connect(lambda e, k: heard.append((e, k)))
    profiles.set_profile(ctx.db, CurrentUser("otra-admin", "administrador"), "edomex")
    ctx.notify("organizacion", "H. Ayuntamiento de Ejemplo")
    assert ("*", "perfil") in heard
    assert plan.model.data(plan.model.index(0, 0)).startswith("Pilar / Eje transversal ")
    heard.clear()
    ctx.notify("organizacion", "H. Ayuntamiento de Ejemplo")  # another settings change: no relabelling
    assert ("*", "perfil") not in heard
