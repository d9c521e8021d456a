"""Proyectos and metas de actividad for ``ses generar`` (issue 16), Edomex style: each program gets a numeric
Pp key (``01030401``-like), 1–2 proyectos (the Pp key plus four digits), a Dependencia Auxiliar, and 2–4
metas de actividad with a quarterly calendar and the achieved value of every quarter that ends on or before
the cut-off month. Deterministic from the seed with its own ``random.Random`` (the MIR data of
``generator.py`` keeps its sequence); integers only (counts), never floats.
"""
from __future__ import annotations

import random

ACTIVITIES = [
    ("Realizar reuniones de coordinación interinstitucional", "Reunión"),
    ("Elaborar informes de seguimiento del programa", "Informe"),
    ("Atender solicitudes ciudadanas", "Solicitud"),
    ("Impartir cursos de capacitación", "Curso"),
    ("Realizar visitas de supervisión en campo", "Visita"),
    ("Entregar apoyos a la población beneficiaria", "Apoyo"),
    ("Dar mantenimiento a instalaciones y equipo", "Servicio"),
    ("Realizar campañas de difusión", "Campaña"),
    ("Levantar encuestas de satisfacción", "Encuesta"),
    ("Integrar expedientes de personas beneficiarias", "Expediente"),
    ("Realizar jornadas comunitarias", "Jornada"),
    ("Gestionar convenios de colaboración", "Convenio"),
    ("Actualizar el padrón de beneficiarios", "Actualización"),
    ("Realizar inspecciones de cumplimiento normativo", "Inspección"),
    ("Elaborar diagnósticos situacionales", "Diagnóstico"),
    ("Atender reportes de la ciudadanía", "Reporte"),
]
PROJECT_KINDS = ["Operación del programa", "Atención a la población", "Fortalecimiento institucional",
                 "Infraestructura y equipamiento"]
AUXILIARIES = ["Coordinación de Operación", "Departamento de Atención Ciudadana", "Jefatura de Planeación",
               "Subdirección Técnica", "Unidad de Enlace Administrativo", "Departamento de Proyectos"]


def activity_goals(programs: list[dict], seed: int, fiscal_year: int, cutoff_month: int) -> list[dict]:
    """The top-level "proyectos" list (``services.projects.project_rows`` reads it)."""
    rng = random.Random(seed * 7919 + 16)
    out = []
    done_quarters = [q for q in (1, 2, 3, 4) if q * 3 <= cutoff_month]
    for n, prog in enumerate(programs):
        pp = f"{1 + n // 512:02d}{1 + (n // 64) % 8:02d}{1 + (n // 8) % 8:02d}{1 + n % 8:02d}"
        for j in range(1, rng.choice((1, 2, 2)) + 1):
            metas = []
            for k, (name, unit) in enumerate(rng.sample(ACTIVITIES, rng.randint(2, 4)), start=1):
                base = rng.choice((3, 6, 12, 25, 40, 60, 120, 300))
                calendar = [max(0, base + rng.randint(-base // 3, base // 3)) for _ in range(4)]
                achieved = {}
                for q in done_quarters:
                    planned = calendar[q - 1]
                    roll = rng.random()
                    factor = rng.randint(93, 107) if roll < 0.8 else rng.randint(55, 89) if roll < 0.92 \
                        else rng.randint(111, 140)
                    achieved[f"T{q}"] = planned * factor // 100
                metas.append({"id": str(k), "nombre": name, "unidad": unit, "meta_anual": sum(calendar),
                              "calendario": {f"T{q}": v for q, v in enumerate(calendar, start=1)},
                              "alcanzado": achieved})
            aux = rng.randrange(len(AUXILIARIES))
            out.append({"programa": prog["clave"], "clave": f"{pp}{j:02d}{rng.randint(1, 9):02d}",
                        "nombre": f"{PROJECT_KINDS[(j - 1 + n) % len(PROJECT_KINDS)]}: {prog['nombre']}"[:300],
                        "dependencia_auxiliar": {"clave": f"{100 + aux + 10 * (n % 9)}",
                                                 "nombre": AUXILIARIES[aux]},
                        "metas": metas})
    return out
