"""The sync layer's bookkeeping: when it last succeeded or failed, the next poll, the window it covers.

Stored one field per row of the ``sync_state`` key/value table, so adding a field later needs no migration
and a value written by a newer version is simply ignored. Other components may keep their own keys in the
same table under their own prefix (the reminder scheduler uses ``reminders.``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from klen_desktop.records import record
from klen_desktop.store.codec import decode_date, decode_time, encode_date, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.quarantine import UNREADABLE

log = logging.getLogger(__name__)
T = TypeVar("T")

_PREFIX = "sync."


@record
class SyncState:
    """What the sync layer knows about its own progress. ``SyncState()`` is the state before any sync.

    ``last_success_started`` is when the last successful poll began fetching. A local write reconciled after
    that moment was left alone by that poll (the outbox owned the event), so the next poll must still count
    the event's change as the user's own; ``last_success`` (when that poll ended) is too late a cut-off.
    """

    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    next_poll: datetime | None = None
    window_start: date | None = None
    window_end: date | None = None
    baseline_done: bool = False
    last_success_started: datetime | None = None


def _encode(state: SyncState) -> dict[str, str | None]:
    def t(value: datetime | None) -> str | None:
        return None if value is None else encode_time(value)

    def d(value: date | None) -> str | None:
        return None if value is None else encode_date(value)

    return {
        "last_success": t(state.last_success),
        "last_attempt": t(state.last_attempt),
        "last_error_code": state.last_error_code,
        "last_error_message": state.last_error_message,
        "next_poll": t(state.next_poll),
        "window_start": d(state.window_start),
        "window_end": d(state.window_end),
        "baseline_done": "1" if state.baseline_done else "0",
        "last_success_started": t(state.last_success_started),
    }


def _decode(values: dict[str, str | None]) -> SyncState:
    # Every field is bookkeeping the sync can rebuild: an unreadable one reads as unknown, never as an error.
    def t(key: str) -> datetime | None:
        return _tolerant(key, values.get(key), decode_time)

    def d(key: str) -> date | None:
        return _tolerant(key, values.get(key), decode_date)

    return SyncState(
        last_success=t("last_success"),
        last_attempt=t("last_attempt"),
        last_error_code=values.get("last_error_code"),
        last_error_message=values.get("last_error_message"),
        next_poll=t("next_poll"),
        window_start=d("window_start"),
        window_end=d("window_end"),
        baseline_done=values.get("baseline_done") == "1",
        last_success_started=t("last_success_started"),
    )


def _tolerant(key: str, value: str | None, decode: Callable[[str], T]) -> T | None:
    if value is None:
        return None
    try:
        return decode(value)
    except UNREADABLE as exc:
        log.warning("ignoring the unreadable sync state %s (%s)", key, exc)
        return None


class SyncStateRepository:
    """Reads and writes :class:`SyncState`. Thread-safe and synchronous."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, conn: sqlite3.Connection | None = None) -> SyncState:
        with self._db.reading(conn) as c:
            rows = c.execute(
                "SELECT key, value FROM sync_state WHERE key LIKE ? ESCAPE '\\'", (_PREFIX.replace("_", "\\_") + "%",)
            ).fetchall()
        return _decode({str(k)[len(_PREFIX) :]: (None if v is None else str(v)) for k, v in rows})

    def put(self, state: SyncState, conn: sqlite3.Connection | None = None) -> None:
        """Replace the stored state with ``state`` (every field, ``None`` ones included)."""
        rows = [(_PREFIX + key, value) for key, value in _encode(state).items()]
        with self._db.writing(conn) as c:
            c.executemany("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", rows)
