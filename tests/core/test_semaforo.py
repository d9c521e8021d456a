from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from fixture_specs import load_fixture
from sistema_seguimiento.core.semaforo import (BUILTIN_PRESETS, Classification, DeviationThreshold,
                                               FLAG_DESVIACION_POR_EXCESO_CRITICO, KIND_DEVIATION, KIND_RANGES,
                                               PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO,
                                               PRESET_C_UMBRAL_MINIMO, Preset, PresetError, Range, classify,
                                               get_preset, is_overachievement, preset_from_dict, preset_to_dict)
from sistema_seguimiento.core.types import DescendingMethod, Direction, IndicatorType, Light

D = Decimal
ASC, DESC, REG = Direction.ASCENDENTE, Direction.DESCENDENTE, Direction.REGULAR
EST, GES = IndicatorType.ESTRATEGICO, IndicatorType.GESTION
V, A, R, G = Light.VERDE, Light.AMARILLO, Light.ROJO, Light.GRIS


@pytest.mark.parametrize("pct, light, flags", [
    ("0", R, []),
    ("79.99", R, []),
    ("80.00", A, []),
    ("89.99", A, []),
    ("90.00", V, []),
    ("100", V, []),
    ("110.00", V, []),
    ("110.01", A, ["SOBRECUMPLIMIENTO"]),
    ("130.00", A, ["SOBRECUMPLIMIENTO"]),
    ("130.01", R, ["SOBRECUMPLIMIENTO_CRITICO"]),
    ("200", R, ["SOBRECUMPLIMIENTO_CRITICO"]),
    ("-5", R, []),
])
@pytest.mark.parametrize("direction", [ASC, DESC])
def test_preset_a_bands(pct, light, flags, direction):
    c = classify(D(pct), PRESET_A_BANDA_90_110, GES, direction)
    assert c == Classification(light, flags, light != V or bool(flags))


@pytest.mark.parametrize("pct, light, flags", [
    ("120", A, ["DESVIACION_POR_EXCESO"]),
    ("131", R, [FLAG_DESVIACION_POR_EXCESO_CRITICO]),
    ("85", A, []),
    ("100", V, []),
])
def test_preset_a_regular_renames_overachievement(pct, light, flags):
    c = classify(D(pct), PRESET_A_BANDA_90_110, EST, REG)
    assert (c.light, c.flags, c.needs_justification) == (light, flags, light != V)
    assert FLAG_DESVIACION_POR_EXCESO_CRITICO == "DESVIACION_POR_EXCESO_CRITICO"


@pytest.mark.parametrize("preset", list(BUILTIN_PRESETS.values()))
def test_none_is_gris_without_justification(preset):
    assert classify(None, preset, EST, ASC) == Classification(G, [], False)


@pytest.mark.parametrize("ind_type, pct, light, flags", [
    (EST, "100", V, []),
    (EST, "90.00", V, []),
    (EST, "89.99", A, []),
    (EST, "85.00", A, []),
    (EST, "84.99", R, []),
    (EST, "110.00", V, []),
    (EST, "110.01", A, ["SOBRECUMPLIMIENTO"]),
    (EST, "115.00", A, ["SOBRECUMPLIMIENTO"]),
    (EST, "115.01", R, ["SOBRECUMPLIMIENTO"]),
    (GES, "95.00", V, []),
    (GES, "94.99", A, []),
    (GES, "90.00", A, []),
    (GES, "89.99", R, []),
    (GES, "105.00", V, []),
    (GES, "105.01", A, []),
    (GES, "110.00", A, []),
    (GES, "110.01", R, ["SOBRECUMPLIMIENTO"]),
])
def test_preset_b_deviation_by_type(ind_type, pct, light, flags):
    c = classify(D(pct), PRESET_B_DESVIACION_POR_TIPO, ind_type, ASC)
    assert c == Classification(light, flags, light != V or bool(flags))


def test_preset_b_accepts_plain_strings_and_renames_for_regular():
    c = classify(D("111"), PRESET_B_DESVIACION_POR_TIPO, "estrategico", "regular")
    assert c == Classification(A, ["DESVIACION_POR_EXCESO"], True)


@pytest.mark.parametrize("pct, light, flags, needs", [
    ("84.99", R, [], True),
    ("85.00", A, [], True),
    ("94.99", A, [], True),
    ("95.00", V, [], False),
    ("110.00", V, [], False),
    ("110.01", V, ["SOBRECUMPLIMIENTO"], True),  # colour stays verde, the flag reports it
    ("180", V, ["SOBRECUMPLIMIENTO"], True),
])
def test_preset_c_minimum_threshold(pct, light, flags, needs):
    assert classify(D(pct), PRESET_C_UMBRAL_MINIMO, GES, ASC) == Classification(light, flags, needs)


def test_overachievement_helper():
    assert is_overachievement(["SOBRECUMPLIMIENTO"])
    assert is_overachievement(["DATOS_INCOMPLETOS", "DESVIACION_POR_EXCESO"])
    assert not is_overachievement(["DATOS_INCOMPLETOS", "META_CERO"])


def test_classification_flags_are_independent_lists():
    first = classify(D(120), PRESET_A_BANDA_90_110, GES, ASC)
    first.flags.append("X")
    assert classify(D(120), PRESET_A_BANDA_90_110, GES, ASC).flags == ["SOBRECUMPLIMIENTO"]


def test_gap_in_custom_ranges_is_gris():
    preset = Preset("P", "con hueco", ranges=(Range(V, D(90), True, D(110), True, None, False),))
    assert classify(D(50), preset, GES, ASC).light == G
    assert classify(D(100), preset, GES, ASC) == Classification(V, [], False)


def test_custom_range_may_require_justification_on_verde():
    preset = Preset("P", "estricto", ranges=(Range(V, None, True, None, True, None, True),))
    assert classify(D(100), preset, GES, ASC) == Classification(V, [], True)


# ---------------------------------------------------------------------------------------------- data shape

def test_fixture_presets_equal_builtins():
    presets = load_fixture()["semaforo_presets"]
    for key, data in presets.items():
        assert preset_from_dict(key, data) == BUILTIN_PRESETS[key]


def test_to_dict_reproduces_the_fixture_ranges():
    data = load_fixture()["semaforo_presets"]["PRESET_A_BANDA_90_110"]
    out = preset_to_dict(PRESET_A_BANDA_90_110)
    assert out["rangos"] == [{k: (None if v is None else str(v)) for k, v in r.items()} for r in data["rangos"]]
    assert out["descendente_formula"] == data["descendente_formula"]
    b = preset_to_dict(PRESET_B_DESVIACION_POR_TIPO)
    assert b["estrategico"] == {"verde_max_incl": "10", "amarillo_max_incl": "15"}
    assert b["gestion"] == {"verde_max_incl": "5", "amarillo_max_incl": "10"}


@pytest.mark.parametrize("preset", list(BUILTIN_PRESETS.values()))
def test_round_trip(preset):
    assert preset_from_dict(preset.key, preset_to_dict(preset)) == preset


def test_from_dict_variants():
    p = preset_from_dict("MIO", {
        "nombre": "Propio", "descendente_formula": "inversa", "aplica_a": ["ascendente"],
        "rangos": [{"color": "rojo", "min": None, "max_excl": 70},
                   {"color": "verde", "min_incl": 70, "max": None, "justificacion": True}]})
    assert p.kind == KIND_RANGES and p.descending_method == DescendingMethod.INVERSA
    assert p.applies_to == (ASC,)
    assert p.ranges[1] == Range(V, D(70), True, None, True, None, True)
    assert classify(D(70), p, GES, ASC) == Classification(V, [], True)
    b = preset_from_dict("B2", {"estrategico": {"verde_max_incl": "2", "amarillo_max_incl": "4"},
                                "gestion": {"verde_max_incl": "1", "amarillo_max_incl": "3"},
                                "sobrecumplimiento_mayor_a": None})
    assert b.kind == KIND_DEVIATION and b.overachievement_above is None
    assert b.thresholds_for(GES) == DeviationThreshold(GES, D(1), D(3))
    assert classify(D(150), b, GES, ASC) == Classification(R, [], True)


@pytest.mark.parametrize("data, fragment", [
    ({}, "no tiene rangos ni umbrales"),
    ({"rangos": []}, "no tiene rangos"),
    ({"rangos": [{"color": "morado", "min": None, "max": None}]}, "color no válido"),
    ({"rangos": [{"color": "verde", "min": "10", "max_excl": "5"}]}, "está vacío"),
    ({"rangos": [{"color": "verde", "min": "abc"}]}, "no numérico"),
    ({"estrategico": {"verde_max_incl": "10", "amarillo_max_incl": "15"}}, "gestion"),
    ({"estrategico": {"verde_max_incl": "10", "amarillo_max_incl": "5"},
      "gestion": {"verde_max_incl": "5", "amarillo_max_incl": "10"}}, "0 ≤ verde ≤ amarillo"),
    ({"rangos": [{"color": "verde"}], "descendente_formula": "cuadrática"}, "fórmula descendente"),
])
def test_from_dict_errors(data, fragment):
    with pytest.raises(PresetError) as info:
        preset_from_dict("X", data)
    assert fragment in str(info.value)


def test_get_preset():
    assert get_preset(None) is PRESET_A_BANDA_90_110
    assert get_preset("PRESET_C_UMBRAL_MINIMO") is PRESET_C_UMBRAL_MINIMO
    custom = Preset("PROPIO", "Propio", ranges=(Range(V),))
    assert get_preset("PROPIO", {"PROPIO": custom}) is custom
    with pytest.raises(PresetError):
        get_preset("NO_EXISTE")


# ---------------------------------------------------------------------------------------------- property (d)

_SEVERITY = {V: 0, A: 1, R: 2}
_pct = st.decimals(min_value=D("-50"), max_value=D("250"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(_pct, _pct)
def test_preset_a_is_monotone_for_ascendente(a, b):
    low, high = min(a, b), max(a, b)
    c_low = classify(low, PRESET_A_BANDA_90_110, GES, ASC)
    c_high = classify(high, PRESET_A_BANDA_90_110, GES, ASC)
    if high <= 110:
        # below the band's upper bound: more progress never worsens the colour
        assert _SEVERITY[c_high.light] <= _SEVERITY[c_low.light]
    if low >= 110:
        # above it, more over-achievement never improves the colour
        assert _SEVERITY[c_high.light] >= _SEVERITY[c_low.light]
    for c, pct in ((c_low, low), (c_high, high)):
        assert (c.light == V) == (D(90) <= pct <= D(110))
        assert c.needs_justification == (c.light != V)


@settings(max_examples=200, deadline=None)
@given(_pct, st.sampled_from([EST, GES]))
def test_preset_b_is_symmetric_around_100(pct, ind_type):
    mirrored = D(200) - pct
    assert classify(pct, PRESET_B_DESVIACION_POR_TIPO, ind_type, ASC).light == \
        classify(mirrored, PRESET_B_DESVIACION_POR_TIPO, ind_type, ASC).light
