"""The poller: runs :class:`WindowSync` on an adaptive cadence and publishes change sets and sync status.

Cadence: ``fast_interval`` while any fast reason is set (``set_fast("agenda", True)`` while the agenda is open)
or an event starts within ``config.soon``; ``slow_interval`` otherwise, cut short so the poll lands when the
next event enters the "soon" zone. ``poke(reason)`` polls at once: after a local write, on wake from sleep,
when the network comes back. Waits are sliced (``wait_slice``) so a wake from suspend is also noticed without a
poke; the app's core pokes on a wake itself and passes a long slice, so an idle app is not woken to look.
Errors back off exponentially up to ``backoff_cap``. A 429 pauses the shared budget for Retry-After (which also
lowers it, see :mod:`klen_desktop.sync.budget`) and the next poll simply waits for it: on a shared key this is
the expected way of giving way, so it is not shown as a sync error. Only polls refused for
``config.rate_limit_patience`` in a row are (phase ``rate_limited``, with what to do).
A 401 or 403 halts polling (phase ``auth_error`` / ``permission_error``) until :meth:`Poller.resume`: a wrong
key is not retried in a loop, pokes included. A halted poller still tries once every ``halted_recheck`` seconds
(15 minutes by default), so a key that was suspended and is restored on the server side (billing, an admin)
brings sync back by itself without hammering the API meanwhile.

A poll is announced as soon as its window is stored: the status turns idle with ``last_success`` and the
change listeners run, and only then are details read (they may wait for the request budget, see
:mod:`klen_desktop.sync.window_sync`). When details were read, the status is published once more with a new
``last_success`` and the poll's full request count, so whoever plans from details (the reminders) replans.

Listeners are plain callables run on the event loop; one that raises is logged and does not stop sync.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import KeyRejected, KlenError, PermissionMissing, RateLimited
from klen_desktop.clock import Clock
from klen_desktop.event_rules import OPEN_STATUSES
from klen_desktop.i18n import _
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.poll_outcome import limit_message, phase_for, warning_of
from klen_desktop.sync.ranges import Plan, SyncRange, Tier, due_ranges, next_due, next_hours
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.sync.waiting import sleep_or_wake
from klen_desktop.sync.window_sync import WindowSync

log = logging.getLogger(__name__)

# The longest single wait between polls unless told otherwise: a poller on its own notices a suspend within it.
# The app's core passes a long one and pokes the poller from its wake watch (klen_desktop.wake_watch) instead.
WAIT_SLICE = 30.0
# Waking this much later than a slice asked for means the machine slept (or the clock jumped forward).
_SUSPEND_GAP = 60.0


class Poller:
    """Change sync for one account. Create once; ``run()`` as a task; ``stop()`` to end it."""

    def __init__(
        self,
        client: KlenClient,
        db: Database,
        events: EventRepository,
        state: SyncStateRepository,
        clock: Clock,
        config: SyncConfig,
        budget: RequestBudget,
        outbox: OutboxRepository | None = None,
        *,
        wait_slice: float = WAIT_SLICE,
    ) -> None:
        self._wait_slice = wait_slice
        self._db = db
        self._events = events
        self._state = state
        self._clock = clock
        self._config = config
        self._budget = budget
        self._window = WindowSync(client, db, events, state, outbox or OutboxRepository(db), clock, config, budget)
        self._listeners: list[Callable[[ChangeSet], None]] = []
        self._status_listeners: list[Callable[[SyncStatus], None]] = []
        self._fast_reasons: set[str] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._failures = 0
        self._lock = asyncio.Lock()
        self._poked = True  # the first round reads the near days at once
        # Ranges last read before this are due at once, whatever their cadence (the user asked for a sync).
        self._stale_before: datetime | None = None
        self._looked = False  # a new cache's first request counts the window (WindowSync.first_look)
        self._now_read_at: datetime | None = None
        self._now_due: datetime | None = None  # when the next hours are read again: details do not delay it
        self._limited_since: datetime | None = None  # first 429 of polls refused in a row
        # What the last run stored (last sync, last error) is read by the first poll, not here: this runs on the
        # event loop while the cache may still be opening (a file another program locks holds that for seconds).
        self._status = SyncStatus()
        self._restored = False

    # -- observing ------------------------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    def subscribe(self, listener: Callable[[ChangeSet], None]) -> None:
        """``listener(changeset)`` after every poll that found changes (never for the baseline)."""
        self._listeners.append(listener)

    def subscribe_status(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` on every status change; called once at once with the current status."""
        self._status_listeners.append(listener)
        listener(self._status)

    async def _restore_status(self) -> None:
        """Show the status the last run stored, once, unless this run has already done something."""
        if self._restored:
            return
        self._restored = True
        stored = await self._db.run(self._state.get)
        if self._status.last_attempt is None and self._status.last_success is None:
            self._publish(
                last_success=stored.last_success,
                last_attempt=stored.last_attempt,
                last_error=stored.last_error_message,
                last_error_code=stored.last_error_code,
                next_poll=stored.next_poll,
            )

    def _publish(self, **changes: object) -> None:
        self._status = replace(self._status, **changes)  # type: ignore[arg-type]
        for listener in list(self._status_listeners):
            try:
                listener(self._status)
            except Exception:
                log.exception("a sync status listener failed")

    # -- controlling ----------------------------------------------------------------------------------------

    def set_fast(self, reason: str, on: bool) -> None:
        """Poll at the fast cadence while at least one reason is on (e.g. "agenda" while it is open)."""
        was_fast = bool(self._fast_reasons)
        if on:
            self._fast_reasons.add(reason)
        else:
            self._fast_reasons.discard(reason)
        if not was_fast and self._fast_reasons:
            self._wake.set()  # re-plan now: the pending slow wait is too long
        self._publish(fast=bool(self._fast_reasons))

    def poke(self, reason: str) -> None:
        """Poll at once (local write, wake from sleep, network back). Ignored while halted on a key problem."""
        if self._status.halted:
            log.info("sync poke (%s) ignored: %s", reason, self._status.last_error)
            return
        log.debug("sync poked: %s", reason)
        self._failures = 0
        self._poked = True
        self._budget.replan()  # a poll waiting for a request re-plans too: a wake may have freed the minute
        self._wake.set()

    def mark_window_stale(self) -> None:
        """Make every range of the window due: the next polls read it all again, the near days first and the rest
        as the budget allows (the user pressed Sync now and expects the whole calendar fresh, not only its next
        days)."""
        self._stale_before = self._clock.now()

    def resume(self) -> None:
        """Leave a halted state after the user changed the key or its permissions; polls at once."""
        if self._status.halted:
            self._publish(phase=SyncPhase.IDLE)
        self._failures = 0
        self._poked = True
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    # -- polling --------------------------------------------------------------------------------------------

    async def sync_once(self) -> ChangeSet:
        """One poll of the whole window now. Returns the changes (empty for the baseline); raises the client's
        error on failure.

        The window is announced (status, change listeners) before details are read; a key or permission error
        while reading details still fails the poll (and halts polling), although the window stays stored.
        """
        await self._restore_status()
        start, end = self._config.window(self._clock.now())
        return await self.sync_range(start, end)

    async def sync_range(
        self,
        start: date,
        end: date,
        *,
        first_look: bool = False,
        details: bool = True,
        hours: tuple[datetime, datetime] | None = None,
    ) -> ChangeSet:
        """:meth:`sync_once` for the days ``start`` to ``end`` of the window (``first_look``: a new cache's first
        request, see :meth:`WindowSync.first_look`; ``details`` False: none are read, not even with spare requests:
        the next days of a first sync come first; ``hours``: only the events starting within them)."""
        async with self._lock:
            started = self._clock.now()
            spent_before = self._budget.spent
            self._publish(phase=SyncPhase.SYNCING, last_attempt=started)
            try:
                if first_look:
                    result = await self._window.first_look()
                else:
                    result = await self._window.poll_range(start, end, hours)
            except KlenError as exc:
                await self._record_failure(exc, started)
                raise
            self._limited_since = None
            if not result.stored:
                self._publish(phase=SyncPhase.IDLE, last_poll_requests=result.requests)
                log.info("sync: the window holds %d events: the next hours first", result.events_in_window)
                return result.changes
            self._publish(
                phase=SyncPhase.IDLE,
                last_success=self._clock.now(),
                last_error=None,
                last_error_code=None,
                last_poll_requests=result.requests,
                skipped_events=len(result.rejected),
                warning=warning_of(result),
            )
            self._announce(result.changes)
            try:
                read = await self._window.details(result.changes, self._now_due) if details else 0
            except KlenError as exc:
                await self._record_failure(exc, started)
                raise
            requests = self._budget.spent - spent_before
            log.info(
                "sync %s..%s: %d events, %d changes, %d details, %d requests%s",
                start,
                end,
                result.events_in_window,
                len(result.changes),
                read,
                requests,
                " (baseline)" if result.baseline else "",
            )
            if read:
                self._publish(last_success=self._clock.now(), last_poll_requests=requests)
            elif requests != result.requests:
                self._publish(last_poll_requests=requests)  # detail reads that failed still cost requests
        return result.changes

    def _announce(self, changes: ChangeSet) -> None:
        if not changes:
            return
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:
                log.exception("a change listener failed")

    async def _record_failure(self, exc: KlenError, started: datetime) -> None:
        phase = phase_for(exc)
        code = getattr(exc, "code", None) or type(exc).__name__
        message = exc.message
        if isinstance(exc, RateLimited):
            self._budget.pause(exc.retry_after if exc.retry_after is not None else 60.0)
            if self._limited_since is None:
                self._limited_since = started
            shown = limit_message(exc, self._clock.now() - self._limited_since, self._config.rate_limit_patience)
            if shown is None:
                log.info("sync waits for the key's request limit: %s", message)
                self._publish(phase=SyncPhase.IDLE)
                return
            message = shown
        log.warning("sync failed (%s): %s", phase.value, message)
        self._publish(phase=phase, last_error=message, last_error_code=code)
        stored = await self._db.run(self._state.get)
        await self._db.run(
            self._state.put,
            replace(stored, last_attempt=started, last_error_code=code, last_error_message=message),
        )

    async def run(self) -> None:
        """Poll until :meth:`stop`. Cancellable; never raises the client's errors (they go to the status)."""
        self._stopping = False
        await self._restore_status()
        while not self._stopping:
            if self._status.halted:
                recheck = self._config.halted_recheck
                self._publish(next_poll=self._clock.now() + timedelta(seconds=recheck))
                if await sleep_or_wake(self._clock, recheck, self._wake) or self._stopping:
                    continue  # resumed (the key changed), stopped, or woken for another reason: re-plan
                log.info("sync halted on a key problem for %.0f s: trying the key once more", recheck)
            try:
                delay = await self.poll_due()
                self._failures = 0
            except (KeyRejected, PermissionMissing):
                continue
            except RateLimited as exc:
                # Not a failure to back off from: the budget's pause (and its lowered limit) is the slowdown.
                delay = max(1.0, exc.retry_after or 0.0, self._budget.wait_time())
            except KlenError:
                self._failures += 1
                delay = self._config.backoff(self._failures)
            except Exception as exc:  # a bug or a disk error: keep the loop alive, show it, back off
                log.exception("sync failed unexpectedly")
                self._failures += 1
                self._publish(
                    phase=SyncPhase.SERVER_ERROR, last_error=_("Sync failed unexpectedly: {error}").format(error=exc)
                )
                delay = self._config.backoff(self._failures)
            await self._wait(delay)

    async def _wait(self, delay: float) -> None:
        next_poll = self._clock.now() + timedelta(seconds=delay)
        self._publish(next_poll=next_poll)
        try:
            stored = await self._db.run(self._state.get)
            await self._db.run(self._state.put, replace(stored, next_poll=next_poll))
        except sqlite3.Error as exc:
            # Only informative (shown in Settings); a disk that refuses writes must not end the poller.
            log.warning("could not record the next poll time: %s", exc)
        # Sleep in slices and re-read the wall clock: a monotonic wait may stand still while the machine is
        # suspended, and a poll is due as soon as it wakes (the calendar may have changed in the meantime).
        while not self._stopping:
            before = self._clock.now()
            remaining = (next_poll - before).total_seconds()
            if remaining <= 0:
                return
            step = min(remaining, self._wait_slice)
            if await sleep_or_wake(self._clock, step, self._wake):
                return
            overslept = (self._clock.now() - before).total_seconds() - step
            if overslept > _SUSPEND_GAP:
                log.info("woke after %.0f s more than planned (suspend?): polling now", overslept)
                return

    async def poll_due(self) -> float:
        """Read every range of the window that is due (:mod:`klen_desktop.sync.ranges`), each stored and announced
        as it lands; returns the seconds until the next one falls due. The near days go first and at every poll;
        the other ranges only with requests the budget has to spare, so they never delay the near ones."""
        read_now = False
        short_of_budget = False
        cadence = await self._db.run(self._next_delay)
        while not self._stopping:
            plan = await self._window.plan()
            if not plan.synced and not self._looked:
                self._looked = read_now = True
                self._poked = False
                self._now_read_at = self._clock.now()
                window = self._config.window(self._now_read_at)
                try:
                    await self.sync_range(*window, first_look=True)
                except BaseException:
                    self._looked, self._poked = False, True  # the retry after the backoff looks again
                    raise
                continue
            rng, short_of_budget = self._next_range(plan, read_now, cadence)
            if rng is None:
                break
            if rng.tier is Tier.NOW:
                read_now = True
                self._poked = False
                self._now_read_at = self._clock.now()
                self._now_due = self._now_read_at + timedelta(seconds=cadence)
            # While the next two days are not all read, their pages go before any details.
            filling = any(r.tier is not Tier.FAR and plan.last_read(r) is None for r in plan.ranges)
            try:
                await self.sync_range(rng.start, rng.end, details=not filling, hours=rng.hours)
                if filling and rng.tier is Tier.NEAR:
                    await self._window.details(ChangeSet())  # spare requests only
            except BaseException:
                self._poked = True  # the retry after the backoff reads the near days again
                raise
        now = self._clock.now()
        since_now = (now - self._now_read_at).total_seconds() if self._now_read_at else 0.0
        delay = max(0.0, cadence - since_now)
        upcoming = next_due(await self._window.plan(), now, self._config, self._stale_before)
        if upcoming is not None:
            delay = min(delay, max(0.0, (upcoming - now).total_seconds()))
        if short_of_budget:
            # Wait for a request to come free (one period divided by the limit), not for the next poll.
            delay = max(delay, self._budget.period / self._budget.limit)
        return delay

    def _next_range(self, plan: Plan, read_now: bool, cadence: float) -> tuple[SyncRange | None, bool]:
        """The range to read next, and whether a due range waits for the budget. ``cadence``: seconds between
        two reads of the near days (fast, slow, or until the next event is soon)."""
        near = plan.ranges[0]
        if plan.never_read(near):
            return near, False
        if not read_now and self._now_is_due(cadence):
            return (next_hours(plan, self._clock.now(), self._config) if self._window.hours_readable else near), False
        for rng in due_ranges(plan, self._clock.now(), self._config, self._stale_before):
            first_fill = rng.tier is Tier.NEAR and plan.last_read(rng) is None
            if first_fill or self._budget.available() >= plan.estimated_pages(rng, self._config.page_size):
                return rng, False
            return None, True
        return None, False

    def _now_is_due(self, cadence: float) -> bool:
        if self._poked or self._now_read_at is None:
            return True
        return (self._clock.now() - self._now_read_at).total_seconds() >= cadence

    def _next_delay(self) -> float:
        """Seconds to the next poll when healthy: fast, slow, or when the next event becomes "soon"."""
        if self._fast_reasons:
            return self._config.fast_interval
        now = self._clock.now()
        for stored in self._events.upcoming(now, 20, statuses=OPEN_STATUSES):
            if stored.start_time < now:
                continue  # already running: its start cannot move our cadence
            until_soon = (stored.start_time - self._config.soon - now).total_seconds()
            if until_soon <= 0:
                return self._config.fast_interval
            return max(self._config.fast_interval, min(self._config.slow_interval, until_soon))
        return self._config.slow_interval
