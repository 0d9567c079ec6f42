"""Reminders across time jumps: a suspend, a clock corrected backwards, a day skipped, a DST change.

The real scheduler runs on a real database file and a FakeClock. ``clock.suspend`` models a laptop lid closed:
the wall clock moves on while the scheduler's pending sleep (monotonic, as asyncio's is) still runs its
course, so the scheduler notices only when its bounded slice (``max_sleep``, 60 s) ends. ``Harness.jump``
models a jump every sleeper sees at once (an NTP step, a user setting the clock).

The product rule under test: reminders missed while away come back as ONE summary, never as a flood of old
alarms; a reminder still worth showing is shown once; a dismissed one never comes back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fake_clock import FakeClock
from local_zone import local_zone
from reminder_harness import Harness
from store_factories import BASE, detail

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventInput, EventPatch, EventStatus
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.store.reminder_log import ReminderState

pytestmark = pytest.mark.timeout(60)

SLICE = timedelta(seconds=60)  # the scheduler's default max_sleep


def at(hours: float) -> datetime:
    """``hours`` after 09:00 UTC on the test day."""
    return BASE + timedelta(hours=hours)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BASE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache.sqlite3"


# ----- a suspend over many due reminders -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_three_hour_suspend_gives_one_summary_and_the_live_reminder_once(db_path: Path, clock: FakeClock) -> None:
    h = Harness(db_path, clock)
    for n, start in enumerate((at(0.5), at(1), at(1.5), at(2), at(2.5)), start=1):
        h.events.upsert_detail(detail(n, start, minutes=30), BASE)  # due 09:15 … 11:15, all over by 12:00
    h.events.upsert_detail(detail(6, at(3) + timedelta(minutes=5), minutes=30, remind=20), BASE)  # due 11:45
    h.events.upsert_detail(detail(7, at(4), minutes=30), BASE)  # 13:00, due 12:45: after the wake
    await h.start()
    try:
        clock.suspend(3 * 3600)  # the lid closes at 09:00 and opens at 12:00
        assert h.fired == [] and h.summaries == []  # asleep in its slice: nothing yet, and nothing replayed
        await h.advance(SLICE.total_seconds())  # the slice ends: the scheduler sees the jump within 60 s

        assert len(h.summaries) == 1, "six missed reminders must come back as one summary"
        assert [e.id for e in h.summaries[0].events] == [1, 2, 3, 4, 5]
        assert [(r.event_id, r.late) for r in h.fired] == [(6, True)]  # its event has not started: shown once
        assert {h.log.get(n, at(n / 2) - timedelta(minutes=15)).state for n in range(1, 6)} == {  # type: ignore[union-attr]
            ReminderState.MISSED
        }

        await h.advance_to(at(3.75))  # 12:45
        assert [(r.event_id, r.late) for r in h.fired] == [(6, True), (7, False)]
        await h.advance_to(at(6))
        await h.poke()  # a sync afterwards changes nothing
        assert len(h.fired) == 2 and len(h.summaries) == 1
    finally:
        await h.stop()

    again = Harness(db_path, clock)  # and a restart replays nothing
    await again.start()
    try:
        assert again.fired == [] and again.summaries == []
    finally:
        await again.stop()


@pytest.mark.asyncio
async def test_a_snooze_that_ends_during_the_suspend_is_shown_once_if_the_event_is_still_on(
    db_path: Path, clock: FakeClock
) -> None:
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(1, at(1), minutes=120), BASE)  # 10:00-12:00, due 09:45
    h.events.upsert_detail(detail(2, at(1), minutes=30), BASE)  # 10:00-10:30, due 09:45
    await h.start()
    try:
        await h.advance_to(at(0.75))
        assert sorted(r.event_id for r in h.fired) == [1, 2]
        await h.snooze(1, at(0.75), 5)  # again at 09:50
        await h.snooze(2, at(0.75), 5)
        clock.suspend(2 * 3600)  # until 11:45: event 1 still runs, event 2 is over
        await h.advance(SLICE.total_seconds())
        assert [(r.event_id, r.snoozed, r.late) for r in h.fired[2:]] == [(1, True, True)]
        assert h.summaries == []  # an expired snooze is closed silently: the user saw it already
        entry = h.log.get(2, at(0.75))
        assert entry is not None and entry.state is ReminderState.MISSED
    finally:
        await h.stop()


# ----- the clock goes back --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_clock_back_two_hours_fires_nothing_twice_and_keeps_the_snooze_absolute(
    db_path: Path, clock: FakeClock
) -> None:
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(1, at(1)), BASE)  # 10:00, due 09:45
    h.events.upsert_detail(detail(2, at(1.5)), BASE)  # 10:30, due 10:15
    await h.start()
    try:
        await h.advance_to(at(0.75))
        assert [r.event_id for r in h.fired] == [1]
        until = await h.snooze(1, at(0.75), 15)
        assert until == at(1)

        await h.jump(at(0.75) - timedelta(hours=2))  # 07:45: the clock is corrected backwards
        entry = h.log.get(1, at(0.75))
        assert entry is not None and entry.state is ReminderState.SNOOZED and entry.snoozed_until == at(1)
        await h.advance_to(at(1) - timedelta(seconds=1))  # past 09:45 a second time
        assert [r.event_id for r in h.fired] == [1], "a fired reminder must not fire again when its time comes back"
        await h.advance(1)  # 10:00 on the wall clock: the snooze ends at the instant the user chose
        assert [(r.event_id, r.snoozed, r.fire_at) for r in h.fired[1:]] == [(1, True, at(1))]
        await h.advance_to(at(1.25))
        assert [r.event_id for r in h.fired] == [1, 1, 2]

        await h.jump(at(1.25) - timedelta(hours=2))  # back again, after everything fired
        await h.advance_to(at(3))
        assert [r.event_id for r in h.fired] == [1, 1, 2] and h.summaries == []
    finally:
        await h.stop()


# ----- a day skipped ---------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_clock_forward_a_day_floods_nothing_from_yesterday(db_path: Path, clock: FakeClock) -> None:
    h = Harness(db_path, clock)
    yesterday = [at(1), at(2), at(5), at(7)]  # 10:00, 11:00, 14:00, 16:00: over by tomorrow
    for n, start in enumerate(yesterday, start=1):
        h.events.upsert_detail(detail(n, start), BASE)
    tomorrow = at(24)
    h.events.upsert_detail(detail(10, tomorrow - timedelta(minutes=15), minutes=60), BASE)  # 08:45-09:45: on
    h.events.upsert_detail(detail(11, tomorrow + timedelta(minutes=30)), BASE)  # 09:30, due 09:15
    await h.start()
    try:
        await h.advance_to(at(0.75))
        assert [r.event_id for r in h.fired] == [1]
        await h.snooze(1, at(0.75), 10)  # snoozed to 09:55, but the clock jumps first
        await h.jump(tomorrow)
        assert [(r.event_id, r.late) for r in h.fired[1:]] == [(10, True)]
        assert len(h.summaries) == 1, "yesterday comes back as one summary at most"
        assert [e.id for e in h.summaries[0].events] == [2, 3, 4]  # event 1 was shown already
        await h.advance_to(tomorrow + timedelta(minutes=15))
        assert [(r.event_id, r.late) for r in h.fired[1:]] == [(10, True), (11, False)]
        await h.poke()
        assert len(h.summaries) == 1 and len(h.fired) == 3
    finally:
        await h.stop()


@pytest.mark.asyncio
async def test_a_clock_wrong_by_a_day_for_a_minute_loses_no_reminder(db_path: Path, clock: FakeClock) -> None:
    h = Harness(db_path, clock)
    h.events.upsert_detail(detail(1, at(2)), BASE)  # 11:00, due 10:45
    h.events.upsert_detail(detail(2, at(0.5), minutes=30), BASE)  # 09:30-10:00, due 09:15
    await h.start()
    try:
        await h.jump(at(24))  # a bad RTC or NTP answer: tomorrow 09:00, so today's reminders look missed
        assert [[e.id for e in s.events] for s in h.summaries] == [[2, 1]]  # soonest due first
        await h.jump(BASE + timedelta(minutes=1))  # corrected a minute later
        await h.advance_to(at(0.25))
        assert [(r.event_id, r.late) for r in h.fired] == [(2, False)], "a reminder was lost to the wrong clock"
        await h.advance_to(at(1.75))
        assert [(r.event_id, r.late) for r in h.fired] == [(2, False), (1, False)]
        await h.advance_to(at(5))
        assert len(h.fired) == 2 and len(h.summaries) == 1
    finally:
        await h.stop()


# ----- Dismiss means never again ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_dismissed_never_comes_back_across_restarts_and_jumps(db_path: Path, clock: FakeClock) -> None:
    first = Harness(db_path, clock)
    first.events.upsert_detail(detail(1, at(1)), BASE)  # due 09:45
    first.events.upsert_detail(detail(2, at(2)), BASE)  # due 10:45
    await first.start()
    await first.advance_to(at(0.75))
    assert [r.event_id for r in first.fired] == [1]
    await first.dismiss(1, at(0.75))  # after it was shown
    await first.dismiss(2, at(1.75))  # before it was due
    await first.stop()

    stories = [at(-1), at(0.5), at(1.9), at(26), at(0.7)]  # back, forward, a day later, and back again
    for when in stories:
        clock.set(when)
        h = Harness(db_path, clock)
        # A sync brings the same events again, as a poll after a restart would.
        h.events.upsert_detail(detail(1, at(1)), when)
        h.events.upsert_detail(detail(2, at(2)), when)
        await h.start()
        try:
            await h.jump(when + timedelta(hours=3))
            await h.jump(when - timedelta(hours=2))
            await h.advance_to(when + timedelta(hours=1))
            assert h.fired == [], f"a dismissed reminder came back (clock at {when:%d %H:%M})"
            assert h.summaries == [], f"a dismissed reminder was summarised (clock at {when:%d %H:%M})"
            for event_id, due in ((1, at(0.75)), (2, at(1.75))):
                entry = h.log.get(event_id, due)
                assert entry is not None and entry.state is ReminderState.DISMISSED
        finally:
            await h.stop()


# ----- the local zone changes, the reminders do not ----------------------------------------------------------------

# 2026-10-25 01:00 UTC: Berlin goes from 03:00 CEST back to 02:00 CET. 2026-03-29 01:00 UTC: 02:00 CET to 03:00 CEST.
DST_CASES = [
    pytest.param(datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "autumn", id="autumn-back"),
    pytest.param(datetime(2026, 3, 29, 0, 0, tzinfo=UTC), "spring", id="spring-forward"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("midnight", "_season"), DST_CASES)
async def test_dst_change_does_not_shift_reminders(db_path: Path, midnight: datetime, _season: str) -> None:
    clock = FakeClock(midnight)
    # One event on each side of the change; the second reminder falls due right around it.
    starts = [midnight + timedelta(minutes=30), midnight + timedelta(minutes=70), midnight + timedelta(hours=2)]
    with local_zone("Europe/Berlin"):
        h = Harness(db_path, clock)
        for n, start in enumerate(starts, start=1):
            h.events.upsert_detail(detail(n, start, minutes=30), midnight)
        await h.start()
        try:
            await h.advance_to(starts[0] - timedelta(minutes=15))
            with local_zone("Asia/Tokyo"):  # and the user flies to Tokyo meanwhile
                await h.poke()
                await h.advance_to(starts[1] - timedelta(minutes=15))
            await h.advance_to(starts[2])
            fired = [(r.event_id, h.log.get(r.event_id, r.due_at)) for r in h.fired]
            assert [n for n, _ in fired] == [1, 2, 3] and not any(r.late for r in h.fired)
            for (n, entry), start in zip(fired, starts, strict=True):
                assert entry is not None and entry.fired_at == start - timedelta(minutes=15), n
                assert (start - entry.fired_at).total_seconds() == 15 * 60  # real minutes, whatever the wall says
        finally:
            await h.stop()


# ----- a suspend with the server changing meanwhile (the emulator, over loopback) ----------------------------------

LEAD = timedelta(minutes=15)


async def create_and_cache(client: KlenClient, h: Harness, title: str, start: datetime, minutes: int) -> int:
    written = await client.create_event(
        EventInput(
            title=title,
            start_time=start,
            end_time=start + timedelta(minutes=minutes),
            customer_name="Ann Smith",
            is_reminder_enabled=True,
            remind_before_minutes=int(LEAD.total_seconds() // 60),
        )
    )
    h.events.upsert_detail(await client.get_event(written.id), h.clock.now())
    return written.id


@pytest_asyncio.fixture
async def online(emulator: Any, rw_key: str, tmp_path: Path) -> AsyncIterator[tuple[Harness, KlenClient, datetime]]:
    nine = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FakeClock(nine)
    client = KlenClient(emulator.url, rw_key, retry=NO_RETRY, timeout=5.0)
    h = Harness(tmp_path / "cache.sqlite3", clock, refresh=client.get_event)
    try:
        yield h, client, nine
    finally:
        await h.stop()
        await client.aclose()


@pytest.mark.asyncio
async def test_wake_asks_the_server_before_showing_a_late_reminder(
    online: tuple[Harness, KlenClient, datetime],
) -> None:
    h, client, nine = online
    ended_a = await create_and_cache(client, h, "Intake", nine + timedelta(minutes=30), 30)  # over at 10:00
    ended_b = await create_and_cache(client, h, "Follow-up", nine + timedelta(hours=1), 30)  # over at 10:30
    cancelled = await create_and_cache(client, h, "Fitting", nine + timedelta(hours=2), 30)  # 11:00-11:30
    moved = await create_and_cache(client, h, "Review", nine + timedelta(hours=2, minutes=30), 60)  # 11:30
    await h.start()

    clock_at_wake = nine + timedelta(hours=2, minutes=20)  # 11:20
    h.clock.suspend((clock_at_wake - nine).total_seconds())
    # While the laptop slept, the office changed two of them on the server.
    await client.cancel_event(cancelled, reason="Customer called to cancel")
    later = nine + timedelta(hours=4)  # 13:00, due 12:45
    await client.update_event(moved, EventPatch(start_time=later, end_time=later + timedelta(hours=1)))
    await h.advance(SLICE.total_seconds())

    assert [[e.id for e in s.events] for s in h.summaries] == [[ended_a, ended_b]]
    assert h.fired == [], "a late reminder must be checked with the server before it is shown"
    stored = h.events.get(cancelled)
    assert stored is not None and stored.status is EventStatus.CANCELLED
    await h.advance_to(later - LEAD)
    assert [(r.event_id, r.due_at, r.late) for r in h.fired] == [(moved, later - LEAD, False)]
    assert len(h.summaries) == 1
