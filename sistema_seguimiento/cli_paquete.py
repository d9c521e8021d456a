"""``ses paquete crear|abrir|responder|importar`` (issue 13): offline capture packages between PCs.

The commands act as a named user (``--usuario`` or SES_USUARIO), like ``ses capturar``; the services check the
roles. Nothing is written when a package is refused (exit code 2)."""
from __future__ import annotations

import os

TEXT = {
    "created": "Paquete de {agency}: {path} ({kb} KB, {programs} programas, {indicators} indicadores).",
    "opened_new": "Copia de la dependencia {agency} creada desde el paquete ({programs} programas, {indicators} "
                  "indicadores; periodos {periods}).",
    "opened_update": "Copia de la dependencia {agency} actualizada ({programs} programas, {indicators} indicadores); "
                     "se conservaron {values} valor(es) capturado(s) aquí, {just} justificación(es) y {ev} "
                     "evidencia(s).",
    "responded": "Respuesta generada: {path} ({kb} KB: {values} valores, {just} justificaciones, {ev} evidencias).",
    "refused": "{name}: RECHAZADO — {error}",
    "preview": "{name} (dependencia {agency}, capturista {user}): {new} nuevo(s), {changed} modificado(s), "
               "{cleared} borrado(s), {same} sin cambio, {conf} conflicto(s); justificaciones: {jn} nueva(s), "
               "{jc} modificada(s); evidencias: {en} nueva(s).",
    "conflict": "  conflicto {ind} / {var} / {period}: oficina {office} ({by}, {at}) · paquete {pkg} ({pby}, {pat})",
    "goals": "  metas de actividad: {nuevo} nueva(s), {modificado} modificada(s), {borrado} borrada(s), "
             "{sin_cambio} sin cambio, {conflicto} conflicto(s)",
    "goal_conflict": "  conflicto meta {proyecto}/{meta} / {periodo}: oficina {valor_oficina} ({oficina_usuario}) · "
                     "paquete {valor_paquete} ({paquete_usuario})",
    "applied": "{name}: aplicado ({values} valores, {just} justificaciones, {ev} evidencias; conflictos: {kept} "
               "con el valor de la oficina, {taken} con el del paquete).",
    "not_applied": "{name}: no se aplicó — {error}",
    "dry": "Vista previa: no se escribió nada. Use --aplicar para importar.",
}


OFFICE = ("validador", "administrador")


def _actor(db, args, roles=None, action="realizar esta operación"):
    """The signed-in user of a writing command (the shared ``cli_auth.actor``: password, role check)."""
    from .cli_auth import actor

    return actor(db, args, roles=roles, action=action)


def _today():
    from .cli_capture import _today as capture_today

    return capture_today()


def cmd_crear(args) -> int:
    from . import cli
    from .services.packages import create_packages

    keys = None if args.dependencia in (None, ["todas"]) else args.dependencia
    salida = args.salida or "."
    with cli.open_db(args) as db:
        actor = _actor(db, args, OFFICE, "generar paquetes de captura")
        built = create_packages(db, actor, keys, args.periodo, args.hasta, salida)
    if args.json:
        cli.print_json([{"dependencia": b.agency_key, "archivo": str(b.path), "bytes": b.size, "paquete": b.package_id,
                         "programas": b.programs, "indicadores": b.indicators} for b in built])
    else:
        for b in built:
            cli.out(TEXT["created"].format(agency=b.agency_key, path=b.path, kb=round(b.size / 1024, 1),
                                           programs=b.programs, indicators=b.indicators))
    return 0


def cmd_abrir(args) -> int:
    from . import cli
    from .db.database import Database, OpenOptions
    from .services.packages import open_package
    from .services.users import SYSTEM

    path = cli.db_path(args)
    with Database.open(path, OpenOptions(create=True)) as db:
        actor = _actor(db, args) if getattr(args, "usuario", None) else SYSTEM
        r = open_package(db, args.paquete, actor)
    if args.json:
        cli.print_json({"dependencia": r.agency_key, "paquete": r.package_id, "nueva": r.created,
                        "programas": r.programs, "indicadores": r.indicators, "periodos": r.periods,
                        "valores_conservados": r.kept_values, "justificaciones_conservadas": r.kept_justifications,
                        "evidencias_conservadas": r.kept_evidence})
    elif r.created:
        cli.out(TEXT["opened_new"].format(agency=r.agency_key, programs=r.programs, indicators=r.indicators,
                                          periods=", ".join(r.periods)))
    else:
        cli.out(TEXT["opened_update"].format(agency=r.agency_key, programs=r.programs, indicators=r.indicators,
                                             values=r.kept_values, just=r.kept_justifications, ev=r.kept_evidence))
    return 0


def cmd_responder(args) -> int:
    from . import cli
    from .services.packages import respond

    with cli.open_db(args) as db:
        actor = _actor(db, args, ("capturista", "validador", "administrador"), "generar la respuesta")
        r = respond(db, actor, args.salida)
    if args.json:
        cli.print_json({"archivo": str(r.path), "bytes": r.size, "valores": r.values,
                        "justificaciones": r.justifications, "evidencias": r.evidence})
    else:
        cli.out(TEXT["responded"].format(path=r.path, kb=round(r.size / 1024, 1), values=r.values,
                                         just=r.justifications, ev=r.evidence))
    return 0


def cmd_importar(args) -> int:
    from . import cli
    from .services.packages import apply_import, preview_import

    with cli.open_db(args, read_only=not args.aplicar) as db:
        actor = _actor(db, args, OFFICE, "importar respuestas de captura") if args.aplicar else None
        previews = preview_import(db, args.paquetes)
        results = apply_import(db, actor, previews, conflicts=args.conflictos, today=_today()) \
            if args.aplicar else None
    refused = any(p.error for p in previews) or bool(results and any(not r.applied for r in results))
    if args.json:
        rows = []
        for n, p in enumerate(previews):
            row = p.summary()
            row["aplicado"] = bool(results and results[n].applied)
            if results:
                row["resultado"] = results[n].as_dict()
            rows.append(row)
        cli.print_json(rows)
        return 2 if refused else 0
    for n, p in enumerate(previews):
        if p.error:
            cli.out(TEXT["refused"].format(name=p.name, error=p.error))
            for d in p.details:
                cli.out(f"  - {d}")
            continue
        s = p.summary()
        cli.out(TEXT["preview"].format(name=p.name, agency=p.agency_key, user=p.user, new=s["valores_nuevos"],
                                       changed=s["valores_modificados"], cleared=s["valores_borrados"],
                                       same=s["valores_sin_cambio"], conf=len(s["conflictos"]),
                                       jn=s["justificaciones_nuevas"], jc=s["justificaciones_modificadas"],
                                       en=s["evidencias_nuevas"]))
        if "metas" in s:
            cli.out(TEXT["goals"].format(**s["metas"]))
            for c in s["conflictos_metas"]:
                cli.out(TEXT["goal_conflict"].format(**c))
        for c in s["conflictos"]:
            cli.out(TEXT["conflict"].format(ind=c["indicador"], var=c["variable"], period=c["periodo"],
                                            office=c["valor_oficina"], by=c["oficina_usuario"],
                                            at=c["oficina_fecha"], pkg=c["valor_paquete"], pby=c["paquete_usuario"],
                                            pat=c["paquete_fecha"]))
        if results:
            r = results[n]
            if r.applied:
                cli.out(TEXT["applied"].format(name=p.name, values=r.values, just=r.justifications, ev=r.evidence,
                                               kept=r.conflicts_kept, taken=r.conflicts_taken))
            else:
                cli.out(TEXT["not_applied"].format(name=p.name, error=r.error))
    if not args.aplicar:
        cli.out(TEXT["dry"])
    return 2 if refused else 0


def register(sub, common) -> None:
    env_user = os.environ.get("SES_USUARIO")
    p = sub.add_parser("paquete", help="paquetes de captura sin conexión: crear, abrir, responder, importar")
    psub = p.add_subparsers(dest="accion", metavar="ACCION", required=True)

    s = psub.add_parser("crear", help="oficina: un paquete .ses por dependencia para capturar sin conexión")
    common(s)
    s.add_argument("--usuario", default=env_user, help="quien genera (administrador o validador)")
    s.add_argument("--periodo", required=True, help="mes inicial AAAA-MM")
    s.add_argument("--hasta", help="mes final AAAA-MM (por omisión el mismo)")
    s.add_argument("--dependencia", action="append",
                   help="clave de la dependencia (repetible; «todas» o ninguna: todas las que tienen programas)")
    s.add_argument("--salida", help="archivo .ses (una dependencia) o carpeta (varias)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_crear)

    s = psub.add_parser("abrir", help="dependencia: crear o actualizar la copia local desde un paquete")
    common(s)
    s.add_argument("paquete", help="archivo .ses recibido de la oficina")
    s.add_argument("--usuario", help="usuario local que abre el paquete (por omisión, el sistema: una base nueva "
                                     "aún no tiene usuarios)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_abrir)

    s = psub.add_parser("responder", help="dependencia: generar el archivo de respuesta para la oficina")
    common(s)
    s.add_argument("--usuario", default=env_user, help="capturista que envía (o SES_USUARIO)")
    s.add_argument("--salida", required=True, help="archivo .ses de respuesta")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_responder)

    s = psub.add_parser("importar", help="oficina: revisar e importar respuestas de las dependencias")
    common(s)
    s.add_argument("paquetes", nargs="+", help="archivos .ses de respuesta")
    s.add_argument("--usuario", default=env_user, help="quien importa (administrador o validador)")
    s.add_argument("--aplicar", action="store_true", help="aplicar (sin esta opción solo se muestra la vista previa)")
    s.add_argument("--conflictos", choices=["oficina", "paquete"], default="oficina",
                   help="qué valor gana en un conflicto (por omisión el de la oficina)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_importar)
