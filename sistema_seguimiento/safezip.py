"""Checks on a zip archive received from someone else, done on the central directory BEFORE anything is read
or extracted: workbooks (.xlsx) before openpyxl loads them, and SES packages (.ses, zip based).

Usage::

    from sistema_seguimiento import safezip

    limits = safezip.ZipLimits(max_total_bytes=100 * 2**20)
    with zipfile.ZipFile(path) as zf:
        members = safezip.check(zf, limits, name=path.name)   # raises safezip.UnsafeZip (Spanish message)
        data = safezip.read_member(zf, "manifest.json", limits)
    safezip.extract_all(path, folder, limits)                 # check + extraction inside ``folder`` only

What is refused (:class:`UnsafeZip`, a ``ValueError`` whose text is a Spanish message naming the file):

* more than ``max_members`` members;
* a member larger than ``max_member_bytes`` or a total larger than ``max_total_bytes`` once uncompressed
  (sizes from the central directory; ``zipfile`` never yields more than the declared size, and
  :func:`read_member` / :func:`stream_member` count the bytes anyway);
* a compression ratio above ``max_ratio`` for a member bigger than ``ratio_floor_bytes`` (a "zip bomb");
* names that would leave the destination folder: absolute paths, drive letters, «..» parts, backslashes,
  control characters, and duplicate names (also differing only by case);
* encrypted members.

Nothing here imports Qt, SQLAlchemy or openpyxl.
"""
from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

__all__ = ["ZipLimits", "UnsafeZip", "check", "check_file", "read_member", "stream_member", "copy_member",
           "extract_all", "DEFAULT_LIMITS"]

MSG = {
    "not_zip": "«{name}» no es un archivo ZIP válido ({detail}).",
    "members": "«{name}» contiene {n:,} archivos internos; el máximo aceptado es {max:,}. No se leyó.",
    "member_size": "«{name}»: el archivo interno «{member}» mide {mb:,.0f} MB al descomprimirse; el máximo es "
                   "{max:,.0f} MB. No se leyó.",
    "total_size": "«{name}» mide {mb:,.0f} MB al descomprimirse; el máximo aceptado es {max:,.0f} MB. No se leyó.",
    "ratio": "«{name}»: el archivo interno «{member}» se comprime {ratio:,.0f} veces (máximo {max:,.0f}); parece "
             "un archivo manipulado para agotar la memoria. No se leyó.",
    "bad_name": "«{name}»: el archivo interno «{member}» tiene un nombre no permitido ({why}). No se leyó.",
    "duplicate": "«{name}»: el archivo interno «{member}» aparece más de una vez. No se leyó.",
    "encrypted": "«{name}»: el archivo interno «{member}» está cifrado. No se leyó.",
    "missing": "«{name}» no contiene «{member}».",
    "why_absolute": "ruta absoluta",
    "why_parent": "sale de la carpeta con «..»",
    "why_backslash": "usa «\\»",
    "why_control": "contiene caracteres de control",
    "why_empty": "nombre vacío",
    "why_link": "es un enlace simbólico",
}

MB = 1024 * 1024


class UnsafeZip(ValueError):
    """The archive breaks a limit or has a dangerous name; the message is in Spanish."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 5_000
    max_member_bytes: int = 100 * MB
    max_total_bytes: int = 150 * MB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 2 * MB  # smaller members may compress as much as they like


DEFAULT_LIMITS = ZipLimits()


def _mb(n: int) -> float:
    return n / MB


def _name_problem(member: str) -> str | None:
    if not member or member in ("/", "."):
        return MSG["why_empty"]
    if any(unicodedata.category(ch) == "Cc" for ch in member):
        return MSG["why_control"]
    if "\\" in member:
        return MSG["why_backslash"]
    if member.startswith("/") or (len(member) > 1 and member[1] == ":"):
        return MSG["why_absolute"]
    if ".." in PurePosixPath(member).parts:
        return MSG["why_parent"]
    return None


def check(zf: zipfile.ZipFile, limits: ZipLimits = DEFAULT_LIMITS, *, name: str = "archivo") -> list[zipfile.ZipInfo]:
    """Check the archive's central directory against ``limits``; return its members (nothing is decompressed)."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeZip(MSG["members"].format(name=name, n=len(infos), max=limits.max_members))
    total = 0
    seen: set[str] = set()
    for info in infos:
        member = info.filename
        why = _name_problem(member)
        if why is None and stat.S_ISLNK(info.external_attr >> 16):
            why = MSG["why_link"]
        if why:
            raise UnsafeZip(MSG["bad_name"].format(name=name, member=_clip(member), why=why))
        folded = member.rstrip("/").casefold()
        if folded in seen:
            raise UnsafeZip(MSG["duplicate"].format(name=name, member=_clip(member)))
        seen.add(folded)
        if info.flag_bits & 0x1:
            raise UnsafeZip(MSG["encrypted"].format(name=name, member=_clip(member)))
        if info.file_size > limits.max_member_bytes:
            raise UnsafeZip(MSG["member_size"].format(name=name, member=_clip(member), mb=_mb(info.file_size),
                                                      max=_mb(limits.max_member_bytes)))
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnsafeZip(MSG["ratio"].format(name=name, member=_clip(member), ratio=ratio,
                                                    max=limits.max_ratio))
        total += info.file_size
        if total > limits.max_total_bytes:
            raise UnsafeZip(MSG["total_size"].format(name=name, mb=_mb(sum(i.file_size for i in infos)),
                                                     max=_mb(limits.max_total_bytes)))
    return infos


def check_file(path: str | os.PathLike, limits: ZipLimits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """:func:`check` for a file on disk; a file that is not a zip raises :class:`UnsafeZip` too."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            return check(zf, limits, name=p.name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnsafeZip(MSG["not_zip"].format(name=p.name, detail=type(exc).__name__)) from None


def stream_member(zf: zipfile.ZipFile, member: str, limits: ZipLimits = DEFAULT_LIMITS, *,
                  chunk: int = 1 << 16, name: str = "archivo") -> Iterator[bytes]:
    """The member's bytes in chunks, stopping with :class:`UnsafeZip` past ``limits.max_member_bytes``."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise UnsafeZip(MSG["missing"].format(name=name, member=_clip(member))) from None
    read = 0
    with zf.open(info) as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                return
            read += len(data)
            if read > limits.max_member_bytes:
                raise UnsafeZip(MSG["member_size"].format(name=name, member=_clip(member), mb=_mb(read),
                                                          max=_mb(limits.max_member_bytes)))
            yield data


def read_member(zf: zipfile.ZipFile, member: str, limits: ZipLimits = DEFAULT_LIMITS, *,
                name: str = "archivo") -> bytes:
    """The whole member (bounded by ``limits.max_member_bytes``)."""
    return b"".join(stream_member(zf, member, limits, name=name))


def extract_all(path: str | os.PathLike, dest: str | os.PathLike, limits: ZipLimits = DEFAULT_LIMITS) -> list[Path]:
    """Check the archive, then extract its regular files inside ``dest`` (created if needed); returns the paths
    written. Never follows or creates links; never writes outside ``dest``."""
    p = Path(path)
    root = Path(dest).resolve()
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        with zipfile.ZipFile(p) as zf:
            infos = check(zf, limits, name=p.name)
            for info in infos:
                target = (root / info.filename).resolve()
                if target != root and root not in target.parents:
                    raise UnsafeZip(MSG["bad_name"].format(name=p.name, member=_clip(info.filename),
                                                           why=MSG["why_parent"]))
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as out:
                    for data in stream_member(zf, info.filename, limits, name=p.name):
                        out.write(data)
                written.append(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise UnsafeZip(MSG["not_zip"].format(name=p.name, detail=type(exc).__name__)) from None
    return written


def _clip(text: str, n: int = 80) -> str:
    text = "".join("\N{REPLACEMENT CHARACTER}" if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text if len(text) <= n else text[:n] + "…"


def copy_member(zf: zipfile.ZipFile, member: str, out: IO[bytes], limits: ZipLimits = DEFAULT_LIMITS, *,
                name: str = "archivo") -> int:
    """Copy one member to an open binary file; returns the bytes written."""
    n = 0
    for data in stream_member(zf, member, limits, name=name):
        out.write(data)
        n += len(data)
    return n

