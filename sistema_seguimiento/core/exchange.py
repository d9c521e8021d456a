"""Reader and writer of the SES JSON exchange format.

The first example of the format is the demo fixture (``resources/demo_municipio.json``). Top-level keys:

``format_version`` (``fixture_version`` accepted on read), ``disclaimer``, ``municipality``, ``fiscal_year``,
``cutoff`` ({date, ...} or a date string), ``semaforo_presets``, ``agencies``, ``programs``, and the optional
SES keys ``users`` and ``plan`` (passed through as plain dicts). ``invalid_examples`` and ``expected`` belong
to the fixture only and are ignored. Any other top-level key is kept in ``ExchangeDoc.extra``.

The reader only rejects what cannot be stored: wrong JSON types, missing required keys, invalid period ids,
values that are not numbers, duplicate keys, dangling references and unknown ``nivel`` / ``frecuencia`` /
``rol`` / ``acumulacion`` / ``estado`` codes. MIR methodology problems (a dimension outside the catalogue, a
bad ``sentido``, a formula that does not match its type ...) are loaded verbatim and reported later by
:mod:`sistema_seguimiento.core.validation`. All structural errors are collected and raised together in one
:class:`ExchangeError`, each with its JSON path.

Numbers are kept exact: files are parsed with ``parse_float=Decimal`` and :func:`dumps` writes every
``Decimal`` back as the same JSON number literal (no binary float round-off).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from . import periods
from .mir import IndicatorDoc, MeasurementDoc, ObjectiveDoc, ProgramDoc, VariableDoc
from .types import Accumulation, Frequency, Level, MeasurementStatus, ReportingMode, VariableRole

FORMAT_VERSION = "1.0"

# "meta anual aprobada" (before modifications) is an optional IndicatorDoc field
_HAS_ORIGINAL_TARGET = "annual_target_original" in getattr(IndicatorDoc, "__dataclass_fields__", {})

# top-level keys that are part of the fixture only and never read
_IGNORED_TOP_KEYS = {"invalid_examples", "expected"}
_KNOWN_TOP_KEYS = {"format_version", "fixture_version", "municipality", "fiscal_year", "cutoff",
                   "semaforo_presets", "agencies", "programs", "users", "plan"} | _IGNORED_TOP_KEYS


# --------------------------------------------------------------------------------------------------
# documents

@dataclass
class AgencyDoc:
    key: str  # "clave" in the file, e.g. "0301"
    acronym: str = ""  # "id" in the file, e.g. "DSPM"; programs reference it
    name: str = ""
    head: str = ""  # titular


@dataclass
class ExchangeDoc:
    format_version: str = FORMAT_VERSION
    fiscal_year: int = 0
    organization: dict = field(default_factory=dict)  # "municipality" block, passed through
    cutoff: str | None = None  # ISO date
    presets: dict[str, dict] = field(default_factory=dict)
    agencies: list[AgencyDoc] = field(default_factory=list)
    programs: list[ProgramDoc] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)
    # unknown top-level keys (e.g. "disclaimer", "rounding"), passed through on write
    extra: dict = field(default_factory=dict)

    def agency_by_key(self, key: str | None) -> AgencyDoc | None:
        return next((a for a in self.agencies if a.key == key), None)


class ExchangeError(ValueError):
    """Structural errors of an exchange file: ``errors`` = [(JSON path, Spanish message), ...]."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = list(errors)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.errors)
        head = ("El archivo de intercambio tiene 1 error:" if n == 1
                else f"El archivo de intercambio tiene {n} errores:")
        return "\n".join([head] + [f"{path}: {msg}" if path else msg for path, msg in self.errors])

    def __str__(self) -> str:
        return self._text()


# --------------------------------------------------------------------------------------------------
# low-level readers; each one records errors instead of raising

_TYPE_NAMES = {dict: "un objeto", list: "una lista", str: "texto", bool: "verdadero/falso",
               type(None): "nulo", int: "un número entero", float: "un número", Decimal: "un número"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_MISSING = object()


class _Reader:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    # typed getters: return a default (and record an error) when the value is unusable
    def _get(self, obj: dict, key: str, path: str, required: bool) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or (required and value is None):
            if required:
                self.error(_join(path, key), f"Falta el campo obligatorio «{key}».")
            return _MISSING
        return value

    def text(self, obj: dict, key: str, path: str, *, required: bool = False, default: str = "",
             nullable: bool = False) -> str | None:
        value = self._get(obj, key, path, required)
        if value is _MISSING or value is None:
            return None if nullable else default
        if not isinstance(value, str):
            self.error(_join(path, key), f"Se esperaba texto; se encontró {_type_name(value)}.")
            return None if nullable else default
        if required and not value.strip():
            self.error(_join(path, key), f"El campo obligatorio «{key}» está vacío.")
        return value

    def key_text(self, obj: dict, key: str, path: str) -> str | None:
        """A required identifier (non-empty string; integers are accepted and converted)."""
        value = self._get(obj, key, path, True)
        if value is _MISSING:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(_join(path, key), f"Se esperaba texto; se encontró {_type_name(value)}.")
            return None
        if not value.strip():
            self.error(_join(path, key), f"El campo obligatorio «{key}» está vacío.")
            return None
        return value.strip()

    def integer(self, obj: dict, key: str, path: str, *, required: bool = False,
                default: int | None = None) -> int | None:
        value = self._get(obj, key, path, required)
        if value is _MISSING or value is None:
            return default
        result = _to_int(value)
        if result is None:
            self.error(_join(path, key), f"«{_show(value)}» no es un número entero.")
            return default
        return result

    def number(self, obj: dict, key: str, path: str, *, required: bool = False) -> Decimal | None:
        value = self._get(obj, key, path, required)
        if value is _MISSING or value is None:
            return None
        return self.number_value(value, _join(path, key))

    def number_value(self, value: Any, path: str) -> Decimal | None:
        result = to_decimal(value)
        if result is None:
            self.error(path, f"«{_show(value)}» no es un número.")
        return result

    def boolean(self, obj: dict, key: str, path: str, default: bool = False) -> bool:
        value = obj.get(key, None)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(_join(path, key), f"Se esperaba verdadero/falso; se encontró {_type_name(value)}.")
            return default
        return value

    def obj(self, parent: dict, key: str, path: str, *, required: bool = False) -> dict | None:
        value = self._get(parent, key, path, required)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.error(_join(path, key), f"Se esperaba un objeto; se encontró {_type_name(value)}.")
            return None
        return value

    def lst(self, parent: dict, key: str, path: str, *, required: bool = False) -> list:
        value = self._get(parent, key, path, required)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(_join(path, key), f"Se esperaba una lista; se encontró {_type_name(value)}.")
            return []
        return value

    def items_of(self, parent: dict, key: str, path: str, *, required: bool = False):
        """Yield (index, path, dict) for each element of a list of objects; non-objects are errors."""
        for i, item in enumerate(self.lst(parent, key, path, required=required)):
            ipath = _join(_join(path, key), i)
            if not isinstance(item, dict):
                self.error(ipath, f"Se esperaba un objeto; se encontró {_type_name(item)}.")
                continue
            yield i, ipath, item

    def text_list(self, parent: dict, key: str, path: str) -> list[str]:
        out = []
        for i, item in enumerate(self.lst(parent, key, path)):
            if not isinstance(item, str):
                self.error(_join(_join(path, key), i), f"Se esperaba texto; se encontró {_type_name(item)}.")
                continue
            out.append(item)
        return out

    def code(self, obj: dict, key: str, path: str, allowed: type, message: Callable[[str], str], *,
             required: bool = False, default: str | None = None) -> str | None:
        """An enum code; unknown values are errors. Missing/empty gives ``default``."""
        value = self._get(obj, key, path, required)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, str):
            self.error(_join(path, key), f"Se esperaba texto; se encontró {_type_name(value)}.")
            return default
        if value.strip() == "":
            if required:
                self.error(_join(path, key), f"El campo obligatorio «{key}» está vacío.")
            return default
        if value not in allowed._value2member_map_:
            self.error(_join(path, key), message(value))
            return default
        return value

    def iso_date(self, obj: dict, key: str, path: str) -> str | None:
        value = self.text(obj, key, path, nullable=True)
        if value is None or value == "":
            return None
        try:
            date.fromisoformat(value)
        except ValueError:
            self.error(_join(path, key), f"Fecha «{value}» no válida; use el formato AAAA-MM-DD.")
            return None
        return value

    def period(self, obj: dict, key: str, path: str, *, required: bool = True) -> str | None:
        value = self._get(obj, key, path, required)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.error(_join(path, key), f"Se esperaba texto; se encontró {_type_name(value)}.")
            return None
        try:
            periods.parse(value)
        except periods.PeriodError as exc:
            self.error(_join(path, key), str(exc))
            return None
        return value.strip()


def to_decimal(value: Any) -> Decimal | None:
    """Exact Decimal of a JSON number (int, Decimal, numeric string; floats via their shortest repr).
    Booleans, non-finite values and anything else give None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _choices(enum: type) -> str:
    values = [m.value for m in enum]
    return ", ".join(values[:-1]) + " o " + values[-1]


def _bad(label: str, enum: type, feminine: bool = True) -> Callable[[str], str]:
    adjective = "válida" if feminine else "válido"
    return lambda v: f"{label} «{v}» no {adjective}; use {_choices(enum)}."


_BAD_LEVEL = _bad("Nivel", Level, feminine=False)
_BAD_FREQUENCY = _bad("Frecuencia", Frequency)
_BAD_ROLE = _bad("Rol", VariableRole, feminine=False)
_BAD_ACCUMULATION = _bad("Acumulación", Accumulation)
_BAD_STATUS = _bad("Estado", MeasurementStatus, feminine=False)
_BAD_REPORTING = _bad("Modo de reporte", ReportingMode, feminine=False)


# --------------------------------------------------------------------------------------------------
# reading

def read_exchange(data: dict) -> ExchangeDoc:
    """Build an :class:`ExchangeDoc` from parsed JSON (parse floats as Decimal!). Raise
    :class:`ExchangeError` listing every structural error."""
    r = _Reader()
    if not isinstance(data, dict):
        raise ExchangeError([("$", f"El archivo debe contener un objeto JSON; se encontró {_type_name(data)}.")])
    doc = ExchangeDoc()

    version = data.get("format_version", data.get("fixture_version", FORMAT_VERSION))
    if isinstance(version, (int, Decimal)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str):
        key = "format_version" if "format_version" in data else "fixture_version"
        r.error(key, f"Se esperaba texto; se encontró {_type_name(version)}.")
        version = FORMAT_VERSION
    doc.format_version = version

    year = r.integer(data, "fiscal_year", "", required=True)
    doc.fiscal_year = year or 0
    if year is not None and not 1900 <= year <= 2200:
        r.error("fiscal_year", f"Ejercicio fiscal «{year}» fuera de rango.")

    doc.organization = dict(r.obj(data, "municipality", "") or {})
    doc.cutoff = _read_cutoff(r, data)

    presets = r.obj(data, "semaforo_presets", "") or {}
    for name, preset in presets.items():
        if not isinstance(preset, dict):
            r.error(_join("semaforo_presets", name),
                    f"Se esperaba un objeto; se encontró {_type_name(preset)}.")
            continue
        doc.presets[name] = preset

    doc.agencies, agency_refs = _read_agencies(r, data)

    seen_programs: dict[str, str] = {}
    seen_indicators: dict[str, str] = {}
    for _i, ppath, pdata in r.items_of(data, "programs", ""):
        program = _read_program(r, pdata, ppath, doc.fiscal_year, agency_refs, seen_indicators)
        if program is None:
            continue
        if program.key in seen_programs:
            r.error(_join(ppath, "clave"), f"La clave de programa «{program.key}» está repetida "
                                           f"(también en {seen_programs[program.key]}).")
        else:
            seen_programs[program.key] = ppath
        doc.programs.append(program)

    for key in ("users", "plan"):
        items = []
        for _i, ipath, item in r.items_of(data, key, ""):
            items.append(item)
        setattr(doc, key, items)

    doc.extra = {k: v for k, v in data.items() if k not in _KNOWN_TOP_KEYS}

    if r.errors:
        raise ExchangeError(r.errors)
    return doc


def _read_cutoff(r: _Reader, data: dict) -> str | None:
    value = data.get("cutoff")
    if value is None:
        return None
    if isinstance(value, dict):
        return r.iso_date(value, "date", "cutoff")
    if isinstance(value, str):
        return r.iso_date(data, "cutoff", "")
    r.error("cutoff", f"Se esperaba un objeto o una fecha; se encontró {_type_name(value)}.")
    return None


def _read_agencies(r: _Reader, data: dict) -> tuple[list[AgencyDoc], dict[str, str]]:
    """Return the agencies and a map from every reference (id, and clave as a fallback) to the key."""
    agencies: list[AgencyDoc] = []
    by_id: dict[str, str] = {}
    keys: dict[str, str] = {}
    for _i, apath, adata in r.items_of(data, "agencies", ""):
        key = r.key_text(adata, "clave", apath)
        acronym = r.text(adata, "id", apath) or ""
        acronym = acronym.strip() or (key or "")
        name = r.text(adata, "nombre", apath) or ""
        head = r.text(adata, "titular", apath) or ""
        if key is None:
            continue
        if key in keys:
            r.error(_join(apath, "clave"), f"La clave de dependencia «{key}» está repetida "
                                           f"(también en {keys[key]}).")
            continue
        if acronym in by_id:
            r.error(_join(apath, "id"), f"El identificador de dependencia «{acronym}» está repetido.")
            continue
        keys[key] = apath
        by_id[acronym] = key
        agencies.append(AgencyDoc(key=key, acronym=acronym, name=name, head=head))
    refs = {k: k for k in keys}
    refs.update(by_id)  # the id wins when an id equals another agency's clave
    return agencies, refs


def _read_program(r: _Reader, pdata: dict, ppath: str, fiscal_year: int, agency_refs: dict[str, str] | None,
                  seen_indicators: dict[str, str], *, fragment: bool = False) -> ProgramDoc | None:
    """One program. ``agency_refs=None`` takes any agency id as the key; ``fragment=True`` accepts
    objectives that list indicator ids whose indicators are not in the data."""
    key = pdata.get("clave")
    if key is None and "id" in pdata:
        key = r.key_text(pdata, "id", ppath)
    else:
        key = r.key_text(pdata, "clave", ppath)
    program = ProgramDoc(key=key or "")
    program.modality = (r.text(pdata, "modalidad", ppath) or "").strip()
    program.name = r.text(pdata, "nombre", ppath) or ""
    program.fiscal_year = r.integer(pdata, "ejercicio", ppath, default=fiscal_year or None)
    program.responsible = r.text(pdata, "responsable", ppath) or ""
    program.problem = r.text(pdata, "problema", ppath) or ""
    program.target_population = r.text(pdata, "poblacion_objetivo", ppath) or ""
    program.alignment = dict(r.obj(pdata, "alineacion", ppath) or {})
    program.preset_key = r.text(pdata, "semaforizacion_preset", ppath, nullable=True) or None

    agency_ref = pdata.get("agency_id")
    if agency_ref is not None:
        if not isinstance(agency_ref, str):
            r.error(_join(ppath, "agency_id"), f"Se esperaba texto; se encontró {_type_name(agency_ref)}.")
        elif agency_ref.strip():
            if agency_refs is None:
                program.agency_key = agency_ref.strip()
            elif agency_ref.strip() in agency_refs:
                program.agency_key = agency_refs[agency_ref.strip()]
            else:
                r.error(_join(ppath, "agency_id"),
                        f"La dependencia «{agency_ref}» no existe en la lista «agencies».")

    # objectives
    objective_paths: dict[str, str] = {}
    parent_refs: list[tuple[ObjectiveDoc, str]] = []
    for i, opath, odata in r.items_of(pdata, "objectives", ppath):
        okey = r.key_text(odata, "id", opath)
        level = r.code(odata, "nivel", opath, Level, _BAD_LEVEL, required=True)
        obj = ObjectiveDoc(key=okey or "", level=level or "")
        parent = odata.get("parent_id")
        if parent is not None and not isinstance(parent, str):
            r.error(_join(opath, "parent_id"), f"Se esperaba texto; se encontró {_type_name(parent)}.")
        elif parent:
            obj.parent_key = parent.strip()
            parent_refs.append((obj, _join(opath, "parent_id")))
        obj.order = r.integer(odata, "orden", opath, default=i + 1)
        obj.text = r.text(odata, "resumen_narrativo", opath) or ""
        obj.assumptions = r.text_list(odata, "supuestos", opath)
        obj.indicator_keys = [k.strip() for k in r.text_list(odata, "indicator_ids", opath)]
        if okey is None:
            continue
        if okey in objective_paths:
            r.error(_join(opath, "id"), f"El identificador de objetivo «{okey}» está repetido en el programa "
                                        f"(también en {objective_paths[okey]}).")
            continue
        objective_paths[okey] = opath
        program.objectives.append(obj)
    for obj, path in parent_refs:
        if obj.parent_key not in objective_paths:
            r.error(path, f"El objetivo padre «{obj.parent_key}» no existe en el programa.")
        elif obj.parent_key == obj.key:
            r.error(path, f"El objetivo «{obj.key}» no puede ser su propio padre.")
    _check_cycles(r, program, objective_paths)

    # which objective lists each indicator id
    listed_in: dict[str, tuple[str, str]] = {}
    for obj in program.objectives:
        for j, ikey in enumerate(obj.indicator_keys):
            path = _join(_join(objective_paths[obj.key], "indicator_ids"), j)
            if ikey in listed_in:
                r.error(path, f"El indicador «{ikey}» ya está asignado al objetivo «{listed_in[ikey][0]}».")
            else:
                listed_in[ikey] = (obj.key, path)

    # indicators
    indicator_keys: set[str] = set()
    for _i, ipath, idata in r.items_of(pdata, "indicators", ppath):
        ind = _read_indicator(r, idata, ipath)
        if ind is None:
            continue
        indicator_keys.add(ind.key)
        if ind.key in seen_indicators:
            r.error(_join(ipath, "id"), f"El identificador de indicador «{ind.key}» está repetido "
                                        f"(también en {seen_indicators[ind.key]}).")
            continue
        seen_indicators[ind.key] = ipath
        listed = listed_in.get(ind.key)
        if ind.objective_key is None:
            if listed is None:
                r.error(_join(ipath, "objective_id"), "Falta el campo obligatorio «objective_id».")
            else:
                ind.objective_key = listed[0]
        elif ind.objective_key not in objective_paths:
            r.error(_join(ipath, "objective_id"), f"El objetivo «{ind.objective_key}» no existe en el programa.")
        elif listed is not None and listed[0] != ind.objective_key:
            r.error(_join(ipath, "objective_id"),
                    f"El indicador está asignado al objetivo «{ind.objective_key}», pero aparece en "
                    f"«indicator_ids» del objetivo «{listed[0]}».")
        program.indicators.append(ind)
    for ikey, (_okey, path) in listed_in.items():
        if ikey not in indicator_keys and not fragment:
            r.error(path, f"El indicador «{ikey}» no existe en el programa.")
    return program if key else None


def _check_cycles(r: _Reader, program: ProgramDoc, objective_paths: dict[str, str]) -> None:
    parents = {o.key: o.parent_key for o in program.objectives}
    for start in parents:
        seen = {start}
        node = parents.get(start)
        while node is not None and node in parents:
            if node == start:
                if node != parents[start]:  # self-parent is reported separately
                    r.error(_join(objective_paths[start], "parent_id"),
                            f"El objetivo «{start}» forma un ciclo de dependencia.")
                break
            if node in seen:
                break
            seen.add(node)
            node = parents.get(node)


def _read_indicator(r: _Reader, idata: dict, ipath: str) -> IndicatorDoc | None:
    key = r.key_text(idata, "id", ipath)
    ind = IndicatorDoc(key=key or "")
    objective = idata.get("objective_id")
    if objective is not None and not isinstance(objective, str):
        r.error(_join(ipath, "objective_id"), f"Se esperaba texto; se encontró {_type_name(objective)}.")
    elif objective and objective.strip():
        ind.objective_key = objective.strip()
    ind.name = r.text(idata, "nombre", ipath) or ""
    ind.definition = r.text(idata, "definicion", ipath) or ""
    ind.formula_type = r.text(idata, "tipo_formula", ipath) or ""
    ind.formula = r.text(idata, "metodo_calculo", ipath) or ""
    ind.unit = r.text(idata, "unidad_medida", ipath) or ""
    ind.type = r.text(idata, "tipo", ipath) or ""
    ind.dimension = r.text(idata, "dimension", ipath) or ""
    ind.direction = r.text(idata, "sentido", ipath) or ""
    ind.frequency = r.code(idata, "frecuencia", ipath, Frequency, _BAD_FREQUENCY, default="") or ""
    ind.verification_sources = r.text_list(idata, "medios_verificacion", ipath)

    # variables
    var_paths: dict[str, str] = {}
    for _j, vpath, vdata in r.items_of(idata, "variables", ipath):
        vkey = r.key_text(vdata, "clave", vpath)
        role = r.code(vdata, "rol", vpath, VariableRole, _BAD_ROLE, required=True)
        accumulation = r.code(vdata, "acumulacion", vpath, Accumulation, _BAD_ACCUMULATION, required=True)
        var = VariableDoc(key=vkey or "",
                          name=r.text(vdata, "nombre", vpath) or "",
                          description=r.text(vdata, "descripcion", vpath) or "",
                          unit=r.text(vdata, "unidad_medida", vpath) or "",
                          source=r.text(vdata, "fuente", vpath) or "",
                          role=role or VariableRole.VALOR.value,
                          accumulation=accumulation or Accumulation.SUMA.value)
        if vkey is None:
            continue
        if vkey in var_paths:
            r.error(_join(vpath, "clave"), f"La variable «{vkey}» está repetida en el indicador.")
            continue
        var_paths[vkey] = vpath
        ind.variables.append(var)

    # baseline
    baseline = r.obj(idata, "linea_base", ipath)
    if baseline is not None:
        bpath = _join(ipath, "linea_base")
        ind.baseline_value = r.number(baseline, "valor", bpath)
        ind.baseline_year = r.integer(baseline, "anio", bpath)
        ind.baseline_period = r.period(baseline, "periodo", bpath, required=False)
        ind.baseline_note = r.text(baseline, "nota", bpath) or ""
        ind.baseline_unavailable = r.boolean(baseline, "no_disponible", bpath)

    annual = r.obj(idata, "meta_anual", ipath)
    if annual is not None:
        ind.annual_target = r.number(annual, "valor", _join(ipath, "meta_anual"))
        original = r.number(annual, "valor_original", _join(ipath, "meta_anual"))
        if original is not None and _HAS_ORIGINAL_TARGET:
            ind.annual_target_original = original

    # calendarized variable targets
    for _j, tpath, tdata in r.items_of(idata, "metas_calendarizadas", ipath):
        period = r.period(tdata, "periodo", tpath)
        values = _read_values(r, tdata, tpath, var_paths)
        if period is None:
            continue
        if period in ind.targets:
            r.error(_join(tpath, "periodo"), f"El periodo «{period}» está repetido en las metas.")
            continue
        ind.targets[period] = values

    # measurements
    seen_periods: set[str] = set()
    for _j, mpath, mdata in r.items_of(idata, "avances", ipath):
        period = r.period(mdata, "periodo", mpath)
        values = _read_values(r, mdata, mpath, var_paths)
        status = r.code(mdata, "estado", mpath, MeasurementStatus, _BAD_STATUS,
                        default=MeasurementStatus.CAPTURADO.value)
        justification = r.text(mdata, "justificacion", mpath, nullable=True)
        evidence = r.lst(mdata, "evidencia", mpath)
        if period is None:
            continue
        if period in seen_periods:
            r.error(_join(mpath, "periodo"), f"El periodo «{period}» está repetido en los avances.")
            continue
        seen_periods.add(period)
        ind.measurements.append(MeasurementDoc(period=period, values=values, status=status,
                                               justification=justification, evidence=list(evidence)))

    # ficha técnica
    ficha = r.obj(idata, "ficha", ipath) or {}
    fpath = _join(ipath, "ficha")
    ind.disaggregation = r.text(ficha, "nivel_desagregacion", fpath) or ""
    ind.geographic_coverage = r.text(ficha, "cobertura_geografica", fpath) or ""
    ind.data_availability = r.text(ficha, "disponibilidad_informacion", fpath) or ""
    ind.measurement_owner = r.text(ficha, "responsable_medicion", fpath) or ""
    ind.benchmark = r.text(ficha, "factor_comparacion", fpath) or ""
    ind.interpretation = r.text(ficha, "interpretacion", fpath) or ""
    ind.notes = r.text(ficha, "observaciones", fpath) or ""
    ind.created_on = r.iso_date(ficha, "fecha_alta", fpath)
    ind.version = r.integer(ficha, "version", fpath, default=1)
    ind.preset_key = r.text(ficha, "semaforizacion_preset", fpath, nullable=True) or None
    ind.reporting_mode = r.code(ficha, "modo_reporte", fpath, ReportingMode, _BAD_REPORTING,
                                default=ReportingMode.ACUMULADO.value)
    ind.natural_cap = r.number(ficha, "tope_natural", fpath)
    ind.base_year = r.integer(ficha, "anio_base", fpath)
    return ind if key else None


def _read_values(r: _Reader, data: dict, path: str, var_paths: dict[str, str]) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    raw = r.obj(data, "variables", path, required=True)
    if raw is None:
        return values
    vpath = _join(path, "variables")
    for name, value in raw.items():
        npath = _join(vpath, str(name))
        if name not in var_paths:
            r.error(npath, f"La variable «{name}» no está definida en el indicador.")
            continue
        if value is None:
            r.error(npath, f"Falta el valor de la variable «{name}».")
            continue
        number = r.number_value(value, npath)
        if number is not None:
            values[name] = number
    return values


# --------------------------------------------------------------------------------------------------
# fragments (the fixture's invalid_examples; `ses validar` on partial files)

def read_fragment_program(data: Any, agencies: list[AgencyDoc] | None = None) -> ProgramDoc:
    """A lone program object. Its objectives may list indicator ids that are not in the fragment."""
    r = _Reader()
    if not isinstance(data, dict):
        raise ExchangeError([("program", f"Se esperaba un objeto; se encontró {_type_name(data)}.")])
    refs = None
    if agencies is not None:
        refs = {a.key: a.key for a in agencies}
        refs.update({a.acronym: a.key for a in agencies if a.acronym})
    program = _read_program(r, data, "program", 0, refs, {}, fragment=True)
    if r.errors or program is None:
        raise ExchangeError(r.errors or [("program", "El programa no tiene clave.")])
    if program.fiscal_year == 0:
        program.fiscal_year = None
    return program


def read_fragment_indicator(data: Any) -> IndicatorDoc:
    """A lone indicator object (its objective is not checked)."""
    r = _Reader()
    if not isinstance(data, dict):
        raise ExchangeError([("indicator", f"Se esperaba un objeto; se encontró {_type_name(data)}.")])
    ind = _read_indicator(r, data, "indicator")
    if r.errors or ind is None:
        raise ExchangeError(r.errors or [("indicator.id", "Falta el campo obligatorio «id».")])
    return ind


def read_fragment_objectives(data: Any) -> list[tuple[ObjectiveDoc, list[IndicatorDoc]]]:
    """``objectives`` fragments: [{id, nivel, resumen_narrativo, supuestos?, indicator|indicators: {tipo,
    frecuencia, ...}}]. Indicator stubs carry only what they give (id optional)."""
    r = _Reader()
    out: list[tuple[ObjectiveDoc, list[IndicatorDoc]]] = []
    for i, opath, odata in r.items_of({"objectives": data}, "objectives", ""):
        okey = r.key_text(odata, "id", opath)
        level = r.code(odata, "nivel", opath, Level, _BAD_LEVEL, required=True)
        obj = ObjectiveDoc(key=okey or "", level=level or "", order=i + 1,
                           text=r.text(odata, "resumen_narrativo", opath) or "",
                           assumptions=r.text_list(odata, "supuestos", opath))
        parent = r.text(odata, "parent_id", opath, nullable=True)
        obj.parent_key = parent.strip() if parent and parent.strip() else None
        stubs_data: list[tuple[str, dict]] = []
        single = r.obj(odata, "indicator", opath)
        if single is not None:
            stubs_data.append((_join(opath, "indicator"), single))
        stubs_data.extend((ipath, idata) for _j, ipath, idata in r.items_of(odata, "indicators", opath))
        stubs = []
        for ipath, idata in stubs_data:
            stub = IndicatorDoc(key=r.text(idata, "id", ipath) or "", objective_key=okey)
            stub.name = r.text(idata, "nombre", ipath) or ""
            stub.type = r.text(idata, "tipo", ipath) or ""
            stub.formula_type = r.text(idata, "tipo_formula", ipath) or ""
            stub.frequency = r.code(idata, "frecuencia", ipath, Frequency, _BAD_FREQUENCY, default="") or ""
            stubs.append(stub)
        obj.indicator_keys = [s.key for s in stubs if s.key]
        out.append((obj, stubs))
    if r.errors:
        raise ExchangeError(r.errors)
    return out


# --------------------------------------------------------------------------------------------------
# files

_JSON_MESSAGES = {
    "Expecting value": "se esperaba un valor",
    "Expecting ',' delimiter": "falta una coma",
    "Expecting ':' delimiter": "faltan los dos puntos",
    "Expecting property name enclosed in double quotes": "se esperaba un nombre de campo entre comillas dobles",
    "Unterminated string starting at": "texto sin comillas de cierre",
    "Invalid control character at": "carácter de control no válido",
    "Invalid \\escape": "secuencia de escape no válida",
    "Invalid \\uXXXX escape": "secuencia \\u no válida",
    "Extra data": "hay datos adicionales después del contenido JSON",
}


def loads(text: str) -> Any:
    """Parse JSON text keeping numbers exact; raise ExchangeError (Spanish, with line/column)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as exc:
        detail = _JSON_MESSAGES.get(exc.msg, exc.msg)
        raise ExchangeError([("$", f"El archivo no es JSON válido: línea {exc.lineno}, columna {exc.colno} "
                                   f"({detail}).")]) from None
    except RecursionError:
        raise ExchangeError([("$", "El archivo no es JSON válido: anidamiento demasiado profundo.")]) from None


def read_exchange_file(path: str | Path) -> ExchangeDoc:
    """Read an exchange file (UTF-8, with or without BOM)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ExchangeError([("$", f"No se pudo leer el archivo «{path}»: {exc.strerror or exc}.")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExchangeError([("$", f"El archivo no está codificado en UTF-8 (byte no válido en la posición "
                                   f"{exc.start}).")]) from None
    return read_exchange(loads(text))


# --------------------------------------------------------------------------------------------------
# writing

def write_exchange(doc: ExchangeDoc) -> dict:
    """The exchange-format dict of a document. Numbers stay ``Decimal``: serialise with :func:`dumps`."""
    acronyms = {a.key: a.acronym or a.key for a in doc.agencies}
    out: dict[str, Any] = {"format_version": doc.format_version}
    out.update({k: v for k, v in doc.extra.items() if k not in _KNOWN_TOP_KEYS})
    out["municipality"] = dict(doc.organization)
    out["fiscal_year"] = doc.fiscal_year
    out["cutoff"] = {"date": doc.cutoff} if doc.cutoff else None
    out["semaforo_presets"] = {k: v for k, v in doc.presets.items()}
    out["agencies"] = [{"id": a.acronym or a.key, "clave": a.key, "nombre": a.name, "titular": a.head}
                       for a in doc.agencies]
    out["programs"] = [_write_program(p, acronyms) for p in doc.programs]
    if doc.users:
        out["users"] = [dict(u) for u in doc.users]
    if doc.plan:
        out["plan"] = [dict(p) for p in doc.plan]
    return out


def _write_program(p: ProgramDoc, acronyms: dict[str, str]) -> dict:
    out: dict[str, Any] = {
        "id": p.key, "clave": p.key, "modalidad": p.modality, "nombre": p.name,
        "agency_id": acronyms.get(p.agency_key, p.agency_key) if p.agency_key else None,
        "ejercicio": p.fiscal_year,
        "alineacion": dict(p.alignment),
        "problema": p.problem,
        "poblacion_objetivo": p.target_population,
    }
    if p.responsible:
        out["responsable"] = p.responsible
    if p.preset_key:
        out["semaforizacion_preset"] = p.preset_key
    out["objectives"] = [{
        "id": o.key, "nivel": o.level, "parent_id": o.parent_key, "orden": o.order,
        "resumen_narrativo": o.text, "supuestos": list(o.assumptions), "indicator_ids": list(o.indicator_keys),
    } for o in p.objectives]
    out["indicators"] = [_write_indicator(i) for i in p.indicators]
    return out


def _write_indicator(i: IndicatorDoc) -> dict:
    has_baseline = (i.baseline_value is not None or i.baseline_year is not None or i.baseline_note
                    or i.baseline_period or i.baseline_unavailable)
    baseline: dict | None = None
    if has_baseline:
        baseline = {"valor": i.baseline_value, "anio": i.baseline_year, "nota": i.baseline_note}
        if i.baseline_period:
            baseline["periodo"] = i.baseline_period
        if i.baseline_unavailable:
            baseline["no_disponible"] = True
    ficha: dict[str, Any] = {
        "nivel_desagregacion": i.disaggregation,
        "cobertura_geografica": i.geographic_coverage,
        "disponibilidad_informacion": i.data_availability,
        "responsable_medicion": i.measurement_owner,
        "fecha_alta": i.created_on,
        "version": i.version,
        "semaforizacion_preset": i.preset_key,
    }
    if i.reporting_mode and i.reporting_mode != ReportingMode.ACUMULADO.value:
        ficha["modo_reporte"] = i.reporting_mode
    for key, value in (("factor_comparacion", i.benchmark), ("interpretacion", i.interpretation),
                       ("observaciones", i.notes)):
        if value:
            ficha[key] = value
    if i.natural_cap is not None:
        ficha["tope_natural"] = i.natural_cap
    if i.base_year is not None:
        ficha["anio_base"] = i.base_year
    return {
        "id": i.key, "objective_id": i.objective_key, "nombre": i.name, "definicion": i.definition,
        "tipo_formula": i.formula_type, "metodo_calculo": i.formula,
        "variables": [{"clave": v.key, "nombre": v.name, "descripcion": v.description,
                       "unidad_medida": v.unit, "fuente": v.source, "rol": v.role,
                       "acumulacion": v.accumulation} for v in i.variables],
        "unidad_medida": i.unit, "tipo": i.type, "dimension": i.dimension, "sentido": i.direction,
        "frecuencia": i.frequency,
        "linea_base": baseline,
        "meta_anual": _write_annual_target(i),
        "metas_calendarizadas": [{"periodo": period, "variables": dict(values)}
                                 for period, values in _sorted_periods(i.targets.items())],
        "medios_verificacion": list(i.verification_sources),
        "ficha": ficha,
        "avances": [{"periodo": m.period, "variables": dict(m.values), "estado": m.status,
                     "justificacion": m.justification, "evidencia": list(m.evidence)}
                    for m in i.measurements],
    }


def _write_annual_target(i: IndicatorDoc) -> dict | None:
    original = getattr(i, "annual_target_original", None)
    if i.annual_target is None and original is None:
        return None
    out: dict[str, Any] = {"valor": i.annual_target}
    if original is not None:
        out["valor_original"] = original
    return out


def _sorted_periods(items):
    def key(item):
        try:
            return (0, periods.sort_key(item[0]))
        except periods.PeriodError:
            return (1, (0, 0, 0))
    return sorted(items, key=key)


def _decimal_literal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"Valor numérico no finito: {value}")
    text = str(value)
    # str(Decimal) is always a valid JSON number except for the lowercase-free forms Python emits
    # ("1E+2", "-0", "0E-7" are all valid JSON); nothing to change.
    return text


def dumps(obj: ExchangeDoc | dict | list, *, indent: int | None = 1, ensure_ascii: bool = False) -> str:
    """Serialise an ExchangeDoc (or a dict from :func:`write_exchange`) to JSON text, writing every
    Decimal as its exact literal."""
    if isinstance(obj, ExchangeDoc):
        obj = write_exchange(obj)
    parts: list[str] = []
    _encode(obj, parts, indent, 0, ensure_ascii)
    return "".join(parts)


def _encode(value: Any, out: list[str], indent: int | None, depth: int, ensure_ascii: bool) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        out.append(_decimal_literal(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=ensure_ascii))
    elif isinstance(value, (date,)):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for k, v in value.items():
            if not first:
                out.append(",")
            first = False
            if indent is not None:
                out.append("\n" + " " * (indent * (depth + 1)))
            out.append(json.dumps(str(k), ensure_ascii=ensure_ascii))
            out.append(": " if indent is not None else ":")
            _encode(v, out, indent, depth + 1, ensure_ascii)
        if indent is not None:
            out.append("\n" + " " * (indent * depth))
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for n, v in enumerate(value):
            if n:
                out.append(",")
            if indent is not None:
                out.append("\n" + " " * (indent * (depth + 1)))
            _encode(v, out, indent, depth + 1, ensure_ascii)
        if indent is not None:
            out.append("\n" + " " * (indent * depth))
        out.append("]")
    else:
        raise TypeError(f"Tipo no serializable en JSON: {type(value).__name__}")


def write_exchange_file(doc: ExchangeDoc, path: str | Path, *, bom: bool = False) -> None:
    """Write an exchange file in UTF-8 (optionally with BOM for Excel-minded tools)."""
    text = dumps(doc) + "\n"
    Path(path).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
