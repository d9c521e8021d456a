"""Signature names set in Configuración reach the monthly report; undo restores them."""
from sistema_seguimiento.reports.data import _signatures
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services.errors import PermissionDenied
from sistema_seguimiento.services.users import CurrentUser


def _report_signatures(ctx):
    from sqlalchemy import select

    from sistema_seguimiento.db.models import Organization

    with ctx.db.reading() as s:
        return _signatures(s.scalars(select(Organization)).first().settings)


def test_signature_names_from_settings_dialog(qtbot, ctx):
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    name, title = dlg.signatures["firma_reviso"]
    name.setText("Mtra. Rosa Elena Juárez")
    name.editingFinished.emit()
    title.setText("Titular de la Unidad de Planeación")
    title.editingFinished.emit()
    sig = _report_signatures(ctx)[1]
    assert (sig.name, sig.title) == ("Mtra. Rosa Elena Juárez", "Titular de la Unidad de Planeación")
    assert ed.organization_values(ctx.db)["signatures"]["firma_reviso"]["cargo"].startswith("Titular")
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert ed.organization_values(ctx.db)["signatures"]["firma_reviso"] == {}
    assert (_report_signatures(ctx)[1].name, _report_signatures(ctx)[1].title) == ("Nombre y cargo", "")


def test_only_admin_sets_signatures(ctx):
    import pytest

    with pytest.raises(PermissionDenied):
        ed.update_signature(ctx.db, CurrentUser("validador", "validador"), "firma_elaboro", {"nombre": "X"})


def test_issuing_unit_from_settings_reaches_the_report_cover(qtbot, ctx):
    import pytest

    from sistema_seguimiento.reports.data import build_report
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.issuing_unit.setText("Unidad de Información, Planeación, Programación y Evaluación")
    dlg.issuing_unit.editingFinished.emit()
    assert build_report(ctx.db, "2026-10", executive_only=True).issuing_unit.startswith("Unidad de Información")
    ctx.undo_stack.undo()
    assert ed.organization_values(ctx.db)["issuing_unit"] == ""
    with pytest.raises(PermissionDenied):
        ed.update_issuing_unit(ctx.db, CurrentUser("validador", "validador"), ed.ISSUING_UNIT, "X")
