"""One connection's calendar as the user acts on it: every rule a user action goes through, with no Qt.

:class:`CalendarSession` wraps the running :class:`~klen_desktop.core.CoreServices` of one connection (one key
on one server, or the demo) and is the only way the UI, and later a command line, reach it. It decides what a
save is (a create, an edit, or the resend of a refused change), refuses an edit that changes nothing or a write
the key may not make, books a free slot, finds the next one, saves an event's calendar file, snoozes and
dismisses reminders, and says what the key may do. State changes come out as plain callbacks (``on_*``), run on
the event loop: nothing polls a table.

A save, from the editor's button to the request: the editor's draft reaches :meth:`CalendarSession.save`, which
queues it with :meth:`CoreServices.create` or :meth:`CoreServices.patch` (the cache and the outbox in one
transaction); the outbox sender (:mod:`klen_desktop.sync.outbox_sender`) sends it when the request budget allows and
publishes a drain report, which :meth:`wait_for_send` waits on to tell the editor whether it went, was refused
or is still queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from klen_desktop.api.models import Availability, AvailabilitySlot, EventPatch, EventStatus, EventSummary, EventType
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.drafts import EventDraft
from klen_desktop.event_rules import is_open, status_actions
from klen_desktop.i18n import _
from klen_desktop.records import record
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.session.files import write_atomically
from klen_desktop.session.fresh_details import FreshDetails
from klen_desktop.session.outcomes import (
    READ_ONLY_REASON,
    Access,
    Queued,
    SaveOutcome,
    SaveState,
    WriteRefused,
    daily_limit_wait,
)
from klen_desktop.store.events import Held, StoredEvent
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry, OutboxState
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.local_writes import OutboxError
from klen_desktop.sync.outbox_sender import DrainReport
from klen_desktop.sync.status import SyncPhase, SyncStatus

log = logging.getLogger(__name__)

# How long a save waits to hear that it reached the server (or was refused) before the rest is left to the outbox.
SEND_WAIT = 8.0
# How far "the next free slot" looks when none is left today.
LOOK_AHEAD_DAYS = 7


@record
class FreeSlots:
    """The first free slot later today, or, when there is none, the first one after today (None: none found)."""

    today: AvailabilitySlot | None = None
    later: AvailabilitySlot | None = None


class CalendarSession:
    """See the module docstring. Build around a core that has not started; :meth:`start` on the running loop."""

    def __init__(self, core: CoreServices, *, probe_access: bool = True) -> None:
        self._core = core
        self._probe_access = probe_access
        self.access = Access()
        self._access_listeners: list[Callable[[Access], None]] = []
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._tasks = BackgroundTasks(log, "a calendar session task failed")
        self._fresh = FreshDetails(core, self._tasks)
        core.on_drain(self._drained)
        core.on_status(self._status_seen)

    # -- what it is -------------------------------------------------------------------------------------

    @property
    def core(self) -> CoreServices:
        """The services underneath, for the composition root and tests; the UI goes through the methods here."""
        return self._core

    @property
    def config(self) -> CoreConfig:
        return self._core.config

    @property
    def demo(self) -> bool:
        return self._core.config.demo

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def status(self) -> SyncStatus:
        return self._core.poller.status

    @property
    def stopped(self) -> bool:
        return self._core.stopped

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the core's loops; then ask the server what the key may do (unless told not to)."""
        self._core.start()
        if self._probe_access:
            self._tasks.spawn(self._check_access())

    async def stop(self) -> None:
        """Stop the core (queued writes stay on disk) and the access check if it still runs."""
        self._tasks.cancel_all()
        for waiter in self._drain_waiters:
            waiter.cancel()
        await self._core.stop()

    # -- listening ---------------------------------------------------------------------------------------

    def on_changes(self, listener: Callable[[ChangeSet], None]) -> None:
        """``listener(changes)`` after every poll that found changes on the server."""
        self._core.on_changes(listener)

    def on_status(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` now and on every sync status change."""
        self._core.on_status(listener)

    def on_outbox_settled(self, listener: Callable[[DrainReport], None]) -> None:
        """``listener(report)`` after the outbox sent, parked or put off a queued change."""
        self._core.on_drain(listener)

    def on_reminder(self, listener: Callable[[Reminder], None]) -> None:
        self._core.on_reminder(listener)

    def on_reminder_shown_before(self, listener: Callable[[Reminder], None]) -> None:
        """``listener(reminder)`` for each reminder shown before this start whose event has not started."""
        self._core.on_reminder_shown_before(listener)

    def on_missed(self, listener: Callable[[MissedSummary], None]) -> None:
        """``listener(summary)`` when reminders were missed while the computer slept or the app was off."""
        self._core.reminders.subscribe_summary(listener)

    def on_interactive_wait(self, listener: Callable[[str, float], None]) -> None:
        """``listener(what, seconds)`` before a user's click waits for the request limit long enough to notice."""
        self._core.on_interactive_wait(listener)

    def on_details_refreshed(self, listener: Callable[[], None]) -> None:
        """``listener()`` after the details of events the user changed were read again from the server."""
        self._fresh.on_refreshed(listener)

    def on_access(self, listener: Callable[[Access], None]) -> None:
        """``listener(access)`` when what the key may do becomes known or changes."""
        self._access_listeners.append(listener)

    # -- reading -----------------------------------------------------------------------------------------

    async def all_events(self, held: Held | None = None) -> list[StoredEvent]:
        """Every cached event (the sync window and queued creates), or those ``held`` names, by start time."""
        return await self._core.all_cached(held)

    async def event_count(self) -> int:
        return await self._core.cached_count()

    async def starts_matching(self, keep: Callable[[EventSummary], bool]) -> list[datetime]:
        """The start of every cached event whose summary ``keep`` accepts (a search over every week)."""
        return await self._core.starts_matching(keep)

    async def outbox_entries(self) -> list[OutboxEntry]:
        return await self._core.outbox_entries()

    async def event(self, event_id: int) -> StoredEvent | None:
        return await self._core.event(event_id)

    async def fetch_detail(self, event_id: int) -> StoredEvent | None:
        """Read one event's details from the server into the cache (the user opened it)."""
        return await self._core.fetch_detail(event_id)

    # -- writes ------------------------------------------------------------------------------------------

    async def save(
        self, draft: EventDraft, base: StoredEvent | None = None, *, resend_seq: int | None = None
    ) -> Queued:
        """Queue a create (``draft.event_id`` None) or the edit of ``base`` (read from the cache when None).

        ``resend_seq``: the draft corrects an entry the server refused; that entry is sent again with the new
        content instead of a second one being queued. Raises :class:`WriteRefused` when the key may not write,
        the draft does not validate or the edit changes nothing; the caller keeps the draft.
        """
        queued = await self._queue(draft, base, resend_seq)
        self._fresh.watch(queued.seq)
        return queued

    async def _queue(self, draft: EventDraft, base: StoredEvent | None, resend_seq: int | None) -> Queued:
        self._check_writable()
        try:
            if draft.event_id is None:
                data = draft.to_input()
                if resend_seq is not None:
                    await self._core.resend(resend_seq, data.to_payload())
                    return Queued(resend_seq)
                return Queued(-(await self._core.create(data)))  # a create's local id is minus its seq
            original = base or await self._core.event(draft.event_id)
            if original is None:
                raise WriteRefused(_("This event is no longer in the calendar; it may have been deleted."))
            patch = draft.to_patch(original)
            if not patch.to_payload():
                raise WriteRefused(_("Nothing was changed."))
            if resend_seq is not None:
                await self._core.resend(resend_seq, patch.to_payload())
                seq = resend_seq
            else:
                seq = await self._core.patch(draft.event_id, patch, original)
        except (ValueError, OutboxError) as exc:
            raise WriteRefused(str(exc)) from None
        moved = patch.start_time is not None or patch.end_time is not None or patch.status is EventStatus.CANCELLED
        return Queued(seq, draft.event_id if moved else None)

    async def wait_for_send(self, seq: int, timeout: float = SEND_WAIT) -> SaveOutcome:
        """How a queued write fared within ``timeout`` seconds: sent, refused (with the server's words and field),
        or still queued (offline, rate-limited, or just slow: it goes on its own later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            settled = loop.create_future()  # before the read: a drain between the two is not missed
            self._drain_waiters.append(settled)
            try:
                outcome = _outcome(seq, await self._core.outbox_entry(seq), self.clock.now())
                remaining = deadline - loop.time()
                if outcome is not None:
                    return outcome
                if remaining <= 0:
                    return SaveOutcome(seq, SaveState.QUEUED)
                await asyncio.wait({settled}, timeout=remaining)
            finally:
                if settled in self._drain_waiters:
                    self._drain_waiters.remove(settled)

    async def change_status(self, event_id: int, status: EventStatus, base: StoredEvent | None = None) -> Queued:
        """Confirm, complete, mark as no-show, or cancel (without a reason; see :meth:`cancel`)."""
        self._check_writable()
        if status is EventStatus.CANCELLED:
            return await self.cancel(event_id, None)
        if status in (EventStatus.COMPLETED, EventStatus.NO_SHOW):
            # Whatever asked (a row, the pane, a notification), an outcome waits for the event to start.
            base = base or await self._core.event(event_id)
            refusal = None if base is None else status_actions(base.status, base.start_time, self.clock.now()).outcome
            if refusal is not None:
                raise WriteRefused(refusal)
        seq = await self._core.patch(event_id, EventPatch(status=status), base)
        self._fresh.watch(seq)
        # An outcome (completed, no-show) ends what still calls the user to it: its reminder, its Starting-now.
        return Queued(seq, None if is_open(status) else event_id)

    async def cancel(self, event_id: int, reason: str | None) -> Queued:
        """Cancel with the user's reason (the server appends it to the customer notes)."""
        self._check_writable()
        seq = await self._core.cancel(event_id, (reason or "").strip() or None)
        self._fresh.watch(seq)
        return Queued(seq, event_id)

    async def resend(self, seq: int) -> None:
        """Send a refused or held-back change again, as it is."""
        await self._core.resend(seq)
        self._fresh.watch(seq)

    async def discard(self, seq: int) -> None:
        """Drop a change that was not sent (the cache shows the server's version again)."""
        await self._core.discard(seq)

    async def book(self, start: datetime, end: datetime, title: str = "Busy") -> Queued:
        """Book ``[start, end)`` as a confirmed busy block (the tray's "next free 30 minutes")."""
        draft = EventDraft(title=title, start=start, end=end, event_type=EventType.BUSY, status=EventStatus.CONFIRMED)
        return await self.save(draft)

    def _check_writable(self) -> None:
        if self.access.read_only:
            raise WriteRefused(self.access.reason or _(READ_ONLY_REASON))

    # -- sync --------------------------------------------------------------------------------------------

    async def sync_now(self) -> None:
        """Poll at once, the whole window, and retry held-back sends (after a key fix too: a halted poller
        resumes)."""
        poller = self._core.poller
        poller.mark_window_stale()
        if poller.status.halted:
            poller.resume()
        else:
            poller.poke("user asked")
        await self._core.sender.retry_now()

    async def sync_once(self) -> None:
        """One complete poll, awaited (the smoke check and the command line)."""
        await self._core.poller.sync_once()

    def set_fast(self, reason: str, on: bool) -> None:
        """Poll at the fast cadence while ``reason`` holds (the agenda is open)."""
        self._core.poller.set_fast(reason, on)

    # -- free slots and files ----------------------------------------------------------------------------

    async def find_slots(self, start: date, end: date, duration: int) -> Availability:
        """Free slots from the server; raises :class:`KlenError` for the caller to show."""
        return await self._core.availability(start, end, duration)

    async def next_free_slot(self, now: datetime, minutes: int = 30) -> AvailabilitySlot | None:
        """The first free slot of ``minutes`` starting later today (local time), or None."""
        return (await self.free_slots_ahead(now, minutes)).today

    async def free_slots_ahead(self, now: datetime, minutes: int = 30) -> FreeSlots:
        """The first free slot of ``minutes`` later today (local time) and, when there is none, the first one in
        the next :data:`LOOK_AHEAD_DAYS` days, in one request."""
        today = now.astimezone().date()
        found = await self.find_slots(today, today + timedelta(days=LOOK_AHEAD_DAYS), minutes)
        ahead = sorted((slot for slot in found.available_slots if slot.start >= now), key=lambda slot: slot.start)
        first_today = next((slot for slot in ahead if slot.start.astimezone().date() == today), None)
        if first_today is not None:
            return FreeSlots(today=first_today)
        return FreeSlots(later=next((slot for slot in ahead if slot.start.astimezone().date() > today), None))

    async def save_ics(self, event_id: int, target: Path) -> Path:
        """Download the event's .ics (size-limited) and write it to ``target``, the file the user chose.

        The name is written as chosen: the save dialog has already asked about replacing that very file. The
        link to the file comes from the cached details when there are any (it does not change), so a save costs
        one request. Raises :class:`KlenError` (download), :class:`WriteRefused` or ``OSError`` (disk).
        """
        stored = await self._core.event(event_id)
        if stored is None or stored.detail is None or not stored.detail.ics_url:
            stored = await self._core.fetch_detail(event_id)
        if stored is None or stored.detail is None or not stored.detail.ics_url:
            raise WriteRefused(_("The server has no calendar file for this event."))
        data = await self._core.download_ics(stored.detail.ics_url)
        await asyncio.get_running_loop().run_in_executor(None, write_atomically, target, data)
        return target

    # -- reminders ---------------------------------------------------------------------------------------

    async def snooze(self, event_id: int, due_at: datetime, choice: SnoozeChoice) -> datetime | None:
        """Bring the reminder back later; returns when (None when the event starts before that)."""
        return await self._core.reminders.snooze(event_id, due_at, choice)

    async def dismiss(self, event_id: int, due_at: datetime) -> None:
        await self._core.reminders.dismiss(event_id, due_at)

    def replan_reminders(self) -> None:
        """Plan the reminders again at once (the zone, the day or the wall clock moved)."""
        self._core.reminders.reschedule()

    # -- the key -----------------------------------------------------------------------------------------

    async def _check_access(self) -> None:
        from klen_desktop.key_check import check_key

        try:
            result = await check_key(self._core.config.base_url, self._core.config.api_key)
        except Exception:  # the probe is advisory: writes still report their own refusal
            log.warning("could not check what the API key may do", exc_info=True)
            return
        if result.ok and not self._core.stopped:
            self._set_access(
                Access(can_write=result.can_write, reason=None if result.can_write else _(READ_ONLY_REASON))
            )

    def _status_seen(self, status: SyncStatus) -> None:
        if status.phase is SyncPhase.PERMISSION_ERROR:
            self._set_access(Access(can_write=False, reason=status.last_error or _(READ_ONLY_REASON)))

    def _set_access(self, access: Access) -> None:
        if access != self.access:
            self.access = access
            for listener in list(self._access_listeners):
                listener(access)

    def _drained(self, _report: DrainReport) -> None:
        self._fresh.drained()
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def _outcome(seq: int, entry: OutboxEntry | None, now: datetime) -> SaveOutcome | None:
    """What an outbox entry says of its save, or None while it is still on its way."""
    if entry is None or entry.state is OutboxState.DONE:
        return SaveOutcome(seq, SaveState.SENT)
    if entry.state in NEEDS_USER:
        return SaveOutcome(
            seq, SaveState.REFUSED, entry.error_message or _("The server refused the change."), entry.error_field
        )
    if entry.attempts and entry.state is OutboxState.PENDING and entry.error_message:
        waiting = daily_limit_wait(entry, now)
        return SaveOutcome(seq, SaveState.QUEUED, waiting or entry.error_message, waiting=waiting is not None)
    return None
