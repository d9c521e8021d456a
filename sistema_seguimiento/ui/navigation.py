"""Navigation tree on the left: Ejercicio → Dependencia → Programa → MIR objectives → Indicadores.

``NavigationModel`` is a QAbstractItemModel that loads each level only when it is expanded (canFetchMore /
fetchMore) through small service queries. The filter box (Ctrl+F) searches the whole year in a worker
(services.editing.search, accent- and case-insensitive) and shows the hits in a list instead of the tree.
"""
from __future__ import annotations

from PySide6.QtCore import (QAbstractItemModel, QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer,
                            Signal)
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QStackedWidget, QTreeView, QVBoxLayout, QWidget

from ..core.types import label
from ..services import editing as ed
from shiboken6 import isValid

from .context import AppContext, Selection
from .worker import run_task

TEXT = {
    "filter": "Buscar programa o indicador (Ctrl+F)",
    "year": "Ejercicio {year}",
    "no_hits": "Sin resultados para «{text}».",
    "hits": "{n} resultado(s)",
    "searching": "Buscando…",
    "program_tip": "Programa {key}: doble clic para abrir la MIR",
}
LEVEL_SHORT = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}


class Node:
    __slots__ = ("kind", "key", "text", "program", "parent", "children", "tip", "row", "payload")

    def __init__(self, kind: str, key: str, text: str, parent: "Node | None", program: str | None = None,
                 tip: str = "", payload=None):
        self.kind, self.key, self.text, self.parent, self.program = kind, key, text, parent, program
        self.children: list[Node] | None = None  # None = not loaded yet
        self.tip = tip
        self.row = 0
        self.payload = payload

    def has_children(self) -> bool:
        if self.children is not None:
            return bool(self.children)
        return self.kind in ("root", "year", "agency", "program")


class NavigationModel(QAbstractItemModel):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.root = Node("root", "", "", None)
        self.root.children = [Node("year", str(ctx.year), TEXT["year"].format(year=ctx.year), self.root)]

    # ---- structure --------------------------------------------------------------------------
    def node(self, index: QModelIndex) -> Node:
        return index.internalPointer() if index.isValid() else self.root

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        p = self.node(parent)
        if p.children is None or not 0 <= row < len(p.children) or column != 0:
            return QModelIndex()
        return self.createIndex(row, 0, p.children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        n: Node = index.internalPointer()
        p = n.parent
        if p is None or p is self.root:
            return QModelIndex()
        return self.createIndex(p.row, 0, p)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        n = self.node(parent)
        return len(n.children) if n.children is not None else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 1

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        return self.node(parent).has_children()

    def canFetchMore(self, parent: QModelIndex) -> bool:
        return self.node(parent).children is None

    def fetchMore(self, parent: QModelIndex) -> None:
        n = self.node(parent)
        if n.children is not None:
            return
        kids = self._load(n)
        for i, k in enumerate(kids):
            k.row = i
        if not kids:
            n.children = []
            return
        self.beginInsertRows(parent, 0, len(kids) - 1)
        n.children = kids
        self.endInsertRows()

    def _load(self, n: Node) -> list[Node]:
        db, year = self.ctx.db, self.ctx.year
        if n.kind == "year":
            return [Node("agency", key, f"{text} ({count})", n, tip=text) for key, text, count in
                    ed.tree_agencies(db, year)]
        if n.kind == "agency":
            return [Node("program", key, f"{key} {name}", n, program=key, tip=TEXT["program_tip"].format(key=key))
                    for key, name in ed.tree_programs(db, year, n.key)]
        if n.kind == "program":
            return [self._objective_node(o, n, n.key) for o in ed.tree_program(db, year, n.key)]
        return []

    def _objective_node(self, o: dict, parent: Node, program: str) -> Node:
        short = o["key"].split("-", 1)[-1] if "-" in o["key"] else o["key"]
        level = LEVEL_SHORT.get(o["level"], label(o["level"]))
        text = f"{level} {short}" if o["level"] in ("COMPONENTE", "ACTIVIDAD") else level
        if o["text"]:
            text += f": {o['text'][:60]}{'…' if len(o['text']) > 60 else ''}"
        node = Node("objective", o["key"], text, parent, program=program, tip=o["text"], payload=o["level"])
        kids = [Node("indicator", k, f"▸ {k.split('-', 1)[-1]} {name}", node, program=program, tip=name)
                for k, name in o["indicators"]]
        kids += [self._objective_node(c, node, program) for c in o["children"]]
        for i, k in enumerate(kids):
            k.row = i
        node.children = kids
        return node

    # ---- data -------------------------------------------------------------------------------
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        n: Node = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return n.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return n.tip or n.text
        if role == Qt.ItemDataRole.UserRole:
            return Selection(n.kind, n.key, n.program)
        return None

    def flags(self, index: QModelIndex):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    # ---- refresh ----------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self.root.children = [Node("year", str(self.ctx.year), TEXT["year"].format(year=self.ctx.year), self.root)]
        self.endResetModel()

    def find(self, kind: str, key: str, program: str | None = None) -> QModelIndex:
        """Load the path to an item and return its index (invalid if absent)."""
        year_idx = self.index(0, 0)
        if kind == "year":
            return year_idx
        self.fetchMore(year_idx)
        agencies = self.node(year_idx).children or []
        if kind == "agency":
            return next((self.index(a.row, 0, year_idx) for a in agencies if a.key == key), QModelIndex())
        prog_key = key if kind == "program" else program
        for a in agencies:
            a_idx = self.index(a.row, 0, year_idx)
            self.fetchMore(a_idx)
            for p in a.children or []:
                if p.key != prog_key:
                    continue
                p_idx = self.index(p.row, 0, a_idx)
                if kind == "program":
                    return p_idx
                self.fetchMore(p_idx)
                hit = self._find_in(p_idx, kind, key)
                if hit.isValid():
                    return hit
        return QModelIndex()

    def _find_in(self, parent: QModelIndex, kind: str, key: str) -> QModelIndex:
        for c in self.node(parent).children or []:
            idx = self.index(c.row, 0, parent)
            if c.kind == kind and c.key == key:
                return idx
            if c.children:
                hit = self._find_in(idx, kind, key)
                if hit.isValid():
                    return hit
        return QModelIndex()


class SearchModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.hits: list[dict] = []

    def set_hits(self, hits: list[dict]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        h = self.hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return ("Programa " if h["kind"] == "program" else "Indicador ") + h["label"]
        if role == Qt.ItemDataRole.UserRole:
            return Selection(h["kind"], h["key"], h["program"])
        return None


class NavigationPanel(QWidget):
    """Filter box + lazy tree (or the search hits)."""

    selected = Signal(object)  # Selection
    activated = Signal(object)  # Selection (Enter / double click)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setMinimumWidth(220)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(TEXT["filter"])
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(TEXT["filter"])
        lay.addWidget(self.filter)
        self.status = QLabel("", self)
        self.status.setVisible(False)
        lay.addWidget(self.status)
        self.stack = QStackedWidget(self)
        self.model = NavigationModel(ctx, self)
        self.tree = QTreeView(self)
        self.tree.setHeaderHidden(True)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setExpandsOnDoubleClick(False)
        self.search_model = SearchModel(self)
        self.hits = QListView(self)
        self.hits.setModel(self.search_model)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.hits)
        lay.addWidget(self.stack)
        self.tree.expand(self.model.index(0, 0))
        self.tree.selectionModel().currentChanged.connect(self._current)
        self.tree.activated.connect(self._activated)
        self.tree.doubleClicked.connect(self._double)
        self.hits.selectionModel().currentChanged.connect(self._current)
        self.hits.activated.connect(self._activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._search)
        self.filter.textChanged.connect(lambda _t: self._timer.start())
        self.filter.returnPressed.connect(self._enter_in_filter)
        self._generation = 0
        ctx.dataChanged.connect(self._data_changed)

    # ---- selection --------------------------------------------------------------------------
    def _current(self, index: QModelIndex, _prev=None) -> None:
        sel = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        if sel is not None:
            self.selected.emit(sel)

    def _activated(self, index: QModelIndex) -> None:
        sel = index.data(Qt.ItemDataRole.UserRole)
        if sel is not None:
            self.activated.emit(sel)

    def _double(self, index: QModelIndex) -> None:
        if self.model.hasChildren(index) and self.model.node(index).kind in ("year", "agency"):
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def select(self, kind: str, key: str, program: str | None = None) -> bool:
        idx = self.model.find(kind, key, program)
        if not idx.isValid():
            return False
        p = idx.parent()
        while p.isValid():
            self.tree.expand(p)
            p = p.parent()
        self.tree.selectionModel().blockSignals(True)
        self.tree.setCurrentIndex(idx)
        self.tree.selectionModel().blockSignals(False)
        self.tree.scrollTo(idx)
        return True

    def current_selection(self) -> Selection | None:
        view = self.hits if self.stack.currentIndex() else self.tree
        idx = view.currentIndex()
        return idx.data(Qt.ItemDataRole.UserRole) if idx.isValid() else None

    # ---- search -----------------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _search(self) -> None:
        text = self.filter.text().strip()
        self._generation += 1
        gen = self._generation
        if not text:
            self.stack.setCurrentIndex(0)
            self.status.setVisible(False)
            return
        self.status.setText(TEXT["searching"])
        self.status.setVisible(True)
        db, year = self.ctx.db, self.ctx.year

        def done(hits):
            if not isValid(self) or gen != self._generation:
                return
            self.search_model.set_hits(hits)
            self.stack.setCurrentIndex(1)
            self.status.setText(TEXT["hits"].format(n=len(hits)) if hits else TEXT["no_hits"].format(text=text))
            if hits:
                self.hits.setCurrentIndex(self.search_model.index(0))

        run_task(lambda control: ed.search(db, year, text), on_done=done, parent=self)

    def _enter_in_filter(self) -> None:
        if self.stack.currentIndex() == 1 and self.search_model.hits:
            self._activated(self.hits.currentIndex() if self.hits.currentIndex().isValid()
                            else self.search_model.index(0))

    def keyPressEvent(self, event) -> None:  # Esc in the filter clears it
        if event.key() == Qt.Key.Key_Escape and self.filter.text():
            self.filter.clear()
            self.tree.setFocus()
            return
        super().keyPressEvent(event)

    # ---- refresh ----------------------------------------------------------------------------
    def _data_changed(self, entity: str, key: str) -> None:
        if entity not in ("program", "agency", "indicator", "objective", "*", "year"):
            return
        if not hasattr(self, "_refresh_timer"):
            self._refresh_timer = QTimer(self)
            self._refresh_timer.setSingleShot(True)
            self._refresh_timer.setInterval(150)
            self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Reload keeping the expanded items and the current one."""
        expanded: list[tuple[str, str, str | None]] = []

        def walk(parent: QModelIndex):
            for r in range(self.model.rowCount(parent)):
                idx = self.model.index(r, 0, parent)
                if self.tree.isExpanded(idx):
                    n = self.model.node(idx)
                    expanded.append((n.kind, n.key, n.program))
                    walk(idx)

        walk(QModelIndex())
        cur = self.tree.currentIndex()
        cur_node = (self.model.node(cur).kind, self.model.node(cur).key, self.model.node(cur).program) \
            if cur.isValid() else None
        self.model.reload()
        for kind, key, program in expanded:
            idx = self.model.find(kind, key, program)
            if idx.isValid():
                self.tree.expand(idx)
        if cur_node:
            self.select(*cur_node)
        if self.filter.text().strip():
            self._search()


__all__ = ["NavigationModel", "NavigationPanel", "SearchModel", "QPersistentModelIndex"]
