"""Every dialog of the window, built over a session on the demo (issue 15): ``tools/screenshots.py --dialogos``
captures each one and the tests open each one on a small screen and check that it fits and that no text is cut
(``ui.fitcheck``). Each entry is (file stem, Spanish description, factory(window, tmp_folder) -> QDialog)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


def _settings(window, _tmp):
    from .settings_dialog import SettingsDialog

    return SettingsDialog(window.ctx, window)


def _users(window, _tmp):
    from .users_dialog import UsersDialog

    return UsersDialog(window.ctx, window)


def _user_form(window, _tmp):
    from ..services import editing as ed
    from .users_dialog import UserForm

    return UserForm([a[0] for a in ed.agencies(window.ctx.db)], window)


def _about(window, _tmp):
    from .about import AboutDialog

    return AboutDialog(window.ctx.db.path, window)


def _start(window, _tmp):
    from .app import StartDialog

    return StartDialog(window)


def _sign_in(window, _tmp):
    from ..services import editing as ed
    from .app import SignInDialog

    return SignInDialog(ed.list_users(window.ctx.db), window, "admin")


def _mir_preview(window, tmp: Path):
    from ..excel.export_mir import export_mir
    from ..services.import_mir import preview_import
    from .excel_actions import mir_preview_dialog

    path = export_mir(window.ctx.db, tmp / "mir.xlsx", ["E001"])
    return mir_preview_dialog(preview_import(window.ctx.db, path, year=window.ctx.year), window)


def _packages(window, _tmp):
    from ..core import periods
    from ..services import editing as ed
    from .package_actions import GeneratePackagesDialog

    agencies = [(k, f"{k} {acr} — {name}") for k, acr, name in ed.agencies(window.ctx.db)]
    months = [periods.month_id(window.ctx.year, m) for m in range(1, 13)]
    return GeneratePackagesDialog(agencies, months, window.ctx.month, window)


def _package_preview(window, tmp: Path):
    from ..services.packages import preview_import
    from .package_actions import ImportPreviewDialog

    bad = tmp / "respuesta_dañada.ses"
    bad.write_bytes(b"no es un paquete")
    return ImportPreviewDialog(preview_import(window.ctx.db, [bad]), window)


def _server(window, _tmp):
    from .server_dialog import ServerDialog

    return ServerDialog(window)


def _file_dialog(title_key: str, save: bool):
    def build(window, _tmp):
        from .backup_actions import TEXT

        dlg = QFileDialog(window, TEXT[title_key], str(window.ctx.db.path.parent), TEXT["filter"])
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
        return dlg
    return build


def _justification(window, _tmp):
    from .justification_dialog import JustificationDialog

    return JustificationDialog(window.ctx, "E001-C1-01", "2026-09", window)


def _audit(window, _tmp):
    from .audit_view import AuditDialog

    return AuditDialog(window.ctx, window)


def _plan(window, _tmp):
    from .plan_editor import PlanEditor

    return PlanEditor(window.ctx, window)


def _guide(window, _tmp):
    from . import help_texts
    from .help import HelpDialog

    return HelpDialog("Guía rápida", help_texts.GUIA_RAPIDA, window)


def _paste(window, _tmp):
    from .capture import PasteProblem, PasteReport, PasteReportDialog

    report = PasteReport(applied=3, problems=[
        PasteProblem(2, 3, "E001-C1-01 / LF — Valor", "abc", "«abc» no es un número."),
        PasteProblem(4, 3, "S001-P-01 / PAM — Valor", "-5", "El valor no puede ser negativo.")])
    return PasteReportDialog(report, window)


def _new_agency(window, _tmp):
    from .forms import NewAgencyDialog

    return NewAgencyDialog(window.ctx, window)


def _new_program(window, _tmp):
    from .forms import NewProgramDialog

    return NewProgramDialog(window.ctx, None, window)


def _report(window, _tmp):
    from .report_actions import ReportDialog

    return ReportDialog(window.ctx, window)


def _formats(window, _tmp):
    from .format_actions import FormatsDialog

    return FormatsDialog(window.ctx, window)


def _reconduction(window, _tmp):
    from .reconduction_dialog import ReconductionDialog

    return ReconductionDialog(window.ctx, window)


def _delivery(window, _tmp):
    from .reconduction_dialog import QuarterDeliveryDialog

    return QuarterDeliveryDialog(window.ctx, window)


def _projects(window, _tmp):
    from sqlalchemy import select

    from ..db.models import Program, Project
    from .projects_editor import ProjectsDialog

    with window.ctx.db.reading() as s:  # a demo program with proyectos and metas de actividad
        key = s.scalars(select(Program.key).join(Project, Project.program_id == Program.id)
                        .order_by(Program.key)).first() or "E001"
    return ProjectsDialog(window.ctx, key, window)


DIALOGS: list[tuple[str, str, Callable[[QWidget, Path], QDialog]]] = [
    ("D01_configuracion", "Configuración", _settings),
    ("D02_usuarios", "Usuarios", _users),
    ("D03_usuario_nuevo", "Usuario nuevo", _user_form),
    ("D04_acerca_de", "Acerca de SES", _about),
    ("D05_inicio", "Diálogo de inicio", _start),
    ("D06_entrar", "Entrar (usuario)", _sign_in),
    ("D07_importar_mir", "Vista previa de importar MIR", _mir_preview),
    ("D08_paquetes", "Generar paquetes de captura", _packages),
    ("D09_respuestas", "Importar respuestas de paquetes", _package_preview),
    ("D10_servidor", "Base en servidor", _server),
    ("D11_respaldar", "Respaldar (archivo)", _file_dialog("backup_title", True)),
    ("D12_restaurar", "Restaurar (archivo)", _file_dialog("restore_title", False)),
    ("D13_justificacion", "Justificación", _justification),
    ("D14_bitacora", "Bitácora", _audit),
    ("D15_plan", "Catálogo del plan", _plan),
    ("D16_guia", "Guía rápida", _guide),
    ("D17_pegado", "Resultado de pegar valores", _paste),
    ("D18_dependencia", "Nueva dependencia", _new_agency),
    ("D19_programa", "Nuevo programa", _new_program),
    ("D20_informe", "Informe mensual", _report),
    ("D21_formatos", "Formatos del Estado de México", _formats),
    ("D22_reconduccion", "Reconducción de metas", _reconduction),
    ("D23_entrega", "Entregar trimestre", _delivery),
    ("D24_proyectos", "Proyectos y metas de actividad", _projects),
]
