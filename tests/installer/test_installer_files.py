"""Every file the installer scripts name exists, and they agree on the executables' names and the version."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "installer" / "windows" / "ses.iss"
SPEC = ROOT / "installer" / "ses.spec"
PS1 = ROOT / "installer" / "windows" / "build.ps1"
BUILD_SH = ROOT / "installer" / "build.sh"


def iss_paths() -> list[str]:
    text = ISS.read_text(encoding="utf-8")
    found = re.findall(r'(?:Source|MessagesFile):\s*"([^"]+)"', text)
    found += re.findall(r"^(?:SetupIconFile|OutputDir)=(.+)$", text, flags=re.M)
    return found


def test_every_source_file_named_by_the_iss_exists():
    paths = iss_paths()
    assert len(paths) >= 4
    for raw in paths:
        if raw.startswith("compiler:"):
            assert raw == r"compiler:Languages\Spanish.isl"
            continue
        rel = raw.replace("\\", "/")
        if rel.startswith("../../dist/"):  # the bundle build.ps1 makes: dist/<COLLECT name>/
            assert rel == "../../dist/ses/*"
            assert 'name="ses",' in SPEC.read_text(encoding="utf-8").split("coll = COLLECT(", 1)[1]
            continue
        if rel == "../../dist":
            continue
        assert (ISS.parent / rel).resolve().exists(), raw


def test_every_file_named_by_the_spec_exists():
    text = SPEC.read_text(encoding="utf-8")
    chains = re.findall(r'ROOT((?:\s*/\s*"[^"]+")+)', text)
    assert len(chains) >= 6
    for chain in chains:
        parts = re.findall(r'"([^"]+)"', chain)
        target = ROOT.joinpath(*parts)
        assert target.exists(), parts
    for icon in ("ses.ico", "ses-256.png", "ses.svg"):
        assert (ROOT / "resources" / icon).is_file()
    assert (ROOT / "installer" / "entry_ses.py").is_file() and (ROOT / "installer" / "entry_SES.py").is_file()
    assert sorted((ROOT / "resources").glob("ses-*.png"))


def test_shortcuts_and_file_association_point_at_the_windowed_executable():
    iss = ISS.read_text(encoding="utf-8")
    spec = SPEC.read_text(encoding="utf-8")
    assert 'name="SES",' in spec and "console=False" in spec
    assert '"ses.com" if WINDOWS' in spec, "SES.exe and ses.exe cannot share a folder on Windows"
    assert r'ValueData: """{app}\SES.exe"" ""%1"""' in iss
    assert r"Software\Classes\.ses" in iss
    assert "PrivilegesRequired=lowest" in iss
    assert "Tasks: desktopicon" in iss and "Flags: unchecked" in iss
    assert "[UninstallDelete]" not in iss, "uninstalling must keep the data folder"


def test_version_comes_from_pyproject():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert "AppVersion={#AppVersion}" in ISS.read_text(encoding="utf-8")
    ps1 = PS1.read_text(encoding="utf-8")
    assert "/DAppVersion=$Version" in ps1 and "pyproject.toml" in ps1
    assert "pyproject.toml" in BUILD_SH.read_text(encoding="utf-8")


def test_desktop_entry():
    entry = (ROOT / "installer" / "linux" / "ses.desktop").read_text(encoding="utf-8")
    assert "Name=Sistema Estratégico de Seguimiento" in entry
    assert "Categories=Office;" in entry and "Icon=ses" in entry and "Exec=/opt/ses/SES" in entry
