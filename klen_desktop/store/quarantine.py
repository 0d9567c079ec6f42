"""Rows the app cannot read are set aside, never fatal.

A row may be unreadable because an older version wrote a value it could not read back (a start year below 1000
written as three digits), because a newer version wrote a value this one does not know, or because the disk
changed a byte. Failing on it would fail every read of that table, at every start, until the user deleted the
cache. Instead the repository that meets such a row moves it to the ``quarantine`` table (its columns as JSON,
the reason, when), logs it, and goes on without it: an event is then fetched again by the next poll, an outbox
row or a reminder-log row is kept there for support and a manual rescue.

The table is created on first use rather than by a schema migration, so a cache holding it still opens in
older versions of the app (they ignore it). :func:`sweep` is the start-up check: it looks for stored times
that are not in the fixed-width form (SQL only, about as cheap as an index scan) and reads the small tables
whole, so a poisoned cache is mended before the first sync rather than at the first read of the bad row.
A row that cannot be moved (the disk refuses the write) is still skipped by the read that met it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from klen_desktop.store.codec import TIME_WIDTH, encode_time
from klen_desktop.store.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")

UNREADABLE: tuple[type[Exception], ...] = (ValueError, TypeError, OverflowError, KeyError, RecursionError)
"""What decoding a stored row may raise when the row is bad (a model's Unreadable is a ValueError)."""

_CREATE = """
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    row_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
)
"""
# The key columns of each table rows are set aside from; names are fixed here, never taken from data.
KEYS: dict[str, tuple[str, ...]] = {
    "events": ("id",),
    "outbox": ("seq",),
    "reminder_log": ("event_id", "due_at"),
    "sync_state": ("key",),
}
_TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("start_time", "end_time"),
    "outbox": ("created_at", "updated_at"),
    "reminder_log": ("due_at",),
}


def _bad_time_sql(column: str) -> str:
    # A year of other than four digits changes the length and moves the first dash: two cheap tests per row
    # (a GLOB of every digit cost the sweep as much as quick_check itself).
    return f"length({column}) != {TIME_WIDTH} OR substr({column}, 5, 1) != '-'"


def _jsonable(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def set_aside(
    db: Database, table: str, key: Sequence[object], reason: str, conn: sqlite3.Connection | None = None
) -> bool:
    """Move the row of ``table`` with key ``key`` to the quarantine table; False when the disk refused."""
    columns = KEYS[table]
    where = " AND ".join(f"{name} = ?" for name in columns)
    try:
        # Join the caller's transaction if it has one (a rollback then keeps the row where it was); else one of
        # its own, so the row is never in both tables or in neither.
        with db.writing(conn if conn is not None and conn.in_transaction else None) as c:
            c.execute(_CREATE)
            cursor = c.execute(f"SELECT * FROM {table} WHERE {where}", tuple(key))
            names = [d[0] for d in cursor.description]
            row = cursor.fetchone()
            if row is None:
                return True
            data = {name: _jsonable(value) for name, value in zip(names, row, strict=True)}
            c.execute(
                "INSERT INTO quarantine (source, row_json, reason, set_aside_at) VALUES (?, ?, ?, ?)",
                (table, json.dumps(data, default=str), reason[:500], encode_time(datetime.now(UTC))),
            )
            c.execute(f"DELETE FROM {table} WHERE {where}", tuple(key))
    except sqlite3.Error as exc:
        log.warning("could not set aside the unreadable %s row %s (%s); skipping it for now", table, key, exc)
        return False
    log.warning("set aside an unreadable %s row %s: %s", table, key, reason)
    return True


def readable(
    db: Database,
    table: str,
    rows: Iterable[Sequence[Any]],
    decode: Callable[[Sequence[Any]], T],
    key: Callable[[Sequence[Any]], Sequence[object]],
    conn: sqlite3.Connection | None = None,
) -> list[T]:
    """``decode`` applied to each row; rows it fails on are set aside and left out."""
    values: list[T] = []
    for row in rows:
        try:
            values.append(decode(row))
        except UNREADABLE as exc:
            set_aside(db, table, key(row), f"{type(exc).__name__}: {exc}", conn)
    return values


def count(db: Database, source: str | None = None) -> int:
    """How many rows were ever set aside (0 when none was), from the ``source`` table only when given."""
    with db.read() as c:
        if c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quarantine'").fetchone() is None:
            return 0
        if source is None:
            return int(c.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0])
        return int(c.execute("SELECT COUNT(*) FROM quarantine WHERE source = ?", (source,)).fetchone()[0])


def sweep(db: Database, read_all: Iterable[Callable[[], object]] = ()) -> int:
    """The start-up check: set aside rows whose stored times are not fixed-width ISO 8601 UTC, then run each of
    ``read_all`` (whole-table reads of the small tables, which set aside what they cannot decode).

    Returns how many rows are in quarantine after it.
    """
    for table, time_columns in _TIME_COLUMNS.items():
        keys = ", ".join(KEYS[table])
        bad: set[tuple[object, ...]] = set()
        # One column per query: the events' time indexes then cover it, and no row of JSON is read.
        for column in time_columns:
            with db.read() as c:
                bad.update(tuple(r) for r in c.execute(f"SELECT {keys} FROM {table} WHERE {_bad_time_sql(column)}"))
        for row in sorted(bad, key=repr):
            set_aside(db, table, row, "a stored time is not in the fixed-width form")
    for read in read_all:
        read()
    return count(db)
