"""Semáforo (traffic-light) presets as data, and the classification of a rounded % de avance.

DOMAIN.md §h. A preset is either a list of ranges over the % de avance (presets A and C) or
deviation thresholds ``d = |% − 100|`` per indicator type (preset B). Presets also carry the
*descendente* progress formula they use (§g). The classification is always done on the % already
rounded to 2 decimals, so the printed number and the colour agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from .numbers import NumberParseError, to_decimal
from .types import (DescendingMethod, Direction, FLAG_DESVIACION_POR_EXCESO, FLAG_SOBRECUMPLIMIENTO,
                    FLAG_SOBRECUMPLIMIENTO_CRITICO, IndicatorType, Light)

__all__ = [
    "Range", "DeviationThreshold", "Preset", "Classification", "classify", "preset_from_dict", "preset_to_dict",
    "PRESET_A_BANDA_90_110", "PRESET_B_DESVIACION_POR_TIPO", "PRESET_C_UMBRAL_MINIMO", "BUILTIN_PRESETS",
    "DEFAULT_PRESET_KEY", "KIND_RANGES", "KIND_DEVIATION", "FLAG_DESVIACION_POR_EXCESO_CRITICO",
    "OVERACHIEVEMENT_FLAGS", "is_overachievement", "get_preset", "PresetError", "compile_classifier",
]

KIND_RANGES = "ranges"
KIND_DEVIATION = "deviation_by_type"

#: Regular indicators rename SOBRECUMPLIMIENTO* to DESVIACION_POR_EXCESO* (string replacement, as the
#: reference calculator does), so the critical band becomes this code.
FLAG_DESVIACION_POR_EXCESO_CRITICO = "DESVIACION_POR_EXCESO_CRITICO"

#: Flags that mean "the target was exceeded" (reports list them as *metas superadas*).
OVERACHIEVEMENT_FLAGS = frozenset({FLAG_SOBRECUMPLIMIENTO, FLAG_SOBRECUMPLIMIENTO_CRITICO,
                                   FLAG_DESVIACION_POR_EXCESO, FLAG_DESVIACION_POR_EXCESO_CRITICO})

_ALL_DIRECTIONS = (Direction.ASCENDENTE, Direction.DESCENDENTE, Direction.REGULAR)
_DESCENDING_TEXT = {
    DescendingMethod.LINEAL: "lineal: ((2*meta - logrado)/meta)*100",
    DescendingMethod.INVERSA: "inversa: (meta/logrado)*100",
}


# user-visible texts (Spanish)
MSG = {
    "no_thresholds": "El preset {key} no define umbrales para indicadores de tipo «{type}».",
    "bad_kind": "El preset {key} tiene un tipo no válido: «{kind}».",
    "unknown": "No existe el preset de semaforización «{key}».",
    "not_numeric": "El preset {key} tiene un valor no numérico en «{field}»: {value!r}.",
    "bad_descending": "El preset {key} tiene una fórmula descendente no válida: «{value}» (lineal o inversa).",
    "bad_color": "El rango {n} del preset {key} tiene un color no válido: {value!r}.",
    "empty_range": "El rango {n} del preset {key} está vacío ({lo} a {hi}).",
    "no_shape": "El preset {key} no tiene rangos ni umbrales por tipo de indicador.",
    "bad_direction": "El preset {key} tiene un sentido no válido en «aplica_a».",
    "no_ranges": "El preset {key} no tiene rangos.",
    "bad_order": "El preset {key}: los umbrales de «{type}» deben cumplir 0 ≤ verde ≤ amarillo.",
}


class PresetError(ValueError):
    """Invalid preset definition (Spanish message)."""


@dataclass(frozen=True)
class Range:
    """One band of % de avance. ``None`` bounds are open (−∞ / +∞)."""

    color: Light
    min: Decimal | None = None
    min_inclusive: bool = True
    max: Decimal | None = None
    max_inclusive: bool = False
    flag: str | None = None
    justification: bool = True  # a capture in this band must carry a justification

    def contains(self, pct: Decimal) -> bool:
        lo = self.min
        if lo is not None and (pct < lo if self.min_inclusive else pct <= lo):
            return False
        hi = self.max
        if hi is not None and (pct > hi if self.max_inclusive else pct >= hi):
            return False
        return True


@dataclass(frozen=True)
class DeviationThreshold:
    """Preset B thresholds for one indicator type: verde if d ≤ green_max, amarillo if d ≤ yellow_max."""

    indicator_type: IndicatorType
    green_max: Decimal
    yellow_max: Decimal


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    description: str = ""
    kind: str = KIND_RANGES  # KIND_RANGES | KIND_DEVIATION
    ranges: tuple[Range, ...] = ()
    deviation_thresholds: tuple[DeviationThreshold, ...] = ()
    descending_method: DescendingMethod = DescendingMethod.LINEAL
    # deviation presets: flag SOBRECUMPLIMIENTO when % > this value, independently of the colour
    overachievement_above: Decimal | None = None
    applies_to: tuple[Direction, ...] = _ALL_DIRECTIONS

    def thresholds_for(self, indicator_type: IndicatorType | str) -> DeviationThreshold:
        for t in self.deviation_thresholds:
            if t.indicator_type == indicator_type:
                return t
        raise PresetError(MSG["no_thresholds"].format(key=self.key, type=indicator_type))


@dataclass
class Classification:
    light: Light
    flags: list[str] = field(default_factory=list)
    needs_justification: bool = False


def _regular(flags: list[str], direction: Direction | str) -> list[str]:
    if direction == Direction.REGULAR:
        return [f.replace(FLAG_SOBRECUMPLIMIENTO, FLAG_DESVIACION_POR_EXCESO) for f in flags]
    return flags


ClassifierResult = tuple  # (Light, tuple[str, ...] flags, bool needs_justification)
_GRIS_RESULT: ClassifierResult = (Light.GRIS, (), False)
_COMPILED: dict[tuple[int, str, str], tuple[Preset, Callable[[Decimal | None], ClassifierResult]]] = {}


def compile_classifier(preset: Preset, indicator_type: IndicatorType | str,
                       direction: Direction | str) -> Callable[[Decimal | None], ClassifierResult]:
    """A fast ``pct_rounded -> (light, flags tuple, needs_justification)`` function (cached per preset
    object, indicator type and direction). :func:`classify` is the friendly wrapper."""
    cache_key = (id(preset), str(indicator_type), str(direction))
    hit = _COMPILED.get(cache_key)
    if hit is not None and hit[0] is preset:
        return hit[1]
    fn = _build_classifier(preset, indicator_type, direction)
    if len(_COMPILED) > 512:
        _COMPILED.clear()
    _COMPILED[cache_key] = (preset, fn)
    return fn


def _build_classifier(preset: Preset, indicator_type: IndicatorType | str,
                      direction: Direction | str) -> Callable[[Decimal | None], ClassifierResult]:
    if preset.kind == KIND_RANGES:
        bands = []
        for rng in preset.ranges:
            flags = tuple(_regular([rng.flag], direction)) if rng.flag else ()
            result = (Light(rng.color), flags, rng.justification or bool(flags))
            bands.append((rng.min, rng.min_inclusive, rng.max, rng.max_inclusive, result))
        bands_t = tuple(bands)

        def by_ranges(pct: Decimal | None) -> ClassifierResult:
            if pct is None:
                return _GRIS_RESULT
            for lo, lo_inc, hi, hi_inc, result in bands_t:
                if lo is not None and (pct < lo if lo_inc else pct <= lo):
                    continue
                if hi is not None and (pct > hi if hi_inc else pct >= hi):
                    continue
                return result
            return _GRIS_RESULT  # a gap in a custom preset
        return by_ranges

    if preset.kind != KIND_DEVIATION:
        raise PresetError(MSG["bad_kind"].format(key=preset.key, kind=preset.kind))
    thresholds = preset.thresholds_for(indicator_type)
    green, yellow = thresholds.green_max, thresholds.yellow_max
    above = preset.overachievement_above
    over_flags = tuple(_regular([FLAG_SOBRECUMPLIMIENTO], direction))
    results = {(light, over): (light, over_flags if over else (), light != Light.VERDE or over)
               for light in (Light.VERDE, Light.AMARILLO, Light.ROJO) for over in (False, True)}

    def by_deviation(pct: Decimal | None) -> ClassifierResult:
        if pct is None:
            return _GRIS_RESULT
        deviation = abs(pct - 100)
        if deviation <= green:
            light = Light.VERDE
        elif deviation <= yellow:
            light = Light.AMARILLO
        else:
            light = Light.ROJO
        return results[(light, above is not None and pct > above)]
    return by_deviation


def classify(pct_rounded: Decimal | None, preset: Preset, indicator_type: IndicatorType | str,
             direction: Direction | str) -> Classification:
    """Colour and flags of a % de avance already rounded to 2 decimals (None → gris).

    For ``regular`` indicators over-achievement flags become ``DESVIACION_POR_EXCESO`` (and
    ``SOBRECUMPLIMIENTO_CRITICO`` → ``DESVIACION_POR_EXCESO_CRITICO``). Under a deviation preset (B),
    over-achievement (> ``overachievement_above``) is flagged independently of the colour.
    ``needs_justification``: the colour is not verde or a flag is raised (never for gris); custom ranges
    may also require it through ``Range.justification``.
    """
    light, flags, needs = compile_classifier(preset, indicator_type, direction)(pct_rounded)
    return Classification(light, list(flags), needs)


def is_overachievement(flags: Iterable[str]) -> bool:
    return any(f in OVERACHIEVEMENT_FLAGS for f in flags)


# --------------------------------------------------------------------------------------------------
# built-in presets (DOMAIN.md §h)

_D = Decimal

PRESET_A_BANDA_90_110 = Preset(
    key="PRESET_A_BANDA_90_110",
    name="Banda 90–110 %",
    description="Banda de cumplimiento 90-110 % con alertas de sobrecumplimiento (práctica común; rangos no "
                "atribuidos a una norma específica).",
    kind=KIND_RANGES,
    ranges=(
        Range(Light.ROJO, None, True, _D(80), False, None, True),
        Range(Light.AMARILLO, _D(80), True, _D(90), False, None, True),
        Range(Light.VERDE, _D(90), True, _D(110), True, None, False),
        Range(Light.AMARILLO, _D(110), False, _D(130), True, FLAG_SOBRECUMPLIMIENTO, True),
        Range(Light.ROJO, _D(130), False, None, True, FLAG_SOBRECUMPLIMIENTO_CRITICO, True),
    ),
    descending_method=DescendingMethod.LINEAL,
)

PRESET_B_DESVIACION_POR_TIPO = Preset(
    key="PRESET_B_DESVIACION_POR_TIPO",
    name="Desviación por tipo de indicador",
    description="Desviación absoluta |%avance-100| con umbrales por tipo de indicador (estilo federal; umbrales "
                "NO verificados en fuente primaria).",
    kind=KIND_DEVIATION,
    deviation_thresholds=(
        DeviationThreshold(IndicatorType.ESTRATEGICO, _D(10), _D(15)),
        DeviationThreshold(IndicatorType.GESTION, _D(5), _D(10)),
    ),
    descending_method=DescendingMethod.LINEAL,
    overachievement_above=_D(110),
)

PRESET_C_UMBRAL_MINIMO = Preset(
    key="PRESET_C_UMBRAL_MINIMO",
    name="Umbral mínimo 95 %",
    description="Umbral mínimo de un solo lado (tableros de indicadores ascendentes): verde desde 95 %, "
                "amarillo de 85 % a menos de 95 %, rojo debajo de 85 %; el sobrecumplimiento (> 110 %) se "
                "señala sin cambiar el color.",
    kind=KIND_RANGES,
    ranges=(
        Range(Light.ROJO, None, True, _D(85), False, None, True),
        Range(Light.AMARILLO, _D(85), True, _D(95), False, None, True),
        Range(Light.VERDE, _D(95), True, _D(110), True, None, False),
        Range(Light.VERDE, _D(110), False, None, True, FLAG_SOBRECUMPLIMIENTO, True),
    ),
    descending_method=DescendingMethod.LINEAL,
    applies_to=(Direction.ASCENDENTE,),
)

BUILTIN_PRESETS: dict[str, Preset] = {
    p.key: p for p in (PRESET_A_BANDA_90_110, PRESET_B_DESVIACION_POR_TIPO, PRESET_C_UMBRAL_MINIMO)
}
DEFAULT_PRESET_KEY = PRESET_A_BANDA_90_110.key


def get_preset(key: str | None, custom: Mapping[str, Preset] | None = None) -> Preset:
    """A preset by key (custom ones first); None → the default preset A."""
    if key is None:
        return PRESET_A_BANDA_90_110
    if custom and key in custom:
        return custom[key]
    try:
        return BUILTIN_PRESETS[key]
    except KeyError:
        raise PresetError(MSG["unknown"].format(key=key)) from None


# --------------------------------------------------------------------------------------------------
# (de)serialisation in the fixture / SES JSON shape

def _dec(value: Any, key: str, what: str) -> Decimal:
    try:
        return to_decimal(value)
    except NumberParseError:
        raise PresetError(MSG["not_numeric"].format(key=key, field=what, value=value)) from None


def _descending(value: Any, key: str) -> DescendingMethod:
    if value is None:
        return DescendingMethod.LINEAL
    if isinstance(value, DescendingMethod):
        return value
    text = str(value).strip().lower()
    for method in DescendingMethod:
        if text.startswith(method.value):
            return method
    raise PresetError(MSG["bad_descending"].format(key=key, value=value))


def _bound(r: Mapping[str, Any], key: str, side: str) -> tuple[Decimal | None, bool]:
    """(value, inclusive) of a range's ``min``/``max`` side: ``<side>_excl``, ``<side>_incl`` or ``<side>``."""
    for field, inclusive in ((f"{side}_excl", False), (f"{side}_incl", True), (side, True)):
        if r.get(field) is not None:
            return _dec(r[field], key, field), inclusive
    return None, True


def _range_from_dict(key: str, i: int, r: Mapping[str, Any]) -> Range:
    try:
        color = Light(r["color"])
    except (KeyError, ValueError):
        raise PresetError(MSG["bad_color"].format(n=i + 1, key=key, value=r.get("color"))) from None
    lo, lo_inc = _bound(r, key, "min")
    hi, hi_inc = _bound(r, key, "max")
    if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_inc and hi_inc))):
        raise PresetError(MSG["empty_range"].format(n=i + 1, key=key, lo=lo, hi=hi))
    flag = r.get("flag") or r.get("bandera") or None
    default_just = color != Light.VERDE or flag is not None
    just = r.get("justificacion", default_just)
    return Range(color, lo, lo_inc, hi, hi_inc, flag, bool(just))


def preset_from_dict(key: str, d: Mapping[str, Any]) -> Preset:
    """Read a preset in the fixture's ``semaforo_presets`` shape (ranges with ``min``/``min_excl``/
    ``max_excl``/``max_incl``/``flag``, or per-type ``verde_max_incl``/``amarillo_max_incl``)."""
    kind = d.get("tipo")
    if kind is None:
        if "rangos" in d:
            kind = KIND_RANGES
        elif any(t.value in d for t in IndicatorType):
            kind = KIND_DEVIATION
        else:
            raise PresetError(MSG["no_shape"].format(key=key))
    if kind not in (KIND_RANGES, KIND_DEVIATION):
        raise PresetError(MSG["bad_kind"].format(key=key, kind=kind))
    builtin = BUILTIN_PRESETS.get(key)
    name = d.get("nombre") or (builtin.name if builtin else key)
    try:
        applies = tuple(Direction(x) for x in d.get("aplica_a", [x.value for x in _ALL_DIRECTIONS]))
    except ValueError:
        raise PresetError(MSG["bad_direction"].format(key=key)) from None
    common = dict(key=key, name=name, description=d.get("descripcion", ""), kind=kind,
                  descending_method=_descending(d.get("descendente_formula"), key), applies_to=applies)
    if kind == KIND_RANGES:
        rangos = d.get("rangos") or []
        if not rangos:
            raise PresetError(MSG["no_ranges"].format(key=key))
        return Preset(ranges=tuple(_range_from_dict(key, i, r) for i, r in enumerate(rangos)), **common)
    thresholds = []
    for t in IndicatorType:
        spec = d.get(t.value)
        if spec is None:
            raise PresetError(MSG["no_thresholds"].format(key=key, type=t.value))
        green = _dec(spec.get("verde_max_incl"), key, f"{t.value}.verde_max_incl")
        yellow = _dec(spec.get("amarillo_max_incl"), key, f"{t.value}.amarillo_max_incl")
        if green < 0 or yellow < green:
            raise PresetError(MSG["bad_order"].format(key=key, type=t.value))
        thresholds.append(DeviationThreshold(t, green, yellow))
    over = d.get("sobrecumplimiento_mayor_a", "110")
    return Preset(deviation_thresholds=tuple(thresholds),
                  overachievement_above=None if over is None else _dec(over, key, "sobrecumplimiento_mayor_a"),
                  **common)


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """Inverse of :func:`preset_from_dict` (numbers as strings)."""
    out: dict[str, Any] = {
        "nombre": preset.name,
        "descripcion": preset.description,
        "tipo": preset.kind,
        "aplica_a": [d.value for d in preset.applies_to],
        "descendente_formula": _DESCENDING_TEXT[DescendingMethod(preset.descending_method)],
    }
    if preset.kind == KIND_RANGES:
        rangos = []
        for r in preset.ranges:
            item: dict[str, Any] = {"color": r.color.value}
            if r.min is None:
                item["min"] = None
            else:
                item["min" if r.min_inclusive else "min_excl"] = str(r.min)
            if r.max is None:
                item["max"] = None
            else:
                item["max_incl" if r.max_inclusive else "max_excl"] = str(r.max)
            if r.flag:
                item["flag"] = r.flag
            if r.justification != (r.color != Light.VERDE or r.flag is not None):
                item["justificacion"] = r.justification
            rangos.append(item)
        out["rangos"] = rangos
    else:
        for t in preset.deviation_thresholds:
            out[t.indicator_type.value] = {"verde_max_incl": str(t.green_max),
                                           "amarillo_max_incl": str(t.yellow_max)}
        out["sobrecumplimiento_mayor_a"] = (None if preset.overachievement_above is None
                                            else str(preset.overachievement_above))
    return out


# --------------------------------------------------------------------------------------------------
# the ranges in words (fichas técnicas, reports): never an internal preset code

WORDS = {
    "verde": "Verde", "amarillo": "amarillo", "rojo": "rojo",
    "below": "menos de {hi} %", "upto": "hasta {hi} %", "above": "más de {lo} %", "from": "{lo} % o más",
    "between_ii": "de {lo} % a {hi} %", "between_ie": "de {lo} % a menos de {hi} %",
    "between_ei": "de más de {lo} % a {hi} %", "between_ee": "más de {lo} % y menos de {hi} %",
    "dev_green": "Verde: el avance se aparta hasta {g} puntos de la meta (100 %)",
    "dev_yellow": "amarillo: más de {g} y hasta {y} puntos", "dev_red": "rojo: más de {y} puntos",
    "dev_over": "sobrecumplimiento por encima de {x} %",
    "and": " y ",
}


def _pct_word(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


def _range_words(r: Range) -> str:
    lo = None if r.min is None else _pct_word(r.min)
    hi = None if r.max is None else _pct_word(r.max)
    if lo is None and hi is None:
        return "cualquier avance"
    if lo is None:
        return WORDS["upto" if r.max_inclusive else "below"].format(hi=hi)
    if hi is None:
        return WORDS["from" if r.min_inclusive else "above"].format(lo=lo)
    key = "between_" + ("i" if r.min_inclusive else "e") + ("i" if r.max_inclusive else "e")
    return WORDS[key].format(lo=lo, hi=hi)


def describe_preset(preset: Preset, indicator_type: IndicatorType | str = IndicatorType.GESTION) -> str:
    """The semáforo ranges of a preset in words: «Verde: de 90 % a 110 %; amarillo: de 80 % a menos de 90 % y
    de más de 110 % a 130 %; rojo: menos de 80 % y más de 130 %»."""
    if preset.kind == KIND_DEVIATION:
        t = preset.thresholds_for(indicator_type)
        parts = [WORDS["dev_green"].format(g=_pct_word(t.green_max)),
                 WORDS["dev_yellow"].format(g=_pct_word(t.green_max), y=_pct_word(t.yellow_max)),
                 WORDS["dev_red"].format(y=_pct_word(t.yellow_max))]
        if preset.overachievement_above is not None:
            parts.append(WORDS["dev_over"].format(x=_pct_word(preset.overachievement_above)))
        return "; ".join(parts)
    by_color: dict[str, list[str]] = {}
    for r in sorted(preset.ranges, key=lambda r: (r.min is not None, r.min or 0)):
        words = _range_words(r)
        if r.flag:
            from .types import label

            words += f" ({label(r.flag).lower()})"
        by_color.setdefault(str(r.color), []).append(words)
    order = [k for k in ("verde", "amarillo", "rojo") if k in by_color]
    return "; ".join(f"{WORDS[k]}: {WORDS['and'].join(by_color[k])}" for k in order)
