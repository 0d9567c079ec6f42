"""Helpers of the sync tests: a clock that jumps through waits, and ready-made sync stacks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import format_utc
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxRepository
from klen_desktop.store.state import SyncStateRepository
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.local_writes import LocalWrites
from klen_desktop.sync.outbox_sender import OutboxSender
from klen_desktop.sync.poller import Poller
from klen_desktop.sync.reconcile import OutboxReconciler


class AutoClock:
    """Real wall time plus an offset; ``sleep`` jumps the offset forward instead of waiting.

    Lets a test run code that waits minutes on the request budget in milliseconds, while recording
    the virtual time of every step.
    """

    def __init__(self) -> None:
        self.offset = timedelta()
        self.slept = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.offset += timedelta(seconds=seconds)
            self.slept += seconds
        await asyncio.sleep(0)


class RecordingBudget(RequestBudget):
    """A budget that remembers the (virtual) time of every request it allowed."""

    def __init__(self, clock: Any, **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.times: list[datetime] = []
        self._recording_clock = clock

    async def acquire(self, *, write: bool = False) -> None:
        await super().acquire(write=write)
        # The moment the budget counted, not a later reading: the clock's real-time part moves on between the two
        # (by milliseconds on a busy machine), and a later reading could put eleven requests in one minute.
        self.times.append(self._sent[-1] if self._sent else self._recording_clock.now())

    def max_in_any_period(self) -> int:
        period = timedelta(seconds=self.period)
        return max((sum(1 for t in self.times if s <= t < s + period) for s in self.times), default=0)


@dataclass
class Stack:
    db: Database
    events: EventRepository
    state: SyncStateRepository
    outbox_repo: OutboxRepository
    client: KlenClient
    clock: Any
    budget: RequestBudget
    config: SyncConfig
    poller: Poller
    writes: LocalWrites
    sender: OutboxSender

    async def close(self) -> None:
        self.poller.stop()
        self.sender.stop()
        await self.client.aclose()
        self.db.close()


def make_stack(
    url: str,
    key: str,
    db_path: Path | str,
    *,
    clock: Any = None,
    budget: RequestBudget | None = None,
    config: SyncConfig | None = None,
) -> Stack:
    clock = clock or AutoClock()
    db = Database(db_path)
    events = EventRepository(db)
    state = SyncStateRepository(db)
    outbox_repo = OutboxRepository(db)
    client = KlenClient(url, key, retry=NO_RETRY, timeout=5.0)
    budget = budget or RequestBudget(clock, limit=10_000)
    config = config or SyncConfig(outbox_backoff_base=0.05, outbox_backoff_cap=0.2, backoff_base=0.05, backoff_cap=0.2)
    poller = Poller(client, db, events, state, clock, config, budget, outbox_repo)
    writes = LocalWrites(db, events, outbox_repo, clock)
    reconcile = OutboxReconciler(db, events, outbox_repo, writes, clock)
    sender = OutboxSender(client, db, outbox_repo, reconcile, clock, budget, config)
    return Stack(db, events, state, outbox_repo, client, clock, budget, config, poller, writes, sender)


def day_at(days: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time ``days`` from today at ``hour:minute``."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour, minutes=minute)


def event_input(title: str, start: datetime, minutes: int = 30, **extra: Any) -> dict[str, Any]:
    """Create-input fields for ``admin.insert_events`` or the API."""
    return {
        "title": title,
        "start_time": format_utc(start),
        "end_time": format_utc(start + timedelta(minutes=minutes)),
        **extra,
    }
