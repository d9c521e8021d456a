"""pytest-qt: the tarjeta de justificación dialog (Estado de México profile), the reconducción dialog (request
and the UIPPE's decision, with ``today`` injected) and the quarter delivery dialog, on real widgets."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from sistema_seguimiento.db.models import Indicator, Target, Variable
from sistema_seguimiento.services import justifications, profiles, reconduction as rc, workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.context import AppContext

ADMIN = CurrentUser("admin", "administrador")
CAP = CurrentUser("captura-0301", "capturista", "0301")


def _lmp_t4(db):
    with db.reading() as s:
        return s.execute(select(Target.value, Target.original_value).join(Variable, Variable.id == Target.variable_id)
                         .join(Indicator, Indicator.id == Variable.indicator_id)
                         .where(Indicator.key == "E001-C1-01", Variable.key == "LMP",
                                Target.period == "2026-T4")).one()


def test_tarjeta_dialog_shows_the_four_parts_and_requires_them(ctx, qtbot):
    from sistema_seguimiento.ui.justification_dialog import JustificationDialog

    workflow.apply(ctx.db, ADMIN, "devolver", "2026-10", "0301", "Capture de nuevo")
    save_values(ctx.db, CAP, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal(5))], today=date(2026, 11, 15))
    generic = JustificationDialog(ctx, "E001-A11-01", "2026-10")
    qtbot.addWidget(generic)
    assert set(generic.edits) == {"cause", "effect", "other_reasons", "improvement_actions"}
    profiles.set_profile(ctx.db, ADMIN, "edomex")
    dlg = JustificationDialog(ctx, "E001-A11-01", "2026-10")
    qtbot.addWidget(dlg)
    assert list(dlg.edits) == ["fact", "cause", "improvement_actions", "projection"]
    assert dlg.windowTitle().startswith("Tarjeta de justificación")
    dlg.edits["cause"].setPlainText("Falta de vehículos")
    assert dlg.save() is False
    assert "hecho" in dlg.error.text() and "proyección" in dlg.error.text()
    dlg.edits["fact"].setPlainText("Se repararon 5 de 24 luminarias")
    dlg.edits["improvement_actions"].setPlainText("Renta de una grúa")
    dlg.edits["projection"].setPlainText("Recuperar la meta en diciembre")
    assert dlg.save() is True
    info = justifications.get(ctx.db, "E001-A11-01", "2026-10")
    assert info.complete and info.projection == "Recuperar la meta en diciembre"


def test_reconduction_dialog_request_then_authorise(ctx, qtbot):
    from sistema_seguimiento.ui.reconduction_dialog import ReconductionDialog

    cap_ctx = AppContext(ctx.db, CAP, 2026, "2026-12")
    dlg = ReconductionDialog(cap_ctx, today=date(2026, 12, 31))
    qtbot.addWidget(dlg)
    assert "31 de diciembre de 2026" in dlg.findChildren(type(dlg.message))[0].text()
    assert not dlg.authorize_btn.parentWidget().isEnabled()  # a capturista does not decide
    dlg.key.setText("E001-C1-01")
    assert dlg.load_targets()
    shown = [(dlg.targets.item(r, 0).text(), dlg.targets.item(r, 1).text()) for r in range(dlg.targets.rowCount())]
    assert shown == [("LMP", "2026-T4"), ("LP", "2026-T4")]  # only the quarter not yet ended
    assert dlg.submit() is False and "al menos una" in dlg.message.text()
    dlg.targets.item(0, 3).setText("2,500")
    assert dlg.submit() is False and "justificación" in dlg.message.text()  # no reason
    dlg.reason.setPlainText("Robo de cableado")
    assert dlg.submit() is True
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 1).text() == "Solicitada"
    assert _lmp_t4(ctx.db) == (Decimal(2800), Decimal(2800))

    late = ReconductionDialog(ctx, today=date(2027, 1, 11))  # sixth business day after the quarter
    qtbot.addWidget(late)
    late.table.selectRow(0)
    late.oficio.setText("UIPPE/001/2027")
    assert late.decide(True) is False and "8 de enero de 2027" in late.message.text()
    uippe = ReconductionDialog(ctx, today=date(2027, 1, 8))
    qtbot.addWidget(uippe)
    uippe.table.selectRow(0)
    assert uippe.decide(True) is False and "oficio" in uippe.message.text()
    uippe.oficio.setText("UIPPE/001/2027")
    assert uippe.decide(True) is True
    assert uippe.table.item(0, 1).text() == "Autorizada" and "UIPPE/001/2027" in uippe.table.item(0, 8).text()
    assert _lmp_t4(ctx.db) == (Decimal(2500), Decimal(2800))
    assert rc.list_requests(ctx.db)[0].status == "autorizada"


def test_quarter_delivery_dialog(ctx, qtbot):
    from sistema_seguimiento.ui.reconduction_dialog import QuarterDeliveryDialog

    dlg = QuarterDeliveryDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.quarter.currentData() == "2026-T4"  # the context's month is October
    assert dlg.deliver() is False and "noviembre 2026" in dlg.message.text()
    dlg.quarter.setCurrentIndex(2)
    assert [dlg.table.item(r, 1).text() for r in range(2)] == ["Sin entregar", "Sin entregar"]
    dlg.formats.setText("pbrm-08b")
    assert dlg.deliver() is True
    assert [dlg.table.item(r, 1).text() for r in range(2)] == ["Entregado", "Entregado"]


def test_capture_grid_marks_rows_whose_tarjeta_is_missing(qtbot, demo_db):
    from PySide6.QtCore import Qt

    from sistema_seguimiento.ui.capture import COL_JUST, CapturePage

    def just_text(user):
        page = CapturePage(AppContext(demo_db, user, 2026, "2026-10"))
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.model.sheet is not None, timeout=10_000)
        r = next(r for r, row in enumerate(page.model.rows)
                 if row.var is None and page.model.sheet.indicators[row.ind].key == "E001-A12-01")
        return page.model.data(page.model.index(r, COL_JUST), Qt.ItemDataRole.DisplayRole)

    assert just_text(ADMIN) == "Capturada"  # the demo's generic justification of the 145 % result
    profiles.set_profile(demo_db, ADMIN, "edomex")
    assert just_text(ADMIN) == "Falta (requerida)"  # no hecho nor proyección: the tarjeta is missing
    justifications.save(demo_db, ADMIN, "E001-A12-01", "2026-10", fact="145 de 100", cause="Campaña",
                        improvement_actions="Ajustar la meta", projection="Se mantiene")
    assert just_text(ADMIN) == "Capturada"
