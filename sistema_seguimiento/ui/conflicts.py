"""The one dialog for a concurrent edit (issue 17): another official saved what this user was editing.

Used by the capture grid and by every form edit that goes through ``ui.commands`` (ficha, variables, metas, MIR
editor, program form, Configuración). It shows both values, who and when (``str(ConflictError)``) and lets the user
keep theirs (saved again over the stored value) or take the other one (the screen re-reads it)."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from ..services.errors import ConflictError

TEXT = {
    "title": "Otra persona cambió lo que usted editaba",
    "keep": "Conservar mis valores",
    "take": "Tomar los de la base",
}


def ask_keep_mine(parent, exc: ConflictError) -> bool:
    """Both values, who and when (``str(exc)``); True keeps the user's values, False takes the database's."""
    box = QMessageBox(QMessageBox.Icon.Warning, TEXT["title"], str(exc), QMessageBox.StandardButton.NoButton, parent)
    keep = box.addButton(TEXT["keep"], QMessageBox.ButtonRole.AcceptRole)
    box.addButton(TEXT["take"], QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is keep
