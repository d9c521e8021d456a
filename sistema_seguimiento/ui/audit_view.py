"""Bitácora: the filterable global audit log (or one indicator's history), exportable to CSV."""
from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout)

from ..services import audit_log
from .context import AppContext

TEXT = {
    "title": "Bitácora de cambios", "title_ind": "Historial del indicador {ind}",
    "user": "Usuario:", "entity": "Entidad:", "text": "Buscar:", "indicator": "Indicador:", "all": "Todos",
    "export": "Exportar CSV…", "close": "Cerrar", "count": "{n} registro(s)", "exported": "Exportado: {path}",
    "csv": "CSV (*.csv)", "dates": "Entre fechas:", "to": "y",
}


class AuditModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[audit_log.AuditRow] = []
        self._cells: list[list[str]] = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = rows
        self._cells = [r.as_list() for r in rows]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(audit_log.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return audit_log.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        return None


class AuditDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None, indicator: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(TEXT["title_ind"].format(ind=indicator) if indicator else TEXT["title"])
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        opts = audit_log.distinct_values(ctx.db)
        self.user = QComboBox(self)
        self.user.addItem(TEXT["all"], None)
        for u in opts["users"]:
            self.user.addItem(u, u)
        self.entity = QComboBox(self)
        self.entity.addItem(TEXT["all"], None)
        for e in opts["entities"]:
            self.entity.addItem(audit_log.ENTITY_LABELS.get(e, e), e)
        self.indicator = QLineEdit(indicator or "", self)
        self.text = QLineEdit(self)
        for lbl, w in ((TEXT["user"], self.user), (TEXT["entity"], self.entity), (TEXT["indicator"], self.indicator),
                       (TEXT["text"], self.text)):
            top.addWidget(QLabel(lbl, self))
            top.addWidget(w)
        lay.addLayout(top)
        dates = QHBoxLayout()
        self.use_dates = QCheckBox(TEXT["dates"], self)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addMonths(-1), self)
        self.until = QDateEdit(today, self)
        for w in (self.since, self.until):
            w.setCalendarPopup(True)
            w.setDisplayFormat("dd/MM/yyyy")
            w.dateChanged.connect(self.refresh)
        self.use_dates.toggled.connect(self.refresh)
        dates.addWidget(self.use_dates)
        dates.addWidget(self.since)
        dates.addWidget(QLabel(TEXT["to"], self))
        dates.addWidget(self.until)
        dates.addStretch(1)
        lay.addLayout(dates)
        self.model = AuditModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count = QLabel(self)
        bottom.addWidget(self.count, 1)
        exp = QPushButton(TEXT["export"], self)
        exp.clicked.connect(self.choose_export)
        close = QPushButton(TEXT["close"], self)
        close.clicked.connect(self.accept)
        bottom.addWidget(exp)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        for w in (self.user, self.entity):
            w.currentIndexChanged.connect(self.refresh)
        for w in (self.indicator, self.text):
            w.editingFinished.connect(self.refresh)
        self.refresh()
        self.resize(1100, 560)

    def refresh(self) -> None:
        since = until = None
        if self.use_dates.isChecked():
            since = datetime.combine(self.since.date().toPython(), time.min)
            until = datetime.combine(self.until.date().toPython(), time.max)
        rows = audit_log.query(self.ctx.db, user=self.user.currentData(), entity=self.entity.currentData(),
                               indicator=self.indicator.text().strip() or None, text=self.text.text().strip() or None,
                               since=since, until=until, limit=20_000)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.count.setText(TEXT["count"].format(n=len(rows)))

    def export(self, path: str) -> None:
        audit_log.export_csv(self.model.rows, path)
        self.count.setText(TEXT["exported"].format(path=path))

    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, TEXT["export"], "bitacora.csv", TEXT["csv"])
        if path:
            self.export(path)
