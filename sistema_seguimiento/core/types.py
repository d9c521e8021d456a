"""Domain vocabulary shared by the engine, the validator, the services and the UI.

Pure Python: no Qt, no SQLAlchemy. Codes are the ones of DOMAIN.md (stored in the database and in
the SES JSON exchange format); Spanish labels live in ``LABELS`` for display.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from decimal import Decimal
from enum import Enum


class StrEnum(str, Enum):
    """A code that is also its text. ``str()`` and ``hash()`` are the string's own (C) methods: the member's
    text is its value, so ``str(Light.VERDE) == "verde"`` and a member finds the same dict entry as its code
    (Enum's default hash is that of the member *name*, which breaks ``{"verde": …}[Light.VERDE]``); both run
    for every indicator in a state-wide progress table."""

    __str__ = str.__str__
    __hash__ = str.__hash__


class Level(StrEnum):
    FIN = "FIN"
    PROPOSITO = "PROPOSITO"
    COMPONENTE = "COMPONENTE"
    ACTIVIDAD = "ACTIVIDAD"


class Frequency(StrEnum):
    MENSUAL = "mensual"
    BIMESTRAL = "bimestral"
    TRIMESTRAL = "trimestral"
    CUATRIMESTRAL = "cuatrimestral"
    SEMESTRAL = "semestral"
    ANUAL = "anual"
    BIENAL = "bienal"
    TRIENAL = "trienal"
    QUINQUENAL = "quinquenal"
    SEXENAL = "sexenal"


class Direction(StrEnum):
    ASCENDENTE = "ascendente"
    DESCENDENTE = "descendente"
    REGULAR = "regular"


class Dimension(StrEnum):
    EFICACIA = "eficacia"
    EFICIENCIA = "eficiencia"
    CALIDAD = "calidad"
    ECONOMIA = "economia"


class IndicatorType(StrEnum):
    ESTRATEGICO = "estrategico"
    GESTION = "gestion"


class FormulaType(StrEnum):
    PORCENTAJE = "porcentaje"
    TASA_VARIACION = "tasa_variacion"
    RAZON = "razon"
    PROMEDIO = "promedio"
    INDICE = "indice"
    ABSOLUTO = "absoluto"


class Accumulation(StrEnum):
    SUMA = "suma"  # flow
    ULTIMO_VALOR = "ultimo_valor"  # stock


class VariableRole(StrEnum):
    NUMERADOR = "numerador"
    DENOMINADOR = "denominador"
    VALOR = "valor"


class Light(StrEnum):
    VERDE = "verde"
    AMARILLO = "amarillo"
    ROJO = "rojo"
    GRIS = "gris"


#: A progress row's display state: the four lights plus «No aplica al corte» — an indicator whose first period
#: is not due yet at the cut-off (annual, multi-year) or that has no measurement in the fiscal year. Its light
#: stays ``gris``; «Sin dato» (``gris``) is then only what is due and not captured (or not computable).
NO_APLICA = "no_aplica"
STATES = ("verde", "amarillo", "rojo", "gris", NO_APLICA)
NOT_DUE_STATUSES = frozenset({"SIN_PERIODO_VENCIDO", "SIN_MEDICION_EN_EJERCICIO"})


def progress_state(light: str, status: str | None) -> str:
    """The display state of a light and an engine status (see :data:`STATES`)."""
    if light == "gris" and status in NOT_DUE_STATUSES:
        return NO_APLICA
    return str(light)


class DescendingMethod(StrEnum):
    LINEAL = "lineal"  # ((2P - L) / P) * 100, default
    INVERSA = "inversa"  # P / L * 100


class ReportingMode(StrEnum):
    ACUMULADO = "acumulado"
    PERIODICO = "periodico"


class MeasurementStatus(StrEnum):
    BORRADOR = "borrador"
    CAPTURADO = "capturado"
    VALIDADO = "validado"
    RECHAZADO = "rechazado"


class PeriodStatus(StrEnum):
    """Workflow of a month per dependencia (issue 5 names these states; they replace DOMAIN.md §i)."""

    CAPTURANDO = "capturando"
    ENVIADO = "enviado"
    VALIDADO = "validado"
    DEVUELTO = "devuelto"
    CERRADO = "cerrado"


class Role(StrEnum):
    CAPTURISTA = "capturista"
    VALIDADOR = "validador"
    ADMINISTRADOR = "administrador"
    CONSULTA = "consulta"


# Status / flag codes produced by the engine
OK = "OK"
SIN_CAPTURA = "SIN_CAPTURA"
SIN_EVENTOS = "SIN_EVENTOS"
ERROR_DENOMINADOR_CERO = "ERROR_DENOMINADOR_CERO"
SIN_PERIODO_VENCIDO = "SIN_PERIODO_VENCIDO"
SIN_MEDICION_EJERCICIO = "SIN_MEDICION_EN_EJERCICIO"
ERROR_FORMULA = "ERROR_FORMULA"

FLAG_SOBRECUMPLIMIENTO = "SOBRECUMPLIMIENTO"
FLAG_SOBRECUMPLIMIENTO_CRITICO = "SOBRECUMPLIMIENTO_CRITICO"
FLAG_DESVIACION_POR_EXCESO = "DESVIACION_POR_EXCESO"
FLAG_DATOS_INCOMPLETOS = "DATOS_INCOMPLETOS"
FLAG_META_CERO = "META_CERO"


LABELS: dict[str, str] = {
    "FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad",
    "mensual": "Mensual", "bimestral": "Bimestral", "trimestral": "Trimestral",
    "cuatrimestral": "Cuatrimestral", "semestral": "Semestral", "anual": "Anual", "bienal": "Bienal",
    "trienal": "Trienal", "quinquenal": "Quinquenal", "sexenal": "Sexenal",
    "ascendente": "Ascendente", "descendente": "Descendente", "regular": "Regular",
    "eficacia": "Eficacia", "eficiencia": "Eficiencia", "calidad": "Calidad", "economia": "Economía",
    "estrategico": "Estratégico", "gestion": "De gestión",
    "porcentaje": "Porcentaje", "tasa_variacion": "Tasa de variación", "razon": "Razón",
    "promedio": "Promedio", "indice": "Índice", "absoluto": "Valor absoluto",
    "suma": "Suma (flujo)", "ultimo_valor": "Último valor (existencia)",
    "numerador": "Numerador", "denominador": "Denominador", "valor": "Valor",
    "verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo", "gris": "Sin dato",
    "no_aplica": "No aplica al corte",
    "acumulado": "Acumulado", "periodico": "Periódico",
    "capturando": "Capturando", "enviado": "Enviado", "validado": "Validado", "devuelto": "Devuelto",
    "cerrado": "Cerrado",
    "capturista": "Capturista", "validador": "Validador", "administrador": "Administrador",
    "consulta": "Consulta",
    "SOBRECUMPLIMIENTO": "Sobrecumplimiento", "SOBRECUMPLIMIENTO_CRITICO": "Sobrecumplimiento crítico",
    "DESVIACION_POR_EXCESO": "Desviación por exceso", "DATOS_INCOMPLETOS": "Datos incompletos",
    "META_CERO": "Meta cero", "SIN_CAPTURA": "Sin captura", "SIN_EVENTOS": "Sin eventos (N/A)",
    "ERROR_DENOMINADOR_CERO": "Denominador cero", "SIN_PERIODO_VENCIDO": "Sin periodo vencido",
    "SIN_MEDICION_EN_EJERCICIO": "Sin medición en el ejercicio", "ERROR_FORMULA": "Error en la fórmula",
}


def label(code: str | None) -> str:
    if code is None:
        return ""
    return LABELS.get(str(code), str(code))


@dataclass(frozen=True, slots=True)
class VariableSpec:
    key: str  # symbol used in the formula ("clave")
    role: VariableRole
    accumulation: Accumulation
    name: str = ""
    description: str = ""
    unit: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """What the engine needs to compute an indicator."""

    key: str
    formula: str
    variables: tuple[VariableSpec, ...]
    frequency: Frequency
    direction: Direction
    type: IndicatorType = IndicatorType.GESTION
    formula_type: FormulaType | None = None
    natural_cap: Decimal | None = None  # e.g. 100 for bounded percentages (tope_natural)


# values per period id -> variable key -> Decimal
PeriodValues = dict[str, dict[str, Decimal]]


@dataclass
class Finding:
    """One rule violation (validator) or engine observation."""

    rule_id: str
    severity: str  # "error" | "warning" | "info"
    message: str
    program: str | None = None  # program clave
    level: str | None = None  # Level code
    objective: str | None = None  # objective clave
    indicator: str | None = None  # indicator clave
    field: str | None = None  # ficha field code, when the rule is about one field
    period: str | None = None
    extra: dict = dc_field(default_factory=dict)
