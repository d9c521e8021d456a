"""Charts for the printed report, drawn with QPainter directly (vector in the PDF, no display needed,
works with QT_QPA_PLATFORM=offscreen). Values are Decimal; they become coordinates only here."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from ..core.numbers import fmt_es
from ..core.types import LABELS
from .layout import ACCENT, ACCENT2, INK, LIGHT_COLORS, MUTED, RULE, Ctx, font

TEXT = {
    "meta": "Meta del periodo",
    "realizado": "Realizado",
    "acumulado": "Acumulado",
    "meta_acum": "Meta acumulada",
    "banda": "Banda verde",
    "sin_datos": "Sin periodos vencidos",
    "right_axis": "{name} (eje der.)",
    "unit_left": "{unit}",
    "unit_right": "{unit}, acumulado",
}
TWO_AXES_RATIO = 1.8  # the cumulative line gets its own right axis when it outgrows the bars by this factor
TARGET_COLOR = QColor("#9FB3C8")
ORDER = ["verde", "amarillo", "rojo", "gris", "no_aplica"]


@dataclass
class IndicatorSeries:
    title: str
    unit: str
    periods: list[tuple[str, Decimal | None, Decimal | None]]  # (label, target, value)
    cumulative: list[tuple[str, Decimal | None, Decimal | None]]  # (label, cum value, cum target)
    light: str = "gris"


def short_period(period: str) -> str:
    """'2026-T3' → 'T3', '2026-10' → 'Oct', '2026' → '2026'."""
    months = ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"]
    parts = period.split("-")
    if len(parts) == 1:
        return period
    tail = parts[1]
    if tail.isdigit():
        return months[int(tail) - 1]
    return tail


def nice_step(span: float, intervals: int = 4) -> float:
    """A round tick step (1, 2, 2.5, 5 × 10^k) giving about ``intervals`` intervals over ``span``."""
    import math

    if span <= 0:
        return 1.0
    raw = span / intervals
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * base >= raw:
            return m * base
    return 10 * base


def nice_range(lo: float, hi: float) -> tuple[float, float, float]:
    import math

    lo, hi = min(0.0, lo), max(0.0, hi)
    if hi - lo <= 0:
        hi = lo + 1.0
    step = nice_step(hi - lo)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


def _legend(p: QPainter, c: Ctx, x: float, y: float, items: list[tuple[str, QColor, str]], size: float = 6.5) -> float:
    f = font(size)
    p.setFont(f)
    m = c.metrics(f)
    for text, color, kind in items:
        sw = c.mm(3)
        if kind == "line":
            p.setPen(QPen(color, c.mm(0.5)))
            p.drawLine(QPointF(x, y + m.height() / 2), QPointF(x + sw, y + m.height() / 2))
        elif kind == "dash":
            pen = QPen(color, c.mm(0.35))
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(x, y + m.height() / 2), QPointF(x + sw, y + m.height() / 2))
        else:
            p.fillRect(QRectF(x, y + m.height() * 0.2, sw, m.height() * 0.6), color)
        p.setPen(MUTED)
        p.drawText(QPointF(x + sw + c.mm(1), y + m.ascent()), text)
        x += sw + c.mm(1) + c.advance(f, text) + c.mm(3)
    return m.height()


GRID = QColor("#E6E6E6")
CUM_TARGET = QColor("#4A6A8A")


def _tick_label(v: float, decimals: int) -> str:
    return fmt_es(Decimal(str(round(v, 2))), decimals)


def draw_indicator_chart(p: QPainter, rect: QRectF, s: IndicatorSeries, c: Ctx) -> None:
    """Bars meta vs realizado per period, cumulative line and cumulative target (dashed)."""
    mm = c.px_mm
    p.setPen(QPen(RULE, 0.2 * mm))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(rect)
    pad = 2 * mm
    tf = font(7, True)
    p.setFont(tf)
    m = c.metrics(tf)
    word = LABELS.get(s.light, s.light)
    wf = font(6.5)
    ww = c.advance(wf, word)
    title_r = QRectF(rect.left() + pad, rect.top() + pad, rect.width() - 2 * pad - 5 * mm - ww, m.height() * 2.1)
    # the coloured mark of the indicator's semáforo at the right of the title, with its word
    d = 2.6 * mm
    p.setBrush(LIGHT_COLORS.get(s.light, LIGHT_COLORS["gris"]))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QRectF(rect.right() - pad - d - ww - 1 * mm, rect.top() + pad + 0.5, d, d))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(MUTED)
    c.draw_text(p, wf, QRectF(rect.right() - pad - ww, rect.top() + pad, ww + 0.5 * mm, d + 1 * mm),
                int(Qt.AlignmentFlag.AlignLeft), word)
    p.setPen(INK)
    title = s.title
    wrap = int(Qt.TextFlag.TextWordWrap)

    def wrapped_height(metrics, text: str) -> float:
        return metrics.boundingRect(QRectF(0, 0, title_r.width(), 1e6), wrap, text).height()

    if wrapped_height(m, title) > m.height() * 2.1:
        # a long indicator name gets up to four lines in a slightly smaller type rather than being cut
        tf = font(6.3, True)
        m = c.metrics(tf)
        words = title.split()
        while len(words) > 1 and wrapped_height(m, " ".join(words)) > m.height() * 4.1:  # beyond four lines: «…»
            words.pop()
            title = " ".join(words) + " …"
        title_r.setHeight(max(m.height() * 2.1, wrapped_height(m, title) + 0.5 * mm))
    c.draw_text(p, tf, title_r, int(Qt.TextFlag.TextWordWrap), title)
    legend_h = c.metrics(font(6.5)).height()
    pvals = [float(v) for _, t, v in s.periods for v in (t, v) if v is not None]
    cvals = [float(v) for _, a, b in s.cumulative for v in (a, b) if v is not None]
    two_axes = bool(pvals and cvals) and max(abs(x) for x in cvals) > TWO_AXES_RATIO * max(
        1e-9, max(abs(x) for x in pvals))
    plot = QRectF(rect.left() + 13 * mm, title_r.bottom() + 5 * mm,
                  rect.width() - (27 if two_axes else 16) * mm,
                  rect.height() - title_r.height() - legend_h - 13.5 * mm)
    vals = pvals if two_axes else pvals + cvals
    if not s.periods or not vals:
        p.setFont(font(7, italic=True))
        p.setPen(MUTED)
        p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), TEXT["sin_datos"])
        return
    lo, hi, step = nice_range(min(vals), max(vals) * 1.04)
    bottom, height, span = plot.bottom(), plot.height(), hi - lo

    def ypos(v: float) -> float:
        return bottom - (v - lo) / span * height

    clo, chi, cstep = nice_range(min(cvals), max(cvals) * 1.04) if two_axes else (lo, hi, step)
    cspan = chi - clo

    def cpos(v: float) -> float:
        return bottom - (v - clo) / cspan * height

    uf = font(5.8, italic=True)
    p.setPen(MUTED)
    if s.unit:  # axis units
        c.draw_text(p, uf, QRectF(rect.left() + 1 * mm, plot.top() - 4 * mm, plot.width() / 2, 3 * mm),
                    int(Qt.AlignmentFlag.AlignLeft), TEXT["unit_left"].format(unit=s.unit))
        if two_axes:
            c.draw_text(p, uf, QRectF(plot.right() - plot.width() / 2 + 12 * mm, plot.top() - 4 * mm,
                                      plot.width() / 2, 3 * mm), int(Qt.AlignmentFlag.AlignRight),
                        TEXT["unit_right"].format(unit=s.unit))

    af = font(6)
    p.setFont(af)
    am = c.metrics(af)
    ah = am.height()
    ticks = int(round(span / step))
    decimals = 0 if step >= 1 else (1 if step * 10 == int(step * 10) else 2)
    grid = QPainterPath()
    right_align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    labels = []
    for k in range(ticks + 1):
        v = lo + step * k
        y = ypos(v)
        grid.moveTo(plot.left(), y)
        grid.lineTo(plot.right(), y)
        labels.append((y, _tick_label(v, decimals)))
    p.setPen(QPen(GRID, 0.15 * mm))
    p.drawPath(grid)
    p.setPen(MUTED)
    for y, label in labels:
        c.draw_text(p, af, QRectF(rect.left() + 0.5 * mm, y - ah / 2, 12 * mm, ah), right_align, label)
    n = len(s.periods)
    slot = plot.width() / n
    bw = min(slot * 0.34, 6 * mm)
    base = ypos(0.0)
    t_path, v_path = QPainterPath(), QPainterPath()
    centers = []
    for i, (_lab, target, value) in enumerate(s.periods):
        cx = plot.left() + slot * (i + 0.5)
        centers.append(cx)
        if target is not None:
            y = ypos(float(target))
            t_path.addRect(QRectF(cx - bw, min(y, base), bw, abs(base - y)))
        if value is not None:
            y = ypos(float(value))
            v_path.addRect(QRectF(cx, min(y, base), bw, abs(base - y)))
    p.fillPath(t_path, TARGET_COLOR)
    p.fillPath(v_path, ACCENT)
    p.setPen(MUTED)
    center = int(Qt.AlignmentFlag.AlignHCenter)
    ly = bottom + 0.5 * mm
    for i, (lab, _t, _v) in enumerate(s.periods):
        c.draw_text(p, af, QRectF(plot.left() + slot * i, ly, slot, ah), center, short_period(lab))
    p.setPen(QPen(INK, 0.2 * mm))
    p.drawLine(QPointF(plot.left(), base), QPointF(plot.right(), base))
    by_label = {lab: i for i, (lab, _, _) in enumerate(s.periods)}
    r = 0.7 * mm
    if two_axes:  # the right axis of the cumulative line
        p.setPen(MUTED)
        left_align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        cdec = 0 if cstep >= 1 else 2
        for k in range(int(round(cspan / cstep)) + 1):
            v = clo + cstep * k
            c.draw_text(p, af, QRectF(plot.right() + 1 * mm, cpos(v) - ah / 2, 12 * mm, ah), left_align,
                        _tick_label(v, cdec))
    for idx, color, dashed in ((1, ACCENT2, False), (2, CUM_TARGET, True)):
        # a missing capture is a gap: the line is drawn only between consecutive captured periods
        runs: list[list[QPointF]] = [[]]
        pts = []
        for t in s.cumulative:
            if t[0] not in by_label:
                continue
            if t[idx] is None:
                runs.append([])
                continue
            pt = QPointF(centers[by_label[t[0]]], cpos(float(t[idx])))
            runs[-1].append(pt)
            pts.append(pt)
        if not pts:
            continue
        pen = QPen(color, (0.35 if dashed else 0.55) * mm)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        for run in runs:
            if len(run) > 1:
                p.drawPolyline(run)
        if not dashed:
            dots = QPainterPath()
            for pt in pts:
                dots.addEllipse(pt, r, r)
            p.fillPath(dots, color)

    _legend(p, c, rect.left() + pad, rect.bottom() - legend_h - 1.5 * mm,
            [(TEXT["meta"], TARGET_COLOR, "box"), (TEXT["realizado"], ACCENT, "box"),
             (TEXT["right_axis"].format(name=TEXT["acumulado"]) if two_axes else TEXT["acumulado"], ACCENT2, "line"),
             (TEXT["meta_acum"], CUM_TARGET, "dash")])


def stacked_height_mm(n: int) -> float:
    return 7 + 6.2 * n


def draw_stacked_bars(p: QPainter, rect: QRectF, groups: list[tuple[str, dict[str, int]]], c: Ctx,
                      normalize: bool = False, title: str = "") -> None:
    """Horizontal bars, one per group, stacked by semáforo colour; counts (or shares) written inside."""
    f = font(7)
    m = c.metrics(f)
    y0 = rect.top()
    if title:
        p.setFont(font(8, True))
        p.setPen(INK)
        p.drawText(QRectF(rect.left(), y0, rect.width(), c.mm(5)), int(Qt.AlignmentFlag.AlignLeft), title)
        y0 += c.mm(5)
    y0 += _legend(p, c, rect.left(), y0, [(LABELS[k], LIGHT_COLORS[k], "box") for k in ORDER], 7) + c.mm(1.5)
    p.setFont(f)
    label_w = min(rect.width() * 0.38, max((m.horizontalAdvance(g[0]) for g in groups), default=0) + c.mm(2))
    plot_l = rect.left() + label_w
    plot_w = rect.width() - label_w - c.mm(8)
    bar_h = c.mm(4.2)
    step = c.mm(6.2)
    mx = max((sum(cnt.values()) for _, cnt in groups), default=1) or 1
    for i, (label, counts) in enumerate(groups):
        y = y0 + i * step
        p.setPen(INK)
        p.setFont(f)
        room = label_w - c.mm(1.5)
        if m.horizontalAdvance(label) <= room:
            p.drawText(QRectF(rect.left(), y, room, bar_h),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
        else:  # a long name (an eje, a dependencia) wraps to two smaller lines beside its bar instead of being cut
            small = font(6)
            sm = c.metrics(small)
            p.setFont(small)
            text = label if sm.horizontalAdvance(label) <= 2 * room - c.mm(2) else \
                sm.elidedText(label, Qt.TextElideMode.ElideRight, 2 * room - c.mm(3))
            p.drawText(QRectF(rect.left(), y - (step - bar_h) / 2, room, step),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
                       text)
            p.setFont(f)
        total = sum(counts.values())
        scale = plot_w / (total if normalize else mx) if (total if normalize else mx) else 0
        x = plot_l
        for k in ORDER:
            v = counts.get(k, 0)
            if not v:
                continue
            w = v * scale
            p.fillRect(QRectF(x, y, w, bar_h), LIGHT_COLORS[k])
            txt = f"{round(100 * v / total)} %" if normalize else str(v)
            if m.horizontalAdvance(txt) + c.mm(1) < w:
                p.setPen(QColor("white") if k in ("verde", "rojo") else INK)
                p.drawText(QRectF(x, y, w, bar_h), int(Qt.AlignmentFlag.AlignCenter), txt)
            x += w
        if not normalize:
            p.setPen(MUTED)
            p.drawText(QRectF(x + c.mm(1), y, c.mm(10), bar_h), int(Qt.AlignmentFlag.AlignVCenter), str(total))
