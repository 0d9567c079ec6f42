"""Cached events: the newest list view of each event, its last fetched details and its local state.

Each row keeps the summary (``summary_json``) and, when one was fetched, the details (``detail_json``).
A later list poll replaces the summary but keeps the details: reminder settings and descriptions only come
from details, and dropping them on every poll would cost a details request per event. Readers therefore
take start, end, status and title from :attr:`StoredEvent.summary`, which is always the newest, and only
what the list lacks from :attr:`StoredEvent.detail` (see :attr:`StoredEvent.detail_is_current`).

Local events not yet on the server (queued creates) have negative ids (minus their outbox seq) and uuid
``local:<uuid4>``; :meth:`EventRepository.replace_id` turns one into the server's event.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary
from klen_desktop.event_rules import OPEN_STATUSES
from klen_desktop.records import record
from klen_desktop.store.codec import day_start, decode_optional_time, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.quarantine import UNREADABLE, readable

_SUMMARY_FIELDS = frozenset(EventSummary.model_fields)
_COLUMNS = "id, summary_json, detail_json, detail_fetched_at, local_state"
_REMINDABLE = tuple(sorted(status.value for status in OPEN_STATUSES))
_REMINDABLE_MARKS = ", ".join("?" * len(_REMINDABLE))
# Under SQLite's smallest limit on bound values (999 before 3.32).
_IDS_PER_QUERY = 500


_EARLIEST = datetime.min.replace(tzinfo=UTC)


class LocalState(StrEnum):
    PENDING = "pending"
    ATTENTION = "attention"
    CONFLICT = "conflict"


# An event whose queued write waits for the user: the outbox's NEEDS_USER, as the event shows it.
LOCAL_NEEDS_USER = (LocalState.ATTENTION, LocalState.CONFLICT)


@record(slots=True)
class Held:
    """Which cached events a reader keeps in memory: those overlapping any of ``spans`` (``[start, end)`` each),
    the first ``upcoming`` open events not ended at ``upcoming_after``, and every event with a local change (queued
    creates, unsent or refused edits), which the problems banner and the outbox name."""

    spans: tuple[tuple[datetime, datetime], ...] = ()
    upcoming_after: datetime = _EARLIEST
    upcoming: int = 0


@record(slots=True)
class StoredEvent:
    """One cached event. ``summary`` is the newest view; ``detail`` may be older (or absent)."""

    summary: EventSummary
    detail: EventDetail | None
    detail_fetched_at: datetime | None
    local_state: LocalState | None
    # The hash of its row's ``updated_at`` when it was read (0: not read from a row): how the repository tells that
    # the row was written since (see :meth:`EventRepository.everything`). Not part of the event's value.
    written: int = field(default=0, compare=False, repr=False)

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def start_time(self) -> datetime:
        return self.summary.start_time

    @property
    def end_time(self) -> datetime:
        return self.summary.end_time

    @property
    def status(self) -> EventStatus:
        return self.summary.status

    @property
    def title(self) -> str:
        return self.summary.title

    @property
    def is_local(self) -> bool:
        """True for a queued create the server has not assigned an id to yet."""
        return self.summary.id < 0

    @property
    def detail_is_current(self) -> bool:
        """True when details exist and agree with the newest summary on time, status and title."""
        d = self.detail
        s = self.summary
        return d is not None and (d.start_time, d.end_time, d.status, d.title) == (
            s.start_time,
            s.end_time,
            s.status,
            s.title,
        )


def summary_of(detail: EventDetail) -> EventSummary:
    """The list view contained in a details response, exactly as a listing would show the event.

    The customer's notes come with the details only: a summary that kept them would differ from the next listing
    of an unchanged event, so every poll would report "customer changed" and read the details again.
    """
    summary = EventSummary.model_validate(detail.model_dump(include=set(_SUMMARY_FIELDS)))
    customer = summary.customer
    if customer is not None and customer.notes is not None:
        summary = summary.model_copy(update={"customer": customer.model_copy(update={"notes": None})})
    return summary


def _row_to_event(row: Sequence[object], written: int = 0) -> StoredEvent:
    _, summary_json, detail_json, fetched_at, local_state = row
    return StoredEvent(
        summary=EventSummary.model_validate_json(str(summary_json)),
        detail=None if detail_json is None else EventDetail.model_validate_json(str(detail_json)),
        detail_fetched_at=decode_optional_time(None if fetched_at is None else str(fetched_at)),
        local_state=None if local_state is None else LocalState(str(local_state)),
        written=written,
    )


def _event_key(row: Sequence[object]) -> tuple[object]:
    return (row[0],)


_last_write = datetime.min.replace(tzinfo=UTC)
_last_write_lock = threading.Lock()


def _now_text() -> str:
    """Now, as a write's ``updated_at``: later than every earlier write's of this process, by a microsecond if the
    clock says otherwise. Readers tell that a row was rewritten by this text changing (:meth:`everything`), and a
    clock may tick coarsely (Windows' default: about 16 ms, two writes of one row inside it) or step back."""
    global _last_write
    with _last_write_lock:
        now = max(datetime.now(UTC), _last_write + timedelta(microseconds=1))
        _last_write = now
    return encode_time(now)


class EventRepository:
    """Reads and writes of the ``events`` table. Thread-safe; every method is synchronous.

    Write methods take an optional ``conn``: pass the one from :meth:`Database.transaction` to make the
    write part of a larger transaction, or leave it out to run in a transaction of its own.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        # The events the last :meth:`everything` or :meth:`held` read, by id (the event's own int: no key of its own),
        # each carrying the hash of its row's ``updated_at`` then (every write sets it).
        self._everything: dict[int, StoredEvent] = {}

    def upsert_summaries(self, events: Iterable[EventSummary], conn: sqlite3.Connection | None = None) -> None:
        """Insert or update list views; existing details and local state are kept."""
        now = _now_text()
        rows = [self._summary_row(event, now) for event in events]
        if not rows:
            return
        with self._db.writing(conn) as c:
            # The uuid names the event for good; a row holding it under another id is an older copy.
            c.executemany("DELETE FROM events WHERE uuid = ? AND id != ?", [(r[1], r[0]) for r in rows])
            c.executemany(
                """
                INSERT INTO events (id, uuid, start_time, end_time, status, event_type, title, summary_json,
                                    updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    uuid = excluded.uuid, start_time = excluded.start_time, end_time = excluded.end_time,
                    status = excluded.status, event_type = excluded.event_type, title = excluded.title,
                    summary_json = excluded.summary_json, updated_at = excluded.updated_at
                """,
                rows,
            )

    def upsert_detail(self, detail: EventDetail, fetched_at: datetime, conn: sqlite3.Connection | None = None) -> None:
        """Store fetched details; the summary is updated from them too (they are at least as new)."""
        now = _now_text()
        summary_row = self._summary_row(summary_of(detail), now)
        with self._db.writing(conn) as c:
            c.execute("DELETE FROM events WHERE uuid = ? AND id != ?", (detail.uuid, detail.id))
            c.execute(
                """
                INSERT INTO events (id, uuid, start_time, end_time, status, event_type, title, summary_json,
                                    updated_at, detail_json, detail_fetched_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    uuid = excluded.uuid, start_time = excluded.start_time, end_time = excluded.end_time,
                    status = excluded.status, event_type = excluded.event_type, title = excluded.title,
                    summary_json = excluded.summary_json, updated_at = excluded.updated_at,
                    detail_json = excluded.detail_json, detail_fetched_at = excluded.detail_fetched_at
                """,
                (*summary_row, detail.model_dump_json(), encode_time(fetched_at)),
            )

    @staticmethod
    def _summary_row(event: EventSummary, now: str) -> tuple[object, ...]:
        return (
            event.id,
            event.uuid,
            encode_time(event.start_time),
            encode_time(event.end_time),
            event.status.value,
            event.event_type.value,
            event.title,
            event.model_dump_json(),
            now,
        )

    def get(self, event_id: int, conn: sqlite3.Connection | None = None) -> StoredEvent | None:
        with self._db.reading(conn) as c:
            row = c.execute(f"SELECT {_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
        found = self._readable([] if row is None else [row], conn)
        return found[0] if found else None

    def _readable(self, rows: Iterable[Sequence[object]], conn: sqlite3.Connection | None = None) -> list[StoredEvent]:
        return readable(self._db, "events", rows, _row_to_event, _event_key, conn)

    def between(self, start: datetime, end: datetime) -> list[StoredEvent]:
        """Events overlapping ``[start, end)``, by start time then id.

        An event of zero length counts as overlapping when it starts inside the range.
        """
        lo, hi = encode_time(start), encode_time(end)
        with self._db.read() as c:
            rows = c.execute(
                f"""
                SELECT {_COLUMNS} FROM events
                WHERE start_time < ? AND (end_time > ? OR start_time >= ?)
                ORDER BY start_time, id
                """,
                (hi, lo, lo),
            ).fetchall()
        return self._readable(rows)

    def everything(self) -> list[StoredEvent]:
        """Every cached event, by start time then id: what the snapshot re-reads after each change.

        Only rows written since the last call are read and decoded again (each write moves the row's
        ``updated_at``): after a poll that changed three of 10,000 events this reads three rows, not 10,000 rows
        of JSON, and the events that did not change stay the same objects.
        """
        found = self._through_memo("SELECT id, updated_at FROM events ORDER BY start_time, id", ())
        self._everything = found
        return list(found.values())

    def held(self, spans: Held) -> list[StoredEvent]:
        """The events ``spans`` names (see :class:`Held`), by start time then id: what the snapshot re-reads after
        each change. Read through the same memo as :meth:`everything` (rows not written since are not decoded
        again), which then holds these events only: an event that leaves the spans is let go."""
        where = ["id < 0", "local_state IS NOT NULL"]
        params: list[object] = []
        for start, end in spans.spans:
            lo, hi = encode_time(start), encode_time(end)
            where.append("(start_time < ? AND (end_time > ? OR start_time >= ?))")
            params += [hi, lo, lo]
        if spans.upcoming > 0:
            where.append(
                f"""id IN (SELECT id FROM events WHERE end_time > ? AND status IN ({_REMINDABLE_MARKS})
                ORDER BY start_time, id LIMIT ?)"""
            )
            params += [encode_time(spans.upcoming_after), *_REMINDABLE, spans.upcoming]
        sql = f"SELECT id, updated_at FROM events WHERE {' OR '.join(where)} ORDER BY start_time, id"
        found = self._through_memo(sql, params)
        self._everything = found
        return list(found.values())

    def starts_matching(self, keep: Callable[[EventSummary], bool]) -> list[datetime]:
        """The start time of every cached event whose summary ``keep`` accepts (a search over all weeks, of which
        the snapshot holds only some). Rows are decoded one at a time and let go; unreadable ones are skipped."""
        starts: list[datetime] = []
        with self._db.read() as c:
            for (text,) in c.execute("SELECT summary_json FROM events ORDER BY start_time, id"):
                try:
                    summary = EventSummary.model_validate_json(str(text))
                except UNREADABLE:
                    continue  # set aside by the next read that meets it
                if keep(summary):
                    starts.append(summary.start_time)
        return starts

    def _through_memo(self, keys_sql: str, params: Sequence[object]) -> dict[int, StoredEvent]:
        """The events whose ``(id, updated_at)`` ``keys_sql`` lists, in its order: the copy :meth:`everything` last
        made where the row was not written since, else the row read and decoded.

        The hash of the ``updated_at`` text stands for it (a small int instead of a 27-character string kept per
        event); two writes of one row colliding in 64 bits is not a case to plan for.
        """
        known = self._everything
        with self._db.read() as c:
            keys = [(int(r[0]), hash(str(r[1]))) for r in c.execute(keys_sql, params)]
            stale = {
                event_id: written
                for event_id, written in keys
                if (held := known.get(event_id)) is None or held.written != written
            }
            # Decoded a chunk at a time: the rows' JSON text of a whole first read (some 4 MB at 10,000 events) would
            # otherwise sit beside the events made of it, and the heap keeps its peak.
            fresh: dict[int, StoredEvent] = {}
            unreadable: list[Sequence[object]] = []
            ids = list(stale)
            for first in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[first : first + _IDS_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                for row in c.execute(f"SELECT {_COLUMNS} FROM events WHERE id IN ({marks})", chunk).fetchall():
                    row_id = row[0]
                    try:
                        read = _row_to_event(row, stale.get(row_id, 0) if isinstance(row_id, int) else 0)
                    except UNREADABLE:
                        unreadable.append(row)
                    else:
                        fresh[read.id] = read
        self._readable(unreadable)  # sets each aside (a write, so outside the read), leaves it out
        found: dict[int, StoredEvent] = {}
        for event_id, written in keys:
            event = fresh.get(event_id)
            if event is None:
                event = known.get(event_id)
                if event is None or event.written != written:
                    continue  # unreadable, or gone between the two reads
            # Keyed by the event's own int, which it keeps anyway (a row whose text names another id keeps its own).
            found[event.summary.id if event.summary.id == event_id else event_id] = event
        return found

    def upcoming(
        self, now: datetime, limit: int, *, statuses: Collection[EventStatus] | None = None
    ) -> list[StoredEvent]:
        """Up to ``limit`` events that have not ended at ``now`` (running ones included), by start then id.

        ``statuses`` keeps only events with one of those statuses (default: all).
        """
        sql = f"SELECT {_COLUMNS} FROM events WHERE end_time > ?"
        params: list[object] = [encode_time(now)]
        if statuses is not None:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            params.extend(s.value for s in statuses)
        sql += " ORDER BY start_time, id LIMIT ?"
        params.append(limit)
        with self._db.read() as c:
            rows = c.execute(sql, params).fetchall()
        return self._readable(rows)

    def reminder_candidates(self, ended_after: datetime, starting_by: datetime | None = None) -> list[StoredEvent]:
        """Scheduled or confirmed events ending after ``ended_after``: all that can still owe a reminder; with
        ``starting_by``, of the events without details only those starting by then (the rest are due far ahead)."""
        near = "" if starting_by is None else "AND (start_time <= ? OR detail_json IS NOT NULL)"
        limit = () if starting_by is None else (encode_time(starting_by),)
        # Each pass re-reads the same rows: the snapshot's copies serve those not written since (no JSON decoded
        # again, and the plan holds the same objects as the agenda rather than copies).
        found = self._through_memo(
            f"""
            SELECT id, updated_at FROM events
            WHERE end_time > ? AND status IN ({_REMINDABLE_MARKS}) {near}
            ORDER BY start_time, id
            """,
            (encode_time(ended_after), *_REMINDABLE, *limit),
        )
        return list(found.values())

    def window(
        self, start_date: date, end_date: date, conn: sqlite3.Connection | None = None
    ) -> dict[int, EventSummary]:
        """Server-known events (id > 0) whose start time's UTC date is in ``[start_date, end_date]``.

        This is the stored side of a window poll (the API filters on start date, both ends inclusive).
        """
        lo, hi = day_start(start_date), day_start(end_date + timedelta(days=1))
        with self._db.reading(conn) as c:
            rows = c.execute(
                "SELECT id, summary_json FROM events WHERE id > 0 AND start_time >= ? AND start_time < ?",
                (lo, hi),
            ).fetchall()
        summaries = readable(
            self._db, "events", rows, lambda r: EventSummary.model_validate_json(str(r[1])), _event_key, conn
        )
        return {s.id: s for s in summaries}

    def window_ids(self, start_date: date, end_date: date) -> set[int]:
        """The ids :meth:`window` would return, without reading the events (a poll compares them with each walk)."""
        lo, hi = day_start(start_date), day_start(end_date + timedelta(days=1))
        with self._db.read() as c:
            rows = c.execute("SELECT id FROM events WHERE id > 0 AND start_time >= ? AND start_time < ?", (lo, hi))
            return {int(r[0]) for r in rows.fetchall()}

    def remove(self, event_ids: Iterable[int], conn: sqlite3.Connection | None = None) -> None:
        ids = [(i,) for i in event_ids]
        if not ids:
            return
        with self._db.writing(conn) as c:
            c.executemany("DELETE FROM events WHERE id = ?", ids)

    def prune_ended_before(
        self, cutoff: datetime, keep: Collection[int] = (), conn: sqlite3.Connection | None = None
    ) -> int:
        """Drop server-known events that ended before ``cutoff`` (they fell out of the sync window as time
        passed), except the ids in ``keep`` (events with unsent writes). Returns how many were dropped.

        Without this the cache of an app left running for months would only ever grow.
        """
        kept = set(keep)
        with self._db.writing(conn) as c:
            ids = [
                int(row[0])
                for row in c.execute(
                    "SELECT id FROM events WHERE id > 0 AND end_time < ?", (encode_time(cutoff),)
                ).fetchall()
                if int(row[0]) not in kept
            ]
            c.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])
        return len(ids)

    def set_local_state(self, event_id: int, state: LocalState | None, conn: sqlite3.Connection | None = None) -> None:
        """Mark an event as having an unsent (pending) or failed (attention, conflict) local edit, or clear it."""
        with self._db.writing(conn) as c:
            c.execute(
                "UPDATE events SET local_state = ?, updated_at = ? WHERE id = ?",
                (None if state is None else state.value, _now_text(), event_id),
            )

    def replace_id(self, old_id: int, summary: EventSummary, conn: sqlite3.Connection | None = None) -> None:
        """A queued create reached the server: the local row ``old_id`` becomes ``summary``.

        The local details (made up before the server knew the event) are dropped and the local state
        cleared; a copy of the server event a poll may already have stored is merged away. The reminder
        log follows the event, so a reminder already fired for the local copy does not fire again.
        """
        now = _now_text()
        with self._db.writing(conn) as c:
            c.execute("DELETE FROM events WHERE (id = ? OR uuid = ?) AND id != ?", (summary.id, summary.uuid, old_id))
            c.execute(
                """
                UPDATE events SET id = ?, uuid = ?, start_time = ?, end_time = ?, status = ?, event_type = ?,
                    title = ?, summary_json = ?, updated_at = ?, detail_json = NULL, detail_fetched_at = NULL,
                    local_state = NULL
                WHERE id = ?
                """,
                (*self._summary_row(summary, now), old_id),
            )
            if c.execute("SELECT changes()").fetchone()[0] == 0:
                self.upsert_summaries([summary], conn=c)
            c.execute("UPDATE OR REPLACE reminder_log SET event_id = ? WHERE event_id = ?", (summary.id, old_id))

    def count(self) -> int:
        with self._db.read() as c:
            return int(c.execute("SELECT COUNT(*) FROM events").fetchone()[0])
