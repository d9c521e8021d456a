"""Office → dependencia → office with two real databases: create, open, capture with evidence, respond,
import, a conflict, re-import, a newer package over local captures."""
from __future__ import annotations

import zipfile
from decimal import Decimal

from sqlalchemy import func, select

from sistema_seguimiento import paths
from sistema_seguimiento.db.models import AuditEntry, Evidence, Indicator, Justification, Measurement, Program, User, Variable
from sistema_seguimiento.exchange import package as fmt
from sistema_seguimiento.services import packages as P
from sistema_seguimiento.services.capture import ValueChange, save_values

from .conftest import ADMIN, CAP, IND, TODAY, VAR


def _value(db, ind, var, period):
    with db.reading() as s:
        return s.scalar(select(Measurement.value).join(Variable).join(Indicator).where(
            Indicator.key == ind, Variable.key == var, Measurement.period == period))


def test_package_holds_only_its_dependencia_and_no_passwords(tmp_path, office):
    from sistema_seguimiento.services import users
    users.set_password(office, ADMIN, "captura-0301", "secreta1")
    built = P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p.ses")
    assert len(built) == 1 and built[0].path.exists()
    with zipfile.ZipFile(built[0].path) as zf:
        names = zf.namelist()
        raw = b"".join(zf.read(n) for n in names)
    assert names == ["manifest.json", "datos.json"]
    pkg = fmt.read_package(built[0].path, kind="captura")
    man = pkg.manifest
    assert man["dependencia"]["clave"] == "0301" and man["periodos"] == ["2026-10", "2026-11", "2026-12"]
    assert man["base_oficina"] and set(man["miembros"]) == {"datos.json"}
    doc = pkg.data["intercambio"]
    acronym = doc["agencies"][0]["id"]
    assert doc["programs"] and {p["agency_id"] for p in doc["programs"]} == {acronym}
    assert [a["clave"] for a in doc["agencies"]] == ["0301"]
    assert [u["nombre"] for u in doc["users"]] == ["captura-0301"]
    assert b"scrypt" not in raw and b"0801" not in raw


def test_round_trip_with_evidence_then_reimport_changes_nothing(tmp_path, office, dependencia, response):
    with dependencia.reading() as s:  # the dependencia copy holds only its own catalog
        assert s.scalar(select(func.count()).select_from(Program)) == 1
    [pv] = P.preview_import(office, [response])
    assert pv.error is None, pv.error
    kinds = {(r.indicator, r.variable, r.period): r.kind for r in pv.values}
    assert kinds[(IND, VAR, "2026-10")] == "modificado"
    assert pv.count("sin_cambio") == len(pv.values) - 1
    assert [j.kind for j in pv.justifications if j.indicator == IND] == ["nuevo"]
    assert [(e.filename, e.kind) for e in pv.evidence] == [("acta.pdf", "nuevo")]
    [res] = P.apply_import(office, ADMIN, pv and [pv], today=TODAY)
    assert res.applied and (res.values, res.justifications, res.evidence) == (1, 1, 1)
    assert _value(office, IND, VAR, "2026-10") == Decimal(30)
    with office.reading() as s:
        m = s.scalars(select(Measurement).join(Variable).join(Indicator).where(
            Indicator.key == IND, Variable.key == VAR, Measurement.period == "2026-10")).one()
        assert m.captured_by == "captura-0301"
        j = s.scalars(select(Justification).join(Indicator).where(Indicator.key == IND,
                                                                  Justification.period == "2026-10")).one()
        assert j.cause == "Lluvias intensas" and j.author == "captura-0301"
        e = s.scalars(select(Evidence)).one()
        stored = paths.evidence_dir(office.path) / e.stored_name
        assert stored.read_bytes() == b"%PDF-1.4 acta de recorridos\n"
        # the bitácora says which package each value came from
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity.in_(["measurement", "justification",
                                                                             "evidence"]))
                            .where(AuditEntry.user_name == "captura-0301")).all()
        assert entries and all(pv.package_id in x.reason and "r.ses" in x.reason for x in entries)
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    # importing the same package again changes nothing
    [again] = P.preview_import(office, [response])
    assert not again.has_changes
    [res2] = P.apply_import(office, ADMIN, [again], today=TODAY)
    assert res2.applied and (res2.values, res2.justifications, res2.evidence) == (0, 0, 0)
    with office.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1


def test_conflict_keeps_office_by_default_and_can_take_package(tmp_path, office, response):
    admin_value = Decimal("28")
    save_values(office, ADMIN, "2026-10", [ValueChange(IND, VAR, admin_value)], today=TODAY)
    [pv] = P.preview_import(office, [response])
    [c] = pv.conflicts
    assert (c.office, c.package, c.base) == (admin_value, Decimal(30), Decimal(24))
    assert c.office_by == "admin" and c.office_at is not None and c.package_by == "captura-0301"
    [res] = P.apply_import(office, ADMIN, [pv], today=TODAY)
    assert res.applied and res.conflicts_kept == 1 and res.values == 0
    assert _value(office, IND, VAR, "2026-10") == admin_value
    # per-row resolution: take the package's value for this row
    [pv] = P.preview_import(office, [response])
    [res] = P.apply_import(office, ADMIN, [pv], resolutions={(0, pv.conflicts[0].key): "paquete"}, today=TODAY)
    assert res.conflicts_taken == 1
    assert _value(office, IND, VAR, "2026-10") == Decimal(30)


def test_newer_package_updates_catalog_and_keeps_local_captures(tmp_path, office, dependencia, response):
    from sistema_seguimiento.services import editing  # noqa: F401 - office edits go through services
    # the office changes a target after the first package; a newer package brings it
    with office.transaction() as s:
        from sistema_seguimiento.db.models import Target
        t = s.scalars(select(Target).join(Variable).join(Indicator).where(
            Indicator.key == IND, Variable.key == VAR, Target.period == "2026-11")).one()
        t.value = Decimal("99")
    P.create_packages(office, ADMIN, ["0301"], "2026-10", "2026-12", tmp_path / "p2.ses")
    r = P.open_package(dependencia, tmp_path / "p2.ses")
    assert not r.created and (r.kept_values, r.kept_justifications, r.kept_evidence) == (1, 1, 1)
    assert _value(dependencia, IND, VAR, "2026-10") == Decimal(30)  # local capture kept
    with dependencia.reading() as s:
        from sistema_seguimiento.db.models import Target
        assert s.scalar(select(Target.value).join(Variable).join(Indicator).where(
            Indicator.key == IND, Variable.key == VAR, Target.period == "2026-11")) == Decimal(99)
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1
        assert s.scalar(select(func.count()).select_from(User).where(User.name == "captura-0301")) == 1
    # an older package is refused, and another dependencia's package too
    import pytest
    from sistema_seguimiento.services.errors import ServiceError
    with pytest.raises(ServiceError, match="anterior"):
        P.open_package(dependencia, tmp_path / "p.ses")
    P.create_packages(office, ADMIN, ["0801"], "2026-10", "2026-12", tmp_path / "p0801.ses")
    with pytest.raises(ServiceError, match="0801"):
        P.open_package(dependencia, tmp_path / "p0801.ses")
    with pytest.raises(ServiceError, match="oficina"):
        P.open_package(office, tmp_path / "p2.ses")


def test_database_identity_created_at_init_and_on_first_need_for_older_files(tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.db.models import AppMeta

    db = Database.open(tmp_path / "n.db", OpenOptions(create=True))
    with db.reading() as s:
        first = P.database_id(s, create=False)
    assert first and len(first) == 36
    with db.transaction() as s:  # an older file: no identity yet
        s.delete(s.get(AppMeta, "db_id"))
    with db.transaction() as s:
        made = P.database_id(s)
    with db.reading() as s:
        assert P.database_id(s, create=False) == made != first
    db.close()
