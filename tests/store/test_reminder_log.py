"""The persisted reminder log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_factories import BASE, summary

from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.reminder_log import LogEntry, ReminderLogRepository, ReminderState


def test_record_get_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = Database(path)
    log = ReminderLogRepository(db)
    due = BASE - timedelta(minutes=15)
    log.record([LogEntry(1, due, ReminderState.FIRED, fired_at=due)], due)
    log.record([LogEntry(1, due, ReminderState.SNOOZED, snoozed_until=BASE)], due)
    db.close()

    db = Database(path)
    log = ReminderLogRepository(db)
    try:
        entry = log.get(1, due)
        assert entry == LogEntry(1, due, ReminderState.SNOOZED, snoozed_until=BASE, fired_at=due)
        assert log.get(1, BASE) is None
        log.record([LogEntry(2, BASE, ReminderState.DISMISSED)], BASE)
        assert set(log.entries_for([1, 2, 3])) == {(1, due), (2, BASE)}
        assert log.entries_for([]) == {}
        assert log.prune(BASE, BASE) == 1
        assert set(log.entries_for([1, 2])) == {(2, BASE)}
    finally:
        db.close()


def test_watermark_round_trip(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    log = ReminderLogRepository(db)
    try:
        assert log.watermark() is None
        log.set_watermark(BASE)
        log.set_watermark(BASE + timedelta(seconds=5))
        assert log.watermark() == BASE + timedelta(seconds=5)
    finally:
        db.close()


def test_prune_keeps_entries_of_events_still_running(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    log = ReminderLogRepository(db)
    events = EventRepository(db)
    try:
        long_ago = BASE - timedelta(days=40)
        events.upsert_summaries([summary(1, long_ago, minutes=60 * 24 * 60), summary(2, long_ago)])
        log.record([LogEntry(n, long_ago, ReminderState.FIRED, fired_at=long_ago) for n in (1, 2, 3)], long_ago)
        assert log.prune(BASE - timedelta(days=30), BASE) == 2
        assert set(log.entries_for([1, 2, 3])) == {(1, long_ago)}
    finally:
        db.close()
