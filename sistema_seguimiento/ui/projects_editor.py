"""«Proyectos y metas de actividad» of a program (issue 16; PbRM-01c and 02a): the proyectos table (clave,
nombre, dependencia auxiliar) and, for the selected proyecto, its metas de actividad with the quarterly
calendar (ID, meta, unidad, meta anual, T1…T4, and the achieved values read-only).

Every cell edit runs a ``services.projects`` use case through ``commands.apply_edit`` (undo/redo with Ctrl+Z /
Ctrl+Y like every other edit; an undo or redo is refused once another official changed that field, as in the
ficha); typing a quarter recomputes the annual target as the calendar's sum, typing the
annual target must match the calendar (the service says so in Spanish otherwise). Opened from the MIR editor's
toolbar («Proyectos y metas…») as a dialog over the program.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.numbers import fmt_es
from ..services import projects as svc
from ..services.editing import can_edit_program
from . import commands
from .messages import confirm, page_title

TEXT = {
    "title": "Proyectos y metas de actividad del programa {key}",
    "window": "Proyectos y metas de actividad",
    "projects": "Proyectos",
    "goals": "Metas de actividad del proyecto {key} (calendario trimestral: la suma de T1 a T4 es la meta anual)",
    "goals_none": "Metas de actividad (seleccione un proyecto)",
    "project_headers": ["Clave del proyecto", "Nombre del proyecto", "Clave dependencia auxiliar",
                        "Dependencia auxiliar"],
    "goal_headers": ["ID", "Meta de actividad", "Unidad de medida", "Meta anual", "T1", "T2", "T3", "T4",
                     "Alcanzado T1", "Alcanzado T2", "Alcanzado T3", "Alcanzado T4"],
    "add_project": "Agregar &proyecto…", "del_project": "Eliminar proyecto",
    "add_goal": "Agregar &meta…", "del_goal": "Eliminar meta",
    "ask_key": "Clave del proyecto (p. ej. 020204010101):", "ask_name": "Nombre del proyecto:",
    "ask_goal": "Nombre de la meta de actividad:", "new_goal": "Nueva meta de actividad",
    "confirm_project": "¿Eliminar el proyecto {key} «{name}» y sus {n} meta(s) de actividad?\n\nPuede deshacerlo "
                       "con Ctrl+Z.",
    "confirm_goal": "¿Eliminar la meta de actividad {key} «{name}»?\n\nPuede deshacerlo con Ctrl+Z.",
    "readonly": "Solo lectura: los proyectos y metas los editan el administrador y el validador.",
    "approved": "Calendario aprobado: los cambios de la meta anual y del calendario se hacen por reconducción.",
    "original": "{value} (original {orig})",
    "edit": "Editar {what}",
    "close": "Cerrar",
}
PROJECT_FIELDS = ["key", "name", "auxiliary_key", "auxiliary_name"]
GOAL_FIELDS = ["key", "name", "unit"]
COL_ANNUAL, COL_T1 = 3, 4
COL_ACHIEVED = 8


def calendar_fields(year: int) -> tuple[str, ...]:
    """The bitácora fields that write a meta's calendar: its editor («calendario») and a reconducción
    («meta_anual», «programado 2026-T1»…)."""
    return ("calendario", "meta_anual", *(f"programado {q}" for q in svc.quarter_ids(year)))


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return fmt_es(value, places=0) if value == value.to_integral_value() else fmt_es(value)


class ProjectsEditor(QWidget):
    def __init__(self, ctx, program_key: str, parent=None):
        super().__init__(parent)
        self.ctx, self.program_key = ctx, program_key
        self.rows: list[svc.ProjectRow] = []
        self._loading = False
        self.editable = can_edit_program(ctx.user) and not ctx.read_only
        lay = QVBoxLayout(self)
        lay.addWidget(page_title(TEXT["title"].format(key=program_key), self))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        bar = QHBoxLayout()
        self.b_add_project = QPushButton(TEXT["add_project"], self)
        self.b_del_project = QPushButton(TEXT["del_project"], self)
        self.b_add_goal = QPushButton(TEXT["add_goal"], self)
        self.b_del_goal = QPushButton(TEXT["del_goal"], self)
        for b, slot in ((self.b_add_project, self.ask_add_project), (self.b_del_project, self.delete_project),
                        (self.b_add_goal, self.ask_add_goal), (self.b_del_goal, self.delete_goal)):
            b.clicked.connect(lambda _=False, f=slot: f())
            b.setEnabled(self.editable)
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        lay.addWidget(QLabel(TEXT["projects"], self))
        self.projects = self._table(TEXT["project_headers"], [130, 0, 190, 280])
        lay.addWidget(self.projects, 1)
        self.goals_label = QLabel(TEXT["goals_none"], self)
        lay.addWidget(self.goals_label)
        self.goals = self._table(TEXT["goal_headers"], [40, 0, 120, 95] + [70] * 4 + [100] * 4)
        lay.addWidget(self.goals, 2)
        self.projects.currentCellChanged.connect(lambda *_: self._fill_goals())
        self.projects.itemChanged.connect(self._project_edited)
        self.goals.itemChanged.connect(self._goal_edited)
        ctx.dataChanged.connect(self._data_changed)
        self.reload()

    def _table(self, headers: list[str], widths: list[int]) -> QTableWidget:
        """A table whose column 1 (the name) takes the width the others leave."""
        t = QTableWidget(0, len(headers), self)
        t.setHorizontalHeaderLabels(headers)
        h = t.horizontalHeader()
        for c, w in enumerate(widths):
            if w:
                t.setColumnWidth(c, max(w, h.sectionSizeFromContents(c).width()))
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        t.setWordWrap(False)
        t.verticalHeader().setVisible(False)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed)
        t.setTabKeyNavigation(False)
        return t

    # ---- loading -------------------------------------------------------------------------------
    def _data_changed(self, entity: str, key: str) -> None:
        if entity in ("proyecto", "*", "import") or (entity == "program" and key == self.program_key):
            self.reload()

    def reload(self) -> None:
        cur_project = self.current_project()
        cur_goal = self.current_goal()
        self.rows = svc.list_projects(self.ctx.db, self.ctx.year, self.program_key)
        approved = svc.is_calendar_approved(self.ctx.db, self.ctx.year, self.program_key)
        self.approved = approved
        self.note.setText(" ".join(t for t in ((TEXT["readonly"] if not self.editable else ""),
                                               TEXT["approved"] if approved else "") if t))
        prev, self._loading = self._loading, True
        self.projects.blockSignals(True)  # no itemChanged / currentCellChanged while the table is rebuilt
        try:
            self.projects.setRowCount(len(self.rows))
            for r, p in enumerate(self.rows):
                for c, value in enumerate((p.key, p.name, p.auxiliary_key, p.auxiliary_name)):
                    self._set(self.projects, r, c, value, self.editable)
            row = next((i for i, p in enumerate(self.rows) if cur_project and p.key == cur_project.key),
                       0 if self.rows else -1)
            if row >= 0:
                self.projects.setCurrentCell(row, max(self.projects.currentColumn(), 0))
        finally:
            self.projects.blockSignals(False)
            self._loading = prev
        self._fill_goals(cur_goal.key if cur_goal else None)

    def _set(self, table: QTableWidget, r: int, c: int, text: str, editable: bool, tip: str = "") -> None:
        item = QTableWidgetItem(text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        if tip:
            item.setToolTip(tip)
        if c >= COL_ANNUAL and table is self.goals:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(r, c, item)

    def _fill_goals(self, keep: str | None = None) -> None:
        p = self.current_project()
        goals = p.goals if p else []
        self.goals_label.setText(TEXT["goals"].format(key=p.key) if p else TEXT["goals_none"])
        prev, self._loading = self._loading, True
        self.goals.blockSignals(True)
        try:
            self.goals.setRowCount(len(goals))
            for r, g in enumerate(goals):
                for c, value in enumerate((g.key, g.name, g.unit)):
                    self._set(self.goals, r, c, value, self.editable, g.name if c == 1 else "")
                calendar_ok = self.editable and not (self.approved and (g.annual_target is not None or
                                                                        any(v is not None for v in g.programmed)))
                annual = _num(g.annual_target)
                if g.annual_target_original is not None and g.annual_target_original != g.annual_target:
                    annual = TEXT["original"].format(value=annual, orig=_num(g.annual_target_original))
                self._set(self.goals, r, COL_ANNUAL, annual, calendar_ok, "" if calendar_ok else TEXT["approved"])
                for i, (v, o) in enumerate(zip(g.programmed, g.programmed_original)):
                    text = _num(v) if o is None or o == v else TEXT["original"].format(value=_num(v), orig=_num(o))
                    self._set(self.goals, r, COL_T1 + i, text, calendar_ok, "" if calendar_ok else TEXT["approved"])
                for i, a in enumerate(g.achieved):
                    self._set(self.goals, r, COL_ACHIEVED + i, _num(a), False)
            row = next((i for i, g in enumerate(goals) if g.key == keep), 0 if goals else -1)
            if row >= 0:
                self.goals.setCurrentCell(row, max(self.goals.currentColumn(), 0))
        finally:
            self.goals.blockSignals(False)
            self._loading = prev
        self.b_add_goal.setEnabled(self.editable and p is not None)
        self.b_del_goal.setEnabled(self.editable and bool(goals))
        self.b_del_project.setEnabled(self.editable and p is not None)

    def current_project(self) -> svc.ProjectRow | None:
        r = self.projects.currentRow() if hasattr(self, "projects") else -1
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def current_goal(self) -> svc.GoalRow | None:
        p = self.current_project()
        r = self.goals.currentRow() if hasattr(self, "goals") else -1
        return p.goals[r] if p and 0 <= r < len(p.goals) else None

    # ---- edits -------------------------------------------------------------------------------
    def _apply(self, text: str, do, undo_factory, watch=None) -> bool:
        """``watch``: the edited field in the bitácora (commands.apply_edit): undo and redo are refused once
        another official wrote it after this edit."""
        ok, _ = commands.apply_edit(self.ctx, self, text, do, undo_factory, "proyecto", self.program_key,
                                    watch=watch)
        if not ok:
            self.reload()  # show what the database holds (the typed text was refused)
        return ok

    def _project_edited(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        p = self.rows[item.row()]
        field = PROJECT_FIELDS[item.column()]
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        value = item.text().strip()
        if value == getattr(p, field):
            return
        key_after = value if field == "key" else p.key
        self._apply(TEXT["edit"].format(what=f"{svc.PROJECT_FIELDS[field]} de {p.key}"),
                    lambda: svc.update_project(db, user, year, prog, p.key, field, value),
                    lambda old: (lambda: svc.update_project(db, user, year, prog, key_after, field, old)),
                    watch=None if field == "key" else ("proyecto", f"{prog}/{p.key}", field))

    def _goal_edited(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        p = self.current_project()
        g = p.goals[item.row()]
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        col, text = item.column(), item.text().strip()
        if col < len(GOAL_FIELDS):
            field = GOAL_FIELDS[col]
            key_after = text if field == "key" else g.key
            self._apply(TEXT["edit"].format(what=f"{svc.GOAL_FIELDS[field]} de la meta {p.key}/{g.key}"),
                        lambda: svc.update_goal(db, user, year, prog, p.key, g.key, field, text),
                        lambda old: (lambda: svc.update_goal(db, user, year, prog, p.key, key_after, field, old)),
                        watch=None if field == "key" else ("meta_actividad", f"{p.key}/{g.key}", field))
            return
        calendar: list = list(g.programmed)
        annual: object = g.annual_target
        if col == COL_ANNUAL:
            annual = text
        else:  # a quarter: the annual target follows the calendar's sum
            calendar[col - COL_T1] = text
            try:
                from ..core.numbers import parse_es_number

                nums = [parse_es_number(v) if isinstance(v, str) and v else v for v in calendar]
                annual = sum((v for v in nums if v is not None), Decimal(0)) if any(
                    v is not None for v in nums) else None
            except Exception:  # noqa: BLE001 - the service explains the bad number in Spanish
                annual = g.annual_target
        self._apply(TEXT["edit"].format(what=f"calendario de la meta {p.key}/{g.key}"),
                    lambda: svc.set_calendar(db, user, year, prog, p.key, g.key, annual, calendar),
                    lambda old: (lambda: svc.set_calendar(db, user, year, prog, p.key, g.key, old[0], old[1])),
                    watch=("meta_actividad", f"{p.key}/{g.key}", calendar_fields(year)))

    def ask_add_project(self) -> None:
        key, ok = QInputDialog.getText(self, TEXT["window"], TEXT["ask_key"])
        if not ok or not key.strip():
            return
        name, ok = QInputDialog.getText(self, TEXT["window"], TEXT["ask_name"])
        if ok:
            self.add_project(key.strip(), name.strip())

    def add_project(self, key: str, name: str, auxiliary_key: str = "", auxiliary_name: str = "") -> bool:
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        ok = self._apply(TEXT["add_project"].replace("&", "").rstrip("…") + f" {key}",
                         lambda: svc.create_project(db, user, year, prog, key=key, name=name,
                                                    auxiliary_key=auxiliary_key, auxiliary_name=auxiliary_name),
                         lambda k: (lambda: svc.delete_project(db, user, year, prog, k)))
        if ok:
            self.projects.setCurrentCell(next(i for i, p in enumerate(self.rows) if p.key == key), 1)
        return ok

    def ask_add_goal(self) -> None:
        name, ok = QInputDialog.getText(self, TEXT["window"], TEXT["ask_goal"], text=TEXT["new_goal"])
        if ok and name.strip():
            self.add_goal(name.strip())

    def add_goal(self, name: str, unit: str = "") -> bool:
        p = self.current_project()
        if p is None:
            return False
        used = {g.key for g in p.goals}
        key = str(next(n for n in range(1, len(used) + 2) if str(n) not in used))
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        ok = self._apply(TEXT["add_goal"].replace("&", "").rstrip("…") + f" {p.key}/{key}",
                         lambda: svc.create_goal(db, user, year, prog, p.key, key=key, name=name, unit=unit),
                         lambda k: (lambda: svc.delete_goal(db, user, year, prog, p.key, k)))
        if ok:
            self._fill_goals(key)
        return ok

    def delete_project(self, *, ask: bool = True) -> bool:
        p = self.current_project()
        if p is None or (ask and not confirm(self, TEXT["window"], TEXT["confirm_project"].format(
                key=p.key, name=p.name, n=len(p.goals)))):
            return False
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        return commands.delete_with_snapshot(self.ctx, self, f"{TEXT['del_project']} {p.key}",
                                             lambda: svc.delete_project(db, user, year, prog, p.key),
                                             lambda snap: svc.restore_project(db, user, snap), "proyecto", prog)

    def delete_goal(self, *, ask: bool = True) -> bool:
        p, g = self.current_project(), self.current_goal()
        if g is None or (ask and not confirm(self, TEXT["window"], TEXT["confirm_goal"].format(
                key=f"{p.key}/{g.key}", name=g.name))):
            return False
        db, user, year, prog = self.ctx.db, self.ctx.user, self.ctx.year, self.program_key
        return commands.delete_with_snapshot(self.ctx, self, f"{TEXT['del_goal']} {p.key}/{g.key}",
                                             lambda: svc.delete_goal(db, user, year, prog, p.key, g.key),
                                             lambda snap: svc.restore_goal(db, user, snap), "proyecto", prog)


class ProjectsDialog(QDialog):
    """The editor in its own window over the MIR (Ctrl+Z / Ctrl+Y act on the application's undo stack)."""

    def __init__(self, ctx, program_key: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["window"])
        lay = QVBoxLayout(self)
        self.editor = ProjectsEditor(ctx, program_key, self)
        lay.addWidget(self.editor)
        buttons = QDialogButtonBox(self)
        buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        from PySide6.QtGui import QKeySequence, QShortcut

        for seq, slot in ((QKeySequence.StandardKey.Undo, ctx.undo_stack.undo),
                          (QKeySequence.StandardKey.Redo, ctx.undo_stack.redo)):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        self.resize(1300, 640)
