"""When each day of the sync window was last read from the server, and how many events the cache holds per day.

The window is synced in ranges of days (:mod:`klen_desktop.sync.ranges`): the hours ahead at every poll, the rest
less often. A day's time says how fresh its events are and whether it was ever read: a day read for the first
time is a baseline (its events are not news), and a range is due again when its oldest day is. Kept as
``sync_day.<date>`` rows of the ``sync_state`` table, so no migration is needed and a day that left the window
is simply dropped.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from klen_desktop.store.codec import day_start, decode_date, decode_time, encode_date, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.quarantine import UNREADABLE

_PREFIX = "sync_day."


class SyncedDaysRepository:
    """Thread-safe and synchronous, like the other repositories."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def synced(self, conn: sqlite3.Connection | None = None) -> dict[date, datetime]:
        """Every day read at least once, with the time of its last read (unreadable rows count as never read)."""
        with self._db.reading(conn) as c:
            rows = c.execute(
                "SELECT key, value FROM sync_state WHERE key LIKE ? ESCAPE '\\'", (_PREFIX.replace("_", "\\_") + "%",)
            ).fetchall()
        days: dict[date, datetime] = {}
        for key, value in rows:
            try:
                days[decode_date(str(key)[len(_PREFIX) :])] = decode_time(str(value))
            except UNREADABLE:
                continue
        return days

    def all_read(self, start: date, end: date, conn: sqlite3.Connection | None = None) -> bool:
        """Whether every day ``start`` to ``end`` (inclusive) was read at least once."""
        synced = self.synced(conn)
        return all(start + timedelta(days=n) in synced for n in range((end - start).days + 1))

    def mark(self, start: date, end: date, at: datetime, conn: sqlite3.Connection | None = None) -> None:
        """Days ``start`` to ``end`` (inclusive) were read at ``at``."""
        rows = []
        day = start
        while day <= end:
            rows.append((_PREFIX + encode_date(day), encode_time(at)))
            day += timedelta(days=1)
        with self._db.writing(conn) as c:
            c.executemany("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", rows)

    def forget_outside(self, start: date, end: date, conn: sqlite3.Connection | None = None) -> None:
        """Drop the days that left the window (read again from scratch if they ever come back into it)."""
        with self._db.writing(conn) as c:
            rows = c.execute(
                "SELECT key FROM sync_state WHERE key LIKE ? ESCAPE '\\'", (_PREFIX.replace("_", "\\_") + "%",)
            ).fetchall()
            stale = []
            for (key,) in rows:
                try:
                    day = decode_date(str(key)[len(_PREFIX) :])
                except UNREADABLE:
                    stale.append((key,))
                    continue
                if not start <= day <= end:
                    stale.append((key,))
            c.executemany("DELETE FROM sync_state WHERE key = ?", stale)

    def event_counts(self, start: date, end: date, conn: sqlite3.Connection | None = None) -> dict[date, int]:
        """How many server-known events the cache holds per UTC start date in ``[start, end]`` (days without
        events are absent)."""
        lo, hi = day_start(start), day_start(end + timedelta(days=1))
        with self._db.reading(conn) as c:
            rows = c.execute(
                "SELECT substr(start_time, 1, 10), count(*) FROM events WHERE id > 0 AND start_time >= ? "
                "AND start_time < ? GROUP BY substr(start_time, 1, 10)",
                (lo, hi),
            ).fetchall()
        counts: dict[date, int] = {}
        for day, count in rows:
            try:
                counts[decode_date(str(day))] = int(count)
            except UNREADABLE:
                continue
        return counts
