"""One SQLite connection shared safely between the UI loop and worker threads.

The connection is opened with ``check_same_thread=False`` and every use holds one re-entrant lock, so any
thread may call the synchronous API. Async callers use :meth:`Database.run`, which runs a function on the
database's own single worker thread, so the UI loop never blocks on disk and writes stay serialised.

The file lives in a private folder (0700) and is itself 0600: it holds customer contact data. WAL mode lets
readers of other connections (a second app instance, a debugging shell) proceed during a write.

SQLite reuses its WAL file but never shrinks it: one large transaction (a first sync of thousands of events)
would leave megabytes beside the cache for as long as the app runs. A commit that leaves the WAL over
:data:`CHECKPOINT_AFTER_BYTES` queues a checkpoint on the worker thread that folds it into the database and
truncates it; it never waits for a reader of another connection (it tries again after the next large write),
and ``journal_size_limit`` caps what is left after SQLite's own checkpoints.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from klen_desktop.paths import PRIVATE_FILE_MODE, ensure_private_dir
from klen_desktop.store.errors import CacheWriteFailed, DatabaseClosed, classify
from klen_desktop.store.schema import migrate

log = logging.getLogger(__name__)

T = TypeVar("T")

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5000
CHECKPOINT_AFTER_BYTES = 1024 * 1024
WAL_SIZE_LIMIT = 1024 * 1024
# SQLite's own page cache (its default is 2 MiB, filled by any read of a large cache): the OS keeps the file's pages
# anyway. Reads of 10,000 events measured no slower at 128 KiB than at 2 MiB or 512 KiB (tests/benchmarks/
# bench_store.py), and the app stays 0.3 to 0.5 MiB smaller at that size than at 512 KiB (bench_startup.py).
PAGE_CACHE_KIB = 128


def _create_private_file(path: Path) -> None:
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    _tighten(path)


def _tighten(path: Path) -> None:
    """chmod 0600 if the file exists with looser bits (an older version or a copy may have left it so)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode != PRIVATE_FILE_MODE:
        os.chmod(path, PRIVATE_FILE_MODE)


def _write_error(exc: sqlite3.OperationalError, path: str) -> sqlite3.OperationalError:
    """A disk's refusal as :class:`CacheWriteFailed`; other errors (a bug in SQL, say) as they are."""
    if isinstance(exc, CacheWriteFailed):
        return exc
    if ((getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF) not in _DISK_REFUSALS:
        return exc
    return CacheWriteFailed(classify(exc, None if path == MEMORY else Path(path).parent), path, exc)


# SQLite's primary codes for "the disk or the file said no": PERM, BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
_DISK_REFUSALS = {3, 5, 6, 8, 10, 13, 14}


class Database:
    """The cache database: one connection, one lock, one worker thread, migrated on open.

    ``path`` may be ``":memory:"`` (tests, benchmarks). Closing is idempotent; any use after it raises
    :class:`DatabaseClosed`.
    """

    def __init__(self, path: Path | str) -> None:
        self._setup(str(path))
        if self._path != MEMORY:
            _create_private_file(Path(self._path))
        self._conn = sqlite3.connect(
            self._path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        try:
            self._configure()
            migrate(self._conn, path=self._path)
        except BaseException:
            self._conn.close()
            raise
        self.opened: Future[None] = Future()
        self.opened.set_result(None)

    @classmethod
    def opened_in_background(cls, path: str, open_now: Callable[[], Database]) -> Database:
        """A database whose connection ``open_now`` makes as the first job of the worker thread.

        Opening may take long (a cold disk read by the start-up check, a lock held by another process for the
        busy timeout, a migration), and the event loop must not wait for it: every :meth:`run` queues behind it,
        and :attr:`opened` completes when it is done. ``open_now`` may pick another file or memory (see
        store/recovery.py); ``path`` is what to name until then. A synchronous use before that waits for it.
        """
        db = cls.__new__(cls)
        db._setup(path)
        db.opened = db._executor.submit(db._adopt, open_now)
        return db

    def _setup(self, path: str) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._closed = False
        self._checkpoint_queued = False
        self._wal = None if path == MEMORY else Path(path + "-wal")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="klen-db")

    def _adopt(self, open_now: Callable[[], Database]) -> None:
        """Take over the connection of the database ``open_now`` opened (its own worker is not needed)."""
        other = open_now()
        # Not under our lock: a caller that holds it may be waiting for this open. Nothing reads these before
        # :attr:`opened` completes, which orders the writes before those reads.
        with other._lock:
            self._conn, self._path, self._wal = other._conn, other._path, other._wal
            other._closed = True  # its close must not close the connection now ours
        other._executor.shutdown(wait=False)

    def _configure(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if self._path != MEMORY:
            conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("SQLite refused WAL mode for the cache (got %s); continuing with it", mode)
            # With WAL, NORMAL only risks the last transactions on power loss, never corruption, and the
            # cache can always be re-fetched; FULL would fsync on every poll.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
            self._tighten_sidecars()

    def _tighten_sidecars(self) -> None:
        for suffix in ("-wal", "-shm"):
            _tighten(Path(self._path + suffix))

    @property
    def path(self) -> str:
        return self._path

    @property
    def closed(self) -> bool:
        return self._closed

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise DatabaseClosed()
        # Waits only for a synchronous use from outside the worker before the open is done; raises what
        # opening raised.
        self.opened.result()
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises.

        A write the disk refuses (full, read-only, I/O error, locked past the busy timeout) raises
        :class:`CacheWriteFailed` with nothing changed, so callers can say so and keep what the user typed.

        Re-entrant on the same thread: a transaction opened inside another joins it (the outer one commits
        or rolls back everything), so repository methods may be composed inside one transaction.
        """
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                yield conn
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                    self._after_commit()
                except BaseException:
                    # SQLite may already have rolled back by itself (disk full, I/O error); a failed COMMIT may
                    # not have. Either way no transaction may stay open, or every later write would join it.
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                refused = _write_error(exc, self._path)
                if refused is exc:
                    raise
                raise refused from exc

    def _after_commit(self) -> None:
        if self._wal is None or self._checkpoint_queued:
            return
        try:
            size = self._wal.stat().st_size
        except OSError:
            return
        if size > CHECKPOINT_AFTER_BYTES:
            self._checkpoint_queued = True
            try:
                self._executor.submit(self._checkpoint)
            except RuntimeError:
                self._checkpoint_queued = False  # closing: the last close checkpoints by itself

    def _checkpoint(self) -> None:
        """Fold the WAL into the database and truncate it, unless another connection's reader holds it."""
        self._checkpoint_queued = False
        with self._lock:
            if self._closed:
                return
            conn = self._conn
            # Busy means a reader elsewhere still needs the WAL; waiting for it could hold every caller up.
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                busy, frames, _moved = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy:
                    log.info("WAL checkpoint put off: another connection is reading (%d frames kept)", frames)
            except sqlite3.Error as exc:
                log.info("WAL checkpoint failed (%s); the next large write tries again", exc)
            finally:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, held exclusively for the block (other threads wait)."""
        with self._lock:
            yield self._connection()

    def writing(self, conn: sqlite3.Connection | None) -> AbstractContextManager[sqlite3.Connection]:
        """``conn`` as is when the caller already holds a transaction, else a new :meth:`transaction`."""
        if conn is not None:
            return nullcontext(conn)
        return self.transaction()

    def reading(self, conn: sqlite3.Connection | None) -> AbstractContextManager[sqlite3.Connection]:
        """``conn`` as is when the caller already holds the connection, else :meth:`read`."""
        if conn is not None:
            return nullcontext(conn)
        return self.read()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the database's worker thread and return its result (or raise its error)."""
        if self._closed:
            raise DatabaseClosed()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def close(self) -> None:
        """Finish queued work, then close the connection. Safe to call twice."""
        if self._closed:
            return
        self._executor.shutdown(wait=True)
        with self._lock:
            self._closed = True
            if self.opened.exception() is None:
                self._conn.close()
