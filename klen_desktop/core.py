"""The core services of one connection (one API key on one server), built and run together. No Qt.

:class:`CoreServices` opens the store, builds the sync client, the request budgets (background and
interactive), the poller, the outbox sender and the reminder scheduler, and wires them: a drain that sent or
parked something pokes the poller (the server changed, read it back); every queued write wakes the outbox and
the reminders; every change set the poller publishes reschedules the reminders. ``start()`` runs the three
loops as tasks on the running event loop; ``stop()`` ends them, then closes the client and the store, so what
is queued stays on disk.

Demo and live data never share a file: demo mode caches into its own database (:func:`cache_path`), so a
sample calendar can never leak into, or be confused with, the user's real one.

The cache is opened by :func:`~klen_desktop.store.recovery.open_cache` on the database's own thread, so the
event loop never waits for the disk at start: a damaged file is set aside and rebuilt from the server, an
unusable folder gives an in-memory cache for the run; :meth:`CoreServices.cache_opened` says which, for the UI
to tell the user once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import EventNotFound, RateLimited
from klen_desktop.api.models import Availability, EventDetail, EventInput, EventPatch, EventSummary
from klen_desktop.api.retry import RetryPolicy
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock, SystemClock
from klen_desktop.clock_jumps import ClockJumpSignal
from klen_desktop.i18n import _
from klen_desktop.paths import data_dir, database_path
from klen_desktop.records import record
from klen_desktop.reminders.due import DEFAULT_REMIND_MINUTES, Reminder
from klen_desktop.reminders.scheduler import ReminderScheduler
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, Held, StoredEvent
from klen_desktop.store.outbox import OutboxEntry, OutboxRepository
from klen_desktop.store.recovery import CacheNotice, open_cache
from klen_desktop.store.reminder_log import ReminderLogRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import DEFAULT_LIMIT, DEFAULT_PERIOD, REMINDER_LIMIT, WRITE_RESERVE, RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.local_writes import LocalWrites
from klen_desktop.sync.outbox_sender import DrainReport, OutboxSender
from klen_desktop.sync.patience import patiently
from klen_desktop.sync.poller import Poller
from klen_desktop.sync.reconcile import OutboxReconciler
from klen_desktop.sync.send_failures import DEFAULT_RATE_LIMIT_WAIT
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.wake_watch import CHECK_EVERY, WakeWatch

log = logging.getLogger(__name__)

T = TypeVar("T")

DEMO_CACHE_NAME = "demo-cache.sqlite3"
# The sync layer has its own backoff and budget: the client only smooths over a single lost packet, and
# never waits out a long Retry-After in place (the poller and the outbox pause the shared budget instead).
SYNC_RETRY = RetryPolicy(max_attempts=2, total_budget=15.0, base_delay=0.5, max_delay=2.0, retry_after_cap=2.0)
# Interactive calls (availability, ICS) are what the user is waiting for: answer or fail fast.
INTERACTIVE_RETRY = RetryPolicy(max_attempts=2, total_budget=10.0, base_delay=0.3, max_delay=1.0, retry_after_cap=0.0)
ICS_MAX_BYTES = 1_000_000
# A wait for the request limit shorter than this passes unnoticed; a longer one is said before it starts.
NOTICEABLE_WAIT = 2.0
# The longest wait of the poller and the reminders: only a safety net, the wake watch re-plans them after a jump.
_LONG_WAIT = 600.0
STOP_TIMEOUT = 5.0


def cache_path(demo: bool) -> Path:
    """The cache database of a connection: the user's cache, or the demo's own file beside it."""
    return data_dir() / DEMO_CACHE_NAME if demo else database_path()


@record
class CoreConfig:
    """Everything the core of one connection needs. ``db_path`` None means :func:`cache_path`."""

    base_url: str
    api_key: str = field(repr=False)
    demo: bool = False
    sync: SyncConfig = field(default_factory=SyncConfig)
    default_reminder_minutes: int = DEFAULT_REMIND_MINUTES
    db_path: Path | str | None = None
    # Requests allowed per period, for the background (sync and outbox) and again for what the user asked for:
    # each a sixth of the key's default 60 a minute, as the user's agents and scripts share the key. Tests and
    # benchmarks that compress time raise it.
    request_budget: tuple[int, float] = (DEFAULT_LIMIT, DEFAULT_PERIOD)
    # How often the wake watch looks for a suspend or a stepped clock (klen_desktop.wake_watch): bounds how late
    # a reminder due during a suspend fires after the wake.
    wake_check_every: float = CHECK_EVERY
    # Let the kernel tell the wake watch about clock jumps and wakes (Linux, the system clock): no minute check.
    kernel_clock_signal: bool = True


class CoreServices:
    """The running core of one connection. Build, :meth:`start` on the event loop, :meth:`stop` once.

    The repositories are blocking: from the event loop use ``await core.db.run(core.events.window, ...)`` or
    the async helpers here. Listeners given to :meth:`on_changes`, :meth:`on_status`, :meth:`on_drain` and
    :meth:`on_reminder` run on the event loop.
    """

    def __init__(
        self, config: CoreConfig, *, clock: Clock | None = None, http: httpx.AsyncClient | None = None
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        # A damaged file, a full disk or a read-only folder never stops the start: see store/recovery.py. The
        # open runs on the database's thread; everything the core reads or writes queues behind it.
        self.cache_notice: CacheNotice | None = None
        self.db: Database = Database.opened_in_background(
            str(config.db_path) if config.db_path is not None else "", self._open_cache
        )
        try:
            self.events = EventRepository(self.db)
            self.state = SyncStateRepository(self.db)
            self.outbox = OutboxRepository(self.db)
            # Every 429 of either client, retried or not, makes the background give way (see sync/budget.py).
            self.client = KlenClient(
                config.base_url, config.api_key, http=http, retry=SYNC_RETRY, on_rate_limited=self._key_busy
            )
            self._interactive = KlenClient(
                config.base_url, config.api_key, http=http, retry=INTERACTIVE_RETRY, on_rate_limited=self._key_busy
            )
        except BaseException:
            self.db.close()
            raise
        limit, period = config.request_budget
        # A share of it is kept for the user's writes, so a cancel never waits behind a large poll's reads.
        self.budget = RequestBudget(self.clock, limit=limit, period=period, reserve=WRITE_RESERVE)
        # What the user is waiting for (details of a clicked event, free slots, an ICS file) has its own equal
        # share: clicking through events must not wait behind, or hold back, the background sync.
        self.interactive_budget = RequestBudget(self.clock, limit=limit, period=period)
        # Re-reads before reminders have their own small share, so a burst of reminders never delays a click.
        self.reminder_budget = RequestBudget(self.clock, limit=min(limit, REMINDER_LIMIT), period=period)
        # The poller and the reminders sleep until they are due; the wake watch alone looks for a suspend or a
        # stepped clock (told by the kernel where it can be, else one cheap check a minute) and makes both re-plan,
        # so an idle app is not woken to look.
        jumps = ClockJumpSignal.open() if isinstance(self.clock, SystemClock) and config.kernel_clock_signal else None
        self.wake_watch = WakeWatch(self.clock, every=config.wake_check_every, signal=jumps)
        self.poller = Poller(
            self.client,
            self.db,
            self.events,
            self.state,
            self.clock,
            config.sync,
            self.budget,
            self.outbox,
            wait_slice=_LONG_WAIT,
        )
        self.writes = LocalWrites(self.db, self.events, self.outbox, self.clock)
        reconcile = OutboxReconciler(self.db, self.events, self.outbox, self.writes, self.clock)
        self.sender = OutboxSender(self.client, self.db, self.outbox, reconcile, self.clock, self.budget, config.sync)
        self.reminders = ReminderScheduler(
            self.db,
            self.events,
            ReminderLogRepository(self.db),
            self.clock,
            refresh=self._refresh_for_reminder,
            default_minutes=config.default_reminder_minutes,
            max_sleep=_LONG_WAIT,
        )
        self.wake_watch.subscribe(self._woke)
        self.sender.subscribe(self._drained)
        self.poller.subscribe(lambda _changes: self.reminders.reschedule())
        # The baseline poll reports no changes, yet it may have filled an empty cache (first run, new account):
        # replan the reminders after every successful sync, not only after one with changes.
        self._last_sync: datetime | None = None
        self._wait_listeners: list[Callable[[str, float], None]] = []
        self._halted = False
        self._retry: asyncio.Task[None] | None = None
        self.poller.subscribe_status(self._synced)
        self._background = BackgroundTasks(log, "a core service stopped unexpectedly")
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = False

    def __repr__(self) -> str:
        return f"CoreServices(base_url={self.config.base_url!r}, demo={self.config.demo})"

    def _open_cache(self) -> Database:
        config = self.config
        opened = open_cache(config.db_path if config.db_path is not None else lambda: cache_path(config.demo))
        self.cache_notice = opened.notice
        return opened.db

    async def cache_opened(self) -> CacheNotice | None:
        """Wait until the cache is open; what opening it had to do (None when nothing)."""
        await asyncio.wrap_future(self.db.opened)
        return self.cache_notice

    # -- observing ---------------------------------------------------------------------------------------

    def on_changes(self, listener: Callable[[ChangeSet], None]) -> None:
        self.poller.subscribe(listener)

    def on_status(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` now and on every sync status change."""
        self.poller.subscribe_status(listener)

    def on_drain(self, listener: Callable[[DrainReport], None]) -> None:
        self.sender.subscribe(listener)

    def on_reminder(self, listener: Callable[[Reminder], None]) -> None:
        self.reminders.subscribe(listener)

    def on_reminder_shown_before(self, listener: Callable[[Reminder], None]) -> None:
        """``listener(reminder)`` as reminders start, for each one an earlier run showed whose event has not
        started (see :meth:`ReminderScheduler.subscribe_shown_before`)."""
        self.reminders.subscribe_shown_before(listener)

    def on_interactive_wait(self, listener: Callable[[str, float], None]) -> None:
        """``listener(what, seconds)`` before a click of the user's waits for the request limit long enough to
        notice, so the wait is said, not silent."""
        self._wait_listeners.append(listener)

    async def _interactive_turn(self, what: str | None) -> None:
        wait = self.interactive_budget.wait_time()
        self._say_wait(what, wait)
        await self.interactive_budget.acquire()

    def _say_wait(self, what: str | None, wait: float) -> None:
        if what is not None and wait >= NOTICEABLE_WAIT:
            for listener in self._wait_listeners:
                listener(what, wait)

    async def _clicked(self, what: str | None, call: Callable[[], Awaitable[T]]) -> T:
        """A request the user is waiting for: behind the interactive budget, and a 429 of a key others use too is
        waited out for its Retry-After within the click's patience (``sync/patience.py``)."""
        return await patiently(
            self.clock,
            lambda: self._interactive_turn(what),
            call,
            waiting=lambda wait: self._say_wait(what, wait),
        )

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not self._stopped

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called (the store may be closing or closed)."""
        return self._stopped

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the poller, the outbox and the reminders as tasks on the running loop (call once)."""
        if self._tasks or self._stopped:
            raise RuntimeError("core services are started once and not restarted; build new ones instead")
        self._tasks = [
            self._background.spawn(self.poller.run()),
            self._background.spawn(self.sender.run()),
            self._background.spawn(self.reminders.run()),
            self._background.spawn(self.wake_watch.run()),
        ]

    async def stop(self) -> None:
        """End the loops (waiting at most a few seconds for a request in flight), close client and store.

        An outbox entry interrupted while ``sending`` stays so on disk: the next start treats it as "may have
        reached the server" and checks before sending again. Safe to call twice.
        """
        if self._stopped:
            return
        self._stopped = True
        self.poller.stop()
        self.sender.stop()
        self.reminders.stop()
        self.wake_watch.stop()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.client.aclose()
        await self._interactive.aclose()
        # Closing waits for queued store work; keep the event loop free meanwhile.
        await asyncio.get_running_loop().run_in_executor(None, self.db.close)

    # -- the user's writes: queued in the outbox, then sent ----------------------------------------------

    async def create(self, data: EventInput) -> int:
        """Queue a create; returns the event's local (negative) id, shown in the cache at once."""
        local_id = await self.db.run(self.writes.enqueue_create, data)
        self._queued()
        return local_id

    async def patch(self, event_id: int, patch: EventPatch, base: StoredEvent | None = None) -> int:
        """Queue a partial edit (a status change too); ``base`` is the copy the user edited."""
        base_copy = None if base is None else (base.detail if base.detail_is_current else base.summary)
        seq = await self.db.run(self.writes.enqueue_patch, event_id, patch, base_copy)
        self._queued()
        return seq

    async def cancel(self, event_id: int, reason: str | None) -> int:
        seq = await self.db.run(self.writes.enqueue_cancel, event_id, reason or None)
        self._queued()
        return seq

    async def resend(self, seq: int, new_payload: Mapping[str, Any] | None = None) -> None:
        await self.db.run(self.writes.resend, seq, new_payload)
        self._queued()

    async def discard(self, seq: int) -> None:
        await self.db.run(self.writes.discard, seq)
        self.reminders.reschedule()

    def _queued(self) -> None:
        self.sender.wake()
        self.reminders.reschedule()

    def _synced(self, status: SyncStatus) -> None:
        if self._halted and not status.halted and status.phase is not SyncPhase.SYNCING:
            # The key works again (fixed by the user or restored on the server): what the outbox held back
            # for it goes now, not at the end of its long backoff.
            self._spawn_retry()
        if status.phase is not SyncPhase.SYNCING:
            self._halted = status.halted
        if status.last_success is not None and status.last_success != self._last_sync:
            self._last_sync = status.last_success
            self.reminders.reschedule()

    def _spawn_retry(self) -> None:
        if self._stopped or (self._retry is not None and not self._retry.done()):
            return
        self._retry = self._background.spawn(self.sender.retry_now())

    def _key_busy(self, exc: RateLimited) -> None:
        """A 429 of the key's per-minute limit, met by sync or by a click, retried or not: the key is shared and
        busy, so the background pauses and lowers its limit. A click that met it waits its Retry-After (the user is
        told) and the interactive budget is never lowered; sync giving way is what lets the click through."""
        self.budget.pause(exc.retry_after if exc.retry_after is not None else DEFAULT_RATE_LIMIT_WAIT)

    def _woke(self, _moved: float) -> None:
        self.poller.poke("woke from sleep, or the clock moved")
        self.reminders.reschedule()

    def _drained(self, report: DrainReport) -> None:
        if report.sent:
            self.poller.poke("local write")
        self.reminders.reschedule()

    # -- reads ----------------------------------------------------------------------------------------------

    async def events_between(self, start: datetime, end: datetime) -> list[StoredEvent]:
        """Cached events overlapping ``[start, end)``, by start time."""
        return await self.db.run(self.events.between, start, end)

    async def all_cached(self, held: Held | None = None) -> list[StoredEvent]:
        """Every cached event (the sync window plus queued creates), or those ``held`` names, by start time."""
        if held is None:
            return await self.db.run(self.events.everything)
        return await self.db.run(self.events.held, held)

    async def cached_count(self) -> int:
        """How many events the cache holds."""
        return await self.db.run(self.events.count)

    async def starts_matching(self, keep: Callable[[EventSummary], bool]) -> list[datetime]:
        """The start of every cached event whose summary ``keep`` accepts."""
        return await self.db.run(self.events.starts_matching, keep)

    async def event(self, event_id: int) -> StoredEvent | None:
        return await self.db.run(self.events.get, event_id)

    async def outbox_entries(self) -> list[OutboxEntry]:
        return await self.db.run(self.outbox.active)

    async def outbox_entry(self, seq: int) -> OutboxEntry | None:
        return await self.db.run(self.outbox.get, seq)

    async def fetch_detail(self, event_id: int, *, quiet: bool = False) -> StoredEvent | None:
        """Read one event's details from the server into the cache (the detail pane asked for it). ``quiet``:
        no one clicked for it, so a wait for the request limit is not announced."""
        detail = await self._refresh_event(event_id, announce=None if quiet else _("Loading the event's details"))
        if detail is not None:
            await self.db.run(self.events.upsert_detail, detail, self.clock.now())
        return await self.event(event_id)

    async def availability(self, start: date, end: date, duration: int) -> Availability:
        return await self._clicked(
            _("Finding free slots"),
            lambda: self._interactive.availability(start_date=start, end_date=end, duration=duration),
        )

    async def download_ics(self, ics_url: str) -> bytes:
        return await self._clicked(
            _("Saving the calendar file"), lambda: self._interactive.download_ics(ics_url, max_bytes=ICS_MAX_BYTES)
        )

    async def _refresh_event(self, event_id: int, announce: str | None = None) -> EventDetail | None:
        if event_id < 0:
            return None  # a queued create: the server does not know it yet
        try:
            return await self._clicked(announce, lambda: self._interactive.get_event(event_id))
        except EventNotFound:
            return None

    async def _refresh_for_reminder(self, event_id: int) -> EventDetail | None:
        """The re-read just before a reminder fires, behind the reminders' own budget (the scheduler bounds the
        wait and fires from the cache when it runs out)."""
        if event_id < 0:
            return None
        await self.reminder_budget.acquire()
        try:
            return await self._interactive.get_event(event_id)
        except EventNotFound:
            return None
