"""Checks every write goes through, whatever the entry point (window, CLI, workbook imports, ``ses cargar``):

* :func:`check_written_text` — a ``before_flush`` listener on every ORM session: each text column written (new
  rows and changed columns) must respect ``core.limits`` — no control characters (keys allow none; names and
  long texts allow tab and line breaks) and the length limit of its kind. Any violation raises
  :class:`ServiceError` inside the transaction, which then rolls back: nothing is written.
* :func:`commit_count` — commits so far in this process, so that an error after a commit is never reported as
  «no se guardó».
* :func:`require_fiscal_period` — a period must belong to one of the database's fiscal years (capture, period
  workflow, justifications).

Registered once when ``sistema_seguimiento.services`` is imported (every write goes through a service).
"""
from __future__ import annotations

from sqlalchemy import String, Text, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from ..core import periods
from ..core.limits import KEY, NAME, TEXT, LimitError, check_text
from ..db.models import AppMeta, AuditEntry, FiscalYear, User
from .errors import ServiceError

MSG = {
    "no_year": "El periodo «{period}» no pertenece a los ejercicios de esta base de datos ({years}).",
    "no_years": "El periodo «{period}» no se puede usar: esta base de datos no tiene ningún ejercicio fiscal.",
    "where": "{problem} ({entity}).",
}

ENTITY = {
    "organization": "organización", "fiscal_year": "ejercicio", "plan_element": "elemento del plan",
    "agency": "dependencia", "program": "programa", "budget": "presupuesto", "objective": "objetivo",
    "indicator": "indicador", "variable": "variable", "target": "meta", "measurement": "avance",
    "justification": "justificación", "evidence": "evidencia", "period_state": "estado del periodo",
    "user": "usuario", "traffic_light_preset": "semáforo",
}
FIELD = {
    "key": "La clave", "code": "La clave", "acronym": "Las siglas", "name": "El nombre", "full_name": "El nombre",
    "text": "El texto", "head": "El titular", "responsible": "El responsable", "unit": "La unidad de medida",
    "definition": "La definición", "description": "La descripción", "source": "La fuente",
    "cause": "La causa", "effect": "El efecto", "other_reasons": "Otros motivos",
    "improvement_actions": "Las acciones de mejora", "comment": "El comentario", "change_reason": "El motivo",
    "filename": "El nombre del archivo", "formula": "El método de cálculo", "problem": "El problema",
    "target_population": "La población objetivo", "plan_name": "El plan", "state_name": "La entidad",
    "period": "El periodo",
}
# columns holding identifiers: no control characters at all, short
_KEY_COLUMNS = {"key", "code", "acronym", "period", "baseline_period", "created_on",
                "role", "status", "level", "kind", "frequency", "type", "dimension", "direction", "formula_type",
                "reporting_mode", "accumulation", "modality", "preset_key", "inegi_key", "captured_by",
                "updated_by", "added_by", "changed_by", "author"}
_SKIP = {AuditEntry, AppMeta}  # the audit trail records what was written; app meta is internal


def _kind(cls, column) -> str | None:
    if cls is User and column.key == "password_hash":
        return None
    if cls is User and column.key == "name":
        return KEY
    if not isinstance(column.type, (String, Text)):
        return None
    if column.key in _KEY_COLUMNS:
        return KEY
    if isinstance(column.type, Text) or (isinstance(column.type, String) and column.type.length is None):
        return TEXT
    return NAME


def _label(obj) -> str:
    for attr in ("key", "name", "period"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _check_value(cls, prop_key: str, column, value, label: str) -> None:
    from ..core.limits import clip

    kind = _kind(cls, column)
    if kind is None or not isinstance(value, str):
        return
    try:
        check_text(value, FIELD.get(prop_key, f"«{prop_key}»"), kind)
    except LimitError as exc:
        table = cls.__table__.name
        label = label if prop_key not in ("key", "name") else ""
        entity = ENTITY.get(table, table) + (f" {clip(label)}" if label else "")
        raise ServiceError(MSG["where"].format(problem=str(exc).rstrip("."), entity=entity)) from None


def check_written_text(session: Session, _flush_context=None, _instances=None) -> None:
    """``before_flush``: refuse text that breaks ``core.limits`` in any row about to be written."""
    for obj in list(session.new) + list(session.dirty):
        cls = type(obj)
        if cls in _SKIP:
            continue
        is_new = obj in session.new
        for prop in obj.__mapper__.column_attrs:
            if not is_new and not get_history(obj, prop.key).added:
                continue
            _check_value(cls, prop.key, prop.columns[0], getattr(obj, prop.key, None), _label(obj))


def check_rows(model, rows: list[dict]) -> None:
    """The same check for rows written with a bulk ``insert(model)`` (``ses cargar``), which skips the ORM's
    flush."""
    if model in _SKIP or not rows:
        return
    columns = {prop.key: prop.columns[0] for prop in model.__mapper__.column_attrs}
    for key, col in columns.items():
        if _kind(model, col) is None:
            continue
        # periods, states, user names repeat: check each distinct value once, find its row only to name it
        for value in {row.get(key) for row in rows}:
            if not isinstance(value, str):
                continue
            try:
                _check_value(model, key, col, value, "")
            except ServiceError:
                row = next(r for r in rows if r.get(key) == value)
                label = next((row[a] for a in ("key", "name", "period")
                              if isinstance(row.get(a), str) and row[a]), "")
                _check_value(model, key, col, value, label)


def fiscal_years(session: Session) -> list[int]:
    return sorted(session.scalars(select(FiscalYear.year)))


def require_fiscal_period(session: Session, period: str) -> int:
    """The year of ``period`` when it is one of the database's fiscal years; ServiceError otherwise."""
    from ..core.limits import clip

    try:
        year = periods.year_of(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    years = fiscal_years(session)
    if year not in years:
        if not years:
            raise ServiceError(MSG["no_years"].format(period=clip(period)))
        raise ServiceError(MSG["no_year"].format(period=clip(period), years=", ".join(map(str, years))))
    return year


_registered = False
_commits = 0


def _count_commit(_session: Session) -> None:
    global _commits
    _commits += 1


def commit_count() -> int:
    """How many ORM transactions this process has committed: a caller compares the count before and after an
    operation to know whether a failure happened after something was written (then it must not say that
    nothing was saved)."""
    return _commits


def register() -> None:
    """Install the text guard and the commit counter on every ORM session (idempotent)."""
    global _registered
    if not _registered:
        event.listen(Session, "before_flush", check_written_text)
        event.listen(Session, "after_commit", _count_commit)
        _registered = True


register()

__all__ = ["check_written_text", "check_rows", "require_fiscal_period", "fiscal_years", "register", "commit_count"]
