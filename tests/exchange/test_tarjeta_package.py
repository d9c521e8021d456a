"""Packages carry the tarjeta de justificación's hecho and proyección (issue 16) into the office's record."""
from __future__ import annotations

from decimal import Decimal

from sistema_seguimiento.services import justifications, profiles
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services.capture import ValueChange, save_values

from .conftest import ADMIN, CAP, IND, TODAY, VAR

TARJETA = dict(fact="30 de 24 recorridos", cause="Lluvias intensas", improvement_actions="Recorridos nocturnos",
               projection="Volver a la meta en noviembre")


def test_tarjeta_parts_travel_in_the_response(tmp_path, office, dependencia):
    profiles.set_profile(office, ADMIN, "edomex")
    P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p.ses")
    P.open_package(dependencia, tmp_path / "p.ses")
    save_values(dependencia, CAP, "2026-10", [ValueChange(IND, VAR, Decimal("30"))], today=TODAY)
    justifications.save(dependencia, CAP, IND, "2026-10", **TARJETA)
    P.respond(dependencia, CAP, tmp_path / "r.ses")
    [pv] = P.preview_import(office, [tmp_path / "r.ses"])
    assert pv.error is None, pv.error
    [res] = P.apply_import(office, ADMIN, [pv], today=TODAY)
    assert res.applied and res.justifications == 1
    info = justifications.get(office, IND, "2026-10")
    assert (info.fact, info.cause, info.improvement_actions, info.projection) == tuple(TARJETA.values())
    assert info.complete


def test_the_dependencias_copy_follows_the_offices_profile_and_plan_name(tmp_path, office, dependencia):
    from sistema_seguimiento.services import plan_setting

    assert profiles.current_profile(dependencia).key == "generico"
    profiles.set_profile(office, ADMIN, "edomex")
    plan_setting.update_plan_name(office, ADMIN, plan_setting.FIELD, "pmd")
    P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p.ses")
    P.open_package(dependencia, tmp_path / "p.ses")
    # the copy asks for the same four-part tarjeta the office will require on import
    assert profiles.current_profile(dependencia).justification == "tarjeta"
    assert plan_setting.current_plan_name(dependencia) == "Plan Municipal de Desarrollo"
    profiles.set_profile(office, ADMIN, "generico")
    P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p2.ses")
    P.open_package(dependencia, tmp_path / "p2.ses")
    assert profiles.current_profile(dependencia).key == "generico"
