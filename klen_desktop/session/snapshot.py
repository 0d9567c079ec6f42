"""The newest copy of a session's cached events and outbox, for what renders them and must not wait on disk.

It holds the events near now, not the whole cache: those overlapping the day before and the two days after the
last read, the next :data:`UPCOMING_HELD` open events however far ahead (the tray's next event), every event with a
local change, and the spans a view asked for by name (:meth:`CalendarSnapshot.hold`: the agenda's week, the free-slot
finder's days). A 10,000-event cache is some 270 events a day; holding all of it cost about 10 MiB that no view
showed. What no span covers is read from the store when asked (a search over every week, one event by its id).

:meth:`CalendarSnapshot.request` re-reads in the background, coalesced: at most one read runs and one more
follows it, however many changes ask meanwhile. ``on_read(outbox_changed)`` runs after each read. The snapshot
asks by itself after every change set from the server, every settled outbox drain, the details of a changed
event read again, and every completed poll: a baseline reports no changes, yet it filled the cache, and a first
sync fills it a range at a time over many polls. Rows not written since the last read are not decoded again, so
a poll that changed nothing costs an index query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from klen_desktop.event_rules import is_open
from klen_desktop.session.merged import MergedCalendar
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import Held, StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.status import SyncPhase, SyncStatus

NEAR_BEFORE = timedelta(days=1)
NEAR_AFTER = timedelta(days=2)
UPCOMING_HELD = 20
# The near span moves with each read; one this old is read again when next asked for what is upcoming.
NEAR_STALE = timedelta(hours=6)


class CalendarSnapshot:
    """See the module docstring. One per session; a new session gets a new snapshot."""

    def __init__(
        self,
        session: MergedCalendar,
        on_read: Callable[[bool], None],
        spans: Mapping[str, tuple[datetime, datetime]] | None = None,
    ) -> None:
        """``spans``: those views hold already (of the snapshot this one replaces: the windows stay open)."""
        self._session = session
        self._on_read = on_read
        self.events: tuple[StoredEvent, ...] = ()
        self.outbox: tuple[OutboxEntry, ...] = ()
        self.count = 0  # events in the whole cache, held or not
        self._spans: dict[str, tuple[datetime, datetime]] = dict(spans or {})
        self._read_spans: dict[str, tuple[datetime, datetime]] = {}  # those the newest copy was read with
        self._read_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False
        self._last_success: datetime | None = None
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
        """A read has landed (another may be under way)."""
        return self._read_at is not None

    def hold(self, name: str, start: datetime, end: datetime) -> None:
        """Keep the events overlapping ``[start, end)`` in the copy under ``name`` (one span per name: a view's
        new span replaces its old one); read again if it changed."""
        if self._spans.get(name) != (start, end):
            self._spans[name] = (start, end)
            self.request()

    def release(self, name: str) -> None:
        """Let ``name``'s span go (its view closed): the next read holds only the rest."""
        if self._spans.pop(name, None) is not None:
            self.request()

    def covers(self, name: str) -> bool:
        """True when the newest copy was read with ``name``'s current span (its events are all in it)."""
        span = self._spans.get(name)
        return span is not None and self._read_spans.get(name) == span

    @property
    def spans(self) -> dict[str, tuple[datetime, datetime]]:
        """The spans views hold, by name."""
        return dict(self._spans)

    def request(self) -> None:
        """Re-read events and outbox (coalesced)."""
        if self._closed:
            return
        if self.reading:
            self._again = True
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # A Qt timer or signal after the app's loop ended (it is shutting down): nothing will show a read.
            return
        self._task = loop.create_task(self._read())

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
        """The event from the newest copy (no disk read); None for one it does not hold."""
        for stored in self.events:
            if stored.id == event_id:
                return stored
        return None

    def upcoming(self, now: datetime, limit: int) -> list[StoredEvent]:
        """Open (scheduled or confirmed) events not yet ended, soonest first (up to :data:`UPCOMING_HELD`)."""
        if self._read_at is not None and not self.reading and abs(now - self._read_at) > NEAR_STALE:
            self.request()
        found = [e for e in self.events if e.end_time > now and is_open(e.status)]
        return sorted(found, key=lambda e: (e.start_time, e.id))[:limit]

    def _status(self, status: SyncStatus) -> None:
        success = status.last_success
        if status.phase is SyncPhase.IDLE and success is not None and success != self._last_success:
            self._last_success = success
            self.request()

    async def _read(self) -> None:
        session = self._session
        while True:
            self._again = False
            spans = dict(self._spans)
            now = session.clock.now()
            near = (now - NEAR_BEFORE, now + NEAR_AFTER)
            held = Held((near, *spans.values()), now, UPCOMING_HELD)
            try:
                events = await session.all_events(held)
                outbox = await session.outbox_entries()
                count = await session.event_count()
            except DatabaseClosed:
                return  # the session was replaced or stopped meanwhile; the new one reads itself
            except RuntimeError:
                if session.stopped:
                    return  # its store's worker was shut down between our check and the read
                raise
            if session.stopped:
                return
            self.events = tuple(events)
            self.count = count
            self._read_spans, self._read_at = spans, now
            changed_outbox = tuple(outbox) != self.outbox
            self.outbox = tuple(outbox)
            self._on_read(changed_outbox)
            if not self._again:
                return
