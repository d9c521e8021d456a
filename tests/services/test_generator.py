"""Synthetic data generator (``ses generar``): determinism, scale, MIR rules, exact numbers.

The municipio data set is generated once per module (~0.5 s); estado scale is only smoke-tested through
``mini_estado`` (same state wording, 2 dependencias)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from sistema_seguimiento.services.generator import SCALES, TARGET_COUNTS, generate, summarize

FIXTURE = Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json"
FREQUENCY_PERIODS = {
    "mensual": [f"2026-{m:02d}" for m in range(1, 13)],
    "bimestral": [f"2026-B{i}" for i in range(1, 7)],
    "trimestral": [f"2026-T{i}" for i in range(1, 5)],
    "cuatrimestral": [f"2026-C{i}" for i in range(1, 4)],
    "semestral": ["2026-S1", "2026-S2"],
    "anual": ["2026"],
}
MULTI_YEAR = {"bienal": 2, "trienal": 3}
PERIOD_END_MONTH = {"B": 2, "T": 3, "C": 4, "S": 6}


@pytest.fixture(scope="module")
def muni() -> dict:
    return generate("municipio", seed=1)


def indicators(data: dict):
    for p in data["programs"]:
        for ind in p["indicators"]:
            yield p, ind


def end_month(period: str) -> int:
    if len(period) == 4:
        return 12
    tail = period[5:]
    return int(tail) if tail.isdigit() else int(tail[1:]) * PERIOD_END_MONTH[tail[0]]


# ---- independent reference calculator (DOMAIN.md §f) -----------------------------------------------

def dec(x) -> Decimal:
    assert isinstance(x, (int, Decimal)) and not isinstance(x, bool), x
    return Decimal(x)


def formula_value(ind: dict, values: dict) -> Decimal | None:
    roles = {v["rol"]: v["clave"] for v in ind["variables"]}
    t = ind["tipo_formula"]
    if t == "absoluto":
        return dec(values[roles["valor"]])
    n, d = dec(values[roles["numerador"]]), dec(values[roles["denominador"]])
    if d == 0:
        return None
    q = n / d
    return {"porcentaje": q * 100, "tasa_variacion": (q - 1) * 100}.get(t, q)


def accumulate(ind: dict, rows: list[dict]) -> dict:
    out = {}
    for v in ind["variables"]:
        k = v["clave"]
        out[k] = rows[-1][k] if v["acumulacion"] == "ultimo_valor" else sum(dec(r[k]) for r in rows)
    return out


def progress(ind: dict, value: Decimal, target: Decimal) -> Decimal:
    if ind["sentido"] == "descendente":
        return (2 * target - value) / target * 100
    return value / target * 100


# ---- determinism and scale ---------------------------------------------------------------------------

def test_same_seed_same_data_and_different_seed_different_data():
    assert generate("mini", seed=5) == generate("mini", seed=5)
    assert generate("mini", seed=5) != generate("mini", seed=6)
    assert generate("mini_estado", seed=5) == generate("mini_estado", seed=5)


def test_same_data_in_another_process_with_another_hash_seed():
    """No dependence on set/dict hashing order or on anything but the seed."""
    from sistema_seguimiento.core.exchange import dumps

    code = ("import sys; from sistema_seguimiento.services.generator import generate; "
            "from sistema_seguimiento.core.exchange import dumps; sys.stdout.write(dumps(generate('mini', seed=9)))")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root), "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=root, check=True)
    assert out.stdout.decode("utf-8") == dumps(generate("mini", seed=9))


def test_unknown_scale_is_rejected_in_spanish():
    with pytest.raises(ValueError, match="Escala"):
        generate("pais")
    assert set(SCALES) >= {"municipio", "estado", "mini"}


def test_municipio_counts_within_15_percent_of_targets(muni):
    counts = summarize(muni)
    for key, target in TARGET_COUNTS["municipio"].items():
        assert abs(counts[key] - target) <= 0.15 * target, (key, counts[key], target)


def test_capture_mix_missing_out_of_band_and_no_events(muni):
    c = summarize(muni)
    due = c["avances"] + c["periodos_sin_captura"]
    assert 0.015 <= c["periodos_sin_captura"] / due <= 0.05
    assert 0.12 <= c["avances_fuera_de_banda"] / c["avances"] <= 0.18
    assert 0 < c["avances_sin_eventos"] < 0.03 * c["avances"]


def test_every_code_appears(muni):
    seen: dict[str, set] = {k: set() for k in ("frecuencia", "sentido", "tipo_formula", "dimension", "tipo",
                                               "acumulacion", "modalidad", "preset", "estado")}
    for p, ind in indicators(muni):
        seen["modalidad"].add(p["modalidad"])
        for k in ("frecuencia", "sentido", "tipo_formula", "dimension", "tipo"):
            seen[k].add(ind[k])
        seen["acumulacion"].update(v["acumulacion"] for v in ind["variables"])
        seen["preset"].add(ind["ficha"]["semaforizacion_preset"])
        seen["estado"].update(a["estado"] for a in ind["avances"])
    assert seen["frecuencia"] >= {"mensual", "bimestral", "trimestral", "cuatrimestral", "semestral", "anual",
                                  "bienal", "trienal"}
    assert seen["sentido"] == {"ascendente", "descendente", "regular"}
    assert seen["tipo_formula"] == {"porcentaje", "tasa_variacion", "razon", "promedio", "absoluto"}
    assert seen["acumulacion"] == {"suma", "ultimo_valor"}
    assert seen["modalidad"] == set("EBPFGSUKMO")
    assert seen["dimension"] == {"eficacia", "eficiencia", "calidad", "economia"}
    assert seen["tipo"] == {"estrategico", "gestion"}
    assert seen["preset"] == {"PRESET_A_BANDA_90_110", "PRESET_B_DESVIACION_POR_TIPO"}
    assert seen["estado"] == {"validado", "capturado"}


# ---- structure ---------------------------------------------------------------------------------------

def test_unique_ids_and_mir_structure(muni):
    agency_ids = [a["id"] for a in muni["agencies"]]
    assert len(set(agency_ids)) == len(agency_ids)
    assert len({a["clave"] for a in muni["agencies"]}) == len(agency_ids)
    keys = [p["clave"] for p in muni["programs"]]
    assert len(set(keys)) == len(keys)
    all_obj, all_ind = [], []
    for p in muni["programs"]:
        key = p["clave"]
        assert re.fullmatch(r"[EBPFGSUKMO]\d{3}", key) and key[0] == p["modalidad"] and p["id"] == key
        assert p["agency_id"] in agency_ids
        objs = {o["id"]: o for o in p["objectives"]}
        inds = {i["id"]: i for i in p["indicators"]}
        all_obj += list(objs)
        all_ind += list(inds)
        levels = [o["nivel"] for o in p["objectives"]]
        assert levels.count("FIN") == 1 and levels.count("PROPOSITO") == 1
        comps = [o for o in p["objectives"] if o["nivel"] == "COMPONENTE"]
        assert 2 <= len(comps) <= 4
        parent_level = {"PROPOSITO": "FIN", "COMPONENTE": "PROPOSITO", "ACTIVIDAD": "COMPONENTE"}
        for o in p["objectives"]:
            assert re.fullmatch(rf"{key}-(F|P|C\d|A\d\d)", o["id"])
            if o["nivel"] == "FIN":
                assert o["parent_id"] is None
            else:
                assert objs[o["parent_id"]]["nivel"] == parent_level[o["nivel"]]
            assert o["supuestos"] and o["indicator_ids"]
            for iid in o["indicator_ids"]:
                assert re.fullmatch(rf"{o['id']}-\d\d", iid) and inds[iid]["objective_id"] == o["id"]
        for c in comps:
            acts = [o for o in p["objectives"] if o["parent_id"] == c["id"]]
            assert 1 <= len(acts) <= 4
            assert all(a["id"] == f"{c['id'].replace('-C', '-A')}{a['orden']}" for a in acts)
        assert sorted(inds) == sorted(i for o in p["objectives"] for i in o["indicator_ids"])
    assert len(set(all_obj)) == len(all_obj) and len(set(all_ind)) == len(all_ind)


def test_no_float_anywhere(muni):
    def walk(x, path="$"):
        assert not isinstance(x, float), path
        if isinstance(x, Decimal):
            assert x.is_finite() and -x.as_tuple().exponent <= 2, (path, x)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{path}.{k}")
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, f"{path}[{i}]")
    walk(muni)
    walk(generate("mini_estado", seed=2))


def test_top_level_keys_presets_verbatim_and_cutoff(muni):
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert muni["fixture_version"] == "1.0" and "sintéticos" in muni["disclaimer"]
    assert set(muni) >= {"fixture_version", "disclaimer", "municipality", "fiscal_year", "cutoff",
                         "semaforo_presets", "agencies", "programs", "plan"}
    assert muni["semaforo_presets"] == fixture["semaforo_presets"]
    assert set(muni["municipality"]) >= {"nombre", "entidad_federativa", "clave_inegi"}
    assert muni["cutoff"]["date"] == "2026-12-31" and muni["cutoff"]["last_closed_month"] == "2026-09"
    assert muni["fiscal_year"] == 2026


def test_alignment_references_plan_texts(muni):
    plan = {}
    for eje in muni["plan"]:
        for obj in eje["objetivos"]:
            plan[(eje["nombre"], obj["nombre"])] = {e["nombre"] for e in obj["estrategias"]}
    for p in muni["programs"]:
        al = p["alineacion"]
        assert al["plan"].startswith("Plan Municipal de Desarrollo")
        assert al["estrategia"] in plan[(al["eje"], al["objetivo"])]


# ---- targets and fichas --------------------------------------------------------------------------------

def test_metas_have_exactly_the_periods_of_the_frequency(muni):
    multi = {True: 0, False: 0}
    for _p, ind in indicators(muni):
        got = [m["periodo"] for m in ind["metas_calendarizadas"]]
        f = ind["frecuencia"]
        if f in MULTI_YEAR:
            measured = (2026 - ind["ficha"]["anio_base"]) % MULTI_YEAR[f] == 0
            multi[measured] += 1
            assert got == (["2026"] if measured else [])
            assert (ind["meta_anual"]["valor"] is None) == (not measured)
        else:
            assert got == FREQUENCY_PERIODS[f], ind["id"]
        for m in ind["metas_calendarizadas"]:
            assert list(m["variables"]) == [v["clave"] for v in ind["variables"]]
    assert multi[True] and multi[False]


def test_meta_anual_equals_recomputed_value(muni):
    for _p, ind in indicators(muni):
        rows = [m["variables"] for m in ind["metas_calendarizadas"]]
        if not rows:
            continue
        expected = formula_value(ind, accumulate(ind, rows)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert ind["meta_anual"]["valor"] == expected, ind["id"]


def test_denominator_targets_never_zero_and_percentages_bounded(muni):
    for _p, ind in indicators(muni):
        roles = {v["rol"]: v["clave"] for v in ind["variables"]}
        for m in ind["metas_calendarizadas"]:
            vals = m["variables"]
            if "denominador" in roles:
                assert vals[roles["denominador"]] > 0, ind["id"]
            if ind["tipo_formula"] == "porcentaje":
                assert vals[roles["numerador"]] <= vals[roles["denominador"]], ind["id"]
            assert formula_value(ind, vals) > 0, ind["id"]
        if ind["tipo_formula"] == "porcentaje" and ind["meta_anual"]["valor"] is not None:
            assert ind["meta_anual"]["valor"] <= 100


def test_ficha_fields(muni):
    for _p, ind in indicators(muni):
        t = ind["tipo_formula"]
        assert ind["nombre"] and ind["definicion"] and ind["metodo_calculo"]
        if t in ("porcentaje", "tasa_variacion"):
            assert ind["unidad_medida"] == "Porcentaje"
            assert ind["nombre"].startswith("Porcentaje" if t == "porcentaje" else "Tasa de variación")
        if t == "promedio":
            assert ind["nombre"].startswith("Promedio")
        if t == "absoluto":
            assert ind["objective_id"].split("-")[1].startswith("A")
        if ind["objective_id"].endswith(("-F", "-P")):
            assert ind["tipo"] == "estrategico" and ind["frecuencia"] in ("anual", "semestral", "bienal", "trienal")
        lb = ind["linea_base"]
        assert lb["anio"] == 2025 and isinstance(lb["valor"], Decimal)
        assert ind["medios_verificacion"] and all(len(m) >= 15 for m in ind["medios_verificacion"])
        for v in ind["variables"]:
            assert v["fuente"] and any(v["fuente"] in m for m in ind["medios_verificacion"])
            assert re.fullmatch(r"[A-Z][A-Za-z0-9_]*", v["clave"]) and v["clave"] in ind["metodo_calculo"]
        f = ind["ficha"]
        assert f["responsable_medicion"] and f["disponibilidad_informacion"] and f["semaforizacion_preset"]


# ---- captures ------------------------------------------------------------------------------------------

def test_captures_respect_the_rules(muni):
    """Values ≥ 0, sin eventos never AV-003, estado by month, and a justification on every capture whose
    period % or cumulative % (to that period, DOMAIN.md §f) is outside the green band of its preset (AV-006)."""
    def outside(ind, pct):
        pct = pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not 90 <= pct <= 110:
            return True
        limit = 10 if ind["tipo"] == "estrategico" else 5
        return ind["ficha"]["semaforizacion_preset"] == "PRESET_B_DESVIACION_POR_TIPO" and abs(pct - 100) > limit

    for _p, ind in indicators(muni):
        targets = {m["periodo"]: m["variables"] for m in ind["metas_calendarizadas"]}
        roles = {v["rol"]: v["clave"] for v in ind["variables"]}
        captures = {a["periodo"]: a for a in ind["avances"]}
        assert list(captures) == [p for p in targets if p in captures]  # period order
        due_targets, captured = [], []
        for period, target in targets.items():
            if period not in captures:
                due_targets.append(target)
                continue
            a = captures[period]
            due_targets.append(target)
            captured.append(a["variables"])
            assert a["estado"] == ("validado" if end_month(period) <= 9 else "capturado")
            assert all(x >= 0 for x in a["variables"].values())
            if "denominador" in roles and a["variables"][roles["denominador"]] == 0:
                assert a["variables"][roles["numerador"]] == 0  # sin eventos, never AV-003
            value = formula_value(ind, a["variables"])
            needs = value is not None and outside(ind, progress(ind, value, formula_value(ind, target)))
            cumulative = formula_value(ind, accumulate(ind, captured))
            if cumulative is not None:
                needs = needs or outside(ind, progress(ind, cumulative, formula_value(ind, accumulate(ind,
                                                                                                   due_targets))))
            if needs:
                assert a["justificacion"] and len(a["justificacion"]) > 30, (ind["id"], period)


def test_cutoff_month_limits_captures():
    data = generate("mini", seed=3, cutoff_month=6)
    assert data["cutoff"]["date"] == "2026-06-30" and data["cutoff"]["last_closed_month"] == "2026-06"
    n = 0
    for _p, ind in indicators(data):
        for a in ind["avances"]:
            assert end_month(a["periodo"]) <= 6 and a["estado"] == "validado"
            n += 1
    assert n > 0


# ---- Spanish text --------------------------------------------------------------------------------------

NOMINAL = ("ción", "sión", "ión", "miento", "je", "nza", "ncia")
ALLOWED = {"entrega", "atención", "registro", "recepción", "compra", "visita", "gestión", "integración",
           "validación", "supervisión", "difusión", "capacitación", "elaboración", "realización", "impartición",
           "dictaminación", "adquisición", "actualización"}
PARTICIPLE = re.compile(r"(ado|ada|ados|adas|ido|ida|idos|idas|to|ta|tos|tas|cho|cha)$")


def test_resumen_narrativo_follows_the_syntax_rules(muni):
    for p in muni["programs"]:
        texts = [o["resumen_narrativo"] for o in p["objectives"]]
        assert len(set(texts)) == len(texts), p["clave"]
        for o in p["objectives"]:
            text = o["resumen_narrativo"]
            words = [w.strip(".,;:").lower() for w in text.split()]
            assert len(text) >= 20 and text.endswith(".")
            if o["nivel"] == "FIN":
                assert text.startswith("Contribuir a ") and " mediante " in text
                continue
            assert not words[0].endswith(("ar", "er", "ir")), text
            assert "así como" not in text
            if o["nivel"] == "PROPOSITO":
                assert any(w.endswith(("a", "an", "e", "en")) for w in words[1:]), text
            elif o["nivel"] == "COMPONENTE":
                assert any(PARTICIPLE.search(w) for w in words), text
            else:
                assert words[0].endswith(NOMINAL) or words[0] in ALLOWED, text


def test_state_wording_smoke():
    data = generate("mini_estado", seed=1)
    assert data["municipality"]["tipo"] == "entidad"  # organization.kind in the database
    assert data["plan"][0]["plan"].startswith("Plan Estatal de Desarrollo")
    assert any(a["nombre"].startswith("Delegación Regional") for a in data["agencies"])
    text = json.dumps(data, default=str, ensure_ascii=False)
    assert "{amb}" not in text and "{adj" not in text and "{a}" not in text and "municipal " not in text.lower()


# ---- the project's own reader, validator and engine ------------------------------------------------------

def test_project_validator_and_engine_find_no_errors():
    from sistema_seguimiento.core import engine, exchange, semaforo, validation

    data = generate("mini", seed=11)
    doc = exchange.read_exchange(exchange.loads(exchange.dumps(data)))
    ctx = validation.ValidationContext(fiscal_year=2026, cutoff=date(2026, 12, 31),
                                       known_agencies={a.key for a in doc.agencies})
    findings = validation.validate_all(doc.programs, ctx)
    assert [f for f in findings if f.severity == "error"] == []
    assert {f.rule_id for f in findings if f.severity == "warning"} <= {"AV-001"}
    for program in doc.programs:
        for ind in program.indicators:
            result = engine.compute_indicator(
                ind.spec(), ind.targets, {m.period: m.values for m in ind.measurements}, date(2026, 12, 31),
                semaforo.get_preset(ind.preset_key), fiscal_year=2026, base_year=ind.base_year,
                justified_periods={m.period for m in ind.measurements if m.justification})
            assert [f for f in result.findings if f.severity == "error"] == [], ind.key
            if result.annual_target is not None:
                assert result.annual_target.quantize(Decimal("0.01"), ROUND_HALF_UP) == ind.annual_target
