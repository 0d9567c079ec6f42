"""A broken or inconsistent listing never stops sync, poisons the cache or reports an event gone that still exists.

The emulator serves the real window; its ``rewrite_next`` fault changes the answer on the way out (a value the app
has never seen, an impossible date, a page that lies about its counts) or changes the calendar between two page
reads, as an agent editing the calendar during a poll would.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fixtures_emulator import EVENTS
from sync_support import Stack, day_at, event_input, make_stack

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store import quarantine
from klen_desktop.store.codec import encode_time
from klen_desktop.store.recovery import open_cache
from klen_desktop.sync.diff import ChangeKind, ChangeSet
from klen_desktop.sync.status import SyncPhase

pytestmark = pytest.mark.timeout(60)


async def three_synced(stack: Stack, emulator: EmulatorServer) -> list[int]:
    """Three events tomorrow, already in the cache."""
    ids = emulator.admin.insert_events([event_input(f"E{i}", day_at(1, 9 + i)) for i in range(3)])
    await stack.poller.sync_once()
    return ids


def on_lists(emulator: EmulatorServer, rewrite: Callable[[Any], Any], n: int = 1000) -> None:
    emulator.faults.rewrite_next(n, rewrite, method="GET", path=EVENTS)


def edit_events(change: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    def rewrite(body: Any) -> Any:
        for event in body["events"]:
            change(event)
        return body

    return rewrite


def changes_of(stack: Stack) -> list[ChangeSet]:
    seen: list[ChangeSet] = []
    stack.poller.subscribe(seen.append)
    return seen


@pytest.mark.asyncio
async def test_one_event_with_an_impossible_date_is_skipped_and_reported_and_the_rest_syncs(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = await three_synced(stack, emulator)
    moved = emulator.admin.insert_events([event_input("New", day_at(2, 9))])
    bad = ids[1]

    def year_999(event: dict[str, Any]) -> None:
        if event["id"] == bad:
            event["start_time"] = "0999-01-01T10:00:00.000Z"

    on_lists(emulator, edit_events(year_999))
    seen = changes_of(stack)
    await stack.poller.sync_once()

    status = stack.poller.status
    assert status.phase is SyncPhase.IDLE and status.skipped_events == 1
    assert status.warning is not None and "could not be read" in status.warning
    stored = stack.events.get(bad)
    assert stored is not None and stored.start_time == day_at(1, 10)  # the previous copy, not gone
    assert [(c.kind, c.event_id) for c in seen[0]] == [(ChangeKind.CREATED, moved[0])]
    # The server fixes the event: the warning clears, the cache never held the bad date.
    emulator.faults.clear()
    await stack.poller.sync_once()
    assert stack.poller.status.skipped_events == 0 and stack.poller.status.warning is None
    assert stack.events.count() == 4 and quarantine.count(stack.db) == 0


@pytest.mark.asyncio
async def test_unknown_types_and_statuses_are_kept_and_round_trip_through_the_cache(
    stack: Stack, emulator: EmulatorServer, tmp_path: Path, rw_key: str
) -> None:
    first, second = emulator.admin.insert_events([event_input("Talk", day_at(1, 9)), event_input("Q&A", day_at(1, 11))])

    def novel(event: dict[str, Any]) -> None:
        if event["id"] == first:
            event["event_type"] = "webinar"
        else:
            event["status"] = "postponed"

    on_lists(emulator, edit_events(novel))
    await stack.poller.sync_once()
    await stack.poller.sync_once()

    assert stack.poller.status.phase is SyncPhase.IDLE and stack.poller.status.skipped_events == 0
    await stack.close()
    reopened = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3")
    try:
        talk, qa = reopened.events.get(first), reopened.events.get(second)
        assert talk is not None and talk.summary.event_type == "webinar" and not talk.summary.event_type.known
        assert qa is not None and qa.status == "postponed" and not qa.status.known
        assert talk.summary.event_type is not EventType.MEETING and qa.status is not EventStatus.CANCELLED
    finally:
        await reopened.close()


@pytest.mark.asyncio
async def test_a_page_that_counts_events_it_does_not_list_removes_nothing(
    stack: Stack, emulator: EmulatorServer
) -> None:
    await three_synced(stack, emulator)
    on_lists(emulator, lambda body: {**body, "events": [], "count": 3, "pages": 1})
    seen = changes_of(stack)

    await stack.poller.sync_once()

    assert stack.events.count() == 3 and seen == []
    assert stack.poller.status.warning is not None and "changed while it was read" in stack.poller.status.warning


@pytest.mark.asyncio
async def test_an_unreadable_event_without_an_id_removes_nothing(stack: Stack, emulator: EmulatorServer) -> None:
    ids = await three_synced(stack, emulator)

    def lose_an_id(body: Any) -> Any:
        for event in body["events"]:
            if event["id"] == ids[0]:
                event["id"] = "not a number"
        return body

    on_lists(emulator, lose_an_id)
    await stack.poller.sync_once()

    assert stack.events.count() == 3 and stack.poller.status.skipped_events == 1


@pytest.mark.asyncio
async def test_an_event_skipped_by_a_shifted_page_is_not_reported_gone(stack: Stack, emulator: EmulatorServer) -> None:
    """Between page 1 and page 2 an agent moves the first event out of the window and adds one at the end:
    the total is unchanged, page 2 starts one event later, and its first event is seen on no page."""
    ids = emulator.admin.insert_events(
        [event_input(f"E{i:03d}", day_at(1, 8) + timedelta(minutes=i)) for i in range(150)]
    )
    await stack.poller.sync_once()
    shifted = ids[100]  # first of page 2 before the change, last of page 1 after it

    def agent_edits_between_pages(body: Any) -> Any:
        emulator.admin.update_event(ids[0], {"start_time": day_at(200, 8), "end_time": day_at(200, 9)})
        emulator.admin.insert_events([event_input("Late", day_at(3, 8))])
        return body

    on_lists(emulator, agent_edits_between_pages, n=1)
    seen = changes_of(stack)
    await stack.poller.sync_once()

    assert stack.events.get(shifted) is not None
    assert all(c.event_id != shifted for c in seen[0]) if seen else True
    # The next poll reads a settled listing twice: the event that really left the window is gone now, only it.
    await stack.poller.sync_once()
    gone = [c.event_id for changes in seen for c in changes.of_kind(ChangeKind.GONE)]
    assert gone == [ids[0]]
    assert stack.events.get(shifted) is not None and stack.events.get(ids[0]) is None


@pytest.mark.asyncio
async def test_a_disappearance_costs_one_more_walk_and_a_quiet_poll_none(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = await three_synced(stack, emulator)
    emulator.admin.clear_request_log()
    await stack.poller.sync_once()
    quiet = [r for r in emulator.admin.request_log() if r.path == EVENTS]
    emulator.admin.update_event(ids[2], {"start_time": day_at(200, 8), "end_time": day_at(200, 9)})
    emulator.admin.clear_request_log()
    seen = changes_of(stack)

    await stack.poller.sync_once()

    assert len(quiet) == 1
    assert len([r for r in emulator.admin.request_log() if r.path == EVENTS]) == 2
    assert [c.event_id for c in seen[0].of_kind(ChangeKind.GONE)] == [ids[2]]


@pytest.mark.asyncio
async def test_a_server_that_lies_about_pages_is_walked_only_as_far_as_count_allows(
    stack: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.insert_events([event_input(f"E{i}", day_at(1, 9 + i)) for i in range(3)])
    on_lists(emulator, lambda body: {**body, "pages": 1_000_000})
    emulator.admin.clear_request_log()

    await stack.poller.sync_once()

    assert len([r for r in emulator.admin.request_log() if r.path == EVENTS]) == 1
    assert stack.events.count() == 3


@pytest.mark.asyncio
async def test_a_server_that_lies_about_pages_and_count_is_stopped_at_the_hard_limit(
    stack: Stack, emulator: EmulatorServer
) -> None:
    await three_synced(stack, emulator)
    page_one = {"n": 0}

    def endless(body: Any) -> Any:
        page_one["n"] += 1
        return {**body, "pages": 10**9, "count": 10**11}

    on_lists(emulator, endless, n=100_000)
    await stack.poller.sync_once()

    # Every page repeats page 1 (the emulator serves an empty page past the end, which stops a walk at once);
    # with three walks at most, the poll is bounded whatever the server claims.
    assert page_one["n"] <= 3 * 200
    assert stack.events.count() == 3


def poison(path: Path) -> None:
    """What the released version wrote for an event the server listed with year 999."""
    conn = sqlite3.connect(path)
    bad = {
        "id": 999_999,
        "uuid": "uuid-poison",
        "title": "Poison",
        "event_type": "meeting",
        "status": "confirmed",
        "start_time": "999-01-01T10:00:00.000Z",
        "end_time": "999-01-01T11:00:00.000Z",
    }
    conn.execute(
        "INSERT INTO events (id, uuid, start_time, end_time, status, event_type, title, summary_json, updated_at)"
        " VALUES (999999, 'uuid-poison', '999-01-01T10:00:00.000000Z', '999-01-01T11:00:00.000000Z', 'confirmed',"
        " 'meeting', 'Poison', ?, ?)",
        (json.dumps(bad), encode_time(day_at(0, 0))),
    )
    conn.commit()
    conn.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("checked_at_start", [True, False], ids=["health-check", "first-read"])
async def test_a_cache_poisoned_by_the_released_version_opens_and_syncs(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path, checked_at_start: bool
) -> None:
    path = tmp_path / "cache.sqlite3"
    ids = emulator.admin.insert_events([event_input(f"E{i}", day_at(1, 9 + i)) for i in range(3)])
    first = make_stack(emulator.url, rw_key, path)
    await first.poller.sync_once()
    await first.close()
    poison(path)
    if checked_at_start:
        opened = open_cache(path)
        assert opened.notice is None and quarantine.count(opened.db) == 1
        opened.db.close()

    stack = make_stack(emulator.url, rw_key, path)
    try:
        await stack.poller.sync_once()
        await stack.poller.sync_once()
        assert stack.poller.status.phase is SyncPhase.IDLE
        assert sorted(e.id for e in stack.events.upcoming(day_at(0, 0), 10)) == sorted(ids)
        assert quarantine.count(stack.db) == 1
    finally:
        await stack.close()


@pytest.mark.asyncio
async def test_a_server_repeating_its_first_page_forever_costs_a_few_requests(
    stack: Stack, emulator: EmulatorServer
) -> None:
    await three_synced(stack, emulator)
    first_page: dict[str, Any] = {}

    def same_page(body: Any) -> Any:
        first_page.setdefault("body", {**body, "pages": 10**9, "count": 10**11, "limit": 3})
        return first_page["body"]

    on_lists(emulator, same_page, n=100_000)
    emulator.admin.clear_request_log()
    await stack.poller.sync_once()

    assert len([r for r in emulator.admin.request_log() if r.path == EVENTS]) <= 2 * 3
    assert stack.events.count() == 3 and stack.poller.status.warning is not None


@pytest.mark.asyncio
async def test_one_event_with_unreadable_details_does_not_keep_the_others_from_being_read(
    stack: Stack, emulator: EmulatorServer
) -> None:
    soon = stack.clock.now() + timedelta(hours=2)
    ids = emulator.admin.insert_events([event_input(f"E{i}", soon + timedelta(minutes=i)) for i in range(3)])

    def broken_details(body: Any) -> Any:
        return {**body, "title": None} if body.get("id") == ids[0] else body

    emulator.faults.rewrite_next(100, broken_details, method="GET", path=f"{EVENTS}/")
    await stack.poller.sync_once()

    stored = [stack.events.get(i) for i in ids]
    assert [e is not None and e.detail is not None for e in stored] == [False, True, True]
    assert stored[0] is not None  # its list view is kept


@pytest.mark.asyncio
async def test_an_event_leaving_between_page_reads_is_gone_once_two_settled_walks_lack_it(
    stack: Stack, emulator: EmulatorServer
) -> None:
    ids = emulator.admin.insert_events(
        [event_input(f"E{i:03d}", day_at(1, 8) + timedelta(minutes=i)) for i in range(150)]
    )
    await stack.poller.sync_once()

    def agent_moves_one_away(body: Any) -> Any:
        emulator.admin.update_event(ids[5], {"start_time": day_at(200, 8), "end_time": day_at(200, 9)})
        return body

    on_lists(emulator, agent_moves_one_away, n=1)
    emulator.admin.clear_request_log()
    seen = changes_of(stack)
    await stack.poller.sync_once()

    # Walk 1 saw the total change (150, then 149); walks 2 and 3 agree that the event left: 2 pages each.
    assert len([r for r in emulator.admin.request_log() if r.path == EVENTS]) == 6
    assert [c.event_id for c in seen[0].of_kind(ChangeKind.GONE)] == [ids[5]]
    assert stack.events.count() == 149 and stack.poller.status.warning is None
