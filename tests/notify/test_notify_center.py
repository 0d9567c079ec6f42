"""The notification center's own logic with a recording stand-in for the server and a fake clock.

The real notification server is exercised in tests/e2e/test_notifications_dunst.py; here the timers
(escalation at start, the end of Do not disturb), fallbacks and withdrawals are driven step by step.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from fake_clock import FakeClock
from notify_support import BASE, CapturedActions, RecordingBackend, reminder, summary

from klen_desktop.api.models import EventType
from klen_desktop.notify.backend import ServerInfo
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.messages import ActionKind, NotifyKind
from klen_desktop.notify.policy import NotifyPreferences
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet

NOW = BASE - timedelta(minutes=15)  # reminders in these tests are due now, their events start at BASE


async def make_center(
    backend: RecordingBackend | None = None, prefs: NotifyPreferences | None = None
) -> tuple[NotificationCenter, RecordingBackend, CapturedActions, FakeClock]:
    backend = backend or RecordingBackend()
    captured = CapturedActions()
    clock = FakeClock(NOW)
    center = NotificationCenter(backend, clock, preferences=prefs, actions=captured.actions())
    await center.start()
    return center, backend, captured, clock


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_unacknowledged_video_call_escalates_once_at_start() -> None:
    center, backend, captured, clock = await make_center()
    event = summary(1, event_type=EventType.VIDEO_CALL)
    await center.on_reminder(reminder(event))
    assert [m.kind for m in backend.messages] == [NotifyKind.REMINDER]
    await clock.wait_for_sleepers()
    clock.advance(15 * 60)
    await captured.wait_for("show_starting_now")
    assert captured.named("show_starting_now")[0][0].id == 1
    assert backend.withdrawn == ["n1"]  # the window replaces the toast
    await center.on_reminder(reminder(event, lead=5))  # a second reminder for the same start: no second window
    await settle()
    assert clock.sleepers == []
    await center.close()


@pytest.mark.asyncio
async def test_a_reminder_shown_before_a_restart_still_opens_starting_now_once_without_being_shown_again() -> None:
    center, backend, captured, clock = await make_center()
    event = summary(1, event_type=EventType.VIDEO_CALL)
    await center.resume_escalation(reminder(event))
    assert backend.messages == [], "the reminder was shown before the restart"
    await clock.wait_for_sleepers()
    clock.advance(15 * 60)
    await captured.wait_for("show_starting_now")
    assert [e.id for (e,) in captured.named("show_starting_now")] == [1]
    await center.resume_escalation(reminder(event))  # handed on twice: still one window
    await settle()
    assert clock.sleepers == [] and len(captured.named("show_starting_now")) == 1
    await center.close()


@pytest.mark.asyncio
async def test_a_call_that_ended_while_the_computer_slept_never_opens_starting_now() -> None:
    center, _, captured, clock = await make_center()
    await center.on_reminder(reminder(summary(1, minutes=30)))
    await clock.wait_for_sleepers()
    clock.set(BASE + timedelta(minutes=39))  # the lid opens at 20:09 on a 19:30-20:00 call
    await settle()
    assert captured.named("show_starting_now") == []
    await center.close()


@pytest.mark.asyncio
async def test_acting_on_the_reminder_or_closing_it_cancels_escalation() -> None:
    center, backend, captured, clock = await make_center()
    await center.on_reminder(reminder(summary(1)))
    await center.on_reminder(reminder(summary(2, event_type=EventType.APPOINTMENT)))
    backend.press("n1", "open")
    backend.close_by_user("n2")
    await captured.wait_for("open_event")
    clock.advance(20 * 60)
    await settle()
    assert captured.named("show_starting_now") == []
    await center.close()


@pytest.mark.asyncio
async def test_busy_blocks_do_not_escalate_and_dismiss_from_window_acknowledges() -> None:
    center, _, captured, clock = await make_center()
    await center.on_reminder(reminder(summary(1, event_type=EventType.BUSY)))
    await center.on_reminder(reminder(summary(2)))
    await center.act(2, None, ActionKind.DISMISS)
    clock.advance(20 * 60)
    await settle()
    assert captured.named("show_starting_now") == []
    await center.close()


@pytest.mark.asyncio
async def test_snooze_button_goes_to_the_scheduler_with_the_reminder_key() -> None:
    center, backend, captured, _ = await make_center()
    r = reminder(summary(1))
    await center.on_reminder(r)
    backend.press("n1", "snooze:10")
    assert await captured.wait_for("snooze") == [(1, r.due_at, 10)]
    backend.press("n1", "join")  # already acted on: a late second signal does nothing
    await settle()
    assert captured.named("open_url") == []
    await center.close()


@pytest.mark.asyncio
async def test_no_action_buttons_means_our_own_reminder_window() -> None:
    backend = RecordingBackend(ServerInfo(available=True, actions=False, name="plain"))
    center, backend, captured, _ = await make_center(backend)
    r = reminder(summary(1))
    await center.on_reminder(r)
    assert backend.messages == [] and captured.named("show_fallback") == [(r,)]
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(2)),)))
    assert [m.kind for m in backend.messages] == [NotifyKind.NEW_EVENT]  # news still goes to the server
    await center.close()


@pytest.mark.asyncio
async def test_no_service_uses_tray_messages_logs_once_and_reprobes(caplog: pytest.LogCaptureFixture) -> None:
    backend = RecordingBackend(ServerInfo(available=False, reason="nobody home"))
    caplog.set_level(logging.WARNING, "klen_desktop.notify.center")
    center, backend, captured, clock = await make_center(backend)
    for i in (1, 2):
        await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(i)),)))
    assert [args[0] for args in captured.named("tray_message")] == ["New: Event 1", "New: Event 2"]
    assert len([r for r in caplog.records if "no notification service" in r.message]) == 1
    assert backend.probes == 1
    backend.info = ServerInfo(available=True, actions=True, name="late dunst")
    clock.advance(61)
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(3)),)))
    assert backend.probes == 2 and [m.title for m in backend.messages] == ["New: Event 3"]
    await center.close()


@pytest.mark.asyncio
async def test_a_send_the_server_did_not_take_falls_back() -> None:
    center, _, captured, _ = await make_center(RecordingBackend(accepts=False))
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(1)),)))
    assert captured.named("tray_message")[0][0] == "New: Event 1"
    assert not center.server.available
    await center.close()


@pytest.mark.asyncio
async def test_moved_or_cancelled_event_withdraws_its_notifications() -> None:
    center, backend, captured, clock = await make_center()
    event = summary(1)
    await center.on_reminder(reminder(event))
    moved = event.model_copy(update={"start_time": BASE + timedelta(hours=3), "end_time": BASE + timedelta(hours=4)})
    await center.on_changes(ChangeSet((Change(ChangeKind.MOVED, moved, event),)))
    assert backend.withdrawn == ["n1"]
    assert captured.named("close_windows") == [(1,)]  # our own window about it goes too
    assert [m.kind for m in backend.messages] == [NotifyKind.REMINDER, NotifyKind.MOVED]
    clock.advance(20 * 60)
    await settle()
    assert captured.named("show_starting_now") == []  # the escalation went with the old time
    await center.close()


@pytest.mark.asyncio
async def test_dnd_until_a_time_ends_by_itself_with_one_summary() -> None:
    center, backend, captured, clock = await make_center()
    center.set_dnd(NOW + timedelta(minutes=30))
    assert center.dnd_active
    await center.on_reminder(reminder(summary(1, title="Standup")))
    await center.on_changes(ChangeSet(tuple(Change(ChangeKind.CREATED, summary(i)) for i in range(2, 8))))
    assert backend.messages == []
    await clock.wait_for_sleepers()
    clock.advance(30 * 60)
    for _ in range(50):
        if backend.messages:
            break
        await asyncio.sleep(0.01)
    assert [m.kind for m in backend.messages] == [NotifyKind.DND_SUMMARY]
    assert backend.messages[0].body.splitlines()[:2] == ["1 reminder:", "09:00 Standup"]
    assert "6 calendar changes: 6 new" in backend.messages[0].body
    assert not center.dnd_active and captured.named("show_starting_now") == []
    await center.close()


@pytest.mark.asyncio
async def test_preferences_switch_kinds_off() -> None:
    prefs = NotifyPreferences().without(NotifyKind.REMINDER, NotifyKind.NEW_EVENT)
    center, backend, _, _ = await make_center(prefs=prefs)
    await center.on_reminder(reminder(summary(1, event_type=EventType.BUSY)))
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(2)),)))
    assert backend.messages == []
    center.set_preferences(NotifyPreferences())
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(3)),)))
    assert len(backend.messages) == 1
    await center.close()
