"""The durable outbox against the emulator: queued writes show at once, reach the server once, in order."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sync_support import Stack, day_at, event_input, make_stack

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventInput, EventPatch, EventStatus, format_utc
from klen_desktop.clock import SystemClock
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store.events import LocalState
from klen_desktop.store.outbox import OutboxState
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.local_writes import OutboxError
from klen_desktop.sync.outbox_sender import DrainReport

pytestmark = pytest.mark.timeout(90)

KEY = "klen_outbox_test"


@pytest_asyncio.fixture
async def stack(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Stack]:
    built = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3")
    yield built
    await built.close()


def new_event(title: str, days: int = 2, hour: int = 10, **extra: object) -> EventInput:
    return EventInput.model_validate({**event_input(title, day_at(days, hour)), **extra})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_a_queued_create_shows_at_once_and_becomes_the_server_event(
    stack: Stack, emulator: EmulatorServer
) -> None:
    local_id = await stack.db.run(stack.writes.enqueue_create, new_event("Lunch", remind_before_minutes=15))
    local = stack.events.get(local_id)
    assert local_id < 0 and local is not None and local.is_local
    assert local.local_state is LocalState.PENDING and local.title == "Lunch"

    report = await stack.sender.drain()

    assert report.sent == 1
    (server,) = emulator.admin.all_events()
    assert stack.events.get(local_id) is None
    stored = stack.events.get(server["id"])
    assert stored is not None and stored.local_state is None and stored.summary.uuid == server["uuid"]
    assert stored.detail is not None and stored.detail.remind_before_minutes == 15
    assert stack.outbox_repo.active() == []


@pytest.mark.asyncio
async def test_edits_on_a_queued_create_wait_for_it_and_follow_its_new_id(
    stack: Stack, emulator: EmulatorServer
) -> None:
    local_id = await stack.db.run(stack.writes.enqueue_create, new_event("Draft"))
    await stack.db.run(stack.writes.enqueue_patch, local_id, EventPatch(title="Final", location="Hall"))
    await stack.db.run(stack.writes.enqueue_patch, local_id, EventPatch(status=EventStatus.CONFIRMED))
    shown = stack.events.get(local_id)
    assert shown is not None and (shown.title, shown.status) == ("Final", EventStatus.CONFIRMED)

    assert (await stack.sender.drain()).sent == 3

    (server,) = emulator.admin.all_events()
    assert (server["title"], server["location"], server["status"]) == ("Final", "Hall", "confirmed")
    stored = stack.events.get(server["id"])
    assert stored is not None and stored.title == "Final" and stored.local_state is None


@pytest.mark.asyncio
async def test_cancel_and_status_change_are_sent(stack: Stack, emulator: EmulatorServer) -> None:
    first, second = emulator.admin.insert_events([event_input("A", day_at(1, 9)), event_input("B", day_at(1, 11))])
    await stack.poller.sync_once()
    await stack.db.run(stack.writes.enqueue_cancel, first, "Client ill")
    await stack.db.run(stack.writes.enqueue_patch, second, EventPatch(status=EventStatus.COMPLETED))
    cancelled = stack.events.get(first)
    assert cancelled is not None and cancelled.status is EventStatus.CANCELLED
    assert cancelled.local_state is LocalState.PENDING

    assert (await stack.sender.drain()).sent == 2

    a, b = emulator.admin.event(first), emulator.admin.event(second)
    assert a is not None and a["status"] == "cancelled" and "Client ill" in a["customer"]["notes"]
    assert b is not None and b["status"] == "completed"
    assert all(stack.events.get(i).local_state is None for i in (first, second))  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_rejected_edit_keeps_the_users_data_and_the_servers_message(
    stack: Stack, emulator: EmulatorServer
) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Review", day_at(3, 9))])
    await stack.poller.sync_once()
    bad_end = day_at(3, 8)  # before the start: the server refuses it
    seq = await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(end_time=bad_end, title="Review v2"))

    report = await stack.sender.drain()

    assert (report.sent, report.parked) == (0, 1)
    entry = stack.outbox_repo.get(seq)
    assert entry is not None and entry.state is OutboxState.ATTENTION
    assert entry.error_code == "validation_error" and entry.error_message
    assert entry.payload["title"] == "Review v2"
    stored = stack.events.get(event_id)
    assert stored is not None and stored.local_state is LocalState.ATTENTION and stored.title == "Review v2"
    server = emulator.admin.event(event_id)
    assert server is not None and server["title"] == "Review"

    # The user fixes the end time and resends.
    fixed = {**entry.payload, "end_time": format_utc(day_at(3, 10))}
    await stack.db.run(stack.writes.resend, seq, fixed)
    assert (await stack.sender.drain()).sent == 1
    server = emulator.admin.event(event_id)
    assert server is not None and server["title"] == "Review v2"
    stored = stack.events.get(event_id)
    assert stored is not None and stored.local_state is None


@pytest.mark.asyncio
async def test_discarding_a_rejected_edit_restores_the_event(stack: Stack, emulator: EmulatorServer) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Keep me", day_at(3, 9))])
    await stack.poller.sync_once()
    seq = await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(title="X", end_time=day_at(3, 8)))
    await stack.sender.drain()
    await stack.db.run(stack.writes.discard, seq)
    stored = stack.events.get(event_id)
    assert stored is not None and stored.title == "Keep me" and stored.local_state is None
    assert stack.outbox_repo.get(seq) is None
    with pytest.raises(OutboxError):
        await stack.db.run(stack.writes.resend, seq)


@pytest.mark.asyncio
async def test_an_edit_to_an_event_changed_on_the_server_is_a_conflict(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Plan", day_at(4, 9))])
    await stack.poller.sync_once()
    seq = await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(title="Plan (mine)"))
    async with KlenClient(emulator.url, rw_key) as agent:
        await agent.update_event(event_id, EventPatch(title="Plan (agent)"))

    report = await stack.sender.drain()

    assert report.parked == 1
    conflict = await stack.db.run(stack.writes.conflict, seq)
    assert conflict is not None
    assert conflict.base["title"] == "Plan"
    assert conflict.server.title == "Plan (agent)"
    assert conflict.local_payload == {"title": "Plan (mine)"}
    stored = stack.events.get(event_id)
    assert stored is not None and stored.local_state is LocalState.CONFLICT
    server = emulator.admin.event(event_id)
    assert server is not None and server["title"] == "Plan (agent)"  # not overwritten blindly

    # The user keeps theirs: resend overwrites.
    await stack.db.run(stack.writes.resend, seq)
    assert (await stack.sender.drain()).sent == 1
    server = emulator.admin.event(event_id)
    assert server is not None and server["title"] == "Plan (mine)"


@pytest.mark.asyncio
async def test_discarding_a_conflict_takes_the_server_version(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Plan", day_at(4, 9))])
    await stack.poller.sync_once()
    seq = await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(title="Mine"))
    async with KlenClient(emulator.url, rw_key) as agent:
        await agent.update_event(event_id, EventPatch(title="Theirs"))
    await stack.sender.drain()
    await stack.db.run(stack.writes.discard, seq)
    stored = stack.events.get(event_id)
    assert stored is not None and stored.title == "Theirs" and stored.local_state is None


@pytest.mark.asyncio
async def test_an_unrelated_server_change_is_not_a_conflict(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Plan", day_at(4, 9))])
    await stack.poller.sync_once()
    await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(title="New title"))
    async with KlenClient(emulator.url, rw_key) as agent:
        await agent.update_event(event_id, EventPatch(location="Room 9"))
    assert (await stack.sender.drain()).sent == 1
    server = emulator.admin.event(event_id)
    assert server is not None and (server["title"], server["location"]) == ("New title", "Room 9")
    stored = stack.events.get(event_id)
    assert stored is not None and stored.summary.location == "Room 9"


@pytest.mark.asyncio
async def test_a_create_whose_answer_was_lost_is_not_duplicated(stack: Stack, emulator: EmulatorServer) -> None:
    emulator.faults.drop_after_next(1, method="POST", path="/api/v1/calendar/events/create")
    local_id = await stack.db.run(stack.writes.enqueue_create, new_event("Once only"))

    first = await stack.sender.drain()
    assert first.sent == 0 and first.waiting_until is not None
    (entry,) = stack.outbox_repo.active()
    assert entry.meta.get("maybe_sent") is True and entry.state is OutboxState.PENDING
    assert len(emulator.admin.all_events()) == 1  # it did reach the server

    await stack.clock.sleep(5)
    assert (await stack.sender.drain()).sent == 1
    (server,) = emulator.admin.all_events()
    stored = stack.events.get(server["id"])
    assert stored is not None and stored.local_state is None and stack.events.get(local_id) is None


@pytest.mark.asyncio
async def test_an_identical_event_that_existed_before_is_not_adopted(stack: Stack, emulator: EmulatorServer) -> None:
    data = new_event("Twin")
    emulator.admin.insert_events([data.to_payload()])
    await stack.poller.sync_once()
    emulator.faults.fail_next(1, 503, method="POST")  # the create may or may not have been handled
    await stack.db.run(stack.writes.enqueue_create, data)
    await stack.sender.drain()
    await stack.clock.sleep(5)
    assert (await stack.sender.drain()).sent == 1
    assert [e["title"] for e in emulator.admin.all_events()] == ["Twin", "Twin"]


@pytest.mark.asyncio
async def test_a_create_over_the_daily_limit_waits_for_the_reset_without_holding_up_edits(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    (event_id,) = emulator.admin.insert_events([event_input("Standing", day_at(5, 9))])
    await stack.poller.sync_once()
    emulator.admin.set_limits(rw_key, daily_limit=0)
    await stack.db.run(stack.writes.enqueue_create, new_event("Too many"))
    await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(description="edited"))
    report = await stack.sender.drain()
    assert report.parked == 0 and report.sent == 1, "the edit behind the waiting create went"
    (entry,) = stack.outbox_repo.active()
    assert entry.state is OutboxState.PENDING and entry.meta.get("daily_limit") == 0
    reset = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    assert report.waiting_until is not None and abs((report.waiting_until - reset).total_seconds()) < 5


@pytest.mark.asyncio
async def test_100_edits_made_while_the_server_is_down_arrive_once_and_in_order(tmp_path: Path) -> None:
    port = free_port()
    server_db = tmp_path / "server.sqlite3"
    keys = [ApiKeySpec(KEY, rpm=100_000, daily_limit=1000)]
    server = EmulatorServer(db_path=server_db, seed="empty", keys=keys, port=port).start()
    url = server.url
    (event_id,) = server.admin.insert_events([event_input("Counter", day_at(5, 9))])
    stack = make_stack(url, KEY, tmp_path / "cache.sqlite3")
    try:
        await stack.poller.sync_once()
        server.stop()

        for i in range(50):
            await stack.db.run(stack.writes.enqueue_create, new_event(f"Offline {i:03d}", days=6, hour=8 + i % 10))
            await stack.db.run(stack.writes.enqueue_patch, event_id, EventPatch(description=f"edit {i:03d}"))
        down = await stack.sender.drain()
        assert down.sent == 0 and down.waiting_until is not None
        assert len(stack.outbox_repo.active()) == 100

        server = EmulatorServer(db_path=server_db, seed="empty", keys=keys, port=port).start()
        for _ in range(20):
            await stack.clock.sleep(60)
            report = await stack.sender.drain()
            if not stack.outbox_repo.active():
                break
        assert stack.outbox_repo.active() == []

        events = server.admin.all_events()
        created = sorted((e for e in events if e["title"].startswith("Offline")), key=lambda e: e["id"])
        assert [e["title"] for e in created] == [f"Offline {i:03d}" for i in range(50)]  # once each, in order
        counter = server.admin.event(event_id)
        assert counter is not None and counter["description"] == "edit 049"
        patches = [r for r in server.admin.request_log() if r.method == "PATCH"]
        assert len(patches) == 50
        assert report.parked == 0
    finally:
        await stack.close()
        server.stop()


@pytest.mark.asyncio
async def test_the_runner_sends_when_woken_and_after_retry_now(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    # A backoff far longer than the test, in real time: only "retry now" can send the entry after its 503. (The
    # suite's clock skips the waits, so the runner's own retry could send it before the test saw it waiting.)
    config = SyncConfig(outbox_backoff_base=60, outbox_backoff_cap=60, backoff_base=0.05, backoff_cap=0.2)
    stack = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3", clock=SystemClock(), config=config)
    reports: list[object] = []
    stack.sender.subscribe(reports.append)
    task = asyncio.create_task(stack.sender.run())
    try:
        emulator.faults.fail_next(1, 503, method="POST")
        await stack.db.run(stack.writes.enqueue_create, new_event("Woken"))
        stack.sender.wake()
        async with asyncio.timeout(5):
            # Backing off after the 503: the entry is pending with a next attempt in the future.
            while stack.outbox_repo.active()[0].next_attempt_at is None:
                await asyncio.sleep(0.01)
            await stack.sender.retry_now()
            while stack.outbox_repo.active() or not reports:
                await asyncio.sleep(0.01)
        assert [e["title"] for e in emulator.admin.all_events()] == ["Woken"]
    finally:
        stack.sender.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()


@pytest.mark.asyncio
async def test_a_revoked_key_blocks_the_queue_and_keeps_every_entry(
    stack: Stack, emulator: EmulatorServer, rw_key: str
) -> None:
    emulator.admin.revoke_key(rw_key)
    await stack.db.run(stack.writes.enqueue_create, new_event("Blocked"))
    report = await stack.sender.drain()
    assert report.sent == 0 and report.blocked
    (entry,) = stack.outbox_repo.active()
    assert entry.state is OutboxState.PENDING and entry.error_code == "invalid_key"
    assert "maybe_sent" not in entry.meta  # a 401 certainly created nothing
    emulator.admin.restore_key(rw_key)
    await stack.sender.retry_now()
    assert (await stack.sender.drain()).sent == 1


@pytest.mark.asyncio
async def test_a_blocked_queue_tries_the_key_again_after_its_backoff_by_itself(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    cap = 0.5  # the key backoff (10 minutes when shipped), short and in real time here
    config = SyncConfig(outbox_backoff_base=0.05, outbox_backoff_cap=cap)
    stack = make_stack(emulator.url, rw_key, tmp_path / "cache.sqlite3", clock=SystemClock(), config=config)
    reports: list[DrainReport] = []
    stack.sender.subscribe(reports.append)
    emulator.admin.revoke_key(rw_key)
    await stack.db.run(stack.writes.enqueue_create, new_event("Restored on the server"))
    task = asyncio.create_task(stack.sender.run())
    try:
        async with asyncio.timeout(5):
            while stack.outbox_repo.active()[0].error_code != "invalid_key":
                await asyncio.sleep(0.01)
        emulator.admin.restore_key(rw_key)  # on the server side: nobody wakes the app
        async with asyncio.timeout(cap * 6):
            while stack.outbox_repo.active():
                await asyncio.sleep(0.01)
        assert [e["title"] for e in emulator.admin.all_events()] == ["Restored on the server"]
    finally:
        stack.sender.stop()
        await asyncio.wait_for(task, 5)
        await stack.close()


@pytest.mark.asyncio
async def test_a_poll_does_not_announce_a_create_whose_answer_was_lost(stack: Stack, emulator: EmulatorServer) -> None:
    await stack.poller.sync_once()  # baseline
    emulator.faults.drop_after_next(1, method="POST", path="/api/v1/calendar/events/create")
    local_id = await stack.db.run(stack.writes.enqueue_create, new_event("Mine, not news"))
    await stack.sender.drain()  # reached the server, answer lost

    changes = await stack.poller.sync_once()

    assert not changes  # held for the outbox to adopt: not shown twice, not announced
    assert [e.id for e in stack.events.between(day_at(0, 0), day_at(30, 0))] == [local_id]
    await stack.clock.sleep(5)
    assert (await stack.sender.drain()).sent == 1
    assert not (await stack.poller.sync_once()).remote
    (server,) = emulator.admin.all_events()
    assert [e.id for e in stack.events.between(day_at(0, 0), day_at(30, 0))] == [server["id"]]
