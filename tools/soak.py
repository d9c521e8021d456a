#!/usr/bin/env python3
"""Soak test (issue 11): kill ``ses capturar``, ``ses importar captura --aplicar``, ``ses respaldar`` and
``ses restaurar`` with SIGKILL at random moments, round after round, and check after every round that

* every acknowledged value (the command exited 0) is stored exactly — the stored Decimal text is compared for
  equality, never as a substring — unless a later attempt (acknowledged or killed) may have replaced it;
* the file passes ``ses verificar``;
* no temporary file is left behind by a command that finished, and none at all after a final clean
  backup and restore (a killed backup's temporary copy is removed by the next backup to the same place).

Usage: ``python tools/soak.py --rounds 200 [--seed 1] [--dir CARPETA] [--keep]``. Prints one line per round with
``-v`` and a summary (rounds, kills per command, acknowledged values, lost, time). Exit 1 if anything was lost.
POSIX only (SIGKILL).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           SES_HOY="2026-11-15")
PERIOD = "2026-10"
CAPTURE_KEY = ("E001-A11-01", "RRI")
COMMANDS = ["capturar", "importar", "respaldar", "restaurar"]
TEMP = re.compile(r"^\..*(\.tmp|\.viejo-\d+)")


def ses_argv(*args) -> list[str]:
    return [sys.executable, "-m", "sistema_seguimiento", *map(str, args)]


def run(*args, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run(ses_argv(*args), capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=300)
    if check and p.returncode != 0:
        raise SystemExit(f"ses {' '.join(map(str, args))} -> {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def stored(db: Path, variable_id: int) -> str | None:
    c = sqlite3.connect(db)
    try:
        row = c.execute("select value from measurement where variable_id=? and period=?",
                        (variable_id, PERIOD)).fetchone()
    finally:
        c.close()
    return None if row is None else str(row[0])


def variable_of(db: Path, indicator: str, variable: str) -> int:
    c = sqlite3.connect(db)
    try:
        return c.execute("select v.id from variable v join indicator i on i.id=v.indicator_id "
                         "where i.key=? and v.key=?", (indicator, variable)).fetchone()[0]
    finally:
        c.close()


def verificar(db: Path) -> tuple[int, str]:
    """``ses verificar --db DB`` in this process (the same command, without a second interpreter start)."""
    import contextlib
    import io

    from sistema_seguimiento.cli import main as ses_main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = ses_main(["verificar", "--db", str(db)])
    return code, buf.getvalue()


def temp_files(folder: Path, names: set[str] | None = None) -> list[str]:
    """Temporary files of SES in ``folder`` (optionally only those belonging to the given destination names)."""
    found = [p.name for p in folder.iterdir() if TEMP.match(p.name)]
    if names is not None:
        found = [n for n in found if any(n.startswith(f".{x}.") for x in names)]
    return found


def canonical(text: str) -> str:
    """The Decimal text SES stores for a value typed as ``text``."""
    d = Decimal(text)
    return str(d.normalize()) if d == d.to_integral() and d.as_tuple().exponent < 0 else str(d)


class Soak:
    def __init__(self, folder: Path, seed: int, verbose: bool):
        self.dir = folder
        self.db = folder / "ses.db"
        self.backup = folder / "respaldo.db"
        self.book = folder / "captura.xlsx"
        self.rng = random.Random(seed)
        self.verbose = verbose
        self.kills = Counter()
        self.runs = Counter()
        self.acknowledged = 0
        self.checked = 0
        self.lost: list[str] = []
        self.leftovers: list[str] = []
        self.landed = 0  # killed writes whose value was found stored (killed after the commit)
        self.killed_temps = 0  # temporaries a killed command left (swept by the next operation on that file)

    # -- setup ------------------------------------------------------------------------------------------
    def setup(self) -> None:
        run("demo", "--db", self.db)
        run("exportar", "captura", "--db", self.db, "--periodo", PERIOD, "--dependencia", "0301",
            "--salida", self.book)
        self.var_capture = variable_of(self.db, *CAPTURE_KEY)
        # which variable does the workbook's first row write? import a marker value once and look
        self.write_book("777.7")
        before = self.snapshot()
        run("importar", "captura", "--db", self.db, self.book, "--aplicar", "--usuario", "admin")
        after = self.snapshot()
        changed = [k for k in after if after[k] != before.get(k)]
        assert len(changed) == 1 and after[changed[0]] == "777.7", changed
        self.var_import = changed[0]
        # how long each command takes here, so that kills land during its work and not only while Python starts
        self.duration = {}
        for cmd, args in (("capturar", ("capturar", "--db", self.db, "--usuario", "admin", "--periodo", PERIOD,
                                        "--indicador", CAPTURE_KEY[0], "--variable", CAPTURE_KEY[1], "--valor", "1")),
                          ("importar", ("importar", "captura", "--db", self.db, self.book, "--aplicar", "--usuario",
                                        "admin")),
                          ("respaldar", ("respaldar", "--db", self.db, "--destino", self.backup)),
                          ("restaurar", ("restaurar", "--db", self.db, "--origen", self.backup, "--usuario", "admin"))):
            t = time.monotonic()
            run(*args)
            self.duration[cmd] = time.monotonic() - t
        # what each tracked variable must hold: (acknowledged value, values attempted since that may have landed)
        self.expect = {v: (stored(self.db, v), set()) for v in {self.var_capture, self.var_import}}

    def snapshot(self) -> dict[int, str]:
        c = sqlite3.connect(self.db)
        try:
            return {v: str(x) for v, x in c.execute("select variable_id, value from measurement where period=?",
                                                    (PERIOD,))}
        finally:
            c.close()

    def write_book(self, value: str) -> None:
        from openpyxl import load_workbook

        from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL

        wb = load_workbook(self.book)
        wb[SHEET].cell(FIRST_ROW, VALUE_COL).value = float(value) if "." in value else int(value)
        wb.save(self.book)

    # -- one round --------------------------------------------------------------------------------------
    def new_value(self, n: int) -> str:
        return f"{n}.{self.rng.randint(1, 9)}"

    def round(self, n: int) -> None:
        cmd = self.rng.choice(COMMANDS)
        self.runs[cmd] += 1
        touched: dict[int, str] = {}
        if cmd == "capturar":
            value = self.new_value(n)
            argv = ses_argv("capturar", "--db", self.db, "--usuario", "admin", "--periodo", PERIOD,
                            "--indicador", CAPTURE_KEY[0], "--variable", CAPTURE_KEY[1], "--valor", value)
            touched[self.var_capture] = canonical(value)
        elif cmd == "importar":
            value = self.new_value(n)
            self.write_book(value)
            argv = ses_argv("importar", "captura", "--db", self.db, self.book, "--aplicar", "--usuario", "admin")
            touched[self.var_import] = canonical(value)
        elif cmd == "respaldar":
            argv = ses_argv("respaldar", "--db", self.db, "--destino", self.backup)
        else:
            restored = {v: stored(self.backup, v) for v in self.expect}
            argv = ses_argv("restaurar", "--db", self.db, "--origen", self.backup, "--usuario", "admin")
            touched = restored
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                                cwd=ROOT)
        killed = False
        if self.rng.random() < 0.7:  # kill most rounds, at a random moment of the command's life
            try:
                proc.wait(timeout=self.rng.uniform(0.3, 1.05) * self.duration[cmd])
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed = True
        out, err = proc.communicate()
        ok = not killed and proc.returncode == 0
        if killed:
            self.kills[cmd] += 1
        elif proc.returncode != 0:
            raise SystemExit(f"ronda {n}: ses {cmd} terminó con {proc.returncode}:\n{out}\n{err}")
        for var, value in touched.items():
            acked, pending = self.expect[var]
            if ok:
                self.expect[var] = (value, set())
                if cmd in ("capturar", "importar"):
                    self.acknowledged += 1
            else:
                self.expect[var] = (acked, pending | {value})
        self.check(n, cmd, killed)

    def check(self, n: int, cmd: str, killed: bool) -> None:
        for var, (acked, pending) in self.expect.items():
            now = stored(self.db, var)
            self.checked += 1
            if now != acked and now not in pending:
                self.lost.append(f"ronda {n} ({cmd}): variable {var} tiene {now!r}; reconocido {acked!r}, "
                                 f"posibles {sorted(pending)}")
            elif now == acked:
                self.expect[var] = (acked, set())  # nothing pending can land any more once we read it back
            else:
                self.expect[var] = (now, set())  # an unacknowledged attempt landed: it is the value now
                self.landed += 1
        code, text = verificar(self.db)
        if code != 0:
            self.lost.append(f"ronda {n} ({cmd}): «ses verificar» falló: {text}")
        if killed:
            self.killed_temps += len(temp_files(self.dir))
        if not killed:
            names = {self.backup.name} if cmd == "respaldar" else {self.db.name, "ses.previo-"} \
                if cmd == "restaurar" else set()
            left = temp_files(self.dir, names) if names else []
            if left:
                self.leftovers.append(f"ronda {n} ({cmd}): {left}")
        if self.verbose:
            print(f"ronda {n:4d} {cmd:10s} {'MATADO' if killed else 'ok':7s} "
                  f"{ {v: stored(self.db, v) for v in self.expect} }", flush=True)

    def finish(self) -> list[str]:
        """A clean backup and restore sweep what killed ones left; then nothing temporary may remain."""
        run("respaldar", "--db", self.db, "--destino", self.backup)
        run("restaurar", "--db", self.db, "--origen", self.backup, "--usuario", "admin")
        return temp_files(self.dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, help="carpeta de trabajo (por omisión una temporal)")
    ap.add_argument("--keep", action="store_true", help="no borrar la carpeta de trabajo")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="ses-soak #1 "))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    soak = Soak(folder, args.seed, args.verbose)
    soak.setup()
    for n in range(1, args.rounds + 1):
        soak.round(n)
    final_left = soak.finish()
    elapsed = time.monotonic() - t0
    print(f"rondas: {args.rounds} (semilla {args.seed}), carpeta: {folder}")
    print("ejecuciones por comando: " + ", ".join(f"{c} {soak.runs[c]}" for c in COMMANDS))
    print("muertes (SIGKILL) por comando: " + ", ".join(f"{c} {soak.kills[c]}" for c in COMMANDS)
          + f" (total {sum(soak.kills.values())})")
    print(f"valores reconocidos (exit 0 de capturar/importar): {soak.acknowledged}; comprobaciones: {soak.checked}")
    print(f"perdidos: {len(soak.lost)}")
    for line in soak.lost[:20]:
        print("  " + line)
    print(f"escrituras matadas que sí quedaron guardadas (muerte tras el commit): {soak.landed}; temporales que "
          f"dejaron comandos matados (los borra la siguiente operación): {soak.killed_temps}")
    print(f"temporales tras un comando terminado: {len(soak.leftovers)}; al final: {len(final_left)}")
    for line in soak.leftovers[:10] + final_left[:10]:
        print("  " + line)
    print(f"tiempo: {elapsed:.0f} s")
    if not args.keep and args.dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if soak.lost or soak.leftovers or final_left else 0


if __name__ == "__main__":
    sys.exit(main())
