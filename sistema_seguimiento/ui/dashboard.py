"""Tablero: the window's home page. Semáforo counts per dependencia (click through to the capture list),
the indicators most behind (click through to the indicator), and the monthly trend per dependencia. Charts
are pyqtgraph (imported when the page is built, not when this module is imported) and can be saved as PNG.
The figures are computed off the UI thread."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from .registry import PageSpec, register_page

TEXT = {
    "title": "Tablero",
    "heading": "Tablero de seguimiento — corte a {mes}",
    "loading": "Calculando el avance de {mes}…",
    "loaded": "{n} indicadores · {v} en verde, {a} en amarillo, {r} en rojo, {g} sin dato, {na} no aplican al corte. "
              "Doble clic en una dependencia para ver su captura; en un indicador para ver su ficha.",
    "refresh": "Actualizar",
    "agencies": "Semáforo por dependencia",
    "agencies_chart": "Indicadores por semáforo y dependencia",
    "behind": "Indicadores más rezagados",
    "no_behind": "Ningún indicador está por debajo de su meta.",
    "trend": "Tendencia: % de indicadores en verde por mes",
    "all": "Todas las dependencias",
    "trend_loading": "(calculando…)",
    "trend_green": "% en verde",
    "trend_red": "% en rojo",
    "col_dep": "Dependencia", "col_total": "Total",
    "quarter_note": " · {quarter} ({state})", "quarter_closed": "cierre del trimestre",
    "quarter_open": "trimestre en curso",
    "col_key": "Clave", "col_ind": "Indicador", "col_pct": "% de avance", "col_light": "Semáforo",
    "failed": "No se pudo calcular el tablero: {err}",
    "agencies_top": "Las {n} dependencias con más indicadores en rojo y amarillo (de {total})",
    "show_all": "Ver todas", "show_top": "Ver las {n} más rezagadas",
}
TOP_AGENCIES = 15  # above this many dependencias the chart shows the ones furthest behind (the table lists all)
ORDER = ["verde", "amarillo", "rojo", "gris", "no_aplica"]
LIGHT_WORD = {"verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo", "gris": "Sin dato",
              "no_aplica": "No aplica al corte"}
LIGHT_HEX = {"verde": "#2E7D32", "amarillo": "#F2B705", "rojo": "#C62828", "gris": "#9E9E9E",
             "no_aplica": "#D9D9D9"}
TEXT_HEX = {"amarillo": "#8A6400", "no_aplica": "#616161"}  # readable text colours of the light bands


def _quarter_note(ctx, month: str) -> str:
    """Under a trimestral state profile (issue 16): which quarter the cut-off month falls in."""
    from ..core import periods
    from .profile_ui import profile

    if profile(ctx).calendar != "trimestral":
        return ""
    year, m, _ = periods.parse(month)
    quarter = f"{year}-T{(m - 1) // 3 + 1}"
    return TEXT["quarter_note"].format(quarter=periods.label(quarter), state=TEXT["quarter_closed"] if m % 3 == 0
                                       else TEXT["quarter_open"])


def _alive(widget: QWidget) -> bool:
    """False once Qt deleted the widget (a background result may arrive after the window closed)."""
    try:
        from shiboken6 import isValid

        return isValid(widget)
    except ImportError:  # pragma: no cover
        return True


class DashboardPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        from .charts import ChartFrame, plot_widget

        self.ctx = ctx
        self.data = None
        self.loaded = False
        self.trend_loaded = False
        self._task = None
        self._generation = 0
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold; color: #6B1F35;")
        self.heading.setWordWrap(True)  # a narrow window wraps the month instead of cutting it
        top.addWidget(self.heading, 1)
        self.refresh_button = QPushButton(TEXT["refresh"])
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        root.addLayout(top)
        self.status = QLabel()
        self.status.setWordWrap(True)
        root.addWidget(self.status)
        grid = QGridLayout()
        root.addLayout(grid, 1)

        # semáforo per dependencia: table and stacked bars
        box = QVBoxLayout()
        lab = QLabel(TEXT["agencies"])
        lab.setStyleSheet("font-weight: bold;")
        box.addWidget(lab)
        self.agency_table = QTableWidget(0, len(ORDER) + 2)
        self.agency_table.setHorizontalHeaderLabels(
            [TEXT["col_dep"]] + [LIGHT_WORD[k] for k in ORDER] + [TEXT["col_total"]])
        self._setup_table(self.agency_table)
        self.agency_table.cellActivated.connect(self._agency_activated)
        self.agency_table.cellDoubleClicked.connect(self._agency_activated)
        box.addWidget(self.agency_table)
        grid.addLayout(box, 0, 0)

        self.bar_plot = plot_widget()
        self.bar_plot.setMenuEnabled(False)
        self.bar_plot.setMouseEnabled(x=False, y=False)
        self.bar_plot.hideButtons()
        self.bar_plot.scene().sigMouseClicked.connect(self._bar_clicked)
        bw = QWidget()  # the legend above the bars, never over them (a pyqtgraph legend covered the top bar)
        bl = QVBoxLayout(bw)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(2)
        self.bar_legend = QLabel("&nbsp;&nbsp; ".join(
            f'<span style="color:{LIGHT_HEX[k]}">&#9632;</span>&nbsp;{LIGHT_WORD[k]}' for k in ORDER))
        self.bar_legend.setWordWrap(True)
        bl.addWidget(self.bar_legend)
        bl.addWidget(self.bar_plot, 1)
        self.bar_frame = ChartFrame(TEXT["agencies_chart"], bw, self, file_stem="semaforo_dependencias")
        self.show_all_agencies = False
        self.all_button = QPushButton(TEXT["show_all"])
        self.all_button.setCheckable(True)
        self.all_button.setVisible(False)
        self.all_button.toggled.connect(self._toggle_all)
        bar_box = QVBoxLayout()
        bar_box.addWidget(self.bar_frame, 1)
        bar_box.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(bar_box, 0, 1)

        # most behind
        box = QVBoxLayout()
        lab = QLabel(TEXT["behind"])
        lab.setStyleSheet("font-weight: bold;")
        box.addWidget(lab)
        self.behind_table = QTableWidget(0, 5)
        self.behind_table.setHorizontalHeaderLabels(
            [TEXT["col_key"], TEXT["col_ind"], TEXT["col_dep"], TEXT["col_pct"], TEXT["col_light"]])
        self._setup_table(self.behind_table, stretch=1)
        self.behind_table.cellActivated.connect(self._indicator_activated)
        self.behind_table.cellDoubleClicked.connect(self._indicator_activated)
        box.addWidget(self.behind_table)
        grid.addLayout(box, 1, 0)

        # trend per dependencia
        tw = QWidget()
        tl = QVBoxLayout(tw)
        tl.setContentsMargins(0, 0, 0, 0)
        self.trend_combo = QComboBox()
        self.trend_combo.currentIndexChanged.connect(self._draw_trend)
        tl.addWidget(self.trend_combo)
        # the legend is a label above the chart, never over the points (at 100 % they reach the plot's top)
        self.trend_legend = QLabel(
            f'<span style="color:{LIGHT_HEX["verde"]}"><b>&#8212;&#9679;&#8212;</b></span>&nbsp;{TEXT["trend_green"]}'
            f'&nbsp;&nbsp;&nbsp; <span style="color:{LIGHT_HEX["rojo"]}"><b>- - -</b></span>&nbsp;{TEXT["trend_red"]}')
        tl.addWidget(self.trend_legend)
        self.trend_plot = plot_widget()
        self.trend_plot.setMenuEnabled(False)
        self.trend_plot.setMouseEnabled(x=False, y=False)
        self.trend_plot.hideButtons()
        self.trend_plot.showGrid(y=True, alpha=0.25)
        tl.addWidget(self.trend_plot, 1)
        self.trend_frame = ChartFrame(TEXT["trend"], tw, self, file_stem="tendencia")
        grid.addWidget(self.trend_frame, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(400)
        self._debounce.timeout.connect(self.refresh)
        self._dirty = False
        self.destroyed.connect(lambda *_: self._cancel_running())
        ctx.monthChanged.connect(lambda _m: self._changed())
        ctx.dataChanged.connect(lambda _e, _k: self._changed())
        QTimer.singleShot(0, self.refresh)

    def _cancel_running(self) -> None:
        task = self.__dict__.get("_task")
        if task is not None:
            task.control.cancel_requested = True

    def _changed(self) -> None:
        """Recompute soon if the page is shown; otherwise when it is shown again (whole-organization
        figures are not recomputed for every captured cell while the user works elsewhere)."""
        if not (_alive(self) and _alive(self.heading)):
            return
        if self.isVisible():
            self._debounce.start()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self._dirty = False
            self._debounce.start()

    @staticmethod
    def _setup_table(t: QTableWidget, stretch: int = 0) -> None:
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.verticalHeader().setVisible(False)
        t.setAlternatingRowColors(True)
        h = t.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    # -- loading
    def refresh(self) -> None:
        from ..core import periods
        from ..reports.data import dashboard_summary
        from .worker import run_task

        if not (_alive(self) and _alive(self.heading)):
            return  # the page is being deleted (e.g. the window closed while a timer was pending)
        if self._task is not None:
            self._task.control.cancel_requested = True
        self._generation += 1
        gen = self._generation
        month = self.ctx.month
        self.loaded = False
        self.trend_loaded = False
        self.heading.setText(TEXT["heading"].format(mes=periods.label(month)) + _quarter_note(self.ctx, month))
        self.status.setText(TEXT["loading"].format(mes=periods.label(month)))
        db = self.ctx.db

        def work(control):
            return dashboard_summary(db, month, with_trend=False, progress=control.progress)

        def done(data) -> None:
            if _alive(self) and _alive(self.heading) and gen == self._generation:
                self._task = None
                self.show_data(data)
                self._load_trend(gen, month)

        def failed(exc, _tb) -> None:
            if _alive(self) and _alive(self.heading) and gen == self._generation:
                self._task = None
                self.status.setText(TEXT["failed"].format(err=exc))

        self._task = run_task(work, on_done=done, on_error=failed, on_cancel=lambda: None, parent=self)

    def _load_trend(self, gen: int, month: str) -> None:
        """Second phase, also off the UI thread: the monthly trend, from the summary's read (one engine pass per
        indicator for every month)."""
        from ..reports.data import dashboard_trend
        from .worker import run_task

        db = self.ctx.db
        self.trend_loaded = False
        self.trend_frame.title.setText(TEXT["trend"] + " " + TEXT["trend_loading"])

        def done(trend) -> None:
            if _alive(self) and _alive(self.heading) and gen == self._generation and self.data is not None:
                self._task = None
                self.data.trend = trend
                self.trend_frame.title.setText(TEXT["trend"])
                self._draw_trend()
                self.trend_loaded = True

        def failed(exc, _tb) -> None:
            if _alive(self) and _alive(self.heading) and gen == self._generation:
                self._task = None
                self.trend_frame.title.setText(TEXT["trend"] + " — " + TEXT["failed"].format(err=exc))

        source, self.data.source = self.data.source, None  # the summary's read: not read again

        self._task = run_task(lambda control: dashboard_trend(db, month, progress=control.progress, _read=source),
                              on_done=done, on_error=failed, on_cancel=lambda: None, parent=self)

    def show_data(self, data) -> None:
        from ..core.numbers import fmt_pct_es, round2
        from ..core.types import label

        self.data = data
        from .profile_ui import over_color, plabel

        dep = plabel(self.ctx, "dependencia", TEXT["col_dep"])  # the state profile's word (issue 16)
        self.agency_table.setHorizontalHeaderItem(0, QTableWidgetItem(dep))
        self.behind_table.setHorizontalHeaderItem(2, QTableWidgetItem(dep))
        t = data.total
        self.status.setText(TEXT["loaded"].format(n=sum(t.values()), v=t["verde"], a=t["amarillo"], r=t["rojo"],
                                                  g=t["gris"], na=t["no_aplica"]))
        at = self.agency_table
        at.setRowCount(len(data.agencies))
        for i, (key, acr, name, counts) in enumerate(data.agencies):
            it = QTableWidgetItem(f"{acr} — {name}" if acr and acr != name else name)
            it.setData(Qt.ItemDataRole.UserRole, key)
            it.setToolTip(name)
            at.setItem(i, 0, it)
            for j, k in enumerate(ORDER, start=1):
                c = QTableWidgetItem(str(counts[k]))
                c.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if counts[k]:
                    c.setForeground(QBrush(QColor(TEXT_HEX.get(k, LIGHT_HEX[k]))))
                at.setItem(i, j, c)
            tot = QTableWidgetItem(str(sum(counts.values())))
            tot.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            at.setItem(i, len(ORDER) + 1, tot)
        bt = self.behind_table
        bt.setRowCount(len(data.behind))
        names = {k: acr for k, acr, _n, _c in data.agencies}
        for i, r in enumerate(data.behind):
            key = QTableWidgetItem(r.indicator_key)
            key.setData(Qt.ItemDataRole.UserRole, r.indicator_key)
            bt.setItem(i, 0, key)
            ind = QTableWidgetItem(r.indicator_name)
            ind.setToolTip(f"{r.indicator_name}\n{r.program_key} {r.program_name}")  # the whole name
            bt.setItem(i, 1, ind)
            bt.setItem(i, 2, QTableWidgetItem(names.get(r.agency_key or "", r.agency_key or "")))
            pct = QTableWidgetItem(fmt_pct_es(round2(r.progress_pct)))
            pct.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bt.setItem(i, 3, pct)
            light = QTableWidgetItem("● " + LIGHT_WORD.get(r.light, r.light))
            over = over_color(self.ctx, r.flags)  # above the band: the profile's over-achievement colour
            if over:
                light.setText(f"● {LIGHT_WORD.get(r.light, r.light)} · {label(r.flags[0])}")
            light.setForeground(QBrush(QColor(over or LIGHT_HEX.get(r.light, "#9E9E9E"))))
            bt.setItem(i, 4, light)
        if not data.behind:
            bt.setRowCount(1)
            bt.setItem(0, 1, QTableWidgetItem(TEXT["no_behind"]))
        self._draw_bars()
        current = self.trend_combo.currentData()
        self.trend_combo.blockSignals(True)
        self.trend_combo.clear()
        self.trend_combo.addItem(TEXT["all"], "")
        for key, acr, name, _c in data.agencies:
            self.trend_combo.addItem(f"{acr} — {name}" if acr != name else name, key)
        if current is None and getattr(self.ctx.user, "role", "") == "capturista":
            current = self.ctx.user.agency_key  # a capturista's tablero opens on its own dependencia
        idx = self.trend_combo.findData(current) if current is not None else 0
        self.trend_combo.setCurrentIndex(max(0, idx))
        self.trend_combo.blockSignals(False)
        self._draw_trend()
        self.loaded = True

    # -- charts
    def chart_agencies(self) -> list:
        """The dependencias the bar chart draws: all when few (or «Ver todas»), else the TOP_AGENCIES with the most
        indicators in rojo, then amarillo (250 labels on one axis were a black block)."""
        ags = list(self.data.agencies)
        many = len(ags) > TOP_AGENCIES
        self.all_button.setVisible(many)
        if many and not self.show_all_agencies:
            # as many as the chart's height reads (about 16 px a bar), at most TOP_AGENCIES
            fit = max(5, min(TOP_AGENCIES, (self.bar_plot.height() - 60) // 16))
            ags = sorted(ags, key=lambda a: (-a[3]["rojo"], -a[3]["amarillo"], a[1]))[:fit]
            self.bar_frame.title.setText(TEXT["agencies_top"].format(n=len(ags), total=len(self.data.agencies)))
        else:
            self.bar_frame.title.setText(TEXT["agencies_chart"])
        return ags

    def _toggle_all(self, checked: bool) -> None:
        self.show_all_agencies = checked
        self.all_button.setText(TEXT["show_top"].format(n=TOP_AGENCIES) if checked else TEXT["show_all"])
        if self.data is not None:
            self._draw_bars()

    def _draw_bars(self) -> None:
        from .charts import load_pyqtgraph

        pg = load_pyqtgraph()
        p = self.bar_plot
        p.clear()
        self._bar_agencies = list(reversed(self.chart_agencies()))  # first agency on top
        ags = self._bar_agencies
        left = [0.0] * len(ags)
        ys = list(range(len(ags)))
        for k in ORDER:  # the colours' legend is the label above the plot (self.bar_legend)
            w = [float(c[k]) for _key, _a, _n, c in ags]
            item = pg.BarGraphItem(x0=left, y=ys, height=0.7, width=w, brush=LIGHT_HEX[k], pen=pg.mkPen("w"))
            p.addItem(item)
            left = [a + b for a, b in zip(left, w)]
        p.getAxis("left").setTicks([[(i, a) for i, (_k, a, _n, _c) in enumerate(ags)]])
        p.setYRange(-0.6, len(ags) - 0.4, padding=0)
        p.setXRange(0, max(left or [1]) * 1.1, padding=0)

    def _bar_clicked(self, ev) -> None:
        if self.data is None:
            return
        vb = self.bar_plot.plotItem.vb
        pos = vb.mapSceneToView(ev.scenePos())
        ags = getattr(self, "_bar_agencies", None) or list(reversed(self.data.agencies))
        i = int(round(pos.y()))
        if 0 <= i < len(ags) and pos.x() >= 0:
            self.ctx.navigate("captura", agency=ags[i][0])

    def _draw_trend(self) -> None:
        if self.data is None:
            return
        from ..reports.charts import short_period
        from .charts import load_pyqtgraph

        pg = load_pyqtgraph()
        key = self.trend_combo.currentData() or ""
        pts = self.data.trend.get(key, [])
        p = self.trend_plot
        p.clear()
        xs = [i for i, (_m, share, _c) in enumerate(pts) if share is not None]
        ys = [float(share) for _m, share, _c in pts if share is not None]
        red = [float(c["rojo"]) * 100 / max(1, sum(c.values()) - c["gris"] - c["no_aplica"]) for _m, share, c in pts if share is not None]
        if xs:  # the legend is self.trend_legend, above the plot
            p.plot(xs, ys, pen=pg.mkPen(LIGHT_HEX["verde"], width=2.5), symbol="o", symbolSize=6,
                   symbolBrush=LIGHT_HEX["verde"])
            p.plot(xs, red, pen=pg.mkPen(LIGHT_HEX["rojo"], width=1.5, style=Qt.PenStyle.DashLine))
        p.getAxis("bottom").setTicks([[(i, short_period(m)) for i, (m, _s, _c) in enumerate(pts)]])
        p.setYRange(0, 104, padding=0)  # a point at 100 % whole
        p.getAxis("left").setTicks([[(v, f"{v} %") for v in range(0, 101, 20)]])
        p.setXRange(-0.3, max(0.7, len(pts) - 0.7), padding=0)

    # -- navigation
    def _agency_activated(self, row: int, _col: int = 0) -> None:
        it = self.agency_table.item(row, 0)
        if it is not None:
            self.ctx.navigate("captura", agency=it.data(Qt.ItemDataRole.UserRole))

    def _indicator_activated(self, row: int, _col: int = 0) -> None:
        it = self.behind_table.item(row, 0)
        if it is not None and it.data(Qt.ItemDataRole.UserRole):
            self.ctx.navigate("indicador", key=it.data(Qt.ItemDataRole.UserRole))


register_page(PageSpec(key="tablero", title=TEXT["title"], factory=lambda ctx, parent: DashboardPage(ctx, parent),
                       order=0, home=True, shortcut="Ctrl+1"))
