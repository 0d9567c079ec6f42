"""What each notification says, built from plain values (no session, no server)."""

from __future__ import annotations

from datetime import UTC, timedelta

from notify_support import BASE, agent_booking, reminder, summary

from klen_desktop.api.models import Customer, EventStatus, EventType
from klen_desktop.date_texts import date_time, short_date
from klen_desktop.links import web_link
from klen_desktop.notify.messages import (
    ActionKind,
    NotifyKind,
    cancel_reason,
    change_message,
    notes_reason,
    reminder_content,
    reminder_message,
)
from klen_desktop.notify.summaries import burst_message, missed_message, outbox_problem_message
from klen_desktop.reminders.due import MissedSummary
from klen_desktop.reminders.snooze import UNTIL_START
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.diff import Change, ChangeKind

# "Tue 24 Nov", with the year once 2026 is past: the day every event here is on.
DAY = short_date(BASE.date())

UTCZ = UTC


def test_reminder_has_time_type_location_and_join_snooze_open() -> None:
    event = summary(1, title="Design review", location="Room 4", video_conference_url="https://meet.example/abc")
    msg = reminder_message(reminder(event), UTCZ)
    assert msg.kind is NotifyKind.REMINDER
    assert msg.title == "Design review"
    assert msg.body == f"{DAY}, 09:00–09:30 · Video call\nLocation: Room 4"
    assert [b.key for b in msg.buttons] == ["join", "snooze:5", "open", "snooze:10", "snooze:15", "snooze:until_start"]
    assert msg.button("snooze:until_start") is not None
    assert msg.button("snooze:until_start").snooze == UNTIL_START  # type: ignore[union-attr]
    assert msg.click is ActionKind.OPEN
    assert msg.join_url == "https://meet.example/abc"
    assert msg.due_at == BASE - timedelta(minutes=15)


def test_reminder_shows_customer_when_no_location_and_no_join_without_http_link() -> None:
    event = summary(2, customer=Customer(name="Ada Byron"), video_conference_url="javascript:alert(1)")
    msg = reminder_message(reminder(event), UTCZ)
    assert "Customer: Ada Byron" in msg.body
    assert msg.join_url is None
    assert msg.button("join") is None


def test_late_reminder_says_it_is_late() -> None:
    msg = reminder_message(reminder(summary(3), late=True), UTCZ)
    assert msg.title.startswith("Late: ")
    assert msg.body.splitlines()[0] == "Late reminder: it was due at 08:45."


def test_join_links_are_http_only() -> None:
    assert web_link("https://zoom.example/j/1") == "https://zoom.example/j/1"
    assert web_link(" http://meet.example/x ") == "http://meet.example/x"
    for bad in (None, "", "file:///etc/passwd", "javascript:alert(1)", "https://", "zoom.us/j/1", "https://a b"):
        assert web_link(bad) is None, bad


def test_new_agent_booking_names_agent_and_customer_and_offers_confirm() -> None:
    event = agent_booking(5, title="Intro call")
    msg = change_message(Change(ChangeKind.CREATED, event), UTCZ)
    assert msg is not None
    assert msg.kind is NotifyKind.NEW_EVENT
    assert msg.title == "New: Intro call"
    assert msg.body.splitlines()[-1] == "Booked by Ava for Ada Byron"
    assert [b.kind for b in msg.buttons] == [ActionKind.CONFIRM, ActionKind.OPEN]
    confirmed = change_message(Change(ChangeKind.CREATED, event.model_copy(update={"status": "confirmed"})), UTCZ)
    assert confirmed is not None and [b.kind for b in confirmed.buttons] == [ActionKind.OPEN]


def test_each_new_booking_names_its_customer_once() -> None:
    by_agent = change_message(Change(ChangeKind.CREATED, agent_booking(5, title="Intro call")), UTCZ)
    by_hand = summary(6, title="Walkthrough", customer=Customer(name="Ada Byron"))
    direct = change_message(Change(ChangeKind.CREATED, by_hand), UTCZ)
    assert by_agent is not None and direct is not None
    assert by_agent.body.count("Ada Byron") == 1 and "Customer: " not in by_agent.body
    assert direct.body.count("Ada Byron") == 1 and direct.body.splitlines()[-1] == "Customer: Ada Byron"


def test_moved_shows_old_and_new_time() -> None:
    old = summary(6, title="Sync")
    new = old.model_copy(update={"start_time": BASE + timedelta(hours=2), "end_time": BASE + timedelta(hours=3)})
    msg = change_message(Change(ChangeKind.MOVED, new, old), UTCZ)
    assert msg is not None and msg.title == "Moved: Sync"
    assert msg.body.splitlines()[:2] == [f"Now {DAY}, 11:00–12:00", f"Was {DAY}, 09:00–09:30"]


def test_cancel_reason_is_the_line_the_cancel_appended() -> None:
    old = agent_booking(7)
    new = old.model_copy(
        update={"status": EventStatus.CANCELLED, "customer": Customer(name="Ada Byron", notes="Wants a demo\nIll")}
    )
    change = Change(ChangeKind.CANCELLED, new, old)
    assert cancel_reason(change) == "Ill"
    msg = change_message(change, UTCZ)
    assert msg is not None and msg.title == "Cancelled: Event 7" and msg.body.endswith("Reason: Ill")
    unchanged = Change(ChangeKind.CANCELLED, old.model_copy(update={"status": EventStatus.CANCELLED}), old)
    assert cancel_reason(unchanged) is None


def test_status_changes_and_small_edits() -> None:
    old = summary(8, status=EventStatus.SCHEDULED)
    for status, kind, word in (
        (EventStatus.CONFIRMED, NotifyKind.CONFIRMED, "Confirmed"),
        (EventStatus.COMPLETED, NotifyKind.COMPLETED, "Completed"),
        (EventStatus.NO_SHOW, NotifyKind.NO_SHOW, "No-show"),
    ):
        msg = change_message(Change(ChangeKind.STATUS_CHANGED, old.model_copy(update={"status": status}), old))
        assert msg is not None and msg.kind is kind and msg.title == f"{word}: Event 8"
    renamed = old.model_copy(update={"title": "Other"})
    assert change_message(Change(ChangeKind.UPDATED, renamed, old, frozenset({"title"}))) is None
    assert change_message(Change(ChangeKind.GONE, old)) is None


def test_burst_summary_counts_kinds_and_opens_agenda() -> None:
    msgs = [change_message(Change(ChangeKind.CREATED, summary(i))) for i in range(1, 6)]
    msg = burst_message([m for m in msgs if m is not None])
    assert msg.kind is NotifyKind.CHANGES_SUMMARY
    assert msg.title == "5 calendar changes"
    assert msg.body.splitlines()[0] == "5 new"
    assert msg.body.splitlines()[-1] == "…and 2 more"
    assert msg.click is ActionKind.OPEN_AGENDA


def test_reminder_content_for_own_window() -> None:
    event = summary(9, event_type=EventType.APPOINTMENT, video_conference_url="https://x.example/j")
    content = reminder_content(reminder(event, late=True), UTCZ)
    assert (content.title, content.when, content.details, content.late) == (
        "Event 9",
        f"{DAY}, 09:00–09:30",
        ("Appointment",),
        True,
    )
    assert content.join_url == "https://x.example/j"


def test_notes_reason_finds_the_appended_line() -> None:
    assert notes_reason("Vegan", "Vegan\nFlu") == "Flu"
    assert notes_reason(None, "Flu") == "Flu"
    assert notes_reason(None, "Vegan\nFlu") == "Flu"  # old notes unknown: the last line is the reason
    assert notes_reason("Vegan", "Vegan") is None
    assert notes_reason("Vegan", "Allergic") is None  # edited, not appended to
    assert notes_reason("Vegan", None) is None


def test_write_problem_and_missed_messages() -> None:
    entry = OutboxEntry(
        seq=3, op=OutboxOp.PATCH, event_id=4, payload={"title": "Pitch"}, base=None, state=OutboxState.ATTENTION,
        attempts=1, next_attempt_at=None, error_code="validation_error", error_message="End before start.",
        error_field="end_time", meta={}, created_at=BASE, updated_at=BASE,
    )  # fmt: skip
    msg = outbox_problem_message(entry)
    assert msg.kind is NotifyKind.WRITE_PROBLEM and msg.click is ActionKind.OPEN_AGENDA
    assert msg.body.splitlines() == [
        "Your edit of “Pitch” was not saved.",
        "End before start.",
        "Open the agenda to fix and resend it, or discard it.",
    ]
    missed = missed_message(MissedSummary((reminder(summary(1, title="Standup")),)), UTCZ)
    assert (missed.title, missed.body) == ("1 missed reminder", f"{date_time(BASE.astimezone(UTCZ))} Standup")


def test_no_reminder_or_problem_is_sent_as_critical() -> None:
    # Critical notifications are red and never expire on most servers; the one alert that must stay is the
    # app's own Starting-now window.
    assert not reminder_message(reminder(summary(3)), UTCZ).urgent
    assert not reminder_message(reminder(summary(3), late=True), UTCZ).urgent
