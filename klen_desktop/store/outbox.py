"""The durable outbox: local writes waiting to reach the server, one row per user action.

Rows are never deleted while they hold something the user did: a row leaves ``pending``/``sending`` only for
``done`` (the server has it), ``attention`` (the server refused it: kept with its message until the user
resends or discards) or ``conflict`` (the event changed on the server since the edit was made). ``done`` rows
are kept for a while (:meth:`OutboxRepository.prune_done`) so a poll can tell the user's own changes from news.

State machine (the sync layer drives it; this module only stores it)::

    pending ──mark_sending──▶ sending ──mark_done──▶ done
       ▲                        │ ├─mark_retry──▶ pending (next_attempt_at in the future)
       │                        │ └─mark_failed─▶ attention | conflict ──resend──▶ pending
       └──────── a crash leaves sending: the next drain treats it as "may have reached the server"

Payload, base and meta are JSON objects. Times are stored with :mod:`klen_desktop.store.codec`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from klen_desktop.records import record
from klen_desktop.store.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.quarantine import readable


class OutboxOp(StrEnum):
    CREATE = "create"
    PATCH = "patch"
    REPLACE = "replace"
    CANCEL = "cancel"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    ATTENTION = "attention"
    CONFLICT = "conflict"
    DONE = "done"


# Parked until the user resends, corrects or discards: the server refused the write, or the event changed there.
NEEDS_USER = (OutboxState.ATTENTION, OutboxState.CONFLICT)
# Entries that still owe the server something (or the user a decision).
ACTIVE_STATES = (OutboxState.PENDING, OutboxState.SENDING, *NEEDS_USER)
_ACTIVE_SQL = ", ".join(f"'{state.value}'" for state in ACTIVE_STATES)
_COLUMNS = (
    "seq, op, event_id, payload, base, state, attempts, next_attempt_at, error_code, error_message, error_field, "
    "meta, created_at, updated_at"
)


@record
class OutboxEntry:
    """One queued user action. ``payload`` is the request body; ``base`` the event copy the edit was made on."""

    seq: int
    op: OutboxOp
    event_id: int | None
    payload: Mapping[str, Any]
    base: Mapping[str, Any] | None
    state: OutboxState
    attempts: int
    next_attempt_at: datetime | None
    error_code: str | None
    error_message: str | None
    error_field: str | None
    meta: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def local_id(self) -> int:
        """The negative id a queued create's event has in the cache until the server assigns one."""
        return -self.seq


def _dump(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _load(text: object) -> dict[str, Any] | None:
    if text is None:
        return None
    value = json.loads(str(text))
    if not isinstance(value, dict):
        raise ValueError("outbox JSON column does not hold an object")
    return value


def _seq(row: Sequence[Any]) -> tuple[object]:
    return (row[0],)


def _row_to_entry(row: Sequence[Any]) -> OutboxEntry:
    seq, op, event_id, payload, base, state, attempts, next_at, code, message, field, meta, created, updated = row
    return OutboxEntry(
        seq=int(seq),
        op=OutboxOp(op),
        event_id=None if event_id is None else int(event_id),
        payload=_load(payload) or {},
        base=_load(base),
        state=OutboxState(state),
        attempts=int(attempts),
        next_attempt_at=decode_optional_time(next_at),
        error_code=code,
        error_message=message,
        error_field=field,
        meta=_load(meta) or {},
        created_at=decode_time(created),
        updated_at=decode_time(updated),
    )


class OutboxRepository:
    """Reads and writes of the ``outbox`` table. Thread-safe and synchronous, like the other repositories.

    Write methods take an optional ``conn`` so they can join the caller's transaction (the enqueue that also
    marks the cached event, the reconcile that also rewrites it).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        op: OutboxOp,
        event_id: int | None,
        payload: Mapping[str, Any],
        base: Mapping[str, Any] | None,
        now: datetime,
        *,
        meta: Mapping[str, Any] | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> int:
        """Queue an action as ``pending``; returns its seq (the send order)."""
        stamp = encode_time(now)
        with self._db.writing(conn) as c:
            cursor = c.execute(
                """
                INSERT INTO outbox (op, event_id, payload, base, state, meta, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    op.value,
                    event_id,
                    _dump(payload),
                    _dump(base),
                    OutboxState.PENDING.value,
                    _dump(meta or {}),
                    stamp,
                    stamp,
                ),
            )
            seq = cursor.lastrowid
        if seq is None:
            raise RuntimeError("SQLite did not report the outbox row id")
        return int(seq)

    def get(self, seq: int, conn: sqlite3.Connection | None = None) -> OutboxEntry | None:
        with self._db.reading(conn) as c:
            row = c.execute(f"SELECT {_COLUMNS} FROM outbox WHERE seq = ?", (seq,)).fetchone()
        found = self._readable([] if row is None else [row], conn)
        return found[0] if found else None

    def _readable(self, rows: Iterable[Sequence[Any]], conn: sqlite3.Connection | None) -> list[OutboxEntry]:
        # An unreadable row (written by a newer version, or damaged) is set aside, not sent half-understood.
        return readable(self._db, "outbox", rows, _row_to_entry, _seq, conn)

    def all(self, conn: sqlite3.Connection | None = None) -> list[OutboxEntry]:
        """Every readable entry, done ones included, in send order (the start-up check reads them all)."""
        with self._db.reading(conn) as c:
            rows = c.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY seq").fetchall()
        return self._readable(rows, conn)

    def active(self, conn: sqlite3.Connection | None = None) -> list[OutboxEntry]:
        """Every entry not yet done, in send order."""
        with self._db.reading(conn) as c:
            rows = c.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({_ACTIVE_SQL}) ORDER BY seq").fetchall()
        return self._readable(rows, conn)

    def for_event(self, event_id: int, conn: sqlite3.Connection | None = None) -> list[OutboxEntry]:
        """Active entries about one event, in send order."""
        with self._db.reading(conn) as c:
            rows = c.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE event_id = ? AND state IN ({_ACTIVE_SQL}) ORDER BY seq",
                (event_id,),
            ).fetchall()
        return self._readable(rows, conn)

    def _update(self, seq: int, now: datetime, conn: sqlite3.Connection | None, **columns: object) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._db.writing(conn) as c:
            c.execute(
                f"UPDATE outbox SET {assignments}, updated_at = ? WHERE seq = ?",
                (*columns.values(), encode_time(now), seq),
            )

    def mark_sending(
        self, seq: int, now: datetime, *, meta: Mapping[str, Any], conn: sqlite3.Connection | None = None
    ) -> None:
        """Committed before the request leaves: after a crash, ``sending`` means "may have reached the server"."""
        with self._db.writing(conn) as c:
            c.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", (seq,))
            self._update(seq, now, c, state=OutboxState.SENDING.value, meta=_dump(meta))

    def mark_retry(
        self,
        seq: int,
        now: datetime,
        next_attempt_at: datetime,
        *,
        code: str | None,
        message: str,
        meta: Mapping[str, Any],
        conn: sqlite3.Connection | None = None,
    ) -> None:
        """Back to ``pending`` after a transient failure; the message tells the UI why it is still queued."""
        self._update(
            seq,
            now,
            conn,
            state=OutboxState.PENDING.value,
            next_attempt_at=encode_time(next_attempt_at),
            error_code=code,
            error_message=message,
            error_field=None,
            meta=_dump(meta),
        )

    def mark_failed(
        self,
        seq: int,
        now: datetime,
        state: OutboxState,
        *,
        code: str | None,
        message: str,
        field: str | None = None,
        meta: Mapping[str, Any] | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> None:
        """Park an entry as ``attention`` or ``conflict`` with the server's words; the payload is kept."""
        if state not in NEEDS_USER:
            raise ValueError(f"mark_failed parks entries as attention or conflict, not {state}")
        columns: dict[str, object] = {
            "state": state.value,
            "next_attempt_at": None,
            "error_code": code,
            "error_message": message,
            "error_field": field,
        }
        if meta is not None:
            columns["meta"] = _dump(meta)
        self._update(seq, now, conn, **columns)

    def mark_done(
        self, seq: int, now: datetime, *, event_id: int, meta: Mapping[str, Any], conn: sqlite3.Connection | None = None
    ) -> None:
        """The server has it; ``event_id`` is the server id it ended up on (a create's new id)."""
        self._update(
            seq,
            now,
            conn,
            state=OutboxState.DONE.value,
            event_id=event_id,
            next_attempt_at=None,
            error_code=None,
            error_message=None,
            error_field=None,
            meta=_dump(meta),
        )

    def requeue(
        self,
        seq: int,
        now: datetime,
        *,
        payload: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any],
        conn: sqlite3.Connection | None = None,
    ) -> None:
        """The user resends a parked entry (optionally fixed): back to ``pending``, due at once."""
        columns: dict[str, object] = {
            "state": OutboxState.PENDING.value,
            "next_attempt_at": None,
            "error_code": None,
            "error_message": None,
            "error_field": None,
            "meta": _dump(meta),
        }
        if payload is not None:
            columns["payload"] = _dump(payload)
        self._update(seq, now, conn, **columns)

    def assign_event_id(self, seq: int, event_id: int, conn: sqlite3.Connection | None = None) -> None:
        """Set the event an entry is about (a create learns its local id once its seq is known)."""
        with self._db.writing(conn) as c:
            c.execute("UPDATE outbox SET event_id = ? WHERE seq = ?", (event_id, seq))

    def clear_backoff(self, now: datetime, conn: sqlite3.Connection | None = None) -> int:
        """Make every pending entry due now (the network is back, the key was fixed); returns how many."""
        with self._db.writing(conn) as c:
            cursor = c.execute(
                "UPDATE outbox SET next_attempt_at = NULL, updated_at = ? "
                "WHERE state = ? AND next_attempt_at IS NOT NULL",
                (encode_time(now), OutboxState.PENDING.value),
            )
            return int(cursor.rowcount)

    def delete(self, seqs: Iterable[int], conn: sqlite3.Connection | None = None) -> None:
        """Forget entries (a discard). Only the sync layer calls this, after restoring the cached event."""
        rows = [(seq,) for seq in seqs]
        if rows:
            with self._db.writing(conn) as c:
                c.executemany("DELETE FROM outbox WHERE seq = ?", rows)

    def rewrite_event_id(self, old_id: int, new_id: int, conn: sqlite3.Connection | None = None) -> None:
        """A queued create got its server id: entries queued behind it now address the server event."""
        with self._db.writing(conn) as c:
            c.execute(
                f"UPDATE outbox SET event_id = ? WHERE event_id = ? AND state IN ({_ACTIVE_SQL})", (new_id, old_id)
            )

    def adopted_ids(self, conn: sqlite3.Connection | None = None) -> set[int]:
        """Server ids that done creates resolved to: never adopt one twice for two identical creates."""
        with self._db.reading(conn) as c:
            rows = c.execute(
                "SELECT event_id FROM outbox WHERE op = ? AND state = ? AND event_id IS NOT NULL",
                (OutboxOp.CREATE.value, OutboxState.DONE.value),
            ).fetchall()
        return {int(r[0]) for r in rows}

    def local_event_ids(self, done_since: datetime | None, conn: sqlite3.Connection | None = None) -> set[int]:
        """Events with an active entry, or a done one updated at or after ``done_since``: the user's own changes."""
        with self._db.reading(conn) as c:
            rows = c.execute(
                f"""
                SELECT DISTINCT event_id FROM outbox
                WHERE event_id IS NOT NULL AND (state IN ({_ACTIVE_SQL}) OR (state = ? AND updated_at >= ?))
                """,
                (OutboxState.DONE.value, encode_optional_time(done_since) or ""),
            ).fetchall()
        return {int(r[0]) for r in rows}

    def counts(self, conn: sqlite3.Connection | None = None) -> dict[OutboxState, int]:
        with self._db.reading(conn) as c:
            rows = c.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        known = {state.value for state in OutboxState}
        return {OutboxState(state): int(n) for state, n in rows if state in known}

    def prune_done(self, before: datetime, conn: sqlite3.Connection | None = None) -> int:
        """Delete done entries last touched before ``before``; returns how many."""
        with self._db.writing(conn) as c:
            cursor = c.execute(
                "DELETE FROM outbox WHERE state = ? AND updated_at < ?", (OutboxState.DONE.value, encode_time(before))
            )
            return int(cursor.rowcount)
