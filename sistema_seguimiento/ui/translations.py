"""Qt's own dialogs (file dialogs, standard buttons, context menus) in Mexican Spanish.

PySide6-Essentials ships ``qtbase_es.qm`` in its translations folder (``QLibraryInfo.TranslationsPath``); it is
written in the Spanish of Spain («fichero», «directorio»). ``MexicanTranslator`` sits in front of it and replaces
those words with the ones a Mexican office uses («archivo», «carpeta»)."""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

# Spain → Mexico, whole words, keeping the capital letter
WORDS = {"fichero": "archivo", "ficheros": "archivos", "directorio": "carpeta", "directorios": "carpetas",
         "ordenador": "computadora", "Ver en:": "Buscar en:"}
_WORD_RE = re.compile(r"\b(" + "|".join(sorted((w for w in WORDS if " " not in w), key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)


def mexican(text: str) -> str:
    if not text:
        return text
    if text in WORDS:
        return WORDS[text]

    def swap(m: re.Match) -> str:
        word = m.group(0)
        new = WORDS[word.lower()]
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return _WORD_RE.sub(swap, text)


class MexicanTranslator(QTranslator):
    """Asks Qt's Spanish catalog and returns its text with Mexican words."""

    def __init__(self, base: QTranslator, parent=None):
        super().__init__(parent)
        self.base = base

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return self.base.isEmpty()

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt override
        text = self.base.translate(context, source, disambiguation, n)
        return mexican(text) if text else text


def install_qt_spanish(app: QCoreApplication) -> QTranslator | None:
    """Install qtbase_es (from PySide6's translations folder) behind the Mexican word list; None if missing."""
    base = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not base.load(QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico), "qtbase", "_", folder):
        return None
    tr = MexicanTranslator(base, app)
    app.installTranslator(tr)
    return tr
