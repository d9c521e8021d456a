"""Validation dock: every rule violation (ID, severity, Spanish message) of the fiscal year, recomputed in a
worker (ui.worker.run_task) a moment after each edit so the window never freezes. Double click goes to the
field; «¿Por qué?» explains the rule."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.types import Finding
from shiboken6 import isValid

from .context import AppContext
from .worker import run_task

TEXT = {
    "title": "Validación",
    "headers": ["Regla", "Severidad", "Programa", "Elemento", "Mensaje"],
    "sev": {"error": "Error", "warning": "Advertencia", "info": "Aviso"},
    "scope_all": "Todos los programas", "scope_program": "Programa actual",
    "sev_all": "Todas las severidades", "sev_error": "Solo errores",
    "why": "¿Por qué?",
    "why_tip": "Explica la regla seleccionada y cómo corregirla",
    "view_tip": "Doble clic o Intro: ir al campo. Clic derecho o «¿Por qué?»: explicación de la regla.",
    "goto": "Ir al campo", "why_menu": "¿Por qué? Explicación de la regla",
    "running": "Revisando…",
    "pick_program": "Base grande: se revisa el programa seleccionado. Elija «Todos los programas» para revisar "
                    "todo el ejercicio (en segundo plano).",
    "summary": "{e} errores, {w} advertencias, {i} avisos",
    "ok": "Sin observaciones: todas las reglas se cumplen.",
    "failed": "No se pudo revisar: {error}",
}
_COLORS = {"error": QColor("#b3261e"), "warning": QColor("#8a5a00"), "info": QColor("#35618a")}


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Finding] = []

    def set_rows(self, rows: list[Finding]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(TEXT["headers"])

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TEXT["headers"][section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        f = self.rows[index.row()]
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == 0:
                return f.rule_id
            if c == 1:
                return TEXT["sev"].get(f.severity, f.severity)
            if c == 2:
                return f.program or ""
            if c == 3:
                return f.indicator or f.objective or ""
            return f.message
        if role == Qt.ItemDataRole.ForegroundRole and c == 1:
            return QBrush(_COLORS.get(f.severity, QColor("black")))
        if role == Qt.ItemDataRole.UserRole:
            return f
        return None


class ValidationPanel(QDockWidget):
    goto = Signal(object)  # Finding
    explain = Signal(str)  # rule id

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(TEXT["title"], parent)
        self.setObjectName("dock_validacion")
        self.ctx = ctx
        self.current_program: str | None = None
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.scope = QComboBox(body)
        self.scope.addItems([TEXT["scope_all"], TEXT["scope_program"]])
        self.severity = QComboBox(body)
        self.severity.addItems([TEXT["sev_all"], TEXT["sev_error"]])
        self.summary = QLabel("", body)
        self.why = QPushButton(TEXT["why"], body)
        self.why.setToolTip(TEXT["why_tip"])
        bar.addWidget(self.scope)
        bar.addWidget(self.severity)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.why)
        lay.addLayout(bar)
        self.model = FindingsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(body)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        hh = self.view.horizontalHeader()
        for c in range(4):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        lay.addWidget(self.view)
        self.setWidget(body)
        self.setMinimumHeight(120)
        self.view.setToolTip(TEXT["view_tip"])
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        go = QAction(TEXT["goto"], self.view)
        go.triggered.connect(lambda: self.view.currentIndex().isValid() and self._goto(self.view.currentIndex()))
        why = QAction(TEXT["why_menu"], self.view)
        why.triggered.connect(self._explain)
        self.view.addAction(go)
        self.view.addAction(why)
        self.view.doubleClicked.connect(self._goto)
        self.view.activated.connect(self._goto)
        self.why.clicked.connect(self._explain)
        self.view.selectionModel().currentChanged.connect(self._selected_changed)
        self.why.setEnabled(False)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.severity.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self._all: list[Finding] = []
        self._scope_chosen = False
        self._generation = 0
        self._running = False
        self._pending = False
        self._full_needed = True  # the next run validates the whole year
        self._dirty: set[str] = set()  # programs to revalidate (after edits)
        self._has_full = False
        self._validated: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self.refresh)
        ctx.dataChanged.connect(self._data_changed)

    def _data_changed(self, entity: str, key: str) -> None:
        """Edits of one program revalidate only that program (an estado-scale database takes a minute to
        validate whole); catalog, settings or year changes revalidate everything."""
        if entity == "program" and key:
            self._dirty.add(key)
            if self.current_program and self.current_program != key:
                self._dirty.add(self.current_program)  # e.g. a renamed key
        elif entity in ("indicator", "objective", "measurement", "target") and self.current_program:
            self._dirty.add(self.current_program)
        else:
            self._full_needed = True
        self.schedule()

    def schedule(self) -> None:
        self._timer.start()

    LARGE = 150  # programs in the year above which only the current program is validated by default

    def _is_large(self) -> bool:
        if not hasattr(self, "_large"):
            from ..services import editing as ed

            self._large = sum(n for _k, _t, n in ed.tree_agencies(self.ctx.db, self.ctx.year)) > self.LARGE
            if self._large:
                self.scope.blockSignals(True)
                self.scope.setCurrentIndex(1)
                self.scope.blockSignals(False)
        return self._large

    def _scope_changed(self, index: int) -> None:
        self._scope_chosen = True
        if index == 0 and self._is_large() and not self._has_full:
            self._full_needed = True  # the whole year was not validated yet: do it now (in the background)
            self.schedule()
        self._apply_filter()

    def set_program(self, program: str | None) -> None:
        changed = program != self.current_program
        self.current_program = program
        if changed and program and self.scope.currentIndex() == 0 and not self._scope_chosen:
            self.scope.blockSignals(True)  # the dock follows the program being edited (the user may widen it)
            self.scope.setCurrentIndex(1)
            self.scope.blockSignals(False)
        if changed and program and self._is_large() and not self._has_full and \
                not any(f.program == program for f in self._all) and program not in self._validated:
            self._dirty.add(program)
            self.schedule()
        if self.scope.currentIndex() == 1:
            self._apply_filter()

    def refresh(self) -> None:
        """Validate in a worker; if an edit arrives meanwhile, run once more when it ends."""
        if self._running:
            self._pending = True
            return
        self._running = True
        self._generation += 1
        gen = self._generation
        full = self._full_needed or not self._all and not self._dirty
        if full and self._is_large() and self.scope.currentIndex() == 1:
            # a state-size database takes about a minute to validate whole: the current program only
            full = False
            if self.current_program:
                self._dirty.add(self.current_program)
            if not self._dirty:
                self._running = False
                self._full_needed = False
                self.summary.setText(TEXT["pick_program"])
                return
        programs = set() if full else set(self._dirty)
        self._validated |= programs
        self._full_needed = False
        self._dirty = set()
        self.summary.setText(TEXT["running"])
        db, year = self.ctx.db, self.ctx.year

        def work(control):
            from ..services.errors import NotFound
            from ..services.validation import validate_database

            if full:
                return None, validate_database(db, year=year)
            found = []
            for p in sorted(programs):
                control.check()
                try:
                    found += validate_database(db, program_key=p, year=year)
                except NotFound:  # the program no longer exists (deleted, or an undone creation)
                    pass
            return programs, found

        def done(result):
            if not isValid(self):
                return
            self._finish()
            scope, findings = result
            if scope is None:
                self._has_full = True
                self._all = findings
            else:
                order = {"error": 0, "warning": 1, "info": 2}
                kept = [f for f in self._all if f.program not in scope]
                self._all = sorted(kept + findings, key=lambda f: (f.program or "", order.get(f.severity, 3)))
            self._apply_filter()

        def failed(exc, tb):
            if not isValid(self):
                return
            self._finish()
            self.summary.setText(TEXT["failed"].format(error=exc))

        run_task(work, on_done=done, on_error=failed, parent=self)

    def _finish(self) -> None:
        self._running = False
        if self._pending:
            self._pending = False
            self.schedule()

    def own_programs(self) -> set[str] | None:
        """A capturista sees the findings of its own dependencia's programs only; None: everything."""
        user = self.ctx.user
        if user.role != "capturista":
            return None
        if getattr(self, "_own", None) is None:
            from ..services import editing as ed

            self._own = {p["key"] for p in ed.program_overview(self.ctx.db, self.ctx.year)
                         if p["agency_key"] == user.agency_key}
        return self._own

    def _apply_filter(self) -> None:
        selected = self._selected()
        rows = self._all
        own = self.own_programs()
        if own is not None:
            rows = [f for f in rows if f.program in own]
        if self.scope.currentIndex() == 1 and self.current_program:
            rows = [f for f in rows if f.program == self.current_program]
        if self.severity.currentIndex() == 1:
            rows = [f for f in rows if f.severity == "error"]
        # errors before warnings before notices; within a severity the program being edited first
        rank = {"error": 0, "warning": 1, "info": 2}
        rows = sorted(rows, key=lambda f: (rank.get(f.severity, 3), f.program != self.current_program))
        self.model.set_rows(rows)
        if selected is not None and selected in rows:  # keep the finding the user is working on selected
            src = self.model.index(rows.index(selected), 0)
            self.view.setCurrentIndex(self.proxy.mapFromSource(src))
        counts = {k: sum(1 for f in rows if f.severity == k) for k in ("error", "warning", "info")}
        self.summary.setText(TEXT["summary"].format(e=counts["error"], w=counts["warning"], i=counts["info"])
                             if rows else TEXT["ok"])

    def findings(self) -> list[Finding]:
        return list(self.model.rows)

    def _selected(self) -> Finding | None:
        idx = self.view.currentIndex()
        return idx.data(Qt.ItemDataRole.UserRole) if idx.isValid() else None

    def _goto(self, index: QModelIndex) -> None:
        f = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole) or self.model.rows[self.proxy.mapToSource(index).row()]
        self.goto.emit(f)

    def _selected_changed(self, current, _previous) -> None:
        f = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.why.setEnabled(f is not None)
        if f is not None:
            self.why.setText(f"{TEXT['why']} ({f.rule_id})")

    def _explain(self) -> None:
        f = self._selected()
        if f is not None:
            self.explain.emit(f.rule_id)
