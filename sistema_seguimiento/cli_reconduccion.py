"""``ses reconduccion``, ``ses trimestre`` and ``ses justificar`` (issue 16): reconducción requests and the UIPPE's
decision (SEGEMUN date rules), the quarter delivery lock, and writing a justification (the four-part tarjeta under
the Estado de México profile) from the command line. ``SES_HOY=AAAA-MM-DD`` fixes "today" for the date rules."""
from __future__ import annotations

TEXT = {
    "bad_change": "Cambio «{text}» no válido: use PERIODO=VALOR (p. ej. 2026-T4=2500) o, para un indicador con "
                  "varias variables, VARIABLE:PERIODO=VALOR (p. ej. LMP:2026-T4=2500).",
    "one_target": "Indique --indicador CLAVE o --meta PROYECTO/ID (uno de los dos).",
    "requested": "Reconducción {id} solicitada ({kind} {key}, {quarter}): {changes}. La UIPPE resuelve a más "
                 "tardar el {deadline}.",
    "authorized": "Reconducción {id} autorizada (oficio {oficio}); metas cambiadas: {changes}.",
    "rejected": "Reconducción {id} rechazada: {note}",
    "none": "No hay solicitudes de reconducción.",
    "row": "{id} | {status} | {kind} {key} | {agency} | {quarter} | {changes} | {by} {at}{decision}",
    "decision": " | {by}: oficio {oficio} {note}",
    "delivered": "{quarter}, dependencia {agency}: entregado; meses cerrados: {months}.",
    "state_row": "{agency} | {state} | {months}{by}",
    "state_by": " | {by}, {at}",
    "justified": "Justificación guardada: {ind} / {period}{tarjeta}.",
    "tarjeta": " (tarjeta: hecho, causa, acción correctiva, proyección)",
    "bad_date": "SES_HOY «{text}» no es una fecha AAAA-MM-DD.",
}


def _today():
    import os
    from datetime import date

    from . import cli

    text = os.environ.get("SES_HOY")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise cli.UserError(TEXT["bad_date"].format(text=text)) from None


def _actor(db, args, roles, action):
    from .cli_auth import actor

    return actor(db, args, roles=roles, action=action)


def _changes(texts: list[str]):
    from . import cli
    from .services.reconduction import TargetChange

    out = []
    for text in texts or []:
        left, sep, value = text.partition("=")
        if not sep or not left.strip() or not value.strip():
            raise cli.UserError(TEXT["bad_change"].format(text=text))
        var, _, period = left.rpartition(":")
        out.append(TargetChange(period.strip(), value.strip(), var.strip() or None))
    return out


def cmd_reconduccion(args) -> int:
    from . import cli
    from .cli_auth import CAPTURE
    from .core import business_days as bd
    from .services import reconduction as rc

    today = _today()
    if args.accion == "listar":
        with cli.open_db(args, read_only=True) as db:
            rows = rc.list_requests(db, period=args.trimestre, status=args.estado, agency_key=args.dependencia)
        if args.json:
            cli.print_json([r.as_dict() for r in rows])
            return 0
        if not rows:
            cli.out(TEXT["none"])
        for r in rows:
            decision = TEXT["decision"].format(by=r.decided_by, oficio=r.oficio or "—", note=r.decision_note) \
                if r.decided_by else ""
            cli.out(TEXT["row"].format(id=r.id, status=r.status, kind=r.kind, key=r.key, agency=r.agency_key or "—",
                                       quarter=r.period, changes=rc.changes_text(r.changes), by=r.requested_by,
                                       at=r.requested_at.strftime("%d/%m/%Y") if r.requested_at else "",
                                       decision=decision))
        return 0
    with cli.open_db(args) as db:
        if args.accion == "solicitar":
            if bool(args.indicador) == bool(args.meta):
                raise cli.UserError(TEXT["one_target"])
            actor = _actor(db, args, CAPTURE, rc.MSG["act_request"])
            kind, key = ("indicador", args.indicador) if args.indicador else ("meta", args.meta)
            info = rc.request(db, actor, kind, key, _changes(args.cambio), args.motivo or "", period=args.trimestre,
                              program_key=args.programa, today=today)
            text = TEXT["requested"].format(id=info.id, kind=info.kind, key=info.key, quarter=info.period,
                                            changes=rc.changes_text(info.changes),
                                            deadline=bd.fmt_date(info.decision_deadline))
        else:
            if args.id is None:
                raise cli.UserError("Indique --id N de la solicitud.")
            actor = _actor(db, args, rc.UIPPE, rc.MSG["act_decide"])
            if args.accion == "autorizar":
                info = rc.authorize(db, actor, args.id, oficio=args.oficio or "", note=args.nota or "", today=today)
                text = TEXT["authorized"].format(id=info.id, oficio=info.oficio, changes=rc.changes_text(info.changes))
            else:
                info = rc.reject(db, actor, args.id, note=args.nota or "", oficio=args.oficio or "", today=today)
                text = TEXT["rejected"].format(id=info.id, note=info.decision_note)
    if args.json:
        cli.print_json(info.as_dict())
    else:
        cli.out(text)
    return 0


def cmd_trimestre(args) -> int:
    from . import cli
    from .cli_auth import ADMIN
    from .core.types import label
    from .services import quarter_delivery as qd

    if args.accion == "estado":
        with cli.open_db(args, read_only=True) as db:
            rows = qd.status(db, args.trimestre, args.dependencia)
    else:
        formats = [f for f in (args.formatos or "").split(",") if f.strip()]
        with cli.open_db(args) as db:
            actor = _actor(db, args, ADMIN, qd.MSG["action"])
            rows = qd.deliver(db, actor, args.trimestre, args.dependencia, formats)
    if args.json:
        cli.print_json([r.as_dict() for r in rows])
        return 0
    for r in rows:
        months = ", ".join(f"{m} {label(st)}" for m, st in r.months.items())
        if args.accion == "entregar":
            cli.out(TEXT["delivered"].format(quarter=args.trimestre.upper(), agency=r.agency_key, months=months))
        else:
            by = TEXT["state_by"].format(by=r.delivered_by, at=r.delivered_at.strftime("%d/%m/%Y %H:%M")) \
                if r.delivered_at else ""
            cli.out(TEXT["state_row"].format(agency=r.agency_key, state=r.state_label, months=months, by=by))
    return 0


def cmd_justificar(args) -> int:
    from . import cli
    from .cli_auth import CAPTURE
    from .services import justifications

    with cli.open_db(args) as db:
        actor = _actor(db, args, CAPTURE, "justificar avances")
        info = justifications.save(db, actor, args.indicador, args.periodo, cause=args.causa or "",
                                   effect=args.efecto or "", other_reasons=args.otros or "",
                                   improvement_actions=args.accion or "", fact=args.hecho or "",
                                   projection=args.proyeccion or "")
    if args.json:
        cli.print_json({"indicador": info.indicator_key, "periodo": info.period, "tarjeta": info.tarjeta,
                        "hecho": info.fact, "causa": info.cause, "efecto": info.effect, "otros_motivos":
                        info.other_reasons, "accion": info.improvement_actions, "proyeccion": info.projection})
    else:
        cli.out(TEXT["justified"].format(ind=info.indicator_key, period=info.period,
                                         tarjeta=TEXT["tarjeta"] if info.tarjeta else ""))
    return 0


def register(sub, common) -> None:
    from .cli_auth import add_user_flag

    s = sub.add_parser("reconduccion", help="reconducción de metas: solicitar, autorizar, rechazar, listar")
    s.add_argument("accion", choices=["solicitar", "autorizar", "rechazar", "listar"])
    common(s)
    add_user_flag(s)
    s.add_argument("--indicador", help="solicitar: clave del indicador")
    s.add_argument("--meta", help="solicitar: meta de actividad como PROYECTO/ID (p. ej. 010304010101/1)")
    s.add_argument("--programa", help="solicitar: programa de la meta, si el proyecto se repite")
    s.add_argument("--cambio", action="append", default=[],
                   help="PERIODO=VALOR o VARIABLE:PERIODO=VALOR (repetible); para una meta de actividad el "
                        "periodo AAAA es la meta anual")
    s.add_argument("--motivo", help="solicitar: justificación de la reconducción")
    s.add_argument("--trimestre", help="trimestre AAAA-Tn (solicitar: por omisión el de hoy; listar: filtro)")
    s.add_argument("--id", type=int, help="autorizar/rechazar: número de la solicitud")
    s.add_argument("--oficio", help="autorizar: número de oficio de la UIPPE")
    s.add_argument("--nota", help="rechazar: motivo (obligatorio); autorizar: nota opcional")
    s.add_argument("--estado", choices=["solicitada", "autorizada", "rechazada"], help="listar: filtro")
    s.add_argument("--dependencia", help="listar: filtro por dependencia")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_reconduccion)

    s = sub.add_parser("trimestre", help="entrega del trimestre (cierra sus meses validados) y su estado")
    s.add_argument("accion", choices=["entregar", "estado"])
    common(s)
    add_user_flag(s, "quien entrega (administrador; o SES_USUARIO)")
    s.add_argument("--trimestre", required=True, help="trimestre AAAA-Tn, p. ej. 2026-T3")
    s.add_argument("--dependencia", help="clave de la dependencia (por omisión todas)")
    s.add_argument("--formatos", help="entregar: formatos entregados, separados por comas (p. ej. pbrm-08b,tarjeta)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_trimestre)

    s = sub.add_parser("justificar", help="justificación de un avance (tarjeta de justificación en el perfil "
                                          "Estado de México)")
    common(s)
    add_user_flag(s, "usuario que justifica (o SES_USUARIO)")
    s.add_argument("--indicador", required=True)
    s.add_argument("--periodo", required=True, help="mes AAAA-MM o periodo del indicador")
    s.add_argument("--hecho", help="tarjeta: hecho")
    s.add_argument("--causa", help="causa (obligatoria)")
    s.add_argument("--accion", help="acción correctiva (tarjeta) o acciones de mejora")
    s.add_argument("--proyeccion", help="tarjeta: proyección")
    s.add_argument("--efecto", help="perfil genérico: efecto")
    s.add_argument("--otros", help="perfil genérico: otros motivos")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_justificar)
