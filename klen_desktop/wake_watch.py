"""Noticing that the machine slept or the wall clock was stepped: told by the kernel, or one cheap check a minute.

The event loop measures waits on the monotonic clock, which on Linux stands still during suspend and ignores a
stepped wall clock: a wait for "the next poll at 10:05" planned at 10:00 still lasts five running minutes when
the machine slept from 10:01 to 12:00. Every wall-clock wait used to wake in short slices to look (the poller
every 30 s, the reminders every 60 s, each with store reads), which an idle tray app pays for in wakeups all day.
Instead those waits sleep until they are due, and this watch alone looks. On Linux with the real clock the kernel
tells it (:mod:`klen_desktop.clock_jumps`), so it wakes only when something happened; elsewhere it checks once a
minute, no disk, no network. When the wall clock moved more than the monotonic one (or went back), its listeners
re-plan at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from klen_desktop.clock import Clock
from klen_desktop.clock_jumps import ClockJumpSignal
from klen_desktop.sync.waiting import sleep_or_wake

log = logging.getLogger(__name__)

# How often to look: bounds how late a reminder due during a suspend fires after the wake.
CHECK_EVERY = 60.0
# A check that comes this much later than planned (or a clock that went back this much) is a jump; a busy loop
# or NTP slewing stays well within it.
JUMP_TOLERANCE = 20.0


class WakeWatch:
    """Calls each listener with the seconds the wall clock moved beyond the wait (negative: it went back)."""

    def __init__(
        self,
        clock: Clock,
        every: float = CHECK_EVERY,
        tolerance: float = JUMP_TOLERANCE,
        signal: ClockJumpSignal | None = None,
    ) -> None:
        """``signal``: the kernel's clock-jump signal, for a ``clock`` that reads the system's wall clock; without
        it the watch checks every ``every`` seconds."""
        self._clock = clock
        self._every = every
        self._tolerance = tolerance
        self._signal = signal
        self._running = False
        self._listeners: list[Callable[[float], None]] = []
        self._stop = asyncio.Event()
        self._stopping = False

    def subscribe(self, listener: Callable[[float], None]) -> None:
        self._listeners.append(listener)

    def stop(self) -> None:
        self._stopping = True
        self._stop.set()
        if self._signal is not None and not self._running:
            self._signal.close()  # never watched: run() would have closed it

    @property
    def told_by_kernel(self) -> bool:
        return self._signal is not None

    async def run(self) -> None:
        if self._signal is not None:
            await self._run_on_signal(self._signal)
            return
        while not self._stopping:
            before = self._clock.now()
            if await sleep_or_wake(self._clock, self._every, self._stop) or self._stopping:
                return
            moved = (self._clock.now() - before).total_seconds() - self._every
            if abs(moved) > self._tolerance:
                self._announce(moved)

    async def _run_on_signal(self, signal: ClockJumpSignal) -> None:
        """Sleep until the kernel says the clock jumped; then compare the wall clock with the monotonic one, which
        on Linux stands still during suspend, to tell how far it moved."""
        loop = asyncio.get_running_loop()
        self._running = True
        loop.add_reader(signal.fileno(), self._stop.set)
        try:
            wall, steady = self._clock.now(), time.monotonic()
            while not self._stopping:
                await sleep_or_wake(self._clock, None, self._stop)
                if self._stopping or not signal.consume():
                    continue
                now_wall, now_steady = self._clock.now(), time.monotonic()
                moved = (now_wall - wall).total_seconds() - (now_steady - steady)
                wall, steady = now_wall, now_steady
                if abs(moved) > self._tolerance:
                    self._announce(moved)
        finally:
            loop.remove_reader(signal.fileno())
            signal.close()

    def _announce(self, moved: float) -> None:
        what = "the machine slept or the clock was set forward" if moved > 0 else "the clock was set back"
        log.info("the wall clock moved %+.0f s beyond the wait (%s): re-planning", moved, what)
        for listener in self._listeners:
            try:
                listener(moved)
            except Exception:  # one listener's failure must not keep the others from re-planning
                log.exception("a wake listener failed")
