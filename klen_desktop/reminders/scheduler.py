"""The reminder scheduler: sleeps until the next reminder is due, checks it is still real, and fires it.

It never polls: each pass computes the next due time from the store and sleeps until then (in slices of at
most ``max_sleep`` seconds, so a wall-clock jump or a suspend is noticed within that time even though the
event loop measures monotonic time). :meth:`ReminderScheduler.reschedule` wakes it at once; call it after
any sync change set or local edit, and it re-reads the store.

Before a reminder fires, its event is re-read through ``refresh`` (up to ``refresh_lead`` seconds early,
so the network round trip does not make it late): a cancelled, moved or reminder-disabled event is
stored and the reminder recomputed; an event the server no longer has is dropped; if the server cannot
be reached the reminder fires from the cache. Each reminder is recorded as fired *before* subscribers
are called, so a crash between the two loses a reminder rather than showing it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import Enum

from klen_desktop.api.errors import EventNotFound, KlenError
from klen_desktop.api.models import EventDetail
from klen_desktop.clock import Clock
from klen_desktop.reminders.due import (
    DEFAULT_LATE_AFTER,
    DEFAULT_REMIND_MINUTES,
    PLAN_AHEAD,
    DuePlan,
    KnownKey,
    MissedSummary,
    Reminder,
    due_reminders,
    reminder_due_at,
)
from klen_desktop.reminders.snooze import UNTIL_START, SnoozeChoice
from klen_desktop.store.db import Database
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import EventRepository
from klen_desktop.store.reminder_log import LogEntry, ReminderLogRepository, ReminderState

log = logging.getLogger(__name__)

Refresh = Callable[[int], Awaitable[EventDetail | None]]

_ERROR_RETRY_SECONDS = 30.0
# Log entries older than this are forgotten (at start-up) unless their event is still running.
LOG_RETENTION = timedelta(days=30)
# How far back a reminder shown before this start may lie and still have its escalation armed again: leads are
# minutes to hours; a day leaves room for long ones without reading the whole log's events.
SHOWN_BEFORE_LOOKBACK = timedelta(days=1)


class _Refreshed(Enum):
    GONE = "gone"
    UPDATED = "updated"
    UNREACHABLE = "unreachable"


class ReminderScheduler:
    """Fires reminders from the store at their due time; see the module docstring for the contract.

    ``refresh`` re-reads one event from the server: it returns the details, ``None`` or raises
    :class:`EventNotFound` when the event is gone, and raises another :class:`KlenError` when offline.
    Without it (demo without network, tests) reminders fire from the cache. ``default_minutes`` is the
    lead time for events whose details (and so reminder settings) were never fetched.
    """

    def __init__(
        self,
        db: Database,
        events: EventRepository,
        log: ReminderLogRepository,
        clock: Clock,
        *,
        refresh: Refresh | None = None,
        default_minutes: int = DEFAULT_REMIND_MINUTES,
        late_after: timedelta = DEFAULT_LATE_AFTER,
        refresh_lead: float = 3.0,
        refresh_timeout: float = 10.0,
        max_sleep: float = 60.0,
    ) -> None:
        self._db = db
        self._events = events
        self._log = log
        self._clock = clock
        self._refresh = refresh
        self._default_minutes = default_minutes
        self._late_after = late_after
        self._refresh_lead = refresh_lead if refresh is not None else 0.0
        self._refresh_timeout = refresh_timeout
        self._max_sleep = max_sleep
        self._subscribers: list[Callable[[Reminder], None]] = []
        self._summary_subscribers: list[Callable[[MissedSummary], None]] = []
        self._shown_before_subscribers: list[Callable[[Reminder], None]] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._running = False
        # Reminders (event id, fire time) already re-read for this showing; a snooze makes a new one.
        self._refreshed: set[tuple[int, datetime]] = set()
        # What the last plan knew before it came due. Every change to the cache replans at once, so a reminder
        # due now that the last plan did not hold was learnt of just now, not missed (see reminders/due.py).
        self._known: frozenset[KnownKey] | None = None
        self._known_until: datetime | None = None

    # ----- subscriptions and intentions -------------------------------------------------------------

    def subscribe(self, callback: Callable[[Reminder], None]) -> Callable[[], None]:
        """Call ``callback`` with each reminder fired; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def subscribe_summary(self, callback: Callable[[MissedSummary], None]) -> Callable[[], None]:
        """Call ``callback`` with each summary of reminders missed for events that already ended."""
        self._summary_subscribers.append(callback)
        return lambda: self._summary_subscribers.remove(callback) if callback in self._summary_subscribers else None

    def subscribe_shown_before(self, callback: Callable[[Reminder], None]) -> Callable[[], None]:
        """Call ``callback``, as :meth:`run` starts, with each reminder an earlier run showed whose event has not
        started yet and that nothing was done with (not snoozed, not dismissed). Such a reminder is never shown
        again; the app arms its Starting-now escalation again, which a restart between the reminder and the start
        of its event would otherwise lose."""
        self._shown_before_subscribers.append(callback)
        subscribers = self._shown_before_subscribers
        return lambda: subscribers.remove(callback) if callback in subscribers else None

    def reschedule(self) -> None:
        """Re-read the store and recompute the next due reminder now (after sync changes or local edits)."""
        self._wake.set()

    def stop(self) -> None:
        """Make :meth:`run` return at its next step; safe to call when not running."""
        self._stopping = True
        self._wake.set()

    async def snooze(self, event_id: int, due_at: datetime, choice: SnoozeChoice) -> datetime | None:
        """Show the reminder ``(event_id, due_at)`` again later; returns when, or ``None`` if it won't be.

        ``choice`` is a number of minutes (the UI offers :data:`SNOOZE_MINUTES`) or :data:`UNTIL_START`.
        Snoozing until a start that has already come is a dismissal: there is nothing left to wait for.
        Raises ``ValueError`` for a non-positive number of minutes.
        """
        now = self._clock.now()
        until: datetime | None
        if choice == UNTIL_START:
            stored = await self._db.run(self._events.get, event_id)
            until = stored.start_time if stored is not None and stored.start_time > now else None
        elif isinstance(choice, int) and not isinstance(choice, bool) and choice > 0:
            until = now + timedelta(minutes=choice)
        else:
            raise ValueError(f"snooze needs a positive number of minutes or {UNTIL_START!r}, got {choice!r}")
        if until is None:
            entry = LogEntry(event_id, due_at, ReminderState.DISMISSED)
        else:
            entry = LogEntry(event_id, due_at, ReminderState.SNOOZED, snoozed_until=until)
        await self._db.run(self._log.record, [entry], now)
        self.reschedule()
        return until

    async def dismiss(self, event_id: int, due_at: datetime) -> None:
        """Never show the reminder ``(event_id, due_at)`` (again), even across restarts."""
        entry = LogEntry(event_id, due_at, ReminderState.DISMISSED)
        await self._db.run(self._log.record, [entry], self._clock.now())
        self.reschedule()

    # ----- the loop ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Fire reminders until :meth:`stop` (or cancellation). Raises ``RuntimeError`` if already running.

        The first pass fires what was missed while the app was not running: late reminders for events
        still on, one summary for those that ended.
        """
        if self._running:
            raise RuntimeError("the reminder scheduler is already running")
        self._running = True
        self._stopping = False
        try:
            await self._prune()
            await self._tell_shown_before()
            while not self._stopping:
                try:
                    delay = await self._step()
                except DatabaseClosed:
                    log.info("reminder scheduler stopping: the cache was closed")
                    return
                except Exception:
                    # A failing pass must not end reminders for the session; the store may recover.
                    log.exception("reminder pass failed; retrying in %.0f s", _ERROR_RETRY_SECONDS)
                    delay = _ERROR_RETRY_SECONDS
                if not self._stopping:
                    await self._sleep(delay)
        finally:
            self._running = False

    async def _prune(self) -> None:
        now = self._clock.now()
        try:
            removed = await self._db.run(self._log.prune, now - LOG_RETENTION, now)
        except DatabaseClosed:
            raise
        except Exception:
            log.exception("could not prune the reminder log; it will be tried at the next start")
            return
        if removed:
            log.info("pruned %d old reminder log entries", removed)

    async def _tell_shown_before(self) -> None:
        if not self._shown_before_subscribers:
            return
        now = self._clock.now()
        try:
            shown = await self._db.run(self._shown_before, now)
        except DatabaseClosed:
            raise
        except Exception:
            log.exception("could not read the reminders shown before this start")
            return
        for reminder in shown:
            for callback in list(self._shown_before_subscribers):
                callback(reminder)

    def _shown_before(self, now: datetime) -> list[Reminder]:
        found: list[Reminder] = []
        for entry in self._log.all():
            if entry.state is not ReminderState.FIRED or not now - SHOWN_BEFORE_LOOKBACK <= entry.due_at <= now:
                continue
            event = self._events.get(entry.event_id)
            # Still this event's reminder (not moved, cancelled, given an outcome or switched off meanwhile).
            if (
                event is None
                or event.start_time <= now
                or reminder_due_at(event, self._default_minutes) != entry.due_at
            ):
                continue
            found.append(Reminder(event, entry.due_at, entry.fired_at or entry.due_at))
        return found

    async def _step(self) -> float:
        """One pass: handle what is due; return how long to sleep (0 to recompute at once)."""
        now = self._clock.now()
        plan = await self._db.run(self._plan, now, self._known, self._known_until)
        self._known, self._known_until = plan.known, plan.known_until
        keep = {(r.event_id, r.fire_at) for r in (*plan.fire, *plan.pending)}
        self._refreshed &= keep
        if plan.missed or plan.expired:
            await self._close_missed(plan, now)
        if plan.stale:
            stale = [LogEntry(r.event_id, r.due_at, ReminderState.DROPPED, fired_at=now) for r in plan.stale]
            await self._db.run(self._log.record, stale, now)
        for reminder in plan.fire:
            if self._stopping:
                return 0.0
            if not await self._fresh(reminder):
                return 0.0  # the store changed: recompute before firing anything else
            if not await self._fire(reminder):
                return 0.0  # its event changed id or went away since the plan: recompute
        if plan.fire:
            return 0.0
        for reminder in plan.pending:
            if (reminder.fire_at - now).total_seconds() > self._refresh_lead:
                break
            if not await self._fresh(reminder):
                return 0.0
        await self._db.run(self._log.set_watermark, now)
        return self._delay(plan, now)

    def _plan(self, now: datetime, known: frozenset[KnownKey] | None, known_until: datetime | None) -> DuePlan:
        watermark = self._log.watermark()
        since = now if watermark is None else min(now, watermark)
        plan_until = now + PLAN_AHEAD
        candidates = self._events.reminder_candidates(since, plan_until)
        entries = self._log.entries_for(e.id for e in candidates)
        return due_reminders(
            now,
            candidates,
            entries,
            default_minutes=self._default_minutes,
            missed_since=watermark,
            late_after=self._late_after,
            known=known,
            plan_until=plan_until,
            known_until=known_until,
        )

    def _delay(self, plan: DuePlan, now: datetime) -> float:
        nxt = plan.pending[0] if plan.pending else None
        if nxt is None:
            return self._max_sleep
        wake = nxt.fire_at
        if (nxt.event_id, nxt.fire_at) not in self._refreshed and self._can_refresh(nxt):
            wake -= timedelta(seconds=self._refresh_lead)
        return max(0.0, min((wake - now).total_seconds(), self._max_sleep))

    async def _sleep(self, seconds: float) -> None:
        if self._wake.is_set():
            self._wake.clear()
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            # Let both finish here rather than leave cancelled tasks pending on the loop.
            await asyncio.gather(sleeper, waker, return_exceptions=True)
            self._wake.clear()

    # ----- re-reading and firing ------------------------------------------------------------------

    def _can_refresh(self, reminder: Reminder) -> bool:
        return self._refresh is not None and not reminder.event.is_local

    async def _fresh(self, reminder: Reminder) -> bool:
        """Re-read the reminder's event unless done already; False when the store changed because of it."""
        key = (reminder.event_id, reminder.fire_at)
        if key in self._refreshed or not self._can_refresh(reminder):
            return True
        outcome = await self._reread(reminder.event_id)
        self._refreshed.add(key)
        if outcome is _Refreshed.GONE:
            entry = LogEntry(reminder.event_id, reminder.due_at, ReminderState.DROPPED)
            await self._db.run(self._log.record, [entry], self._clock.now())
            log.info("reminder for event %d dropped: the server no longer has the event", reminder.event_id)
            return False
        return outcome is _Refreshed.UNREACHABLE

    async def _reread(self, event_id: int) -> _Refreshed:
        assert self._refresh is not None
        try:
            detail = await asyncio.wait_for(self._refresh(event_id), timeout=self._refresh_timeout)
        except EventNotFound:
            return _Refreshed.GONE
        except (KlenError, TimeoutError) as exc:
            log.info("could not re-read event %d before its reminder (%s); using the cache", event_id, exc)
            return _Refreshed.UNREACHABLE
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug in the refresh path must not cost the user the reminder itself.
            log.exception("re-reading event %d before its reminder failed; using the cache", event_id)
            return _Refreshed.UNREACHABLE
        if detail is None:
            return _Refreshed.GONE
        await self._db.run(self._events.upsert_detail, detail, self._clock.now())
        return _Refreshed.UPDATED

    async def _fire(self, reminder: Reminder) -> bool:
        now = self._clock.now()
        entry = LogEntry(reminder.event_id, reminder.due_at, ReminderState.FIRED, fired_at=now)
        if not await self._db.run(self._record_if_current, entry, now):
            return False
        late = " (late)" if reminder.late else ""
        log.info("reminder for event %d due %s fired%s", reminder.event_id, reminder.due_at, late)
        for callback in list(self._subscribers):
            try:
                callback(reminder)
            except Exception:
                log.exception("a reminder subscriber failed")
        return True

    def _record_if_current(self, entry: LogEntry, now: datetime) -> bool:
        """Record ``entry`` unless its event is no longer cached under that id (a create got its server id)."""
        with self._db.transaction() as conn:
            if self._events.get(entry.event_id, conn=conn) is None:
                return False
            self._log.record([entry], now, conn=conn)
        return True

    async def _close_missed(self, plan: DuePlan, now: datetime) -> None:
        entries = [
            LogEntry(r.event_id, r.due_at, ReminderState.MISSED, fired_at=now) for r in (*plan.missed, *plan.expired)
        ]
        await self._db.run(self._log.record, entries, now)
        if not plan.missed:
            return
        summary = MissedSummary(plan.missed)
        log.info("%d reminders missed for events that already ended", summary.count)
        for callback in list(self._summary_subscribers):
            try:
                callback(summary)
            except Exception:
                log.exception("a missed-reminders subscriber failed")
