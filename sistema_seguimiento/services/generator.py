"""Deterministic synthetic data in the SES JSON exchange format (``ses generar``).

:func:`generate` builds, from a seed only (``random.Random(seed)``: no global random state, no clock, no
set ordering), a complete fiscal year: dependencias, programas presupuestarios with their MIR (1 Fin,
1 Propósito, 2–4 Componentes, 1–4 Actividades per Componente), fichas técnicas, calendarized variable targets
and a year of captured measurements, plus the plan (ejes → objetivos → estrategias) the programs align to.

Scales (see :data:`SCALES`): ``municipio`` ≈ 25 dependencias / 80 programas / 1,760 indicadores, ``estado``
ten times that; ``mini`` and ``mini_estado`` (2 dependencias, 6 programas, municipal / state wording) for
tests.

Properties the data keeps (tests in ``tests/services/test_generator.py``):

* every number is an ``int`` or a ``Decimal`` with at most 2 decimals (never a float);
* ``meta_anual.valor`` equals the value recomputed from ``metas_calendarizadas`` (MET-002) with the
  accumulation of each variable (``suma`` → Σ, ``ultimo_valor`` → last period), the formula applied in
  ``Decimal`` and ROUND_HALF_UP to 2 decimals;
* denominator targets are never 0; bounded percentages never exceed 100 (IND-005, MET-004);
* every capture whose % de avance (period, or cumulative up to that period) falls outside the green band of
  its preset carries a Spanish ``justificacion`` (AV-006); a denominator is 0 only with a numerator 0
  (AV-004 *sin eventos*, never AV-003);
* ≈3 % of the due periods are deliberately left without capture (AV-001 warnings), ≈15 % of the captures fall
  outside 90–110 %.
"""
from __future__ import annotations

import calendar
import json
import math
import random
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from pathlib import Path

from . import generator_catalogo as cat
from .generator_metas import activity_goals

__all__ = ["generate", "summarize", "SCALES", "TARGET_COUNTS", "frequency_periods"]

#: scale → (dependencias, programas)
SCALES: dict[str, tuple[int, int]] = {
    "mini": (2, 6),
    "mini_estado": (2, 6),
    "municipio": (25, 80),
    "estado": (250, 800),
}

#: What each scale aims at (``summarize`` keys). ``valores_avance`` = captured variable values (Σ avances ×
#: variables: the measurement rows ``ses generar`` loads); ``valores_meta`` = calendarized variable targets.
#: ~1,760 indicators of at most 2 variables with the frequency mix of DOMAIN.md §b (Fin anual, Componentes
#: trimestral–anual …) give ~22 k captured values, not the 100 k first asked for: see docs/datos_sinteticos.md.
TARGET_COUNTS: dict[str, dict[str, int]] = {
    "municipio": {"dependencias": 25, "programas": 80, "indicadores": 1760, "valores_avance": 22000,
                  "valores_meta": 22500},
    "estado": {"dependencias": 250, "programas": 800, "indicadores": 17600, "valores_avance": 220000,
               "valores_meta": 225000},
}

_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
_Q2 = Decimal("0.01")
_H = Decimal(100)
_ONE = Decimal(1)
_TWO = Decimal(2)
_D90 = Decimal(90)
_D110 = Decimal(110)

PCT, TASA, RAZON, PROM, ABS = "porcentaje", "tasa_variacion", "razon", "promedio", "absoluto"
ASC, DESC, REG = "ascendente", "descendente", "regular"
PRESET_A, PRESET_B = "PRESET_A_BANDA_90_110", "PRESET_B_DESVIACION_POR_TIPO"

_MULTI_YEAR = {"bienal": 2, "trienal": 3}

# weighted choices (value, weight)
_FREQ_FIN = (("anual", 80), ("bienal", 10), ("trienal", 10))
_FREQ_PROP = (("anual", 50), ("semestral", 50))
_FREQ_COMP = (("trimestral", 45), ("semestral", 20), ("cuatrimestral", 20), ("anual", 15))
_FREQ_ACT = (("mensual", 75), ("bimestral", 8), ("trimestral", 12), ("cuatrimestral", 3), ("semestral", 2))
_N_IND = {"FIN": ((1, 85), (2, 15)), "PROPOSITO": ((1, 55), (2, 45)),
          "COMPONENTE": ((1, 35), (2, 50), (3, 15)), "ACTIVIDAD": ((1, 12), (2, 88))}
_SECONDARY_WEIGHTS = {"plazo": 3, "dias": 3, "asist": 3, "costo": 2, "product": 1, "tasa": 2, "abs": 3,
                      "rezago": 1}
_DEMAND = ("recibid", "solicitad", "reportad")
_EVENT_UNITS = ("Capacitación", "Taller", "Evento", "Campaña", "Reunión", "Curso", "Jornada", "Plática",
                "Feria", "Asamblea", "Círculo", "Sesión", "Simulacro")
# units counted in a few per month (a municipality does not sign hundreds of contracts a month)
_SMALL_UNITS = {"Campaña", "Capacitación", "Reunión", "Curso", "Jornada", "Feria", "Asamblea", "Círculo",
                "Simulacro", "Evento", "Taller", "Plática", "Proyecto", "Contrato", "Informe", "Programa", "Etapa",
                "Capítulo", "Manual", "Cartelera", "Convocatoria", "Auditoría", "Evaluación", "Comité", "Ruta",
                "Liga", "Pozo", "Paseo", "Diagnóstico", "Estado financiero", "Nómina", "Conciliación", "Matriz",
                "Operativo", "Brigada", "Audiencia", "Exposición", "Boletín", "Libro", "Supervisión", "Inspección",
                "Visita", "Recorrido", "Capa", "Estudio", "Procedimiento", "Mediación", "Acuerdo", "Aspecto",
                "Equipo", "Semental", "Módulo", "Cámara", "Kilómetro", "Tonelada", "Espacio público", "Escuela",
                "Colonia", "Dependencia", "Título", "Material"}

P_MISSING = 0.03  # due periods left without capture
P_OUT = 0.17  # captures deliberately outside the band
P_ZERO = 0.04  # months without events, for small monthly flows

_AVAILABILITY = {
    "mensual": "5 días hábiles después del cierre del mes",
    "bimestral": "10 días hábiles después del cierre del bimestre",
    "trimestral": "10 días naturales después del cierre del trimestre",
    "cuatrimestral": "10 días hábiles después del cierre del cuatrimestre",
    "semestral": "15 días hábiles después del cierre del semestre",
    "anual": "Enero del año siguiente",
    "bienal": "Enero del año siguiente al de medición",
    "trienal": "Enero del año siguiente al de medición",
}
_FEMININE_HEADS = {"Dirección", "Secretaría", "Coordinación", "Comisión", "Contraloría", "Tesorería", "Unidad",
                   "Oficialía", "Delegación", "Procuraduría", "Jefatura", "Gerencia", "Subdirección", "Casa",
                   "Oficina", "Ventanilla", "Subsecretaría"}
_STOP = {"de", "del", "la", "las", "el", "los", "y", "e", "en", "a", "al", "para", "por", "con", "que", "o", "su",
         "sus", "se", "un", "una", "respecto", "mismo", "periodo"}
_ASCII = str.maketrans("ÁÉÍÓÚÜÑáéíóúüñ", "AEIOUUNaeiouun")
_REGION_ABBR = {"Norte": "NTE", "Sur": "SUR", "Centro": "CTR", "Oriente": "OTE", "Poniente": "PTE",
                "Altos": "ALT", "Costa": "CST", "Sierra": "SIE"}


def frequency_periods(frequency: str, year: int) -> list[tuple[str, int]]:
    """(period id, last month) of a sub-annual or annual frequency in ``year`` (DOMAIN.md §f)."""
    if frequency == "mensual":
        return [(f"{year:04d}-{m:02d}", m) for m in range(1, 13)]
    size, prefix = {"bimestral": (2, "B"), "trimestral": (3, "T"), "cuatrimestral": (4, "C"),
                    "semestral": (6, "S")}.get(frequency, (12, ""))
    if size == 12:
        return [(f"{year:04d}", 12)]
    return [(f"{year:04d}-{prefix}{n}", n * size) for n in range(1, 12 // size + 1)]


# --------------------------------------------------------------------------------------------------
# fixture blocks copied verbatim (semáforo presets, rounding)

_FIXTURE_BLOCKS: list[str] = []


def _fixture_text() -> str:
    try:
        from importlib import resources

        return (resources.files("sistema_seguimiento.resources") / "demo_municipio.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, OSError):
        return (Path(__file__).resolve().parents[2] / "resources" / "demo_municipio.json").read_text(encoding="utf-8")


def _fixture_blocks() -> tuple[dict, dict]:
    """Fresh copies of the fixture's ``semaforo_presets`` and ``rounding`` (all strings)."""
    if not _FIXTURE_BLOCKS:
        data = json.loads(_fixture_text(), parse_float=Decimal)
        _FIXTURE_BLOCKS.append(json.dumps(data["semaforo_presets"], ensure_ascii=False))
        _FIXTURE_BLOCKS.append(json.dumps(data.get("rounding") or {}, ensure_ascii=False))
    return json.loads(_FIXTURE_BLOCKS[0]), json.loads(_FIXTURE_BLOCKS[1])


# --------------------------------------------------------------------------------------------------
# small helpers

def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    # keep acronyms and proper nouns that start a name lower-cased only in their first letter
    return text[:1].lower() + text[1:]


def _de(name: str) -> str:
    """'de la Dirección …' / 'del Instituto …'."""
    return ("de la " if name.split(" ", 1)[0] in _FEMININE_HEADS else "del ") + name


def _acronym(name: str, limit: int = 6) -> str:
    letters = [w[0] for w in name.translate(_ASCII).replace(",", " ").split()
               if w.lower() not in _STOP and w[0].isalpha()]
    return "".join(letters[:limit]).upper() or "X"


def _weighted(rng: random.Random, table) -> object:
    total = 0
    for _v, w in table:
        total += w
    x = rng.random() * total
    for v, w in table:
        x -= w
        if x < 0:
            return v
    return table[-1][0]


def _loguniform(rng: random.Random, lo: float, hi: float) -> int:
    return max(1, int(round(math.exp(rng.uniform(math.log(lo), math.log(hi))))))


def _r2(x: Decimal) -> Decimal:
    return x.quantize(_Q2, rounding=ROUND_HALF_UP, context=_CTX)


def _value(ft: str, n: Decimal, d: Decimal | None) -> Decimal | None:
    """Formula value (same operation order as the reference calculator)."""
    if ft == ABS:
        return n
    if not d:
        return None
    q = _CTX.divide(n, d)
    if ft == PCT:
        return _CTX.multiply(q, _H)
    if ft == TASA:
        return _CTX.multiply(_CTX.subtract(q, _ONE), _H)
    return q


def _progress(value: Decimal | None, target: Decimal | None, sentido: str) -> Decimal | None:
    if value is None or target is None or not target:
        return None
    if sentido == DESC:
        return _CTX.multiply(_CTX.divide(_CTX.subtract(_CTX.multiply(_TWO, target), value), target), _H)
    return _CTX.multiply(_CTX.divide(value, target), _H)


def _needs_justification(pct: Decimal | None, tipo: str, preset: str) -> bool:
    if pct is None:
        return False
    p = _r2(pct)
    if p < _D90 or p > _D110:
        return True
    if preset == PRESET_B:
        return abs(p - _H) > (10 if tipo == "estrategico" else 5)
    return False


# --------------------------------------------------------------------------------------------------
# catalogue resolved for one scale

class _Measure:
    __slots__ = ("texto", "medido", "hecho", "base", "unidad", "stock", "demand", "event")

    def __init__(self, spec: str, area: str, fill):
        texto, medido, hecho, base, unidad = fill(spec.replace("{a}", area)).split("|")
        self.texto = texto
        self.medido = medido
        self.hecho = hecho
        self.stock = base.startswith("@")
        self.base = base.lstrip("@")
        self.unidad = unidad
        self.demand = any(self.base.startswith(d) for d in _DEMAND)
        self.event = unidad in _EVENT_UNITS


class _Theme:
    __slots__ = ("sector", "index", "modalidad", "nombre", "area", "unidad_resp", "problema", "poblacion",
                 "fin_obj", "fin_medio", "prop_suj", "prop_pred", "fin_ind", "prop_ind", "comps", "acts",
                 "plan_objetivo", "plan_estrategias", "eje")

    def __init__(self, sector: str, eje: str, index: int, spec: tuple, fill):
        (self.modalidad, self.nombre, self.area, self.unidad_resp, problema, poblacion, self.fin_obj,
         self.fin_medio, prop_suj, prop_pred, fin_ind, prop_ind, comps, acts) = spec
        self.sector, self.eje, self.index = sector, eje, index
        self.problema, self.poblacion = fill(problema), fill(poblacion)
        self.prop_suj, self.prop_pred = fill(prop_suj), fill(prop_pred)
        self.fin_ind = fill(fin_ind).split("|")
        self.prop_ind = fill(prop_ind).split("|")
        self.comps = [_Measure(c, self.area, fill) for c in comps]
        self.acts = [_Measure(a, self.area, fill) for a in acts]
        self.plan_objetivo = ""
        self.plan_estrategias: list[str] = []


class _Catalogue:
    def __init__(self, scale: str):
        state = scale == "estado"
        words = {"{amb}": "estado" if state else "municipio", "{adj}": "estatal" if state else "municipal",
                 "{adjp}": "estatales" if state else "municipales"}

        def fill(text: str) -> str:
            for k, v in words.items():
                text = text.replace(k, v)
            return text

        self.fill = fill
        self.state = state
        self.sectors = []  # (clave, eje, nombre municipal, nombre estatal, [themes])
        for clave, eje, mun, est, themes in cat.SECTORES:
            self.sectors.append((clave, eje, mun, est, [_Theme(clave, eje, i, t, fill) for i, t in enumerate(themes)]))
        self.apoyo = _Theme("APO", "5", 0, cat.TEMA_APOYO, fill)
        self.generic_comps = [_Measure(c, "{a}", fill) for c in cat.COMPONENTES_GENERICOS]
        self.generic_acts = [_Measure(a, "{a}", fill) for a in cat.ACTIVIDADES_GENERICAS]
        self.plan_name = "Plan Estatal de Desarrollo 2024-2030" if state else "Plan Municipal de Desarrollo 2024-2027"
        self.plan = self._plan()

    def _plan(self) -> list[dict]:
        ejes = []
        for eclave, enombre in cat.EJES:
            eje = {"clave": eclave, "nombre": f"Eje {eclave}. {enombre}", "plan": self.plan_name, "objetivos": []}
            themes = [t for _c, e, _m, _s, ts in self.sectors if e == eclave for t in ts]
            if eclave == self.apoyo.eje:
                themes.append(self.apoyo)
            for k, theme in enumerate(themes, 1):
                oclave = f"{eclave}.{k}"
                theme.plan_objetivo = f"{oclave} {_cap(theme.fin_obj)}"
                estrategias = []
                for j, est in enumerate(cat.ESTRATEGIAS, 1):
                    text = f"{oclave}.{j} {est.replace('{a}', theme.area)}"
                    estrategias.append({"clave": f"{oclave}.{j}", "nombre": text})
                    theme.plan_estrategias.append(text)
                eje["objetivos"].append({"clave": oclave, "nombre": theme.plan_objetivo, "estrategias": estrategias})
            ejes.append(eje)
        return ejes

    def eje_name(self, eje: str) -> str:
        return next(e["nombre"] for e in self.plan if e["clave"] == eje)


_CATALOGUES: dict[str, _Catalogue] = {}


def _catalogue(scale: str) -> _Catalogue:
    key = "estado" if scale.endswith("estado") else "municipio"
    if key not in _CATALOGUES:
        _CATALOGUES[key] = _Catalogue(key)
    return _CATALOGUES[key]


# --------------------------------------------------------------------------------------------------
# the generator

class _Var:
    __slots__ = ("nombre", "descripcion", "unidad", "fuente", "rol", "acum", "money", "clave")

    def __init__(self, nombre, descripcion, unidad, fuente, rol, acum, money=False):
        self.nombre, self.descripcion, self.unidad, self.fuente = nombre, descripcion, unidad, fuente
        self.rol, self.acum, self.money = rol, acum, money
        self.clave = ""


class _Generator:
    def __init__(self, scale: str, seed: int, fiscal_year: int, cutoff_month: int):
        if scale not in SCALES:
            raise ValueError(f"Escala «{scale}» no válida; use {', '.join(SCALES)}.")
        if not 1 <= cutoff_month <= 12:
            raise ValueError("El mes de corte debe estar entre 1 y 12.")
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.fy = fiscal_year
        self.cutoff_month = cutoff_month
        self.cat = _catalogue(scale)
        self.periods = {f: frequency_periods(f, fiscal_year)
                        for f in ("mensual", "bimestral", "trimestral", "cuatrimestral", "semestral", "anual")}
        self.key_counters: dict[str, int] = {}
        self.tesoreria = "Secretaría de Finanzas" if self.cat.state else "Tesorería Municipal"
        self.ubicaciones = [self.cat.fill(u) for u in cat.UBICACIONES]

    # ---- top level -------------------------------------------------------------------------------
    def run(self) -> dict:
        rng = self.rng
        presets, rounding = _fixture_blocks()
        state = self.cat.state
        agencies, plan_for_agency = self._agencies()
        programs = []
        for agency, (sector, themes, region) in zip(agencies, plan_for_agency):
            for theme, qualifier in themes:
                programs.append(self._program(agency, theme, qualifier, region))
        if state:
            nombre = f"Gobierno del {rng.choice(cat.ESTADOS).replace(' (ficticio)', '')}"
            entidad = nombre.replace("Gobierno del ", "") + " (ficticio)"
        else:
            nombre = f"Municipio de {rng.choice(cat.MUNICIPIOS)}"
            entidad = rng.choice(cat.ESTADOS)
        last_closed = min(self.cutoff_month, 9)
        day = calendar.monthrange(self.fy, self.cutoff_month)[1]
        return {
            "fixture_version": "1.0",
            "disclaimer": (f"Datos sintéticos generados automáticamente (escala {self.scale}, semilla {self.seed}) "
                           "con fines de prueba y demostración. Dependencias, programas, personas y cifras son "
                           "ficticios."),
            "municipality": {"nombre": nombre, "entidad_federativa": entidad, "clave_inegi": None,
                             "tipo": "entidad" if state else "municipio"},
            "fiscal_year": self.fy,
            "cutoff": {"date": f"{self.fy:04d}-{self.cutoff_month:02d}-{day:02d}",
                       "last_closed_month": f"{self.fy:04d}-{last_closed:02d}",
                       "rule": "A period is due when its end date <= cutoff date; only due periods enter "
                               "cumulative values and cumulative targets."},
            "semaforo_presets": presets,
            "rounding": rounding,
            "agencies": agencies,
            "plan": json.loads(json.dumps(self.cat.plan, ensure_ascii=False)),
            "programs": programs,
            # proyectos and metas de actividad (issue 16; services/generator_metas.py)
            "proyectos": activity_goals(programs, self.seed, self.fy, self.cutoff_month),
        }

    def _titular(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return (f"{rng.choice(cat.TITULOS_F)} {rng.choice(cat.NOMBRES_F)} {rng.choice(cat.APELLIDOS)} "
                    f"{rng.choice(cat.APELLIDOS)} (ficticia)")
        return (f"{rng.choice(cat.TITULOS_M)} {rng.choice(cat.NOMBRES_M)} {rng.choice(cat.APELLIDOS)} "
                f"{rng.choice(cat.APELLIDOS)} (ficticio)")

    def _agencies(self):
        """Agencies and, for each, the (theme, qualifier) list of its programs and its region."""
        rng = self.rng
        n_agencies, n_programs = SCALES[self.scale]
        sectors = self.cat.sectors
        units = []  # (sector index, name, region)
        if self.cat.state:
            for s, (_c, _e, _m, est, _t) in enumerate(sectors):  # head office + regional delegations
                units.append((s, est, None))
                units += [(s, f"Delegación Regional {region} {_de(est)}", region) for region in cat.REGIONES]
            units = units[:n_agencies]
        else:
            chosen = sorted(rng.sample(range(len(sectors)), n_agencies))
            units = [(s, sectors[s][2], None) for s in chosen]
        counts = [n_programs // n_agencies] * n_agencies
        for i in rng.sample(range(n_agencies), n_programs % n_agencies):
            counts[i] += 1

        agencies, plans, used_ids = [], [], set()
        sub_index: dict[int, int] = {}
        for (s, name, region), count in zip(units, counts):
            clave_sector, _eje, _m, est, themes = sectors[s]
            sub_index[s] = sub_index.get(s, 0) + 1
            clave = f"{s + 1:02d}{sub_index[s]:02d}"
            acr = _acronym(est if region else name)
            if region:
                acr = f"{acr}-{_REGION_ABBR[region]}"
            base, n = acr, 2
            while acr in used_ids:
                acr, n = f"{base}{n}", n + 1
            used_ids.add(acr)
            agencies.append({"id": acr, "clave": clave, "nombre": name, "titular": self._titular()})
            public = cat.CALIFICADORES_ESTADO if self.cat.state else cat.CALIFICADORES_MUNICIPIO
            qualified = []
            for q in range(max(count, 1)):
                theme = themes[q % len(themes)]
                pool = cat.CALIFICADORES_INTERNOS if theme.modalidad in "MOP" else public
                qualified.append((theme, pool[(q // len(themes)) % len(pool)]))
            seq = [(t, "") for t in themes]
            if region:  # regional delegations: their own administrative program only after the substantive ones
                seq += qualified[:len(themes)] + [(self.cat.apoyo, "")] + qualified[len(themes):]
            else:
                seq += [(self.cat.apoyo, "")] + qualified
            plans.append((s, seq[:count], region))
        return agencies, plans

    # ---- program ---------------------------------------------------------------------------------
    def _program(self, agency: dict, theme: _Theme, qualifier: str, region: str | None) -> dict:
        rng = self.rng
        letter = theme.modalidad
        self.key_counters[letter] = self.key_counters.get(letter, 0) + 1
        key = f"{letter}{self.key_counters[letter]:03d}"
        agency_name = agency["nombre"]
        de_dep = _de(agency_name)
        if theme is self.cat.apoyo:
            nombre = theme.nombre.replace("{de_dep}", de_dep)
        else:
            nombre = theme.nombre + qualifier + (f" en la región {region}" if region else "")
        ctx = {"theme": theme, "agency": agency_name, "resp": f"{theme.unidad_resp} {de_dep}",
               "unidad": theme.unidad_resp, "region": region}

        objectives: list[dict] = []
        indicators: list[dict] = []

        def objective(oid, nivel, parent, orden, texto, measure=None):
            k = _weighted(rng, _N_IND[nivel])
            ids = []
            variants = self._variants(nivel, measure, k, theme)
            for j, variant in enumerate(variants, 1):
                iid = f"{oid}-{j:02d}"
                ids.append(iid)
                indicators.append(self._indicator(iid, oid, nivel, variant, measure, ctx))
            sup = cat.SUPUESTOS[nivel]
            supuestos = [sup[rng.randrange(len(sup))]]
            objectives.append({"id": oid, "nivel": nivel, "parent_id": parent, "orden": orden,
                               "resumen_narrativo": texto, "supuestos": supuestos, "indicator_ids": ids})

        fin_id, prop_id = f"{key}-F", f"{key}-P"
        objective(fin_id, "FIN", None, 1, f"Contribuir a {theme.fin_obj} mediante {theme.fin_medio}.")
        objective(prop_id, "PROPOSITO", fin_id, 1, f"{theme.prop_suj} {theme.prop_pred}.")
        comps = theme.comps[:]
        rng.shuffle(comps)
        generic = self.cat.generic_comps[:]
        rng.shuffle(generic)
        comps += generic
        acts = theme.acts[:]
        rng.shuffle(acts)
        generic = self.cat.generic_acts[:]
        rng.shuffle(generic)
        acts += generic
        n_comp = rng.randint(2, 4)
        a_pos = 0
        for c in range(1, n_comp + 1):
            comp = self._resolve(comps[c - 1], theme)
            cid = f"{key}-C{c}"
            objective(cid, "COMPONENTE", prop_id, c, comp.texto + ".", comp)
            for a in range(1, rng.randint(1, 4) + 1):
                act = self._resolve(acts[a_pos], theme)
                a_pos += 1
                objective(f"{key}-A{c}{a}", "ACTIVIDAD", cid, a, act.texto + ".", act)
        # MIR order: F, P, C1, A11.., C2, A21..  (objectives were appended in that order)
        estrategia = theme.plan_estrategias[rng.randrange(len(theme.plan_estrategias))]
        return {
            "id": key, "clave": key, "modalidad": letter, "nombre": nombre, "agency_id": agency["id"],
            "ejercicio": self.fy,
            "alineacion": {"plan": self.cat.plan_name, "eje": self.cat.eje_name(theme.eje),
                           "objetivo": theme.plan_objetivo, "estrategia": estrategia},
            "problema": theme.problema,
            "poblacion_objetivo": theme.poblacion + (f" de la región {region}" if region else ""),
            "objectives": objectives,
            "indicators": indicators,
        }

    @staticmethod
    def _resolve(m: _Measure, theme: _Theme) -> _Measure:
        if "{a}" not in m.texto and "{a}" not in m.medido:
            return m
        out = _Measure.__new__(_Measure)
        for slot in _Measure.__slots__:
            v = getattr(m, slot)
            setattr(out, slot, v.replace("{a}", theme.area) if isinstance(v, str) else v)
        return out

    def _variants(self, nivel: str, m: _Measure | None, k: int, theme: _Theme) -> list[str]:
        rng = self.rng
        if nivel == "FIN":  # a growth rate of a "bad" outcome would need a negative target (IND-012)
            return ["fin", "fin_tasa"][:k if theme.fin_ind[3] == ASC else 1]
        if nivel == "PROPOSITO":
            return ["prop", "prop_tasa"][:k]
        if nivel == "COMPONENTE":
            first = "tasa" if rng.random() < 0.15 else "pct"
        else:
            first = "abs" if rng.random() < 0.30 else "pct"
        out = [first]
        options = ["plazo", "costo", "product"]
        if m.demand:
            options.append("dias")
            if nivel == "ACTIVIDAD":
                options.append("rezago")
        if m.event:
            options.append("asist")
        if nivel == "COMPONENTE" and first != "tasa":
            options.append("tasa")
        if nivel == "ACTIVIDAD" and first != "abs":
            options.append("abs")
        while len(out) < k and options:
            v = _weighted(rng, [(o, _SECONDARY_WEIGHTS[o]) for o in options])
            options.remove(v)
            out.append(v)
        return out

    # ---- indicator -------------------------------------------------------------------------------
    def _fuente(self, var: _Var, kind: str, ctx: dict) -> str:
        rng = self.rng
        resp = ctx["resp"]
        if var.money:
            return ("Estado del ejercicio presupuestal y de ingresos del sistema de contabilidad gubernamental, "
                    f"{self.tesoreria}")
        if kind == "encuesta":
            return f"Encuesta anual de percepción ciudadana levantada por {resp}"
        if kind == "dias":
            return f"Sistema de atención ciudadana (fechas de recepción y de atención), {resp}"
        if kind == "plantilla":
            return f"Plantilla de personal autorizada, {resp}"
        if kind == "historico":
            return f"Registro histórico {self.fy - 1} de {_low(var.nombre.rsplit(' en ', 1)[0])}, {resp}"
        if kind == "stock":
            if "cierre del periodo" in var.nombre:
                return f"Registro de {_low(var.nombre)}, {resp}"
            return f"Padrón de {_low(var.nombre.rsplit(' en 2', 1)[0])} con corte al cierre del periodo, {resp}"
        return f"{cat.DOCUMENTOS_FLUJO[rng.randrange(len(cat.DOCUMENTOS_FLUJO))]} de {_low(var.nombre)}, {resp}"

    def _spec(self, variant: str, m: _Measure | None, ctx: dict) -> dict:
        """Names, formula type, variables and numeric kind of one indicator variant."""
        theme: _Theme = ctx["theme"]
        fy = self.fy
        rng = self.rng
        if variant in ("fin", "fin_tasa"):
            num_name, den_name, unit, sentido = theme.fin_ind
            money = unit == "Peso"
            survey = "encuestad" in den_name.lower()
            src = "encuesta" if survey else "flow"
            if variant == "fin":
                num = _Var(num_name, f"{num_name} en el año de medición", unit, "", "numerador", "suma", money)
                den = _Var(den_name, f"{den_name} en el año de medición", unit, "", "denominador", "suma", money)
                return dict(nombre=f"Porcentaje de {_low(num_name)}", ft=PCT, vars=(num, den), src=(src, src),
                            definicion=f"Mide la proporción de {_low(num_name)} respecto del total de "
                                       f"{_low(den_name)} en el año de medición.",
                            unidad="Porcentaje", sentido=sentido, dim="eficacia", kind="pFF")
            num = _Var(f"{num_name} en {fy}", f"{num_name} registrados en el año {fy}", unit, "", "numerador",
                       "suma", money)
            den = _Var(f"{num_name} en {fy - 1}", f"Mismo concepto para el año {fy - 1}", unit, "", "denominador",
                       "suma", money)
            return dict(nombre=f"Tasa de variación de {_low(num_name)}", ft=TASA, vars=(num, den),
                        src=(src, "historico"), tasa=True,
                        definicion=f"Mide el cambio porcentual de {_low(num_name)} respecto del año anterior.",
                        unidad="Porcentaje", sentido=ASC, dim="eficacia", kind="tFF")
        if variant in ("prop", "prop_tasa"):
            num_name, den_name, unit, pattern = theme.prop_ind
            money = unit == "Peso"
            n_acc = "ultimo_valor" if pattern == "S" else "suma"
            d_acc = "suma" if pattern == "F" else "ultimo_valor"
            if variant == "prop":
                num = _Var(num_name, num_name + (" al cierre del periodo (existencia)" if pattern == "S"
                                                 else " en el periodo (flujo)"), unit, "", "numerador", n_acc,
                           money)
                den = _Var(den_name, den_name + (" en el periodo (flujo)" if pattern == "F"
                                                 else " al cierre del periodo (existencia)"), unit, "",
                           "denominador", d_acc, money)
                kind = {"S": "pSS", "F": "pFF", "FS": "pFS"}[pattern]
                return dict(nombre=f"Porcentaje de {_low(num_name)}", ft=PCT, vars=(num, den),
                            src=("stock" if n_acc == "ultimo_valor" else "flow",
                                 "stock" if d_acc == "ultimo_valor" else "flow"),
                            definicion=f"Mide la proporción de {_low(num_name)} respecto de {_low(den_name)}.",
                            unidad="Porcentaje", sentido=ASC, dim="eficacia", kind=kind)
            num = _Var(f"{num_name} en {fy}", f"{num_name} en el año {fy}", unit, "", "numerador", n_acc, money)
            den = _Var(f"{num_name} en {fy - 1}", f"{num_name} en el mismo periodo de {fy - 1}", unit, "",
                       "denominador", n_acc, money)
            return dict(nombre=f"Tasa de variación de {_low(num_name)}", ft=TASA, vars=(num, den),
                        src=("stock" if n_acc == "ultimo_valor" else "flow", "historico"), tasa=True,
                        definicion=f"Mide el cambio porcentual de {_low(num_name)} respecto del mismo periodo del "
                                   "año anterior.",
                        unidad="Porcentaje", sentido=ASC, dim="eficacia",
                        kind="tSS" if n_acc == "ultimo_valor" else "tFF")

        med, hecho, base, unidad = m.medido, m.hecho, m.base, m.unidad
        done = _cap(f"{med} {hecho}")
        if variant == "pct":
            num = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "numerador", "suma")
            den_name = _cap(f"{med} {base}")
            if m.stock:
                den = _Var(den_name, f"{den_name} al cierre del periodo (existencia)", unidad, "", "denominador",
                           "ultimo_valor")
            else:
                den = _Var(den_name, f"{den_name} en el periodo (flujo)", unidad, "", "denominador", "suma")
            sentido = REG if rng.random() < 0.05 else ASC
            return dict(nombre=f"Porcentaje de {med} {hecho}", ft=PCT, vars=(num, den),
                        src=("flow", "stock" if m.stock else "flow"),
                        definicion=f"Mide la proporción de {med} {hecho} respecto del total de {med} {base}"
                                   + (" al cierre del periodo." if m.stock else " en el periodo."),
                        unidad="Porcentaje", sentido=sentido, dim="eficacia", kind="pFS" if m.stock else "pFF")
        if variant == "plazo":
            num = _Var(f"{done} dentro del plazo establecido", f"{done} dentro del plazo establecido en el "
                       "procedimiento", unidad, "", "numerador", "suma")
            den = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "denominador", "suma")
            return dict(nombre=f"Porcentaje de {med} {hecho} dentro del plazo establecido", ft=PCT, vars=(num, den),
                        src=("flow", "flow"),
                        definicion=f"Mide la proporción de {med} {hecho} dentro del plazo establecido respecto del "
                                   f"total de {med} {hecho} en el periodo.",
                        unidad="Porcentaje", sentido=ASC, dim="calidad", kind="pFF")
        if variant == "dias":
            num = _Var(f"Días naturales transcurridos entre la recepción y la atención de {med}",
                       f"Suma de los días naturales de atención de cada caso de {med} {hecho}", "Día", "",
                       "numerador", "suma")
            den = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "denominador", "suma")
            return dict(nombre=f"Promedio de días de atención de {med}", ft=PROM, vars=(num, den),
                        src=("dias", "flow"),
                        definicion=f"Mide el número promedio de días naturales que transcurren entre la recepción "
                                   f"y la atención de {med}.",
                        unidad="Días", sentido=DESC, dim="eficiencia", kind="mDias")
        if variant == "asist":
            num = _Var(f"Personas asistentes a {med} {hecho}", f"Personas registradas en las listas de asistencia "
                       f"de {med} {hecho}", "Persona", "", "numerador", "suma")
            den = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "denominador", "suma")
            return dict(nombre=f"Promedio de asistentes por {_low(unidad)}", ft=PROM, vars=(num, den),
                        src=("flow", "flow"),
                        definicion=f"Mide el número promedio de personas que asisten a cada {_low(unidad)} "
                                   f"({med} {hecho}).",
                        unidad=f"Personas por {_low(unidad)}", sentido=ASC, dim="eficacia", kind="mAsist")
        if variant == "product":
            num = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "numerador", "suma")
            den = _Var(f"Servidores públicos asignados a {theme.area}", "Personal operativo asignado al cierre del "
                       "periodo (existencia)", "Persona", "", "denominador", "ultimo_valor")
            return dict(nombre=f"Promedio de {med} {hecho} por servidor público asignado", ft=PROM,
                        vars=(num, den), src=("flow", "plantilla"),
                        definicion=f"Mide la productividad del personal: {med} {hecho} por cada servidor público "
                                   "asignado.",
                        unidad=f"{unidad} por servidor público", sentido=ASC, dim="eficiencia", kind="mFS")
        if variant == "costo":
            num = _Var(f"Monto ejercido en {med} {hecho}", f"Gasto devengado en {med} {hecho} en el periodo",
                       "Peso", "", "numerador", "suma", True)
            den = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "denominador", "suma")
            return dict(nombre=f"Costo unitario de {med} {hecho}", ft=RAZON, vars=(num, den),
                        src=("flow", "flow"),
                        definicion=f"Mide el costo promedio, en pesos, de cada {_low(unidad)} ({med} {hecho}).",
                        unidad=f"Pesos por {_low(unidad)}", sentido=DESC, dim="economia", kind="rFF")
        if variant == "tasa":
            num = _Var(f"{done} en {fy}", f"{done} en el periodo del año {fy}", unidad, "", "numerador", "suma")
            den = _Var(f"{done} en {fy - 1}", f"{done} en el mismo periodo de {fy - 1}", unidad, "", "denominador",
                       "suma")
            return dict(nombre=f"Tasa de variación de {med} {hecho}", ft=TASA, vars=(num, den),
                        src=("flow", "historico"), tasa=True,
                        definicion=f"Mide el cambio porcentual de {med} {hecho} respecto del mismo periodo del año "
                                   "anterior.",
                        unidad="Porcentaje", sentido=ASC, dim="eficacia", kind="tFF")
        if variant == "abs":
            val = _Var(done, f"{done} en el periodo (flujo)", unidad, "", "valor", "suma")
            return dict(nombre=f"Número de {med} {hecho}", ft=ABS, vars=(val,), src=("flow",),
                        definicion=f"Cuantifica el número de {med} {hecho} en el periodo.",
                        unidad=unidad, sentido=ASC, dim="eficacia", kind="aF")
        if variant == "rezago":
            val = _Var(_cap(f"{med} pendientes de atención al cierre del periodo"),
                       f"{_cap(med)} {base} sin atender al cierre del periodo (existencia)", unidad, "", "valor",
                       "ultimo_valor")
            return dict(nombre=f"Número de {med} pendientes de atención", ft=ABS, vars=(val,), src=("stock",),
                        definicion=f"Cuantifica el rezago: {med} {base} que siguen sin atender al cierre del "
                                   "periodo.",
                        unidad=unidad, sentido=DESC, dim="eficiencia", kind="aS")
        raise AssertionError(variant)

    def _frequency(self, nivel: str) -> str:
        """Frequencies typical of the level (DOMAIN.md §b, IND-007)."""
        table = {"FIN": _FREQ_FIN, "PROPOSITO": _FREQ_PROP, "COMPONENTE": _FREQ_COMP}.get(nivel, _FREQ_ACT)
        return _weighted(self.rng, table)

    def _indicator(self, iid: str, oid: str, nivel: str, variant: str, m: _Measure | None, ctx: dict) -> dict:
        rng = self.rng
        spec = self._spec(variant, m, ctx)
        ft, sentido, kind = spec["ft"], spec["sentido"], spec["kind"]
        variables: tuple[_Var, ...] = spec["vars"]
        # claves (symbols)
        if spec.get("tasa"):
            base = _acronym(variables[0].nombre.rsplit(" en ", 1)[0], 4)
            variables[0].clave, variables[1].clave = f"{base}_t", f"{base}_t1"
        else:
            used = []
            for v in variables:
                c = _acronym(v.nombre, 5)
                while c in used:
                    c += str(len(used) + 1)
                used.append(c)
                v.clave = c
        for v, src in zip(variables, spec["src"]):
            v.fuente = self._fuente(v, src, ctx)
        fuentes: list[str] = []
        for v in variables:
            if v.fuente not in fuentes:
                fuentes.append(v.fuente)
        medios = [f"{f}; {self.ubicaciones[rng.randrange(len(self.ubicaciones))]}" for f in fuentes]

        frequency = self._frequency(nivel)
        tipo = "estrategico" if nivel in ("FIN", "PROPOSITO") or (nivel == "COMPONENTE" and rng.random() < 0.4) \
            else "gestion"
        preset = PRESET_B if rng.random() < 0.10 else PRESET_A
        anio_base = None
        if frequency in _MULTI_YEAR:
            n = _MULTI_YEAR[frequency]
            measured = rng.random() < 0.6
            anio_base = self.fy if measured else self.fy - rng.randint(1, n - 1)
            periods = [(f"{self.fy:04d}", 12)] if measured else []
        else:
            periods = self.periods[frequency]

        keys = [v.clave for v in variables]
        money = [v.money for v in variables]
        stock = [v.acum == "ultimo_valor" for v in variables]
        small = m is not None and m.unidad in _SMALL_UNITS and kind in ("pFF", "aF", "rFF", "mDias", "mFS", "aS")
        targets = self._targets(kind, len(periods), nivel, sentido, money, small)
        metas = [{"periodo": pid, "variables": dict(zip(keys, self._out(row, money)))}
                 for (pid, _m), row in zip(periods, targets)]
        if periods:
            annual = _r2(_value(ft, *self._accumulate(targets, stock, money)))
        else:
            annual = None
        avances = self._avances(ft, kind, sentido, tipo, preset, periods, targets, keys, money, stock, frequency,
                                ctx) if periods else []
        linea_base = self._baseline(ft, kind, sentido, annual, spec)

        ficha = {
            "nivel_desagregacion": self._desagregacion(ctx),
            "cobertura_geografica": (f"Región {ctx['region']}" if ctx["region"] else
                                     ("Todo el estado" if self.cat.state else "Todo el municipio")),
            "disponibilidad_informacion": _AVAILABILITY[frequency],
            "responsable_medicion": ctx["unidad"],
            "fecha_alta": f"{self.fy - 1:04d}-11-{rng.randint(3, 28):02d}",
            "version": 1,
            "semaforizacion_preset": preset,
        }
        if anio_base is not None:
            ficha["anio_base"] = anio_base
        meta_anual: dict = {"valor": annual}
        if annual is None:
            nxt = anio_base + _MULTI_YEAR[frequency]
            while nxt <= self.fy:
                nxt += _MULTI_YEAR[frequency]
            meta_anual["nota"] = (f"Sin medición en el ejercicio {self.fy} (frecuencia {frequency}); próxima "
                                  f"medición en {nxt}.")
        if ft == PCT:
            formula = f"({keys[0]} / {keys[1]}) * 100"
        elif ft == TASA:
            formula = f"(({keys[0]} / {keys[1]}) - 1) * 100"
        elif ft == ABS:
            formula = keys[0]
        else:
            formula = f"{keys[0]} / {keys[1]}"
        return {
            "id": iid,
            "objective_id": oid,
            "nombre": spec["nombre"],
            "definicion": spec["definicion"],
            "tipo_formula": ft,
            "metodo_calculo": formula,
            "variables": [{"clave": v.clave, "nombre": v.nombre, "descripcion": v.descripcion,
                           "unidad_medida": v.unidad, "fuente": v.fuente, "rol": v.rol, "acumulacion": v.acum}
                          for v in variables],
            "unidad_medida": spec["unidad"],
            "tipo": tipo,
            "dimension": spec["dim"],
            "sentido": sentido,
            "frecuencia": frequency,
            "linea_base": linea_base,
            "meta_anual": meta_anual,
            "metas_calendarizadas": metas,
            "medios_verificacion": medios,
            "ficha": ficha,
            "avances": avances,
        }

    def _desagregacion(self, ctx: dict) -> str:
        options = (("Estatal", "Regional", "Municipal", "Por sexo y grupo de edad") if self.cat.state
                   else ("Municipal", "Por colonia", "Por localidad", "Por sexo y grupo de edad"))
        return options[self.rng.randrange(len(options))]

    # ---- numbers ---------------------------------------------------------------------------------
    @staticmethod
    def _out(row, money) -> list:
        return [Decimal(v).scaleb(-2) if m else v for v, m in zip(row, money)]

    @staticmethod
    def _dec(row, money) -> list[Decimal]:
        return [Decimal(v).scaleb(-2) if m else Decimal(v) for v, m in zip(row, money)]

    def _accumulate(self, rows, stock, money) -> list[Decimal]:
        """Accumulated variables (Decimal) of a list of internal rows."""
        out = []
        for i, is_stock in enumerate(stock):
            if is_stock:
                v = rows[-1][i]
            else:
                v = 0
                for r in rows:
                    v += r[i]
            out.append(Decimal(v).scaleb(-2) if money[i] else Decimal(v))
        if len(out) == 1:
            out.append(None)
        return out

    def _targets(self, kind: str, n: int, nivel: str, sentido: str, money: list[bool], small: bool) -> list[tuple]:
        """Calendarized internal values per period (ints; money in cents)."""
        rng = self.rng
        if n == 0:
            return []
        lo, hi = {"FIN": (300, 3000), "PROPOSITO": (150, 15000), "COMPONENTE": (10, 1500),
                  "ACTIVIDAD": (3, 400)}[nivel]
        if small and nivel in ("COMPONENTE", "ACTIVIDAD"):
            lo, hi = (2, 40) if nivel == "COMPONENTE" else (1, 12)
        mag = _loguniform(rng, lo, hi) * (3 if self.cat.state else 1)
        rows: list[tuple] = []
        u = rng.uniform
        if kind == "pFF":
            if sentido == DESC:
                rate = u(0.05, 0.35)
            elif sentido == REG:
                rate = u(0.88, 0.99)
            else:
                rate = u(0.55, 0.97)
            scale = 100 * _loguniform(rng, 2000, 200000) if money[0] else 1
            for _ in range(n):
                d = max(1, round(mag * u(0.8, 1.2))) * scale
                num = min(d, max(1, round(d * rate * u(0.97, 1.03))))
                rows.append((num, d))
        elif kind == "pSS":
            d0 = mag * rng.randint(3, 10)
            growth = u(0.0, 0.01)
            r_end = u(0.55, 0.95)
            r0 = r_end * u(0.85, 0.97)
            for i in range(n):
                d = round(d0 * (1 + growth * i))
                r = r0 + (r_end - r0) * (i + 1) / n
                rows.append((max(1, min(d, round(d * r))), d))
        elif kind == "pFS":
            d = mag * rng.randint(3, 10) * (100 * rng.randint(50, 500) if money[1] else 1)
            total = max(n, round(d * u(0.3, 0.95)))
            weights = [u(0.7, 1.3) for _ in range(n)]
            wsum = sum(weights)
            nums = [max(1, int(total * w / wsum)) for w in weights]
            while sum(nums) > d:  # only possible for tiny stocks
                i = nums.index(max(nums))
                nums[i] -= 1
            rows = [(x, d) for x in nums]
        elif kind in ("tFF", "tSS"):
            base = _loguniform(rng, 400, 8000) * (100 * rng.randint(100, 1000) if money[0] else 1)
            g = u(0.03, 0.15)
            for i in range(n):
                d = max(50, round(base * (u(0.85, 1.15) if kind == "tFF" else 1 + 0.002 * i)))
                rows.append((max(d + 1, round(d * (1 + g) * u(0.995, 1.005))), d))
        elif kind == "rFF":
            cost = u(80, 5000)
            for _ in range(n):
                d = max(1, round(mag * u(0.8, 1.2)))
                rows.append((max(1, round(d * cost * u(0.98, 1.02) * 100)), d))
        elif kind == "mDias":
            avg = u(1.5, 12)
            for _ in range(n):
                d = max(1, round(mag * u(0.8, 1.2)))
                rows.append((max(1, round(d * avg * u(0.95, 1.05))), d))
        elif kind == "mAsist":
            avg = u(10, 60)
            for _ in range(n):
                d = rng.randint(1, 12)
                rows.append((max(1, round(d * avg * u(0.95, 1.05))), d))
        elif kind == "mFS":
            staff = rng.randint(2, 30)
            per_head = u(0.5, 3.0) if small else u(2, 25)
            for _ in range(n):
                rows.append((max(1, round(staff * per_head * u(0.8, 1.2))), staff))
        elif kind == "aF":
            for _ in range(n):
                rows.append((max(1, round(mag * u(0.8, 1.2))),))
        elif kind == "aS":
            v0 = max(n + 1, round(mag * u(0.2, 0.5)))
            for i in range(n):
                rows.append((max(1, round(v0 * (1 - 0.03 * i))),))
        else:
            raise AssertionError(kind)
        return rows

    def _achieved(self, kind: str, target: tuple, p_value: float, a: float, sentido: str, zero: bool) -> tuple:
        """Internal values of a capture whose indicator value is about ``a`` × target (ascendente)."""
        rng = self.rng
        u = rng.uniform
        want = p_value * a if sentido != DESC else p_value * (2 - a)
        if kind in ("pFF", "pSS", "pFS"):
            if zero:
                return (0, 0)
            d_t = target[1]
            d = max(1, round(d_t * (u(0.93, 1.07) if kind == "pFF" else u(0.995, 1.005))))
            return (min(d, max(0, round(want / 100 * d))), d)
        if kind in ("tFF", "tSS"):
            d = target[1]
            return (max(0, round((want / 100 + 1) * d)), d)
        if kind in ("rFF", "mDias", "mAsist"):
            if zero:
                return (0, 0)
            d = max(1, round(target[1] * u(0.93, 1.07)))
            factor = 100 if kind == "rFF" else 1
            return (max(0, round(want * d * factor)), d)
        if kind == "mFS":
            d = target[1]
            return (max(0, round(want * d)), d)
        return (max(0, round(want)),)

    def _avances(self, ft, kind, sentido, tipo, preset, periods, targets, keys, money, stock, frequency,
                 ctx) -> list[dict]:
        rng = self.rng
        out: list[dict] = []
        nv = len(keys)
        due_targets: list[tuple] = []
        captured: list[tuple] = []
        zero_ok = frequency == "mensual" and kind in ("pFF", "mDias") and not money[0] and targets[0][1] <= 15
        stock_value = kind in ("pSS", "tSS", "aS")  # the numerator is a stock: no jumps > 20 % (AV-009)
        previous = None
        for (pid, month), target in zip(periods, targets):
            if month > self.cutoff_month:
                break
            due_targets.append(target)
            if rng.random() < P_MISSING:
                continue
            t_dec = self._dec(target, money)
            p_val = _value(ft, t_dec[0], t_dec[1] if nv > 1 else None)
            r = rng.random()
            if r < P_OUT:
                a = rng.uniform(0.55, 0.87) if rng.random() < 0.55 else rng.uniform(1.13, 1.45)
            else:
                a = rng.uniform(0.955, 1.045)
            zero = zero_ok and rng.random() < P_ZERO
            row = self._achieved(kind, target, float(p_val), a, sentido, zero)
            if stock_value and previous:
                row = (min(max(row[0], math.ceil(previous * 0.85)), int(previous * 1.15)),) + row[1:]
                if kind == "pSS":
                    row = (min(row[0], row[1]), row[1])
            previous = row[0]
            captured.append(row)
            r_dec = self._dec(row, money)
            val = _value(ft, r_dec[0], r_dec[1] if nv > 1 else None)
            pct = _progress(val, p_val, sentido)
            justification = None
            if _needs_justification(pct, tipo, preset):
                justification = self._justification(pct, sentido, False)
            else:
                cum = self._cumulative_pct(ft, sentido, captured, due_targets, stock, money)
                if _needs_justification(cum, tipo, preset):
                    justification = self._justification(cum, sentido, True)
            out.append({"periodo": pid, "variables": dict(zip(keys, self._out(row, money))),
                        "estado": "validado" if month <= 9 else "capturado",
                        "justificacion": justification, "evidencia": []})
        # cumulative at the cut-off (a trailing missing period changes it): justify on the last capture
        if out and out[-1]["justificacion"] is None and len(captured) < len(due_targets):
            cum = self._cumulative_pct(ft, sentido, captured, due_targets, stock, money)
            if _needs_justification(cum, tipo, preset):
                out[-1]["justificacion"] = self._justification(cum, sentido, True)
        return out

    def _cumulative_pct(self, ft, sentido, captured, due_targets, stock, money) -> Decimal | None:
        if not captured:
            return None
        c = self._accumulate(captured, stock, money)
        t = self._accumulate(due_targets, stock, money)
        return _progress(_value(ft, c[0], c[1]), _value(ft, t[0], t[1]), sentido)

    def _justification(self, pct: Decimal, sentido: str, cumulative: bool) -> str:
        rng = self.rng
        below = pct < _H
        if sentido == DESC:
            pool = cat.JUSTIFICACION_DESC_BAJO if below else cat.JUSTIFICACION_DESC_SOBRE
        else:
            pool = cat.JUSTIFICACION_BAJO if below else cat.JUSTIFICACION_SOBRE
        text = pool[rng.randrange(len(pool))]
        return cat.JUSTIFICACION_ACUMULADO + text if cumulative else text

    def _baseline(self, ft: str, kind: str, sentido: str, annual: Decimal | None, spec: dict) -> dict:
        rng = self.rng
        year = self.fy - 1
        if annual is None:  # multi-year indicator not measured this year: the last measurement
            annual = Decimal(rng.randint(3000, 9000)).scaleb(-2)
        if sentido == ASC:
            factor = rng.randint(800, 970)
        elif sentido == DESC:
            factor = rng.randint(1030, 1250)
        else:
            factor = rng.randint(960, 1000)
        value = _r2(_CTX.divide(_CTX.multiply(annual, Decimal(factor)), Decimal(1000)))
        if ft == PCT and value > _H:
            value = _H.quantize(_Q2)
        if ft == TASA and sentido == ASC and value > annual:
            value = annual
        if kind in ("pSS", "aS", "tSS"):
            nota = f"Valor al 31 de diciembre de {year}"
        elif ft == TASA:
            nota = f"Variación {year} respecto de {year - 1}"
        elif ft in (PROM, RAZON):
            nota = f"Promedio anual {year}"
        elif ft == ABS:
            nota = f"Total {year}"
        else:
            nota = f"Cierre del ejercicio {year}"
        return {"valor": value, "anio": year, "nota": nota}


# --------------------------------------------------------------------------------------------------
# public API

def generate(scale: str, seed: int = 1, fiscal_year: int = 2026, cutoff_month: int = 12) -> dict:
    """A complete synthetic data set in the SES JSON exchange format (plus the top-level ``plan``).

    ``scale``: ``"municipio"``, ``"estado"`` or ``"mini"`` (2 dependencias, for tests). The same arguments
    always give an equal dict. Captures exist for the periods that end on or before ``cutoff_month``.
    """
    return _Generator(scale, seed, fiscal_year, cutoff_month).run()


def summarize(data: dict) -> dict[str, int]:
    """Counts of a generated (or any exchange-format) dict."""
    counts = {"dependencias": len(data.get("agencies", [])), "programas": 0, "objetivos": 0, "indicadores": 0,
              "metas": 0, "valores_meta": 0, "avances": 0, "valores_avance": 0, "periodos_sin_captura": 0,
              "avances_fuera_de_banda": 0, "avances_sin_eventos": 0, "justificaciones": 0}
    for p in data.get("programs", []):
        counts["programas"] += 1
        counts["objetivos"] += len(p["objectives"])
        for ind in p["indicators"]:
            counts["indicadores"] += 1
            nv = len(ind["variables"])
            counts["metas"] += len(ind["metas_calendarizadas"])
            counts["valores_meta"] += len(ind["metas_calendarizadas"]) * nv
            counts["avances"] += len(ind["avances"])
            counts["valores_avance"] += sum(len(a["variables"]) for a in ind["avances"])
            counts["justificaciones"] += sum(1 for a in ind["avances"] if a.get("justificacion"))
            _band_counts(ind, counts, data.get("cutoff", {}).get("date"))
    return counts


def _band_counts(ind: dict, counts: dict, cutoff: str | None) -> None:
    ft, sentido = ind["tipo_formula"], ind["sentido"]
    roles = {v["rol"]: v["clave"] for v in ind["variables"]}
    targets = {t["periodo"]: t["variables"] for t in ind["metas_calendarizadas"]}
    last_month = int(cutoff[5:7]) if cutoff else 12
    captured = {a["periodo"] for a in ind["avances"]}
    for pid in targets:
        end = 12 if len(pid) == 4 else (int(pid[5:]) if pid[5].isdigit() else
                                        int(pid[6:]) * {"B": 2, "T": 3, "C": 4, "S": 6}[pid[5]])
        if end <= last_month and pid not in captured:
            counts["periodos_sin_captura"] += 1

    def val(vs):
        if ft == ABS:
            return Decimal(vs[roles["valor"]])
        return _value(ft, Decimal(vs[roles["numerador"]]), Decimal(vs[roles["denominador"]]))

    for a in ind["avances"]:
        v = val(a["variables"])
        if v is None:
            counts["avances_sin_eventos"] += 1
            continue
        pct = _progress(v, val(targets[a["periodo"]]), sentido)
        if pct is not None and not (_D90 <= _r2(pct) <= _D110):
            counts["avances_fuera_de_banda"] += 1
