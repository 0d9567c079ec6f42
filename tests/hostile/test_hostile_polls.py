"""The property: whatever a server answers, a poll of the real core leaves the app whole.

Each example is a calendar on the hostile server and a few polls by the real core (``CoreServices``: the app's
retry policies, timeouts and SQLite cache). Between polls the calendar really changes (events added, removed,
moved), and each poll's answers carry a generated fault (:mod:`hostile.faults`). After every poll:

* nothing but a typed error came out (the client's :class:`KlenError`, the store's :class:`StoreError`), and the
  poll ended in bounded time with a bounded number of list requests;
* the cache file opens afresh and every row reads back;
* no event the server lists (and the fault did not damage) was reported gone, or left the cache;
* the poll's peak memory (tracemalloc) stayed under 64 MB;
* after a poll that must succeed (a sane answer, unknown fields, a slow or chunked body, an unknown enum value,
  one implausible event) the cache holds every event the server lists; after a sane one, only those.

Brief in CI; ``make fuzz`` runs it longer (``KLEN_FUZZ_EXAMPLES``, a fiftieth of it per property here).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sync_support import AutoClock

from hostile.core_polls import build_core, poll, read_back
from hostile.faults import HELD_KINDS, NEWER_KINDS, Fault, faults, install
from hostile.server import HostileServer, event, replace_fields

LONG_RUN = int(os.environ.get("KLEN_FUZZ_EXAMPLES", "0") or 0)
MB = 1024 * 1024
PEAK_LIMIT = 64 * MB
MAX_LIST_REQUESTS = 60  # per poll, for windows of at most 3 pages
POLL_TIMEOUT = 30.0


def fuzz_settings(ci_examples: int) -> settings:
    # Loopback polls are slow next to parsing: a fiftieth of the make-fuzz budget. Shrinking is skipped when
    # asked (KLEN_FUZZ_SHRINK=0): each step is a full example of several polls.
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if os.environ.get("KLEN_FUZZ_SHRINK", "1") != "0":
        phases.append(Phase.shrink)
    return settings(
        max_examples=max(LONG_RUN // 50, ci_examples),
        deadline=None,
        database=None,
        phases=phases,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@dataclass(frozen=True)
class Change:
    """A real change on the server between polls: add ``n`` events, remove one, or move one."""

    op: str
    pick: int
    hours: int


@dataclass(frozen=True)
class Step:
    change: Change | None
    fault: Fault


def steps(kinds: tuple[str, ...]) -> st.SearchStrategy[list[Step]]:
    changes = st.none() | st.builds(Change, st.sampled_from(["add", "remove", "move"]), st.integers(0, 999),
                                    st.integers(-48, 400))  # fmt: skip
    return st.lists(st.builds(Step, changes, faults(kinds)), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    # A plain loop of this module's own: the core is Qt-free, and hypothesis drives the examples synchronously.
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


def apply(server: HostileServer, change: Change, now: datetime, next_id: int) -> int:
    """Make ``change`` on the server; returns the next free id."""
    events = server.calendar.events
    if change.op == "add":
        start = now + timedelta(hours=change.hours % 400 + 1)
        server.calendar.put(*(event(next_id + i, start + timedelta(minutes=7 * i)) for i in range(change.pick % 4 + 1)))
        return next_id + change.pick % 4 + 1
    if events and change.op == "remove":
        server.calendar.remove(events[change.pick % len(events)].id)
    elif events:
        moved = events[change.pick % len(events)]
        start = max(now - timedelta(hours=48), min(now + timedelta(days=18), moved.fields.start_time))
        start += timedelta(hours=change.hours)
        server.calendar.put(replace_fields(moved, start_time=start, end_time=start + timedelta(minutes=45)))
    return next_id


def window_of(server: HostileServer) -> tuple[date, date] | None:
    for request in server.list_requests():
        if "start_date" in request.query and "end_date" in request.query:
            return date.fromisoformat(request.query["start_date"]), date.fromisoformat(request.query["end_date"])
    return None


async def run_example(server: HostileServer, initial: int, plan: list[Step]) -> None:
    clock = AutoClock()
    now = clock.now()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=36)
    server.reset([event(i + 1, start + timedelta(hours=2 * i + 1)) for i in range(initial)])
    next_id = initial + 1
    with tempfile.TemporaryDirectory(prefix="klen-hostile-") as folder:
        db_path = Path(folder) / "cache.sqlite3"
        built = build_core(server, db_path, clock=clock)
        try:
            first = await poll(built, timeout=POLL_TIMEOUT)
            assert first.error is None, f"the sane baseline poll failed: {first.error!r}"
            for number, step in enumerate(plan, 1):
                if step.change is not None:
                    next_id = apply(server, step.change, now, next_id)
                server.reset()
                installed = install(server, step.fault)
                before = read_back(db_path)
                outcome = await poll(built, timeout=POLL_TIMEOUT, measure_memory=True)
                where = f"poll {number} ({step.fault})"

                outcome.check_typed()
                assert outcome.peak_bytes < PEAK_LIMIT, f"{where}: peak memory +{outcome.peak_bytes / MB:.0f} MB"
                walked = len(server.list_requests())
                assert walked <= MAX_LIST_REQUESTS, f"{where}: {walked} list requests"
                after = read_back(db_path)
                window = window_of(server)
                if window is None:
                    continue
                listed = {e.id for e in server.calendar.in_range(*window)} - installed.corrupted
                wrongly_gone = outcome.gone & listed
                assert not wrongly_gone, f"{where}: reported gone while the server lists them: {sorted(wrongly_gone)}"
                lost = (listed & before.keys()) - after.keys()
                assert not lost, f"{where}: left the cache while the server lists them: {sorted(lost)}"
                if step.fault.must_succeed:
                    assert outcome.error is None, f"{where}: failed: {outcome.error!r}"
                    missing = listed - after.keys()
                    assert not missing, f"{where}: not cached although listed: {sorted(missing)}"
                if step.fault.kind == "sane":
                    phantoms = {i for i in after.keys() - listed if i > 0}
                    assert not phantoms, f"{where}: cached although the server no longer lists them: {sorted(phantoms)}"
        finally:
            await built.core.stop()


@fuzz_settings(12)
@given(initial=st.integers(0, 230), plan=steps(HELD_KINDS))
def test_polls_survive_the_answers_handled_before(
    loop: asyncio.AbstractEventLoop, server: HostileServer, tracing: None, initial: int, plan: list[Step]
) -> None:
    loop.run_until_complete(run_example(server, initial, plan))


@fuzz_settings(12)
@given(initial=st.integers(0, 230), plan=steps(HELD_KINDS + NEWER_KINDS))
def test_polls_survive_every_hostile_answer(
    loop: asyncio.AbstractEventLoop, server: HostileServer, tracing: None, initial: int, plan: list[Step]
) -> None:
    loop.run_until_complete(run_example(server, initial, plan))
