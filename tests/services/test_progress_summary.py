"""``compute_progress`` (the columnar summary path of ``ses avance``) gives, row for row, what the full engine
gives on a generated database: every frequency, both senses, stock and flow, missing and partial captures."""
from __future__ import annotations

import pytest

from sistema_seguimiento.core import periods
from sistema_seguimiento.core.exchange import read_exchange
from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.services.documents import read_programs
from sistema_seguimiento.services.generator import generate
from sistema_seguimiento.services.loading import load_document
from sistema_seguimiento.services.progress import compute_progress, presets_by_key, rows_for


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "mini.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        load_document(db, read_exchange(generate("mini", seed=3)), source="prueba")
    return path


@pytest.mark.parametrize("month", ["2026-01", "2026-03", "2026-06", "2026-10", "2026-12"])
def test_summary_rows_equal_full_engine_rows(generated, month):
    with Database.open(generated, OpenOptions(read_only=True)) as db:
        fast = compute_progress(db, month)
        with db.reading() as session:
            due = periods.due_periods(periods.month_cutoff(month))
            pset = read_programs(session, 2026, value_periods=due, lean=True)
            presets = presets_by_key(session)
    slow = rows_for(pset, presets, month, detail=True)  # every indicator through compute_indicator
    assert len(fast) == len(slow) > 100
    for f, s in zip(fast, slow):
        assert f.as_json() == s.as_json(), f.indicator_key
        assert f.status == s.status and f.progress_alt_pct == s.progress_alt_pct
        assert f.result.cumulative.to_dict() == s.result.cumulative.to_dict()
    assert {r.light for r in fast} >= {"verde", "rojo", "gris"}


def test_another_fiscal_year_in_the_same_file_stays_apart(tmp_path):
    from decimal import Decimal

    from sistema_seguimiento.db.models import (FiscalYear, Indicator, Measurement, Objective, Program, Target,
                                               Variable)

    path = tmp_path / "dos.db"
    with Database.open(path, OpenOptions(create=True)) as db:
        load_document(db, read_exchange(generate("mini", seed=4)), source="prueba")
        before = [r.as_json() for r in compute_progress(db, "2026-10")]
        with db.transaction() as s:
            fy = FiscalYear(year=2025)
            prog = Program(fiscal_year=fy, key="E999", name="Programa del ejercicio anterior")
            obj = Objective(program=prog, key="FIN", level="FIN", text="Contribuir a …")
            ind = Indicator(objective=obj, key="E999-FIN-01", name="Cobertura 2025", formula="(A / B) * 100",
                            formula_type="porcentaje", type="estrategico", direction="ascendente",
                            frequency="trimestral", unit="Porcentaje")
            a = Variable(indicator=ind, key="A", role="numerador", order=0)
            b = Variable(indicator=ind, key="B", role="denominador", order=1)
            s.add_all([fy, prog, obj, ind, a, b])
            s.flush()
            for var, meta, value in ((a, "45", "40"), (b, "50", "50")):
                for period in ("2025-T1", "2025-T2"):
                    s.add(Target(variable_id=var.id, period=period, value=Decimal(meta),
                                 original_value=Decimal(meta)))
                    s.add(Measurement(variable_id=var.id, period=period, value=Decimal(value)))
        assert [r.as_json() for r in compute_progress(db, "2026-10")] == before
        (row,) = compute_progress(db, "2025-10")
    assert row.indicator_key == "E999-FIN-01" and row.cumulative_value == Decimal(80)
    assert row.cumulative_target == Decimal(90) and row.light != "gris"
