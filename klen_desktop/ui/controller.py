"""The one bridge between Qt and the core services: state out as Qt signals, the user's intentions in.

Out: :attr:`Controller.events` (every cached event, newest snapshot), :attr:`status`, :attr:`outbox`,
:attr:`access` and :attr:`dnd_until`, each announced by a signal after it changed. In: intention slots (the
``@intention`` methods) that queue writes in the outbox, run a sync, search availability, save an ICS file,
test, save and forget the API key, resend or discard held-back changes. Intentions never raise into Qt:
what went wrong is announced on :attr:`notice` as a title and a message the user can act on.

The rules behind every intention live in :class:`~klen_desktop.session.calendar.CalendarSession` (no Qt): the
controller adapts its callbacks to Qt signals and its errors to notices. Store reads run on the store's worker
thread, so the UI never waits on disk. The controller holds no widgets: the composition root connects windows
to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from klen_desktop.api.errors import KlenError
from klen_desktop.api.models import Availability, AvailabilitySlot, EventStatus
from klen_desktop.drafts import EventDraft
from klen_desktop.notify.do_not_disturb import DoNotDisturb
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.session.calendar import SEND_WAIT, CalendarSession
from klen_desktop.session.outcomes import Access, Queued, SaveOutcome, WriteRefused
from klen_desktop.store.errors import DatabaseClosed, StoreError
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.outbox import DrainReport
from klen_desktop.sync.outbox_queue import OutboxError
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.timezone_watch import TimeChange, TimeWatch
from klen_desktop.ui.intentions import intention

log = logging.getLogger(__name__)

Connect = Callable[[str | None], Awaitable[CalendarSession]]
# How long shutdown waits for cancelled work to unwind before closing the core under it.
SHUTDOWN_WAIT = 2.0
# How often the local zone, the local day and the wall clock are checked: nothing announces a change of zone
# to a running process, and a wake from sleep is only seen as a jump of the wall clock.
TIME_CHECK_MS = 30_000


class Controller(QObject):
    """See the module docstring. Build with the first session; :meth:`start` once the loop runs."""

    events_changed = Signal()
    status_changed = Signal(object)  # SyncStatus
    outbox_changed = Signal(object)  # tuple[OutboxEntry, ...]
    notice = Signal(str, str)  # title, message
    access_changed = Signal(object)  # Access
    dnd_changed = Signal(object)  # datetime | None: when Do not disturb ends (None: it is off)
    connection_changed = Signal()  # a new session (demo <-> live) replaced the old one
    detail_loaded = Signal(object)  # StoredEvent
    key_tested = Signal(object)  # KeyCheck
    # The user cancelled or moved this event here: what still describes it as it was is withdrawn.
    changed_here = Signal(int)
    # The local zone, the local day or the wall clock moved (a TimeChange): local times, "today" and "next" are
    # stale. ``events_changed`` follows it, so whatever renders the events re-renders them.
    time_changed = Signal(object)

    def __init__(
        self,
        session: CalendarSession,
        *,
        connect: Connect | None = None,
        key_store: KeyStore | None = None,
        live_base_url: str | None = None,
    ) -> None:
        super().__init__()
        self._session = session
        self._connect = connect
        self._keys = key_store or KeyStore()
        self._live_base_url = live_base_url or session.config.base_url
        self.events: tuple[StoredEvent, ...] = ()
        self.outbox: tuple[OutboxEntry, ...] = ()
        self.status = SyncStatus()
        # Shared with the notification policy, which obeys it: one state for the menu and the notifications.
        self.dnd = DoNotDisturb()
        self.dnd.subscribe(lambda dnd: self.dnd_changed.emit(dnd.until if dnd.on else None))
        self._reload_task: asyncio.Task[None] | None = None
        self._reload_again = False
        self._loaded_after_sync = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._time_watch = TimeWatch(lambda: self._session.clock.now())
        self._time_timer = QTimer(self)
        self._time_timer.setInterval(TIME_CHECK_MS)
        self._time_timer.timeout.connect(self.check_time)

    # -- lifecycle --------------------------------------------------------------------------------------

    @property
    def session(self) -> CalendarSession:
        return self._session

    @property
    def demo(self) -> bool:
        return self._session.demo

    @property
    def access(self) -> Access:
        return self._session.access

    def start(self) -> None:
        """Listen to the session, start it, and load the cache (call on the running loop)."""
        self._hook(self._session)
        self._session.start()
        self.request_reload()
        self._time_timer.start()

    async def shutdown(self) -> None:
        """Stop the session (queued writes stay on disk) and any work in flight."""
        self._time_timer.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if self._reload_task is not None:
            self._reload_task.cancel()
        # Let the cancelled reads unwind before the session closes their HTTP client under them.
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT)
        await self._session.stop()

    async def replace_session(self, session: CalendarSession) -> None:
        """Switch to another connection (a key was saved or forgotten, settings changed): stop the old session,
        start the new."""
        old, self._session = self._session, session
        await old.stop()
        self.events, self.outbox = (), ()
        self._loaded_after_sync = False
        self.start()
        self.connection_changed.emit()
        self.access_changed.emit(self.access)

    def _hook(self, session: CalendarSession) -> None:
        session.on_changes(self._on_changes)
        session.on_status(self._on_status)
        session.on_outbox_settled(self._on_drain)
        session.on_interactive_wait(self._on_interactive_wait)
        session.on_access(self.access_changed.emit)

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

    # -- session -> Qt ------------------------------------------------------------------------------------

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

    def _on_interactive_wait(self, what: str, seconds: float) -> None:
        self.notice.emit(
            "Waiting for Klen's request limit",
            f"{what} in about {round(seconds)} s: Klen answers only so many requests a minute.",
        )

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
            session = self._session
            try:
                events = await session.all_events()
                outbox = await session.outbox_entries()
            except DatabaseClosed:
                return  # the session was replaced or stopped meanwhile; the new one reloads itself
            except RuntimeError:
                if session.stopped:
                    return  # its store's worker was shut down between our check and the read
                raise
            if session is not self._session:
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
            self._session.replan_reminders()
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
            stored = await self._session.fetch_detail(event_id)
            if stored is not None:
                self.detail_loaded.emit(stored)
                self.request_reload()

    # -- writes ------------------------------------------------------------------------------------------

    async def save_draft(
        self, draft: EventDraft, base: StoredEvent | None = None, *, resend_seq: int | None = None
    ) -> int:
        """Queue ``draft`` (see :meth:`CalendarSession.save`); returns the outbox seq. Raises
        :class:`WriteRefused` for the editor to show; the draft is kept."""
        return self._queued(await self._session.save(draft, base, resend_seq=resend_seq))

    async def wait_for_send(self, seq: int, timeout: float = SEND_WAIT) -> SaveOutcome:
        """How a queued write fared within ``timeout`` seconds (see :meth:`CalendarSession.wait_for_send`)."""
        return await self._session.wait_for_send(seq, timeout)

    @intention(int, str)
    async def change_status(self, event_id: int, status: str) -> None:
        """Confirm, complete or mark as no-show (a cancel goes through :meth:`cancel_event`, with its reason)."""
        with self._reported("Could not change the status"):
            self._queued(await self._session.change_status(event_id, EventStatus(status), self.cached_event(event_id)))

    @intention(int, str)
    async def cancel_event(self, event_id: int, reason: str) -> None:
        with self._reported("Could not cancel the event"):
            self._queued(await self._session.cancel(event_id, reason))

    @intention(int)
    async def resend(self, seq: int) -> None:
        with self._reported("Could not send the change again"):
            await self._session.resend(seq)
            self.request_reload()

    @intention(int)
    async def discard(self, seq: int) -> None:
        with self._reported("Could not discard the change"):
            await self._session.discard(seq)
            self.request_reload()

    async def book(self, start: datetime, end: datetime, title: str = "Busy") -> int:
        """Book ``[start, end)`` as a confirmed busy block (the tray's "next free 30 minutes")."""
        return self._queued(await self._session.book(start, end, title))

    def _queued(self, queued: Queued) -> int:
        if queued.moved_here is not None:
            self.changed_here.emit(queued.moved_here)
        self.request_reload()
        return queued.seq

    # -- sync, availability, ICS -------------------------------------------------------------------------

    @intention()
    async def sync_now(self) -> None:
        """Poll at once and retry held-back sends (after a key fix too: a halted poller resumes)."""
        with self._reported("Could not sync"):
            await self._session.sync_now()

    def set_agenda_visible(self, visible: bool) -> None:
        """Fast sync while the agenda is open; opening it also checks the time (it may be the first look after
        a wake or a flight, before the next timed check)."""
        self._session.set_fast("agenda", visible)
        if visible:
            self.check_time()

    async def find_slots(self, start: date, end: date, duration: int) -> Availability:
        """Free slots from the availability endpoint; raises :class:`KlenError` for the finder to show."""
        return await self._session.find_slots(start, end, duration)

    async def next_free_slot(self, now: datetime, minutes: int = 30) -> AvailabilitySlot | None:
        """The first free slot of ``minutes`` starting later today (local time), or None."""
        return await self._session.next_free_slot(now, minutes)

    async def save_ics(self, event_id: int, target: Path) -> Path:
        """Save the event's calendar file as ``target`` (see :meth:`CalendarSession.save_ics`)."""
        return await self._session.save_ics(event_id, target)

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
        await self.replace_session(await self._connect(api_key))

    # -- do not disturb ------------------------------------------------------------------------------------

    @property
    def dnd_until(self) -> datetime | None:
        return self.dnd.until

    def dnd_active(self, now: datetime | None = None) -> bool:
        return self.dnd.active(now or self._session.clock.now())

    def set_dnd(self, until: datetime | None) -> None:
        """Hold notifications back until ``until`` (None: off)."""
        if until is None:
            self.dnd.stop()
        else:
            self.dnd.hold_until(until)

    def dnd_for(self, minutes: int) -> None:
        self.dnd.hold_for(self._session.clock.now(), minutes)

    def dnd_until_tomorrow(self) -> None:
        self.dnd.hold_until_tomorrow(self._session.clock.now())

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
