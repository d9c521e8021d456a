"""Paths are file paths, never URIs; messages say what really happened (issue 11). Every ``ses`` subcommand that
takes a file runs in a subprocess on folders named «Oficio #12», «50% avance», «¿Qué?», «%41» (with spaces and
accents): the right file changes and no stray file appears. Busy, locked, read-only, full and empty files get
their own Spanish message and exit code 2. Only subprocesses and sqlite3 here (the test runs against any version)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "resources" / "demo_municipio.json"
HOY = {"SES_HOY": "2026-11-15"}
HAZARDS = ["Oficio #12", "50% avance", "¿Qué?", "%41"]


def ses(*args, check=True, env=None, timeout=300):
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "sistema_seguimiento", *map(str, args)], capture_output=True,
                          text=True, env=e, cwd=ROOT, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"ses {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def tree(base: Path) -> set[str]:
    """Every file and folder under ``base`` (relative), ignoring SQLite's own -wal/-shm companions."""
    return {str(p.relative_to(base)) for p in base.rglob("*") if not p.name.endswith(("-wal", "-shm"))}


def measurement(db: Path, indicator: str, variable: str, period: str) -> str | None:
    c = sqlite3.connect(db)
    try:
        row = c.execute("select m.value from measurement m join variable v on v.id = m.variable_id "
                        "join indicator i on i.id = v.indicator_id where i.key=? and v.key=? and m.period=?",
                        (indicator, variable, period)).fetchone()
    finally:
        c.close()
    return None if row is None else str(row[0])


@pytest.mark.parametrize("name", HAZARDS)
def test_writes_and_backups_stay_in_a_folder_with_a_hazardous_name(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    db = folder / "ses.db"
    ses("demo", "--db", db)
    assert tree(tmp_path) == {name, f"{name}/ses.db"}
    ses("capturar", "--db", db, "--usuario", "admin", "--periodo", "2026-10", "--indicador", "E001-A11-01",
        "--variable", "RRI", "--valor", "31", env=HOY)
    assert measurement(db, "E001-A11-01", "RRI", "2026-10") == "31"
    copy = folder / "copia #1 50%.db"
    ses("respaldar", "--db", db, "--destino", copy)
    assert measurement(copy, "E001-A11-01", "RRI", "2026-10") == "31"
    ses("capturar", "--db", db, "--usuario", "admin", "--periodo", "2026-10", "--indicador", "E001-A11-01",
        "--variable", "RRI", "--valor", "32", env=HOY)
    ses("restaurar", "--db", db, "--origen", copy, "--usuario", "admin")
    assert measurement(db, "E001-A11-01", "RRI", "2026-10") == "31"
    assert ses("verificar", "--db", db).returncode == 0
    new = tree(tmp_path) - {name, f"{name}/ses.db", f"{name}/copia #1 50%.db"}
    assert all(Path(p).parent == Path(name) and ".previo" in p for p in new), new


def test_every_file_subcommand_on_a_hazardous_path(tmp_path):
    from openpyxl import load_workbook

    base = tmp_path / "Oficio #12" / "50% avance ¿Qué?" / "%41 ñ"
    base.mkdir(parents=True)
    db = base / "ses.db"
    json_file = base / "municipio #1.json"
    shutil.copyfile(FIXTURE, json_file)
    expected = {"Oficio #12", "Oficio #12/50% avance ¿Qué?", "Oficio #12/50% avance ¿Qué?/%41 ñ"}
    rel = "Oficio #12/50% avance ¿Qué?/%41 ñ/"
    expected.add(rel + json_file.name)

    def check_tree(*added):
        expected.update(rel + a for a in added)
        assert tree(tmp_path) == expected

    ses("init", "--db", base / "vacía #2.db", "--nombre", "Municipio de Prueba", "--ejercicio", "2026")
    check_tree("vacía #2.db")
    ses("cargar", "--db", db, json_file, "--usuario", "admin")
    check_tree("ses.db")
    ses("demo", "--db", base / "demo %41.db")
    check_tree("demo %41.db")
    assert '"indicator_key"' in ses("avance", "--db", db, "--periodo", "2026-10", "--json").stdout
    assert "E001" in ses("mir", "--db", db, "--programa", "E001").stdout
    assert ses("validar", "--db", db, check=False).returncode in (0, 1)
    for kind, extra in (("mir", []), ("fichas", []), ("avance", ["--periodo", "2026-10"]),
                        ("captura", ["--periodo", "2026-10", "--dependencia", "0301"])):
        ses("exportar", kind, "--db", db, "--salida", base / f"{kind} #1.xlsx", *extra)
        check_tree(f"{kind} #1.xlsx")
    wb = load_workbook(base / "captura #1.xlsx")
    from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL

    wb[SHEET].cell(FIRST_ROW, VALUE_COL).value = 77
    wb.save(base / "captura #1.xlsx")
    ses("importar", "captura", "--db", db, base / "captura #1.xlsx", "--aplicar", "--usuario", "admin", env=HOY)
    c = sqlite3.connect(db)
    assert c.execute("select count(*) from measurement where value = '77'").fetchone()[0] == 1
    c.close()
    ses("importar", "mir", "--db", base / "vacía #2.db", base / "mir #1.xlsx", "--aplicar", "--ejercicio", "2026",
        "--usuario", "admin")
    c = sqlite3.connect(base / "vacía #2.db")
    assert c.execute("select count(*) from program").fetchone()[0] == 2
    c.close()
    ses("capturar", "--db", db, "--usuario", "admin", "--periodo", "2026-10", "--indicador", "E001-A11-01",
        "--variable", "RRI", "--valor", "1,234.5", env=HOY)
    assert measurement(db, "E001-A11-01", "RRI", "2026-10") == "1234.5"
    ses("bitacora", "--db", db, "--csv", base / "bitácora #1.csv")
    check_tree("bitácora #1.csv")
    ses("informe", "--db", db, "--periodo", "2026-10", "--sin-graficas", "--pdf", base / "informe 50%.pdf")
    check_tree("informe 50%.pdf")
    ses("respaldar", "--db", db, "--destino", base / "respaldo ¿1?.db")
    check_tree("respaldo ¿1?.db")
    ses("restaurar", "--db", db, "--origen", base / "respaldo ¿1?.db", "--usuario", "admin")
    check_tree("ses.previo-1.db")
    assert ses("verificar", "--db", db).returncode == 0
    assert measurement(db, "E001-A11-01", "RRI", "2026-10") == "1234.5"


# ---- messages that say what really happened -------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "ses.db"
    ses("demo", "--db", db)
    return db


@pytest.fixture
def demo(demo_file, tmp_path):
    db = tmp_path / "ses.db"
    shutil.copyfile(demo_file, db)
    return db


def test_zero_byte_file_is_not_ses_rather_than_missing(tmp_path):
    empty = tmp_path / "vacio.db"
    empty.write_bytes(b"")
    for args in (("avance", "--periodo", "2026-10"), ("verificar",)):
        proc = ses(args[0], "--db", empty, *args[1:], check=False)
        assert proc.returncode == 2
        assert "no es una base de SES" in proc.stderr and "No existe" not in proc.stderr
    assert empty.read_bytes() == b""


HOLD_SES_LOCK = """
import sys, time
from sistema_seguimiento.db.database import Database
db = Database.open(sys.argv[1])
print("abierta", flush=True)
time.sleep(float(sys.argv[2]))
db.close()
"""

HOLD_SQLITE_WRITE = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("abierta", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
"""


def _holder(script: str, db: Path, seconds: float) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", script, str(db), str(seconds)], stdout=subprocess.PIPE, text=True,
                         env=env, cwd=ROOT)
    assert p.stdout.readline().strip() == "abierta"
    return p


CAPTURE = ("capturar", "--usuario", "admin", "--periodo", "2026-10", "--indicador", "E001-A11-01", "--variable",
           "RRI", "--valor", "41")


def test_a_second_process_waits_for_a_short_lock_and_then_writes(demo):
    holder = _holder(HOLD_SES_LOCK, demo, 3.0)
    try:
        proc = ses(CAPTURE[0], "--db", demo, *CAPTURE[1:], check=False, env=HOY)
    finally:
        holder.wait()
    assert proc.returncode == 0, proc.stderr
    assert measurement(demo, "E001-A11-01", "RRI", "2026-10") == "41"


def test_a_lock_held_too_long_is_a_spanish_message_exit_2(demo):
    holder = _holder(HOLD_SES_LOCK, demo, 30)
    try:
        proc = ses(CAPTURE[0], "--db", demo, *CAPTURE[1:], check=False, env=HOY)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2, proc.stderr
    assert "no se liberó" in proc.stderr and "inesperado" not in proc.stderr
    assert measurement(demo, "E001-A11-01", "RRI", "2026-10") != "41"


def test_an_sqlite_write_lock_held_too_long_is_busy_not_unexpected(demo):
    holder = _holder(HOLD_SQLITE_WRITE, demo, 30)
    try:
        proc = ses(CAPTURE[0], "--db", demo, *CAPTURE[1:], check=False, env=HOY)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2, proc.stderr
    assert "ocupada" in proc.stderr and "inesperado" not in proc.stderr
    assert measurement(demo, "E001-A11-01", "RRI", "2026-10") != "41"


def test_a_short_sqlite_write_lock_is_waited_for(demo):
    holder = _holder(HOLD_SQLITE_WRITE, demo, 3.0)
    try:
        proc = ses(CAPTURE[0], "--db", demo, *CAPTURE[1:], check=False, env=HOY)
    finally:
        holder.wait()
    assert proc.returncode == 0, proc.stderr
    assert measurement(demo, "E001-A11-01", "RRI", "2026-10") == "41"


@pytest.fixture
def mounted(tmp_path):
    """A small tmpfs we can fill or remount read-only (needs root); skipped elsewhere."""
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("montar un tmpfs requiere root")
    mnt = tmp_path / "montaje"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("no se pudo montar un tmpfs")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_read_only_folder_is_not_a_damaged_database(demo, mounted):
    db = mounted / "ses.db"
    shutil.copyfile(demo, db)
    assert subprocess.run(["mount", "-o", "remount,ro", str(mounted)], capture_output=True).returncode == 0
    proc = ses(CAPTURE[0], "--db", db, *CAPTURE[1:], check=False, env=HOY)
    assert proc.returncode == 2, proc.stderr
    assert "dañada" not in proc.stderr.replace("no está dañada", "") and "inesperado" not in proc.stderr
    assert "solo lectura" in proc.stderr
    proc = ses("avance", "--db", db, "--periodo", "2026-10", "--json", check=False)
    assert proc.returncode == 0, proc.stderr  # reading still works


def test_full_disk_is_not_a_damaged_database(demo, mounted):
    db = mounted / "ses.db"
    shutil.copyfile(demo, db)
    try:
        with open(mounted / "relleno.bin", "wb") as fh:  # fill the disk to the last block
            for size in (1 << 20, 1 << 12, 1):
                try:
                    while True:
                        fh.write(b"\0" * size)
                        fh.flush()
                except OSError:
                    pass
    except OSError:
        pass
    assert shutil.disk_usage(mounted).free < 8192
    proc = ses(CAPTURE[0], "--db", db, *CAPTURE[1:], check=False, env=HOY)
    assert proc.returncode == 2, proc.stderr
    assert "lleno" in proc.stderr or "espacio" in proc.stderr, proc.stderr
    assert "dañada" not in proc.stderr.replace("no está dañada", "") and "inesperado" not in proc.stderr
