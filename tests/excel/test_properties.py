"""Property-based tests: malformed workbooks never crash the importers, and a failed import leaves the
database exactly as it was."""
from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL, export_capture, preview_capture
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.import_mir import apply_import, preview_import
from sistema_seguimiento.services.users import SYSTEM

from .conftest import snapshot

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HEADERS = ["Nivel", "NIVEL", "Resumen narrativo", "Objetivo", "Indicador", "Nombre del indicador",
           "Método de cálculo", "METODO_CALCULO", "Fórmula", "Frecuencia", "Periodicidad", "Unidad de medida",
           "Meta anual", "Medios de verificación", "Supuestos", "Sentido", "Tipo", "Dimensión", "Clave Pp",
           "Línea base", "Otra columna", "", None]
LEVELS = ["Fin", "FIN", "Propósito", "C1", "C2", "Componente 3", "A1.1", "A2.1", "A9.9", "Actividad", "Meta",
          "Objetivo prioritario 1", "", None, "PRESUPUESTO"]
CELLS = st.one_of(
    st.none(), st.sampled_from(LEVELS), st.sampled_from(["Anual", "Mensual", "Trimestral", "Diario", "bienal"]),
    st.sampled_from(["A / B * 100", "((X/Y)-1)*100", "PVRH = (VFRH/TV)*100", "texto libre", "=SUMA(A1:A3)",
                     "1/0", "A +", "@x", "-3"]),
    st.sampled_from(["85.3%", "1,234", "1 234.5", "N/D", "abc", "1e400", "NaN", "-", "10"]),
    st.integers(-10 ** 12, 10 ** 12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)


def _illegal_free(v):
    if isinstance(v, str):
        return "".join(ch for ch in v if ch >= " " or ch in "\n\t")
    return v


@st.composite
def workbooks(draw):
    wb = Workbook()
    nsheets = draw(st.integers(1, 2))
    for k in range(nsheets):
        ws = wb.active if k == 0 else wb.create_sheet(f"H{k}")
        title_rows = draw(st.integers(0, 4))
        for r in range(1, title_rows + 1):
            ws.cell(r, 1, draw(st.sampled_from(["Clave del programa: Z999", "Ejercicio fiscal: 2026", "Título",
                                                "Programa presupuestario: Z998 — Prueba", ""])))
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=10))
        hr = title_rows + 1
        for col, h in enumerate(header, start=1):
            ws.cell(hr, col, h)
        nrows = draw(st.integers(0, 8))
        for r in range(hr + 1, hr + 1 + nrows):
            for col in range(1, max(len(header), 1) + 1):
                v = _illegal_free(draw(CELLS))
                try:
                    ws.cell(r, col, v)
                except (ValueError, TypeError):
                    ws.cell(r, col, None)
        if nrows >= 2 and draw(st.booleans()):
            ws.merge_cells(start_row=hr + 1, start_column=1, end_row=hr + 2, end_column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@SETTINGS
@given(data=workbooks())
def test_mir_import_never_half_writes(demo_db, tmp_path, data):
    p = tmp_path / "libro.xlsx"
    p.write_bytes(data)
    before = snapshot(demo_db)
    try:
        plan = preview_import(demo_db, p, year=2026)
    except ServiceError:
        assert snapshot(demo_db) == before
        return
    assert snapshot(demo_db) == before  # a preview writes nothing
    if plan.errors:
        try:
            apply_import(demo_db, plan, actor=SYSTEM)
        except ServiceError:
            pass
        else:  # pragma: no cover
            raise AssertionError("an import with errors must be refused")
        assert snapshot(demo_db) == before
        for e in plan.errors:
            assert e.text().startswith("Hoja «")
    else:
        try:
            apply_import(demo_db, plan, actor=SYSTEM)
        except ServiceError:
            assert snapshot(demo_db) == before


@SETTINGS
@given(data=st.binary(max_size=2000), zipped=st.booleans())
def test_garbage_files_are_refused_cleanly(demo_db, tmp_path, data, zipped):
    p = tmp_path / "basura.xlsx"
    if zipped:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("xl/workbook.xml", data)
        data = buf.getvalue()
    p.write_bytes(data)
    before = snapshot(demo_db)
    for fn in (lambda: preview_import(demo_db, p), lambda: preview_capture(demo_db, p)):
        try:
            fn()
        except ServiceError:
            pass
    assert snapshot(demo_db) == before


@SETTINGS
@given(values=st.lists(CELLS, min_size=1, max_size=7))
def test_capture_import_all_or_nothing(demo_db, tmp_path, values):
    src = tmp_path / "cap.xlsx"
    if not src.exists():
        export_capture(demo_db, "2026-10", "DSPM", src)
    wb = load_workbook(src)
    ws = wb[SHEET]
    for i, v in enumerate(values):
        try:
            ws.cell(FIRST_ROW + i, VALUE_COL, _illegal_free(v))
        except (ValueError, TypeError):
            ws.cell(FIRST_ROW + i, VALUE_COL, None)
    p = tmp_path / "llenado.xlsx"
    wb.save(p)
    before = snapshot(demo_db)
    try:
        preview = preview_capture(demo_db, p)
    except ServiceError:
        assert snapshot(demo_db) == before
        return
    assert snapshot(demo_db) == before
    if preview.errors:
        from sistema_seguimiento.excel.capture_workbook import apply_capture

        try:
            apply_capture(demo_db, preview, actor=SYSTEM)
        except ServiceError:
            pass
        assert snapshot(demo_db) == before
        for e in preview.errors:
            assert e.startswith("Hoja «Captura», fila ")
