"""EventRepository and SyncStateRepository: what the UI and the sync layer read and write."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from store_factories import BASE, detail, summary

from klen_desktop.api.models import EventStatus
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, LocalState
from klen_desktop.store.state import SyncState, SyncStateRepository


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "cache.sqlite3")
    yield database
    database.close()


@pytest.fixture
def repo(db: Database) -> EventRepository:
    return EventRepository(db)


def test_upsert_and_get_round_trip(repo: EventRepository) -> None:
    event = summary(1, customer={"name": "Ann", "email": "ann@example.com", "phone": "+1555"})
    repo.upsert_summaries([event])
    stored = repo.get(1)
    assert stored is not None
    assert stored.summary == event
    assert stored.detail is None and stored.detail_fetched_at is None and stored.local_state is None
    assert (stored.id, stored.title, stored.status) == (1, "Event 1", EventStatus.CONFIRMED)
    assert (stored.start_time, stored.end_time) == (BASE, BASE + timedelta(hours=1))
    assert repo.get(2) is None
    assert repo.count() == 1


def test_a_read_after_a_change_sees_it_and_earlier_reads_keep_theirs(repo: EventRepository) -> None:
    repo.upsert_summaries([summary(1)])
    first, again = repo.get(1), repo.get(1)
    assert first is not None and again is not None and first == again
    repo.upsert_summaries([summary(1, title="Renamed")])
    renamed = repo.get(1)
    assert renamed is not None and renamed.summary.title == "Renamed"
    assert first.summary.title == "Event 1"  # values are frozen: a reader's copy never changes under it


def test_detail_is_kept_when_a_newer_summary_arrives(repo: EventRepository) -> None:
    fetched = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    repo.upsert_detail(detail(1, remind=30), fetched)
    stored = repo.get(1)
    assert stored is not None and stored.detail is not None
    assert stored.detail.remind_before_minutes == 30
    assert stored.detail_fetched_at == fetched
    assert stored.detail_is_current
    assert stored.summary.id == 1 and type(stored.summary).__name__ == "EventSummary"

    moved = summary(1, BASE + timedelta(hours=2), title="Moved")
    repo.upsert_summaries([moved])
    stored = repo.get(1)
    assert stored is not None
    assert stored.summary == moved
    assert stored.start_time == BASE + timedelta(hours=2)
    assert stored.detail is not None and stored.detail.remind_before_minutes == 30
    assert not stored.detail_is_current


def test_detail_updates_the_summary(repo: EventRepository) -> None:
    repo.upsert_summaries([summary(1)])
    repo.upsert_detail(detail(1, status=EventStatus.CANCELLED), BASE)
    stored = repo.get(1)
    assert stored is not None and stored.status is EventStatus.CANCELLED


def test_between_returns_overlapping_events_in_order(repo: EventRepository) -> None:
    repo.upsert_summaries(
        [
            summary(3, BASE + timedelta(hours=3)),
            summary(1, BASE - timedelta(minutes=30)),  # 8:30-9:30 overlaps from before
            summary(2, BASE + timedelta(hours=1)),
            summary(4, BASE + timedelta(hours=5)),  # 14:00: outside
            summary(5, BASE - timedelta(hours=2)),  # 7:00-8:00: ended before
            summary(6, BASE + timedelta(hours=1)),  # same start as 2: ordered by id
            summary(7, BASE + timedelta(hours=2), minutes=0),  # zero length inside
        ]
    )
    found = repo.between(BASE, BASE + timedelta(hours=5))
    assert [e.id for e in found] == [1, 2, 6, 7, 3]


def test_upcoming_skips_ended_and_limits(repo: EventRepository) -> None:
    repo.upsert_summaries(
        [
            summary(1, BASE - timedelta(hours=2)),  # ended
            summary(2, BASE - timedelta(minutes=30)),  # running
            summary(3, BASE + timedelta(hours=1), status=EventStatus.CANCELLED),
            summary(4, BASE + timedelta(hours=2)),
            summary(5, BASE + timedelta(hours=3)),
        ]
    )
    assert [e.id for e in repo.upcoming(BASE, 3)] == [2, 3, 4]
    active = repo.upcoming(BASE, 10, statuses=[EventStatus.CONFIRMED, EventStatus.SCHEDULED])
    assert [e.id for e in active] == [2, 4, 5]


def test_window_uses_utc_start_dates_inclusive_and_server_ids(repo: EventRepository) -> None:
    day = datetime(2026, 11, 24, tzinfo=UTC)
    repo.upsert_summaries(
        [
            summary(1, day - timedelta(minutes=1)),  # 23rd
            summary(2, day),  # 24th 00:00
            summary(3, day + timedelta(days=1, hours=23, minutes=59)),  # 25th
            summary(4, day + timedelta(days=2)),  # 26th
            summary(-7, day + timedelta(hours=3)),  # local create: not server-known
        ]
    )
    window = repo.window(date(2026, 11, 24), date(2026, 11, 25))
    assert sorted(window) == [2, 3]
    assert window[2] == summary(2, day)


def test_remove_and_local_state(repo: EventRepository) -> None:
    repo.upsert_summaries([summary(1), summary(2), summary(3)])
    repo.set_local_state(2, LocalState.PENDING)
    stored = repo.get(2)
    assert stored is not None and stored.local_state is LocalState.PENDING
    repo.set_local_state(2, None)
    stored = repo.get(2)
    assert stored is not None and stored.local_state is None
    repo.remove([1, 3, 99])
    repo.remove([])
    assert repo.count() == 1 and repo.get(1) is None


def test_replace_id_turns_a_local_create_into_the_server_event(db: Database, repo: EventRepository) -> None:
    local = summary(-4, BASE)
    repo.upsert_summaries([local])
    repo.set_local_state(-4, LocalState.PENDING)
    with db.transaction() as c:
        c.execute("INSERT INTO reminder_log (event_id, due_at, state, updated_at) VALUES (-4, 'x', 'fired', 'y')")
    server = summary(120, BASE, title="Event -4")
    with db.transaction() as c:
        repo.replace_id(-4, server, conn=c)
    assert repo.get(-4) is None
    stored = repo.get(120)
    assert stored is not None and stored.summary == server and stored.local_state is None
    with db.read() as c:
        assert c.execute("SELECT event_id FROM reminder_log").fetchall() == [(120,)]


def test_replace_id_merges_a_copy_a_poll_stored_first(repo: EventRepository) -> None:
    repo.upsert_summaries([summary(-1), summary(50, title="from poll")])
    repo.replace_id(-1, summary(50, title="from write"))
    assert repo.count() == 1
    stored = repo.get(50)
    assert stored is not None and stored.title == "from write"


def test_replace_id_of_a_missing_local_row_inserts(repo: EventRepository) -> None:
    repo.replace_id(-9, summary(9))
    assert repo.get(9) is not None


def test_uuid_is_unique_across_ids(repo: EventRepository) -> None:
    repo.upsert_summaries([summary(1)])
    moved_id = summary(2).model_copy(update={"uuid": "uuid-1"})
    repo.upsert_summaries([moved_id])
    assert repo.get(1) is None
    assert repo.count() == 1


def test_writes_join_an_outer_transaction(db: Database, repo: EventRepository) -> None:
    with pytest.raises(RuntimeError), db.transaction() as c:
        repo.upsert_summaries([summary(1)], conn=c)
        repo.upsert_detail(detail(2), BASE, conn=c)
        raise RuntimeError("sync failed midway")
    assert repo.count() == 0


def test_concurrent_upserts_from_threads(repo: EventRepository) -> None:
    def work(offset: int) -> None:
        for i in range(25):
            repo.upsert_summaries([summary(offset * 100 + i + 1, BASE + timedelta(minutes=i))])
            repo.between(BASE, BASE + timedelta(days=1))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert repo.count() == 150


def test_sync_state_round_trip(db: Database) -> None:
    states = SyncStateRepository(db)
    assert states.get() == SyncState()
    full = SyncState(
        last_success=BASE,
        last_attempt=BASE + timedelta(minutes=1),
        last_error_code="server_error",
        last_error_message="Klen server error",
        next_poll=BASE + timedelta(minutes=5),
        window_start=date(2026, 11, 17),
        window_end=date(2026, 12, 24),
        baseline_done=True,
    )
    states.put(full)
    assert states.get() == full
    cleared = SyncState(last_success=BASE, baseline_done=True)
    with db.transaction() as c:
        states.put(cleared, conn=c)
    assert states.get() == cleared


def test_sync_state_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = Database(path)
    SyncStateRepository(db).put(SyncState(next_poll=BASE, baseline_done=True))
    db.close()
    db = Database(path)
    try:
        assert SyncStateRepository(db).get() == SyncState(next_poll=BASE, baseline_done=True)
    finally:
        db.close()


def test_prune_drops_server_events_that_ended_before_the_cutoff_but_keeps_held_and_local_ones(
    repo: EventRepository,
) -> None:
    old = BASE - timedelta(days=20)
    repo.upsert_summaries([summary(1, old), summary(2, old), summary(3, BASE), summary(-4, old)])

    dropped = repo.prune_ended_before(BASE - timedelta(days=7), keep={2})

    assert dropped == 1
    assert repo.get(1) is None
    assert repo.get(2) is not None  # has an unsent write: the outbox still needs it
    assert repo.get(3) is not None
    assert repo.get(-4) is not None  # a local create is never pruned
