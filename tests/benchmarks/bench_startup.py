"""Benchmark of start-up: ``python tests/benchmarks/bench_startup.py [--runs N] [--events N]``.

Start to tray ready, for the app and for a bare PySide6 QApplication with a tray icon, measured in the same
run the same way: the parent starts a fresh interpreter and stops the clock when the child reports that its
tray icon was shown (interpreter start and imports included). Runs alternate between the two, and the medians
and their ratio are printed (target: the app at most 1.5 times the bare baseline).

The app child is the real entry point (``klen_desktop.launch.run_app``): it shows the tray icon first (the boot
tray, before the core's imports), then loads preferences, the key (from the session's Secret Service, through the
key helper process, as for users; a stand-in answering at once only where no keyring answers), opens the store,
starts the core services, the controller and the full tray menu;
like every launch it takes the single-instance lock before the icon and opens its socket after.
"Tray ready" is the icon shown; the time to everything up is printed too, with its ratio to the bare tray. Its
server is a loopback port that takes connections and never answers: the app is online, as users mostly are, but
nothing arrives while it is measured, so the cache stays as it is (a refused port would put it in its offline state,
which loads a network-status watch an online app never loads). Resident
memory (VmRSS) is reported with the app up on an empty cache, on a demo-size cache (50 events, about the demo
calendar's) with the agenda closed, and on N events (default 10,000) with the agenda open on them, each next to
the bare baseline's (medians over the runs). Two floors are measured in the same runs, the same way: the bare tray
plus the libraries the app is built on (asyncio through qasync, httpx on h11 with its TLS context, SQLite, a session-bus
connection for the notifications), and that plus a plain window of the agenda's size; the app's own share is
printed above them.

The bare tray's resident pages mapped from files (Qt's libraries, mostly) are printed too: how many a process has
depends on how those files' pages came into the page cache (see the note printed at the end), which moves every
"bare +" figure by 2 to 3 MiB from one machine state to the other while the app's own share hardly changes.

Every child runs with the interpreter options the app is launched with (``APP_PYTHON_OPTIONS``, ``-OO``: `make run`,
the login item and the Linux package run it so), the baselines too, so that all are measured the same way.

With a desktop session (DISPLAY set) the children use xcb; otherwise offscreen, where no tray host exists, so
the app child is told a tray is there (the fallback window would otherwise be timed instead of the tray).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from klen_desktop.autostart import APP_PYTHON_OPTIONS

BARE_TRAY = r"""
import sys
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

app = QApplication(sys.argv[:1])
pixmap = QPixmap(32, 32)
pixmap.fill(QColor("#2a7ae2"))
tray = QSystemTrayIcon(QIcon(pixmap))
tray.show()
app.processEvents()
"""
BARE_CHILD = (
    BARE_TRAY
    + r"""
status = {l.split(":")[0]: l.split()[1] for l in open("/proc/self/status") if l.startswith(("VmRSS", "RssFile"))}
print(f"READY rss_kib={status['VmRSS']} file_kib={status['RssFile']}", flush=True)
"""
)

# The floors under the app's figures, measured the same way: the bare tray plus the parts the app is built on, each
# used as the app uses it (an event loop bridged to Qt, an HTTP client with its TLS context, a SQLite file in WAL
# mode, a session-bus connection for the notifications), then (WINDOW=1) also a plain window the agenda's
# size with a toolbar, a search field, a list of 60 rows and a text pane, painted. What the app adds above them is
# its own code and data.
STACK_CHILD = (
    BARE_TRAY
    + r"""
import os, tempfile

from klen_desktop.launch import drop_feature_import_hook, skip_httpx_command_line

drop_feature_import_hook()  # what the app's launch does, or every import below would leave its source in memory
skip_httpx_command_line()
import asyncio, sqlite3
import httpx, qasync
from jeepney.io.asyncio import DBusRouter, open_dbus_connection

folder = tempfile.mkdtemp()
db = sqlite3.connect(os.path.join(folder, "cache.sqlite3"))
db.execute("PRAGMA journal_mode = WAL")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")


async def stack():
    # As the app builds it: its transport is asyncio's streams and h11 (api/asyncio_transport.py), not httpcore.
    from klen_desktop.api.asyncio_transport import AsyncioTransport

    client = httpx.AsyncClient(transport=AsyncioTransport(httpx.create_ssl_context()), timeout=5)
    bus = await open_dbus_connection("SESSION")
    router = DBusRouter(bus)
    if os.environ.get("WINDOW") == "1":
        from PySide6.QtWidgets import QLineEdit, QListWidget, QMainWindow, QSplitter, QTextBrowser, QToolBar

        window = QMainWindow()
        bar = QToolBar()
        for label in ("Today", "Day", "Week", "Refresh"):
            bar.addAction(label)
        bar.addWidget(QLineEdit())
        window.addToolBar(bar)
        split = QSplitter()
        rows = QListWidget()
        rows.addItems([f"09:{i % 60:02d} Appointment {i} with a customer" for i in range(60)])
        split.addWidget(rows)
        split.addWidget(QTextBrowser())
        window.setCentralWidget(split)
        window.resize(1100, 700)
        window.show()
    await asyncio.sleep(0.3)
    rss = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS"))
    print(f"READY rss_kib={rss}", flush=True)
    await router.__aexit__(None, None, None)
    await bus.close()
    await client.aclose()
    app.quit()


loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
loop.run_until_complete(stack())
"""
)

# The real entry point (run_app), with two stand-ins: a key store that answers at once, and (offscreen only)
# a tray host. READY is printed when the boot tray is shown, STARTED when the whole app is up.
APP_CHILD = r"""
import os, sys

if os.environ.get("BENCH_FAKE_TRAY") == "1":
    from PySide6.QtWidgets import QSystemTrayIcon

    QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: True)

import klen_desktop.launch as app_module

def rss():
    return next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS"))

boot_tray = app_module.boot_tray

def timed_boot(qt_app):
    icon = boot_tray(qt_app)
    print(f"READY shown={icon is not None} rss_kib={rss()}", flush=True)
    # What the launch does next (its own calls then find the read started and everything imported).
    if os.environ.get("BENCH_KEY_SERVICE"):
        app_module.read_the_first_key_early(os.environ["BENCH_KEY_SERVICE"])
    app_module.import_app_in_steps(qt_app)
    install_bench_app()
    return icon

def install_bench_app():
    import asyncio
    from klen_desktop import app as shell

    class StandInKeys:
        async def get(self):
            return "klen_bench_key"

        def for_entry(self, entry):  # each account's entry: the same stand-in answers for all
            return self

    class Bench(shell.KlenDesktop):
        def __init__(self, *args, **kwargs):
            if not os.environ.get("BENCH_KEY_SERVICE"):
                kwargs["key_store"] = StandInKeys()
            super().__init__(*args, **kwargs)

        def start(self, connection):
            controller = super().start(connection)
            asyncio.ensure_future(self.report())
            return controller

        async def report(self):
            print(f"STARTED rss_kib={rss()}", flush=True)
            if os.environ.get("BENCH_CACHE") in ("closed", "agenda"):
                await self.controller.reload()
                print(f"CACHED events={len(self.controller.events)} rss_kib={rss()}", flush=True)
            if os.environ.get("BENCH_CACHE") == "agenda":
                self.windows.open_agenda()
                await self.controller.reload()  # the agenda's week, read once it is shown
                await asyncio.sleep(0.2)
                print(f"AGENDA events={len(self.controller.events)} rss_kib={rss()}", flush=True)
            self.quit()

    shell.KlenDesktop = Bench

app_module.boot_tray = timed_boot
if os.environ.get("BENCH_KEY_SERVICE"):  # the bench's own entry, read the way the app reads its own
    app_module.app_key_service = lambda: os.environ["BENCH_KEY_SERVICE"]
sys.exit(app_module.run_app(app_module.AppOptions(base_url=os.environ["BENCH_BASE_URL"])))
"""


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"), KLEN_BENCH="1")
    # An installed app runs from compiled bytecode, as PySide6 does in the bare baseline: let the warm-up runs
    # write it (a shell or CI that turned bytecode files off would otherwise time compiling every module).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not env.get("DISPLAY"):
        env.update(QT_QPA_PLATFORM="offscreen", BENCH_FAKE_TRAY="1")
    return env


def run_child(script: str, env: dict[str, str]) -> dict[str, tuple[float, dict[str, str]]]:
    """For each line the child reports (READY, STARTED, ...): seconds from spawn, and the line's fields."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *APP_PYTHON_OPTIONS, "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    seen: dict[str, tuple[float, dict[str, str]]] = {}
    for line in process.stdout:
        word, *parts = line.split()
        seen[word] = (time.perf_counter() - started, dict(part.split("=", 1) for part in parts))
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if "READY" not in seen:
        detail = process.stderr.read() if process.stderr else ""
        raise RuntimeError(
            "the child never reported READY (is Klen Desktop already running in this session? the child claims the "
            f"single instance as every launch does, and hands over to a running app): {detail}"
        )
    return seen


def fill_cache(home: Path, count: int) -> None:
    """``count`` events around today in the app's cache file, as the poller would have stored them."""
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    from klen_desktop.api.models import EventStatus, EventSummary, EventType
    from klen_desktop.core import cache_path
    from klen_desktop.store.db import Database
    from klen_desktop.store.events import EventRepository

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=7)
    step = timedelta(days=37) / max(1, count)
    events = [
        EventSummary(
            id=i + 1,
            uuid=f"00000000-0000-4000-8000-{i + 1:012d}",
            title=f"Appointment {i + 1} with a customer",
            event_type=list(EventType)[i % len(EventType)],
            status=EventStatus.CONFIRMED if i % 3 else EventStatus.SCHEDULED,
            start_time=start + step * i,
            end_time=start + step * i + timedelta(minutes=30),
        )
        for i in range(count)
    ]
    db = Database(cache_path(False))
    try:
        EventRepository(db).upsert_summaries(events)
    finally:
        db.close()


def bench_key_entry() -> str | None:
    """A new entry in the session's Secret Service holding the bench key, for the app children to read as users'
    apps do; None (a stand-in key store then answers) when no keyring answers here."""
    from klen_desktop.secrets import KeyStore, KeyStoreError

    service = f"klen-desktop-bench-{secrets.token_hex(4)}"
    try:
        asyncio.run(KeyStore(service=service).set("klen_bench_key"))
    except KeyStoreError as exc:
        print(f"no keyring answers ({exc.message[:100]}): the app children get a stand-in key store")
        return None
    return service


def forget_bench_key(service: str | None) -> None:
    if service is not None:
        from klen_desktop.secrets import KeyStore

        asyncio.run(KeyStore(service=service).delete())


def mib(kib_values: list[int]) -> float:
    return statistics.median(kib_values) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--demo-events", type=int, default=50)
    args = parser.parse_args()
    silent = socket.create_server(("127.0.0.1", 0))  # listens, never accepts: requests wait, unanswered
    os.environ["BENCH_BASE_URL"] = f"http://127.0.0.1:{silent.getsockname()[1]}"
    key_entry = bench_key_entry()
    if key_entry is not None:
        os.environ["BENCH_KEY_SERVICE"] = key_entry
    try:
        measured = measure(args, silent)
    finally:
        forget_bench_key(key_entry)
    report(args, measured, key_entry is not None)
    return 0


def measure(args: argparse.Namespace, silent: socket.socket) -> dict[str, list[float]]:
    with silent, tempfile.TemporaryDirectory(prefix="klen-bench-") as tmp:
        empty, demo, full = Path(tmp) / "empty", Path(tmp) / "demo", Path(tmp) / "full"
        fill_cache(demo, args.demo_events)
        fill_cache(full, args.events)
        bare_env, app_env = child_env(Path(tmp) / "bare"), child_env(empty)
        demo_env = dict(child_env(demo), BENCH_CACHE="closed")
        full_env = dict(child_env(full), BENCH_CACHE="agenda")
        # One warm-up of each, so the first timed run does not pay for a cold disk cache.
        run_child(BARE_CHILD, bare_env)
        run_child(APP_CHILD, app_env)
        bare, app, app_up = [], [], []
        bare_rss, app_rss, demo_rss, full_rss, agenda_rss = [], [], [], [], []
        stack_rss, window_rss, bare_file = [], [], []
        for _ in range(args.runs):
            seen = run_child(BARE_CHILD, bare_env)
            bare.append(seen["READY"][0])
            bare_rss.append(int(seen["READY"][1]["rss_kib"]))
            bare_file.append(int(seen["READY"][1]["file_kib"]))
            stack_rss.append(int(run_child(STACK_CHILD, bare_env)["READY"][1]["rss_kib"]))
            window_rss.append(int(run_child(STACK_CHILD, dict(bare_env, WINDOW="1"))["READY"][1]["rss_kib"]))
            seen = run_child(APP_CHILD, app_env)
            app.append(seen["READY"][0])
            app_up.append(seen["STARTED"][0])
            app_rss.append(int(seen["STARTED"][1]["rss_kib"]))
            demo_rss.append(int(run_child(APP_CHILD, demo_env)["CACHED"][1]["rss_kib"]))
            seen = run_child(APP_CHILD, full_env)
            full_rss.append(int(seen["CACHED"][1]["rss_kib"]))
            agenda_rss.append(int(seen["AGENDA"][1]["rss_kib"]))
    return {
        "bare": bare,
        "app": app,
        "app_up": app_up,
        "bare_rss": bare_rss,
        "bare_file": bare_file,
        "app_rss": app_rss,
        "demo_rss": demo_rss,
        "full_rss": full_rss,
        "agenda_rss": agenda_rss,
        "stack_rss": stack_rss,
        "window_rss": window_rss,
    }


def report(args: argparse.Namespace, measured: dict[str, list[float]], real_keyring: bool) -> None:
    bare, app, app_up = measured["bare"], measured["app"], measured["app_up"]
    bare_rss, app_rss, demo_rss = measured["bare_rss"], measured["app_rss"], measured["demo_rss"]
    full_rss, agenda_rss = measured["full_rss"], measured["agenda_rss"]
    stack_rss, window_rss = measured["stack_rss"], measured["window_rss"]
    platform = "offscreen (stand-in tray host)" if not os.environ.get("DISPLAY") else "xcb"
    bare_ms, app_ms = statistics.median(bare) * 1000, statistics.median(app) * 1000
    up_ms = statistics.median(app_up) * 1000
    base = mib(bare_rss)
    keys = "the key from the session's Secret Service" if real_keyring else "a stand-in key store"
    print(f"start to tray ready ({platform}, {keys}, median of {args.runs}, fresh interpreter each):")
    print(f"  bare PySide6 QApplication + tray icon      {bare_ms:7.0f} ms")
    print(f"  Klen Desktop: tray icon shown              {app_ms:7.0f} ms")
    print(f"  ratio                                      {app_ms / bare_ms:7.2f}x   (target <= 1.50x)")
    print(f"  Klen Desktop: all up (core, full menu)     {up_ms:7.0f} ms")
    print(f"  ratio                                      {up_ms / bare_ms:7.2f}x   (target <= 3.00x)")
    print(f"resident memory (VmRSS, median of {args.runs}):")
    print(f"  bare PySide6 QApplication + tray icon      {base:7.1f} MiB")
    print(f"    of it mapped from files (Qt's libraries) {mib(measured['bare_file']):7.1f} MiB   (see below)")
    rows = [
        ("Klen Desktop up, empty cache", mib(app_rss), ""),
        (f"... {args.demo_events} events cached, agenda closed", mib(demo_rss), "   (target <= bare + 25)"),
        (f"... {args.events} events cached", mib(full_rss), ""),
        ("... and the agenda open on them", mib(agenda_rss), "   (target <= bare + 40)"),
    ]
    for label, value, target in rows:
        print(f"  {label:<42} {value:7.1f} MiB  bare + {value - base:5.1f}{target}")
    stack, window = mib(stack_rss), mib(window_rss)
    print("floors (the bare tray plus what the app is built on, used as the app uses it):")
    print(f"  + event loop, HTTP client, SQLite, D-Bus     {stack:7.1f} MiB  bare + {stack - base:5.1f}")
    print(f"  ... and a plain window the agenda's size   {window:7.1f} MiB  bare + {window - base:5.1f}")
    print("the app's own share, above its floor:")
    print(f"  {args.demo_events} events cached, agenda closed          {mib(demo_rss) - stack:7.1f} MiB")
    print(f"  {args.events} events cached, agenda open        {mib(agenda_rss) - window:7.1f} MiB")
    print(
        "How much of Qt's libraries a process has resident depends on how their pages came into the page cache:"
        " just installed (written), the bare tray reads some 60 MiB here; read back from disk (after a boot, or"
        " `sync; echo 1 > /proc/sys/vm/drop_caches` as root) some 47 MiB. The app's own share above its floors"
        " moves little between the two, the 'bare +' figures by 2 to 3 MiB. The README's figures are taken in the"
        " second state, the one a desktop is in after a boot."
    )


if __name__ == "__main__":
    sys.exit(main())
