"""The one bridge between Qt and the core services: state out as Qt signals, the user's intentions in.

Out: :attr:`Controller.events` (every cached event, newest snapshot), :attr:`status`, :attr:`outbox`,
:attr:`access` and :attr:`dnd_until`, each announced by a signal after it changed. In: intention slots (the
``@intention`` methods) that queue writes in the outbox, run a sync, search availability, save an ICS file,
test, save and forget the API key, resend or discard held-back changes. Intentions never raise into Qt:
what went wrong is announced on :attr:`notice` as a title and a message the user can act on.

Store reads go through ``Database.run`` (a worker thread), so the UI never waits on disk. The controller
holds no widgets: the composition root (``app.py``) connects windows to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from klen_desktop.api.errors import KlenError
from klen_desktop.api.models import Availability, AvailabilitySlot, EventPatch, EventStatus, EventType
from klen_desktop.core import CoreServices
from klen_desktop.drafts import EventDraft
from klen_desktop.reminders.due import Reminder
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.store.errors import DatabaseClosed, StoreError
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry, OutboxState
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.outbox import DrainReport
from klen_desktop.sync.outbox_queue import OutboxError
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.timezone_watch import TimeChange, TimeWatch
from klen_desktop.ui.intentions import (
    READ_ONLY_REASON,
    Access,
    SaveOutcome,
    SaveState,
    WriteRefused,
    intention,
    write_atomically,
)

log = logging.getLogger(__name__)

Connect = Callable[[str | None], Awaitable[CoreServices]]
# How long the editor waits to hear that a save reached the server (or was refused) before it closes and
# leaves the rest to the outbox.
SEND_WAIT = 8.0
SEND_POLL = 0.1
# How long shutdown waits for cancelled work to unwind before closing the core under it.
SHUTDOWN_WAIT = 2.0
# How often the local zone, the local day and the wall clock are checked: nothing announces a change of zone
# to a running process, and a wake from sleep is only seen as a jump of the wall clock.
TIME_CHECK_MS = 30_000


class Controller(QObject):
    """See the module docstring. Build with the first core; :meth:`start` once the loop runs."""

    events_changed = Signal()
    status_changed = Signal(object)  # SyncStatus
    outbox_changed = Signal(object)  # tuple[OutboxEntry, ...]
    reminder_due = Signal(object)  # Reminder
    notice = Signal(str, str)  # title, message
    access_changed = Signal(object)  # Access
    dnd_changed = Signal(object)  # datetime | None
    connection_changed = Signal()  # a new core (demo <-> live) replaced the old one
    detail_loaded = Signal(object)  # StoredEvent
    key_tested = Signal(object)  # KeyCheck
    # The user cancelled or moved this event here: what still describes it as it was is withdrawn.
    changed_here = Signal(int)
    # The local zone, the local day or the wall clock moved (a TimeChange): local times, "today" and "next" are
    # stale. ``events_changed`` follows it, so whatever renders the events re-renders them.
    time_changed = Signal(object)

    def __init__(
        self,
        core: CoreServices,
        *,
        connect: Connect | None = None,
        key_store: KeyStore | None = None,
        live_base_url: str | None = None,
        probe_access: bool = True,
    ) -> None:
        super().__init__()
        self._core = core
        self._connect = connect
        self._keys = key_store or KeyStore()
        self._live_base_url = live_base_url or core.config.base_url
        self._probe_access = probe_access
        self.events: tuple[StoredEvent, ...] = ()
        self.outbox: tuple[OutboxEntry, ...] = ()
        self.status = SyncStatus()
        self.access = Access()
        self.dnd_until: datetime | None = None
        self._reload_task: asyncio.Task[None] | None = None
        self._reload_again = False
        self._loaded_after_sync = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._time_watch = TimeWatch(lambda: self._core.clock.now())
        self._time_timer = QTimer(self)
        self._time_timer.setInterval(TIME_CHECK_MS)
        self._time_timer.timeout.connect(self.check_time)

    # -- lifecycle --------------------------------------------------------------------------------------

    @property
    def core(self) -> CoreServices:
        return self._core

    @property
    def demo(self) -> bool:
        return self._core.config.demo

    def start(self) -> None:
        """Hook into the core, start it, and load the cache (call on the running loop)."""
        self._hook(self._core)
        self._core.start()
        self.request_reload()
        self._time_timer.start()
        if self._probe_access:
            self._spawn(self._check_access())

    async def shutdown(self) -> None:
        """Stop the core (queued writes stay on disk) and any work in flight."""
        self._time_timer.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if self._reload_task is not None:
            self._reload_task.cancel()
        # Let the cancelled reads unwind before the core closes their HTTP client under them.
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT)
        await self._core.stop()

    async def replace_core(self, core: CoreServices) -> None:
        """Switch to another connection (a key was saved or forgotten): stop the old core, start the new."""
        old, self._core = self._core, core
        await old.stop()
        self.events, self.outbox, self.access = (), (), Access()
        self._loaded_after_sync = False
        self.start()
        self.connection_changed.emit()
        self.access_changed.emit(self.access)

    def _hook(self, core: CoreServices) -> None:
        core.on_changes(self._on_changes)
        core.on_status(self._on_status)
        core.on_drain(self._on_drain)
        core.on_reminder(self._on_reminder)
        core.on_interactive_wait(self._on_interactive_wait)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _own_current_task(self) -> None:
        """Have :meth:`shutdown` cancel and await the running intention (a slot's task is not ours otherwise)."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- core -> Qt ------------------------------------------------------------------------------------

    def _on_changes(self, _changes: ChangeSet) -> None:
        self.request_reload()

    def _on_drain(self, _report: DrainReport) -> None:
        self.request_reload()

    def _on_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)
        # The baseline poll reports no changes; the cache still has to be shown once it is in.
        if status.phase is SyncPhase.IDLE and status.last_success is not None and not self._loaded_after_sync:
            self._loaded_after_sync = True
            self.request_reload()
        if status.phase is SyncPhase.PERMISSION_ERROR:
            self._set_access(Access(can_write=False, reason=status.last_error or READ_ONLY_REASON))

    def _on_interactive_wait(self, what: str, seconds: float) -> None:
        self.notice.emit(
            "Waiting for Klen's request limit",
            f"{what} in about {round(seconds)} s: Klen answers only so many requests a minute.",
        )

    def _on_reminder(self, reminder: Reminder) -> None:
        if self.dnd_active():
            log.info("reminder for event %d held back: do not disturb", reminder.event_id)
            return
        self.reminder_due.emit(reminder)

    def request_reload(self) -> None:
        """Re-read events and outbox from the store (coalesced: at most one read runs, one more follows)."""
        if self._reload_task is not None and not self._reload_task.done():
            self._reload_again = True
            return
        self._reload_task = asyncio.ensure_future(self._reload())

    async def reload(self) -> None:
        """Re-read now and wait for it (tests and the first paint)."""
        self.request_reload()
        while self._reload_task is not None and not self._reload_task.done():
            await asyncio.shield(self._reload_task)

    async def _reload(self) -> None:
        while True:
            self._reload_again = False
            core = self._core
            try:
                events = await core.all_cached()
                outbox = await core.outbox_entries()
            except DatabaseClosed:
                return  # the core was replaced or stopped meanwhile; the new one reloads itself
            except RuntimeError:
                if core.stopped:
                    return  # its store's worker was shut down between our check and the read
                raise
            if core is not self._core:
                return
            self.events = tuple(events)
            changed_outbox = tuple(outbox) != self.outbox
            self.outbox = tuple(outbox)
            self.events_changed.emit()
            if changed_outbox:
                self.outbox_changed.emit(self.outbox)
            if not self._reload_again:
                return

    def check_time(self) -> TimeChange:
        """Re-read the local zone and compare the clock with the last check (the timer calls this; so may
        anything that has a reason to think time moved). On a change, ``time_changed`` then ``events_changed``
        are emitted and the reminder scheduler re-plans at once rather than at the end of its sleep slice."""
        change = self._time_watch.check()
        if change:
            log.info("time changed (%s): refreshing local times", change)
            self._core.reminders.reschedule()
            self.time_changed.emit(change)
            # A read still under way announces the events itself; announcing the empty snapshot before the
            # first read would show "no events" instead of "loading".
            if self._reload_task is not None and self._reload_task.done():
                self.events_changed.emit()
        return change

    # -- reading -----------------------------------------------------------------------------------------

    def cached_event(self, event_id: int) -> StoredEvent | None:
        """The event from the newest snapshot (no disk read)."""
        for stored in self.events:
            if stored.id == event_id:
                return stored
        return None

    def upcoming(self, now: datetime, limit: int) -> list[StoredEvent]:
        """Scheduled or confirmed events not yet ended, soonest first."""
        active = (EventStatus.SCHEDULED, EventStatus.CONFIRMED)
        found = [e for e in self.events if e.end_time > now and e.status in active]
        return sorted(found, key=lambda e: (e.start_time, e.id))[:limit]

    def pending_count(self) -> int:
        return len(self.outbox)

    @intention(int)
    async def load_detail(self, event_id: int) -> None:
        """Fetch one event's details for the detail pane; ``detail_loaded`` answers."""
        self._own_current_task()
        with self._reported("Could not load the event's details"):
            stored = await self._core.fetch_detail(event_id)
            if stored is not None:
                self.detail_loaded.emit(stored)
                self.request_reload()

    # -- writes ------------------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.access.read_only:
            raise WriteRefused(self.access.reason or READ_ONLY_REASON)

    async def save_draft(
        self, draft: EventDraft, base: StoredEvent | None = None, *, resend_seq: int | None = None
    ) -> int:
        """Queue a create (``draft.event_id`` None) or the edit of ``base``; returns the outbox seq.

        ``resend_seq``: the draft corrects an entry the server refused; it is sent again with the new content
        instead of being queued a second time. Raises :class:`WriteRefused` when the key may not write, the
        draft does not validate or the edit changes nothing. The editor shows it; the draft is kept.
        """
        self._check_writable()
        try:
            if draft.event_id is None:
                data = draft.to_input()
                if resend_seq is not None:
                    await self._core.resend(resend_seq, data.to_payload())
                    seq = resend_seq
                else:
                    seq = -(await self._core.create(data))  # a create's local id is minus its seq
            else:
                original = base or await self._core.event(draft.event_id)
                if original is None:
                    raise WriteRefused("This event is no longer in the calendar; it may have been deleted.")
                patch = draft.to_patch(original)
                if not patch.to_payload():
                    raise WriteRefused("Nothing was changed.")
                if resend_seq is not None:
                    await self._core.resend(resend_seq, patch.to_payload())
                    seq = resend_seq
                else:
                    seq = await self._core.patch(draft.event_id, patch, original)
                if patch.start_time is not None or patch.end_time is not None or patch.status is EventStatus.CANCELLED:
                    self.changed_here.emit(draft.event_id)
        except (ValueError, OutboxError) as exc:
            raise WriteRefused(str(exc)) from None
        self.request_reload()
        return seq

    async def wait_for_send(self, seq: int, timeout: float = SEND_WAIT) -> SaveOutcome:
        """How a queued write fared within ``timeout`` seconds: sent, refused (with the server's words and
        field), or still queued (offline, rate-limited, or just slow: it will go on its own later)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            entry = await self._core.db.run(self._core.outbox.get, seq)
            if entry is None or entry.state is OutboxState.DONE:
                return SaveOutcome(seq, SaveState.SENT)
            if entry.state in (OutboxState.ATTENTION, OutboxState.CONFLICT):
                message = entry.error_message or "The server refused the change."
                return SaveOutcome(seq, SaveState.REFUSED, message, entry.error_field)
            if entry.attempts and entry.state is OutboxState.PENDING and entry.error_message:
                return SaveOutcome(seq, SaveState.QUEUED, entry.error_message)
            if asyncio.get_running_loop().time() >= deadline:
                return SaveOutcome(seq, SaveState.QUEUED)
            await asyncio.sleep(SEND_POLL)

    @intention(int, str)
    async def change_status(self, event_id: int, status: str) -> None:
        """Confirm, complete or mark as no-show (a cancel goes through :meth:`cancel_event`, with its reason)."""
        with self._reported("Could not change the status"):
            self._check_writable()
            new = EventStatus(status)
            if new is EventStatus.CANCELLED:
                await self._core.cancel(event_id, None)
                self.changed_here.emit(event_id)
            else:
                await self._core.patch(event_id, EventPatch(status=new), self.cached_event(event_id))
            self.request_reload()

    @intention(int, str)
    async def cancel_event(self, event_id: int, reason: str) -> None:
        with self._reported("Could not cancel the event"):
            self._check_writable()
            await self._core.cancel(event_id, reason.strip() or None)
            self.changed_here.emit(event_id)
            self.request_reload()

    @intention(int)
    async def resend(self, seq: int) -> None:
        with self._reported("Could not send the change again"):
            await self._core.resend(seq)
            self.request_reload()

    @intention(int)
    async def discard(self, seq: int) -> None:
        with self._reported("Could not discard the change"):
            await self._core.discard(seq)
            self.request_reload()

    async def book(self, start: datetime, end: datetime, title: str = "Busy") -> int:
        """Book ``[start, end)`` as a confirmed busy block (the tray's "next free 30 minutes")."""
        draft = EventDraft(title=title, start=start, end=end, event_type=EventType.BUSY, status=EventStatus.CONFIRMED)
        return await self.save_draft(draft)

    # -- sync, availability, ICS -------------------------------------------------------------------------

    @intention()
    async def sync_now(self) -> None:
        """Poll at once and retry held-back sends (after a key fix too: a halted poller resumes)."""
        with self._reported("Could not sync"):
            if self._core.poller.status.halted:
                self._core.poller.resume()
            else:
                self._core.poller.poke("user asked")
            await self._core.runner.retry_now()

    def set_agenda_visible(self, visible: bool) -> None:
        """Fast sync while the agenda is open; opening it also checks the time (it may be the first look after
        a wake or a flight, before the next timed check)."""
        self._core.poller.set_fast("agenda", visible)
        if visible:
            self.check_time()

    async def find_slots(self, start: date, end: date, duration: int) -> Availability:
        """Free slots from the availability endpoint; raises :class:`KlenError` for the finder to show."""
        return await self._core.availability(start, end, duration)

    async def next_free_slot(self, now: datetime, minutes: int = 30) -> AvailabilitySlot | None:
        """The first free slot of ``minutes`` starting later today (local time), or None."""
        today = now.astimezone().date()
        found = await self.find_slots(today, today, minutes)
        for slot in found.available_slots:
            if slot.start >= now and slot.start.astimezone().date() == today:
                return slot
        return None

    async def save_ics(self, event_id: int, target: Path) -> Path:
        """Download the event's .ics (size-limited) and write it to ``target``, the file the user chose.

        The name is written as chosen: the save dialog has already asked about replacing that very file. The
        event's link to its file comes from the cached details when there are any (it does not change), so a
        save costs one request. Raises :class:`KlenError` (download) or ``OSError`` (disk) for the caller.
        """
        stored = await self._core.event(event_id)
        if stored is None or stored.detail is None or not stored.detail.ics_url:
            stored = await self._core.fetch_detail(event_id)
        if stored is None or stored.detail is None or not stored.detail.ics_url:
            raise WriteRefused("The server has no calendar file for this event.")
        data = await self._core.download_ics(stored.detail.ics_url)
        await asyncio.get_running_loop().run_in_executor(None, write_atomically, target, data)
        return target

    # -- key -----------------------------------------------------------------------------------------------

    @intention(str)
    async def test_key(self, api_key: str) -> None:
        """Ask the live server what ``api_key`` may do; ``key_tested`` answers with a KeyCheck."""
        from klen_desktop.key_check import check_key

        result = await check_key(self._live_base_url, api_key.strip())
        self.key_tested.emit(result)

    @intention(str)
    async def save_key(self, api_key: str) -> None:
        """Store the key in the OS keyring and switch to the live calendar."""
        with self._reported("Could not store the API key"):
            await self._keys.set(api_key)
            await self._switch(api_key.strip())
            self.notice.emit("API key saved", "Klen Desktop now shows your calendar.")

    @intention()
    async def forget_key(self) -> None:
        """Remove the key from the keyring and go back to the demo calendar."""
        with self._reported("Could not remove the API key"):
            await self._keys.delete()
            await self._switch(None)
            self.notice.emit("API key removed", "The key is no longer stored. Demo mode is on.")

    async def _switch(self, api_key: str | None) -> None:
        if self._connect is None:
            return
        await self.replace_core(await self._connect(api_key))

    async def _check_access(self) -> None:
        from klen_desktop.key_check import check_key

        core = self._core
        try:
            result = await check_key(core.config.base_url, core.config.api_key)
        except Exception:  # the probe is advisory: writes still report their own refusal
            log.warning("could not check what the API key may do", exc_info=True)
            return
        if core is not self._core or not result.ok:
            return
        self._set_access(Access(can_write=result.can_write, reason=None if result.can_write else READ_ONLY_REASON))

    def _set_access(self, access: Access) -> None:
        if access != self.access:
            self.access = access
            self.access_changed.emit(access)

    # -- do not disturb ------------------------------------------------------------------------------------

    def dnd_active(self, now: datetime | None = None) -> bool:
        if self.dnd_until is None:
            return False
        return (now or self._core.clock.now()) < self.dnd_until

    def set_dnd(self, until: datetime | None) -> None:
        """Hold reminders back until ``until`` (None: off)."""
        self.dnd_until = until
        self.dnd_changed.emit(until)

    def dnd_for(self, minutes: int) -> None:
        self.set_dnd(self._core.clock.now() + timedelta(minutes=minutes))

    def dnd_until_tomorrow(self) -> None:
        local_now = self._core.clock.now().astimezone()
        tomorrow = (local_now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.set_dnd(tomorrow)

    # -- errors --------------------------------------------------------------------------------------------

    @contextmanager
    def _reported(self, title: str) -> Iterator[None]:
        """Turn the errors a user can act on into a notice; anything else is a bug and is logged."""
        try:
            yield
        except WriteRefused as exc:
            self.notice.emit(title, exc.message)
        except KlenError as exc:
            self.notice.emit(exc.title, exc.message)
        except KeyStoreError as exc:
            self.notice.emit(exc.title, exc.message)
        except (OutboxError, ValueError) as exc:
            self.notice.emit(title, str(exc))
        except DatabaseClosed:
            log.info("%s: the cache was closed (shutting down or switching accounts)", title)
        except StoreError as exc:  # a refused write (disk full, read-only): the user is told what to free or fix
            self.notice.emit(exc.title, exc.message)
