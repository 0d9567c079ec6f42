"""The cache opens on the database's own thread (store/db.py, core.py): the event loop never waits for the disk
at start, not even for a cache another program holds locked for SQLite's whole busy timeout.

Real files and real SQLite locks; the loop's ticks are counted while the open waits.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from store_factories import BASE, summary

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.store.db import BUSY_TIMEOUT_MS, MEMORY, Database
from klen_desktop.store.errors import CacheProblem, DatabaseClosed
from klen_desktop.store.events import EventRepository

pytestmark = pytest.mark.timeout(60)


async def ticks_while(waiting: asyncio.Future[object], every: float = 0.01) -> int:
    """How many times a 10 ms sleep came round on the loop until ``waiting`` was done."""
    count = 0
    while not waiting.done():
        await asyncio.sleep(every)
        count += 1
    return count


@pytest.mark.asyncio
async def test_work_queues_behind_an_open_that_takes_its_time_while_the_loop_runs_on(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    release = threading.Event()

    def slow_open() -> Database:
        release.wait(10)
        return Database(path)

    started = time.monotonic()
    db = Database.opened_in_background(str(path), slow_open)
    assert time.monotonic() - started < 0.5
    try:
        write = asyncio.ensure_future(db.run(EventRepository(db).upsert_summaries, [summary(1, BASE)]))
        read = asyncio.ensure_future(db.run(lambda: EventRepository(db).get(1)))
        asyncio.get_running_loop().call_later(0.3, release.set)
        assert await ticks_while(read) >= 10  # the loop kept turning while the open waited
        await write
        stored = read.result()
        assert stored is not None and stored.id == 1  # queued in order: the write, then the read
        assert db.opened.done() and db.path == str(path)
    finally:
        db.close()


def test_a_synchronous_use_before_the_open_waits_for_it(tmp_path: Path) -> None:
    release = threading.Event()

    def slow_open() -> Database:
        release.wait(10)
        return Database(tmp_path / "cache.sqlite3")

    db = Database.opened_in_background(str(tmp_path / "cache.sqlite3"), slow_open)
    threading.Timer(0.2, release.set).start()
    try:
        with db.read() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        db.close()


@pytest.mark.asyncio
async def test_what_opening_raised_is_what_every_use_raises_and_close_still_works(tmp_path: Path) -> None:
    def broken_open() -> Database:
        raise sqlite3.OperationalError("unable to open database file")

    db = Database.opened_in_background(str(tmp_path / "cache.sqlite3"), broken_open)
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        await db.run(lambda: EventRepository(db).get(1))
    db.close()
    db.close()
    with pytest.raises(DatabaseClosed):
        await db.run(lambda: None)


@pytest.mark.asyncio
async def test_closing_during_the_open_waits_for_it_and_closes_what_it_opened(tmp_path: Path) -> None:
    release = threading.Event()
    opened: list[Database] = []

    def slow_open() -> Database:
        release.wait(10)
        opened.append(Database(tmp_path / "cache.sqlite3"))
        return opened[0]

    db = Database.opened_in_background(str(tmp_path / "cache.sqlite3"), slow_open)
    threading.Timer(0.2, release.set).start()
    await asyncio.to_thread(db.close)
    assert db.closed and opened
    with pytest.raises(sqlite3.ProgrammingError):  # the connection it took over is closed, not leaked
        opened[0]._conn.execute("SELECT 1")


@pytest.mark.asyncio
async def test_a_cache_another_program_holds_locked_costs_the_loop_nothing_and_runs_from_memory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    Database(path).close()
    other = sqlite3.connect(path, isolation_level=None)  # another program: a copy, a backup tool, a shell
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        # Nothing listens at port 9: the core is never started, only built and opened.
        core = CoreServices(CoreConfig(base_url="http://127.0.0.1:9", api_key="klen_test_locked", db_path=path))
        built_in = time.monotonic() - started
        opening = asyncio.ensure_future(core.cache_opened())
        ticks = await ticks_while(opening)
        waited = time.monotonic() - started
        notice = opening.result()
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        # The open waited out SQLite's busy timeout on the database thread; the loop did not wait with it.
        assert waited >= BUSY_TIMEOUT_MS / 1000 * 0.9
        assert built_in < 1.0 and ticks >= waited / 0.01 / 4
        assert notice is not None and notice.problem is CacheProblem.IN_USE and notice.in_memory
        assert core.db.path == MEMORY
        await core.db.run(core.events.upsert_summaries, [summary(1, BASE)])  # the run goes on from memory
        assert await core.db.run(core.events.get, 1) is not None
    finally:
        core.db.close()
