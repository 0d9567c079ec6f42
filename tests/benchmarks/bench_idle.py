"""Benchmark of idle wakeups: ``python tests/benchmarks/bench_idle.py [--runs N] [--seconds S]`` (in a desktop session).

How often the idle app wakes the CPU between two polls, against a bare PySide6 tray app (QApplication and a
QSystemTrayIcon) measured over the same seconds. A wakeup is a context switch of one of the process's
threads, voluntary (it slept on a timer, a socket, a lock) or involuntary (preempted); both are read per
thread from ``/proc/<pid>/task/<tid>/status`` at the start and the end of the window.

The app runs as users run it: ``python -OO -m klen_desktop --base-url <emulator>``, its key taken from the
session's keyring (stored there first, removed afterwards), the agenda closed. The emulator runs in a process
of its own, so its threads never count, with a handful of events from tomorrow on: nothing starts within the
"soon" zone, so polls come at the slow cadence (5 minutes) and the window, begun once the first poll has
settled, lies between two polls; the emulator's request log tells whether a request fell inside it anyway.

Prints each run's wakeups per minute (app and bare), the app's busiest threads, and the medians and ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_startup import BARE_CHILD as STARTUP_BARE_CHILD

from klen_desktop.autostart import launch_command

KEY = "klen_bench_idle"
SETTLE = 20.0  # seconds after the first poll's last request: details and the first paint are done by then

# The same bare tray as the start-up benchmark's, kept running.
BARE_CHILD = STARTUP_BARE_CHILD + "sys.exit(app.exec())\n"


# Loaded into the app child only (sitecustomize on its path): each Python thread takes its threading name as its
# OS name, so the per-thread figures say which thread woke ("python" for all of them otherwise).
NAME_THREADS = r"""
import ctypes, threading
_libc = ctypes.CDLL(None)
_start = threading.Thread._bootstrap_inner
def _named(self):
    _libc.prctl(15, self.name[:15].encode(), 0, 0, 0)  # PR_SET_NAME
    _start(self)
threading.Thread._bootstrap_inner = _named
"""


def thread_switches(pid: int) -> dict[str, int]:
    """Context switches so far of each live thread of ``pid``, keyed ``tid:name``."""
    found: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        switches = int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])
        found[f"{task.name}:{name}"] = switches
    return found


def wakeups(before: dict[str, int], after: dict[str, int]) -> Counter[str]:
    """Switches in the window per thread; a thread born inside it counts from zero."""
    return Counter({tid: count - before.get(tid, 0) for tid, count in after.items()})


def admin(url: str, path: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/_emulator" + path, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "klen_desktop.emulator", "--port", "0", "--seed", "empty", "--db", ":memory:",
         "--key", f"{KEY}:read,write", "--rpm", "100000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if "http://" in line:
            url = next(word for word in line.split() if word.startswith("http://")).rstrip("/")
            return process, url.removesuffix("/api/v1")
    raise RuntimeError("the emulator did not print its URL")


def seed_calendar(url: str, countdown: bool) -> None:
    """A working week from tomorrow on, nothing in the next 15 minutes (the slow cadence); with ``countdown``
    also an event in 2 hours, so the tooltip counts down the minutes ("in 1 h 59 min")."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    events = []
    if countdown:
        soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
        events.append(
            {"title": "Soon", "start_time": soon.isoformat(), "end_time": (soon + timedelta(minutes=30)).isoformat()}
        )
    for day in range(7):
        for slot in range(4):
            start = tomorrow + timedelta(days=day, hours=2 * slot)
            end = start + timedelta(minutes=30)
            events.append({"title": f"Call {day}-{slot}", "start_time": start.isoformat(), "end_time": end.isoformat()})
    admin(url, "/events", {"events": events})


def store_key(key: str | None) -> None:
    """The key in the session's keyring, as Settings stores it (None: forget it)."""
    from klen_desktop.secrets import KeyStore

    store = KeyStore()
    asyncio.run(store.set(key) if key else store.delete())


def requests_seen(url: str) -> list[str]:
    log = admin(url, "/requests")
    assert isinstance(log, list)
    return [str(entry["at"]) for entry in log]


def wait_settled(url: str, app: subprocess.Popen[str], timeout: float = 120.0) -> None:
    """Until the first poll has been answered and no request came for SETTLE seconds."""
    deadline = time.monotonic() + timeout
    count, quiet_since = 0, time.monotonic()
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"the app exited with {app.returncode}")
        now_count = len(requests_seen(url))
        if now_count != count:
            count, quiet_since = now_count, time.monotonic()
        elif count and time.monotonic() - quiet_since >= SETTLE:
            return
        time.sleep(1.0)
    raise RuntimeError("the app never finished its first poll")


def in_desktop_session() -> bool:
    """Whether a desktop session is there (else say how to get one); a SIGTERM then still runs the finally blocks,
    so the children are stopped and the key is forgotten."""
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print("needs a desktop session (DISPLAY, D-Bus, a keyring): see tests/session/session-up.sh", file=sys.stderr)
        return False
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    return True


def stop_processes(*processes: subprocess.Popen[str] | None) -> None:
    """Terminate each started child (killed after 20 s) and reap it."""
    for process in processes:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def one_run(seconds: float, home: Path, countdown: bool) -> tuple[float, float, Counter[str], int]:
    """Wakeups per minute of the app and the bare tray over the same window, the app's per thread, and the
    number of requests the app made inside the window."""
    emulator, url = start_emulator()
    env = dict(os.environ, XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"))
    (home / "site").mkdir()
    (home / "site" / "sitecustomize.py").write_text(NAME_THREADS)
    app_env = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(home / "site"), env.get("PYTHONPATH")])))
    app = bare = None
    try:
        seed_calendar(url, countdown)
        app = subprocess.Popen(
            [*launch_command(), "--base-url", url], env=app_env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        bare = subprocess.Popen([sys.executable, "-c", BARE_CHILD], env=env, stdout=subprocess.DEVNULL)
        wait_settled(url, app)
        before_requests = len(requests_seen(url))
        app_before, bare_before = thread_switches(app.pid), thread_switches(bare.pid)
        time.sleep(seconds)
        app_after, bare_after = thread_switches(app.pid), thread_switches(bare.pid)
        in_window = len(requests_seen(url)) - before_requests
    finally:
        stop_processes(app, bare, emulator)
    per_thread = wakeups(app_before, app_after)
    bare_total = sum(wakeups(bare_before, bare_after).values())
    minutes = seconds / 60
    return sum(per_thread.values()) / minutes, bare_total / minutes, per_thread, in_window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the measured window")
    parser.add_argument("--countdown", action="store_true", help="an event in 2 hours: the tooltip counts down")
    args = parser.parse_args()
    if not in_desktop_session():
        return 2
    store_key(KEY)
    apps, bares = [], []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="klen-bench-idle-") as tmp:
                app, bare, per_thread, requests = one_run(args.seconds, Path(tmp), args.countdown)
            apps.append(app)
            bares.append(bare)
            busiest = ", ".join(
                f"{tid.split(':', 1)[1]} {count / (args.seconds / 60):.1f}"
                for tid, count in per_thread.most_common()
                if count
            )
            print(f"run {run + 1}: app {app:.1f}/min, bare {bare:.1f}/min, requests in the window {requests}")
            print(f"  app threads (wakeups/min): {busiest or 'none'}")
    finally:
        store_key(None)
    app_median, bare_median = statistics.median(apps), statistics.median(bares)
    print(f"idle wakeups per minute, agenda closed, between polls ({args.seconds:g} s, median of {args.runs}):")
    print(f"  bare PySide6 QApplication + tray icon   {bare_median:6.1f}")
    print(f"  Klen Desktop                            {app_median:6.1f}   (target <= 4)")
    print(f"  difference                              {app_median - bare_median:+6.1f}")
    print(f"  load average after the runs: {os.getloadavg()[0]:.2f} (2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
