"""A large window read in ranges, against the emulator over loopback: the next hours first and at every poll,
the rest as the budget allows; moves between ranges are moves, not cancellations; a small window stays one read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from sync_support import Stack, day_at, event_input, make_stack

from klen_desktop.api.models import format_utc
from klen_desktop.emulator import EmulatorServer
from klen_desktop.sync.budget import WRITE_RESERVE, RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeKind, ChangeSet

pytestmark = pytest.mark.asyncio

PER_DAY = 20  # 38 days: 760 events, eight pages: read in ranges
CONFIG = SyncConfig()


def seed(emulator: EmulatorServer, per_day: int = PER_DAY) -> None:
    start, end = CONFIG.window(day_at(0, 6))
    days = (end - start).days + 1
    first = day_at((start - day_at(0, 0).date()).days, 8)
    emulator.admin.insert_events(
        [
            event_input(f"Day {d} #{n}", first + timedelta(days=d, minutes=20 * n))
            for d in range(days)
            for n in range(per_day)
        ]
    )


async def until_async(value: Callable[[], Awaitable[int]], expected: int, what: str, timeout: float = 20.0) -> None:
    """Until ``await value()`` is ``expected`` (real seconds: the fake clock stands still meanwhile)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (got := await value()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{what}: {got} of {expected}"
        await asyncio.sleep(0.02)


def listed_ranges(emulator: EmulatorServer) -> list[tuple[str, str]]:
    """(start_date, end_date) of each list request, in order."""
    out = []
    for record in emulator.admin.request_log():
        if record.path.endswith("/events"):
            q = parse_qs(record.query)
            out.append((q["start_date"][0], q["end_date"][0]))
    return out


@pytest_asyncio.fixture
async def stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    clock = FakeClock(day_at(0, 6))
    made = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, config=CONFIG)
    yield made
    await made.close()


async def test_a_first_sync_counts_the_window_then_reads_the_next_hours_and_days_then_the_rest(
    stack: Stack, emulator: EmulatorServer
) -> None:
    seed(emulator)
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)
    await stack.poller.poll_due()
    today = day_at(0, 0).date()
    start, end = CONFIG.window(day_at(0, 6))
    reads = listed_ranges(emulator)
    assert reads[0] == (start.isoformat(), end.isoformat()), "one page of the whole window: how big is it"
    assert reads[1] == (today.isoformat(), today.isoformat()), "then today"
    assert reads[2] == ((today + timedelta(1)).isoformat(), (today + timedelta(2)).isoformat()), "then two days"
    assert len(await stack.db.run(stack.events.window, start, end)) == 38 * PER_DAY, "then the rest"
    assert announced == [], "a first sync is a baseline, range by range"


# 200 a day from 06:00: today's 2 pages, the next two days' 4 and the first look: 7. 300 a day from 14:00, with the
# reserve the core keeps for the user's writes (reads may take 8 a minute): the two days holding the next 12 hours
# (6 pages), the day after (3) and the first look are 10; on a new cache nothing is queued and the user is waiting
# for exactly these days, so their first read may use the reserve.
@pytest.mark.parametrize(("per_day", "hour", "reserve"), [(200, 6, 0), (300, 14, WRITE_RESERVE)])
async def test_the_next_days_land_without_waiting_for_the_budget(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path, per_day: int, hour: int, reserve: int
) -> None:
    seed(emulator, per_day=per_day)
    clock = FakeClock(day_at(0, hour))
    budget = RequestBudget(clock, limit=10, period=60.0, reserve=reserve)
    stack = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, budget=budget, config=CONFIG)
    task = asyncio.create_task(stack.poller.poll_due())
    try:
        today = day_at(0, 0).date()

        async def near_count() -> int:
            return len(await stack.db.run(stack.events.window, today, today + timedelta(days=2)))

        await until_async(near_count, 3 * per_day, "the next two days complete in the first round")
        assert len(emulator.admin.request_log()) <= 10, "within one minute's budget: no wait for it"
        # The rest waits for the budget: in the poll, or after it (the poll returns the wait for a free request).
        assert not task.done() or task.result() > 0, "the rest of the window waits for the budget"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await stack.close()


async def test_a_first_fill_reads_details_of_the_next_hours_only_until_the_window_is_read(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    # Details of the next day's events would otherwise take every spare request of a first sync and leave the far
    # days of a large calendar unread for an hour; the next hours' reminders need theirs first.
    seed(emulator)
    clock = FakeClock(day_at(0, 7))
    config = replace(CONFIG, max_details_per_poll=50)
    stack = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, config=config)
    try:
        horizon = clock.now() + config.first_fill_detail_horizon
        await stack.poller.poll_due()
        log = [r.path.rsplit("/", 1)[1] for r in emulator.admin.request_log()]
        last_list = max(n for n, tail in enumerate(log) if tail == "events")
        day = await stack.db.run(stack.events.between, clock.now(), clock.now() + timedelta(days=1))
        starts = {e.id: e.start_time for e in day}
        early = [int(tail) for tail in log[:last_list] if tail.isdigit()]
        late = [int(tail) for tail in log[last_list:] if tail.isdigit()]
        assert early, "the next hours' details are read while the window fills"
        assert all(starts[i] <= horizon for i in early), "no detail beyond the next hours before the window is read"
        assert any(starts[i] > horizon for i in late), "the rest of the day's once the whole window is read"
    finally:
        await stack.close()


async def test_a_poll_reads_only_the_near_days_and_the_far_ones_when_their_turn_comes(
    stack: Stack, emulator: EmulatorServer
) -> None:
    seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    far_id = next(e["id"] for e in emulator.admin.all_events() if e["title"] == "Day 30 #0")
    emulator.admin.update_event(far_id, {"title": "Renamed far away"})
    emulator.admin.clear_request_log()
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)

    stack.clock.advance(CONFIG.slow_interval)
    await stack.poller.poll_due()
    today = day_at(0, 0).date().isoformat()
    assert listed_ranges(emulator) == [(today, today)], "a poll at the cadence reads today only"

    stack.clock.advance(CONFIG.far_refresh.total_seconds())
    await stack.poller.poll_due()
    updates = [c for changes in announced for c in changes.of_kind(ChangeKind.UPDATED)]
    assert [c.event.title for c in updates] == ["Renamed far away"], "seen when its range came due"


async def test_sync_now_reads_the_far_days_too_not_only_the_near_ones(stack: Stack, emulator: EmulatorServer) -> None:
    # The user pressed Sync now: an agent's change three weeks ahead must show now, not when its range's turn comes.
    seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    far_id = next(e["id"] for e in emulator.admin.all_events() if e["title"] == "Day 30 #0")
    emulator.admin.update_event(far_id, {"status": "cancelled"})
    stack.clock.advance(CONFIG.slow_interval)
    await stack.poller.poll_due()
    stored = await stack.db.run(stack.events.get, far_id)
    assert stored is not None and stored.status.value != "cancelled", "a poll at the cadence reads the near days"

    stack.poller.mark_window_stale()
    stack.poller.poke("user asked")
    await stack.poller.poll_due()
    stored = await stack.db.run(stack.events.get, far_id)
    assert stored is not None and stored.status.value == "cancelled", "after Sync now, the whole window is fresh"
    start, end = CONFIG.window(stack.clock.now())
    assert len(await stack.db.run(stack.events.window, start, end)) == 38 * PER_DAY


async def test_an_event_moved_out_of_its_range_is_a_move_with_its_new_time(
    stack: Stack, emulator: EmulatorServer
) -> None:
    seed(emulator)
    await stack.poller.poll_due()
    assert isinstance(stack.clock, FakeClock)
    near_id = next(e["id"] for e in emulator.admin.all_events() if e["title"] == "Day 8 #3")  # tomorrow
    new_start = day_at(20, 9)
    emulator.admin.update_event(
        near_id, {"start_time": format_utc(new_start), "end_time": format_utc(new_start + timedelta(minutes=30))}
    )
    announced: list[ChangeSet] = []
    stack.poller.subscribe(announced.append)
    stack.clock.advance(CONFIG.near_refresh.total_seconds())
    await stack.poller.poll_due()
    changes = [c for changes in announced for c in changes if c.event.id == near_id]
    assert [c.kind for c in changes] == [ChangeKind.MOVED]
    stored = await stack.db.run(stack.events.get, near_id)
    assert stored is not None and stored.start_time == new_start


async def test_a_small_window_is_one_request_a_poll(stack: Stack, emulator: EmulatorServer) -> None:
    emulator.admin.insert_events([event_input(f"Call {n}", day_at(n, 10)) for n in range(10)])
    await stack.poller.poll_due()
    assert len(listed_ranges(emulator)) == 1, "the first look held the whole window"
    assert isinstance(stack.clock, FakeClock)
    stack.clock.advance(CONFIG.slow_interval)
    await stack.poller.poll_due()
    assert len(listed_ranges(emulator)) == 2, "one list request a poll"
