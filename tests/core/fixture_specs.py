"""Build engine inputs (IndicatorSpec + PeriodValues) from the demo fixture JSON.

The fixture is read with ``parse_float=Decimal`` so numbers keep their source text (the reference
calculator goes through ``str(float)``, which gives the same digits for the values in the fixture).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sistema_seguimiento.core.types import (Accumulation, Direction, FormulaType, Frequency, IndicatorSpec,
                                            IndicatorType, PeriodValues, VariableRole, VariableSpec)

FIXTURE_PATH = Path(__file__).parents[2] / "resources" / "demo_municipio.json"


def load_fixture(path: Path = FIXTURE_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@dataclass
class FixtureIndicator:
    spec: IndicatorSpec
    targets: PeriodValues
    measurements: PeriodValues
    justified: set[str]
    raw: dict


def _values(d: dict) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in d.items()}


def indicator_from_fixture(ind: dict) -> FixtureIndicator:
    spec = IndicatorSpec(
        key=ind["id"],
        formula=ind["metodo_calculo"],
        variables=tuple(VariableSpec(key=v["clave"], role=VariableRole(v["rol"]),
                                     accumulation=Accumulation(v["acumulacion"]), name=v.get("nombre", ""),
                                     description=v.get("descripcion", ""), unit=v.get("unidad_medida", ""),
                                     source=v.get("fuente", ""))
                        for v in ind["variables"]),
        frequency=Frequency(ind["frecuencia"]),
        direction=Direction(ind["sentido"]),
        type=IndicatorType(ind["tipo"]),
        formula_type=FormulaType(ind["tipo_formula"]),
    )
    targets = {t["periodo"]: _values(t["variables"]) for t in ind["metas_calendarizadas"]}
    measurements = {a["periodo"]: _values(a["variables"]) for a in ind["avances"]}
    justified = {a["periodo"] for a in ind["avances"] if a.get("justificacion")}
    return FixtureIndicator(spec, targets, measurements, justified, ind)


def fixture_indicators(fx: dict) -> list[FixtureIndicator]:
    return [indicator_from_fixture(ind) for prog in fx["programs"] for ind in prog["indicators"]]


def fixture_cutoff(fx: dict) -> date:
    return date.fromisoformat(fx["cutoff"]["date"])
