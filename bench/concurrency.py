"""Many capturistas at once against a shared PostgreSQL database (issue 17).

N processes (two per dependencia of the municipio database) capture for S seconds: each reads the value it is
about to change, saves a new unique value with that as the value it saw (so a save over someone else's change is a
reported conflict, never a silent overwrite), reads its capture grid every 10 saves and sends its month every 40;
one more process plays the administrador reading the dashboard (all indicators' progress) in a loop, and one more
measures the floor: a raw psycopg INSERT + COMMIT in a loop under the same load (the ratio is printed); one samples
pg_stat_activity to say what the connections spend their time on (waiting for a lock, running, client work).

At the end the bitácora proves nothing was lost: every acknowledged save is there, and for every value the chain of
its changes is unbroken (each change's «before» is the previous change's «after»: nobody overwrote a value without
seeing it), and the stored value is the last change.

The same load then runs against one SQLite file. SES lets one writable process open a file at a time (the file lock
of db/database.py), so there the capturistas are threads of one process sharing it, as in the window.

    python bench/concurrency.py --url postgresql+psycopg://postgres@127.0.0.1:55433/ses_bench
    [--procesos 50] [--segundos 120] [--pausa 0] [--sqlite-hilos 5] [--sqlite-segundos 30]

Needs a running PostgreSQL with an empty (or disposable) database; ``scripts/test_postgres.sh`` shows how to start
a throwaway one. Prints writes per second, p50/p95 save latency, conflicts and lost values.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_bytecode, ensure_db  # noqa: E402

MONTH = "2026-11"
TODAY = date(2026, 12, 3)


def _targets(db, agency_key: str) -> list[tuple[str, str, str]]:
    """(indicator, variable, own period) that the capturista of ``agency_key`` captures for MONTH."""
    from sistema_seguimiento.services.capture import capture_rows

    sheet = capture_rows(db, MONTH, agency_key)
    return [(ci.key, v.key, ci.period) for ci in sheet.indicators if ci.period for v in ci.variables]


def _work(target, agency_key: str, worker: int, seconds: float, out, start, pause: float = 0.0) -> None:
    """One capturista. ``target``: a URL to open (a process), or an open Database shared by threads.
    ``pause``: seconds between one save and the next (a person reading and typing the next value), drawn
    uniformly between half and one and a half times it; 0 saves back to back (the machine's saturation)."""
    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.services import workflow
    from sistema_seguimiento.services.capture import ValueChange, capture_rows, save_values
    from sistema_seguimiento.services.errors import ConflictError, ServiceError
    from sistema_seguimiento.services.users import CurrentUser

    own = isinstance(target, str)
    db = Database.open(target) if own else target
    actor = CurrentUser(f"captura-{agency_key}", "capturista", agency_key)
    rng = random.Random(worker)
    targets = _targets(db, agency_key)
    latencies, acks, errors, conflicts, refused, n = [], [], [], 0, 0, 0
    start_at = _start(start)
    deadline = start_at + seconds
    while time.time() < deadline and targets:
        ind, var, period = rng.choice(targets)
        sheet = None
        if n % 10 == 0:
            sheet = capture_rows(db, MONTH, agency_key)  # the grid a capturista looks at
        seen = _current(db, ind, var, period)
        value = Decimal(worker * 1_000_000 + n)
        n += 1
        t0 = time.perf_counter()
        try:
            res = save_values(db, actor, MONTH, [ValueChange(ind, var, value, expected=seen)], today=TODAY)
            latencies.append(time.perf_counter() - t0)
            acks.append((ind, var, res.periods.get(ind, period), str(value)))
        except ConflictError:
            latencies.append(time.perf_counter() - t0)
            conflicts += 1
        except ServiceError:
            refused += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown: a bench must finish and say what failed
            errors.append(type(exc).__name__ + ": " + str(exc).splitlines()[0][:120])
        if n % 40 == 0:
            try:
                workflow.apply(db, actor, "enviar", MONTH, agency_key)
            except ServiceError:
                pass
        del sheet
        if pause:
            time.sleep(rng.uniform(pause / 2, pause * 1.5))
    if own:
        db.close()
    out.put({"worker": worker, "latencies": latencies, "acks": acks, "conflicts": conflicts, "refused": refused,
             "errors": errors})


def _start(start) -> float:
    """Wait for the common start; returns its time. ``start``: a time (threads), or (ready queue, go event, start
    time) for processes, which say they are connected and wait until every one is (a loaded machine can take
    longer than any fixed delay to start 50 Python processes)."""
    if isinstance(start, float):
        while time.time() < start:
            time.sleep(0.01)
        return start
    ready, go, when = start
    ready.put(1)
    go.wait()
    while time.time() < when.value:
        time.sleep(0.01)
    return when.value


def _current(db, ind: str, var: str, period: str):
    """The stored value the capturista sees before changing it (None: empty)."""
    from sqlalchemy import select

    from sistema_seguimiento.db.models import Indicator, Measurement, Variable

    with db.reading() as s:
        return s.scalars(select(Measurement.value).join(Variable).join(Indicator).where(
            Indicator.key == ind, Variable.key == var, Measurement.period == period)).first()


def _dashboard(url: str, seconds: float, out: mp.Queue, start) -> None:
    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services.progress import compute_progress

    db = Database.open(url, OpenOptions(read_only=True))
    reads = []
    start_at = _start(start)
    while time.time() < start_at + seconds:
        t0 = time.perf_counter()
        compute_progress(db, MONTH)
        reads.append(time.perf_counter() - t0)
    db.close()
    out.put({"dashboard": reads})


def _floor(url: str, seconds: float, out: mp.Queue, start) -> None:
    """The floor: one more process doing a raw psycopg INSERT + COMMIT of one small row in a loop, under the same
    load (no SES, no ORM, no audit), so the save latency can be read as a ratio against what the server gives."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    lat = []
    start_at = _start(start)
    n = 0
    while time.time() < start_at + seconds:
        t0 = time.perf_counter()
        conn.execute("INSERT INTO bench_floor (v) VALUES (%s)", (f"valor {n}",))
        conn.commit()
        lat.append(time.perf_counter() - t0)
        n += 1
    conn.close()
    out.put({"floor": lat})


def _sampler(url: str, seconds: float, out: mp.Queue, start) -> None:
    """What the server's connections are doing, sampled every 0.2 s from pg_stat_activity: running a statement,
    waiting for a lock (another transaction holds what it needs), or idle inside a transaction (the client is
    computing: Python, the ORM, or waiting for a CPU). Says what dominates the save latency, whatever the load."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database,
                           autocommit=True)
    counts = {"lock": 0, "running": 0, "client": 0}
    samples = 0
    start_at = _start(start)
    while time.time() < start_at + seconds:
        for state, wait_type, n in conn.execute(
                "SELECT state, coalesce(wait_event_type, ''), count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1, 2"):
            if state == "active":
                counts["lock" if wait_type == "Lock" else "running"] += n
            elif state and state.startswith("idle in transaction"):
                counts["client"] += n
        samples += 1
        time.sleep(0.2)
    conn.close()
    out.put({"sampler": {k: v / max(samples, 1) for k, v in counts.items()}})


def _make_floor_table(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_floor"))
        conn.execute(text("CREATE TABLE bench_floor (id serial PRIMARY KEY, v text)"))
    engine.dispose()


def _verify(url: str, results: list[dict]) -> dict:
    """Check the bitácora and the stored values against every acknowledged save."""
    from sqlalchemy import select

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.db.models import AuditEntry, Indicator, Measurement, Variable

    db = Database.open(url, OpenOptions(read_only="://" not in url))
    acked = {(f"{i}/{v}/{p}", val) for r in results for i, v, p, val in r.get("acks", [])}
    keys = {k for k, _ in acked}
    chain_breaks, missing = 0, 0
    with db.reading() as s:
        entries = s.execute(select(AuditEntry.entity_key, AuditEntry.old, AuditEntry.new)
                            .where(AuditEntry.entity == "measurement", AuditEntry.field == "valor",
                                   AuditEntry.entity_key.in_(keys) if keys else AuditEntry.id < 0)
                            .order_by(AuditEntry.id)).all()
        last: dict[str, str | None] = {}
        logged = set()
        for key, old, new in entries:
            if key in last and last[key] != old:
                chain_breaks += 1
            last[key] = new
            logged.add((key, new))
        missing = len(acked - logged)
        stored = {}
        for ik, vk, p, val in s.execute(select(Indicator.key, Variable.key, Measurement.period, Measurement.value)
                                         .join(Variable, Measurement.variable_id == Variable.id)
                                         .join(Indicator, Variable.indicator_id == Indicator.id)):
            stored[f"{ik}/{vk}/{p}"] = format(val, "f")
    db.close()
    wrong_final = sum(1 for k in keys if stored.get(k) != last.get(k))
    return {"acknowledged": len(acked), "missing_in_audit": missing, "chain_breaks": chain_breaks,
            "final_mismatch": wrong_final}


def _report(title: str, results: list[dict], seconds: float, check: dict) -> None:
    lat = sorted(x for r in results for x in r.get("latencies", []))
    writes = sum(len(r.get("acks", [])) for r in results)
    conflicts = sum(r.get("conflicts", 0) for r in results)
    refused = sum(r.get("refused", 0) for r in results)
    errors = [e for r in results for e in r.get("errors", [])]
    dash = [x for r in results for x in r.get("dashboard", [])]
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [float("nan")] * 99
    print(f"\n{title}")
    print(f"  guardados {writes} en {seconds:.0f} s = {writes / seconds:.1f} escrituras/s; conflictos reportados "
          f"{conflicts}; rechazados por reglas {refused}")
    print(f"  latencia de guardado p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, máx "
          f"{(lat[-1] if lat else float('nan')) * 1000:.1f} ms")
    if errors:
        print(f"  errores inesperados: {len(errors)} (p. ej. {errors[0]})")
    if dash:
        print(f"  tablero (avance de todos los indicadores): {len(dash)} lecturas, mediana "
              f"{statistics.median(dash) * 1000:.0f} ms")
    floor = sorted(x for r in results for x in r.get("floor", []))
    if len(floor) >= 2 and len(lat) >= 2:
        f = statistics.quantiles(floor, n=100)
        print(f"  piso (INSERT + COMMIT crudo con psycopg bajo la misma carga): p50 {f[49] * 1000:.1f} ms, p95 "
              f"{f[94] * 1000:.1f} ms → guardado SES / piso: p50 ×{q[49] / f[49]:.1f}, p95 ×{q[94] / f[94]:.1f}")
    sampled = [r["sampler"] for r in results if "sampler" in r]
    if sampled:
        c = sampled[0]
        print(f"  conexiones en promedio (pg_stat_activity cada 0.2 s): esperando un candado {c['lock']:.1f}, "
              f"ejecutando {c['running']:.1f}, en transacción esperando al cliente {c['client']:.1f}")
    lost = check["missing_in_audit"] + check["chain_breaks"] + check["final_mismatch"]
    print(f"  verificación: {check['acknowledged']} guardados confirmados; faltan en bitácora "
          f"{check['missing_in_audit']}; sobrescrituras sin ver {check['chain_breaks']}; valor final distinto "
          f"{check['final_mismatch']} → perdidos: {lost}")


def _agencies(url: str) -> list[str]:
    from sqlalchemy import select

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.db.models import Agency

    db = Database.open(url, OpenOptions(read_only="://" not in url))
    with db.reading() as s:
        keys = list(s.scalars(select(Agency.key).order_by(Agency.key)))
    db.close()
    return keys


def _reopen_month(url: str) -> None:
    """The synthetic database may have MONTH sent or closed: set it back to «capturando» for the run."""
    from sqlalchemy import delete

    from sistema_seguimiento.db.database import Database
    from sistema_seguimiento.db.models import PeriodState

    db = Database.open(url)
    with db.transaction() as s:
        s.execute(delete(PeriodState).where(PeriodState.period == MONTH))
    db.close()


def run_server(url: str, procs: int, seconds: float, pause: float = 0.0) -> None:
    from sistema_seguimiento.services.server import copy_database

    with tempfile.TemporaryDirectory() as tmp:
        src = ensure_db("municipio", Path(tmp))
        t0 = time.perf_counter()
        copy_database(src, url, replace=True)
        print(f"base municipio copiada al servidor en {time.perf_counter() - t0:.1f} s")
    _reopen_month(url)
    agencies = _agencies(url)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = (ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0))  # every process connected, then all start together
    workers = [ctx.Process(target=_work, args=(url, agencies[i % len(agencies)], i + 1, seconds, out, start, pause))
               for i in range(procs)]
    workers.append(ctx.Process(target=_dashboard, args=(url, seconds, out, start)))
    _make_floor_table(url)
    workers.append(ctx.Process(target=_floor, args=(url, seconds, out, start)))
    workers.append(ctx.Process(target=_sampler, args=(url, seconds, out, start)))
    t0 = time.time()
    for w in workers:
        w.start()
    for _ in workers:
        start[0].get()
    print(f"{len(workers)} procesos conectados en {time.time() - t0:.0f} s")
    start[2].value = time.time() + 0.5
    start[1].set()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    _report(f"PostgreSQL: {procs} capturistas (procesos) + 1 administrador leyendo el tablero, {seconds:.0f} s"
            + (f", pausa media entre guardados {pause:g} s" if pause else ", sin pausa entre guardados"),
            results, seconds, _verify(url, results))


def run_sqlite(threads: int, seconds: float) -> None:
    import queue

    from sistema_seguimiento.db.database import Database

    with tempfile.TemporaryDirectory() as tmp:
        path = ensure_db("municipio", Path(tmp))
        _reopen_month(str(path))
        agencies = _agencies(str(path))
        db = Database.open(path)
        out: queue.Queue = queue.Queue()
        start_at = time.time() + 1.0
        ts = [threading.Thread(target=_work, args=(db, agencies[i % len(agencies)], i + 1, seconds, out, start_at))
              for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        results = [out.get() for _ in range(threads)]
        db.close()
        _report(f"SQLite (un archivo): {threads} capturistas (hilos de un proceso), {seconds:.0f} s", results,
                seconds, _verify(str(path), results))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="base PostgreSQL desechable (se reemplaza su contenido)")
    ap.add_argument("--procesos", type=int, default=50)
    ap.add_argument("--segundos", type=float, default=120)
    ap.add_argument("--pausa", type=float, default=0.0,
                    help="segundos entre un guardado y el siguiente de cada capturista (0: sin pausa, saturación)")
    ap.add_argument("--sqlite-hilos", type=int, default=5)
    ap.add_argument("--sqlite-segundos", type=float, default=30)
    args = ap.parse_args()
    ensure_bytecode()
    if args.url:
        run_server(args.url, args.procesos, args.segundos, args.pausa)
    else:
        print("sin --url: se omite PostgreSQL")
    run_sqlite(args.sqlite_hilos, args.sqlite_segundos)


if __name__ == "__main__":
    main()
