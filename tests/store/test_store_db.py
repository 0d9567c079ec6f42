"""The database file: private permissions, WAL, migrations, thread safety and the worker thread."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from klen_desktop import paths
from klen_desktop.store.db import CHECKPOINT_AFTER_BYTES, WAL_SIZE_LIMIT, Database
from klen_desktop.store.errors import DatabaseClosed, SchemaTooNew
from klen_desktop.store.schema import SCHEMA_VERSION, migrate, schema_version


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cache.sqlite3"
    db = Database(path)
    try:
        with db.transaction() as c:
            c.execute("INSERT INTO sync_state (key, value) VALUES ('x', 'y')")
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        wal = Path(str(path) + "-wal")
        assert wal.exists() and mode(wal) == 0o600
    finally:
        db.close()


def test_looser_existing_folder_and_file_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    path = folder / "cache.sqlite3"
    path.touch()
    os.chmod(path, 0o644)
    Database(path).close()
    assert mode(folder) == 0o700
    assert mode(path) == 0o600


def test_data_dir_is_created_private_and_tightened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    created = paths.data_dir()
    assert created == tmp_path / "xdg" / "klen-desktop"
    assert mode(created) == 0o700
    os.chmod(created, 0o777)
    assert paths.database_path() == created / "cache.sqlite3"
    assert mode(created) == 0o700
    assert not paths.database_path().exists()


def test_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    try:
        with db.read() as c:
            assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert c.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        db.close()


def test_migrations_record_version_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Database(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert schema_version(conn) == SCHEMA_VERSION == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"events", "sync_state", "reminder_log", "outbox"} <= tables
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"events_start_time", "events_end_time", "outbox_state"} <= indexes
        assert migrate(conn) == SCHEMA_VERSION
        assert schema_version(conn) == SCHEMA_VERSION
    finally:
        conn.close()
    db = Database(path)  # reopening runs migrate again: nothing to do, nothing lost
    try:
        with db.read() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()


def test_file_from_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew) as info:
        Database(path)
    assert "Update Klen Desktop" in info.value.message


def test_transaction_rolls_back_on_error_and_nests() -> None:
    db = Database(":memory:")
    try:
        with pytest.raises(RuntimeError), db.transaction() as c:
            c.execute("INSERT INTO sync_state (key, value) VALUES ('a', '1')")
            with db.transaction() as inner:
                inner.execute("INSERT INTO sync_state (key, value) VALUES ('b', '2')")
            raise RuntimeError("boom")
        with db.read() as c:
            assert c.execute("SELECT COUNT(*) FROM sync_state").fetchone()[0] == 0
        with db.transaction() as c:
            c.execute("INSERT INTO sync_state (key, value) VALUES ('a', '1')")
        with db.read() as c:
            assert c.execute("SELECT value FROM sync_state WHERE key = 'a'").fetchone()[0] == "1"
    finally:
        db.close()


def test_writes_from_several_threads(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                with db.transaction() as c:
                    c.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (f"k{n}-{i}", str(i)))
                with db.read() as c:
                    c.execute("SELECT COUNT(*) FROM sync_state").fetchone()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert not errors
        with db.read() as c:
            assert c.execute("SELECT COUNT(*) FROM sync_state").fetchone()[0] == 8 * 50
    finally:
        db.close()


@pytest.mark.asyncio
async def test_run_executes_off_the_calling_thread() -> None:
    db = Database(":memory:")
    try:
        caller = threading.get_ident()
        worker = await asyncio.wait_for(db.run(threading.get_ident), timeout=5)
        assert worker != caller
        assert await asyncio.wait_for(db.run(lambda a, b: a + b, 2, 3), timeout=5) == 5
        with pytest.raises(ZeroDivisionError):
            await asyncio.wait_for(db.run(lambda: 1 / 0), timeout=5)
    finally:
        db.close()


@pytest.mark.asyncio
async def test_use_after_close_is_a_typed_error() -> None:
    db = Database(":memory:")
    db.close()
    db.close()
    with pytest.raises(DatabaseClosed):
        await db.run(lambda: None)
    with pytest.raises(DatabaseClosed), db.read():
        pass


def fill(db: Database, rows: int, tag: str) -> None:
    """One large transaction, as a first sync of a big calendar makes (a few MB of WAL)."""
    with db.transaction() as c:
        c.executemany(
            "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)",
            ((f"{tag}-{i}", "x" * 400) for i in range(rows)),
        )


@pytest.mark.asyncio
async def test_a_large_write_leaves_no_large_wal_behind(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    wal = Path(str(path) + "-wal")
    db = Database(path)
    gate = threading.Event()
    try:
        # The worker is held so the WAL can be seen before the checkpoint queued behind the write runs.
        held = asyncio.ensure_future(db.run(gate.wait, 10.0))
        await asyncio.sleep(0)  # the hold is queued on the worker before the write queues its checkpoint
        fill(db, 10_000, "big")
        assert wal.stat().st_size > 4 * CHECKPOINT_AFTER_BYTES  # what SQLite alone would leave for good
        gate.set()
        await held
        await db.run(lambda: None)  # the checkpoint queued behind the write has run on the worker
        assert wal.stat().st_size <= CHECKPOINT_AFTER_BYTES
        with db.read() as c:
            assert c.execute("SELECT count(*) FROM sync_state").fetchone()[0] == 10_000
            assert c.execute("PRAGMA journal_size_limit").fetchone()[0] == WAL_SIZE_LIMIT
        fill(db, 10, "small")  # small writes queue no checkpoint
        assert not db._checkpoint_queued
    finally:
        db.close()


@pytest.mark.asyncio
async def test_the_checkpoint_never_waits_for_a_reader_of_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    wal = Path(str(path) + "-wal")
    db = Database(path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sync_state").fetchone()  # holds a snapshot: the WAL must stay
        fill(db, 10_000, "big")
        started = asyncio.get_running_loop().time()
        await db.run(lambda: None)
        assert asyncio.get_running_loop().time() - started < 1.0  # not the 5 s busy timeout
        assert wal.stat().st_size > CHECKPOINT_AFTER_BYTES
        reader.execute("COMMIT")
        fill(db, 10_000, "again")  # the next large write tries again, and now nothing holds the WAL
        await db.run(lambda: None)
        assert wal.stat().st_size <= CHECKPOINT_AFTER_BYTES
        with db.read() as c:
            assert c.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        reader.close()
        db.close()
