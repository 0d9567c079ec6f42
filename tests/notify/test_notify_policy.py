"""Which notifications are shown, merged or held: pure rules, no session."""

from __future__ import annotations

from datetime import UTC, timedelta

from notify_support import BASE, reminder, stored, summary

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.notify.messages import NotifyKind
from klen_desktop.notify.policy import NotificationPolicy, NotifyPreferences
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet, Origin


def created(i: int, origin: Origin = Origin.REMOTE) -> Change:
    return Change(ChangeKind.CREATED, summary(i), origin=origin)


def test_own_changes_are_not_echoed() -> None:
    policy = NotificationPolicy()
    changes = ChangeSet((created(1, Origin.LOCAL), created(2)))
    assert [m.event_id for m in policy.change_messages(changes)] == [2]


def test_one_message_per_event_and_small_edits_skipped() -> None:
    old = summary(3, status=EventStatus.SCHEDULED)
    new = old.model_copy(update={"start_time": BASE + timedelta(hours=1), "status": EventStatus.CONFIRMED})
    changes = ChangeSet(
        (
            Change(ChangeKind.MOVED, new, old),
            Change(ChangeKind.STATUS_CHANGED, new, old),
            Change(ChangeKind.UPDATED, new, old, frozenset({"title"})),
        )
    )
    messages = NotificationPolicy().change_messages(changes)
    assert [m.kind for m in messages] == [NotifyKind.MOVED]


def test_kinds_switched_off_are_dropped() -> None:
    policy = NotificationPolicy(NotifyPreferences().without(NotifyKind.NEW_EVENT))
    assert policy.change_messages(ChangeSet((created(1),))) == []
    assert not policy.allows(NotifyKind.NEW_EVENT) and policy.allows(NotifyKind.REMINDER)


def test_more_than_three_become_one_summary() -> None:
    policy = NotificationPolicy()
    three = policy.change_messages(ChangeSet(tuple(created(i) for i in range(1, 4))))
    assert policy.merge_burst(three) == three
    four = policy.change_messages(ChangeSet(tuple(created(i) for i in range(1, 5))))
    merged = policy.merge_burst(four)
    assert [m.kind for m in merged] == [NotifyKind.CHANGES_SUMMARY]
    policy.set_preferences(NotifyPreferences().without(NotifyKind.CHANGES_SUMMARY))
    assert policy.merge_burst(four) == []


def test_write_problem_reported_once_per_seq_state_and_code() -> None:
    policy = NotificationPolicy()

    def entry(state: OutboxState, code: str | None, attempts: int = 1) -> OutboxEntry:
        return OutboxEntry(
            seq=4, op=OutboxOp.PATCH, event_id=9, payload={"title": "X"}, base=None, state=state,
            attempts=attempts, next_attempt_at=None, error_code=code, error_message="Nope", error_field=None,
            meta={}, created_at=BASE, updated_at=BASE,
        )  # fmt: skip

    assert policy.first_report(entry(OutboxState.ATTENTION, "validation_error"))
    assert not policy.first_report(entry(OutboxState.ATTENTION, "validation_error", attempts=3))
    assert policy.first_report(entry(OutboxState.ATTENTION, "rate_limited_daily"))
    assert policy.first_report(entry(OutboxState.CONFLICT, None))
    assert not policy.first_report(entry(OutboxState.PENDING, None))


def test_dnd_holds_then_summarises_reminders_and_changes() -> None:
    policy = NotificationPolicy()
    until = BASE + timedelta(hours=1)
    policy.set_dnd(until)
    assert policy.dnd_active(BASE) and not policy.dnd_expired(BASE)
    assert not policy.dnd_active(until) and policy.dnd_expired(until)
    policy.hold_reminder(reminder(summary(1, BASE + timedelta(minutes=20), title="Standup")))
    policy.hold_reminder(reminder(summary(2, BASE + timedelta(minutes=40), title="Gone soon")))
    for message in policy.change_messages(ChangeSet((created(3), created(4)))):
        policy.hold(message)
    policy.forget_held(2)
    summary_msg = policy.end_dnd(UTC)
    assert summary_msg is not None and summary_msg.kind is NotifyKind.DND_SUMMARY
    assert summary_msg.body.splitlines() == ["1 reminder:", "09:20 Standup", "2 calendar changes: 2 new"]
    assert not policy.dnd_active(BASE)
    assert policy.end_dnd() is None  # nothing held any more


def test_escalation_types() -> None:
    policy = NotificationPolicy()
    assert policy.escalates(stored(summary(1, event_type=EventType.VIDEO_CALL)))
    assert policy.escalates(stored(summary(2, event_type=EventType.APPOINTMENT)))
    assert not policy.escalates(stored(summary(3, event_type=EventType.BUSY)))
    assert not policy.escalates(stored(summary(4, event_type=EventType.MEETING)))
    assert not policy.escalates(stored(summary(5, status=EventStatus.CANCELLED)))
    policy.set_preferences(NotifyPreferences(escalate_types=frozenset({EventType.BUSY})))
    assert policy.escalates(stored(summary(3, event_type=EventType.BUSY)))
