"""A poll whose answer drips in a byte at a time ends at the request deadline and frees the poller: the next
"Sync now" polls again instead of queueing behind a read that never ends."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from raw_http import RawServer, answer, drip

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import TimedOut
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.clock import SystemClock
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.poller import Poller
from klen_desktop.sync.status import SyncPhase

pytestmark = pytest.mark.timeout(30)

EMPTY_PAGE = {"count": 0, "page": 1, "limit": 100, "pages": 1, "events": []}


@pytest.mark.asyncio
async def test_a_dripping_poll_ends_at_the_deadline_and_the_next_poll_goes(db: Database) -> None:
    replies = [drip(b" " * 400, 0.05), answer(200, EMPTY_PAGE)]
    timeout = httpx.Timeout(0.5)  # each byte comes well within it; the whole answer would take 20 s
    async with RawServer(replies) as server, KlenClient(server.url, "klen_slow", retry=NO_RETRY, timeout=timeout) as c:
        clock = SystemClock()
        poller = Poller(
            c, db, EventRepository(db), SyncStateRepository(db), clock, SyncConfig(), RequestBudget(clock),
            OutboxRepository(db),
        )  # fmt: skip
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await asyncio.wait_for(poller.sync_once(), 10)
        assert time.monotonic() - started < 4  # the 2-second deadline, not the 20-second drip
        assert poller.status.phase is SyncPhase.OFFLINE
        await asyncio.wait_for(poller.sync_once(), 10)  # the lock was let go with the failed poll
    assert poller.status.phase is SyncPhase.IDLE and poller.status.last_success is not None
