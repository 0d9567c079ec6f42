"""Offering at most the buttons a notification server shows, most useful first, the rest in the app's card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_clock import FakeClock
from notify_support import BASE, CapturedActions, RecordingBackend, reminder, summary

from klen_desktop.notify.backend import ServerInfo
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.messages import ActionKind, Button, Message, NotifyKind, reminder_message
from klen_desktop.notify.servers import DEFAULT_BUTTON_LIMIT, button_limit, fit_buttons, more_button
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet

ALL = ("actions", "body", "body-markup")
CALL = summary(1, video_conference_url="https://meet.example/abc")


@pytest.mark.parametrize(
    ("name", "caps", "limit"),
    [
        ("dunst", ALL, None),
        ("Xfce Notify Daemon", ALL, 6),
        ("Notification Daemon", ALL, 4),
        ("gnome-shell", ALL, 3),
        ("Plasma", ALL, 3),
        ("some new server", ALL, DEFAULT_BUTTON_LIMIT),
        ("dunst", ("body",), 0),  # no `actions` capability: no buttons, whatever the name
        ("Notification Daemon", (), 0),
    ],
)
def test_button_limit_by_server_name_and_capabilities(name: str, caps: tuple[str, ...], limit: int | None) -> None:
    assert button_limit(name, caps) == limit


@pytest.mark.parametrize(
    ("limit", "labels"),
    [
        (None, ["Join", "Snooze 5 min", "Open", "Snooze 10 min", "Snooze 15 min", "Snooze until start"]),
        (6, ["Join", "Snooze 5 min", "Open", "Snooze 10 min", "Snooze 15 min", "Snooze until start"]),
        (4, ["Join", "Snooze 5 min", "Open", "More…"]),
        (3, ["Join", "Snooze 5 min", "More…"]),
        (1, ["More…"]),
        (0, []),
    ],
)
def test_a_reminder_keeps_the_most_useful_buttons_and_more_opens_the_card(limit: int | None, labels: list[str]) -> None:
    fitted = fit_buttons(reminder_message(reminder(CALL)), limit)
    assert [b.label for b in fitted.buttons] == labels


def test_other_messages_are_only_cut() -> None:
    buttons = (Button(ActionKind.CONFIRM, "Confirm"), Button(ActionKind.OPEN, "Open"))
    news = Message(NotifyKind.NEW_EVENT, "New", "", buttons, event_id=2)
    assert [b.label for b in fit_buttons(news, 1).buttons] == ["Confirm"]
    assert fit_buttons(news, 2) is news


@pytest.mark.asyncio
async def test_more_on_a_cut_reminder_opens_the_app_card_with_every_choice() -> None:
    backend = RecordingBackend(ServerInfo(available=True, actions=True, name="Notification Daemon", max_buttons=4))
    captured = CapturedActions()
    center = NotificationCenter(backend, FakeClock(BASE - timedelta(minutes=15)), actions=captured.actions())
    await center.start()
    r = reminder(CALL)
    await center.on_reminder(r)
    await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, summary(2)),)))
    sent_reminder, sent_news = backend.messages
    assert [b.label for b in sent_reminder.buttons] == ["Join", "Snooze 5 min", "Open", more_button().label]
    assert len(sent_news.buttons) <= 4
    backend.press("n1", more_button().key)
    assert await captured.wait_for("show_fallback") == [(r,)]
    assert captured.named("snooze") == [] and captured.named("open_event") == []
    await center.close()
