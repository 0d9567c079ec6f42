"""Child process of the kill -9 test: the app's core (poller, outbox sender, reminders) on a real cache file.

Usage: ``python core_worker.py DB_PATH BASE_URL API_KEY``. It opens (and on a new file migrates) the cache,
runs the three loops together against the server, and exits 0 once the outbox holds nothing and a poll has
completed after that. The parent SIGKILLs it at random moments before that.

The parts are wired as :class:`klen_desktop.core.CoreServices` wires them (a drain that sent pokes the poller,
every change set and drain reschedules the reminders), but built here because the core's own request budget
(10 requests a minute) would make a run of a few hundred events take minutes; the budget is not under test.
No Qt is imported: a start-up costs about half a second, most of it httpx and asyncio.

Phase markers go to stdout, one line each, written unbuffered (``os.write``) so the parent sees every line
written before the kill: ``open`` (opening and migrating the store), ``page`` (a list request in flight),
``read`` (a details request in flight), ``apply`` (the poll's window transaction), ``send`` (a write request
in flight), ``reconcile`` (the transaction storing a write's answer), ``between`` (anything else), plus
``fired <due_at> <title>`` for each reminder shown, ``news <kind> <id> <title>`` for each change a poll
reports as made elsewhere (what the app would announce), and ``done`` at a clean exit. The markers need hooks the
sync layer does not offer, so the worker wraps three of its private methods (named below); a rename there
makes the worker fail loudly with AttributeError, not pass silently.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import EventNotFound, KlenError
from klen_desktop.api.models import EventDetail, EventInput, EventPatch
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.clock import SystemClock
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.scheduler import ReminderScheduler
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.reminder_log import ReminderLogRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.local_writes import LocalWrites
from klen_desktop.sync.outbox_sender import OutboxSender
from klen_desktop.sync.poller import Poller
from klen_desktop.sync.reconcile import OutboxReconciler

T = TypeVar("T")

# Fast cadence and short backoff: a run lasts about a second, so every phase comes up within it.
CONFIG = SyncConfig(
    fast_interval=0.2,
    slow_interval=0.2,
    backoff_base=0.05,
    backoff_cap=0.2,
    outbox_backoff_base=0.05,
    outbox_backoff_cap=0.2,
)
IDLE_TIMEOUT = 60.0
EXIT_NOT_IDLE = 3


def mark(line: str) -> None:
    """One marker line, straight to the pipe: no buffer can hold it back when the kill comes."""
    os.write(1, (line + "\n").encode())


async def _in_phase(phase: str, call: Callable[[], Any]) -> Any:
    mark(phase)
    try:
        return await call()
    finally:
        mark("between")


def _marked_sync(phase: str, fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any) -> T:
        mark(phase)
        try:
            return fn(*args)
        finally:
            mark("between")

    return wrapper


class MarkedClient(KlenClient):
    """The real client; each request is announced by the phase it belongs to."""

    async def list_events(self, **kwargs: Any) -> Any:
        return await _in_phase("page", lambda: super(MarkedClient, self).list_events(**kwargs))

    async def get_event(self, event_id: int | str) -> EventDetail:
        detail: EventDetail = await _in_phase("read", lambda: super(MarkedClient, self).get_event(event_id))
        return detail

    async def create_event(self, data: EventInput) -> Any:
        return await _in_phase("send", lambda: super(MarkedClient, self).create_event(data))

    async def update_event(self, event_id: int | str, patch: EventPatch) -> Any:
        return await _in_phase("send", lambda: super(MarkedClient, self).update_event(event_id, patch))

    async def replace_event(self, event_id: int | str, data: EventInput) -> Any:
        return await _in_phase("send", lambda: super(MarkedClient, self).replace_event(event_id, data))

    async def cancel_event(self, event_id: int | str, reason: str | None = None) -> Any:
        return await _in_phase("send", lambda: super(MarkedClient, self).cancel_event(event_id, reason))


def _fired(reminder: Reminder) -> None:
    mark(f"fired {reminder.due_at.isoformat()} {reminder.title}")


def _news(changes: ChangeSet) -> None:
    for change in changes.remote:
        mark(f"news {change.kind.value} {change.event.id} {change.event.title}")


async def _until_idle(db: Database, outbox: OutboxRepository, poller: Poller, clock: SystemClock) -> bool:
    """Wait until the outbox is empty, then read the whole window once (the background loop reads the far
    days only every ``far_refresh``); False on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + IDLE_TIMEOUT
    while loop.time() < deadline:
        if not await db.run(outbox.active):
            try:
                # Begun after the last reconcile, so no event is left to the outbox: the store as it settles.
                await asyncio.wait_for(poller.sync_once(), max(0.1, deadline - loop.time()))
            except (KlenError, TimeoutError):
                await asyncio.sleep(0.05)
                continue
            if not await db.run(outbox.active):
                return True
        await asyncio.sleep(0.05)
    return False


async def run(db_path: str, url: str, key: str) -> int:
    clock = SystemClock()
    mark("open")
    db = Database(db_path)
    mark("between")
    events = EventRepository(db)
    outbox = OutboxRepository(db)
    budget = RequestBudget(clock, limit=100_000)
    async with MarkedClient(url, key, retry=NO_RETRY, timeout=5.0) as client:

        async def refresh(event_id: int) -> EventDetail | None:
            if event_id < 0:
                return None  # a queued create: the server does not know it yet
            try:
                return await client.get_event(event_id)
            except EventNotFound:
                return None

        poller = Poller(client, db, events, SyncStateRepository(db), clock, CONFIG, budget, outbox)
        writes = LocalWrites(db, events, outbox, clock)
        reconcile = OutboxReconciler(db, events, outbox, writes, clock)
        runner = OutboxSender(client, db, outbox, reconcile, clock, budget, CONFIG)
        reminders = ReminderScheduler(db, events, ReminderLogRepository(db), clock, refresh=refresh, max_sleep=0.5)
        # Private hooks (see the module docstring): the poll's one window transaction and the outbox's
        # reconcile transactions, both run through Database.run, which looks the method up on the instance.
        window = poller._window
        window._apply_window = _marked_sync("apply", window._apply_window)  # type: ignore[method-assign]
        reconcile.created = _marked_sync("reconcile", reconcile.created)  # type: ignore[method-assign]
        reconcile.edited = _marked_sync("reconcile", reconcile.edited)  # type: ignore[method-assign]

        def drained(report: Any) -> None:
            if report.sent:
                poller.poke("local write")
            reminders.reschedule()

        runner.subscribe(drained)
        poller.subscribe(lambda _changes: reminders.reschedule())
        poller.subscribe(_news)
        reminders.subscribe(_fired)
        tasks = [asyncio.ensure_future(c) for c in (poller.run(), runner.run(), reminders.run())]
        try:
            idle = await _until_idle(db, outbox, poller, clock)
        finally:
            poller.stop()
            runner.stop()
            reminders.stop()
            _done, pending = await asyncio.wait(tasks, timeout=5.0)
            for task in pending:
                task.cancel()
    db.close()
    if not idle:
        print(f"the outbox did not drain within {IDLE_TIMEOUT:.0f} s", file=sys.stderr)
        return EXIT_NOT_IDLE
    mark("done")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3])))
