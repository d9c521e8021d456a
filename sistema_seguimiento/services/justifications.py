"""Justifications (causa, efecto, otros motivos, acciones de mejora — DOMAIN.md §i) and evidence files of an
indicator's period. Evidence is copied into the folder the program manages (``paths.evidence_dir``) with its
SHA-256 recorded; files over the size limit are refused with a clear message."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..core import periods
from ..core.types import PeriodStatus
from ..db.database import Database
from ..db.models import Evidence, Justification
from .. import paths
from . import audit
from .capture import check_agency_access, indicator_period, load_indicators, period_status, workflow_month
from .errors import NotFound, ServiceError
from .users import CurrentUser

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".xlsx", ".xls",
                      ".csv", ".docx"}
FIELDS = (("cause", "causa"), ("effect", "efecto"), ("other_reasons", "otros motivos"),
          ("improvement_actions", "acciones de mejora"))

MSG = {
    "no_indicator": "El indicador «{ind}» no existe.",
    "period": "El periodo {period} no corresponde a la frecuencia del indicador {ind}.",
    "closed": "PER-003: El periodo {period} está cerrado; solicite su reapertura.",
    "empty": "Escriba al menos la causa de la desviación.",
    "too_big": "El archivo «{name}» pesa {size} MB; el límite para evidencias es de {limit} MB. "
               "Reduzca su tamaño (p. ej. PDF comprimido) o divídalo.",
    "ext": "El archivo «{name}» no es de un tipo admitido como evidencia (PDF, imágenes, Excel, CSV o Word).",
    "missing_file": "No se encontró el archivo «{path}».",
    "no_evidence": "No existe la evidencia {id}.",
}


@dataclass
class EvidenceInfo:
    id: int
    filename: str
    stored_path: Path
    sha256: str
    size: int
    added_by: str
    added_at: datetime | None


@dataclass
class JustificationInfo:
    indicator_key: str
    period: str
    cause: str = ""
    effect: str = ""
    other_reasons: str = ""
    improvement_actions: str = ""
    author: str = ""
    updated_at: datetime | None = None
    evidence: list[EvidenceInfo] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return any((self.cause, self.effect, self.other_reasons, self.improvement_actions))


def _resolve(s, actor: CurrentUser | None, indicator_key: str, period: str):
    inds = load_indicators(s, [indicator_key])
    ind = inds.get(indicator_key)
    if ind is None:
        raise NotFound(MSG["no_indicator"].format(ind=indicator_key))
    try:
        own = indicator_period(ind.frequency, period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc)) from exc
    if own is None:
        raise ServiceError(MSG["period"].format(period=period, ind=indicator_key))
    if actor is not None:
        check_agency_access(actor, ind.agency_key, ind.key)
        month = workflow_month(own)
        if period_status(s, month, ind.agency_id) == PeriodStatus.CERRADO.value:
            raise ServiceError(MSG["closed"].format(period=periods.label(month)))
    return ind, own


def get(db: Database, indicator_key: str, period: str) -> JustificationInfo:
    folder = paths.evidence_dir(db.path) if db.path else None
    with db.reading() as s:
        ind, own = _resolve(s, None, indicator_key, period)
        j = s.scalars(select(Justification).where(Justification.indicator_id == ind.id,
                                                  Justification.period == own)).first()
        info = JustificationInfo(indicator_key, own)
        if j:
            info.cause, info.effect, info.other_reasons = j.cause, j.effect, j.other_reasons
            info.improvement_actions, info.author, info.updated_at = j.improvement_actions, j.author, j.updated_at
        for e in s.scalars(select(Evidence).where(Evidence.indicator_id == ind.id, Evidence.period == own)
                           .order_by(Evidence.id)):
            info.evidence.append(EvidenceInfo(e.id, e.filename, (folder / e.stored_name) if folder else
                                              Path(e.stored_name), e.sha256, e.size, e.added_by, e.added_at))
    return info


def save(db: Database, actor: CurrentUser, indicator_key: str, period: str, *, cause: str = "", effect: str = "",
         other_reasons: str = "", improvement_actions: str = "") -> JustificationInfo:
    if not cause.strip():
        raise ServiceError(MSG["empty"])
    with db.transaction() as s:
        own = write(s, actor, indicator_key, period, cause=cause, effect=effect, other_reasons=other_reasons,
                    improvement_actions=improvement_actions)
    return get(db, indicator_key, own)


def write(s, actor: CurrentUser, indicator_key: str, period: str, *, cause: str = "", effect: str = "",
          other_reasons: str = "", improvement_actions: str = "") -> str:
    """Store the four parts inside the caller's transaction (the window's dialog and the capture workbook
    import); returns the indicator's own period."""
    new = {"cause": cause.strip(), "effect": effect.strip(), "other_reasons": other_reasons.strip(),
           "improvement_actions": improvement_actions.strip()}
    if not new["cause"]:
        raise ServiceError(MSG["empty"])
    ind, own = _resolve(s, actor, indicator_key, period)
    j = s.scalars(select(Justification).where(Justification.indicator_id == ind.id,
                                              Justification.period == own)).first()
    if j is None:
        j = Justification(indicator_id=ind.id, period=own)
        s.add(j)
        old = {k: None for k in new}
    else:
        old = {k: getattr(j, k) for k in new}
    for attr, label in FIELDS:
        if (old[attr] or "") != new[attr]:
            audit.record(s, actor, "justification", f"{ind.key}/{own}", label, old[attr], new[attr],
                         action="justificar")
        setattr(j, attr, new[attr])
    j.author, j.updated_at = actor.name, datetime.now().replace(microsecond=0)
    return own


def check_file(path: Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise ServiceError(MSG["missing_file"].format(path=path))
    if path.suffix.lower() not in ALLOWED_EXTENSIONS:
        raise ServiceError(MSG["ext"].format(name=path.name))
    size = path.stat().st_size
    if size > MAX_EVIDENCE_BYTES:
        raise ServiceError(MSG["too_big"].format(name=path.name, size=f"{size / 1048576:.1f}",
                                                 limit=MAX_EVIDENCE_BYTES // 1048576))


def add_evidence(db: Database, actor: CurrentUser, indicator_key: str, period: str, file: str | Path) -> EvidenceInfo:
    """Copy ``file`` into the evidence folder (named by its SHA-256) and record it."""
    src = Path(file)
    check_file(src)
    digest = hashlib.sha256()
    with open(src, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    folder = paths.evidence_dir(db.path) if db.path else paths.data_dir() / "evidencias"
    stored_name = f"{sha[:2]}/{sha}{src.suffix.lower()}"
    dest = folder / stored_name
    created = False
    with db.transaction() as s:
        ind, own = _resolve(s, actor, indicator_key, period)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(dest.suffix + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dest)
            created = True
        try:
            e = Evidence(indicator_id=ind.id, period=own, filename=src.name, stored_name=stored_name, sha256=sha,
                         size=src.stat().st_size, added_by=actor.name, added_at=datetime.now().replace(microsecond=0))
            s.add(e)
            s.flush()
            audit.record(s, actor, "evidence", f"{ind.key}/{own}", "archivo", None, f"{src.name} (SHA-256 {sha})",
                         action="adjuntar")
        except BaseException:
            if created:
                dest.unlink(missing_ok=True)
            raise
        info = EvidenceInfo(e.id, e.filename, dest, sha, e.size, e.added_by, e.added_at)
    return info


def remove_evidence(db: Database, actor: CurrentUser, evidence_id: int) -> None:
    with db.transaction() as s:
        e = s.get(Evidence, evidence_id)
        if e is None:
            raise NotFound(MSG["no_evidence"].format(id=evidence_id))
        from ..db.models import Indicator

        ind_key = s.scalars(select(Indicator.key).where(Indicator.id == e.indicator_id)).one()
        _resolve(s, actor, ind_key, e.period)
        audit.record(s, actor, "evidence", f"{ind_key}/{e.period}", "archivo", f"{e.filename} (SHA-256 {e.sha256})",
                     None, action="quitar")
        s.delete(e)
    # the stored file is kept: the same content may back other records, and the audit trail names its hash
