"""Benchmark (issue 11, «input»): a workbook of ~1 MB that expands to 300 MB is refused before openpyxl loads it.

Measures ``ses importar captura`` and ``ses importar mir`` on that workbook in a subprocess (wall time and the
child's peak RSS), against a floor measured in the same run: the same command on an ordinary small workbook
(refused as «not a capture workbook» / read as an empty MIR), i.e. the cost of starting ``ses`` at all.
Target: refused within 1 s and 200 MB.

Usage: python bench/hostile_workbook.py [--dir /tmp/ses-bench]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>relleno</t></is></c><c r="B1"><v>1</v></c></row>'


def build(folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    small = folder / "normal.xlsx"
    wb = Workbook()
    wb.active["A1"] = "Nivel"
    wb.save(small)
    bomb = folder / "bomba.xlsx"
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, zin.read(info.filename))
                continue
            with zout.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                block = ROW * 20_000
                for _ in range(300 * 2**20 // len(block) + 1):
                    fh.write(block)
                fh.write(b"</sheetData></worksheet>")
    return small, bomb


def run(args: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS of this child in MB, exit code, last line of output)."""
    with tempfile.TemporaryFile("w+") as out:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sistema_seguimiento", *args], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, (lines[-1][:160] if lines else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    folder = Path(a.dir or tempfile.mkdtemp(prefix="ses-bomba-"))
    folder.mkdir(parents=True, exist_ok=True)
    small, bomb = build(folder)
    print(f"libro hostil: {bomb.stat().st_size / 2**20:.2f} MB en disco, "
          f"{sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) / 2**20:.0f} MB descomprimido")
    from sistema_seguimiento.excel.common import open_user_workbook
    from sistema_seguimiento.services.errors import ServiceError

    t = time.perf_counter()
    open_user_workbook(small)
    floor = time.perf_counter() - t
    t = time.perf_counter()
    try:
        open_user_workbook(bomb)
    except ServiceError:
        pass
    refused = time.perf_counter() - t
    print(f"en el proceso: rechazo {refused * 1000:.1f} ms; abrir un libro pequeño (piso) {floor * 1000:.1f} ms; "
          f"razón {refused / floor:.2f}")
    db = folder / "demo.db"
    if not db.exists():
        subprocess.run([sys.executable, "-m", "sistema_seguimiento", "demo", "--db", str(db)], check=True, cwd=ROOT,
                       capture_output=True)
    for kind in ("captura", "mir"):
        floor, floor_mb, _, _ = run(["importar", kind, "--db", str(db), str(small)])
        elapsed, peak, rc, msg = run(["importar", kind, "--db", str(db), str(bomb)])
        print(f"importar {kind}: {elapsed:.2f} s (piso {floor:.2f} s, razón {elapsed / floor:.2f}), "
              f"memoria máx. {peak:.0f} MB (piso {floor_mb:.0f} MB), código {rc}: {msg}")


if __name__ == "__main__":
    main()
