"""Informes menu: «Informe mensual de avance…» — choose period, scope and charts, then preview, print or
export to PDF. The report content is assembled off the UI thread with progress and «Cancelar»."""
from __future__ import annotations


from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGridLayout, QLabel, QPushButton, QRadioButton, QVBoxLayout)

from .registry import ActionSpec, register_action

TEXT = {
    "action": "Informe mensual de avance…",
    "tooltip": "Vista previa, impresión y PDF del informe mensual para presidencia, cabildo y contraloría",
    "title": "Informe mensual de avance",
    "period": "Periodo (mes de corte):",
    "quarter_cut": "{quarter} (corte a {month})",
    "scope": "Alcance:",
    "all": "Toda la organización",
    "agency": "Una dependencia:",
    "program": "Un programa:",
    "charts": "Incluir la gráfica de cada indicador",
    "summary": "Solo resumen ejecutivo y avance por eje",
    "preview": "&Vista previa…",
    "print": "&Imprimir…",
    "pdf": "Exportar &PDF…",
    "close": "Cerrar",
    "save_title": "Guardar el informe en PDF",
    "pdf_filter": "Documento PDF (*.pdf)",
    "progress": "Generando el informe…",
    "saved_title": "Informe guardado",
    "saved": "El informe se guardó en:\n{path}\n({n} páginas)",
    "printed": "Se enviaron {n} páginas a la impresora.",
    "preview_title": "Vista previa — Informe mensual de avance",
    "sign_title": "Faltan nombres de firma",
    "sign_ask": ("En Configuración no hay nombre para {roles}: el informe saldrá con esas firmas en blanco y no podrá "
                 "firmarse así.\n\n¿Desea continuar de todos modos? (Archivo → Configuración → Firmas del informe)"),
    "sign_yes": "Continuar sin esos nombres", "sign_no": "Cancelar",
}


def _months(ctx) -> list[str]:
    from ..core import periods

    return [periods.month_id(ctx.year, m) for m in range(1, 13)]


def cutoff_choices(ctx) -> list[tuple[str, str]]:
    """(month id, text) of the cut-offs offered: the twelve months, or under a trimestral state profile (issue 16)
    the four quarters, each cut at its last month («Tercer trimestre 2026 (corte a septiembre)» → 2026-09)."""
    from ..core import periods
    from .profile_ui import profile

    if profile(ctx).calendar == "trimestral":
        return [(periods.month_id(ctx.year, 3 * q), TEXT["quarter_cut"].format(
            quarter=periods.label(f"{ctx.year}-T{q}").capitalize(),
            month=periods.label(periods.month_id(ctx.year, 3 * q)).split(" ")[0])) for q in range(1, 5)]
    return [(m, periods.label(m).capitalize()) for m in _months(ctx)]


def _default_cutoff(ctx) -> str:
    """The window's month, or under quarters the last quarter that ends by it (the first one before March)."""
    ids = [m for m, _t in cutoff_choices(ctx)]
    if ctx.month in ids:
        return ctx.month
    done = [m for m in ids if m <= ctx.month]
    return done[-1] if done else ids[0]


class ReportDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        from ..core import periods
        from ..services.documents import read_programs

        self.ctx = ctx
        self.setWindowTitle(TEXT["title"])
        self.last_pages = 0
        self.last_path: str | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.month = QComboBox()
        for m, text in cutoff_choices(ctx):
            self.month.addItem(text, m)
        self.month.setCurrentIndex(max(0, self.month.findData(_default_cutoff(ctx))))
        form.addRow(TEXT["period"], self.month)
        lay.addLayout(form)
        lay.addWidget(QLabel(TEXT["scope"]))
        grid = QGridLayout()
        self.scope = QButtonGroup(self)
        self.r_all = QRadioButton(TEXT["all"])
        self.r_agency = QRadioButton(TEXT["agency"])
        self.r_program = QRadioButton(TEXT["program"])
        for i, r in enumerate((self.r_all, self.r_agency, self.r_program)):
            self.scope.addButton(r, i)
            grid.addWidget(r, i, 0)
        self.r_all.setChecked(True)
        self.agency = QComboBox()
        self.program = QComboBox()
        with ctx.db.reading() as s:
            pset = read_programs(s, ctx.year, with_values=False)
        for a in sorted(pset.agencies.values(), key=lambda a: a.key):
            self.agency.addItem(f"{a.acronym or a.key} — {a.name}", a.key)
        for p in pset.programs:
            self.program.addItem(f"{p.key} {p.name}", p.key)
        if getattr(ctx.user, "agency_key", None):
            i = self.agency.findData(ctx.user.agency_key)
            if i >= 0:
                self.agency.setCurrentIndex(i)
        grid.addWidget(self.agency, 1, 1)
        grid.addWidget(self.program, 2, 1)
        lay.addLayout(grid)
        self.agency.activated.connect(lambda _i: self.r_agency.setChecked(True))
        self.program.activated.connect(lambda _i: self.r_program.setChecked(True))
        self.charts = QCheckBox(TEXT["charts"])
        self.charts.setChecked(True)
        lay.addWidget(self.charts)
        self.summary = QCheckBox(TEXT["summary"])
        lay.addWidget(self.summary)
        self.summary.toggled.connect(lambda on: self.charts.setEnabled(not on))
        buttons = QDialogButtonBox()
        self.b_preview = QPushButton(TEXT["preview"])
        self.b_print = QPushButton(TEXT["print"])
        self.b_pdf = QPushButton(TEXT["pdf"])
        for b in (self.b_preview, self.b_print, self.b_pdf):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.b_preview.clicked.connect(self.preview)
        self.b_print.clicked.connect(self.print_)
        self.b_pdf.clicked.connect(self.ask_pdf)
        lay.addWidget(buttons)

    # -- options
    def options(self) -> dict:
        sid = self.scope.checkedId()
        return {
            "month": self.month.currentData(),
            "agency_key": self.agency.currentData() if sid == 1 else None,
            "program_key": self.program.currentData() if sid == 2 else None,
            "include_charts": self.charts.isChecked() and not self.summary.isChecked(),
            "executive_only": self.summary.isChecked(),
        }

    def _build(self, on_done) -> None:
        """Assemble the document off the UI thread, then call ``on_done(doc)``."""
        from ..reports.data import build_report
        from ..reports.monthly import build_document
        from .worker import run_task

        opts = self.options()
        db = self.ctx.db

        def work(control):
            data = build_report(db, opts.pop("month"), progress=control.progress, **opts)
            control.progress(95, TEXT["progress"])
            return build_document(data)

        self._set_busy(True)
        run_task(work, on_done=lambda doc: (self._set_busy(False), on_done(doc)),
                 on_error=self._failed, on_cancel=lambda: self._set_busy(False), parent=self, title=TEXT["title"],
                 label=TEXT["progress"])

    def _failed(self, exc, tb) -> None:
        from .messages import show_error

        self._set_busy(False)
        show_error(self, exc, tb, action="generar el informe")

    def _set_busy(self, busy: bool) -> None:
        for b in (self.b_preview, self.b_print, self.b_pdf):
            b.setEnabled(not busy)

    # -- outputs
    def signatures_ready(self) -> bool:
        """Before printing or saving the PDF: when a signature name is empty in Configuración, say which and ask."""
        from ..services import editing as ed
        from . import messages

        sigs = ed.organization_values(self.ctx.db)["signatures"]

        def name(v) -> str:
            return str((v if isinstance(v, str) else (v or {}).get("nombre")) or "").strip()

        missing = [role for key, role in ed.SIGNATURE_FIELDS.items() if not name(sigs.get(key))]
        if not missing:
            return True
        roles = ", ".join(f"«{r}»" for r in missing)
        return messages.confirm(self, TEXT["sign_title"], TEXT["sign_ask"].format(roles=roles), yes=TEXT["sign_yes"],
                                no=TEXT["sign_no"])

    def ask_pdf(self) -> None:
        if not self.signatures_ready():
            return
        m = self.month.currentData()
        path, _ = QFileDialog.getSaveFileName(self, TEXT["save_title"], f"Informe_mensual_de_avance_{m}.pdf",
                                              TEXT["pdf_filter"])
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.export_pdf(path, notify=True)

    def export_pdf(self, path: str, notify: bool = False, on_finished=None) -> None:
        """Write the PDF in the background (assembly, layout and painting) with progress and cancel."""
        from ..reports.data import build_report
        from ..reports.monthly import build_document, write_pdf
        from .worker import run_task

        opts = self.options()
        db = self.ctx.db
        def work(control):  # write_pdf puts the file in place only once whole (a cancel leaves the old one)
            data = build_report(db, opts.pop("month"), progress=control.progress, **opts)
            control.progress(62, TEXT["progress"])
            doc = build_document(data)

            def pages(i: int, total: int) -> None:
                control.progress(65 + int(34 * i / max(1, total)), f"Página {i + 1} de {total}…")

            return write_pdf(doc, path, pages)

        def done(n) -> None:
            self._set_busy(False)
            self.last_pages, self.last_path = n, path
            if notify:
                from .messages import info

                info(self, TEXT["saved_title"], TEXT["saved"].format(path=path, n=n))
            if on_finished:
                on_finished(n)

        self._set_busy(True)
        run_task(work, on_done=done, on_error=self._failed, on_cancel=lambda: self._set_busy(False), parent=self,
                 title=TEXT["title"], label=TEXT["progress"])

    def _printer(self):
        from PySide6.QtPrintSupport import QPrinter

        from ..reports.layout import setup_device

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_device(printer)
        printer.setDocName(TEXT["title"])
        return printer

    def preview(self) -> None:
        def show(doc) -> None:
            from PySide6.QtPrintSupport import QPrintPreviewDialog

            from ..reports.monthly import render_report

            printer = self._printer()
            dlg = QPrintPreviewDialog(printer, self)
            dlg.setWindowTitle(TEXT["preview_title"])
            dlg.paintRequested.connect(lambda pr: render_report(doc, pr, setup=False))
            dlg.resize(1000, 800)
            self._preview_dialog = dlg
            dlg.exec()

        self._build(show)

    def print_(self) -> None:
        if not self.signatures_ready():
            return

        def go(doc) -> None:
            from PySide6.QtPrintSupport import QPrintDialog

            from ..reports.monthly import render_report
            from .messages import info

            printer = self._printer()
            dlg = QPrintDialog(printer, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            n = render_report(doc, printer, setup=False)
            info(self, TEXT["title"], TEXT["printed"].format(n=n))

        self._build(go)


def open_report_dialog(ctx, window) -> None:
    dlg = ReportDialog(ctx, window)
    dlg.exec()


register_action(ActionSpec(menu="Informes", text=TEXT["action"], callback=open_report_dialog, shortcut="Ctrl+P",
                           order=10, tooltip=TEXT["tooltip"]))
