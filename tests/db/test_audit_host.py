"""The PC in the bitácora (issue 17, revision 0005): recorded on every entry, sealed with it, shown by ``ses
bitacora``; entries written before the column existed keep their seals."""
from __future__ import annotations

import hashlib
import json
import socket
import sqlite3

from sqlalchemy import text

from sistema_seguimiento import cli
from sistema_seguimiento.db.audit_chain import FIELDS, check_chain, entry_hash
from sistema_seguimiento.services import audit
from sistema_seguimiento.services.users import SYSTEM


def test_every_entry_records_the_pc_and_seals_it(new_db):
    with new_db.transaction() as s:
        audit.record(s, SYSTEM, "prueba", "k1", "campo", 1, 2)
    with new_db.engine.connect() as conn:
        hosts = {r[0] for r in conn.execute(text("SELECT host FROM audit_entry"))}
        assert hosts == {socket.gethostname()[:120]}
        assert check_chain(conn) == []


def test_an_altered_pc_breaks_the_seal(tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions

    path = tmp_path / "ses.db"
    with Database.open(path, OpenOptions(create=True)) as db, db.transaction() as s:
        for i in range(3):
            audit.record(s, SYSTEM, "prueba", f"k{i}")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE audit_entry SET host = 'otra-pc' WHERE id = 2")
    conn.commit()
    conn.close()
    with Database.open(path, OpenOptions(read_only=True)) as db, db.engine.connect() as c:
        problems = check_chain(c)
    assert len(problems) == 1 and "entrada 2" in problems[0]


def test_entries_without_pc_keep_the_seal_they_had():
    values = {f: f"v-{f}" for f in FIELDS}
    old_style = hashlib.sha256(("prev\n" + json.dumps([values[f] for f in FIELDS], ensure_ascii=False,
                                                      separators=(",", ":"))).encode("utf-8")).hexdigest()
    assert entry_hash(values, "prev") == old_style
    assert entry_hash({**values, "host": None}, "prev") == old_style
    assert entry_hash({**values, "host": "pc-1"}, "prev") != old_style


def test_bitacora_shows_the_pc(tmp_path, capsys):
    db = tmp_path / "demo.db"
    assert cli.main(["demo", "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli.main(["bitacora", "--db", str(db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["equipo"] == socket.gethostname()[:120] for r in rows)
    out = tmp_path / "bitacora.csv"
    assert cli.main(["bitacora", "--db", str(db), "--csv", str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(",Equipo")
