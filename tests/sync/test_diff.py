"""The window diff: each kind of change is found once, and the diff is exact (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from klen_desktop.api.models import Customer, EventStatus, EventSummary, EventType
from klen_desktop.sync.diff import ChangeKind, ChangeSet, Origin, apply_changes, diff_events

BASE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def event(event_id: int, **changes: object) -> EventSummary:
    values: dict[str, object] = {
        "id": event_id,
        "uuid": f"uuid-{event_id}",
        "title": f"Event {event_id}",
        "event_type": EventType.MEETING,
        "status": EventStatus.SCHEDULED,
        "start_time": BASE + timedelta(hours=event_id),
        "end_time": BASE + timedelta(hours=event_id, minutes=30),
        "duration_minutes": 30,
    }
    values.update(changes)
    return EventSummary.model_validate(values)


def test_no_change_gives_an_empty_changeset() -> None:
    snapshot = {i: event(i) for i in range(1, 5)}
    changes = diff_events(snapshot, dict(snapshot))
    assert not changes
    assert len(changes) == 0


def test_each_kind_is_reported_once_with_its_details() -> None:
    old = {i: event(i) for i in range(1, 6)}
    new = dict(old)
    new[1] = event(1, start_time=BASE + timedelta(days=1), end_time=BASE + timedelta(days=1, hours=1))
    new[2] = event(2, status=EventStatus.CONFIRMED)
    new[3] = event(3, status=EventStatus.CANCELLED)
    new[4] = event(4, title="Renamed", location="Room B")
    del new[5]
    new[9] = event(9)

    changes = diff_events(old, new)

    assert [(c.event_id, c.kind) for c in changes] == [
        (1, ChangeKind.MOVED),
        (2, ChangeKind.STATUS_CHANGED),
        (3, ChangeKind.CANCELLED),
        (4, ChangeKind.UPDATED),
        (5, ChangeKind.GONE),
        (9, ChangeKind.CREATED),
    ]
    moved = changes.of_kind(ChangeKind.MOVED)[0]
    assert (moved.old_start, moved.old_end) == (old[1].start_time, old[1].end_time)
    assert (moved.new_start, moved.new_end) == (new[1].start_time, new[1].end_time)
    status = changes.of_kind(ChangeKind.STATUS_CHANGED)[0]
    assert (status.old_status, status.new_status) == (EventStatus.SCHEDULED, EventStatus.CONFIRMED)
    assert changes.of_kind(ChangeKind.CANCELLED)[0].old_status is EventStatus.SCHEDULED
    assert changes.of_kind(ChangeKind.UPDATED)[0].fields == frozenset({"title", "location"})
    assert changes.of_kind(ChangeKind.GONE)[0].event == old[5]
    assert changes.of_kind(ChangeKind.CREATED)[0].previous is None
    assert all(c.origin is Origin.REMOTE for c in changes)


def test_a_move_and_a_rename_of_one_event_are_two_changes() -> None:
    old = {1: event(1)}
    new = {1: event(1, title="New title", start_time=BASE, end_time=BASE + timedelta(minutes=30))}
    changes = diff_events(old, new)
    assert [c.kind for c in changes] == [ChangeKind.MOVED, ChangeKind.UPDATED]
    assert changes.for_event(1)[1].fields == frozenset({"title"})


def test_nested_customer_change_is_an_update_of_customer() -> None:
    old = {1: event(1, customer=Customer(name="Ann"))}
    new = {1: event(1, customer=Customer(name="Ann", phone="+15551234567"))}
    assert diff_events(old, new).changes[0].fields == frozenset({"customer"})


def test_mark_local_and_remote_view() -> None:
    changes = diff_events({}, {1: event(1), 2: event(2)}).mark_local(lambda event_id: event_id == 2)
    assert [c.origin for c in changes] == [Origin.REMOTE, Origin.LOCAL]
    assert changes.remote.event_ids == frozenset({1})
    assert isinstance(changes.remote, ChangeSet)


_times = st.integers(min_value=0, max_value=200).map(lambda quarter: BASE + timedelta(minutes=15 * quarter))


@st.composite
def summaries(draw: st.DrawFn, event_id: int) -> EventSummary:
    start = draw(_times)
    minutes = draw(st.sampled_from([15, 30, 60]))
    return EventSummary(
        id=event_id,
        uuid=f"uuid-{event_id}",
        title=draw(st.sampled_from(["Call", "Demo", "Review"])),
        event_type=draw(st.sampled_from(list(EventType))),
        status=draw(st.sampled_from(list(EventStatus))),
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        duration_minutes=draw(st.sampled_from([minutes, None])),
        location=draw(st.sampled_from([None, "Room A", "Online"])),
        has_video_conference=draw(st.booleans()),
        customer=draw(st.sampled_from([None, Customer(name="Ann"), Customer(name="Bob", phone="+1555")])),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> dict[int, EventSummary]:
    ids = draw(st.sets(st.integers(min_value=1, max_value=30), max_size=15))
    return {event_id: draw(summaries(event_id)) for event_id in ids}


@settings(max_examples=300, deadline=None)
@given(snapshots(), snapshots())
def test_applying_the_diff_to_the_first_snapshot_gives_the_second(
    old: dict[int, EventSummary], new: dict[int, EventSummary]
) -> None:
    assert apply_changes(old, diff_events(old, new)) == new


@settings(max_examples=200, deadline=None)
@given(snapshots())
def test_diffing_a_snapshot_with_itself_gives_nothing(snapshot: dict[int, EventSummary]) -> None:
    assert diff_events(snapshot, dict(snapshot)).changes == ()


@settings(max_examples=200, deadline=None)
@given(snapshots(), snapshots())
def test_each_event_has_each_kind_at_most_once(old: dict[int, EventSummary], new: dict[int, EventSummary]) -> None:
    changes = diff_events(old, new)
    pairs = [(c.event_id, c.kind) for c in changes]
    assert len(pairs) == len(set(pairs))
    assert {c.event_id for c in changes} == {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
