"""Reminders already due when the app learns of them are not "late": the real core against the emulator.

The user creates a call for the next half hour, or an agent books one, while the reminders sleep until their
next due time; a 15-minute reminder is then due before the app ever knew of the event. It was not missed: it
fires once as an ordinary reminder (a create only once the server took it), never as "Late", and a create the
server refused never reminds. The clock runs in real time from a chosen instant and jumps to stand for the
minutes the app sat idle; the wake watch is slowed so the jump is not taken for a suspend. The last story, a
lead time raised past now, runs the scheduler alone on a hand-driven clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from fixtures_emulator import event_body
from reminder_harness import Harness
from shifted_clock import ShiftedClock
from store_factories import BASE, detail
from waiting import until

from klen_desktop.api.models import EventInput
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.notify.messages import reminder_message
from klen_desktop.reminders.due import Reminder
from klen_desktop.store.outbox import OutboxState
from klen_desktop.store.reminder_log import ReminderLogRepository

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

START = BASE + timedelta(hours=1)  # the harness story's 10:00 meeting
DUE = START - timedelta(minutes=15)
IDLE = timedelta(minutes=9)  # the reminders last planned this long ago: they sleep until their next due time


class Desk:
    """The core of a running app on a shifted clock, and the reminders it fired."""

    def __init__(self, server: EmulatorServer, key: str, path: Path) -> None:
        self.clock = ShiftedClock(datetime.now(UTC).replace(microsecond=0))
        server.admin.set_clock(self.clock.now)
        config = CoreConfig(base_url=server.url, api_key=key, db_path=path, wake_check_every=3600)
        self.core = CoreServices(config, clock=self.clock)
        self.log = ReminderLogRepository(self.core.db)
        self.fired: list[Reminder] = []
        self.core.on_reminder(self.fired.append)

    async def start_and_idle(self) -> None:
        self.core.start()
        await until(lambda: self.core.poller.status.last_success is not None, "the first sync")
        await until(lambda: self.log.watermark() is not None, "the reminders' first plan")
        self.clock.jump(IDLE)

    async def replan(self) -> None:
        """What the next change set does: the reminders plan again; returns once they have."""
        when = self.clock.now()
        self.core.reminders.reschedule()
        await until(lambda: (self.log.watermark() or when) > when, "the reminders to plan again")

    def create(self, title: str, start: datetime) -> EventInput:
        return EventInput(
            title=title,
            start_time=start,
            end_time=start + timedelta(minutes=30),
            customer_name="Ann Smith",
            is_reminder_enabled=True,
            remind_before_minutes=15,
        )


@pytest_asyncio.fixture
async def desk(emulator: EmulatorServer, rw_key: str, tmp_path: Path) -> AsyncIterator[Desk]:
    made = Desk(emulator, rw_key, tmp_path / "cache.sqlite3")
    try:
        yield made
    finally:
        await made.core.stop()


async def test_a_call_created_for_the_next_half_hour_reminds_once_and_not_late(
    desk: Desk, emulator: EmulatorServer
) -> None:
    await desk.start_and_idle()
    start = desk.clock.now() + timedelta(minutes=10)  # its reminder was due five minutes ago
    await desk.core.create(desk.create("Call with Ann", start))
    await until(lambda: desk.fired, "the reminder of the new call")
    (reminder,) = desk.fired
    assert not reminder.late
    assert not reminder_message(reminder).title.startswith("Late")
    assert "Late" not in reminder_message(reminder).body
    assert reminder.event_id > 0, "a create reminds only once the server has taken it"
    assert [e["title"] for e in emulator.admin.all_events()] == ["Call with Ann"]
    await desk.replan()
    assert len(desk.fired) == 1, "shown once"


async def test_a_call_an_agent_booked_for_now_plus_ten_minutes_is_not_late(
    desk: Desk, emulator: EmulatorServer
) -> None:
    await desk.start_and_idle()
    start = desk.clock.now() + timedelta(minutes=10)
    (event_id,) = emulator.admin.insert_events(
        [event_body(start, minutes=30, title="Booked by the agent", remind_before_minutes=15, is_reminder_enabled=True)]
    )
    desk.core.poller.poke("test")
    await until(lambda: desk.fired, "the reminder of the booked call")
    assert [(r.event_id, r.late) for r in desk.fired] == [(event_id, False)]


async def test_a_create_the_server_refused_never_reminds(
    make_emulator: Callable[..., EmulatorServer], rw_key: str, tmp_path: Path
) -> None:
    server = make_emulator()
    server.admin.set_permissions(rw_key, can_read=True, can_write=False)
    desk = Desk(server, rw_key, tmp_path / "cache.sqlite3")
    try:
        await desk.start_and_idle()
        start = desk.clock.now() + timedelta(minutes=10)
        await desk.core.create(desk.create("Call with Ann", start))

        def seen_refused() -> bool:
            entries = desk.core.outbox.active()
            return bool(entries) and all(e.state is OutboxState.ATTENTION for e in entries)

        await until(seen_refused, "the server's refusal of the create")
        await desk.replan()
        assert desk.fired == []
    finally:
        await desk.core.stop()


async def test_a_lead_time_raised_past_now_reminds_once_and_not_late(tmp_path: Path) -> None:
    clock = FakeClock(BASE)
    h = Harness(tmp_path / "cache.sqlite3", clock, max_sleep=600.0)  # as the app does: asleep until the next due time
    h.events.upsert_detail(detail(1, START, remind=5), BASE)  # due 09:55
    await h.start()
    try:
        await h.advance_to(BASE + timedelta(minutes=49))  # it last looked at 09:40
        assert h.fired == []
        h.events.upsert_detail(detail(1, START, remind=15), clock.now())  # now due 09:45, before it was set
        await h.poke()
        assert [(r.due_at, r.late) for r in h.fired] == [(DUE, False)]
        # A reminder set for a start already past is not news: dropped, never shown.
        h.events.upsert_detail(detail(2, clock.now() - timedelta(minutes=5)), clock.now())
        await h.poke()
        assert len(h.fired) == 1 and h.summaries == []
    finally:
        await h.stop()
