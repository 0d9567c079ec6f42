"""Change sync against the emulator over loopback: what an agent changes on the server is reported once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from sync_support import AutoClock, RecordingBudget, Stack, day_at, event_input, make_stack
from waiting import until

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import PermissionMissing, RateLimited, ServerFailed
from klen_desktop.api.models import EventInput, EventPatch, EventStatus, EventSummary, EventType
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeKind, ChangeSet, Origin
from klen_desktop.sync.status import SyncPhase, SyncStatus

pytestmark = pytest.mark.timeout(60)


@pytest_asyncio.fixture
async def stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    built = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3")
    yield built
    await built.close()


@pytest_asyncio.fixture
async def agent(emulator: EmulatorServer, rw_key: str) -> AsyncIterator[KlenClient]:
    """Another API user (an AI agent) changing the calendar on the server."""
    async with KlenClient(emulator.url, rw_key) as client:
        yield client


@pytest.mark.asyncio
async def test_first_sync_is_a_baseline_and_stores_the_window(stack: Stack, emulator: EmulatorServer) -> None:
    emulator.admin.insert_events([event_input(f"E{i}", day_at(i, 10)) for i in range(5)])
    seen: list[ChangeSet] = []
    stack.poller.subscribe(seen.append)

    changes = await stack.poller.sync_once()

    assert not changes and seen == []
    assert stack.events.count() == 5
    state = stack.state.get()
    assert state.baseline_done and state.last_success is not None and state.last_error_message is None
    assert stack.poller.status.phase is SyncPhase.IDLE


@pytest.mark.asyncio
async def test_events_that_fell_out_of_the_window_are_pruned_from_the_store(
    stack: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.insert_events([event_input("Recent", day_at(-1, 10)), event_input("Ancient", day_at(-30, 10))])
    await stack.poller.sync_once()
    assert stack.events.count() == 1  # the window starts 7 days back: "Ancient" was never listed
    stale = EventSummary(
        id=999_999,
        uuid="0b6c1d4e-0000-4000-8000-000000000001",
        title="Long over",
        event_type=EventType.MEETING,
        status=EventStatus.COMPLETED,
        start_time=day_at(-20, 9),
        end_time=day_at(-20, 10),
    )
    stack.events.upsert_summaries([stale])  # cached while it was still in the window, weeks ago

    await stack.poller.sync_once()

    assert stack.events.get(999_999) is None
    assert stack.events.count() == 1


@pytest.mark.asyncio
async def test_each_kind_of_server_change_is_reported_once_with_its_details(
    stack: Stack, emulator: EmulatorServer, agent: KlenClient
) -> None:
    ids = emulator.admin.insert_events([event_input(f"E{i}", day_at(2, 9 + i)) for i in range(5)])
    await stack.poller.sync_once()
    seen: list[ChangeSet] = []
    stack.poller.subscribe(seen.append)

    created = await agent.create_event(EventInput.model_validate(event_input("New one", day_at(3, 14))))
    await agent.update_event(ids[0], EventPatch(title="Renamed", location="Room 4"))
    new_start = day_at(4, 16)
    await agent.update_event(ids[1], EventPatch(start_time=new_start, end_time=new_start + timedelta(hours=1)))
    await agent.update_event(ids[2], EventPatch(status=EventStatus.CONFIRMED))
    await agent.cancel_event(ids[3])
    far = day_at(60, 9)  # moved out of the 30-day window: gone from it
    await agent.update_event(ids[4], EventPatch(start_time=far, end_time=far + timedelta(minutes=30)))

    changes = await stack.poller.sync_once()

    assert seen == [changes]
    assert sorted((c.event_id, c.kind) for c in changes) == sorted(
        [
            (created.id, ChangeKind.CREATED),
            (ids[0], ChangeKind.UPDATED),
            (ids[1], ChangeKind.MOVED),
            (ids[2], ChangeKind.STATUS_CHANGED),
            (ids[3], ChangeKind.CANCELLED),
            (ids[4], ChangeKind.GONE),
        ]
    )
    by_kind = {c.kind: c for c in changes}
    assert by_kind[ChangeKind.UPDATED].fields == frozenset({"title", "location"})
    moved = by_kind[ChangeKind.MOVED]
    assert (moved.old_start, moved.new_start) == (day_at(2, 10), new_start)
    assert moved.new_end == new_start + timedelta(hours=1)
    status = by_kind[ChangeKind.STATUS_CHANGED]
    assert (status.old_status, status.new_status) == (EventStatus.SCHEDULED, EventStatus.CONFIRMED)
    assert by_kind[ChangeKind.CANCELLED].old_status is EventStatus.SCHEDULED
    assert by_kind[ChangeKind.GONE].event.title == "E4"
    assert all(c.origin is Origin.REMOTE for c in changes)
    # The store now matches the server, and nothing is reported twice.
    assert stack.events.get(ids[4]) is None
    stored = stack.events.get(ids[0])
    assert stored is not None and stored.title == "Renamed"
    assert not await stack.poller.sync_once()
    assert len(seen) == 1


@pytest.mark.asyncio
async def test_a_paged_window_of_1000_events_syncs_within_the_request_budget(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    events = [event_input(f"Busy {i}", day_at(-6 + i % 36, 8 + i % 10, 3 * (i % 20))) for i in range(1000)]
    emulator.admin.insert_events(events)
    clock = AutoClock()
    budget = RecordingBudget(clock)  # the default: 10 requests in any minute
    stack = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, budget=budget, config=SyncConfig())
    try:
        emulator.admin.clear_request_log()
        await stack.poller.sync_once()
        list_requests = [r for r in emulator.admin.request_log() if r.path.endswith("/calendar/events")]
        assert stack.events.count() == 1000
        assert len(list_requests) == 10  # 1,000 events at 100 a page
        assert stack.poller.status.last_poll_requests == budget.spent <= 10 + SyncConfig().max_details_per_poll
        assert len(emulator.admin.request_log()) == budget.spent
        assert budget.max_in_any_period() <= 10
        # A second poll of an unchanged window costs the 10 pages again plus lazy details only if spare.
        await stack.poller.sync_once()
        assert budget.max_in_any_period() <= 10
    finally:
        await stack.close()


@pytest.mark.asyncio
async def test_details_are_read_for_near_events_only(stack: Stack, emulator: EmulatorServer) -> None:
    near, far = emulator.admin.insert_events(
        [
            event_input("Soon", stack.clock.now() + timedelta(hours=2), remind_before_minutes=10),
            event_input("Later", day_at(10, 9)),
        ]
    )
    await stack.poller.sync_once()
    near_stored, far_stored = stack.events.get(near), stack.events.get(far)
    assert near_stored is not None and near_stored.detail is not None
    assert near_stored.detail.remind_before_minutes == 10
    assert far_stored is not None and far_stored.detail is None
    # Details are not read again on the next poll while they are fresh.
    emulator.admin.clear_request_log()
    await stack.poller.sync_once()
    assert [r.path for r in emulator.admin.request_log() if "/events/" in r.path] == []


@pytest.mark.asyncio
async def test_a_poll_with_nothing_changed_reports_nothing_and_reads_no_details(
    stack: Stack, emulator: EmulatorServer
) -> None:
    # The customer's notes come with the details only; the listing's copy of the customer has none.
    soon = stack.clock.now() + timedelta(hours=2)
    emulator.admin.insert_events(
        [event_input("Kickoff", soon, customer_name="Priya Raman", customer_notes="Bring the signed NDA.")]
    )
    seen: list[ChangeSet] = []
    stack.poller.subscribe(seen.append)
    await stack.poller.sync_once()
    for _ in range(3):
        emulator.admin.clear_request_log()
        await stack.poller.sync_once()
        assert [r.path for r in emulator.admin.request_log() if "/events/" in r.path] == [], "no details read"
    assert not [changes for changes in seen if changes], f"news about nothing: {seen}"


@pytest.mark.asyncio
async def test_a_failed_page_half_way_changes_nothing(stack: Stack, emulator: EmulatorServer) -> None:
    emulator.admin.insert_events([event_input(f"E{i}", day_at(1, 8) + timedelta(minutes=i)) for i in range(150)])
    await stack.poller.sync_once()
    before = stack.state.get()
    emulator.admin.insert_events([event_input("Added", day_at(2, 8))])
    original = stack.client.list_events

    async def second_page_fails(**kwargs: object) -> object:
        if kwargs.get("page") == 2:
            emulator.faults.fail_next(1, 503)
        return await original(**kwargs)  # type: ignore[arg-type]

    stack.client.list_events = second_page_fails  # type: ignore[method-assign,assignment]
    with pytest.raises(ServerFailed):
        await stack.poller.sync_once()
    assert stack.events.count() == 150
    assert stack.state.get().last_success == before.last_success
    assert stack.poller.status.phase is SyncPhase.SERVER_ERROR


async def next_wait(clock: FakeClock, seconds: float) -> None:
    """Move ``clock`` on by ``seconds`` and return once the poller is parked in the wait that follows."""
    mark = clock.sleep_calls
    clock.advance(seconds)
    await clock.wait_for_sleepers(1, after=mark)


def revoked_key_stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path, clock: FakeClock) -> Stack:
    stack = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3", clock=clock)
    emulator.admin.revoke_key(rw_key)
    emulator.admin.clear_request_log()
    return stack


@pytest.mark.asyncio
async def test_a_revoked_key_halts_polling_without_spinning(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = FakeClock(day_at(0, 0) + timedelta(hours=3))
    stack = revoked_key_stack(emulator, rw_key, tmp_path, clock)
    recheck = stack.config.halted_recheck
    task = asyncio.create_task(stack.poller.run())
    try:
        async with asyncio.timeout(5):
            await clock.wait_for_sleepers(1)
            assert stack.poller.status.phase is SyncPhase.AUTH_ERROR
            assert len(emulator.admin.request_log()) == 1
            # The one pending wait is the rare recheck of the key, not a backoff of a retry loop.
            assert clock.sleepers == [clock.now() + timedelta(seconds=recheck)]
            assert "key" in (stack.poller.status.last_error or "").lower()

            stack.poller.poke("network back")
            await next_wait(clock, recheck)
            # The recheck's try went out: the poke did not cut the halted wait short (that wait ends without one).
            assert len(emulator.admin.request_log()) == 2

            emulator.admin.restore_key(rw_key)
            stack.poller.resume()
            await until(lambda: stack.poller.status.last_success is not None, "a poll once resumed")
        assert stack.poller.status.phase in (SyncPhase.IDLE, SyncPhase.SYNCING)
    finally:
        stack.poller.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()


@pytest.mark.asyncio
async def test_a_halted_poller_retries_the_key_rarely_and_resumes_when_it_is_restored(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = FakeClock(day_at(0, 0) + timedelta(hours=3))
    stack = revoked_key_stack(emulator, rw_key, tmp_path, clock)
    recheck = stack.config.halted_recheck
    task = asyncio.create_task(stack.poller.run())
    try:
        async with asyncio.timeout(5):
            # Halted first (the failed poll's status), then the halted loop plans its next try of the key.
            await clock.wait_for_sleepers(1)
            assert stack.poller.status.halted
            assert stack.poller.status.next_poll == clock.now() + timedelta(seconds=recheck)
            stack.poller.poke("network back")  # ignored: a poke does not make a rejected key worth a new try
            for tries in (2, 3):
                await next_wait(clock, recheck)
                assert len(emulator.admin.request_log()) == tries, "one try per recheck"
                assert stack.poller.status.halted

            emulator.admin.restore_key(rw_key)  # restored on the server side; nobody touches the app
            await next_wait(clock, recheck)
        assert stack.poller.status.last_success is not None
        assert not stack.poller.status.halted
    finally:
        stack.poller.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()


@pytest.mark.asyncio
async def test_missing_read_permission_is_a_permission_error(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    emulator.admin.set_permissions(rw_key, can_read=False, can_write=True)
    with pytest.raises(PermissionMissing):
        await stack.poller.sync_once()
    assert stack.poller.status.phase is SyncPhase.PERMISSION_ERROR
    assert stack.state.get().last_error_message


@pytest.mark.asyncio
async def test_429_pauses_the_budget_for_retry_after_without_showing_an_error(
    stack: Stack, emulator: EmulatorServer
) -> None:
    emulator.faults.rate_limit_next(1, retry_after=30)
    with pytest.raises(RateLimited):
        await stack.poller.sync_once()
    # On a shared key a 429 is the expected way of giving way: the user sees no sync error for it.
    status: SyncStatus = stack.poller.status
    assert status.phase is SyncPhase.IDLE and status.last_error is None
    assert stack.state.get().last_error_message is None
    assert stack.budget.wait_time() == pytest.approx(30, abs=1)
    await stack.poller.sync_once()  # waits out the pause on the (auto) clock, then succeeds
    assert stack.clock.slept >= 29
    status = stack.poller.status  # re-read: sync_once changed it
    assert status.phase is SyncPhase.IDLE and status.last_success is not None


@pytest.mark.asyncio
async def test_polls_refused_for_minutes_show_the_limit_with_what_to_do(stack: Stack, emulator: EmulatorServer) -> None:
    patience = stack.config.rate_limit_patience
    refused = 0
    while stack.poller.status.last_error is None:
        emulator.faults.rate_limit_next(1, retry_after=60)
        with pytest.raises(RateLimited):
            await stack.poller.sync_once()
        refused += 1
        assert refused <= patience / timedelta(minutes=1) + 2, "a persistent limit was never shown"
    assert stack.clock.slept >= patience.total_seconds() - 60, "shown only once the key stayed full for minutes"
    status: SyncStatus = stack.poller.status
    assert status.phase is SyncPhase.RATE_LIMITED
    assert status.last_error is not None and "key of its own" in status.last_error
    assert stack.state.get().last_error_message == status.last_error

    await stack.poller.sync_once()  # the key has room again
    status = stack.poller.status
    assert status.phase is SyncPhase.IDLE and status.last_error is None


@pytest.mark.asyncio
async def test_own_writes_are_marked_local(stack: Stack, emulator: EmulatorServer) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Mine", day_at(3, 9))])
    await stack.poller.sync_once()
    await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(location="Cafe"))
    # While the edit is queued the poll leaves the event to the outbox.
    assert not await stack.poller.sync_once()
    stored = stack.events.get(event_id)
    assert stored is not None and stored.summary.location == "Cafe"
    report = await stack.sender.drain()
    assert report.sent == 1
    changes = await stack.poller.sync_once()
    assert all(c.origin is Origin.LOCAL for c in changes)
    assert not changes.remote


@pytest.mark.asyncio
async def test_cadence_is_fast_when_asked_or_when_an_event_is_soon(stack: Stack, emulator: EmulatorServer) -> None:
    config = stack.config
    assert stack.poller._next_delay() == config.slow_interval
    stack.poller.set_fast("agenda", True)
    assert stack.poller._next_delay() == config.fast_interval and stack.poller.status.fast
    stack.poller.set_fast("agenda", False)
    emulator.admin.insert_events([event_input("Standup", stack.clock.now() + timedelta(minutes=10))])
    await stack.poller.sync_once()
    assert stack.poller._next_delay() == config.fast_interval


@pytest.mark.asyncio
async def test_run_polls_on_its_cadence_at_once_when_poked_and_backs_off_when_offline(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = FakeClock(day_at(0, 0) + timedelta(hours=3))
    config = SyncConfig(backoff_base=10, backoff_cap=40)
    stack = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, config=config)
    polls: list[SyncStatus] = []
    stack.poller.subscribe_status(lambda s: polls.append(s) if s.phase is SyncPhase.SYNCING else None)
    task = asyncio.create_task(stack.poller.run())
    try:
        async with asyncio.timeout(5):
            await clock.wait_for_sleepers(1)
            assert len(polls) == 1
            assert stack.poller.status.next_poll == clock.now() + timedelta(seconds=config.slow_interval)

            mark = clock.sleep_calls
            stack.poller.poke("local write")
            await clock.wait_for_sleepers(1, after=mark)
            assert len(polls) == 2

            emulator.faults.fail_next(3, 503)
            await next_wait(clock, config.slow_interval)
            assert stack.poller.status.phase is SyncPhase.SERVER_ERROR
            assert stack.poller.status.next_poll == clock.now() + timedelta(seconds=10)
            await next_wait(clock, 10)
            assert stack.poller.status.next_poll == clock.now() + timedelta(seconds=20)  # doubled
            assert stack.poller.status.last_error
    finally:
        stack.poller.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()


@pytest.mark.asyncio
async def test_a_wake_from_suspend_polls_at_once(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> None:
    clock = FakeClock(day_at(0, 0) + timedelta(hours=3))
    stack = make_stack(emulator.url, rw_key, tmp_path / "c.sqlite3", clock=clock, config=SyncConfig())
    task = asyncio.create_task(stack.poller.run())
    try:
        async with asyncio.timeout(5):
            await clock.wait_for_sleepers(1)
            first = stack.poller.status.last_success
            assert first is not None
            # The machine sleeps for two hours: the clock jumps far past the 30-second slice.
            clock.set(clock.now() + timedelta(hours=2))
            await until(lambda: stack.poller.status.last_success != first, "a poll on waking")
        assert stack.poller.status.last_success is not None and stack.poller.status.last_success > first
    finally:
        stack.poller.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()
