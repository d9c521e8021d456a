"""Informes menu: «Formatos del Estado de México…» — the state formats the current profile lists
(``profile.formats``; the entry is hidden when the list is empty): choose format, quarter and dependencia, then
write a PDF or an Excel workbook off the UI thread with progress and «Cancelar»."""
from __future__ import annotations


from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QPushButton, QRadioButton, QVBoxLayout)

from .registry import ActionSpec, register_action

TEXT = {
    "action": "Formatos del Estado de México…",
    "tooltip": "PbRM-01c, 02a, 01d, 01e, 08b, 08c, tarjeta de justificación y reconducción en PDF o Excel",
    "title": "Formatos del {perfil}",
    "format": "Formato:",
    "quarter": "Trimestre:",
    "agency": "Dependencia:",
    "all": "Todas las dependencias",
    "output": "Salida:",
    "pdf": "PDF",
    "xlsx": "Excel",
    "generate": "&Generar…",
    "close": "Cerrar",
    "save_pdf": "Guardar el formato en PDF",
    "save_xlsx": "Guardar el formato en Excel",
    "pdf_filter": "Documento PDF (*.pdf)",
    "xlsx_filter": "Libro de Excel (*.xlsx)",
    "progress": "Generando el formato…",
    "saved_title": "Formato guardado",
    "saved_pdf": "El formato se guardó en:\n{path}\n({n} páginas)",
    "saved_xlsx": "El formato se guardó en:\n{path}\n({n} hojas)",
    "empty": "\n\nAviso: {why}",
    "error_title": "No se pudo generar el formato",
}


def _offered(ctx) -> tuple[str, ...]:
    from ..reports.formats_data import FORMATS
    from ..services import profiles

    try:
        formats = profiles.current_profile(ctx.db).formats
    except Exception:  # noqa: BLE001 - no database yet: nothing to offer
        return ()
    return tuple(f for f in formats if f in FORMATS)


class FormatsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        from ..core import periods
        from ..reports.formats_data import TITLES
        from ..services import profiles
        from ..services.documents import read_programs

        self.ctx = ctx
        self.last_result = None  # (FormatDoc, pages or sheets)
        self.last_path: str | None = None
        profile = profiles.current_profile(ctx.db)
        self.setWindowTitle(TEXT["title"].format(perfil=profile.name))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.format = QComboBox()
        for f in _offered(ctx):
            code, title = TITLES[f]
            self.format.addItem(f"{code} — {title}", f)
        form.addRow(TEXT["format"], self.format)
        self.quarter = QComboBox()
        for n in range(1, 5):
            q = f"{ctx.year:04d}-T{n}"
            self.quarter.addItem(periods.label(q).capitalize(), q)
        month = int(str(ctx.month)[5:7]) if ctx.month else 12
        self.quarter.setCurrentIndex((month - 1) // 3)
        form.addRow(TEXT["quarter"], self.quarter)
        self.agency = QComboBox()
        self.agency.addItem(TEXT["all"], None)
        with ctx.db.reading() as s:
            pset = read_programs(s, ctx.year, with_values=False)
        for a in sorted(pset.agencies.values(), key=lambda a: a.key):
            self.agency.addItem(f"{a.acronym or a.key} — {a.name}", a.key)
        form.addRow(TEXT["agency"], self.agency)
        out = QHBoxLayout()
        self.kind = QButtonGroup(self)
        self.r_pdf = QRadioButton(TEXT["pdf"])
        self.r_xlsx = QRadioButton(TEXT["xlsx"])
        self.r_pdf.setChecked(True)
        for i, r in enumerate((self.r_pdf, self.r_xlsx)):
            self.kind.addButton(r, i)
            out.addWidget(r)
        out.addStretch(1)
        form.addRow(TEXT["output"], out)
        lay.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.generate_button = QPushButton(TEXT["generate"])
        self.generate_button.setDefault(True)
        buttons.addButton(self.generate_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.generate_button.clicked.connect(self.ask_and_generate)
        lay.addWidget(buttons)

    def options(self) -> dict:
        return {"format_id": self.format.currentData(), "quarter": self.quarter.currentData(),
                "agency_key": self.agency.currentData(), "pdf": self.r_pdf.isChecked()}

    def ask_and_generate(self) -> None:
        o = self.options()
        ext = "pdf" if o["pdf"] else "xlsx"
        name = f"{o['format_id']}-{o['quarter']}{'-' + o['agency_key'] if o['agency_key'] else ''}.{ext}"
        path, _ = QFileDialog.getSaveFileName(self, TEXT["save_" + ext], name, TEXT[ext + "_filter"])
        if path:
            if not path.lower().endswith("." + ext):
                path += "." + ext
            self.generate(path, notify=True)

    def generate(self, path: str, notify: bool = False, on_finished=None) -> None:
        """Write the chosen format in the background (reading, composing, painting) with progress and cancel."""
        from ..reports.formats import make_format
        from .worker import run_task

        o = self.options()
        db = self.ctx.db
        pdf = o.pop("pdf")

        def work(control):  # the file is put in place only once whole (a cancel leaves the old one)
            target = {"pdf": path} if pdf else {"xlsx": path}
            return make_format(db, o["format_id"], o["quarter"], o["agency_key"], progress=control.progress,
                               **target)

        def done(result) -> None:
            self.generate_button.setEnabled(True)
            self.last_result, self.last_path = result, path
            fd, n = result
            msg = TEXT["saved_pdf" if pdf else "saved_xlsx"].format(path=path, n=n)
            if fd.empty_reason:
                msg += TEXT["empty"].format(why=fd.empty_reason)
            self.status.setText(msg)
            if notify:
                from .messages import info

                info(self, TEXT["saved_title"], msg)
            if on_finished:
                on_finished(result)

        def failed(exc, tb) -> None:
            self.generate_button.setEnabled(True)
            from .messages import show_error

            show_error(self, exc, tb, action="generar el formato", committed=None)

        self.generate_button.setEnabled(False)
        run_task(work, on_done=done, on_error=failed, on_cancel=lambda: self.generate_button.setEnabled(True),
                 parent=self, title=TEXT["title"].format(perfil=""), label=TEXT["progress"])


def open_formats_dialog(ctx, window) -> None:
    FormatsDialog(ctx, window).exec()


register_action(ActionSpec(menu="Informes", text=TEXT["action"], callback=open_formats_dialog, order=20,
                           tooltip=TEXT["tooltip"], visible=lambda ctx: bool(_offered(ctx))))
