"""Benchmark of the app's responsiveness while a large first sync lands: ``python tests/benchmarks/bench_ui_lag.py
[--events N] [--seconds S]`` (in a desktop session).

A panel talks to the app over D-Bus; its calls are answered on the app's main thread, the one the event loop, the
agenda and the tray share. So the time the app takes to answer a small D-Bus call (the tray item's ``Title``
property) is how long its main thread was busy at that moment: the probe asks every 10 ms and records each answer
time while the app makes its first sync of a large calendar on an empty cache with the agenda open (the heaviest
moment: every range that lands is applied to the cache, re-read, re-planned for reminders and shown in the agenda).

The app runs as users run it (``python -OO -m klen_desktop --base-url <emulator>``, key from the session's keyring,
default settings and request budget), the emulator in a process of its own with ``--events`` events over the
window. The baseline is a bare PySide6 tray app probed the same way in the same run: the answer time of a main
thread that does nothing else. Prints worst, 99th percentile and median answer times of both, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_first_sync import seed
from bench_idle import in_desktop_session, start_emulator, stop_processes, store_key
from dbus_fast import Variant
from dbus_fast.aio import MessageBus

from klen_desktop.autostart import launch_command

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
from measure_startup import tray_service

KEY = "klen_bench_idle"  # the key bench_idle's emulator knows
PROBE_EVERY = 0.010
SLOW = 0.050

BARE_TRAY = r"""
import sys
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

app = QApplication(sys.argv[:1])
pixmap = QPixmap(32, 32)
pixmap.fill(QColor("#2a7ae2"))
tray = QSystemTrayIcon(QIcon(pixmap))
tray.setToolTip("bare")
tray.show()
sys.exit(app.exec())
"""


async def answer_times(service: str, seconds: float, open_agenda: bool) -> list[float]:
    """Seconds each ``Title`` read took, one read every 10 ms for ``seconds``."""
    bus = await MessageBus().connect()
    try:
        intro = await bus.introspect(service, "/StatusNotifierItem")
        item = bus.get_proxy_object(service, "/StatusNotifierItem", intro)
        properties = item.get_interface("org.freedesktop.DBus.Properties")
        if open_agenda:
            await item.get_interface("org.kde.StatusNotifierItem").call_activate(0, 0)  # type: ignore[attr-defined]
        times: list[float] = []
        begun = time.perf_counter()
        end = begun + seconds
        while time.perf_counter() < end:
            asked = time.perf_counter()
            value = await asyncio.wait_for(
                properties.call_get("org.kde.StatusNotifierItem", "Title"),  # type: ignore[attr-defined]
                timeout=10,
            )
            assert isinstance(value, Variant)
            times.append(time.perf_counter() - asked)
            if times[-1] > SLOW and os.environ.get("BENCH_VERBOSE"):
                print(f"  slow answer {times[-1] * 1000:.0f} ms at {asked - begun:.1f} s", file=sys.stderr)
            await asyncio.sleep(max(0.0, PROBE_EVERY - times[-1]))
        return times
    finally:
        bus.disconnect()


def wait_for_tray(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before its tray item registered")
        service = tray_service(process.pid)
        if service is not None:
            return service
        time.sleep(0.05)
    raise RuntimeError("no tray item registered")


def probe_app(count: int, seconds: float, home: Path) -> list[float]:
    emulator, url = start_emulator()
    app = None
    try:
        seed(url, count, datetime.now(UTC))
        env = dict(
            os.environ, QT_QPA_PLATFORM="xcb", XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config")
        )
        app = subprocess.Popen(
            [*launch_command(), "--base-url", url], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        service = wait_for_tray(app)
        return asyncio.run(answer_times(service, seconds, open_agenda=True))
    finally:
        stop_processes(app, emulator)


def probe_bare(seconds: float) -> list[float]:
    bare = subprocess.Popen([sys.executable, "-c", BARE_TRAY], env=dict(os.environ, QT_QPA_PLATFORM="xcb"), text=True)
    try:
        service = wait_for_tray(bare)
        return asyncio.run(answer_times(service, seconds, open_agenda=False))
    finally:
        stop_processes(bare)


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99)]
    return (
        f"worst {ordered[-1] * 1000:6.1f} ms, p99 {p99 * 1000:5.1f} ms, median {statistics.median(ordered) * 1000:4.1f}"
        f" ms over {len(ordered)} reads; over 50 ms: {sum(1 for t in ordered if t > SLOW)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    if not in_desktop_session():
        return 2
    store_key(KEY)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = probe_app(args.events, args.seconds, Path(folder))
        bare = probe_bare(min(args.seconds, 30.0))
    finally:
        store_key(None)
    print(f"app, first sync of {args.events} events, agenda open: {describe(app)}")
    print(f"bare tray app, idle:                              {describe(bare)}")
    print(f"worst answer, app / bare: {max(app) / max(bare):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
