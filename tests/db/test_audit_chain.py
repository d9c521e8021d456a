"""The sealed bitácora (db/audit_chain.py): migration of existing entries, two writers, and the checker."""
from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import text

from tests.dbfixtures import db_downgrade
from sistema_seguimiento.core.cells import csv_cell
from sistema_seguimiento.db.audit_chain import check_chain
from sistema_seguimiento.db.database import SCHEMA_HEAD, Database, OpenOptions
from sistema_seguimiento.services import audit
from sistema_seguimiento.services.maintenance import verify
from sistema_seguimiento.services.users import SYSTEM, CurrentUser


def _chain_problems(db) -> list[str]:
    with db.engine.connect() as conn:
        return check_chain(conn)


def test_entries_of_one_transaction_and_of_many_form_one_chain(new_db):
    with new_db.transaction() as s:
        for i in range(3):
            audit.record(s, SYSTEM, "prueba", f"k{i}", "campo", i, i + 1)
    with new_db.transaction() as s:
        audit.record(s, CurrentUser("ana", "administrador"), "prueba", "k3", reason="motivo «con acentos»")
    with new_db.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT hash FROM audit_entry ORDER BY id"))]
    assert len(hashes) == 4 and len(set(hashes)) == 4 and all(len(h) == 64 for h in hashes)
    assert _chain_problems(new_db) == []


def test_a_rolled_back_transaction_leaves_the_chain_intact(new_db):
    with new_db.transaction() as s:
        audit.record(s, SYSTEM, "prueba", "antes")
    try:
        with new_db.transaction() as s:
            audit.record(s, SYSTEM, "prueba", "deshecha")
            s.flush()
            raise RuntimeError("falla después de escribir")
    except RuntimeError:
        pass
    with new_db.transaction() as s:
        audit.record(s, SYSTEM, "prueba", "después")
    assert _chain_problems(new_db) == []


def test_two_writers_at_the_same_time_do_not_fork_the_chain(tmp_path):
    path = tmp_path / "ses.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        errors = []

        def writer(name):
            try:
                for i in range(25):
                    with db.transaction() as s:
                        audit.record(s, CurrentUser(name, "administrador"), "prueba", f"{name}-{i}")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(n,)) for n in ("ana", "beto")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert _chain_problems(db) == []
        with db.reading() as s:
            assert s.execute(text("SELECT count(*) FROM audit_entry WHERE entity = 'prueba'")).scalar() == 50


def test_migration_0004_seals_the_entries_already_in_the_file(tmp_path):
    path = tmp_path / "vieja.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        with db.transaction() as s:
            for i in range(5):
                audit.record(s, SYSTEM, "prueba", f"k{i}", "campo", None, f"valor {i}")
    with Database.open(path) as db:  # revisions after 0005 undone by Alembic itself
        db_downgrade(db, "0005")
    conn = sqlite3.connect(path)  # back to revision 0003: the column did not exist
    conn.execute("ALTER TABLE audit_entry DROP COLUMN hash")
    conn.execute("ALTER TABLE audit_entry DROP COLUMN host")  # revision 0005
    conn.execute("UPDATE alembic_version SET version_num = '0003'")
    conn.commit()
    conn.close()
    with Database.open(path) as db:
        assert db.current_revision() == SCHEMA_HEAD
        with db.reading() as s:
            assert s.execute(text("SELECT count(*) FROM audit_entry WHERE hash IS NULL")).scalar() == 0
        assert verify(db) == []
    conn = sqlite3.connect(path)
    conn.execute("UPDATE audit_entry SET old = 'otro' WHERE id = 2")
    conn.commit()
    conn.close()
    with Database.open(path, OpenOptions(read_only=True)) as db:
        assert any("entrada 2 fue alterada" in p for p in verify(db))


def test_csv_cell_escapes_what_a_spreadsheet_would_run():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+52 55 1234") == "'+52 55 1234"
    assert csv_cell("-A1") == "'-A1"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("\tx") == "'\tx" and csv_cell("\rx") == "'\rx"
    assert csv_cell("-3.50") == "-3.50" and csv_cell("-1,234.5") == "-1,234.5"
    assert csv_cell("texto") == "texto" and csv_cell(None) == "" and csv_cell("a=b") == "a=b"
