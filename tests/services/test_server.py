"""Server mode (issue 17): ``ses servidor preparar`` / ``copiar`` and the network-share refusal.

The copy tests use ``db_target``: a file (always) and, when SES_TEST_DATABASE_URL is set, a real PostgreSQL server,
so a file → server → file round trip is checked there."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from sistema_seguimiento import cli
from sistema_seguimiento.db.database import Database, DatabaseError, OpenOptions
from sistema_seguimiento.db.models import Base
from sistema_seguimiento.services import server
from sistema_seguimiento.services.errors import PermissionDenied, ServiceError
from sistema_seguimiento.services.loading import load_demo
from sistema_seguimiento.services.users import sign_in

from tests.dbfixtures import _reset_postgres


def _demo_file(path: Path) -> Path:
    with Database.open(path, OpenOptions(create=True)) as db:
        load_demo(db)
    return path


def _dump(target) -> dict[str, list[tuple]]:
    """Every row of every SES table, in primary-key order, as comparable tuples."""
    db = Database.open(target, OpenOptions(read_only="://" not in str(target), migrate=False))
    try:
        with db.engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in Base.metadata.sorted_tables if t.name != "alembic_version"}
    finally:
        db.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_copy_round_trip_keeps_every_row(db_target, tmp_path):
    src = _demo_file(tmp_path / "oficina.db")
    summary = server.copy_database(src, db_target)
    assert summary.rows["measurement"] == 172 and summary.rows["audit_entry"] > 0
    back = tmp_path / "copia de regreso.db"
    server.copy_database(db_target, back)
    original, copied = _dump(src), _dump(back)
    assert copied == original
    # the copy is a working database: same progress figures, ids and audit preserved
    with Database.open(back) as db:
        from sistema_seguimiento.services.maintenance import verify

        assert verify(db) == []
    assert not list(tmp_path.glob(".*copiando*"))


def test_copy_refuses_non_empty_target_unless_replace(db_target, tmp_path):
    src = _demo_file(tmp_path / "oficina.db")
    server.copy_database(src, db_target)
    with pytest.raises(ServiceError, match="ya tiene datos|Ya existe"):
        server.copy_database(src, db_target)
    summary = server.copy_database(src, db_target, replace=True)
    assert _dump(db_target) == _dump(src)
    if "://" not in db_target:
        assert summary.kept_previous is not None and summary.kept_previous.exists()


def test_failed_copy_leaves_target_exactly_as_it_was(db_target, tmp_path):
    good = _demo_file(tmp_path / "buena.db")
    server.copy_database(good, db_target)
    before = _dump(db_target)
    sha_before = None if "://" in db_target else _sha(Path(db_target))
    bad = _demo_file(tmp_path / "mala.db")
    conn = sqlite3.connect(bad)  # a dangling foreign key, written behind SES's back
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("UPDATE measurement SET variable_id = 999999 WHERE id = (SELECT max(id) FROM measurement)")
    conn.commit()
    conn.close()
    with pytest.raises(ServiceError, match="No se copió nada"):
        server.copy_database(bad, db_target, replace=True)
    assert _dump(db_target) == before
    if sha_before:
        assert _sha(Path(db_target)) == sha_before
        assert not [p.name for p in tmp_path.iterdir() if "copiando" in p.name or "antes-de-copiar" in p.name]


def test_old_schema_and_empty_source_are_refused(tmp_path):
    empty = tmp_path / "vacia.db"
    with Database.open(empty, OpenOptions(create=True)):
        pass
    with pytest.raises(ServiceError, match="no tiene organización"):
        server.copy_database(empty, tmp_path / "destino.db")
    assert not (tmp_path / "destino.db").exists()


def test_cli_copy_and_file_only_commands(tmp_path, capsys):
    src = _demo_file(tmp_path / "Oficio #12 avance.db")
    dst = tmp_path / "copia ¿qué?.db"
    assert cli.main(["servidor", "copiar", "--de", str(src), "--a", str(dst), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"total"' in out and '"filas"' in out
    assert cli.main(["servidor", "copiar", "--de", str(src), "--a", str(dst)]) == 2
    assert "ya" in capsys.readouterr().err.lower()
    url = "postgresql+psycopg://nadie@127.0.0.1:1/ses"
    assert cli.main(["init", "--db", url]) == 2
    assert "trabaja con archivos" in capsys.readouterr().err
    assert cli.main(["respaldar", "--db", url, "--destino", str(tmp_path / "r.db")]) == 2
    assert not (tmp_path / "r.db").exists()


def test_db_path_keeps_server_urls(monkeypatch):
    ns = type("A", (), {"db": "postgresql+psycopg://ana@servidor/ses"})()
    assert cli.db_path(ns) == "postgresql+psycopg://ana@servidor/ses"
    monkeypatch.setenv("SES_DB", "postgresql+psycopg://ana@servidor:5433/otra")
    assert cli.db_path(type("A", (), {"db": None})()) == "postgresql+psycopg://ana@servidor:5433/otra"


# ---- server-only behaviour ---------------------------------------------------------------------------------
@pytest.fixture
def pg_url():
    from tests.dbfixtures import PG_URL

    if not PG_URL:
        pytest.skip("sin SES_TEST_DATABASE_URL")
    _reset_postgres(PG_URL)
    return PG_URL


def test_prepare_server_postgresql(pg_url):
    summary = server.prepare_server(pg_url, admin="jefa", password="clave-segura", name="Municipio X", year=2026)
    assert summary.admin == "jefa"
    with Database.open(pg_url) as db, db.reading() as s:
        assert sign_in(s, "jefa", "clave-segura").role == "administrador"
        with pytest.raises(PermissionDenied):
            sign_in(s, "jefa", "otra")
        names = [r[0] for r in s.execute(text("SELECT name FROM app_user"))]
        assert names == ["jefa"]  # no password-less default users on a server
        assert s.execute(text("SELECT count(*) FROM audit_entry WHERE entity='user'")).scalar() == 1
    with pytest.raises(ServiceError, match="ya está preparado"):
        server.prepare_server(pg_url, admin="otro", password="clave-segura")


def test_copied_file_users_need_passwords_on_server_postgresql(pg_url, tmp_path):
    src = _demo_file(tmp_path / "oficina.db")
    server.copy_database(src, pg_url)
    with Database.open(pg_url) as db, db.reading() as s:
        with pytest.raises(PermissionDenied, match="contraseña"):
            sign_in(s, "admin")
    # the server's id sequences moved past the copied ids: a new row gets a fresh id
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        before = conn.execute(text("SELECT max(id) FROM audit_entry")).scalar()
        conn.execute(text("INSERT INTO audit_entry (at, user_name, action, entity, entity_key, field, reason) "
                          "VALUES (now(), 'x', 'editar', 'prueba', '', '', '')"))
        assert conn.execute(text("SELECT max(id) FROM audit_entry")).scalar() == before + 1
    engine.dispose()


# ---- network shares ----------------------------------------------------------------------------------------
MOUNTS = ("/dev/sda1 / ext4 rw 0 0\n"
          "//servidor/planeacion /mnt/red\\040compartida cifs rw 0 0\n"
          "servidor:/export /srv/nfs nfs4 rw 0 0\n"
          "tmpfs /srv/nfs/local tmpfs rw 0 0\n")


def test_network_share_detection():
    from sistema_seguimiento.netfs import is_network_path, mount_type

    assert is_network_path("/mnt/red compartida/ses.db", MOUNTS)
    assert is_network_path("/srv/nfs/datos/ses.db", MOUNTS)
    assert not is_network_path("/srv/nfs/local/ses.db", MOUNTS)  # longest mount point wins
    assert not is_network_path("/home/ana/ses.db", MOUNTS)
    assert mount_type("/mnt/red compartida", MOUNTS) == "cifs"


def test_database_on_network_share_is_refused(tmp_path, monkeypatch):
    from sistema_seguimiento import netfs

    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//srv/x {tmp_path / 'red'} cifs rw 0 0\n")
    monkeypatch.setattr(netfs, "MOUNTS_FILE", str(mounts))
    (tmp_path / "red").mkdir()
    with pytest.raises(DatabaseError, match="carpeta compartida"):
        Database.open(tmp_path / "red" / "ses.db", OpenOptions(create=True))
    assert list((tmp_path / "red").iterdir()) == []
    Database.open(tmp_path / "local.db", OpenOptions(create=True)).close()
