"""Window actions of issue 13 over real databases: generate packages, open one in a dependencia copy, respond,
import with the per-package preview and a conflict resolved from the dialog."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from sqlalchemy import select

from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.db.models import Indicator, Measurement, Variable
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui import package_actions as ui
from sistema_seguimiento.ui import registry
from sistema_seguimiento.ui.context import AppContext
from sistema_seguimiento.ui.worker import wait_all

TODAY = date(2026, 11, 15)
IND, VAR = "E001-A11-01", "RRI"


def _value(db):
    with db.reading() as s:
        return s.scalar(select(Measurement.value).join(Variable).join(Indicator).where(
            Indicator.key == IND, Variable.key == VAR, Measurement.period == "2026-10"))


def _drain(qtbot, until):
    qtbot.waitUntil(lambda: wait_all(100) and until(), timeout=30_000)


def test_actions_registered_in_their_menus():
    texts = {(a.menu, a.text) for a in registry.load_features().actions}
    assert ("Captura", ui.TEXT["generate"]) in texts and ("Captura", ui.TEXT["import"]) in texts
    assert ("Archivo", ui.TEXT["open"]) in texts and ("Archivo", ui.TEXT["respond"]) in texts


def test_full_flow_from_the_window(qtbot, ctx, tmp_path, monkeypatch, no_dialogs):
    infos = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: infos.append(a[2]))
    # the demo's October is «Validado» (read-only for the capturista): the office returns it before packaging
    from sistema_seguimiento.services import workflow

    workflow.apply(ctx.db, CurrentUser("validador", "validador"), "devolver", "2026-10", "0301", "Capture octubre")
    # office: Captura → «Generar paquetes de captura…» for one dependencia
    def accept_generate(dlg):
        dlg._check_all(ui.Qt.CheckState.Unchecked)
        for i in range(dlg.list.count()):
            if dlg.list.item(i).data(ui.Qt.ItemDataRole.UserRole) == "0301":
                dlg.list.item(i).setCheckState(ui.Qt.CheckState.Checked)
        dlg.frm.setCurrentText("2026-10")
        dlg.to.setCurrentText("2026-12")
        dlg.folder.setText(str(tmp_path / "salida"))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(ui.GeneratePackagesDialog, "exec", accept_generate)
    ui.generate_packages_action(ctx, None)
    package = tmp_path / "salida" / "Paquete_0301_2026-10_2026-12.ses"
    _drain(qtbot, lambda: bool(infos))
    assert package.exists(), infos

    # dependencia: a new copy from the package, then Archivo → «Abrir paquete…» again (update) and «Generar respuesta…»
    dep = Database.open(tmp_path / "dependencia.db", OpenOptions(create=True))
    P.open_package(dep, package)
    cap = CurrentUser("captura-0301", "capturista", "0301")
    save_values(dep, cap, "2026-10", [ValueChange(IND, VAR, Decimal("31"))], today=TODAY)
    dctx = AppContext(dep, cap, 2026, "2026-10")
    infos.clear()
    ui.open_package_action(dctx, None, str(package))
    _drain(qtbot, lambda: bool(infos))
    assert _value(dep) == Decimal(31)  # the local capture survives re-opening
    answer = tmp_path / "respuesta.ses"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(answer), ""))
    infos.clear()
    ui.respond_action(dctx, None)
    _drain(qtbot, lambda: bool(infos))
    assert answer.exists()
    dep.close()

    # office: a conflicting value, then Captura → «Importar respuestas…», conflict resolved «tomar paquete»
    save_values(ctx.db, CurrentUser("admin", "administrador"), "2026-10", [ValueChange(IND, VAR, Decimal("27"))],
                today=TODAY)
    seen = {}

    def accept_import(dlg):
        seen["tabs"] = dlg.tabs.count()
        seen["first_row"] = [dlg.tables[0].item(0, c).text() for c in range(4)]
        seen["summary"] = dlg.summaries[0].text()
        dlg.resolve_all("paquete")
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(ui.ImportPreviewDialog, "exec", accept_import)
    infos.clear()
    ui.open_package_action(ctx, None, str(answer))  # a response opened at the office goes to the import flow
    _drain(qtbot, lambda: bool(infos))
    assert seen["tabs"] == 1 and seen["first_row"] == ["Conflicto", IND, VAR, "2026-10"]
    assert "1 conflicto" in seen["summary"]
    assert "1 con el del paquete" in infos[-1]
    assert _value(ctx.db) == Decimal(31)


def test_preview_dialog_shows_refusal_and_blocks_apply(qtbot, ctx, tmp_path):
    bad = tmp_path / "x.ses"
    bad.write_bytes(b"no es zip")
    dlg = ui.ImportPreviewDialog(P.preview_import(ctx.db, [bad]))
    qtbot.addWidget(dlg)
    assert "RECHAZADO" in dlg.summaries[0].text() and dlg.tabs.tabText(0).startswith("✗")
    assert not dlg.apply_button.isEnabled()
