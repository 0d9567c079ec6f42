"""One poll of the sync window: fetch every page, diff against the store, store the result; then refresh details.

The window held in the store is replaced in ONE transaction after the last page arrived: a poll that fails
half-way (a dropped page, a 429) changes nothing in the store. Details are a separate step
(:meth:`WindowSync.refresh_details`) that runs after the window is stored and announced: details of changed
events may wait for the request budget (a day of 600 new events costs 6 list pages, and the details then need
more than the 10 requests a minute allow), and the agenda must not wait with them.

Events with a queued or just-sent local write are left alone by the poll (the outbox owns their cached copy until
its write is reconciled) and changes to events with outbox history since the previous poll are marked
``origin=LOCAL`` so the UI does not echo them back.

Cost of one poll: ``max(1, ceil(events / page_size))`` list requests, then details for at most
``max_details_per_poll`` events starting within the reminder horizon whose details are missing, outdated by a
change, or older than ``detail_ttl``; details beyond the changed events are read only while the request budget
has tokens to spare, so a poll never waits on the budget for a lazy refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import EventNotFound, KeyRejected, KlenError, PermissionMissing
from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, format_utc
from klen_desktop.clock import Clock
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeKind, ChangeSet, diff_events

log = logging.getLogger(__name__)

# A walk whose total changed under it (events added or removed between pages) may have skipped an event.
_MAX_WALKS = 3


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


@dataclass(frozen=True)
class WindowResult:
    """A stored window: its changes (empty for the baseline), the list requests it cost, its size."""

    changes: ChangeSet
    requests: int
    events_in_window: int
    baseline: bool


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

    async def poll_window(self) -> WindowResult:
        """Fetch, diff and store the window (no details); raises the client's errors (the store is then untouched)."""
        started = self._clock.now()
        spent_before = self._budget.spent
        start, end = self._config.window(started)
        fetched = await self.fetch_window(start, end)
        changes, baseline = await self._db.run(self._apply_window, start, end, fetched, started)
        return WindowResult(changes, self._budget.spent - spent_before, len(fetched), baseline)

    async def fetch_window(self, start: date, end: date) -> dict[int, EventSummary]:
        """Every event whose start date is in ``[start, end]``, walking all pages at the largest page size."""
        for _ in range(_MAX_WALKS):
            events: dict[int, EventSummary] = {}
            totals: set[int] = set()
            page = 1
            while True:
                await self._budget.acquire()
                result = await self._client.list_events(
                    start_date=start, end_date=end, page=page, limit=self._config.page_size
                )
                totals.add(result.count)
                events.update((event.id, event) for event in result.events)
                if not result.events or page >= result.pages:
                    break
                page += 1
            if len(totals) == 1 and len(events) >= min(totals):
                return events
            log.info("the window changed while it was read (totals %s); reading it again", sorted(totals))
        return events

    def _apply_window(
        self, start: date, end: date, fetched: dict[int, EventSummary], started: datetime
    ) -> tuple[ChangeSet, bool]:
        with self._db.transaction() as conn:
            previous = self._state.get(conn)
            old = self._events.window(start, end, conn=conn)
            for event_id in fetched.keys() - old.keys():
                # Moved into the window from outside it: a move, not a creation.
                stored = self._events.get(event_id, conn=conn)
                if stored is not None:
                    old[event_id] = stored.summary
            # The outbox owns events with unsent writes, and ones it reconciled after this fetch began.
            active = self._outbox.active(conn)
            held = {e.event_id for e in active if e.event_id is not None}
            held |= self._outbox.local_event_ids(started, conn=conn)
            held |= _unconfirmed_creates(active, fetched.keys() - old.keys(), fetched)
            new_view = {i: s for i, s in fetched.items() if i not in held}
            old_view = {i: s for i, s in old.items() if i not in held}
            changes = diff_events(old_view, new_view)
            self._events.upsert_summaries((c.event for c in changes if c.kind is not ChangeKind.GONE), conn=conn)
            self._events.remove((c.event_id for c in changes.of_kind(ChangeKind.GONE)), conn=conn)
            self._events.prune_ended_before(datetime.combine(start, time(), UTC), keep=held, conn=conn)
            # From when the previous poll BEGAN: a write reconciled while it was in flight was left to the outbox
            # by it, so this poll still has to know the event's change as the user's own, not as news.
            since = previous.last_success_started or previous.last_success
            own = self._outbox.local_event_ids(since, conn=conn) if since else set()
            self._state.put(
                replace(
                    previous,
                    last_success=self._clock.now(),
                    last_attempt=started,
                    last_success_started=started,
                    last_error_code=None,
                    last_error_message=None,
                    window_start=start,
                    window_end=end,
                    baseline_done=True,
                ),
                conn=conn,
            )
        if not previous.baseline_done:
            return ChangeSet(), True  # the first sync of a store is a baseline, not news
        return changes.mark_local(own.__contains__), False

    async def refresh_details(self, changes: ChangeSet) -> int:
        """Read details for events within the reminder horizon that need them; returns how many were read.

        Details of ``changes`` wait for the request budget; other refreshes only use spare requests. A key or
        permission error is raised; any other error ends the refresh quietly (the next poll continues).
        """
        now = self._clock.now()
        wanted = await self._db.run(self._detail_candidates, now, changes)
        changed = changes.event_ids
        fetched = 0
        for event_id in wanted[: self._config.max_details_per_poll]:
            if event_id not in changed and self._budget.available() < 1:
                break  # a lazy refresh never waits for the budget; the next poll continues
            await self._budget.acquire()
            try:
                detail = await self._client.get_event(event_id)
            except EventNotFound:
                continue  # gone between the list and now; the next poll reports it
            except (KeyRejected, PermissionMissing):
                raise
            except KlenError as exc:
                log.info("details of event %d not refreshed this poll: %s", event_id, exc)
                break
            await self._db.run(self._store_detail, detail, self._clock.now())
            fetched += 1
        return fetched

    def _store_detail(self, detail: EventDetail, fetched_at: datetime) -> None:
        stored = self._events.get(detail.id)
        # A write queued meanwhile owns the cached copy; its reconcile brings the server's answer.
        if stored is not None and stored.local_state is None:
            self._events.upsert_detail(detail, fetched_at)

    def _detail_candidates(self, now: datetime, changes: ChangeSet) -> list[int]:
        horizon_end = now + self._config.reminder_horizon
        changed = changes.event_ids
        urgent: list[int] = []
        lazy: list[int] = []
        for stored in self._events.between(now, horizon_end):
            if stored.id < 0 or stored.local_state is not None or stored.status is EventStatus.CANCELLED:
                continue
            stale = stored.detail_fetched_at is None or now - stored.detail_fetched_at > self._config.detail_ttl
            if stored.id in changed or not stored.detail_is_current:
                urgent.append(stored.id)
            elif stale:
                lazy.append(stored.id)
        return urgent + lazy
