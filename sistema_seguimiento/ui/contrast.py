"""Readable secondary text: WCAG 2 contrast ratio and a muted colour that still reaches 4.5:1 on the background."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def secondary_text_color(palette: QPalette, minimum: float = 4.5) -> str:
    """A colour between the text and the window colours, as muted as possible with ``minimum`` contrast."""
    text, bg = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    best = text
    for step in range(10, -1, -1):  # from 100 % background towards the text colour
        t = step / 10 * 0.6  # at most 60 % of the way to the background
        c = QColor.fromRgbF(text.redF() + (bg.redF() - text.redF()) * t,
                            text.greenF() + (bg.greenF() - text.greenF()) * t,
                            text.blueF() + (bg.blueF() - text.blueF()) * t)
        if contrast_ratio(c, bg) >= minimum:
            best = c
            break
    return best.name()
