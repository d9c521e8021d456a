"""Justification of an indicator's period (causa, efecto, otros motivos, acciones de mejora; under a profile with
the tarjeta de justificación — Estado de México — the four parts hecho, causa, acción correctiva y proyección,
all required) and its evidence files (copied into the program's evidence folder with SHA-256; size limit with a
clear message)."""
from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout)

from ..core import periods
from ..services import justifications as service
from ..services.errors import ServiceError
from .context import AppContext

TEXT = {
    "title": "Justificación — {ind} — {period}",
    "intro": "Explique la desviación del avance (estructura de la SHCP: causa, efecto y otros motivos).",
    "cause": "Causa:", "effect": "Efecto:", "other": "Otros motivos:", "actions": "Acciones de mejora:",
    "title_tarjeta": "Tarjeta de justificación — {ind} — {period}",
    "intro_tarjeta": "Tarjeta de justificación: escriba los cuatro apartados (todos son obligatorios).",
    "fact": "Hecho:", "cause_t": "Causa:", "correction": "Acción correctiva:", "projection": "Proyección:",
    "fact_tip": "Qué pasó: el resultado observado frente a la meta programada.",
    "cause_tip": "Por qué ocurrió la desviación.",
    "correction_tip": "Qué se hará para corregirla.",
    "projection_tip": "Qué resultado se espera alcanzar y cuándo.",
    "evidence": "Evidencias (PDF, imágenes, Excel; máximo 20 MB por archivo):",
    "add": "Agregar archivo…", "remove": "Quitar", "open": "Abrir",
    "filter": "Evidencias (*.pdf *.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp *.xlsx *.xls *.csv *.docx)",
    "save": "Guardar", "cancel": "Cancelar", "close": "Cerrar",
    "item": "{name}  ({size} KB, SHA-256 {sha}…)",
    "readonly": "Solo lectura: el periodo está cerrado o la dependencia no es la suya.",
}


class JustificationDialog(QDialog):
    def __init__(self, ctx: AppContext, indicator_key: str, period: str, parent=None, read_only: bool = False):
        super().__init__(parent)
        self.ctx, self.indicator_key, self.period = ctx, indicator_key, period
        self.read_only = read_only or ctx.read_only
        self.info = service.get(ctx.db, indicator_key, period)
        self.tarjeta = self.info.tarjeta
        title = TEXT["title_tarjeta" if self.tarjeta else "title"]
        self.setWindowTitle(title.format(ind=indicator_key, period=periods.label(period)))
        lay = QVBoxLayout(self)
        intro = TEXT["intro_tarjeta" if self.tarjeta else "intro"]
        lay.addWidget(QLabel(intro if not self.read_only else TEXT["readonly"], self))
        form = QFormLayout()
        self.edits = {}
        if self.tarjeta:
            fields = (("fact", "fact", "fact_tip"), ("cause", "cause_t", "cause_tip"),
                      ("improvement_actions", "correction", "correction_tip"),
                      ("projection", "projection", "projection_tip"))
        else:
            fields = (("cause", "cause", None), ("effect", "effect", None), ("other_reasons", "other", None),
                      ("improvement_actions", "actions", None))
        for attr, key, tip in fields:
            e = QPlainTextEdit(getattr(self.info, attr) or "", self)
            e.setReadOnly(self.read_only)
            e.setMinimumHeight(56)
            if tip:
                e.setToolTip(TEXT[tip])
                e.setPlaceholderText(TEXT[tip])
            self.edits[attr] = e
            form.addRow(TEXT[key], e)
        lay.addLayout(form)
        lay.addWidget(QLabel(TEXT["evidence"], self))
        self.files = QListWidget(self)
        lay.addWidget(self.files)
        row = QHBoxLayout()
        self.add_btn = QPushButton(TEXT["add"], self)
        self.add_btn.clicked.connect(self.choose_file)
        self.remove_btn = QPushButton(TEXT["remove"], self)
        self.remove_btn.clicked.connect(self.remove_selected)
        open_btn = QPushButton(TEXT["open"], self)
        open_btn.clicked.connect(self.open_selected)
        for b in (self.add_btn, self.remove_btn, open_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.add_btn.setEnabled(not self.read_only)
        self.remove_btn.setEnabled(not self.read_only)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #a00000;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        if self.read_only:
            buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton(TEXT["save"], QDialogButtonBox.ButtonRole.AcceptRole)
            buttons.addButton(TEXT["cancel"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._fill_files()
        self.resize(640, 560)

    def _fill_files(self) -> None:
        self.files.clear()
        for e in self.info.evidence:
            item = QListWidgetItem(TEXT["item"].format(name=e.filename, size=max(1, e.size // 1024), sha=e.sha256[:12]))
            item.setData(256, e.id)
            item.setToolTip(str(e.stored_path))
            self.files.addItem(item)

    def add_file(self, path: str) -> bool:
        try:
            service.add_evidence(self.ctx.db, self.ctx.user, self.indicator_key, self.period, path)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("")
        self.info = service.get(self.ctx.db, self.indicator_key, self.period)
        self._fill_files()
        return True

    def choose_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, TEXT["add"], "", TEXT["filter"])
        for p in paths:
            self.add_file(p)

    def remove_selected(self) -> None:
        item = self.files.currentItem()
        if item is None:
            return
        try:
            service.remove_evidence(self.ctx.db, self.ctx.user, int(item.data(256)))
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.info = service.get(self.ctx.db, self.indicator_key, self.period)
        self._fill_files()

    def open_selected(self) -> None:
        item = self.files.currentItem()
        if item is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(item.toolTip()))

    def save(self) -> bool:
        try:
            self.info = service.save(self.ctx.db, self.ctx.user, self.indicator_key, self.period,
                                     **{k: e.toPlainText() for k, e in self.edits.items()})
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.ctx.notify("justification", self.indicator_key)
        self.accept()
        return True
