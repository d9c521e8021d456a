"""Does a window fit its screen, and is any title, label, button or column header cut? (issue 15)

Used by ``tools/screenshots.py --dialogos`` (printed beside each capture) and by the tests that open every dialog
on a small screen. Only what is visible is checked; rich-text and word-wrapped labels wrap instead of being cut.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QCheckBox, QGroupBox, QHeaderView, QLabel,
                               QPushButton, QRadioButton, QStyle, QStyleOptionButton, QWidget)


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def fit_problems(window: QWidget) -> list[str]:
    """Spanish descriptions of what does not fit: the window against its screen's available geometry, then each
    cut text («etiqueta», «botón», «grupo», «encabezado»). Empty when everything fits."""
    out: list[str] = []
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    frame = window.frameGeometry()
    if screen is not None and (frame.width() > screen.width() or frame.height() > screen.height()):
        out.append(f"ventana {frame.width()}×{frame.height()} mayor que la pantalla "
                   f"{screen.width()}×{screen.height()}")
    for lab in window.findChildren(QLabel):
        if not _shown(lab) or lab.wordWrap() or not lab.text() or lab.pixmap() is not None and not lab.pixmap().isNull():
            continue
        if GuiQt.mightBeRichText(lab.text()) or lab.textFormat() == Qt.TextFormat.RichText:
            continue
        need = max(lab.fontMetrics().horizontalAdvance(line) for line in _plain(lab.text()).splitlines() or [""])
        room = lab.contentsRect().width() - 2 * lab.margin() - lab.indent() if lab.indent() > 0 else \
            lab.contentsRect().width() - 2 * lab.margin()
        if need > room + 1:
            out.append(f"etiqueta cortada «{_plain(lab.text())[:60]}» ({need} > {room} px)")
    for btn in window.findChildren(QAbstractButton):
        if not _shown(btn) or not btn.text() or not isinstance(btn, (QPushButton, QCheckBox, QRadioButton)):
            continue
        text = _plain(btn.text())
        need = btn.fontMetrics().horizontalAdvance(text)
        if isinstance(btn, QPushButton):
            opt = QStyleOptionButton()
            opt.initFrom(btn)
            margin = btn.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, opt, btn)
            room = btn.width() - margin - (btn.iconSize().width() + 4 if not btn.icon().isNull() else 0)
        else:
            ind = btn.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, btn)
            room = btn.width() - ind - 4
        if need > room + 1:
            out.append(f"botón cortado «{text[:60]}» ({need} > {room} px)")
    for box in window.findChildren(QGroupBox):
        if _shown(box) and box.title():
            need = box.fontMetrics().horizontalAdvance(_plain(box.title()))
            if need > box.width() - 8:
                out.append(f"grupo cortado «{_plain(box.title())[:60]}» ({need} > {box.width() - 8} px)")
    for view in window.findChildren(QAbstractItemView):
        if not _shown(view) or view.model() is None:
            continue
        header = getattr(view, "horizontalHeader", None) or getattr(view, "header", None)  # tables, trees
        hh: QHeaderView | None = header() if header is not None else None
        if hh is None or not hh.isVisible():
            continue
        for c in range(view.model().columnCount()):
            if hh.isSectionHidden(c) or hh.sectionSize(c) <= 0:
                continue
            text = str(view.model().headerData(c, Qt.Orientation.Horizontal) or "")
            if not text:
                continue
            need = max(hh.fontMetrics().horizontalAdvance(line) for line in text.splitlines())
            room = hh.sectionSize(c) - 2 * hh.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, hh)
            if need > room + 1:
                out.append(f"encabezado cortado «{text[:60]}» ({need} > {room} px)")
    return out
