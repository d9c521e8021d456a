"""Linux post-processing of the bundle (called at the end of installer/ses.spec).

1. Drop shared libraries nothing in the bundle needs any more: PyInstaller collects the dependencies of every Qt
   plugin before the spec filters the plugins, so dropping the GTK3 theme plugin left GTK, cairo, pango and
   friends behind. Roots: the executables, Python extension modules and Qt libraries/plugins (everything in a
   subfolder of _internal, plus libpython); a top-level library is kept when a root needs it, directly or through
   another kept library (ELF DT_NEEDED, read with ``readelf``).
2. Strip debugging symbols from ELF files, except numpy's OpenBLAS (``numpy.libs``), which stripping corrupts.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")
NO_STRIP = ("numpy.libs",)


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return set(NEEDED.findall(out))


def prune(bundle: Path) -> list[str]:
    internal = bundle / "_internal"
    top = {p.name: p for p in internal.iterdir() if p.is_file() and is_elf(p)}
    roots = [p for p in bundle.rglob("*") if p.is_file() and is_elf(p) and p.parent != internal]
    roots += [p for name, p in top.items() if name.startswith("libpython")]
    keep: set[str] = set()
    todo = list(roots)
    while todo:
        for name in needed(todo.pop()):
            if name in top and name not in keep:
                keep.add(name)
                todo.append(top[name])
    keep |= {p.name for p in roots}
    removed = sorted(name for name in top if name not in keep)
    for name in removed:
        top[name].unlink()
    return removed


def strip(bundle: Path) -> None:
    if not shutil.which("strip"):
        return
    for p in bundle.rglob("*"):
        if p.is_file() and not p.is_symlink() and is_elf(p) and not any(x in p.parts for x in NO_STRIP):
            subprocess.run(["strip", "--strip-unneeded", str(p)], capture_output=True)


def main(bundle: Path) -> None:
    if not shutil.which("readelf"):  # without it every library would look unused
        print("prune: falta readelf (binutils); el paquete queda sin podar")
        return
    removed = prune(bundle)
    strip(bundle)
    print(f"prune: {len(removed)} bibliotecas sin uso quitadas: {' '.join(removed)}")


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]))
