"""The numbers the UI knows events and queued changes by when several accounts are shown. No Qt.

Event ids (and outbox sequence numbers) are unique only within an account: two calendars both have an event 1.
The windows, the tray and the notifications name an event by one number, passed through Qt signals as a 32-bit
int, so each ``(account, number)`` gets a handle of its own for the app's run, the way a Qt model gives each row
an internal id. A number keeps itself as its handle unless another account took it first; then it gets a free
one counted down from the top of the 32-bit range, far above any id a calendar hands out. So with one account
every handle is the event's own id, as before accounts existed.

One table serves event ids and sequence numbers: a queued create's event is shown under minus its sequence
number, so the handle of local id ``-seq`` must be minus the handle of ``seq``; signs pass through as they are.
The copies made here are the UI's: the core never sees a handle, and :meth:`EventHandles.resolve` turns one back.
"""

from __future__ import annotations

from dataclasses import replace

from klen_desktop.accounts.model import AccountError
from klen_desktop.api.models import EventSummary
from klen_desktop.i18n import N_, _
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.session.outcomes import Queued
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.diff import Change, ChangeSet

# The top of a signed 32-bit int: what a Qt signal of type int carries.
_TOP = 2**31 - 1

GONE_MESSAGE = N_("That event's account was removed.")


class EventHandles:
    """See the module docstring. One per merged calendar; handles stay valid for the app's run."""

    def __init__(self) -> None:
        # Numbers that are their own handle, with their account: one entry per event (the usual case, and every
        # event with one account) instead of a tuple key in two tables, about 1 MiB less at 10,000 events.
        self._own: dict[int, str] = {}
        # The others: each (account, number) that found its number taken, and the free handle it got instead.
        self._handles: dict[tuple[str, int], int] = {}
        self._owners: dict[int, tuple[str, int]] = {}
        self._next_free = _TOP
        # The one account where there is only one: its numbers are their handles even before they are seen (the app
        # holds only some events in memory, and a command or a search names others); None with several.
        self.sole_account: str | None = None

    def handle(self, account_id: str, number: int) -> int:
        """The UI's number for ``number`` (an event id, local id or sequence number) of ``account_id``."""
        size = abs(number)
        owner = self._own.get(size)
        if owner == account_id:
            found = size
        else:
            given = self._handles.get((account_id, size))
            if given is not None:
                found = given
            elif owner is None and size <= _TOP and size not in self._owners:
                self._own[size] = account_id
                found = size
            else:
                found = self._free()
                self._handles[(account_id, size)] = found
                self._owners[found] = (account_id, size)
        return -found if number < 0 else found

    def resolve(self, handle: int) -> tuple[str, int]:
        """``(account id, number)`` of a handle; :class:`AccountError` for one never handed out."""
        size = abs(handle)
        owner = self._owners.get(size)
        if owner is None:
            account_id = self._own.get(size)
            if account_id is None and self.sole_account is not None and size <= _TOP:
                account_id = self._own[size] = self.sole_account
            if account_id is None:
                raise AccountError(_(GONE_MESSAGE))
            owner = (account_id, size)
        account_id, number = owner
        return account_id, -number if handle < 0 else number

    def account_of(self, handle: int) -> str | None:
        size = abs(handle)
        owner = self._owners.get(size)
        return self._own.get(size) if owner is None else owner[0]

    def _free(self) -> int:
        while self._next_free in self._owners or self._next_free in self._own:
            self._next_free -= 1
        found, self._next_free = self._next_free, self._next_free - 1
        return found

    # -- copies for the UI ----------------------------------------------------------------------------------

    # An event whose handle is its own id (every event, with one account) is passed as it is: the snapshot reads
    # every cached event after each change, and a copy of each would cost that read as much again.

    def summary(self, account_id: str, summary: EventSummary) -> EventSummary:
        handle = self.handle(account_id, summary.id)
        return summary if handle == summary.id else summary.model_copy(update={"id": handle})

    def event(self, account_id: str, stored: StoredEvent) -> StoredEvent:
        summary = self.summary(account_id, stored.summary)
        if summary is stored.summary:
            return stored
        detail = stored.detail
        if detail is not None:
            detail = detail.model_copy(update={"id": self.handle(account_id, detail.id)})
        return replace(stored, summary=summary, detail=detail)

    def change_set(self, account_id: str, changes: ChangeSet) -> ChangeSet:
        return ChangeSet(tuple(self._change(account_id, change) for change in changes))

    def _change(self, account_id: str, change: Change) -> Change:
        event = self.summary(account_id, change.event)
        previous = None if change.previous is None else self.summary(account_id, change.previous)
        if event is change.event and previous is change.previous:
            return change
        return replace(change, event=event, previous=previous)

    def reminder(self, account_id: str, reminder: Reminder) -> Reminder:
        event = self.event(account_id, reminder.event)
        return reminder if event is reminder.event else replace(reminder, event=event)

    def missed(self, account_id: str, summary: MissedSummary) -> MissedSummary:
        return MissedSummary(tuple(self.reminder(account_id, reminder) for reminder in summary.reminders))

    def outbox_entry(self, account_id: str, entry: OutboxEntry) -> OutboxEntry:
        event_id = None if entry.event_id is None else self.handle(account_id, entry.event_id)
        return replace(entry, seq=self.handle(account_id, entry.seq), event_id=event_id)

    def queued(self, account_id: str, queued: Queued) -> Queued:
        moved = None if queued.moved_here is None else self.handle(account_id, queued.moved_here)
        return Queued(self.handle(account_id, queued.seq), moved)

    # -- back to the account's own numbers ----------------------------------------------------------------

    def own_event(self, stored: StoredEvent) -> StoredEvent:
        """The account's own copy of a UI copy (the base of an edit goes to the core as the account knows it)."""
        _account, event_id = self.resolve(stored.id)
        detail = stored.detail
        if detail is not None:
            detail = detail.model_copy(update={"id": self.resolve(detail.id)[1]})
        return replace(stored, summary=stored.summary.model_copy(update={"id": event_id}), detail=detail)
