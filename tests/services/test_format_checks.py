"""Consistency between the state formats (FMT-001..003) in ``ses validar`` and the validation dock's source."""
from __future__ import annotations

import sqlite3
from decimal import Decimal as D

from sistema_seguimiento.core.format_checks import FORMAT_RULES, GoalCalendar, IndicatorCalendar, check_formats
from sistema_seguimiento.services.validation import validate_database
from tests.edomex_fixtures import make_edomex_db


def fmt_ids(db):
    return sorted((f.rule_id, f.program, f.indicator, f.period) for f in validate_database(db)
                  if f.rule_id.startswith("FMT"))


def test_rules_have_spanish_templates_and_severities():
    assert set(FORMAT_RULES) == {"FMT-001", "FMT-002", "FMT-003"}
    assert [FORMAT_RULES[r][0] for r in sorted(FORMAT_RULES)] == ["warning", "error", "warning"]


def test_pure_checks():
    q = "2026-T2"
    ic = IndicatorCalendar("E001", "I1", [("A", "Alfa")], {q: {"A": D(10)}}, {q: {"A": D(12)}})
    [f] = check_formats([ic], [])
    assert f.rule_id == "FMT-001" and "«Alfa»" in f.message and "12.00" in f.message and "10.00" in f.message
    ic.reconducted = True
    assert check_formats([ic], []) == []
    g = GoalCalendar("E001", "P1", "1", "Meta", D(100), D(100), {"2026-T1": D(50), "2026-T2": D(40)},
                     {"2026-T1": D(50), "2026-T2": D(50)})
    found = check_formats([], [g])
    assert [f.rule_id for f in found] == ["FMT-002", "FMT-003"]
    assert "suma 90.00" in found[0].message and "vigente" in found[0].message


def test_demo_fixture_is_consistent_then_each_break_is_reported(tmp_path):
    db = make_edomex_db(tmp_path / "e.db")
    try:
        assert fmt_ids(db) == []  # the reconducciones of the fixture are authorised: nothing to report
        with sqlite3.connect(str(db.path)) as con:
            con.execute("update activity_goal_quarter set programmed = 250 where period = '2026-T2' and goal_id = "
                        "(select id from activity_goal where name like 'Mantenimiento preventivo%')")
            con.execute("update target set value = 30 where period = '2026-05' and variable_id = "
                        "(select v.id from variable v join indicator i on i.id = v.indicator_id "
                        "where i.key = 'E001-A11-01' and v.key = 'RRI')")
        found = fmt_ids(db)
        assert ("FMT-001", "E001", "E001-A11-01", "2026-T2") in found
        assert ("FMT-002", "E001", None, None) in found
        assert ("FMT-003", "E001", None, "2026-T2") in found
        assert len(found) == 3
    finally:
        db.close()


def test_generic_profile_has_no_format_checks(tmp_path):
    from sistema_seguimiento.services import profiles
    from sistema_seguimiento.services.users import SYSTEM

    db = make_edomex_db(tmp_path / "g.db")
    try:
        with sqlite3.connect(str(db.path)) as con:
            con.execute("update activity_goal_quarter set programmed = 1 where period = '2026-T1'")
        assert {f[0] for f in fmt_ids(db)} == {"FMT-002", "FMT-003"}
        profiles.set_profile(db, SYSTEM, "generico")
        assert fmt_ids(db) == []
    finally:
        db.close()
