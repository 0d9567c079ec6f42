"""Our own reminder card and the Starting-now window: content as plain text, actions, and never stealing focus."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notify"))

from fake_clock import FakeClock
from notify_support import CapturedActions, RecordingBackend, reminder, stored, summary
from screenshot_support import dark_palette
from shifted_clock import ShiftedClock

from klen_desktop.api.models import Customer, EventStatus, EventType
from klen_desktop.date_texts import date_time
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.messages import ActionKind, reminder_content, starting_now_content
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet
from klen_desktop.ui.reminder_window import ReminderCard, ReminderWindows, StartingNowWindow, WindowAction

CALL = summary(
    1,
    title="Quarterly <b>review</b> & plan",
    location="Room 4",
    customer=Customer(name="Ada Byron"),
    video_conference_url="https://meet.example/q4",
)
VISIT = summary(2, title="Site visit", event_type=EventType.APPOINTMENT, video_conference_url="file:///etc/passwd")


def real_window_system() -> bool:
    return QGuiApplication.platformName() != "offscreen"


@pytest.fixture
def focused_editor(qtbot: QtBot) -> QLineEdit:
    """What the user is typing into when a reminder pops up."""
    editor = QLineEdit()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    editor.setFocus()
    if real_window_system():
        qtbot.waitUntil(lambda: QApplication.focusWindow() is editor.windowHandle(), timeout=3000)
    return editor


def collect(windows: ReminderWindows) -> list[WindowAction]:
    got: list[WindowAction] = []
    windows.action_requested.connect(got.append)
    return got


def test_reminder_card_never_takes_focus(qtbot: QtBot, focused_editor: QLineEdit) -> None:
    windows = ReminderWindows()
    card = windows.show_reminder(reminder_content(reminder(CALL)))
    qtbot.addWidget(card)
    qtbot.waitExposed(card)
    flags = card.windowFlags()
    for flag in (Qt.WindowType.Tool, Qt.WindowType.WindowStaysOnTopHint, Qt.WindowType.WindowDoesNotAcceptFocus):
        assert flags & flag
    assert card.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in (card.open_button, card.dismiss_button))
    if not real_window_system():
        return  # the offscreen platform activates every window it shows, whatever the flags say
    qtbot.wait(100)
    assert QApplication.focusWindow() is focused_editor.windowHandle()
    qtbot.keyClicks(QApplication.focusWidget(), "still typing")
    assert focused_editor.text() == "still typing"


def test_reminder_card_shows_server_text_as_plain_text(qtbot: QtBot) -> None:
    card = ReminderCard(reminder_content(reminder(CALL, late=True), UTC))
    qtbot.addWidget(card)
    assert card.title.text() == "Quarterly <b>review</b> & plan"
    start = CALL.start_time
    assert card.when.text() == f"{date_time(start)}–09:30"
    assert [d.text() for d in card.details] == ["Video call", "Location: Room 4", "Customer: Ada Byron"]
    assert card.note is not None and card.note.text().startswith("Late reminder")
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in card.findChildren(QLabel))


def test_reminder_card_buttons_emit_their_action_and_close(qtbot: QtBot) -> None:
    windows = ReminderWindows()
    got = collect(windows)
    content = reminder_content(reminder(CALL))
    card = windows.show_reminder(content)
    qtbot.addWidget(card)
    assert card.join_button is not None
    qtbot.mouseClick(card.join_button, Qt.MouseButton.LeftButton)
    assert got == [WindowAction(ActionKind.JOIN, 1, content.due_at, None, "https://meet.example/q4")]
    assert not card.isVisible()

    for trigger, expected in (
        (lambda c: c.snooze_actions[1].trigger(), (ActionKind.SNOOZE, 10)),
        (lambda c: c.snooze_actions[3].trigger(), (ActionKind.SNOOZE, "until_start")),
        (lambda c: qtbot.mouseClick(c.open_button, Qt.MouseButton.LeftButton), (ActionKind.OPEN, None)),
        (lambda c: qtbot.mouseClick(c.dismiss_button, Qt.MouseButton.LeftButton), (ActionKind.DISMISS, None)),
    ):
        card = windows.show_reminder(content)
        qtbot.addWidget(card)
        trigger(card)
        assert (got[-1].kind, got[-1].snooze) == expected
        assert got[-1].due_at == content.due_at
    assert [a.text() for a in card.snooze_actions] == ["5 min", "10 min", "15 min", "Until start"]


def test_no_join_button_without_an_http_link(qtbot: QtBot) -> None:
    card = ReminderCard(reminder_content(reminder(VISIT)))
    qtbot.addWidget(card)
    assert card.join_button is None


def test_starting_now_is_persistent_on_top_and_has_join_and_dismiss(qtbot: QtBot, focused_editor: QLineEdit) -> None:
    windows = ReminderWindows()
    got = collect(windows)
    window = windows.show_starting_now(starting_now_content(stored(CALL)))
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert isinstance(window, StartingNowWindow)
    assert window.heading.text() == "Starting now"
    assert window.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    qtbot.wait(300)  # no timeout closes it
    assert window.isVisible()
    if real_window_system():
        assert QApplication.focusWindow() is focused_editor.windowHandle()
    buttons = [w.text() for w in window.findChildren(QWidget) if hasattr(w, "text") and w.inherits("QPushButton")]
    assert sorted(buttons) == ["Dismiss", "Join"]
    qtbot.mouseClick(window.dismiss_button, Qt.MouseButton.LeftButton)
    assert got == [WindowAction(ActionKind.DISMISS, 1, None, None, "https://meet.example/q4")]


def test_windows_stack_without_overlap_and_one_per_event(qtbot: QtBot) -> None:
    windows = ReminderWindows()
    first = windows.show_reminder(reminder_content(reminder(CALL)))
    second = windows.show_starting_now(starting_now_content(stored(VISIT)))
    for w in (first, second):
        qtbot.addWidget(w)
        qtbot.waitExposed(w)
    assert not first.geometry().intersects(second.geometry())
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.contains(first.geometry()) and first.geometry().right() >= screen.right() - 40
    replacement = windows.show_starting_now(starting_now_content(stored(CALL)))
    qtbot.addWidget(replacement)
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=2000)
    assert len(windows.windows()) == 2
    windows.close_for(2)
    assert len(windows.windows()) == 1


def test_a_window_goes_away_when_its_event_ends_and_sits_low_on_the_screen(qtbot: QtBot) -> None:
    windows = ReminderWindows()
    now = datetime.now(UTC)
    ending = windows.show_starting_now(starting_now_content(stored(CALL)), ends_at=now + timedelta(milliseconds=400))
    later = windows.show_reminder(reminder_content(reminder(VISIT)), ends_at=now + timedelta(hours=2))
    qtbot.addWidget(later)  # the ending one deletes itself when it closes
    for w in (ending, later):
        qtbot.waitExposed(w)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert ending.geometry().bottom() >= screen.bottom() - 40, "bottom-right, clear of toolbars and notifications"
    qtbot.waitUntil(lambda: len(windows.windows()) == 1, timeout=3000)
    assert windows.windows()[0] is later, "only the ended event's window went"
    windows.close_ended(now + timedelta(hours=3))  # after a wake the timers may have slept through the end
    assert windows.windows() == []


def test_starting_now_closes_at_the_end_by_the_app_clock_even_after_a_sleep(qtbot: QtBot) -> None:
    # Qt's timers do not count a suspend: a window timed for the end of a 19:30-20:00 call would still be up at
    # 20:09 after a sleep. It looks again at the app's clock every few moments.
    clock = ShiftedClock(datetime(2026, 11, 24, 19, 30, tzinfo=UTC))
    windows = ReminderWindows(now=clock.now, check_every=0.1)
    call = stored(summary(1, start=clock.now(), minutes=30))
    window = windows.show_starting_now(starting_now_content(call), ends_at=call.end_time)
    qtbot.waitExposed(window)
    assert windows.windows() == [window]
    clock.jump(timedelta(minutes=39))  # the lid opens at 20:09
    qtbot.waitUntil(lambda: windows.windows() == [], timeout=3000)


@pytest.mark.asyncio
async def test_an_outcome_or_a_move_from_the_server_closes_the_starting_now_window() -> None:
    captured = CapturedActions()
    center = NotificationCenter(RecordingBackend(), FakeClock(), actions=captured.actions())
    completed = CALL.model_copy(update={"status": EventStatus.COMPLETED})
    still_open = VISIT.model_copy(update={"status": EventStatus.CONFIRMED})
    await center.on_changes(
        ChangeSet(
            (
                Change(ChangeKind.STATUS_CHANGED, completed, previous=CALL),
                Change(ChangeKind.STATUS_CHANGED, still_open, previous=VISIT),
            )
        )
    )
    assert captured.named("close_windows") == [(CALL.id,)], "closed for the outcome, kept for the confirmation"


@pytest.mark.asyncio
async def test_window_actions_reach_the_center(qtbot: QtBot) -> None:
    """The wiring the app does: our window's Snooze goes to the scheduler through the notification center."""
    captured = CapturedActions()
    center = NotificationCenter(RecordingBackend(), FakeClock(), actions=captured.actions())
    await center.start()
    windows = ReminderWindows()
    tasks: list[asyncio.Future[None]] = []
    windows.action_requested.connect(
        lambda a: tasks.append(
            asyncio.ensure_future(center.act(a.event_id, a.due_at, a.kind, snooze=a.snooze, join_url=a.join_url))
        )
    )
    rem = reminder(CALL)
    card = windows.show_reminder(reminder_content(rem))
    qtbot.addWidget(card)
    card.snooze_actions[0].trigger()
    assert await captured.wait_for("snooze") == [(1, rem.due_at, 5)]
    card = windows.show_reminder(reminder_content(rem))
    qtbot.addWidget(card)
    assert card.join_button is not None
    qtbot.mouseClick(card.join_button, Qt.MouseButton.LeftButton)
    assert await captured.wait_for("open_url") == [("https://meet.example/q4",)]
    await asyncio.gather(*tasks)
    await center.close()


def test_screenshots_light_and_dark(qtbot: QtBot) -> None:
    folder = os.environ.get("KLEN_SCREENSHOTS")
    if not folder:
        pytest.skip("set KLEN_SCREENSHOTS=DIR to write screenshots")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    late = reminder(CALL, late=True)
    try:
        for theme, palette in (("light", original), ("dark", dark_palette())):
            app.setPalette(palette)
            for name, window in (
                ("reminder-card", ReminderCard(reminder_content(late))),
                ("starting-now", StartingNowWindow(starting_now_content(stored(CALL)))),
                ("reminder-card-no-link", ReminderCard(reminder_content(reminder(VISIT, lead=5)))),
            ):
                qtbot.addWidget(window)
                window.show()
                qtbot.waitExposed(window)
                qtbot.wait(50)
                assert window.grab().save(str(out / f"{name}-{theme}.png"))
    finally:
        app.setPalette(original)


def test_due_times_are_shown_in_local_time(qtbot: QtBot) -> None:
    content = reminder_content(reminder(CALL))
    start = CALL.start_time.astimezone()
    assert content.when.startswith(date_time(start))
    assert content.due_at == CALL.start_time - timedelta(minutes=15)
