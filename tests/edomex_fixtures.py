"""Estado de México data on a copy of the demo (issue 16): the Edomex profile, proyectos with metas de
actividad and their quarterly calendar and achievements, an authorised reconducción of an indicator (its
targets for October–December raised, the originals kept) and of a meta, and a four-part tarjeta.

Written with the ORM, as the «metas» part of issue 16 will write them in the demo itself."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from sistema_seguimiento.db.database import Database, OpenOptions
from sistema_seguimiento.db.models import (ActivityGoal, ActivityGoalQuarter, Indicator, Justification,
                                           Organization, Program, Project, Reconduction, Target, Variable)
from sistema_seguimiento.services import profiles
from sistema_seguimiento.services.loading import load_demo
from sistema_seguimiento.services.users import SYSTEM

# (program, project key, project name, auxiliary key, auxiliary name,
#  [(goal key, name, unit, annual, [programmed T1..T4], [achieved T1..T4])])
PROJECTS = [
    ("E001", "020201010101", "Alumbrado público municipal", "101", "Coordinación de Alumbrado Público", [
        ("1", "Mantenimiento preventivo de luminarias", "Luminaria", D(1200), [D(300)] * 4,
         [D(310), D(280), D(330), None]),
        ("2", "Atención de reportes ciudadanos de fallas", "Reporte", D(960), [D(240)] * 4,
         [D(250), D(200), D(180), None]),
    ]),
    ("S001", "020608010102", "Apoyo alimentario a adultos mayores", "203", "Coordinación de Asistencia Alimentaria", [
        ("1", "Entrega de paquetes alimentarios", "Paquete", D(4800), [D(1200)] * 4,
         [D(1150), D(1230), D(1000), None]),
    ]),
]
RECON_INDICATOR = "E001-A12-01"  # monthly LSL targets 100 → 150 in October–December (annual 1,200 → 1,350)
RECON_OFICIO = "UIPPE/045/2026"
TARJETA = {"fact": "Se sustituyeron 370 luminarias contra 300 programadas en el trimestre.",
           "projection": "Se espera cerrar el año con 1,350 luminarias sustituidas, la meta reconducida.",
           "improvement_actions": "Reprogramar la meta con la UIPPE y ajustar el calendario de octubre a diciembre."}
SIGNERS = {"firma_elaboro": {"nombre": "Ing. Laura Méndez Ríos", "cargo": "Directora de Servicios Públicos"},
           "firma_valido": {"nombre": "Mtra. Ana Torres Gil", "cargo": "Titular de la UIPPE"}}


def add_edomex_data(db: Database) -> None:
    profiles.set_profile(db, SYSTEM, "edomex")
    with db.transaction() as s:
        org = s.scalars(select(Organization)).one()
        org.settings = {**(org.settings or {}), **SIGNERS}
        progs = {p.key: p for p in s.scalars(select(Program))}
        for order, (pkey, key, name, aux_key, aux_name, goals) in enumerate(PROJECTS):
            pr = Project(program_id=progs[pkey].id, key=key, name=name, auxiliary_key=aux_key,
                         auxiliary_name=aux_name, order=order)
            s.add(pr)
            s.flush()
            for gorder, (gkey, gname, unit, annual, programmed, achieved) in enumerate(goals):
                g = ActivityGoal(project_id=pr.id, key=gkey, name=gname, unit=unit, annual_target=annual,
                                 annual_target_original=annual, order=gorder)
                s.add(g)
                s.flush()
                for n, (p, a) in enumerate(zip(programmed, achieved), 1):
                    s.add(ActivityGoalQuarter(goal_id=g.id, period=f"2026-T{n}", programmed=p, programmed_original=p,
                                              achieved=a, captured_by="demo" if a is not None else "",
                                              captured_at=datetime(2026, 3 * n, 28) if a is not None else None))
        # an authorised reconducción of a meta: «Atención de reportes» T4 240 → 180 (annual 960 → 900)
        goal = s.scalars(select(ActivityGoal).where(ActivityGoal.name.like("Atención de reportes%"))).one()
        q4 = s.scalars(select(ActivityGoalQuarter).where(ActivityGoalQuarter.goal_id == goal.id,
                                                         ActivityGoalQuarter.period == "2026-T4")).one()
        q4.programmed = D(180)
        goal.annual_target = D(900)
        s.add(Reconduction(kind="meta", goal_id=goal.id, period="2026-T3", reason="Menos reportes por la red LED nueva.",
                           changes=[{"periodo": "2026-T4", "anterior": "240", "nuevo": "180"}], status="autorizada",
                           requested_by="capturista", requested_at=datetime(2026, 9, 25, 10, 0),
                           decided_by="uippe", decided_at=datetime(2026, 10, 5, 12, 0), oficio="UIPPE/046/2026",
                           decision_note="Procede."))
        # an authorised reconducción of an indicator: its October–December targets
        ind = s.scalars(select(Indicator).where(Indicator.key == RECON_INDICATOR)).one()
        var = s.scalars(select(Variable).where(Variable.indicator_id == ind.id)).first()
        changes = []
        for t in s.scalars(select(Target).where(Target.variable_id == var.id,
                                                Target.period.in_(["2026-10", "2026-11", "2026-12"]))):
            changes.append({"periodo": t.period, "anterior": str(t.value), "nuevo": "150"})
            t.value = D(150)
            t.change_reason = "Reconducción " + RECON_OFICIO
        ind.annual_target_original = ind.annual_target
        ind.annual_target = D(1350)
        s.add(Reconduction(kind="indicador", indicator_id=ind.id, period="2026-T3",
                           reason="Donación estatal de luminarias LED.", changes=sorted(changes, key=lambda c: c["periodo"]),
                           status="autorizada", requested_by="capturista", requested_at=datetime(2026, 9, 28, 9, 0),
                           decided_by="uippe", decided_at=datetime(2026, 10, 6, 9, 0), oficio=RECON_OFICIO,
                           decision_note="Autorizada con oficio."))
        j = s.scalars(select(Justification).where(Justification.indicator_id == ind.id,
                                                  Justification.period == "2026-09")).one()
        for k, v in TARJETA.items():
            setattr(j, k, v)


def make_edomex_db(path: Path) -> Database:
    db = Database.open(str(path), OpenOptions(create=True))
    load_demo(db)
    add_edomex_data(db)
    return db


@pytest.fixture(scope="module")
def edomex_db(tmp_path_factory):
    db = make_edomex_db(tmp_path_factory.mktemp("edomex") / "edomex.db")
    yield db
    db.close()
