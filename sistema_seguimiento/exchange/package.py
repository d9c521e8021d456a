"""The ``.ses`` capture package: a zip with ``manifest.json`` (format, version, kind, identities, SHA-256 of every
other member) plus the data members. Format documented in ``docs/paquetes.md``.

Pure: no SQLAlchemy, no Qt. :func:`write_package` builds the bytes, :func:`read_package` checks everything
(zip limits, member names, links, duplicates, checksums, format version, signature) before anything is returned,
and raises :class:`PackageError` with a Spanish message.

Kinds: ``captura`` (office → dependencia: ``datos.json``) and ``respuesta`` (dependencia → office:
``respuesta.json`` and ``evidencias/<sha256><ext>``).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core import exchange as jsonx

FORMAT = "ses-paquete"
FORMAT_VERSION = 1
KIND_CAPTURE = "captura"
KIND_RESPONSE = "respuesta"
MANIFEST = "manifest.json"
DATA_MEMBER = {KIND_CAPTURE: "datos.json", KIND_RESPONSE: "respuesta.json"}
EVIDENCE_PREFIX = "evidencias/"
_EVIDENCE_NAME = re.compile(r"^evidencias/[0-9a-f]{64}\.[a-z0-9]{1,5}$")


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 2_000
    max_total_bytes: int = 512 * 1024 * 1024  # uncompressed, all members
    max_member_bytes: int = 64 * 1024 * 1024  # uncompressed, one member (evidence ≤ 20 MB, data well under)
    max_ratio: int = 200  # uncompressed / compressed, per member (JSON compresses ~10-30x)
    max_file_bytes: int = 600 * 1024 * 1024  # the .ses file itself


LIMITS = ZipLimits()

MSG = {
    "not_zip": "El archivo «{name}» no es un paquete de SES (no es un archivo ZIP válido).",
    "too_big_file": "El archivo «{name}» pesa {size} MB; el límite para un paquete es de {limit} MB.",
    "members": "El paquete «{name}» tiene {n} archivos dentro; el límite es {limit}. No se leyó.",
    "path": "El paquete «{name}» contiene una ruta no permitida: «{member}» (absoluta, con «..» o fuera de la "
            "carpeta del paquete). No se leyó.",
    "link": "El paquete «{name}» contiene un enlace simbólico («{member}»); no se admiten. No se leyó.",
    "dup": "El paquete «{name}» contiene dos veces el archivo «{member}». No se leyó.",
    "total": "El paquete «{name}» ocupa {size} MB al descomprimirse; el límite es de {limit} MB (posible bomba "
             "ZIP). No se leyó.",
    "member_size": "El archivo «{member}» del paquete «{name}» ocupa {size} MB al descomprimirse; el límite es de "
                   "{limit} MB. No se leyó.",
    "ratio": "El archivo «{member}» del paquete «{name}» se comprime {ratio} veces (límite {limit}); posible bomba "
             "ZIP. No se leyó.",
    "encrypted": "El paquete «{name}» tiene archivos cifrados; no se admiten.",
    "unexpected": "El paquete «{name}» contiene el archivo inesperado «{member}». No se leyó.",
    "no_manifest": "El paquete «{name}» no tiene manifiesto (manifest.json). No es un paquete de SES.",
    "bad_json": "El archivo «{member}» del paquete «{name}» no es JSON válido: {error}",
    "format": "El archivo «{name}» no es un paquete de captura de SES (formato «{fmt}»).",
    "version_old": "El paquete «{name}» es de una versión anterior del formato ({v}); esta versión de SES lee la "
                   "versión {current}. Pida un paquete nuevo.",
    "version_new": "El paquete «{name}» es de una versión más nueva del formato ({v}); actualice SES para leerlo "
                   "(esta versión lee la {current}).",
    "kind": "El paquete «{name}» es de tipo «{kind}»; aquí se esperaba uno de tipo «{want}».",
    "field": "El manifiesto del paquete «{name}» no tiene el dato «{field}» o no es válido.",
    "missing_member": "Falta el archivo «{member}» que el manifiesto del paquete «{name}» declara.",
    "undeclared": "El archivo «{member}» del paquete «{name}» no está en el manifiesto.",
    "checksum": "El archivo «{member}» del paquete «{name}» fue alterado (su SHA-256 no coincide con el "
                "manifiesto). No se leyó.",
    "signature": "El manifiesto del paquete «{name}» fue alterado o no corresponde a un paquete emitido por esta "
                 "oficina (la firma no coincide). No se leyó.",
    "manifest_sum": "El manifiesto del paquete «{name}» fue alterado (su suma de verificación no coincide).",
}


class PackageError(ValueError):
    """A refused package: the message says what and where, in Spanish."""


@dataclass
class Package:
    """A checked package: its manifest, its data member (parsed JSON) and the raw members."""

    name: str
    manifest: dict
    data: dict
    members: dict[str, bytes] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.manifest["tipo"]

    def evidence(self, member: str) -> bytes:
        return self.members[member]


# ---------------------------------------------------------------------------------------------------
# hashing and signing

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(obj) -> bytes:
    """Stable bytes of a JSON object (sorted keys, no spaces): what is hashed and signed."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def response_key(office_secret: str, package_id: str, agency_key: str, office_id: str) -> str:
    """Key a capture package hands to the dependencia to sign its response. Derived from the office's secret,
    so the office recomputes it from the response's own claims (package, dependencia, database): a response
    that claims another dependencia or another package does not verify."""
    msg = f"{package_id}|{agency_key}|{office_id}".encode("utf-8")
    return hmac.new(bytes.fromhex(office_secret), msg, hashlib.sha256).hexdigest()


def sign(manifest: dict, key: str) -> str:
    body = {k: v for k, v in manifest.items() if k not in ("firma", "suma")}
    return hmac.new(bytes.fromhex(key), canonical(body), hashlib.sha256).hexdigest()


def _manifest_sum(manifest: dict) -> str:
    return sha256(canonical({k: v for k, v in manifest.items() if k not in ("firma", "suma")}))


# ---------------------------------------------------------------------------------------------------
# writing

def write_package(path: str | Path | None, manifest: dict, data: dict, evidence: dict[str, bytes] | None = None, *,
                  key: str | None = None) -> bytes:
    """Build the zip: ``manifest`` gets ``formato``, ``version``, ``miembros`` (SHA-256 of every member),
    ``suma`` and, with ``key``, ``firma``. Written atomically to ``path`` when given; returns the bytes."""
    kind = manifest["tipo"]
    members: dict[str, bytes] = {DATA_MEMBER[kind]: jsonx.dumps(data, indent=None).encode("utf-8")}
    for member, content in (evidence or {}).items():
        members[member] = content
    manifest = {"formato": FORMAT, "version": FORMAT_VERSION, **manifest,
                "miembros": {m: sha256(b) for m, b in sorted(members.items())}}
    manifest["suma"] = _manifest_sum(manifest)
    if key:
        manifest["firma"] = sign(manifest, key)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        for member, content in members.items():
            stored = member.startswith(EVIDENCE_PREFIX)  # PDFs and images do not compress
            zf.writestr(member, content, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    raw = buf.getvalue()
    if path is not None:
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(raw)
        tmp.replace(path)
    return raw


# ---------------------------------------------------------------------------------------------------
# reading

def check_zip(zf: zipfile.ZipFile, name: str, limits: ZipLimits = LIMITS) -> list[zipfile.ZipInfo]:
    """Zip safety in one place (member count, paths, links, duplicates, sizes, ratio); nothing decompressed yet.
    Returns the members. Kept small and self-contained so it can be unified with the other zip readers."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise PackageError(MSG["members"].format(name=name, n=len(infos), limit=limits.max_members))
    seen: set[str] = set()
    total = 0
    for info in infos:
        member = info.filename
        parts = member.replace("\\", "/").split("/")
        if (not member or member.startswith(("/", "\\")) or "\\" in member or re.match(r"^[A-Za-z]:", member)
                or any(p in ("", ".", "..") for p in parts) or "\x00" in member):
            raise PackageError(MSG["path"].format(name=name, member=member))
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise PackageError(MSG["link" if stat.S_ISLNK(mode) else "path"].format(name=name, member=member))
        if member.lower() in seen:
            raise PackageError(MSG["dup"].format(name=name, member=member))
        seen.add(member.lower())
        if info.flag_bits & 0x1:
            raise PackageError(MSG["encrypted"].format(name=name))
        if info.file_size > limits.max_member_bytes:
            raise PackageError(MSG["member_size"].format(name=name, member=member, size=_mb(info.file_size),
                                                         limit=_mb(limits.max_member_bytes)))
        total += info.file_size
        if total > limits.max_total_bytes:
            raise PackageError(MSG["total"].format(name=name, size=_mb(total), limit=_mb(limits.max_total_bytes)))
        if info.file_size > 4096 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise PackageError(MSG["ratio"].format(name=name, member=member,
                                                   ratio=info.file_size // max(info.compress_size, 1),
                                                   limit=limits.max_ratio))
    return infos


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}"


def read_package(source: str | Path | bytes, *, kind: str | None = None, name: str | None = None,
                 limits: ZipLimits = LIMITS) -> Package:
    """Open and check a package. ``kind`` (captura / respuesta) is required when given. The signature is
    checked by the caller (:func:`verify_signature`), who knows the key."""
    if isinstance(source, (bytes, bytearray)):
        raw, name = bytes(source), name or "paquete"
    else:
        path = Path(source)
        name = name or path.name
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise PackageError(MSG["too_big_file"].format(name=name, size=_mb(size), limit=_mb(limits.max_file_bytes)))
        raw = path.read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageError(MSG["not_zip"].format(name=name)) from exc
    with zf:
        infos = check_zip(zf, name, limits)
        names = {i.filename for i in infos}
        if MANIFEST not in names:
            raise PackageError(MSG["no_manifest"].format(name=name))
        members: dict[str, bytes] = {}
        try:
            for info in infos:
                with zf.open(info) as fh:  # reads at most file_size bytes; CRC checked at the end
                    content = fh.read(limits.max_member_bytes + 1)
                if len(content) > limits.max_member_bytes:
                    raise PackageError(MSG["member_size"].format(name=name, member=info.filename,
                                                                 size=_mb(len(content)),
                                                                 limit=_mb(limits.max_member_bytes)))
                members[info.filename] = content
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise PackageError(MSG["not_zip"].format(name=name)) from exc
    manifest = _json(members.pop(MANIFEST), MANIFEST, name)
    if not isinstance(manifest, dict) or manifest.get("formato") != FORMAT:
        fmt = manifest.get("formato") if isinstance(manifest, dict) else None
        raise PackageError(MSG["format"].format(name=name, fmt=fmt or "desconocido"))
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT_VERSION:
        key = "version_new" if isinstance(version, int) and version > FORMAT_VERSION else "version_old"
        raise PackageError(MSG[key].format(name=name, v=version, current=FORMAT_VERSION))
    for fld in ("tipo", "paquete", "base_oficina", "dependencia", "periodos", "miembros", "suma"):
        if not manifest.get(fld):
            raise PackageError(MSG["field"].format(name=name, field=fld))
    if manifest["tipo"] not in DATA_MEMBER:
        raise PackageError(MSG["field"].format(name=name, field="tipo"))
    if kind and manifest["tipo"] != kind:
        raise PackageError(MSG["kind"].format(name=name, kind=manifest["tipo"], want=kind))
    if not hmac.compare_digest(str(manifest["suma"]), _manifest_sum(manifest)):
        raise PackageError(MSG["manifest_sum"].format(name=name))
    declared = manifest["miembros"]
    if not isinstance(declared, dict):
        raise PackageError(MSG["field"].format(name=name, field="miembros"))
    for member in members:
        if member not in declared:
            raise PackageError(MSG["undeclared"].format(name=name, member=member))
        if member != DATA_MEMBER[manifest["tipo"]] and not _EVIDENCE_NAME.match(member):
            raise PackageError(MSG["unexpected"].format(name=name, member=member))
    for member, digest in declared.items():
        if member not in members:
            raise PackageError(MSG["missing_member"].format(name=name, member=member))
        if not isinstance(digest, str) or not hmac.compare_digest(digest, sha256(members[member])):
            raise PackageError(MSG["checksum"].format(name=name, member=member))
    data_name = DATA_MEMBER[manifest["tipo"]]
    if data_name not in members:
        raise PackageError(MSG["missing_member"].format(name=name, member=data_name))
    data = _json(members.pop(data_name), data_name, name, exact=True)
    if not isinstance(data, dict):
        raise PackageError(MSG["bad_json"].format(name=name, member=data_name, error="se esperaba un objeto"))
    return Package(name=name, manifest=manifest, data=data, members=members)


def verify_signature(pkg: Package, key: str) -> None:
    got = pkg.manifest.get("firma")
    if not isinstance(got, str) or not hmac.compare_digest(got, sign(pkg.manifest, key)):
        raise PackageError(MSG["signature"].format(name=pkg.name))


def _json(raw: bytes, member: str, name: str, *, exact: bool = False):
    """Parse a JSON member; ``exact`` keeps numbers as Decimal (data members)."""
    try:
        text = raw.decode("utf-8")
        return jsonx.loads(text) if exact else json.loads(text)
    except jsonx.ExchangeError as exc:
        raise PackageError(MSG["bad_json"].format(name=name, member=member, error=exc.errors[0][1])) from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PackageError(MSG["bad_json"].format(name=name, member=member, error=exc)) from exc
