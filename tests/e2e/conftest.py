"""Fixtures for tests that need the real desktop session started by `make test`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from dbus_fast.aio import MessageBus


@pytest_asyncio.fixture
async def session_bus() -> AsyncIterator[MessageBus]:
    bus = await MessageBus().connect()
    try:
        yield bus
    finally:
        bus.disconnect()
