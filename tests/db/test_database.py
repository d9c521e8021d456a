import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from sistema_seguimiento.db.database import (Database, DatabaseError, DatabaseLocked, DatabaseTooNew,
                                             NotSesDatabase, OpenOptions, head_revision, restore)
from sistema_seguimiento.db.models import Agency, Measurement


def _file_bytes(path):
    return path.read_bytes()


def test_create_runs_alembic_to_head_and_sets_pragmas(tmp_path):
    path = tmp_path / "nueva.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        assert db.current_revision() == head_revision()
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_missing_file_is_not_created_without_create(tmp_path):
    with pytest.raises(DatabaseError, match="No existe"):
        Database.open(tmp_path / "no.db")
    assert not (tmp_path / "no.db").exists()


def test_foreign_keys_enforced(new_db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with new_db.transaction() as s:
            s.add(Measurement(variable_id=999, period="2026-01", value=Decimal("1")))


def test_decimal_roundtrip_is_exact(new_db):
    from sistema_seguimiento.db.models import Organization

    with new_db.transaction() as s:
        s.add(Agency(key="X1", name="Prueba"))
    vals = ["0.1", "1234567890.123456789", "-0.00", "85.30", "1E+3"]
    from sistema_seguimiento.db.models import Budget, FiscalYear, Program

    with new_db.transaction() as s:
        fy = FiscalYear(year=2026)
        s.add(fy)
        s.flush()
        p = Program(fiscal_year_id=fy.id, key="E001", name="P")
        s.add(p)
        s.flush()
        for i, v in enumerate(vals):
            s.add(Budget(program_id=p.id, period=f"2026-{i + 1:02d}", approved=Decimal(v)))
    with new_db.reading() as s:
        got = [b.approved for b in s.scalars(select(Budget).order_by(Budget.period))]
    assert got == [Decimal(v) for v in vals]
    assert [str(x) for x in got][:4] == ["0.1", "1234567890.123456789", "0", "85.3"]
    del Organization


def test_not_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "hoja.db"
    path.write_bytes(b"PK\x03\x04 esto es un xlsx")
    before = path.read_bytes()
    with pytest.raises(NotSesDatabase, match="no es una base de datos de SES"):
        Database.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hoja.db"]


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "otra.db"
    c = sqlite3.connect(path)
    c.execute("create table clientes(id integer)")
    c.commit()
    c.close()
    before = path.read_bytes()
    with pytest.raises(NotSesDatabase, match="no de SES"):
        Database.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otra.db"]


def test_damaged_file_is_refused(tmp_path):
    path = tmp_path / "ses.db"
    Database.open(path, OpenOptions(create=True)).close()
    data = bytearray(path.read_bytes())
    for i in range(4096, min(len(data), 4096 * 6)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(NotSesDatabase, match="dañada"):
        Database.open(path)


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "ses.db"
    Database.open(path, OpenOptions(create=True)).close()
    c = sqlite3.connect(path)
    c.execute("update alembic_version set version_num='9999'")
    c.commit()
    c.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="versión más reciente"):
        Database.open(path)
    assert path.read_bytes() == before


def test_migration_takes_a_backup_first(tmp_path):
    from alembic import command

    from sistema_seguimiento.db.database import _alembic_config

    path = tmp_path / "ses.db"
    db = Database.open(path, OpenOptions(create=True))
    with db.engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with db.transaction() as s:
        s.add(Agency(key="0301", name="Servicios Públicos"))
    db.close()
    with Database.open(path) as db2:
        assert db2.current_revision() == head_revision()
    backups = [p for p in tmp_path.iterdir() if "antes-de-migrar-0001" in p.name]
    assert len(backups) == 1
    c = sqlite3.connect(backups[0])
    assert c.execute("select version_num from alembic_version").fetchone()[0] == "0001"
    assert c.execute("select name from agency").fetchall() == [("Servicios Públicos",)]
    c.close()


def test_second_instance_is_detected(tmp_path):
    path = tmp_path / "ses.db"
    first = Database.open(path, OpenOptions(create=True))
    try:
        with pytest.raises(DatabaseLocked, match="abierta en otra ventana"):
            Database.open(path)
        ro = Database.open(path, OpenOptions(allow_read_only_fallback=True))
        assert ro.read_only
        with pytest.raises(DatabaseError, match="solo lectura"):
            with ro.transaction():
                pass
        ro.close()
    finally:
        first.close()
    Database.open(path).close()  # released


def test_transaction_rolls_back_everything(new_db):
    with pytest.raises(RuntimeError):
        with new_db.transaction() as s:
            s.add(Agency(key="A", name="Uno"))
            s.flush()
            raise RuntimeError("falla a la mitad")
    with new_db.reading() as s:
        assert s.scalars(select(Agency)).all() == []


def test_backup_and_restore(tmp_path):
    from sistema_seguimiento.services.loading import load_demo

    path = tmp_path / "ses.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        load_demo(db)
        copy = db.backup_to(tmp_path / "copia.db")
        with db.transaction() as s:
            s.execute(text("delete from measurement"))
    with Database.open(copy, OpenOptions(read_only=True)) as c:
        with c.reading() as s:
            assert s.scalar(text("select count(*) from measurement")) == 172
    res = restore(copy, path)
    assert res.previous == tmp_path / "ses.previo-1.db" and res.previous.exists()
    with Database.open(path) as db:
        with db.reading() as s:
            assert s.scalar(text("select count(*) from measurement")) == 172


def test_schema_head_constant_matches_alembic():
    from sistema_seguimiento.db.database import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()


def test_models_and_migrations_agree(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sistema_seguimiento.db.models import Base

    with Database.open(tmp_path / "x.db", OpenOptions(create=True)) as db:
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
