"""Pure due-time rules: what is due, late, missed or pending at one instant."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from store_factories import BASE, detail, summary

from klen_desktop.api.models import EventStatus
from klen_desktop.reminders.due import DuePlan, due_reminders, known_key, reminder_due_at
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.store.reminder_log import LogEntry, LogKey, ReminderState


def cached(
    event_id: int,
    start: datetime = BASE,
    *,
    with_detail: bool = True,
    minutes: int = 60,
    status: EventStatus = EventStatus.CONFIRMED,
    remind: int | None = 15,
    enabled: bool = True,
) -> StoredEvent:
    """A cached event as the store returns it: the summary, and details unless ``with_detail`` is False."""
    newest = summary(event_id, start, minutes=minutes, status=status)
    if not with_detail:
        return StoredEvent(newest, None, None, None)
    fetched = detail(event_id, start, minutes=minutes, status=status, remind=remind, enabled=enabled)
    return StoredEvent(newest, fetched, BASE, None)


def test_due_time_uses_details_and_falls_back_to_default() -> None:
    assert reminder_due_at(cached(1, remind=30)) == BASE - timedelta(minutes=30)
    assert reminder_due_at(cached(1, remind=0)) == BASE
    assert reminder_due_at(cached(1, remind=None), default_minutes=20) == BASE - timedelta(minutes=20)
    assert reminder_due_at(cached(1, with_detail=False), default_minutes=10) == BASE - timedelta(minutes=10)


def test_no_reminder_when_disabled_or_not_active() -> None:
    assert reminder_due_at(cached(1, enabled=False)) is None
    for status in (EventStatus.CANCELLED, EventStatus.COMPLETED, EventStatus.NO_SHOW):
        assert reminder_due_at(cached(1, status=status)) is None
    assert reminder_due_at(cached(1, status=EventStatus.SCHEDULED)) is not None


def test_summary_status_wins_over_older_details() -> None:
    old_detail = detail(1, status=EventStatus.CONFIRMED)
    newer = summary(1, status=EventStatus.CANCELLED)
    assert reminder_due_at(StoredEvent(newer, old_detail, BASE, None)) is None


def plan(
    now: datetime,
    events: list[StoredEvent],
    log: dict[LogKey, LogEntry] | None = None,
    *,
    missed_since: datetime | None = None,
) -> DuePlan:
    return due_reminders(now, events, log or {}, missed_since=missed_since)


def test_pending_and_next_due() -> None:
    events = [cached(1, BASE + timedelta(hours=2)), cached(2, BASE + timedelta(hours=1))]
    p = plan(BASE, events)
    assert p.fire == () and p.missed == ()
    assert [r.event_id for r in p.pending] == [2, 1]
    assert p.next_due == BASE + timedelta(minutes=45)


def test_on_time_late_and_missed() -> None:
    now = BASE + timedelta(hours=3)
    events = [
        cached(1, now + timedelta(minutes=10)),  # due 5 min ago, not started: late
        cached(2, now + timedelta(minutes=15) - timedelta(seconds=30)),  # due 30 s ago: on time
        cached(3, now - timedelta(minutes=30)),  # started, still running: late
        cached(4, now - timedelta(hours=2)),  # ended: missed
        cached(5, now - timedelta(hours=4)),  # ended, due before the last check: old news
    ]
    p = plan(now, events, missed_since=now - timedelta(hours=3))
    assert [r.event_id for r in p.late] == [3, 1]
    assert [r.event_id for r in p.on_time] == [2]
    assert [r.event_id for r in p.missed] == [4]
    assert p.next_due is None
    assert plan(now, events).missed == ()  # first start: no summary at all


def test_log_suppresses_done_reminders_and_applies_snooze() -> None:
    events = [cached(n, BASE + timedelta(hours=1)) for n in range(1, 6)]
    due = BASE + timedelta(minutes=45)
    log = {
        (1, due): LogEntry(1, due, ReminderState.FIRED, fired_at=due),
        (2, due): LogEntry(2, due, ReminderState.DISMISSED),
        (3, due): LogEntry(3, due, ReminderState.SNOOZED, snoozed_until=due + timedelta(minutes=10)),
        (4, due - timedelta(hours=1)): LogEntry(4, due - timedelta(hours=1), ReminderState.FIRED),  # old time
    }
    p = plan(due, events, log)
    assert [r.event_id for r in p.fire] == [4, 5]
    assert [(r.event_id, r.fire_at, r.snoozed) for r in p.pending] == [(3, due + timedelta(minutes=10), True)]
    later = plan(due + timedelta(minutes=10), events, log)
    snoozed = [r for r in later.fire if r.event_id == 3]
    assert snoozed and snoozed[0].snoozed and snoozed[0].due_at == due and not snoozed[0].late


def test_snoozed_past_the_end_expires_silently() -> None:
    event = cached(1, BASE, minutes=10)
    due = BASE - timedelta(minutes=15)
    log = {(1, due): LogEntry(1, due, ReminderState.SNOOZED, snoozed_until=BASE + timedelta(minutes=15))}
    p = plan(BASE + timedelta(minutes=12), [event], log, missed_since=BASE - timedelta(hours=1))
    assert p.fire == () and p.missed == () and p.pending == ()
    assert [r.event_id for r in p.expired] == [1]


def test_a_reminder_due_before_the_event_was_known_is_not_late() -> None:
    # Booked at 14:52 for 15:00 with a 15-minute reminder: due at 14:45, before anyone knew of the event. The
    # reminders were checked at 14:51 and 14:52 while the app ran: it was not missed, it was unknown.
    now = BASE - timedelta(minutes=8)
    booked = cached(1, BASE)
    plan = due_reminders(now, [booked], {}, missed_since=now - timedelta(seconds=30))
    assert [r.event_id for r in plan.fire] == [1] and not plan.late, "fires once, on time, not as Late"

    # Already started when it became known: nothing to remind of; recorded as stale, not fired or missed.
    running = cached(2, now - timedelta(minutes=1))
    plan = due_reminders(now, [running], {}, missed_since=now - timedelta(seconds=30))
    assert [r.event_id for r in plan.stale] == [2] and not plan.fire and not plan.missed


def test_a_reminder_due_while_the_app_was_not_checking_is_late() -> None:
    now = BASE - timedelta(minutes=8)
    asleep_since = now - timedelta(hours=3)  # the last check before a suspend
    plan = due_reminders(now, [cached(1, BASE)], {}, missed_since=asleep_since)
    assert [r.event_id for r in plan.late] == [1]
    # A last check "in the future" (the clock was set back) makes nothing unknown: the reminder is owed.
    plan = due_reminders(now, [cached(1, BASE)], {}, missed_since=now + timedelta(days=1))
    assert [r.event_id for r in plan.fire] == [1] and not plan.stale


def test_a_create_the_server_refused_has_no_reminder() -> None:
    now = BASE - timedelta(minutes=10)
    refused = dataclasses.replace(cached(-3, BASE), local_state=LocalState.ATTENTION)
    queued = dataclasses.replace(cached(-4, BASE), local_state=LocalState.PENDING)
    ahead = dataclasses.replace(cached(-5, BASE + timedelta(hours=2)), local_state=LocalState.PENDING)
    plan = due_reminders(now, [refused, queued, ahead], {}, missed_since=now - timedelta(minutes=1))
    assert [r.event_id for r in (*plan.fire, *plan.pending)] == [-5], "a queued create offline is still reminded"
    # One already due when it was created waits for the server's answer: a refusal must not have reminded.
    assert plan.stale == () and plan.missed == ()


def test_a_reminder_the_last_plan_did_not_hold_is_not_late() -> None:
    # Planned at 14:40 (the reminders sleep until their next due time), the event booked at 14:52 for 15:00:
    # its reminder came due at 14:45 while the app ran, but the app did not know it then.
    now = BASE - timedelta(minutes=8)
    last = now - timedelta(minutes=12)
    known_one = cached(1, BASE + timedelta(minutes=1))
    earlier = due_reminders(last, [known_one], {}, missed_since=last - timedelta(minutes=1))
    assert earlier.known == {known_key((1, BASE - timedelta(minutes=14)))}
    booked, running, ended = cached(2, BASE), cached(3, now - timedelta(minutes=2)), cached(4, now - timedelta(hours=2))
    plan = due_reminders(now, [known_one, booked, running, ended], {}, missed_since=last, known=earlier.known)
    assert [(r.event_id, r.late) for r in plan.fire] == [(2, False), (1, True)], "only the one it knew is late"
    assert [r.event_id for r in plan.stale] == [3] and plan.missed == ()
    assert plan.known == {known_key((1, BASE - timedelta(minutes=14)))}, "an unknown one stays unknown until it fires"


def test_packed_reminder_keys_tell_every_event_and_due_time_apart() -> None:
    # Plans hold their known reminders as packed integers; two reminders must never share one.
    ids = (-(2**40), -7, -1, 1, 2, 2**40)
    times = (
        datetime(1970, 1, 1, tzinfo=UTC),
        BASE,
        BASE + timedelta(milliseconds=1),
        BASE + timedelta(days=1),
        datetime(2200, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    )
    keys = {known_key((event_id, due)) for event_id in ids for due in times}
    assert len(keys) == len(ids) * len(times)


def test_a_plan_holds_the_next_two_days_of_events_without_details_and_every_detailed_one() -> None:
    # A 10,000-event calendar: events without details are due at the default lead before their start, so a plan
    # need not hold five weeks of them; one with details may carry a long lead of its own and stays in.
    now = BASE
    far_plain = [cached(100 + day, now + timedelta(days=day, hours=1), with_detail=False) for day in range(30)]
    far_detailed = cached(1, now + timedelta(days=20), remind=21 * 24 * 60)
    plan = due_reminders(now, [*far_plain, far_detailed], {}, plan_until=now + timedelta(days=2))
    assert [r.event_id for r in plan.pending] == [100, 101]
    assert [r.event_id for r in plan.fire] == [1], "a long lead of its own is not cut by the plan's two days"
    assert plan.known_until == now + timedelta(days=2)


def test_after_a_long_suspend_reminders_beyond_the_last_plan_are_late_or_missed_not_unknown() -> None:
    # Planned at 09:00 on day 0 (two days ahead), then the laptop slept three days. Reminders of events the plan
    # left out as too far ahead came due during the sleep: they were not learnt of late, they were missed.
    before = BASE
    ended = cached(1, before + timedelta(days=2, hours=12), with_detail=False)  # ended during the sleep
    ahead = cached(2, before + timedelta(days=3, minutes=5), with_detail=False)  # due 10 min before waking
    earlier = due_reminders(before, [ended, ahead], {}, plan_until=before + timedelta(days=2), missed_since=before)
    assert earlier.pending == ()
    now = before + timedelta(days=3)
    plan = due_reminders(
        now,
        [ended, ahead],
        {},
        missed_since=before,
        known=earlier.known,
        known_until=earlier.known_until,
        plan_until=now + timedelta(days=2),
    )
    assert [r.event_id for r in plan.missed] == [1]
    assert [(r.event_id, r.late) for r in plan.fire] == [(2, True)]
