"""EventRepository.everything: the snapshot's read of every cached event, re-reading only rows written since the
last read. It must always equal a full read, whatever the writes in between; and it must read only what changed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_factories import BASE, detail, summary

from klen_desktop.api.models import EventStatus
from klen_desktop.store import events as events_module
from klen_desktop.store import quarantine
from klen_desktop.store.codec import encode_time
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, LocalState, StoredEvent

EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "cache.sqlite3")
    yield database
    database.close()


def seen(events: list[StoredEvent]) -> list[tuple[object, ...]]:
    return [(e.id, e.summary, e.detail, e.detail_fetched_at, e.local_state) for e in events]


def rows_read_by(db: Database, read: object) -> list[int]:
    """The ids ``read()`` fetched whole rows of (the SQL SQLite ran, as its trace shows it)."""
    statements: list[str] = []
    with db.read() as c:
        c.set_trace_callback(statements.append)
    try:
        assert callable(read)
        read()
    finally:
        with db.read() as c:
            c.set_trace_callback(None)
    fetched: list[int] = []
    for sql in statements:
        if "WHERE id IN (" in sql:
            fetched += [int(n) for n in sql.split("WHERE id IN (", 1)[1].split(")", 1)[0].split(",")]
    return fetched


def test_whatever_is_written_in_between_it_equals_a_full_read(db: Database) -> None:
    repo = EventRepository(db)
    chance = random.Random(14)
    for step in range(400):
        event_id = chance.randint(1, 40)
        start = BASE + timedelta(hours=chance.randint(-50, 50))
        kind = chance.choice(["upsert", "upsert", "detail", "local", "remove", "replace", "many"])
        if kind == "upsert":
            repo.upsert_summaries([summary(event_id, start, title=f"Title {step}")])
        elif kind == "detail":
            repo.upsert_detail(detail(event_id, start), BASE + timedelta(seconds=step))
        elif kind == "local":
            repo.set_local_state(event_id, chance.choice([None, *LocalState]))
        elif kind == "remove":
            repo.remove([event_id])
        elif kind == "replace":
            repo.upsert_summaries([summary(-step - 1, start)])
            repo.replace_id(-step - 1, summary(event_id, start, status=EventStatus.SCHEDULED))
        else:
            repo.upsert_summaries(summary(i, start + timedelta(minutes=i)) for i in range(1, chance.randint(2, 60)))
        if chance.random() < 0.6:  # reads in between some writes, not all: several writes may pile up
            assert seen(repo.everything()) == seen(repo.between(*EVER)), f"after step {step} ({kind})"
    assert seen(repo.everything()) == seen(repo.between(*EVER))


def test_only_rows_written_since_the_last_read_are_read_and_the_rest_stay_the_same_objects(db: Database) -> None:
    repo = EventRepository(db)
    repo.upsert_summaries(summary(i, BASE + timedelta(minutes=i)) for i in range(1, 1201))
    first: list[StoredEvent] = []
    assert sorted(rows_read_by(db, lambda: first.extend(repo.everything()))) == list(range(1, 1201))
    assert rows_read_by(db, repo.everything) == []  # nothing written: no row read

    repo.upsert_summaries([summary(7, BASE, title="Moved and renamed")])
    repo.set_local_state(300, LocalState.PENDING)
    repo.remove([900])
    again: list[StoredEvent] = []
    assert sorted(rows_read_by(db, lambda: again.extend(repo.everything()))) == [7, 300]
    by_id = {e.id: e for e in again}
    assert by_id[7].title == "Moved and renamed" and by_id[300].local_state is LocalState.PENDING
    assert 900 not in by_id and len(again) == 1199
    unchanged = [e for e in first if e.id not in (7, 300, 900)]
    assert all(by_id[e.id] is e for e in unchanged)
    assert [e.id for e in again] == [e.id for e in repo.between(*EVER)]  # by start time, then id


def test_a_row_that_cannot_be_read_is_set_aside_and_left_out(db: Database) -> None:
    repo = EventRepository(db)
    repo.upsert_summaries([summary(1, BASE), summary(2, BASE)])
    assert [e.id for e in repo.everything()] == [1, 2]
    with db.transaction() as c:  # as a write of a buggy version would leave it, updated_at moved with it
        c.execute(
            'UPDATE events SET summary_json = \'{"id": 2, "title": 5}\', updated_at = ? WHERE id = 2',
            (encode_time(datetime.now(UTC)),),
        )
    assert [e.id for e in repo.everything()] == [1]
    assert quarantine.count(db) == 1 and repo.count() == 1


def test_unreadable_rows_in_any_chunk_of_a_first_read_are_set_aside_and_the_rest_read(db: Database) -> None:
    repo = EventRepository(db)
    repo.upsert_summaries(summary(i, BASE + timedelta(minutes=i)) for i in range(1, 1201))
    with db.transaction() as c:  # one row in the first chunk of 500, one in the second, one in the last
        for bad in (7, 900, 1200):
            c.execute('UPDATE events SET summary_json = \'{"id": "x"}\' WHERE id = ?', (bad,))
    read = repo.everything()
    assert len(read) == 1197 and not {7, 900, 1200} & {e.id for e in read}
    assert quarantine.count(db) == 3 and repo.count() == 1197
    assert [e.id for e in repo.everything()] == [e.id for e in read]  # and nothing is read twice


class _StoppedClock(datetime):
    """A clock that does not move (a coarse tick) and then steps back an hour."""

    calls = 0

    @classmethod
    def now(cls, tz: object = None) -> _StoppedClock:  # type: ignore[override]
        cls.calls += 1
        stopped = cls(2026, 12, 7, 9, 0, tzinfo=UTC)
        return stopped if cls.calls < 4 else stopped - timedelta(hours=1)


def test_writes_on_a_coarse_or_backward_clock_are_still_seen_by_the_next_read(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = EventRepository(db)
    repo.upsert_summaries([summary(1, BASE)])
    assert [e.title for e in repo.everything()] == ["Event 1"]
    monkeypatch.setattr(events_module, "_last_write", events_module._last_write)  # put back after the test
    monkeypatch.setattr(events_module, "datetime", _StoppedClock)
    repo.upsert_summaries([summary(1, BASE, title="Renamed")])
    assert [e.title for e in repo.everything()] == ["Renamed"]
    repo.set_local_state(1, LocalState.PENDING)  # the same clock reading again
    assert [e.local_state for e in repo.everything()] == [LocalState.PENDING]
    repo.upsert_summaries([summary(1, BASE, title="Renamed again")])  # the clock stepped back an hour
    [event] = repo.everything()
    assert (event.title, event.local_state) == ("Renamed again", LocalState.PENDING)
    assert event.summary == repo.between(*EVER)[0].summary


def test_the_events_read_are_held_once_each_under_their_own_id(db: Database) -> None:
    repo = EventRepository(db)
    repo.upsert_summaries(summary(i, BASE + timedelta(minutes=i)) for i in range(1, 4))
    read = repo.everything()
    held = repo._everything  # what stays in memory between reads: nothing beside the events but one entry each
    assert list(held.values()) == read
    assert all(key is event.summary.id and event.written != 0 for key, event in held.items())
