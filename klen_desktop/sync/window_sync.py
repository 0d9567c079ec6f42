"""One poll of the sync window: fetch every page, diff against the store, store the result; then refresh details.

The window held in the store is replaced in ONE transaction after the last page arrived: a poll that fails
half-way (a dropped page, a 429) changes nothing in the store. Details are a separate step
(:mod:`klen_desktop.sync.details`) that runs after the window is stored and announced: details of changed
events may wait for the request budget (a day of 600 new events costs 6 list pages, and the details then need
more than the 10 requests a minute allow), and the agenda must not wait with them.

Events with a queued or just-sent local write are left alone by the poll (the outbox owns their cached copy until
its write is reconciled) and changes to events with outbox history since the previous poll are marked
``origin=LOCAL`` so the UI does not echo them back.

**When an event is gone.** The listing pages by offset without a snapshot, so a walk that raced a change on the
server can miss an event that still exists (:mod:`klen_desktop.sync.walk` says when a walk is consistent).
An event is reported gone, removed from the cache and its reminders withdrawn, only when it is missing from two
consistent walks of the same poll: the first consistent walk that lacks a cached event is followed at once by a
second one, and the event is gone only if that one lacks it too. A poll whose walks stay inconsistent (up to
:data:`MAX_WALKS`) stores what it saw, the events it read are real, but removes nothing: the previous view of
the missing events is kept and the next poll tries again. Events the server sent but the app could not read
(an impossible date, a broken field) are reported in the sync status and keep their previous cached copy; an
unreadable item without a readable id may be any event, so while one is listed nothing is removed.

Cost of one poll: ``max(1, ceil(events / page_size))`` list requests (twice that when an event disappeared,
at most :data:`MAX_WALKS` times when the listing keeps changing under the walk), then details of events starting
within the reminder horizon: of changed ones up to ``max_details_per_poll``, waiting for the budget; of others
whose details are missing or outdated, as many as the budget has to spare; of those only older than
``detail_ttl``, spare ones within ``max_details_per_poll``. A poll never waits on the budget for a lazy refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import EventNotFound, KeyRejected, KlenError, PermissionMissing
from klen_desktop.api.models import EventSummary, RejectedItem, format_utc
from klen_desktop.clock import Clock
from klen_desktop.records import record
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, summary_of
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.store.synced_days import SyncedDaysRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.details import DetailRefresh
from klen_desktop.sync.diff import ChangeKind, ChangeSet, diff_events
from klen_desktop.sync.ranges import Plan, plan_ranges
from klen_desktop.sync.walk import Walk, walk_hours, walk_window

log = logging.getLogger(__name__)

MAX_WALKS = 3
"""Walks of one poll at most: the listing changed under the first, or a second confirms a disappearance."""

Hours = tuple[datetime, datetime]
"""``[since, until)``: a read of the events of some days that start within these hours."""


def _unconfirmed_creates(
    active: list[OutboxEntry], new_ids: Iterable[int], fetched: dict[int, EventSummary]
) -> set[int]:
    """New server events that look like a queued create whose answer was lost.

    The outbox adopts such an event (by title and times) on its next attempt; until then the poll leaves it
    alone, so the agenda does not show it twice and the user is not told about their own event as news.
    """
    pending = {
        (e.payload.get("title"), e.payload.get("start_time"), e.payload.get("end_time"))
        for e in active
        if e.op is OutboxOp.CREATE and e.meta.get("maybe_sent")
    }
    if not pending:
        return set()
    return {
        i
        for i in new_ids
        if (fetched[i].title, format_utc(fetched[i].start_time), format_utc(fetched[i].end_time)) in pending
    }


def _days(start: date, end: date) -> list[date]:
    return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]


def _unique(items: tuple[RejectedItem, ...]) -> tuple[RejectedItem, ...]:
    """One report per unreadable event (several walks may list the same one)."""
    seen: dict[object, RejectedItem] = {}
    for item in items:
        seen[item.id if item.id is not None else (item.index, item.reason)] = item
    return tuple(seen.values())


@record
class Fetched:
    """What the walks of one poll agree on: the events seen, those the server sent unreadable, and whether a
    cached event missing from ``events`` may be removed (two consistent walks lacked it)."""

    events: dict[int, EventSummary]
    rejected: tuple[RejectedItem, ...] = ()
    removals_allowed: bool = True
    walks: int = 1

    @property
    def kept_ids(self) -> set[int]:
        """Cached events the poll must leave as they are: listed, but unreadable this time."""
        return {item.id for item in self.rejected if item.id is not None}


def _judge(walks: list[Walk], cached: set[int]) -> Fetched | None:
    """The poll's view once the walks so far settle it, else None (walk again)."""
    newest = walks[-1]
    if newest.consistent and newest.unnamed_rejections:
        # An unreadable item without an id could be any missing event, and walking again will not name it.
        return Fetched(newest.events, tuple(newest.rejected), False, len(walks))
    if newest.consistent and not cached - newest.events.keys() - newest.rejected_ids:
        return Fetched(newest.events, tuple(newest.rejected), True, len(walks))
    consistent = [w for w in walks if w.consistent and not w.unnamed_rejections]
    if len(consistent) >= 2:
        first, second = consistent[-2:]
        # Missing from both: gone. Missing from one only: a shifted page may have skipped it; it stays.
        return Fetched({**first.events, **second.events}, tuple(first.rejected + second.rejected), True, len(walks))
    # A listing that ran into the page limit is not walked again in this poll: the next poll tries.
    if len(walks) < MAX_WALKS and not newest.capped:
        return None
    seen: dict[int, EventSummary] = {}
    for walk in walks:
        seen.update(walk.events)
    return Fetched(seen, tuple(item for walk in walks for item in walk.rejected), False, len(walks))


@record
class WindowResult:
    """A stored window: its changes (empty for the baseline), the list requests it cost, its size, and the
    events the server listed that could not be read (the rest of the window was stored without them)."""

    changes: ChangeSet
    requests: int
    events_in_window: int
    baseline: bool
    rejected: tuple[RejectedItem, ...] = ()
    consistent: bool = True
    stored: bool = True  # False: a first look at a larger window, only counted (see WindowSync.first_look)


class WindowSync:
    """The steps of one poll; :class:`klen_desktop.sync.poller.Poller` adds cadence and status."""

    def __init__(
        self,
        client: KlenClient,
        db: Database,
        events: EventRepository,
        state: SyncStateRepository,
        outbox: OutboxRepository,
        clock: Clock,
        config: SyncConfig,
        budget: RequestBudget,
    ) -> None:
        self._client = client
        self._db = db
        self._events = events
        self._state = state
        self._outbox = outbox
        self._clock = clock
        self._config = config
        self._budget = budget
        self._days = SyncedDaysRepository(db)
        self.details = DetailRefresh(client, db, events, self._days, clock, config, budget)
        self._density_hint: float | None = None
        # False once a listing was found not ordered by start time: its hours cannot be read from a page.
        self.hours_readable = True
        self._reported: set[tuple[int | None, str]] = set()

    async def poll_window(self) -> WindowResult:
        """Fetch, diff and store the whole window (no details); raises the client's errors (the store is then
        untouched)."""
        start, end = self._config.window(self._clock.now())
        return await self.poll_range(start, end)

    async def first_look(self) -> WindowResult:
        """A new cache's first request: page one of the whole window. A window of one page is then stored
        whole (a small calendar costs one request, as every later poll does); a larger one is only counted, so
        the first sync can read the next hours first and the rest as the budget allows."""
        started = self._clock.now()
        start, end = self._config.window(started)
        walk = await walk_window(self._client, self._budget, start, end, self._config.page_size, 1, first_fill=True)
        if walk.truncated:
            self._density_hint = walk.total / ((end - start).days + 1)
            return WindowResult(ChangeSet(), 1, walk.total, True, stored=False)
        view = _judge([walk], set())
        if view is None:  # a listing that disagreed with itself: read it whole the usual way
            return await self.poll_range(start, end)
        changes, baseline = await self._db.run(self._apply_window, start, end, view, started)
        return WindowResult(changes, 1, len(view.events), baseline, tuple(view.rejected), view.removals_allowed)

    async def plan(self) -> Plan:
        """The window's ranges now (:mod:`klen_desktop.sync.ranges`), from the days read and the cached events."""
        now = self._clock.now()
        start, end = self._config.window(now)
        synced, counts = await self._db.run(self._read_days, start, end)
        return plan_ranges(now, self._config, synced, counts, self._density_hint)

    def _read_days(self, start: date, end: date) -> tuple[dict[date, datetime], dict[date, int]]:
        with self._db.transaction() as conn:
            synced = self._days.synced(conn)
            if not synced:
                # A cache synced before days were recorded: its stored window was read as a whole.
                state = self._state.get(conn)
                if state.baseline_done and state.window_start and state.window_end and state.last_success:
                    self._days.mark(state.window_start, state.window_end, state.last_success, conn)
                    synced = self._days.synced(conn)
            return synced, self._days.event_counts(start, end, conn)

    async def poll_range(self, start: date, end: date, hours: Hours | None = None) -> WindowResult:
        """Fetch, diff and store the days ``start`` to ``end`` of the window (no details); with ``hours`` only
        their events starting within those hours (``[since, until)``, read from the pages that hold them, see
        :func:`walk_hours`). An event that left the range since the last read is looked up by id: moved
        elsewhere in the window, or gone."""
        started = self._clock.now()
        spent_before = self._budget.spent
        view = await (self.fetch_window(start, end) if hours is None else self._fetch_hours(start, end, hours))
        window_start, window_end = self._config.window(started)
        relocated: dict[int, EventSummary] = {}
        unlocated: set[int] = set()
        if ((start, end) != (window_start, window_end) or hours is not None) and view.removals_allowed:
            cached = set((await self._db.run(self._cached, start, end, hours))[1])
            missing = sorted(cached - view.events.keys() - view.kept_ids)
            relocated, unlocated = await self._locate(missing)
        rejected = _unique(view.rejected)
        reported = {(item.id, item.reason) for item in rejected}
        for item in rejected:
            # Warned once while it stays broken; the sync status counts it at every poll.
            level = logging.INFO if (item.id, item.reason) in self._reported else logging.WARNING
            log.log(level, "the server listed an event the app cannot read (id %s): %s", item.id, item.reason)
        self._reported = reported
        if not view.removals_allowed:
            log.info("the window listing stayed inconsistent over %d walks: nothing removed this poll", view.walks)
        changes, baseline = await self._db.run(
            self._apply_window,
            start,
            end,
            replace(view, events={**view.events, **relocated}),
            started,
            unlocated,
            hours,
        )
        return WindowResult(
            changes,
            self._budget.spent - spent_before,
            len(view.events),
            baseline,
            rejected,
            view.removals_allowed,
        )

    async def fetch_window(self, start: date, end: date) -> Fetched:
        """The events whose start date is in ``[start, end]``, and whether missing ones may be removed (see the
        module docstring: consistent walks only, a second one to confirm a disappearance)."""
        cached = await self._db.run(self._events.window_ids, start, end)
        first_fill = start <= (self._clock.now() + self._config.near_span).date()  # the next days, never read
        first_fill = first_fill and not await self._db.run(self._days.all_read, start, end)
        walks: list[Walk] = []
        size = self._config.page_size
        while True:
            walks.append(await walk_window(self._client, self._budget, start, end, size, first_fill=first_fill))
            view = _judge(walks, cached)
            if view is not None:
                return view

    async def _fetch_hours(self, start: date, end: date, hours: Hours) -> Fetched:
        """The events of ``[start, end]`` starting within ``hours``. A consistent read may say what left the hours:
        each such event is then looked up by id (moved, or gone), so one walk suffices."""
        skip, _cached = await self._db.run(self._cached, start, end, hours)
        walk = await walk_hours(self._client, self._budget, start, end, hours, skip, self._config.page_size)
        if walk.unordered:
            log.warning("the server's listing is not ordered by start time: the next hours are read by whole days")
            self.hours_readable = False
        return Fetched(walk.events, tuple(walk.rejected), walk.consistent and not walk.unnamed_rejections)

    def _cached(self, start: date, end: date, hours: Hours | None) -> tuple[int, dict[int, EventSummary]]:
        """Cached events of the days before the hours (how many), and those within them (all: no hours)."""
        cached = self._events.window(start, end)
        if hours is None:
            return 0, cached
        since, until = hours
        return sum(1 for s in cached.values() if s.start_time < since), {
            i: s for i, s in cached.items() if since <= s.start_time < until
        }

    async def _locate(self, missing: list[int]) -> tuple[dict[int, EventSummary], set[int]]:
        """Where the events that left a range went: {id: summary} for those still on the server (elsewhere in
        the window, or outside it), and the ids that could not be looked up (they keep their cached copy).
        One not found is left out of both: it is gone."""
        found: dict[int, EventSummary] = {}
        for index, event_id in enumerate(missing):
            if index >= self._config.max_lookups:
                return found, set(missing[index:])
            await self._budget.acquire()
            try:
                found[event_id] = summary_of(await self._client.get_event(event_id))
            except EventNotFound:
                continue
            except (KeyRejected, PermissionMissing):
                raise
            except KlenError as exc:
                log.info("could not look up event %d that left its range: %s", event_id, exc)
                return found, set(missing[index:])
        return found, set()

    def _apply_window(
        self,
        start: date,
        end: date,
        view: Fetched,
        started: datetime,
        unlocated: Collection[int] = (),
        hours: Hours | None = None,
    ) -> tuple[ChangeSet, bool]:
        fetched = view.events
        window_start, window_end = self._config.window(started)
        with self._db.transaction() as conn:
            previous = self._state.get(conn)
            read_before = self._days.synced(conn)
            # Some hours of days read before are never a first read (and do not make their days read).
            first_read = {day for day in _days(start, end) if day not in read_before and hours is None}
            # When the previous read of these days began (the oldest, when they were read apart).
            range_since = min((read_before[day] for day in _days(start, end) if day in read_before), default=None)
            old = self._events.window(start, end, conn=conn)
            if hours is not None:
                old = {i: s for i, s in old.items() if hours[0] <= s.start_time < hours[1]}
            if not view.removals_allowed:
                # Not confirmed gone: what is missing keeps its previous view.
                fetched = {**{i: s for i, s in old.items() if i not in fetched}, **fetched}
            for event_id in fetched.keys() - old.keys():
                # Moved into the window from outside it: a move, not a creation.
                stored = self._events.get(event_id, conn=conn)
                if stored is not None:
                    old[event_id] = stored.summary
            # The outbox owns events with unsent writes, and ones it reconciled after this fetch began.
            active = self._outbox.active(conn)
            held = {e.event_id for e in active if e.event_id is not None}
            held |= self._outbox.local_event_ids(started, conn=conn)
            held |= view.kept_ids | set(unlocated)
            held |= _unconfirmed_creates(active, fetched.keys() - old.keys(), fetched)
            new_view = {i: s for i, s in fetched.items() if i not in held}
            old_view = {i: s for i, s in old.items() if i not in held}
            changes = diff_events(old_view, new_view)
            self._events.upsert_summaries((c.event for c in changes if c.kind is not ChangeKind.GONE), conn=conn)
            self._events.remove((c.event_id for c in changes.of_kind(ChangeKind.GONE)), conn=conn)
            self._events.prune_ended_before(datetime.combine(window_start, time(), UTC), keep=held, conn=conn)
            if hours is None:
                self._days.mark(start, end, started, conn)
            self._days.forget_outside(window_start, window_end, conn)
            # From when the previous poll BEGAN: a write reconciled while it was in flight was left to the outbox
            # by it, so this poll still has to know the event's change as the user's own, not as news.
            since = range_since or previous.last_success_started or previous.last_success
            own = self._outbox.local_event_ids(since, conn=conn) if since else set()
            self._state.put(
                replace(
                    previous,
                    last_success=self._clock.now(),
                    last_attempt=started,
                    last_success_started=started,
                    last_error_code=None,
                    last_error_message=None,
                    window_start=window_start,
                    window_end=window_end,
                    baseline_done=True,
                ),
                conn=conn,
            )
        if not previous.baseline_done:
            return ChangeSet(), True  # the first sync of a store is a baseline, not news
        # A day read for the first time (a range of a first sync, a day that entered the window) is a baseline
        # too: its events are not news. A move onto such a day still is.
        news = ChangeSet(
            tuple(c for c in changes if not (c.kind is ChangeKind.CREATED and c.event.start_time.date() in first_read))
        )
        return news.mark_local(own.__contains__), False
