"""The wake watch: one cheap check a minute that tells a suspend or a stepped clock from an ordinary minute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from fake_clock import FakeClock

from klen_desktop.wake_watch import WakeWatch

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]


@asynccontextmanager
async def watching(clock: FakeClock, *listeners: Callable[[float], None]) -> AsyncIterator[asyncio.Task[None]]:
    """A watch checking every 60 s (20 s of tolerance) on ``clock``, running for the block, parked in its wait."""
    watch = WakeWatch(clock, every=60, tolerance=20)
    for listener in listeners:
        watch.subscribe(listener)
    task = asyncio.ensure_future(watch.run())
    try:
        await clock.wait_for_sleepers()
        yield task
    finally:
        watch.stop()
        await asyncio.wait_for(task, 2)


async def _tick(clock: FakeClock, seconds: float = 60.0) -> None:
    await clock.wait_for_sleepers()
    clock.advance(seconds)
    await asyncio.sleep(0.05)  # real time for the watch to finish its check


async def test_ordinary_minutes_are_not_a_jump_and_a_suspend_is_told_once_with_its_length() -> None:
    clock = FakeClock()
    moves: list[float] = []
    async with watching(clock, moves.append):
        for _ in range(10):
            await _tick(clock)
        assert moves == [], "ten ordinary minutes"
        clock.suspend(3 * 3600)  # the lid closes; the pending check still waits out its minute
        await _tick(clock)
        assert moves == [pytest.approx(3 * 3600)]
        await _tick(clock)
        assert len(moves) == 1, "told once, not at every check after the wake"


async def test_a_clock_set_back_is_told_as_a_negative_move() -> None:
    clock = FakeClock()
    moves: list[float] = []
    async with watching(clock, moves.append):
        clock.set(clock.now() - timedelta(hours=1))  # wakes the check at once, an hour earlier than it began
        await asyncio.sleep(0.05)
        assert moves == [pytest.approx(-3600 - 60)]


async def test_a_failing_listener_does_not_keep_the_others_from_replanning() -> None:
    clock = FakeClock()
    told: list[float] = []

    def broken(_moved: float) -> None:
        raise RuntimeError("listener bug")

    async with watching(clock, broken, told.append) as task:
        clock.suspend(600)
        await _tick(clock)
        assert told == [pytest.approx(600)]
        assert not task.done(), "the watch keeps watching"
