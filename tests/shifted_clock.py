"""A clock that runs in real time from a chosen instant on, and that a test can step."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class ShiftedClock:
    """Real time moved to ``start``: it runs (and sleeps) at normal speed from there, unlike a fake clock, so the
    app's loops behave as in real use while "now" is a chosen instant. :meth:`jump` moves the wall clock at once,
    as a wake from suspend or an NTP correction does, while pending sleeps run on as they were."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def jump(self, by: timedelta) -> None:
        self._offset += by
