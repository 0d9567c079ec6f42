"""Looking at a running app from outside, as the desktop sees it: its tray item on the StatusNotifierWatcher,
its X11 windows (xdotool, xprop), its ``Notify`` calls on the session bus (dbus-monitor), its menu entry.

Only command-line tools of the test session are used, so the same probes work on a frozen, installed app
whose Python the test cannot reach into. Every wait is bounded.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

WATCHER = "org.kde.StatusNotifierWatcher"


def wait_until(
    probe: Callable[[], T | None], timeout: float, what: str, *, alive: Callable[[], str] | None = None
) -> T:
    """Poll ``probe`` until it returns something true (not None, False or empty); fail with ``what`` after ``timeout``.

    ``alive`` returns an explanation when the thing waited on died meanwhile (then there is no point waiting).
    Blocking, unlike :func:`waiting.until`: the tests that use it watch another process from plain (not async)
    test functions through command-line tools, and want the probe's answer back.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if alive is not None:
            problem = alive()
            if problem:
                raise AssertionError(f"while waiting for {what}: {problem}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def _run(*command: str, timeout: float = 10) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    return result.stdout if result.returncode == 0 else ""


# -- the .desktop file ---------------------------------------------------------------------------------------


def desktop_entry(path: Path) -> dict[str, str]:
    """The keys of a .desktop file's [Desktop Entry] group."""
    values: dict[str, str] = {}
    group = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def exec_argv(exec_value: str) -> list[str]:
    """The argument list of an ``Exec`` value, as a launcher runs it (field codes like %U dropped)."""
    return [arg for arg in shlex.split(exec_value) if not re.fullmatch(r"%[fFuUdDnNickvm]", arg)]


# -- the tray ------------------------------------------------------------------------------------------------


def registered_items() -> list[str]:
    """The StatusNotifierItems the watcher knows (``:1.42/StatusNotifierItem`` or a bus name)."""
    out = _run(
        "gdbus", "call", "--session", "--dest", WATCHER, "--object-path", "/StatusNotifierWatcher",
        "--method", "org.freedesktop.DBus.Properties.Get", WATCHER, "RegisteredStatusNotifierItems",
    )  # fmt: skip
    return re.findall(r"'([^']+)'", out)


def bus_pid(name: str) -> int | None:
    out = _run(
        "gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
        "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", name,
    )  # fmt: skip
    match = re.search(r"uint32 (\d+)", out)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class TrayItem:
    service: str
    path: str

    def call(self, method: str, *args: str) -> str:
        return _run(
            "gdbus", "call", "--session", "--dest", self.service, "--object-path", self.path,
            "--method", f"org.kde.StatusNotifierItem.{method}", *args,
        )  # fmt: skip

    def tooltip(self) -> str:
        return _run(
            "gdbus", "call", "--session", "--dest", self.service, "--object-path", self.path,
            "--method", "org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierItem", "ToolTip",
        )  # fmt: skip


def menu_items(item: TrayItem) -> dict[str, int]:
    """The tray menu's entries (dbusmenu, as the tray host reads them): label -> item id."""
    out = _run(
        "gdbus", "call", "--session", "--dest", item.service, "--object-path", "/MenuBar",
        "--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "@as []",
    )  # fmt: skip
    return {label: int(ident) for ident, label in re.findall(r"\((\d+), \{[^}]*?'label': <'([^']*)'>", out)}


def click_menu(item: TrayItem, label_start: str) -> None:
    """Click the first menu entry whose label starts with ``label_start``, as the tray host does."""
    found = [ident for label, ident in menu_items(item).items() if label.startswith(label_start)]
    assert found, f"no menu entry {label_start!r} in {sorted(menu_items(item))}"
    _run(
        "gdbus", "call", "--session", "--dest", item.service, "--object-path", "/MenuBar",
        "--method", "com.canonical.dbusmenu.Event", "--", str(found[0]), "clicked", "<0>", "0",
    )  # fmt: skip


def tray_item_of(pid: int) -> TrayItem | None:
    """The tray item the process ``pid`` registered with the watcher, or None (yet)."""
    for item in registered_items():
        service, _, path = item.partition("/")
        if bus_pid(service) == pid:
            return TrayItem(service, "/" + path if path else "/StatusNotifierItem")
    return None


def loopback_listen_ports(pid: int) -> list[int]:
    """TCP ports the process ``pid`` listens on at 127.0.0.1 (the demo mode's own API server)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and inode in inodes and local.startswith("0100007F:"):
            ports.append(int(local.split(":")[1], 16))
    return ports


# -- X11 windows ---------------------------------------------------------------------------------------------


def wm_class(window: str) -> tuple[str, ...]:
    return tuple(re.findall(r'"([^"]*)"', _run("xprop", "-id", window, "WM_CLASS")))


def visible_windows(pid: int) -> list[str]:
    return _run("xdotool", "search", "--onlyvisible", "--pid", str(pid)).split()


def visible_window_of_class(pid: int, wm_class_name: str) -> str | None:
    """A mapped top-level window of ``pid`` whose WM_CLASS (instance or class part) is ``wm_class_name``: a
    desktop ties the window to the .desktop file whose StartupWMClass names either part (GNOME's window tracker
    checks the instance first). Qt sets the instance from the program's name and the class from the app name."""
    for window in visible_windows(pid):
        if wm_class_name in wm_class(window):
            return window
    return None


def window_title(window: str) -> str:
    return _run("xdotool", "getwindowname", window).strip()


# -- notifications on the bus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyCall:
    app_name: str
    app_icon: str
    summary: str
    hints: dict[str, str]


_STRING = re.compile(r'^\s*string "(.*)"$')


def parse_notify_calls(text: str) -> list[NotifyCall]:
    """The ``Notify`` calls in dbus-monitor's output: app name, icon, summary and the string hints."""
    calls = []
    for block in text.split("method call")[1:]:
        if "member=Notify" not in block.splitlines()[0]:
            continue
        lines = block.splitlines()[1:]
        strings = [m.group(1) for line in lines[:6] if (m := _STRING.match(line))]
        if len(strings) < 3:
            continue
        hints: dict[str, str] = {}
        for i, line in enumerate(lines):
            key = re.match(r"^\s*dict entry\(\s*$", line)
            if key and i + 2 < len(lines):
                name = _STRING.match(lines[i + 1])
                value = re.match(r'^\s*variant\s+string "(.*)"$', lines[i + 2])
                if name and value:
                    hints[name.group(1)] = value.group(1)
        calls.append(NotifyCall(app_name=strings[0], app_icon=strings[1], summary=strings[2], hints=hints))
    return calls


@contextmanager
def notify_monitor(log: Path) -> Iterator[Callable[[], list[NotifyCall]]]:
    """Record every ``Notify`` call on the session bus while the block runs; yields a reader of them so far."""
    with log.open("w") as out:
        rule = "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"
        monitor = subprocess.Popen(
            ["dbus-monitor", "--session", rule],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        # dbus-monitor prints the bus's NameAcquired signal once it listens.
        wait_until(lambda: log.stat().st_size > 0 or None, 10, "dbus-monitor to listen")
        yield lambda: parse_notify_calls(log.read_text(errors="replace"))
    finally:
        monitor.terminate()
        monitor.wait(timeout=10)


@contextmanager
def empty_session_bus(folder: Path) -> Iterator[str]:
    """A session bus of its own with no service directories, so nothing can be activated on it (no tray watcher,
    notification server or keyring): yields its address, and stops it by its PID after."""
    config = folder / "bus.conf"
    config.write_text(
        Path("/usr/share/dbus-1/session.conf").read_text().replace("<standard_session_servicedirs />", "")
    )
    command = ["dbus-daemon", f"--config-file={config}", "--fork", "--print-address=1", "--print-pid=1"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout.split()
    try:
        yield out[0]
    finally:
        os.kill(int(out[1]), signal.SIGTERM)


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """End a process this test started: politely, then for sure."""
    process.terminate()
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
        return
    process.kill()
    process.wait(timeout=10)
