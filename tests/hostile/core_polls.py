"""The real core against a hostile server: build it, poll once, and check what a poll must never break.

A poll here is :meth:`Poller.sync_once` of a :class:`CoreServices` built the way the app builds it (the app's
retry policies, timeouts and store), over a real SQLite file. :func:`poll` records what came out of it: the
changes it announced, the error it raised, how long it took and how much memory it took at its peak.
:func:`read_back` opens the cache file afresh, as a restart would, and reads every row.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hostile.server import HostileServer
from klen_desktop.api.errors import KlenError
from klen_desktop.clock import Clock
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.store.db import Database
from klen_desktop.store.errors import StoreError
from klen_desktop.store.events import EventRepository, StoredEvent
from klen_desktop.sync.diff import ChangeKind, ChangeSet

TYPED_ERRORS: tuple[type[BaseException], ...] = (KlenError, StoreError)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAR = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass
class HostileCore:
    """A core built for a hostile server, with every change set it announced."""

    core: CoreServices
    db_path: Path
    announced: list[ChangeSet] = field(default_factory=list)


def build_core(server: HostileServer, db_path: Path, *, clock: Clock | None = None, **config: Any) -> HostileCore:
    """The app's core for ``server``, caching into ``db_path``; the request budget is lifted (tests pace themselves)."""
    config.setdefault("request_budget", (100_000, 60.0))
    core = CoreServices(CoreConfig(base_url=server.url, api_key=server.api_key, db_path=db_path, **config), clock=clock)
    built = HostileCore(core, db_path)
    core.on_changes(built.announced.append)
    return built


@dataclass
class PollOutcome:
    changes: ChangeSet | None = None
    error: BaseException | None = None
    seconds: float = 0.0
    peak_bytes: int = 0
    announced: list[ChangeSet] = field(default_factory=list)

    @property
    def gone(self) -> set[int]:
        """Ids announced as gone (removed from the window) by this poll."""
        return {c.event_id for changes in self.announced for c in changes if c.kind is ChangeKind.GONE}

    @property
    def typed(self) -> bool:
        return self.error is None or isinstance(self.error, TYPED_ERRORS)

    def check_typed(self) -> None:
        if not self.typed:
            raise AssertionError(f"the poll raised {type(self.error).__name__}, not a typed error") from self.error


async def poll(built: HostileCore, *, timeout: float = 60.0, measure_memory: bool = False) -> PollOutcome:
    """One poll, bounded by ``timeout`` (a poll still running then is an error: ``TimeoutError``).

    With ``measure_memory`` (tracemalloc must be tracing) ``peak_bytes`` is the poll's peak above where it began.
    """
    outcome = PollOutcome()
    already = len(built.announced)
    if measure_memory:
        assert tracemalloc.is_tracing(), "measuring a poll's memory needs tracemalloc tracing (the tracing fixture)"
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            outcome.changes = await built.core.poller.sync_once()
    except Exception as exc:  # what a poll may raise is what the callers check
        outcome.error = exc
    finally:
        outcome.seconds = time.monotonic() - started
        if measure_memory:
            outcome.peak_bytes = tracemalloc.get_traced_memory()[1] - before
        outcome.announced = built.announced[already:]
    return outcome


def read_back(db_path: Path) -> dict[int, StoredEvent]:
    """Every cached event, read from a fresh connection to the file (as after a restart).

    Reads each row by id and the whole range the agenda could ask for; fails if any row cannot be read.
    """
    db = Database(db_path)
    try:
        events = EventRepository(db)
        with db.read() as conn:
            ids = [int(row[0]) for row in conn.execute("SELECT id FROM events").fetchall()]
        rows = {event_id: events.get(event_id) for event_id in ids}
        events.between(_EPOCH, _FAR)
    finally:
        db.close()
    unreadable = [event_id for event_id, row in rows.items() if row is None]
    assert not unreadable, f"cached rows {unreadable} could not be read back"
    return {event_id: row for event_id, row in rows.items() if row is not None}
