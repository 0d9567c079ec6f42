"""Noticing, within a minute, that the machine slept or the wall clock was stepped, with one cheap check.

The event loop measures waits on the monotonic clock, which on Linux stands still during suspend and ignores a
stepped wall clock: a wait for "the next poll at 10:05" planned at 10:00 still lasts five running minutes when
the machine slept from 10:01 to 12:00. Every wall-clock wait used to wake in short slices to look (the poller
every 30 s, the reminders every 60 s, each with store reads), which an idle tray app pays for in wakeups all day.
Instead those waits sleep until they are due, and this watch alone looks: one timer a minute, no disk, no
network. When the wall clock moved more than the wait it slept (or went back), its listeners re-plan at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from klen_desktop.clock import Clock
from klen_desktop.sync.waiting import sleep_or_wake

log = logging.getLogger(__name__)

# How often to look: bounds how late a reminder due during a suspend fires after the wake.
CHECK_EVERY = 60.0
# A check that comes this much later than planned (or a clock that went back this much) is a jump; a busy loop
# or NTP slewing stays well within it.
JUMP_TOLERANCE = 20.0


class WakeWatch:
    """Calls each listener with the seconds the wall clock moved beyond the wait (negative: it went back)."""

    def __init__(self, clock: Clock, every: float = CHECK_EVERY, tolerance: float = JUMP_TOLERANCE) -> None:
        self._clock = clock
        self._every = every
        self._tolerance = tolerance
        self._listeners: list[Callable[[float], None]] = []
        self._stop = asyncio.Event()
        self._stopping = False

    def subscribe(self, listener: Callable[[float], None]) -> None:
        self._listeners.append(listener)

    def stop(self) -> None:
        self._stopping = True
        self._stop.set()

    async def run(self) -> None:
        while not self._stopping:
            before = self._clock.now()
            if await sleep_or_wake(self._clock, self._every, self._stop) or self._stopping:
                return
            moved = (self._clock.now() - before).total_seconds() - self._every
            if abs(moved) > self._tolerance:
                self._announce(moved)

    def _announce(self, moved: float) -> None:
        what = "the machine slept or the clock was set forward" if moved > 0 else "the clock was set back"
        log.info("the wall clock moved %+.0f s beyond the wait (%s): re-planning", moved, what)
        for listener in self._listeners:
            try:
                listener(moved)
            except Exception:  # one listener's failure must not keep the others from re-planning
                log.exception("a wake listener failed")
