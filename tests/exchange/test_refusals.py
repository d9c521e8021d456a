"""Every refusal of a response with a crafted zip: a clear Spanish message, exit code 2, and the office
database file byte-for-byte unchanged (and no -wal left behind)."""
from __future__ import annotations

import hashlib
import io
import json
import stat
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from sistema_seguimiento import cli
from sistema_seguimiento.db.models import Agency, Indicator, Objective, PeriodState, Program
from sistema_seguimiento.exchange import package as fmt
from sistema_seguimiento.services import packages as P


def _members(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return json.loads(members.pop("manifest.json")), members


def _rebuild(src: Path, dest: Path, *, key: str | None, manifest_edit=None, data_edit=None) -> Path:
    """A new response from a real one: edit the manifest and/or the data, then sign with ``key`` (None: the
    signature an attacker cannot make is simply left out)."""
    pkg = fmt.read_package(src)
    manifest = {k: v for k, v in pkg.manifest.items() if k not in ("formato", "version", "miembros", "suma", "firma")}
    data = pkg.data
    if manifest_edit:
        manifest_edit(manifest)
    if data_edit:
        data_edit(data)
    fmt.write_package(dest, manifest, data, pkg.members, key=key)
    return dest


def _raw_zip(src: Path, dest: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]], *, manifest_edit=None,
             replace: dict[str, bytes] | None = None) -> Path:
    manifest, members = _members(src)
    if manifest_edit:
        manifest_edit(manifest)
    members.update(replace or {})
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for n, b in members.items():
            zf.writestr(n, b)
        for info, b in extra:
            zf.writestr(info, b)
    return dest


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _other_agency_indicator(db) -> str:
    with db.reading() as s:
        return s.scalar(select(Indicator.key).join(Objective).join(Program).join(Agency)
                        .where(Agency.key == "0801").order_by(Indicator.key))


def _set(path, value):
    def edit(m):
        m[path] = value
    return edit


def _symlink():
    info = zipfile.ZipInfo("evidencias/enlace")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


CASES = {
    "otra organización": lambda r, d, key, ctx: _rebuild(r, d, key=key, manifest_edit=_set(
        "organizacion", {"nombre": "Municipio de Otro Lado", "clave_inegi": ""})),
    "otra base de datos": lambda r, d, key, ctx: _rebuild(r, d, key=key, manifest_edit=_set(
        "base_oficina", str(uuid.uuid4()))),
    "la firma no coincide": lambda r, d, key, ctx: _rebuild(r, d, key=key, manifest_edit=_set(
        "dependencia", {"clave": "0801"})),
    "trae datos del indicador": lambda r, d, key, ctx: _rebuild(r, d, key=key, data_edit=lambda data: data[
        "valores"].append({"indicador": ctx["foreign"], "variable": "X", "periodo": "2026-10", "valor": "1",
                           "base": None})),
    "versión anterior": lambda r, d, key, ctx: _raw_zip(r, d, [], manifest_edit=_set("version", 0)),
    "versión más nueva": lambda r, d, key, ctx: _raw_zip(r, d, [], manifest_edit=_set("version", 2)),
    "SHA-256 no coincide": lambda r, d, key, ctx: _raw_zip(r, d, [], replace={
        "respuesta.json": b'{"valores": [], "justificaciones": [], "evidencias": []}'}),
    "manifiesto del paquete «r2.ses» fue alterado o": lambda r, d, key, ctx: _rebuild(
        r, d, key=None, manifest_edit=_set("usuario", "admin")),
    "suma de verificación": lambda r, d, key, ctx: _raw_zip(r, d, [], manifest_edit=_set("usuario", "admin")),
    "ruta no permitida: «../fuera.txt»": lambda r, d, key, ctx: _raw_zip(r, d, [("../fuera.txt", b"x")]),
    "ruta no permitida: «/tmp/absoluta.txt»": lambda r, d, key, ctx: _raw_zip(r, d, [("/tmp/absoluta.txt", b"x")]),
    "enlace simbólico": lambda r, d, key, ctx: _raw_zip(r, d, [(_symlink(), b"/etc/passwd")]),
    "dos veces el archivo «respuesta.json»": lambda r, d, key, ctx: _raw_zip(r, d, [("respuesta.json", b"{}")]),
    "bomba ZIP": lambda r, d, key, ctx: _raw_zip(r, d, [("evidencias/" + "0" * 64 + ".pdf", b"\0" * 8_000_000)]),
    "archivos dentro; el límite es 2000": lambda r, d, key, ctx: _raw_zip(
        r, d, [(f"evidencias/{i:064x}.pdf", b"") for i in range(2001)]),
    "no es un archivo ZIP": lambda r, d, key, ctx: (d.write_bytes(b"PK\x03\x04 no soy un zip" * 10), d)[1],
    "periodo cerrado": lambda r, d, key, ctx: (ctx["close"](), r)[1],
    "solo puede capturar avances de su dependencia": lambda r, d, key, ctx: _rebuild(
        r, d, key=key, manifest_edit=_set("usuario", "captura-0801")),
    "«fantasma», que no existe": lambda r, d, key, ctx: _rebuild(r, d, key=key, manifest_edit=_set(
        "usuario", "fantasma")),
    "viene dos veces": lambda r, d, key, ctx: _rebuild(r, d, key=key, data_edit=lambda data: data[
        "valores"].append(dict(data["valores"][0]))),
    "valor «12abc» no válido": lambda r, d, key, ctx: _rebuild(r, d, key=key, data_edit=lambda data: data[
        "valores"][0].update(valor="12abc")),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("expected", list(CASES))
def test_refused_and_office_file_unchanged(expected, tmp_path, office, dependencia, response, capsys, monkeypatch):
    key = P.copy_info(dependencia)["clave"]

    def close_october():
        with office.transaction() as s:
            ag = s.scalar(select(Agency.id).where(Agency.key == "0301"))
            st = s.scalars(select(PeriodState).where(PeriodState.period == "2026-10",
                                                     PeriodState.agency_id == ag)).one()
            st.status = "cerrado"

    ctx = {"foreign": _other_agency_indicator(office), "close": close_october}
    crafted = CASES[expected](response, tmp_path / "r2.ses", key, ctx)
    office_path = office.path
    office.close()
    before = _digest(office_path)
    monkeypatch.setenv("SES_HOY", "2026-11-15")
    capsys.readouterr()
    rc = cli.main(["paquete", "importar", "--db", str(office_path), "--usuario", "admin", "--aplicar", str(crafted)])
    text = capsys.readouterr().out
    assert rc == 2
    assert "RECHAZADO" in text and expected in text, text
    assert _digest(office_path) == before
    assert not Path(str(office_path) + "-wal").exists()


def test_zip_limits_on_total_size_and_member_size():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"evidencias/{i:064x}.pdf", b"x" * 5000)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        with pytest.raises(fmt.PackageError, match="al descomprimirse; el límite"):
            fmt.check_zip(zf, "p.ses", fmt.ZipLimits(max_total_bytes=12_000))
        with pytest.raises(fmt.PackageError, match="evidencias/.*ocupa"):
            fmt.check_zip(zf, "p.ses", fmt.ZipLimits(max_member_bytes=4_000))
        assert len(fmt.check_zip(zf, "p.ses")) == 3


def test_capture_package_is_not_a_response(tmp_path, office):
    from .conftest import ADMIN
    P.create_packages(office, ADMIN, ["0301"], "2026-10", None, tmp_path / "p.ses")
    [pv] = P.preview_import(office, [tmp_path / "p.ses"])
    assert "tipo «captura»" in pv.error


def test_dependencia_refuses_a_capture_package_with_another_dependencias_data(tmp_path, office, dependencia):
    from sistema_seguimiento.services.errors import ServiceError
    from .conftest import ADMIN

    P.create_packages(office, ADMIN, ["0301"], "2026-10", None, tmp_path / "p.ses")
    P.create_packages(office, ADMIN, ["0801"], "2026-10", None, tmp_path / "q.ses")
    good, other = fmt.read_package(tmp_path / "p.ses"), fmt.read_package(tmp_path / "q.ses")
    manifest = {k: v for k, v in good.manifest.items() if k not in ("formato", "version", "miembros", "suma")}
    data = dict(good.data)
    data["intercambio"] = dict(good.data["intercambio"])
    data["intercambio"]["programs"] = good.data["intercambio"]["programs"] + other.data["intercambio"]["programs"]
    data["intercambio"]["agencies"] = good.data["intercambio"]["agencies"] + other.data["intercambio"]["agencies"]
    fmt.write_package(tmp_path / "mezcla.ses", manifest, data)
    path = dependencia.path
    with pytest.raises(ServiceError, match="dice ser de la dependencia 0301 pero contiene datos de 0801"):
        P.open_package(dependencia, tmp_path / "mezcla.ses")
    dependencia.close()
    before = _digest(path)
    _raw_zip(tmp_path / "p.ses", tmp_path / "alterado.ses", [], replace={"datos.json": b"{}"})
    assert cli.main(["paquete", "abrir", "--db", str(path), str(tmp_path / "alterado.ses")]) == 2
    assert _digest(path) == before
