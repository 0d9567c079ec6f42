"""Server answers are read tolerantly (one bad value never hides an event or fails a page); input strictly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klen_desktop.api.errors import MalformedResponse
from klen_desktop.api.models import (
    Availability,
    EventDetail,
    EventInput,
    EventPage,
    EventPatch,
    EventStatus,
    EventSummary,
    EventType,
    WriteResult,
    parse_model,
)
from klen_desktop.reminders.due import reminder_due_at
from klen_desktop.store.events import StoredEvent

OPTIONAL = [
    name
    for name, field in EventDetail.model_fields.items()
    if name not in {"id", "uuid", "title", "event_type", "status", "start_time", "end_time"} and not field.required
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def event(**fields: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "uuid": "u-7",
        "title": "Call",
        "event_type": "meeting",
        "status": "scheduled",
        "start_time": "2026-11-24T10:00:00.000Z",
        "end_time": "2026-11-24T11:00:00.000Z",
        **fields,
    }


@given(st.sampled_from(OPTIONAL), json_values)
def test_any_value_in_an_optional_field_leaves_the_event_readable(field: str, value: object) -> None:
    detail = parse_model(EventDetail, event(**{field: value}))
    assert detail.id == 7 and detail.title == "Call"
    again = EventDetail.model_validate_json(detail.model_dump_json())
    assert again == detail


def test_a_reminder_lead_beyond_a_year_reads_as_unset_and_the_reminder_uses_the_default() -> None:
    detail = parse_model(EventDetail, event(remind_before_minutes=10**10))
    assert detail.remind_before_minutes is None
    stored = StoredEvent(
        summary=parse_model(EventSummary, event()), detail=detail, detail_fetched_at=None, local_state=None
    )
    assert reminder_due_at(stored, default_minutes=15) == detail.start_time - timedelta(minutes=15)


def test_unknown_enum_values_are_kept_in_reads_and_refused_in_input() -> None:
    summary = parse_model(EventSummary, event(event_type="webinar", status="on_hold"))
    assert (summary.event_type.value, summary.status.value) == ("webinar", "on_hold")
    assert not summary.event_type.known and EventType.MEETING.known
    assert list(EventType) == [EventType(v) for v in ("meeting", "appointment", "busy", "voice_call", "video_call")]
    assert parse_model(WriteResult, {"id": 7, "uuid": "u-7", "status": "archived"}).status == "archived"
    with pytest.raises(ValueError, match="is not one of"):
        EventInput.model_validate(event(event_type="webinar"))
    for bad in ("", "x" * 65, 5):
        with pytest.raises(MalformedResponse):
            parse_model(EventSummary, event(status=bad))
    assert EventStatus("scheduled") is EventStatus.SCHEDULED
    assert parse_model(EventSummary, event(status="Confirmed ")).status is EventStatus.CONFIRMED


def test_ids_beyond_what_the_cache_can_store_are_refused() -> None:
    with pytest.raises(MalformedResponse, match="id"):
        parse_model(EventSummary, event(id=10**30))


def test_a_page_of_nothing_but_bad_events_is_still_a_page() -> None:
    page = parse_model(
        EventPage, {"count": 3, "page": 1, "limit": 100, "pages": 1, "events": [None, event(id=-3), event(title=None)]}
    )
    assert page.events == () and [(r.index, r.id) for r in page.rejected] == [(0, None), (1, None), (2, 7)]
    forged = parse_model(EventPage, {"count": 0, "page": 1, "limit": 1, "pages": 1, "events": [], "rejected": [1]})
    assert forged.rejected == ()
    with pytest.raises(MalformedResponse):
        parse_model(EventPage, {"count": 0, "page": 1, "limit": 1, "pages": 1, "events": {"not": "a list"}})


def test_free_slots_keep_the_readable_ones() -> None:
    slot = {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T10:30:00Z", "duration_minutes": 30}
    answer = parse_model(
        Availability,
        {
            "start_date": "2026-11-24",
            "end_date": "2026-11-25",
            "duration_minutes": 30,
            "count": 2,
            "available_slots": [slot, {**slot, "start": "0999-01-01T00:00:00Z"}],
        },
    )
    assert len(answer.available_slots) == 1 and [r.index for r in answer.rejected] == [1]


def test_a_partial_update_takes_every_field_of_a_create_but_the_create_only_one() -> None:
    assert set(EventPatch.model_fields) == set(EventInput.model_fields) - {"created_by_ai_agent"}
    full = {
        **event(),
        "description": "Agenda",
        "location": "Room B",
        "customer_name": "Ada",
        "customer_email": "ada@example.com",
        "customer_phone": "+44 20 7946 0000",
        "customer_notes": "VIP",
        "has_video_conference": True,
        "video_conference_url": "https://meet.example.com/x",
        "video_conference_provider": "meet",
        "is_reminder_enabled": True,
        "remind_before_minutes": 10,
        "ai_agent_id": 3,
        "team_id": 4,
        "created_by_ai_agent": True,
        "sync_external_calendars": False,
        "send_notifications": False,
    }
    payload = EventInput.model_validate(full).to_payload()
    assert set(payload) == set(EventInput.model_fields)
    shared = {k: v for k, v in payload.items() if k != "created_by_ai_agent"}
    assert EventPatch.model_validate(payload).to_payload() == shared
