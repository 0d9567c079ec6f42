"""SQLite storage of the emulator's events (stdlib ``sqlite3``).

One connection, shared by the server thread and the admin (test) thread, serialised by a lock: the emulator
is small and every query is short, so one writer is both simplest and fast enough. Times are stored as
integer milliseconds since the epoch (UTC), the precision the API answers with. Ids come from an
AUTOINCREMENT column, so an id is never reused, even after a reset.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from klen_desktop.emulator import decisions
from klen_desktop.emulator.model import EventFields, EventRow

SCHEMA_VERSION: Final = 1
_FIELD_NAMES: Final = tuple(f.name for f in dataclass_fields(EventFields))
_TIME_FIELDS: Final = frozenset({"start_time", "end_time"})
_MAX_ROWID: Final = 2**63 - 1  # the largest id SQLite can store
_BOOL_NAMES: Final = frozenset(f.name for f in dataclass_fields(EventFields) if f.type in ("bool", bool))


def _column(name: str, annotation: object) -> str:
    """SQL column for an EventFields field: text for strings, integers for the rest (times in ms)."""
    text = str(annotation)
    sql_type = "TEXT" if text.startswith("str") else "INTEGER"
    nullable = "| None" in text
    return f"{name} {sql_type}" + ("" if nullable else " NOT NULL")


_COLUMNS: Final = ",\n    ".join(_column(f.name, f.type) for f in dataclass_fields(EventFields))
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    {_COLUMNS},
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_start ON events (start_time, id);
"""


def to_ms(value: datetime) -> int:
    """Milliseconds since the epoch, exact (no float rounding)."""
    delta = value.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC).replace(microsecond=(value % 1000) * 1000)


def _row(record: sqlite3.Row) -> EventRow:
    values: dict[str, Any] = {}
    for name in _FIELD_NAMES:
        raw = record[name]
        if name in _TIME_FIELDS:
            values[name] = from_ms(raw)
        elif name in _BOOL_NAMES:
            values[name] = bool(raw)
        else:
            values[name] = raw
    return EventRow(
        id=record["id"],
        uuid=record["uuid"],
        fields=EventFields(**values),
        created_at=from_ms(record["created_at"]),
        updated_at=from_ms(record["updated_at"]),
        sequence=record["sequence"],
    )


def _columns(fields: EventFields) -> dict[str, Any]:
    values = asdict(fields)
    for name in _TIME_FIELDS:
        values[name] = to_ms(values[name])
    for name in _BOOL_NAMES:
        values[name] = int(values[name])
    return values


class EventStore:
    """The events of the one emulated account. All methods are thread-safe and return frozen rows."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            _create_private_file(Path(self.path))
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                self._conn.close()
                raise RuntimeError(
                    f"The emulator database {self.path} has schema version {version}, this emulator knows "
                    f"{SCHEMA_VERSION}; delete the file or pass another --db."
                )
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def is_empty(self) -> bool:
        with self._lock:
            return bool(self._conn.execute("SELECT NOT EXISTS (SELECT 1 FROM events)").fetchone()[0])

    def insert_many(self, items: Iterable[tuple[EventFields, str, datetime, datetime]]) -> list[EventRow]:
        """Insert ``(fields, uuid, created_at, updated_at)`` tuples in one transaction."""
        rows: list[EventRow] = []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for fields, uuid, created_at, updated_at in items:
                    values = _columns(fields)
                    values.update(uuid=uuid.lower(), created_at=to_ms(created_at), updated_at=to_ms(updated_at))
                    names = ", ".join(values)
                    marks = ", ".join(f":{name}" for name in values)
                    cursor = self._conn.execute(f"INSERT INTO events ({names}) VALUES ({marks})", values)
                    record = self._conn.execute("SELECT * FROM events WHERE id = ?", (cursor.lastrowid,)).fetchone()
                    rows.append(_row(record))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return rows

    def insert(self, fields: EventFields, *, uuid: str, now: datetime) -> EventRow:
        return self.insert_many([(fields, uuid, now, now)])[0]

    def get(self, ref: str) -> EventRow | None:
        """By integer id when ``ref`` is all digits, else by uuid (decision 6.17)."""
        if ref.isascii() and ref.isdigit():  # not str.isdigit alone: "²" is a digit that int() refuses
            return self.get_id(int(ref))
        with self._lock:
            record = self._conn.execute("SELECT * FROM events WHERE uuid = ?", (ref.lower(),)).fetchone()
        return _row(record) if record is not None else None

    def get_id(self, event_id: int) -> EventRow | None:
        if not 0 <= event_id <= _MAX_ROWID:  # SQLite cannot even bind a larger integer (found by fuzzing)
            return None
        with self._lock:
            record = self._conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return _row(record) if record is not None else None

    def save(self, event_id: int, fields: EventFields, *, now: datetime) -> EventRow:
        """Replace an event's fields, bump ``updated_at`` and ``sequence``; returns the stored row."""
        values = _columns(fields)
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        values.update(id=event_id, updated_at=to_ms(now))
        with self._lock:
            self._conn.execute(
                f"UPDATE events SET {assignments}, updated_at = :updated_at, sequence = sequence + 1 WHERE id = :id",
                values,
            )
            record = self._conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if record is None:
            raise KeyError(event_id)
        return _row(record)

    def window(
        self, start: datetime, end: datetime, *, status: str | None, offset: int, limit: int
    ) -> tuple[int, list[EventRow]]:
        """Events whose start lies in ``[start, end)``, sorted by start then id (6.3, 6.5): (total, page)."""
        where = "start_time >= ? AND start_time < ?"
        params: list[Any] = [to_ms(start), to_ms(end)]
        if status is not None:
            where += " AND status = ?"
            params.append(status)
        with self._lock:
            count = self._conn.execute(f"SELECT COUNT(*) FROM events WHERE {where}", params).fetchone()[0]
            records = self._conn.execute(
                f"SELECT * FROM events WHERE {where} ORDER BY start_time, id LIMIT ? OFFSET ?", [*params, limit, offset]
            ).fetchall()
        return int(count), [_row(r) for r in records]

    def blocking(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """``(start, end)`` of events overlapping ``[start, end)`` that block time (not cancelled/no-show)."""
        excluded = sorted(decisions.NON_BLOCKING_STATUSES)
        marks = ", ".join("?" for _ in excluded)
        with self._lock:
            records = self._conn.execute(
                f"SELECT start_time, end_time FROM events WHERE start_time < ? AND end_time > ? "
                f"AND status NOT IN ({marks}) ORDER BY start_time",
                [to_ms(end), to_ms(start), *excluded],
            ).fetchall()
        return [(from_ms(r[0]), from_ms(r[1])) for r in records]

    def all_rows(self) -> list[EventRow]:
        with self._lock:
            records = self._conn.execute("SELECT * FROM events ORDER BY start_time, id").fetchall()
        return [_row(r) for r in records]

    def wipe(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM events")


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only: it holds customer contact data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
