"""The one bridge between Qt and the calendar session: its state out as Qt signals, the user's intentions in.

The rules behind every intention live in :class:`~klen_desktop.session.calendar.CalendarSession` (no Qt); the
controller adapts its callbacks to signals, runs intentions as slots that never raise into Qt (a failure is
announced on :attr:`Controller.notice`, see :func:`~klen_desktop.session.outcomes.notice_for`) and keeps the
newest copy of the cached events (:class:`~klen_desktop.session.snapshot.CalendarSnapshot`), read off the UI
thread. It holds no widgets: the composition root connects windows to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.drafts import EventDraft
from klen_desktop.heap import give_back_free_pages
from klen_desktop.i18n import _
from klen_desktop.notify.do_not_disturb import DoNotDisturb
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.session.keys import Connect, KeyChanges
from klen_desktop.session.merged import AccountOverview, MergedCalendar
from klen_desktop.session.outcomes import Access, Notice, Queued, notice_for, waiting_notice
from klen_desktop.session.snapshot import CalendarSnapshot
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.status import SyncStatus
from klen_desktop.timezone_watch import TimeChange
from klen_desktop.ui.async_slot import intention
from klen_desktop.ui.time_checks import TimeChecks

log = logging.getLogger(__name__)

# How long shutdown waits for cancelled work to unwind before closing the core under it.
SHUTDOWN_WAIT = 2.0
#: A read of this many events or more is followed by handing the heap's free pages back (see klen_desktop.heap).
LARGE_READ = 1000


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
    # An account opened, synced for the first time, was added, renamed, recoloured or removed, or lost its key.
    accounts_changed = Signal()
    # The answer to an account change asked in Settings: done (True) or refused, with what to tell the user.
    account_answer = Signal(bool, str)

    def __init__(
        self,
        session: MergedCalendar,
        *,
        connect: Connect | None = None,
        key_store: KeyStore | None = None,
        live_base_url: str | None = None,
    ) -> None:
        super().__init__()
        self._session = session
        self._keys = KeyChanges(key_store or KeyStore(), connect, live_base_url or session.config.base_url)
        self._snapshot = CalendarSnapshot(session, self._read_done)
        self.status = SyncStatus()
        # Shared with the notification policy, which obeys it: one state for the menu and the notifications.
        self.dnd = DoNotDisturb()
        self.dnd.subscribe(lambda dnd: self.dnd_changed.emit(dnd.until if dnd.on else None))
        self._tasks: set[asyncio.Task[Any]] = set()
        self._switching = asyncio.Lock()
        self.time_checks = TimeChecks(lambda: self._session.clock.now(), self)
        self.time_checks.changed.connect(self._time_moved)

    # -- lifecycle --------------------------------------------------------------------------------------

    @property
    def session(self) -> MergedCalendar:
        return self._session

    @property
    def demo(self) -> bool:
        return self._session.demo

    @property
    def access(self) -> Access:
        return self._session.access

    @property
    def events(self) -> tuple[StoredEvent, ...]:
        """The cached events near now and in the spans views hold (:meth:`hold`), newest copy (read off the UI
        thread); see :mod:`klen_desktop.session.snapshot`."""
        return self._snapshot.events

    @property
    def event_count(self) -> int:
        """How many events the cache holds in all, as of the newest copy."""
        return self._snapshot.count

    def hold(self, name: str, start: datetime, end: datetime) -> None:
        """Have :attr:`events` include every event overlapping ``[start, end)`` (a view's days), under ``name``;
        ``events_changed`` follows once they are read."""
        self._snapshot.hold(name, start, end)

    def release(self, name: str) -> None:
        """Let the span held under ``name`` go."""
        self._snapshot.release(name)

    def holds(self, name: str) -> bool:
        """True when :attr:`events` was read with ``name``'s current span: all its events are there."""
        return self._snapshot.covers(name)

    async def starts_matching(
        self, keep: Callable[[EventSummary], bool], account_ids: frozenset[str] | None = None
    ) -> list[datetime]:
        """The start of every cached event, held or not, whose summary ``keep`` accepts (sorted)."""
        return await self._session.starts_matching(keep, account_ids)

    async def find_event(self, event_id: int) -> StoredEvent | None:
        """The event from the newest copy, else read from the cache (one no span holds)."""
        return self.cached_event(event_id) or await self._session.event(event_id)

    @property
    def outbox(self) -> tuple[OutboxEntry, ...]:
        """Every change not yet on the server, newest copy."""
        return self._snapshot.outbox

    def start(self) -> None:
        """Listen to the session, start it, and load the cache (call on the running loop)."""
        self._hook(self._session)
        self._session.start()
        self.request_reload()
        self.time_checks.start()

    async def shutdown(self) -> None:
        """Stop the session (queued writes stay on disk) and any work in flight."""
        self.time_checks.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        self._snapshot.cancel()
        # Let the cancelled reads unwind before the session closes their HTTP client under them.
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT)
        await self._session.stop()

    async def replace_session(self, session: MergedCalendar) -> None:
        """Switch to another connection (a key was saved or forgotten, settings changed): stop the old session,
        start the new. Switches one at a time: one begun while another waits for its old session to stop (a key
        saved as new settings apply) would otherwise start the other's new session a second time."""
        async with self._switching:
            old, self._session = self._session, session
            self._snapshot.cancel()
            # The open windows keep their days: the new calendar's copy holds the same spans.
            self._snapshot = CalendarSnapshot(session, self._read_done, self._snapshot.spans)
            await old.stop()
            self.start()
        self.connection_changed.emit()
        self.access_changed.emit(self.access)

    def _hook(self, session: MergedCalendar) -> None:
        session.on_status(self._on_status)
        session.on_interactive_wait(lambda what, seconds: self._tell(waiting_notice(what, seconds)))
        session.on_access(self.access_changed.emit)
        session.on_accounts_changed(self.accounts_changed.emit)

    def _own_current_task(self) -> None:
        """Have :meth:`shutdown` cancel and await the running intention (a slot's task is not ours otherwise)."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- session -> Qt ------------------------------------------------------------------------------------

    def _on_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    def _tell(self, notice: Notice) -> None:
        self.notice.emit(notice.title, notice.message)

    def request_reload(self) -> None:
        """Re-read events and outbox from the store (coalesced: at most one read runs, one more follows)."""
        self._snapshot.request()

    async def reload(self) -> None:
        """Re-read now and wait for it (tests and the first paint)."""
        await self._snapshot.wait()

    def _read_done(self, outbox_changed: bool) -> None:
        self.events_changed.emit()  # the views take the events at once: what they let go of is freed by now
        if len(self.events) >= LARGE_READ:
            give_back_free_pages()  # what the read and the views' rebuild freed between the events kept
        if outbox_changed:
            self.outbox_changed.emit(self.outbox)

    def check_time(self) -> TimeChange:
        """Check now whether the zone, the day or the clock moved (see :class:`TimeChecks`)."""
        return self.time_checks.check()

    def _time_moved(self, change: TimeChange) -> None:
        # Reminders re-plan at once rather than at the end of their sleep; every local time is redrawn.
        self._session.replan_reminders()
        self.time_changed.emit(change)
        # Before the first read lands there is nothing to redraw: announcing the empty copy would show "no events"
        # instead of "loading" (that read announces the events itself).
        if self._snapshot.read_once:
            self.events_changed.emit()
        self._snapshot.request()  # the near span moves with the clock: what it holds now is read again

    # -- reading -----------------------------------------------------------------------------------------

    def cached_event(self, event_id: int) -> StoredEvent | None:
        """The event from the newest snapshot (no disk read)."""
        return self._snapshot.event(event_id)

    def account_of(self, event_id: int) -> str | None:
        """The account an event (or a queued change) belongs to."""
        return self._session.account_of(event_id)

    def account_label(self, event_id: int) -> str:
        """The name of the event's account where several accounts are shown, else ""."""
        return self._session.label_of(event_id)

    def account_problems(self) -> list[tuple[str, str]]:
        """(account name, what keeps it from syncing) for each account in trouble, where several are shown (one
        account's trouble is the app's sync status, shown as before)."""
        if not self._session.several:
            return []
        found = ((account.name, self._session.problem(account.id)) for account in self._session.registry)
        return [(name, problem) for name, problem in found if problem]

    def upcoming(self, now: datetime, limit: int) -> list[StoredEvent]:
        """Open events not yet ended, soonest first."""
        return self._snapshot.upcoming(now, limit)

    @intention(int)
    async def load_detail(self, event_id: int) -> None:
        """Fetch one event's details for the detail pane; ``detail_loaded`` answers."""
        self._own_current_task()
        with self._reported(_("Could not load the event's details")):
            stored = await self._session.fetch_detail(event_id)
            if stored is not None:
                self.detail_loaded.emit(stored)
                self.request_reload()

    # -- writes ------------------------------------------------------------------------------------------

    async def save_draft(
        self,
        draft: EventDraft,
        base: StoredEvent | None = None,
        *,
        resend_seq: int | None = None,
        account_id: str | None = None,
    ) -> int:
        """Queue ``draft`` (see :meth:`CalendarSession.save`); returns the outbox seq. Raises
        :class:`WriteRefused` for the editor to show; the draft is kept."""
        return self.note_queued(await self._session.save(draft, base, resend_seq=resend_seq, account_id=account_id))

    @intention(int, str)
    async def change_status(self, event_id: int, status: str) -> None:
        """Confirm, complete or mark as no-show (a cancel goes through :meth:`cancel_event`, with its reason)."""
        with self._reported(_("Could not change the status")):
            self.note_queued(
                await self._session.change_status(event_id, EventStatus(status), self.cached_event(event_id))
            )

    @intention(int, str)
    async def cancel_event(self, event_id: int, reason: str) -> None:
        with self._reported(_("Could not cancel the event")):
            self.note_queued(await self._session.cancel(event_id, reason))

    @intention(int)
    async def resend(self, seq: int) -> None:
        with self._reported(_("Could not send the change again")):
            await self._session.resend(seq)
            self.request_reload()

    @intention(int)
    async def discard(self, seq: int) -> None:
        with self._reported(_("Could not discard the change")):
            await self._session.discard(seq)
            self.request_reload()

    async def book(self, start: datetime, end: datetime, title: str | None = None) -> int:
        """Book ``[start, end)`` as a confirmed busy block (the tray's "next free 30 minutes")."""
        return self.note_queued(await self._session.book(start, end, title or _("Busy")))

    def note_queued(self, queued: Queued) -> int:
        """A write was queued (here, or by a command of the command line): reload, and say what it moved."""
        if queued.moved_here is not None:
            self.changed_here.emit(queued.moved_here)
        self.request_reload()
        return queued.seq

    # -- sync, availability, ICS -------------------------------------------------------------------------

    @intention()
    async def sync_now(self) -> None:
        """Poll at once and retry held-back sends (after a key fix too: a halted poller resumes)."""
        with self._reported(_("Could not sync")):
            await self._session.sync_now()

    def set_agenda_visible(self, visible: bool) -> None:
        """Fast sync while the agenda is open; opening it also checks the time (it may be the first look after
        a wake or a flight, before the next timed check)."""
        self._session.set_fast("agenda", visible)
        if visible:
            self.check_time()

    # -- key -----------------------------------------------------------------------------------------------

    @intention(str)
    async def test_key(self, api_key: str) -> None:
        """Ask the live server what ``api_key`` may do, or with no key typed what the connection in use may do;
        ``key_tested`` answers with a KeyCheck."""
        if api_key.strip():
            self.key_tested.emit(await self._keys.test(api_key))
        else:
            self.key_tested.emit(await self._keys.test_connection(self._session))

    @intention(str)
    async def save_key(self, api_key: str) -> None:
        """Store the key in the OS keyring and switch to the live calendar."""
        with self._reported(_("Could not store the API key")):
            session = await self._keys.save(api_key)
            if session is not None:
                await self.replace_session(session)
            self.notice.emit(_("API key saved"), _("Klen Desktop now shows your calendar."))

    @intention()
    async def forget_key(self) -> None:
        """Remove the key from the keyring and go back to the demo calendar."""
        with self._reported(_("Could not remove the API key")):
            session = await self._keys.forget()
            if session is not None:
                await self.replace_session(session)
            self.notice.emit(_("API key removed"), _("The key is no longer stored. Demo mode is on."))

    # -- accounts ------------------------------------------------------------------------------------------

    def accounts(self) -> list[AccountOverview]:
        """Every account as Settings lists it, with its trouble and its changes not yet sent."""
        return self._session.overview(self.outbox)

    @intention(str, str)
    async def add_account(self, name: str, api_key: str) -> None:
        """Check the key on the live service, store it under the new account's own keyring entry, show it."""
        with self._answered(_("Could not add the account")):
            account = await self._session.accounts.add(name, api_key)
            self.account_answer.emit(
                True, _("{name} added: its calendar is shown beside the others.").format(name=account.name)
            )

    @intention()
    async def add_demo_account(self) -> None:
        """Show the built-in demo calendar as one more account."""
        with self._answered(_("Could not add the demo calendar")):
            account = await self._session.accounts.add_demo()
            self.account_answer.emit(
                True, _("{name} added: the sample calendar is shown beside the others.").format(name=account.name)
            )

    @intention(str, str)
    async def set_account_key(self, account_id: str, api_key: str) -> None:
        """Store a new key for the account (one revoked and replaced) and sync it again."""
        with self._answered(_("Could not store the key")):
            await self._session.accounts.set_key(account_id, api_key)
            self.account_answer.emit(True, _("Key stored: the account syncs again."))

    @intention(str, str)
    async def rename_account(self, account_id: str, name: str) -> None:
        with self._answered(_("Could not rename the account")):
            self._session.accounts.rename(account_id, name)
            self.account_answer.emit(True, _("Account renamed."))

    @intention(str, str)
    async def recolour_account(self, account_id: str, colour: str) -> None:
        with self._answered(_("Could not change the colour")):
            self._session.accounts.recolour(account_id, colour)
            self.account_answer.emit(True, _("Colour changed."))

    @intention(str, bool)
    async def remove_account(self, account_id: str, lose_unsent: bool) -> None:
        """Delete the account's key and cache (refused while it has unsent changes, unless ``lose_unsent``)."""
        with self._answered(_("Could not remove the account")):
            await self._session.remove_account(account_id, lose_unsent=lose_unsent)
            self.request_reload()
            self.account_answer.emit(True, _("Account removed, with its key and its cached calendar."))

    @contextmanager
    def _answered(self, title: str) -> Iterator[None]:
        """Settings shows why an account change was refused beside the list; anything else goes as a notice."""
        try:
            yield
        except (ValueError, KeyStoreError) as exc:
            self.account_answer.emit(False, getattr(exc, "message", str(exc)))
        except Exception as exc:
            notice = notice_for(exc, title)
            if notice is not None:
                self._tell(notice)

    # -- errors --------------------------------------------------------------------------------------------

    @contextmanager
    def _reported(self, title: str) -> Iterator[None]:
        """Turn the failures a user can act on into a notice; anything else is a bug and goes to the log."""
        try:
            yield
        except Exception as exc:
            notice = notice_for(exc, title)
            if notice is None:
                log.info("%s: the cache was closed (quitting or switching accounts)", title)
            else:
                self._tell(notice)
