from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from sistema_seguimiento.db.models import Indicator, Objective, Program
from sistema_seguimiento.excel.export_avance import HEADERS as AV_HEADERS
from sistema_seguimiento.excel.export_avance import export_avance
from sistema_seguimiento.excel.export_fichas import export_fichas
from sistema_seguimiento.excel.export_mir import HEADERS, HEADER_ROW, export_mir
from sistema_seguimiento.services.progress import compute_progress


def test_mir_single_program_layout(demo_db, tmp_path):
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 1
    ws = wb.active
    # grouped «Indicadores» header over the indicator's own columns; the others span both header rows
    grouped = [ws.cell(HEADER_ROW, i).value for i in range(3, 14)]
    assert grouped == HEADERS[2:13]
    assert ws.cell(HEADER_ROW - 1, 3).value == "Indicadores"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"C{HEADER_ROW - 1}:M{HEADER_ROW - 1}" in merged and f"A{HEADER_ROW - 1}:A{HEADER_ROW}" in merged
    assert [ws.cell(HEADER_ROW - 1, i).value for i in (1, 2, 14, 15)] == [
        "Nivel", "Resumen narrativo", "Medios de verificación", "Supuestos"]
    assert "Municipio" in ws["A1"].value
    assert any("E001" in str(ws.cell(r, 1).value) for r in range(1, HEADER_ROW))
    title = "\n".join(str(ws.cell(r, 1).value) for r in range(1, HEADER_ROW - 1))
    assert "Eje 3. Servicios públicos de calidad" in title and "Unidad responsable" in title
    assert "Administración" in title and "Ejercicio fiscal 2026" in title
    levels = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert levels[:3] == ["Fin", "Propósito", "Componente 1"]
    assert "Actividad 1.1" in levels and "Actividad 2.2" in levels
    # print set-up
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 5  # oficio
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW - 1}:${HEADER_ROW}"
    assert "&P" in ws.oddFooter.center.text
    # wrapped text, borders, numbers as numbers
    cell = ws.cell(HEADER_ROW + 1, 2)
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"
    col = {h: HEADERS.index(h) + 1 for h in HEADERS}
    metas = [ws.cell(r, col["Meta anual"]).value for r in range(HEADER_ROW + 1, HEADER_ROW + 9)]
    assert all(isinstance(m, (int, float)) for m in metas if m is not None)
    assert Decimal(str(metas[1])) == Decimal("95")


def test_mir_fields_symbols_units_and_signatures(demo_db, tmp_path):
    import json
    from pathlib import Path

    from sistema_seguimiento.db.models import Organization

    with demo_db.transaction() as s:
        org = s.scalars(select(Organization)).one()
        org.settings = {**(org.settings or {}), "firma_elaboro": {"nombre": "Ana Ruiz", "cargo": "Analista"},
                        "firma_autorizo": {"nombre": "Luis Mora", "cargo": "Director de Planeación"}}
    fx = json.loads((Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json").read_text("utf-8"))
    inds = {i["id"]: i for p in fx["programs"] for i in p["indicators"]}
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    ws = load_workbook(out).active
    col = {h: HEADERS.index(h) + 1 for h in HEADERS}
    rows = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        name = ws.cell(r, col["Nombre del indicador"]).value
        for key, ind in inds.items():
            if ind["nombre"] == name:
                rows[key] = r
    assert len(rows) == 8
    labels = {"estrategico": "Estratégico", "gestion": "De gestión", "eficacia": "Eficacia",
              "eficiencia": "Eficiencia", "calidad": "Calidad", "economia": "Economía",
              "ascendente": "Ascendente", "descendente": "Descendente", "regular": "Regular"}
    for key, r in rows.items():
        ind = inds[key]
        for v in ind["variables"]:  # under the método, what every symbol means
            assert f"{v['clave']} = {v['nombre']}" in ws.cell(r, col["Variables del método"]).value
        assert ws.cell(r, col["Tipo"]).value == labels[ind["tipo"]]
        assert ws.cell(r, col["Dimensión"]).value == labels[ind["dimension"]]
        assert ws.cell(r, col["Sentido"]).value == labels[ind["sentido"]]
        assert Decimal(str(ws.cell(r, col["Línea base"]).value)) == Decimal(str(ind["linea_base"]["valor"]))
        assert ws.cell(r, col["Año de la línea base"]).value == ind["linea_base"]["anio"]
    # numbers shown by the unit: «%» for percentages, no decimals for counts
    assert ws.cell(rows["E001-P-01"], col["Meta anual"]).number_format.endswith('" %"')
    assert ws.cell(rows["E001-A12-01"], col["Meta anual"]).number_format == "#,##0"
    texts = [str(ws.cell(r, cc).value) for r in range(HEADER_ROW + 9, ws.max_row + 1) for cc in range(1, 16)]
    for word in ("Elaboró", "Revisó", "Autorizó", "Ana Ruiz", "Analista", "Luis Mora", "Director de Planeación"):
        assert word in texts, word


def test_mir_merges_objective_with_several_indicators(demo_db, tmp_path):
    # give the Fin a second indicator: Nivel, Resumen and Supuestos must be merged over both rows
    from sistema_seguimiento.core.mir import IndicatorDoc
    from sistema_seguimiento.db.models import Variable

    with demo_db.transaction() as s:
        fin = s.scalars(select(Objective).where(Objective.key == "E001-F")).one()
        ind = Indicator(objective_id=fin.id, key="E001-F-02", order=2, name="Segundo indicador del Fin",
                        formula="A / B * 100", frequency="anual", direction="ascendente", history=[],
                        multi_year_targets=[], verification_sources=["Fuente"])
        s.add(ind)
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    ws = load_workbook(out).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    first = HEADER_ROW + 1
    assert f"A{first}:A{first + 1}" in merged and f"B{first}:B{first + 1}" in merged
    assert f"O{first}:O{first + 1}" in merged
    assert ws.cell(first + 1, 3).value == "Segundo indicador del Fin"


def test_mir_several_programs_index_and_formula_injection(demo_db, tmp_path):
    with demo_db.transaction() as s:
        p = s.scalars(select(Program).where(Program.key == "S001")).one()
        p.name = '=HYPERLINK("http://malo.example","clic")'
        o = s.scalars(select(Objective).where(Objective.key == "E001-F")).one()
        o.text = "+cmd|' /C calc'!A0"
        i = s.scalars(select(Indicator).where(Indicator.key == "E001-F-01")).one()
        i.name = "@SUMA(A1)"
    out = export_mir(demo_db, tmp_path / "mir.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Índice" and len(wb.sheetnames) == 3
    assert wb["Índice"]["F5"].hyperlink is not None
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    risky.append(cell)
    assert risky, "the risky texts must be in the workbook"
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_fichas_one_sheet_per_indicator(demo_db, tmp_path):
    out = export_fichas(demo_db, tmp_path / "fichas.xlsx", ["E001"])
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Índice"
    assert len(wb.sheetnames) == 1 + 8
    ws = wb["E001-C1-01"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert labels["Método de cálculo"]
    assert labels["Frecuencia de medición"] == "Trimestral"
    assert labels["Nivel de la MIR"] == "Componente 1"
    for name in ("Definición", "Sentido", "Dimensión", "Línea base", "Medios de verificación",
                 "Responsable de la medición"):
        assert name in labels
    col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "Variables" in col_a and "Metas calendarizadas por periodo" in col_a
    assert "primer trimestre 2026" in col_a
    i = col_a.index("primer trimestre 2026") + 1
    assert isinstance(ws.cell(i, 2).value, (int, float))


def _expected():
    import json
    from pathlib import Path

    fx = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"
    return json.loads(fx.read_text("utf-8"))["expected"]["indicators"]


def test_avance_real_numbers_fills_and_overview(demo_db, tmp_path):
    out = export_avance(demo_db, "2026-10", tmp_path / "avance.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Resumen", "Avance", "Justificaciones"]
    ws = wb["Avance"]
    assert [c.value for c in ws[1]] == AV_HEADERS
    assert ws.freeze_panes == "F2"
    assert ws.auto_filter.ref == f"A1:R{ws.max_row}"
    rows = compute_progress(demo_db, "2026-10")
    assert ws.max_row == len(rows) + 1
    col = {h: AV_HEADERS.index(h) + 1 for h in AV_HEADERS}
    for r in range(2, ws.max_row + 1):
        for h in ("Meta del periodo", "Realizado en el periodo", "% del periodo", "Meta anual", "Meta al corte",
                  "Acumulado al corte", "% de avance al corte"):
            v = ws.cell(r, col[h]).value
            assert v is None or isinstance(v, (int, float)), (r, h, v)
    by_key = {ws.cell(r, col["Clave indicador"]).value: r for r in range(2, ws.max_row + 1)}
    r = by_key["E001-A12-01"]
    light = col["Semáforo al corte"]
    assert ws.cell(r, light).value == "Rojo"
    assert ws.cell(r, light).fill.fgColor.rgb.endswith("F8696B")
    assert abs(ws.cell(r, col["% de avance al corte"]).value - 131) < 0.01
    assert ws.cell(r, col["% de avance al corte"]).number_format.endswith('" %"')
    assert ws.cell(r, col["Acumulado al corte"]).number_format == "#,##0"  # luminarias: a count, no decimals
    assert "Sobrecumplimiento crítico" in ws.cell(r, col["Hallazgos"]).value
    assert "Datos incompletos" in ws.cell(by_key["E001-A21-01"], col["Hallazgos"]).value
    # print: oficio landscape fitted to the width, header row repeated, title and cut-off in every page header
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$1"
    assert "31/10/2026" in ws.oddHeader.center.text and "octubre 2026" in ws.oddHeader.center.text
    ov = wb["Resumen"]
    counts = {}
    for row in ov.iter_rows(values_only=True):
        if row and row[0] in ("Verde", "Amarillo", "Rojo", "Sin dato", "No aplica al corte") and isinstance(row[1], int):
            counts.setdefault(row[0], row[1])
    assert sum(counts.values()) == len(rows)
    assert counts["Rojo"] == sum(1 for x in rows if x.light == "rojo")


def test_avance_period_figures_states_and_justification_parts(demo_db, tmp_path):
    from sistema_seguimiento.core import periods
    from sistema_seguimiento.services import justifications
    from sistema_seguimiento.services.users import SYSTEM

    justifications.save(demo_db, SYSTEM, "E001-A12-01", "2026-10", cause="Lluvias", effect="Reparaciones tardías",
                        other_reasons="Desabasto de balastros", improvement_actions="Compra anticipada")
    out = export_avance(demo_db, "2026-10", tmp_path / "avance.xlsx")
    wb = load_workbook(out)
    ws = wb["Avance"]
    col = {h: AV_HEADERS.index(h) + 1 for h in AV_HEADERS}
    by_key = {ws.cell(r, col["Clave indicador"]).value: r for r in range(2, ws.max_row + 1)}
    expected = _expected()
    labels = {"verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo"}
    checked = 0
    for key, ind in expected.items():
        r = by_key[key]
        acc = ind["acumulado"]
        if acc["estado"] == "SIN_PERIODO_VENCIDO":  # the annual Fin in October: not due, kept apart from «Sin dato»
            assert ws.cell(r, col["Semáforo al corte"]).value == "No aplica al corte"
            assert ws.cell(r, col["Semáforo del periodo"]).value == "No aplica al corte"
            assert ws.cell(r, col["Meta del periodo"]).value is None
            continue
        last = ind["periodos"][-1]  # the latest due own period (the month, or the quarter/semester before)
        assert ws.cell(r, col["Periodo"]).value == periods.label(last["periodo"]), key
        for h, k in (("Meta del periodo", "meta"), ("Realizado en el periodo", "valor"), ("% del periodo", "pct_avance")):
            assert abs(Decimal(str(ws.cell(r, col[h]).value)) - Decimal(last[k])) < Decimal("0.006"), (key, h)
        assert ws.cell(r, col["Semáforo del periodo"]).value == labels[last["semaforo"]], key
        assert abs(Decimal(str(ws.cell(r, col["Meta al corte"]).value)) - Decimal(acc["meta"])) < Decimal("0.006")
        checked += 1
    assert checked == 14
    assert ws.cell(by_key["E001-C2-01"], col["Periodo"]).value == "tercer trimestre 2026"
    assert ws.cell(by_key["E001-A12-01"], col["Justificación"]).value.startswith("Sí, octubre 2026")
    assert ws.cell(by_key["E001-P-01"], col["Justificación"]).value is None  # none exists: nothing shown
    js = wb["Justificaciones"]
    head = [c.value for c in js[1]]
    assert head[3:] == ["Periodo", "Causa", "Efecto", "Otros motivos", "Acciones de mejora"]
    found = [row for row in js.iter_rows(min_row=2, values_only=True) if row[1] == "E001-A12-01"]
    assert found == [("DSPM", "E001-A12-01", "Luminarias sustituidas por tecnología LED", "octubre 2026", "Lluvias", "Reparaciones tardías", "Desabasto de balastros",
                      "Compra anticipada")]
    assert not any(row[1] == "E001-P-01" for row in js.iter_rows(min_row=2, values_only=True))


def _png(width=40, height=20) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\x1f\x38\x64" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_mir_title_block_has_the_logo_when_set(demo_db, tmp_path):
    import zipfile

    from sistema_seguimiento.db.models import Organization

    with demo_db.transaction() as s:
        s.scalars(select(Organization)).one().logo = _png()
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    with zipfile.ZipFile(out) as zf:
        media = [n for n in zf.namelist() if n.startswith("xl/media/")]
        assert media and zf.read(media[0]) == _png()
    ws = load_workbook(out).active
    assert "Municipio" in ws["C1"].value  # the title moves right of the logo


def test_fichas_semaforo_words_targets_per_period_alignment_signatures(demo_db, tmp_path):
    import json
    from pathlib import Path

    from sistema_seguimiento.db.models import Organization

    with demo_db.transaction() as s:
        org = s.scalars(select(Organization)).one()
        org.settings = {**(org.settings or {}), "firma_reviso": {"nombre": "Eva Soto", "cargo": "Contralora"}}
    fx = json.loads((Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json").read_text("utf-8"))
    ind = next(i for p in fx["programs"] for i in p["indicators"] if i["id"] == "E001-C1-01")  # quarterly
    out = export_fichas(demo_db, tmp_path / "fichas.xlsx", ["E001"])
    ws = load_workbook(out)["E001-C1-01"]
    cells = {}
    for r in range(1, ws.max_row + 1):
        cells[r] = [ws.cell(r, cc).value for cc in range(1, 8)]
    pairs = {v[0]: v[1] for v in cells.values() if v[0]}
    sem = pairs["Parámetros de semaforización"]
    assert "Verde: de 90 % a 110 %" in sem and "amarillo: de 80 % a menos de 90 %" in sem and "rojo: menos de 80 %" in sem
    assert "PRESET" not in sem  # never the internal code
    assert "Eje 3. Servicios públicos de calidad" in pairs["Alineación al Plan Municipal de Desarrollo"]
    assert "Interpretación" in pairs or any(v[0] == "Interpretación" for v in cells.values())
    assert any(v[0] == "Factor de comparación" for v in cells.values())
    # targets in the indicator's own periods (T1–T4), the expected result and each variable's target, «Total anual»
    head = next(r for r, v in cells.items() if v[0] == "Periodo" and v[1] == "Meta del indicador")
    assert cells[head][2:4] == ["LMP", "LP"]
    body = [cells[r] for r in range(head + 1, head + 6)]
    assert [b[0] for b in body] == ["primer trimestre 2026", "segundo trimestre 2026", "tercer trimestre 2026",
                                    "cuarto trimestre 2026", "Total anual"]
    metas = {m["periodo"]: m["variables"] for m in ind["metas_calendarizadas"]}
    for b, per in zip(body, ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]):
        lmp, lp = Decimal(str(metas[per]["LMP"])), Decimal(str(metas[per]["LP"]))
        assert Decimal(str(b[2])) == lmp and Decimal(str(b[3])) == lp
        assert abs(Decimal(str(b[1])) - lmp / lp * 100) < Decimal("0.000001")
    lmp_sum = sum(Decimal(str(m["LMP"])) for m in metas.values())  # flujo: summed
    lp_last = Decimal(str(metas["2026-T4"]["LP"]))  # existencia: the last value
    assert Decimal(str(body[4][2])) == lmp_sum and Decimal(str(body[4][3])) == lp_last
    assert abs(Decimal(str(body[4][1])) - lmp_sum / lp_last * 100) < Decimal("0.000001")
    assert ws.cell(head + 1, 2).number_format.endswith('" %"') and ws.cell(head + 1, 3).number_format == "#,##0"
    flat = [str(x) for v in cells.values() for x in v if x is not None]
    assert "Elaboró" in flat and "Revisó" in flat and "Autorizó" in flat and "Eva Soto" in flat
