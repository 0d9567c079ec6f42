"""A clock tests drive by hand: time only moves when the test says so.

``advance()`` wakes the sleepers whose time came; ``set()`` jumps (forward or back, like a suspend or an NTP
correction) and wakes every sleeper so it re-reads ``now()``. ``wait_for_sleepers()`` lets a test wait until
the code under test is parked in ``sleep`` before moving time, so no step is missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Implements :class:`klen_desktop.clock.Clock`; starts at 2026-11-24 09:00 UTC unless told otherwise."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self.sleep_calls = 0
        self._watchers: list[asyncio.Future[None]] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleep_calls += 1
        entry = (self._now + timedelta(seconds=seconds), self.sleep_calls, future)
        self._sleepers.append(entry)
        for watcher in self._watchers:
            if not watcher.done():
                watcher.set_result(None)
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    @property
    def sleepers(self) -> list[datetime]:
        """Wake-up times of the pending sleeps, soonest first."""
        return sorted(deadline for deadline, _, future in self._sleepers if not future.done())

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        for deadline, _, future in list(self._sleepers):
            if deadline <= self._now and not future.done():
                future.set_result(None)

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)
        for _, _, future in list(self._sleepers):
            if not future.done():
                future.set_result(None)

    def pending_after(self, mark: int) -> list[datetime]:
        """Wake-up times of pending sleeps begun after ``sleep_calls`` was ``mark``."""
        return sorted(d for d, seq, f in self._sleepers if seq > mark and not f.done())

    async def wait_for_sleepers(self, count: int = 1, *, after: int = 0, timeout: float = 5.0) -> None:
        """Return once ``count`` sleeps begun after call number ``after`` are pending.

        Fails the test (``TimeoutError``) after ``timeout`` real seconds.
        """
        async with asyncio.timeout(timeout):
            while len(self.pending_after(after)) < count:
                changed = asyncio.get_running_loop().create_future()
                self._watchers.append(changed)
                try:
                    await changed
                finally:
                    self._watchers.remove(changed)

    def suspend(self, seconds: float) -> None:
        """A suspend as a sleep on the monotonic clock sees it: the wall clock moves on by ``seconds``, but each
        pending sleep still waits out what was left of it when the machine went to sleep (unlike :meth:`set`,
        which wakes every sleeper at once). Code that sleeps until a wall-clock instant in one long wait would
        only notice the jump when that wait ends; code that sleeps in bounded slices notices within a slice."""
        shift = timedelta(seconds=seconds)
        self._now += shift
        shifted: list[tuple[datetime, int, asyncio.Future[None]]] = []
        for deadline, seq, future in self._sleepers:
            entry = (deadline + shift, seq, future)
            shifted.append(entry)
            # sleep() removes the entry it added; the shifted one is removed here once it is woken.
            future.add_done_callback(self._forget(entry))
        self._sleepers = shifted

    def _forget(self, entry: tuple[datetime, int, asyncio.Future[None]]) -> Callable[[asyncio.Future[None]], None]:
        def forget(_future: asyncio.Future[None]) -> None:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

        return forget
