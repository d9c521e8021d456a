"""SES JSON exchange format: reading the demo fixture, structural errors with their JSON paths, round trip."""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from sistema_seguimiento.core.exchange import (AgencyDoc, ExchangeDoc, ExchangeError, dumps, loads,
                                               read_exchange, read_exchange_file, to_decimal, write_exchange,
                                               write_exchange_file)

FIXTURE = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture()
def data(raw) -> dict:
    return copy.deepcopy(raw)


@pytest.fixture(scope="module")
def doc() -> ExchangeDoc:
    return read_exchange_file(FIXTURE)


def errors_of(data) -> list[tuple[str, str]]:
    with pytest.raises(ExchangeError) as info:
        read_exchange(data)
    return info.value.errors


def paths_of(data) -> list[str]:
    return [p for p, _m in errors_of(data)]


# ---------------------------------------------------------------------------------------------------
# the fixture

def test_fixture_reads(doc):
    assert doc.fiscal_year == 2026
    assert doc.cutoff == "2026-10-31"
    assert doc.format_version == "1.0"
    assert doc.organization["nombre"] == "Municipio de Ejemplo"
    assert set(doc.presets) == {"PRESET_A_BANDA_90_110", "PRESET_B_DESVIACION_POR_TIPO"}
    assert doc.agencies == [
        AgencyDoc("0301", "DSPM", "Dirección de Servicios Públicos Municipales", "Ing. Laura Méndez Ríos (ficticia)"),
        AgencyDoc("0801", "DIF", "Sistema Municipal para el Desarrollo Integral de la Familia",
                  "Lic. Jorge Ávila Cruz (ficticio)"),
    ]
    assert [p.key for p in doc.programs] == ["E001", "S001"]
    assert [p.agency_key for p in doc.programs] == ["0301", "0801"]  # ids resolved to agency keys
    assert all(len(p.objectives) == 8 and len(p.indicators) == 8 for p in doc.programs)
    assert "invalid_examples" not in doc.extra and "expected" not in doc.extra
    assert doc.users == [] and [e["nombre"] for e in doc.plan] == ["Bienestar social", "Servicios públicos de calidad"]
    assert {p.alignment["objetivo"] for p in doc.programs} == {  # each program's alignment is in the catalog
        f"{o['clave']} {o['nombre']}" for e in doc.plan for o in e["objetivos"]}


def test_fixture_program_and_objective_fields(doc):
    e001 = doc.programs[0]
    assert e001.modality == "E" and e001.name == "Alumbrado público" and e001.fiscal_year == 2026
    assert e001.alignment["eje"] == "Eje 3. Servicios públicos de calidad"
    assert e001.problem.startswith("La población del municipio")
    fin = e001.objectives[0]
    assert (fin.key, fin.level, fin.parent_key, fin.order) == ("E001-F", "FIN", None, 1)
    assert fin.indicator_keys == ["E001-F-01"] and len(fin.assumptions) == 1
    a22 = e001.objectives[-1]
    assert (a22.key, a22.level, a22.parent_key, a22.order) == ("E001-A22", "ACTIVIDAD", "E001-C2", 2)


def test_fixture_numbers_are_exact_decimals(doc):
    fin = doc.programs[0].indicators[0]
    assert fin.baseline_value == Decimal("4.1") and str(fin.baseline_value) == "4.1"
    assert str(fin.annual_target) == "-5.0"
    assert fin.baseline_year == 2025 and fin.baseline_note.startswith("Variación")
    assert fin.targets == {"2026": {"DVN_t": Decimal(1140), "DVN_t1": Decimal(1200)}}
    for program in doc.programs:
        for ind in program.indicators:
            for values in ind.targets.values():
                assert all(isinstance(v, Decimal) for v in values.values())
            for m in ind.measurements:
                assert all(isinstance(v, Decimal) for v in m.values.values())


def test_fixture_indicator_fields(doc):
    ind = next(i for i in doc.programs[0].indicators if i.key == "E001-C1-01")
    assert ind.objective_key == "E001-C1"
    assert ind.formula_type == "porcentaje" and ind.formula == "(LMP / LP) * 100"
    assert [(v.key, v.role, v.accumulation) for v in ind.variables] == [
        ("LMP", "numerador", "suma"), ("LP", "denominador", "ultimo_valor")]
    assert ind.variables[0].source and ind.variables[0].unit and ind.variables[0].description
    assert (ind.unit, ind.type, ind.dimension, ind.direction, ind.frequency) == (
        "Porcentaje", "gestion", "eficacia", "ascendente", "trimestral")
    assert list(ind.targets) == ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]
    assert [m.period for m in ind.measurements] == ["2026-T1", "2026-T2", "2026-T3"]
    t1 = ind.measurements[0]
    assert t1.status == "validado" and t1.justification.startswith("La licitación") and t1.evidence == []
    assert ind.measurement_owner and ind.preset_key == "PRESET_A_BANDA_90_110"
    assert ind.created_on and ind.version == 1
    assert len(ind.verification_sources) == 1


def test_read_file_with_bom(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    assert read_exchange_file(path) == read_exchange_file(FIXTURE)


def test_invalid_json_reports_line_and_column_in_spanish(tmp_path):
    path = tmp_path / "roto.json"
    path.write_text('{\n  "fiscal_year": 2026,\n  "programs": [}\n', encoding="utf-8")
    with pytest.raises(ExchangeError) as info:
        read_exchange_file(path)
    (where, message), = info.value.errors
    assert "no es JSON válido" in message and "línea 3" in message and "columna" in message
    assert "línea 3" in str(info.value)


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"fiscal_year": 2026, "municipality": {"nombre": "Peñón"}}'.encode("latin-1"))
    with pytest.raises(ExchangeError, match="UTF-8"):
        read_exchange_file(path)
    with pytest.raises(ExchangeError, match="No se pudo leer"):
        read_exchange_file(tmp_path / "no_existe.json")


@pytest.mark.parametrize("value", [[], "texto", 3, None])
def test_root_not_an_object(value):
    assert errors_of(value) == [("$", errors_of(value)[0][1])]
    assert "objeto JSON" in errors_of(value)[0][1]


def test_root_list_from_file(tmp_path):
    path = tmp_path / "lista.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ExchangeError, match="objeto JSON"):
        read_exchange_file(path)


# ---------------------------------------------------------------------------------------------------
# structural errors: every kind yields its exact JSON path

def _set(path: str, value):
    """Mutation setting a value at a dotted path with [i] indices (``__del__`` deletes the key)."""
    def mutate(data):
        tokens = []
        for part in path.replace("]", "").split("."):
            name, *idx = part.split("[")
            if name:
                tokens.append(name)
            tokens.extend(int(i) for i in idx)
        target = data
        for t in tokens[:-1]:
            target = target[t]
        if value == "__del__":
            del target[tokens[-1]]
        else:
            target[tokens[-1]] = value
    return mutate


P0 = "programs[0]"
I1 = "programs[0].indicators[1]"  # E001-P-01, semestral, variables LF / LP

STRUCTURAL = [
    # missing required keys
    ("fiscal_year missing", _set("fiscal_year", "__del__"), "fiscal_year", "Falta el campo obligatorio"),
    ("program clave and id missing", lambda d: (d["programs"][0].pop("clave"), d["programs"][0].pop("id")),
     f"{P0}.clave", "Falta"),
    ("agency clave missing", _set("agencies[1].clave", "__del__"), "agencies[1].clave", "Falta"),
    ("objective id missing", _set(f"{P0}.objectives[0].id", "__del__"), f"{P0}.objectives[0].id", "Falta"),
    ("objective nivel missing", _set(f"{P0}.objectives[2].nivel", "__del__"), f"{P0}.objectives[2].nivel",
     "Falta"),
    ("indicator id missing", _set(f"{I1}.id", "__del__"), f"{I1}.id", "Falta"),
    ("variable clave missing", _set(f"{I1}.variables[0].clave", "__del__"), f"{I1}.variables[0].clave", "Falta"),
    ("variable rol missing", _set(f"{I1}.variables[1].rol", "__del__"), f"{I1}.variables[1].rol", "Falta"),
    ("variable acumulacion missing", _set(f"{I1}.variables[1].acumulacion", "__del__"),
     f"{I1}.variables[1].acumulacion", "Falta"),
    ("target periodo missing", _set(f"{I1}.metas_calendarizadas[1].periodo", "__del__"),
     f"{I1}.metas_calendarizadas[1].periodo", "Falta"),
    ("target variables missing", _set(f"{I1}.metas_calendarizadas[1].variables", "__del__"),
     f"{I1}.metas_calendarizadas[1].variables", "Falta"),
    # wrong JSON types
    ("programs not a list", _set("programs", {"E001": {}}), "programs", "lista"),
    ("program not an object", _set("programs[1]", "S001"), "programs[1]", "objeto"),
    ("name not text", _set(f"{P0}.nombre", 5), f"{P0}.nombre", "texto"),
    ("objectives not a list", _set(f"{P0}.objectives", "x"), f"{P0}.objectives", "lista"),
    ("supuestos not a list", _set(f"{P0}.objectives[1].supuestos", "texto"), f"{P0}.objectives[1].supuestos",
     "lista"),
    ("supuesto not text", _set(f"{P0}.objectives[1].supuestos[0]", 3), f"{P0}.objectives[1].supuestos[0]",
     "texto"),
    ("variables not a list", _set(f"{I1}.variables", {}), f"{I1}.variables", "lista"),
    ("medios not text", _set(f"{I1}.medios_verificacion[0]", {"a": 1}), f"{I1}.medios_verificacion[0]",
     "texto"),
    ("linea_base not an object", _set(f"{I1}.linea_base", 87.5), f"{I1}.linea_base", "objeto"),
    ("ficha not an object", _set(f"{I1}.ficha", []), f"{I1}.ficha", "objeto"),
    ("alineacion not an object", _set(f"{P0}.alineacion", "Eje 3"), f"{P0}.alineacion", "objeto"),
    ("ejercicio not an integer", _set(f"{P0}.ejercicio", "dos mil"), f"{P0}.ejercicio", "entero"),
    ("anio not an integer", _set(f"{I1}.linea_base.anio", Decimal("2025.5")), f"{I1}.linea_base.anio", "entero"),
    ("users not objects", _set("users", ["ana"]), "users[0]", "objeto"),
    ("plan not a list", _set("plan", {"eje": 1}), "plan", "lista"),
    ("cutoff date invalid", _set("cutoff.date", "31/10/2026"), "cutoff.date", "AAAA-MM-DD"),
    ("justificacion not text", _set(f"{I1}.avances[0].justificacion", 12), f"{I1}.avances[0].justificacion",
     "texto"),
    # invalid period ids
    ("bad target period", _set(f"{I1}.metas_calendarizadas[0].periodo", "2026-13"),
     f"{I1}.metas_calendarizadas[0].periodo", "el mes debe estar entre 01 y 12"),
    ("bad measurement period", _set(f"{I1}.avances[0].periodo", "2026-T5"), f"{I1}.avances[0].periodo",
     "no válido"),
    ("period not text", _set(f"{I1}.avances[0].periodo", 2026), f"{I1}.avances[0].periodo", "texto"),
    # numbers that are not numbers
    ("target value text", _set(f"{I1}.metas_calendarizadas[0].variables.LF", "mucho"),
     f"{I1}.metas_calendarizadas[0].variables.LF", "no es un número"),
    ("target value bool", _set(f"{I1}.metas_calendarizadas[0].variables.LP", True),
     f"{I1}.metas_calendarizadas[0].variables.LP", "no es un número"),
    ("measurement value list", _set(f"{I1}.avances[0].variables.LF", [1]), f"{I1}.avances[0].variables.LF",
     "no es un número"),
    ("measurement value null", _set(f"{I1}.avances[0].variables.LF", None), f"{I1}.avances[0].variables.LF",
     "Falta el valor"),
    ("baseline not a number", _set(f"{I1}.linea_base.valor", "ochenta"), f"{I1}.linea_base.valor",
     "no es un número"),
    ("annual target NaN", _set(f"{I1}.meta_anual.valor", Decimal("NaN")), f"{I1}.meta_anual.valor",
     "no es un número"),
    ("annual target bool", _set(f"{I1}.meta_anual.valor", False), f"{I1}.meta_anual.valor", "no es un número"),
    # duplicates
    ("duplicate program clave", _set("programs[1].clave", "E001"), "programs[1].clave", "repetida"),
    ("duplicate indicator id across programs", _set("programs[1].indicators[0].id", "E001-F-01"),
     "programs[1].indicators[0].id", "repetido"),
    ("duplicate objective id", _set(f"{P0}.objectives[3].id", "E001-C1"), f"{P0}.objectives[3].id", "repetido"),
    ("duplicate variable clave", _set(f"{I1}.variables[1].clave", "LF"), f"{I1}.variables[1].clave", "repetida"),
    ("duplicate target period", _set(f"{I1}.metas_calendarizadas[1].periodo", "2026-S1"),
     f"{I1}.metas_calendarizadas[1].periodo", "repetido"),
    ("duplicate agency clave", _set("agencies[1].clave", "0301"), "agencies[1].clave", "repetida"),
    # dangling references
    ("unknown agency", _set(f"{P0}.agency_id", "OBRAS"), f"{P0}.agency_id", "no existe"),
    ("unknown parent objective", _set(f"{P0}.objectives[1].parent_id", "E001-X"), f"{P0}.objectives[1].parent_id",
     "no existe"),
    ("unknown objective of indicator", _set(f"{I1}.objective_id", "E001-Q"), f"{I1}.objective_id", "no existe"),
    ("unknown indicator id listed", _set(f"{P0}.objectives[1].indicator_ids[0]", "E001-P-99"),
     f"{P0}.objectives[1].indicator_ids[0]", "no existe"),
    ("target names an undefined variable", _set(f"{I1}.metas_calendarizadas[0].variables.LX", 5),
     f"{I1}.metas_calendarizadas[0].variables.LX", "no está definida"),
    ("measurement names an undefined variable", _set(f"{I1}.avances[0].variables.ZZ", 5),
     f"{I1}.avances[0].variables.ZZ", "no está definida"),
    # codes outside their catalogues
    ("unknown frequency", _set(f"{I1}.frecuencia", "quincenal"), f"{I1}.frecuencia", "Frecuencia «quincenal»"),
    ("unknown role", _set(f"{I1}.variables[0].rol", "cociente"), f"{I1}.variables[0].rol", "Rol «cociente»"),
    ("unknown accumulation", _set(f"{I1}.variables[0].acumulacion", "maximo"), f"{I1}.variables[0].acumulacion",
     "Acumulación «maximo»"),
    ("unknown status", _set(f"{I1}.avances[0].estado", "aprobado"), f"{I1}.avances[0].estado", "Estado «aprobado»"),
]


@pytest.mark.parametrize("mutate,path,fragment", [c[1:] for c in STRUCTURAL], ids=[c[0] for c in STRUCTURAL])
def test_structural_error_path(data, mutate, path, fragment):
    mutate(data)
    errors = errors_of(data)
    assert path in [p for p, _m in errors], errors
    message = next(m for p, m in errors if p == path)
    assert fragment in message


def test_unknown_level_message_exact(data):
    data["programs"][1]["objectives"][3]["nivel"] = "X"
    assert errors_of(data) == [("programs[1].objectives[3].nivel",
                                "Nivel «X» no válido; use FIN, PROPOSITO, COMPONENTE o ACTIVIDAD.")]


def test_each_single_mutation_reports_only_its_own_problem(data):
    data["programs"][0]["indicators"][1]["metas_calendarizadas"][0]["periodo"] = "2026-13"
    assert paths_of(data) == [f"{I1}.metas_calendarizadas[0].periodo"]


def test_all_errors_are_collected(data):
    data["programs"][1]["objectives"][3]["nivel"] = "X"
    data["programs"][0]["agency_id"] = "OBRAS"
    data["programs"][0]["indicators"][1]["frecuencia"] = "quincenal"
    data["programs"][0]["indicators"][1]["avances"][0]["variables"]["LF"] = "x"
    data["programs"][1]["indicators"][0]["id"] = "E001-F-01"
    data["programs"][1]["objectives"][0]["indicator_ids"] = ["E001-F-01"]
    data["programs"][1]["indicators"][2]["variables"][0]["acumulacion"] = "promedio"
    del data["fiscal_year"]
    with pytest.raises(ExchangeError) as info:
        read_exchange(data)
    expected = {"programs[1].objectives[3].nivel", f"{P0}.agency_id", f"{I1}.frecuencia",
                f"{I1}.avances[0].variables.LF", "programs[1].indicators[0].id",
                "programs[1].indicators[2].variables[0].acumulacion", "fiscal_year"}
    assert {p for p, _m in info.value.errors} == expected
    assert len(info.value.errors) == len(expected)
    text = str(info.value)
    assert text.splitlines()[0] == "El archivo de intercambio tiene 7 errores:"
    for path, message in info.value.errors:
        assert f"{path}: {message}" in text.splitlines()


def test_methodology_problems_are_not_reader_errors(data):
    """Bad dimension / sentido / tipo / tipo_formula are MIR-rule problems (IND-008, IND-009, ...): the file
    loads and keeps the raw strings for the validator."""
    ind = data["programs"][0]["indicators"][1]
    ind.update(dimension="eficiencia operativa", sentido="hacia arriba", tipo="táctico",
               tipo_formula="porcentual", metodo_calculo="LF / / LP", definicion="", nombre="")
    ind["linea_base"] = None
    ind["meta_anual"] = None
    loaded = read_exchange(data).programs[0].indicators[1]
    assert (loaded.dimension, loaded.direction, loaded.type, loaded.formula_type, loaded.formula) == (
        "eficiencia operativa", "hacia arriba", "táctico", "porcentual", "LF / / LP")
    assert loaded.baseline_value is None and loaded.annual_target is None


def test_missing_optional_pieces_load(data):
    program = data["programs"][1]
    program["agency_id"] = None  # PP-003 is a validator problem, not a reader one
    del program["alineacion"]
    ind = program["indicators"][0]
    del ind["objective_id"]  # inferred from the objective's indicator_ids
    del ind["ficha"]
    del ind["frecuencia"]  # empty: FT-001 for the validator
    loaded = read_exchange(data).programs[1]
    assert loaded.agency_key is None and loaded.alignment == {}
    assert loaded.indicators[0].objective_key == "S001-F"
    assert loaded.indicators[0].frequency == "" and loaded.indicators[0].preset_key is None


def test_indicator_without_any_objective_is_an_error(data):
    program = data["programs"][1]
    del program["indicators"][0]["objective_id"]
    program["objectives"][0]["indicator_ids"] = []
    assert paths_of(data) == ["programs[1].indicators[0].objective_id"]


def test_indicator_listed_under_another_objective(data):
    data["programs"][0]["objectives"][0]["indicator_ids"] = ["E001-F-01", "E001-P-01"]
    data["programs"][0]["objectives"][1]["indicator_ids"] = []
    assert paths_of(data) == [f"{I1}.objective_id"]


def test_programs_may_reference_agency_by_clave(data):
    data["programs"][0]["agency_id"] = "0301"
    assert read_exchange(data).programs[0].agency_key == "0301"


def test_numbers_accepted_forms(data):
    t = data["programs"][0]["indicators"][1]["metas_calendarizadas"][0]["variables"]
    t["LF"] = "16740.50"
    t["LP"] = 18000
    values = read_exchange(data).programs[0].indicators[1].targets["2026-S1"]
    assert values == {"LF": Decimal("16740.50"), "LP": Decimal(18000)}
    assert str(values["LF"]) == "16740.50"


def test_plain_json_floats_are_read_through_their_literal(raw):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))  # floats, not Decimal
    doc = read_exchange(data)
    assert doc.programs[0].indicators[0].baseline_value == Decimal("4.1")
    assert to_decimal(0.1) == Decimal("0.1") and to_decimal(True) is None and to_decimal(float("inf")) is None


def test_users_and_plan_pass_through(data):
    data["users"] = [{"nombre": "Ana", "rol": "capturista", "dependencia": "0301"}]
    data["plan"] = [{"eje": "Eje 3", "objetivos": [{"clave": "3.2", "estrategias": ["3.2.1"]}]}]
    doc = read_exchange(data)
    assert doc.users == data["users"] and doc.plan == data["plan"]
    again = read_exchange(loads(dumps(doc)))
    assert again.users == data["users"] and again.plan == data["plan"]


# ---------------------------------------------------------------------------------------------------
# writing

def test_round_trip(doc):
    text = dumps(doc)
    again = read_exchange(loads(text))
    assert again == doc
    assert dumps(again) == text


def test_round_trip_via_write_exchange_dict(doc):
    out = write_exchange(doc)
    assert out["programs"][0]["agency_id"] == "DSPM"  # key written back as the agency id
    assert out["programs"][0]["indicators"][0]["linea_base"]["valor"] == Decimal("4.1")
    assert read_exchange(loads(dumps(out))) == doc


def test_dumps_writes_decimal_literals_exactly(doc):
    text = dumps(doc)
    assert '"valor": 4.1,' in text and '"valor": -5.0' in text
    weird = copy.deepcopy(doc)
    ind = weird.programs[0].indicators[0]
    ind.baseline_value = Decimal("0.30000000000000004441")
    ind.annual_target = Decimal("1E+3")
    again = read_exchange(loads(dumps(weird))).programs[0].indicators[0]
    assert str(again.baseline_value) == "0.30000000000000004441"
    assert again.annual_target == Decimal(1000)
    json.loads(dumps(weird))  # plain JSON parsers accept the output
    with pytest.raises(ValueError):
        dumps({"x": Decimal("NaN")})


def test_written_json_is_standard(doc):
    plain = json.loads(dumps(doc, indent=None))
    assert plain["fiscal_year"] == 2026 and plain["cutoff"] == {"date": "2026-10-31"}
    assert plain["programs"][1]["indicators"][0]["id"] == "S001-F-01"
    assert "Peñ" not in dumps(doc) and "Ávila" in dumps(doc)  # UTF-8, not \\u escapes


def test_write_file_round_trip(tmp_path, doc):
    path = tmp_path / "salida.json"
    write_exchange_file(doc, path, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_exchange_file(path) == doc


def test_round_trip_optional_fields(doc):
    changed = copy.deepcopy(doc)
    changed.users = [{"nombre": "Ana", "rol": "validador", "dependencia": "0801"}]
    program = changed.programs[1]
    program.preset_key = "PRESET_B_DESVIACION_POR_TIPO"
    program.responsible = "Coordinación de Asistencia Alimentaria"
    ind = program.indicators[2]
    ind.baseline_unavailable = True
    ind.baseline_period = "2025-T4"
    ind.reporting_mode = "periodico"
    ind.natural_cap = Decimal(100)
    ind.base_year = 2024
    ind.benchmark, ind.interpretation, ind.notes = "Media estatal", "A mayor valor, mejor", "Sin observaciones"
    if hasattr(ind, "annual_target_original"):
        ind.annual_target_original = Decimal("75.5")
    assert read_exchange(loads(dumps(changed))) == changed


# ---------------------------------------------------------------------------------------------------
# fragments (used by validation.validate_fragment)

def test_fragment_readers(raw, doc):
    from sistema_seguimiento.core.exchange import (read_fragment_indicator, read_fragment_objectives,
                                                   read_fragment_program)

    examples = {e["id"]: e for e in raw["invalid_examples"]}
    program = read_fragment_program(examples["INV-01"]["program"], agencies=doc.agencies)
    assert program.key == "E099" and program.agency_key == "0301" and program.indicators == []
    assert [o.indicator_keys for o in program.objectives][-1] == []  # listed ids may live elsewhere
    assert read_fragment_program(examples["INV-01"]["program"]).agency_key == "DSPM"  # no catalogue: id kept
    ind = read_fragment_indicator(examples["INV-04"]["indicator"])
    assert ind.key == "Z-A-01" and ind.annual_target == Decimal("90.0") and len(ind.targets) == 4
    pairs = read_fragment_objectives(examples["INV-03"]["objectives"])
    assert [(o.key, o.level, [(s.type, s.frequency) for s in stubs]) for o, stubs in pairs] == [
        ("Y-F", "FIN", [("gestion", "mensual")]), ("Y-C1", "COMPONENTE", [("gestion", "trimestral")]),
        ("Y-A11", "ACTIVIDAD", [("gestion", "mensual")])]


def test_fragment_reader_errors(raw):
    from sistema_seguimiento.core.exchange import read_fragment_indicator, read_fragment_objectives

    objectives = copy.deepcopy(raw["invalid_examples"][2]["objectives"])
    objectives[1]["nivel"] = "META"
    objectives[2]["indicator"]["frecuencia"] = "diaria"
    with pytest.raises(ExchangeError) as info:
        read_fragment_objectives(objectives)
    assert [p for p, _m in info.value.errors] == ["objectives[1].nivel", "objectives[2].indicator.frecuencia"]
    indicator = copy.deepcopy(raw["invalid_examples"][3]["indicator"])
    indicator["avances"][0]["variables"]["BR"] = "doce"
    with pytest.raises(ExchangeError) as info:
        read_fragment_indicator(indicator)
    assert info.value.errors[0][0] == "indicator.avances[0].variables.BR"
