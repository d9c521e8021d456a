"""One bitácora hash chain per dependencia (issue 17, revision 0007): writers of different dependencias lock
different head rows (on a server they never wait for each other); ``ses verificar`` checks every chain and still
names an altered, removed or inserted entry, and now also the last entries of a chain removed."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text

from tests.dbfixtures import db_downgrade
from sistema_seguimiento.db.audit_chain import check_chain
from sistema_seguimiento.db.database import SCHEMA_HEAD, Database, OpenOptions
from sistema_seguimiento.services import audit
from sistema_seguimiento.services.maintenance import verify
from sistema_seguimiento.services.users import SYSTEM, CurrentUser

ANA = CurrentUser("ana", "capturista", "0301")
BETO = CurrentUser("beto", "capturista", "0302")
ADMIN = CurrentUser("admin", "administrador")


def _write(db, actor, n, prefix="k"):
    for i in range(n):
        with db.transaction() as s:
            audit.record(s, actor, "prueba", f"{prefix}{i}", "campo", i, i + 1)


def _problems(db):
    with db.engine.connect() as conn:
        return check_chain(conn)


def _rows(db, sql):
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _sqlite(path, *sql):
    conn = sqlite3.connect(path)
    for q in sql:
        conn.execute(q)
    conn.commit()
    conn.close()


def test_entries_go_to_the_chain_of_the_writers_dependencia(new_db):
    _write(new_db, ANA, 3)
    _write(new_db, BETO, 2)
    _write(new_db, ADMIN, 1)
    _write(new_db, ANA, 1, "otra")
    assert _problems(new_db) == []
    chains = _rows(new_db, "SELECT chain, count(*) FROM audit_entry GROUP BY chain ORDER BY chain")
    assert chains == [("", 1), ("0301", 4), ("0302", 2)]
    heads = dict((s, i) for s, i in _rows(new_db, "SELECT scope, last_id FROM audit_chain_head"))
    last = dict(_rows(new_db, "SELECT chain, max(id) FROM audit_entry GROUP BY chain"))
    assert heads == last


def test_checker_names_altered_removed_inserted_and_truncated_entries(tmp_path):
    path = tmp_path / "ses.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        for _ in range(3):  # interleaved: ids of one chain are not consecutive
            _write(db, ANA, 1)
            _write(db, BETO, 1)
        ids = dict(_rows(db, "SELECT id, chain FROM audit_entry"))
    ana = sorted(i for i, c in ids.items() if c == "0301")  # e.g. 1, 3, 5
    beto = sorted(i for i, c in ids.items() if c == "0302")
    _sqlite(path, f"UPDATE audit_entry SET new = 'otro' WHERE id = {ana[1]}")
    with Database.open(path, OpenOptions(read_only=True)) as db:
        problems = verify(db)
    assert len(problems) == 1 and f"entrada {ana[1]} fue alterada" in problems[0]
    # removed in the middle of a chain
    _sqlite(path, f"DELETE FROM audit_entry WHERE id = {ana[1]}")
    with Database.open(path, OpenOptions(read_only=True)) as db:
        problems = verify(db)
    assert len(problems) == 1 and f"entre la {ana[0]} y la {ana[2]}" in problems[0]
    # the last entry of the other chain removed: its head no longer matches
    _sqlite(path, f"DELETE FROM audit_entry WHERE id = {beto[-1]}")
    with Database.open(path, OpenOptions(read_only=True)) as db:
        problems = verify(db)
    assert any("dependencia 0302" in p and f"entrada {beto[-2]}" in p and "últimas entradas" in p for p in problems)
    # an entry inserted with an SQLite editor (no seal, or a seal that does not follow)
    _sqlite(path, "INSERT INTO audit_entry (at, user_name, action, entity, entity_key, field, reason, chain, hash) "
                  "VALUES ('2026-01-01 00:00:00', 'x', 'editar', 'prueba', 'y', '', '', '0302', 'abc')")
    with Database.open(path, OpenOptions(read_only=True)) as db:
        assert any("fue alterada o insertada" in p for p in verify(db))




def test_old_entries_stay_the_organization_chain_after_the_migration(tmp_path):
    path = tmp_path / "vieja.db"
    with Database.open(path, OpenOptions(create=True)) as db:  # written as 0005 did: one chain for everyone
        _write(db, ADMIN, 2)
        _write(db, SYSTEM, 2, "s")
        before = _rows(db, "SELECT id, hash FROM audit_entry ORDER BY id")
    # back to revision 0005: one chain for the whole file, no heads (Alembic undoes 0007 and 0006)
    _sqlite(path, "UPDATE audit_entry SET chain = ''")
    with Database.open(path) as db:
        db_downgrade(db, "0005")
    with Database.open(path, OpenOptions(create=False)) as db:
        assert db.current_revision() == SCHEMA_HEAD
        assert _rows(db, "SELECT id, hash FROM audit_entry ORDER BY id") == before  # seals unchanged
        assert _rows(db, "SELECT DISTINCT chain FROM audit_entry") == [("",)]
        assert _rows(db, "SELECT scope, last_id FROM audit_chain_head") == [("", before[-1][0])]
        assert verify(db) == []
        _write(db, ANA, 2, "nueva")
        _write(db, SYSTEM, 1, "sistema")
        assert verify(db) == []
        assert _rows(db, "SELECT chain, count(*) FROM audit_entry GROUP BY chain ORDER BY chain") == [("", 5),
                                                                                                      ("0301", 2)]


def test_writers_of_different_dependencias_do_not_wait_for_each_other_postgresql(new_db):
    if new_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time")
    done = []

    def other_dependencia():
        _write(new_db, BETO, 1)
        done.append(True)

    with new_db.transaction() as s:  # a capture of 0301 holds its chain's head until it commits
        audit.record(s, ANA, "prueba", "abierta")
        s.flush()
        t = threading.Thread(target=other_dependencia)
        t.start()
        t.join(timeout=30)
        assert done == [True], "la otra dependencia esperó a que terminara esta transacción"
    assert _problems(new_db) == []


def test_two_writers_of_one_dependencia_do_not_fork_its_chain_postgresql(new_db):
    if new_db.engine.dialect.name != "postgresql":
        pytest.skip("covered for SQLite by test_audit_chain.py (two threads on one file)")
    errors = []

    def writer(actor, prefix):
        try:
            _write(new_db, actor, 20, prefix)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(a, p)) for a, p in ((ANA, "a"), (ANA, "b"), (BETO, "c"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and _problems(new_db) == []
    assert _rows(new_db, "SELECT chain, count(*) FROM audit_entry GROUP BY chain ORDER BY chain") == [("0301", 40),
                                                                                                      ("0302", 20)]
