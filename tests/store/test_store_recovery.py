"""Opening the cache robustly (store/recovery.py), on real files: a damaged file is set aside and replaced by a
fresh cache, a healthy one is used as it is, a newer version's cache is left alone, and write failures come
back as a typed error with nothing changed."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_factories import BASE, summary

from klen_desktop.store.db import MEMORY, Database
from klen_desktop.store.errors import CacheProblem, CacheWriteFailed
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxOp, OutboxRepository
from klen_desktop.store.recovery import KEEP_CORRUPT, open_cache, prune_corrupt
from klen_desktop.store.schema import SCHEMA_VERSION, schema_version

pytestmark = pytest.mark.timeout(60)

PAGE = 4096
WHEN = datetime(2026, 11, 24, 21, 30, 5, tzinfo=UTC)


def _at(when: datetime) -> Callable[[], datetime]:
    return lambda: when


def populated(path: Path, events: int, unsent: int = 0) -> None:
    """A cache as a user would have it: ``events`` synced events and ``unsent`` queued offline writes."""
    db = Database(path)
    try:
        repo = EventRepository(db)
        repo.upsert_summaries(
            summary(i, BASE + timedelta(minutes=30 * i), title=f"Customer call number {i}")
            for i in range(1, events + 1)
        )
        outbox = OutboxRepository(db)
        for i in range(unsent):
            outbox.add(OutboxOp.PATCH, i + 1, {"title": f"offline edit {i}"}, None, BASE)
    finally:
        db.close()  # the last close checkpoints the WAL into the file: the damage below hits real data


def zero_events_page(path: Path) -> int:
    """Overwrite one leaf page of the events table, in the middle of the file, with zeros; returns its number."""
    conn = sqlite3.connect(path)
    try:
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'")]
    finally:
        conn.close()
    page = int(pages[len(pages) // 2])
    with open(path, "r+b") as f:
        f.seek((page - 1) * PAGE)
        f.write(b"\0" * PAGE)
    return page


def leftovers(folder: Path, name: str = "cache.sqlite3") -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".corrupt-" in p.name and p.name.startswith(name))


def assert_fresh(db: Database) -> None:
    with db.read() as conn:
        assert schema_version(conn) == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    # and it takes writes: the poller can refill it
    EventRepository(db).upsert_summaries([summary(1)])
    assert EventRepository(db).count() == 1


def test_a_file_of_garbage_is_kept_aside_and_a_fresh_cache_opens(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cache.sqlite3"
    path.parent.mkdir(mode=0o700)
    garbage = os.urandom(3 * PAGE)
    path.write_bytes(garbage)
    opened = open_cache(path, now=lambda: WHEN)
    try:
        notice = opened.notice
        assert notice is not None and notice.problem is CacheProblem.CORRUPT and not notice.in_memory
        kept = Path(notice.kept_at or "")
        assert kept == path.with_name("cache.sqlite3.corrupt-20261124T213005Z")
        assert kept.read_bytes() == garbage, "the damaged file must be kept as it was"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert str(kept) in notice.message and "refilled from the server" in notice.message
        assert "could not be recovered" in notice.message
        assert opened.db.path == str(path)
        assert_fresh(opened.db)
    finally:
        opened.db.close()


def test_a_truncated_cache_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    populated(path, 2000)
    os.truncate(path, path.stat().st_size // 3 + 100)
    opened = open_cache(path, now=lambda: WHEN)
    try:
        assert opened.notice is not None and opened.notice.problem is CacheProblem.CORRUPT
        assert_fresh(opened.db)
    finally:
        opened.db.close()


def test_a_zeroed_page_inside_a_populated_cache_is_found_by_the_check_and_unsent_writes_are_counted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    populated(path, 10_000, unsent=3)
    zero_events_page(path)
    # The damage is invisible to a plain open: only the check at open finds it (else the first query would).
    Database(path).close()
    opened = open_cache(path, now=lambda: WHEN)
    try:
        notice = opened.notice
        assert notice is not None and notice.problem is CacheProblem.CORRUPT
        assert "3 unsent offline change(s)" in notice.message
        assert_fresh(opened.db)
    finally:
        opened.db.close()
    assert leftovers(tmp_path) == ["cache.sqlite3.corrupt-20261124T213005Z"]


def test_a_healthy_cache_is_used_as_it_is_and_the_check_is_cheap(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    populated(path, 10_000, unsent=2)
    before = path.stat().st_size

    def best_of(opener: Callable[[Path], Database], runs: int = 5) -> float:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            db = opener(path)
            best = min(best, time.perf_counter() - started)
            db.close()
        return best

    plain = best_of(Database)
    checked = best_of(lambda p: open_cache(p).db)
    opened = open_cache(path)
    try:
        assert opened.notice is None
        assert EventRepository(opened.db).count() == 10_000
        assert len(OutboxRepository(opened.db).active()) == 2
    finally:
        opened.db.close()
    assert leftovers(tmp_path) == []
    assert path.stat().st_size == before
    # quick_check reads every page once: ~10 ms for this 6 MB cache here. The bound is far above that, so only a
    # check that became pathological (an integrity_check on a huge cache, say) fails it.
    limit = 0.5 if os.environ.get("CI") else 0.25
    print(f"open: plain {plain * 1000:.1f} ms, with quick_check {checked * 1000:.1f} ms (10,000 events)")
    assert checked - plain < limit


def test_only_the_newest_damaged_copies_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    for n in range(KEEP_CORRUPT + 2):
        path.write_bytes(b"not a database at all" * 300)
        opened = open_cache(path, now=_at(WHEN + timedelta(minutes=n)))
        opened.db.close()
    kept = leftovers(tmp_path)
    assert len([k for k in kept if not k.endswith(("-wal", "-shm"))]) == KEEP_CORRUPT
    newest = f"cache.sqlite3.corrupt-{(WHEN + timedelta(minutes=KEEP_CORRUPT + 1)):%Y%m%dT%H%M%SZ}"
    assert newest in kept
    assert f"cache.sqlite3.corrupt-{WHEN:%Y%m%dT%H%M%SZ}" not in kept
    assert prune_corrupt(path) == []


def test_a_healthy_cache_opened_twice_is_never_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"\x00" * PAGE * 2)  # damaged once
    for _ in range(3):
        opened = open_cache(path)
        opened.db.close()
    assert len([k for k in leftovers(tmp_path) if not k.endswith("-wal")]) == 1


def test_a_cache_from_a_newer_version_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    populated(path, 10)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    content = path.read_bytes()
    opened = open_cache(path)
    try:
        notice = opened.notice
        assert notice is not None and notice.problem is CacheProblem.TOO_NEW and notice.in_memory
        assert opened.db.path == MEMORY
        assert "Update Klen Desktop" in notice.message
        assert_fresh(opened.db)
    finally:
        opened.db.close()
    assert path.read_bytes() == content
    assert leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_made_gives_an_in_memory_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    opened = open_cache(blocker / "cache.sqlite3")
    try:
        notice = opened.notice
        assert notice is not None and notice.problem is CacheProblem.UNWRITABLE and notice.in_memory
        assert str(blocker) in notice.message and "restart Klen Desktop" in notice.message
        assert_fresh(opened.db)
    finally:
        opened.db.close()


def test_a_data_folder_lookup_that_fails_gives_an_in_memory_cache() -> None:
    def no_folder() -> Path:
        raise PermissionError(13, "Permission denied", "/home/someone/.local/share")

    opened = open_cache(no_folder)
    try:
        assert opened.notice is not None and opened.notice.in_memory
        assert "permission denied" in opened.notice.message
    finally:
        opened.db.close()


def test_a_write_the_disk_refuses_is_typed_and_leaves_no_transaction_open(tmp_path: Path) -> None:
    db = Database(tmp_path / "cache.sqlite3")
    repo = EventRepository(db)
    try:
        with db.read() as conn:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")  # a real SQLITE_FULL for this connection
        batch = [summary(i, title="x" * 500) for i in range(1, 300)]
        with pytest.raises(CacheWriteFailed) as info:
            repo.upsert_summaries(batch)
        assert info.value.problem is CacheProblem.DISK_FULL
        assert isinstance(info.value, sqlite3.OperationalError)
        assert "Free some space" in info.value.message and str(tmp_path) in info.value.message
        with db.read() as conn:
            assert not conn.in_transaction
        assert repo.count() == 0
        with db.read() as conn:
            conn.execute("PRAGMA max_page_count = 1073741823")  # space is back
        repo.upsert_summaries(batch)
        assert repo.count() == len(batch)
    finally:
        db.close()


def test_a_bug_in_sql_is_not_dressed_up_as_a_disk_problem() -> None:
    db = Database(MEMORY)
    try:
        with pytest.raises(sqlite3.OperationalError) as info, db.transaction() as conn:
            conn.execute("INSERT INTO no_such_table VALUES (1)")
        assert not isinstance(info.value, CacheWriteFailed)
    finally:
        db.close()
