"""MIR and ficha técnica validator (DOMAIN.md §c and §d).

Checks every rule that can be decided on the plain documents of :mod:`sistema_seguimiento.core.mir`:
MIR-001..009, PP-001..004, IND-001..012, FT-001..009, MET-001..004, AV-001..005, AV-008..010 (measurements,
given a cut-off date), the *resumen narrativo* heuristics SIN-001..006 and the state profile's required ficha
fields PRF-001 (``ValidationContext.required_fields``).

Not checked here (templates are still in :data:`RULES` so services and help screens share them):

* MET-005 / MET-006 — target changes are a workflow enforced by the services;
* AV-006 — needs the engine's semáforo classification: it is checked only when
  ``ValidationContext.justification_check`` is given (the engine reports it too);
* AV-007 — needs the agency's evidence policy (services);
* PER-001..003 — period workflow (services).

Severity and message templates are exactly those of DOMAIN.md §d; SIN messages (DOMAIN.md gives none) are
ours. Methodological problems the JSON reader lets through (a dimension outside the catalogue, a bad
``sentido`` ...) are reported here; nothing in this module raises on odd text.
"""
from __future__ import annotations

import difflib
import re
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Context, Decimal, ROUND_HALF_UP
from typing import Any, Callable, Iterable

from . import periods
from .formula import Formula, FormulaError, parse_formula
from .mir import IndicatorDoc, MeasurementDoc, ObjectiveDoc, ProgramDoc
from .types import (Accumulation, Dimension, Direction, Finding, FormulaType, Frequency, IndicatorType, Level,
                    ReportingMode, VariableRole, label)

__all__ = ["RULES", "NOT_CHECKED", "FICHA_FIELD_LABELS", "ValidationContext", "rule_message", "validate_program",
           "validate_objective", "validate_indicator", "validate_all", "validate_fragment", "syntax_findings"]

ERROR, WARNING, INFO = "error", "warning", "info"

# --------------------------------------------------------------------------------------------------
# rule table: id -> (severity, message template, short explanation for help screens)

RULES: dict[str, tuple[str, str, str]] = {
    # MIR structure
    "MIR-001": (ERROR, "La MIR debe tener exactamente un Fin; se encontraron {n}.",
                "El Fin es el objetivo superior al que contribuye el programa. Cada MIR tiene uno y solo uno."),
    "MIR-002": (ERROR, "La MIR debe tener exactamente un Propósito; se encontraron {n}.",
                "El Propósito es el resultado directo que obtiene la población objetivo. Cada MIR tiene uno y "
                "solo uno: un solo resultado para una sola población."),
    "MIR-003": (ERROR, "La MIR no tiene Componentes.",
                "Los Componentes son los bienes o servicios que entrega el programa. Toda MIR necesita al menos "
                "uno para lograr el Propósito."),
    "MIR-004": (ERROR, "El Componente {clave} no tiene Actividades.",
                "Cada Componente se produce mediante Actividades. Registre al menos una Actividad que dependa de "
                "cada Componente."),
    "MIR-005": (ERROR, "El objetivo {clave} de nivel {nivel} no puede depender de un objetivo de nivel {nivel_padre}.",
                "La cadena de objetivos es Actividad → Componente → Propósito → Fin. Cada objetivo debe depender "
                "del nivel inmediato superior, y el Fin de ninguno."),
    "MIR-006": (ERROR, "El objetivo {clave} no tiene indicador.",
                "Cada renglón de la MIR se mide con al menos un indicador; sin indicador no es posible dar "
                "seguimiento al objetivo."),
    "MIR-007": (ERROR, "El indicador {id} no tiene medios de verificación.",
                "Los medios de verificación son las fuentes públicas u oficiales donde cualquiera puede comprobar "
                "los valores del indicador. Todo indicador necesita al menos uno."),
    "MIR-008": (WARNING, "El objetivo {clave} no tiene supuestos.",
                "Los supuestos son condiciones externas, fuera del control del programa, que deben cumplirse "
                "para alcanzar el nivel superior. Se recomienda registrar al menos uno por objetivo."),
    "MIR-009": (WARNING, "El supuesto «{texto}» coincide con un objetivo de la MIR; un supuesto debe ser externo al "
                         "programa.",
                "Un supuesto describe un riesgo externo. Si repite un objetivo de la propia MIR, en realidad es "
                "algo que el programa debe lograr, no un supuesto."),
    # program
    "PP-001": (ERROR, "La modalidad «{m}» no existe en la clasificación programática del CONAC.",
               "La modalidad es la letra de la clasificación programática del CONAC (E, S, U, B, P, F, G, K, M, O, "
               "etc.) que indica el tipo de programa."),
    "PP-002": (WARNING, "La clave «{clave}» no sigue el formato letra + 3 dígitos.",
               "La práctica federal usa la letra de la modalidad seguida de tres dígitos (por ejemplo E001). Otros "
               "formatos se aceptan, pero conviene revisarlos."),
    "PP-003": (ERROR, "El programa {clave} no tiene unidad responsable.",
               "Todo programa presupuestario debe tener una dependencia o unidad responsable registrada en el "
               "catálogo, que responde por sus resultados."),
    "PP-004": (WARNING, "Los programas de modalidad {m} normalmente no requieren MIR.",
               "Las modalidades de compromisos, obligaciones, participaciones, deuda, adeudos y operaciones ajenas "
               "(W, L, N, J, T, Y, Z, C, D, H, I) normalmente no llevan MIR."),
    # indicator definition
    "IND-001": (ERROR, "El indicador no tiene nombre.",
                "El nombre del indicador resume qué se mide, por ejemplo «Porcentaje de reportes atendidos»."),
    "IND-002": (ERROR, "El método de cálculo «{f}» no corresponde a un indicador de tipo {tipo}.",
                "El método de cálculo debe poder leerse y tener la forma de su tipo: porcentaje (A / B) × 100, "
                "tasa de variación ((A / B) − 1) × 100, razón o promedio A / B, valor absoluto A."),
    "IND-003": (ERROR, "La variable «{v}» del método de cálculo no está definida.",
                "Cada clave que aparece en el método de cálculo debe registrarse como variable, con su nombre, "
                "descripción, unidad de medida y fuente."),
    "IND-004": (ERROR, "La meta de la variable denominador «{v}» es cero en {periodo}.",
                "No se puede dividir entre cero: la meta programada del denominador debe ser distinta de cero en "
                "todos los periodos."),
    "IND-005": (WARNING, "En {periodo} la meta del numerador supera a la del denominador (porcentaje mayor a 100 %).",
                "En un porcentaje acotado el numerador es parte del denominador, por lo que su meta no puede ser "
                "mayor."),
    "IND-006": (WARNING, "El indicador de nivel {nivel} debería ser de tipo {tipo_esperado}.",
                "Los indicadores de Fin y Propósito son estratégicos; los de Actividad, de gestión. Los de "
                "Componente pueden ser de cualquiera de los dos tipos."),
    "IND-007": (WARNING, "La frecuencia {f} no es habitual para el nivel {nivel}.",
                "Frecuencias habituales: Fin anual o mayor; Propósito semestral o mayor; Componente de trimestral "
                "a anual; Actividad de mensual a semestral."),
    "IND-008": (ERROR, "Dimensión «{d}» no válida (eficacia, eficiencia, calidad, economía).",
                "La dimensión indica qué aspecto del desempeño se mide: eficacia (logro de objetivos), "
                "eficiencia (resultados frente a recursos), calidad (atributos del servicio) o economía "
                "(manejo de recursos financieros)."),
    "IND-009": (ERROR, "Sentido «{s}» no válido.",
                "El sentido indica el comportamiento deseado del indicador: ascendente, descendente o regular."),
    "IND-010": (WARNING, "Los indicadores de Fin y Propósito deben relacionar dos o más variables.",
                "Un valor absoluto (un conteo) no muestra un resultado; en Fin y Propósito use porcentajes, tasas "
                "o razones."),
    "IND-011": (WARNING, "El nombre del indicador no refleja su método de cálculo ({tipo}).",
                "El nombre debe anunciar el tipo de cálculo: «Porcentaje de …», «Tasa de variación de …», "
                "«Promedio de …»."),
    "IND-012": (WARNING, "La meta {m} no permite calcular un porcentaje de avance interpretable; se mostrará la "
                         "diferencia absoluta.",
                "Con una tasa de variación con meta cero o negativa, o un indicador descendente con meta "
                "acumulada cero, el porcentaje de avance no tiene sentido; se informa la diferencia."),
    # ficha técnica
    "FT-001": (ERROR, "Falta el campo obligatorio «{campo}» en la ficha técnica del indicador {id}.",
               "La ficha técnica debe tener completos todos sus campos obligatorios (definición, método de "
               "cálculo, variables, unidad, tipo, dimensión, sentido, frecuencia, responsable, etc.)."),
    "FT-002": (ERROR, "El indicador {id} no tiene línea base (valor y año).",
               "La línea base es el valor de partida con su año de referencia. Si no existe, márquela como no "
               "disponible y explique por qué."),
    "FT-003": (ERROR, "El indicador {id} no tiene meta anual.",
               "Todo indicador necesita la meta que se espera alcanzar al cierre del ejercicio."),
    "FT-004": (ERROR, "Falta la meta programada del periodo {periodo}.",
               "Las metas se calendarizan por periodo y por variable según la frecuencia (12 meses, 4 "
               "trimestres, …); cada periodo necesita su meta."),
    "FT-005": (ERROR, "La unidad de medida «{u}» no corresponde a un indicador de tipo {tipo}.",
               "La unidad debe corresponder al cálculo: un porcentaje o una tasa de variación se expresan en "
               "«Porcentaje»; un valor absoluto, en unidades de lo que se cuenta."),
    "FT-006": (ERROR, "La variable «{v}» no tiene fuente de información.",
               "Cada variable debe indicar de dónde se obtiene su valor (registro, sistema o documento)."),
    "FT-007": (WARNING, "El medio de verificación «{t}» es demasiado genérico; indique documento, área y ubicación.",
               "Un medio de verificación debe permitir que un tercero encuentre la información: nombre del "
               "documento, área que lo genera y dónde se publica o resguarda."),
    "FT-008": (WARNING, "El año de la línea base ({a}) no es congruente con el ejercicio {e}.",
               "La línea base debe ser anterior o igual al ejercicio y no tener más de seis años de antigüedad."),
    "FT-009": (ERROR, "El indicador {id} no tiene parámetros de semaforización.",
               "El semáforo necesita rangos: asigne un preset al indicador, al programa o al municipio."),
    # targets
    "MET-001": (ERROR, "La calendarización no coincide con la frecuencia {f}.",
                "Los periodos de las metas deben ser exactamente los de la frecuencia del indicador en el "
                "ejercicio (por ejemplo, cuatro trimestres para un indicador trimestral)."),
    "MET-002": (ERROR, "La meta anual registrada ({r}) no coincide con la calculada a partir de la calendarización "
                       "({c}).",
                "La meta anual debe ser el resultado de aplicar el método de cálculo a las metas calendarizadas "
                "de las variables (sumando flujos y tomando el último valor de existencias)."),
    "MET-003": (WARNING, "La meta {m} representa un retroceso respecto de la línea base {lb}.",
                "Para un indicador ascendente la meta no debería ser menor que la línea base; para uno "
                "descendente, no mayor."),
    "MET-004": (ERROR, "La meta de un porcentaje acotado no puede ser mayor a 100.",
                "Cuando el numerador es parte del denominador el porcentaje no puede pasar de 100."),
    "MET-005": (ERROR, "No se pueden modificar metas de periodos cerrados ({periodo}).",
                "Las metas solo pueden modificarse para periodos abiertos o futuros; no hay cambios retroactivos."),
    "MET-006": (ERROR, "La modificación de meta requiere justificación, documento soporte y autorización.",
                "Toda modificación de meta debe explicarse, respaldarse con un documento y ser autorizada por la "
                "unidad de planeación."),
    # measurements
    "AV-001": (WARNING, "El periodo {periodo} está vencido y no tiene avance capturado.",
               "Cuando un periodo termina, la dependencia debe capturar los valores de las variables dentro del "
               "plazo."),
    "AV-002": (ERROR, "El valor de «{v}» no puede ser negativo.",
               "Las variables cuentan eventos, personas, bienes o montos; sus valores no pueden ser negativos."),
    "AV-003": (ERROR, "En {periodo} el denominador «{v}» es cero y el numerador es mayor que cero.",
               "Si el denominador es cero el numerador también debe serlo; de lo contrario hay un error de "
               "captura."),
    "AV-004": (INFO, "Sin eventos en {periodo}: el indicador no es calculable en el periodo (se reporta N/A).",
               "Cuando numerador y denominador son cero no hubo eventos: el periodo se informa como N/A y el "
               "acumulado se sigue calculando."),
    "AV-005": (WARNING, "En {periodo} el numerador supera al denominador.",
               "En un porcentaje acotado el numerador es parte del denominador; un valor mayor suele ser un error "
               "de captura."),
    "AV-006": (ERROR, "El avance de {periodo} está fuera del rango aceptable ({pct} %); capture la justificación.",
               "Cuando el semáforo no está en verde o hay una bandera (sobrecumplimiento), se debe explicar la "
               "causa, el efecto y las acciones de mejora."),
    "AV-007": (WARNING, "El avance de {periodo} no tiene evidencia adjunta.",
               "Algunas dependencias exigen adjuntar evidencia documental de cada avance."),
    "AV-008": (ERROR, "No se puede capturar el periodo {periodo} antes de su fecha de término.",
               "Solo se captura el avance de periodos que ya terminaron."),
    "AV-009": (WARNING, "La variable de existencia «{v}» cambió {x} % respecto del periodo anterior; verifique.",
               "Las existencias (padrones, inventarios, población) suelen cambiar poco entre periodos; un salto "
               "grande puede ser un error de captura."),
    "AV-010": (INFO, "El acumulado excluye {n} periodo(s) sin captura.",
               "El acumulado solo incluye los periodos capturados; los faltantes no se estiman."),
    # period workflow (services)
    "PER-001": (ERROR, "No se puede cerrar {periodo}: hay {n} avances sin validar.",
                "Un periodo se cierra solo cuando todos los avances vencidos están validados."),
    "PER-002": (ERROR, "La reapertura de {periodo} requiere motivo y autorización.",
                "Reabrir un periodo cerrado exige un motivo por escrito y un usuario autorizado."),
    "PER-003": (ERROR, "El periodo {periodo} está cerrado; solicite su reapertura.",
                "Los datos de un periodo cerrado no se modifican; primero debe reabrirse."),
    # resumen narrativo (messages are ours: DOMAIN.md §c gives only the checks)
    # state profile (issue 16): fields the chosen profile requires beyond the methodology's own rules
    "PRF-001": (ERROR, "El perfil «{perfil}» exige el campo «{campo}» en la ficha técnica del indicador {id}.",
                "Cada perfil estatal señala los campos de la ficha técnica que sus formatos necesitan (por ejemplo "
                "interpretación y factor de comparación en el Estado de México). Complete el campo en la ficha."),
    "SIN-001": (WARNING, "El resumen narrativo del Fin {clave} debe iniciar con «Contribuir a» y señalar el medio "
                         "(«mediante» o «a través de»).",
                "El Fin se redacta «Contribuir a» + objetivo superior + «mediante» o «a través de» + la solución "
                "que aporta el programa."),
    "SIN-002": (WARNING, "El resumen narrativo del Propósito {clave} debe tener como sujeto a la población o área de "
                         "enfoque y un verbo en presente.",
                "El Propósito se redacta como un resultado logrado: población objetivo + verbo en presente + "
                "resultado (por ejemplo «Las familias del municipio cuentan con …»)."),
    "SIN-003": (WARNING, "El resumen narrativo del Componente {clave} debe expresar el bien o servicio entregado con "
                         "un verbo en participio.",
                "El Componente se redacta como algo ya entregado: bien o servicio + participio (por ejemplo "
                "«Apoyos alimentarios entregados»), no como una acción en infinitivo."),
    "SIN-004": (WARNING, "El resumen narrativo de la Actividad {clave} debe iniciar con un sustantivo derivado de un "
                         "verbo (por ejemplo «Entrega», «Supervisión»), no con un infinitivo.",
                "La Actividad se redacta con un sustantivo derivado de un verbo + complemento (por ejemplo "
                "«Supervisión de obras»), no como «Realizar …»."),
    "SIN-005": (WARNING, "El resumen narrativo del objetivo {clave} parece contener más de un objetivo («{conector}»); "
                         "redacte un solo objetivo por renglón.",
                "Cada renglón de la MIR expresa un solo objetivo. Dos verbos unidos por «y» o «así como» suelen "
                "indicar dos objetivos."),
    "SIN-006": (ERROR, "El resumen narrativo del objetivo {clave} está vacío o es demasiado corto (mínimo 20 "
                       "caracteres).",
                "Cada objetivo necesita un resumen narrativo completo que explique qué se logra."),
}

#: rules whose templates live here but that this module does not check (see the module docstring)
NOT_CHECKED = frozenset({"MET-005", "MET-006", "AV-006", "AV-007", "PER-001", "PER-002", "PER-003"})

#: Spanish labels of the ficha fields used in FT-001 (field codes as in ``Finding.field``)
FICHA_FIELD_LABELS: dict[str, str] = {
    "objective": "Resumen narrativo (objetivo)",
    "name": "Nombre del indicador",
    "definition": "Definición",
    "formula_type": "Tipo de fórmula",
    "formula": "Método de cálculo",
    "variables": "Variables",
    "unit": "Unidad de medida",
    "type": "Tipo de indicador",
    "dimension": "Dimensión",
    "direction": "Sentido",
    "frequency": "Frecuencia de medición",
    "reporting_mode": "Acumulado o periódico",
    "baseline": "Línea base",
    "annual_target": "Meta anual",
    "period_targets": "Metas calendarizadas",
    "traffic_light": "Parámetros de semaforización",
    "verification_sources": "Medios de verificación",
    "measurement_owner": "Responsable de la medición",
    # PRF-001 only (IndicatorDoc attributes a state profile may require)
    "interpretation": "Interpretación",
    "benchmark": "Factor de comparación",
    "baseline_value": "Línea base (valor)",
    "baseline_year": "Línea base (año)",
    "disaggregation": "Nivel de desagregación",
    "geographic_coverage": "Cobertura geográfica",
    "data_availability": "Disponibilidad de la información",
    "notes": "Observaciones",
    "preset_key": "Parámetros de semaforización",
}

_VARIABLE_FIELD_LABELS = {"name": "nombre", "description": "descripción", "unit": "unidad de medida"}


def rule_message(rule_id: str, **values: Any) -> str:
    """The Spanish message of a rule with its placeholders filled."""
    return RULES[rule_id][1].format(**values)


# --------------------------------------------------------------------------------------------------
# context

@dataclass
class ValidationContext:
    fiscal_year: int
    cutoff: date | None = None  # measurements are checked as of this date (AV-001, AV-008, AV-010, IND-012)
    known_agencies: set[str] = field(default_factory=set)  # agency keys; empty = do not check membership
    default_preset: str | None = "PRESET_A_BANDA_90_110"  # entity-level preset (FT-009)
    known_presets: set[str] = field(default_factory=set)  # empty = any preset name is accepted
    key_pattern: str = r"^[A-Z]\d{3}$"  # PP-002, configurable per state
    closed_periods: set[str] = field(default_factory=set)  # for the services' MET-005 checks
    # additions
    today: date | None = None  # AV-008 reference date (defaults to ``cutoff``)
    capture_grace_days: int = 0  # AV-001: days after the period end before a capture is overdue
    stock_jump_pct: Decimal = Decimal(20)  # AV-009 threshold
    percentages_bounded: bool = True  # porcentaje indicators without tope_natural are bounded (IND-005 ...)
    # AV-006: returns the % de avance to print when the measurement needs a justification, else None
    justification_check: Callable[[IndicatorDoc, MeasurementDoc], Any] | None = None
    # PRF-001: the chosen state profile's required ficha fields (IndicatorDoc attribute names) and its name
    required_fields: tuple[str, ...] = ()
    profile_name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.cutoff, str):
            self.cutoff = date.fromisoformat(self.cutoff)
        if isinstance(self.today, str):
            self.today = date.fromisoformat(self.today)
        self.known_agencies = set(self.known_agencies or ())
        self.known_presets = set(self.known_presets or ())
        self.closed_periods = set(self.closed_periods or ())


# --------------------------------------------------------------------------------------------------
# helpers

_CONAC_MODALITIES = frozenset("SUEBPFGARKMOWLNJTYZICDH")
_NO_MIR_MODALITIES = frozenset("WLNJTYZCDHI")
_LEVEL_ORDER = {Level.FIN.value: 0, Level.PROPOSITO.value: 1, Level.COMPONENTE.value: 2, Level.ACTIVIDAD.value: 3}
_EXPECTED_PARENT = {Level.PROPOSITO.value: Level.FIN.value, Level.COMPONENTE.value: Level.PROPOSITO.value,
                    Level.ACTIVIDAD.value: Level.COMPONENTE.value}
_MULTI_YEAR = {"anual", "bienal", "trienal", "quinquenal", "sexenal"}
_TYPICAL_FREQUENCIES = {  # IND-007, DOMAIN.md §b
    Level.FIN.value: _MULTI_YEAR,
    Level.PROPOSITO.value: {"semestral"} | _MULTI_YEAR,
    Level.COMPONENTE.value: {"trimestral", "cuatrimestral", "semestral", "anual"},
    Level.ACTIVIDAD.value: {"mensual", "bimestral", "trimestral", "cuatrimestral", "semestral"},
}
_EXPECTED_SHAPE = {  # IND-002
    FormulaType.PORCENTAJE.value: {"ratio_x100"},
    FormulaType.TASA_VARIACION.value: {"ratio_minus_1_x100"},
    FormulaType.RAZON.value: {"ratio"},
    FormulaType.PROMEDIO.value: {"ratio"},
    FormulaType.ABSOLUTO.value: {"single"},
}
_PERCENT_UNITS = {"porcentaje", "porcentajes", "%", "por ciento", "tasa porcentual"}
_Q2 = Decimal("0.01")
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


def _blank(text: Any) -> bool:
    return not isinstance(text, str) or not text.strip()


def _fold(text: str) -> str:
    """Lower-case without accents (for lenient comparisons of names and units only)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


_ROUND_CTX = Context(prec=400, rounding=ROUND_HALF_UP)


def _r2(value: Decimal) -> Decimal:
    try:
        return value.quantize(_Q2, rounding=ROUND_HALF_UP, context=_ROUND_CTX)
    except ArithmeticError:  # absurdly large values: compare them unrounded
        return value


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    try:
        text = format(_r2(value), "f")
    except ArithmeticError:
        return str(value)
    return "0.00" if text == "-0.00" else text


def _period_text(period: str) -> str:
    try:
        return periods.label(period)
    except (periods.PeriodError, ValueError, IndexError):
        return str(period)


def _sort_periods(ids: Iterable[str]) -> list[str]:
    def key(p: str):
        try:
            return (0, periods.sort_key(p), p)
        except (periods.PeriodError, ValueError, TypeError):
            return (1, (0, 0, 0), str(p))
    return sorted(ids, key=key)


def _level_label(level: str | None) -> str:
    return label(level) if level else "ninguno"


def _type_label(formula_type: str) -> str:
    return label(formula_type).lower() if formula_type in FormulaType._value2member_map_ else f"«{formula_type}»"


def _year(ctx: ValidationContext, program: ProgramDoc | None) -> int:
    return (program.fiscal_year if program and program.fiscal_year else None) or ctx.fiscal_year


def _parse(formula: str) -> tuple[Formula | None, str | None]:
    """(Formula, None) or (None, Spanish parser message). Never raises."""
    try:
        return parse_formula(formula), None
    except FormulaError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - the validator must never raise on user text
        return None, f"El método de cálculo no se pudo interpretar ({type(exc).__name__})."


def _shape(formula: Formula) -> str:
    try:
        return formula.shape()
    except Exception:  # noqa: BLE001
        return "other"


@dataclass
class _Where:
    """Location data copied into each Finding."""

    program: str | None = None
    level: str | None = None
    objective: str | None = None
    indicator: str | None = None

    def finding(self, rule_id: str, *, field: str | None = None, period: str | None = None,
                extra: dict | None = None, suffix: str = "", **values: Any) -> Finding:
        severity, template, _ = RULES[rule_id]
        return Finding(rule_id=rule_id, severity=severity, message=template.format(**values) + suffix,
                       program=self.program, level=self.level, objective=self.objective,
                       indicator=self.indicator, field=field, period=period, extra=dict(extra or {}))


# --------------------------------------------------------------------------------------------------
# resumen narrativo heuristics (DOMAIN.md §c)

_PUNCTUATION = string.punctuation + "¿¡«»“”‘’…–—·"
_INFINITIVE_ENDINGS = ("ar", "er", "ir")
# common first words that end like an infinitive but are nouns/adjectives ("Taller de …", "Primer …")
_NOT_INFINITIVES = frozenset({
    "lugar", "hogar", "mujer", "taller", "bienestar", "alquiler", "militar", "auxiliar", "familiar", "escolar",
    "popular", "particular", "regular", "titular", "similar", "cáncer", "primer", "tercer", "par", "mar",
    "pilar", "collar", "altar", "carácter", "alfiler", "ayer", "placer", "poder",
})
_PARTICIPLE_ENDINGS = ("ado", "ada", "ados", "adas", "ido", "ida", "idos", "idas")
_IRREGULAR_PARTICIPLE_ENDINGS = ("to", "ta", "tos", "tas", "cho", "cha", "chos", "chas")
_IRREGULAR_PARTICIPLES = frozenset({"impreso", "impresa", "impresos", "impresas"})
_NOMINAL_ENDINGS = ("ción", "sión", "ión", "miento", "je", "nza", "ncia")
_NOMINAL_ALLOW = frozenset({
    "entrega", "atención", "registro", "recepción", "compra", "visita", "gestión", "integración", "validación",
    "supervisión", "difusión", "capacitación", "elaboración", "realización", "impartición", "dictaminación",
    "adquisición", "actualización",
})
# words that are not a verb after the subject noun phrase (SIN-002), and words after which a noun follows
_NOT_VERBS = frozenset({
    "que", "una", "esta", "este", "esa", "ese", "aquella", "aquel", "entre", "ante", "desde", "sobre", "mediante",
    "durante", "donde", "hasta", "nuestra", "cada", "toda", "alguna", "ninguna", "misma", "otra", "cuya",
    "contra", "hacia", "según",
})
_BEFORE_NOUN = frozenset({
    "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "al", "a", "en", "con", "por", "para",
    "su", "sus", "sin", "este", "esta", "estos", "estas", "ese", "esa", "esos", "esas", "cada", "toda", "todas",
    "todos", "sobre", "entre", "mediante", "nuestro", "nuestra", "nuestros", "nuestras",
})
# plural nouns ending in -en that are not present-tense verbs (SIN-002, SIN-005)
_EN_NOUNS = frozenset({"origen", "imagen", "volumen", "examen", "resumen", "crimen", "joven", "orden", "margen",
                       "régimen", "certamen", "dictamen", "abdomen", "germen", "polen", "almacen", "virgen"})


def _tokens(text: str) -> list[str]:
    """Whitespace tokens, lower-cased, punctuation stripped, accents kept."""
    out = []
    for raw in text.split():
        token = raw.lower().strip(_PUNCTUATION)
        if token:
            out.append(token)
    return out


def _is_infinitive(word: str) -> bool:
    return word.endswith(_INFINITIVE_ENDINGS) and word not in _NOT_INFINITIVES and len(word) >= 2


def _is_participle(word: str) -> bool:
    return (word.endswith(_PARTICIPLE_ENDINGS) or word.endswith(_IRREGULAR_PARTICIPLE_ENDINGS)
            or word in _IRREGULAR_PARTICIPLES)


def _is_nominalisation(word: str) -> bool:
    if word.endswith(_NOMINAL_ENDINGS) or word in _NOMINAL_ALLOW:
        return True
    # plurals: "supervisiones", "entregas", "capacitaciones"
    folded = _fold(word)
    singulars = set()
    if folded.endswith("iones"):
        singulars.add(folded[:-2])
    if folded.endswith("es"):
        singulars.add(folded[:-2])
    if folded.endswith("s"):
        singulars.add(folded[:-1])
    allow = {_fold(w) for w in _NOMINAL_ALLOW}
    endings = tuple(_fold(e) for e in _NOMINAL_ENDINGS)
    return any(s.endswith(endings) or s in allow for s in singulars if s)


def _is_present_verb_candidate(words: list[str], i: int) -> bool:
    """SIN-002: a 3rd-person present form (-a/-an/-e/-en) after the subject noun phrase."""
    word = words[i]
    if i == 0 or len(word) < 3 or word in _NOT_VERBS or word in _EN_NOUNS:
        return False
    if not word.endswith(("a", "an", "e", "en")):
        return False
    return words[i - 1] not in _BEFORE_NOUN


def _is_verb_like(word: str) -> bool:
    """SIN-005: an infinitive or a plural present form (cuentan, mejoran, reciben)."""
    if _is_infinitive(word) and len(word) >= 4:
        return True
    return (word.endswith(("an", "en")) and len(word) >= 5 and word not in _EN_NOUNS
            and word not in _NOT_VERBS)


def syntax_findings(obj: ObjectiveDoc, where: _Where | None = None) -> list[Finding]:
    """SIN-001..006 for one objective (warnings, except SIN-006)."""
    where = where or _Where(level=obj.level or None, objective=obj.key or None)
    text = obj.text if isinstance(obj.text, str) else ""
    clave = obj.key
    if len(text.strip()) < 20:
        return [where.finding("SIN-006", field="objective", clave=clave, extra={"longitud": len(text.strip())})]
    out: list[Finding] = []
    words = _tokens(text)
    first = words[0] if words else ""
    level = obj.level
    if level == Level.FIN.value:
        starts = len(words) >= 2 and words[0] == "contribuir" and words[1] in ("a", "al")
        joined = " ".join(words)
        means = "mediante" in words or re.search(r"\ba trav[eé]s de\b", joined) is not None
        if not starts:
            out.append(where.finding("SIN-001", field="objective", clave=clave, extra={"parte": "inicio"},
                                     suffix=" No inicia con «Contribuir a»."))
        elif not means:
            out.append(where.finding("SIN-001", field="objective", clave=clave, extra={"parte": "medio"},
                                     suffix=" No se indica el medio."))
    elif level == Level.PROPOSITO.value:
        ok = (not _is_infinitive(first) and first != "contribuir"
              and any(_is_present_verb_candidate(words, i) for i in range(1, len(words))))
        if not ok:
            out.append(where.finding("SIN-002", field="objective", clave=clave))
    elif level == Level.COMPONENTE.value:
        ok = not _is_infinitive(first) and any(_is_participle(w) for w in words)
        if not ok:
            out.append(where.finding("SIN-003", field="objective", clave=clave))
    elif level == Level.ACTIVIDAD.value:
        ok = not _is_infinitive(first) and _is_nominalisation(first)
        if not ok:
            out.append(where.finding("SIN-004", field="objective", clave=clave))
    connector = _multiple_objectives(words)
    if connector:
        out.append(where.finding("SIN-005", field="objective", clave=clave, conector=connector))
    return out


def _multiple_objectives(words: list[str]) -> str | None:
    """SIN-005: «así como», or two verbs joined by «y»/«e». Returns the connector found."""
    for i in range(len(words) - 1):
        if words[i] == "así" and words[i + 1] == "como":
            return "así como"
    for i, word in enumerate(words):
        if word in ("y", "e") and i + 1 < len(words) and _is_verb_like(words[i + 1]):
            if any(_is_verb_like(w) for w in words[:i]):
                return f"… {word} {words[i + 1]}"
    return None


# --------------------------------------------------------------------------------------------------
# indicators

def _roles(ind: IndicatorDoc) -> tuple[list[str], list[str]]:
    num = [v.key for v in ind.variables if v.role == VariableRole.NUMERADOR.value]
    den = [v.key for v in ind.variables if v.role == VariableRole.DENOMINADOR.value]
    return num, den


def _is_bounded(ind: IndicatorDoc, ctx: ValidationContext) -> bool:
    if ind.formula_type != FormulaType.PORCENTAJE.value:
        return False
    if ind.natural_cap is not None:
        return ind.natural_cap <= _HUNDRED
    return ctx.percentages_bounded


def _expected_periods(ind: IndicatorDoc, year: int) -> list[str] | None:
    """Periods of the indicator's frequency in the fiscal year; None when the frequency is unusable."""
    if ind.frequency not in Frequency._value2member_map_:
        return None
    try:
        return periods.periods_for(ind.frequency, year, ind.base_year)
    except (ValueError, KeyError):
        return None


def _accumulate(ind: IndicatorDoc, rows: list[dict[str, Decimal]]) -> dict[str, Decimal] | None:
    """Accumulate each variable over ordered rows (suma → Σ, ultimo_valor → last)."""
    if not rows:
        return None
    out: dict[str, Decimal] = {}
    for var in ind.variables:
        if any(var.key not in row for row in rows):
            return None
        if var.accumulation == Accumulation.ULTIMO_VALOR.value:
            out[var.key] = rows[-1][var.key]
        elif var.accumulation == Accumulation.SUMA.value:
            out[var.key] = sum((row[var.key] for row in rows), _ZERO)
        else:
            return None
    return out


def _evaluate(formula: Formula | None, values: dict[str, Decimal] | None) -> Decimal | None:
    if formula is None or values is None:
        return None
    try:
        result = formula.evaluate(values)
    except Exception:  # noqa: BLE001
        return None
    return result.value


def _level_of(ind: IndicatorDoc, program: ProgramDoc | None, objective: ObjectiveDoc | None) -> str | None:
    if objective is not None:
        return objective.level or None
    if program is not None and ind.objective_key:
        for obj in program.objectives:
            if obj.key == ind.objective_key:
                return obj.level or None
    return None


def _level_rules(ind: IndicatorDoc, level: str | None, where: _Where) -> list[Finding]:
    """IND-006 (type vs level) and IND-007 (frequency vs level)."""
    out: list[Finding] = []
    if level not in _LEVEL_ORDER:
        return out
    if ind.type in IndicatorType._value2member_map_:
        expected = None
        if level in (Level.FIN.value, Level.PROPOSITO.value) and ind.type != IndicatorType.ESTRATEGICO.value:
            expected = "estratégico"
        elif level == Level.ACTIVIDAD.value and ind.type != IndicatorType.GESTION.value:
            expected = "de gestión"
        if expected:
            out.append(where.finding("IND-006", field="type", nivel=label(level), tipo_esperado=expected))
    if ind.frequency in Frequency._value2member_map_ and ind.frequency not in _TYPICAL_FREQUENCIES[level]:
        out.append(where.finding("IND-007", field="frequency", f=ind.frequency, nivel=label(level)))
    return out


def validate_indicator(ind: IndicatorDoc, ctx: ValidationContext, *, program: ProgramDoc | None = None,
                       objective: ObjectiveDoc | None = None) -> list[Finding]:
    """Every indicator rule: IND-*, FT-*, MET-001..004, MIR-007 and the measurement rules (AV-*).
    IND-006/IND-007 are included when the level is known (from ``objective`` or ``program``)."""
    level = _level_of(ind, program, objective)
    where = _Where(program=program.key if program else None, level=level,
                   objective=(objective.key if objective else ind.objective_key) or None, indicator=ind.key or None)
    out: list[Finding] = []
    iid = ind.key
    year = _year(ctx, program)
    ftype = ind.formula_type or ""
    formula_text = ind.formula if isinstance(ind.formula, str) else ""

    def ft001(code: str, suffix: str = "", campo: str | None = None, **extra: Any) -> None:
        out.append(where.finding("FT-001", field=code, campo=campo or FICHA_FIELD_LABELS[code], id=iid,
                                 suffix=suffix, extra=extra))

    # --- definition
    if _blank(ind.name):
        out.append(where.finding("IND-001", field="name"))
    if not ind.objective_key and objective is None:
        ft001("objective")
    if _blank(ind.definition):
        ft001("definition")
    if _blank(ftype):
        ft001("formula_type")
    if _blank(formula_text):
        ft001("formula")
    if not ind.variables:
        ft001("variables")
    if _blank(ind.unit):
        ft001("unit")
    if _blank(ind.type):
        ft001("type")
    elif ind.type not in IndicatorType._value2member_map_:
        ft001("type", suffix=f" El valor «{ind.type}» no es válido; use estrategico o gestion.", valor=ind.type)
    if _blank(ind.dimension):
        ft001("dimension")
    elif ind.dimension not in Dimension._value2member_map_:
        out.append(where.finding("IND-008", field="dimension", d=ind.dimension))
    if _blank(ind.direction):
        ft001("direction")
    elif ind.direction not in Direction._value2member_map_:
        out.append(where.finding("IND-009", field="direction", s=ind.direction))
    if _blank(ind.frequency):
        ft001("frequency")
    elif ind.frequency not in Frequency._value2member_map_:
        ft001("frequency", suffix=f" El valor «{ind.frequency}» no es válido.", valor=ind.frequency)
    if ind.reporting_mode not in ReportingMode._value2member_map_:
        ft001("reporting_mode", suffix=f" El valor «{ind.reporting_mode}» no es válido; use acumulado o periodico.",
              valor=ind.reporting_mode)
    if _blank(ind.measurement_owner):
        ft001("measurement_owner")

    # variables: complete description (FT-001) and source (FT-006)
    for var in ind.variables:
        for attr, text in _VARIABLE_FIELD_LABELS.items():
            if _blank(getattr(var, attr)):
                ft001("variables", campo=f"{text} de la variable «{var.key}»", variable=var.key, atributo=attr)
        if var.role not in VariableRole._value2member_map_:
            ft001("variables", campo=f"rol de la variable «{var.key}»", variable=var.key, atributo="role")
        if var.accumulation not in Accumulation._value2member_map_:
            ft001("variables", campo=f"acumulación de la variable «{var.key}»", variable=var.key,
                  atributo="accumulation")
        if _blank(var.source):
            out.append(where.finding("FT-006", field="variables", v=var.key, extra={"variable": var.key}))

    # formula: parses, matches its type (IND-002), every symbol defined (IND-003)
    formula: Formula | None = None
    if not _blank(formula_text):
        formula, error = _parse(formula_text)
        tipo = _type_label(ftype)
        if formula is None:
            if not _blank(ftype):
                out.append(where.finding("IND-002", field="formula", f=formula_text, tipo=tipo, suffix=f" {error}",
                                         extra={"error": error}))
            else:
                out.append(where.finding("IND-002", field="formula", f=formula_text, tipo="(sin tipo)",
                                         suffix=f" {error}", extra={"error": error}))
        else:
            if not _blank(ftype):
                if ftype not in FormulaType._value2member_map_:
                    out.append(where.finding("IND-002", field="formula_type", f=formula_text, tipo=tipo,
                                             suffix=" El tipo de fórmula no existe en el catálogo (porcentaje, "
                                                    "tasa_variacion, razon, promedio, indice, absoluto).",
                                             extra={"shape": _shape(formula)}))
                elif ftype in _EXPECTED_SHAPE and _shape(formula) not in _EXPECTED_SHAPE[ftype]:
                    out.append(where.finding("IND-002", field="formula", f=formula_text, tipo=tipo,
                                             extra={"shape": _shape(formula)}))
            defined = {v.key for v in ind.variables}
            for name in sorted(formula.names - defined):
                out.append(where.finding("IND-003", field="variables", v=name, extra={"variable": name}))
    if formula is not None and formula.names - {v.key for v in ind.variables}:
        formula = None  # cannot be evaluated on the defined variables

    # naming (IND-011) and level-dependent rules (IND-006, IND-007, IND-010)
    if not _blank(ind.name):
        folded = _fold(ind.name.strip())
        ok = True
        if ftype == FormulaType.PORCENTAJE.value:
            ok = folded.startswith("porcentaje")
        elif ftype == FormulaType.TASA_VARIACION.value:
            ok = folded.startswith("tasa de variacion")
        elif ftype == FormulaType.PROMEDIO.value:
            ok = "promedio" in folded
        if not ok:
            out.append(where.finding("IND-011", field="name", tipo=_type_label(ftype)))
    out.extend(_level_rules(ind, level, where))
    if ftype == FormulaType.ABSOLUTO.value and level in (Level.FIN.value, Level.PROPOSITO.value):
        out.append(where.finding("IND-010", field="formula_type"))

    # unit vs formula type (FT-005)
    if not _blank(ind.unit):
        is_percent = _fold(ind.unit.strip()) in _PERCENT_UNITS
        if ftype in (FormulaType.PORCENTAJE.value, FormulaType.TASA_VARIACION.value) and not is_percent:
            out.append(where.finding("FT-005", field="unit", u=ind.unit, tipo=_type_label(ftype)))
        elif ftype == FormulaType.ABSOLUTO.value and is_percent:
            out.append(where.finding("FT-005", field="unit", u=ind.unit, tipo=_type_label(ftype)))

    # verification sources (MIR-007, FT-007)
    sources = [s for s in ind.verification_sources if not _blank(s)]
    if not sources:
        out.append(where.finding("MIR-007", field="verification_sources", id=iid))
    for source in sources:
        if _generic_source(source):
            out.append(where.finding("FT-007", field="verification_sources", t=source.strip()))

    # baseline (FT-002, FT-008)
    if ind.baseline_value is None or ind.baseline_year is None:
        if not (ind.baseline_unavailable and not _blank(ind.baseline_note)):
            out.append(where.finding("FT-002", field="baseline", id=iid))
    if ind.baseline_year is not None and (ind.baseline_year > year or ind.baseline_year < year - 6):
        out.append(where.finding("FT-008", field="baseline", a=ind.baseline_year, e=year))

    # preset (FT-009): most specific wins
    preset = ind.preset_key or (program.preset_key if program else None) or ctx.default_preset
    if not preset:
        out.append(where.finding("FT-009", field="traffic_light", id=iid))
    elif ctx.known_presets and preset not in ctx.known_presets:
        out.append(where.finding("FT-009", field="traffic_light", id=iid,
                                 suffix=f" El preset «{preset}» no existe.", extra={"preset": preset}))

    out.extend(_target_rules(ind, ctx, where, formula, year))
    out.extend(_measurement_rules(ind, ctx, where, year))
    out.extend(_profile_rules(ind, ctx, where, out))
    return out


_PROFILE_FIELD_ALIASES = {"baseline_value": "baseline", "preset_key": "traffic_light"}  # fields other rules use


def _profile_rules(ind: IndicatorDoc, ctx: ValidationContext, where: _Where, found: list[Finding]) -> list[Finding]:
    """PRF-001: a field the chosen state profile requires is empty (one already reported by FT-001, FT-002,
    FT-003, FT-009 or MIR-007 for the same field is not repeated)."""
    reported = {f.field for f in found}
    out = []
    for attr in ctx.required_fields:
        if attr in reported or _PROFILE_FIELD_ALIASES.get(attr) in reported or not hasattr(ind, attr):
            continue
        value = getattr(ind, attr)
        if isinstance(value, str):
            missing = not value.strip()
        elif isinstance(value, (list, tuple)):
            missing = not any(isinstance(v, str) and v.strip() for v in value)
        else:
            missing = value is None
        if missing:
            out.append(where.finding("PRF-001", field=attr, perfil=ctx.profile_name, id=ind.key,
                                     campo=FICHA_FIELD_LABELS.get(attr, attr)))
    return out


_GENERIC_WORDS = frozenset({
    "registros", "registro", "archivo", "archivos", "interno", "internos", "interna", "internas", "documentos",
    "documento", "expediente", "expedientes", "base", "bases", "datos", "información", "propios", "propias",
    "de", "del", "la", "las", "el", "los", "y", "e", "en", "a",
})


def _generic_source(text: str) -> bool:
    """FT-007: shorter than 15 characters, or made only of generic words."""
    if len(text.strip()) < 15:
        return True
    words = _tokens(text)
    return bool(words) and all(w in _GENERIC_WORDS for w in words)


def _target_rules(ind: IndicatorDoc, ctx: ValidationContext, where: _Where, formula: Formula | None,
                  year: int) -> list[Finding]:
    out: list[Finding] = []
    iid = ind.key
    expected = _expected_periods(ind, year)
    var_keys = [v.key for v in ind.variables]
    num, den = _roles(ind)
    bounded = _is_bounded(ind, ctx)

    # annual target presence (FT-003) — not needed in years without measurement (multi-year frequencies)
    if ind.annual_target is None and expected != []:
        out.append(where.finding("FT-003", field="annual_target", id=iid))

    complete_periods: list[str] = []
    if expected is not None:
        # FT-004: every period of the frequency has a target for every variable
        for period in expected:
            values = ind.targets.get(period)
            missing = [k for k in var_keys if values is None or values.get(k) is None]
            if values is None or missing:
                extra = {} if values is None else {"variables": missing}
                out.append(where.finding("FT-004", field="period_targets", period=period,
                                         periodo=_period_text(period), extra=extra))
            else:
                complete_periods.append(period)
        # MET-001: no period outside the frequency / fiscal year
        foreign = [p for p in _sort_periods(ind.targets) if p not in set(expected)]
        if foreign:
            out.append(where.finding("MET-001", field="period_targets", period=foreign[0], f=ind.frequency,
                                     suffix=" Periodos que no corresponden: " + ", ".join(foreign) + ".",
                                     extra={"periodos": foreign}))

    # per-period target checks on every calendarized period (IND-004, IND-005)
    for period in _sort_periods(ind.targets):
        values = ind.targets[period]
        for d in den:
            if values.get(d) is not None and values[d] == 0:
                out.append(where.finding("IND-004", field="period_targets", period=period, v=d,
                                         periodo=_period_text(period), extra={"variable": d}))
        if bounded and len(num) == 1 and len(den) == 1:
            n, d = values.get(num[0]), values.get(den[0])
            if n is not None and d is not None and d != 0 and n > d:
                out.append(where.finding("IND-005", field="period_targets", period=period,
                                         periodo=_period_text(period)))

    # annual value recomputed from the calendarization (MET-002)
    if (formula is not None and expected and len(complete_periods) == len(expected)
            and ind.annual_target is not None):
        rows = [ind.targets[p] for p in _sort_periods(complete_periods)]
        computed = _evaluate(formula, _accumulate(ind, rows))
        if computed is not None and _r2(computed) != _r2(ind.annual_target):
            out.append(where.finding("MET-002", field="annual_target", r=_fmt(ind.annual_target),
                                     c=_fmt(computed), extra={"calculada": _fmt(computed),
                                                              "registrada": _fmt(ind.annual_target)}))

    # direction vs baseline (MET-003)
    if ind.annual_target is not None and ind.baseline_value is not None:
        backwards = ((ind.direction == Direction.ASCENDENTE.value and ind.annual_target < ind.baseline_value)
                     or (ind.direction == Direction.DESCENDENTE.value and ind.annual_target > ind.baseline_value))
        if backwards:
            out.append(where.finding("MET-003", field="annual_target", m=_fmt(ind.annual_target),
                                     lb=_fmt(ind.baseline_value)))

    # bounded percentage target (MET-004)
    if bounded and ind.annual_target is not None:
        cap = ind.natural_cap if ind.natural_cap is not None else _HUNDRED
        if ind.annual_target > min(cap, _HUNDRED):
            out.append(where.finding("MET-004", field="annual_target"))

    # not interpretable % de avance (IND-012)
    out.extend(_ind012(ind, ctx, where, formula, expected))
    return out


def _ind012(ind: IndicatorDoc, ctx: ValidationContext, where: _Where, formula: Formula | None,
            expected: list[str] | None) -> list[Finding]:
    if ind.formula_type == FormulaType.TASA_VARIACION.value:
        if ind.annual_target is not None and ind.annual_target <= 0:
            return [where.finding("IND-012", field="annual_target", m=_fmt(ind.annual_target))]
        out = []
        for period in _sort_periods(ind.targets):
            value = _evaluate(formula, ind.targets[period])
            if value is not None and value <= 0:
                out.append(where.finding("IND-012", field="period_targets", period=period, m=_fmt(value)))
        return out
    if ind.direction == Direction.DESCENDENTE.value:
        if ind.annual_target is not None and ind.annual_target == 0:
            return [where.finding("IND-012", field="annual_target", m=_fmt(ind.annual_target))]
        if ctx.cutoff is not None and expected:
            due = [p for p in expected if periods.is_due(p, ctx.cutoff) and p in ind.targets]
            value = _evaluate(formula, _accumulate(ind, [ind.targets[p] for p in due]))
            if value is not None and value == 0:
                return [where.finding("IND-012", field="period_targets", period=due[-1], m=_fmt(value))]
    return []


def _measurement_rules(ind: IndicatorDoc, ctx: ValidationContext, where: _Where, year: int) -> list[Finding]:
    out: list[Finding] = []
    num, den = _roles(ind)
    var_keys = [v.key for v in ind.variables]
    stocks = [v.key for v in ind.variables if v.accumulation == Accumulation.ULTIMO_VALOR.value]
    bounded = _is_bounded(ind, ctx)
    reference = ctx.today or ctx.cutoff
    by_period: dict[str, MeasurementDoc] = {}
    for m in ind.measurements:
        by_period.setdefault(m.period, m)

    for period in _sort_periods(by_period):
        m = by_period[period]
        values = m.values or {}
        ptext = _period_text(period)
        # AV-008: capture before the period ended
        if reference is not None:
            try:
                not_ended = periods.end_date(period) > reference
            except (periods.PeriodError, ValueError):
                not_ended = False
            if not_ended:
                out.append(where.finding("AV-008", field="measurements", period=period, periodo=ptext))
        # AV-002: negative values (externally computed indices may be negative)
        if ind.formula_type != FormulaType.INDICE.value:
            for key in var_keys:
                if values.get(key) is not None and values[key] < 0:
                    out.append(where.finding("AV-002", field="measurements", period=period, v=key,
                                             extra={"variable": key}))
        # AV-003 / AV-004 / AV-005: numerator vs denominator
        if num and den and all(values.get(k) is not None for k in num + den):
            zero_den = [d for d in den if values[d] == 0]
            if zero_den:
                if any(values[n] > 0 for n in num):
                    for d in zero_den:
                        out.append(where.finding("AV-003", field="measurements", period=period, v=d,
                                                 periodo=ptext, extra={"variable": d}))
                elif all(values[n] == 0 for n in num):
                    out.append(where.finding("AV-004", field="measurements", period=period, periodo=ptext))
            elif bounded and len(num) == 1 and len(den) == 1 and values[num[0]] > values[den[0]]:
                out.append(where.finding("AV-005", field="measurements", period=period, periodo=ptext))
        # AV-006: only with the engine's classification
        if ctx.justification_check is not None and _blank(m.justification):
            try:
                pct = ctx.justification_check(ind, m)
            except Exception:  # noqa: BLE001 - a failing callback must not break validation
                pct = None
            if pct is not None:
                pct_text = _fmt(pct) if isinstance(pct, Decimal) else str(pct)
                out.append(where.finding("AV-006", field="measurements", period=period, periodo=ptext,
                                         pct=pct_text))

    # AV-009: stock variables jumping between consecutive captured periods
    ordered = _sort_periods(by_period)
    for key in stocks:
        previous: tuple[str, Decimal] | None = None
        for period in ordered:
            value = (by_period[period].values or {}).get(key)
            if value is None:
                continue
            if previous is not None and previous[1] != 0:
                change = (value - previous[1]) / abs(previous[1]) * _HUNDRED
                if abs(change) > ctx.stock_jump_pct:
                    out.append(where.finding("AV-009", field="measurements", period=period, v=key,
                                             x=_fmt(change), extra={"variable": key, "anterior": previous[0]}))
            previous = (period, value)

    # AV-001 / AV-010: due periods without capture, as of the cut-off
    expected = _expected_periods(ind, year)
    if ctx.cutoff is not None and expected:
        grace = timedelta(days=max(ctx.capture_grace_days, 0))
        due = [p for p in expected if periods.end_date(p) <= ctx.cutoff]
        overdue = [p for p in due if periods.end_date(p) + grace <= ctx.cutoff]

        def captured(p: str) -> bool:
            m = by_period.get(p)
            return m is not None and all((m.values or {}).get(k) is not None for k in var_keys)

        for period in overdue:
            if not captured(period):
                out.append(where.finding("AV-001", field="measurements", period=period,
                                         periodo=_period_text(period)))
        missing = [p for p in due if not captured(p)]
        if missing and len(missing) < len(due):
            out.append(where.finding("AV-010", field="measurements", period=due[-1], n=len(missing),
                                     extra={"periodos": missing}))
    return out


# --------------------------------------------------------------------------------------------------
# objectives and programs

def validate_objective(obj: ObjectiveDoc, ctx: ValidationContext, indicators: list[IndicatorDoc], *,
                       program: ProgramDoc | None = None) -> list[Finding]:
    """Syntax of the resumen narrativo (SIN-*) plus IND-006 / IND-007 for the given indicators."""
    where = _Where(program=program.key if program else None, level=obj.level or None, objective=obj.key or None)
    out = syntax_findings(obj, where)
    for ind in indicators:
        iwhere = _Where(program=where.program, level=where.level, objective=where.objective,
                        indicator=ind.key or None)
        out.extend(_level_rules(ind, obj.level, iwhere))
    return out


def _normalise(text: str) -> str:
    return " ".join(_tokens(text))


def _structure_rules(program: ProgramDoc, where: _Where) -> list[Finding]:
    out: list[Finding] = []
    objectives = program.objectives
    by_key = {o.key: o for o in objectives}
    levels = [o.level for o in objectives]
    n_fin, n_prop = levels.count(Level.FIN.value), levels.count(Level.PROPOSITO.value)
    if n_fin != 1:
        out.append(where.finding("MIR-001", field="level", n=n_fin, extra={"n": n_fin}))
    if n_prop != 1:
        out.append(where.finding("MIR-002", field="level", n=n_prop, extra={"n": n_prop}))
    components = [o for o in objectives if o.level == Level.COMPONENTE.value]
    if not components:
        out.append(where.finding("MIR-003", field="level"))
    for comp in components:
        if not any(o.level == Level.ACTIVIDAD.value and o.parent_key == comp.key for o in objectives):
            cw = _Where(program=where.program, level=comp.level, objective=comp.key)
            out.append(cw.finding("MIR-004", field="level", clave=comp.key))
    with_indicator = {i.objective_key for i in program.indicators if i.objective_key}
    for obj in objectives:
        ow = _Where(program=where.program, level=obj.level or None, objective=obj.key or None)
        # MIR-005: parent chain
        expected_parent = _EXPECTED_PARENT.get(obj.level)
        if obj.parent_key:
            parent = by_key.get(obj.parent_key)
            if parent is None:
                out.append(ow.finding("MIR-005", field="objective", clave=obj.key, nivel=_level_label(obj.level),
                                      nivel_padre="desconocido",
                                      suffix=f" El objetivo padre «{obj.parent_key}» no existe.",
                                      extra={"padre": obj.parent_key}))
            elif obj.level in _LEVEL_ORDER and parent.level != expected_parent:
                out.append(ow.finding("MIR-005", field="objective", clave=obj.key, nivel=_level_label(obj.level),
                                      nivel_padre=_level_label(parent.level), extra={"padre": obj.parent_key}))
        elif obj.level == Level.ACTIVIDAD.value:
            # Propósito and Componentes without parent hang implicitly from the single Fin / Propósito;
            # an Actividad must name its Componente
            out.append(ow.finding("MIR-005", field="objective", clave=obj.key, nivel=_level_label(obj.level),
                                  nivel_padre="ninguno", suffix=" La Actividad debe depender de un Componente."))
        # MIR-006: at least one indicator (attached, or listed by id when the indicators live elsewhere)
        if obj.key not in with_indicator and not [k for k in obj.indicator_keys if k]:
            out.append(ow.finding("MIR-006", field="objective", clave=obj.key))
        # MIR-008: supuestos
        if not [a for a in obj.assumptions if not _blank(a)]:
            out.append(ow.finding("MIR-008", field="assumptions", clave=obj.key))
    # MIR-009: supuesto that repeats an objective
    texts = [(o.key, _normalise(o.text)) for o in objectives if not _blank(o.text)]
    for obj in objectives:
        ow = _Where(program=where.program, level=obj.level or None, objective=obj.key or None)
        for assumption in obj.assumptions:
            if _blank(assumption):
                continue
            norm = _normalise(assumption)
            if not norm:
                continue
            for okey, otext in texts:
                if otext and difflib.SequenceMatcher(None, norm, otext, autojunk=False).ratio() >= 0.9:
                    out.append(ow.finding("MIR-009", field="assumptions", texto=assumption.strip(),
                                          extra={"objetivo": okey}))
                    break
    return out


def _program_rules(program: ProgramDoc, ctx: ValidationContext, where: _Where) -> list[Finding]:
    out: list[Finding] = []
    modality = (program.modality or "").strip()
    letter = modality.upper()
    if len(letter) != 1 or letter not in _CONAC_MODALITIES:
        out.append(where.finding("PP-001", field="program", m=modality))
    try:
        key_ok = re.match(ctx.key_pattern, program.key or "") is not None
    except re.error:  # a broken configured pattern disables the check instead of breaking validation
        key_ok = True
    if not key_ok:
        out.append(where.finding("PP-002", field="program", clave=program.key))
    if not program.agency_key or (ctx.known_agencies and program.agency_key not in ctx.known_agencies):
        suffix = "" if not program.agency_key else f" La dependencia «{program.agency_key}» no está en el catálogo."
        out.append(where.finding("PP-003", field="agency", clave=program.key, suffix=suffix))
    if letter in _NO_MIR_MODALITIES and program.objectives:
        out.append(where.finding("PP-004", field="program", m=letter))
    return out


def validate_program(program: ProgramDoc, ctx: ValidationContext) -> list[Finding]:
    """Program (PP-*), MIR structure (MIR-*), resumen narrativo (SIN-*) and every indicator of the program.
    Findings come in MIR order: program, structure, then each objective followed by its indicators."""
    where = _Where(program=program.key or None)
    out = _program_rules(program, ctx, where)
    no_mir_expected = (program.modality or "").strip().upper() in _NO_MIR_MODALITIES
    if program.objectives or not no_mir_expected:
        out.extend(_structure_rules(program, where))
    by_objective: dict[str, list[IndicatorDoc]] = {}
    for ind in program.indicators:
        by_objective.setdefault(ind.objective_key or "", []).append(ind)
    ordered = sorted(enumerate(program.objectives),
                     key=lambda t: (_LEVEL_ORDER.get(t[1].level, 9), t[0]))
    keys = set()
    for _i, obj in ordered:
        keys.add(obj.key)
        out.extend(validate_objective(obj, ctx, [], program=program))  # syntax; level rules come below
        for ind in by_objective.get(obj.key, []):
            out.extend(validate_indicator(ind, ctx, program=program, objective=obj))
    for okey, inds in by_objective.items():
        if okey not in keys:
            for ind in inds:
                out.extend(validate_indicator(ind, ctx, program=program))
    return out


def validate_all(programs: Iterable[ProgramDoc], ctx: ValidationContext) -> list[Finding]:
    out: list[Finding] = []
    for program in programs:
        out.extend(validate_program(program, ctx))
    return out


# --------------------------------------------------------------------------------------------------
# fragments (fixture invalid_examples, `ses validar` on partial files)

def validate_fragment(example: dict, ctx: ValidationContext, agencies: Iterable | None = None) -> list[Finding]:
    """Validate a partial document: ``{"program": {...}}`` (objectives may list indicator ids that are not in
    the fragment: they count as declared elsewhere), ``{"indicator": {...}}`` (no objective at hand, so no
    level rules), ``{"objectives": [{id, nivel, resumen_narrativo, indicator: {tipo, frecuencia}}]}`` (syntax
    and IND-006/IND-007 only) or a whole exchange document (``{"programs": [...]}``).

    ``agencies`` (AgencyDoc list) resolves the program's ``agency_id``; without it the id is taken as the key.
    Structural problems raise :class:`~sistema_seguimiento.core.exchange.ExchangeError`."""
    from . import exchange  # local import: exchange is the reader, validation must not depend on it at import

    if not isinstance(example, dict):
        raise exchange.ExchangeError([("$", "El fragmento debe ser un objeto JSON.")])
    out: list[Finding] = []
    recognised = False
    if "programs" in example:
        recognised = True
        doc = exchange.read_exchange(example)
        fctx = ctx
        if not ctx.known_agencies and doc.agencies:
            fctx = _replace(ctx, known_agencies={a.key for a in doc.agencies})
        out.extend(validate_all(doc.programs, fctx))
    if "program" in example:
        recognised = True
        program = exchange.read_fragment_program(example["program"], agencies=agencies)
        if program.fiscal_year is None:
            program.fiscal_year = ctx.fiscal_year
        out.extend(validate_program(program, ctx))
    if "indicator" in example:
        recognised = True
        ind = exchange.read_fragment_indicator(example["indicator"])
        out.extend(validate_indicator(ind, ctx))
    if "objectives" in example:
        recognised = True
        for obj, stubs in exchange.read_fragment_objectives(example["objectives"]):
            out.extend(validate_objective(obj, ctx, stubs))
    if not recognised:
        raise exchange.ExchangeError([("$", "Fragmento no reconocido: se esperaba «program», «indicator», "
                                            "«objectives» o «programs».")])
    return out


def _replace(ctx: ValidationContext, **changes: Any) -> ValidationContext:
    import dataclasses

    values = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    values.update(changes)
    return ValidationContext(**values)
