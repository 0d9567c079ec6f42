"""Open the cache so that a broken file or a broken disk never stops the app from starting.

The cache is a copy of the server (plus the outbox of unsent writes), so the app can always run without it:

* **Corrupt** (not a database, "malformed", or ``PRAGMA quick_check`` not ``ok``): the file and its WAL are
  moved aside to ``<name>.corrupt-<UTC time>`` in the same private folder (the :data:`KEEP_CORRUPT` newest are
  kept, for support or a manual rescue) and a fresh cache is created; the poller refills it from the server.
  The outbox is not replayed from the bad file: its rows point at local event rows of the same broken file,
  and sending a half-read queue could change the wrong event. The notice says how many were in it, if readable.
* **Unwritable** (read-only folder or file, disk full, quota, no such folder and none can be made): the file
  is left as it is and the cache lives in memory for this run. The app works online; changes made now are
  lost at quit; writes queued in the file stay there and go out at the first start that can open it.
* **Too new** (:class:`SchemaTooNew`, written by a newer Klen Desktop): in memory too, never moved aside.
  The file is healthy and the newer version needs it, with any unsent changes in it; the user most likely
  started an older copy by mistake, and destroying the newer cache would turn that slip into data loss.
* **In use** (locked by another process past the busy timeout): in memory, the file untouched.

One attempt per start, with no retry loop: the same fault would most likely be there a second later, and the notice
tells the user what to fix. A cache that opens cleanly is checked once, then used as is: ``quick_check`` reads
every page once (about 10 ms for 10,000 events, 13 ms with their details, 15 MB, measured here), and a no-op
write shows a full disk or a read-only file now rather than at the first sync. ``integrity_check`` also
cross-checks every index, about 2.5 times slower, and finds nothing a user could act on differently.

A healthy file may still hold rows the app cannot read (a time an older version wrote without four digits):
:func:`klen_desktop.store.quarantine.sweep` sets those aside at start, so they never fail a read or a poll.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from klen_desktop.records import record
from klen_desktop.store.db import MEMORY, Database
from klen_desktop.store.errors import CacheProblem, SchemaTooNew, classify
from klen_desktop.store.outbox import ACTIVE_STATES, OutboxRepository
from klen_desktop.store.quarantine import count, sweep

log = logging.getLogger(__name__)

KEEP_CORRUPT = 3
CORRUPT_MARK = ".corrupt-"
_SIDECARS = ("-wal", "-shm")


@record
class CacheNotice:
    """What opening the cache had to do, in words the user can act on (shown once, at start)."""

    problem: CacheProblem
    title: str
    message: str
    path: str
    kept_at: str | None = None
    in_memory: bool = False


@record
class OpenedCache:
    db: Database
    notice: CacheNotice | None = None


class _Unhealthy(Exception):
    """``quick_check`` found damage that no query has tripped over yet."""


def open_cache(location: Path | str | Callable[[], Path], *, now: Callable[[], datetime] | None = None) -> OpenedCache:
    """Open the cache at ``location`` (or at what the callable returns: finding the folder may fail too).

    Never raises for a bad file or a bad disk: the returned notice says what was done instead.
    """
    clock = now or (lambda: datetime.now(UTC))
    try:
        path = Path(location()) if callable(location) else Path(location)
    except OSError as exc:
        return _in_memory(classify(exc), "", exc)
    if str(path) == MEMORY:
        return OpenedCache(Database(MEMORY))
    try:
        db = _open_checked(path)
    except (sqlite3.Error, OSError, SchemaTooNew, _Unhealthy) as exc:
        problem = CacheProblem.CORRUPT if isinstance(exc, _Unhealthy) else classify(exc, path.parent)
        if problem is not CacheProblem.CORRUPT:
            return _in_memory(problem, str(path), exc)
        return _replace_corrupt(path, exc, clock())
    return OpenedCache(db, _unreadable_changes_notice(db, path))


def _unreadable_changes_notice(db: Database, path: Path) -> CacheNotice | None:
    """Unsent changes the start-up check had to set aside are told, never dropped in silence."""
    try:
        changes = count(db, "outbox")
    except sqlite3.Error:
        return None
    if not changes:
        return None
    what = "1 change" if changes == 1 else f"{changes} changes"
    return CacheNotice(
        problem=CacheProblem.UNREADABLE_CHANGES,
        title="Some unsent changes could not be read",
        message=(
            f"{what} made in Klen Desktop but not yet sent could not be read from the cache and will not be sent. "
            "They are kept aside in the cache file for support; check those events on the server and make the "
            "changes again."
        ),
        path=str(path),
    )


def _open_checked(path: Path) -> Database:
    db = Database(path)
    try:
        with db.read() as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if [tuple(r) for r in rows] != [("ok",)]:
                raise _Unhealthy("; ".join(str(r[0]) for r in rows[:3]))
            # A real (no-op) write: a full disk or a read-only file shows now, not at the first sync.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(f"PRAGMA user_version = {version}")
        set_aside = sweep(db, [OutboxRepository(db).all])
    except BaseException:
        db.close()
        raise
    if set_aside:
        log.warning("the cache %s holds %d unreadable row(s) set aside in its quarantine table", path, set_aside)
    return db


def _replace_corrupt(path: Path, cause: BaseException, when: datetime) -> OpenedCache:
    log.error("the cache %s is damaged (%s): moving it aside and starting a fresh one", path, cause)
    unsent = _count_unsent(path)
    try:
        kept = set_aside(path, when)
        db = _open_checked(path)
    except (sqlite3.Error, OSError, SchemaTooNew, _Unhealthy) as exc:
        # The fresh file failed too: whatever the reason, the folder is not usable for this run.
        problem = classify(exc, path.parent)
        return _in_memory(CacheProblem.UNWRITABLE if problem is CacheProblem.CORRUPT else problem, str(path), exc)
    try:
        prune_corrupt(path)
    except OSError as exc:  # old copies left over are untidy, not harmful
        log.warning("could not remove old damaged caches beside %s: %s", path, exc)
    if unsent is None:
        lost = "Offline changes not yet sent, if there were any, could not be recovered."
    elif unsent:
        lost = f"{unsent} unsent offline change(s) in it could not be recovered: check them on the server."
    else:
        lost = "It held no unsent offline changes."
    notice = CacheNotice(
        CacheProblem.CORRUPT,
        "Local cache was damaged",
        f"The local cache was damaged and has been replaced by a fresh one, which is being refilled from the "
        f"server. The damaged file is kept as {kept}. {lost}",
        str(path),
        kept_at=str(kept),
    )
    return OpenedCache(db, notice)


def set_aside(path: Path, when: datetime) -> Path:
    """Move ``path`` and its WAL (if not empty) to ``<name>.corrupt-<UTC time>`` beside it; the shared-memory
    index is removed (SQLite rebuilds it). Returns the new name of the main file."""
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}-{n}")
    os.replace(path, kept)
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:  # an empty WAL holds nothing worth keeping
        os.replace(wal, Path(f"{kept}-wal"))
    for leftover in (wal, Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.remove(leftover)
    return kept


def prune_corrupt(path: Path, keep: int = KEEP_CORRUPT) -> list[Path]:
    """Remove all but the ``keep`` newest set-aside copies of ``path`` (with their WALs); returns those removed."""
    # By name, which holds the time it was set aside (the file's own mtime is when it was last written).
    copies = sorted(
        (p for p in path.parent.glob(f"{path.name}{CORRUPT_MARK}*") if not p.name.endswith(_SIDECARS)),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = copies[keep:]
    for old in removed:
        for name in (str(old), *(f"{old}{s}" for s in _SIDECARS)):
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)
    return removed


def _count_unsent(path: Path) -> int | None:
    """How many writes were still queued in the damaged file; None when that part of it cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        marks = ", ".join("?" for _ in ACTIVE_STATES)
        row = conn.execute(
            f"SELECT count(*) FROM outbox WHERE state IN ({marks})", [s.value for s in ACTIVE_STATES]
        ).fetchone()
        return int(row[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _in_memory(problem: CacheProblem, path: str, cause: BaseException) -> OpenedCache:
    log.error("cannot use the cache %s (%s: %s); using an in-memory cache for this run", path, problem.value, cause)
    title, message = _unusable_notice(problem, path, cause)
    notice = CacheNotice(problem, title, message, path, in_memory=True)
    return OpenedCache(Database(MEMORY), notice)


_FOR_THIS_RUN = (
    "Klen Desktop works online for now, but changes you make are kept only until you quit; changes queued "
    "earlier stay in the file and are sent once it can be opened again."
)


def _unusable_notice(problem: CacheProblem, path: str, cause: BaseException) -> tuple[str, str]:
    folder = str(Path(path).parent) if path else "the data folder"
    where = path or "its folder"
    if problem is CacheProblem.TOO_NEW:
        return (
            "Cache from a newer version",
            f"The local cache {where} was written by a newer Klen Desktop and is left untouched. Update Klen "
            "Desktop (or start the newer one). This run keeps its cache in memory only.",
        )
    if problem is CacheProblem.DISK_FULL:
        return (
            "Disk full: cache not saved",
            f"The disk holding {folder} is full, so the local cache cannot be written. Free some space and "
            f"restart Klen Desktop. {_FOR_THIS_RUN}",
        )
    if problem is CacheProblem.IN_USE:
        return (
            "Cache in use",
            f"Another program holds the local cache {where} locked. Close other copies of Klen Desktop and "
            f"restart it. {_FOR_THIS_RUN}",
        )
    return (
        "Cache cannot be written",
        f"The local cache {where} cannot be written ({_reason(cause)}). Check that {folder} exists and "
        f"belongs to you with write permission, then restart Klen Desktop. {_FOR_THIS_RUN}",
    )


def _reason(cause: BaseException) -> str:
    if isinstance(cause, OSError) and cause.errno is not None:
        return os.strerror(cause.errno).lower()
    return str(cause) or type(cause).__name__
