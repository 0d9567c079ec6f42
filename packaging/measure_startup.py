"""Start-up time of the frozen app next to the unfrozen one: a normal start to "tray ready", median of N runs.

    .venv/bin/python packaging/measure_startup.py [--runs 5] [--frozen dist/klen-desktop/klen-desktop]

Each run is a normal launch (``klen-desktop --demo``, no ``--smoke``) with an empty data folder, so the demo
emulator seeds a fresh calendar, in the desktop session (xcb, session D-Bus, a StatusNotifierWatcher: what
``make test`` starts). Two moments are timed from the launch: the tray icon registered with the watcher
("icon"), and the tray's full menu published over D-Bus, the one with Quit that replaces the boot menu once
the app is built ("ready"). The app is then ended through its single-instance socket (``--quit``), the way
a user's second launch would, and must exit by itself.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHER = "org.kde.StatusNotifierWatcher"
READY_LABEL = "Quit Klen Desktop"
TIMEOUT = 60.0


def _gdbus(*args: str) -> str:
    result = subprocess.run(["gdbus", "call", "--session", *args], capture_output=True, text=True, timeout=10)
    return result.stdout if result.returncode == 0 else ""


def tray_service(pid: int) -> str | None:
    """The bus name of the tray item that ``pid`` registered with the watcher, or None (yet)."""
    items = _gdbus(
        "--dest", WATCHER, "--object-path", "/StatusNotifierWatcher", "--method",
        "org.freedesktop.DBus.Properties.Get", WATCHER, "RegisteredStatusNotifierItems",
    )  # fmt: skip
    for item in re.findall(r"'([^']+)'", items):
        service = str(item).partition("/")[0]
        owner = _gdbus(
            "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method",
            "org.freedesktop.DBus.GetConnectionUnixProcessID", service,
        )  # fmt: skip
        if f"uint32 {pid}," in owner or f"uint32 {pid})" in owner:
            return service
    return None


def menu_ready(service: str) -> bool:
    layout = _gdbus(
        "--dest", service, "--object-path", "/MenuBar", "--method", "com.canonical.dbusmenu.GetLayout",
        "--", "0", "-1", "@as []",
    )  # fmt: skip
    return f"'{READY_LABEL}'" in layout


def time_start(command: Sequence[str]) -> tuple[float, float]:
    """Seconds from launch to the tray icon and to the full tray menu of one normal start."""
    with tempfile.TemporaryDirectory(prefix="klen-startup-") as scratch:
        run = Path(scratch) / "run"
        run.mkdir(mode=0o700)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_DATA_HOME": str(Path(scratch) / "data"),
            "XDG_CONFIG_HOME": str(Path(scratch) / "config"),
            "XDG_RUNTIME_DIR": str(run),
        }
        started = time.perf_counter()
        app = subprocess.Popen([*command, "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            service = None
            icon = ready = 0.0
            while time.perf_counter() - started < TIMEOUT:
                if app.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited with {app.returncode} before its tray was ready")
                if service is None:
                    service = tray_service(app.pid)
                    icon = time.perf_counter() - started
                if service is not None and menu_ready(service):
                    ready = time.perf_counter() - started
                    break
                time.sleep(0.01)
            if not ready:
                raise RuntimeError(f"no tray ready within {TIMEOUT:.0f} s")
            subprocess.run([*command, "--quit"], env=env, capture_output=True, timeout=30, check=True)
            app.wait(timeout=30)
            return icon, ready
        finally:
            if app.poll() is None:
                app.terminate()
                app.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "klen-desktop" / "klen-desktop")
    options = parser.parse_args(argv)
    if not (os.environ.get("DISPLAY") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        sys.stderr.write("needs a desktop session with a tray watcher (DISPLAY, DBUS_SESSION_BUS_ADDRESS)\n")
        return 2
    commands = {"unfrozen": [sys.executable, "-m", "klen_desktop"]}
    if options.frozen.exists():
        commands["frozen"] = [str(options.frozen)]
    else:
        sys.stderr.write(f"no frozen build at {options.frozen} (make package): measuring the unfrozen app only\n")
    for label, command in commands.items():
        time_start(command)  # one untimed run, so both start from a warm disk cache
        runs = [time_start(command) for _ in range(options.runs)]
        icons = sorted(icon for icon, _ready in runs)
        readies = sorted(ready for _icon, ready in runs)
        sys.stdout.write(
            f"{label:9} xcb  icon median {statistics.median(icons) * 1000:5.0f} ms  "
            f"tray ready median {statistics.median(readies) * 1000:5.0f} ms "
            f"(min {readies[0] * 1000:.0f}, max {readies[-1] * 1000:.0f}, {options.runs} runs)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
