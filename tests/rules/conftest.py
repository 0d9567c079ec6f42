"""The running calendar session the rules stories share: the real core of one connection on the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fast_sync import FAST_SYNC
from session_harness import MakeSession

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.session.calendar import CalendarSession


@pytest.fixture
def make_session(tmp_path: Path, emulator: EmulatorServer) -> MakeSession:
    """``async with make_session(key) as session``: a running session, stopped inside the test (the core's
    loops must not outlive the test's run of the event loop)."""
    made = 0

    @asynccontextmanager
    async def make(key: str, *, probe_access: bool = True) -> AsyncIterator[CalendarSession]:
        nonlocal made
        made += 1
        config = CoreConfig(
            base_url=emulator.url, api_key=key, sync=FAST_SYNC, db_path=tmp_path / f"cache-{made}.sqlite3"
        )
        session = CalendarSession(CoreServices(config), probe_access=probe_access)
        session.start()
        try:
            yield session
        finally:
            await session.stop()

    return make
