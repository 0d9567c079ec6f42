"""A server's numbers never become a wait without bound: a Retry-After of a billion seconds pauses sync and the
outbox for an hour at most, never reaches a timer that overflows on Qt's loop, leaves an unsent create unmarked,
and "Sync now" gets through a minute after the pause began."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from sync_support import Stack, day_at, event_input, make_stack

from klen_desktop.api.constants import MAX_WAIT
from klen_desktop.api.models import EventInput
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store.outbox import OutboxState
from klen_desktop.sync.budget import USER_LIFT_AFTER, RequestBudget
from klen_desktop.sync.status import SyncPhase

pytestmark = pytest.mark.timeout(60)

HUGE = 1_000_000_000


class TimerClock:
    """Wall time plus a settable offset; ``sleep`` is a real ``asyncio.sleep``, so on the suite's qasync loop
    it reaches a Qt timer exactly as the app's clock does. Each requested sleep is recorded."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self.sleeps: list[float] = []
        self._slept = asyncio.Event()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._slept.set()
        await asyncio.sleep(max(0.0, seconds))

    async def next_sleep(self) -> float:
        self._slept.clear()
        await asyncio.wait_for(self._slept.wait(), 10)
        return self.sleeps[-1]


@pytest_asyncio.fixture
async def timer_stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    clock = TimerClock()
    built = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3", clock=clock, budget=RequestBudget(clock))
    yield built
    await built.close()


@pytest.mark.parametrize("seconds", [HUGE, 1e12, float("inf"), float("nan"), -5.0])
def test_a_pause_never_exceeds_the_cap(seconds: float) -> None:
    clock = FakeClock()
    budget = RequestBudget(clock)
    budget.pause(seconds)
    assert budget.wait_time() <= MAX_WAIT
    until = budget.paused_until
    assert until is None or until <= clock.now() + timedelta(seconds=MAX_WAIT)


@pytest.mark.asyncio
async def test_sync_now_lifts_a_long_pause_a_minute_after_it_began() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock)
    budget.pause(MAX_WAIT)
    waiting = asyncio.ensure_future(budget.acquire())
    await clock.wait_for_sleepers(1)
    clock.advance(10)
    mark = clock.sleep_calls
    budget.lift_pause()  # too soon to cut it at once: it now ends a minute after it began
    await clock.wait_for_sleepers(1, after=mark)
    assert budget.paused_until == clock.now() + timedelta(seconds=USER_LIFT_AFTER - 10)
    clock.advance(USER_LIFT_AFTER - 10)
    await asyncio.wait_for(waiting, 5)

    budget.pause(MAX_WAIT)
    clock.advance(USER_LIFT_AFTER + 1)
    budget.lift_pause()  # honoured for over a minute already: lifted at once
    assert budget.wait_time() == 0
    await asyncio.wait_for(budget.acquire(), 5)


@pytest.mark.asyncio
async def test_a_billion_second_retry_after_on_a_create_neither_overflows_nor_marks_it_maybe_sent(
    timer_stack: Stack, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    runner, clock = timer_stack.sender, timer_stack.clock
    assert isinstance(clock, TimerClock)
    data = EventInput.model_validate(event_input("Board meeting", day_at(2, 10)))
    await timer_stack.db.run(timer_stack.writes.enqueue_create, data)
    emulator.faults.rate_limit_next(1, retry_after=HUGE, method="POST")

    first = await runner.drain()
    assert first.sent == 0 and first.waiting_until is not None
    assert first.waiting_until <= clock.now() + timedelta(seconds=MAX_WAIT)
    paused = timer_stack.budget.paused_until
    assert paused is not None and paused <= clock.now() + timedelta(seconds=MAX_WAIT)

    # "Sync now": the queue tries again; the budget still holds it for the first minute of the pause.
    await runner.retry_now()
    second = asyncio.ensure_future(runner.drain())
    assert await clock.next_sleep() <= USER_LIFT_AFTER  # a real Qt timer: a billion seconds would overflow it
    [entry] = await timer_stack.db.run(timer_stack.outbox_repo.active)
    assert entry.state is OutboxState.PENDING  # it waits for the budget; it was not sent, so not "sending"
    assert "maybe_sent" not in entry.meta

    clock.offset += timedelta(seconds=USER_LIFT_AFTER)
    await runner.retry_now()
    report = await asyncio.wait_for(second, 10)
    assert report.sent == 1
    created = [r for r in emulator.admin.request_log() if r.method == "POST"]
    assert len(created) == 2  # the refused one and the one that created the event: no listing for "maybe sent"
    assert not [r for r in caplog.records if "unexpectedly" in r.getMessage()]


@pytest.mark.asyncio
async def test_sync_now_gets_a_poll_through_after_a_billion_second_retry_after(
    timer_stack: Stack, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    poller, clock = timer_stack.poller, timer_stack.clock
    assert isinstance(clock, TimerClock)
    statuses: list[SyncPhase] = []
    poller.subscribe_status(lambda status: statuses.append(status.phase))
    emulator.faults.rate_limit_next(1, retry_after=HUGE, method="GET")
    task = asyncio.ensure_future(poller.run())
    try:
        async with asyncio.timeout(10):
            while SyncPhase.RATE_LIMITED not in statuses:
                await clock.next_sleep()
        next_poll = poller.status.next_poll
        assert next_poll is not None and next_poll <= clock.now() + timedelta(seconds=MAX_WAIT + 1)
        assert "1 h" in (poller.status.last_error or "")

        clock.offset += timedelta(seconds=USER_LIFT_AFTER)
        poller.poke("user asked")
        await timer_stack.sender.retry_now()
        async with asyncio.timeout(10):
            while poller.status.phase is not SyncPhase.IDLE or poller.status.last_success is None:
                await clock.next_sleep()
    finally:
        poller.stop()
        await asyncio.wait_for(task, 10)
    assert all(seconds <= MAX_WAIT for seconds in clock.sleeps)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.asyncio
async def test_a_slot_for_a_request_that_never_left_is_given_back() -> None:
    budget = RequestBudget(FakeClock(), limit=2)
    await budget.acquire()
    await budget.acquire()
    assert budget.available() == 0
    budget.refund()  # e.g. the disk refused to record the create as sending: it was not sent
    assert budget.available() == 1 and budget.spent == 1


@pytest.mark.asyncio
async def test_a_create_discarded_while_it_waits_for_the_budget_is_never_sent(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = FakeClock()
    stack = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3", clock=clock, budget=RequestBudget(clock))
    try:
        data = EventInput.model_validate(event_input("Changed my mind", day_at(2, 10)))
        local_id = await stack.db.run(stack.writes.enqueue_create, data)
        stack.budget.pause(MAX_WAIT)  # a 429 a moment ago
        draining = asyncio.ensure_future(stack.sender.drain())
        await clock.wait_for_sleepers(1)
        await stack.db.run(stack.writes.discard, -local_id)  # still pending while it waits: the user may drop it
        clock.advance(MAX_WAIT)
        report = await asyncio.wait_for(draining, 10)
    finally:
        await stack.close()
    assert report.sent == 0
    assert not [r for r in emulator.admin.request_log() if r.method == "POST"]
    assert stack.budget.spent == 0  # the slot taken for it was given back
