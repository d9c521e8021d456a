"""What ``SES`` (the windowed executable) runs for a double-click, «Abrir con» or a shortcut."""
from sistema_seguimiento.cli import build_parser
from sistema_seguimiento.launcher import gui_argv


def commands() -> set[str]:
    parser = build_parser()
    return set(next(a for a in parser._subparsers._group_actions if hasattr(a, "choices")).choices)


def test_no_arguments_opens_the_window():
    assert gui_argv([], commands()) == ["abrir"]


def test_a_file_with_spaces_and_accents_is_opened():
    path = r"C:\Users\María\OneDrive - Municipio\Planeación 2026.db"
    assert gui_argv([path], commands()) == ["abrir", path]


def test_a_package_goes_to_abrir_paquete_when_it_exists():
    assert gui_argv(["envío.ses"], commands() | {"abrir-paquete"}) == ["abrir-paquete", "envío.ses"]
    assert gui_argv(["envío.ses"], commands() - {"abrir-paquete"}) == ["abrir", "envío.ses"]


def test_subcommands_and_options_pass_through():
    assert gui_argv(["--version"], commands()) == ["--version"]
    assert gui_argv(["abrir", "x.db", "--usuario", "admin"], commands()) == ["abrir", "x.db", "--usuario", "admin"]
