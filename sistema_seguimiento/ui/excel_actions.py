"""Menu «Excel»: exports (MIR, fichas, avance, libro de captura) and imports (captura, MIR) with a preview
dialog (new / changed / errors) and an «Aplicar» button. Long work runs through ui.worker.run_task."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QInputDialog, QLabel,
                               QMessageBox, QPlainTextEdit, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from .registry import ActionSpec, register_action
from .worker import run_task

TEXT = {
    "filter": "Libro de Excel (*.xlsx)",
    "export_mir": "Exportar MIR…",
    "export_fichas": "Exportar fichas técnicas…",
    "export_avance": "Exportar avance…",
    "export_captura": "Exportar libro de captura…",
    "import_captura": "Importar libro de captura…",
    "import_mir": "Importar MIR…",
    "saving": "Generando el libro…",
    "reading": "Leyendo el libro…",
    "applying": "Guardando…",
    "saved": "Libro guardado:\n{path}",
    "done": "Listo",
    "agency": "Dependencia",
    "agency_q": "¿De qué dependencia es el libro de captura?",
    "preview_captura": "Vista previa: libro de captura",
    "preview_mir": "Vista previa: importar MIR",
    "apply": "Aplicar",
    "close": "Cerrar",
    "changes": "Cambios",
    "errors": "Errores ({n})",
    "warnings": "Advertencias ({n})",
    "ignored": "Ignorado ({n})",
    "capture_headers": ["Tipo", "Fila", "Indicador", "Variable", "Periodo", "Anterior", "Nuevo"],
    "mir_headers": ["Tipo", "Programa", "Clave", "Campo", "Anterior", "Nuevo"],
    "refused": "No se puede aplicar: corrija los errores del libro y vuelva a importarlo.",
    "nothing": "No hay cambios que aplicar.",
    "applied": "Se aplicó la importación: {summary}",
    "kinds": {"nuevo": "Nuevo", "modificado": "Modificado", "borrado": "Borrado", "sin_cambio": "Sin cambio",
              "programa_nuevo": "Programa nuevo", "objetivo_nuevo": "Objetivo nuevo",
              "indicador_nuevo": "Indicador nuevo", "modificar": "Modificar"},
}


def _save_path(window, title: str, name: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(window, title, str(Path.home() / name), TEXT["filter"])
    if not path:
        return None
    return path if path.lower().endswith(".xlsx") else path + ".xlsx"


def _open_path(window, title: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(window, title, str(Path.home()), TEXT["filter"] + ";;Todos (*)")
    return path or None


def _export(ctx, window, title: str, name: str, fn) -> None:
    path = _save_path(window, title, name)
    if not path:
        return

    def work(control):
        control.progress(10, TEXT["saving"])
        return fn(path)

    run_task(work, on_done=lambda p: QMessageBox.information(window, TEXT["done"], TEXT["saved"].format(path=p)),
             parent=window, title=title.rstrip("…"), label=TEXT["saving"])


def export_mir_action(ctx, window) -> None:
    from ..excel.export_mir import export_mir

    _export(ctx, window, TEXT["export_mir"], f"MIR_{ctx.year}.xlsx",
            lambda p: export_mir(ctx.db, p, None, ctx.year))


def export_fichas_action(ctx, window) -> None:
    from ..excel.export_fichas import export_fichas

    _export(ctx, window, TEXT["export_fichas"], f"Fichas_{ctx.year}.xlsx",
            lambda p: export_fichas(ctx.db, p, None, ctx.year))


def export_avance_action(ctx, window) -> None:
    from ..excel.export_avance import export_avance

    _export(ctx, window, TEXT["export_avance"], f"Avance_{ctx.month}.xlsx",
            lambda p: export_avance(ctx.db, ctx.month, p))


def _agencies(ctx) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from ..db.models import Agency

    with ctx.db.reading() as s:
        return [(a.key, f"{a.key} {a.acronym} — {a.name}") for a in s.scalars(select(Agency).order_by(Agency.key))]


def export_captura_action(ctx, window) -> None:
    from ..excel.capture_workbook import export_capture

    agencies = _agencies(ctx)
    if ctx.user.agency_key:
        key = ctx.user.agency_key
    else:
        labels = [label for _, label in agencies]
        choice, ok = QInputDialog.getItem(window, TEXT["agency"], TEXT["agency_q"], labels, 0, False)
        if not ok:
            return
        key = agencies[labels.index(choice)][0]
    _export(ctx, window, TEXT["export_captura"], f"Captura_{key}_{ctx.month}.xlsx",
            lambda p: export_capture(ctx.db, ctx.month, key, p))


class PreviewDialog(QDialog):
    """Table of changes plus tabs with errors, warnings and ignored items; «Aplicar» only when applicable."""

    def __init__(self, title: str, headers: list[str], rows: list[list[str]], errors: list[str],
                 warnings: list[str], ignored: list[str], summary: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(960, 560)
        lay = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.table = QTableWidget(len(rows), len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tabs.addTab(self.table, TEXT["changes"])
        for key, items in (("errors", errors), ("warnings", warnings), ("ignored", ignored)):
            box = QPlainTextEdit("\n".join(items))
            box.setReadOnly(True)
            self.tabs.addTab(box, TEXT[key].format(n=len(items)))
        if errors:
            self.tabs.setCurrentIndex(1)
        lay.addWidget(self.tabs)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton(TEXT["apply"], QDialogButtonBox.AcceptRole)
        self.buttons.addButton(TEXT["close"], QDialogButtonBox.RejectRole)
        self.apply_button.setEnabled(not errors and bool(rows))
        if errors:
            self.apply_button.setToolTip(TEXT["refused"])
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)


def capture_preview_dialog(preview, parent=None) -> PreviewDialog:
    from ..core import periods
    from ..core.numbers import fmt_es

    rows = [[TEXT["kinds"][x.kind], str(x.row), x.indicator_key, x.variable_key, periods.label(x.period),
             "" if x.old is None else fmt_es(x.old), "" if x.new is None else fmt_es(x.new)] for x in preview.changes]
    rows += [[f"Justificación {j.kind}", str(j.row), j.indicator_key, "", periods.label(j.period), "", j.parts[0]]
             for j in getattr(preview, "justifications", [])]
    rows += [[f"{TEXT['kinds'][x.kind]} (meta de actividad)", str(x.row), x.project_key, x.goal_key,
              periods.label(x.period), "" if x.old is None else fmt_es(x.old), "" if x.new is None else fmt_es(x.new)]
             for x in getattr(preview, "goal_changes", [])]
    return PreviewDialog(TEXT["preview_captura"], TEXT["capture_headers"], rows, preview.errors, preview.warnings, [],
                         preview.as_text().splitlines()[0], parent)


def mir_preview_dialog(plan, parent=None) -> PreviewDialog:
    from ..services import audit

    rows = [[TEXT["kinds"].get(c.kind, c.kind), c.program, c.key, c.field, audit._text(c.old) or "",
             audit._text(c.new) or ""] for c in plan.changes]
    return PreviewDialog(TEXT["preview_mir"], TEXT["mir_headers"], rows, [e.text() for e in plan.errors],
                         [w.text() for w in plan.warnings], [i.text() for i in plan.ignored], plan.summary(), parent)


def _import_flow(ctx, window, title_key: str, preview_fn, dialog_fn, apply_fn, entity: str) -> None:
    """Pick a workbook, preview it in the background, show the preview dialog, apply in the background."""
    path = _open_path(window, TEXT[title_key])
    if not path:
        return
    title = TEXT[title_key].rstrip("…")

    def applied(summary) -> None:
        ctx.notify(entity, "*" if entity == "program" else "")
        QMessageBox.information(window, TEXT["done"], TEXT["applied"].format(summary=summary))

    def shown(preview) -> None:
        if dialog_fn(preview, window).exec() != QDialog.Accepted:
            return
        run_task(lambda control: apply_fn(preview), on_done=applied, parent=window, title=title,
                 label=TEXT["applying"])

    run_task(lambda control: preview_fn(path), on_done=shown, parent=window, title=title, label=TEXT["reading"])


def import_captura_action(ctx, window) -> None:
    from ..excel.capture_workbook import apply_capture, preview_capture

    _import_flow(ctx, window, "import_captura", lambda path: preview_capture(ctx.db, path, expected_month=ctx.month),
                 capture_preview_dialog, lambda preview: apply_capture(ctx.db, preview, actor=ctx.user), "measurement")


def import_mir_action(ctx, window) -> None:
    from ..services.import_mir import apply_import, preview_import

    _import_flow(ctx, window, "import_mir", lambda path: preview_import(ctx.db, path, year=ctx.year),
                 mir_preview_dialog, lambda plan: apply_import(ctx.db, plan, actor=ctx.user), "program")


register_action(ActionSpec(menu="Excel", text=TEXT["export_mir"], callback=export_mir_action, order=10))
register_action(ActionSpec(menu="Excel", text=TEXT["export_fichas"], callback=export_fichas_action, order=20))
register_action(ActionSpec(menu="Excel", text=TEXT["export_avance"], callback=export_avance_action, order=30))
register_action(ActionSpec(menu="Excel", text=TEXT["export_captura"], callback=export_captura_action, order=40))
register_action(ActionSpec(menu="Excel", text=TEXT["import_captura"], callback=import_captura_action, order=60,
                           requires_write=True))
register_action(ActionSpec(menu="Excel", text=TEXT["import_mir"], callback=import_mir_action, order=70,
                           requires_write=True))
