"""Benchmark of a first sync: ``python tests/benchmarks/bench_first_sync.py [--events N ...]`` (in a desktop session).

How long a new user waits, after the app starts on an empty cache with a large calendar, until

* **icon**: the tray icon is registered with the tray watcher;
* **first visible**: the tray's menu (read over D-Bus, as the panel reads it) lists a calendar event;
* **near complete**: every event of the next 48 hours is in the cache the agenda and the tray read;
* **all**: every event of the sync window is in the cache;
* **near changes**: once the next 48 hours are cached, an event starting within the next two hours is edited on
  the server every ``--change-every`` seconds (another client's edit); how long until the cache has each edit
  (goal: the fast poll interval + 1 s; the tray's next events make the app poll fast);
* **requests a minute**: the most the app sent in any minute (sliding, from the emulator's log).

The app runs as users run it: ``python -OO -m klen_desktop --base-url <emulator>``, its key taken from the session's
keyring (stored there first, removed afterwards), default sync settings and request budget (10 list requests a
minute, so a 10,000-event window of 100 pages cannot be complete in under ten minutes: what matters is that the
first events and the next two days come at once). The emulator runs in a process of its own, its key allowing
far more than the app sends, with ``--events`` events spread evenly over the window (7 days back to 30 ahead).
The cache is read from this process, read-only, as the app writes it. Prints one line per calendar size and the
requests the app sent until the window was complete.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_idle import admin, in_desktop_session, requests_seen, start_emulator, stop_processes, store_key

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
from measure_startup import _gdbus, tray_service

from klen_desktop.autostart import launch_command

KEY = "klen_bench_idle"  # the emulator of bench_idle knows this key
NEAR = timedelta(hours=48)
CHANGED = timedelta(hours=2)  # edits go to events starting this soon
DAYS_BACK, DAYS_AHEAD = 7, 30


@dataclass
class Timeline:
    events: int
    near_events: int
    icon: float | None = None
    first_visible: float | None = None
    first_cached: float | None = None
    near_complete: float | None = None
    all_complete: float | None = None
    requests: int = 0
    worst_minute: int = 0
    cached_at_end: int = 0
    change_delays: list[float] = field(default_factory=list)
    changes_unseen: int = 0
    log: tuple[str, ...] = ()


def seed(url: str, count: int, now: datetime) -> tuple[int, list[tuple[int, datetime]]]:
    """``count`` events spread evenly over the window, the first one a few minutes from now on the way; returns
    how many start within the next 48 hours, and the ids and starts of those of the next three hours."""
    start = (now - timedelta(days=DAYS_BACK)).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (now + timedelta(days=DAYS_AHEAD)).replace(hour=23, minute=0, second=0, microsecond=0)
    step = (end - start) / count
    # Shift the grid so that an event starts five minutes from now: the tray always has a next event to show.
    offset = (now + timedelta(minutes=5) - start) % step
    events, near, starts = [], 0, []
    for n in range(count):
        begins = (start + offset + n * step).replace(microsecond=0)
        starts.append(begins)
        if now <= begins < now + NEAR:
            near += 1
        events.append(
            {
                "title": f"Meeting {n:05d}",
                "start_time": begins.isoformat(),
                "end_time": (begins + timedelta(minutes=25)).isoformat(),
            }
        )
    ids: list[int] = []
    for first in range(0, count, 2000):
        answer = admin(url, "/events", {"events": events[first : first + 2000]})
        assert isinstance(answer, dict)
        ids += answer["ids"]
    soon = [(i, s) for i, s in zip(ids, starts, strict=True) if now + timedelta(minutes=10) <= s < now + CHANGED]
    return near, soon


def patch_event(url: str, event_id: int, body: dict[str, str]) -> None:
    request = urllib.request.Request(
        f"{url}/_emulator/events/{event_id}", data=json.dumps(body).encode(), method="PATCH"
    )
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10):
        pass


def cached_title(db: Path, event_id: int) -> str | None:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT title FROM events WHERE id = ?", (event_id,)).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def worst_minute(times: list[datetime]) -> int:
    """The most requests in any 60 seconds."""
    worst, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= timedelta(seconds=60):
            first += 1
        worst = max(worst, last - first + 1)
    return worst


def cached_starts(db: Path) -> list[datetime]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute("SELECT start_time FROM events").fetchall()
    except sqlite3.Error:
        return []  # the schema is still being created
    return [datetime.fromisoformat(row[0].replace("Z", "+00:00")) for row in rows]


def menu_lists_an_event(service: str) -> bool:
    """What a panel shows on a click: it says the menu is about to show (the app rebuilds it then), and reads it."""
    _gdbus("--dest", service, "--object-path", "/MenuBar", "--method", "com.canonical.dbusmenu.AboutToShow", "0")
    layout = _gdbus(
        "--dest", service, "--object-path", "/MenuBar", "--method", "com.canonical.dbusmenu.GetLayout",
        "--", "0", "-1", "@as []",
    )  # fmt: skip
    return "Meeting " in layout


def one_run(count: int, home: Path, timeout: float, change_every: float) -> Timeline:
    emulator, url = start_emulator()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    app = None
    try:
        now = datetime.now(UTC)
        near_events, soon = seed(url, count, now)
        timeline = Timeline(count, near_events)
        pending: tuple[int, str, float] | None = None  # event, new title, when
        changes = 0
        next_change = 0.0
        seeded = len(requests_seen(url))
        db = home / "data" / "klen-desktop" / "cache.sqlite3"
        started = time.perf_counter()
        app = subprocess.Popen(
            [*launch_command(), "--base-url", url], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        service = None
        while time.perf_counter() - started < timeout:
            if app.poll() is not None:
                raise RuntimeError(f"the app exited with {app.returncode}")
            elapsed = time.perf_counter() - started
            if service is None:
                service = tray_service(app.pid)
                if service is not None:
                    timeline.icon = elapsed
            if service is not None and timeline.first_visible is None and menu_lists_an_event(service):
                timeline.first_visible = elapsed
            starts = cached_starts(db)
            if starts and timeline.first_cached is None:
                timeline.first_cached = elapsed
            near = sum(1 for s in starts if now <= s < now + NEAR)
            if timeline.near_complete is None and near >= timeline.near_events:
                timeline.near_complete = elapsed
            timeline.cached_at_end = len(starts)
            if pending is not None and cached_title(db, pending[0]) == pending[1]:
                timeline.change_delays.append(time.perf_counter() - pending[2])
                pending = None
            if timeline.near_complete is not None and soon and elapsed >= next_change:
                if pending is not None:
                    timeline.changes_unseen += 1
                changes += 1
                event_id = soon[changes % len(soon)][0]
                title = f"Changed {changes}"
                patch_event(url, event_id, {"title": title})
                pending = (event_id, title, time.perf_counter())
                next_change = elapsed + change_every
            if len(starts) >= count and timeline.all_complete is None:
                timeline.all_complete = elapsed
            if timeline.all_complete is not None and len(timeline.change_delays) >= 3:
                break
            time.sleep(0.1 if timeline.near_complete is None or pending is not None else 1.0)
        entries = admin(url, "/requests")
        assert isinstance(entries, list)
        sent = entries[seeded:]
        timeline.requests = len(sent)
        timeline.worst_minute = worst_minute([datetime.fromisoformat(e["at"]) for e in sent])
        timeline.log = tuple(f"{e['at'][11:19]} {e['status']} {e['method']} {e['path']}?{e['query']}" for e in sent)
        return timeline
    finally:
        stop_processes(app, emulator)


def _s(value: float | None) -> str:
    return "   –   " if value is None else f"{value:6.1f} s"


def _whole(t: Timeline, timeout: float) -> str:
    if t.all_complete is not None:
        return _s(t.all_complete)
    return f"not within {timeout:.0f} s ({t.cached_at_end} of {t.events} cached)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[2000, 10000], help="calendar sizes")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the whole window")
    parser.add_argument("--change-every", type=float, default=90.0, help="seconds between edits of near events")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the app's requests of each run")
    args = parser.parse_args()
    if not in_desktop_session():
        return 2
    store_key(KEY)
    lines = []
    try:
        for count in args.events:
            with tempfile.TemporaryDirectory(prefix="klen-bench-first-sync-") as tmp:
                t = one_run(count, Path(tmp), args.timeout, args.change_every)
            fresh = t.change_delays
            line = (
                f"{t.events:6d} events ({t.near_events} in 48 h): icon {_s(t.icon)}, first visible in the tray "
                f"{_s(t.first_visible)} (cached {_s(t.first_cached)}), next 48 h complete {_s(t.near_complete)}, "
                f"whole window {_whole(t, args.timeout)}, {t.requests} requests, at most {t.worst_minute} in a "
                f"minute; near edits cached after {', '.join(f'{d:.0f}' for d in fresh) or '–'} s "
                f"(worst {max(fresh, default=float('nan')):.0f} s, {t.changes_unseen} not before the next edit)"
            )
            if args.verbose:
                print("\n".join(t.log))
            print(line, flush=True)
            lines.append(line)
    finally:
        store_key(None)
    print("first sync from an empty cache, key from the keyring, emulator in its own process:")
    for line in lines:
        print("  " + line)
    print(f"  load average after the runs: {os.getloadavg()[0]:.2f} (2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
