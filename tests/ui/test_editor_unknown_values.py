"""Editing an event whose type or status the app does not know keeps them as they are and never sends them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from test_editor import DETAIL, START

from klen_desktop.api.models import EventDetail, EventPatch, EventSummary
from klen_desktop.drafts import EventDraft
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.editor import EventEditor


@pytest.fixture
def editor(qtbot: QtBot) -> Iterator[tuple[EventEditor, StoredEvent]]:
    detail = EventDetail.model_validate({**DETAIL, "event_type": "webinar", "status": "postponed"})
    summary = EventSummary.model_validate(detail.model_dump(include=set(EventSummary.model_fields)))
    event = StoredEvent(summary=summary, detail=detail, detail_fetched_at=START, local_state=None)
    widget = EventEditor(EventDraft.from_event(event))
    qtbot.addWidget(widget)
    yield widget, event
    widget.close()


def test_an_unrelated_edit_leaves_an_unknown_type_and_status_out_of_the_patch(
    editor: tuple[EventEditor, StoredEvent],
) -> None:
    widget, event = editor
    assert widget.type_combo.currentText() == "Webinar" and widget.status_combo.currentText() == "Postponed"
    widget.location_edit.setText("Room B")
    assert widget.draft().to_patch(event).to_payload() == {"location": "Room B"}


def test_the_app_never_sends_an_unknown_type_or_status() -> None:
    for field, value in (("event_type", "webinar"), ("status", "postponed")):
        with pytest.raises(ValueError, match="is not one of"):
            EventPatch.model_validate({field: value})
