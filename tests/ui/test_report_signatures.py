"""Informe mensual from the window (issue 14): before printing or saving the PDF, empty signature names in
Configuración are named and the official is asked; with every name set nothing is asked."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.ui import messages
from sistema_seguimiento.ui.report_actions import ReportDialog


def test_empty_signature_names_are_named_before_the_pdf(qtbot, ctx, monkeypatch):
    asked, saved = [], []
    monkeypatch.setattr(messages, "confirm", lambda parent, title, text, **k: asked.append(text) or False)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: saved.append(a) or ("", ""))
    dlg = ReportDialog(ctx)
    qtbot.addWidget(dlg)
    ed.update_signature(ctx.db, ctx.user, "firma_elaboro", {"nombre": "Ana Pérez", "cargo": "Jefa de Planeación"})
    dlg.ask_pdf()
    assert len(asked) == 1 and "«Revisó», «Autorizó»" in asked[0] and "Elaboró" not in asked[0]
    assert saved == []  # «Cancelar»: no file dialog, nothing written
    dlg.print_()
    assert len(asked) == 2
    for key in ("firma_reviso", "firma_autorizo"):
        ed.update_signature(ctx.db, ctx.user, key, {"nombre": "Luis Gómez", "cargo": "Contralor"})
    dlg.ask_pdf()
    assert len(asked) == 2 and len(saved) == 1  # every name set: straight to the file dialog
