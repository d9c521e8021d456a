"""Workbooks built to exhaust memory or time are refused before openpyxl loads them (safezip + sheet sizes), for
``importar captura``, ``importar mir`` and the services the window uses; strict values in the capture workbook."""
from __future__ import annotations

import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sistema_seguimiento.excel import common as c
from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL, export_capture, preview_capture
from sistema_seguimiento.services.errors import ServiceError

from .conftest import snapshot

ROOT = Path(__file__).resolve().parents[2]
ROW = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>relleno</t></is></c><c r="B%d"><v>1</v></c></row>'


def _small_workbook(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "MIR"
    wb.active["A1"] = "Nivel"
    wb.save(path)
    return path


def _replace_sheet(src: Path, dest: Path, write_sheet) -> Path:
    """Copy ``src`` replacing xl/worksheets/sheet1.xml with what ``write_sheet(fh)`` streams."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                    write_sheet(fh)
            else:
                zout.writestr(info, zin.read(info.filename))
    return dest


def _bomb_sheet(total_bytes: int):
    def write(fh):
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                 b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        block = b"".join(ROW % (1, 1, 1) for _ in range(20_000))  # the same row: compresses a thousand times
        written = 0
        while written < total_bytes:
            fh.write(block)
            written += len(block)
        fh.write(b"</sheetData></worksheet>")
    return write


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """~1 MB on disk, 300 MB once uncompressed (what took 30–50 s and 2.8 GB before)."""
    folder = tmp_path_factory.mktemp("bomba")
    path = _replace_sheet(_small_workbook(folder / "base.xlsx"), folder / "bomba.xlsx", _bomb_sheet(300 * 2**20))
    assert path.stat().st_size < 3 * 2**20
    return path


PEAK_WRAPPER = """
import resource, sys
from sistema_seguimiento.cli import main
rc = main(sys.argv[1:])
try:  # VmHWM belongs to this address space (ru_maxrss survives exec: it would include the forking pytest)
    kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write("\\nPICO_KB=%d\\n" % kb)
sys.exit(rc)
"""


def _run(*args):
    """``ses`` in a subprocess; returns (process, peak memory of that process alone in MB). The child reports its
    own peak (RUSAGE_CHILDREN would be the largest of every child this test process ever waited for, and a child's
    own ru_maxrss starts from the size of the process that forked it)."""
    proc = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    peak_kb = int(proc.stderr.rsplit("PICO_KB=", 1)[1].split()[0])
    return proc, peak_kb / 1024


@pytest.mark.parametrize("kind", ["captura", "mir"])
def test_cli_imports_refuse_a_zip_bomb_without_loading_it(bomb, tmp_path, kind):
    db = tmp_path / "demo.db"
    subprocess.run([sys.executable, "-m", "sistema_seguimiento", "demo", "--db", str(db)], check=True, cwd=ROOT,
                   capture_output=True)
    proc, peak_mb = _run("importar", kind, "--db", db, bomb, "--aplicar", "--usuario", "admin")
    assert proc.returncode == 2, proc.stderr
    assert "bomba.xlsx" in proc.stderr and ("comprime" in proc.stderr or "descomprimirse" in proc.stderr)
    assert peak_mb < 200, f"{peak_mb:.0f} MB"


def test_services_refuse_a_zip_bomb(bomb, demo_db):
    before = snapshot(demo_db)
    with pytest.raises(ServiceError, match="comprime|descomprimirse"):
        preview_capture(demo_db, bomb)
    from sistema_seguimiento.services.import_mir import preview_import

    with pytest.raises(ServiceError, match="comprime|descomprimirse"):
        preview_import(demo_db, bomb)
    assert snapshot(demo_db) == before


def test_too_many_rows_declared_or_counted(tmp_path):
    base = _small_workbook(tmp_path / "base.xlsx")

    def sparse_row(fh):  # one row numbered past the limit: openpyxl would walk every empty row before it
        fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 + ROW % (c.MAX_ROWS + 5, c.MAX_ROWS + 5, c.MAX_ROWS + 5) + b"</sheetData></worksheet>")

    path = _replace_sheet(base, tmp_path / "filas.xlsx", sparse_row)
    with pytest.raises(ServiceError, match="hoja «MIR» tiene 200,005 filas"):
        c.open_user_workbook(path)

    def declared(fh):
        fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 b'<dimension ref="A1:C900000"/><sheetData>' + ROW % (1, 1, 1) + b"</sheetData></worksheet>")

    path = _replace_sheet(base, tmp_path / "dimension.xlsx", declared)
    with pytest.raises(ServiceError, match="900,000 filas"):
        c.open_user_workbook(path)

    def many_rows(fh):  # many real rows, under the size and ratio limits: counted while streaming
        fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        for r in range(1, c.MAX_ROWS + 10):
            fh.write(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r))
        fh.write(b"</sheetData></worksheet>")

    path = _replace_sheet(base, tmp_path / "muchas.xlsx", many_rows)
    with pytest.raises(ServiceError, match="filas; el máximo aceptado es 200,000"):
        c.open_user_workbook(path)


def test_too_many_columns(tmp_path):
    base = _small_workbook(tmp_path / "base.xlsx")

    def wide(fh):
        fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 b'<row r="1"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>')

    path = _replace_sheet(base, tmp_path / "ancho.xlsx", wide)
    with pytest.raises(ServiceError, match="16,384 columnas"):
        c.open_user_workbook(path)


def test_normal_workbooks_still_open(tmp_path):
    wb = Workbook()
    ws = wb.active
    for r in range(1, 3001):
        ws.append([f"fila {r}", r, r * 1.5, "texto largo " * 5])
    path = tmp_path / "normal.xlsx"
    wb.save(path)
    assert c.open_user_workbook(path).active.max_row == 3000


def test_capture_workbook_values_are_strict(demo_db, tmp_path):
    out = export_capture(demo_db, "2026-10", "DSPM", tmp_path / "cap.xlsx")
    samples = [("5%", "«%»"), ("$5", "«$»"), ("٣", "0–9"), ("1.234,5", "ambiguo"), ("1e5", "notación"),
               ("1" * 40, "40 dígitos"), (1e20, "21 dígitos"), (1 / 3, "16 decimales")]
    before = snapshot(demo_db)
    n = 0
    while n < len(samples):
        wb = load_workbook(out)
        ws = wb[SHEET]
        rows = []
        r = FIRST_ROW
        while ws.cell(r, 2).value:
            rows.append(r)
            r += 1
        part = samples[n:n + len(rows)]
        for r, (value, _) in zip(rows, part):
            ws.cell(r, VALUE_COL).value = value
        bad = tmp_path / f"llenado{n}.xlsx"
        wb.save(bad)
        preview = preview_capture(demo_db, bad)
        assert len(preview.errors) == len(part), preview.errors
        for error, (_, needle) in zip(preview.errors, part):
            assert needle in error and "Hoja «Captura», fila" in error, error
        n += len(part)
    assert snapshot(demo_db) == before
