"""``ses generar`` gains Edomex-style proyectos and metas de actividad (issue 16)."""
from __future__ import annotations

from decimal import Decimal

from sistema_seguimiento.core.exchange import read_exchange
from sistema_seguimiento.services import projects
from sistema_seguimiento.services.capture import capture_rows
from sistema_seguimiento.services.generator import generate
from sistema_seguimiento.services.loading import load_document


def test_generated_proyectos_are_edomex_style_with_consistent_calendars():
    data = generate("mini", seed=3, cutoff_month=9)
    assert generate("mini", seed=3, cutoff_month=9)["proyectos"] == data["proyectos"]
    program_keys = {p["clave"] for p in data["programs"]}
    assert {p["programa"] for p in data["proyectos"]} == program_keys  # every program has proyectos
    for p in data["proyectos"]:
        assert len(p["clave"]) == 12 and p["clave"].isdigit() and p["dependencia_auxiliar"]["nombre"]
        assert 2 <= len(p["metas"]) <= 4
        for g in p["metas"]:
            assert sum(g["calendario"].values()) == g["meta_anual"]
            assert set(g["alcanzado"]) == {"T1", "T2", "T3"}  # the quarters ended by the cut-off
            assert all(isinstance(v, int) for v in list(g["calendario"].values()) + list(g["alcanzado"].values()))


def test_generated_data_loads_and_shows_in_the_capture_grid(new_db):
    data = generate("mini", seed=1, cutoff_month=9)
    load_document(new_db, read_exchange(data))
    first = data["proyectos"][0]
    rows = projects.list_projects(new_db, 2026, first["programa"])
    got = next(p for p in rows if p.key == first["clave"])
    assert [g.annual_target for g in got.goals] == [Decimal(g["meta_anual"]) for g in first["metas"]]
    sheet = capture_rows(new_db, "2026-06")
    assert len(sheet.goals) == sum(len(p["metas"]) for p in data["proyectos"])
