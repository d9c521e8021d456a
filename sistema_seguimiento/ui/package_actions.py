"""Capture packages in the window (issue 13): Captura → «Generar paquetes de captura…» and «Importar respuestas…»
(preview per package with conflicts resolved per row or for all), Archivo → «Abrir paquete…» and «Generar
respuesta…». The work runs in ``ui.worker.run_task``; the rules are in ``services.packages``."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
                               QPushButton, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from .registry import ActionSpec, register_action
from .worker import run_task

TEXT = {
    "generate": "Generar &paquetes de captura…",
    "import": "&Importar respuestas…",
    "open": "Abrir pa&quete…",
    "respond": "Generar &respuesta…",
    "filter": "Paquete de SES (*.ses)",
    "gen_title": "Generar paquetes de captura",
    "agencies": "Dependencias",
    "all": "Todas",
    "none": "Ninguna",
    "from": "Desde el mes",
    "to": "Hasta el mes",
    "folder": "Carpeta de destino",
    "choose": "Elegir…",
    "generating": "Generando los paquetes…",
    "generated": "Se generaron {n} paquete(s) en {folder}:\n{files}",
    "no_selection": "Elija al menos una dependencia.",
    "opening": "Abriendo el paquete…",
    "open_confirm": "¿Abrir el paquete de la dependencia {agency} ({name}), periodos {periods}, generado el {at} por "
                    "{by}?\n\nSe crea o actualiza la copia local de la dependencia; lo capturado aquí se conserva.",
    "opened": "Paquete abierto: dependencia {agency}, {programs} programa(s), {indicators} indicador(es). "
              "Se conservaron {values} valor(es) capturado(s) aquí.",
    "opened_reopen": "\n\nCierre y vuelva a abrir el archivo para ver los programas nuevos.",
    "responding": "Generando la respuesta…",
    "responded": "Respuesta generada:\n{path}\n({values} valores, {just} justificaciones, {ev} evidencias).\n\n"
                 "Envíela a la unidad de planeación (memoria USB o correo).",
    "no_copy": "Esta base de datos no se creó con un paquete de captura; no hay respuesta que generar.",
    "reading": "Revisando las respuestas…",
    "applying": "Importando…",
    "preview_title": "Vista previa: importar respuestas",
    "headers": ["Tipo", "Indicador", "Variable", "Periodo", "Oficina", "Oficina: quién y cuándo", "Paquete",
                "Paquete: quién y cuándo", "Resolución"],
    "summary": "Dependencia {agency}, capturista {user}, periodos {periods}: {new} valor(es) nuevo(s), {changed} "
               "modificado(s), {cleared} borrado(s), {same} sin cambio, {conf} conflicto(s); justificaciones: {jn} "
               "nueva(s), {jc} modificada(s), {js} sin cambio; evidencias: {en} nueva(s), {es} ya recibida(s).",
    "refused": "RECHAZADO: {error}",
    "goal_kind": "{kind} (meta de actividad)",
    "all_office": "Conflictos: conservar todos los de la oficina",
    "all_package": "Conflictos: tomar todos los del paquete",
    "keep_office": "Conservar oficina",
    "take_package": "Tomar paquete",
    "apply": "Aplicar",
    "close": "Cerrar",
    "applied": "{name}: {values} valor(es), {just} justificación(es), {ev} evidencia(s) importados; conflictos: "
               "{kept} con el valor de la oficina, {taken} con el del paquete.",
    "failed": "{name}: no se importó — {error}",
    "done": "Listo",
    "kinds": {"nuevo": "Nuevo", "modificado": "Modificado", "borrado": "Borrado", "sin_cambio": "Sin cambio",
              "conflicto": "Conflicto"},
    "just_kind": "Justificación {kind}",
    "ev_kind": "Evidencia {kind}",
}


# ---------------------------------------------------------------------------------------------------
# office: generate

class GeneratePackagesDialog(QDialog):
    def __init__(self, agencies: list[tuple[str, str]], months: list[str], month: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["gen_title"])
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(TEXT["agencies"]))
        self.list = QListWidget()
        for key, label in agencies:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        # wide enough for the dependencias' names (ui.screen_fit narrows the dialog on a small screen)
        self.list.setMinimumWidth(min(self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + 24, 640))
        lay.addWidget(self.list)
        row = QHBoxLayout()
        for text, state in ((TEXT["all"], Qt.CheckState.Checked), (TEXT["none"], Qt.CheckState.Unchecked)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, st=state: self._check_all(st))
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        form = QFormLayout()
        self.frm, self.to = QComboBox(), QComboBox()
        for combo in (self.frm, self.to):
            combo.addItems(months)
            if month in months:
                combo.setCurrentText(month)
        form.addRow(TEXT["from"], self.frm)
        form.addRow(TEXT["to"], self.to)
        folder_row = QHBoxLayout()
        self.folder = QLineEdit(str(Path.home()))
        pick = QPushButton(TEXT["choose"])
        pick.clicked.connect(self._pick)
        folder_row.addWidget(self.folder)
        folder_row.addWidget(pick)
        form.addRow(TEXT["folder"], folder_row)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _check_all(self, state) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def _pick(self) -> None:
        path = QFileDialog.getExistingDirectory(self, TEXT["folder"], self.folder.text())
        if path:
            self.folder.setText(path)

    def selected(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _accept(self) -> None:
        if not self.selected():
            QMessageBox.warning(self, TEXT["gen_title"], TEXT["no_selection"])
            return
        self.accept()


def generate_packages_action(ctx, window) -> None:
    from ..core import periods
    from ..services import editing as ed
    from ..services.packages import create_packages

    agencies = [(k, f"{k} {acr} — {name}") for k, acr, name in ed.agencies(ctx.db)]
    months = [periods.month_id(ctx.year, m) for m in range(1, 13)]
    dlg = GeneratePackagesDialog(agencies, months, ctx.month, window)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return
    keys, frm, to, folder = dlg.selected(), dlg.frm.currentText(), dlg.to.currentText(), dlg.folder.text()

    def done(built) -> None:
        files = "\n".join(f"• {b.path.name} ({b.size // 1024 + 1} KB)" for b in built)
        QMessageBox.information(window, TEXT["done"], TEXT["generated"].format(n=len(built), folder=folder,
                                                                               files=files))

    run_task(lambda control: create_packages(ctx.db, ctx.user, keys, frm, to, folder,
                                             progress=control.progress),
             on_done=done, parent=window, title=TEXT["gen_title"], label=TEXT["generating"])


# ---------------------------------------------------------------------------------------------------
# dependencia: open a package, respond

def open_package_action(ctx, window, path: str | None = None) -> None:
    from ..core import periods
    from ..exchange import package as fmt
    from ..services.packages import open_package
    from .messages import confirm, show_error

    if not path:
        path, _ = QFileDialog.getOpenFileName(window, TEXT["open"].replace("&", "").rstrip("…"), str(Path.home()),
                                              TEXT["filter"])
        if not path:
            return
    try:
        pkg = fmt.read_package(path)
    except (OSError, fmt.PackageError) as exc:
        show_error(window, exc, action="abrir el paquete")
        return
    if pkg.kind == fmt.KIND_RESPONSE:  # a dependencia's response opened at the office: the import flow
        import_responses_action(ctx, window, [str(path)])
        return
    man = pkg.manifest
    text = TEXT["open_confirm"].format(agency=man["dependencia"].get("clave"), name=man["dependencia"].get("nombre"),
                                       periods=", ".join(periods.label(p) for p in man["periodos"]),
                                       at=str(man.get("creado_en", ""))[:16].replace("T", " "),
                                       by=man.get("creado_por", ""))
    if not confirm(window, TEXT["open"].replace("&", "").rstrip("…"), text):
        return

    def done(r) -> None:
        ctx.notify("program", "*")
        ctx.notify("measurement", "")
        msg = TEXT["opened"].format(agency=r.agency_key, programs=r.programs, indicators=r.indicators,
                                    values=r.kept_values)
        QMessageBox.information(window, TEXT["done"], msg + (TEXT["opened_reopen"] if r.created else ""))

    run_task(lambda control: open_package(ctx.db, path, ctx.user), on_done=done, parent=window,
             title=TEXT["open"].replace("&", "").rstrip("…"), label=TEXT["opening"])


def respond_action(ctx, window) -> None:
    from ..services.packages import copy_info, package_name, respond

    copy = copy_info(ctx.db)
    if copy is None:
        QMessageBox.information(window, TEXT["respond"].replace("&", "").rstrip("…"), TEXT["no_copy"])
        return
    name = package_name(copy["dependencia"], copy["periodos"]).replace("Paquete_", "Respuesta_")
    path, _ = QFileDialog.getSaveFileName(window, TEXT["respond"].replace("&", "").rstrip("…"),
                                          str(Path.home() / name), TEXT["filter"])
    if not path:
        return
    if not path.lower().endswith(".ses"):
        path += ".ses"

    def done(r) -> None:
        QMessageBox.information(window, TEXT["done"], TEXT["responded"].format(
            path=r.path, values=r.values, just=r.justifications, ev=r.evidence))

    run_task(lambda control: respond(ctx.db, ctx.user, path), on_done=done, parent=window,
             title=TEXT["respond"].replace("&", "").rstrip("…"), label=TEXT["responding"])


# ---------------------------------------------------------------------------------------------------
# office: import responses

class ImportPreviewDialog(QDialog):
    """One tab per response: a summary (or the refusal) and the rows that change, conflicts with a per-row
    choice; two buttons resolve all conflicts at once."""

    def __init__(self, previews, parent: QWidget | None = None):
        from ..core.numbers import fmt_es

        super().__init__(parent)
        self.previews = previews
        self.setWindowTitle(TEXT["preview_title"])
        self.resize(1100, 600)
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.conflict_boxes: dict[tuple[int, str], QComboBox] = {}
        self.tables: list[QTableWidget] = []
        self.summaries: list[QLabel] = []

        def num(v) -> str:
            return "" if v is None else fmt_es(v)

        for n, pv in enumerate(previews):
            page = QWidget()
            pl = QVBoxLayout(page)
            if pv.error:
                label = QLabel(TEXT["refused"].format(error=pv.error) + "".join(f"\n• {d}" for d in pv.details))
                label.setStyleSheet("color: #b00020;")
            else:
                s = pv.summary()
                label = QLabel(TEXT["summary"].format(
                    agency=pv.agency_key, user=pv.user, periods=", ".join(pv.periods), new=s["valores_nuevos"],
                    changed=s["valores_modificados"], cleared=s["valores_borrados"], same=s["valores_sin_cambio"],
                    conf=len(s["conflictos"]), jn=s["justificaciones_nuevas"], jc=s["justificaciones_modificadas"],
                    js=s["justificaciones_sin_cambio"], en=s["evidencias_nuevas"], es=s["evidencias_sin_cambio"]))
            label.setWordWrap(True)
            pl.addWidget(label)
            self.summaries.append(label)
            rows = [r for r in pv.values if r.kind != "sin_cambio"]
            # metas de actividad (issue 16): proyecto in «Indicador», the meta's ID in «Variable»
            rows += [r for r in getattr(pv, "goals", []) if r.kind != "sin_cambio"]
            rows.sort(key=lambda r: r.kind != "conflicto")
            extra = ([(TEXT["just_kind"].format(kind=TEXT["kinds"][j.kind].lower()), j.indicator, "", j.period,
                       j.office_text, "", j.fields["causa"], "") for j in pv.justifications if j.kind != "sin_cambio"]
                     + [(TEXT["ev_kind"].format(kind=TEXT["kinds"][e.kind].lower()), e.indicator, "", e.period, "",
                         "", e.filename, "") for e in pv.evidence if e.kind != "sin_cambio"])
            table = QTableWidget(len(rows) + len(extra), len(TEXT["headers"]))
            table.setHorizontalHeaderLabels(TEXT["headers"])
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            for i, r in enumerate(rows):
                if not hasattr(r, "indicator"):  # a meta de actividad
                    cells = [TEXT["goal_kind"].format(kind=TEXT["kinds"][r.kind]), r.project, r.goal, r.period,
                             num(r.office), r.office_by, num(r.package), r.package_by]
                else:
                    at = r.office_at.strftime("%d/%m/%Y %H:%M") if r.office_at else ""
                    cells = [TEXT["kinds"][r.kind], r.indicator, r.variable, r.period, num(r.office),
                             f"{r.office_by} {at}".strip(), num(r.package),
                             f"{r.package_by} {r.package_at[:16].replace('T', ' ')}".strip()]
                for c, v in enumerate(cells):
                    table.setItem(i, c, QTableWidgetItem(v))
                if r.kind == "conflicto":
                    box = QComboBox()
                    box.addItem(TEXT["keep_office"], "oficina")
                    box.addItem(TEXT["take_package"], "paquete")
                    table.setCellWidget(i, 8, box)
                    self.conflict_boxes[(n, r.key)] = box
            for i, cells in enumerate(extra, start=len(rows)):
                for c, v in enumerate(cells):
                    table.setItem(i, c, QTableWidgetItem(v))
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            pl.addWidget(table)
            self.tables.append(table)
            self.tabs.addTab(page, ("✗ " if pv.error else "") + pv.name)
        lay.addWidget(self.tabs)
        row = QHBoxLayout()
        self.all_office = QPushButton(TEXT["all_office"])
        self.all_package = QPushButton(TEXT["all_package"])
        self.all_office.clicked.connect(lambda: self.resolve_all("oficina"))
        self.all_package.clicked.connect(lambda: self.resolve_all("paquete"))
        for b in (self.all_office, self.all_package):
            b.setEnabled(bool(self.conflict_boxes))
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton(TEXT["apply"], QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.setEnabled(any(p.error is None and p.has_changes for p in previews))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def resolve_all(self, choice: str) -> None:
        for box in self.conflict_boxes.values():
            box.setCurrentIndex(box.findData(choice))

    def resolutions(self) -> dict[tuple[int, str], str]:
        return {k: box.currentData() for k, box in self.conflict_boxes.items()}


def import_responses_action(ctx, window, files: list[str] | None = None) -> None:
    from ..services.packages import apply_import, preview_import

    if not files:
        files, _ = QFileDialog.getOpenFileNames(window, TEXT["import"].replace("&", "").rstrip("…"),
                                                str(Path.home()), TEXT["filter"])
        if not files:
            return
    title = TEXT["import"].replace("&", "").rstrip("…")

    def applied(results) -> None:
        ctx.notify("measurement", "")
        lines = [TEXT["applied"].format(name=r.name, values=r.values, just=r.justifications, ev=r.evidence,
                                        kept=r.conflicts_kept, taken=r.conflicts_taken) if r.applied
                 else TEXT["failed"].format(name=r.name, error=r.error) for r in results]
        QMessageBox.information(window, TEXT["done"], "\n".join(lines))

    def shown(previews) -> None:
        dlg = ImportPreviewDialog(previews, window)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        resolutions = dlg.resolutions()
        run_task(lambda control: apply_import(ctx.db, ctx.user, previews, resolutions=resolutions),
                 on_done=applied, parent=window, title=title, label=TEXT["applying"])

    run_task(lambda control: preview_import(ctx.db, files, progress=control.progress), on_done=shown,
             parent=window, title=title, label=TEXT["reading"])


def launch_target(path: str) -> tuple[Path | None, Path | None]:
    """``ses P.ses`` (double-click on a package): the database to open and the package to offer. On a PC
    without any database yet, a new one is created at the default place from the package itself."""
    from ..db.database import Database, OpenOptions
    from ..paths import default_db_path
    from ..services.packages import open_package
    from .app import initial_path

    package = Path(path)
    target = initial_path(None)
    if target is None:
        target = default_db_path()
        try:
            with Database.open(target, OpenOptions(create=True)) as db:
                open_package(db, package)
        except Exception as exc:  # noqa: BLE001 - shown, then the start dialog lets the user choose
            from .messages import show_error

            show_error(None, exc, action="abrir el paquete")
            return None, None
        return target, None  # already opened into the new database
    return target, package


register_action(ActionSpec(menu="Captura", text=TEXT["generate"], callback=generate_packages_action, order=60,
                           requires_write=True))
register_action(ActionSpec(menu="Captura", text=TEXT["import"], callback=import_responses_action, order=61,
                           requires_write=True))
register_action(ActionSpec(menu="Archivo", text=TEXT["open"], callback=open_package_action, order=60,
                           requires_write=True))
register_action(ActionSpec(menu="Archivo", text=TEXT["respond"], callback=respond_action, order=61))
