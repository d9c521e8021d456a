"""Help windows: the «Guía rápida» (F1) and the explanation of a validation rule or a ficha field."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from . import help_texts

TEXT = {"guide": "Guía rápida", "rule": "¿Por qué esta regla?", "close": "Cerrar"}


class HelpDialog(QDialog):
    def __init__(self, title: str, html: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(560, 480)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(plan_text(html, parent))
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(TEXT["close"])
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def plan_text(html: str, widget: QWidget | None = None) -> str:
    """``html`` with ``help_texts.PLAN_MARK`` replaced by the plan's name chosen in Configuración (read from the
    database of the window ``widget`` belongs to; the default name without one)."""
    if help_texts.PLAN_MARK not in html:
        return html
    from ..core.plan_name import GOBIERNO, NAMES

    name = NAMES[GOBIERNO]
    w = widget
    while w is not None and getattr(w, "ctx", None) is None:
        w = w.parentWidget()
    if w is not None:
        from ..services.plan_setting import current_plan_name

        try:
            name = current_plan_name(w.ctx.db)
        except Exception:  # noqa: BLE001 - an unreadable database keeps the default name in a help text
            pass
    return html.replace(help_texts.PLAN_MARK, name)


_OPEN: list[HelpDialog] = []


def _show(title: str, html: str, parent: QWidget | None) -> HelpDialog:
    dlg = HelpDialog(title, html, parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _OPEN.append(dlg)
    dlg.destroyed.connect(lambda *_: _OPEN.remove(dlg) if dlg in _OPEN else None)
    dlg.show()
    return dlg


def show_guide(parent: QWidget | None = None, topic: str | None = None) -> HelpDialog:
    """The guide; with ``topic`` (a key of help_texts.GUIDE_TOPICS) scrolled to that section."""
    title = TEXT["guide"]
    if topic in help_texts.GUIDE_TOPICS:
        title += " — " + help_texts.GUIDE_TOPICS[topic]
    dlg = _show(title, help_texts.GUIA_RAPIDA, parent)
    dlg.topic = topic if topic in help_texts.GUIDE_TOPICS else None
    if dlg.topic:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: dlg.browser.scrollToAnchor(topic))  # once laid out
    return dlg


def show_rule(rule_id: str, parent: QWidget | None = None) -> HelpDialog:
    return _show(f"{TEXT['rule']} — {rule_id}", help_texts.rule_html(rule_id), parent)


def show_field(field: str, parent: QWidget | None = None) -> HelpDialog:
    return _show(help_texts.FIELD_HELP.get(field, (field,))[0], help_texts.field_html(field), parent)
