"""Child process of the SIGKILL test: open the store file and drain its outbox against a server, then exit.

Usage: ``python outbox_worker.py DB_PATH BASE_URL API_KEY``. Exits 0 once the outbox holds nothing sendable;
the parent kills it at random moments before that.
"""

from __future__ import annotations

import asyncio
import sys

from klen_desktop.api.client import KlenClient
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.clock import SystemClock
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.outbox import OutboxRunner


async def drain(db_path: str, url: str, key: str) -> int:
    clock = SystemClock()
    db = Database(db_path)
    config = SyncConfig(outbox_backoff_base=0.05, outbox_backoff_cap=0.2)
    async with KlenClient(url, key, retry=NO_RETRY, timeout=5.0) as client:
        runner = OutboxRunner(
            client, db, EventRepository(db), OutboxRepository(db), clock, RequestBudget(clock, limit=100_000), config
        )
        print("draining", flush=True)
        for _ in range(200):
            report = await runner.drain()
            if report.waiting_until is None and report.blocked is None:
                break
            await asyncio.sleep(0.05)
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(drain(sys.argv[1], sys.argv[2], sys.argv[3])))
