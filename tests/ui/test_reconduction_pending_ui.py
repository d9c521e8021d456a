"""pytest-qt: the reconducción dialog shows the service's refusal of a second request on a pending (target,
period) and of an authorisation overtaken by another one, writes nothing, and accepts the request again after the
UIPPE's decision."""
from datetime import date, datetime

from sqlalchemy import select

from sistema_seguimiento.db.models import Indicator, Reconduction
from sistema_seguimiento.services import reconduction as rc
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.context import AppContext
from tests.services.test_reconduction_pending import dump

CAP = CurrentUser("captura-0301", "capturista", "0301")


def _request(dlg, row, value):
    dlg.key.setText("E001-C1-01")
    assert dlg.load_targets()
    dlg.targets.item(row, 3).setText(value)  # rows: LMP 2026-T4, LP 2026-T4
    dlg.reason.setPlainText("Robo de cableado")
    return dlg.submit()


def test_second_request_on_a_pending_period_is_refused_in_the_dialog(ctx, qtbot):
    from sistema_seguimiento.ui.reconduction_dialog import ReconductionDialog

    cap = ReconductionDialog(AppContext(ctx.db, CAP, 2026, "2026-12"), today=date(2026, 12, 1))
    qtbot.addWidget(cap)
    assert _request(cap, 0, "2,500") is True
    first = cap.rows[0].id
    before = dump(ctx.db)
    again = ReconductionDialog(ctx, today=date(2026, 12, 2))
    qtbot.addWidget(again)
    assert _request(again, 1, "90") is False
    text = again.message.text()
    assert "E001-C1-01" in text and "(2026-T4)" in text and f"N.º {first}" in text and "captura-0301" in text
    assert "1 de diciembre de 2026" in text and "autorice o rechace" in text
    assert again.table.rowCount() == 1 and again.reason.toPlainText() == "Robo de cableado"  # kept to retry
    assert dump(ctx.db) == before

    again.table.selectRow(0)
    again.note.setText("Se sostiene la meta")
    assert again.decide(False) is True
    assert again.submit() is True
    assert again.table.rowCount() == 2 and again.table.item(0, 1).text() == "Solicitada"


def test_authorisation_overtaken_by_another_request_is_refused_in_the_dialog(ctx, qtbot):
    from sistema_seguimiento.ui.reconduction_dialog import ReconductionDialog

    first = rc.request(ctx.db, CAP, "indicador", "E001-C1-01", [rc.TargetChange("2026-T4", "2500", "LMP")],
                       "Robo de cableado", today=date(2026, 12, 1))
    with ctx.db.transaction() as s:  # a second pending request on the same period, as an older file may hold
        ind = s.scalars(select(Indicator).where(Indicator.key == "E001-C1-01")).one()
        s.add(Reconduction(kind="indicador", indicator_id=ind.id, period="2026-T4", reason="Archivo anterior",
                           status="solicitada", requested_by="captura-0301", requested_at=datetime(2026, 12, 1, 9),
                           changes=[{"variable": "LMP", "periodo": "2026-T4", "anterior": "2800", "nuevo": "2600"}]))
    rc.authorize(ctx.db, ctx.user, first.id, oficio="UIPPE/1", today=date(2026, 12, 2))
    before = dump(ctx.db)
    dlg = ReconductionDialog(ctx, today=date(2026, 12, 3))
    qtbot.addWidget(dlg)
    row = next(r for r, info in enumerate(dlg.rows) if info.id != first.id)
    dlg.table.selectRow(row)
    dlg.oficio.setText("UIPPE/2")
    assert dlg.decide(True) is False
    assert f"N.º {first.id}" in dlg.message.text() and "Rechace la solicitud" in dlg.message.text()
    assert dump(ctx.db) == before
