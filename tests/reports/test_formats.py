"""The Estado de México formats from the demo under the Edomex profile (issue 16): PDF text and workbook cells
hold the figures computed here, independently, from the values stored in the database."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from decimal import ROUND_HALF_UP, Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sistema_seguimiento import cli
from sistema_seguimiento.cli_formato import FORMATS as CLI_FORMATS
from sistema_seguimiento.core.numbers import fmt_es, fmt_pct_es
from sistema_seguimiento.db.database import Database
from sistema_seguimiento.reports.formats_data import FORMATS
from tests.edomex_fixtures import RECON_OFICIO, TARJETA, edomex_db, make_edomex_db  # noqa: F401 - fixture

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) no instalado")

Q3_MONTHS = ("2026-07", "2026-08", "2026-09")
TO_Q3 = tuple(f"2026-{m:02d}" for m in range(1, 10))


@pytest.fixture(scope="module", autouse=True)
def _application(qapp):
    """``ses formato --pdf`` runs in this process (``cli.main``): it must find pytest-qt's QApplication instead
    of creating a QGuiApplication that the widget tests of the same session could not replace."""
    return qapp


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return [p for p in pages if p.strip()]


def r2(x: D) -> D:
    return x.quantize(D("0.01"), ROUND_HALF_UP)


def word(ef: D) -> str:
    """The Edomex profile's ranges: EF% 90–110 verde, below rojo, above rojo with over-achievement."""
    ef = r2(ef)
    if ef < 90:
        return "Rojo"
    if ef <= 110:
        return "Verde"
    return "Rojo · Sobrecumplimiento"


def stored(db: Database, indicator: str, table: str, var: str, months) -> dict[str, D]:
    con = sqlite3.connect(str(db.path))
    try:
        q = (f"select t.period, t.value from {table} t join variable v on v.id = t.variable_id "
             "join indicator i on i.id = v.indicator_id where i.key = ? and v.key = ?")
        rows = {p: D(str(v)) for p, v in con.execute(q, (indicator, var))}
    finally:
        con.close()
    return {p: v for p, v in rows.items() if p in months}


def make(db: Database, fmt: str, out: Path, quarter: str = "2026-T3", *extra) -> Path:
    kind = "--pdf" if out.suffix == ".pdf" else "--xlsx"
    assert cli.main(["formato", fmt, "--db", str(db.path), "--trimestre", quarter, *extra, kind, str(out)]) == 0
    return out


def page_of(pages: list[str], text: str) -> str:
    found = [p for p in pages if text in p]
    assert found, f"no page holds {text!r}"
    return found[0]


def test_format_ids_are_one_contract():
    assert CLI_FORMATS == FORMATS


@pytest.fixture(scope="module")
def outputs(edomex_db, tmp_path_factory):
    d = tmp_path_factory.mktemp("formatos")
    out = {}
    for f in FORMATS:
        out[f] = (make(edomex_db, f, d / f"{f}.pdf"), make(edomex_db, f, d / f"{f}.xlsx"))
    return out


def _figures_lsl(db):
    """E001-A12-01 (fórmula LSL, suma): T3 and January–September, from the stored targets and measurements."""
    t = stored(db, "E001-A12-01", "target", "LSL", TO_Q3)
    m = stored(db, "E001-A12-01", "measurement", "LSL", TO_Q3)
    qt, qv = sum(t[x] for x in Q3_MONTHS), sum(m[x] for x in Q3_MONTHS if x in m)
    at, av = sum(t.values()), sum(m.values())
    return qt, qv, qv / qt * 100, at, av, av / at * 100


def _figures_ratio(db):
    """E001-A21-01 = RA72 / RR × 100 over the captured months; targets over every due month."""
    ta = stored(db, "E001-A21-01", "target", "RA72", TO_Q3)
    tb = stored(db, "E001-A21-01", "target", "RR", TO_Q3)
    ma = stored(db, "E001-A21-01", "measurement", "RA72", TO_Q3)
    mb = stored(db, "E001-A21-01", "measurement", "RR", TO_Q3)
    out = []
    for months in (Q3_MONTHS, TO_Q3):
        target = sum(ta[x] for x in months) / sum(tb[x] for x in months) * 100
        value = sum(ma[x] for x in months if x in ma) / sum(mb[x] for x in months if x in mb) * 100
        out.append((target, value, value / target * 100))
    return out


def test_08b_pdf_holds_quarter_and_cumulative_ef_and_semaforo(edomex_db, outputs):
    pages = pdf_pages(outputs["pbrm-08b"][0])
    assert len(pages) >= 16  # one ficha per indicator of the demo, each on its own page
    page = page_of(pages, "E001-A12-01 Luminarias")
    qt, qv, qef, at, av, aef = _figures_lsl(edomex_db)
    assert qef > 110 and aef > 110  # the fixture's case: over-achievement in both
    for text in (fmt_es(qt), fmt_es(qv), fmt_pct_es(r2(qef)), fmt_es(at), fmt_es(av), fmt_pct_es(r2(aef))):
        assert text in page, text
    assert page.count(word(qef)) >= 2
    page = page_of(pages, "E001-A21-01 Porcentaje")
    (qt, qv, qef), (at, av, aef) = _figures_ratio(edomex_db)
    for text in (fmt_es(r2(qt)), fmt_es(r2(qv)), fmt_pct_es(r2(qef)), fmt_es(r2(at)), fmt_es(r2(av)), fmt_pct_es(r2(aef))):
        assert text in page, text
    assert word(qef) in page and "Elaboró" in page and "Validó" in page
    assert "Mtra. Ana Torres Gil" in page and "Ing. Laura Méndez Ríos" in page


def test_08b_workbook_cells(edomex_db, outputs):
    wb = load_workbook(outputs["pbrm-08b"][1])
    ws = wb["E001-A21-01"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    i = next(n for n, row in enumerate(cells) if row[0] == "Comportamiento del indicador")
    values = cells[i + 3]  # title, group band, headings, figures
    (qt, qv, qef), (at, av, aef) = _figures_ratio(edomex_db)
    assert [D(str(x)) for x in values[1:4]] == [r2(qt), r2(qv), r2(qef)]
    assert values[4] == word(qef)
    assert [D(str(x)) for x in values[5:8]] == [r2(at), r2(av), r2(aef)]
    assert values[8] == word(aef)


def test_08b_shows_the_modified_target_with_its_oficio(outputs):
    page = page_of(pdf_pages(outputs["pbrm-08b"][0]), "E001-A12-01 Luminarias")
    assert "1,350.00" in page and "original: 1,200.00" in page and RECON_OFICIO in page


def test_only_validated_months_count(tmp_path):
    db = make_edomex_db(tmp_path / "e.db")
    try:
        with sqlite3.connect(str(db.path)) as con:  # September of 0301 sent back to capture: not validated
            con.execute("update period_state set status = 'capturando' where period = '2026-09' and agency_id = "
                        "(select id from agency where key = '0301')")
        pages = pdf_pages(make(db, "pbrm-08b", tmp_path / "v.pdf"))
        m = stored(db, "E001-A12-01", "measurement", "LSL", Q3_MONTHS)
        page = page_of(pages, "E001-A12-01 Luminarias")
        assert fmt_es(m["2026-07"] + m["2026-08"]) in page
        assert fmt_es(sum(m.values())) not in page
    finally:
        db.close()


def _goals(db) -> dict[str, dict]:
    con = sqlite3.connect(str(db.path))
    try:
        out = {}
        for gid, name, annual, orig, project in con.execute(
                "select g.id, g.name, g.annual_target, g.annual_target_original, p.key "
                "from activity_goal g join project p on p.id = g.project_id"):
            qs = {p: (None if a is None else D(str(a)), None if b is None else D(str(b)),
                      None if c is None else D(str(c)))
                  for p, a, b, c in con.execute("select period, programmed, programmed_original, achieved from "
                                                "activity_goal_quarter where goal_id = ?", (gid,))}
            out[name] = {"annual": D(str(annual)), "original": D(str(orig)), "q": qs, "project": project}
        return out
    finally:
        con.close()


def test_08c_quarter_and_accumulated_of_each_meta(edomex_db, outputs):
    pages = pdf_pages(outputs["pbrm-08c"][0])
    wb = load_workbook(outputs["pbrm-08c"][1])
    for name, g in _goals(edomex_db).items():
        annual = g["annual"]
        p3, _, a3 = g["q"]["2026-T3"]
        pa = sum(g["q"][f"2026-T{n}"][0] for n in (1, 2, 3))
        aa = sum(g["q"][f"2026-T{n}"][2] for n in (1, 2, 3))
        expected = [p3, p3 / annual * 100, a3, a3 / annual * 100, a3 - p3, (a3 - p3) / p3 * 100,
                    pa, pa / annual * 100, aa, aa / annual * 100, aa - pa, (aa - pa) / pa * 100]
        # each proyecto on its own pages; the name wraps in its column, so its first word finds it there
        page = page_of([p for p in pages if g["project"] in p], name.split()[0])
        for x, kind in zip(expected, ["n", "p"] * 6):
            assert (fmt_es(r2(x)) if kind == "n" else fmt_pct_es(r2(x))) in page, (name, x)
        row = next(r for ws in wb for r in ws.iter_rows(values_only=True) if r[1] == name)
        assert D(str(row[3])) == annual
        assert [D(str(v)) for v in row[4:16]] == [r2(x) for x in expected]


def test_01c_and_02a_show_the_approved_calendar(edomex_db, outputs):
    goals = _goals(edomex_db)
    g = goals["Atención de reportes ciudadanos de fallas"]
    assert g["annual"] != g["original"]  # reconducida: 960 → 900
    wb = load_workbook(outputs["pbrm-01c"][1])
    row = next(r for ws in wb for r in ws.iter_rows(values_only=True) if r[1] == "Atención de reportes ciudadanos de fallas")
    assert [D(str(row[3])), D(str(row[4]))] == [g["original"], g["annual"]]
    wb = load_workbook(outputs["pbrm-02a"][1])
    row = next(r for ws in wb for r in ws.iter_rows(values_only=True) if r[1] == "Atención de reportes ciudadanos de fallas")
    cal = [g["q"][f"2026-T{n}"][1] for n in range(1, 5)]
    assert [D(str(row[4 + 2 * i])) for i in range(4)] == cal
    assert [D(str(row[5 + 2 * i])) for i in range(4)] == [r2(x / g["original"] * 100) for x in cal]
    page = page_of(pdf_pages(outputs["pbrm-02a"][0]), "Atención de reportes")
    assert "240.00" in page and "25.00 %" in page


def test_01d_calendar_is_the_approved_one(edomex_db, outputs):
    page = page_of(pdf_pages(outputs["pbrm-01d"][0]), "E001-A12-01 Luminarias")
    con = sqlite3.connect(str(edomex_db.path))
    orig = {p: D(str(v)) for p, v in con.execute(
        "select t.period, t.original_value from target t join variable v on v.id = t.variable_id join indicator i "
        "on i.id = v.indicator_id where i.key = 'E001-A12-01'")}
    con.close()
    quarters = [sum(orig[f"2026-{m:02d}"] for m in range(3 * n - 2, 3 * n + 1)) for n in range(1, 5)]
    line = next(l for l in page.splitlines() if l.strip().startswith("Luminarias sustituidas"))
    assert [fmt_es(x) for x in quarters + [sum(quarters)]] == line.split()[-5:]
    assert "Resultado esperado %" in page and "Calendarización trimestral" in page


def test_01e_holds_each_level(outputs):
    text = "\n".join(pdf_pages(outputs["pbrm-01e"][0]))
    for t in ("Fin", "Propósito", "Componente", "Actividad", "E001-A12-01", "S001-C2-01", "Supuestos"):
        assert t in text


def test_tarjeta_lists_results_outside_the_band_with_four_parts(edomex_db, outputs):
    pages = pdf_pages(outputs["tarjeta"][0])
    page = page_of(pages, "E001-A12-01 Luminarias")
    flat = " ".join(page.split())
    for text in TARJETA.values():
        assert " ".join(text.split()) in flat
    for part in ("Hecho", "Causa", "Acción correctiva", "Proyección"):
        assert part in page
    (qt, qv, qef), (at, av, aef) = _figures_ratio(edomex_db)
    assert 90 <= r2(qef) <= 110 and 90 <= r2(aef) <= 110
    assert not any("E001-A21-01" in p for p in pages)  # green in the quarter and accumulated: no tarjeta


def test_reconduccion_before_after_and_oficio(outputs):
    text = "\n".join(pdf_pages(outputs["reconduccion"][0]))
    assert RECON_OFICIO in text and "UIPPE/046/2026" in text
    assert "240.00" in text and "180.00" in text and "-60.00" in text
    assert "100.00" in text and "150.00" in text and "Autorizada" in text


def test_one_dependencia_only(edomex_db, tmp_path):
    text = "\n".join(pdf_pages(make(edomex_db, "pbrm-08b", tmp_path / "d.pdf", "2026-T3", "--dependencia", "DIF")))
    assert "S001" in text and "E001" not in text


def test_bad_input_exits_2(edomex_db, tmp_path):
    base = ["formato", "pbrm-08b", "--db", str(edomex_db.path)]
    assert cli.main(base + ["--trimestre", "2026-3", "--pdf", str(tmp_path / "x.pdf")]) == 2
    assert cli.main(base + ["--trimestre", "2026-T3", "--dependencia", "NADA", "--pdf", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
