"""Details of the events near now (reminder settings, notes): read after a poll stored its window, bounded.

Details are a separate step that runs after the window is stored and announced (see
:mod:`klen_desktop.sync.window_sync`): details of changed events may wait for the request budget (a day of 600 new
events costs 6 list pages, and the details then need more than the 10 requests a minute allow), and the agenda
must not wait with them. Of events starting within the reminder horizon: changed ones up to
``max_details_per_poll``, waiting for the budget (not past the next read of the next hours); others whose details
are missing or outdated, as many as the budget has to spare (leaving ``spare_kept``, and a range's pages while the
window is not all read); those only older than ``detail_ttl``, spare ones within the cap.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import EventNotFound, KeyRejected, KlenError, MalformedResponse, PermissionMissing
from klen_desktop.api.models import EventDetail, EventStatus
from klen_desktop.clock import Clock
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.synced_days import SyncedDaysRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeSet

log = logging.getLogger(__name__)


class DetailRefresh:
    """Reads the details a poll's changes and the reminder horizon want, within the request budget."""

    def __init__(
        self,
        client: KlenClient,
        db: Database,
        events: EventRepository,
        days: SyncedDaysRepository,
        clock: Clock,
        config: SyncConfig,
        budget: RequestBudget,
    ) -> None:
        self._client = client
        self._db = db
        self._events = events
        self._days = days
        self._clock = clock
        self._config = config
        self._budget = budget

    async def __call__(self, changes: ChangeSet, deadline: datetime | None = None) -> int:
        """Read details for events within the reminder horizon that need them; returns how many were read.

        Details of ``changes`` wait for the request budget, but not past ``deadline`` (when the next hours are due
        to be read again: on a busy or shared key that read goes first, and details not read stay wanted by the
        next poll); other refreshes only use spare requests. A key or permission error is raised; any other error
        ends the refresh quietly (the next poll continues).
        """
        now = self._clock.now()
        urgent, lazy, kept = await self._db.run(self._detail_candidates, now, changes)
        changed = changes.event_ids
        cap = self._config.max_details_per_poll
        # Missing or outdated details go on past the cap while requests are spare: left to later polls, they
        # would make each of those read details of an unchanged calendar.
        wanted = urgent + lazy[: max(0, cap - len(urgent))]
        fetched = 0
        for index, event_id in enumerate(wanted):
            if (index >= cap or event_id not in changed) and self._budget.available() <= kept:
                break  # only the capped changed ones wait for the budget; the next poll continues
            wait = timedelta(seconds=self._budget.wait_time())
            if deadline is not None and wait and self._clock.now() + wait > deadline:
                break
            await self._budget.acquire()
            try:
                detail = await self._client.get_event(event_id)
            except EventNotFound:
                continue  # gone between the list and now; the next poll reports it
            except (KeyRejected, PermissionMissing):
                raise
            except MalformedResponse as exc:
                # One event's unreadable details must not keep the others from being refreshed.
                log.warning("details of event %d could not be read: %s", event_id, exc)
                continue
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

    def _detail_candidates(self, now: datetime, changes: ChangeSet) -> tuple[list[int], list[int], int]:
        """Events within the horizon whose details are missing or outdated, those only older than the TTL, and the
        requests a minute the lazy ones leave unused."""
        horizon_end = now + self._config.reminder_horizon
        kept = self._config.spare_kept
        if not self._days.all_read(*self._config.window(now)):
            # They also leave a range's pages: five details a minute left two requests, never the three pages of
            # the next range of 250 events, and the far days of a 10,000-event window waited while they lasted.
            kept += math.ceil(self._config.range_events / self._config.page_size)
            # A first fill of a large window: the next day's hundreds of details would take every spare request
            # and leave the rest of the window unread for an hour; the next hours' reminders go first.
            horizon_end = now + min(self._config.reminder_horizon, self._config.first_fill_detail_horizon)
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
        return urgent, lazy, kept
