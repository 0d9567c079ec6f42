"""Benchmarks of change sync (run by ``make bench``, not by the test suite).

1. Diff of a 10,000-event window against a copy with 1% of the events changed (budget: 50 ms).
2. A full sync of a 1,000-event window from the emulator on loopback: wall time, request count, and the
   time the default request budget (10 requests a minute) stretches it to.
3. The cache files after a first sync of a 10,000-event window: the database and its WAL, once the database's
   worker is idle (a large write is followed by a checkpoint that truncates the WAL).

Usage: ``python tests/benchmarks/bench_sync.py``. Exits 1 when the diff misses its budget.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventStatus, EventSummary, EventType, format_utc
from klen_desktop.clock import SystemClock
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import diff_events
from klen_desktop.sync.poller import Poller

DIFF_BUDGET_MS = 50.0
KEY = "klen_bench"


def make_window(n: int) -> dict[int, EventSummary]:
    base = datetime(2026, 11, 24, 8, tzinfo=UTC)
    window = {}
    for i in range(1, n + 1):
        start = base + timedelta(minutes=15 * i)
        window[i] = EventSummary(
            id=i,
            uuid=f"00000000-0000-4000-8000-{i:012d}",
            title=f"Event {i}",
            event_type=EventType.MEETING,
            status=EventStatus.CONFIRMED,
            start_time=start,
            end_time=start + timedelta(minutes=30),
            duration_minutes=30,
            location="Room A",
        )
    return window


def bench_diff() -> float:
    old = make_window(10_000)
    new = dict(old)
    for n, event_id in enumerate(range(1, 10_001, 100)):  # 1% changed, mixed kinds
        event = old[event_id]
        if n % 3 == 0:
            new[event_id] = event.model_copy(update={"title": event.title + " (moved)"})
        elif n % 3 == 1:
            new[event_id] = event.model_copy(update={"start_time": event.start_time + timedelta(hours=1)})
        else:
            new[event_id] = event.model_copy(update={"status": EventStatus.CANCELLED})
    times = []
    for _ in range(15):
        started = time.perf_counter()
        changes = diff_events(old, new)
        times.append((time.perf_counter() - started) * 1000)
    assert len(changes) == 100
    # Baseline in the same process: comparing the two snapshots for equality, the least any diff must do.
    baseline = []
    for _ in range(15):
        started = time.perf_counter()
        _equal = [old[i] == new[i] for i in old]
        baseline.append((time.perf_counter() - started) * 1000)
    best, median = min(times), statistics.median(times)
    base_median = statistics.median(baseline)
    print(
        f"diff 10,000 vs 10,000 (1% changed): best {best:.1f} ms, median {median:.1f} ms (budget {DIFF_BUDGET_MS} ms); "
        f"{median / base_median:.2f}x the {base_median:.1f} ms of a bare equality pass over the same snapshots"
    )
    return median


def serve_window(count: int) -> EmulatorServer:
    """The emulator on loopback with ``count`` events spread over the sync window."""
    server = EmulatorServer(seed="empty", keys=[ApiKeySpec(KEY, rpm=1_000_000)]).start()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events = []
    for i in range(count):
        start = today + timedelta(days=-6 + i % 36, hours=8 + i % 10, minutes=3 * (i % 20))
        events.append(
            {
                "title": f"Busy {i}",
                "start_time": format_utc(start),
                "end_time": format_utc(start + timedelta(minutes=30)),
            }
        )
    server.admin.insert_events(events)
    return server


def unthrottled_poller(client: KlenClient, db: Database) -> Poller:
    # An unthrottled budget measures the work itself; bench_full_sync prints what the default budget costs.
    clock = SystemClock()
    budget = RequestBudget(clock, limit=1_000_000)
    repos = EventRepository(db), SyncStateRepository(db)
    return Poller(client, db, *repos, clock, SyncConfig(), budget, OutboxRepository(db))


async def bench_wal_after_sync(count: int = 10_000) -> None:
    server = serve_window(count)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        db = Database(path)
        async with KlenClient(server.url, KEY) as client:
            started = time.perf_counter()
            await unthrottled_poller(client, db).sync_once()
            seconds = time.perf_counter() - started
        await db.run(lambda: None)  # whatever the write queued on the worker has run
        wal = Path(str(path) + "-wal")
        wal_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0
        db_mb = path.stat().st_size / 1e6
        db.close()
    server.stop()
    print(
        f"cache after a first sync of a {count:,}-event window ({seconds:.1f} s): WAL {wal_mb:.2f} MB "
        f"beside a {db_mb:.1f} MB database"
    )


async def bench_full_sync() -> None:
    server = serve_window(1000)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        async with KlenClient(server.url, KEY) as client:
            poller = unthrottled_poller(client, db)
            server.admin.clear_request_log()
            started = time.perf_counter()
            await poller.sync_once()
            first = time.perf_counter() - started
            first_requests = len(server.admin.request_log())
            server.admin.clear_request_log()
            started = time.perf_counter()
            await poller.sync_once()
            second = time.perf_counter() - started
            second_requests = len(server.admin.request_log())
        db.close()
    server.stop()
    print(
        f"full sync of a 1,000-event window (baseline): {first * 1000:.0f} ms, {first_requests} requests "
        f"(10 list pages of 100 + {first_requests - 10} details)"
    )
    print(
        f"next poll of the unchanged window: {second * 1000:.0f} ms, {second_requests} requests "
        "(details keep filling in, at most 5 a poll, until every event of the next 24 h has them)"
    )
    extra = max(0, first_requests - 10)
    print(
        f"with the default budget (10 requests in any minute) the baseline spans about {extra * 6} s beyond the "
        "first burst of 10: details of new, changed or detail-less events (at most 5 a poll) wait for the budget; "
        "refreshes of merely old details only use spare requests"
    )


def main() -> int:
    median = bench_diff()
    asyncio.run(bench_full_sync())
    asyncio.run(bench_wal_after_sync())
    return 0 if median <= DIFF_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
