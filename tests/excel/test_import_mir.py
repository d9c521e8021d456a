import json
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from sqlalchemy import select

from sistema_seguimiento.db.models import AuditEntry, Indicator, Objective
from sistema_seguimiento.excel.export_mir import HEADER_ROW, HEADERS, export_mir
from sistema_seguimiento.excel.import_mir import parse_workbook
from sistema_seguimiento.services.documents import read_programs
from sistema_seguimiento.services.errors import ServiceError
from sistema_seguimiento.services.import_mir import apply_import, preview_import
from sistema_seguimiento.services.users import SYSTEM

from .conftest import snapshot


# ------------------------------------------------------------------------------------------------
# real workbooks (acceptance cases)

def test_real_formato_mir_municipal(realdata):
    exp = json.loads((realdata / "expected.json").read_text())["formato_mir_municipal.xlsx"]
    r = parse_workbook(realdata / "xlsx" / "formato_mir_municipal.xlsx")
    assert len(r.programs) == exp["programs"]
    p = r.programs[0]
    assert p.key == exp["program"]["clave"]
    assert p.name == exp["program"]["nombre"]
    assert p.fiscal_year == exp["program"]["ejercicio"]
    assert p.header_row == exp["header_row"]
    assert len(p.objectives) == exp["objectives"]
    inds = [(o, i) for o in p.objectives for i in o.indicators]
    assert len(inds) == exp["indicators"]
    by_row = {row: (o, i) for o in p.objectives for i, row in zip(o.indicators, o.rows)}
    for d in exp["indicators_detail"]:
        o, i = by_row[d["row"]]
        assert o.level_raw == d["nivel"]
        assert i.name == d["nombre"]
        assert i.unit == d["unidad_medida"]
        assert i.verification_sources == [x.strip() for x in d["medios_verificacion"].split(";")] \
            or "; ".join(i.verification_sources) == d["medios_verificacion"]
        original = i.formula if not i.notes else i.notes.split(": ", 1)[1]
        assert original.strip() == d["metodo_calculo"].strip()
        assert o.assumptions == []
    o7, _ = by_row[7]
    assert o7.text == exp["spot_checks"]["row7_resumen_narrativo"]
    # the PNV levels are not MIR levels: every objective is listed as an error with sheet and row
    assert len(r.errors) == exp["objectives"]
    assert all("Objetivo prioritario" in e.text() and "Hoja «MIR», fila" in e.text() for e in r.errors)
    # the footer row is reported as ignored, not read as data
    assert any(x.row == exp["footer_row"] for x in r.ignored)


def test_real_mir_plana(realdata):
    exp = json.loads((realdata / "expected.json").read_text())["mir_plana.xlsx"]
    r = parse_workbook(realdata / "xlsx" / "mir_plana.xlsx")
    p = r.programs[0]
    inds = {i.name: (o, i) for o in p.objectives for i in o.indicators}
    assert len(inds) == exp["indicators"] == exp["rows"]
    levels = {}
    for o, i in inds.values():
        levels[o.level_raw] = levels.get(o.level_raw, 0) + 1
    assert levels == exp["levels"]
    for name, spot in exp["spot_checks"].items():
        o, i = inds[name]
        assert i.frequency == spot["FRECUENCIA"].lower()
        assert i.unit == spot["UNIDAD_MEDIDA"]
        assert i.baseline_value == Decimal(str(spot["LINEA_BASE"]))
        assert i.baseline_year == spot["ANIO_LINEA_BASE"]
        meta = spot["META_ANUAL"]
        assert i.annual_target == (None if meta is None else Decimal(str(meta)))
        assert i.type == ("estrategico" if spot["TIPO"].startswith("Estrat") else "gestion")
        assert i.direction == spot["SENTIDO"].lower()
    # multi-line método de cálculo preserved
    o, i = inds["1.3 Número de acciones de financiamiento y subsidios de vivienda para personas en condiciones de "
                "vulnerabilidad"]
    assert "\n" in (i.notes or i.formula)
    assert {e.row for e in r.errors} >= {2, 5, 8, 11, 14}
    assert any("Seguimiento" in e.message for e in r.errors)


def test_real_avance_is_not_a_mir(realdata, demo_db):
    before = snapshot(demo_db)
    plan = preview_import(demo_db, realdata / "xlsx" / "avance_trimestral.xlsx")
    assert plan.errors and not plan.parse.programs
    with pytest.raises(ServiceError):
        apply_import(demo_db, plan, actor=SYSTEM)
    assert snapshot(demo_db) == before


def test_real_workbooks_refused_as_a_whole(realdata, new_db):
    for name in ("formato_mir_municipal.xlsx", "mir_plana.xlsx"):
        before = snapshot(new_db)
        plan = preview_import(new_db, realdata / "xlsx" / name)
        assert plan.parse.indicator_count() >= 15  # recognised what it could …
        assert plan.errors  # … and refused the unknown levels
        with pytest.raises(ServiceError, match="errores"):
            apply_import(new_db, plan, actor=SYSTEM)
        assert snapshot(new_db) == before


# ------------------------------------------------------------------------------------------------
# hand-built layouts

def _layout_official(path):
    """Title block, merged Nivel/Resumen, two indicators for one objective, numbers as text, notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "MIR"
    ws["A1"] = "Municipio de Prueba"
    ws["A2"] = "Programa presupuestario: E010 — Agua potable"
    ws["A3"] = "Ejercicio fiscal: 2026"
    ws["A4"] = "Dependencia: Organismo de Agua"
    ws.append([])
    ws.append(["Nivel", "Objetivo", "Nombre del indicador", "Fórmula", "Periodicidad", "Unidad de medida",
               "Meta anual", "Fuentes de información", "Supuestos"])
    rows = [
        ["FIN", "Contribuir al bienestar mediante agua potable.", "Cobertura de agua", "(VA / VT) * 100", "Anual",
         "Porcentaje", "85.3%", "INEGI", "La población crece según lo previsto."],
        ["Propósito", "Las viviendas cuentan con agua.", "Viviendas con agua", "VCA / VT * 100", "Semestral",
         "Porcentaje", "1,234", "Padrón", "Lluvias normales"],
        [None, None, "Continuidad del servicio", "HS / 24 * 100", "semestral", "Porcentaje", 0.9, "Bitácora",
         None],
        ["C1", "Tomas instaladas.", "Tomas instaladas", "TI", "Trimestral", "Toma", "1 234.5", "Órdenes", None],
        ["A1.1", "Contratación de obras.", "Contratos firmados", "CF / CP * 100", "Mensual", "Porcentaje", 100,
         "Contratos", None],
        ["Componente 2", "Fugas reparadas.", "Fugas reparadas", "FR / FRP * 100", "Trimestral", "Porcentaje", 95,
         "Reportes", None],
        ["Actividad", "Atención de reportes.", "Reportes atendidos", "RA / RR * 100", "Mensual", "Porcentaje", 90,
         "Sistema", None],
        [],
        ["Fuente: elaboración propia. Elaboró: Planeación"],
    ]
    for r in rows:
        ws.append(r)
    ws.merge_cells("A8:A9")  # Propósito's Nivel and Resumen merged over its two indicators
    ws.merge_cells("B8:B9")
    ws["I8"] = "Lluvias normales"
    ws["G9"].number_format = "0%"
    for row in ws.iter_rows(min_row=7):
        for c in row:
            c.alignment = Alignment(wrap_text=True)
    wb.save(path)


def _layout_flat(path):
    """Snake-case headers in row 1, codes FIN / PROPOSITO / C1 / A1.2, several programs via a CLAVE_PP column,
    plus an instructions sheet and a catalog sheet that must be skipped."""
    wb = Workbook()
    ins = wb.active
    ins.title = "Instrucciones"
    ins["A1"] = "Llene una fila por indicador."
    ws = wb.create_sheet("MIR_PLANA")
    ws.append(["CLAVE_PP", "NOMBRE_PP", "NIVEL", "RESUMEN_NARRATIVO", "INDICADOR", "METODO_CALCULO", "FRECUENCIA",
               "UNIDAD_MEDIDA", "META_ANUAL", "SENTIDO", "TIPO", "DIMENSION", "MEDIOS_VERIFICACION", "SUPUESTOS"])
    data = [
        ["F020", "Seguridad", "FIN", "Contribuir a la paz.", "Tasa de delitos", "((D_t / D_t1) - 1) * 100",
         "ANUAL", "Tasa", "-5", "Descendente", "Estratégico", "Eficacia", "SESNSP", "Sin crisis"],
        ["F020", "Seguridad", "PROPOSITO", "Colonias seguras.", "Percepción", "PS / PE * 100", "Anual",
         "Porcentaje", "60", "Ascendente", "Estratégica", "Calidad", "Encuesta", ""],
        ["F020", "Seguridad", "C1", "Patrullajes.", "Patrullajes realizados", "PR / PP * 100", "Mensual",
         "Porcentaje", "100", "Ascendente", "Gestión", "Eficacia", "Bitácora", ""],
        ["F020", "Seguridad", "A1.2", "Rutas.", "Rutas cubiertas", "RC / RT * 100", "Mensual", "Porcentaje", "95",
         "Regular", "De gestión", "Eficiencia", "Bitácora", ""],
        ["F020", "Seguridad", "A1.1", "Turnos.", "Turnos cubiertos", "TC / TT * 100", "Mensual", "Porcentaje",
         "98", "Ascendente", "Gestion", "Eficacia", "Roles", ""],
        [None] * 14,
        ["K030", "Caminos", "FIN", "Conectividad.", "Km rehabilitados", "KR", "Anual", "Kilómetro", "12",
         "Ascendente", "Estratégico", "Eficacia", "Actas", ""],
        ["K030", "Caminos", "PROPOSITO", "Caminos transitables.", "Caminos", "CT / CE * 100", "Anual", "Porcentaje",
         "80", "Ascendente", "Estratégico", "Eficacia", "Inventario", ""],
    ]
    for r in data:
        ws.append(r)
    cat = wb.create_sheet("Catálogos")
    cat.append(["Frecuencias"])
    cat.append(["Mensual"])
    wb.save(path)


def _layout_two_row_header(path):
    """SHCP-like: header at row 9 with a group heading row above, data at row 11, PRESUPUESTO block below."""
    wb = Workbook()
    ws = wb.active
    ws.title = "16 G005"
    ws["B2"] = "Clave del programa: G005      Ejercicio fiscal: 2026"
    ws["B3"] = "Nombre del programa: Inspección ambiental"
    ws["B9"] = "Nivel"
    ws["C9"] = "Objetivos"
    ws["D9"] = "Indicadores"
    ws.merge_cells("D9:G9")
    ws["D10"] = "Denominación"
    ws["E10"] = "Método de cálculo"
    ws["F10"] = "Frecuencia de medición"
    ws["G10"] = "Meta anual aprobada"
    ws["B9"].alignment = Alignment(vertical="center")
    rows = [
        ["Fin", "Contribuir a un ambiente sano.", "Índice de cumplimiento", "IC", "Anual", "70"],
        ["Propósito", "Empresas cumplen.", "Empresas en cumplimiento", "EC / EI * 100", "Anual", "85.5%"],
        ["Componente", "Inspecciones.", "Inspecciones realizadas", "IR / IP * 100", "Trimestral", "100"],
        ["Actividad", "Programar visitas.", "Visitas programadas", "VP / VA * 100", "Trimestral", "100"],
        ["PRESUPUESTO", "Aprobado", "", "", "", "1000000"],
    ]
    for i, r in enumerate(rows, start=11):
        for j, v in enumerate(r, start=2):
            ws.cell(i, j, v)
    wb.save(path)


def test_layout_official(new_db, tmp_path):
    p = tmp_path / "oficial.xlsx"
    _layout_official(p)
    plan = preview_import(new_db, p)
    assert not plan.errors, [e.text() for e in plan.errors]
    prog = plan.parse.programs[0]
    assert (prog.key, prog.name, prog.fiscal_year) == ("E010", "Agua potable", 2026)
    levels = [(o.level, o.key, len(o.indicators)) for o in prog.objectives]
    assert levels == [("FIN", "E010-F", 1), ("PROPOSITO", "E010-P", 2), ("COMPONENTE", "E010-C1", 1),
                      ("ACTIVIDAD", "E010-A11", 1), ("COMPONENTE", "E010-C2", 1), ("ACTIVIDAD", "E010-A21", 1)]
    fin, prop = prog.objectives[0], prog.objectives[1]
    assert fin.indicators[0].annual_target == Decimal("85.3")
    assert prop.indicators[0].annual_target == Decimal("1234")
    assert prop.indicators[1].annual_target == Decimal("90")  # 0.9 shown as 90 %
    assert prog.objectives[2].indicators[0].annual_target == Decimal("1234.5")
    assert prog.objectives[5].parent_key == "E010-C2"
    assert prog.objectives[3].parent_key == "E010-C1"
    assert any("Fuente" in x.message for x in plan.ignored)
    apply_import(new_db, plan, actor=SYSTEM)
    with new_db.reading() as s:
        pset = read_programs(s, 2026, ["E010"])
    p = pset.programs[0]
    assert len(p.indicators) == 7
    ind = next(i for i in p.indicators if i.key == "E010-P-01")
    assert ind.formula == "VCA / VT * 100"
    assert [(v.key, v.role, v.accumulation) for v in ind.variables] == [("VCA", "numerador", "suma"),
                                                                       ("VT", "denominador", "suma")]
    assert ind.formula_type == "porcentaje"
    assert ind.frequency == "semestral"


def test_layout_flat_several_programs(new_db, tmp_path):
    p = tmp_path / "plana.xlsx"
    _layout_flat(p)
    plan = preview_import(new_db, p, year=2026)
    assert not plan.errors, [e.text() for e in plan.errors]
    assert [x.key for x in plan.parse.programs] == ["F020", "K030"]
    f020 = plan.parse.programs[0]
    a12 = next(o for o in f020.objectives if o.level_raw == "A1.2")
    assert a12.parent_key == "F020-C1" and a12.key == "F020-A12"
    inds = {i.name: i for o in f020.objectives for i in o.indicators}
    assert inds["Rutas cubiertas"].direction == "regular"
    assert inds["Rutas cubiertas"].type == "gestion"
    assert inds["Percepción"].type == "estrategico"
    assert inds["Tasa de delitos"].annual_target == Decimal("-5")
    assert inds["Tasa de delitos"].formula_type == "tasa_variacion"
    skipped = {x.sheet for x in plan.ignored if "se omitió" in x.message}
    assert {"Instrucciones", "Catálogos"} <= skipped
    apply_import(new_db, plan, actor=SYSTEM)
    with new_db.reading() as s:
        assert {p.key for p in read_programs(s, 2026).programs} == {"F020", "K030"}


def test_layout_two_row_header(new_db, tmp_path):
    p = tmp_path / "shcp.xlsx"
    _layout_two_row_header(p)
    plan = preview_import(new_db, p)
    assert not plan.errors, [e.text() for e in plan.errors]
    prog = plan.parse.programs[0]
    assert prog.key == "G005" and prog.name == "Inspección ambiental" and plan.year == 2026
    assert [o.level for o in prog.objectives] == ["FIN", "PROPOSITO", "COMPONENTE", "ACTIVIDAD"]
    assert prog.objectives[1].indicators[0].annual_target == Decimal("85.5")
    assert any("presupuesto" in x.message for x in plan.ignored)


def _write(path, header, rows, title="MIR"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


H = ["Nivel", "Resumen narrativo", "Indicador", "Método de cálculo", "Frecuencia", "Meta anual"]


@pytest.mark.parametrize("rows,needle", [
    ([["Fin", "a", "i1", "A", "Anual", 1], ["Meta", "b", "i2", "B", "Anual", 1]], "«Meta» no es Fin"),
    ([["Fin", "a", "i1", "A", "Anual", 1], ["A1.1", "b", "i2", "B", "Anual", 1]], "antes de cualquier Componente"),
    ([["Fin", "a", "i1", "A", "Anual", 1], ["C1", "b", "i2", "B", "Anual", 1], ["A3.1", "c", "i3", "C", "Anual", 1]],
     "Componente 3"),
    ([["Fin", "a", "i1", "A", "Diario", 1]], "frecuencia «Diario»"),
    ([["Fin", "a", "i1", "A", "Anual", "mucho"]], "columna F (Meta anual)"),
])
def test_errors_refuse_everything(new_db, tmp_path, rows, needle):
    p = tmp_path / "malo.xlsx"
    _write(p, H, rows)
    before = snapshot(new_db)
    plan = preview_import(new_db, p, year=2026)
    assert plan.errors
    text = "\n".join(e.text() for e in plan.errors)
    assert needle in text and "Hoja «MIR», fila" in text
    with pytest.raises(ServiceError):
        apply_import(new_db, plan, actor=SYSTEM)
    assert snapshot(new_db) == before


def test_missing_nivel_column_is_an_error(new_db, tmp_path):
    p = tmp_path / "sin_nivel.xlsx"
    _write(p, ["Resumen narrativo", "Indicador", "Método de cálculo", "Frecuencia"], [["a", "i", "A", "Anual"]])
    plan = preview_import(new_db, p, year=2026)
    assert any("falta la columna «Nivel»" in e.text() for e in plan.errors)


def test_formula_text_becomes_variables_with_report(new_db, tmp_path):
    p = tmp_path / "texto.xlsx"
    _write(p, H, [["Fin", "a", "Cobertura", "PVRH = (VFRH/TV)*100\nDonde VFRH son viviendas", "Anual", 1],
                  ["Propósito", "b", "Texto libre", "Suma de las acciones del año", "Anual", 2],
                  ["C1", "c", "Sin fórmula", "Ver anexo técnico (¿?)", "Anual", 3]])
    plan = preview_import(new_db, p, year=2026)
    assert not plan.errors
    inds = plan.new_docs[0].indicators
    assert inds[0].formula == "(VFRH/TV)*100" and [v.key for v in inds[0].variables] == ["VFRH", "TV"]
    assert "Método de cálculo original" in inds[0].notes
    # a método de cálculo in words: one named variable, proposed in the preview (issue 15)
    assert inds[1].formula == "SAA" and [(v.key, v.description) for v in inds[1].variables] == [
        ("SAA", "Suma de las acciones del año")]
    assert inds[2].variables == [] and inds[2].formula == "Ver anexo técnico (¿?)"
    warn = "\n".join(w.text() for w in plan.warnings)
    assert "sin descripción ni fuente" in warn and "no contiene una fórmula reconocible" in warn
    assert "está en palabras" in warn


# ------------------------------------------------------------------------------------------------
# round trip and update in place

def test_round_trip_export_import_into_new_database(demo_db, tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions

    new_db = Database.open(str(tmp_path / "nueva.db"), OpenOptions(create=True))
    out = export_mir(demo_db, tmp_path / "mir.xlsx")
    plan = preview_import(new_db, out)
    assert not plan.errors, [e.text() for e in plan.errors]
    apply_import(new_db, plan, actor=SYSTEM)
    with demo_db.reading() as s:
        a = read_programs(s, 2026, with_values=False)
    with new_db.reading() as s:
        b = read_programs(s, 2026, with_values=False)
    assert [p.key for p in a.programs] == [p.key for p in b.programs]
    for pa, pb in zip(a.programs, b.programs):
        assert pa.name == pb.name
        assert sorted((o.key, o.level, o.parent_key, o.text, o.assumptions) for o in pa.objectives) == \
            sorted((o.key, o.level, o.parent_key, o.text, o.assumptions) for o in pb.objectives)
        ia = {i.key: i for i in pa.indicators}
        for ib in pb.indicators:
            x = ia[ib.key]
            assert (x.name, x.formula, x.frequency, x.unit, x.annual_target, x.verification_sources) == \
                (ib.name, ib.formula, ib.frequency, ib.unit, ib.annual_target, ib.verification_sources)
            assert [v.key for v in x.variables] == [v.key for v in ib.variables]
    new_db.close()


def test_round_trip_same_database_changes_nothing(demo_db, tmp_path):
    out = export_mir(demo_db, tmp_path / "mir.xlsx")
    plan = preview_import(demo_db, out)
    assert not plan.errors and not plan.new_docs
    assert [c for c in plan.changes if c.kind != "programa_nuevo"] == []


def test_update_in_place_with_audit(demo_db, tmp_path):
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    wb = load_workbook(out)
    ws = wb.active
    first = HEADER_ROW + 1
    ws.cell(first, 3).value = "Tasa de variación de delitos nocturnos"  # rename the Fin indicator
    col = {h: HEADERS.index(h) + 1 for h in HEADERS}
    ws.cell(first + 1, col["Meta anual"]).value = "96%"  # Propósito meta anual
    # a new row right after the matrix (the signature block below closes it)
    last = next(r for r in range(first, ws.max_row + 1) if ws.cell(r, 1).value is None)
    ws.cell(last, 1).value = "Actividad 2.3"
    ws.cell(last, 2).value = "Difusión del número de reportes."
    ws.cell(last, 3).value = "Campañas realizadas"
    ws.cell(last, col["Método de cálculo"]).value = "CR / CP * 100"
    ws.cell(last, col["Frecuencia"]).value = "Mensual"
    ws.cell(last, col["Meta anual"]).value = 100
    # delete the last Actividad 2.2 row's indicator from the sheet: it has measurements, it must be kept
    p = tmp_path / "editado.xlsx"
    wb.save(p)
    plan = preview_import(demo_db, p)
    assert not plan.errors, [e.text() for e in plan.errors]
    kinds = [(c.kind, c.key, c.field) for c in plan.changes]
    assert ("modificar", "E001-F-01", "nombre") in kinds
    assert ("modificar", "E001-P-01", "meta anual") in kinds
    assert ("objetivo_nuevo", "E001-A23", "") in kinds
    assert ("indicador_nuevo", "E001-A23-01", "") in kinds
    apply_import(demo_db, plan, actor=SYSTEM)
    with demo_db.reading() as s:
        ind = s.scalars(select(Indicator).where(Indicator.key == "E001-F-01")).one()
        assert ind.name == "Tasa de variación de delitos nocturnos"
        assert s.scalars(select(Indicator).where(Indicator.key == "E001-P-01")).one().annual_target == Decimal("96")
        new_obj = s.scalars(select(Objective).where(Objective.key == "E001-A23")).one()
        parent = s.get(Objective, new_obj.parent_id)
        assert parent.key == "E001-C2"
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "importar")).all()
        assert any(a.entity_key == "E001-F-01" and a.field == "nombre" for a in audits)


def test_indicators_missing_from_workbook_are_kept_and_reported(demo_db, tmp_path):
    out = export_mir(demo_db, tmp_path / "mir.xlsx", ["E001"])
    wb = load_workbook(out)
    ws = wb.active
    # remove the Actividad 1.2 row (it has measurements)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == "Actividad 1.2":
            for col in range(1, 10):
                ws.cell(r, col).value = None
    p = tmp_path / "sin_a12.xlsx"
    wb.save(p)
    plan = preview_import(demo_db, p)
    assert not plan.errors
    kept = [x.text() for x in plan.ignored if "se conserva" in x.message]
    assert any("E001-A12-01" in k and "valores capturados" in k for k in kept)
    apply_import(demo_db, plan, actor=SYSTEM)
    with demo_db.reading() as s:
        assert s.scalars(select(Indicator).where(Indicator.key == "E001-A12-01")).one()


def test_bad_files_write_nothing(new_db, tmp_path):
    before = snapshot(new_db)
    for name, content in (("vacio.xlsx", b""), ("texto.xlsx", b"hola"),
                          ("protegido.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)):
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(ServiceError):
            preview_import(new_db, p)
    empty = tmp_path / "sin_datos.xlsx"
    Workbook().save(empty)
    plan = preview_import(new_db, empty)
    assert plan.errors
    assert snapshot(new_db) == before


# ------------------------------------------------------------------------------------------------
# workbooks from other offices (issue 15): level labels, closing lines, program in a title line, formulas in words

def _foreign(path, *, levels, title, closing, formulas):
    wb = Workbook()
    ws = wb.active
    ws.title = "Hoja1"
    ws["A1"] = "H. Ayuntamiento de Otro Municipio"
    ws["A2"] = title
    ws["A3"] = "Ejercicio 2026"
    ws.append([])
    ws.append(["Nivel", "Resumen narrativo", "Indicador", "Método de cálculo", "Frecuencia", "Meta anual",
               "Sentido"])
    texts = ["Contribuir a la educación mediante escuelas dignas.", "Las escuelas operan en buen estado.",
             "Escuelas rehabilitadas.", "Rehabilitación de aulas.", "Becas entregadas.", "Entrega de becas."]
    for lv, text, formula in zip(levels, texts, formulas):
        ws.append([lv, text, f"Indicador de {text[:20].lower()}", formula, "Anual", "100", "Ascendente"])
    ws.append([])
    for line in closing:
        ws.append(line)
    wb.save(path)


LEVEL_VARIANTS = [
    ["Fin", "Propósito", "C.1", "A.1.1", "Comp 2", "A.2.1"],
    ["FIN", "PROPÓSITO", "COMPONENTE 1", "ACTIVIDAD 1.1", "COMPONENTE 2", "ACTIVIDAD 2.1"],
    ["fin", "propósito", "Comp. 1", "Act 1-1", "Comp. 2", "Act 2-1"],
    ["Fin", "Proposito", "C1", "A 1.1", "Componente C-2", "A2.1"],
]
CLOSINGS = [
    [["Elaboró: Lic. Ana Pérez", None, "Revisó: Ing. Luis Gómez"], ["Nota: cifras preliminares", None, "x"]],
    [["Revisó:", "Mtra. Laura Ruiz", "Autorizó:", "C.P. José Díaz"]],
    [["Nota: la meta se ajustará en julio.", "1", "2", "3"]],
    [],
]
WORD_FORMULAS = ["((Visitantes en el año t / Visitantes en el año t-1) − 1) × 100",
                 "(Escuelas en buen estado / Escuelas registradas) x 100",
                 "(Escuelas rehabilitadas / Escuelas programadas) x 100",
                 "Número de aulas rehabilitadas", "(Becas entregadas/Becas programadas)*100", "BE"]


@pytest.mark.parametrize("levels", LEVEL_VARIANTS)
@pytest.mark.parametrize("closing", CLOSINGS)
def test_foreign_level_labels_and_closing_lines(new_db, tmp_path, levels, closing):
    p = tmp_path / "otra.xlsx"
    _foreign(p, levels=levels, title="Programa: K012 Infraestructura educativa / Dependencia: Obras Públicas",
             closing=closing, formulas=["(A / B) * 100"] * 6)
    plan = preview_import(new_db, p)
    assert not plan.errors, [e.text() for e in plan.errors]
    prog = plan.parse.programs[0]
    assert (prog.key, prog.name, prog.agency_text) == ("K012", "Infraestructura educativa", "Obras Públicas")
    assert [(o.level, o.key, o.parent_key) for o in prog.objectives] == [
        ("FIN", "K012-F", None), ("PROPOSITO", "K012-P", "K012-F"), ("COMPONENTE", "K012-C1", "K012-P"),
        ("ACTIVIDAD", "K012-A11", "K012-C1"), ("COMPONENTE", "K012-C2", "K012-P"),
        ("ACTIVIDAD", "K012-A21", "K012-C2")]
    ends = [w for w in plan.parse.warnings if "fin de la tabla" in w.message]
    assert len(ends) == (1 if closing else 0)
    if closing:
        assert ends[0].row == 13


@pytest.mark.parametrize("title,expected", [
    ("Programa: K012 Infraestructura educativa / Dependencia: Obras Públicas",
     ("K012", "Infraestructura educativa", "Obras Públicas")),
    ("Programa: E020 - Becas municipales | Unidad responsable: Dirección de Educación",
     ("E020", "Becas municipales", "Dirección de Educación")),
    ("Programa presupuestario: F003 — Turismo / Unidad responsable: Dirección de Turismo",
     ("F003", "Turismo", "Dirección de Turismo")),
])
def test_program_key_name_and_unit_in_a_title_line(new_db, tmp_path, title, expected):
    p = tmp_path / "titulo.xlsx"
    _foreign(p, levels=LEVEL_VARIANTS[0], title=title, closing=[], formulas=["(A / B) * 100"] * 6)
    plan = preview_import(new_db, p)
    prog = plan.parse.programs[0]
    assert (prog.key, prog.name, prog.agency_text) == expected


def test_metodo_de_calculo_in_words_becomes_named_variables(new_db, tmp_path):
    p = tmp_path / "palabras.xlsx"
    _foreign(p, levels=LEVEL_VARIANTS[0], title="Programa: K012 Infraestructura educativa", closing=[],
             formulas=WORD_FORMULAS)
    plan = preview_import(new_db, p)
    assert not plan.errors, [e.text() for e in plan.errors]
    inds = [o.indicators[0] for o in plan.parse.programs[0].objectives]
    fin, prop, comp, act, comp2 = inds[:5]
    assert fin.formula == "((VA_t / VA_t1) - 1) * 100" and fin.formula_type == "tasa_variacion"
    assert [(v.key, v.name, v.role) for v in fin.variables] == [
        ("VA_t", "Visitantes en el año t", "numerador"), ("VA_t1", "Visitantes en el año t-1", "denominador")]
    assert prop.formula == "(EBE / ER) * 100" and prop.formula_type == "porcentaje"
    assert comp.formula == "(ER / EP) * 100"
    assert [(v.key, v.description) for v in comp.variables] == [("ER", "Escuelas rehabilitadas"),
                                                                 ("EP", "Escuelas programadas")]
    assert act.formula == "NAR" and act.variables[0].description == "Número de aulas rehabilitadas"
    assert comp2.formula == "(BE / BP) * 100"
    shown = [w.message for w in plan.parse.warnings if "en palabras" in w.message]
    assert len(shown) == 5 and "ER = Escuelas rehabilitadas; EP = Escuelas programadas" in " ".join(shown)
    assert "Método de cálculo original: (Escuelas rehabilitadas" in comp.notes
    apply_import(new_db, plan, actor=SYSTEM)
    with new_db.reading() as s:
        pset = read_programs(s, 2026, ["K012"])
    stored = next(i for i in pset.programs[0].indicators if i.formula == "(ER / EP) * 100")
    assert [v.key for v in stored.variables] == ["ER", "EP"]
