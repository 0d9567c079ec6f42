"""The request budget: at most N requests in any minute, bursts allowed, 429 pauses honoured."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fake_clock import FakeClock
from shifted_clock import ShiftedClock
from sync_support import AutoClock, RecordingBudget

from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig

pytestmark = pytest.mark.timeout(30)


@pytest.mark.asyncio
async def test_a_burst_of_the_limit_goes_at_once_then_the_window_slides() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock, limit=10, period=60)
    for _ in range(10):
        await asyncio.wait_for(budget.acquire(), 1)
    assert budget.available() == 0 and budget.wait_time() == pytest.approx(60)

    eleventh = asyncio.ensure_future(budget.acquire())
    await clock.wait_for_sleepers(1)
    clock.advance(59)
    await asyncio.sleep(0.01)
    assert not eleventh.done()
    clock.advance(1)
    await asyncio.wait_for(eleventh, 1)
    assert budget.spent == 11


@pytest.mark.asyncio
async def test_no_minute_ever_sees_more_than_the_limit() -> None:
    clock = AutoClock()
    budget = RecordingBudget(clock, limit=10, period=60)
    for _ in range(95):
        await budget.acquire()
    assert budget.max_in_any_period() == 10
    # 95 requests at 10 a minute: the last one goes after 9 full minutes.
    assert budget.times[-1] - budget.times[0] >= timedelta(minutes=9)


@pytest.mark.asyncio
async def test_a_pause_from_retry_after_holds_every_request() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock)
    budget.pause(30)
    budget.pause(5)  # a shorter pause never shortens a longer one
    assert budget.paused_until == clock.now() + timedelta(seconds=30)
    waiting = asyncio.ensure_future(budget.acquire())
    await clock.wait_for_sleepers(1)
    clock.advance(29)
    await asyncio.sleep(0.01)
    assert not waiting.done()
    clock.advance(1)
    await asyncio.wait_for(waiting, 1)
    assert budget.paused_until is None


def test_a_429_halves_the_window_and_each_clean_minute_gives_one_back() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock, limit=10, period=60)
    asyncio.run(_take(budget, 8))
    budget.pause(30)
    budget.pause(30)  # a second 429 of the same overload does not halve again
    assert (budget.limit, budget.configured_limit) == (5, 10)
    assert budget.wait_time() == pytest.approx(60), "eight sends in the window: none fits until they leave"
    clock.advance(60)
    assert (budget.limit, budget.available()) == (5, 5)
    clock.advance(30)
    assert budget.limit == 6, "a clean minute after the pause ended"
    clock.advance(4 * 60)
    assert budget.limit == 10
    clock.advance(60 * 60)
    assert budget.limit == 10


def test_a_lowered_budget_waits_for_its_next_step_up_when_that_comes_first() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock, limit=10, period=60)
    budget.pause(0)
    clock.advance(30)
    asyncio.run(_take(budget, 5))
    assert budget.wait_time() == pytest.approx(30), (
        "the sixth goes when the limit grows to six, not when the first leaves"
    )
    clock.advance(30)
    assert budget.available() == 1


def test_a_clock_set_back_does_not_free_requests() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock, limit=2, period=60)
    asyncio.run(_take(budget, 2))
    clock.set(clock.now() - timedelta(hours=1))
    assert budget.available() == 0
    clock.advance(61)
    assert budget.available() == 2


@pytest.mark.asyncio
async def test_a_waiter_replans_at_once_when_the_clock_jumped_past_its_wait() -> None:
    # A wake from suspend moves the wall clock while a wait planned before it runs on in real time; without the
    # re-plan the next request would sit out the rest of a minute the machine already slept through.
    clock = ShiftedClock(datetime.now(UTC))
    budget = RequestBudget(clock, limit=2, period=60)
    await _take(budget, 2)
    third = asyncio.ensure_future(budget.acquire())
    await asyncio.sleep(0.05)
    assert not third.done()
    clock.jump(timedelta(seconds=61))
    budget.replan()
    await asyncio.wait_for(third, 1)
    assert budget.spent == 3


async def _take(budget: RequestBudget, n: int) -> None:
    for _ in range(n):
        await budget.acquire()


def test_invalid_budgets_are_refused() -> None:
    with pytest.raises(ValueError):
        RequestBudget(FakeClock(), limit=0)


def test_backoff_doubles_up_to_the_cap_and_window_is_dates_around_today() -> None:
    config = SyncConfig(backoff_base=10, backoff_cap=100)
    assert [config.backoff(n) for n in range(1, 6)] == [10, 20, 40, 80, 100]
    start, end = config.window(FakeClock().now())
    assert (end - start).days == 37
    with pytest.raises(ValueError):
        SyncConfig(fast_interval=600, slow_interval=60)


@pytest.mark.asyncio
async def test_a_write_goes_ahead_of_reads_waiting_for_the_budget_within_the_same_limit() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock, limit=10, period=60, reserve=2)
    for _ in range(8):
        await asyncio.wait_for(budget.acquire(), 1)
    assert budget.available() == 0 and budget.available(write=True) == 2
    read = asyncio.ensure_future(budget.acquire())
    await clock.wait_for_sleepers(1)
    slept = clock.sleep_calls
    for _ in range(2):
        await asyncio.wait_for(budget.acquire(write=True), 1)  # not queued behind the waiting read
    await clock.wait_for_sleepers(1, after=slept)  # the read re-planned around the writes
    assert not read.done() and budget.wait_time(write=True) == pytest.approx(60), "ten in the minute at most"
    clock.advance(60)
    await asyncio.wait_for(read, 1)
    assert budget.spent == 11
