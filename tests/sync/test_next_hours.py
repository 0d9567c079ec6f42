"""A busy day is read at every poll by its next hours only, from the pages that hold them, against the emulator over
loopback: what changes there (an edit, a new event, a move away) is seen at once for one or two list requests,
a listing that shifted since the cache counted it is still covered, and the whole day is read again as it falls
due. The plan of what a poll reads is checked as a pure function too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from sync_support import Stack, day_at, event_input, make_stack

from klen_desktop.api.models import format_utc
from klen_desktop.emulator import EmulatorServer
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeKind, ChangeSet
from klen_desktop.sync.ranges import SyncRange, Tier, next_hours, plan_ranges

CONFIG = SyncConfig()
BUSY = 360  # today: one every 4 minutes, four pages of 100
NOON = day_at(0, 12)  # the stack's clock: 12:00 today, whatever the time of day the suite runs


def seed(emulator: EmulatorServer) -> list[int]:
    """A busy today (ids returned, by start) and 20 a day on every other day of the window: read in ranges."""
    today = day_at(0, 0)
    busy = [event_input(f"Busy {n}", today + timedelta(minutes=4 * n)) for n in range(BUSY)]
    ids = emulator.admin.insert_events(busy)
    start, end = CONFIG.window(NOON)
    days = [day_at((start - today.date()).days + d, 0) for d in range((end - start).days + 1)]
    others = [day for day in days if day != today]
    emulator.admin.insert_events(
        [event_input(f"Day {day:%d} #{n}", day + timedelta(minutes=30 + 61 * n)) for day in others for n in range(20)]
    )
    return ids


def list_requests(emulator: EmulatorServer) -> list[dict[str, str]]:
    return [
        {k: v[0] for k, v in parse_qs(r.query).items()}
        for r in emulator.admin.request_log()
        if r.path.endswith("/events")
    ]


def busy_at(ids: list[int], when: datetime) -> int:
    return ids[int((when - day_at(0, 0)).total_seconds() // 240)]


@pytest_asyncio.fixture
async def stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    made = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=FakeClock(NOON), config=CONFIG)
    yield made
    await made.close()


@pytest.mark.asyncio
async def test_a_poll_reads_the_next_hours_of_a_busy_day_and_sees_what_changed_there(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = seed(emulator)
    await stack.poller.poll_due()  # the first sync: every day of the window
    assert isinstance(stack.clock, FakeClock)
    edited, moved = busy_at(ids, day_at(0, 13)), busy_at(ids, day_at(0, 14))
    emulator.admin.update_event(edited, {"title": "Edited by an agent"})
    away = day_at(5, 9)
    emulator.admin.update_event(
        moved, {"start_time": format_utc(away), "end_time": format_utc(away + timedelta(minutes=30))}
    )
    (created,) = emulator.admin.insert_events([event_input("Booked just now", day_at(0, 12, 30))])
    emulator.admin.clear_request_log()
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)

    stack.clock.advance(CONFIG.fast_interval)
    await stack.poller.poll_due()

    lists = list_requests(emulator)
    today = day_at(0, 0).date().isoformat()
    assert [(q["start_date"], q["end_date"]) for q in lists] == [(today, today)] * len(lists)
    assert 1 <= len(lists) <= 2, "the next hours of a four-page day: the page or two holding them"
    assert "1" not in {q["page"] for q in lists}, "the morning's page is not read again"
    kinds = {c.event.id: c.kind for changes in announced for c in changes}
    assert kinds == {edited: ChangeKind.UPDATED, moved: ChangeKind.MOVED, created: ChangeKind.CREATED}
    stored = await stack.db.run(stack.events.get, moved)
    assert stored is not None and stored.start_time == away, "looked up by id: moved, not gone"


@pytest.mark.asyncio
async def test_a_listing_that_shifted_since_the_cache_counted_it_is_still_covered(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    # An agent moves the 120 earliest events of today to next week: the day's listing moves up by more than a
    # page, so the page the cache points at begins after the next hours.
    later = day_at(7, 0)
    for n, event_id in enumerate(ids[:120]):
        begins = later + timedelta(minutes=n)
        emulator.admin.update_event(
            event_id, {"start_time": format_utc(begins), "end_time": format_utc(begins + timedelta(minutes=5))}
        )
    edited = busy_at(ids, day_at(0, 12, 20))
    emulator.admin.update_event(edited, {"title": "Edited while the day shifted"})
    emulator.admin.clear_request_log()
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)

    stack.clock.advance(CONFIG.fast_interval)
    await stack.poller.poll_due()

    pages = [int(q["page"]) for q in list_requests(emulator)]
    assert pages[0] == 2 and 1 in pages, "the page the cache pointed at, then the one before it"
    assert [c.event.title for changes in announced for c in changes] == ["Edited while the day shifted"]
    assert stack.poller.status.warning is None


@pytest.mark.asyncio
async def test_the_whole_busy_day_is_read_again_when_it_falls_due(stack: Stack, emulator: EmulatorServer) -> None:
    ids = seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    evening = busy_at(ids, day_at(0, 22))  # beyond the next hours
    emulator.admin.update_event(evening, {"title": "Evening edit"})
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)
    stack.clock.advance(CONFIG.fast_interval)
    await stack.poller.poll_due()
    assert not announced, "not among the next hours"

    stack.clock.advance(CONFIG.near_refresh.total_seconds())
    emulator.admin.clear_request_log()
    await stack.poller.poll_due()

    assert [c.event.title for changes in announced for c in changes] == ["Evening edit"]
    # 12:11 + 12 hours reaches into tomorrow: today and tomorrow, 380 events.
    pages = [q["page"] for q in list_requests(emulator) if q["start_date"] == NOON.date().isoformat()]
    assert pages == ["1", "2", "3", "4"], "the days whole, as every near_refresh"


def test_a_poll_reads_the_next_hours_only_of_days_read_lately_and_longer_than_a_page() -> None:
    now = NOON
    start, end = CONFIG.window(now)
    every_day = {start + timedelta(days=n): now for n in range((end - start).days + 1)}
    busy = dict.fromkeys(every_day, 20) | {now.date(): BUSY}
    plan = plan_ranges(now, CONFIG, every_day, busy)
    hours = next_hours(plan, now, CONFIG)
    assert hours == SyncRange(now.date(), now.date(), Tier.NOW, (now - CONFIG.soon, now + CONFIG.fast_span))

    assert next_hours(plan, now + CONFIG.near_refresh, CONFIG) == plan.ranges[0], "read whole as it falls due"
    quiet = plan_ranges(now, CONFIG, every_day, dict.fromkeys(every_day, 20))
    assert next_hours(quiet, now, CONFIG) == quiet.ranges[0], "a day of one page is read whole"
    fresh = plan_ranges(now, CONFIG, {}, {}, density_hint=400)
    assert next_hours(fresh, now, CONFIG) == fresh.ranges[0], "never read: whole"
    late = day_at(0, 23, 30)
    late_plan = plan_ranges(late, CONFIG, dict.fromkeys(every_day, late), dict.fromkeys(every_day, BUSY))
    across = next_hours(late_plan, late, CONFIG)
    assert across.hours is not None and (across.start, across.end) == (late.date(), late.date() + timedelta(days=1))


@pytest.mark.asyncio
async def test_a_listing_not_ordered_by_start_time_is_read_by_whole_days_from_then_on(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    edited = busy_at(ids, day_at(0, 13))
    emulator.admin.update_event(edited, {"title": "Edited while the server shuffles"})

    def shuffled(body: Any) -> Any:
        body["events"].reverse()
        return body

    emulator.faults.rewrite_next(1, shuffled, method="GET", path="/api/v1/calendar/events")
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)
    stack.clock.advance(CONFIG.fast_interval)
    await stack.poller.poll_due()
    # What the page held is real and stored; what it may have hidden is not judged: nothing is gone.
    assert [c.kind for changes in announced for c in changes] == [ChangeKind.UPDATED]
    assert stack.poller.status.warning is not None

    emulator.admin.clear_request_log()
    stack.clock.advance(CONFIG.fast_interval)
    await stack.poller.poll_due()
    pages = [q["page"] for q in list_requests(emulator) if q["start_date"] == NOON.date().isoformat()]
    assert pages[:4] == ["1", "2", "3", "4"], "the days whole, as for a server without an order"
    assert stack.poller.status.warning is None
