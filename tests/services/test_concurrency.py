"""Concurrent edits (issue 17): a save over a value that someone else changed meanwhile is refused with both values,
who and when; a close never waits for a save in progress (server mode) and refuses cleanly instead."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.models import Agency, Measurement, PeriodState
from sistema_seguimiento.services import workflow
from sistema_seguimiento.services.capture import ValueChange, save_values
from sistema_seguimiento.services.errors import ConflictError, ServiceError
from sistema_seguimiento.services.locking import period_state_for_update
from sistema_seguimiento.services.users import CurrentUser

TODAY = date(2026, 11, 15)
ADMIN = CurrentUser("admin", "administrador")
ANA = CurrentUser("captura-0301", "capturista", "0301")
VALIDADOR = CurrentUser("validador", "validador")
IND, VAR = "E001-A11-01", "RRI"  # demo: October value 24


def _stored(db):
    with db.reading() as s:
        from sistema_seguimiento.db.models import Indicator, Variable

        m = s.scalars(select(Measurement).join(Variable).join(Indicator).where(
            Indicator.key == IND, Variable.key == VAR, Measurement.period == "2026-10")).first()
        return (m.value, m.captured_by) if m else (None, None)


def test_save_over_a_changed_value_is_a_conflict(demo_db):
    seen = _stored(demo_db)[0]
    assert seen == Decimal("24")
    save_values(demo_db, ADMIN, "2026-10", [ValueChange(IND, VAR, Decimal("30"), expected=seen)], today=TODAY)
    with pytest.raises(ConflictError) as info:
        save_values(demo_db, ANA, "2026-10", [ValueChange(IND, VAR, Decimal("25"), expected=seen)], today=TODAY)
    c = info.value.conflicts[0]
    assert (c.mine, c.theirs, c.seen, c.by) == (Decimal("25"), Decimal("30"), Decimal("24"), "admin")
    assert "su valor 25" in str(info.value) and "en la base 30" in str(info.value) and "admin" in str(info.value)
    assert _stored(demo_db) == (Decimal("30"), "admin")  # nothing written
    # keep mine: save again over what is there now
    save_values(demo_db, ANA, "2026-10", [ValueChange(IND, VAR, Decimal("25"), expected=Decimal("30"))], today=TODAY)
    assert _stored(demo_db) == (Decimal("25"), "captura-0301")
    # the same value saved by both is no conflict; without ``expected`` nothing is checked (scripts, imports)
    save_values(demo_db, ADMIN, "2026-10", [ValueChange(IND, VAR, Decimal("25"), expected=Decimal("24"))],
                today=TODAY)
    save_values(demo_db, ADMIN, "2026-10", [ValueChange(IND, VAR, Decimal("26"))], today=TODAY)
    assert _stored(demo_db)[0] == Decimal("26")


def test_close_refuses_while_a_save_holds_the_month_postgresql(demo_db):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time: a save and a close cannot interleave")
    with demo_db.transaction() as s:  # a capture in progress for 0301, October
        agency = s.scalars(select(Agency).where(Agency.key == "0301")).one()
        period_state_for_update(s, "2026-10", agency.id)
        with pytest.raises(ServiceError, match="guardando valores"):
            workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")
    res = workflow.apply(demo_db, ADMIN, "cerrar", "2026-10", "0301")  # the save ended: the close goes through
    assert res.transitions[0].new == "cerrado"
    with pytest.raises(ServiceError, match="cerrado"):
        save_values(demo_db, ANA, "2026-10", [ValueChange(IND, VAR, Decimal("25"))], today=TODAY)


SCRIPT = textwrap.dedent("""
    import json, sys
    from datetime import date
    from decimal import Decimal
    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.services.capture import ValueChange, save_values
    from sistema_seguimiento.services.errors import ConflictError
    from sistema_seguimiento.services.locking import period_state_for_update
    from sistema_seguimiento.services.users import CurrentUser
    url, name, value = sys.argv[1], sys.argv[2], sys.argv[3]
    db = Database.open(url)
    sys.stdout.write("listo\\n"); sys.stdout.flush()
    sys.stdin.readline()  # both processes start together
    try:
        save_values(db, CurrentUser(name, "administrador"), "2026-10",
                    [ValueChange("E001-A11-01", "RRI", Decimal(value), expected=Decimal("24"))],
                    today=date(2026, 11, 15))
        print(json.dumps({"ok": True}))
    except ConflictError as exc:
        print(json.dumps({"ok": False, "theirs": str(exc.conflicts[0].theirs), "by": exc.conflicts[0].by}))
    db.close()
""")


def test_two_processes_edit_the_same_value_postgresql(demo_db, db_target):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("one writable SES process per SQLite file (the file lock refuses the second)")
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, db_target, name, value], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
             for name, value in (("ana", "31"), ("beto", "32"))]
    for p in procs:
        assert p.stdout.readline().strip() == "listo"
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
    results = [json.loads(p.communicate(timeout=60)[0].strip().splitlines()[-1]) for p in procs]
    winners = [i for i, r in enumerate(results) if r["ok"]]
    assert len(winners) == 1, results
    loser = results[1 - winners[0]]
    winner_name, winner_value = (("ana", "31"), ("beto", "32"))[winners[0]]
    assert loser == {"ok": False, "theirs": winner_value, "by": winner_name}
    assert _stored(demo_db) == (Decimal(winner_value), winner_name)  # nothing lost, nothing overwritten
