"""Concurrent edits of the forms (issue 17): ficha fields, variables, metas, MIR texts, program fields and the
Configuración. A save over a field that another official changed meanwhile is a ``ConflictError`` with both values,
who and when; nothing is written; saving again over the stored value keeps the user's; nothing is lost.

On PostgreSQL the other official is a second ``Database`` on the same server; a SQLite file admits one writable SES
instance at a time (its file lock), so there the other official writes through the same open file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.database import Database
from sistema_seguimiento.db.models import AuditEntry
from sistema_seguimiento.services import editing as ed
from sistema_seguimiento.services.conflicts import FieldConflict, same
from sistema_seguimiento.services.errors import ConflictError
from sistema_seguimiento.services.users import CurrentUser

ANA = CurrentUser("ana", "administrador")
BETO = CurrentUser("beto", "validador")
IND = "E001-A11-01"


@pytest.fixture
def other(demo_db, db_target):
    """The second official's connection to the same database."""
    if demo_db.engine.dialect.name != "postgresql":
        yield demo_db
        return
    db = Database.open(db_target)
    yield db
    db.close()


def _conflict(fn) -> FieldConflict:
    with pytest.raises(ConflictError) as info:
        fn()
    [c] = info.value.conflicts
    return c


def _audit(db, entity, key, field):
    with db.reading() as s:
        return [(e.user_name, e.old, e.new) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.entity == entity, AuditEntry.entity_key == key, AuditEntry.field == field)
            .order_by(AuditEntry.id))]


def test_indicator_field_changed_meanwhile_is_a_conflict_and_nothing_is_lost(demo_db, other):
    seen = ed.indicator_values(demo_db, IND)["name"]  # the ficha Ana has open
    ed.update_indicator(other, BETO, IND, "name", "Nombre de Beto", expected=seen)
    c = _conflict(lambda: ed.update_indicator(demo_db, ANA, IND, "name", "Nombre de Ana", expected=seen))
    assert (c.mine, c.theirs, c.seen, c.by) == ("Nombre de Ana", "Nombre de Beto", seen, "beto")
    assert c.at is not None
    text = c.describe()
    assert "Nombre del indicador" in text or "Nombre" in text
    assert "«Nombre de Ana»" in text and "«Nombre de Beto»" in text and "beto" in text
    assert ed.indicator_values(demo_db, IND)["name"] == "Nombre de Beto"  # nothing written
    # Ana keeps hers: saved over what she has now seen
    assert ed.update_indicator(demo_db, ANA, IND, "name", "Nombre de Ana", expected=c.theirs) == "Nombre de Beto"
    assert ed.indicator_values(other, IND)["name"] == "Nombre de Ana"
    # both changes are in the bitácora, each «before» the previous «after»: nothing was overwritten unseen
    log = _audit(demo_db, "indicador", IND, "name")
    assert log[-2:] == [("beto", seen, "Nombre de Beto"), ("ana", "Nombre de Beto", "Nombre de Ana")]


def test_different_fields_of_the_same_ficha_are_no_conflict(demo_db, other):
    v = ed.indicator_values(demo_db, IND)
    ed.update_indicator(other, BETO, IND, "definition", "Definición de Beto", expected=v["definition"])
    ed.update_indicator(demo_db, ANA, IND, "interpretation", "Interpretación de Ana", expected=v["interpretation"])
    after = ed.indicator_values(demo_db, IND)
    assert (after["definition"], after["interpretation"]) == ("Definición de Beto", "Interpretación de Ana")
    # the same value saved by both is no conflict either; without ``expected`` nothing is checked (scripts, undo)
    ed.update_indicator(demo_db, ANA, IND, "definition", "Definición de Beto", expected=v["definition"])
    ed.update_indicator(demo_db, ANA, IND, "definition", "Otra")
    assert ed.indicator_values(demo_db, IND)["definition"] == "Otra"


def test_decimal_and_list_fields(demo_db, other):
    v = ed.indicator_values(demo_db, IND)
    ed.update_indicator(other, BETO, IND, "annual_target", "120", expected=v["annual_target"])
    c = _conflict(lambda: ed.update_indicator(demo_db, ANA, IND, "annual_target", "130",
                                              expected=v["annual_target"]))
    assert (c.mine, c.theirs) == (Decimal("130"), Decimal("120"))
    ed.update_indicator(other, BETO, IND, "verification_sources", "Fuente de Beto", expected=v["verification_sources"])
    c = _conflict(lambda: ed.update_indicator(demo_db, ANA, IND, "verification_sources", "Fuente de Ana",
                                              expected=v["verification_sources"]))
    assert c.theirs == ["Fuente de Beto"] and "Fuente de Beto" in c.describe()


def test_variable_field(demo_db, other):
    row = ed.indicator_values(demo_db, IND)["variables"][0]
    ed.update_variable(other, BETO, IND, row["key"], "source", "Registro de Beto", expected=row["source"])
    c = _conflict(lambda: ed.update_variable(demo_db, ANA, IND, row["key"], "source", "Registro de Ana",
                                             expected=row["source"]))
    assert (c.theirs, c.by) == ("Registro de Beto", "beto") and "variable" in c.describe()
    assert ed.indicator_values(demo_db, IND)["variables"][0]["source"] == "Registro de Beto"


def test_calendarized_target(demo_db, other):
    v = ed.indicator_values(demo_db, IND)
    var = v["variables"][0]["key"]
    period = max(v["targets"])
    seen = v["targets"][period].get(var)
    ed.set_target(other, BETO, IND, var, period, "70", reason="Ajuste de Beto", expected=seen)
    c = _conflict(lambda: ed.set_target(demo_db, ANA, IND, var, period, "80", reason="Ajuste de Ana",
                                        expected=seen))
    assert (c.mine, c.theirs, c.seen, c.by) == (Decimal("80"), Decimal("70"), seen, "beto")
    assert ed.indicator_values(demo_db, IND)["targets"][period][var] == Decimal("70")
    ed.set_target(demo_db, ANA, IND, var, period, "80", reason="Ajuste de Ana", expected=c.theirs)
    assert ed.indicator_values(other, IND)["targets"][period][var] == Decimal("80")


def test_mir_texts_and_program_fields(demo_db, other):
    v = ed.indicator_values(demo_db, IND)
    program, objective = v["program_key"], v["objective_key"]
    text = v["objective_text"]
    ed.update_objective(other, BETO, None, program, objective, "text", "Resumen de Beto", expected=text)
    c = _conflict(lambda: ed.update_objective(demo_db, ANA, None, program, objective, "text", "Resumen de Ana",
                                              expected=text))
    assert c.theirs == "Resumen de Beto" and "resumen narrativo" in c.describe()
    assumptions = v["assumptions"]
    ed.update_objective(other, BETO, None, program, objective, "assumptions", "Supuesto de Beto",
                        expected=assumptions)
    c = _conflict(lambda: ed.update_objective(demo_db, ANA, None, program, objective, "assumptions",
                                              "Supuesto de Ana", expected=assumptions))
    assert c.theirs == ["Supuesto de Beto"]
    p = ed.program_values(demo_db, None, program)
    ed.update_program(other, BETO, None, program, "responsible", "Responsable de Beto", expected=p["responsible"])
    c = _conflict(lambda: ed.update_program(demo_db, ANA, None, program, "responsible", "Responsable de Ana",
                                            expected=p["responsible"]))
    assert (c.theirs, c.by) == ("Responsable de Beto", "beto")
    ed.update_program(other, BETO, None, program, "budget_modified", "1000", expected=p["budget_modified"])
    c = _conflict(lambda: ed.update_program(demo_db, ANA, None, program, "budget_modified", "2000",
                                            expected=p["budget_modified"]))
    assert c.theirs == Decimal("1000")
    assert ed.program_values(demo_db, None, program)["responsible"] == "Responsable de Beto"


def test_settings(demo_db, other):
    org = ed.organization_values(demo_db)
    ed.update_organization(other, ANA, "administration", "2027-2030", expected=org["administration"])
    c = _conflict(lambda: ed.update_organization(demo_db, ANA, "administration", "2024-2027 bis",
                                                 expected=org["administration"]))
    assert c.theirs == "2027-2030" and "configuración" in c.describe()
    sig = org["signatures"]["firma_elaboro"]
    ed.update_signature(other, ANA, "firma_elaboro", {"nombre": "Beto", "cargo": "Jefe"}, expected=sig)
    c = _conflict(lambda: ed.update_signature(demo_db, ANA, "firma_elaboro", {"nombre": "Ana", "cargo": "Jefa"},
                                              expected=sig))
    assert c.theirs == {"nombre": "Beto", "cargo": "Jefe"} and "Beto — Jefe" in c.describe()
    unit = org["issuing_unit"]
    ed.update_issuing_unit(other, ANA, ed.ISSUING_UNIT, "Unidad de Beto", expected=unit)
    c = _conflict(lambda: ed.update_issuing_unit(demo_db, ANA, ed.ISSUING_UNIT, "Unidad de Ana", expected=unit))
    assert c.theirs == "Unidad de Beto"
    assert ed.organization_values(demo_db)["issuing_unit"] == "Unidad de Beto"


def test_same_treats_empty_numbers_and_blanks_alike():
    assert same(None, "") and same("  a ", "a") and same(Decimal("1.50"), Decimal("1.5")) and same(2024, Decimal(2024))
    assert same([], None) and same({"nombre": "", "cargo": ""}, None) and same(["a"], ("a",))
    assert not same("a", "b") and not same(Decimal("1"), Decimal("2")) and not same(None, "x") and not same(True, False)


SCRIPT = textwrap.dedent("""
    import json, sys
    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.services import editing as ed
    from sistema_seguimiento.services.errors import ConflictError
    from sistema_seguimiento.services.users import CurrentUser
    url, name, value, seen = sys.argv[1:5]
    db = Database.open(url)
    sys.stdout.write("listo\\n"); sys.stdout.flush()
    sys.stdin.readline()  # both processes start together
    try:
        ed.update_indicator(db, CurrentUser(name, "administrador"), "E001-A11-01", "name", value, expected=seen)
        print(json.dumps({"ok": True}))
    except ConflictError as exc:
        print(json.dumps({"ok": False, "theirs": exc.conflicts[0].theirs, "by": exc.conflicts[0].by}))
    db.close()
""")


def test_two_processes_edit_the_same_ficha_field_postgresql(demo_db, db_target):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("one writable SES process per SQLite file (the file lock refuses the second)")
    seen = ed.indicator_values(demo_db, IND)["name"]
    people = (("ana", "Nombre de Ana"), ("beto", "Nombre de Beto"))
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, db_target, name, value, seen], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ))
             for name, value in people]
    for p in procs:
        assert p.stdout.readline().strip() == "listo"
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
    results = [json.loads(p.communicate(timeout=60)[0].strip().splitlines()[-1]) for p in procs]
    winners = [i for i, r in enumerate(results) if r["ok"]]
    assert len(winners) == 1, results  # one conflict reported
    winner_name, winner_value = people[winners[0]]
    assert results[1 - winners[0]] == {"ok": False, "theirs": winner_value, "by": winner_name}
    assert ed.indicator_values(demo_db, IND)["name"] == winner_value  # nothing lost, nothing overwritten
    log = _audit(demo_db, "indicador", IND, "name")
    assert log[-1] == (winner_name, seen, winner_value) and len([e for e in log if e[0] in ("ana", "beto")]) == 1
