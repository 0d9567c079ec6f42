"""EventRepository.held: the events a reader keeps in memory (spans, the next open events, local changes), and
starts_matching: a search over every cached row, of which the reader holds only some."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from store_factories import BASE, summary

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, Held, LocalState

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[EventRepository]:
    database = Database(tmp_path / "cache.sqlite3")
    repository = EventRepository(database)
    # One event every six hours for 20 days, from BASE; event 10 is cancelled.
    repository.upsert_summaries(
        summary(n, BASE + 6 * HOUR * n, status=EventStatus.CANCELLED if n == 10 else EventStatus.CONFIRMED)
        for n in range(1, 81)
    )
    yield repository
    database.close()


def ids(events: list[object]) -> list[int]:
    return [e.id for e in events]  # type: ignore[attr-defined]


def test_only_the_spans_the_next_open_events_and_local_changes_are_read(repo: EventRepository) -> None:
    span = (BASE + 10 * DAY, BASE + 11 * DAY)  # events 40 to 43 start in it; 39 (an hour long) ends before it
    held = repo.held(Held((span,), BASE + 6 * HOUR * 8 + timedelta(minutes=30), 3))
    # The next three open events not ended half an hour into event 8: 8 itself, 9, and 11 (10 is cancelled).
    assert ids(held) == [8, 9, 11, 40, 41, 42, 43]

    repo.set_local_state(70, LocalState.PENDING)  # an unsent edit: the problems banner names it
    repo.upsert_summaries([summary(-3, BASE + 30 * DAY, title="Queued create")])
    assert ids(repo.held(Held((span,)))) == [40, 41, 42, 43, 70, -3]


def test_an_event_held_again_is_the_same_object_and_one_let_go_is_forgotten(repo: EventRepository) -> None:
    first = {e.id: e for e in repo.held(Held(((BASE, BASE + 2 * DAY),)))}
    again = {e.id: e for e in repo.held(Held(((BASE + DAY, BASE + 3 * DAY),)))}
    kept = first.keys() & again.keys()
    assert kept and all(first[n] is again[n] for n in kept), "rows not written since are not decoded again"
    back = {e.id: e for e in repo.held(Held(((BASE, BASE + DAY),)))}
    let_go = first.keys() - again.keys()
    assert let_go and all(back[n] is not first[n] for n in let_go & back.keys()), "what left the spans was let go"

    repo.upsert_summaries([summary(3, BASE + 6 * HOUR * 3, title="Moved and renamed")])
    assert next(e for e in repo.held(Held(((BASE, BASE + DAY),))) if e.id == 3).title == "Moved and renamed"


def test_an_empty_hold_reads_only_local_changes(repo: EventRepository) -> None:
    assert repo.held(Held()) == []
    assert repo.count() == 80


def test_a_search_reads_every_row_and_gives_the_starts_of_the_matches(repo: EventRepository) -> None:
    def keep(s: EventSummary) -> bool:
        return s.title.endswith("7")

    starts = repo.starts_matching(keep)
    assert starts == [BASE + 6 * HOUR * n for n in (7, 17, 27, 37, 47, 57, 67, 77)]
    assert repo.starts_matching(lambda s: s.status is EventStatus.CANCELLED) == [BASE + 6 * HOUR * 10]
