"""The event editor with real widgets: inline validation, create and edit payloads, server errors, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from screenshot_support import grab_light_and_dark

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType
from klen_desktop.date_texts import local_zone_text
from klen_desktop.drafts import MAX_REMIND_MINUTES, EventDraft
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.editor import EventEditor

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
END = START + timedelta(hours=1)

DETAIL = {
    "id": 77,
    "uuid": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    "title": "Client Meeting",
    "description": "Discuss project requirements",
    "event_type": "meeting",
    "status": "confirmed",
    "start_time": "2026-12-01T14:00:00.250Z",
    "end_time": "2026-12-01T15:00:00.000Z",
    "location": "Conference Room A",
    "has_video_conference": True,
    "video_conference_url": "https://meet.google.com/abc-defg-hij",
    "video_conference_provider": "Google Meet",
    "is_reminder_enabled": True,
    "remind_before_minutes": 30,
    "customer": {
        "name": "John Smith",
        "email": "john@example.com",
        "phone": "+15551234567",
        "notes": "Prefers mornings",
    },
}


def stored_event() -> StoredEvent:
    detail = EventDetail.model_validate(DETAIL)
    summary = EventSummary.model_validate(detail.model_dump(include=set(EventSummary.model_fields)))
    return StoredEvent(summary=summary, detail=detail, detail_fetched_at=START, local_state=None)


@pytest.fixture
def make_editor(qtbot: QtBot) -> Iterator[object]:
    def make(draft: EventDraft | None = None, **kwargs: object) -> EventEditor:
        editor = EventEditor(draft or EventDraft.new(START, END), **kwargs)  # type: ignore[arg-type]
        editor.confirm_discard = lambda: True
        qtbot.addWidget(editor)
        return editor

    yield make


@pytest.fixture
def new_editor(make_editor: object) -> EventEditor:
    return make_editor()  # type: ignore[operator,no-any-return]


def requests_of(editor: EventEditor) -> list[EventDraft]:
    sent: list[EventDraft] = []
    editor.save_requested.connect(sent.append)
    return sent


def fill_valid(editor: EventEditor) -> None:
    editor.title_edit.setText("Call with Jane")


def error_text(editor: EventEditor, field: str) -> str:
    label = editor._errors[field]
    return label.text() if label.isVisibleTo(editor) else ""


def save(qtbot: QtBot, editor: EventEditor) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


# -- validation before anything is sent ---------------------------------------------------------------


def test_empty_title_is_refused_inline(qtbot: QtBot, new_editor: EventEditor) -> None:
    sent = requests_of(new_editor)
    new_editor.title_edit.setText("    ")
    save(qtbot, new_editor)
    assert sent == []
    assert error_text(new_editor, "title") == "Enter a title."
    assert not new_editor.is_saving and new_editor.save_button.isEnabled()


@pytest.mark.parametrize(
    ("setup", "field"),
    [
        (lambda e: e.end_edit.set_value(START - timedelta(minutes=30)), "end"),
        (lambda e: e.customer_email_edit.setText("john@"), "customer_email"),
        (lambda e: e.customer_phone_edit.setText("555 1234"), "customer_phone"),
        (
            lambda e: (e.video_check.setChecked(True), e.video_url_edit.setText("ftp://meet.example.com")),
            "video_conference_url",
        ),
        (lambda e: e.reminder_spin.setValue(MAX_REMIND_MINUTES + 1), "remind_before_minutes"),
    ],
    ids=["end-before-start", "email", "phone", "video-url", "reminder-max"],
)
def test_each_rule_shows_its_message_under_its_field(
    qtbot: QtBot, new_editor: EventEditor, setup: object, field: str
) -> None:
    sent = requests_of(new_editor)
    fill_valid(new_editor)
    setup(new_editor)  # type: ignore[operator]
    save(qtbot, new_editor)
    assert sent == []
    assert error_text(new_editor, field)
    others = [name for name in new_editor._errors if name != field and error_text(new_editor, name)]
    assert others == []


def test_reminder_spin_cannot_go_negative(new_editor: EventEditor) -> None:
    new_editor.reminder_spin.setValue(-5)
    assert new_editor.reminder_spin.value() == 0


def test_typing_in_a_field_clears_its_error(qtbot: QtBot, new_editor: EventEditor) -> None:
    save(qtbot, new_editor)
    assert error_text(new_editor, "title")
    new_editor.title_edit.setFocus()
    qtbot.keyClicks(new_editor.title_edit, "Standup")
    assert error_text(new_editor, "title") == ""


def test_a_valid_create_is_requested_once_and_shows_saving(qtbot: QtBot, new_editor: EventEditor) -> None:
    sent = requests_of(new_editor)
    fill_valid(new_editor)
    new_editor.customer_phone_edit.setText("+1 555-123-4567")
    new_editor.status_combo.setCurrentIndex(new_editor.status_combo.findData("confirmed"))
    new_editor.type_combo.setCurrentIndex(new_editor.type_combo.findData("voice_call"))
    save(qtbot, new_editor)
    save(qtbot, new_editor)  # a second click while saving does nothing
    assert len(sent) == 1
    assert new_editor.is_saving and not new_editor.save_button.isEnabled()
    assert new_editor.save_button.text() == "Saving…"
    payload = sent[0].to_input().to_payload()
    assert payload["title"] == "Call with Jane"
    assert payload["customer_phone"] == "+15551234567"
    assert (payload["status"], payload["event_type"]) == ("confirmed", "voice_call")
    assert (payload["start_time"], payload["end_time"]) == ("2026-12-01T14:00:00.000Z", "2026-12-01T15:00:00.000Z")


def test_ctrl_enter_saves(qtbot: QtBot, new_editor: EventEditor) -> None:
    new_editor.show()
    new_editor.activateWindow()
    qtbot.waitActive(new_editor)
    fill_valid(new_editor)
    new_editor.description_edit.setFocus()
    with qtbot.waitSignal(new_editor.save_requested, timeout=2000):
        qtbot.keyClick(new_editor.description_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


# -- create vs edit -----------------------------------------------------------------------------------------


def status_values(editor: EventEditor) -> list[str]:
    return [editor.status_combo.itemData(i) for i in range(editor.status_combo.count())]


def test_create_offers_only_scheduled_and_confirmed(new_editor: EventEditor) -> None:
    assert status_values(new_editor) == ["scheduled", "confirmed"]
    assert new_editor.windowTitle() == "New event"


def test_edit_offers_all_five_statuses(make_editor: object) -> None:
    editor = make_editor(EventDraft.from_event(stored_event()))  # type: ignore[operator]
    assert status_values(editor) == [s.value for s in EventStatus]
    assert editor.windowTitle() == "Edit event"


def test_edit_shows_every_field_and_an_untouched_draft_is_an_empty_patch(make_editor: object) -> None:
    event = stored_event()
    editor: EventEditor = make_editor(EventDraft.from_event(event))  # type: ignore[operator]
    assert editor.title_edit.text() == "Client Meeting"
    assert editor.description_edit.toPlainText() == "Discuss project requirements"
    assert editor.customer_notes_edit.toPlainText() == "Prefers mornings"
    assert editor.video_check.isChecked() and editor.video_provider_combo.currentText() == "Google Meet"
    assert editor.reminder_spin.value() == 30
    assert editor.draft().to_patch(event).to_payload() == {}
    assert not editor.draft().changed_from(EventDraft.from_event(event))


def test_edit_sends_only_what_changed(qtbot: QtBot, make_editor: object) -> None:
    event = stored_event()
    editor: EventEditor = make_editor(EventDraft.from_event(event))  # type: ignore[operator]
    sent = requests_of(editor)
    editor.status_combo.setCurrentIndex(editor.status_combo.findData("completed"))
    editor.location_edit.setText("Room B")
    editor.duration_combo.setCurrentIndex(editor.duration_combo.findData(90))
    save(qtbot, editor)
    assert len(sent) == 1
    assert sent[0].to_patch(event).to_payload() == {
        "status": "completed",
        "location": "Room B",
        "end_time": "2026-12-01T15:30:00.250Z",
    }


def test_duration_shortcut_and_moving_the_start_keep_the_length(new_editor: EventEditor) -> None:
    new_editor.duration_combo.setCurrentIndex(new_editor.duration_combo.findData(45))
    assert new_editor.end_edit.value() == START + timedelta(minutes=45)
    new_editor.start_edit.set_value(START + timedelta(hours=2))
    new_editor.start_edit.setDateTime(new_editor.start_edit.dateTime())  # as if typed
    new_editor.start_edit.value_changed.emit(new_editor.start_edit.value())
    assert new_editor.end_edit.value() - new_editor.start_edit.value() == timedelta(minutes=45)
    new_editor.end_edit.set_value(new_editor.start_edit.value() + timedelta(minutes=50))
    new_editor.end_edit.value_changed.emit(new_editor.end_edit.value())
    assert new_editor.duration_combo.currentText() == "Custom (50 min)"


def test_choosing_video_call_turns_video_on(new_editor: EventEditor) -> None:
    assert not new_editor.video_check.isChecked() and not new_editor.video_url_edit.isEnabled()
    new_editor.type_combo.setCurrentIndex(new_editor.type_combo.findData("video_call"))
    assert new_editor.video_check.isChecked() and new_editor.video_url_edit.isEnabled()


def test_time_zone_is_named(new_editor: EventEditor) -> None:
    # As the agenda and the slot finder name it (see test_date_shapes for a zone with a city).
    assert new_editor.zone_label.text() == local_zone_text(START) != ""


def test_phone_is_tidied_when_leaving_the_field(qtbot: QtBot, new_editor: EventEditor) -> None:
    new_editor.customer_phone_edit.setText("0049 30 123-4567")
    new_editor.customer_phone_edit.editingFinished.emit()
    assert new_editor.customer_phone_edit.text() == "+49301234567"


# -- the answer of the server ------------------------------------------------------------------------------


def test_server_errors_land_on_the_field_they_name(qtbot: QtBot, new_editor: EventEditor) -> None:
    fill_valid(new_editor)
    save(qtbot, new_editor)
    new_editor.show_field_errors(
        {
            "customer_email": "customer_email is not a valid email address",
            "start_time": "Invalid datetime format",
            "ai_agent_id": "Unknown agent",
        }
    )
    assert error_text(new_editor, "customer_email") == "customer_email is not a valid email address"
    assert error_text(new_editor, "start") == "Invalid datetime format"
    assert new_editor.general_error.text() == "ai_agent_id: Unknown agent"
    assert not new_editor.is_saving and new_editor.save_button.isEnabled()
    assert new_editor.title_edit.text() == "Call with Jane"


def test_daily_limit_message_shows_beside_the_buttons_as_plain_text(qtbot: QtBot, new_editor: EventEditor) -> None:
    message = "Daily limit reached; resets at 00:00 UTC (in 5 h). Your event is saved and will be sent then. <b>"
    new_editor.show_field_errors({"": message})
    assert new_editor.general_error.isVisibleTo(new_editor)
    assert new_editor.general_error.text() == message
    assert new_editor.general_error.textFormat() == Qt.TextFormat.PlainText


def test_a_failed_save_keeps_the_dialog_and_its_content(qtbot: QtBot, new_editor: EventEditor) -> None:
    sent = requests_of(new_editor)
    fill_valid(new_editor)
    new_editor.customer_name_edit.setText("Jane Doe")
    new_editor.show()
    save(qtbot, new_editor)
    before = sent[0]
    new_editor.set_saving(False)  # e.g. the server could not be reached
    assert new_editor.isVisible()
    assert new_editor.draft() == before
    assert new_editor.save_button.isEnabled() and new_editor.title_edit.isEnabled()
    save(qtbot, new_editor)
    assert len(sent) == 2 and sent[1] == before


def test_saved_closes_without_asking(qtbot: QtBot, new_editor: EventEditor) -> None:
    asked: list[bool] = []
    new_editor.confirm_discard = lambda: asked.append(True) or True
    fill_valid(new_editor)
    new_editor.show()
    save(qtbot, new_editor)
    new_editor.saved()
    assert not new_editor.isVisible() and asked == []


# -- closing and read-only ----------------------------------------------------------------------------------


def test_escape_asks_before_discarding_changes(qtbot: QtBot, new_editor: EventEditor) -> None:
    answers = [False, True]
    new_editor.confirm_discard = lambda: answers.pop(0)
    new_editor.show()
    qtbot.waitExposed(new_editor)
    fill_valid(new_editor)
    qtbot.keyClick(new_editor, Qt.Key.Key_Escape)
    assert new_editor.isVisible() and new_editor.title_edit.text() == "Call with Jane"
    qtbot.keyClick(new_editor, Qt.Key.Key_Escape)
    assert not new_editor.isVisible() and answers == []


def test_escape_without_changes_closes_at_once(qtbot: QtBot, new_editor: EventEditor) -> None:
    new_editor.confirm_discard = lambda: pytest.fail("nothing changed, nothing to ask")
    new_editor.show()
    qtbot.waitExposed(new_editor)
    qtbot.keyClick(new_editor, Qt.Key.Key_Escape)
    assert not new_editor.isVisible()


def test_read_only_disables_every_input_and_says_why(qtbot: QtBot, make_editor: object) -> None:
    reason = "This API key can only read the calendar. Add can_write_calendar in Klen to edit events."
    editor: EventEditor = make_editor(EventDraft.from_event(stored_event()), read_only_reason=reason)  # type: ignore[operator]
    sent = requests_of(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.read_only_banner.isVisible() and editor.read_only_banner.text() == reason
    assert editor.read_only_banner.textFormat() == Qt.TextFormat.PlainText
    enabled = [name for name, widget in editor._fields.items() if widget.isEnabled()]
    assert enabled == []
    assert not editor.save_button.isEnabled()
    editor._on_save()  # the Ctrl+Enter path
    assert sent == []


def test_partial_details_are_announced(make_editor: object) -> None:
    event = stored_event()
    bare = StoredEvent(summary=event.summary, detail=None, detail_fetched_at=None, local_state=None)
    editor: EventEditor = make_editor(EventDraft.from_event(bare))  # type: ignore[operator]
    assert editor.partial_note.isVisibleTo(editor)


# -- screenshots (KLEN_SCREENSHOTS=DIR) ---------------------------------------------------------------------


def test_screenshots_of_the_editor(qtbot: QtBot, make_editor: object) -> None:
    event = stored_event()
    editor: EventEditor = make_editor(replace(EventDraft.from_event(event), event_type=EventType.VIDEO_CALL))  # type: ignore[operator]
    editor.customer_email_edit.setText("john@")
    editor._on_save()
    editor.show_field_errors({"customer_email": "Enter an email address such as name@example.com."})
    grab_light_and_dark(qtbot, editor, "editor-edit")
    limited: EventEditor = make_editor(replace(EventDraft.new(START, END), title="Intro call"))  # type: ignore[operator]
    limited._on_save()
    limited.show_field_errors(
        {"": "Daily limit reached; resets at 00:00 UTC (in 5 h). Your event is saved and will be sent then."}
    )
    grab_light_and_dark(qtbot, limited, "editor-new-daily-limit")
    limited.hide()
    created: EventEditor = make_editor(read_only_reason="Read-only key: this key cannot create or change events.")  # type: ignore[operator]
    for path in grab_light_and_dark(qtbot, created, "editor-read-only"):
        assert path.stat().st_size > 0
