"""``ses verificar``: SQLite integrity, foreign keys, the sealed bitácora chain and SES's own invariants."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select, text

from ..core import periods
from ..db.database import Database, head_revision
from ..db.models import APP_ID, Indicator, Measurement, Objective, Program, Target, Variable, FiscalYear


def verify(db: Database) -> list[str]:
    problems: list[str] = []
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            res = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchmany(20)]
            if res != ["ok"]:
                problems += [f"Integridad de SQLite: {r}" for r in res]
            for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(50):
                problems.append(f"Llave foránea rota: tabla {table}, fila {rowid} apunta a {parent} inexistente.")
        app = conn.execute(text("SELECT value FROM app_meta WHERE key='app'")).scalar()
        if app != APP_ID:
            problems.append("Falta la marca de base de datos de SES (tabla app_meta).")
        rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if rev != head_revision():
            problems.append(f"El esquema está en la versión {rev}; el programa espera {head_revision()}.")
        else:
            from ..db.audit_chain import check_chain

            problems += check_chain(conn)
    with db.reading() as s:
        years = {fy.id: fy.year for fy in s.scalars(select(FiscalYear))}
        # objective parents inside the same program and with a valid level chain
        allowed = {"PROPOSITO": "FIN", "COMPONENTE": "PROPOSITO", "ACTIVIDAD": "COMPONENTE"}
        objs = {o[0]: o for o in s.execute(select(Objective.id, Objective.program_id, Objective.parent_id,
                                                  Objective.level, Objective.key))}
        for oid, pid, parent, level, key in objs.values():
            if parent is None:
                continue
            par = objs.get(parent)
            if par is None or par[1] != pid:
                problems.append(f"El objetivo {key} depende de un objetivo de otro programa.")
        # decimals stored as text must parse; periods must belong to the indicator's calendar
        info = {}
        for vid, freq, year in s.execute(
                select(Variable.id, Indicator.frequency, Program.fiscal_year_id)
                .join(Indicator, Variable.indicator_id == Indicator.id)
                .join(Objective, Indicator.objective_id == Objective.id)
                .join(Program, Objective.program_id == Program.id)):
            info[vid] = (freq, years.get(year))
        valid_cache: dict[tuple[str, int], set[str]] = {}
        for model, name in ((Target, "meta"), (Measurement, "valor capturado")):
            table = model.__table__
            for vid, period, raw in s.execute(select(table.c.variable_id, table.c.period,
                                                     text(f"{table.name}.value"))):
                try:
                    Decimal(raw)
                except (InvalidOperation, TypeError):
                    problems.append(f"Número ilegible en {name}: «{raw}» (variable {vid}, periodo {period}).")
                freq, year = info.get(vid, (None, None))
                if freq is None:
                    continue
                key = (freq, year)
                if key not in valid_cache:
                    valid_cache[key] = set(periods.periods_for(freq, year)) if year else set()
                    if freq in ("bienal", "trienal", "quinquenal", "sexenal") and year:
                        valid_cache[key].add(str(year))
                if period not in valid_cache[key]:
                    problems.append(f"El periodo {period} de una {name} no corresponde a la frecuencia {freq} "
                                    f"del ejercicio {year} (variable {vid}).")
                if len(problems) > 200:
                    problems.append("… se detuvo la revisión tras 200 problemas.")
                    return problems
    return problems
