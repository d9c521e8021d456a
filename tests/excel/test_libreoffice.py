"""A real spreadsheet program opens every export: each workbook is converted to PDF with LibreOffice headless.
Skipped where LibreOffice is not installed (CI installs it: SES_WITH_LIBREOFFICE=1 in .ci/run)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sistema_seguimiento.excel.capture_workbook import export_capture
from sistema_seguimiento.excel.export_avance import export_avance
from sistema_seguimiento.excel.export_fichas import export_fichas
from sistema_seguimiento.excel.export_mir import export_mir

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) no está instalado")


def test_libreoffice_opens_every_export(demo_db, tmp_path):
    files = [
        export_mir(demo_db, tmp_path / "mir.xlsx"),
        export_mir(demo_db, tmp_path / "mir_E001.xlsx", ["E001"]),
        export_fichas(demo_db, tmp_path / "fichas.xlsx"),
        export_avance(demo_db, "2026-10", tmp_path / "avance.xlsx"),
        export_capture(demo_db, "2026-10", "DSPM", tmp_path / "captura.xlsx"),
    ]
    outdir = tmp_path / "pdf"
    profile = tmp_path / "lo_profile"
    proc = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                           "--convert-to", "pdf", "--outdir", str(outdir)] + [str(f) for f in files],
                          capture_output=True, text=True, timeout=300)
    for f in files:
        pdf = outdir / (f.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 1000, (f.name, proc.stdout, proc.stderr)
        assert pdf.read_bytes()[:5] == b"%PDF-"
