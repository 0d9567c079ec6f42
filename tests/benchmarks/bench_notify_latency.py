"""Benchmark of notification latency (run by ``make bench`` in the desktop session, not by the test suite).

1. Change to notification: an event is created on the emulator at a random moment of the poll cycle; the
   time until its notification reaches the notification server (seen on the session bus) is measured, with
   the poller running on its fast cadence. Budget: the poll interval plus one second.
2. Reminder on time: reminders due a few seconds ahead on the real clock; the delay between each due time
   and the scheduler firing it, and until the server received the notification. Budget: one second.

Usage: ``python tests/benchmarks/bench_notify_latency.py [--interval SECONDS] [--changes N] [--reminders N]``
(the app's fast cadence is ``SyncConfig.fast_interval``; a shorter interval gives the same bound sooner).
Needs the desktop session (``. /tmp/devsession/env`` or ``make bench``); without ``DBUS_SESSION_BUS_ADDRESS``
it says so and exits 0. Exits 1 when a figure misses its budget.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notify"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notify_support import NotifyCapture

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventStatus, EventSummary, EventType, format_utc
from klen_desktop.clock import SystemClock
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.notify.actions import NotificationActions
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.native import native_backend
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.scheduler import ReminderScheduler
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.reminder_log import ReminderLogRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.poller import Poller

KEY = "klen_bench_notify"


async def _noop(*_: object) -> None:
    return None


def quiet_actions() -> NotificationActions:
    def ignore(*_: object) -> None:
        return None

    return NotificationActions(
        open_url=ignore,
        open_event=ignore,
        open_agenda=ignore,
        snooze=_noop,
        dismiss=_noop,
        confirm=_noop,
        show_fallback=ignore,
        show_starting_now=ignore,
        tray_message=ignore,
    )


async def seen_at(capture: NotifyCapture, title: str, timeout: float) -> float:
    """``time.monotonic()`` when a notification titled ``title`` reached the server."""
    async with asyncio.timeout(timeout):
        while True:
            hit = next((s for s in capture.seen if s.summary == title), None)
            if hit is not None:
                return hit.at
            await asyncio.sleep(0.005)


async def bench_change_latency(interval: float, trials: int) -> float:
    server = EmulatorServer(seed="empty", keys=[ApiKeySpec(KEY, rpm=1_000_000)]).start()
    app_name = f"Klen bench {secrets.token_hex(3)}"
    clock = SystemClock()
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        config = SyncConfig(fast_interval=interval, slow_interval=max(interval, 300.0))
        async with KlenClient(server.url, KEY) as client, NotifyCapture(app_name) as capture:
            center = NotificationCenter(native_backend(app_name), clock, actions=quiet_actions())
            await center.start()
            budget = RequestBudget(clock, limit=1_000_000)
            poller = Poller(
                client, db, EventRepository(db), SyncStateRepository(db), clock, config, budget, OutboxRepository(db)
            )
            tasks: set[asyncio.Task[None]] = set()
            poller.subscribe(lambda changes: tasks.add(asyncio.ensure_future(center.on_changes(changes))))
            poller.set_fast("bench", True)
            runner = asyncio.ensure_future(poller.run())
            try:
                await asyncio.sleep(1.0)  # the baseline poll
                for n in range(trials):
                    await asyncio.sleep(random.uniform(0.0, interval))
                    title = f"Booked {n} {secrets.token_hex(2)}"
                    start = datetime.now(UTC) + timedelta(days=1)
                    created = time.monotonic()
                    server.admin.insert_events(
                        [
                            {
                                "title": title,
                                "start_time": format_utc(start),
                                "end_time": format_utc(start + timedelta(minutes=30)),
                            }
                        ]
                    )
                    shown = await seen_at(capture, f"New: {title}", interval * 2 + 10)
                    latencies.append(shown - created)
            finally:
                poller.stop()
                await asyncio.wait_for(runner, 10)
                await center.withdraw_all()
                await center.close()
        db.close()
    server.stop()
    worst = max(latencies)
    print(
        f"change on the emulator -> notification at the server, fast cadence {interval:g} s, {trials} changes: "
        f"median {statistics.median(latencies):.2f} s, worst {worst:.2f} s (budget {interval + 1:g} s)"
    )
    return worst - interval


async def bench_reminder_latency(count: int) -> float:
    app_name = f"Klen bench reminders {secrets.token_hex(3)}"
    clock = SystemClock()
    fired: list[tuple[Reminder, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        events = EventRepository(db)
        now = datetime.now(UTC)
        due = [now + timedelta(seconds=2 + 0.7 * i) for i in range(count)]
        events.upsert_summaries(
            EventSummary(
                id=i + 1,
                uuid=f"bench-{i}",
                title=f"Reminder {i} {secrets.token_hex(2)}",
                event_type=EventType.MEETING,
                status=EventStatus.CONFIRMED,
                start_time=d + timedelta(minutes=15),
                end_time=d + timedelta(minutes=45),
            )
            for i, d in enumerate(due)
        )
        scheduler = ReminderScheduler(db, events, ReminderLogRepository(db), clock, default_minutes=15)
        async with NotifyCapture(app_name) as capture:
            center = NotificationCenter(native_backend(app_name), clock, actions=quiet_actions())
            await center.start()
            tasks: set[asyncio.Task[None]] = set()

            def on_fire(reminder: Reminder) -> None:
                fired.append((reminder, time.monotonic()))
                tasks.add(asyncio.ensure_future(center.on_reminder(reminder)))

            scheduler.subscribe(on_fire)
            # Wall-clock due times to monotonic: one reading of both, taken together.
            wall0, mono0 = datetime.now(UTC), time.monotonic()
            runner = asyncio.ensure_future(scheduler.run())
            try:
                async with asyncio.timeout(count * 0.7 + 15):
                    while len(capture.seen) < count:
                        await asyncio.sleep(0.01)
            finally:
                scheduler.stop()
                await asyncio.wait_for(runner, 10)
                await center.withdraw_all()
                await center.close()
        db.close()
    fire_delays = [mono - (mono0 + (r.due_at - wall0).total_seconds()) for r, mono in fired]
    shown_delays = []
    for reminder, _ in fired:
        hit = next(s for s in capture.seen if s.summary == reminder.title)
        shown_delays.append(hit.at - (mono0 + (reminder.due_at - wall0).total_seconds()))
    worst = max(shown_delays)
    print(
        f"reminders on the real clock, {count} due: fired after their due time by median "
        f"{statistics.median(fire_delays) * 1000:.0f} ms (worst {max(fire_delays) * 1000:.0f} ms); at the "
        f"server after median {statistics.median(shown_delays) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
        "(budget 1000 ms)"
    )
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--interval", type=float, default=10.0, help="fast poll interval in seconds (default 10)")
    parser.add_argument("--changes", type=int, default=5, help="server changes to time (default 5)")
    parser.add_argument("--reminders", type=int, default=5, help="reminders to time (default 5)")
    args = parser.parse_args()
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print("skipped: needs the desktop session's D-Bus and notification server (DBUS_SESSION_BUS_ADDRESS unset)")
        return 0
    over = asyncio.run(bench_change_latency(args.interval, args.changes))
    late = asyncio.run(bench_reminder_latency(args.reminders))
    return 0 if over <= 1.0 and late <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
