"""A calendar bigger than one page is read whole, page by page, in order, each event once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from api_helpers import MakeClient, api_records

from klen_desktop.api.client import KlenClient
from klen_desktop.api.constants import MAX_PAGE_SIZE, MAX_PAGES
from klen_desktop.api.errors import MalformedResponse
from klen_desktop.api.models import EventStatus

pytestmark = pytest.mark.asyncio(loop_scope="session")
FIRST = datetime(2027, 5, 1, 8, 0, tzinfo=UTC)


def insert_calendar(emulator: Any, count: int) -> list[int]:
    """``count`` half-hour events, four hours apart from 2027-05-01, every tenth one cancelled."""
    events = [
        {
            "title": f"Event {n:03d}",
            "start_time": FIRST + timedelta(hours=4 * n),
            "end_time": FIRST + timedelta(hours=4 * n, minutes=30),
            "status": "cancelled" if n % 10 == 0 else "confirmed",
        }
        for n in range(count)
    ]
    return list(emulator.admin.insert_events(events))


async def test_250_events_are_read_in_three_pages(client: KlenClient, emulator: Any) -> None:
    ids = insert_calendar(emulator, 250)
    emulator.admin.clear_request_log()

    events = await client.list_all_events(start_date=date(2027, 5, 1), end_date=date(2027, 7, 1))

    assert [event.id for event in events] == ids
    assert [event.title for event in events][:2] == ["Event 000", "Event 001"]
    assert len({event.id for event in events}) == 250
    pages = [record.query for record in api_records(emulator, "GET", "/calendar/events")]
    assert len(pages) == 3 and client.requests_sent == 3
    assert all(f"limit={MAX_PAGE_SIZE}" in query for query in pages)
    assert [f"page={n}" in query for n, query in enumerate(pages, start=1)] == [True, True, True]


async def test_small_pages_and_a_status_filter(client: KlenClient, emulator: Any) -> None:
    insert_calendar(emulator, 250)
    seen = []
    async for event in client.iter_events(
        start_date=date(2027, 5, 1), end_date=date(2027, 7, 1), status=EventStatus.CANCELLED, page_size=7
    ):
        seen.append(event)
    assert len(seen) == 25
    assert all(event.status is EventStatus.CANCELLED for event in seen)
    assert client.requests_sent == 4  # ceil(25 / 7)


async def test_an_empty_range_costs_one_request(client: KlenClient) -> None:
    assert await client.list_all_events(start_date=date(2030, 1, 1), end_date=date(2030, 1, 31)) == []
    assert client.requests_sent == 1


async def test_one_page_of_the_list(client: KlenClient, emulator: Any) -> None:
    insert_calendar(emulator, 25)
    page = await client.list_events(start_date=date(2027, 5, 1), end_date=date(2027, 7, 1), page=3, limit=10)
    assert (page.count, page.page, page.limit, page.pages) == (25, 3, 10, 3)
    assert [event.title for event in page.events] == [f"Event {n:03d}" for n in range(20, 25)]


async def test_page_size_is_bounded(make_client: MakeClient, rw_key: str) -> None:
    client = make_client(rw_key)
    for size in (0, MAX_PAGE_SIZE + 1):
        with pytest.raises(ValueError, match="page_size"):
            await client.list_all_events(start_date=date(2027, 5, 1), end_date=date(2027, 5, 2), page_size=size)
    with pytest.raises(ValueError):
        await client.list_events(page=0)
    assert client.requests_sent == 0


async def test_a_lying_pages_field_is_capped_by_count_and_limit(client: KlenClient, emulator: Any) -> None:
    insert_calendar(emulator, 25)
    emulator.faults.rewrite_next(100, lambda body: {**body, "pages": 10**9}, method="GET")

    events = await client.list_all_events(start_date=date(2027, 5, 1), end_date=date(2027, 7, 1), page_size=10)

    assert len(events) == 25 and client.requests_sent == 3


async def test_a_listing_without_end_stops_at_the_hard_page_limit(client: KlenClient, emulator: Any) -> None:
    insert_calendar(emulator, 1)
    counter = {"n": 0}
    template: dict[str, Any] = {}

    def endless(body: Any) -> Any:
        counter["n"] += 1
        if not template:
            template["event"] = body["events"][0]
        event = {**template["event"], "id": counter["n"], "uuid": f"u{counter['n']}"}
        return {**body, "events": [event], "pages": 10**9, "count": 10**11, "limit": 1}

    emulator.faults.rewrite_next(10 * MAX_PAGES, endless, method="GET")

    with pytest.raises(MalformedResponse, match="more pages"):
        await client.list_all_events(start_date=date(2027, 5, 1), end_date=date(2027, 7, 1), page_size=1)
    assert client.requests_sent == MAX_PAGES


async def test_a_page_keeps_the_events_it_can_read(client: KlenClient, emulator: Any) -> None:
    ids = insert_calendar(emulator, 3)

    def spoil(body: Any) -> Any:
        body["events"][0]["start_time"] = "0999-01-01T10:00:00Z"
        body["events"][1]["event_type"] = "webinar"
        body["events"][2]["duration_minutes"] = "about an hour"
        return body

    emulator.faults.rewrite_next(1, spoil, method="GET")
    page = await client.list_events(start_date=date(2027, 5, 1), end_date=date(2027, 7, 1))

    assert [e.id for e in page.events] == ids[1:]
    assert page.events[0].event_type == "webinar" and page.events[1].duration_minutes is None
    assert [(r.index, r.id) for r in page.rejected] == [(0, ids[0])]
    assert "start_time" in page.rejected[0].reason
