"""The Linux desktop integration files validate with the freedesktop tools and agree with each other."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import packaging_support
import pytest

from klen_desktop.autostart import XdgAutostart

LINUX = packaging_support.RESOURCES / "linux"
DESKTOP = LINUX / "klen-desktop.desktop"
METAINFO = LINUX / "ai.klen.desktop.metainfo.xml"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian: tests/session/system-deps.sh test installs it)")
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_menu_entry_validates() -> None:
    result = run_tool("desktop-file-validate", str(DESKTOP))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_autostart_entry_the_app_writes_validates(tmp_path: Path) -> None:
    entry = XdgAutostart(tmp_path)
    entry.enable(["/opt/klen desktop/klen-desktop", "--demo"])
    result = run_tool("desktop-file-validate", str(entry.path))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_appstream_metainfo_validates_pedantically_without_a_remark() -> None:
    result = run_tool("appstreamcli", "validate", "--pedantic", "--no-net", "--no-color", str(METAINFO))
    # A clean file gets the one line "Validation was successful."; any hint, info or warning adds lines
    # ("I: ai.klen.desktop:9: unknown-tag developer", "P: ...: cid-contains-uppercase-letter").
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert result.returncode == 0 and len(lines) == 1 and "successful" in lines[0], result.stdout + result.stderr


def test_menu_entry_matches_the_app() -> None:
    entry = desktop_entry(DESKTOP)
    assert entry["Exec"] == "klen-desktop"
    # Qt sets the window's app id from setDesktopFileName("klen-desktop"), so the entry must be named alike.
    assert entry["StartupWMClass"] == "klen-desktop"
    assert entry["Icon"] == "klen-desktop"
    assert (packaging_support.RESOURCES / "icons" / "klen-desktop.svg").is_file()
    assert "Calendar" in entry["Categories"].split(";")


def test_autostart_entry_starts_quietly_in_the_tray(tmp_path: Path) -> None:
    entry = XdgAutostart(tmp_path)
    entry.enable(["/opt/klen-desktop/klen-desktop"])
    fields = desktop_entry(entry.path)
    assert fields["NoDisplay"] == "true"
    assert fields["X-GNOME-Autostart-enabled"] == "true"
    assert fields["Exec"] == "/opt/klen-desktop/klen-desktop"
    assert fields["Icon"] == desktop_entry(DESKTOP)["Icon"]


def test_metainfo_names_the_menu_entry_and_the_command() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "ai.klen.desktop"
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/binary") == "klen-desktop"
    assert root.findtext("project_license") == "MIT"
    release = root.find("releases/release")
    assert release is not None
    from klen_desktop import __version__

    assert release.get("version") == __version__, "add a <release> for the new version to the metainfo"
