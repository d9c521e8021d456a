"""Ayuda → «Acerca de SES»: program, schema, Python and Qt versions (as ``ses --version``), the open file, the
data and log folders with buttons that open them in the file manager."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from . import registry
from .help_texts import ABOUT

TEXT = {
    "action": "&Acerca de SES",
    "title": "Acerca de SES",
    "data": "Carpeta de datos:",
    "logs": "Carpeta de registros:",
    "backups": "Carpeta de respaldos:",
    "file": "Archivo abierto:",
    "open": "Abrir carpeta",
    "open_tip": "Abrir «{path}» en el explorador de archivos",
    "close": "Cerrar",
    "no_file": "(ninguno)",
}


def _path_field(text: str, parent) -> QLineEdit:
    """A path shown whole on any screen: a read-only field that scrolls (and copies) instead of a label that a
    narrow dialog would cut; the tooltip repeats it."""
    field = QLineEdit(text, parent)
    field.setReadOnly(True)
    field.setFrame(False)
    field.setToolTip(text)
    field.setCursorPosition(0)
    field.setMinimumWidth(min(field.fontMetrics().horizontalAdvance(text) + 12, 360))
    field.setStyleSheet("QLineEdit { background: transparent; }")
    return field


class AboutDialog(QDialog):
    def __init__(self, db_path: Path | None = None, parent=None):
        super().__init__(parent)
        from ..paths import backups_dir, data_dir, log_dir
        from ..version import version_lines

        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        head = QLabel(self)
        icon = self.windowIcon() if not parent else parent.windowIcon()
        if not icon.isNull():
            head.setPixmap(icon.pixmap(64, 64))
        top = QGridLayout()
        top.addWidget(head, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        intro = QLabel(ABOUT, self)
        intro.setWordWrap(True)
        top.addWidget(intro, 0, 1)
        self.versions = QLabel("<br>".join(html.escape(x) for x in version_lines()), self)
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.versions, 1, 1)
        lay.addLayout(top)
        grid = QGridLayout()
        self.folders = {"data": data_dir(), "logs": log_dir(), "backups": backups_dir()}
        self.open_buttons: dict[str, QPushButton] = {}
        row = 0
        file_label = _path_field(str(db_path) if db_path else TEXT["no_file"], self)
        grid.addWidget(QLabel(TEXT["file"], self), row, 0)
        grid.addWidget(file_label, row, 1)
        for key, path in self.folders.items():
            row += 1
            value = _path_field(str(path), self)
            button = QPushButton(TEXT["open"], self)
            button.setToolTip(TEXT["open_tip"].format(path=path))
            button.clicked.connect(lambda _c=False, p=path: self.open_folder(p))
            grid.addWidget(QLabel(TEXT[key], self), row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(button, row, 2)
            self.open_buttons[key] = button
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        bb.button(QDialogButtonBox.StandardButton.Close).setText(TEXT["close"])
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.opened: list[Path] = []

    def open_folder(self, path: Path) -> bool:
        Path(path).mkdir(parents=True, exist_ok=True)
        self.opened.append(Path(path))
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_about(ctx, window) -> None:
    AboutDialog(getattr(ctx.db, "path", None), window).exec()


registry.register_action(registry.ActionSpec(menu="Ayuda", text=TEXT["action"], callback=show_about, order=900))
