"""Charts on screen (pyqtgraph): the indicator chart beside the ficha (meta vs realizado per period, the
cumulative line and the semáforo band) and a frame with «Guardar como PNG…» used by every chart.

pyqtgraph is imported only when a chart is built (``load_pyqtgraph``): start-up time is benchmarked."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

TEXT = {
    "save_png": "Guardar como PNG…",
    "save_title": "Guardar gráfica como imagen PNG",
    "png_filter": "Imagen PNG (*.png)",
    "saved": "Gráfica guardada en {path}",
    "save_failed": "No se pudo guardar la imagen en «{path}».",
    "meta": "Meta del periodo",
    "realizado": "Realizado del periodo",
    "acumulado": "Acumulado",
    "meta_acum": "Meta acumulada",
    "banda": "Banda verde del semáforo",
    "empty": "Seleccione un indicador para ver su gráfica.",
    "no_periods": "{key}: ningún periodo ha vencido al corte de {mes}.",
    "not_found": "No existe el indicador «{key}».",
    "no_data": "Sin datos capturados",
    "no_data_sub": "{key}: sin datos capturados al corte de {mes}; la gráfica muestra solo las metas.",
    "title": "{key} {name}",
    "subtitle": "Corte: {mes} · Acumulado {acum} de {meta} · {pct} · Semáforo: {luz}",
}
LIGHT_HEX = {"verde": "#2E7D32", "amarillo": "#F2B705", "rojo": "#C62828", "gris": "#9E9E9E"}
ACCENT = "#6B1F35"
TARGET = "#9FB3C8"
GOLD = "#B38E5D"

_PG = None


def load_pyqtgraph():
    """Import pyqtgraph once, working around what the installed PySide6 wheel lacks."""
    global _PG
    if _PG is not None:
        return _PG
    import PySide6

    if not hasattr(PySide6, "__version__"):  # PySide6-Essentials namespace package: pyqtgraph reads these
        try:
            from importlib.metadata import version

            v = version("PySide6-Essentials")
        except Exception:  # noqa: BLE001
            from PySide6.QtCore import qVersion

            v = qVersion()
        PySide6.__version__ = v
        PySide6.__version_info__ = tuple(int(x) for x in v.split(".")[:3] if x.isdigit())
    from ..reports.qtfix import protect_none

    protect_none()
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, background="w", foreground="#333333")
    _PG = pg
    return pg


_PLOT_WIDGET = None


def plot_widget():
    """A pyqtgraph ``PlotWidget`` whose axes draw the labels at their very ends: pyqtgraph drops a tick label that
    reaches past the axis (with the grid on, by any amount), so the «0» where a chart starts was never shown."""
    global _PLOT_WIDGET
    pg = load_pyqtgraph()
    if _PLOT_WIDGET is None:
        class EdgeLabelAxis(pg.AxisItem):
            def __init__(self, orientation: str, **kw):
                super().__init__(orientation, **kw)
                self.setStyle(hideOverlappingLabels=False)

            def boundingRect(self):  # noqa: N802 - Qt override
                m = 15  # the room pyqtgraph itself gives labels without the grid
                r = super().boundingRect()
                return r.adjusted(0, -m, 0, m) if self.orientation in ("left", "right") else r.adjusted(-m, 0, m, 0)

        _PLOT_WIDGET = lambda: pg.PlotWidget(  # noqa: E731
            axisItems={"left": EdgeLabelAxis("left"), "bottom": EdgeLabelAxis("bottom")})
    return _PLOT_WIDGET()


def save_png(widget: QWidget, path: str) -> bool:
    """Write what ``widget`` shows to ``path`` as PNG."""
    img = widget.grab()
    return bool(img.save(path, "PNG"))


class ChartFrame(QWidget):
    """A title, a chart widget and the «Guardar como PNG…» button."""

    def __init__(self, title: str, chart: QWidget, parent=None, file_stem: str = "grafica"):
        super().__init__(parent)
        self.chart = chart
        self.file_stem = file_stem
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.save_button = QPushButton(TEXT["save_png"])
        self.save_button.clicked.connect(self.ask_save)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        lay.addWidget(chart, 1)

    def ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, TEXT["save_title"], f"{self.file_stem}.png", TEXT["png_filter"])
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if not save_png(self.chart, path):
            from .messages import info

            info(self, TEXT["save_title"], TEXT["save_failed"].format(path=path))

    def save(self, path: str) -> bool:
        return save_png(self.chart, path)


def green_band(preset, direction: str, ind_type: str, target: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """Values of the indicator that the preset paints green for ``target`` (None bound: open)."""
    if target is None or target == 0:
        return None, None
    lo_pct = hi_pct = None
    if getattr(preset, "kind", "ranges") == "ranges":
        greens = [r for r in preset.ranges if str(r.color) == "verde"]
        if not greens:
            return None, None
        los = [r.min for r in greens]
        his = [r.max for r in greens]
        lo_pct = None if any(v is None for v in los) else min(los)
        hi_pct = None if any(v is None for v in his) else max(his)
    else:
        th = next((t for t in preset.deviation_thresholds if str(t.indicator_type) == ind_type),
                  preset.deviation_thresholds[0] if preset.deviation_thresholds else None)
        if th is None:
            return None, None
        lo_pct, hi_pct = 100 - th.green_max, 100 + th.green_max
    t = target
    if direction == "descendente":
        if str(preset.descending_method) == "inversa":
            lo = None if not hi_pct else t * 100 / hi_pct
            hi = None if not lo_pct else t * 100 / lo_pct
        else:
            lo = None if hi_pct is None else t * (2 - hi_pct / 100)
            hi = None if lo_pct is None else t * (2 - lo_pct / 100)
        return lo, hi
    return (None if lo_pct is None else t * lo_pct / 100), (None if hi_pct is None else t * hi_pct / 100)


class IndicatorChart(QWidget):
    """Meta vs realizado per period (bars), the cumulative line, the cumulative target and the green band of
    the semáforo around it, computed by the engine at ``ctx.month``."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.key: str | None = None
        self.no_data = False
        self.row = None
        self.series: list = []
        self.plot = plot_widget()
        self.plot.setMinimumHeight(160)  # fits beside the ficha on 1366×768 at 150 %
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.frame = ChartFrame(TEXT["empty"], self.plot, self, file_stem="indicador")
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.frame, 1)
        lay.addWidget(self.subtitle)
        if hasattr(ctx, "monthChanged"):
            ctx.monthChanged.connect(lambda _m: self._data_changed("*", ""))
        if hasattr(ctx, "dataChanged"):
            ctx.dataChanged.connect(self._data_changed)

    def _data_changed(self, entity: str, key: str) -> None:
        try:
            from shiboken6 import isValid
        except ImportError:  # pragma: no cover
            isValid = bool  # noqa: N806
        if not isValid(self):
            return
        if self.key and (entity in ("*", "measurement", "target", "settings", "indicator") or key == self.key):
            self.set_indicator(self.key)

    # -- data
    def _load(self, key: str):
        from sqlalchemy import select

        from ..core import periods
        from ..db.models import Indicator, Objective, Program
        from ..reports.data import cumulative_series
        from ..services.documents import read_programs
        from ..services.progress import presets_by_key, resolve_preset, rows_for

        month = self.ctx.month
        year = periods.year_of(month)
        with self.ctx.db.reading() as s:
            pkey = s.execute(select(Program.key).join(Objective, Objective.program_id == Program.id)
                             .join(Indicator, Indicator.objective_id == Objective.id)
                             .where(Indicator.key == key)).scalar()
            if pkey is None:
                return None, [], None
            pset = read_programs(s, year, [pkey])
            presets = presets_by_key(s)
        rows = [r for r in rows_for(pset, presets, month) if r.indicator_key == key]
        if not rows:
            return None, [], None
        prog = pset.programs[0]
        ind = next(i for i in prog.indicators if i.key == key)
        preset = resolve_preset(presets, pset.organization.preset_key if pset.organization else None, prog, ind)
        series = cumulative_series(pset, presets, month, rows).get(key, [])
        return rows[0], series, (preset, ind.type)

    def set_indicator(self, key: str) -> None:
        from ..core import periods
        from ..core.numbers import fmt_es, fmt_pct_es, round2
        from ..core.types import LABELS

        self.key = key
        row, series, extra = self._load(key)
        self.row, self.series = row, series
        self.plot.clear()
        if self.plot.plotItem.legend is not None:
            self.plot.plotItem.legend.clear()
        if row is None:
            self.frame.title.setText(TEXT["not_found"].format(key=key))
            self.subtitle.setText("")
            return
        mes = periods.label(self.ctx.month)
        self.frame.title.setText(TEXT["title"].format(key=row.indicator_key, name=row.indicator_name))
        self.frame.file_stem = row.indicator_key
        luz = LABELS.get(row.light, row.light)
        from .profile_ui import over_color

        over = over_color(self.ctx, row.flags) if hasattr(self.ctx, "db") else None  # issue 16: above the band
        if over:
            luz = f"{luz} · {LABELS.get(row.flags[0], row.flags[0])}"
        self.subtitle.setText(
            f"<span style='color:{over or LIGHT_HEX.get(row.light, '#9E9E9E')}; font-size:14pt'>●</span> " +
            TEXT["subtitle"].format(mes=mes, acum=fmt_es(row.cumulative_value), meta=fmt_es(row.cumulative_target),
                                    pct=fmt_pct_es(None if row.progress_pct is None else round2(row.progress_pct)),
                                    luz=luz))
        res = row.result
        pers = list(res.periods) if res is not None else []
        if not pers:
            self.subtitle.setText(TEXT["no_periods"].format(key=key, mes=mes))
            return
        self.no_data = not any(x.value is not None for x in pers)
        if self.no_data:
            self.subtitle.setText(TEXT["no_data_sub"].format(key=key, mes=mes))
        self.draw(pers, series, extra)

    def draw(self, pers, series, extra) -> None:
        pg = load_pyqtgraph()
        from ..reports.charts import short_period

        p = self.plot
        legend = p.plotItem.legend or p.addLegend(offset=(10, 2), labelTextSize="8pt", colCount=3,
                                                  brush=(255, 255, 255, 230))
        legend.clear()
        # two columns: the legend is never cut beside the ficha on a laptop at 150 %; the headroom above the data
        # keeps its three rows off the bars and lines
        legend.setColumnCount(2)
        room = 1.8
        n = len(pers)
        xs = list(range(n))
        targets = [float(x.target) if x.target is not None else 0.0 for x in pers]
        values = [float(x.value) if x.value is not None else 0.0 for x in pers]
        has_v = [x.value is not None for x in pers]
        # semáforo band around the cumulative target
        idx = {per: i for i, per in enumerate(x.period for x in pers)}
        pts = [(idx[per], v, t) for per, v, t in series if per in idx]
        highs: list[float] = []
        self.band_values: list[tuple[float, float]] = []
        if extra is not None and pts:
            preset, ind_type = extra
            lows, bx = [], []
            top = max([*values, *targets, *[float(v) for _, v, _ in pts if v is not None]] or [1.0]) * 1.15
            for i, _v, t in pts:
                lo, hi = green_band(preset, self.row.direction, ind_type, t)
                if lo is None and hi is None:
                    continue
                bx.append(i)
                lows.append(float(lo) if lo is not None else 0.0)
                highs.append(float(hi) if hi is not None else top)
            self.band_values = [(round(a, 4), round(b, 4)) for a, b in zip(lows, highs)]
            if bx:
                # one translucent box per period: the values the semáforo paints green at that cut-off
                band = pg.BarGraphItem(x=bx, y0=lows, height=[h - l for h, l in zip(highs, lows)], width=0.92,
                                       brush=pg.mkBrush(46, 125, 50, 45), pen=pg.mkPen((46, 125, 50, 110), width=1))
                band.setZValue(-10)
                p.addItem(band)
                legend.addItem(band, TEXT["banda"])
        b1 = pg.BarGraphItem(x=[x - 0.19 for x in xs], height=targets, width=0.36, brush=TARGET, pen=pg.mkPen(None))
        p.addItem(b1)
        legend.addItem(b1, TEXT["meta"])
        vx = [x + 0.19 for x, ok in zip(xs, has_v) if ok]
        vh = [v for v, ok in zip(values, has_v) if ok]
        b2 = pg.BarGraphItem(x=vx, height=vh, width=0.36, brush=ACCENT, pen=pg.mkPen(None))
        p.addItem(b2)
        legend.addItem(b2, TEXT["realizado"])
        cx = [i for i, v, _t in pts if v is not None]
        cy = [float(v) for _i, v, _t in pts if v is not None]
        if cx:
            p.plot(cx, cy, pen=pg.mkPen(GOLD, width=2.5), symbol="o", symbolSize=7, symbolBrush=GOLD,
                   symbolPen=pg.mkPen(GOLD), name=TEXT["acumulado"])
        tx = [i for i, _v, t in pts if t is not None]
        ty = [float(t) for _i, _v, t in pts if t is not None]
        if tx:
            p.plot(tx, ty, pen=pg.mkPen("#4A6A8A", width=1.5, style=Qt.PenStyle.DashLine), name=TEXT["meta_acum"])
        ax = p.getAxis("bottom")
        ax.setTicks([[(i, short_period(x.period)) for i, x in enumerate(pers)]])
        p.setXRange(-0.6, n - 0.4, padding=0)
        tops = [*targets, *values, *[float(v) for _i, v, _t in pts if v is not None],
                *[float(t) for _i, _v, t in pts if t is not None], *highs]
        lows_all = [min(0.0, *tops)] if tops else [0.0]
        top = max(tops or [1.0])
        p.setYRange(lows_all[0], top * room if top > 0 else 1.0, padding=0)  # room for the legend on top
        if not any(has_v):
            # no captured value at all: say so on the chart itself, not bare axes
            note = pg.TextItem(TEXT["no_data"], color="#5f5f5f", anchor=(0.5, 0.5))
            font = note.textItem.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            font.setBold(True)
            note.setFont(font)
            note.setPos((n - 1) / 2, (top * room if top > 0 else 1.0) / 2)
            p.addItem(note)


def light_color(light: str) -> QColor:
    return QColor(LIGHT_HEX.get(light, LIGHT_HEX["gris"]))
