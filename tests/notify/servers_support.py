"""Real notification servers, each on a private session bus of its own, for tests that compare how they behave.

Only one process can own org.freedesktop.Notifications on a bus, and the test session's bus belongs to dunst;
so each server here gets its own ``dbus-daemon`` (started in a few milliseconds) on the session's X display,
and the test points ``DBUS_SESSION_BUS_ADDRESS`` at it. The app code under test connects as it always does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ServerKind:
    """How to start one server, and what the app should find out about it."""

    key: str
    command: tuple[str, ...]
    name: str  # GetServerInformation's name
    markup: bool  # it lists body-markup (or body-hyperlinks)
    buttons: int | None  # how many buttons the app offers it (None: all)


def _dunst() -> tuple[str, ...]:
    config = Path(os.environ.get("XDG_CONFIG_HOME", "~/.config")).expanduser() / "dunst" / "dunstrc"
    return ("dunst", "-config", str(config)) if config.is_file() else ("dunst",)


SERVERS = (
    ServerKind("dunst", _dunst(), "dunst", markup=True, buttons=None),
    ServerKind(
        "xfce4-notifyd",
        ("/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd",),
        "Xfce Notify Daemon",
        markup=True,
        buttons=6,
    ),
    ServerKind(
        "notification-daemon",
        ("/usr/lib/notification-daemon/notification-daemon",),
        "Notification Daemon",
        markup=True,
        buttons=4,
    ),
    ServerKind(
        "plain", (sys.executable, str(HERE / "plain_notify_server.py")), "klen-test-plain", markup=False, buttons=0
    ),
)


@dataclass(frozen=True)
class RunningServer:
    kind: ServerKind
    address: str
    pid: int


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@contextmanager
def private_server(kind: ServerKind, folder: Path) -> Iterator[RunningServer]:
    """``kind`` running on a new session bus until the block ends; its output goes to ``folder``."""
    if not Path(kind.command[0]).is_file() and kind.command[0] != "dunst":
        raise FileNotFoundError(f"{kind.command[0]} is not installed (tests/session/system-deps.sh test)")
    # A socket dbus-daemon names itself: a path under pytest's folder can pass the 108-byte socket path limit.
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=unix:tmpdir=/tmp", "--print-address=1"],
        stdout=subprocess.PIPE,
    )
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()  # printed once the bus listens
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
        log = (folder / f"{kind.key}.log").open("wb")
        server = subprocess.Popen(kind.command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            subprocess.run(
                ["gdbus", "wait", "--session", "--timeout", "10", "org.freedesktop.Notifications"],
                env=env,
                check=True,
                timeout=15,
            )
            yield RunningServer(kind, address, server.pid)
        finally:
            _stop(server)
            log.close()
    finally:
        _stop(bus)


def popup_windows(pid: int) -> list[tuple[int, int, int, int]]:
    """The visible windows of process ``pid`` as (x, y, width, height), found with xdotool and xwininfo."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)], capture_output=True, text=True)
    windows = []
    for line in found.stdout.split():
        info = subprocess.run(["xwininfo", "-id", line], capture_output=True, text=True, check=True).stdout
        fields = dict(
            (key.strip(), value.strip()) for key, _, value in (row.partition(":") for row in info.splitlines())
        )
        windows.append(
            (
                int(fields["Absolute upper-left X"]),
                int(fields["Absolute upper-left Y"]),
                int(fields["Width"]),
                int(fields["Height"]),
            )
        )
    return windows


def text_spans(x: int, y: int, width: int, height: int, *, gap: int = 12) -> list[tuple[int, int]]:
    """The runs of dark (text) columns in a screen band, as (start, end) x; runs closer than ``gap`` merge, so
    each span is one label ("Snooze 5 min"), not one word."""
    grey = subprocess.run(
        [
            "import",
            "-window",
            "root",
            "-crop",
            f"{width}x{height}+{x}+{y}",
            "-colorspace",
            "gray",
            "-depth",
            "8",
            "gray:-",
        ],
        capture_output=True,
        check=True,
        timeout=10,
    ).stdout
    dark = [any(grey[row * width + col] < 128 for row in range(height)) for col in range(width)]
    spans: list[tuple[int, int]] = []
    for col, is_dark in enumerate(dark):
        if not is_dark:
            continue
        if spans and col - spans[-1][1] <= gap:
            spans[-1] = (spans[-1][0], col)
        else:
            spans.append((col, col))
    return [(x + start, x + end) for start, end in spans]


def click(x: int, y: int) -> None:
    """A real pointer click at (x, y) on the session's display."""
    # No --sync: it waits for the pointer to move, forever when it is already there.
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True, timeout=10)
