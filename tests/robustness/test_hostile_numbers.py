"""Numbers from the server that fit the parser but not the calendar never stop sync or the reminders: an event
with an id past 64 bits is set aside at the edge, and a reminder lead of a billion minutes is held to a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from raw_http import WIRE_EVENT, RawServer, answer

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventDetail, EventSummary
from klen_desktop.api.readers import Unreadable
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.clock import SystemClock
from klen_desktop.reminders.due import reminder_due_at
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, StoredEvent
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.poller import Poller
from klen_desktop.sync.status import SyncPhase

pytestmark = pytest.mark.timeout(30)

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
EVENT = WIRE_EVENT


@pytest.mark.asyncio
async def test_an_id_of_ten_to_the_thirty_sets_that_event_aside_and_the_poll_goes_on(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    page = {"count": 1, "page": 1, "limit": 100, "pages": 1, "events": [{**EVENT, "id": 10**30}]}
    async with RawServer([answer(200, page)]) as server, KlenClient(server.url, "klen_numbers", retry=NO_RETRY) as c:
        clock = SystemClock()
        events = EventRepository(db)
        poller = Poller(
            c, db, events, SyncStateRepository(db), clock, SyncConfig(), RequestBudget(clock), OutboxRepository(db)
        )
        await poller.sync_once()
    # One unreadable event never fails the listing: it is left out, counted and said (its cached copy, had there
    # been one, kept), and the rest of the calendar syncs as usual.
    assert poller.status.phase is SyncPhase.IDLE
    assert poller.status.skipped_events == 1 and poller.status.warning is not None
    assert await db.run(events.between, START - timedelta(days=1), START + timedelta(days=1)) == []
    assert not [r for r in caplog.records if "unexpectedly" in r.getMessage()]


@pytest.mark.parametrize("minutes", [10**9, 2**62, 366 * 24 * 60 + 1])
def test_a_reminder_lead_beyond_a_year_reads_as_unset_and_the_default_lead_applies(minutes: int) -> None:
    summary = EventSummary.model_validate(EVENT)
    detail = EventDetail.model_validate({**EVENT, "remind_before_minutes": minutes})
    assert detail.remind_before_minutes is None
    due = reminder_due_at(StoredEvent(summary, detail, START, None), default_minutes=15)
    assert due == START - timedelta(minutes=15)


@pytest.mark.parametrize("minutes", [10**9, 2**62])
def test_the_reminder_planner_holds_any_lead_it_is_given_to_a_year(minutes: int) -> None:
    # The model already reads such a lead as unset; the planner does not rely on it and never overflows.
    summary = EventSummary.model_validate(EVENT)
    detail = EventDetail.model_validate(EVENT).model_copy(update={"remind_before_minutes": minutes})
    assert reminder_due_at(StoredEvent(summary, detail, START, None)) == START - timedelta(days=366)


def test_an_event_in_year_one_is_refused_and_the_planner_would_not_overflow_on_it() -> None:
    early = {**EVENT, "start_time": "0001-01-01T10:00:00.000Z", "end_time": "0001-01-01T10:30:00.000Z"}
    with pytest.raises(Unreadable):
        EventSummary.model_validate(early)
    year_one = datetime(1, 1, 1, 10, 0, tzinfo=UTC)
    summary = EventSummary.model_validate(EVENT).model_copy(update={"start_time": year_one})
    detail = EventDetail.model_validate(EVENT).model_copy(update={"remind_before_minutes": 24 * 60})
    assert reminder_due_at(StoredEvent(summary, detail, START, None)) is None
