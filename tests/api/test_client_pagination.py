"""A calendar bigger than one page is read whole, page by page, in order, each event once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from api_helpers import MakeClient, api_records

from klen_desktop.api.client import KlenClient
from klen_desktop.api.constants import MAX_PAGE_SIZE
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
