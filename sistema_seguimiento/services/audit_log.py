"""Reading the audit trail: filterable global log, per-indicator history, CSV export."""
from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select

from ..core.cells import csv_cell
from ..db.database import Database
from ..db.models import AuditEntry

HEADERS = ["Fecha y hora", "Usuario", "Acción", "Entidad", "Clave", "Campo", "Valor anterior", "Valor nuevo", "Motivo",
           "Equipo"]
ENTITY_LABELS = {"measurement": "Avance", "period": "Periodo", "justification": "Justificación",
                 "evidence": "Evidencia", "budget": "Presupuesto", "target": "Meta", "indicator": "Indicador",
                 "program": "Programa", "objective": "Objetivo", "variable": "Variable", "user": "Usuario"}


@dataclass
class AuditRow:
    id: int
    at: datetime
    user: str
    action: str
    entity: str
    key: str
    field: str
    old: str | None
    new: str | None
    reason: str
    host: str = ""  # the PC (revision 0005); "" for older entries

    def as_json(self) -> dict:
        return {"id": self.id, "fecha": self.at.isoformat(sep=" "), "usuario": self.user, "accion": self.action,
                "entidad": self.entity, "clave": self.key, "campo": self.field, "anterior": self.old,
                "nuevo": self.new, "motivo": self.reason, "equipo": self.host}

    def as_list(self) -> list[str]:
        return [self.at.strftime("%d/%m/%Y %H:%M:%S"), self.user, self.action,
                ENTITY_LABELS.get(self.entity, self.entity), self.key, self.field, self.old or "", self.new or "",
                self.reason, self.host]


def query(db: Database, *, user: str | None = None, entity: str | None = None, action: str | None = None,
          text: str | None = None, since: datetime | None = None, until: datetime | None = None,
          indicator: str | None = None, limit: int | None = None) -> list[AuditRow]:
    """Newest first. ``text`` matches key, field, old, new or reason; ``indicator`` matches entries of that
    indicator (its key and its variables/periods, e.g. ``E001-C1-01/LMP/2026-T3``)."""
    q = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if user:
        q = q.where(AuditEntry.user_name == user)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if action:
        q = q.where(AuditEntry.action == action)
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at <= until)
    if indicator:
        q = q.where(or_(AuditEntry.entity_key == indicator, AuditEntry.entity_key.like(f"{indicator}/%")))
    if text:
        like = f"%{text}%"
        q = q.where(or_(AuditEntry.entity_key.like(like), AuditEntry.field.like(like), AuditEntry.old.like(like),
                        AuditEntry.new.like(like), AuditEntry.reason.like(like), AuditEntry.user_name.like(like)))
    if limit:
        q = q.limit(limit)
    with db.reading() as s:
        return [AuditRow(e.id, e.at, e.user_name, e.action, e.entity, e.entity_key, e.field, e.old, e.new,
                         e.reason or "", e.host or "") for e in s.scalars(q)]


def indicator_history(db: Database, indicator_key: str) -> list[AuditRow]:
    return query(db, indicator=indicator_key)


def distinct_values(db: Database) -> dict[str, list[str]]:
    """Users, entities and actions present, for the filter combos."""
    with db.reading() as s:
        return {"users": sorted(x for x in s.scalars(select(AuditEntry.user_name).distinct()) if x),
                "entities": sorted(x for x in s.scalars(select(AuditEntry.entity).distinct()) if x),
                "actions": sorted(x for x in s.scalars(select(AuditEntry.action).distinct()) if x)}


def export_csv(rows: list[AuditRow], path: str | Path) -> Path:
    """What Excel on Windows expects: UTF-8 with BOM (accents shown correctly), CRLF line ends, comma separator;
    cells that a spreadsheet would run as formulas are escaped (``core.cells.csv_cell``). Written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(HEADERS)
            for r in rows:
                w.writerow([csv_cell(x) for x in r.as_list()])
        from ..fileops import replace_file

        replace_file(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
