"""The calendar session's rules, with no window: a user's actions against the emulator over loopback.

Each story builds the real core of one connection (SQLite cache, client, budget, poller, outbox, reminders)
behind a :class:`CalendarSession`, as the app and the command line do, and checks the server and the cache.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fast_sync import FAST_SYNC
from local_zone import local_zone
from session_harness import MakeSession
from waiting import until

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.drafts import EventDraft
from klen_desktop.emulator import EmulatorServer
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.draft_save import DraftSave
from klen_desktop.session.outcomes import Access, Queued, SaveState, WriteRefused
from klen_desktop.store.events import StoredEvent

pytestmark = pytest.mark.asyncio

FAST = FAST_SYNC


def next_hour() -> datetime:
    return (datetime.now(UTC) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)


def titles(server: EmulatorServer) -> list[str]:
    return sorted(e["title"] for e in server.admin.all_events())


async def test_a_new_event_is_queued_sent_and_reported_sent(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    async with make_session(rw_key) as session:
        start = next_hour()
        queued = await session.save(EventDraft(title="Intro call", start=start, end=start + timedelta(minutes=30)))
        assert queued.moved_here is None
        local = await session.event(-queued.seq)
        assert local is not None and local.title == "Intro call", "shown at once under a local id, before it is sent"
        outcome = await session.wait_for_send(queued.seq)
        assert outcome.state is SaveState.SENT
        assert titles(emulator) == ["Intro call"]


async def test_an_edit_that_changes_nothing_is_refused_and_an_edit_that_moves_says_so(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    start = next_hour()
    [event_id] = emulator.admin.insert_events(
        [{"title": "Review", "start_time": start, "end_time": start + timedelta(hours=1)}]
    )
    async with make_session(rw_key) as session:
        await session.sync_once()
        stored = await session.event(event_id)
        assert stored is not None
        draft = EventDraft.from_event(stored)
        with pytest.raises(WriteRefused, match="Nothing was changed"):
            await session.save(draft, stored)
        later = replace(draft, start=start + timedelta(hours=1), end=start + timedelta(hours=2))
        moved = await session.save(later, stored)
        assert moved.moved_here == event_id, "a move withdraws what still shows the old time"
        assert (await session.wait_for_send(moved.seq)).state is SaveState.SENT
        server_copy = emulator.admin.event(event_id)
        assert server_copy is not None and server_copy["start_time"].startswith(
            (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        )


async def refuse_writes_once_known_writable(session: CalendarSession, emulator: EmulatorServer, key: str) -> None:
    """Have the server refuse this key's writes while the session still takes it for writable: a refusal only
    the server can give (the session checks everything else itself)."""
    await until(lambda: session.access.can_write is True, "the key known as writable")
    emulator.admin.set_permissions(key, can_read=True, can_write=False)


async def test_a_refusal_comes_back_with_the_servers_words_and_the_entry_waits(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    async with make_session(rw_key) as session:
        await refuse_writes_once_known_writable(session, emulator, rw_key)
        start = next_hour()
        queued = await session.save(EventDraft(title="Over the limit", start=start, end=start + timedelta(minutes=30)))
        outcome = await session.wait_for_send(queued.seq)
        assert outcome.state is SaveState.REFUSED and outcome.message
        assert [entry.seq for entry in await session.outbox_entries()] == [queued.seq], "kept to fix or discard"
        await session.discard(queued.seq)
        assert not await session.outbox_entries()
        assert titles(emulator) == []


async def test_saving_again_after_a_refusal_resends_that_entry_not_a_second_one(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    async with make_session(rw_key) as session:
        await refuse_writes_once_known_writable(session, emulator, rw_key)

        async def queue(draft: EventDraft, base: StoredEvent | None, resend_seq: int | None) -> int:
            return (await session.save(draft, base, resend_seq=resend_seq)).seq

        flow = DraftSave(queue, session.wait_for_send, None)
        start = next_hour()
        draft = EventDraft(title="Discovery call", start=start, end=start + timedelta(minutes=30))
        refused = await flow.save(draft)
        assert refused.state is SaveState.REFUSED
        emulator.admin.set_permissions(rw_key, can_read=True, can_write=True)
        sent = await flow.save(replace(draft, title="Discovery call (moved up)"))
        assert sent.state is SaveState.SENT and sent.seq == refused.seq
        assert not await session.outbox_entries()
        assert titles(emulator) == ["Discovery call (moved up)"], "one event: the refused entry went, corrected"


async def test_a_read_only_key_is_known_and_every_write_is_refused_with_the_reason(
    make_session: MakeSession, emulator: EmulatorServer, ro_key: str
) -> None:
    async with make_session(ro_key) as session:
        seen: list[Access] = []
        session.on_access(seen.append)
        await until(lambda: session.access.read_only, "the key's access to be known")
        assert seen and seen[-1].read_only
        start = next_hour()
        for write in (
            session.save(EventDraft(title="Nope", start=start, end=start + timedelta(minutes=30))),
            session.book(start, start + timedelta(minutes=30)),
            session.cancel(1, "no"),
            session.change_status(1, EventStatus.CONFIRMED),
        ):
            with pytest.raises(WriteRefused, match="can_write_calendar"):
                await write
        assert not await session.outbox_entries()


async def test_status_outcomes_and_a_cancel_with_its_reason_reach_the_server(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    start = next_hour()
    first, second = emulator.admin.insert_events(
        [
            {"title": "Confirm me", "start_time": start, "end_time": start + timedelta(minutes=30)},
            {"title": "Cancel me", "start_time": start, "end_time": start + timedelta(minutes=30)},
        ]
    )
    async with make_session(rw_key) as session:
        await session.sync_once()
        confirmed = await session.change_status(first, EventStatus.CONFIRMED)
        cancelled = await session.cancel(second, "  Customer asked to move it  ")
        assert cancelled.moved_here == second and confirmed.moved_here is None
        for seq in (confirmed.seq, cancelled.seq):
            assert (await session.wait_for_send(seq)).state is SaveState.SENT
        first_copy, second_copy = emulator.admin.event(first), emulator.admin.event(second)
        assert first_copy is not None and first_copy["status"] == "confirmed"
        assert second_copy is not None and second_copy["status"] == "cancelled"
        assert "Customer asked to move it" in (second_copy.get("customer", {}).get("notes") or "")


async def test_after_a_write_reaches_the_server_the_cached_details_carry_its_update_time(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    start, long_ago = next_hour(), (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    [event_id] = emulator.admin.insert_events(
        [{"title": "Visit", "start_time": start, "end_time": start + timedelta(minutes=30), "updated_at": long_ago}]
    )
    async with make_session(rw_key) as session:
        refreshed: list[None] = []
        session.on_details_refreshed(lambda: refreshed.append(None))
        await session.sync_once()
        opened = await session.fetch_detail(event_id)  # the user opened it: its details are cached
        assert opened is not None and opened.detail is not None and opened.detail.updated_at == long_ago

        async def read_again_after(queued: Queued) -> None:
            assert (await session.wait_for_send(queued.seq)).state is SaveState.SENT
            server = emulator.admin.event(event_id)
            assert server is not None
            await until(lambda: refreshed, "the details read again")
            refreshed.clear()
            stored = await session.event(event_id)
            assert stored is not None and stored.detail is not None
            assert stored.detail.updated_at == datetime.fromisoformat(server["updated_at"].replace("Z", "+00:00"))

        await read_again_after(await session.save(replace(EventDraft.from_event(opened), location="Gate 2"), opened))
        await read_again_after(await session.change_status(event_id, EventStatus.CONFIRMED))


async def test_an_outcome_for_an_event_that_has_not_started_is_refused_with_the_reason(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    start = next_hour()
    [ahead] = emulator.admin.insert_events(
        [{"title": "Ahead", "start_time": start, "end_time": start + timedelta(minutes=30), "status": "confirmed"}]
    )
    async with make_session(rw_key) as session:
        await session.sync_once()
        for outcome in (EventStatus.COMPLETED, EventStatus.NO_SHOW):
            with pytest.raises(WriteRefused, match="once the event has started"):
                await session.change_status(ahead, outcome)
        assert not await session.outbox_entries(), "nothing queued"
        copy = emulator.admin.event(ahead)
        assert copy is not None and copy["status"] == "confirmed"


async def test_the_next_free_slot_skips_what_is_booked_and_booking_it_makes_a_busy_block(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    # Tomorrow 10:00 UTC in a UTC zone: the emulator offers 09:00-17:00 UTC, so the day has free time left.
    now = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    [blocker] = emulator.admin.insert_events(
        [{"title": "Taken", "start_time": now, "end_time": now + timedelta(minutes=30), "status": "confirmed"}]
    )
    with local_zone("UTC"):
        async with make_session(rw_key) as session:
            slot = await session.next_free_slot(now, 30)
            assert slot is not None and slot.start == now + timedelta(minutes=30), "the booked 10:00 is skipped"
            booked = await session.book(slot.start, slot.end)
            assert (await session.wait_for_send(booked.seq)).state is SaveState.SENT
            [event] = [e for e in emulator.admin.all_events() if e["id"] != blocker]
            assert event["event_type"] == EventType.BUSY.value and event["status"] == "confirmed"
            again = await session.next_free_slot(now, 30)
            assert again is not None and again.start == slot.end, "the slot just booked is not offered again"


async def test_a_wait_for_send_ends_when_the_outbox_settles_not_on_a_timer(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    async with make_session(rw_key) as session:
        settled: list[object] = []
        session.on_outbox_settled(settled.append)
        start = next_hour()
        queued = await session.save(EventDraft(title="Quick", start=start, end=start + timedelta(minutes=30)))
        began = asyncio.get_running_loop().time()
        outcome = await session.wait_for_send(queued.seq, timeout=30)
        assert outcome.state is SaveState.SENT and settled
        assert asyncio.get_running_loop().time() - began < 5
