"""Every account's calendar as one, for the UI: what the windows, the tray and the notifications talk to. No Qt.

:class:`MergedCalendar` has the calendar session's interface (:class:`~klen_desktop.session.calendar.CalendarSession`)
over all the accounts of :class:`~klen_desktop.session.accounts.AccountSessions`: events of every account by start
time, reminders, news and queued changes of each, under the handles of :mod:`klen_desktop.session.handles`. An action
on an event goes to the account the event belongs to; a new event or a free-slot search goes to the account the user
chose (the first account when none was). With one account it behaves as that account's session, handles being the
event ids themselves.

The first account's session (the one the app resolved at start: the stored key, or the demo) starts at once; the
others open in the background as their keys are read. One account's trouble stays its own: the merged sync status
is that of the healthy accounts, and a refused key shows as that account's :meth:`problem`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from klen_desktop.accounts.model import AccountError
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.api.models import Availability, AvailabilitySlot, EventStatus, EventSummary
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.drafts import EventDraft
from klen_desktop.i18n import _
from klen_desktop.records import record
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.session.accounts import AccountSessions, read_unless_closed
from klen_desktop.session.calendar import SEND_WAIT, CalendarSession, FreeSlots
from klen_desktop.session.handles import EventHandles
from klen_desktop.session.outcomes import Access, Queued, SaveOutcome
from klen_desktop.store.events import Held, StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.outbox_sender import DrainReport
from klen_desktop.sync.status import SyncPhase, SyncStatus

log = logging.getLogger(__name__)

T = TypeVar("T")


@record(slots=True)
class AccountOverview:
    """One account as Settings lists it. ``first``: the account whose key the Account tab holds. ``unsent``: its
    changes not yet on the server (what removing it would lose)."""

    id: str
    name: str
    colour: str
    problem: str | None
    unsent: int
    first: bool
    demo: bool


class MergedCalendar:
    """See the module docstring. ``first``: the account id of ``first_session``, the session the app resolved.
    ``handles``: those of the calendar this one replaces (new settings, a key saved), so what the windows and the
    notifications still show keeps naming the same events."""

    def __init__(
        self,
        accounts: AccountSessions,
        first: str,
        first_session: CalendarSession,
        handles: EventHandles | None = None,
    ) -> None:
        self.accounts = accounts
        self.first = first
        self._first_session = first_session
        self.handles = handles or EventHandles()
        self._tasks = BackgroundTasks(log, "opening an account failed")
        self._changes: list[Callable[[ChangeSet], None]] = []
        self._statuses: list[Callable[[SyncStatus], None]] = []
        self._settled: list[Callable[[DrainReport], None]] = []
        self._reminders: list[Callable[[Reminder], None]] = []
        self._shown_before: list[Callable[[Reminder], None]] = []
        self._missed: list[Callable[[MissedSummary], None]] = []
        self._waits: list[Callable[[str, float], None]] = []
        self._refreshed: list[Callable[[], None]] = []
        self._access: list[Callable[[Access], None]] = []
        self._listing: list[Callable[[], None]] = []
        self._synced: set[str] = set()
        self._problems: dict[str, str | None] = {}
        self._last_access = Access()
        accounts.on_opened(self._hook)
        accounts.on_listing(self._listing_changed)
        self._name_sole_account()

    # -- what it is -------------------------------------------------------------------------------------

    @property
    def registry(self) -> AccountRegistry:
        return self.accounts.registry

    @property
    def several(self) -> bool:
        """More than one account: only then are accounts named, striped and asked for."""
        return self.registry.several

    @property
    def core(self) -> CoreServices:
        """The first account's core (the composition root's and tests')."""
        return self._first_session.core

    @property
    def config(self) -> CoreConfig:
        return self._first_session.config

    @property
    def demo(self) -> bool:
        """Only the demo calendar is shown (a demo account beside keyed ones does not make the app a demo)."""
        return all(session.demo for session in self._open_sessions())

    @property
    def clock(self) -> Clock:
        return self._first_session.clock

    @property
    def status(self) -> SyncStatus:
        """The sync status of the healthy accounts: a refused key marks its own account, not the app."""
        statuses = [session.status for session in self._open_sessions()]
        healthy = [status for status in statuses if not status.halted] or statuses
        merged = healthy[0]
        if any(status.phase is SyncPhase.SYNCING for status in healthy):
            merged = replace(merged, phase=SyncPhase.SYNCING)
        return merged

    @property
    def access(self) -> Access:
        """What the keys may do: read-only only when every account's key is (each account refuses its own)."""
        accesses = [session.access for session in self._open_sessions()]
        return next((access for access in accesses if not access.read_only), accesses[0])

    @property
    def stopped(self) -> bool:
        return all(session.stopped for session in self._open_sessions())

    def account_of(self, handle: int) -> str | None:
        """The account an event (or a queued change) of the UI belongs to."""
        return self.handles.account_of(handle)

    def label_of(self, handle: int) -> str:
        """The name of an event's account when several are shown, else ""."""
        account_id = self.handles.account_of(handle)
        return "" if account_id is None else self.registry.label(account_id)

    def problem(self, account_id: str) -> str | None:
        return self.accounts.problem(account_id)

    async def remove_account(self, account_id: str, *, lose_unsent: bool = False) -> None:
        """Remove an account other than the first (see :meth:`AccountSessions.remove`)."""
        if account_id == self.first:
            raise AccountError(
                _(
                    "This is the first account: its key is on the Account tab, where it can be forgotten. "
                    "The other accounts can be removed."
                )
            )
        await self.accounts.remove(account_id, lose_unsent=lose_unsent)

    def overview(self, outbox: tuple[OutboxEntry, ...]) -> list[AccountOverview]:
        """Every account with its trouble and how many of ``outbox`` (the UI's copy) are its changes."""
        owners = [self.handles.account_of(entry.seq) for entry in outbox]
        return [
            AccountOverview(
                id=account.id,
                name=account.name,
                colour=account.colour,
                problem=self.accounts.problem(account.id),
                unsent=owners.count(account.id),
                first=account.id == self.first,
                demo=account.demo or (account.id == self.first and self._first_session.demo),
            )
            for account in self.registry
        ]

    def session(self, account_id: str | None = None) -> CalendarSession:
        """The account's session (the first account's for None); :class:`AccountError` when it has none."""
        found = self._first_session if account_id is None else self.accounts.session(account_id)
        if found is None:
            problem = self.accounts.problem(account_id or self.first) or _("It is not open.")
            raise AccountError(_("That account's calendar cannot be reached. {problem}").format(problem=problem))
        return found

    def _open_sessions(self) -> list[CalendarSession]:
        found = [session for account_id in self.accounts.open_ids if (session := self.accounts.session(account_id))]
        return found or [self._first_session]

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the first account's session at once, then open the other accounts in the background."""
        self.accounts.adopt(self.registry.get(self.first), self._first_session)
        self._tasks.spawn(self.accounts.start())

    async def stop(self) -> None:
        self._tasks.cancel_all()
        await self.accounts.stop()
        if not self._first_session.stopped:
            await self._first_session.stop()  # never adopted: the start did not come

    # -- listening ---------------------------------------------------------------------------------------

    def _hook(self, account_id: str, session: CalendarSession) -> None:
        handles = self.handles
        session.on_changes(lambda changes: _tell(self._changes, handles.change_set(account_id, changes)))
        session.on_status(lambda status: self._status_seen(account_id, status))
        session.on_outbox_settled(lambda report: _tell(self._settled, report))
        session.on_reminder(lambda reminder: _tell(self._reminders, handles.reminder(account_id, reminder)))
        session.on_reminder_shown_before(
            lambda reminder: _tell(self._shown_before, handles.reminder(account_id, reminder))
        )
        session.on_missed(lambda summary: _tell(self._missed, handles.missed(account_id, summary)))
        session.on_interactive_wait(self._waited)
        session.on_details_refreshed(self._details_refreshed)
        session.on_access(lambda _access: self._access_seen())

    def _waited(self, what: str, seconds: float) -> None:
        for listener in list(self._waits):
            listener(what, seconds)

    def _details_refreshed(self) -> None:
        for listener in list(self._refreshed):
            listener()

    def _status_seen(self, account_id: str, status: SyncStatus) -> None:
        _tell(self._statuses, self.status)
        first_sync = (
            status.last_success is not None and status.phase is SyncPhase.IDLE and account_id not in self._synced
        )
        if first_sync:
            # A first sync reports no changes, yet it filled the account's cache: the merged copy is read again.
            self._synced.add(account_id)
        problem = self.accounts.problem(account_id)
        if first_sync or problem != self._problems.get(account_id):
            self._problems[account_id] = problem  # a key refused or working again: Settings and the tray say so
            self._listing_changed()

    def _access_seen(self) -> None:
        access = self.access
        if access != self._last_access:
            self._last_access = access
            _tell(self._access, access)

    def _name_sole_account(self) -> None:
        ids = [account.id for account in self.registry] or [self.first]
        self.handles.sole_account = ids[0] if len(ids) == 1 else None

    def _listing_changed(self) -> None:
        self._name_sole_account()
        for listener in list(self._listing):
            listener()
        self._access_seen()  # an account opened or gone may change what the keys together may do

    def on_changes(self, listener: Callable[[ChangeSet], None]) -> None:
        self._changes.append(listener)

    def on_status(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` now and on every sync status change of any account (the merged status)."""
        self._statuses.append(listener)
        listener(self.status)

    def on_outbox_settled(self, listener: Callable[[DrainReport], None]) -> None:
        self._settled.append(listener)

    def on_reminder(self, listener: Callable[[Reminder], None]) -> None:
        self._reminders.append(listener)

    def on_reminder_shown_before(self, listener: Callable[[Reminder], None]) -> None:
        """``listener(reminder)`` for each reminder an earlier run showed whose event has not started."""
        self._shown_before.append(listener)

    def on_missed(self, listener: Callable[[MissedSummary], None]) -> None:
        self._missed.append(listener)

    def on_interactive_wait(self, listener: Callable[[str, float], None]) -> None:
        self._waits.append(listener)

    def on_details_refreshed(self, listener: Callable[[], None]) -> None:
        self._refreshed.append(listener)

    def on_access(self, listener: Callable[[Access], None]) -> None:
        self._access.append(listener)

    def on_accounts_changed(self, listener: Callable[[], None]) -> None:
        """``listener()`` when an account opened, first synced, was added, renamed, recoloured or removed."""
        self._listing.append(listener)

    # -- reading -----------------------------------------------------------------------------------------

    async def all_events(self, held: Held | None = None) -> list[StoredEvent]:
        """Every account's cached events (or those ``held`` names), under their handles, by start time."""
        found = await self.accounts.all_events(held=held)
        return [self.handles.event(item.account_id, item.event) for item in found]

    async def event_count(self) -> int:
        """How many events the shown accounts' caches hold in all."""
        return await self.accounts.event_count()

    async def starts_matching(
        self, keep: Callable[[EventSummary], bool], account_ids: frozenset[str] | None = None
    ) -> list[datetime]:
        """The start of every cached event (of ``account_ids``, else of every account) that ``keep`` accepts:
        a search over every week, sorted."""
        return await self.accounts.starts_matching(keep, account_ids)

    async def outbox_entries(self) -> list[OutboxEntry]:
        entries: list[OutboxEntry] = []
        for account_id, session in self.accounts.open_sessions():
            found = await read_unless_closed(session, session.outbox_entries())
            entries.extend(self.handles.outbox_entry(account_id, entry) for entry in found)
        return entries

    async def event(self, handle: int) -> StoredEvent | None:
        account_id, event_id = self.handles.resolve(handle)
        return self._ui(account_id, await self.session(account_id).event(event_id))

    async def fetch_detail(self, handle: int) -> StoredEvent | None:
        account_id, event_id = self.handles.resolve(handle)
        return self._ui(account_id, await self.session(account_id).fetch_detail(event_id))

    def _ui(self, account_id: str, stored: StoredEvent | None) -> StoredEvent | None:
        return None if stored is None else self.handles.event(account_id, stored)

    # -- writes ------------------------------------------------------------------------------------------

    async def save(
        self,
        draft: EventDraft,
        base: StoredEvent | None = None,
        *,
        resend_seq: int | None = None,
        account_id: str | None = None,
    ) -> Queued:
        """Queue a create in ``account_id`` (the first account for None), or the edit of the event the draft names
        in that event's account. See :meth:`CalendarSession.save`."""
        own_seq = None
        if draft.event_id is not None:
            account_id, event_id = self.handles.resolve(draft.event_id)
            draft = replace(draft, event_id=event_id)
            base = None if base is None else self.handles.own_event(base)
        if resend_seq is not None:
            account_id, own_seq = self.handles.resolve(resend_seq)
        account_id = account_id or self.first
        queued = await self.session(account_id).save(draft, base, resend_seq=own_seq)
        return self.handles.queued(account_id, queued)

    async def wait_for_send(self, seq: int, timeout: float = SEND_WAIT) -> SaveOutcome:
        account_id, own_seq = self.handles.resolve(seq)
        return replace(await self.session(account_id).wait_for_send(own_seq, timeout), seq=seq)

    async def change_status(self, handle: int, status: EventStatus, base: StoredEvent | None = None) -> Queued:
        account_id, event_id = self.handles.resolve(handle)
        own_base = None if base is None else self.handles.own_event(base)
        return self.handles.queued(account_id, await self.session(account_id).change_status(event_id, status, own_base))

    async def cancel(self, handle: int, reason: str | None) -> Queued:
        account_id, event_id = self.handles.resolve(handle)
        return self.handles.queued(account_id, await self.session(account_id).cancel(event_id, reason))

    async def resend(self, seq: int) -> None:
        account_id, own_seq = self.handles.resolve(seq)
        await self.session(account_id).resend(own_seq)

    async def discard(self, seq: int) -> None:
        account_id, own_seq = self.handles.resolve(seq)
        await self.session(account_id).discard(own_seq)

    async def book(self, start: datetime, end: datetime, title: str = "Busy", account_id: str | None = None) -> Queued:
        account_id = account_id or self.first
        return self.handles.queued(account_id, await self.session(account_id).book(start, end, title))

    # -- sync --------------------------------------------------------------------------------------------

    async def sync_now(self) -> None:
        """Poll every account at once and retry what each holds back."""
        await asyncio.gather(*(self.session(a).sync_now() for a in self.accounts.open_ids))

    async def sync_once(self) -> None:
        await asyncio.gather(*(self.session(a).sync_once() for a in self.accounts.open_ids))

    def set_fast(self, reason: str, on: bool) -> None:
        for session in self._open_sessions():
            session.set_fast(reason, on)

    def replan_reminders(self) -> None:
        for session in self._open_sessions():
            session.replan_reminders()

    # -- free slots, files, reminders ----------------------------------------------------------------------

    async def find_slots(self, start: date, end: date, duration: int, account_id: str | None = None) -> Availability:
        return await self.session(account_id).find_slots(start, end, duration)

    async def free_slots_ahead(self, now: datetime, minutes: int = 30, account_id: str | None = None) -> FreeSlots:
        return await self.session(account_id).free_slots_ahead(now, minutes)

    async def next_free_slot(self, now: datetime, minutes: int = 30) -> AvailabilitySlot | None:
        return (await self.free_slots_ahead(now, minutes)).today

    async def save_ics(self, handle: int, target: Path) -> Path:
        account_id, event_id = self.handles.resolve(handle)
        return await self.session(account_id).save_ics(event_id, target)

    async def snooze(self, handle: int, due_at: datetime, choice: SnoozeChoice) -> datetime | None:
        account_id, event_id = self.handles.resolve(handle)
        return await self.session(account_id).snooze(event_id, due_at, choice)

    async def dismiss(self, handle: int, due_at: datetime) -> None:
        account_id, event_id = self.handles.resolve(handle)
        await self.session(account_id).dismiss(event_id, due_at)


def _tell(listeners: list[Callable[[T], None]], value: T) -> None:
    for listener in list(listeners):
        listener(value)
