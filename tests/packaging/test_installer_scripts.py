"""The installer scripts, checked as far as this Linux machine can: shell syntax (and shellcheck when there),
the Inno Setup script's paths against the build layout, the DMG script's guard, and the tarball's install.sh
and uninstall.sh run for real against a stand-in app."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import build_icons
import make_manpage
import packaging_support
import platform_spec
import pytest

from klen_desktop.cli import build_parser

ROOT = packaging_support.ROOT
PACKAGING = packaging_support.PACKAGING
SHELL_SCRIPTS = sorted(PACKAGING.rglob("*.sh"))
ISS = PACKAGING / "windows" / "klen-desktop.iss"
DMG_SCRIPT = PACKAGING / "macos" / "build_dmg.sh"


def test_the_expected_scripts_are_there() -> None:
    names = {path.relative_to(PACKAGING).as_posix() for path in SHELL_SCRIPTS}
    assert {
        "build_linux.sh",
        "smoke_frozen.sh",
        "linux/build_deb.sh",
        "linux/install.sh",
        "linux/uninstall.sh",
        "macos/build_dmg.sh",
    } <= names


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.relative_to(PACKAGING).as_posix())
def test_shell_script_parses_and_is_executable(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert os.access(script, os.X_OK), f"{script} should be executable"
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_shellcheck_finds_nothing() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
    result = subprocess.run(
        ["shellcheck", *map(str, SHELL_SCRIPTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout


def iss_defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, flags=re.M))


def iss_path(value: str, defines: dict[str, str]) -> Path:
    """An Inno Setup path with {#Define}s expanded, resolved like iscc does: relative to the script's folder."""
    expanded = re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)
    return (ISS.parent / expanded.replace("\\", "/")).resolve()


def iss_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections[current] = []
        else:
            sections.setdefault(current, []).append(line)
    return sections


def test_inno_setup_script_is_well_formed() -> None:
    sections = iss_sections(ISS.read_text(encoding="utf-8"))
    assert "" not in sections, "every line must belong to a section"
    known = {"Setup", "Languages", "Tasks", "Files", "Icons", "Registry", "Run", "UninstallDelete"}
    assert set(sections) <= known
    for line in sections["Setup"]:
        assert re.fullmatch(r"\w+=.+", line), f"[Setup] line is not Key=Value: {line}"
    for name, lines in sections.items():
        if name == "Setup":
            continue
        for line in lines:
            assert line.count('"') % 2 == 0, f"unbalanced quotes in [{name}]: {line}"
            parameters = [part.strip() for part in line.split("; ") if part.strip()]
            for parameter in parameters:
                assert re.match(r"\w+: ", parameter), f"[{name}] parameter is not 'Name: value': {parameter}"


def test_inno_setup_sources_point_into_the_pyinstaller_layout() -> None:
    text = ISS.read_text(encoding="utf-8")
    defines = iss_defines(text)
    plan = platform_spec.bundle_plan("win32", "0.0.0")
    # The one-folder build lands in dist/<name>/ with <name>.exe next to PyInstaller's _internal folder.
    assert iss_path("{#BuildDir}", defines) == ROOT / "dist" / plan.name
    assert defines["AppExe"] == f"{plan.name}.exe"
    assert defines["AppName"] == platform_spec.DISPLAY_NAME
    sources = re.findall(r'^Source: "([^"]+)"', text, flags=re.M)
    assert sources == ["{#BuildDir}\\{#AppExe}", "{#BuildDir}\\_internal\\*"]
    for source in sources:
        assert iss_path(source, defines).is_relative_to(ROOT / "dist" / plan.name)
    # The icon is what build_icons.py writes and the spec embeds.
    icon = iss_path("{#IconFile}", defines)
    assert icon == ROOT / "build" / "icons" / str(plan.icon)
    setup = dict(line.split("=", 1) for line in iss_sections(text)["Setup"])
    assert iss_path(setup["LicenseFile"], defines).is_file()
    assert iss_path(setup["OutputDir"], defines) == ROOT / "dist"
    assert setup["PrivilegesRequired"] == "lowest"


def test_inno_setup_autostart_is_the_value_the_app_setting_toggles() -> None:
    from klen_desktop import autostart

    text = ISS.read_text(encoding="utf-8")
    (registry,) = iss_sections(text)["Registry"]
    assert f'Subkey: "{autostart.RUN_KEY_PATH}"' in registry
    assert f'ValueName: "{autostart.RUN_VALUE_NAME}"' in registry
    assert "Root: HKCU" in registry


def test_the_linux_build_has_the_layout_the_inno_script_expects() -> None:
    """The Windows build is the same one-folder layout; a finished Linux build shows it when one is there."""
    bundle = ROOT / "dist" / "klen-desktop"
    if not (bundle / "klen-desktop").exists():
        pytest.skip("no dist/klen-desktop build here (make package)")
    assert (bundle / "_internal").is_dir()


def test_dmg_script_names_what_the_spec_builds() -> None:
    text = DMG_SCRIPT.read_text(encoding="utf-8")
    plan = platform_spec.bundle_plan("darwin", "0.0.0")
    assert f'APP_NAME="{platform_spec.DISPLAY_NAME}"' in text
    assert f"BINARY={plan.name}" in text
    for used in ("packaging/build_icons.py", "packaging/klen-desktop.spec"):
        assert used in text
        assert (ROOT / used).is_file()
    assert "LSUIElement" in text


def test_dmg_script_refuses_to_run_off_macos() -> None:
    if os.uname().sysname == "Darwin":
        pytest.skip("this checks the guard on other systems")
    result = subprocess.run(["bash", str(DMG_SCRIPT)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 1
    assert "runs on macOS only" in result.stderr
    assert not (ROOT / "dist" / "Klen Desktop.app").exists()


# -- install.sh / uninstall.sh against a stand-in app ----------------------------------------------------


@pytest.fixture(scope="module")
def unpacked_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball's layout as build_linux.sh makes it, with a shell script in place of the frozen app."""
    tree = tmp_path_factory.mktemp("tarball") / "klen-desktop-0.0.0-linux-x86_64"
    app = tree / "app"
    (app / "_internal").mkdir(parents=True)
    (app / "_internal" / "base_library.zip").write_bytes(b"stand-in")
    binary = app / "klen-desktop"
    binary.write_text('#!/bin/sh\necho "Klen Desktop 0.0.0 from $0"\n', encoding="utf-8")
    binary.chmod(0o755)
    share = tree / "share"
    linux = packaging_support.RESOURCES / "linux"
    (share / "applications").mkdir(parents=True)
    shutil.copy(linux / "klen-desktop.desktop", share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy(linux / "ai.klen.desktop.metainfo.xml", share / "metainfo")
    (share / "man" / "man1").mkdir(parents=True)
    page = make_manpage.manpage(build_parser()).encode()
    (share / "man" / "man1" / "klen-desktop.1.gz").write_bytes(gzip.compress(page, mtime=0))
    icons = build_icons.build_icons(tmp_path_factory.mktemp("icons") / "out")
    shutil.copytree(icons.hicolor, share / "icons" / "hicolor")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy(PACKAGING / "linux" / script, tree / script)
    return tree


def run_script(script: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_install_registers_the_app_and_uninstall_removes_every_file(unpacked_tarball: Path, tmp_path: Path) -> None:
    prefix, home = tmp_path / "prefix", tmp_path / "home"
    installed = run_script(unpacked_tarball / "install.sh", "--prefix", str(prefix), home=home)
    assert installed.returncode == 0, installed.stderr
    command = prefix / "bin" / "klen-desktop"
    ran = subprocess.run([str(command)], capture_output=True, text=True, timeout=30, check=False)
    assert ran.stdout.startswith("Klen Desktop 0.0.0")
    desktop = prefix / "share" / "applications" / "klen-desktop.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert f"\nExec={command}\n" in text and f"\nTryExec={command}\n" in text
    if shutil.which("desktop-file-validate"):
        validated = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, timeout=30)
        assert validated.returncode == 0 and not validated.stdout, validated.stdout
    for size in build_icons.APP_ICON_SIZES:
        assert (prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "klen-desktop.png").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "klen-desktop.svg").is_file()
    assert (prefix / "share" / "metainfo" / "ai.klen.desktop.metainfo.xml").is_file()
    assert (prefix / "share" / "man" / "man1" / "klen-desktop.1.gz").is_file()
    # The app's "start at login" setting wrote an autostart entry for this install; uninstall takes it away.
    autostart = home / ".config" / "autostart" / "klen-desktop.desktop"
    autostart.parent.mkdir(parents=True)
    autostart.write_text(f"[Desktop Entry]\nType=Application\nName=Klen Desktop\nExec={command}\n", encoding="utf-8")
    uninstall = prefix / "lib" / "klen-desktop" / "uninstall.sh"
    removed = run_script(uninstall, home=home)
    assert removed.returncode == 0, removed.stderr
    assert f"removed from {prefix}" in removed.stdout
    assert files_under(prefix) == []
    assert not autostart.exists()


def test_installing_again_replaces_the_previous_install(unpacked_tarball: Path, tmp_path: Path) -> None:
    prefix, home = tmp_path / "prefix", tmp_path / "home"
    first = run_script(unpacked_tarball / "install.sh", "--prefix", str(prefix), home=home)
    assert first.returncode == 0, first.stderr
    before = files_under(prefix)
    (prefix / "lib" / "klen-desktop" / "stale-file-of-an-old-version").write_text("old", encoding="utf-8")
    second = run_script(unpacked_tarball / "install.sh", "--prefix", str(prefix), home=home)
    assert second.returncode == 0, second.stderr
    assert "replacing" in second.stdout
    assert files_under(prefix) == before


def test_user_install_goes_under_the_home_folder(unpacked_tarball: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    installed = run_script(unpacked_tarball / "install.sh", "--user", home=home)
    assert installed.returncode == 0, installed.stderr
    assert (home / ".local" / "bin" / "klen-desktop").is_symlink()
    assert (home / ".local" / "share" / "applications" / "klen-desktop.desktop").is_file()
    removed = run_script(unpacked_tarball / "uninstall.sh", "--user", home=home)
    assert removed.returncode == 0, removed.stderr
    assert files_under(home / ".local") == []


def test_uninstall_without_an_install_says_so(unpacked_tarball: Path, tmp_path: Path) -> None:
    result = run_script(unpacked_tarball / "uninstall.sh", "--prefix", str(tmp_path / "empty"), home=tmp_path)
    assert result.returncode == 1
    assert "no Klen Desktop installed in" in result.stderr


def test_install_refuses_an_unknown_option(unpacked_tarball: Path, tmp_path: Path) -> None:
    result = run_script(unpacked_tarball / "install.sh", "--everywhere", home=tmp_path)
    assert result.returncode == 2
    assert "unknown option: --everywhere" in result.stderr
