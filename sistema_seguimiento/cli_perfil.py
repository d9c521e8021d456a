"""``ses perfil --db F [generico|edomex]`` (issue 16): show or choose the state profile.

Without an argument it shows the chosen profile (``--json``: ``perfil``, ``nombre``, ``calendario``,
``justificacion``, ``formatos``); with one it chooses it, as an administrador (``--usuario`` / SES_USUARIO, signed
in with ``cli_auth.actor``). Choosing a profile changes labels, semáforo ranges, required ficha fields and the
formats offered; it never touches programs, fichas, targets or measurements (docs/perfiles.md)."""
from __future__ import annotations

TEXT = {
    "help": "mostrar o elegir el perfil estatal (etiquetas, semáforo, calendario, firmas, formatos)",
    "arg": "clave del perfil que se elige ({keys}); sin ella, se muestra el perfil actual",
    "shown": ("Perfil: {nombre} ({perfil})\nCalendario: {calendario}\nJustificación: {justificacion}\n"
              "Semáforo: {semaforo}\nCampos obligatorios de la ficha: {campos}\nFirmas: {firmas}\n"
              "Formatos: {formatos}"),
    "org_preset": "el de la organización",
    "none": "(ninguno)",
    "set": "Perfil estatal: {old} → {new} ({nombre}). Los datos capturados no cambian.",
    "same": "El perfil estatal ya era «{new}» ({nombre}); no hubo cambios.",
    "action": "cambiar el perfil estatal",
}


def _show(profile) -> str:
    from .core.semaforo import describe_preset
    from .services.profiles import describe

    d = describe(profile)
    firmas = ", ".join(f"{s.label} ({s.role})" if s.role else s.label for s in profile.signatures)
    return TEXT["shown"].format(
        semaforo=describe_preset(profile.semaforo) if profile.semaforo else TEXT["org_preset"],
        campos=", ".join(profile.required_fields) or TEXT["none"], firmas=firmas or TEXT["none"],
        **{**d, "formatos": ", ".join(d["formatos"]) or TEXT["none"]})


def cmd_perfil(args) -> int:
    from . import cli
    from .cli_auth import actor
    from .services import profiles

    if args.perfil is None:
        with cli.open_db(args, read_only=True) as db:
            profile = profiles.current_profile(db)
        if args.json:
            cli.print_json(profiles.describe(profile))
        else:
            cli.out(_show(profile))
        return 0
    with cli.open_db(args) as db:
        profiles.load(args.perfil)  # an unknown key is refused before asking for a user
        user = actor(db, args, roles=("administrador",), action=TEXT["action"])
        old = profiles.set_profile(db, user, args.perfil)
        profile = profiles.current_profile(db)
    if args.json:
        cli.print_json({**profiles.describe(profile), "anterior": old})
    else:
        key = "same" if old == args.perfil else "set"
        cli.out(TEXT[key].format(old=old, new=args.perfil, nombre=profile.name))
    return 0


def register(sub, common) -> None:
    from .cli_auth import add_user_flag
    from .services.profiles import available

    s = sub.add_parser("perfil", help=TEXT["help"])
    common(s)
    s.add_argument("perfil", nargs="?", default=None,
                   help=TEXT["arg"].format(keys=", ".join(k for k, _ in available())))
    add_user_flag(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_perfil)
