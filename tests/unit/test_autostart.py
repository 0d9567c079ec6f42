"""Start at login on all three platforms: XDG autostart for real on a temp folder, the macOS plist as a file,
and the Windows Run key through a recording fake (winreg cannot run on Linux)."""

from __future__ import annotations

import plistlib
import shlex
import sys
from pathlib import Path

import pytest

from klen_desktop import autostart
from klen_desktop.autostart import (
    APP_PYTHON_OPTIONS,
    RUN_KEY_PATH,
    RUN_VALUE_NAME,
    AutostartError,
    LaunchAgentAutostart,
    WindowsRunAutostart,
    XdgAutostart,
    for_platform,
    launch_command,
)


def desktop_entries(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_launch_command_runs_this_python_module_optimized() -> None:
    assert launch_command() == [sys.executable, "-OO", "-m", "klen_desktop"]


def test_make_run_starts_the_app_with_the_options_of_the_launch_command() -> None:
    """`make run` is how the README starts the app: the same interpreter options as the login item's."""
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    starts = [line for line in recipe.splitlines() if line.startswith("\t@") and "-m klen_desktop" in line]
    assert starts, recipe
    for line in starts:
        words = line.split()
        assert words[words.index("-m") - len(APP_PYTHON_OPTIONS) : words.index("-m")] == list(APP_PYTHON_OPTIONS)


def test_launch_command_of_a_frozen_app_is_the_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Klen Desktop/klen-desktop")
    assert launch_command() == ["/opt/Klen Desktop/klen-desktop"]


# -- Linux -------------------------------------------------------------------------------------------------


def test_xdg_entry_follows_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    flavour = for_platform("linux")
    assert not flavour.is_enabled()
    flavour.enable()
    path = tmp_path / "autostart" / "klen-desktop.desktop"
    entries = desktop_entries(path)
    assert entries["Type"] == "Application"
    assert entries["X-GNOME-Autostart-enabled"] == "true"
    assert shlex.split(entries["Exec"]) == [sys.executable, "-OO", "-m", "klen_desktop"]
    assert flavour.is_enabled()
    # The module-level helpers act on the same file.
    assert autostart.is_enabled()
    autostart.disable()
    assert not path.exists()
    assert not autostart.is_enabled()
    autostart.disable()  # disabling twice is fine


def test_xdg_relative_config_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert XdgAutostart().path == tmp_path / ".config" / "autostart" / "klen-desktop.desktop"


def test_xdg_exec_quotes_spaces_and_specials(tmp_path: Path) -> None:
    flavour = XdgAutostart(tmp_path)
    flavour.enable(["/opt/Klen Desktop/bin/klen", "--name", 'a "b" $c 100%'])
    exec_value = desktop_entries(flavour.path)["Exec"]
    assert exec_value == '"/opt/Klen Desktop/bin/klen" --name "a \\\\"b\\\\" \\\\$c 100%%"'


@pytest.mark.parametrize("switched_off", ["Hidden=true", "X-GNOME-Autostart-enabled=false"])
def test_xdg_entry_switched_off_by_the_desktop_counts_as_disabled(tmp_path: Path, switched_off: str) -> None:
    flavour = XdgAutostart(tmp_path)
    flavour.enable(["klen"])
    text = flavour.path.read_text().replace("X-GNOME-Autostart-enabled=true", switched_off)
    flavour.path.write_text(text)
    assert not flavour.is_enabled()


def test_xdg_unwritable_folder_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "autostart").write_text("a file where the folder should be")
    with pytest.raises(AutostartError, match="Could not write"):
        XdgAutostart(tmp_path).enable(["klen"])


def test_empty_command_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        XdgAutostart(tmp_path).enable([])


# -- macOS -------------------------------------------------------------------------------------------------


def test_launch_agent_plist(tmp_path: Path) -> None:
    flavour = LaunchAgentAutostart(tmp_path / "LaunchAgents")
    assert not flavour.is_enabled()
    flavour.enable(["/Applications/Klen Desktop.app/Contents/MacOS/klen-desktop"])
    assert flavour.path == tmp_path / "LaunchAgents" / "ai.klen.desktop.plist"
    with flavour.path.open("rb") as handle:
        plist = plistlib.load(handle)
    assert plist["Label"] == "ai.klen.desktop"
    assert plist["ProgramArguments"] == ["/Applications/Klen Desktop.app/Contents/MacOS/klen-desktop"]
    assert plist["RunAtLoad"] is True
    assert plist["KeepAlive"] is False
    assert flavour.is_enabled()
    flavour.disable()
    assert not flavour.path.exists() and not flavour.is_enabled()


def test_launch_agent_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    flavour = for_platform("darwin")
    assert isinstance(flavour, LaunchAgentAutostart)
    assert flavour.path == tmp_path / "Library" / "LaunchAgents" / "ai.klen.desktop.plist"


def test_launch_agent_garbage_file_is_not_enabled(tmp_path: Path) -> None:
    flavour = LaunchAgentAutostart(tmp_path)
    flavour.path.write_bytes(b"not a plist")
    assert not flavour.is_enabled()


# -- Windows -----------------------------------------------------------------------------------------------


class RecordingRegistry:
    """A fake HKCU: winreg exists only on Windows, so the tests record what would be written."""

    def __init__(self, fail: bool = False) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.fail = fail

    def set_value(self, key_path: str, name: str, value: str) -> None:
        self.calls.append(("set", key_path, name))
        if self.fail:
            raise PermissionError(5, "Access is denied")
        self.values[(key_path, name)] = value

    def delete_value(self, key_path: str, name: str) -> None:
        self.calls.append(("delete", key_path, name))
        if self.fail:
            raise PermissionError(5, "Access is denied")
        self.values.pop((key_path, name), None)

    def get_value(self, key_path: str, name: str) -> str | None:
        return self.values.get((key_path, name))


def test_windows_run_key() -> None:
    registry = RecordingRegistry()
    flavour = for_platform("win32", registry=registry)
    assert isinstance(flavour, WindowsRunAutostart)
    assert not flavour.is_enabled()
    flavour.enable([r"C:\Program Files\Klen Desktop\klen-desktop.exe", "--minimized"])
    assert RUN_KEY_PATH == r"Software\Microsoft\Windows\CurrentVersion\Run"
    assert registry.values == {
        (RUN_KEY_PATH, RUN_VALUE_NAME): r'"C:\Program Files\Klen Desktop\klen-desktop.exe" --minimized'
    }
    assert flavour.is_enabled()
    flavour.disable()
    assert registry.values == {}
    assert not flavour.is_enabled()
    assert [call[0] for call in registry.calls] == ["set", "delete"]


def test_windows_refusal_is_a_clear_error() -> None:
    flavour = WindowsRunAutostart(RecordingRegistry(fail=True))
    with pytest.raises(AutostartError, match="start at login"):
        flavour.enable(["klen.exe"])
    with pytest.raises(AutostartError, match="Startup"):
        flavour.disable()


def test_for_platform_picks_the_flavour_of_each_system() -> None:
    assert isinstance(for_platform("win32"), WindowsRunAutostart)
    assert isinstance(for_platform("linux"), XdgAutostart)
