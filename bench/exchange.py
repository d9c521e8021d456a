"""Benchmark (issue 13): capture packages at municipio scale.

1. ``ses generar --escala municipio`` (semilla 1) when missing; the office works on a copy.
2. One package per dependencia (25) for 2026-10 … 2026-12: time, and the largest package (target ≤ 1 MB, no
   evidence in them).
3. Each dependencia opens its package in its own database, captures (changes about a tenth of the values of
   December and justifies one indicator) and answers — setup, not timed.
4. Timed: the office previews and applies all 25 responses (``preview_import`` + ``apply_import``, one
   transaction per package, through ``capture.save_values``). Target ≤ 3 s in total.
5. Floor, same run: read the same zip members (zipfile + json) and write the same rows with ``sqlite3``
   (UPDATE of the changed measurements plus one audit row each, one transaction per package).

Usage: python bench/exchange.py [--dir /tmp/ses-bench]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_db  # noqa: E402

TODAY = date(2027, 1, 15)
LIMIT_IMPORT_S = 3.0
LIMIT_PACKAGE_BYTES = 1_000_000


def _simulate_dependencias(built, folder: Path) -> list[Path]:
    from sqlalchemy import select

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.db.models import Indicator, Measurement, Variable
    from sistema_seguimiento.services import justifications
    from sistema_seguimiento.services import packages as P
    from sistema_seguimiento.services.capture import ValueChange, save_values
    from sistema_seguimiento.services.users import CurrentUser

    responses = []
    for b in built:
        dep = Database.open(folder / f"dep-{b.agency_key}.db", OpenOptions(create=True))
        try:
            P.open_package(dep, b.path)
            cap = CurrentUser(f"captura-{b.agency_key}", "capturista", b.agency_key)
            with dep.reading() as s:
                rows = s.execute(select(Indicator.key, Variable.key, Measurement.value)
                                 .join(Variable, Variable.indicator_id == Indicator.id)
                                 .join(Measurement, Measurement.variable_id == Variable.id)
                                 .where(Measurement.period == "2026-12", Indicator.frequency == "mensual")
                                 .order_by(Indicator.key, Variable.key)).all()
            changes = [ValueChange(i, v, value + 1) for n, (i, v, value) in enumerate(rows) if n % 10 == 0]
            if changes:
                save_values(dep, cap, "2026-12", changes, today=TODAY)
                justifications.save(dep, cap, changes[0].indicator_key, "2026-12", cause="Ajuste del padrón",
                                    effect="Cifra corregida")
            responses.append(P.respond(dep, cap, folder / f"respuesta-{b.agency_key}.ses").path)
        finally:
            dep.close()
    return responses


def _floor(office_copy: Path, responses: list[Path]) -> float:
    """Read the same members and write the same rows with sqlite3: the least any importer must do."""
    conn = sqlite3.connect(office_copy)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    var_ids = {(i, v): vid for vid, i, v in conn.execute(
        "SELECT v.id, i.key, v.key FROM variable v JOIN indicator i ON i.id = v.indicator_id")}
    t = time.perf_counter()
    for path in responses:
        with zipfile.ZipFile(path) as zf:
            json.loads(zf.read("manifest.json"))
            data = json.loads(zf.read("respuesta.json"), parse_float=Decimal)
        with conn:
            for r in data["valores"]:
                if r["valor"] is None or r["valor"] == r["base"]:
                    continue
                vid = var_ids[(r["indicador"], r["variable"])]
                conn.execute("UPDATE measurement SET value = ?, captured_by = ?, captured_at = ? "
                             "WHERE variable_id = ? AND period = ?",
                             (r["valor"], r["capturado_por"], "2027-01-15 00:00:00", vid, r["periodo"]))
                conn.execute("INSERT INTO audit_entry (at, user_name, action, entity, entity_key, field, old, new, "
                             "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             ("2027-01-15 00:00:00", r["capturado_por"], "capturar", "measurement",
                              f"{r['indicador']}/{r['variable']}/{r['periodo']}", "valor", r["base"], r["valor"],
                              path.name))
            for j in data["justificaciones"]:
                conn.execute("INSERT INTO audit_entry (at, user_name, action, entity, entity_key, field, old, new, "
                             "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             ("2027-01-15 00:00:00", "x", "justificar", "justification",
                              f"{j['indicador']}/{j['periodo']}", "causa", None, j["causa"], path.name))
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "ses-bench"))
    args = ap.parse_args()
    folder = Path(args.dir)
    source = ensure_db("municipio", folder)

    from sistema_seguimiento.db.database import Database, OpenOptions
    from sistema_seguimiento.services import packages as P
    from sistema_seguimiento.services.users import CurrentUser

    work = folder / "paquetes"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    office_path = work / "oficina.db"
    shutil.copyfile(source, office_path)
    admin = CurrentUser("admin", "administrador")

    office = Database.open(office_path, OpenOptions())
    t = time.perf_counter()
    built = P.create_packages(office, admin, None, "2026-10", "2026-12", work / "salida")
    t_create = time.perf_counter() - t
    office.close()
    biggest = max(built, key=lambda b: b.size)
    print(f"Paquetes: {len(built)} dependencias en {t_create:.2f} s; el mayor {biggest.path.name}: "
          f"{biggest.size / 1024:.0f} KB ({biggest.indicators} indicadores); límite {LIMIT_PACKAGE_BYTES // 1000} KB "
          f"→ {'OK' if biggest.size <= LIMIT_PACKAGE_BYTES else 'EXCEDE'}")

    t = time.perf_counter()
    responses = _simulate_dependencias(built, work)
    print(f"  (preparación: 25 copias de dependencia abiertas, capturadas y respondidas en "
          f"{time.perf_counter() - t:.1f} s)")

    floor_copy = work / "oficina-piso.db"
    shutil.copyfile(office_path, floor_copy)
    shutil.copyfile(office_path, work / "oficina-antes.db")  # to profile the import again by hand

    office = Database.open(office_path, OpenOptions())
    t = time.perf_counter()
    previews = P.preview_import(office, responses)
    t_preview = time.perf_counter() - t
    results = P.apply_import(office, admin, previews, today=TODAY)
    t_total = time.perf_counter() - t
    office.close()
    refused = [p.error for p in previews if p.error] + [r.error for r in results if not r.applied]
    values = sum(r.values for r in results)
    if refused:
        print("  ERROR:", refused[:3])
        return 1
    t_floor = _floor(floor_copy, responses)
    ratio = t_total / t_floor if t_floor else float("inf")
    print(f"Importar {len(responses)} respuestas ({values} valores cambiados): {t_total:.2f} s "
          f"(vista previa {t_preview:.2f} s + aplicar {t_total - t_preview:.2f} s); límite {LIMIT_IMPORT_S:.0f} s "
          f"→ {'OK' if t_total <= LIMIT_IMPORT_S else 'EXCEDE'}")
    print(f"Piso (zipfile + json + sqlite3, mismas filas): {t_floor * 1000:.0f} ms; razón {ratio:.1f}×")
    return 0 if t_total <= LIMIT_IMPORT_S and biggest.size <= LIMIT_PACKAGE_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
