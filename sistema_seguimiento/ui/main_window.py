"""The main window: navigation tree on the left, pages in the center (home, Programa, MIR, Ficha técnica and the
pages other features register in ui.registry), the validation dock below, menus built from the registry plus
our own actions. Geometry, dock state and splitters are remembered in QSettings."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QMainWindow, QPushButton, QSplitter, QStackedWidget,
                               QTableView, QTabWidget, QVBoxLayout, QWidget)

from ..core.numbers import fmt_es
from ..services import editing as ed
from . import registry
from .context import AppContext, Selection

TEXT = {
    "title": "{org} — {file} — Ejercicio {year}", "title_ro": " [solo lectura]", "title_server": "servidor {host}/{db}",
    "home": "Inicio", "detail": "Programa", "mir": "MIR", "ficha": "Ficha técnica",
    "overview_title": "Programas del ejercicio {year}",
    "overview_headers": ["Clave", "Programa", "Dependencia", "Objetivos", "Indicadores", "Presupuesto aprobado"],
    "overview_hint": "Doble clic o Intro en un programa para abrir su MIR. Ctrl+F busca programas e indicadores.",
    "detail_empty": "Seleccione una dependencia o un programa en el árbol para ver y editar sus datos.",
    "open": "&Abrir archivo…", "new_org": "&Nuevo municipio…", "settings": "&Configuración…", "quit": "&Salir",
    "undo": "&Deshacer", "redo": "&Rehacer", "new_agency": "Nueva &dependencia…", "new_program": "Nuevo &programa…",
    "delete": "&Eliminar selección…", "find": "&Buscar…", "validation": "Panel de &validación",
    "plan": "&{plan}…", "guide": "&Guía rápida", "about": "&Acerca de SES",
    "user": "Usuario: {name} ({role})", "ro": "Solo lectura", "saved": "Guardado: {what}",
    "confirm_del_title": "Confirmar eliminación",
    "confirm_program": "¿Eliminar el programa {key} «{name}»?\n\nSe perderá también: {lost}.\n\nPuede deshacerlo con "
                       "Ctrl+Z mientras el archivo siga abierto.",
    "confirm_agency": "¿Eliminar la dependencia {key}?\n\nPuede deshacerlo con Ctrl+Z.",
    "confirm_indicator": "¿Eliminar el indicador {key}?\n\nSe perderá también: {lost}.\n\nPuede deshacerlo con Ctrl+Z.",
    "nothing": "nada más",
    "undo_prefix": "Deshacer: {t}", "redo_prefix": "Rehacer: {t}",
    "next_page": "Página siguiente", "prev_page": "Página anterior",
    "quit_tip": "Cerrar SES (todo está guardado)",
    "saved_note": "Cada cambio se guarda al instante en el archivo; no hay botón «Guardar». Ctrl+Z deshace el "
                  "último cambio.",
    "saved_note_ok": "Entendido",
}
# F1 opens the guide at the topic of the page in front (ui.help_texts.GUIDE_TOPICS)
HELP_TOPIC = {"captura": "captura", "tablero": "semaforo", "mir": "mir", "ficha": "mir", "programa": "mir"}


class OverviewModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = ed.program_overview(self.ctx.db, self.ctx.year)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 6

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 2:  # the state profile's name for it (Edomex: «Dependencia General»)
                from .profile_ui import plabel

                return plabel(self.ctx, "dependencia", TEXT["overview_headers"][section])
            return TEXT["overview_headers"][section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [r["key"], r["name"], r["agency"], str(r["objectives"]), str(r["indicators"]),
                    "" if r["budget"] is None else "$ " + fmt_es(r["budget"])][c]
        if role == Qt.ItemDataRole.TextAlignmentRole and c >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r["key"]
        return None


class ProgramOverview(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        self.title = QLabel(TEXT["overview_title"].format(year=ctx.year), self)
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.title.setFont(f)
        lay.addWidget(self.title)
        hint = QLabel(TEXT["overview_hint"], self)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.model = OverviewModel(ctx, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.view)
        self.view.activated.connect(lambda idx: ctx.navigate("mir", program=idx.siblingAtColumn(0).data(
            Qt.ItemDataRole.UserRole)))
        self.view.doubleClicked.connect(lambda idx: ctx.navigate("mir", program=idx.siblingAtColumn(0).data(
            Qt.ItemDataRole.UserRole)))
        ctx.dataChanged.connect(self._data_changed)
        self.model.reload()
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def _data_changed(self, entity: str, key: str) -> None:
        if entity in ("program", "agency", "indicator", "*"):
            self.model.reload()


def untrap_tables(widget: QWidget) -> None:
    """Tab never traps inside a table: it moves to the next control of the page (arrows move between cells)."""
    from PySide6.QtWidgets import QAbstractItemView

    for view in widget.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)


class _LazyPage(QWidget):
    """Placeholder of a registered page, built the first time it is shown (keeps startup fast)."""

    def __init__(self, spec, ctx, parent=None):
        super().__init__(parent)
        self.spec, self.ctx, self.page = spec, ctx, None
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def build(self) -> QWidget:
        if self.page is None:
            self.page = self.spec.factory(self.ctx, self)
            self.layout().addWidget(self.page)
            untrap_tables(self.page)
        return self.page


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ventana_principal")
        self.setMinimumSize(640, 420)  # 1366×768 at 150 % leaves about 910×480 logical pixels
        self._selection: Selection | None = None
        from .navigation import NavigationPanel
        from .validation_panel import ValidationPanel

        self.nav = NavigationPanel(ctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 1000])
        self.splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        central_lay.setSpacing(0)
        self.saved_note = _SavedNote(central)
        central_lay.addWidget(self.saved_note)
        central_lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget] = {}
        self._build_pages()
        self.validation = ValidationPanel(ctx, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.validation)
        self._build_menus()
        self.statusBar().addPermanentWidget(QLabel(TEXT["user"].format(name=ctx.user.name,
                                                                      role=_role(ctx.user.role)), self))
        if ctx.read_only:
            ro = QLabel(TEXT["ro"], self)
            ro.setStyleSheet("color: #b3261e; font-weight: bold;")
            self.statusBar().addPermanentWidget(ro)
        self.update_title()
        del_key = QAction(TEXT["delete"], self.nav.tree)
        del_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        del_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        del_key.triggered.connect(self.delete_selection)
        del_key.setEnabled(not ctx.read_only)
        self.nav.tree.addAction(del_key)
        self.nav.selected.connect(self.on_selected)
        self.nav.activated.connect(self.on_activated)
        ctx.navigateRequested.connect(self.navigate)
        ctx.dataChanged.connect(self._data_changed)
        self.validation.goto.connect(self.goto_finding)
        self.validation.explain.connect(lambda rid: __import__(
            "sistema_seguimiento.ui.help", fromlist=["show_rule"]).show_rule(rid, self))
        self.ctx.undo_stack.indexChanged.connect(self._undo_status)
        self.restore_state()
        untrap_tables(self)
        self._first_show = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            QTimer.singleShot(30, self._build_home)
            if self.ctx.user.role == "capturista" and self.ctx.user.agency_key and "captura" in self.pages:
                # the capturista's window opens on its own dependencia's capture page
                QTimer.singleShot(40, lambda: self.navigate("captura", {"agency": self.ctx.user.agency_key}))
            # the first validation runs in a worker; start it once the first screen is up (it competes for the GIL)
            QTimer.singleShot(1500, self.validation.refresh)

    def _build_home(self) -> None:
        w = self.pages.get(self.home_key)
        if isinstance(w, _LazyPage):
            from .messages import show_error

            try:
                w.build()
            except Exception as exc:  # noqa: BLE001 - a broken feature page must not take the window down
                show_error(self, exc, action="mostrar la página de inicio")
        self.home_ready = True

    # ---- pages ------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        specs = registry.pages()
        home = next((s for s in specs if s.home), None)
        self.home_ready = home is None
        if home is not None:
            # built right after the window is first painted (see showEvent): the tree and the menus are usable
            # at once and a heavy home page (charts) does not delay the first screen
            w = _LazyPage(home, self.ctx, self.tabs)
            self.pages[home.key] = w
            self.tabs.addTab(w, home.title)
            self.home_key = home.key
        else:
            self.pages["inicio"] = ProgramOverview(self.ctx, self.tabs)
            self.tabs.addTab(self.pages["inicio"], TEXT["home"])
            self.home_key = "inicio"
        self.detail = QStackedWidget(self.tabs)
        self.detail_empty = QLabel(TEXT["detail_empty"], self.detail)
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_empty.setWordWrap(True)
        self.detail.addWidget(self.detail_empty)
        self.agency_form = None
        self.program_form = None
        self.pages["programa"] = self.detail
        self.tabs.addTab(self.detail, TEXT["detail"])
        self.mir = None
        self.ficha = None
        self.pages["mir"] = _Holder(self.tabs)
        self.tabs.addTab(self.pages["mir"], TEXT["mir"])
        self.pages["ficha"] = _Holder(self.tabs)
        self.tabs.addTab(self.pages["ficha"], TEXT["ficha"])
        for spec in specs:
            if spec is home:
                continue
            page = _LazyPage(spec, self.ctx, self.tabs)
            self.pages[spec.key] = page
            self.tabs.addTab(page, spec.title)
        self.tabs.currentChanged.connect(self._tab_changed)

    def _tab_changed(self, i: int) -> None:
        w = self.tabs.widget(i)
        if isinstance(w, _LazyPage):
            w.build()
        elif w is self.pages.get("mir"):
            self.mir_editor()
        elif w is self.pages.get("ficha"):
            self.ficha_view()

    def mir_editor(self):
        if self.mir is None:
            from .mir_editor import MirEditor

            self.mir = MirEditor(self.ctx, self.pages["mir"])
            self.pages["mir"].set(self.mir)
            untrap_tables(self.mir)
            self.mir.openIndicator.connect(lambda k: self.ctx.navigate("ficha", indicator=k))
            self._restore_splitter(self.mir.splitter)
        return self.mir

    def ficha_view(self):
        if self.ficha is None:
            from .ficha import FichaView

            self.ficha = FichaView(self.ctx, self.pages["ficha"])
            self.pages["ficha"].set(self.ficha)
            untrap_tables(self.ficha)
            self._restore_splitter(self.ficha.splitter)
        return self.ficha

    def _forms(self):
        if self.program_form is None:
            from .forms import AgencyForm, ProgramForm

            self.agency_form = AgencyForm(self.ctx, self.detail)
            self.program_form = ProgramForm(self.ctx, self.detail)
            self.detail.addWidget(self.agency_form)
            self.detail.addWidget(self.program_form)

    def show_page(self, key: str) -> QWidget | None:
        w = self.pages.get(key)
        if w is not None:
            self.tabs.setCurrentWidget(w)
        return w

    # ---- navigation -------------------------------------------------------------------------
    def on_selected(self, sel: Selection) -> None:
        self._selection = sel
        self.validation.set_program(sel.program)
        current = self.tabs.currentWidget()
        if sel.kind == "agency" and sel.key:
            self._forms()
            self.agency_form.load(sel.key)
            self.detail.setCurrentWidget(self.agency_form)
            if current not in (self.detail,):
                self.show_page("programa")
        elif sel.kind == "program":
            self._forms()
            self.program_form.load(sel.key)
            self.detail.setCurrentWidget(self.program_form)
            if current is self.pages["mir"]:
                self.mir_editor().set_program(sel.key)
            elif current is not self.detail:
                self.show_page("programa")
        elif sel.kind == "objective":
            self.mir_editor().set_program(sel.program, sel.key)
            self.show_page("mir")
        elif sel.kind == "indicator":
            self.ficha_view().set_indicator(sel.key)
            self.show_page("ficha")

    def on_activated(self, sel: Selection) -> None:
        if sel.kind == "program":
            self.navigate("mir", {"program": sel.key})
        else:
            self.on_selected(sel)
            self.nav.select(sel.kind, sel.key, sel.program)

    def navigate(self, page: str, kwargs: dict) -> None:
        if page == "mir" and kwargs.get("program"):
            self._selection = Selection("program", kwargs["program"], kwargs["program"])
            self.mir_editor().set_program(kwargs["program"], kwargs.get("objective"))
            self.show_page("mir")
            self.nav.select("program", kwargs["program"])
            self.validation.set_program(kwargs["program"])
            self.mir.view.setFocus()
        elif page == "ficha" and kwargs.get("indicator"):
            f = self.ficha_view()
            self.show_page("ficha")
            f.set_indicator(kwargs["indicator"])
            if kwargs.get("field") or kwargs.get("rule"):
                f.focus_field(kwargs.get("field"), kwargs.get("rule"))
            self.nav.select("indicator", kwargs["indicator"], f.values.get("program_key"))
            self.validation.set_program(f.values.get("program_key"))
        elif page == "programa" and kwargs.get("program"):
            self.nav.select("program", kwargs["program"])
            self.on_selected(Selection("program", kwargs["program"], kwargs["program"]))
            self.show_page("programa")
        else:
            w = self.show_page(page)
            if isinstance(w, _LazyPage):
                page_w = w.build()
                if hasattr(page_w, "navigate_to"):
                    page_w.navigate_to(**kwargs)

    def goto_finding(self, f) -> None:
        if f.indicator:
            self.navigate("ficha", {"indicator": f.indicator, "field": f.field, "rule": f.rule_id})
        elif f.program:
            self.navigate("mir", {"program": f.program, "objective": f.objective})
            if f.objective is None:
                self.navigate("programa", {"program": f.program})

    def _data_changed(self, entity: str, key: str) -> None:
        if entity in ("settings", "*"):
            self.update_title()
            for a, spec in getattr(self, "_conditional_actions", []):
                a.setVisible(bool(spec.visible(self.ctx)))
            self._name_plan()
        if self.program_form is not None and self.detail.currentWidget() is self.program_form and \
                entity == "program":
            try:
                self.program_form.load(key or self.program_form.key_value)
            except Exception:  # noqa: BLE001 - the program was deleted (undo of its creation)
                self.detail.setCurrentWidget(self.detail_empty)
        if self.agency_form is not None and self.detail.currentWidget() is self.agency_form and entity == "agency":
            try:
                self.agency_form.load(key or self.agency_form.key_value)
            except Exception:  # noqa: BLE001
                self.detail.setCurrentWidget(self.detail_empty)
        if self.mir is not None and entity == "program" and self.mir.program_key == key:
            try:
                ed.program_values(self.ctx.db, self.ctx.year, key)
            except Exception:  # noqa: BLE001
                self.mir.set_program(None)

    # ---- menus ------------------------------------------------------------------------------
    def _act(self, menu, text, slot, shortcut=None, requires_write=False, tip="") -> QAction:
        a = QAction(text, self)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        if requires_write and self.ctx.read_only:
            a.setEnabled(False)
        menu.addAction(a)
        return a

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {}
        for name in registry.MENUS:
            self.menus[name] = bar.addMenu("&" + name)
        m = self.menus["Archivo"]
        self._act(m, TEXT["open"], self.open_file, QKeySequence.StandardKey.Open)
        self._act(m, TEXT["new_org"], self.new_organization, QKeySequence.StandardKey.New)
        m.addSeparator()
        self._act(m, TEXT["settings"], self.open_settings, "Ctrl+,")
        m.addSeparator()
        self.quit_action = self._act(m, TEXT["quit"], self.close, QKeySequence.StandardKey.Quit, tip=TEXT["quit_tip"])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        m = self.menus["Editar"]
        self.undo_action = self.ctx.undo_stack.createUndoAction(self, TEXT["undo"].replace("&", ""))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.ctx.undo_stack.createRedoAction(self, TEXT["redo"].replace("&", ""))
        redo_keys = [QKeySequence("Ctrl+Y")] + QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        self.redo_action.setShortcuts(list(dict.fromkeys(redo_keys)))
        m.addAction(self.undo_action)
        m.addAction(self.redo_action)
        m.addSeparator()
        designer = ed.can_edit_program(self.ctx.user)  # the capturista captures; it designs no program or MIR
        self._act(m, TEXT["new_agency"], self.new_agency, requires_write=True).setEnabled(
            designer and not self.ctx.read_only)
        self._act(m, TEXT["new_program"], self.new_program, "Ctrl+Shift+N", requires_write=True).setEnabled(
            designer and not self.ctx.read_only)
        self.delete_action = self._act(m, TEXT["delete"], self.delete_selection, "Ctrl+Del", requires_write=True)
        m = self.menus["Ver"]
        self._act(m, TEXT["find"], self.nav.focus_filter, QKeySequence.StandardKey.Find)
        toggle = self.validation.toggleViewAction()
        toggle.setText(TEXT["validation"])
        toggle.setShortcut(QKeySequence("Ctrl+Shift+V"))
        m.addAction(toggle)
        m.addSeparator()
        # Ctrl+1…9 follow the tab order (one owner per key: a page's own PageSpec.shortcut is used only when
        # no other action has it); Ctrl+Tab / Ctrl+Shift+Tab step through the pages
        taken = {a.shortcut().toString() for a in self.findChildren(QAction) if not a.shortcut().isEmpty()}
        taken |= {spec.shortcut for name in registry.MENUS for spec in registry.actions(name) if spec.shortcut}
        self.page_actions = {}
        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            key = next(k for k, v in self.pages.items() if v is w)
            spec = next((s for s in registry.pages() if s.key == key), None)
            shortcut = f"Ctrl+{i + 1}" if i < 9 else None
            if shortcut is None and spec and spec.shortcut and spec.shortcut not in taken:
                shortcut = spec.shortcut
            if shortcut:
                taken.add(shortcut)
            self.page_actions[key] = self._act(m, self.tabs.tabText(i), lambda _c=False, k=key: self.show_page(k),
                                               shortcut)
        m.addSeparator()
        nxt = self._act(m, TEXT["next_page"], lambda: self.step_page(1), "Ctrl+Tab")
        nxt.setShortcuts([QKeySequence("Ctrl+Tab"), QKeySequence("Ctrl+PgDown")])
        prev = self._act(m, TEXT["prev_page"], lambda: self.step_page(-1), "Ctrl+Shift+Tab")
        prev.setShortcuts([QKeySequence("Ctrl+Shift+Tab"), QKeySequence("Ctrl+PgUp")])
        m = self.menus["Herramientas"]
        self.plan_action = self._act(m, "", self.open_plan)
        self._name_plan()
        m = self.menus["Ayuda"]
        self._act(m, TEXT["guide"], self.open_guide, QKeySequence.StandardKey.HelpContents)
        for name in registry.MENUS:
            actions = registry.actions(name)
            if actions:
                self.menus[name].addSeparator()
            for spec in actions:
                a = self._act(self.menus[name], spec.text, lambda _c=False, s=spec: s.callback(self.ctx, self),
                              spec.shortcut, spec.requires_write, spec.tooltip)
                a.setToolTip(spec.tooltip)
                if spec.visible is not None:  # e.g. the state formats, offered only by a profile that has them
                    self.__dict__.setdefault("_conditional_actions", []).append((a, spec))
                    a.setVisible(bool(spec.visible(self.ctx)))
        for name, menu in self.menus.items():
            if menu.isEmpty():
                menu.menuAction().setVisible(False)

    def step_page(self, delta: int) -> None:
        n = self.tabs.count()
        if n:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + delta) % n)

    def current_page_key(self) -> str | None:
        w = self.tabs.currentWidget()
        return next((k for k, v in self.pages.items() if v is w), None)

    def _undo_status(self, _index: int = 0) -> None:
        try:
            stack = self.ctx.undo_stack
            if stack.index() > 0:
                self.statusBar().showMessage(TEXT["saved"].format(what=stack.text(stack.index() - 1)), 4000)
        except RuntimeError:  # the stack or the window is being destroyed
            pass

    # ---- actions ----------------------------------------------------------------------------
    def new_agency(self) -> None:
        from .forms import new_agency

        key = new_agency(self.ctx, self)
        if key:
            QTimer.singleShot(200, lambda: self.nav.select("agency", key))

    def new_program(self) -> None:
        from .forms import new_program

        agency = None
        sel = self._selection
        if sel is not None and sel.kind == "agency":
            agency = sel.key
        key = new_program(self.ctx, agency, self)
        if key:
            self.navigate("mir", {"program": key})

    def delete_selection(self) -> None:
        from .messages import confirm

        sel = self.nav.current_selection()
        ctx = self.ctx
        if sel is None:
            return
        if sel.kind == "program":
            lost = ed.deletion_summary(ctx.db, ctx.year, "program", sel.key) or TEXT["nothing"]
            name = ed.program_values(ctx.db, ctx.year, sel.key)["name"]
            if not confirm(self, TEXT["confirm_del_title"], TEXT["confirm_program"].format(
                    key=sel.key, name=name, lost=lost), yes="Eliminar programa"):
                return
            from . import commands

            commands.delete_with_snapshot(ctx, self, f"Eliminar programa {sel.key}",
                                          lambda: ed.delete_program(ctx.db, ctx.user, ctx.year, sel.key),
                                          lambda snap: ed.restore_program(ctx.db, ctx.user, snap), "program", sel.key)
        elif sel.kind == "agency" and sel.key:
            if not confirm(self, TEXT["confirm_del_title"], TEXT["confirm_agency"].format(key=sel.key),
                           yes="Eliminar dependencia"):
                return
            from . import commands

            commands.delete_with_snapshot(ctx, self, f"Eliminar dependencia {sel.key}",
                                          lambda: ed.delete_agency(ctx.db, ctx.user, sel.key),
                                          lambda snap: ed.restore_agency(ctx.db, ctx.user, snap), "agency", sel.key)
        elif sel.kind == "indicator":
            lost = ed.deletion_summary(ctx.db, ctx.year, "indicator", sel.key) or TEXT["nothing"]
            if not confirm(self, TEXT["confirm_del_title"], TEXT["confirm_indicator"].format(key=sel.key, lost=lost),
                           yes="Eliminar indicador"):
                return
            from . import commands

            commands.delete_with_snapshot(ctx, self, f"Eliminar indicador {sel.key}",
                                          lambda: ed.delete_indicator(ctx.db, ctx.user, sel.key),
                                          lambda snap: ed.restore_indicator(ctx.db, ctx.user, snap), "indicator",
                                          sel.key)
        elif sel.kind == "objective":
            m = self.mir_editor()
            m.set_program(sel.program, sel.key)
            m.delete_row()

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        SettingsDialog(self.ctx, self).exec()
        self.update_title()

    def _name_plan(self) -> None:
        """The plan catalog's menu entry carries the plan's name chosen in Configuración (core.plan_name)."""
        from ..services.plan_setting import current_plan_name

        try:
            self.plan_action.setText(TEXT["plan"].format(plan=current_plan_name(self.ctx.db)))
        except Exception:  # noqa: BLE001 - an empty or unreadable database keeps the default name
            from ..core.plan_name import NAMES, GOBIERNO

            self.plan_action.setText(TEXT["plan"].format(plan=NAMES[GOBIERNO]))

    def open_plan(self) -> None:
        from .plan_editor import PlanEditor

        PlanEditor(self.ctx, self).exec()

    def open_guide(self) -> None:
        from .help import show_guide

        show_guide(self, HELP_TOPIC.get(self.current_page_key() or ""))

    def about(self) -> None:
        from .help import HelpDialog
        from .help_texts import ABOUT

        HelpDialog("Acerca de SES", ABOUT, self).exec()

    def open_file(self) -> None:
        from .app import choose_and_switch

        choose_and_switch(self)

    def new_organization(self) -> None:
        from .app import new_and_switch

        new_and_switch(self)

    # ---- title and state --------------------------------------------------------------------
    def update_title(self) -> None:
        info = ed.window_info(self.ctx.db)
        url = self.ctx.db.engine.url
        name = (Path(str(self.ctx.db.path)).name if self.ctx.db.path
                else TEXT["title_server"].format(host=url.host or "localhost", db=url.database or ""))
        title = TEXT["title"].format(org=info["organization"] or "SES", file=name, year=self.ctx.year)
        self.setWindowTitle(title + (TEXT["title_ro"] if self.ctx.read_only else ""))

    def restore_state(self) -> None:
        s = QSettings()
        geo = s.value("ventana/geometria")
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if geo is not None:
            self.restoreGeometry(geo)
            if screen is not None and (self.height() > screen.height() or self.width() > screen.width()):
                self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))
        else:
            self.resize(1280, 800)
        if screen is not None:
            # never taller or wider than the screen (a 1366×768 laptop at 150 % has about 910×480 to offer)
            self.setMinimumSize(min(640, screen.width()), min(420, screen.height()))
            self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))
        if geo is None or (screen is not None and (screen.width() < 1400 or screen.height() < 860)):
            # first run, or a small screen: maximized (show() keeps the state)
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        state = s.value("ventana/estado")
        if state is not None:
            self.restoreState(state)
        else:
            # the validation dock starts small; its size is remembered with the window state
            small = 130 if screen is None else max(100, min(190, screen.height() // 6))
            self.resizeDocks([self.validation], [small], Qt.Orientation.Vertical)
        sp = s.value("ventana/divisor")
        if sp is not None:
            self.splitter.restoreState(sp)
        elif screen is not None and screen.width() < 1500:
            self.splitter.setSizes([250, max(600, screen.width() - 250)])  # the pages get the width

    def _restore_splitter(self, splitter: QSplitter) -> None:
        v = QSettings().value(f"ventana/{splitter.objectName()}")
        if v is not None:
            splitter.restoreState(v)

    def save_state(self) -> None:
        s = QSettings()
        s.setValue("ventana/geometria", self.saveGeometry())
        s.setValue("ventana/estado", self.saveState())
        s.setValue("ventana/divisor", self.splitter.saveState())
        for w in (self.mir, self.ficha):
            if w is not None:
                s.setValue(f"ventana/{w.splitter.objectName()}", w.splitter.saveState())

    def closeEvent(self, event) -> None:
        self.save_state()
        from .backup_actions import auto_backup_on_close
        from .worker import wait_all

        wait_all(5000)
        auto_backup_on_close(self.ctx)
        super().closeEvent(event)


class _SavedNote(QWidget):
    """Shown once, on the first screen: every change is saved at once (dismissed for good with «Entendido»)."""

    KEY = "aviso/guardado_al_instante"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("aviso_guardado")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(TEXT["saved_note"], self)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #0b3d91;")
        self.ok = QPushButton(TEXT["saved_note_ok"], self)
        self.ok.clicked.connect(self.dismiss)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.ok)
        self.setStyleSheet("#aviso_guardado { background: #e8f0fe; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setVisible(not QSettings().value(self.KEY, False, type=bool))

    def dismiss(self) -> None:
        QSettings().setValue(self.KEY, True)
        self.hide()


class _Holder(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)

    def set(self, w: QWidget) -> None:
        self.layout().addWidget(w)


def _role(role: str) -> str:
    from ..core.types import label

    return label(role)
