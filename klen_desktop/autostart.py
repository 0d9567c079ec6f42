"""Start Klen Desktop when the user logs in: XDG autostart (Linux), a LaunchAgent (macOS), the Run key (Windows).

One :class:`Autostart` per platform, all with ``enable(command)``, ``disable()`` and ``is_enabled()``;
:func:`for_platform` picks the one for this machine. ``command`` is the argument list that starts the app,
by default :func:`launch_command` (the frozen binary, or ``python -OO -m klen_desktop``).

The Windows flavour writes through a :class:`RegistryWriter` it is given. Production passes
:class:`WinregWriter` (``winreg``, HKCU only, so no elevation is needed); ``winreg`` cannot run on the Linux
machines the tests run on, so the tests pass a recording fake, and what is checked there is the value name,
the key path and the quoted command line, not the Windows registry itself. The macOS plist is written with
:mod:`plistlib` to a folder given by the caller (``~/Library/LaunchAgents`` by default) and is tested as a
file; ``launchctl`` is not called, since launchd reads the folder at the next login, which is all we need.
"""

from __future__ import annotations

import importlib
import logging
import os
import plistlib
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from klen_desktop.i18n import N_, _

log = logging.getLogger(__name__)

DESKTOP_FILENAME = "klen-desktop.desktop"
LAUNCH_AGENT_LABEL = "ai.klen.desktop"
RUN_KEY_PATH = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE_NAME = "KlenDesktop"
APP_DISPLAY_NAME = "Klen Desktop"


class AutostartError(Exception):
    """Start at login could not be changed. ``message`` says what happened and what to do; fit to show as is."""

    title = N_("Start at login")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The app runs with docstrings and asserts compiled out. It stays up all session, and the docstrings alone of the
# modules it imports (the standard library's, its libraries' and its own) hold some 1.4 MiB of its resident memory
# (tests/benchmarks/bench_startup.py). Nothing in the app reads a docstring or relies on an assert. The Linux package
# is compiled the same way (packaging/platform_spec.py); `make run` passes the same options.
APP_PYTHON_OPTIONS = ("-OO",)


def launch_command() -> list[str]:
    """The argument list that starts this installation of the app: the frozen binary, or ``python -OO -m
    klen_desktop``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, *APP_PYTHON_OPTIONS, "-m", "klen_desktop"]


class Autostart(Protocol):
    def enable(self, command: Sequence[str] | None = None) -> None: ...

    def disable(self) -> None: ...

    def is_enabled(self) -> bool: ...


# -- Linux: XDG autostart ----------------------------------------------------------------------------------


def _xdg_config_home() -> Path:
    value = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".config"


def _desktop_exec(command: Sequence[str]) -> str:
    """The ``Exec`` value: each argument quoted as the Desktop Entry spec asks (double quotes, escaped specials)."""
    parts = []
    for arg in command:
        if arg and all(ch.isalnum() or ch in "/._-+=:," for ch in arg):
            parts.append(arg)
            continue
        escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        parts.append(f'"{escaped}"')
    # In a .desktop file a backslash in a string value is itself escaped, and % starts a field code.
    return " ".join(parts).replace("\\", "\\\\").replace("%", "%%")


def xdg_entry(command: Sequence[str]) -> str:
    """The autostart entry for ``command``: the one source of it (packages ship no template of their own).

    ``NoDisplay`` keeps it out of menus (the menu entry is klen-desktop.desktop from resources/linux); the short
    delay and KDE's "after panel" let the tray host come up first, so the icon is not missed at login.
    """
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        f"Name={APP_DISPLAY_NAME}\n"
        "Comment=Start Klen Desktop in the system tray when you log in\n"
        f"Exec={_desktop_exec(command)}\n"
        "Icon=klen-desktop\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-GNOME-Autostart-Delay=5\n"
        "X-KDE-autostart-after=panel\n"
    )


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/klen-desktop.desktop`` (``~/.config`` when unset), read by every XDG desktop."""

    def __init__(self, config_home: Path | None = None) -> None:
        self._config_home = config_home

    @property
    def path(self) -> Path:
        home = self._config_home if self._config_home is not None else _xdg_config_home()
        return home / "autostart" / DESKTOP_FILENAME

    def enable(self, command: Sequence[str] | None = None) -> None:
        command = list(command) if command is not None else launch_command()
        if not command:
            raise ValueError("the launch command is empty")
        _write_file(self.path, xdg_entry(command).encode("utf-8"))
        log.info("start at login enabled (%s)", self.path)

    def disable(self) -> None:
        _remove_file(self.path)

    def is_enabled(self) -> bool:
        """True when our entry exists and is not switched off (``Hidden=true``, ``X-GNOME-Autostart-enabled=false``)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return False
        except OSError:
            return False
        entries = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
        if entries.get("Hidden", "").strip().lower() == "true":
            return False
        return entries.get("X-GNOME-Autostart-enabled", "true").strip().lower() != "false"


# -- macOS: LaunchAgent ------------------------------------------------------------------------------------


class LaunchAgentAutostart:
    """``~/Library/LaunchAgents/ai.klen.desktop.plist``: launchd starts the app at login (RunAtLoad)."""

    def __init__(self, agents_dir: Path | None = None) -> None:
        self._agents_dir = agents_dir

    @property
    def path(self) -> Path:
        folder = self._agents_dir if self._agents_dir is not None else Path.home() / "Library" / "LaunchAgents"
        return folder / f"{LAUNCH_AGENT_LABEL}.plist"

    def enable(self, command: Sequence[str] | None = None) -> None:
        command = list(command) if command is not None else launch_command()
        if not command:
            raise ValueError("the launch command is empty")
        plist = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            # A quit from the tray menu must stay quit until the next login.
            "KeepAlive": False,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        _write_file(self.path, plistlib.dumps(plist, fmt=plistlib.FMT_XML))
        log.info("start at login enabled (%s)", self.path)

    def disable(self) -> None:
        _remove_file(self.path)

    def is_enabled(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                plist = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return isinstance(plist, dict) and plist.get("Label") == LAUNCH_AGENT_LABEL and plist.get("RunAtLoad") is True


# -- Windows: HKCU Run key ---------------------------------------------------------------------------------


class RegistryWriter(Protocol):
    """The three registry operations the Run key needs, on ``HKEY_CURRENT_USER`` string values."""

    def set_value(self, key_path: str, name: str, value: str) -> None: ...

    def delete_value(self, key_path: str, name: str) -> None:
        """Remove the value; no error when it is not there."""
        ...

    def get_value(self, key_path: str, name: str) -> str | None: ...


def _winreg() -> Any:
    # Imported by name: typeshed only describes winreg when type-checking for Windows, and this runs only there.
    return importlib.import_module("winreg")


class WinregWriter:
    """:class:`RegistryWriter` over ``winreg`` (Windows only; imported on use so this module loads anywhere)."""

    def set_value(self, key_path: str, name: str, value: str) -> None:
        winreg = _winreg()

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key_path, 0, winreg.KEY_SET_VALUE) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete_value(self, key_path: str, name: str) -> None:
        winreg = _winreg()

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return

    def get_value(self, key_path: str, name: str) -> str | None:
        winreg = _winreg()

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path, 0, winreg.KEY_READ) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)


class WindowsRunAutostart:
    """The ``KlenDesktop`` value under HKCU ``...\\CurrentVersion\\Run``: Windows starts that command line at login."""

    def __init__(self, registry: RegistryWriter) -> None:
        self._registry = registry

    def enable(self, command: Sequence[str] | None = None) -> None:
        command = list(command) if command is not None else launch_command()
        if not command:
            raise ValueError("the launch command is empty")
        # Windows splits the Run value like a command line: paths with spaces ("Program Files") need quoting.
        line = subprocess.list2cmdline(command)
        try:
            self._registry.set_value(RUN_KEY_PATH, RUN_VALUE_NAME, line)
        except OSError as exc:
            raise AutostartError(
                _(
                    "Windows did not let Klen Desktop add itself to start at login ({error}). "
                    "Check that your account may change its own startup apps, then try again."
                ).format(error=type(exc).__name__)
            ) from None
        log.info("start at login enabled (HKCU Run)")

    def disable(self) -> None:
        try:
            self._registry.delete_value(RUN_KEY_PATH, RUN_VALUE_NAME)
        except OSError as exc:
            raise AutostartError(
                _(
                    "Windows did not let Klen Desktop remove itself from start at login ({error}). "
                    "Remove it in Settings > Apps > Startup."
                ).format(error=type(exc).__name__)
            ) from None
        log.info("start at login disabled (HKCU Run)")

    def is_enabled(self) -> bool:
        try:
            return bool(self._registry.get_value(RUN_KEY_PATH, RUN_VALUE_NAME))
        except OSError:
            return False


# -- shared ------------------------------------------------------------------------------------------------


def _write_file(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)  # read by the session manager or launchd as the same user; nothing secret inside
        os.replace(tmp, path)
    except OSError as exc:
        raise AutostartError(
            _(
                "Could not write {path} ({error}: {reason}). "
                "Check that the folder exists and is writable, then try again."
            ).format(path=path, error=type(exc).__name__, reason=exc.strerror or exc)
        ) from None


def _remove_file(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AutostartError(
            _("Could not remove {path} ({error}). Delete the file by hand to stop starting at login.").format(
                path=path, error=type(exc).__name__
            )
        ) from None
    log.info("start at login disabled (%s)", path)


def for_platform(platform: str | None = None, *, registry: RegistryWriter | None = None) -> Autostart:
    """The autostart flavour for ``platform`` (default ``sys.platform``): Windows, macOS, else XDG."""
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        return WindowsRunAutostart(registry if registry is not None else WinregWriter())
    if platform == "darwin":
        return LaunchAgentAutostart()
    return XdgAutostart()


def enable(command: Sequence[str] | None = None) -> None:
    """Start the app at login on this platform (``command`` defaults to :func:`launch_command`)."""
    for_platform().enable(command)


def disable() -> None:
    """Stop starting the app at login on this platform; nothing happens when it was not enabled."""
    for_platform().disable()


def is_enabled() -> bool:
    """True when this platform will start the app at the next login."""
    return for_platform().is_enabled()
