"""Helpers shared by the client tests (imported as ``api_helpers``; the fixtures are in conftest)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventInput

MakeClient = Callable[..., KlenClient]

# Far enough ahead of any server clock that nothing here is "in the past" for availability.
BASE_TIME = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class RecordingSleep:
    """An injected ``sleep`` that records each requested delay and yields to the loop without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def event_input(
    title: str = "Product Demo", *, start: datetime = BASE_TIME, minutes: int = 60, **extra: Any
) -> EventInput:
    return EventInput(title=title, start_time=start, end_time=start + timedelta(minutes=minutes), **extra)


def api_records(emulator: Any, method: str | None = None, suffix: str = "") -> list[Any]:
    """Request-log records, optionally of one method and a path ending in ``suffix``, oldest first."""
    return [
        record
        for record in emulator.admin.request_log()
        if (method is None or record.method == method) and record.path.endswith(suffix)
    ]
