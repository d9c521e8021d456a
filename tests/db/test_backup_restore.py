"""Backups and restores that cannot lie (issue 11): verified atomic backups, refused destinations, no temporary
files on failure (disk full included), restores that accept only a complete SES database of this organization and
keep every previous file, evidence folders travelling with the database."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sistema_seguimiento.db.backup import BackupError
from sistema_seguimiento.db.database import Database, OpenOptions, restore
from sistema_seguimiento.services.backups import describe_backup, make_backup

ROOT = Path(__file__).resolve().parents[2]


def _demo(path: Path) -> Path:
    from sistema_seguimiento.services.loading import load_demo

    with Database.open(path, OpenOptions(create=True)) as db:
        load_demo(db)
    return path


@pytest.fixture
def demo(tmp_path):
    return _demo(tmp_path / "origen" / "ses.db")


def _count(path: Path, table: str) -> int:
    c = sqlite3.connect(path)
    try:
        return c.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        c.close()


def _integrity(path: Path) -> str:
    c = sqlite3.connect(path)
    try:
        return c.execute("pragma integrity_check").fetchone()[0]
    finally:
        c.close()


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _stale_wal_for(dest: Path) -> None:
    """Make ``dest`` an SES file with a leftover ``-wal`` holding frames the next opener would replay."""
    Database.open(dest, OpenOptions(create=True)).close()
    c = sqlite3.connect(dest)
    c.execute("pragma journal_mode=wal")
    c.execute("pragma wal_autocheckpoint=0")
    c.execute("create table relleno(x)")
    c.executemany("insert into relleno values (?)", [("x" * 500,)] * 200)
    c.commit()
    saved = dest.with_name("guardado-wal")
    shutil.copyfile(str(dest) + "-wal", saved)
    c.close()
    shutil.move(saved, str(dest) + "-wal")


def test_backup_over_existing_file_with_stale_wal_is_correct(demo, tmp_path):
    dest = tmp_path / "respaldos" / "copia.db"
    dest.parent.mkdir()
    _stale_wal_for(dest)
    assert Path(str(dest) + "-wal").exists()
    with Database.open(demo, OpenOptions(read_only=True)) as db:
        db.backup_to(dest)
    assert not Path(str(dest) + "-wal").exists()
    assert _integrity(dest) == "ok"
    assert _count(dest, "measurement") == 172
    c = sqlite3.connect(dest)
    assert c.execute("select count(*) from sqlite_master where name='relleno'").fetchone()[0] == 0
    c.close()
    assert _names(dest.parent) == {"copia.db"}


def test_backup_refuses_a_destination_open_in_ses(demo, tmp_path):
    dest = tmp_path / "abierta.db"
    _demo(dest)
    holder = Database.open(dest)  # another SES instance has the destination open (holds its lock)
    try:
        before = dest.read_bytes()
        with pytest.raises(BackupError, match="abierto en otro proceso"):
            make_backup(demo, dest)
        assert dest.read_bytes() == before
    finally:
        holder.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_refuses_a_destination_with_an_sqlite_connection_and_its_writes_survive(demo, tmp_path):
    dest = tmp_path / "usada.db"
    _demo(dest)
    c = sqlite3.connect(dest)  # a plain SQLite connection (no SES lock file), WAL mode
    c.execute("insert into app_meta(key, value) values ('escritor', 'uno')")
    c.commit()
    try:
        with pytest.raises(BackupError, match="abierto en otro proceso"):
            make_backup(demo, dest)
        c.execute("insert into app_meta(key, value) values ('escritor2', 'dos')")
        c.commit()
    finally:
        c.close()
    c = sqlite3.connect(dest)
    assert dict(c.execute("select key, value from app_meta where key like 'escritor%'").fetchall()) == {
        "escritor": "uno", "escritor2": "dos"}
    c.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_refuses_to_overwrite_a_file_that_is_not_ses(demo, tmp_path):
    dest = tmp_path / "informe.db"
    dest.write_bytes(b"PK\x03\x04 un libro de Excel")
    with pytest.raises(BackupError, match="no es una base de SES"):
        make_backup(demo, dest)
    assert dest.read_bytes() == b"PK\x03\x04 un libro de Excel"


def test_backup_is_consistent_while_another_process_writes(demo, tmp_path):
    base_meta, base_agencies = _count(demo, "app_meta"), _count(demo, "agency")
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        c = sqlite3.connect({str(demo)!r}, timeout=30)
        c.execute("pragma journal_mode=wal")
        print("listo", flush=True)
        i = 0
        while True:
            with c:
                c.execute("insert into app_meta(key, value) values (?, ?)", (f"k{{i}}", "v" * 300))
                c.execute("insert into agency(key, name) values (?, ?)", (f"Z{{i}}", "Dependencia"))
            i += 1
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "listo"
        for n in range(5):
            dest = tmp_path / f"copia{n}.db"
            info = make_backup(demo, dest)
            assert _integrity(dest) == "ok"
            # one snapshot: the writer inserts one app_meta row and one agency row per transaction
            # + respaldo_fecha, written in the copy
            assert _count(dest, "app_meta") - base_meta == _count(dest, "agency") - base_agencies + 1
            assert info.counts["valores"] == 172
    finally:
        writer.kill()
        writer.wait()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


DISK_FULL_SCRIPT = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with EFBIG instead of killing us
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from sistema_seguimiento.cli import main
sys.exit(main(["respaldar", "--db", sys.argv[1], "--destino", sys.argv[2]]))
"""


def test_disk_full_during_backup_leaves_nothing_behind_rlimit(demo, tmp_path):
    """Disk full simulated with RLIMIT_FSIZE in a subprocess: the copy cannot grow past 64 KiB."""
    dest_dir = tmp_path / "destino"
    dest_dir.mkdir()
    old = dest_dir / "copia.db"
    _demo(old)
    c = sqlite3.connect(old)
    c.execute("pragma journal_mode=delete")
    c.close()
    before = old.read_bytes()
    assert len(before) > 64 * 1024  # the previous backup itself is larger than the limit: it must stay as it was
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", DISK_FULL_SCRIPT, str(demo), str(old), str(64 * 1024)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "espacio" in proc.stderr and "dañad" not in proc.stderr
    assert _names(dest_dir) == {"copia.db"}
    assert old.read_bytes() == before


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root); skipped elsewhere."""
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("montar un tmpfs requiere root")
    mnt = tmp_path / "disco chico"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("no se pudo montar un tmpfs")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_during_backup_leaves_nothing_behind_tmpfs(demo, small_disk):
    from sistema_seguimiento.cli import main

    (small_disk / "relleno.bin").write_bytes(b"\0" * (1024 * 1024 - 200 * 1024))  # leave ~200 KiB
    assert main(["respaldar", "--db", str(demo), "--destino", str(small_disk / "copia.db")]) == 2
    assert _names(small_disk) == {"relleno.bin"}


# ---- restore -------------------------------------------------------------------------------------------
def _assert_refused(backup: Path, target: Path, match: str, **kw) -> None:
    before = target.read_bytes()
    names = _names(target.parent)
    with pytest.raises(BackupError, match=match):
        restore(backup, target, **kw)
    assert target.read_bytes() == before
    assert _names(target.parent) == names


def test_restore_refuses_a_zero_byte_file(demo, tmp_path):
    empty = tmp_path / "vacio.db"
    empty.write_bytes(b"")
    _assert_refused(empty, demo, "vacío")


def test_restore_refuses_an_sqlite_file_without_tables(demo, tmp_path):
    blank = tmp_path / "sin_tablas.db"
    c = sqlite3.connect(blank)
    c.execute("pragma user_version=7")
    c.commit()
    c.close()
    assert blank.stat().st_size > 0
    _assert_refused(blank, demo, "sin tablas")


def test_restore_refuses_an_incomplete_ses_file(demo, tmp_path):
    part = tmp_path / "parcial.db"
    shutil.copyfile(demo, part)
    c = sqlite3.connect(part)
    c.execute("pragma foreign_keys=off")
    c.execute("drop table measurement")
    c.commit()
    c.close()
    _assert_refused(part, demo, "faltan las tablas: measurement")


def test_restore_refuses_a_damaged_file(demo, tmp_path):
    bad = tmp_path / "danado.db"
    make_backup(demo, bad)
    data = bytearray(bad.read_bytes())
    for i in range(4096 * 3, min(len(data), 4096 * 9)):
        data[i] = 0xA5
    bad.write_bytes(bytes(data))
    _assert_refused(bad, demo, "dañado")


def test_restore_refuses_a_newer_schema(demo, tmp_path):
    newer = tmp_path / "nueva.db"
    make_backup(demo, newer)
    c = sqlite3.connect(newer)
    c.execute("update alembic_version set version_num='9999'")
    c.commit()
    c.close()
    _assert_refused(newer, demo, "versión más reciente")


def test_restore_refuses_another_organization_unless_forced(demo, tmp_path):
    from sistema_seguimiento.cli import main

    other = tmp_path / "otra" / "otra.db"
    other.parent.mkdir()
    assert main(["init", "--db", str(other), "--nombre", "Municipio de Otra Parte", "--ejercicio", "2026"]) == 0
    _assert_refused(other, demo, "otra organización.*--forzar")
    res = restore(other, demo, force=True)
    assert describe_backup(demo).organization == "Municipio de Otra Parte"
    assert describe_backup(res.previous).counts["valores"] == 172


def test_describe_backup_says_what_it_holds(demo, tmp_path):
    from datetime import datetime

    from sistema_seguimiento.db.backup import backup_file

    dest = tmp_path / "copia.db"
    backup_file(demo, dest, made_at=datetime(2026, 11, 30, 18, 5))
    info = describe_backup(dest)
    assert info.made_at == datetime(2026, 11, 30, 18, 5) and info.made_at_source == "respaldo"
    assert info.fiscal_years == [2026]
    assert info.counts == {"programas": 2, "indicadores": 16, "valores": 172, "metas": 224,
                           "usuarios": _count(demo, "app_user")}
    assert info.organization and info.organization == describe_backup(demo).organization
    text = info.as_text()
    assert "30/11/2026 18:05" in text and "172 valores capturados" in text
    plain = describe_backup(demo)  # not a backup: the date is the file's
    assert plain.made_at_source == "archivo"


def test_every_previous_file_is_kept(demo, tmp_path):
    from sistema_seguimiento.services.capture import ValueChange, save_values
    from sistema_seguimiento.services.users import SYSTEM

    b1 = tmp_path / "b1.db"
    make_backup(demo, b1)
    with Database.open(demo) as db:
        save_values(db, SYSTEM, "2026-10", [ValueChange("E001-A11-01", "RRI", None)])
    n_after_clear = _count(demo, "measurement")
    r1 = restore(b1, demo)
    r2 = restore(b1, demo)
    assert r1.previous.name == "ses.previo-1.db" and r2.previous.name == "ses.previo-2.db"
    assert _count(r1.previous, "measurement") == n_after_clear
    assert _count(r2.previous, "measurement") == 172
    r2.previous.unlink()
    r3 = restore(b1, demo)  # numbers are never reused while a higher one exists
    assert r3.previous.name == "ses.previo-2.db" and r1.previous.exists()


def test_restore_of_an_older_schema_is_migrated_with_a_backup_first(demo, tmp_path):
    from alembic import command

    from sistema_seguimiento.db.database import _alembic_config, head_revision

    old = tmp_path / "viejo.db"
    make_backup(demo, old)
    db = Database.open(old, OpenOptions(migrate=False))
    with db.engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    db.close()
    assert describe_backup(old).revision == "0001"
    restore(old, demo)
    with Database.open(demo) as db:
        assert db.current_revision() == head_revision()
    assert [p for p in demo.parent.iterdir() if "antes-de-migrar-0001" in p.name]
    assert _count(demo, "measurement") == 172


def test_evidence_travels_with_backup_and_restore(demo, tmp_path):
    from sistema_seguimiento.db.backup import evidence_path

    ev = evidence_path(demo)
    ev.mkdir()
    (ev / "acta.pdf").write_bytes(b"%PDF-1.4 acta")
    dest = tmp_path / "copia.db"
    info = make_backup(demo, dest)
    assert info.evidence_files == 1
    assert (evidence_path(dest) / "acta.pdf").read_bytes() == b"%PDF-1.4 acta"
    (ev / "acta.pdf").unlink()
    (ev / "otra.pdf").write_bytes(b"%PDF-1.4 otra")
    res = restore(dest, demo)
    assert sorted(p.name for p in ev.iterdir()) == ["acta.pdf"]
    assert sorted(p.name for p in evidence_path(res.previous).iterdir()) == ["otra.pdf"]
    assert not [p for p in demo.parent.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]


def test_restore_refuses_when_the_target_is_open(demo, tmp_path):
    b = tmp_path / "b.db"
    make_backup(demo, b)
    holder = Database.open(demo)
    try:
        with pytest.raises(BackupError, match="abierta en otro proceso"):
            restore(b, demo)
    finally:
        holder.close()


def test_what_a_killed_backup_or_restore_left_is_swept_by_the_next_one(demo, tmp_path):
    """SIGKILL cannot be caught: the temporaries a killed backup or restore leaves (same names as the real ones,
    see tools/soak.py for real kills) are removed by the next operation on the same file, under its lock."""
    dest = tmp_path / "copia.db"
    left = [tmp_path / ".copia.db.k1l2d3.tmp", tmp_path / ".copia.db.k1l2d3.tmp-journal"]
    for p in left:
        p.write_bytes(b"SQLite format 3\x00 a medias")
    (tmp_path / ".copia.evidencias.x9y8.tmp").mkdir()
    (tmp_path / ".copia.evidencias.x9y8.tmp" / "acta.pdf").write_bytes(b"%PDF")
    unrelated = tmp_path / ".otra.db.zz.tmp"
    unrelated.write_bytes(b"de otro archivo")
    make_backup(demo, dest)
    assert _names(tmp_path) == {"origen", "copia.db", ".otra.db.zz.tmp"}
    for p in (demo.with_name(".ses.db.q1.tmp"), demo.with_name(".ses.previo-3.db.q2.tmp")):
        p.write_bytes(b"x")
    restore(dest, demo)
    assert _names(demo.parent) == {"ses.db", "ses.previo-1.db"}


def test_evidence_and_lock_in_a_hazardous_folder_travel_with_backup_and_restore(tmp_path):
    from sistema_seguimiento.services.justifications import add_evidence
    from sistema_seguimiento.services.users import CurrentUser

    folder = tmp_path / "Oficio #12 50% ¿Qué? %41"
    db_path = _demo(folder / "ses.db")
    pdf = tmp_path / "acta.pdf"
    pdf.write_bytes(b"%PDF-1.4 acta de la sesion")
    with Database.open(db_path) as db:
        assert (folder / "ses.db.lock").exists()  # the lock file sits beside the file, in that folder
        info = add_evidence(db, CurrentUser("admin", "administrador"), "E001-A11-01", "2026-10", pdf)
    stored = info.stored_path
    assert stored.is_relative_to(folder / "ses.evidencias") and stored.read_bytes() == pdf.read_bytes()
    dest = folder / "respaldo #2.db"
    assert make_backup(db_path, dest).evidence_files == 1
    shutil.rmtree(folder / "ses.evidencias")
    restore(dest, db_path)
    assert stored.read_bytes() == pdf.read_bytes()
    assert {p.name for p in tmp_path.iterdir()} == {"Oficio #12 50% ¿Qué? %41", "acta.pdf"}
