"""The Informe mensual de avance: PDF pages, es_MX figures of the demo, pagination rules, scope, CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from sistema_seguimiento.core.numbers import fmt_es, fmt_pct_es

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "resources" / "demo_municipio.json"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) no instalado")


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(l for l in info.splitlines() if l.startswith("Pages:")).split()[1])


def ses(*args, check=True):
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("DISPLAY", None)
    e.pop("QT_QPA_PLATFORM", None)  # the command must manage without a display by itself
    proc = subprocess.run([sys.executable, "-m", "sistema_seguimiento", *map(str, args)], capture_output=True,
                          text=True, env=e, cwd=ROOT, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"ses {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory):
    d = tmp_path_factory.mktemp("informe")
    db = d / "demo.db"
    ses("demo", "--db", db)
    pdf = d / "informe.pdf"
    proc = ses("informe", "--db", db, "--periodo", "2026-10", "--pdf", pdf)
    assert "páginas" in proc.stdout
    return db, pdf


def expected_indicators():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)
    return data["expected"]["indicators"]


def test_demo_pdf_exists_with_expected_pages(demo_pdf):
    _db, pdf = demo_pdf
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    n = page_count(pdf)
    # cover, summary followed by the ejes (no page three-quarters empty), 2 × program (table + charts),
    # justifications/signatures
    assert n == 7
    pages = pdf_pages(pdf)
    assert len(pages) == n
    for i, text in enumerate(pages, start=1):
        assert f"Página {i} de {n}" in text
    assert "Informe mensual de avance" in pages[0]
    assert "Municipio de Ejemplo" in pages[0] and "Octubre 2026" in pages[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "612 x 792" in info  # letter


def test_demo_figures_in_es_mx(demo_pdf):
    _db, pdf = demo_pdf
    text = "\n".join(pdf_pages(pdf))
    checked = 0
    for key, ind in expected_indicators().items():
        acc = ind["acumulado"]
        if acc["valor"] is None:
            continue
        value, pct = fmt_es(Decimal(acc["valor"])), fmt_pct_es(Decimal(acc["pct_avance"]))
        # the program table row: clave, …, acumulado, % de avance on one line
        assert any(key in l and value in l and pct in l for l in text.splitlines()), (key, value, pct)
        checked += 1
    assert checked >= 12
    # figures named in the issue, and a thousands separator
    assert "2.91" in text and "103.03 %" in text and "88.89" in text and "1,310.00" in text


def test_summary_semaforo_words_and_sections(demo_pdf):
    _db, pdf = demo_pdf
    pages = pdf_pages(pdf)
    summary = pages[1]
    assert "Resumen ejecutivo" in summary
    assert "DSPM" in summary and "DIF" in summary
    assert "13 (81.3 %)" in summary  # 13 of 16 green, total row
    assert "Avance por eje del Plan Municipal de Desarrollo" in pages[1]  # the ejes fit under the summary
    assert "Eje 3. Servicios públicos de calidad" in pages[1]
    text = "\n".join(pages)
    for word in ("Verde", "Rojo", "Sin dato"):
        assert word in text
    assert "Sobrecumplimiento crítico" in text
    last = pages[-1]
    assert "Justificaciones" in last
    assert "300 luminarias" in text  # a justification of an out-of-band indicator
    assert "Elaboró" in last and "Revisó" in last and "Autorizó" in last and "Nombre y cargo" in last
    assert "PRESET_A_BANDA_90_110" in last and "lineal" in last  # footnote: preset and descendente formula
    assert "Verde: de 90 % a 110 %" in last  # and its ranges in words
    assert "Datos incompletos" in last  # flag legend


def test_scope_dependencia_and_without_charts(demo_pdf, tmp_path):
    db, _ = demo_pdf
    pdf = tmp_path / "dif.pdf"
    ses("informe", "--db", db, "--periodo", "2026-10", "--dependencia", "DIF", "--sin-graficas", "--pdf", pdf)
    text = "\n".join(pdf_pages(pdf))
    assert "S001 Apoyo alimentario" in text
    assert "E001 Alumbrado" not in text
    assert "Meta y realizado por periodo" not in text
    assert "Sistema Municipal para el Desarrollo Integral de la Familia" in text


def test_cli_errors_exit_2_and_write_nothing(demo_pdf, tmp_path):
    db, _ = demo_pdf
    pdf = tmp_path / "x.pdf"
    proc = ses("informe", "--db", db, "--periodo", "2026-13", "--pdf", pdf, check=False)
    assert proc.returncode == 2 and not pdf.exists()
    proc = ses("informe", "--db", db, "--periodo", "2026-10", "--dependencia", "NOEXISTE", "--pdf", pdf, check=False)
    assert proc.returncode == 2 and "NOEXISTE" in proc.stderr and not pdf.exists()
    assert not list(tmp_path.iterdir())


def test_budget_and_signatures_from_database(qapp, demo_db, tmp_path):
    from sqlalchemy import select

    from sistema_seguimiento.db.models import Budget, Organization, Program
    from sistema_seguimiento.reports.monthly import make_pdf

    with demo_db.transaction() as s:
        prog = s.scalars(select(Program).where(Program.key == "E001")).one()
        s.add(Budget(program_id=prog.id, period="2026-09", approved=Decimal("1250000"), modified=Decimal("1300000"),
                     exercised=Decimal("400000.5")))
        s.add(Budget(program_id=prog.id, period="2026-10", approved=None, modified=None,
                     exercised=Decimal("250000")))
        s.add(Budget(program_id=prog.id, period="2026-11", approved=None, modified=None,
                     exercised=Decimal("999999")))  # after the cut-off: not counted
        org = s.scalars(select(Organization)).one()
        org.settings = {**(org.settings or {}), "firma_elaboro": {"nombre": "Ana Torres Ruiz", "cargo": "Enlace de planeación"},
                        "firma_autorizo": {"nombre": "Luis Pérez", "cargo": "Presidente municipal"}}
    pdf = tmp_path / "b.pdf"
    n = make_pdf(demo_db, "2026-10", str(pdf), program_key="E001", include_charts=False)
    assert n == page_count(pdf)
    text = "\n".join(pdf_pages(pdf))
    assert "1,250,000.00" in text and "1,300,000.00" in text
    assert "650,000.50" in text  # exercised: monthly amounts summed up to the cut-off
    assert "50.00 %" in text  # 650,000.50 / 1,300,000
    assert "Ana Torres Ruiz" in text and "Enlace de planeación" in text and "Presidente municipal" in text
    assert "Nombre y cargo" in text  # revisó not set
    assert "S001" not in text


def test_cancel_leaves_no_file(qapp, demo_db, tmp_path):
    from sistema_seguimiento.reports.monthly import make_pdf
    from sistema_seguimiento.ui.worker import Cancelled

    calls = []

    def progress(p, msg):
        calls.append(p)
        if p >= 60:
            raise Cancelled()

    pdf = tmp_path / "c.pdf"
    with pytest.raises(Cancelled):
        make_pdf(demo_db, "2026-10", str(pdf), progress=progress)
    assert not pdf.exists()
    assert calls and calls == sorted(calls)


def test_a_cancel_while_painting_leaves_the_previous_pdf_whole(qapp, demo_db, tmp_path):
    """The PDF is painted beside the destination and put in place only once whole (reports.layout.write_pdf_file):
    cancelling once painting has begun leaves the report printed before exactly as it was, and no temporary file."""
    from sistema_seguimiento.reports.data import build_report
    from sistema_seguimiento.reports.monthly import build_document, write_pdf
    from sistema_seguimiento.ui.worker import Cancelled

    out = tmp_path / "salida"
    out.mkdir()
    pdf = out / "informe.pdf"
    doc = build_document(build_report(demo_db, "2026-10"))
    assert write_pdf(doc, str(pdf)) >= 3
    before = pdf.read_bytes()

    def pages(i: int, total: int) -> None:  # called with the painter on the PDF, before each 10 pages
        raise Cancelled()

    with pytest.raises(Cancelled):
        write_pdf(doc, str(pdf), pages)
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["informe.pdf"]


def test_table_repeats_header_and_never_splits_a_row(qapp, tmp_path):
    from PySide6.QtGui import QPdfWriter

    from sistema_seguimiento.reports import layout as L

    rows = [L.Row([f"R{i:03d}", f"A{i:03d}x inicio " + "texto largo que obliga a varias líneas " * 3 + f"Z{i:03d}x",
                   L.Mark("verde" if i % 3 else "rojo", "Verde" if i % 3 else "Rojo")]) for i in range(120)]
    doc = L.Document(title="Prueba", org="Org", footer_left="pie")
    doc.add(L.Heading("Tabla larga", 1), L.Table([L.Col("Clave", 15), L.Col("Descripción", 60), L.Col("Semáforo", 25)], rows))
    pdf = tmp_path / "t.pdf"
    w = L.QPdfWriter(str(pdf)) if hasattr(L, "QPdfWriter") else QPdfWriter(str(pdf))
    w.setResolution(300)
    n = L.render(doc, w)
    del w
    pages = pdf_pages(pdf)
    assert n == len(pages) >= 3
    for i, text in enumerate(pages):
        assert "Descripción" in text and "Semáforo" in text  # header on every page
        assert f"Página {i + 1} de {n}" in text
    for i in range(120):
        where = [k for k, t in enumerate(pages) if f"A{i:03d}x" in t]
        end = [k for k, t in enumerate(pages) if f"Z{i:03d}x" in t]
        assert len(where) == 1 and where == end, i  # first and last line of a row on the same page


def test_heading_is_not_left_alone_at_page_bottom(qapp, tmp_path):
    from PySide6.QtGui import QPdfWriter

    from sistema_seguimiento.reports import layout as L

    doc = L.Document(title="Prueba", org="Org", footer_left="pie")
    w = QPdfWriter(str(tmp_path / "h.pdf"))
    w.setResolution(300)
    L.setup_device(w)
    ctx = L.Ctx(w)
    filler = L.Para("x", size=8)
    # fill most of the page, then a heading followed by a table: the heading must move with the table
    pg = L.Paginator(doc, w)
    pg.y = ctx.bottom - ctx.mm(12)
    doc.add(L.Heading("Programa", 2), L.Table([L.Col("A", 1)], [L.Row(["fila"])]))
    pages = pg.run()
    assert len(pages) == 2 and len(pages[0]) == 0
    del filler, w


def test_program_tables_period_figures_baseline_formula_and_states(demo_pdf):
    """Issue 14: each indicator row carries its fórmula, línea base with year, meta anual, the latest due own
    period in words with its meta, realizado, % and semáforo; the annual Fin not yet due reads «No aplica al
    corte», kept apart from «Sin dato»."""
    _db, pdf = demo_pdf
    text = "\n".join(pdf_pages(pdf))
    lines = text.splitlines()
    data = json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)
    inds = {i["id"]: i for p in data["programs"] for i in p["indicators"]}
    for key, exp in expected_indicators().items():
        ind = inds[key]
        assert f"Fórmula: {ind['metodo_calculo']}"[:30] in text.replace("\n", " ") or ind["metodo_calculo"] in text
        if not exp["periodos"]:
            assert any(key in l and "No aplica" in l for l in lines), key
            continue
        last = exp["periodos"][-1]
        per_pct = fmt_pct_es(Decimal(last["pct_avance"]))
        row = next(l for l in lines if key in l and "Fórmula" not in l and per_pct in l)
        assert fmt_es(Decimal(last["valor"])) in row and fmt_es(Decimal(last["meta"])) in row, (key, row)
    assert "Línea base: 900.00 (2025)" in text  # E001-A12-01
    assert "tercer" in text and "trimestre" in text and "2026-T3" not in text  # periods in words, never codes
    assert "Sobrecumplimiento crítico" in text
    assert "No aplica al corte" in text
    # charts: a flow's cumulative line on its own axis (1,310 luminarias against monthly bars of ~145), units
    assert "Acumulado (eje der.)" in text and "Luminaria, acumulado" in text


def test_justifications_four_parts_and_signature_warning(demo_pdf, tmp_path):
    import shutil as _shutil

    db, _ = demo_pdf
    copy = tmp_path / "demo.db"
    _shutil.copy(db, copy)
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services import justifications
    from sistema_seguimiento.services.users import SYSTEM

    d = Database.open(str(copy), OpenOptions())
    try:
        justifications.save(d, SYSTEM, "E001-A12-01", "2026-10", cause="Donativo estatal",
                            effect="Meta rebasada", other_reasons="Sin costo para el municipio",
                            improvement_actions="Ajuste de meta ante Tesorería")
    finally:
        d.close()
    pdf = tmp_path / "i.pdf"
    proc = ses("informe", "--db", copy, "--periodo", "2026-10", "--pdf", pdf)
    assert "faltan los nombres" in proc.stderr and "Elaboró" in proc.stderr  # empty names: warned before printing
    # reading order (not the side-by-side layout), with the lines of each wrapped cell joined
    flow = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    last = " ".join(flow.split("\f")[-2].split())
    for word in ("Causa", "Efecto", "Otros motivos", "Acciones de mejora", "Donativo estatal", "Meta rebasada",
                 "Sin costo para el municipio", "Ajuste de meta ante Tesorería"):
        assert word in last, word
    assert "E001 · octubre 2026" in last and "2026-10" not in last
