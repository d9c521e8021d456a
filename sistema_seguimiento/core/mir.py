"""Plain documents of a MIR: what the services hand to the validator and what the SES JSON exchange
format is read into. No Qt, no SQLAlchemy."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .types import (Accumulation, Direction, FormulaType, Frequency, IndicatorSpec, IndicatorType,
                    PeriodValues, VariableRole, VariableSpec)


@dataclass
class VariableDoc:
    key: str
    name: str = ""
    description: str = ""
    unit: str = ""
    source: str = ""
    role: str = VariableRole.VALOR.value
    accumulation: str = Accumulation.SUMA.value


@dataclass
class MeasurementDoc:
    period: str
    values: dict[str, Decimal]
    status: str = "capturado"
    justification: str | None = None
    evidence: list = field(default_factory=list)


@dataclass
class IndicatorDoc:
    key: str
    objective_key: str | None = None
    name: str = ""
    definition: str = ""
    formula_type: str = ""
    formula: str = ""
    variables: list[VariableDoc] = field(default_factory=list)
    unit: str = ""
    type: str = ""
    dimension: str = ""
    direction: str = ""
    frequency: str = ""
    reporting_mode: str = "acumulado"
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    baseline_period: str | None = None
    baseline_note: str = ""
    baseline_unavailable: bool = False
    annual_target: Decimal | None = None
    annual_target_original: Decimal | None = None  # approved value before any modificación de metas
    targets: PeriodValues = field(default_factory=dict)  # calendarized variable targets
    measurements: list[MeasurementDoc] = field(default_factory=list)
    verification_sources: list[str] = field(default_factory=list)
    preset_key: str | None = None
    # optional ficha fields
    disaggregation: str = ""
    geographic_coverage: str = ""
    data_availability: str = ""
    measurement_owner: str = ""
    benchmark: str = ""
    interpretation: str = ""
    notes: str = ""
    created_on: str | None = None
    version: int = 1
    natural_cap: Decimal | None = None
    base_year: int | None = None  # first measurement year of multi-year frequencies

    def spec(self) -> IndicatorSpec:
        """Raises ValueError (Spanish) when a code the engine needs is outside its catalogue."""
        if self.direction not in _DIRS or self.frequency not in _FREQS or any(
                v.role not in _ROLES or v.accumulation not in _ACCS for v in self.variables):
            bad = [f"sentido «{self.direction}»"] if self.direction not in _DIRS else []
            bad += [f"frecuencia «{self.frequency}»"] if self.frequency not in _FREQS else []
            bad += [f"variable {v.key}" for v in self.variables if v.role not in _ROLES or v.accumulation not in _ACCS]
            raise ValueError(f"El indicador {self.key} no se puede calcular: {', '.join(bad)} no válido.")
        return IndicatorSpec(
            key=self.key, formula=self.formula,
            variables=tuple(VariableSpec(v.key, _ROLES[v.role], _ACCS[v.accumulation], v.name, v.description,
                                         v.unit, v.source) for v in self.variables),
            frequency=_FREQS[self.frequency], direction=_DIRS[self.direction],
            type=_TYPES.get(self.type, IndicatorType.GESTION), formula_type=_FTYPES.get(self.formula_type),
            natural_cap=self.natural_cap)


# value -> enum member (a dict lookup is much cheaper than calling the Enum on every indicator)
_ROLES = VariableRole._value2member_map_
_ACCS = Accumulation._value2member_map_
_FREQS = Frequency._value2member_map_
_DIRS = Direction._value2member_map_
_TYPES = IndicatorType._value2member_map_
_FTYPES = FormulaType._value2member_map_


@dataclass
class ObjectiveDoc:
    key: str
    level: str
    parent_key: str | None = None
    text: str = ""
    assumptions: list[str] = field(default_factory=list)
    order: int = 0
    indicator_keys: list[str] = field(default_factory=list)


@dataclass
class ProgramDoc:
    key: str
    modality: str = ""
    name: str = ""
    agency_key: str | None = None
    fiscal_year: int | None = None
    responsible: str = ""
    problem: str = ""
    target_population: str = ""
    alignment: dict = field(default_factory=dict)  # {"plan","eje","objetivo","estrategia"} texts
    objectives: list[ObjectiveDoc] = field(default_factory=list)
    indicators: list[IndicatorDoc] = field(default_factory=list)
    preset_key: str | None = None
