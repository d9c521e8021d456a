"""MIR columns share the width by content with padding from the cell borders; the ficha's variables table gives
its width to the name column (issue 15). Widths are computed on real widgets (offscreen)."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from sistema_seguimiento.ui.table_widths import PAD_X, PAD_Y, content_width, header_width


def _headers_whole(view):
    hh = view.horizontalHeader()
    model = view.model()
    for c in range(model.columnCount()):
        text = model.headerData(c, Qt.Orientation.Horizontal)
        assert hh.sectionSize(c) >= hh.fontMetrics().horizontalAdvance(text) + 8, text
        assert hh.sectionSize(c) >= header_width(view, c), text


def _padding(view, index):
    delegate = view.itemDelegateForIndex(index)
    opt = QStyleOptionViewItem()
    opt.initFrom(view)
    opt.rect = QRect(0, 0, 400, 30)
    text = str(index.data())
    hint = delegate.sizeHint(opt, index)
    assert hint.height() >= view.fontMetrics().height() + 2 * PAD_Y
    inner = delegate.text_rect(QRect(0, 0, 400, 30))
    assert inner.left() == PAD_X and inner.top() == PAD_Y and inner.right() == 399 - PAD_X
    return text


def test_mir_columns_share_the_width_by_content(qtbot, ctx):
    from sistema_seguimiento.ui.mir_editor import MirEditor

    w = MirEditor(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 700)
    w.show()
    w.set_program("E001")
    qtbot.waitExposed(w)
    view = w.view
    n = view.model().columnCount()
    widths = [view.columnWidth(c) for c in range(n)]
    avail = view.viewport().width()
    assert abs(sum(widths) - avail) <= n  # the columns fill the view, no stretched last column
    _headers_whole(view)
    # in proportion to the content beyond the header: the column with more text is the wider one
    want = [content_width(view, c) - header_width(view, c) for c in range(n)]
    extra = [widths[c] - header_width(view, c) for c in range(n)]
    order = sorted(range(n), key=lambda c: want[c])
    assert [extra[c] for c in order] == sorted(extra)
    assert extra[order[-1]] > extra[order[0]]
    _padding(view, view.model().index(0, 0))
    # a narrower window: still no header cut, still filling the view
    w.resize(900, 700)
    qtbot.wait(50)
    _headers_whole(view)
    assert abs(sum(view.columnWidth(c) for c in range(n)) - view.viewport().width()) <= n


def test_ficha_variables_give_the_width_to_the_name(qtbot, ctx):
    from sistema_seguimiento.ui.ficha import FichaView, VariablesModel

    w = FichaView(ctx)
    qtbot.addWidget(w)
    w.resize(1100, 800)
    w.show()
    w.set_indicator("E001-C1-01")
    qtbot.waitExposed(w)
    view = w.var_view
    assert view.model().rowCount() >= 2
    name = VariablesModel.FIELDS.index("name")
    widths = [view.columnWidth(c) for c in range(view.model().columnCount())]
    assert widths[name] == max(widths) and widths.count(widths[name]) == 1
    assert sum(widths) >= view.viewport().width() - len(widths)
    _headers_whole(view)
    _padding(view, view.model().index(0, name))
