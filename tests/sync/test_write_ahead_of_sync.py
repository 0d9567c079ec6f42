"""A user's write goes ahead of background reads: a cancel made once a sync of a large calendar has spent the
minute's request budget reaches the server within 2 s, and the budget of 10 requests a minute still holds.

The real core with the shipped budget against the emulator on loopback. Before the fix the outbox queued behind the
poll's waiting page and detail reads (first come, first served on one budget), so the cancel went out only when
the poll's minute had passed, while the status said "Syncing…".
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures_emulator import event_body
from waiting import until

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.sync.budget import DEFAULT_LIMIT, DEFAULT_PERIOD

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

WRITE_DEADLINE = 2.0


def _cancels(emulator: EmulatorServer) -> list[datetime]:
    return [r.at for r in emulator.admin.request_log() if r.method == "POST" and r.path.endswith("/cancel")]


def _max_in_any_period(times: list[datetime]) -> int:
    period = timedelta(seconds=DEFAULT_PERIOD)
    return max((sum(1 for t in times if s <= t < s + period) for s in times), default=0)


async def test_a_cancel_during_a_waiting_sync_reaches_the_server_within_two_seconds(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # 1,000 events over the window, 60 of them in the next day: more pages and details than a minute's budget.
    spread = [
        event_body(now + timedelta(hours=2 + 12 * (n % 60), minutes=n % 50), 30, title=f"Visit {n}") for n in range(940)
    ]
    near = [event_body(now + timedelta(hours=1, minutes=20 * n), 15, title=f"Call {n}") for n in range(60)]
    emulator.admin.insert_events(spread + near)
    core = CoreServices(CoreConfig(base_url=emulator.url, api_key=rw_key, db_path=tmp_path / "cache.sqlite3"))
    assert (core.budget.limit, core.budget.period) == (DEFAULT_LIMIT, DEFAULT_PERIOD)
    core.start()
    started = time.monotonic()
    try:
        kept = core.config.sync.spare_kept
        await until(lambda: core.budget.available() <= kept, "the first sync spending what it may", timeout=20.0)
        cached = [e for e in await core.all_cached() if e.id > 0 and e.title.startswith("Call")]
        assert cached, "the next hours are cached first"
        await core.cancel(cached[0].id, "Client asked to cancel")
        asked = time.monotonic()
        await until(lambda: _cancels(emulator), "the cancel on the server", timeout=WRITE_DEADLINE)
        assert time.monotonic() - asked < WRITE_DEADLINE
        if time.monotonic() - started < DEFAULT_PERIOD:  # on a loaded machine the first minute may be over by now
            # Sent in the very minute the background had spent down to the reads it keeps: the write did not wait.
            assert core.budget.available() < kept, "the write went ahead of the background's next minute"
        sent = [r.at for r in emulator.admin.request_log()]
        assert _max_in_any_period(sent) <= DEFAULT_LIMIT, "the per-minute budget still holds"
    finally:
        await core.stop()
