"""What happened to each reminder, persisted so a restart never fires one twice.

A reminder is keyed by ``(event_id, due_at)``: when an event moves, its due time changes, so it gets a new
reminder and whatever was recorded for the old time no longer applies to it. The log also keeps the
scheduler's watermark (the last time it checked), which bounds the "missed while away" summary.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from klen_desktop.records import record
from klen_desktop.store.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.quarantine import UNREADABLE, readable

log = logging.getLogger(__name__)

_WATERMARK_KEY = "reminders.checked_until"
_SELECT = "SELECT event_id, due_at, state, snoozed_until, fired_at FROM reminder_log"

LogKey = tuple[int, datetime]


class ReminderState(StrEnum):
    FIRED = "fired"  # shown to the user
    SNOOZED = "snoozed"  # shown, to be shown again at snoozed_until
    DISMISSED = "dismissed"  # the user does not want it (before or after it was shown)
    MISSED = "missed"  # its event ended before it could be shown; counted in a missed summary
    DROPPED = "dropped"  # the server no longer has the event; nothing to show


@record
class LogEntry:
    event_id: int
    due_at: datetime
    state: ReminderState
    snoozed_until: datetime | None = None
    fired_at: datetime | None = None

    @property
    def key(self) -> LogKey:
        return (self.event_id, self.due_at)


def _key(row: Sequence[object]) -> tuple[object, object]:
    return (row[0], row[1])


def _row_to_entry(row: Sequence[object]) -> LogEntry:
    event_id, due_at, state, snoozed_until, fired_at = row
    return LogEntry(
        event_id=int(str(event_id)),
        due_at=decode_time(str(due_at)),
        state=ReminderState(str(state)),
        snoozed_until=decode_optional_time(None if snoozed_until is None else str(snoozed_until)),
        fired_at=decode_optional_time(None if fired_at is None else str(fired_at)),
    )


class ReminderLogRepository:
    """Reads and writes of the ``reminder_log`` table. Thread-safe and synchronous."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, event_id: int, due_at: datetime) -> LogEntry | None:
        with self._db.read() as c:
            row = c.execute(f"{_SELECT} WHERE event_id = ? AND due_at = ?", (event_id, encode_time(due_at))).fetchone()
        found = self._readable([] if row is None else [row], None)
        return found[0] if found else None

    def _readable(self, rows: Iterable[Sequence[object]], conn: sqlite3.Connection | None) -> list[LogEntry]:
        return readable(self._db, "reminder_log", rows, _row_to_entry, _key, conn)

    def all(self, conn: sqlite3.Connection | None = None) -> list[LogEntry]:
        """Every readable entry (the start-up check reads them all)."""
        with self._db.reading(conn) as c:
            rows = c.execute(_SELECT).fetchall()
        return self._readable(rows, conn)

    def entries_for(self, event_ids: Iterable[int], conn: sqlite3.Connection | None = None) -> dict[LogKey, LogEntry]:
        """Every entry of the given events (all their due times), by key."""
        ids = json.dumps(sorted(set(event_ids)))
        with self._db.reading(conn) as c:
            rows = c.execute(f"{_SELECT} WHERE event_id IN (SELECT value FROM json_each(?))", (ids,)).fetchall()
        return {e.key: e for e in self._readable(rows, conn)}

    def record(self, entries: Iterable[LogEntry], now: datetime, conn: sqlite3.Connection | None = None) -> None:
        """Insert or replace entries; a ``fired_at`` left ``None`` keeps the one already recorded."""
        rows = [
            (
                e.event_id,
                encode_time(e.due_at),
                e.state.value,
                encode_optional_time(e.snoozed_until),
                encode_optional_time(e.fired_at),
                encode_time(now),
            )
            for e in entries
        ]
        if not rows:
            return
        with self._db.writing(conn) as c:
            c.executemany(
                """
                INSERT INTO reminder_log (event_id, due_at, state, snoozed_until, fired_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(event_id, due_at) DO UPDATE SET
                    state = excluded.state, snoozed_until = excluded.snoozed_until,
                    fired_at = COALESCE(excluded.fired_at, reminder_log.fired_at), updated_at = excluded.updated_at
                """,
                rows,
            )

    def prune(self, due_before: datetime, now: datetime, conn: sqlite3.Connection | None = None) -> int:
        """Forget entries due before ``due_before``, except those of cached events still running at ``now``
        (forgetting those would let their reminder fire again, late). Returns how many were removed."""
        with self._db.writing(conn) as c:
            cursor = c.execute(
                "DELETE FROM reminder_log WHERE due_at < ?"
                " AND event_id NOT IN (SELECT id FROM events WHERE end_time > ?)",
                (encode_time(due_before), encode_time(now)),
            )
            return cursor.rowcount

    def watermark(self, conn: sqlite3.Connection | None = None) -> datetime | None:
        """When the scheduler last finished checking, or ``None`` before its first check."""
        with self._db.reading(conn) as c:
            row = c.execute("SELECT value FROM sync_state WHERE key = ?", (_WATERMARK_KEY,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return decode_time(str(row[0]))
        except UNREADABLE as exc:
            # Only bounds the "missed while away" summary: without it the scheduler starts from now.
            log.warning("ignoring an unreadable reminder watermark (%s)", exc)
            return None

    def set_watermark(self, when: datetime, conn: sqlite3.Connection | None = None) -> None:
        with self._db.writing(conn) as c:
            c.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (_WATERMARK_KEY, encode_time(when))
            )
