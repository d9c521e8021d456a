"""Issue 16, «perfil»: under a state profile the monthly report classifies with the profile's semáforo and draws an
over-achieving indicator's mark in the profile's colour; the generic profile keeps the light's colour."""
from __future__ import annotations

import dataclasses

from sistema_seguimiento.reports.layout import Mark


def _marks(block, out: list) -> list:
    if isinstance(block, Mark):
        out.append(block)
    elif isinstance(block, (list, tuple)):
        for b in block:
            _marks(b, out)
    elif dataclasses.is_dataclass(block) and not isinstance(block, type):
        for f in dataclasses.fields(block):
            _marks(getattr(block, f.name), out)
    return out


def _rows_marks(qapp, db) -> dict[str, list[Mark]]:
    """Indicator key → the semáforo marks drawn for it in the monthly report of October."""
    from sistema_seguimiento.reports.data import build_report
    from sistema_seguimiento.reports.layout import Row, Table
    from sistema_seguimiento.reports.monthly import build_document

    doc = build_document(build_report(db, "2026-10", include_charts=False))
    out: dict[str, list[Mark]] = {}
    tables = [b for b in _walk(doc.blocks) if isinstance(b, Table)]
    for t in tables:
        for row in t.rows:
            if isinstance(row, Row):
                marks = [c for c in row.cells if isinstance(c, Mark)]
                key = next((str(c).split()[0] for c in row.cells if isinstance(c, str) and "-" in str(c)), None)
                if marks and key:
                    out.setdefault(key, []).extend(marks)
    return out


def _walk(blocks):
    for b in blocks:
        yield b
        if dataclasses.is_dataclass(b) and not isinstance(b, type):
            for f in dataclasses.fields(b):
                v = getattr(b, f.name)
                if isinstance(v, list):
                    yield from _walk(v)


def test_report_marks_follow_the_profile(qapp, demo_db, tmp_path):
    from sistema_seguimiento.reports.monthly import make_pdf
    from sistema_seguimiento.services import profiles
    from sistema_seguimiento.services.users import CurrentUser

    generic = _rows_marks(qapp, demo_db)
    assert generic["E001-A12-01"] and all(m.color == "" for ms in generic.values() for m in ms)
    assert all(m.light == "rojo" for m in generic["E001-A12-01"])  # 131 %: SOBRECUMPLIMIENTO_CRITICO

    profiles.set_profile(demo_db, CurrentUser("admin", "administrador"), "edomex")
    edomex = _rows_marks(qapp, demo_db)
    over = edomex["E001-A12-01"]
    assert over and all(m.color == "#1F4E9C" and "Sobrecumplimiento" in m.note for m in over)
    assert all(m.color == "" for k, ms in edomex.items() if k != "E001-A12-01" for m in ms
               if "obrecumplimiento" not in m.note)
    pdf = tmp_path / "edomex.pdf"
    assert make_pdf(demo_db, "2026-10", str(pdf), program_key="E001", include_charts=False) > 0
