"""Where time comes from.

Everything that needs the time of day or has to wait takes a :class:`Clock`, so tests can drive time with a
fake and the code never reads the wall clock behind their back. ``now()`` is always aware UTC.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a non-positive value only yields to the loop). Cancellable."""
        ...


class SystemClock:
    """The real clock: wall time from the OS, waits on the running asyncio loop.

    ``asyncio.sleep`` measures monotonic time, which on some systems stops during suspend and never sees
    wall-clock jumps; callers that wait for a wall-clock instant should sleep in bounded slices and re-read
    ``now()`` (the reminder scheduler does).
    """

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
