"""Reminders re-read their event from a real server (the emulator, over loopback) right before firing.

The scheduler's clock is a FakeClock; the emulator keeps real time. Events are created a day ahead on the
server, and the fake clock starts an hour before each one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from reminder_harness import Harness

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventInput, EventPatch, EventStatus
from klen_desktop.api.retry import NO_RETRY

pytestmark = pytest.mark.timeout(60)

LEAD = timedelta(minutes=15)


def tomorrow_at_ten() -> datetime:
    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


async def create_and_cache(client: KlenClient, h: Harness, start: datetime) -> int:
    written = await client.create_event(
        EventInput(
            title="Consultation",
            start_time=start,
            end_time=start + timedelta(hours=1),
            customer_name="Ann Smith",
            is_reminder_enabled=True,
            remind_before_minutes=int(LEAD.total_seconds() // 60),
        )
    )
    h.events.upsert_detail(await client.get_event(written.id), h.clock.now())
    return written.id


@pytest_asyncio.fixture
async def session(emulator: Any, rw_key: str, tmp_path: Path) -> AsyncIterator[tuple[Harness, KlenClient, datetime]]:
    start = tomorrow_at_ten()
    clock = FakeClock(start - timedelta(hours=1))
    client = KlenClient(emulator.url, rw_key, retry=NO_RETRY, timeout=5.0)
    h = Harness(tmp_path / "cache.sqlite3", clock, refresh=client.get_event)
    try:
        yield h, client, start
    finally:
        await h.stop()
        await client.aclose()


@pytest.mark.asyncio
async def test_cancelled_on_the_server_a_minute_ago_is_not_shown(
    session: tuple[Harness, KlenClient, datetime],
) -> None:
    h, client, start = session
    event_id = await create_and_cache(client, h, start)
    await h.start()
    await client.cancel_event(event_id, reason="Customer called to cancel")
    await h.advance_to(start + timedelta(hours=2))
    assert h.fired == [] and h.summaries == []
    stored = h.events.get(event_id)
    assert stored is not None and stored.status is EventStatus.CANCELLED


@pytest.mark.asyncio
async def test_moved_on_the_server_fires_at_the_new_time(session: tuple[Harness, KlenClient, datetime]) -> None:
    h, client, start = session
    event_id = await create_and_cache(client, h, start)
    await h.start()
    later = start + timedelta(minutes=30)
    await client.update_event(event_id, EventPatch(start_time=later, end_time=later + timedelta(hours=1)))
    await h.advance_to(start - LEAD + timedelta(minutes=29))
    assert h.fired == []
    await h.advance_to(later - LEAD)
    assert [(r.event_id, r.due_at, r.late) for r in h.fired] == [(event_id, later - LEAD, False)]


@pytest.mark.asyncio
async def test_unchanged_event_fires_after_the_reread(session: tuple[Harness, KlenClient, datetime]) -> None:
    h, client, start = session
    event_id = await create_and_cache(client, h, start)
    await h.start()
    await h.advance_to(start - LEAD)
    assert [(r.event_id, r.title, r.late) for r in h.fired] == [(event_id, "Consultation", False)]


@pytest.mark.asyncio
async def test_offline_fires_from_the_cache(make_emulator: Callable[..., Any], rw_key: str, tmp_path: Path) -> None:
    server = make_emulator()
    start = tomorrow_at_ten()
    clock = FakeClock(start - timedelta(hours=1))
    client = KlenClient(server.url, rw_key, retry=NO_RETRY, timeout=2.0)
    h = Harness(tmp_path / "cache.sqlite3", clock, refresh=client.get_event)
    try:
        event_id = await create_and_cache(client, h, start)
        await h.start()
        server.stop()  # the network goes away
        await h.advance_to(start - LEAD)
        assert [(r.event_id, r.late) for r in h.fired] == [(event_id, False)]
    finally:
        await h.stop()
        await client.aclose()
