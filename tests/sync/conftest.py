"""Fixtures shared by the sync tests (a test module may still define its own ``stack``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sync_support import Stack, make_stack

from klen_desktop.emulator.server import EmulatorServer


@pytest_asyncio.fixture
async def stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """A poller and outbox on a fresh cache file, against the test's emulator."""
    built = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3")
    yield built
    await built.close()
