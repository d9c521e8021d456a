"""``ses capturar``, ``ses periodo``, ``ses bitacora``, ``ses usuarios`` (issue 5): the capture operations from the
command line under the same rules and roles as the window (the services enforce them)."""
from __future__ import annotations

import getpass
import os
import sys

TEXT = {
    "saved": "Guardado: {ind} / {var} / {period} = {value} ({n} cambio(s)).",
    "cleared": "Valor borrado: {ind} / {var} / {period}.",
    "unchanged": "Sin cambios: el valor ya estaba capturado.",
    "state_back": "El periodo {month} de la dependencia {agency} volvió a «capturando».",
    "transition": "{agency}: {old} → {new}",
    "nothing": "Ninguna dependencia cambió de estado.",
    "bad_value": "Valor no válido: {e}",
    "meta_saved": "Guardado: meta de actividad {meta} / {period} alcanzado = {value} ({n} cambio(s)).",
    "meta_cleared": "Avance borrado: meta de actividad {meta} / {period}.",
    "meta_args": "Indique --meta PROYECTO/ID, o --indicador y --variable.",
    "meta_form": "«{meta}» no es una meta de actividad: use PROYECTO/ID, p. ej. 020204010101/1.",
    "exported": "Bitácora exportada: {path} ({n} registros).",
    "user_added": "Usuario «{name}» agregado ({role}).",
    "password_set": "Contraseña de «{name}» {what}.",
    "policy_on": "Política de contraseñas: se exige contraseña a todos los usuarios.",
    "policy_off": "Política de contraseñas: no se exige contraseña (cada usuario puede tener o no).",
    "policy_missing": "{n} usuario(s) activo(s) sin contraseña: {names}.",
}


def _actor(db, args, roles=None, action="realizar esta operación", setting_own_password=False):
    """The signed-in user of a writing command: ``cli_auth.actor`` (one helper for every command)."""
    from .cli_auth import actor

    return actor(db, args, roles=roles, action=action, setting_own_password=setting_own_password)


def _decimal(text):
    from . import cli
    from .core.limits import clip
    from .core.numbers import NumberParseError, parse_strict_number

    if text is None or text.strip() == "":
        return None
    try:
        return parse_strict_number(text)
    except NumberParseError as exc:
        raise cli.UserError(TEXT["bad_value"].format(e=exc)) from exc


def _today():
    """``SES_HOY=AAAA-MM-DD`` fixes "today" (AV-008) for tests and demonstrations."""
    from datetime import date

    text = os.environ.get("SES_HOY")
    return date.fromisoformat(text) if text else None


def cmd_capturar(args) -> int:
    from . import cli
    from .core.numbers import fmt_es
    from .services.capture import ValueChange, save_values

    value = None if args.borrar else _decimal(args.valor)
    if value is None and not args.borrar:
        raise cli.UserError("Indique --valor X (o --borrar para quitar el valor capturado).")
    from .cli_auth import CAPTURE

    if args.meta:  # a meta de actividad (issue 16): PROYECTO/ID
        return _capture_meta(args, value)
    if not args.indicador or not args.variable:
        raise cli.UserError(TEXT["meta_args"])
    with cli.open_db(args) as db:
        actor = _actor(db, args, CAPTURE, "capturar avances")
        res = save_values(db, actor, args.periodo, [ValueChange(args.indicador, args.variable, value)],
                          today=_today())
    period = res.periods.get(args.indicador, args.periodo)
    if args.json:
        cli.print_json({"guardados": res.saved, "borrados": res.cleared, "sin_cambio": res.unchanged,
                        "periodo": period, "estados_reabiertos": [list(x) for x in res.reopened_states]})
        return 0
    if res.cleared:
        cli.out(TEXT["cleared"].format(ind=args.indicador, var=args.variable, period=period))
    elif res.saved:
        cli.out(TEXT["saved"].format(ind=args.indicador, var=args.variable, period=period, value=fmt_es(value),
                                     n=res.changed))
    else:
        cli.out(TEXT["unchanged"])
    for month, agency in res.reopened_states:
        cli.out(TEXT["state_back"].format(month=month, agency=agency))
    return 0


def _capture_meta(args, value) -> int:
    """``ses capturar --meta PROYECTO/ID --periodo 2026-09|2026-T3 --valor X``: the achieved value of a meta de
    actividad for the quarter, under the workflow of the quarter's last month."""
    from . import cli
    from .cli_auth import CAPTURE
    from .core.limits import clip
    from .core.numbers import fmt_es
    from .services.capture import GoalChange, save_values

    if args.indicador or args.variable:
        raise cli.UserError(TEXT["meta_args"])
    project, sep, goal = args.meta.strip().rpartition("/")
    if not sep or not project or not goal:
        raise cli.UserError(TEXT["meta_form"].format(meta=clip(args.meta)))
    with cli.open_db(args) as db:
        actor = _actor(db, args, CAPTURE, "capturar avances")
        res = save_values(db, actor, args.periodo, [], goals=[GoalChange(project, goal, value)], today=_today())
    label = f"{project}/{goal}"
    period = res.periods.get(label, args.periodo)
    if args.json:
        cli.print_json({"meta": label, "guardados": res.saved, "borrados": res.cleared, "sin_cambio": res.unchanged,
                        "periodo": period, "estados_reabiertos": [list(x) for x in res.reopened_states]})
        return 0
    if res.cleared:
        cli.out(TEXT["meta_cleared"].format(meta=label, period=period))
    elif res.saved:
        cli.out(TEXT["meta_saved"].format(meta=label, period=period, value=fmt_es(value), n=res.changed))
    else:
        cli.out(TEXT["unchanged"])
    for month, agency in res.reopened_states:
        cli.out(TEXT["state_back"].format(month=month, agency=agency))
    return 0


def cmd_periodo(args) -> int:
    from . import cli
    from .cli_auth import WRITERS
    from .core.types import label
    from .services import workflow

    with cli.open_db(args) as db:
        actor = _actor(db, args, WRITERS, "cambiar el estado del periodo")
        res = workflow.apply(db, actor, args.accion, args.periodo, args.dependencia, args.motivo or "")
    if args.json:
        cli.print_json({"accion": res.action, "periodo": res.month,
                        "cambios": [{"dependencia": t.agency_key, "anterior": t.old, "nuevo": t.new,
                                     "avances": t.measurements} for t in res.transitions]})
        return 0
    if not res.transitions:
        cli.out(TEXT["nothing"])
    for t in res.transitions:
        cli.out(TEXT["transition"].format(agency=t.agency_key, old=label(t.old), new=label(t.new)))
    return 0


def _day(text: str | None, end: bool = False):
    from datetime import datetime, time

    from . import cli

    if not text:
        return None
    try:
        d = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise cli.UserError(f"Fecha «{text}» no válida; use AAAA-MM-DD.") from exc
    return datetime.combine(d, time.max if end else time.min)


def cmd_bitacora(args) -> int:
    from . import cli
    from .services import audit_log

    with cli.open_db(args, read_only=True) as db:
        rows = audit_log.query(db, user=args.usuario_filtro, entity=args.entidad, action=args.accion,
                               indicator=args.indicador, text=args.texto, limit=args.limite,
                               since=_day(args.desde), until=_day(args.hasta, end=True))
    if args.csv:
        path = audit_log.export_csv(rows, args.csv)
        cli.out(TEXT["exported"].format(path=path, n=len(rows)))
        return 0
    if args.json:
        cli.print_json([r.as_json() for r in rows])
        return 0
    for r in rows:
        cli.out(" | ".join(r.as_list()))
    return 0


def cmd_usuarios(args) -> int:
    from . import cli
    from .core.types import label
    from .services import users

    read_only = args.accion == "listar" or (args.accion == "politica" and args.exigir is None)
    with cli.open_db(args, read_only=read_only) as db:
        if args.accion == "listar":
            rows = users.list_users(db)
            if args.json:
                cli.print_json([{"nombre": u.name, "rol": u.role, "dependencia": u.agency_key,
                                 "contrasena": u.has_password, "activo": u.active, "nombre_completo": u.full_name}
                                for u in rows])
            else:
                for u in rows:
                    cli.out(f"{u.name:<24} {label(u.role):<14} {u.agency_key or '—':<8} "
                            f"{'con contraseña' if u.has_password else 'sin contraseña'}"
                            f"{'' if u.active else ' (inactivo)'}")
            return 0
        if args.accion == "politica":
            return _politica(db, args)
        own = args.accion == "contrasena" and args.nombre in (None, _user_name(args))
        actor = _actor(db, args, None if own else ("administrador",), "administrar usuarios",
                       setting_own_password=own)
        if args.accion == "agregar":
            if not args.nombre or not args.rol:
                raise cli.UserError("Indique --nombre y --rol.")
            pw = os.environ.get("SES_NEW_PASSWORD") if args.con_contrasena else None
            if args.con_contrasena and pw is None and sys.stdin.isatty():
                pw = getpass.getpass(f"Contraseña nueva de {args.nombre}: ")
            users.add_user(db, actor, args.nombre, args.rol, args.dependencia_usuario, args.nombre_completo or "", pw)
            cli.out(TEXT["user_added"].format(name=args.nombre, role=label(args.rol)))
        elif args.accion == "contrasena":
            target = args.nombre or actor.name
            pw = None
            if not args.quitar:
                pw = os.environ.get("SES_NEW_PASSWORD")
                if pw is None:
                    if not sys.stdin.isatty():
                        raise cli.UserError("Defina SES_NEW_PASSWORD con la contraseña nueva (o use --quitar).")
                    pw = getpass.getpass(f"Contraseña nueva de {target}: ")
            users.set_password(db, actor, target, pw)
            cli.out(TEXT["password_set"].format(name=target, what="quitada" if not pw else "actualizada"))
    return 0


def _user_name(args):
    from .cli_auth import user_name

    return user_name(args)


def _politica(db, args) -> int:
    """``ses usuarios politica`` shows the policy; ``--exigir-contrasena`` / ``--no-exigir-contrasena`` change it."""
    from . import cli
    from .services import users

    if args.exigir is not None:
        actor = _actor(db, args, ("administrador",), "cambiar la política de contraseñas")
        users.set_password_policy(db, actor, args.exigir)
    required = users.password_policy(db)
    missing = users.users_without_password(db)
    if args.json:
        cli.print_json({"exigir_contrasena": required, "sin_contrasena": missing})
        return 0
    cli.out(TEXT["policy_on" if required else "policy_off"])
    if missing:
        cli.out(TEXT["policy_missing"].format(n=len(missing), names=", ".join(missing)))
    return 0


def register(sub, common) -> None:
    from .cli_auth import add_user_flag

    s = sub.add_parser("capturar", help="capturar el valor de una variable en un periodo")
    common(s)
    add_user_flag(s, "usuario que captura (o SES_USUARIO)")
    s.add_argument("--periodo", required=True, help="mes AAAA-MM (o periodo del indicador, p. ej. 2026-T3)")
    s.add_argument("--indicador", help="clave del indicador")
    s.add_argument("--variable", help="símbolo de la variable en el método de cálculo")
    s.add_argument("--meta", help="meta de actividad PROYECTO/ID (avance alcanzado del trimestre que termina en "
                                  "el periodo, p. ej. 020204010101/1 con --periodo 2026-09 o 2026-T3)")
    s.add_argument("--valor", help='valor con formato es_MX, p. ej. "1,234.5"')
    s.add_argument("--borrar", action="store_true", help="quitar el valor capturado")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_capturar)

    s = sub.add_parser("periodo", help="flujo del periodo: enviar, validar, devolver, cerrar o reabrir")
    s.add_argument("accion", choices=["enviar", "validar", "devolver", "cerrar", "reabrir"])
    common(s)
    add_user_flag(s)
    s.add_argument("--periodo", required=True, help="mes AAAA-MM")
    s.add_argument("--dependencia", help="clave de la dependencia (por omisión todas, o la propia del capturista)")
    s.add_argument("--motivo", help="motivo (obligatorio para reabrir) o comentario (obligatorio para devolver)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_periodo)

    s = sub.add_parser("bitacora", help="bitácora de cambios (quién, cuándo, valor anterior y nuevo)")
    common(s)
    s.add_argument("--json", action="store_true")
    s.add_argument("--csv", help="exportar a un archivo CSV")
    s.add_argument("--usuario", dest="usuario_filtro", help="solo cambios de este usuario")
    s.add_argument("--entidad", help="measurement, period, justification, evidence, budget, target, user…")
    s.add_argument("--accion")
    s.add_argument("--indicador", help="historial de un indicador")
    s.add_argument("--texto", help="buscar en clave, campo, valores o motivo")
    s.add_argument("--desde", help="desde la fecha AAAA-MM-DD")
    s.add_argument("--hasta", help="hasta la fecha AAAA-MM-DD (inclusive)")
    s.add_argument("--limite", type=int)
    s.set_defaults(func=cmd_bitacora)

    s = sub.add_parser("usuarios", help="usuarios: listar, agregar, contraseña, política de contraseñas")
    s.add_argument("accion", choices=["listar", "agregar", "contrasena", "politica"], nargs="?", default="listar")
    common(s)
    add_user_flag(s, "quien realiza la operación (administrador; o SES_USUARIO)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--exigir-contrasena", dest="exigir", action="store_true", default=None,
                   help="politica: exigir contraseña a todos los usuarios")
    g.add_argument("--no-exigir-contrasena", dest="exigir", action="store_false",
                   help="politica: dejar de exigir contraseña")
    s.add_argument("--nombre", help="usuario a agregar o cuya contraseña cambia")
    s.add_argument("--rol", choices=["capturista", "validador", "administrador", "consulta"])
    s.add_argument("--dependencia", dest="dependencia_usuario")
    s.add_argument("--nombre-completo", dest="nombre_completo")
    s.add_argument("--con-contrasena", action="store_true", help="pedir contraseña (o SES_NEW_PASSWORD)")
    s.add_argument("--quitar", action="store_true", help="quitar la contraseña")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_usuarios)
