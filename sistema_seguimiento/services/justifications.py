"""Justifications (causa, efecto, otros motivos, acciones de mejora — DOMAIN.md §i) and evidence files of an
indicator's period. Evidence is copied into the folder the program manages (``paths.evidence_dir``) with its
SHA-256 recorded; files over the size limit are refused with a clear message."""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..core import limits, periods
from ..core.limits import clip
from ..core.types import PeriodStatus
from ..db.database import Database
from ..db.models import Evidence, Justification
from .. import paths
from . import audit, tarjeta
from .capture import check_agency_access, indicator_period, load_indicators, period_status, workflow_month
from .errors import NotFound, ServiceError
from .guards import require_fiscal_period
from .users import CurrentUser

MAX_EVIDENCE_BYTES = limits.MAX_EVIDENCE_BYTES
ALLOWED_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".xlsx", ".xls",
                      ".csv", ".docx"}
FIELDS = (("cause", "causa"), ("effect", "efecto"), ("other_reasons", "otros motivos"),
          ("improvement_actions", "acciones de mejora"), ("fact", "hecho"), ("projection", "proyección"))

MSG = {
    "no_indicator": "El indicador «{ind}» no existe.",
    "period": "El periodo {period} no corresponde a la frecuencia del indicador {ind}.",
    "closed": "PER-003: El periodo {period} está cerrado; solicite su reapertura.",
    "empty": "Escriba al menos la causa de la desviación.",
    "too_big": "El archivo «{name}» pesa {size} MB; el límite para evidencias es de {limit} MB. "
               "Reduzca su tamaño (p. ej. PDF comprimido) o divídalo.",
    "ext": "El archivo «{name}» no es de un tipo admitido como evidencia (PDF, imágenes, Excel, CSV o Word).",
    "missing_file": "No se encontró el archivo «{path}».",
    "link": "«{name}» es un enlace (acceso directo) a otro archivo; adjunte el archivo original, no el enlace.",
    "hardlink": "«{name}» es un archivo con {n} nombres (enlace duro); copie el archivo y adjunte la copia.",
    "folder": "«{name}» es una carpeta; adjunte archivos, uno por uno.",
    "special": "«{name}» no es un archivo normal (es un dispositivo, una tubería o un socket del sistema); "
               "no se puede adjuntar.",
    "changed": "«{name}» cambió mientras se revisaba; vuelva a intentarlo.",
    "unreadable": "No se pudo leer «{name}»: {error}.",
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
    fact: str = ""  # tarjeta: hecho
    projection: str = ""  # tarjeta: proyección
    author: str = ""
    updated_at: datetime | None = None
    evidence: list[EvidenceInfo] = field(default_factory=list)
    tarjeta: bool = False  # the current profile asks for the four-part tarjeta

    @property
    def exists(self) -> bool:
        return any((self.cause, self.effect, self.other_reasons, self.improvement_actions, self.fact,
                    self.projection))

    @property
    def complete(self) -> bool:
        """Counts as the period's justification under the current profile (the four parts of a tarjeta)."""
        return tarjeta.is_complete(self.tarjeta, {a: getattr(self, a) for a, _ in FIELDS})


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
        require_fiscal_period(s, own)
        check_agency_access(actor, ind.agency_key, ind.key)
        month = workflow_month(own)
        if period_status(s, month, ind.agency_id) == PeriodStatus.CERRADO.value:
            raise ServiceError(MSG["closed"].format(period=periods.label(month)))
    return ind, own


def get(db: Database, indicator_key: str, period: str) -> JustificationInfo:
    folder = evidence_folder(db)
    with db.reading() as s:
        ind, own = _resolve(s, None, indicator_key, period)
        j = s.scalars(select(Justification).where(Justification.indicator_id == ind.id,
                                                  Justification.period == own)).first()
        info = JustificationInfo(indicator_key, own, tarjeta=tarjeta.uses_tarjeta(s))
        if j:
            info.cause, info.effect, info.other_reasons = j.cause, j.effect, j.other_reasons
            info.improvement_actions, info.author, info.updated_at = j.improvement_actions, j.author, j.updated_at
            info.fact, info.projection = j.fact or "", j.projection or ""
        for e in s.scalars(select(Evidence).where(Evidence.indicator_id == ind.id, Evidence.period == own)
                           .order_by(Evidence.id)):
            info.evidence.append(EvidenceInfo(e.id, e.filename, (folder / e.stored_name) if folder else
                                              Path(e.stored_name), e.sha256, e.size, e.added_by, e.added_at))
    return info


def save(db: Database, actor: CurrentUser, indicator_key: str, period: str, *, cause: str = "", effect: str = "",
         other_reasons: str = "", improvement_actions: str = "", fact: str = "",
         projection: str = "") -> JustificationInfo:
    with db.transaction() as s:
        own = write(s, actor, indicator_key, period, cause=cause, effect=effect, other_reasons=other_reasons,
                    improvement_actions=improvement_actions, fact=fact, projection=projection)
    return get(db, indicator_key, own)


def write(s, actor: CurrentUser, indicator_key: str, period: str, *, cause: str = "", effect: str = "",
          other_reasons: str = "", improvement_actions: str = "", fact: str = "", projection: str = "") -> str:
    """Store the justification inside the caller's transaction (the window's dialog, the capture workbook
    import, packages); returns the indicator's own period. Under a profile with the tarjeta de justificación
    the four parts (hecho, causa, acción correctiva, proyección) are required; otherwise the causa."""
    new = {"cause": cause.strip(), "effect": effect.strip(), "other_reasons": other_reasons.strip(),
           "improvement_actions": improvement_actions.strip(), "fact": (fact or "").strip(),
           "projection": (projection or "").strip()}
    refusal = tarjeta.check(s, new)
    if refusal:
        raise ServiceError(refusal)
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


def _refusal(path: Path, st: os.stat_result) -> str | None:
    """Why ``path`` (its own lstat, links not followed) cannot be evidence; None for a regular file."""
    mode = st.st_mode
    name = clip(path.name)
    if stat.S_ISLNK(mode):
        return MSG["link"].format(name=name)
    if stat.S_ISDIR(mode):
        return MSG["folder"].format(name=name)
    if not stat.S_ISREG(mode):
        return MSG["special"].format(name=name)
    if st.st_nlink > 1:
        return MSG["hardlink"].format(name=name, n=st.st_nlink)
    if path.suffix.lower() not in ALLOWED_EXTENSIONS:
        return MSG["ext"].format(name=name)
    if st.st_size > MAX_EVIDENCE_BYTES:
        return MSG["too_big"].format(name=name, size=f"{st.st_size / 1048576:.1f}",
                                     limit=MAX_EVIDENCE_BYTES // 1048576)
    return None


def check_file(path: Path) -> None:
    """Refuse anything that is not a regular file of an admitted type within the size limit: links (symbolic, or
    hard links shared with other names), folders, devices, FIFOs and sockets. The message names the file."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise ServiceError(MSG["missing_file"].format(path=clip(path, 200))) from None
    except OSError as exc:
        raise ServiceError(MSG["unreadable"].format(name=clip(path.name), error=exc.strerror or exc)) from None
    problem = _refusal(path, st)
    if problem:
        raise ServiceError(problem)


def _copy_regular(src: Path, folder: Path) -> tuple[Path, str, int]:
    """Copy ``src`` into ``folder`` as a temporary file while hashing it. The file is opened without following
    links and checked again on the open descriptor (same file as checked, still regular), and the copy stops
    past the size limit. Returns (temporary path, SHA-256, size)."""
    check_file(src)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    before = os.lstat(src)
    try:
        fd = os.open(src, flags)
    except OSError as exc:
        raise ServiceError(MSG["unreadable"].format(name=clip(src.name), error=exc.strerror or exc)) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        problem = _refusal(src, st)
        if problem is None and (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            problem = MSG["changed"].format(name=clip(src.name))
        if problem:
            raise ServiceError(problem)
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        out_fd, tmp_name = tempfile.mkstemp(prefix=".evidencia-", suffix=".tmp", dir=folder)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(out_fd, "wb") as out:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    size += len(chunk)
                    if size > MAX_EVIDENCE_BYTES:
                        raise ServiceError(MSG["too_big"].format(name=clip(src.name), size=f"{size / 1048576:.1f}",
                                                                 limit=MAX_EVIDENCE_BYTES // 1048576))
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return tmp, digest.hexdigest(), size


def add_evidence(db: Database, actor: CurrentUser, indicator_key: str, period: str, file: str | Path) -> EvidenceInfo:
    """Copy ``file`` (a regular file only: see :func:`check_file`) into the evidence folder, named by its SHA-256,
    and record it."""
    src = Path(file)
    folder = evidence_folder(db)
    tmp, sha, size = _copy_regular(src, folder)
    stored_name = f"{sha[:2]}/{sha}{src.suffix.lower()}"
    dest = folder / stored_name
    created = False
    try:
        with db.transaction() as s:
            ind, own = _resolve(s, actor, indicator_key, period)
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp.replace(dest)
                created = True
            try:
                e = Evidence(indicator_id=ind.id, period=own, filename=src.name, stored_name=stored_name,
                             sha256=sha, size=size, added_by=actor.name,
                             added_at=datetime.now().replace(microsecond=0))
                s.add(e)
                s.flush()
                audit.record(s, actor, "evidence", f"{ind.key}/{own}", "archivo", None,
                             f"{src.name} (SHA-256 {sha})", action="adjuntar")
            except BaseException:
                if created:
                    dest.unlink(missing_ok=True)
                raise
            info = EvidenceInfo(e.id, e.filename, dest, sha, e.size, e.added_by, e.added_at)
    finally:
        tmp.unlink(missing_ok=True)
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
        stored = e.stored_name
        s.delete(e)
    remove_orphan_files(db, [stored])


def remove(db: Database, actor: CurrentUser, indicator_key: str, period: str) -> None:
    """Remove the justification of an indicator's period together with its evidence records; evidence files no
    other record uses are deleted from the evidence folder."""
    stored: list[str] = []
    with db.transaction() as s:
        ind, own = _resolve(s, actor, indicator_key, period)
        j = s.scalars(select(Justification).where(Justification.indicator_id == ind.id,
                                                  Justification.period == own)).first()
        if j is not None:
            for attr, label in FIELDS:
                if getattr(j, attr):
                    audit.record(s, actor, "justification", f"{ind.key}/{own}", label, getattr(j, attr), None,
                                 action="quitar")
            s.delete(j)
        for e in s.scalars(select(Evidence).where(Evidence.indicator_id == ind.id, Evidence.period == own)):
            audit.record(s, actor, "evidence", f"{ind.key}/{own}", "archivo", f"{e.filename} (SHA-256 {e.sha256})",
                         None, action="quitar")
            stored.append(e.stored_name)
            s.delete(e)
    remove_orphan_files(db, stored)


def evidence_folder(db: Database) -> Path:
    """Where this database's evidence files live: beside a file (``<name>.evidencias/``); for a server, this PC's
    data folder (``evidencias/``)."""
    return paths.evidence_dir(db.path) if db.path else paths.data_dir() / "evidencias"


def remove_orphan_files(db: Database, stored_names: list[str]) -> list[str]:
    """After a removal is committed: delete the stored files that no evidence record names any more (the same
    content may back several records, so a shared file stays). Returns the names deleted."""
    if not stored_names:
        return []
    folder = evidence_folder(db)
    with db.reading() as s:
        used = set(s.scalars(select(Evidence.stored_name).where(Evidence.stored_name.in_(set(stored_names)))))
    removed = []
    for name in sorted(set(stored_names) - used):
        target = (folder / name).resolve()
        if folder.resolve() in target.parents and target.is_file():
            target.unlink()
            removed.append(name)
    return removed
