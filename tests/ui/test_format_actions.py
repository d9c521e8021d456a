"""Informes → «Formatos del Estado de México…» (issue 16): offered only by a profile that lists formats; the
dialog writes the chosen format as PDF or Excel off the UI thread."""
from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal as D

from openpyxl import load_workbook
from sqlalchemy import text as sql

from sistema_seguimiento.services import profiles
from sistema_seguimiento.ui.format_actions import TEXT, FormatsDialog
from sistema_seguimiento.ui.worker import wait_all
from tests.edomex_fixtures import add_edomex_data


def _action(window):
    return next(a for a in window.findChildren(type(window.menus["Informes"].menuAction()))
                if a.text() == TEXT["action"])


def test_menu_entry_follows_the_profile(qtbot, ctx):
    from sistema_seguimiento.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert not _action(w).isVisible()  # the generic profile lists no state format
    profiles.set_profile(ctx.db, ctx.user, "edomex")
    ctx.notify("settings", "perfil")
    assert _action(w).isVisible()
    profiles.set_profile(ctx.db, ctx.user, "generico")
    ctx.notify("settings", "perfil")
    assert not _action(w).isVisible()


def _run(qtbot, dlg, path):
    results = []
    dlg.generate(str(path), on_finished=results.append)
    qtbot.waitUntil(lambda: bool(results) or not wait_all(50), timeout=60_000)
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    return results[0]


def test_dialog_writes_excel_and_pdf(qtbot, ctx, tmp_path):
    add_edomex_data(ctx.db)
    dlg = FormatsDialog(ctx)
    qtbot.addWidget(dlg)
    offered = [dlg.format.itemData(i) for i in range(dlg.format.count())]
    assert offered == list(profiles.current_profile(ctx.db).formats)
    dlg.format.setCurrentIndex(offered.index("pbrm-08c"))
    dlg.quarter.setCurrentIndex(2)  # tercer trimestre
    dlg.agency.setCurrentIndex(dlg.agency.findData("0801"))
    dlg.r_xlsx.setChecked(True)
    fd, n = _run(qtbot, dlg, tmp_path / "08c.xlsx")
    with ctx.db.reading() as s:  # one section per proyecto of the dependencia (the demo's and the fixture's)
        projects = s.execute(sql("select count(*) from project p join program g on g.id = p.program_id "
                                  "join agency a on a.id = g.agency_id where a.key = '0801'")).scalar()
    assert fd.quarter == "2026-T3" and n == projects == len(fd.sections) >= 1
    wb = load_workbook(tmp_path / "08c.xlsx")
    row = next(r for r in wb.worksheets[0].iter_rows(values_only=True) if r[1] == "Entrega de paquetes alimentarios")
    assert [D(str(x)) for x in row[3:5]] == [D(4800), D(1200)]
    assert D(str(row[6])) == D(1000)  # achieved in the third quarter (validated)
    if shutil.which("pdftotext"):
        dlg.r_pdf.setChecked(True)
        dlg.format.setCurrentIndex(offered.index("tarjeta"))
        dlg.agency.setCurrentIndex(0)
        fd, n = _run(qtbot, dlg, tmp_path / "tarjeta.pdf")
        text = subprocess.run(["pdftotext", str(tmp_path / "tarjeta.pdf"), "-"], capture_output=True, text=True).stdout
        assert "Proyección" in text and n == len(fd.sections) >= 1
        assert not [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]  # no temporary file left
