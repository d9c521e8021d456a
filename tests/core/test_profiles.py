"""State profiles are data: both shipped files load and are checked; bad definitions say what is wrong."""
from decimal import Decimal

import pytest

from sistema_seguimiento.core.profiles import ProfileError, profile_from_dict
from sistema_seguimiento.core.semaforo import classify
from sistema_seguimiento.core.types import Light
from sistema_seguimiento.services import profiles


def test_shipped_profiles_load():
    keys = [k for k, _ in profiles.available()]
    assert keys[0] == "generico" and "edomex" in keys
    edomex = profiles.load("edomex")
    assert edomex.calendar == "trimestral" and edomex.justification == "tarjeta"
    assert edomex.label("dependencia") == "Dependencia General" and edomex.label("unidad") == "Dependencia Auxiliar"
    assert [s.label for s in edomex.signatures] == ["Elaboró", "Validó"]
    assert "pbrm-08b" in edomex.formats and profiles.load("generico").formats == ()


def test_edomex_semaforo_is_the_ef_band():
    preset = profiles.load("edomex").semaforo
    lights = {pct: classify(Decimal(pct), preset, "gestion", "ascendente") for pct in
              ("89.99", "90", "110", "110.01", "131")}
    assert lights["90"].light == Light.VERDE and lights["110"].light == Light.VERDE
    assert all(lights[p].light == Light.ROJO for p in ("89.99", "110.01", "131"))
    assert "SOBRECUMPLIMIENTO" in lights["110.01"].flags and lights["131"].needs_justification


@pytest.mark.parametrize("data, words", [
    ({}, "nombre"),
    ({"nombre": "X", "calendario": "semanal"}, "calendario"),
    ({"nombre": "X", "firmas": [{"clave": "a"}]}, "firma 1"),
    ({"nombre": "X", "semaforo": {"clave": "P", "rangos": []}}, "semáforo"),
    ({"nombre": "X", "formatos": "pbrm-08b"}, "formatos"),
])
def test_bad_profiles_are_refused_in_spanish(data, words):
    with pytest.raises(ProfileError, match=words):
        profile_from_dict("prueba", data)


def test_unknown_profile_lists_the_available_ones():
    with pytest.raises(Exception, match="generico"):
        profiles.load("yucatan")
