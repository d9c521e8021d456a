"""sistema_seguimiento.safezip: the zip checks shared by workbook imports and SES packages (real zip files)."""
from __future__ import annotations

import random
import zipfile

import pytest

from sistema_seguimiento import safezip

SMALL = safezip.ZipLimits(max_members=5, max_member_bytes=1_000_000, max_total_bytes=1_500_000, max_ratio=50,
                          ratio_floor_bytes=10_000)


def _zip(path, members: dict[str, bytes], *, raw_names: list[str] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name in raw_names or []:
            info = zipfile.ZipInfo(name)
            zf.writestr(info, b"x")
    return path


def test_ordinary_archive_passes_and_extracts_inside(tmp_path):
    p = _zip(tmp_path / "ok.zip", {"manifest.json": b"{}", "datos/valores.csv": b"a,b\n1,2\n"})
    assert [i.filename for i in safezip.check_file(p, SMALL)] == ["manifest.json", "datos/valores.csv"]
    out = safezip.extract_all(p, tmp_path / "destino", SMALL)
    assert sorted(x.relative_to(tmp_path / "destino").as_posix() for x in out) == ["datos/valores.csv",
                                                                                    "manifest.json"]
    with zipfile.ZipFile(p) as zf:
        assert safezip.read_member(zf, "manifest.json", SMALL) == b"{}"


@pytest.mark.parametrize("name,why", [
    ("../fuera.txt", "«..»"), ("a/../../fuera.txt", "«..»"), ("/etc/passwd", "absoluta"),
    ("C:/Windows/x.txt", "absoluta"), ("a\\b.txt", "«\\»"), ("nombre\x07.txt", "control"),
])
def test_names_that_leave_the_folder_are_refused(tmp_path, name, why):
    p = _zip(tmp_path / "malo.zip", {"ok.txt": b"1"}, raw_names=[name])
    with pytest.raises(safezip.UnsafeZip) as err:
        safezip.check_file(p, SMALL)
    assert why in str(err.value) and "malo.zip" in str(err.value)
    with pytest.raises(safezip.UnsafeZip):
        safezip.extract_all(p, tmp_path / "destino", SMALL)
    assert not (tmp_path / "fuera.txt").exists()


def test_duplicates_and_case_duplicates_are_refused(tmp_path):
    p = tmp_path / "dup.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("a.txt", b"1")
        zf.writestr("A.TXT", b"2")
    with pytest.raises(safezip.UnsafeZip, match="más de una vez"):
        safezip.check_file(p, SMALL)


def test_member_count_total_size_and_ratio(tmp_path):
    p = _zip(tmp_path / "muchos.zip", {f"f{i}.txt": b"1" for i in range(6)})
    with pytest.raises(safezip.UnsafeZip, match="6 archivos internos; el máximo aceptado es 5"):
        safezip.check_file(p, SMALL)
    p = _zip(tmp_path / "bomba.zip", {"cero.bin": b"\0" * 900_000})
    with pytest.raises(safezip.UnsafeZip, match="se comprime"):
        safezip.check_file(p, SMALL)
    noise = random.Random(11).randbytes(800_000)  # does not compress
    p = _zip(tmp_path / "grande.zip", {"a.bin": noise, "b.bin": noise})
    with pytest.raises(safezip.UnsafeZip, match="al descomprimirse"):
        safezip.check_file(p, SMALL)
    p = _zip(tmp_path / "miembro.zip", {"a.bin": noise + noise})
    with pytest.raises(safezip.UnsafeZip, match="«a.bin» mide"):
        safezip.check_file(p, SMALL)


def test_symlink_member_is_refused(tmp_path):
    p = tmp_path / "enlace.zip"
    with zipfile.ZipFile(p, "w") as zf:
        info = zipfile.ZipInfo("enlace")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(safezip.UnsafeZip, match="enlace simbólico"):
        safezip.check_file(p, SMALL)


def test_not_a_zip(tmp_path):
    p = tmp_path / "texto.zip"
    p.write_text("no soy un zip")
    with pytest.raises(safezip.UnsafeZip, match="no es un archivo ZIP válido"):
        safezip.check_file(p, SMALL)
