"""Archivo → «Respaldar…» and «Restaurar…», the automatic backup when the window closes, and the «Respaldos»
box of Configuración (issues 11 and 13).

Both menu actions run their file work off the UI thread (``worker.run_task``). A restore shows what the backup
holds (``services.backups.describe_backup``) and asks for confirmation; the window then closes its database,
the restore keeps the current file as ``<nombre>.previo-N.db`` and the file is opened again (signing in again:
the users are those of the restored file). Automatic backups go to ``respaldos/`` beside the database; the last
N are kept (Configuración, default 10, 0 = off).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QFormLayout, QGroupBox, QLabel, QMessageBox, QSpinBox

from ..services import backups
from .registry import ActionSpec, register_action
from .worker import run_task

KEEP_KEY = "respaldos/conservar"

TEXT = {
    "backup": "&Respaldar…",
    "restore": "Res&taurar…",
    "backup_title": "Respaldar la base de datos",
    "restore_title": "Restaurar un respaldo",
    "filter": "Base de datos de SES (*.db *.ses *.sqlite);;Todos los archivos (*)",
    "backing_up": "Escribiendo y revisando la copia…",
    "describing": "Revisando el respaldo…",
    "restoring": "Restaurando…",
    "done_title": "Respaldo creado",
    "done": "Se creó y revisó el respaldo:\n{path}\n\n{info}",
    "confirm_title": "¿Restaurar este respaldo?",
    "confirm": ("Se reemplazará la base de datos abierta «{target}» por este respaldo:\n\n{info}\n\n"
                "La base de datos actual se conservará como copia previa («{stem}.previo-N{suffix}») y la ventana "
                "se volverá a abrir con el respaldo (deberá entrar de nuevo con su usuario)."),
    "other_org": ("ATENCIÓN: el respaldo es de otra organización («{backup_org}»); la base abierta es de "
                  "«{target_org}». Si continúa, sus datos se reemplazarán por los de esa organización.\n\n"),
    "restored_title": "Respaldo restaurado",
    "restored": "Se restauró el respaldo.{previous}",
    "previous": "\nLa base anterior se conservó en «{path}».",
    "only_admin": "Solo un usuario Administrador puede restaurar un respaldo.",
    "read_only": "La base de datos está abierta en modo de solo lectura; no se puede restaurar sobre ella.",
    "box": "Respaldos",
    "keep": "Respaldos &automáticos a conservar:",
    "keep_hint": ("Al cerrar la ventana se guarda un respaldo en la carpeta «respaldos» junto a la base de datos; "
                  "se conservan los más recientes (0 = no hacer respaldos automáticos)."),
}


# ---- settings ---------------------------------------------------------------------------------------------
def keep_count() -> int:
    try:
        value = int(QSettings().value(KEEP_KEY, backups.DEFAULT_KEEP))
    except (TypeError, ValueError):
        value = backups.DEFAULT_KEEP
    return min(max(value, 0), 999)


def settings_box(parent=None) -> QGroupBox:
    """The «Respaldos» box of Configuración: how many automatic backups to keep (saved at once)."""
    box = QGroupBox(TEXT["box"], parent)
    form = QFormLayout(box)
    spin = QSpinBox(box)
    spin.setObjectName("respaldos_conservar")
    spin.setRange(0, 999)
    spin.setValue(keep_count())
    spin.valueChanged.connect(lambda v: QSettings().setValue(KEEP_KEY, int(v)))
    form.addRow(TEXT["keep"], spin)
    hint = QLabel(TEXT["keep_hint"], box)
    hint.setWordWrap(True)
    form.addRow("", hint)
    box.spin = spin
    return box


# ---- automatic backup ------------------------------------------------------------------------------------
def auto_backup_on_close(ctx) -> Path | None:
    """Called when the main window closes: one automatic backup (the window waits for it; an error is logged,
    never shown, so closing is not blocked by a full backup disk)."""
    db = getattr(ctx, "db", None)
    if db is None or db.path is None or getattr(ctx, "read_only", False):
        return None
    try:
        return backups.auto_backup(db.path, keep_count())
    except Exception as exc:  # noqa: BLE001 - closing must go on; the log keeps the reason
        from ..errorlog import report_unexpected

        report_unexpected(exc, "hacer el respaldo automático al cerrar")
        return None


# ---- Archivo → Respaldar… ---------------------------------------------------------------------------------
def backup_action(ctx, window) -> None:
    src = ctx.db.path
    suggested = backups.auto_folder(src).parent / f"{src.stem}-respaldo-{datetime.now():%Y%m%d-%H%M}{src.suffix}"
    dest, _ = QFileDialog.getSaveFileName(window, TEXT["backup_title"], str(suggested), TEXT["filter"])
    if not dest:
        return

    def done(info) -> None:
        QMessageBox.information(window, TEXT["done_title"], TEXT["done"].format(path=info.path, info=info.as_text()))

    run_task(lambda control: backups.make_backup(src, Path(dest)), on_done=done, parent=window,
             title=TEXT["backup_title"], label=TEXT["backing_up"])


# ---- Archivo → Restaurar… ---------------------------------------------------------------------------------
def reopen(path: Path) -> None:
    """Open ``path`` again in a new window (closing the current one); the user signs in again."""
    from . import app

    app.switch_to(path)


def restore_action(ctx, window) -> None:
    from .messages import show_error

    if ctx.read_only:
        QMessageBox.warning(window, TEXT["restore_title"], TEXT["read_only"])
        return
    if ctx.user.role != "administrador":
        QMessageBox.warning(window, TEXT["restore_title"], TEXT["only_admin"])
        return
    origin, _ = QFileDialog.getOpenFileName(window, TEXT["restore_title"], str(ctx.db.path.parent), TEXT["filter"])
    if not origin:
        return
    target = ctx.db.path

    def described(pair) -> None:
        info, current = pair
        force = current is not None and not backups.same_organization(info, current)
        text = TEXT["confirm"].format(target=target, info=info.as_text(), stem=target.stem, suffix=target.suffix)
        if force:
            text = TEXT["other_org"].format(backup_org=info.organization, target_org=current.organization) + text
        answer = QMessageBox.question(window, TEXT["confirm_title"], text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        ctx.db.close()  # release the file: the restore replaces it, then the window opens it again

        def restored(res) -> None:
            prev = TEXT["previous"].format(path=res.previous) if res.previous else ""
            QMessageBox.information(window, TEXT["restored_title"], TEXT["restored"].format(previous=prev))
            reopen(target)

        def failed(exc, tb) -> None:
            show_error(window, exc, tb, action="restaurar el respaldo")
            reopen(target)  # the file is as it was: open it again

        run_task(lambda control: backups.restore_backup(Path(origin), target, force=force), on_done=restored,
                 on_error=failed, parent=window, title=TEXT["restore_title"], label=TEXT["restoring"])

    def describe(control):
        info = backups.describe_backup(origin)
        try:
            current = backups.describe_backup(target)
        except backups.BackupError:
            current = None
        return info, current

    run_task(describe, on_done=described, parent=window, title=TEXT["restore_title"], label=TEXT["describing"])


register_action(ActionSpec(menu="Archivo", text=TEXT["backup"], callback=backup_action, order=40))
register_action(ActionSpec(menu="Archivo", text=TEXT["restore"], callback=restore_action, order=41,
                           requires_write=True))
