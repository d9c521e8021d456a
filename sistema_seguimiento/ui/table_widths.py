"""Column widths by content and cell padding for the MIR and ficha tables (issue 15).

- :class:`PaddedDelegate`: the text of a cell is drawn ``PAD_X``/``PAD_Y`` pixels away from the cell borders
  (background and selection still fill the cell), and the size hint includes that padding, so wrapped rows are
  as tall as their text needs.
- :func:`share_by_content`: the columns share the visible width in proportion to their content; no column is
  narrower than its header (the header text is never elided) when the view is wide enough for the headers.
- :func:`give_to_column`: every column gets its content width, capped, and one column (a name) takes the rest
  and is the widest.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QEvent, QRect, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionHeader, \
    QStyleOptionViewItem, QTableView

PAD_X = 8  # pixels between the text and the left/right cell borders
PAD_Y = 4  # … and the top/bottom borders
SAMPLE_ROWS = 400  # content widths look at up to this many rows


class PaddedDelegate(QStyledItemDelegate):
    """Item delegate that keeps the text ``PAD_X``/``PAD_Y`` away from the cell borders."""

    pad_x = PAD_X
    pad_y = PAD_Y

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)  # background, selection
        if not text:
            return
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (QPalette.ColorGroup.Normal if opt.state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected
                                         else QPalette.ColorRole.Text))
        rect = self.text_rect(opt.rect)
        flags = int(opt.displayAlignment) | (int(Qt.TextFlag.TextWordWrap) if opt.features &
                                             QStyleOptionViewItem.ViewItemFeature.WrapText else 0)
        if opt.features & QStyleOptionViewItem.ViewItemFeature.WrapText:
            painter.drawText(rect, flags, text)
        else:
            painter.drawText(rect, flags, opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                                     rect.width()))
        painter.restore()

    def text_rect(self, cell: QRect) -> QRect:
        return cell.adjusted(self.pad_x, self.pad_y, -self.pad_x, -self.pad_y)

    def sizeHint(self, option, index) -> QSize:
        opt = QStyleOptionViewItem(option)
        if opt.rect.width() > 2 * self.pad_x:
            opt.rect = opt.rect.adjusted(0, 0, -2 * self.pad_x, 0)  # wrap as narrow as the text is drawn
        s = super().sizeHint(opt, index)
        return QSize(s.width() + 2 * self.pad_x, s.height() + 2 * self.pad_y)


def header_width(view: QTableView, column: int) -> int:
    """The width a header section needs to show its text whole (text, margins, sort indicator room)."""
    hh = view.horizontalHeader()
    text = str(view.model().headerData(column, Qt.Orientation.Horizontal) or "")
    opt = QStyleOptionHeader()
    opt.initFrom(hh)
    opt.text = text
    opt.section = column
    size = hh.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, opt, QSize(), hh)
    margin = hh.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, opt, hh)
    return max(size.width(), hh.fontMetrics().horizontalAdvance(text) + 2 * margin + 4)


def content_width(view: QTableView, column: int, pad_x: int = PAD_X) -> int:
    """The single-line width of the longest text of ``column`` (its longest line), with padding."""
    model = view.model()
    fm = view.fontMetrics()
    best = 0
    for row in range(min(model.rowCount(), SAMPLE_ROWS)):
        text = model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
        if text is None:
            continue
        for line in str(text).splitlines() or [""]:
            best = max(best, fm.horizontalAdvance(line))
    return best + 2 * pad_x + 2


def _available(view: QTableView, available: int | None) -> int:
    if available is not None:
        return available
    width = view.viewport().width()
    if not view.isVisible() or width < 50:  # not laid out yet: the widget's own width
        width = view.width() - 2 * view.frameWidth() - view.verticalHeader().width()
    return max(width, 0)


def share_by_content(view: QTableView, available: int | None = None) -> list[int]:
    """Set the columns' widths so that they share ``available`` (default: the viewport's width) in proportion
    to their content; each column at least as wide as its header. Returns the widths set."""
    n = view.model().columnCount()
    if not n:
        return []
    avail = _available(view, available)
    heads = [header_width(view, c) for c in range(n)]
    natural = [max(content_width(view, c), heads[c]) for c in range(n)]
    if sum(natural) <= avail:  # everything fits on one line: spread the rest like the content
        extra = avail - sum(natural)
        total = sum(natural) or 1
        widths = [w + extra * w // total for w in natural]
    elif sum(heads) >= avail:  # not even the headers fit: headers whole, the view scrolls
        widths = heads
    else:  # the headers, and the rest in proportion to what each column's content asks beyond its header
        rest = avail - sum(heads)
        want = [natural[c] - heads[c] for c in range(n)]
        total = sum(want) or 1
        widths = [heads[c] + rest * want[c] // total for c in range(n)]
    for c, w in enumerate(widths):
        view.setColumnWidth(c, w)
    return widths


def give_to_column(view: QTableView, column: int, available: int | None = None, cap: float = 0.2) -> list[int]:
    """Every other column gets its content width (at least its header, at most ``cap`` of ``available``);
    ``column`` takes the rest and is the widest when the width allows it. Returns the widths set."""
    n = view.model().columnCount()
    if not n:
        return []
    avail = _available(view, available)
    heads = [header_width(view, c) for c in range(n)]
    limit = int(avail * cap)
    widths = [max(heads[c], min(content_width(view, c), limit)) for c in range(n)]
    others = sum(w for c, w in enumerate(widths) if c != column)
    widths[column] = max(heads[column], avail - others, max((w for c, w in enumerate(widths) if c != column),
                                                            default=0) + 1)
    for c, w in enumerate(widths):
        view.setColumnWidth(c, w)
    return widths


class _Refit(QObject):
    """Re-applies a width rule when the view's viewport changes width."""

    def __init__(self, view: QTableView, rule):
        super().__init__(view)
        self.rule = rule
        self.last = -1

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and obj.width() != self.last:
            self.last = obj.width()
            self.rule()
        return False


def keep_fitted(view: QTableView, rule) -> None:
    """Run ``rule()`` (e.g. ``lambda: share_by_content(view)``) now and whenever the viewport's width changes.
    The header's sections stay interactive: a person may still drag a border."""
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(False)
    f = _Refit(view, rule)
    view.viewport().installEventFilter(f)
    view._width_rule = f  # keep a reference
    rule()
