"""The app on Wayland: the real app under weston's headless compositor, with Qt's own wayland platform plugin.

Weston draws no panel with a tray and the app's session bus is private with no services on it (no
StatusNotifierWatcher), so the app must come up in no-tray mode: the agenda with the tray's menu on it. The app
runs ``--smoke``, which opens every window (agenda, editor, slot finder, settings, reminder card, "Starting
now") and quits through its normal shutdown. That a window really got on the compositor is read from the
Wayland wire itself (``WAYLAND_DEBUG=client``): the compositor configured its ``xdg_toplevel`` and its surface
entered the compositor's output. With a StatusNotifierWatcher on the bus (what Plasma, GNOME's AppIndicator
extension and waybar provide) the same app on Wayland shows its tray icon instead. About 7 s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from desktop_probe import empty_session_bus, stop, wait_until

SOCKET = "klen-wayland-0"

GET_XDG_SURFACE = re.compile(r"-> xdg_wm_base@\d+\.get_xdg_surface\(new id xdg_surface@(\d+), wl_surface@(\d+)\)")
GET_TOPLEVEL = re.compile(r"-> xdg_surface@(\d+)\.get_toplevel\(new id xdg_toplevel@(\d+)\)")
SET_TITLE = re.compile(r'-> xdg_toplevel@(\d+)\.set_title\("(.*)"\)')
CONFIGURED = re.compile(r"\] xdg_toplevel@(\d+)\.configure\(")
ENTERED = re.compile(r"\] wl_surface@(\d+)\.enter\(wl_output@\d+\)")


@dataclass
class Compositor:
    runtime_dir: Path
    socket: str
    log: Path


@pytest.fixture
def weston(tmp_path: Path) -> Iterator[Compositor]:
    """Weston's headless backend on a socket in a private (0700) runtime folder, stopped by its PID after."""
    if shutil.which("weston") is None:
        if os.environ.get("CI"):
            pytest.fail("weston is missing: tests/session/system-deps.sh test installs it")
        pytest.skip("no Wayland compositor: install weston (tests/session/system-deps.sh test does)")
    # A short path of its own: a Unix socket's path is limited to about 100 characters.
    runtime_dir = Path(tempfile.mkdtemp(prefix="klen-wl-"))
    runtime_dir.chmod(0o700)
    log = tmp_path / "weston.log"
    command = ["weston", "--backend=headless-backend.so", f"--socket={SOCKET}", "--width=1280", "--height=800"]
    command += ["--no-config", "--idle-time=0"]
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)}
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)  # headless, never nested in an X session
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:

        def gone() -> str:
            return f"weston exited: {log.read_text()}" if server.poll() is not None else ""

        wait_until(lambda: (runtime_dir / SOCKET).exists(), 20, "weston to listen", alive=gone)
        yield Compositor(runtime_dir, SOCKET, log)
    finally:
        stop(server)
        shutil.rmtree(runtime_dir, ignore_errors=True)


@pytest.fixture
def empty_bus(tmp_path: Path) -> Iterator[str]:
    with empty_session_bus(tmp_path) as address:
        yield address


def mapped_titles(protocol_log: str) -> set[str]:
    """The titles of the toplevel windows the compositor configured and put on its output.

    Read in order, as object ids are reused once a window is gone: each ``enter`` counts for the window the
    surface belongs to at that moment.
    """
    surface_of_xdg: dict[str, str] = {}
    surface_of_toplevel: dict[str, str] = {}
    title_of_surface: dict[str, str] = {}
    configured: set[str] = set()
    mapped: set[str] = set()
    for line in protocol_log.splitlines():
        if m := GET_XDG_SURFACE.search(line):
            surface_of_xdg[m[1]] = m[2]
        elif m := GET_TOPLEVEL.search(line):
            surface_of_toplevel[m[2]] = surface_of_xdg[m[1]]
            configured.discard(m[2])
        elif m := SET_TITLE.search(line):
            title_of_surface[surface_of_toplevel[m[1]]] = m[2]
        elif m := CONFIGURED.search(line):
            configured.add(m[1])
        elif m := ENTERED.search(line):
            surface = m[1]
            toplevels = [t for t, s in surface_of_toplevel.items() if s == surface and t in configured]
            if toplevels and surface in title_of_surface:
                mapped.add(title_of_surface[surface])
    return mapped


def smoke_fields(stdout: str) -> dict[str, str]:
    line = next(line for line in stdout.splitlines() if line.startswith("SMOKE "))
    return dict(re.findall(r"(\w+)=(\S+)", line))


def run_smoke_on(weston: Compositor, bus: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "wayland",
        "WAYLAND_DISPLAY": weston.socket,
        "XDG_RUNTIME_DIR": str(weston.runtime_dir),
        "DBUS_SESSION_BUS_ADDRESS": bus,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CURRENT_DESKTOP": "weston",
        "WAYLAND_DEBUG": "client",  # the protocol messages on stderr: what the compositor did with each window
    }
    env.pop("DISPLAY", None)  # no X server to fall back on: Qt must use Wayland or fail
    return subprocess.run(
        [sys.executable, "-m", "klen_desktop", "--smoke", "--demo"],
        env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def test_on_wayland_without_a_tray_the_app_runs_as_a_window_and_every_window_maps(
    tmp_path: Path, weston: Compositor, empty_bus: str
) -> None:
    result = run_smoke_on(weston, empty_bus, tmp_path)
    log = "\n".join(line for line in result.stderr.splitlines() if "@" not in line)  # the app's own lines
    assert result.returncode == 0, f"{result.stdout}\n{log}\nweston: {weston.log.read_text()}"
    fields = smoke_fields(result.stdout)
    assert fields["platform"] == "wayland"
    assert fields["tray"] == "False", "weston has no tray host and the bus has no StatusNotifierWatcher"
    assert fields["no_tray"] == "menu", "no tray: the agenda carries the app's menu"
    assert fields["windows"] == "ok"
    assert fields["error"] == "none" and int(fields["events"]) >= 20
    assert "no system tray: running as a window" in result.stderr
    # Nor a warning of Qt's wayland plugin (a window it could not create, a request the compositor lacks).
    for bad in ("Traceback", "Fatal Python error", "qt.qpa.wayland"):
        assert bad not in result.stderr, log

    titles = mapped_titles(result.stderr)
    assert any(t.startswith("Klen — Agenda") for t in titles), titles  # the no-tray start shows the agenda
    assert "No system tray" in titles  # the one-time hint how to get a tray
    for title in ("New event", "Find a free slot", "Klen Desktop Settings"):
        assert title in titles, titles
    # The reminder card and the "Starting now" window are windows of their own, titled after the event.
    assert sum(t.startswith("Klen: ") for t in titles) >= 1, titles
    # Every window names the app's desktop entry: how GNOME and Plasma find its icon and name on Wayland.
    app_ids = set(re.findall(r'-> xdg_toplevel@\d+\.set_app_id\("(.*)"\)', result.stderr))
    assert app_ids == {"klen-desktop"}, app_ids


def test_mapped_titles_follow_reused_object_ids() -> None:
    # The agenda closes and its surface id comes back for the editor: the second enter is the editor's.
    log = """
[1.0]  -> xdg_wm_base@3.get_xdg_surface(new id xdg_surface@15, wl_surface@13)
[1.1]  -> xdg_surface@15.get_toplevel(new id xdg_toplevel@16)
[1.2]  -> xdg_toplevel@16.set_title("Agenda")
[1.3] xdg_toplevel@16.configure(0, 0, array[0])
[1.4] wl_surface@13.enter(wl_output@10)
[2.0]  -> xdg_wm_base@3.get_xdg_surface(new id xdg_surface@16, wl_surface@13)
[2.1]  -> xdg_surface@16.get_toplevel(new id xdg_toplevel@17)
[2.2]  -> xdg_toplevel@17.set_title("New event")
[2.3] xdg_toplevel@17.configure(0, 0, array[0])
[2.4] wl_surface@13.enter(wl_output@10)
[3.0]  -> xdg_wm_base@3.get_xdg_surface(new id xdg_surface@20, wl_surface@18)
[3.1]  -> xdg_surface@20.get_toplevel(new id xdg_toplevel@21)
[3.2]  -> xdg_toplevel@21.set_title("Never configured")
[3.3] wl_surface@18.enter(wl_output@10)
"""
    assert mapped_titles(log) == {"Agenda", "New event"}


def test_on_wayland_with_a_status_notifier_host_the_tray_icon_is_used(
    tmp_path: Path, weston: Compositor, empty_bus: str
) -> None:
    # What KDE Plasma, GNOME's AppIndicator extension and waybar's tray offer: a StatusNotifierWatcher on the bus.
    watcher_log = tmp_path / "watcher.log"
    watcher_script = Path(__file__).resolve().parent.parent / "session" / "sni_watcher.py"
    with watcher_log.open("w") as out:
        watcher = subprocess.Popen(
            [sys.executable, str(watcher_script)], env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": empty_bus},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: "watcher ready" in watcher_log.read_text(), 20, "the StatusNotifierWatcher")
        result = run_smoke_on(weston, empty_bus, tmp_path)
    finally:
        stop(watcher)
    assert result.returncode == 0, result.stdout
    fields = smoke_fields(result.stdout)
    assert fields["platform"] == "wayland"
    assert (fields["tray"], fields["tray_shown"], fields["no_tray"]) == ("True", "True", "off")
    assert fields["windows"] == "ok"
    assert "registered item" in watcher_log.read_text(), "the app's tray item registered with the watcher"
    assert "no system tray" not in result.stderr
