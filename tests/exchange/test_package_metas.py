"""Offline packages carry the metas de actividad of the quarter (issue 16): office → dependencia → office."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from sistema_seguimiento.db.models import AuditEntry
from sistema_seguimiento.exchange import package as fmt
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services import projects, workflow
from sistema_seguimiento.services.capture import GoalChange, save_values

from .conftest import ADMIN, CAP, TODAY


def _achieved(db, project, goal, quarter=2):
    prog = "E001" if project.startswith("02020401") else "S001"
    p = next(p for p in projects.list_projects(db, 2026, prog) if p.key == project)
    return next(g for g in p.goals if g.key == goal).achieved[quarter]


def test_metas_travel_in_packages_with_conflicts_and_idempotent_reimport(tmp_path, office, dependencia):
    workflow.apply(office, ADMIN, "reabrir", "2026-09", "0301", "Captura de metas de actividad del T3")
    P.create_packages(office, ADMIN, ["0301"], "2026-09", None, tmp_path / "p.ses")
    doc = fmt.read_package(tmp_path / "p.ses", kind="captura").data["intercambio"]
    assert {p["clave"] for p in doc["proyectos"]} == {"020204010101", "020204010102"}  # only 0301's proyectos
    P.open_package(dependencia, tmp_path / "p.ses")
    assert _achieved(dependencia, "020204010101", "2") == Decimal(28)  # the office's value reached the copy
    save_values(dependencia, CAP, "2026-09", [], goals=[GoalChange("020204010101", "2", Decimal("30")),
                                                       GoalChange("020204010101", "3", Decimal("141"))], today=TODAY)
    # a newer package from the office keeps what the dependencia captured
    P.create_packages(office, ADMIN, ["0301"], "2026-09", None, tmp_path / "p2.ses")
    P.open_package(dependencia, tmp_path / "p2.ses")
    assert _achieved(dependencia, "020204010101", "2") == Decimal(30)
    P.respond(dependencia, CAP, tmp_path / "r.ses")
    data = fmt.read_package(tmp_path / "r.ses", kind="respuesta").data
    assert {(m["proyecto"], m["meta"], m["periodo"], m["alcanzado"], m["base"]) for m in data["metas"]} >= {
        ("020204010101", "2", "2026-T3", "30", "28")}
    # meanwhile the office corrected meta 3 itself: a conflict, the office's value kept by default
    save_values(office, ADMIN, "2026-09", [], goals=[GoalChange("020204010101", "3", Decimal("138"))], today=TODAY)
    [pv] = P.preview_import(office, [tmp_path / "r.ses"])
    assert pv.error is None, (pv.error, pv.details)
    kinds = {(r.project, r.goal): r.kind for r in pv.goals}
    assert kinds[("020204010101", "2")] == "modificado" and kinds[("020204010101", "3")] == "conflicto"
    assert sum(1 for k in kinds.values() if k == "sin_cambio") == len(kinds) - 2
    summary = pv.summary()
    assert summary["metas"]["modificado"] == 1 and summary["conflictos_metas"][0]["valor_paquete"] == "141"
    [res] = P.apply_import(office, ADMIN, [pv], today=TODAY)
    assert res.applied and res.conflicts_kept == 1, res.error
    assert _achieved(office, "020204010101", "2") == Decimal(30)
    assert _achieved(office, "020204010101", "3") == Decimal(138)
    with office.reading() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.entity == "avance_meta",
                                               AuditEntry.user_name == "captura-0301")).one()
    assert e.entity_key == "020204010101/2/2026-T3" and pv.package_id in e.reason
    # importing the same response again changes nothing
    [again] = P.preview_import(office, [tmp_path / "r.ses"])
    assert [r.kind for r in again.goals if r.kind not in ("sin_cambio", "conflicto")] == []
    [res2] = P.apply_import(office, ADMIN, [again], today=TODAY)
    assert res2.applied and res2.values == 0
    assert _achieved(office, "020204010101", "2") == Decimal(30)


def test_response_for_a_closed_quarter_is_refused(tmp_path, office, dependencia):
    workflow.apply(office, ADMIN, "reabrir", "2026-09", "0301", "Captura de metas de actividad del T3")
    P.create_packages(office, ADMIN, ["0301"], "2026-09", None, tmp_path / "p.ses")
    P.open_package(dependencia, tmp_path / "p.ses")
    save_values(dependencia, CAP, "2026-09", [], goals=[GoalChange("020204010102", "2", Decimal("7"))], today=TODAY)
    P.respond(dependencia, CAP, tmp_path / "r.ses")
    workflow.apply(office, ADMIN, "cerrar", "2026-09", "0301")
    [pv] = P.preview_import(office, [tmp_path / "r.ses"])
    assert pv.error and "020204010102/2" in pv.error and "cerrado" in pv.error
    assert _achieved(office, "020204010102", "2") == Decimal(9)


def test_preview_shows_metas_in_the_command_line_and_the_window(tmp_path, office, dependencia, qtbot):
    from tests.cli.test_ses_command import ses

    from sistema_seguimiento.ui.package_actions import ImportPreviewDialog

    workflow.apply(office, ADMIN, "reabrir", "2026-09", "0301", "Captura de metas de actividad del T3")
    P.create_packages(office, ADMIN, ["0301"], "2026-09", None, tmp_path / "p.ses")
    P.open_package(dependencia, tmp_path / "p.ses")
    save_values(dependencia, CAP, "2026-09", [], goals=[GoalChange("020204010102", "2", Decimal("10"))], today=TODAY)
    P.respond(dependencia, CAP, tmp_path / "r.ses")
    out = ses("paquete", "importar", "--db", office.path, tmp_path / "r.ses").stdout
    assert "metas de actividad: 0 nueva(s), 1 modificada(s)" in out
    [pv] = P.preview_import(office, [tmp_path / "r.ses"])
    dialog = ImportPreviewDialog([pv])
    qtbot.addWidget(dialog)
    table = dialog.tables[0]
    cells = [[table.item(r, c).text() if table.item(r, c) else "" for c in range(7)] for r in range(table.rowCount())]
    assert ["Modificado (meta de actividad)", "020204010102", "2", "2026-T3", "9.00", "carga", "10.00"] in cells
    assert dialog.apply_button.isEnabled()
