"""Tablero (home page), indicator chart, and the Informes dialog, with real widgets on a demo database."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(qapp, demo_db):
    from sistema_seguimiento.services.users import SYSTEM
    from sistema_seguimiento.ui.context import AppContext

    c = AppContext(demo_db, SYSTEM, 2026, "2026-10")
    yield c
    from sistema_seguimiento.ui.worker import wait_all

    wait_all()


def drawn_labels(axis) -> list[str]:
    """The tick labels a pyqtgraph axis actually paints (it silently drops those it thinks do not fit)."""
    from PySide6.QtGui import QImage, QPainter

    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [t for _rect, _flags, t in texts]


def test_modules_register_page_and_action_without_importing_pyqtgraph():
    code = ("import sys; import sistema_seguimiento.ui.dashboard, sistema_seguimiento.ui.report_actions, "
            "sistema_seguimiento.ui.charts; from sistema_seguimiento.ui import registry as r; "
            "p=[x for x in r.REGISTRY.pages if x.key=='tablero'][0]; "
            "a=[x for x in r.REGISTRY.actions if x.menu=='Informes'][0]; "
            "assert p.home and p.order==0 and p.shortcut=='Ctrl+1' and p.title=='Tablero'; "
            "assert a.shortcut=='Ctrl+P' and a.text=='Informe mensual de avance…'; "
            "assert 'pyqtgraph' not in sys.modules, 'pyqtgraph importado al arrancar'; print('ok')")
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout


def test_dashboard_counts_behind_and_navigation(qtbot, ctx, tmp_path):
    from PySide6.QtCore import Qt

    from sistema_seguimiento.ui.dashboard import DashboardPage

    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    t = page.agency_table
    assert t.rowCount() == 2
    rows = {t.item(i, 0).data(Qt.ItemDataRole.UserRole): [t.item(i, j).text() for j in range(1, 7)]
            for i in range(2)}
    # DSPM: verde, amarillo, rojo, sin dato, no aplica al corte (the annual Fin is not due in October), total
    assert rows["0301"] == ["6", "0", "1", "0", "1", "8"]
    assert rows["0801"] == ["7", "0", "0", "0", "1", "8"]
    headers = [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())]
    assert "Sin dato" in headers and "No aplica al corte" in headers
    assert "no aplican al corte" in page.status.text()
    assert "Octubre 2026".lower() in page.heading.text().lower()
    # click through to the capture list of the dependencia
    with qtbot.waitSignal(ctx.navigateRequested) as sig:
        i = next(i for i in range(2) if t.item(i, 0).data(Qt.ItemDataRole.UserRole) == "0801")
        t.cellDoubleClicked.emit(i, 0)
    assert sig.args == ["captura", {"agency": "0801"}]
    # the indicators most behind: rojo first (the headline's one rojo, a sobrecumplimiento), then amarillo, then
    # verde below 100 %, lowest % de avance first; click through to the indicator
    b = page.behind_table
    assert b.rowCount() >= 3
    words = [b.item(i, 4).text() for i in range(b.rowCount())]
    assert sum("Rojo" in w for w in words) == 1 and "Rojo" in words[0]  # = «1 en rojo» in the headline
    assert b.item(0, 0).text() == "E001-A12-01"
    pcts = [float(b.item(i, 3).text().replace(" %", "").replace(",", "")) for i in range(1, b.rowCount())]
    assert pcts == sorted(pcts) and all(p < 100 for p in pcts)
    assert b.item(1, 0).text() == "E001-C1-01" and b.item(1, 3).text() == "95.36 %"
    assert "Verde" in b.item(1, 4).text()
    with qtbot.waitSignal(ctx.navigateRequested) as sig:
        b.cellDoubleClicked.emit(1, 1)
    assert sig.args == ["indicador", {"key": "E001-C1-01"}]
    # trend per dependencia (second background phase): one point per month, January to October
    qtbot.waitUntil(lambda: page.trend_loaded, timeout=30_000)
    assert len(page.data.trend["0301"]) == 10
    # the % axis starts at 0 and shows its «0 %» (pyqtgraph dropped a label on the axis' very end)
    low, high = page.trend_plot.plotItem.vb.viewRange()[1]
    assert low == 0 and high > 100
    assert page.trend_plot.plotItem.legend is None and "% en verde" in page.trend_legend.text()  # not over points
    assert "0 %" in drawn_labels(page.trend_plot.getAxis("left"))
    page.trend_combo.setCurrentIndex(page.trend_combo.findData("0301"))
    # any chart can be saved as PNG
    for frame, name in ((page.bar_frame, "barras.png"), (page.trend_frame, "tendencia.png")):
        out = tmp_path / name
        assert frame.save(str(out))
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 1000


def test_dashboard_follows_month_change(qtbot, ctx):
    from sistema_seguimiento.ui.dashboard import DashboardPage

    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    ctx.set_month("2026-03")
    qtbot.waitUntil(lambda: page.trend_loaded and page.data.month == "2026-03", timeout=30_000)
    assert len(page.data.trend[""]) == 3


def test_indicator_chart_bars_cumulative_band_and_png(qtbot, ctx, tmp_path):
    from sistema_seguimiento.ui.charts import IndicatorChart

    w = IndicatorChart(ctx)
    qtbot.addWidget(w)
    w.resize(700, 420)
    w.show()
    w.set_indicator("E001-C2-01")
    assert w.row is not None and w.row.indicator_key == "E001-C2-01"
    assert [p for p, _v, _t in w.series] == ["2026-T1", "2026-T2", "2026-T3"]
    assert "2.91" in w.subtitle.text() and "103.03 %" in w.subtitle.text() and "Verde" in w.subtitle.text()
    items = w.plot.plotItem.items
    assert sum(1 for i in items if type(i).__name__ == "BarGraphItem") == 3  # band, meta, realizado
    assert sum(1 for i in items if type(i).__name__ == "PlotDataItem") == 2  # cumulative and its target
    assert w.band_values == [(2.7, 3.3)] * 3  # descendente lineal, meta 3.00, verde 90–110 %
    out = tmp_path / "ind.png"
    assert w.frame.save(str(out)) and out.stat().st_size > 1000
    w.set_indicator("NO-EXISTE")
    assert "No existe" in w.frame.title.text()


def test_green_band_by_direction():
    from decimal import Decimal

    from sistema_seguimiento.core.semaforo import BUILTIN_PRESETS
    from sistema_seguimiento.ui.charts import green_band

    a = BUILTIN_PRESETS["PRESET_A_BANDA_90_110"]
    assert green_band(a, "ascendente", "gestion", Decimal(100)) == (Decimal(90), Decimal(110))
    lo, hi = green_band(a, "descendente", "gestion", Decimal(3))  # lineal: 3 × (2 − 1.10) … 3 × (2 − 0.90)
    assert (lo, hi) == (Decimal("2.70"), Decimal("3.30"))


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils no instalado")
def test_report_dialog_exports_pdf_in_background(qtbot, ctx, tmp_path):
    from sistema_seguimiento.ui.report_actions import ReportDialog

    dlg = ReportDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.month.currentData() == "2026-10"
    dlg.r_agency.setChecked(True)
    dlg.agency.setCurrentIndex(dlg.agency.findData("0801"))
    dlg.charts.setChecked(False)
    assert dlg.options() == {"month": "2026-10", "agency_key": "0801", "program_key": None,
                             "include_charts": False, "executive_only": False}
    out = tmp_path / "dif.pdf"
    done = []
    dlg.export_pdf(str(out), on_finished=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert out.exists() and not (tmp_path / "dif.pdf.tmp").exists()
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "S001 Apoyo alimentario" in text and "E001 Alumbrado" not in text
    assert f"Página {done[0]} de {done[0]}" in text


def test_report_renders_on_a_printer_device(qtbot, ctx, tmp_path):
    """The preview and the printer use the same renderer on a QPrinter (here a PDF printer)."""
    from PySide6.QtPrintSupport import QPrinter

    from sistema_seguimiento.reports.data import build_report
    from sistema_seguimiento.reports.monthly import build_document, render_report
    from sistema_seguimiento.ui.report_actions import ReportDialog

    dlg = ReportDialog(ctx)
    qtbot.addWidget(dlg)
    printer = dlg._printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "p.pdf"))
    doc = build_document(build_report(ctx.db, "2026-10", program_key="S001"))
    n = render_report(doc, printer, setup=False)
    assert n >= 3 and (tmp_path / "p.pdf").stat().st_size > 5000


def test_dashboard_hidden_waits_until_shown(qtbot, ctx):
    from sistema_seguimiento.ui.dashboard import DashboardPage

    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.trend_loaded, timeout=30_000)
    page.hide()
    ctx.set_month("2026-02")
    qtbot.wait(600)
    assert page.data.month == "2026-10"  # not recomputed while hidden
    page.show()
    qtbot.waitUntil(lambda: page.loaded and page.data.month == "2026-02", timeout=30_000)


def test_many_dependencias_chart_shows_the_furthest_behind_with_a_way_to_all(qtbot, ctx):
    from sistema_seguimiento.reports.data import DashboardData
    from sistema_seguimiento.ui.dashboard import TOP_AGENCIES, DashboardPage

    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    agencies = [(f"{i:04d}", f"D{i}", f"Dependencia {i}",
                 {"verde": 5, "amarillo": i % 3, "rojo": i % 7, "gris": 1, "no_aplica": 2}) for i in range(250)]
    total = {k: sum(a[3][k] for a in agencies) for k in ("verde", "amarillo", "rojo", "gris", "no_aplica")}
    page.show_data(DashboardData(month="2026-10", agencies=agencies, total=total, behind=[], trend={}))
    page.resize(1200, 900)
    shown = page.chart_agencies()
    assert 5 <= len(shown) <= TOP_AGENCIES and page.all_button.isVisibleTo(page)
    assert all(a[3]["rojo"] == 6 for a in shown)  # the most rojo first
    assert "de 250" in page.bar_frame.title.text() and page.agency_table.rowCount() == 250
    # the colours' legend is a label above the bars, never drawn over them
    from sistema_seguimiento.ui.dashboard import LIGHT_WORD, ORDER

    assert page.bar_plot.plotItem.legend is None
    assert all(LIGHT_WORD[k] in page.bar_legend.text() for k in ORDER)
    assert page.bar_legend.geometry().bottom() <= page.bar_plot.geometry().top()
    assert page.bar_plot.plotItem.vb.viewRange()[0][0] == 0  # counts from 0 …
    assert "0" in drawn_labels(page.bar_plot.getAxis("bottom"))  # … and says so
    page.all_button.click()
    assert len(page.chart_agencies()) == 250


def test_indicator_without_captured_data_says_so(qtbot, ctx):
    from sistema_seguimiento.services import editing as ed
    from sistema_seguimiento.ui.charts import IndicatorChart

    key = ed.add_indicator(ctx.db, ctx.user, 2026, "E001", "E001-C1", "Luminarias nuevas instaladas")
    ed.update_indicator(ctx.db, ctx.user, key, "frequency", "trimestral")
    ed.add_variable(ctx.db, ctx.user, key, "LNI", name="Luminarias nuevas instaladas")
    ed.update_indicator(ctx.db, ctx.user, key, "formula", "LNI")
    w = IndicatorChart(ctx)
    qtbot.addWidget(w)
    w.resize(700, 420)
    w.show()
    w.set_indicator(key)
    assert w.no_data and "sin datos capturados" in w.subtitle.text()
    notes = [i for i in w.plot.plotItem.items if type(i).__name__ == "TextItem"]
    assert [n.textItem.toPlainText() for n in notes] == ["Sin datos capturados"]
    assert w.plot.plotItem.vb.viewRange()[1][0] == 0  # the axis starts at 0
    assert "0" in drawn_labels(w.plot.getAxis("left"))
    w.set_indicator("E001-C2-01")
    assert not w.no_data and not [i for i in w.plot.plotItem.items if type(i).__name__ == "TextItem"]
