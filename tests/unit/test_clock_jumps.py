"""The kernel's clock-jump signal: quiet while the clock runs, readable once it is set, and the wake watch on it."""

from __future__ import annotations

import asyncio
import ctypes
import select
import sys
import time
from collections.abc import Iterator

import pytest

from klen_desktop.clock import SystemClock
from klen_desktop.clock_jumps import ClockJumpSignal
from klen_desktop.wake_watch import WakeWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the signal is Linux's")


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def set_wall_clock_to_itself() -> None:
    """Step the wall clock to the time it reads (a move of microseconds): what the kernel reports as a set.

    Needs CAP_SYS_TIME (CI runs as root); elsewhere the test that needs it is skipped.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    now = time.clock_gettime_ns(time.CLOCK_REALTIME)
    stamp = _Timespec(now // 1_000_000_000, now % 1_000_000_000)
    if libc.clock_settime(time.CLOCK_REALTIME, ctypes.byref(stamp)) != 0:
        pytest.skip("setting the wall clock needs CAP_SYS_TIME")


@pytest.fixture
def signal() -> Iterator[ClockJumpSignal]:
    opened = ClockJumpSignal.open()
    assert opened is not None, "Linux gives the clock-jump signal"
    yield opened
    opened.close()


def readable(signal: ClockJumpSignal, timeout: float = 0.0) -> bool:
    return bool(select.select([signal.fileno()], [], [], timeout)[0])


QUIET_TRIES = 5


def quiet_window(seconds: float) -> Iterator[ClockJumpSignal]:
    """Windows of ``seconds`` to watch the clock just run, each with a witness of its own: where another program
    set the clock meanwhile (a time daemon stepping it, another test), the window says nothing of the code under
    test and the next one is tried; a clock set in every window skips the test."""
    for _ in range(QUIET_TRIES):
        witness = ClockJumpSignal.open()
        assert witness is not None
        try:
            yield witness
            if not readable(witness, seconds):
                return
        finally:
            witness.close()
    pytest.skip(f"another program set the wall clock in each of {QUIET_TRIES} windows of {seconds} s")


def test_the_signal_stays_quiet_while_the_clock_just_runs() -> None:
    for _witness in quiet_window(0.2):
        signal = ClockJumpSignal.open()
        assert signal is not None
        try:
            quiet = not readable(signal, 0.2) and signal.consume() is False
        finally:
            signal.close()
    assert quiet


def test_a_set_clock_makes_the_signal_readable_once_and_it_rearms(signal: ClockJumpSignal) -> None:
    set_wall_clock_to_itself()
    assert readable(signal, 2.0)
    assert signal.consume() is True
    assert not readable(signal), "re-armed: quiet again until the next jump"
    set_wall_clock_to_itself()
    assert readable(signal, 2.0) and signal.consume() is True


@pytest.mark.asyncio
async def test_the_wake_watch_on_the_signal_wakes_only_when_the_kernel_tells_it() -> None:
    signal = ClockJumpSignal.open()
    assert signal is not None
    moves: list[float] = []
    # A tolerance below zero reports every jump, so the microsecond step of this test is seen.
    watch = WakeWatch(SystemClock(), every=0.05, tolerance=-1, signal=signal)
    watch.subscribe(moves.append)
    task = asyncio.ensure_future(watch.run())
    try:
        for witness in quiet_window(0.0):
            moves.clear()
            await asyncio.sleep(0.3)  # six checks' worth of time on the minute-check path: none here
            if readable(witness):
                continue  # another program set the clock: the watch was right to wake; watch again
            assert moves == [] and watch.told_by_kernel
        set_wall_clock_to_itself()
        deadline = time.monotonic() + 3
        while not moves and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert len(moves) == 1 and abs(moves[0]) < 1.0
    finally:
        watch.stop()
        await asyncio.wait_for(task, 2)
    assert signal.fileno() == -1, "closed with the watch"


def test_a_watch_stopped_before_it_ran_closes_its_signal() -> None:
    signal = ClockJumpSignal.open()
    assert signal is not None
    WakeWatch(SystemClock(), signal=signal).stop()
    assert signal.fileno() == -1
