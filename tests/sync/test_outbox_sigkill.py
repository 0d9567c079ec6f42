"""A drain killed with SIGKILL at random points loses no queued edit and duplicates none."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sync_support import day_at, event_input, make_stack

from klen_desktop.api.models import EventInput, EventPatch
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store.outbox import OutboxState

WORKER = Path(__file__).with_name("outbox_worker.py")
KEY = "klen_sigkill_test"
ROUNDS = 20
CREATES_PER_ROUND = 3
PATCHES_PER_ROUND = 3


def run_worker(db_path: Path, url: str, kill_after: float | None) -> int | None:
    """Start the worker; SIGKILL it ``kill_after`` seconds after it starts draining (None: let it finish).

    Returns its exit code, or None when it was killed.
    """
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(db_path), url, KEY], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline()  # "draining", once the store is open and the first drain begins
        assert ready.strip() in ("draining", ""), ready
        if kill_after is None:
            return proc.wait(timeout=60)
        try:
            return proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.timeout(240)
@pytest.mark.asyncio
async def test_sigkill_during_drains_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    server = EmulatorServer(seed="empty", keys=[ApiKeySpec(KEY, rpm=1_000_000, daily_limit=10_000)]).start()
    # Requests take a few milliseconds on the server, so kills also land while a request is in flight.
    server.faults.latency((0.005, 0.03))
    db_path = tmp_path / "cache.sqlite3"
    (counter_id,) = server.admin.insert_events([event_input("Counter", day_at(5, 9))])
    stack = make_stack(server.url, KEY, db_path)
    kills = 0
    try:
        await stack.poller.sync_once()
        n = 0
        for _ in range(ROUNDS):
            for _ in range(CREATES_PER_ROUND):
                data = EventInput.model_validate(event_input(f"Queued {n:03d}", day_at(6, 8, n % 50)))
                await stack.db.run(stack.outbox.enqueue_create, data)
                await stack.db.run(stack.outbox.enqueue_patch, counter_id, EventPatch(description=f"edit {n:03d}"))
                n += 1
            # Six entries take roughly 6 x 2-4 requests x 5-30 ms: kill somewhere in there (or just after).
            if run_worker(db_path, server.url, rng.uniform(0.0, 0.4)) is None:
                kills += 1
        assert run_worker(db_path, server.url, None) == 0  # the final, clean drain

        assert kills >= ROUNDS // 2, "the kills should mostly land before the drain finished"
        assert stack.outbox_repo.active() == []
        counts = stack.outbox_repo.counts()
        assert counts.get(OutboxState.DONE) == 2 * n
        queued = sorted(
            (e for e in server.admin.all_events() if e["title"].startswith("Queued")), key=lambda e: e["id"]
        )
        assert [e["title"] for e in queued] == [f"Queued {i:03d}" for i in range(n)]  # each once, in queue order
        counter = server.admin.event(counter_id)
        assert counter is not None and counter["description"] == f"edit {n - 1:03d}"
        # The cache agrees with the server: every local event got its server id.
        assert all(stored.id > 0 for stored in stack.events.between(day_at(-1, 0), day_at(30, 0)))
    finally:
        await stack.close()
        server.stop()
