"""Reminder stories with an injected clock and a real database file.

The calendar has a 10:00 meeting whose details ask for a reminder 15 minutes before; the clock starts at
09:00. Each story moves time the way a day (or a laptop lid) would and checks what the user was shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from reminder_harness import Harness, ServerView
from store_factories import BASE, detail, summary

from klen_desktop.api.models import EventStatus
from klen_desktop.clock import SystemClock
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.scheduler import ReminderScheduler
from klen_desktop.reminders.snooze import SNOOZE_MINUTES, UNTIL_START
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.reminder_log import ReminderLogRepository, ReminderState

START = BASE + timedelta(hours=1)  # 10:00
DUE = START - timedelta(minutes=15)  # 09:45


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BASE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache.sqlite3"


@pytest_asyncio.fixture
async def app(db_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(1, START, remind=15), BASE)
    await h.start()
    yield h
    await h.stop()


@pytest.mark.asyncio
async def test_fires_on_time_once(app: Harness, clock: FakeClock) -> None:
    await app.advance_to(DUE - timedelta(seconds=1))
    assert app.fired == []
    assert clock.sleepers == [DUE]  # it sleeps exactly until the due time: no ticking
    await app.advance(1)
    assert [(r.event_id, r.due_at, r.late, r.snoozed) for r in app.fired] == [(1, DUE, False, False)]
    assert app.fired[0].title == "Event 1" and app.fired[0].start_time == START
    entry = app.log.get(1, DUE)
    assert entry is not None and entry.state is ReminderState.FIRED and entry.fired_at == DUE
    await app.advance_to(START + timedelta(hours=2))
    assert len(app.fired) == 1 and app.summaries == []


@pytest.mark.asyncio
@pytest.mark.parametrize("minutes", SNOOZE_MINUTES)
async def test_snooze_fires_again_after_the_interval(app: Harness, minutes: int) -> None:
    await app.advance_to(DUE)
    assert len(app.fired) == 1
    until = await app.snooze(1, DUE, minutes)
    assert until == DUE + timedelta(minutes=minutes)
    await app.advance_to(until - timedelta(seconds=1))
    assert len(app.fired) == 1
    await app.advance(1)
    assert len(app.fired) == 2
    again = app.fired[1]
    assert (again.due_at, again.fire_at, again.snoozed, again.late) == (DUE, until, True, False)
    await app.advance_to(START + timedelta(hours=2))
    assert len(app.fired) == 2


@pytest.mark.asyncio
async def test_snooze_until_start(app: Harness) -> None:
    await app.advance_to(DUE)
    assert await app.snooze(1, DUE, UNTIL_START) == START
    await app.advance_to(START - timedelta(seconds=1))
    assert len(app.fired) == 1
    await app.advance(1)
    assert len(app.fired) == 2 and app.fired[1].fire_at == START


@pytest.mark.asyncio
async def test_snooze_until_a_start_already_past_dismisses(app: Harness) -> None:
    await app.advance_to(START + timedelta(minutes=1))  # a late reminder seen after the start
    assert len(app.fired) == 1
    assert await app.snooze(1, DUE, UNTIL_START) is None
    entry = app.log.get(1, DUE)
    assert entry is not None and entry.state is ReminderState.DISMISSED


@pytest.mark.asyncio
async def test_snooze_rejects_nonsense(app: Harness) -> None:
    with pytest.raises(ValueError, match="positive number of minutes"):
        await app.snooze(1, DUE, 0)


@pytest.mark.asyncio
async def test_dismiss_before_due_means_it_never_fires(app: Harness) -> None:
    await app.dismiss(1, DUE)
    await app.advance_to(START + timedelta(hours=2))
    assert app.fired == []


@pytest.mark.asyncio
async def test_dismiss_a_snoozed_reminder(app: Harness) -> None:
    await app.advance_to(DUE)
    await app.snooze(1, DUE, 5)
    await app.dismiss(1, DUE)
    await app.advance_to(START + timedelta(hours=2))
    assert len(app.fired) == 1


@pytest.mark.asyncio
async def test_restart_never_fires_the_same_reminder_twice(db_path: Path, clock: FakeClock) -> None:
    first = Harness(db_path, clock)
    first.events.upsert_detail(detail(1, START), BASE)
    first.events.upsert_detail(detail(2, START + timedelta(hours=1)), BASE)  # due 10:45
    await first.start()
    await first.advance_to(DUE)
    assert [r.event_id for r in first.fired] == [1]
    await first.snooze(1, DUE, 10)  # snoozed until 09:55, then the app quits
    await first.dismiss(2, START + timedelta(minutes=45))
    await first.stop()

    second = Harness(db_path, clock)
    await second.start()
    try:
        assert second.fired == []
        await second.advance_to(DUE + timedelta(minutes=10))
        assert [(r.event_id, r.snoozed) for r in second.fired] == [(1, True)]
        await second.advance_to(START + timedelta(hours=3))
        assert len(second.fired) == 1 and second.summaries == []
    finally:
        await second.stop()

    third = Harness(db_path, clock)
    await third.start()
    try:
        assert third.fired == [] and third.summaries == []
    finally:
        await third.stop()


@pytest.mark.asyncio
async def test_a_restart_before_the_start_hands_on_the_reminders_shown_and_left_alone(
    db_path: Path, clock: FakeClock
) -> None:
    """For the Starting-now window: a restart between a reminder and its event's start hands the reminder on
    (never shown again); not one the user snoozed or dismissed, nor one whose event started or was cancelled."""
    first = Harness(db_path, clock)
    first.events.upsert_detail(detail(1, START), BASE)  # due 09:45: shown, nothing done with it
    first.events.upsert_detail(detail(2, START + timedelta(minutes=5)), BASE)  # due 09:50: snoozed
    first.events.upsert_detail(detail(3, START + timedelta(minutes=10)), BASE)  # due 09:55: dismissed
    first.events.upsert_detail(detail(4, START - timedelta(minutes=6)), BASE)  # 09:54: started by the restart
    first.events.upsert_detail(detail(5, START + timedelta(minutes=20)), BASE)  # due 10:05: not yet due
    first.events.upsert_detail(detail(6, START + timedelta(minutes=1)), BASE)  # due 09:46: cancelled later
    await first.start()
    await first.advance_to(DUE + timedelta(minutes=10))
    assert sorted(r.event_id for r in first.fired) == [1, 2, 3, 4, 6]
    await first.snooze(2, START - timedelta(minutes=10), 15)
    await first.dismiss(3, START - timedelta(minutes=5))
    await first.stop()
    assert first.shown_before == [], "a first start has nothing to hand on"

    second = Harness(db_path, clock)
    second.events.upsert_detail(detail(6, START + timedelta(minutes=1), status=EventStatus.CANCELLED), BASE)
    clock.advance(60)  # 09:56: the app back a minute later
    await second.start()
    try:
        assert [(r.event_id, r.due_at, r.start_time) for r in second.shown_before] == [(1, DUE, START)]
        assert second.fired == [], "never shown again"
    finally:
        await second.stop()


@pytest.mark.asyncio
async def test_sleep_through_due_times_fires_late_once_and_summarises_the_rest(db_path: Path, clock: FakeClock) -> None:
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(1, START), BASE)  # 10:00-11:00, due 09:45: still running at 10:20
    h.events.upsert_detail(detail(2, BASE + timedelta(minutes=30), minutes=10), BASE)  # 09:30-09:40: ended
    h.events.upsert_detail(detail(3, BASE + timedelta(minutes=50), minutes=5), BASE)  # 09:50-09:55: ended
    h.events.upsert_detail(detail(4, BASE + timedelta(minutes=90)), BASE)  # 10:30, due 10:15: late
    h.events.upsert_detail(detail(5, BASE + timedelta(hours=3)), BASE)  # 12:00, due 11:45: pending
    await h.start()
    try:
        await h.jump(BASE + timedelta(minutes=80))  # the lid opens at 10:20
        assert [(r.event_id, r.late) for r in h.fired] == [(1, True), (4, True)]
        assert len(h.summaries) == 1
        assert [e.id for e in h.summaries[0].events] == [2, 3] and h.summaries[0].count == 2
        await h.advance_to(BASE + timedelta(hours=2, minutes=45) - timedelta(seconds=1))
        assert len(h.fired) == 2
        await h.advance(1)
        assert [r.event_id for r in h.fired] == [1, 4, 5] and not h.fired[2].late
        await h.poke()
        assert len(h.fired) == 3 and len(h.summaries) == 1
    finally:
        await h.stop()


@pytest.mark.asyncio
async def test_late_start_after_the_app_was_closed(db_path: Path, clock: FakeClock) -> None:
    first = Harness(db_path, clock)
    first.events.upsert_detail(detail(1, START), BASE)
    first.events.upsert_detail(detail(2, BASE + timedelta(minutes=30), minutes=10), BASE)
    first.events.upsert_detail(detail(3, BASE - timedelta(hours=2)), BASE)  # long over before the app ran
    await first.start()
    await first.stop()
    clock.set(BASE + timedelta(minutes=70))  # the app starts again at 10:10
    second = Harness(db_path, clock)
    await second.start()
    try:
        assert [(r.event_id, r.late) for r in second.fired] == [(1, True)]
        assert [[e.id for e in s.events] for s in second.summaries] == [[2]]
    finally:
        await second.stop()


@pytest.mark.asyncio
async def test_first_start_ever_does_not_summarise_old_events(db_path: Path, clock: FakeClock) -> None:
    clock.set(BASE + timedelta(minutes=70))
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(2, BASE + timedelta(minutes=30), minutes=10), BASE)
    await h.start()
    try:
        assert h.summaries == [] and h.fired == []
    finally:
        await h.stop()


@pytest.mark.asyncio
async def test_clock_jumps_backwards(app: Harness, clock: FakeClock) -> None:
    await app.advance_to(DUE - timedelta(minutes=5))
    await app.jump(BASE - timedelta(hours=1))  # 08:00: a wrong clock corrected backwards
    assert app.fired == []
    await app.advance_to(DUE - timedelta(seconds=1))
    assert app.fired == []
    await app.advance(1)
    assert len(app.fired) == 1 and not app.fired[0].late
    await app.jump(BASE)  # back again, then forward past the due time once more
    await app.advance_to(DUE + timedelta(minutes=5))
    assert len(app.fired) == 1 and app.summaries == []


@pytest.mark.asyncio
async def test_sync_moves_the_event_meanwhile(app: Harness) -> None:
    await app.advance_to(DUE - timedelta(minutes=10))
    app.events.upsert_summaries([summary(1, START + timedelta(hours=1))])  # now 11:00, due 10:45
    await app.poke()
    await app.advance_to(DUE + timedelta(minutes=30))
    assert app.fired == []
    await app.advance_to(DUE + timedelta(hours=1))
    assert [(r.due_at, r.late) for r in app.fired] == [(DUE + timedelta(hours=1), False)]


@pytest.mark.asyncio
async def test_sync_cancels_the_event_meanwhile(app: Harness) -> None:
    app.events.upsert_summaries([summary(1, START, status=EventStatus.CANCELLED)])
    await app.poke()
    await app.advance_to(START + timedelta(hours=2))
    assert app.fired == [] and app.summaries == []


@pytest.mark.asyncio
async def test_sync_disables_the_reminder_meanwhile(app: Harness) -> None:
    app.events.upsert_detail(detail(1, START, enabled=False), BASE)
    await app.poke()
    await app.advance_to(START + timedelta(hours=2))
    assert app.fired == []


@pytest.mark.asyncio
async def test_sync_changes_the_lead_time(app: Harness) -> None:
    app.events.upsert_detail(detail(1, START, remind=30), BASE)
    await app.poke()
    await app.advance_to(START - timedelta(minutes=30))
    assert [r.due_at for r in app.fired] == [START - timedelta(minutes=30)]
    await app.advance_to(START)
    assert len(app.fired) == 1


@pytest.mark.asyncio
async def test_events_without_details_use_the_default_lead_time(db_path: Path, clock: FakeClock) -> None:
    h = Harness(db_path, clock, default_minutes=10)
    h.events.upsert_summaries([summary(7, START)])
    await h.start()
    try:
        await h.advance_to(START - timedelta(minutes=10))
        assert [(r.event_id, r.due_at) for r in h.fired] == [(7, START - timedelta(minutes=10))]
    finally:
        await h.stop()


@pytest.mark.asyncio
async def test_reminder_is_logged_before_subscribers_are_called(app: Harness) -> None:
    seen: list[ReminderState | None] = []

    def check(reminder: object) -> None:
        entry = app.log.get(1, DUE)
        seen.append(None if entry is None else entry.state)
        raise RuntimeError("a broken subscriber")

    app.scheduler.subscribe(check)
    await app.advance_to(DUE)
    assert seen == [ReminderState.FIRED]
    assert len(app.fired) == 1  # the other subscriber still got it


@pytest.mark.asyncio
async def test_run_twice_is_refused(app: Harness) -> None:
    with pytest.raises(RuntimeError, match="already running"):
        await app.scheduler.run()


# ----- re-reading the event just before it fires -------------------------------------------------


@pytest_asyncio.fixture
async def online(db_path: Path, clock: FakeClock) -> AsyncIterator[tuple[Harness, ServerView]]:
    server = ServerView()
    server.clock = clock
    server.details[1] = detail(1, START)
    h = Harness(db_path, clock, refresh=server.refresh, refresh_timeout=0.2)
    h.events.upsert_detail(detail(1, START), BASE)
    await h.start()
    yield h, server
    await h.stop()


@pytest.mark.asyncio
async def test_event_is_reread_just_before_it_fires(online: tuple[Harness, ServerView], clock: FakeClock) -> None:
    h, server = online
    await h.advance_to(DUE - timedelta(seconds=10))
    assert clock.sleepers == [DUE - timedelta(seconds=3)]
    await h.advance_to(DUE)
    assert server.calls == [(1, DUE - timedelta(seconds=3))]
    assert [(r.event_id, r.late) for r in h.fired] == [(1, False)]


@pytest.mark.asyncio
async def test_cancelled_meanwhile_on_the_server(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    server.details[1] = detail(1, START, status=EventStatus.CANCELLED)
    await h.advance_to(START + timedelta(hours=2))
    assert h.fired == []
    stored = h.events.get(1)
    assert stored is not None and stored.status is EventStatus.CANCELLED


@pytest.mark.asyncio
async def test_deleted_meanwhile_on_the_server(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    del server.details[1]
    await h.advance_to(START + timedelta(hours=2))
    assert h.fired == [] and h.summaries == []
    entry = h.log.get(1, DUE)
    assert entry is not None and entry.state is ReminderState.DROPPED
    assert len(server.calls) == 1


@pytest.mark.asyncio
async def test_moved_meanwhile_on_the_server(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    later = START + timedelta(hours=1)
    server.details[1] = detail(1, later)
    await h.advance_to(DUE + timedelta(minutes=59))
    assert h.fired == []
    await h.advance_to(later - timedelta(minutes=15))
    assert [(r.due_at, r.late) for r in h.fired] == [(later - timedelta(minutes=15), False)]


@pytest.mark.asyncio
async def test_reminder_disabled_meanwhile_on_the_server(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    server.details[1] = detail(1, START, enabled=False)
    await h.advance_to(START + timedelta(hours=2))
    assert h.fired == []


@pytest.mark.asyncio
async def test_offline_fires_from_the_cache(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    server.offline = True
    server.details[1] = detail(1, START, status=EventStatus.CANCELLED)  # unseen: we cannot reach it
    await h.advance_to(DUE)
    assert [(r.event_id, r.late) for r in h.fired] == [(1, False)]
    assert len(server.calls) == 1


@pytest.mark.asyncio
async def test_a_hanging_server_does_not_hold_the_reminder(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    server.hang = True
    await h.advance_to(DUE)
    assert [r.event_id for r in h.fired] == [1]


@pytest.mark.asyncio
async def test_local_events_fire_from_the_cache(online: tuple[Harness, ServerView]) -> None:
    h, server = online
    h.events.upsert_summaries([summary(-3, START + timedelta(minutes=5))])  # a queued create, due 09:50
    await h.poke()
    await h.advance_to(DUE + timedelta(minutes=5))
    assert [r.event_id for r in h.fired] == [1, -3]
    assert [c[0] for c in server.calls] == [1]


# ----- the real clock ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_fires_within_a_second_on_the_real_clock(db_path: Path) -> None:
    db = Database(db_path)
    events = EventRepository(db)
    start = datetime.now(UTC) + timedelta(minutes=15, seconds=0.4)
    events.upsert_summaries([summary(1, start)])
    scheduler = ReminderScheduler(db, events, ReminderLogRepository(db), SystemClock(), default_minutes=15)
    shown: asyncio.Future[tuple[Reminder, datetime]] = asyncio.get_running_loop().create_future()

    def on_fire(reminder: Reminder) -> None:
        if not shown.done():
            shown.set_result((reminder, datetime.now(UTC)))

    scheduler.subscribe(on_fire)
    task = asyncio.ensure_future(scheduler.run())
    try:
        reminder, at = await asyncio.wait_for(shown, timeout=5)
        due = start - timedelta(minutes=15)
        assert reminder.due_at == due.replace(microsecond=due.microsecond // 1000 * 1000)
        assert timedelta(0) <= at - reminder.due_at < timedelta(seconds=1)
    finally:
        scheduler.stop()
        await asyncio.wait_for(task, timeout=5)
        db.close()
