"""Stored times round-trip for every value the parser accepts; a row the app cannot read is set aside, never fatal."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_factories import BASE, summary

from klen_desktop.api.errors import MalformedResponse
from klen_desktop.api.models import PLAUSIBLE_END, PLAUSIBLE_START, EventSummary, format_utc, parse_model
from klen_desktop.store import quarantine
from klen_desktop.store.codec import TIME_WIDTH, decode_time, encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.errors import CacheProblem
from klen_desktop.store.events import EventRepository
from klen_desktop.store.outbox import OutboxOp, OutboxRepository
from klen_desktop.store.recovery import open_cache
from klen_desktop.store.reminder_log import ReminderLogRepository
from klen_desktop.store.state import SyncStateRepository

# What the released version wrote for an event starting in year 999: strftime("%Y") gave three digits.
POISONED_START = "999-01-01T10:00:00.000000Z"
POISONED_END = "999-01-01T11:00:00.000000Z"

zones = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(min_value=-14 * 60, max_value=14 * 60)
)
accepted = st.datetimes(
    min_value=PLAUSIBLE_START.replace(tzinfo=None) + timedelta(days=1),
    max_value=PLAUSIBLE_END.replace(tzinfo=None) - timedelta(days=1),
    timezones=zones,
)


def event_json(event_id: int, start: str, end: str) -> dict[str, object]:
    return {
        "id": event_id,
        "uuid": f"uuid-{event_id}",
        "title": f"Event {event_id}",
        "event_type": "meeting",
        "status": "confirmed",
        "start_time": start,
        "end_time": end,
    }


@given(accepted)
def test_every_accepted_time_round_trips_through_the_cache_and_the_wire(value: datetime) -> None:
    stored = encode_time(value)
    assert len(stored) == TIME_WIDTH
    assert decode_time(stored) == value
    parsed = parse_model(EventSummary, event_json(1, format_utc(value), format_utc(value)))
    assert parsed.start_time == value.replace(microsecond=value.microsecond // 1000 * 1000)
    again = EventSummary.model_validate_json(parsed.model_dump_json())
    assert again == parsed


@given(st.datetimes(timezones=st.just(UTC)))
def test_the_codec_round_trips_every_year_python_can_hold(value: datetime) -> None:
    assert decode_time(encode_time(value)) == value
    assert len(encode_time(value)) == TIME_WIDTH


@pytest.mark.parametrize("start", ["0999-01-01T10:00:00.000Z", "1969-12-31T23:59:59.000Z", "2201-01-01T00:00:00Z"])
def test_implausible_times_are_refused_at_the_boundary(start: str) -> None:
    with pytest.raises(MalformedResponse, match="start_time"):
        parse_model(EventSummary, event_json(1, start, "2026-01-01T10:00:00Z"))


def test_the_ends_of_the_plausible_range_are_accepted() -> None:
    first = parse_model(EventSummary, event_json(1, "1970-01-01T00:00:00Z", "2200-12-31T23:59:59.999Z"))
    assert first.start_time == PLAUSIBLE_START and first.end_time < PLAUSIBLE_END


def poison(path: Path) -> None:
    """Rows as the released version left them: an event, an outbox row and a reminder that cannot be read back."""
    db = Database(path)
    events = EventRepository(db)
    events.upsert_summaries([summary(1, BASE), summary(2, BASE + timedelta(hours=2))])
    OutboxRepository(db).add(OutboxOp.PATCH, 2, {"title": "x"}, None, BASE)
    ReminderLogRepository(db).set_watermark(BASE)
    db.close()
    conn = sqlite3.connect(path)
    bad = json.dumps(event_json(3, "999-01-01T10:00:00.000Z", "999-01-01T11:00:00.000Z"))
    conn.execute(
        "INSERT INTO events (id, uuid, start_time, end_time, status, event_type, title, summary_json, updated_at)"
        " VALUES (3, 'uuid-3', ?, ?, 'confirmed', 'meeting', 'Event 3', ?, ?)",
        (POISONED_START, POISONED_END, bad, encode_time(BASE)),
    )
    conn.execute(
        "INSERT INTO outbox (op, event_id, payload, state, meta, created_at, updated_at)"
        " VALUES ('teleport', 1, '{}', 'pending', '{}', ?, ?)",
        (encode_time(BASE), encode_time(BASE)),
    )
    conn.execute(
        "INSERT INTO reminder_log (event_id, due_at, state, updated_at) VALUES (3, ?, 'fired', ?)",
        ("999-01-01T09:45:00.000000Z", encode_time(BASE)),
    )
    conn.execute("UPDATE sync_state SET value = '999-01-01T00:00:00.000000Z' WHERE key = 'reminders.checked_until'")
    conn.execute("INSERT INTO sync_state (key, value) VALUES ('sync.last_success', 'not a time')")
    conn.commit()
    conn.close()


def test_a_cache_poisoned_by_the_released_version_opens_with_the_bad_rows_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    poison(path)

    opened = open_cache(path)

    db = opened.db
    try:
        # The unsent change that could not be read is told, not dropped in silence; the rest opens as usual.
        assert opened.notice is not None and opened.notice.problem is CacheProblem.UNREADABLE_CHANGES
        assert opened.notice.message.startswith("1 change made in Klen Desktop but not yet sent could not be read")
        assert not opened.notice.in_memory
        assert quarantine.count(db) == 3
        events = EventRepository(db)
        assert [e.id for e in events.upcoming(BASE - timedelta(days=1), 10)] == [1, 2]
        assert [e.id for e in events.between(BASE - timedelta(days=1), BASE + timedelta(days=1))] == [1, 2]
        assert [e.op for e in OutboxRepository(db).active()] == [OutboxOp.PATCH]
        log = ReminderLogRepository(db)
        assert log.entries_for([3]) == {} and log.watermark() is None
        assert SyncStateRepository(db).get().last_success is None
        with db.read() as c:
            kept = c.execute("SELECT source, row_json, reason FROM quarantine ORDER BY id").fetchall()
        assert {row[0] for row in kept} == {"events", "outbox", "reminder_log"}
        assert any(POISONED_START in row[1] for row in kept)
    finally:
        db.close()


def test_a_row_spoiled_after_opening_is_set_aside_by_the_read_that_meets_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "cache.sqlite3")
    try:
        events = EventRepository(db)
        events.upsert_summaries([summary(1, BASE), summary(2, BASE)])
        with db.transaction() as c:
            c.execute('UPDATE events SET summary_json = \'{"id": 2, "title": 5}\' WHERE id = 2')

        assert [e.id for e in events.between(BASE - timedelta(hours=1), BASE + timedelta(hours=1))] == [1]
        assert events.get(2) is None and events.count() == 1
        assert quarantine.count(db) == 1
        assert set(events.window(BASE.date(), BASE.date())) == {1}
    finally:
        db.close()


def test_a_row_that_cannot_be_moved_is_still_skipped(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    poison(path)
    db = Database(path)
    try:
        with db.read() as c:
            c.execute("PRAGMA query_only = ON")  # every write now fails, as on a read-only disk
        events = EventRepository(db)
        assert [e.id for e in events.upcoming(BASE - timedelta(days=1), 10)] == [1, 2]
        assert [e.op for e in OutboxRepository(db).active()] == [OutboxOp.PATCH]
    finally:
        db.close()
