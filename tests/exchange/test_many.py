"""25 dependencia responses (the synthetic municipio) merged in one go."""
from __future__ import annotations

import shutil

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from sistema_seguimiento.core.exchange import read_exchange
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.db.models import AuditEntry, Indicator, Measurement, Variable
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.generator import generate
from sistema_seguimiento.services.loading import load_document
from sistema_seguimiento.services.users import CurrentUser

ADMIN = CurrentUser("admin", "administrador")
TODAY = date(2027, 1, 15)


def test_25_responses_merged_in_one_go(tmp_path):
    office = Database.open(tmp_path / "oficina.db", OpenOptions(create=True))
    load_document(office, read_exchange(generate("municipio", seed=1)))
    built = P.create_packages(office, ADMIN, None, "2026-12", None, tmp_path / "paquetes")
    assert len(built) == 25 and len({b.agency_key for b in built}) == 25
    responses, expected = [], {}
    Database.open(tmp_path / "vacia.db", OpenOptions(create=True)).close()  # one migrated empty file, copied 25×
    for b in built:
        shutil.copyfile(tmp_path / "vacia.db", tmp_path / f"dep-{b.agency_key}.db")
        dep = Database.open(tmp_path / f"dep-{b.agency_key}.db", OpenOptions())
        P.open_package(dep, b.path)
        with dep.reading() as s:
            ind, var, value = s.execute(
                select(Indicator.key, Variable.key, Measurement.value).join(Variable, Variable.indicator_id ==
                                                                            Indicator.id)
                .join(Measurement, Measurement.variable_id == Variable.id)
                .where(Measurement.period == "2026-12", Indicator.frequency == "mensual")
                .order_by(Indicator.key, Variable.key)).first()
        cap = CurrentUser(f"captura-{b.agency_key}", "capturista", b.agency_key)
        save_values(dep, cap, "2026-12", [ValueChange(ind, var, value + 1)], today=TODAY)
        expected[(ind, var)] = value + 1
        responses.append(P.respond(dep, cap, tmp_path / f"r-{b.agency_key}.ses").path)
        dep.close()
    previews = P.preview_import(office, responses)
    assert [p.error for p in previews] == [None] * 25
    assert sum(p.count("modificado") for p in previews) == 25
    results = P.apply_import(office, ADMIN, previews, today=TODAY)
    assert all(r.applied and r.values == 1 for r in results)
    with office.reading() as s:
        for (ind, var), value in expected.items():
            assert s.scalar(select(Measurement.value).join(Variable).join(Indicator).where(
                Indicator.key == ind, Variable.key == var, Measurement.period == "2026-12")) == value
        imported = s.scalars(select(AuditEntry.entity_key).where(AuditEntry.action == "importar_paquete")).all()
        assert sorted(imported) == sorted(b.package_id for b in built)
    again = P.preview_import(office, responses)
    assert not any(p.has_changes for p in again)
    office.close()
