"""Plan catalog (the name chosen in Configuración: core.plan_name) (ejes → objetivos → estrategias) with the programs aligned to each element.
Edits are undoable and saved at once."""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QInputDialog, QLabel, QListWidget,
                               QPushButton, QSplitter, QTreeView, QVBoxLayout, QWidget)

from ..services import editing as ed
from . import commands
from .context import AppContext
from .messages import confirm

TEXT = {
    "title": "{plan}", "intro": ("Ejes, objetivos y estrategias del {plan}. Alinee cada programa desde su ficha "
                                 "(panel Programa)."),
    "add_eje": "Agregar &eje", "add_obj": "Agregar &objetivo", "add_est": "Agregar e&strategia",
    "edit": "&Editar texto…", "delete": "E&liminar…", "close": "Cerrar",
    "aligned": "Programas alineados:", "none": "Ningún programa alineado a este elemento.",
    "ask_code": "Clave (p. ej. 1.2):", "ask_text": "Texto:",
    "kinds": {"eje": "Eje", "objetivo": "Objetivo", "estrategia": "Estrategia"},
    "confirm": "¿Eliminar {kind} «{text}»?\n\nSe eliminan también sus {n} elemento(s) subordinados y {p} programa(s) "
               "quedan sin alinear. Puede deshacerlo con Ctrl+Z.",
    "need_parent": "Seleccione primero un {kind}.",
}
CHILD = {None: "eje", "eje": "objetivo", "objetivo": "estrategia"}
# issue 16: with a state profile the kinds, the plan's name and the buttons follow the profile
TEXT["intro_profile"] = "{eje} → {objetivo} → {estrategia} del {plan}. Alinee cada programa desde su ficha (panel Programa)."
_BUTTON_KIND = {"add_eje": "eje", "add_obj": "objetivo", "add_est": "estrategia"}


def kind_label(ctx, kind: str) -> str:
    """«Eje», «Objetivo», «Estrategia» — or the state profile's names (Edomex: «Pilar / Eje transversal» …)."""
    from .profile_ui import plabel

    return plabel(ctx, f"plan_{kind}", TEXT["kinds"][kind])


def _intro(ctx, plan: str) -> str:
    """The catalog's intro: the plan's name chosen in Configuración, the level names of the state profile."""
    if all(kind_label(ctx, k) == TEXT["kinds"][k] for k in TEXT["kinds"]):
        return TEXT["intro"].format(plan=plan)
    return TEXT["intro_profile"].format(plan=plan, **{k: kind_label(ctx, k) for k in TEXT["kinds"]})


def _button_text(ctx, key: str) -> str:
    kind = _BUTTON_KIND.get(key)
    if kind is None or kind_label(ctx, kind) == TEXT["kinds"][kind]:
        return TEXT[key]
    name = kind_label(ctx, kind)
    return f"Agregar &{name[0].lower()}{name[1:]}"


class PlanModel(QAbstractItemModel):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict] = []
        self.kids: dict[int | None, list[dict]] = {}
        self.by_id: dict[int, dict] = {}

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = ed.plan_tree(self.ctx.db)
        self.by_id = {r["id"]: r for r in self.rows}
        self.kids = {}
        for r in self.rows:
            self.kids.setdefault(r["parent_id"] if r["parent_id"] in self.by_id else None, []).append(r)
        self.endResetModel()

    def _row_of(self, r: dict) -> int:
        return self.kids.get(r["parent_id"] if r["parent_id"] in self.by_id else None, []).index(r)

    def index(self, row, column, parent=QModelIndex()):
        pid = parent.internalPointer()["id"] if parent.isValid() else None
        lst = self.kids.get(pid, [])
        if column != 0 or not 0 <= row < len(lst):
            return QModelIndex()
        return self.createIndex(row, 0, lst[row])

    def parent(self, index=QModelIndex()):  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        p = self.by_id.get(index.internalPointer()["parent_id"])
        if p is None:
            return QModelIndex()
        return self.createIndex(self._row_of(p), 0, p)

    def rowCount(self, parent=QModelIndex()):
        if parent.column() > 0:
            return 0
        pid = parent.internalPointer()["id"] if parent.isValid() else None
        return len(self.kids.get(pid, []))

    def columnCount(self, parent=QModelIndex()):
        return 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            n = len(r["programs"])
            return f"{kind_label(self.ctx, r['kind'])} {r['code']} {r['text']}".replace("  ", " ") + (f"  ({n})" if n else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return r["text"]
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None

    def find(self, element_id: int) -> QModelIndex:
        r = self.by_id.get(element_id)
        return self.createIndex(self._row_of(r), 0, r) if r else QModelIndex()


class PlanEditor(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        from ..services.plan_setting import current_plan_name

        self.plan = current_plan_name(ctx.db)
        self.title = TEXT["title"].format(plan=self.plan)
        self.setWindowTitle(self.title)
        self.setMinimumSize(720, 460)
        lay = QVBoxLayout(self)
        self.intro = intro = QLabel(_intro(ctx, self.plan), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.model = PlanModel(ctx, self)
        self.view = QTreeView(split)
        self.view.setHeaderHidden(True)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update())
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.addWidget(QLabel(TEXT["aligned"], right))
        self.programs = QListWidget(right)
        rl.addWidget(self.programs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        row = QHBoxLayout()
        self.buttons = {}
        for key, slot in (("add_eje", lambda: self.add("eje")), ("add_obj", lambda: self.add("objetivo")),
                          ("add_est", lambda: self.add("estrategia")), ("edit", self.edit), ("delete", self.delete)):
            b = QPushButton(_button_text(ctx, key), self)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        lay.addLayout(row)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        bb.button(QDialogButtonBox.StandardButton.Close).setText(TEXT["close"])
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.reload()
        self.programs.itemActivated.connect(self._open_program)
        ctx.dataChanged.connect(self._data_changed)

    def _data_changed(self, entity: str, key: str) -> None:
        if entity == "*":  # e.g. another state profile: new names of the kinds
            self.intro.setText(_intro(self.ctx, self.plan))
            for k, b in self.buttons.items():
                b.setText(_button_text(self.ctx, k))
        if entity in ("plan", "program", "*"):
            self.reload()

    def reload(self, select: int | None = None) -> None:
        cur = self.current()
        self.model.reload()
        self.view.expandAll()
        target = select or (cur["id"] if cur else None) or (self.model.rows[0]["id"] if self.model.rows else None)
        if target:
            idx = self.model.find(target)
            if idx.isValid():
                self.view.setCurrentIndex(idx)
        self._update()

    def current(self) -> dict | None:
        idx = self.view.currentIndex() if self.view.selectionModel() else QModelIndex()
        return idx.data(Qt.ItemDataRole.UserRole) if idx.isValid() else None

    def _update(self) -> None:
        cur = self.current()
        self.programs.clear()
        if cur is not None:
            for key, name, year in cur["programs"]:
                self.programs.addItem(f"{key} {name} ({year})")
            if not cur["programs"]:
                self.programs.addItem(TEXT["none"])
        can = self.ctx.user.role in ("administrador", "validador") and not self.ctx.read_only
        kind = cur["kind"] if cur else None
        self.buttons["add_eje"].setEnabled(can)
        self.buttons["add_obj"].setEnabled(can and kind in ("eje", "objetivo", "estrategia"))
        self.buttons["add_est"].setEnabled(can and kind in ("objetivo", "estrategia"))
        self.buttons["edit"].setEnabled(can and cur is not None)
        self.buttons["delete"].setEnabled(can and cur is not None)

    def _parent_for(self, kind: str) -> int | None:
        cur = self.current()
        need = {"eje": None, "objetivo": "eje", "estrategia": "objetivo"}[kind]
        while cur is not None and cur["kind"] != need:
            cur = self.model.by_id.get(cur["parent_id"])
        return cur["id"] if cur else None

    def add(self, kind: str, code: str | None = None, text: str | None = None) -> int | None:
        parent_id = self._parent_for(kind)
        if kind != "eje" and parent_id is None:
            from .messages import info

            info(self, self.title, TEXT["need_parent"].format(kind={"objetivo": "eje", "estrategia": "objetivo"}[kind]))
            return None
        if text is None:
            code, ok = QInputDialog.getText(self, kind_label(self.ctx, kind), TEXT["ask_code"])
            if not ok:
                return None
            text, ok = QInputDialog.getMultiLineText(self, kind_label(self.ctx, kind), TEXT["ask_text"])
            if not ok or not text.strip():
                return None
        ctx = self.ctx
        state: dict = {}

        def do():
            if "snap" in state:
                return ed.restore_plan_element(ctx.db, ctx.user, state["snap"])
            return ed.add_plan_element(ctx.db, ctx.user, kind, text, parent_id, code or "")

        def undo_factory(new_id):
            def undo():
                state["snap"] = ed.delete_plan_element(ctx.db, ctx.user, new_id)
            return undo

        ok, new_id = commands.apply_edit(ctx, self, f"Agregar {kind_label(self.ctx, kind).lower()} al Plan", do, undo_factory,
                                         "plan", "")
        if ok:
            self.reload(new_id)
        return new_id if ok else None

    def edit(self) -> None:
        cur = self.current()
        if cur is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, kind_label(self.ctx, cur["kind"]), TEXT["ask_text"], cur["text"])
        if not ok or text.strip() == cur["text"]:
            return
        ctx, eid = self.ctx, cur["id"]
        commands.apply_edit(ctx, self, "Editar elemento del Plan",
                            lambda: ed.update_plan_element(ctx.db, ctx.user, eid, "text", text),
                            lambda old: (lambda: ed.update_plan_element(ctx.db, ctx.user, eid, "text", old)), "plan", "",
                            watch=("plan", cur["code"] or str(eid), "text"))  # undo/redo refused after another's edit

    def delete(self, ask: bool = True) -> bool:
        cur = self.current()
        if cur is None:
            return False
        n_kids = sum(1 for r in self.model.rows if self._descends(r, cur["id"]))
        n_prog = len(cur["programs"]) + sum(len(r["programs"]) for r in self.model.rows if self._descends(r, cur["id"]))
        if ask and not confirm(self, self.title, TEXT["confirm"].format(kind=kind_label(self.ctx, cur["kind"]).lower(),
                                                                         text=cur["text"][:60], n=n_kids, p=n_prog),
                               yes="Eliminar"):
            return False
        ctx, eid = self.ctx, cur["id"]
        return commands.delete_with_snapshot(ctx, self, "Eliminar elemento del Plan",
                                             lambda: ed.delete_plan_element(ctx.db, ctx.user, eid),
                                             lambda snap: ed.restore_plan_element(ctx.db, ctx.user, snap), "plan", "")

    def _descends(self, r: dict, ancestor: int) -> bool:
        p = r["parent_id"]
        while p is not None:
            if p == ancestor:
                return True
            p = self.model.by_id.get(p, {}).get("parent_id")
        return False

    def _open_program(self, item) -> None:
        cur = self.current()
        if cur and cur["programs"]:
            row = self.programs.row(item)
            if row < len(cur["programs"]):
                key = cur["programs"][row][0]
                self.accept()
                self.ctx.navigate("programa", program=key)
