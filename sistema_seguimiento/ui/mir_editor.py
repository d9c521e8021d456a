"""The MIR of a program as a matrix: rows are the objectives in MIR order (Fin, Propósito, C1, A1.1, …),
columns Resumen narrativo | Indicadores | Medios de verificación | Supuestos. The narrative summary and the
supuestos are edited in place (multi-line: Enter saves, Shift+Enter starts a new line); toolbar buttons add,
remove and reorder Componentes and Actividades and move an Actividad to another Componente."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QInputDialog, QLabel, QPlainTextEdit, QSplitter,
                               QStyledItemDelegate, QTableView, QTextBrowser, QToolBar, QVBoxLayout, QWidget)

from ..core.mir import ObjectiveDoc, ProgramDoc
from ..services import editing as ed
from ..services.mir_view import mir_order
from . import commands, help_texts
from .profile_ui import level_label
from .context import AppContext
from .messages import confirm, page_title
from .table_widths import PaddedDelegate, keep_fitted, share_by_content

TEXT = {
    "headers": ["Resumen narrativo", "Indicadores", "Medios de verificación", "Supuestos"],
    "title": "MIR del programa {key} — {name}",
    "empty": "Seleccione un programa en el árbol de la izquierda para ver su MIR.",
    "add_comp": "Agregar &Componente", "add_act": "Agregar &Actividad", "add_ind": "Agregar &indicador",
    "open_ficha": "Abrir &ficha", "up": "&Subir", "down": "&Bajar", "move": "&Mover a Componente…",
    "delete": "&Eliminar fila", "add_fin": "Agregar Fin", "add_prop": "Agregar Propósito",
    "add_act_tip": "Agrega una Actividad al Componente seleccionado (o al de la Actividad seleccionada)",
    "move_title": "Mover Actividad", "move_label": "Componente de destino:",
    "no_indicators": "— sin indicador —",
    "edit_tip": "Doble clic o F2 para editar. Intro guarda; Mayús+Intro agrega un renglón; Esc cancela.",
    "confirm_title": "Eliminar objetivo",
    "confirm": "¿Eliminar {what} «{text}»?\n\nSe perderá también: {lost}.\n\nPuede deshacerlo con Ctrl+Z.",
    "confirm_nothing": "¿Eliminar {what} «{text}»?\n\nPuede deshacerlo con Ctrl+Z.",
    "need_comp": "Seleccione primero un Componente o una de sus Actividades.",
    "readonly": "Solo lectura",
    "projects": "Pro&yectos y metas…",
    "projects_tip": "Proyectos del programa y sus metas de actividad con el calendario trimestral (PbRM-01c, 02a)",
}
LEVEL_LABEL = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}
LEVEL_COLOR = {"FIN": "#eef3fb", "PROPOSITO": "#eef8f1", "COMPONENTE": "#fdf6e7", "ACTIVIDAD": "#ffffff"}
LEVEL_TOPIC = {"FIN": "fin", "PROPOSITO": "proposito", "COMPONENTE": "componente", "ACTIVIDAD": "actividad"}


class MirModel(QAbstractTableModel):
    """Table model over the program document returned by services.editing.program_document."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.program: ProgramDoc | None = None
        self.rows: list[ObjectiveDoc] = []
        self.labels: list[str] = []
        self.editable = False

    def load(self, key: str | None) -> None:
        self.beginResetModel()
        if key is None:
            self.program, self.rows, self.labels = None, [], []
        else:
            self.program = ed.program_document(self.ctx.db, self.ctx.year, key)
            self.rows = mir_order(self.program)
            self.labels = self._labels()
            self._by_key = {i.key: i for i in self.program.indicators}
            self.editable = (not self.ctx.read_only and
                             ed.can_edit_program(self.ctx.user, self.program.agency_key))
        self.endResetModel()

    def _labels(self) -> list[str]:
        out, c, a = [], 0, 0
        for o in self.rows:
            if o.level == "COMPONENTE":
                c, a = c + 1, 0
                out.append(f"C{c}")
            elif o.level == "ACTIVIDAD":
                a += 1
                out.append(f"A{c}.{a}")
            else:
                out.append(level_label(self.ctx, o.level))  # the state profile's name (issue 16)
        return out

    def indicators_of(self, o: ObjectiveDoc) -> list:
        by_key = getattr(self, "_by_key", {}) if self.program else {}
        return [by_key[k] for k in o.indicator_keys if k in by_key]

    # ---- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 4

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return TEXT["headers"][section]
            return self.labels[section] if section < len(self.labels) else None
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical and section < len(self.rows):
            return f"{level_label(self.ctx, self.rows[section].level)} — {self.rows[section].key}"
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        o = self.rows[index.row()]
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == 0:
                return o.text
            if c == 1:
                inds = self.indicators_of(o)
                if not inds:
                    return TEXT["no_indicators"]
                return "\n".join(f"• {i.name or i.key}" + (f"\n   {i.formula}" if i.formula else "") for i in inds)
            if c == 2:
                return "\n".join(f"• {s}" for i in self.indicators_of(o) for s in i.verification_sources)
            return "\n".join(o.assumptions)
        if role == Qt.ItemDataRole.EditRole:
            return o.text if c == 0 else "\n".join(o.assumptions) if c == 3 else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(LEVEL_COLOR.get(o.level, "#ffffff")))
        if role == Qt.ItemDataRole.ForegroundRole and c == 1 and not o.indicator_keys:
            return QBrush(QColor("#8a5a00"))
        if role == Qt.ItemDataRole.UserRole:
            return o
        return None

    def flags(self, index: QModelIndex):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() in (0, 3):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.program is None:
            return False
        o = self.rows[index.row()]
        field = "text" if index.column() == 0 else "assumptions"
        current = o.text if field == "text" else "\n".join(o.assumptions)
        if (value or "").strip() == current.strip():
            return False
        return commands.edit_objective_field(self.ctx, self.parent(), self.program.key, o.key, field, value,
                                             expected=o.text if field == "text" else list(o.assumptions))


class MultiLineDelegate(PaddedDelegate):
    """In-place multi-line editor: Enter saves, Shift+Enter inserts a line break, Esc cancels. The text keeps
    its padding from the cell borders (ui.table_widths)."""

    def createEditor(self, parent, option, index):
        editor = QPlainTextEdit(parent)
        editor.setTabChangesFocus(True)
        editor.installEventFilter(self)
        return editor

    def setEditorData(self, editor, index):
        editor.setPlainText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.selectAll()

    def setModelData(self, editor, model, index):
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index):
        r = option.rect
        r.setHeight(max(r.height(), 90))
        editor.setGeometry(r)

    def eventFilter(self, obj, event):
        from PySide6.QtCore import QEvent

        if isinstance(obj, QPlainTextEdit) and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                    not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.commitData.emit(obj)
                self.closeEditor.emit(obj, QStyledItemDelegate.EndEditHint.NoHint)
                return True
        return super().eventFilter(obj, event)


class MirEditor(QWidget):
    openIndicator = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.program_key: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = page_title(TEXT["empty"], self)
        lay.addWidget(self.title)
        self.toolbar = QToolBar(self)
        self.toolbar.setIconSize(QSize(16, 16))
        lay.addWidget(self.toolbar)
        self.a_fin = self._action(TEXT["add_fin"], lambda: self._add("FIN", None, TEXT["add_fin"]))
        self.a_prop = self._action(TEXT["add_prop"], lambda: self._add("PROPOSITO", None, TEXT["add_prop"]))
        self.a_comp = self._action(TEXT["add_comp"], self.add_component)
        self.a_act = self._action(TEXT["add_act"], self.add_activity, tip=TEXT["add_act_tip"])
        self.a_ind = self._action(TEXT["add_ind"], self.add_indicator, "Ctrl+Shift+I")
        self.a_ficha = self._action(TEXT["open_ficha"], self.open_ficha)
        self.toolbar.addSeparator()
        self.a_up = self._action(TEXT["up"], lambda: self.move(-1), "Alt+Up")
        self.a_down = self._action(TEXT["down"], lambda: self.move(1), "Alt+Down")
        self.a_move = self._action(TEXT["move"], self.move_to_component)
        self.toolbar.addSeparator()
        self.a_del = self._action(TEXT["delete"], self.delete_row, QKeySequence.StandardKey.Delete)
        self.toolbar.addSeparator()
        self.a_projects = self._action(TEXT["projects"], self.open_projects, tip=TEXT["projects_tip"])
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mir_splitter")
        self.model = MirModel(ctx, self)
        self.view = QTableView(self.splitter)
        self.view.setModel(self.model)
        self.view.setItemDelegate(MultiLineDelegate(self.view))
        self.view.setWordWrap(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked |
                                  QAbstractItemView.EditTrigger.EditKeyPressed |
                                  QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setToolTip(TEXT["edit_tip"])
        self.view.setTabKeyNavigation(False)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setMinimumSectionSize(60)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setMinimumWidth(60)
        self.help = QTextBrowser(self.splitter)
        self.help.setMinimumWidth(180)
        self.help.setHtml("<h3>{}</h3>{}".format(*help_texts.TOPICS["estructura"]))
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.help)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([900, 240])
        self.help.setMaximumWidth(420)
        lay.addWidget(self.splitter, 1)
        keep_fitted(self.view, self._fit_columns)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(self._double)
        ctx.dataChanged.connect(self._data_changed)
        self._update_actions()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        a.setToolTip(tip or text.replace("&", ""))
        a.triggered.connect(slot)
        self.toolbar.addAction(a)
        self.addAction(a)
        return a

    # ---- loading ----------------------------------------------------------------------------
    def set_program(self, key: str | None, select_objective: str | None = None) -> None:
        if key != self.program_key:
            self.view.setCurrentIndex(QModelIndex())
            title, lesson = help_texts.TOPICS["estructura"]
            self.help.setHtml(f"<h3>{title}</h3>{lesson}")
        self.program_key = key
        self.reload(select_objective)

    def reload(self, select_objective: str | None = None) -> None:
        cur = self.current_objective()
        col = max(self.view.currentIndex().column(), 0)
        self.model.load(self.program_key)
        p = self.model.program
        self.title.setText(TEXT["title"].format(key=p.key, name=p.name) + ("" if self.model.editable else
                                                                            f" ({TEXT['readonly']})")
                           if p else TEXT["empty"])
        self._fit_columns()
        target = select_objective or (cur.key if cur else None)
        if target:
            self.select_objective(target, col)
        self._update_actions()

    def _fit_columns(self) -> list[int]:
        """The four columns share the visible width by content (ui.table_widths); rows follow the wrapped text
        (the vertical header is in ResizeToContents mode)."""
        return share_by_content(self.view)

    def select_objective(self, key: str, column: int = 0) -> bool:
        for r, o in enumerate(self.model.rows):
            if o.key == key:
                self.view.setCurrentIndex(self.model.index(r, column))
                self.view.scrollTo(self.model.index(r, column))
                return True
        return False

    def current_objective(self) -> ObjectiveDoc | None:
        idx = self.view.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() and idx.row() < len(self.model.rows) else None

    def _data_changed(self, entity: str, key: str) -> None:
        if self.program_key and entity in ("program", "indicator", "objective", "*"):
            if entity == "program" and key and key != self.program_key:
                return
            if self.isVisible() or entity != "indicator":
                self.reload()

    def _current_changed(self, *_):
        o = self.current_objective()
        if o is not None:
            title, lesson = help_texts.TOPICS[LEVEL_TOPIC.get(o.level, "estructura")]
            col = self.view.currentIndex().column()
            extra = help_texts.TOPICS["supuestos"] if col == 3 else help_texts.TOPICS["indicador"] if col in (1, 2) \
                else None
            html = f"<h3>{title}</h3>{lesson}"
            if extra:
                html = f"<h3>{extra[0]}</h3>{extra[1]}" + html
            from .help import plan_text

            self.help.setHtml(plan_text(html, self))
        self._update_actions()

    def open_projects(self):
        """«Proyectos y metas de actividad» of the program (issue 16, ui/projects_editor.py)."""
        from .projects_editor import ProjectsDialog

        if self.program_key is None:
            return None
        dialog = ProjectsDialog(self.ctx, self.program_key, self)
        dialog.open()
        return dialog

    def _update_actions(self) -> None:
        o = self.current_objective()
        self.a_projects.setEnabled(self.model.program is not None)
        editable = self.model.editable and self.model.program is not None
        self.a_comp.setEnabled(editable)
        levels = {r.level for r in self.model.rows}
        self.a_fin.setVisible(editable and "FIN" not in levels)
        self.a_prop.setVisible(editable and "PROPOSITO" not in levels)
        self.a_act.setEnabled(editable and o is not None and o.level in ("COMPONENTE", "ACTIVIDAD"))
        self.a_ind.setEnabled(editable and o is not None)
        self.a_ficha.setEnabled(o is not None and bool(o.indicator_keys))
        movable = editable and o is not None and o.level in ("COMPONENTE", "ACTIVIDAD")
        self.a_up.setEnabled(movable)
        self.a_down.setEnabled(movable)
        self.a_move.setEnabled(editable and o is not None and o.level == "ACTIVIDAD")
        self.a_del.setEnabled(editable and o is not None)

    def _double(self, index: QModelIndex) -> None:
        if index.column() in (1, 2):
            self.open_ficha()

    # ---- edits ------------------------------------------------------------------------------
    def _component_for_activity(self) -> str | None:
        o = self.current_objective()
        if o is None:
            return None
        if o.level == "COMPONENTE":
            return o.key
        if o.level == "ACTIVIDAD":
            return o.parent_key
        return None

    def _add(self, level: str, parent_key: str | None, text: str) -> str | None:
        ctx, key = self.ctx, self.program_key
        new = commands.create_with_key(
            ctx, self, text,
            lambda k: ed.add_objective(ctx.db, ctx.user, ctx.year, key, level, parent_key, key=k),
            lambda k: ed.delete_objective(ctx.db, ctx.user, ctx.year, key, k), "program", key)
        if new:
            self.reload(new)
            self.view.setFocus()
        return new

    def add_component(self) -> str | None:
        return self._add("COMPONENTE", None, "Agregar Componente")

    def add_activity(self) -> str | None:
        comp = self._component_for_activity()
        if comp is None:
            from .messages import info

            info(self, TEXT["add_act"].replace("&", ""), TEXT["need_comp"])
            return None
        return self._add("ACTIVIDAD", comp, f"Agregar Actividad a {comp}")

    def add_indicator(self) -> str | None:
        o = self.current_objective()
        if o is None:
            return None
        ctx, key = self.ctx, self.program_key
        new = commands.create_with_key(
            ctx, self, f"Agregar indicador a {o.key}",
            lambda k: ed.add_indicator(ctx.db, ctx.user, ctx.year, key, o.key, "", key=k),
            lambda k: ed.delete_indicator(ctx.db, ctx.user, k), "indicator", key)
        if new:
            self.reload(o.key)
            self.openIndicator.emit(new)
        return new

    def open_ficha(self) -> None:
        o = self.current_objective()
        if o is not None and o.indicator_keys:
            self.openIndicator.emit(o.indicator_keys[0])

    def move(self, delta: int) -> None:
        o = self.current_objective()
        if o is None or o.level not in ("COMPONENTE", "ACTIVIDAD"):
            return
        ctx, key = self.ctx, self.program_key
        state = {}

        def do():
            state["d"] = ed.move_objective(ctx.db, ctx.user, ctx.year, key, o.key, delta)
            return state["d"]

        ok, applied = commands.apply_edit(
            ctx, self, f"Mover {o.key}", do,
            lambda d: (lambda: ed.move_objective(ctx.db, ctx.user, ctx.year, key, o.key, -d)), "program", key)
        if ok:
            self.select_objective(o.key)

    def move_to_component(self, target: str | None = None) -> None:
        o = self.current_objective()
        if o is None or o.level != "ACTIVIDAD":
            return
        comps = [(r.key, lab) for r, lab in zip(self.model.rows, self.model.labels) if r.level == "COMPONENTE"
                 and r.key != o.parent_key]
        if not comps:
            return
        if target is None:
            items = [f"{lab} — {next(r.text for r in self.model.rows if r.key == k)[:60]}" for k, lab in comps]
            choice, ok = QInputDialog.getItem(self, TEXT["move_title"], TEXT["move_label"], items, 0, False)
            if not ok:
                return
            target = comps[items.index(choice)][0]
        ctx, key = self.ctx, self.program_key
        commands.apply_edit(
            ctx, self, f"Mover {o.key} a {target}",
            lambda: ed.move_activity(ctx.db, ctx.user, ctx.year, key, o.key, target),
            lambda old: (lambda: ed.move_activity(ctx.db, ctx.user, ctx.year, key, o.key, old)), "program", key)
        self.select_objective(o.key)

    def delete_row(self, *, ask: bool = True) -> bool:
        o = self.current_objective()
        if o is None:
            return False
        ctx, key = self.ctx, self.program_key
        lost = ed.deletion_summary(ctx.db, ctx.year, "objective", o.key, key)
        what = LEVEL_LABEL.get(o.level, "").lower()
        text = (o.text or o.key)[:80]
        question = (TEXT["confirm"].format(what=what, text=text, lost=lost) if lost
                    else TEXT["confirm_nothing"].format(what=what, text=text))
        if ask and not confirm(self, TEXT["confirm_title"], question, yes="Eliminar"):
            return False
        ok = commands.delete_with_snapshot(
            ctx, self, f"Eliminar {o.key}", lambda: ed.delete_objective(ctx.db, ctx.user, ctx.year, key, o.key),
            lambda snap: ed.restore_objective(ctx.db, ctx.user, snap), "program", key)
        return ok

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.model.program is not None and not getattr(self, "_fitted", False):
            self._fitted = True
            self._fit_columns()
