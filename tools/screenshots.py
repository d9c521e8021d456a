"""Screenshots of the real window on the demo database (for review; not committed).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py [OUTPUT_DIR] [--sin-graficas]

Saves: 01_inicio.png (start dialog), 02_ventana.png (main window), 02b_programa.png (program form), 03_mir.png (MIR of E001), 04_ficha.png
(ficha técnica), 05_ficha_metas.png (targets grid), 06_validacion.png (validation panel), 07_guia.png (F1),
08_configuracion.png, 09_plan.png, 10_busqueda.png.

The laptop set (issue 15): the window as it opens (maximized) on a small screen, one shot per page, under a
window manager so that maximize behaves as on a desktop:

    xvfb-run -a -s "-screen 0 1366x768x24" sh -c 'openbox & sleep 1; python tools/screenshots.py OUT --portatil'
    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 1920x1080x24" sh -c 'openbox & sleep 1; python tools/screenshots.py OUT --portatil'

Saves L1_tablero.png, L2_programa.png, L3_mir.png, L4_ficha.png, L5_captura.png, L6_guia.png, L7_inicio.png and
prints the window and screen sizes.

Every dialog and page (issue 15), e.g. at 150 % on a 1920×1080 screen, each checked with ui.fitcheck (the window
against the screen; cut labels, buttons, group titles and column headers are printed under its name):

    xvfb-run -a -s "-screen 0 1920x1080x24" sh -c 'openbox & sleep 1; QT_SCALE_FACTOR=1.5 python tools/screenshots.py OUT --dialogos'

Saves D01_configuracion.png … D20_informe.png (ui.dialog_catalog.DIALOGS) and P1_tablero.png … P7_editor_formula.png.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--sin-graficas" in sys.argv:  # the ficha without the optional chart of ui.charts
        os.environ["SES_SIN_GRAFICAS"] = "1"
    out = Path(args[0] if args else "/tmp/ses-screens")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ses-shots-"))
    os.environ["SES_DATA_DIR"] = str(work / "datos")
    from PySide6.QtCore import QSettings, QTimer

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qsettings"))
    from sistema_seguimiento.ui.app import StartDialog, ensure_demo, open_session, setup_application
    from sistema_seguimiento.ui.worker import wait_all

    app = setup_application()

    from PySide6.QtCore import QEventLoop

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        wait_all(20_000)
        loop2 = QEventLoop()
        QTimer.singleShot(50, loop2.quit)
        loop2.exec()

    def shot(widget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))
        print(out / name)

    if "--portatil" in sys.argv:
        return laptop_set(out, shot, settle)
    if "--dialogos" in sys.argv:
        return dialog_set(out, shot, settle)
    start = StartDialog()
    start.show()
    shot(start, "01_inicio.png")
    start.close()
    path = ensure_demo()
    window = open_session(path, "admin")
    window.resize(1440, 900)
    settle(800)
    window.nav.tree.expandAll()
    shot(window, "02_ventana.png")
    window.ctx.navigate("programa", program="E001")
    shot(window, "02b_programa.png")
    window.ctx.navigate("mir", program="E001")
    window.mir.select_objective("E001-C1")
    shot(window, "03_mir.png")
    window.ctx.navigate("ficha", indicator="E001-C1-01")
    window.ficha.widgets["name"].setFocus()
    shot(window, "04_ficha.png")
    window.ficha.focus_field("targets")
    shot(window, "05_ficha_metas.png")
    window.validation.raise_()
    window.resizeDocks([window.validation], [330], __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.Orientation.Vertical)
    window.ctx.navigate("mir", program="S001")
    shot(window, "06_validacion.png")
    from sistema_seguimiento.ui.help import show_guide

    guide = show_guide(window)
    shot(guide, "07_guia.png")
    guide.close()
    from sistema_seguimiento.ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(window.ctx, window)
    dlg.show()
    shot(dlg, "08_configuracion.png")
    dlg.close()
    from sistema_seguimiento.ui.plan_editor import PlanEditor

    from sistema_seguimiento.services import editing as ed

    eje = ed.add_plan_element(window.ctx.db, window.ctx.user, "eje", "Municipio seguro y con servicios", code="1")
    obj = ed.add_plan_element(window.ctx.db, window.ctx.user, "objetivo", "Mejorar los servicios públicos", eje,
                              code="1.1")
    ed.add_plan_element(window.ctx.db, window.ctx.user, "estrategia", "Modernizar el alumbrado público", obj,
                        code="1.1.1")
    ed.update_program(window.ctx.db, window.ctx.user, None, "E001", "plan_element_id", obj)
    plan = PlanEditor(window.ctx, window)
    plan.show()
    shot(plan, "09_plan.png")
    plan.close()
    window.nav.filter.setText("adultas mayores")
    settle(700)
    shot(window, "10_busqueda.png")
    QTimer.singleShot(0, window.close)
    settle(100)
    window.close()
    return 0


def laptop_set(out: Path, shot, settle) -> int:
    from sistema_seguimiento.ui.app import StartDialog, ensure_demo, open_session

    start = StartDialog()
    start.show()
    shot(start, "L7_inicio.png")
    start.close()
    window = open_session(ensure_demo(), "admin")
    settle(1500)
    screen = window.screen().availableGeometry()
    print(f"pantalla disponible {screen.width()}×{screen.height()}; ventana {window.frameGeometry().width()}×"
          f"{window.frameGeometry().height()}; maximizada: {window.isMaximized()}")
    shot(window, "L1_tablero.png")
    window.ctx.navigate("programa", program="E001")
    shot(window, "L2_programa.png")
    window.ctx.navigate("mir", program="E001")
    shot(window, "L3_mir.png")
    window.ctx.navigate("ficha", indicator="E001-C1-01")
    shot(window, "L4_ficha.png")
    window.ctx.navigate("captura", agency="0301")
    settle(1500)
    shot(window, "L5_captura.png")
    from sistema_seguimiento.ui.help import show_guide

    guide = show_guide(window, "captura")
    shot(guide, "L6_guia.png")
    guide.close()
    window.close()
    return 0


def dialog_set(out: Path, shot, settle) -> int:
    """Every dialog of ui.dialog_catalog and every page, each captured and checked with ui.fitcheck (the window
    against the screen, cut labels, buttons, group titles and column headers)."""
    from sistema_seguimiento.ui.app import ensure_demo, open_session
    from sistema_seguimiento.ui.dialog_catalog import DIALOGS
    from sistema_seguimiento.ui.fitcheck import fit_problems

    window = open_session(ensure_demo(), "admin")
    settle(1500)
    screen = window.screen().availableGeometry()
    print(f"pantalla disponible {screen.width()}×{screen.height()} (escala {window.devicePixelRatioF():g}); "
          f"ventana {window.frameGeometry().width()}×{window.frameGeometry().height()}")
    tmp = Path(tempfile.mkdtemp(prefix="ses-dialogos-"))
    problems = 0

    def report(name: str, widget) -> None:
        nonlocal problems
        found = fit_problems(widget)
        problems += len(found)
        g = widget.frameGeometry()
        print(f"  {name}: {g.width()}×{g.height()}" + ("" if not found else "\n    - " + "\n    - ".join(found)))

    sys.excepthook = sys.__excepthook__  # a failure is printed, not shown in a modal box
    for stem, label, build in DIALOGS:
        dlg = build(window, tmp)
        dlg.show()
        shot(dlg, f"{stem}.png")
        report(label, dlg)
        dlg.close()
        dlg.deleteLater()
    for i, (page, kw) in enumerate([("tablero", {}), ("programa", {"program": "E001"}), ("mir", {"program": "E001"}),
                                    ("ficha", {"indicator": "E001-C1-01"}), ("captura", {"agency": "0301"})],
                                   start=1):
        try:
            window.ctx.navigate(page, **kw)
        except Exception as exc:  # noqa: BLE001 - a page this build does not have
            print(f"  página {page}: {exc}")
            continue
        settle(900)
        shot(window, f"P{i}_{page}.png")
        report(f"página {page}", window)
    window.ctx.navigate("ficha", indicator="E001-C1-01", field="formula")
    shot(window, "P7_editor_formula.png")
    report("editor de fórmula", window)
    window.close()
    print(f"{problems} problema(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
