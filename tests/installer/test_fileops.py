"""A file briefly held by an antivirus, Excel or a PDF viewer when SES replaces it: retried, then a clear
Spanish message, and the old file stays as it was.

On Windows the hold shows up as PermissionError from ``os.replace``; here ``os.replace`` is made to fail the same
way (the operating system call, not SES code, is what is replaced)."""
from __future__ import annotations

import os

import pytest

from sistema_seguimiento import cli, fileops


class Held:
    """os.replace that fails with PermissionError for the first ``times`` calls onto ``target``."""

    def __init__(self, monkeypatch, target, times):
        self.real, self.target, self.left, self.calls = os.replace, str(target), times, 0
        monkeypatch.setattr(fileops.os, "replace", self)

    def __call__(self, src, dst):
        if str(dst) == self.target:
            self.calls += 1
            if self.left is None or self.left > 0:
                if self.left is not None:
                    self.left -= 1
                raise PermissionError(13, "El proceso no tiene acceso al archivo porque está siendo utilizado")
        return self.real(src, dst)


def test_replace_file_retries_until_the_antivirus_lets_go(tmp_path, monkeypatch):
    dst = tmp_path / "informe de avance.pdf"
    dst.write_bytes(b"viejo")
    src = tmp_path / "nuevo.tmp"
    src.write_bytes(b"nuevo")
    held = Held(monkeypatch, dst, times=3)
    assert fileops.replace_file(src, dst) == dst
    assert dst.read_bytes() == b"nuevo" and not src.exists()
    assert held.calls == 4


def test_replace_file_gives_up_with_a_spanish_message_and_keeps_the_old_file(tmp_path, monkeypatch):
    dst = tmp_path / "Avance año 2026.xlsx"
    dst.write_bytes(b"viejo")
    src = tmp_path / "nuevo.tmp"
    src.write_bytes(b"nuevo")
    held = Held(monkeypatch, dst, times=None)
    with pytest.raises(fileops.FileBusyError) as err:
        fileops.replace_file(src, dst, timeout=0.3)
    assert "Avance año 2026.xlsx" in str(err.value) and "bloqueado" in str(err.value)
    assert held.calls >= 2
    assert dst.read_bytes() == b"viejo"
    assert not src.exists(), "the temporary file is removed"


def test_exportar_avance_over_a_held_workbook_exits_2_and_leaves_it(demo_file, tmp_path, monkeypatch, capsys):
    out = tmp_path / "avance.xlsx"
    out.write_bytes(b"libro abierto en Excel")
    monkeypatch.setattr(fileops, "RETRY_SECONDS", 0.3)
    Held(monkeypatch, out, times=None)
    rc = cli.main(["exportar", "avance", "--db", str(demo_file), "--periodo", "2026-10", "--salida", str(out)])
    assert rc == 2
    assert "está abierto o bloqueado" in capsys.readouterr().err
    assert out.read_bytes() == b"libro abierto en Excel"
    assert [p.name for p in tmp_path.iterdir() if p.name != "base"] == ["avance.xlsx"]


def test_exportar_avance_waits_for_a_brief_hold(demo_file, tmp_path, monkeypatch):
    out = tmp_path / "avance.xlsx"
    out.write_bytes(b"viejo")
    held = Held(monkeypatch, out, times=2)
    assert cli.main(["exportar", "avance", "--db", str(demo_file), "--periodo", "2026-10", "--salida", str(out)]) == 0
    from openpyxl import load_workbook

    assert held.calls == 3 and load_workbook(out).sheetnames


@pytest.fixture
def demo_file(tmp_path):
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.loading import load_demo

    path = tmp_path / "base" / "demo.db"
    path.parent.mkdir()
    with Database.open(path, OpenOptions(create=True)) as db:
        load_demo(db)
    return path
