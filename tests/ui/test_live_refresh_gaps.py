"""Open views follow other officials' changes even when transactions commit out of id order (server mode with one
bitácora chain per dependencia): an entry whose id is below the newest one already read is still announced."""
from __future__ import annotations

import sqlite3

from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services import audit
from sistema_seguimiento.services.users import CurrentUser
from sistema_seguimiento.ui.live_refresh import read_changes

ANA = CurrentUser("ana", "capturista", "0301")


def test_an_entry_committed_after_a_newer_one_is_still_announced(tmp_path):
    path = tmp_path / "ses.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        for i in range(4):
            with db.transaction() as s:
                audit.record(s, ANA, "indicador", f"I-{i}")
    # id 2 «still open» when the probe reads: take it out, as a transaction that has not committed yet
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT * FROM audit_entry WHERE id = 2").fetchone()
    conn.execute("DELETE FROM audit_entry WHERE id = 2")
    conn.commit()
    with Database.open(path, OpenOptions(read_only=True)) as db:
        newest, changes, missing = read_changes(db, 0)
        assert newest == 4 and [k for _e, k, _u in changes] == ["I-0", "I-2", "I-3"] and missing == {2}
        # nothing new: the gap is remembered
        assert read_changes(db, newest, missing) == (4, [], {2})
    conn.execute(f"INSERT INTO audit_entry VALUES ({', '.join('?' * len(row))})", row)  # it commits now
    conn.commit()
    conn.close()
    with Database.open(path, OpenOptions(read_only=True)) as db:
        newest, changes, missing = read_changes(db, 4, {2})
    assert (newest, changes, missing) == (4, [("indicador", "I-1", "ana")], set())
