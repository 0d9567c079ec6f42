"""The newest copy of a session's cached events and outbox, for what renders them and must not wait on disk.

:meth:`CalendarSnapshot.request` re-reads in the background, coalesced: at most one read runs and one more
follows it, however many changes ask meanwhile. ``on_read(outbox_changed)`` runs after each read. The snapshot
asks by itself after every change set from the server, every settled outbox drain, the details of a changed
event read again, and the first completed sync (a baseline poll reports no changes, yet it filled the cache).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from klen_desktop.event_rules import is_open
from klen_desktop.session.merged import MergedCalendar
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.status import SyncPhase, SyncStatus


class CalendarSnapshot:
    """See the module docstring. One per session; a new session gets a new snapshot."""

    def __init__(self, session: MergedCalendar, on_read: Callable[[bool], None]) -> None:
        self._session = session
        self._on_read = on_read
        self.events: tuple[StoredEvent, ...] = ()
        self.outbox: tuple[OutboxEntry, ...] = ()
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False
        self._synced_once = False
        session.on_changes(lambda _changes: self.request())
        session.on_outbox_settled(lambda _report: self.request())
        session.on_details_refreshed(self.request)
        session.on_status(self._status)
        session.on_accounts_changed(self.request)

    @property
    def reading(self) -> bool:
        """A read is under way (its result is announced when it lands)."""
        return self._task is not None and not self._task.done()

    @property
    def read_once(self) -> bool:
        """A read has landed and none is under way."""
        return self._task is not None and self._task.done()

    def request(self) -> None:
        """Re-read events and outbox (coalesced)."""
        if self._closed:
            return
        if self.reading:
            self._again = True
            return
        self._task = asyncio.ensure_future(self._read())

    async def wait(self) -> None:
        """Re-read now and wait for it (tests and the first paint)."""
        self.request()
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def cancel(self) -> None:
        """Stop reading for good (the session is being replaced or stopped)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()

    def event(self, event_id: int) -> StoredEvent | None:
        """The event from the newest copy (no disk read)."""
        for stored in self.events:
            if stored.id == event_id:
                return stored
        return None

    def upcoming(self, now: datetime, limit: int) -> list[StoredEvent]:
        """Open (scheduled or confirmed) events not yet ended, soonest first."""
        found = [e for e in self.events if e.end_time > now and is_open(e.status)]
        return sorted(found, key=lambda e: (e.start_time, e.id))[:limit]

    def _status(self, status: SyncStatus) -> None:
        if not self._synced_once and status.phase is SyncPhase.IDLE and status.last_success is not None:
            self._synced_once = True
            self.request()

    async def _read(self) -> None:
        session = self._session
        while True:
            self._again = False
            try:
                events = await session.all_events()
                outbox = await session.outbox_entries()
            except DatabaseClosed:
                return  # the session was replaced or stopped meanwhile; the new one reads itself
            except RuntimeError:
                if session.stopped:
                    return  # its store's worker was shut down between our check and the read
                raise
            if session.stopped:
                return
            self.events = tuple(events)
            changed_outbox = tuple(outbox) != self.outbox
            self.outbox = tuple(outbox)
            self._on_read(changed_outbox)
            if not self._again:
                return
