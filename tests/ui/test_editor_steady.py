"""The editor holds still under the user: messages have their space kept, appear when a field is left (or on
save) and clear as soon as the input is valid; an end days later is questioned, an end before the start refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QDateTimeEdit, QWidget
from pytestqt.qtbot import QtBot
from screenshot_support import grab_light_and_dark

from klen_desktop.api.models import EventStatus
from klen_desktop.drafts import MAX_REMIND_MINUTES, MAX_TEXT_LENGTH, TEXT_FIELDS, EventDraft, duration_text, validate
from klen_desktop.ui.editor import EventEditor
from klen_desktop.ui.form_widgets import ErrorLabel

# Mid-month in the local zone, so a day typed into End is the same month whatever zone the tests run in.
START = datetime(2026, 12, 15, 12, 0).astimezone()
END = START + timedelta(hours=1)
DAILY_LIMIT = "Daily limit reached; resets at 00:00 UTC (in 5 h). Your event is saved and will be sent then."


@pytest.fixture
def editor(qtbot: QtBot) -> EventEditor:
    shown = EventEditor(EventDraft.new(START, END))
    shown.confirm_discard = lambda: True
    qtbot.addWidget(shown)
    shown.title_edit.setText("Call with Jane")
    shown.show()
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow)
    return shown


def error_text(editor: EventEditor, field: str) -> str:
    label = editor._errors[field]
    return label.text() if label.isVisibleTo(editor) else ""


def geometry(editor: EventEditor) -> dict[str, QRect]:
    """Where every field and message sits in the window."""
    placed: dict[str, QRect] = {}
    for name, widget in [*editor._fields.items(), *(("error:" + n, w) for n, w in editor._errors.items())]:
        placed[name] = QRect(widget.mapTo(editor, QPoint(0, 0)), widget.size())
    return placed


def click_at(qtbot: QtBot, editor: EventEditor, point: QPoint) -> QWidget:
    """A mouse click at ``point`` of the window, delivered to whatever is there now."""
    target = editor.childAt(point)
    assert target is not None
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(editor, point))
    return target


def centre_of(editor: EventEditor, widget: QWidget) -> QPoint:
    return widget.mapTo(editor, widget.rect().center())


def leave_field(qtbot: QtBot, editor: EventEditor) -> None:
    """Click into another field (Tab inside a date moves between its parts)."""
    click_at(qtbot, editor, centre_of(editor, editor.customer_name_edit))
    assert editor.customer_name_edit.hasFocus()


def test_a_message_appearing_and_clearing_moves_no_field(qtbot: QtBot, editor: EventEditor) -> None:
    before = geometry(editor)
    email, phone = editor.customer_email_edit, editor.customer_phone_edit
    phone_at = centre_of(editor, phone)
    click_at(qtbot, editor, centre_of(editor, email))
    qtbot.keyClicks(email, "john@")
    assert error_text(editor, "customer_email") == "", "no message while the user is still typing"

    click_at(qtbot, editor, phone_at)  # aimed before the message appeared
    assert phone.hasFocus(), "the click landed in the field the user aimed at"
    assert error_text(editor, "customer_email") == "Enter an email address such as name@example.com."
    assert geometry(editor) == before

    click_at(qtbot, editor, centre_of(editor, email))
    qtbot.keyClick(email, Qt.Key.Key_End)
    qtbot.keyClicks(email, "example")
    assert error_text(editor, "customer_email"), "the message stays while the address is still incomplete"
    qtbot.keyClicks(email, ".com")
    assert error_text(editor, "customer_email") == "", "cleared as soon as the address is valid"
    assert geometry(editor) == before
    click_at(qtbot, editor, phone_at)
    assert phone.hasFocus()


def test_a_message_shown_on_save_moves_no_field(qtbot: QtBot, editor: EventEditor) -> None:
    editor.customer_phone_edit.setText("555 1234")
    before = geometry(editor)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert error_text(editor, "customer_phone")
    assert geometry(editor) == before


TOO_LONG = {name: "x" * (MAX_TEXT_LENGTH + 1) for name in TEXT_FIELDS}
BAD_FORMS = {
    "title": "",
    "customer_email": "john@",
    "customer_phone": "555 1234",
    "video_conference_url": "ftp://meet.example.com",
}


@pytest.mark.parametrize("bad", [TOO_LONG, BAD_FORMS], ids=["too-long", "bad-forms"])
def test_every_message_of_the_rules_fits_its_kept_space(editor: EventEditor, bad: dict[str, str]) -> None:
    draft = replace(
        EventDraft.new(START, END),
        end=START - timedelta(hours=1),
        status=EventStatus.CANCELLED,
        has_video_conference=True,
        remind_before_minutes=MAX_REMIND_MINUTES + 1,
        **bad,
    )
    problems = validate(draft, creating=True)
    assert len(problems) >= 7
    editor.show_field_errors(problems)
    assert_whole({name: editor._errors[name] for name in problems})


def test_the_long_title_note_and_a_server_message_fit_their_kept_space(qtbot: QtBot) -> None:
    editor = EventEditor(replace(EventDraft.new(START, END), title="x" * 12_345, event_id=5))
    editor.confirm_discard = lambda: True
    qtbot.addWidget(editor)
    editor.general_error.show_message(DAILY_LIMIT)
    editor.show()
    qtbot.waitExposed(editor)
    assert_whole({"title": editor._errors["title"], "general": editor.general_error})


def assert_whole(labels: dict[str, ErrorLabel]) -> None:
    for name, label in labels.items():
        assert label.isVisibleTo(label.window()), name
        assert label.heightForWidth(label.width()) <= label.height(), f"{name}: {label.text()!r} is cut off"


def type_end_day(qtbot: QtBot, editor: EventEditor, day: int) -> None:
    """Tab into End, Tab on to its day (where the locale's date puts it) and type it."""
    end = editor.end_edit
    end.setFocus(Qt.FocusReason.TabFocusReason)
    # Qt names the weekday a day section too; the day of the month is the last one.
    day_at = max(i for i in range(end.sectionCount()) if end.sectionAt(i) == QDateTimeEdit.Section.DaySection)
    for _section in range(day_at):
        qtbot.keyClick(end, Qt.Key.Key_Tab)
    assert end.currentSectionIndex() == day_at
    qtbot.keyClicks(end, f"{day:02d}")


def test_an_end_typed_days_later_is_questioned_next_to_it(qtbot: QtBot, editor: EventEditor) -> None:
    sent: list[EventDraft] = []
    editor.save_requested.connect(sent.append)
    type_end_day(qtbot, editor, START.day + 6)
    length = editor.end_edit.value() - editor.start_edit.value()
    assert length == timedelta(days=6, hours=1)
    assert not editor._errors["end"].isVisibleTo(editor), "not questioned while the user is still in the field"
    assert editor.duration_combo.currentText() == "Custom (6 days 1 h)" == f"Custom ({duration_text(length)})"
    leave_field(qtbot, editor)
    notice = editor._errors["end"]
    assert notice.isVisibleTo(editor) and notice.text() == "This event lasts 6 days 1 h — is the end right?"

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert len(sent) == 1 and sent[0].end == editor.end_edit.value(), "a warning does not block the save"


def test_an_end_typed_before_the_start_is_refused_on_the_field(qtbot: QtBot, editor: EventEditor) -> None:
    sent: list[EventDraft] = []
    editor.save_requested.connect(sent.append)
    type_end_day(qtbot, editor, START.day - 5)
    typed = editor.end_edit.value()
    leave_field(qtbot, editor)
    assert error_text(editor, "end") == "The end must be after the start."
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert sent == [] and editor.isVisible()
    assert editor.end_edit.value() == typed, "the draft is kept as typed"
    assert error_text(editor, "end") == "The end must be after the start."


def test_screenshots_of_kept_message_space(qtbot: QtBot, editor: EventEditor) -> None:
    editor.customer_email_edit.setText("john@")
    editor.customer_phone_edit.setText("555 1234")
    editor.end_edit.set_value(START + timedelta(days=6, hours=8))
    editor._on_save()
    editor.customer_phone_edit.setText("+49 30 1234567")
    editor.customer_phone_edit.textEdited.emit(editor.customer_phone_edit.text())
    editor.general_error.show_message(DAILY_LIMIT)
    grab_light_and_dark(qtbot, editor, "editor-messages")
