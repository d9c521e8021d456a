"""MIR / ficha validator: fixture programs, fixture invalid examples, one trigger / non-trigger per rule."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sistema_seguimiento.core.exchange import read_exchange_file
from sistema_seguimiento.core.mir import IndicatorDoc, MeasurementDoc, ObjectiveDoc, ProgramDoc, VariableDoc
from sistema_seguimiento.core.types import Finding
from sistema_seguimiento.core.validation import (NOT_CHECKED, RULES, ValidationContext, rule_message,
                                                 syntax_findings, validate_all, validate_fragment,
                                                 validate_indicator, validate_objective, validate_program)

FIXTURE = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"
CUTOFF = date(2026, 10, 31)


def fmt(findings: list[Finding]) -> str:
    return "\n".join(f"{f.rule_id} [{f.severity}] {f.program}/{f.objective}/{f.indicator} {f.period or ''}: "
                     f"{f.message}" for f in findings)


@pytest.fixture(scope="module")
def fixture_doc():
    return read_exchange_file(FIXTURE)


@pytest.fixture(scope="module")
def fixture_raw():
    return json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="module")
def fixture_ctx(fixture_doc):
    return ValidationContext(fiscal_year=fixture_doc.fiscal_year, cutoff=date.fromisoformat(fixture_doc.cutoff),
                             known_agencies={a.key for a in fixture_doc.agencies},
                             known_presets=set(fixture_doc.presets))


# ---------------------------------------------------------------------------------------------------
# (a) the fixture's valid programs

def test_fixture_programs_have_no_errors(fixture_doc, fixture_ctx):
    findings = validate_all(fixture_doc.programs, fixture_ctx)
    errors = [f for f in findings if f.severity == "error"]
    assert not errors, "errores en programas válidos:\n" + fmt(errors) + "\n\nadvertencias:\n" + fmt(findings)
    # the warnings that do appear are the ones the fixture was built to show
    fired = {(f.rule_id, f.indicator, f.period) for f in findings}
    assert ("AV-001", "E001-A21-01", "2026-06") in fired and ("AV-001", "S001-A12-01", "2026-07") in fired
    assert ("AV-004", "S001-A22-01", "2026-03") in fired
    assert ("IND-012", "E001-F-01", None) in fired  # tasa de variación with a negative target
    assert not [f for f in findings if f.rule_id.startswith(("SIN", "MIR", "PP", "FT", "MET"))], fmt(findings)


def test_fixture_findings_are_located(fixture_doc, fixture_ctx):
    for f in validate_all(fixture_doc.programs, fixture_ctx):
        assert f.program in ("E001", "S001")
        assert f.indicator and f.objective and f.level and f.field
        assert f.message == f.message.strip() and "{" not in f.message


# ---------------------------------------------------------------------------------------------------
# (b) the fixture's invalid examples

# Extra rule ids on the lone-indicator examples (validated with the fixture context: fiscal year 2026,
# cut-off 2026-10-31, default preset, so FT-009 does not fire):
#   INV-02: FT-004 - the fragment has no calendarized targets, so each of the 12 months lacks its target;
#           AV-001 - January..October are due at the cut-off and have no capture.
#   INV-04: FT-001 - its "ficha" is empty, so «Responsable de la medición» is missing (a required §e field);
#           AV-001 - T2 and T3 are due at the cut-off and only T1 was captured;
#           AV-010 (info) - consequently the cumulative value excludes those 2 periods.
EXTRA_ALLOWED = {"INV-01": set(), "INV-02": {"FT-004", "AV-001"}, "INV-03": set(),
                 "INV-04": {"FT-001", "AV-001", "AV-010"}}


@pytest.mark.parametrize("example_id", ["INV-01", "INV-02", "INV-03", "INV-04"])
def test_invalid_examples_fire_expected_rules(fixture_raw, fixture_doc, fixture_ctx, example_id):
    example = next(e for e in fixture_raw["invalid_examples"] if e["id"] == example_id)
    findings = validate_fragment(example, fixture_ctx, agencies=fixture_doc.agencies)
    fired = {f.rule_id for f in findings}
    expected = set(example["expected_rule_ids"])
    assert expected <= fired, fmt(findings)
    if example_id in ("INV-01", "INV-03"):
        assert fired == expected, fmt(findings)
    else:
        assert fired - expected == EXTRA_ALLOWED[example_id], fmt(findings)


def test_invalid_example_locations(fixture_raw, fixture_doc, fixture_ctx):
    by_id = {e["id"]: e for e in fixture_raw["invalid_examples"]}
    inv01 = validate_fragment(by_id["INV-01"], fixture_ctx, agencies=fixture_doc.agencies)
    assert {(f.rule_id, f.objective) for f in inv01} == {("MIR-001", None), ("MIR-004", "X-C2"),
                                                         ("MIR-006", "X-A11")}
    assert all(f.program == "E099" for f in inv01)
    inv02 = validate_fragment(by_id["INV-02"], fixture_ctx)
    ft001 = {f.field for f in inv02 if f.rule_id == "FT-001"}
    assert ft001 == {"definition", "measurement_owner"}
    assert [f.message for f in inv02 if f.rule_id == "IND-003"] == [
        "La variable «RP» del método de cálculo no está definida."]
    inv04 = validate_fragment(by_id["INV-04"], fixture_ctx)
    assert [(f.period, f.message) for f in inv04 if f.rule_id == "MET-002"] == [
        (None, "La meta anual registrada (90.00) no coincide con la calculada a partir de la calendarización (80.00).")]
    assert [f.period for f in inv04 if f.rule_id == "IND-004"] == ["2026-T4"]
    assert [f.period for f in inv04 if f.rule_id == "AV-003"] == ["2026-T1"]
    inv03 = validate_fragment(by_id["INV-03"], fixture_ctx)
    assert {(f.rule_id, f.objective) for f in inv03} == {
        ("SIN-001", "Y-F"), ("IND-006", "Y-F"), ("IND-007", "Y-F"), ("SIN-003", "Y-C1"), ("SIN-004", "Y-A11")}


def test_fragment_without_cutoff_has_no_measurement_extras(fixture_raw):
    ctx = ValidationContext(fiscal_year=2026)
    inv04 = next(e for e in fixture_raw["invalid_examples"] if e["id"] == "INV-04")
    fired = {f.rule_id for f in validate_fragment(inv04, ctx)}
    assert fired == {"AV-003", "IND-004", "MET-002", "FT-001"}


def test_fragment_whole_document(fixture_raw, fixture_ctx):
    findings = validate_fragment(fixture_raw, fixture_ctx)
    assert findings and not [f for f in findings if f.severity == "error"]


def test_fragment_unknown_shape(fixture_ctx):
    with pytest.raises(ValueError):
        validate_fragment({"foo": 1}, fixture_ctx)


# ---------------------------------------------------------------------------------------------------
# a minimal, completely valid program used by the per-rule table

def var(key, role, acc="suma", **kw):
    return VariableDoc(key=key, name=kw.get("name", f"Variable {key}"),
                       description=kw.get("description", f"Descripción de {key}"),
                       unit=kw.get("unit", "Unidad"), source=kw.get("source", f"Registro oficial de {key}"),
                       role=role, accumulation=acc)


def D(x) -> Decimal:
    return Decimal(str(x))


def months(values: dict) -> dict:
    return {f"2026-{m:02d}": {k: D(v) for k, v in values.items()} for m in range(1, 13)}


def base_program() -> ProgramDoc:
    fin = ObjectiveDoc(key="E010-F", level="FIN", text="Contribuir a mejorar la movilidad de la población "
                       "mediante vialidades en buen estado.", assumptions=["El gobierno estatal mantiene la "
                       "inversión en carreteras."], order=1, indicator_keys=["E010-F-01"])
    prop = ObjectiveDoc(key="E010-P", level="PROPOSITO", parent_key="E010-F",
                        text="Las personas del municipio transitan por vialidades seguras y en buen estado.",
                        assumptions=["Las lluvias se mantienen dentro del promedio histórico."], order=1,
                        indicator_keys=["E010-P-01"])
    comp = ObjectiveDoc(key="E010-C1", level="COMPONENTE", parent_key="E010-P",
                        text="Baches de las vialidades reparados.",
                        assumptions=["Los proveedores surten la mezcla asfáltica a tiempo."], order=1,
                        indicator_keys=["E010-C1-01"])
    act = ObjectiveDoc(key="E010-A11", level="ACTIVIDAD", parent_key="E010-C1",
                       text="Supervisión de las cuadrillas de bacheo.",
                       assumptions=["Las cuadrillas cuentan con vehículos en operación."], order=1,
                       indicator_keys=["E010-A11-01"])
    common = dict(definition="Mide el logro del objetivo.", unit="Porcentaje", dimension="eficacia",
                  direction="ascendente", measurement_owner="Dirección de Obras Públicas",
                  verification_sources=["Informe anual de vialidades, Dirección de Obras Públicas, portal de "
                                        "transparencia"])
    f01 = IndicatorDoc(key="E010-F-01", objective_key="E010-F", name="Porcentaje de vialidades en buen estado",
                       formula_type="porcentaje", formula="(VB / VT) * 100",
                       variables=[var("VB", "numerador", "ultimo_valor"), var("VT", "denominador", "ultimo_valor")],
                       type="estrategico", frequency="anual", baseline_value=D(60), baseline_year=2025,
                       annual_target=D(70), targets={"2026": {"VB": D(70), "VT": D(100)}}, **common)
    p01 = IndicatorDoc(key="E010-P-01", objective_key="E010-P",
                       name="Porcentaje de personas que califican las vialidades como seguras",
                       formula_type="porcentaje", formula="(PS / PE) * 100",
                       variables=[var("PS", "numerador", "ultimo_valor"), var("PE", "denominador", "ultimo_valor")],
                       type="estrategico", frequency="semestral", baseline_value=D(50), baseline_year=2025,
                       annual_target=D(60),
                       targets={"2026-S1": {"PS": D(550), "PE": D(1000)}, "2026-S2": {"PS": D(600), "PE": D(1000)}},
                       measurements=[MeasurementDoc("2026-S1", {"PS": D(560), "PE": D(1000)}, "validado")],
                       **common)
    c01 = IndicatorDoc(key="E010-C1-01", objective_key="E010-C1", name="Promedio de días de reparación de baches",
                       formula_type="promedio", formula="DR / NB",
                       variables=[var("DR", "numerador"), var("NB", "denominador")],
                       type="gestion", frequency="trimestral", baseline_value=D(5), baseline_year=2025,
                       annual_target=D(4), **{**common, "unit": "Días", "direction": "descendente"},
                       targets={f"2026-T{q}": {"DR": D(400), "NB": D(100)} for q in range(1, 5)},
                       measurements=[MeasurementDoc(f"2026-T{q}", {"DR": D(390), "NB": D(100)}, "validado")
                                     for q in range(1, 4)])
    a01 = IndicatorDoc(key="E010-A11-01", objective_key="E010-A11", name="Supervisiones de cuadrillas realizadas",
                       formula_type="absoluto", formula="SR", variables=[var("SR", "valor")],
                       type="gestion", frequency="mensual", baseline_value=D(100), baseline_year=2025,
                       annual_target=D(120), targets=months({"SR": 10}), **{**common, "unit": "Supervisión"},
                       measurements=[MeasurementDoc(f"2026-{m:02d}", {"SR": D(10)}, "validado") for m in range(1, 11)])
    return ProgramDoc(key="E010", modality="E", name="Bacheo", agency_key="0301", fiscal_year=2026,
                      objectives=[fin, prop, comp, act], indicators=[f01, p01, c01, a01])


def ctx(**kw) -> ValidationContext:
    values = dict(fiscal_year=2026, cutoff=CUTOFF, known_agencies={"0301"},
                  known_presets={"PRESET_A_BANDA_90_110"})
    values.update(kw)
    return ValidationContext(**values)


def ind(p: ProgramDoc, suffix: str) -> IndicatorDoc:
    return next(i for i in p.indicators if i.key == f"E010-{suffix}")


def obj(p: ProgramDoc, suffix: str) -> ObjectiveDoc:
    return next(o for o in p.objectives if o.key == f"E010-{suffix}")


def test_base_program_is_clean():
    findings = validate_program(base_program(), ctx())
    assert findings == [], fmt(findings)


# each mutation receives the program and returns an optional ValidationContext override
def _add_objective(p, level, key, parent=None, text="Objetivo adicional de prueba con texto suficiente."):
    p.objectives.append(ObjectiveDoc(key=key, level=level, parent_key=parent, text=text,
                                     assumptions=["Supuesto externo cualquiera para la prueba."],
                                     indicator_keys=["X"]))


def m_set(target_fn, **attrs):
    def mutate(p):
        target = target_fn(p)
        for k, v in attrs.items():
            setattr(target, k, v)
    return mutate


def m_ind(suffix, **attrs):
    return m_set(lambda p: ind(p, suffix), **attrs)


def m_obj(suffix, **attrs):
    return m_set(lambda p: obj(p, suffix), **attrs)


def m_prog(**attrs):
    return m_set(lambda p: p, **attrs)


def m_targets(suffix, period, **values):
    def mutate(p):
        ind(p, suffix).targets[period].update({k: D(v) for k, v in values.items()})
    return mutate


def m_measure(suffix, period, **values):
    def mutate(p):
        i = ind(p, suffix)
        m = next((m for m in i.measurements if m.period == period), None)
        if m is None:
            i.measurements.append(MeasurementDoc(period, {k: D(v) for k, v in values.items()}))
        else:
            m.values.update({k: D(v) for k, v in values.items()})
    return mutate


def m_drop_measure(suffix, period):
    def mutate(p):
        i = ind(p, suffix)
        i.measurements = [m for m in i.measurements if m.period != period]
    return mutate


def m_many(*mutations):
    def mutate(p):
        result = None
        for m in mutations:
            result = m(p) or result
        return result
    return mutate


def m_ctx(**kw):
    return lambda p: ctx(**kw)


def m_remove_component(p):
    p.objectives = [o for o in p.objectives if o.level in ("FIN", "PROPOSITO")]
    p.indicators = [i for i in p.indicators if i.objective_key in ("E010-F", "E010-P")]


def m_remove_indicator(p):
    p.indicators = [i for i in p.indicators if i.key != "E010-A11-01"]
    obj(p, "A11").indicator_keys = []


def m_tasa(target):
    def mutate(p):
        i = ind(p, "F-01")
        i.formula_type, i.formula, i.name = "tasa_variacion", "((VB / VT) - 1) * 100", "Tasa de variación de vialidades"
        i.targets = {"2026": {"VB": D(95) if target < 0 else D(110), "VT": D(100)}}
        i.annual_target, i.baseline_value = D(target), D(-10)
    return mutate


def m_desc_zero(p):
    i = ind(p, "A11-01")
    i.direction, i.baseline_value, i.annual_target = "descendente", D(0), D(0)
    i.targets = months({"SR": 0})
    i.measurements = [MeasurementDoc(f"2026-{m:02d}", {"SR": D(0)}) for m in range(1, 11)]


def m_justification_check(p):
    return ctx(justification_check=lambda indicator, m: Decimal("75.004") if indicator.key == "E010-C1-01"
               and m.period == "2026-T2" else None)


def m_justified(p):
    next(m for m in ind(p, "C1-01").measurements if m.period == "2026-T2").justification = "Causa y efecto."
    return m_justification_check(p)


# (rule id, mutation that triggers it, mutation that does not (None: the clean base program))
RULE_CASES = [
    ("MIR-001", lambda p: _add_objective(p, "FIN", "E010-F2"), None),
    ("MIR-002", lambda p: _add_objective(p, "PROPOSITO", "E010-P2", "E010-F"), None),
    ("MIR-003", m_remove_component, None),
    ("MIR-004", lambda p: _add_objective(p, "COMPONENTE", "E010-C2", "E010-P",
                                          "Señalamientos viales instalados en cruceros."), None),
    ("MIR-005", m_obj("A11", parent_key="E010-P"), m_obj("A11", parent_key="E010-C1")),
    ("MIR-006", m_remove_indicator, None),
    ("MIR-007", m_ind("C1-01", verification_sources=[" "]), None),
    ("MIR-008", m_obj("C1", assumptions=[]), None),
    ("MIR-009", m_obj("A11", assumptions=["Baches de las vialidades reparados"]),
     m_obj("A11", assumptions=["Los vecinos reportan los baches por teléfono."])),
    ("PP-001", m_prog(modality="X"), m_prog(modality="B")),
    ("PP-002", m_prog(key="PP-10"), m_prog(key="B123")),
    ("PP-003", m_prog(agency_key=None), None),
    ("PP-003", m_prog(agency_key="9999"), m_many(m_prog(agency_key="9999"), m_ctx(known_agencies=set()))),
    ("PP-004", m_prog(modality="W", key="W001"), m_prog(modality="K", key="K001")),
    ("IND-001", m_ind("C1-01", name=" "), None),
    ("IND-002", m_ind("F-01", formula="VB / VT"), m_ind("F-01", formula="100 * VB / VT")),
    ("IND-002", m_ind("F-01", formula="(VB / VT * 100"), None),
    ("IND-002", m_ind("A11-01", formula="SR * 2"), None),
    ("IND-002", m_ind("F-01", formula_type="porcentual"), None),
    ("IND-003", m_ind("F-01", formula="(VB / VX) * 100"), None),
    ("IND-004", m_targets("C1-01", "2026-T4", NB=0), m_targets("C1-01", "2026-T4", NB=1)),
    ("IND-005", m_targets("F-01", "2026", VB=120), m_targets("F-01", "2026", VB=100)),
    ("IND-006", m_ind("F-01", type="gestion"), m_ind("C1-01", type="estrategico")),
    ("IND-006", m_ind("A11-01", type="estrategico"), None),
    ("IND-007", m_ind("P-01", frequency="trimestral"), m_ind("P-01", frequency="anual")),
    ("IND-008", m_ind("C1-01", dimension="eficiencia operativa"), m_ind("C1-01", dimension="calidad")),
    ("IND-009", m_ind("C1-01", direction="hacia abajo"), m_ind("C1-01", direction="regular")),
    ("IND-010", m_ind("P-01", formula_type="absoluto", formula="PS", unit="Persona"), None),
    ("IND-011", m_ind("F-01", name="Vialidades en buen estado"), m_ind("F-01", name="porcentaje de vialidades")),
    ("IND-011", m_ind("C1-01", name="Días de reparación de baches"), None),
    ("IND-012", m_tasa(-5), m_tasa(10)),
    ("IND-012", m_desc_zero, None),
    ("FT-001", m_ind("C1-01", definition=""), None),
    ("FT-001", m_ind("C1-01", measurement_owner=""), None),
    ("FT-001", m_set(lambda p: ind(p, "C1-01").variables[0], description=""), None),
    ("FT-001", m_ind("C1-01", type="táctico"), None),
    ("FT-002", m_ind("C1-01", baseline_value=None),
     m_ind("C1-01", baseline_value=None, baseline_year=None, baseline_unavailable=True,
           baseline_note="Indicador de nueva creación.")),
    ("FT-003", m_ind("C1-01", annual_target=None), None),
    ("FT-004", lambda p: ind(p, "C1-01").targets.pop("2026-T4"), None),
    ("FT-004", lambda p: ind(p, "C1-01").targets["2026-T4"].pop("NB"), None),
    ("FT-005", m_ind("F-01", unit="Vialidad"), m_ind("F-01", unit="porcentaje")),
    ("FT-005", m_ind("A11-01", unit="Porcentaje"), None),
    ("FT-006", m_set(lambda p: ind(p, "C1-01").variables[1], source=""), None),
    ("FT-007", m_ind("C1-01", verification_sources=["Registros internos"]), None),
    ("FT-007", m_ind("C1-01", verification_sources=["Archivo"]), None),
    ("FT-008", m_ind("C1-01", baseline_year=2019), m_ind("C1-01", baseline_year=2020)),
    ("FT-008", m_ind("C1-01", baseline_year=2027), m_ind("C1-01", baseline_year=2026)),
    ("FT-009", m_ctx(default_preset=None), m_many(m_ind("C1-01", preset_key="PRESET_A_BANDA_90_110"),
                                                  m_ind("F-01", preset_key="PRESET_A_BANDA_90_110"),
                                                  m_ind("P-01", preset_key="PRESET_A_BANDA_90_110"),
                                                  m_prog(preset_key="PRESET_A_BANDA_90_110"),
                                                  m_ctx(default_preset=None))),
    ("FT-009", m_ind("C1-01", preset_key="PRESET_Z"), m_many(m_ind("C1-01", preset_key="PRESET_Z"),
                                                            m_ctx(known_presets=set()))),
    ("MET-001", lambda p: ind(p, "F-01").targets.update({"2026-S1": {"VB": D(1), "VT": D(2)}}), None),
    ("MET-001", lambda p: ind(p, "A11-01").targets.update({"2025-12": {"SR": D(1)}}), None),
    ("MET-002", m_ind("F-01", annual_target=D(75)), m_ind("F-01", annual_target=D("70.004"))),
    ("MET-002", m_ind("A11-01", annual_target=D(100)), None),  # suma over 12 months = 120
    ("MET-003", m_ind("F-01", baseline_value=D(80)), m_ind("F-01", baseline_value=D(70))),
    ("MET-003", m_ind("C1-01", baseline_value=D(3)), None),  # descendente: target 4 > baseline 3
    ("MET-004", m_many(m_ind("F-01", annual_target=D(120)), m_targets("F-01", "2026", VB=120)),
     m_many(m_ind("F-01", annual_target=D(120), natural_cap=D(1000)), m_targets("F-01", "2026", VB=120))),
    ("AV-001", m_drop_measure("C1-01", "2026-T2"), m_drop_measure("C1-01", "2026-T4")),
    ("AV-001", m_drop_measure("A11-01", "2026-10"), m_many(m_drop_measure("A11-01", "2026-10"),
                                                            m_ctx(capture_grace_days=10))),
    ("AV-002", m_measure("A11-01", "2026-03", SR=-1), m_measure("A11-01", "2026-03", SR=0)),
    ("AV-003", m_measure("C1-01", "2026-T1", NB=0), m_measure("C1-01", "2026-T1", NB=0, DR=0)),
    ("AV-004", m_measure("C1-01", "2026-T1", NB=0, DR=0), None),
    ("AV-005", m_measure("P-01", "2026-S1", PS=1001), m_measure("P-01", "2026-S1", PS=1000)),
    ("AV-006", m_justification_check, m_justified),
    ("AV-008", m_measure("A11-01", "2026-11", SR=10), m_many(m_measure("A11-01", "2026-11", SR=10),
                                                              m_ctx(today=date(2026, 12, 1)))),
    ("AV-009", m_many(m_measure("P-01", "2026-S2", PS=600, PE=1300), m_ctx(cutoff=date(2026, 12, 31))),
     m_many(m_measure("P-01", "2026-S2", PS=600, PE=1100), m_ctx(cutoff=date(2026, 12, 31)))),
    ("AV-010", m_drop_measure("C1-01", "2026-T2"), None),
    ("SIN-001", m_obj("F", text="Mejorar la movilidad de la población del municipio."), None),
    ("SIN-001", m_obj("F", text="Contribuir a mejorar la movilidad de la población del municipio."),
     m_obj("F", text="Contribuir al bienestar de la población a través de vialidades seguras.")),
    ("SIN-002", m_obj("P", text="Entrega de apoyos a la población del municipio."), None),
    ("SIN-002", m_obj("P", text="Mejorar la seguridad vial de la población del municipio."), None),
    ("SIN-003", m_obj("C1", text="Reparar los baches de las vialidades principales."), None),
    ("SIN-003", m_obj("C1", text="Bacheo en vialidades principales del municipio."),
     m_obj("C1", text="Señalamiento vial impreso y colocado.")),
    ("SIN-004", m_obj("A11", text="Realizar supervisiones a las cuadrillas de bacheo."),
     m_obj("A11", text="Capacitaciones a las cuadrillas de bacheo.")),
    ("SIN-004", m_obj("A11", text="Cuadrillas de bacheo supervisadas cada semana."), None),
    ("SIN-005", m_obj("P", text="Las personas del municipio transitan seguras y reciben atención médica oportuna."),
     None),
    ("SIN-005", m_obj("A11", text="Supervisión de cuadrillas así como compra de materiales."), None),
    ("SIN-006", m_obj("C1", text="Baches reparados."), None),
    ("SIN-006", m_obj("C1", text=""), None),
    # issue 16: the state profile's required ficha fields
    ("PRF-001", m_many(m_ind("C1-01", interpretation=""),
                       m_ctx(required_fields=("interpretation",), profile_name="Estado de México")),
     m_many(lambda p: [setattr(i, "interpretation", "Mientras mayor, mejor.") for i in p.indicators] and None,
            m_ctx(required_fields=("interpretation",), profile_name="Estado de México"))),
    ("PRF-001", m_many(m_ind("C1-01", verification_sources=["Registro municipal de obra"], benchmark="  "),
                       m_ctx(required_fields=("benchmark",), profile_name="Estado de México")),
     m_many(lambda p: [setattr(i, "benchmark", "Promedio estatal 2025.") for i in p.indicators] and None,
            m_ctx(required_fields=("benchmark",), profile_name="Estado de México"))),
]


def test_profile_rule_does_not_repeat_what_another_rule_reports():
    program = base_program()
    ind(program, "C1-01").annual_target = None  # FT-003
    ind(program, "C1-01").baseline_value = None  # FT-002 (field «baseline»)
    findings = validate_program(program, ctx(required_fields=("annual_target", "baseline_value"),
                                             profile_name="Estado de México"))
    assert {f.rule_id for f in findings if f.indicator == "E010-C1-01"} >= {"FT-002", "FT-003"}
    assert not [f for f in findings if f.rule_id == "PRF-001"]
    ok = validate_program(base_program(), ctx(required_fields=("annual_target", "baseline_value"),
                                              profile_name="Estado de México"))
    assert not [f for f in ok if f.rule_id == "PRF-001"]


def _run(mutation) -> list[Finding]:
    program = base_program()
    override = mutation(program) if mutation is not None else None
    return validate_program(program, override if isinstance(override, ValidationContext) else ctx())


@pytest.mark.parametrize("rule_id,trigger,non_trigger", RULE_CASES,
                         ids=[f"{c[0]}#{i}" for i, c in enumerate(RULE_CASES)])
def test_rule_table(rule_id, trigger, non_trigger):
    fired = _run(trigger)
    hits = [f for f in fired if f.rule_id == rule_id]
    assert hits, f"{rule_id} no se disparó:\n" + fmt(fired)
    severity, template, _ = RULES[rule_id]
    for f in hits:
        assert f.severity == severity
        assert f.program == "E010" or rule_id.startswith("PP")
        prefix = template.split("{")[0]
        assert f.message.startswith(prefix), f.message
        assert "{" not in f.message
    clean = _run(non_trigger)
    assert not [f for f in clean if f.rule_id == rule_id], fmt(clean)


def test_every_checked_rule_has_a_case():
    covered = {c[0] for c in RULE_CASES}
    checked = {r for r in RULES if r not in NOT_CHECKED and not r.startswith("PER")}
    assert checked - covered == set()


def test_rules_table_matches_domain():
    expected_ids = ({f"MIR-{i:03d}" for i in range(1, 10)} | {f"PP-{i:03d}" for i in range(1, 5)}
                    | {f"IND-{i:03d}" for i in range(1, 13)} | {f"FT-{i:03d}" for i in range(1, 10)}
                    | {f"MET-{i:03d}" for i in range(1, 7)} | {f"AV-{i:03d}" for i in range(1, 11)}
                    | {f"SIN-{i:03d}" for i in range(1, 7)} | {f"PER-{i:03d}" for i in range(1, 4)}
                    | {"PRF-001"})  # ours, not DOMAIN.md's: a state profile's required ficha fields (issue 16)
    assert set(RULES) == expected_ids
    for rule_id, (severity, template, explanation) in RULES.items():
        assert severity in ("error", "warning", "info")
        assert template and explanation and explanation.endswith(".")
    assert RULES["SIN-006"][0] == "error" and RULES["AV-004"][0] == "info" and RULES["AV-010"][0] == "info"
    assert RULES["MET-005"][1] == "No se pueden modificar metas de periodos cerrados ({periodo})."
    assert rule_message("MET-006") == "La modificación de meta requiere justificación, documento soporte y autorización."
    assert rule_message("AV-007", periodo="marzo 2026") == "El avance de marzo 2026 no tiene evidencia adjunta."
    assert rule_message("MIR-001", n=2) == "La MIR debe tener exactamente un Fin; se encontraron 2."


def test_finding_locations():
    program = base_program()
    ind(program, "C1-01").baseline_value = None
    ind(program, "C1-01").targets.pop("2026-T3")
    obj(program, "A11").assumptions = []
    findings = validate_program(program, ctx())
    ft002 = next(f for f in findings if f.rule_id == "FT-002")
    assert (ft002.program, ft002.level, ft002.objective, ft002.indicator, ft002.field) == (
        "E010", "COMPONENTE", "E010-C1", "E010-C1-01", "baseline")
    ft004 = next(f for f in findings if f.rule_id == "FT-004")
    assert (ft004.period, ft004.field) == ("2026-T3", "period_targets")
    assert ft004.message == "Falta la meta programada del periodo tercer trimestre 2026."
    mir008 = next(f for f in findings if f.rule_id == "MIR-008")
    assert (mir008.level, mir008.objective, mir008.indicator, mir008.field) == (
        "ACTIVIDAD", "E010-A11", None, "assumptions")


def test_exact_messages():
    program = base_program()
    ind(program, "F-01").type = "gestion"
    ind(program, "P-01").frequency = "mensual"
    ind(program, "C1-01").dimension = "rapidez"
    obj(program, "A11").parent_key = "E010-P"
    messages = {f.rule_id: f.message for f in validate_program(program, ctx())}
    assert messages["IND-006"] == "El indicador de nivel Fin debería ser de tipo estratégico."
    assert messages["IND-007"] == "La frecuencia mensual no es habitual para el nivel Propósito."
    assert messages["IND-008"] == "Dimensión «rapidez» no válida (eficacia, eficiencia, calidad, economía)."
    assert messages["MIR-005"] == ("El objetivo E010-A11 de nivel Actividad no puede depender de un objetivo de "
                                   "nivel Propósito.")


def test_ind002_reports_parser_message():
    program = base_program()
    ind(program, "F-01").formula = "(VB / VT) ** 100"
    f = next(f for f in validate_program(program, ctx()) if f.rule_id == "IND-002")
    assert f.message.startswith("El método de cálculo «(VB / VT) ** 100» no corresponde a un indicador de tipo "
                                "porcentaje.")
    assert "**" in f.extra["error"] and f.extra["error"] in f.message


def test_met002_uses_accumulation_per_variable():
    """Stock variables take the last period, flows the sum: 16 / 40 * 100 = 40.00 (not the 25 % average)."""
    program = base_program()
    i = ind(program, "C1-01")
    i.formula_type, i.formula, i.unit, i.direction = "porcentaje", "(A / B) * 100", "Porcentaje", "ascendente"
    i.name, i.baseline_value = "Porcentaje de baches", D(10)
    i.variables = [var("A", "numerador", "suma"), var("B", "denominador", "ultimo_valor")]
    i.targets = {f"2026-T{q}": {"A": D(4), "B": D(40)} for q in range(1, 5)}
    i.measurements = [MeasurementDoc(f"2026-T{q}", {"A": D(4), "B": D(40)}) for q in range(1, 4)]
    i.annual_target = D(40)
    assert [f for f in validate_program(program, ctx()) if f.rule_id == "MET-002"] == []
    i.annual_target = D(10)
    f = next(f for f in validate_program(program, ctx()) if f.rule_id == "MET-002")
    assert f.message == ("La meta anual registrada (10.00) no coincide con la calculada a partir de la "
                         "calendarización (40.00).")


def test_av006_skipped_without_callback():
    program = base_program()
    assert "AV-006" in NOT_CHECKED
    assert not [f for f in validate_program(program, ctx()) if f.rule_id == "AV-006"]
    f = next(f for f in _run(m_justification_check) if f.rule_id == "AV-006")
    assert f.period == "2026-T2" and "(75.00 %)" in f.message


def test_multi_year_frequency_outside_measurement_year():
    program = base_program()
    i = ind(program, "F-01")
    i.frequency, i.base_year, i.targets, i.annual_target = "bienal", 2025, {}, None
    fired = {f.rule_id for f in validate_program(program, ctx())}
    assert not fired & {"FT-003", "FT-004", "MET-001", "MET-002", "AV-001"}


def test_no_mir_modality_without_objectives():
    program = ProgramDoc(key="W001", modality="W", name="Operaciones ajenas", agency_key="0301")
    assert validate_program(program, ctx()) == []


def test_validate_objective_and_indicator_directly():
    program = base_program()
    fin = obj(program, "F")
    fin.text = "Mejorar la movilidad y reducir los accidentes viales."
    stub = IndicatorDoc(key="S", type="gestion", frequency="mensual")
    fired = {f.rule_id for f in validate_objective(fin, ctx(), [stub])}
    assert fired == {"SIN-001", "SIN-005", "IND-006", "IND-007"}
    i = ind(program, "F-01")
    i.type = "gestion"
    assert "IND-006" in {f.rule_id for f in validate_indicator(i, ctx(), program=program)}
    assert "IND-006" not in {f.rule_id for f in validate_indicator(i, ctx())}  # level unknown
    assert validate_indicator(ind(program, "C1-01"), ctx(), objective=obj(program, "C1")) == []


def test_syntax_heuristics_on_fixture_texts(fixture_doc):
    for program in fixture_doc.programs:
        for o in program.objectives:
            assert syntax_findings(o) == [], o.text


def test_context_accepts_tuples_and_strings():
    c = ValidationContext(fiscal_year=2026, cutoff="2026-10-31", known_agencies=(), closed_periods=("2026-01",))
    assert c.cutoff == date(2026, 10, 31) and c.known_agencies == set() and c.closed_periods == {"2026-01"}


# ---------------------------------------------------------------------------------------------------
# robustness

_any_text = st.text(max_size=120)
_formulaish = st.text(alphabet="VBTXPSDRNA()+-*/%.,0123456789 _=×÷−\\'\"[]{}ñé", max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objective_text=_any_text, formula=st.one_of(_any_text, _formulaish), name=_any_text,
       var_key=st.text(max_size=12), assumption=_any_text, unit=_any_text, source=_any_text,
       formula_type=st.sampled_from(["porcentaje", "tasa_variacion", "razon", "promedio", "indice", "absoluto",
                                     "", "otro"]))
def test_validator_never_raises_on_arbitrary_text(objective_text, formula, name, var_key, assumption, unit,
                                                  source, formula_type):
    program = base_program()
    for o in program.objectives:
        o.text = objective_text
        o.assumptions = [assumption]
    for i in program.indicators:
        i.formula, i.name, i.unit, i.formula_type = formula, name, unit, formula_type
        i.verification_sources = [source]
        i.variables[0].key = var_key
        i.variables[0].name = name
    program.name = name
    findings = validate_all([program], ctx())
    assert all(isinstance(f, Finding) and f.rule_id in RULES for f in findings)
