"""No dialog larger than its screen (issue 15): at 150 % on a 1920×1080 screen only 1280×720 logical pixels are
available, less on a 1366×768 laptop. :func:`install` puts an application-wide filter that, when a dialog is
shown, gives a dialog whose content is taller (or wider) than the screen a scroll area for that content (its
buttons stay below it), then shrinks the dialog to the available geometry and moves it inside the screen."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QFrame, QHeaderView, \
    QMessageBox, QScrollArea, QTreeView, QVBoxLayout, QWidget

MARGIN = 8  # logical pixels kept free around a dialog that fills the screen
FRAME_W, FRAME_H = 8, 36  # a window manager's border and title bar, before the real ones are known


def _scroll_content(dialog: QDialog) -> None:
    """Move the dialog's layout into a scroll area; a button box at the end of it stays outside."""
    lay = dialog.layout()
    if lay is None or dialog.property("ses_scrolls"):
        return
    buttons = None
    last = lay.itemAt(lay.count() - 1) if lay.count() else None
    if last is not None and isinstance(last.widget(), QDialogButtonBox):
        buttons = last.widget()
        lay.takeAt(lay.count() - 1)
    shown = [w for w in dialog.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
             if w.isVisibleTo(dialog) and not w.isWindow()]
    inner = QWidget()
    inner.setLayout(lay)  # re-parents the layout's widgets to ``inner`` (which hides them)
    for w in shown:
        if w.parent() is inner:
            w.show()
    area = QScrollArea(dialog)
    area.setObjectName("ses_dialog_scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    outer = QVBoxLayout(dialog)
    outer.addWidget(area, 1)
    if buttons is not None:
        outer.addWidget(buttons)
        buttons.show()
    area.show()
    dialog.setProperty("ses_scrolls", True)


def fit_to_screen(dialog: QDialog) -> None:
    """Scroll the content when it cannot fit, then keep the dialog's frame inside the available geometry."""
    screen = dialog.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    avail: QRect = screen.availableGeometry()
    # the window manager's frame is not known before the first show: room for a title bar is kept anyway
    frame_extra_w = max(dialog.frameGeometry().width() - dialog.width(), FRAME_W)
    frame_extra_h = max(dialog.frameGeometry().height() - dialog.height(), FRAME_H)
    max_w = avail.width() - frame_extra_w - 2 * MARGIN
    max_h = avail.height() - frame_extra_h - 2 * MARGIN
    hint = dialog.minimumSizeHint()
    width = dialog.width()
    if isinstance(dialog, QFileDialog):  # Qt's own file dialog: room for «Última modificación» and the sizes
        width = max(width, 900)
        for tree in dialog.findChildren(QTreeView):
            head = tree.header()
            head.setStretchLastSection(False)
            head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for c in range(1, head.count()):
                head.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    if (hint.height() > max_h or hint.width() > max_w) and not isinstance(dialog, (QMessageBox, QFileDialog)):
        _scroll_content(dialog)
        area = dialog.findChild(QScrollArea, "ses_dialog_scroll")
        if area is not None:  # wide enough for the content (as it was) beside the vertical scroll bar
            m = dialog.layout().contentsMargins()  # the outer layout's margins come on top of the content's
            width = max(width, hint.width() + m.left() + m.right() + area.verticalScrollBar().sizeHint().width()
                        + 2 * area.frameWidth() + 4)
    # a minimum size set by the dialog itself gives way to the screen
    dialog.setMinimumSize(min(dialog.minimumWidth(), max_w), min(dialog.minimumHeight(), max_h))
    w, h = min(width, max_w), min(dialog.height(), max_h)
    if (w, h) != (dialog.width(), dialog.height()):
        dialog.resize(w, h)
    g = dialog.frameGeometry()
    x = min(max(g.x(), avail.x()), avail.right() - g.width() + 1)
    y = min(max(g.y(), avail.y()), avail.bottom() - g.height() + 1)
    if (x, y) != (g.x(), g.y()):
        dialog.move(x, y)


class _Filter(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(obj, QDialog) and obj.isWindow():
            fit_to_screen(obj)
        return False


_FILTER: list[_Filter] = []


def install(app: QApplication) -> None:
    """Once per application: every dialog shown afterwards fits its screen."""
    if not _FILTER:
        f = _Filter(app)
        app.installEventFilter(f)
        _FILTER.append(f)
