"""EventDraft: validation rules, and the create body and PATCH it turns into (no Qt, no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType
from klen_desktop.drafts import (
    MAX_REMIND_MINUTES,
    EventDraft,
    api_field,
    draft_field,
    is_email,
    normalise_phone,
    validate,
)
from klen_desktop.links import is_web_link
from klen_desktop.store.events import StoredEvent

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
END = START + timedelta(hours=1)

BASE_FIELDS = {
    "id": 456,
    "uuid": "a1b2c3d4-e5f6-7890-a1b2-c3d4e5f67890",
    "title": "Product Demo",
    "event_type": "video_call",
    "status": "confirmed",
    "start_time": "2026-12-01T14:00:00.123Z",
    "end_time": "2026-12-01T15:00:00.000Z",
    "location": "Online",
    "has_video_conference": True,
    "video_conference_url": "https://meet.example.com/abc",
    "customer": {"name": "Jane Doe", "email": "jane@example.com", "phone": "+1 555 123 4567", "notes": "VIP"},
}


def stored(*, with_detail: bool = True, **overrides: object) -> StoredEvent:
    data = {**BASE_FIELDS, **overrides}
    detail_data = {
        **data,
        "description": "Demo for the client",
        "video_conference_provider": "Zoom",
        "is_reminder_enabled": True,
        "remind_before_minutes": 30,
    }
    summary_data = {k: v for k, v in data.items() if k != "customer"}
    summary_data["customer"] = {k: v for k, v in data["customer"].items() if k != "notes"}  # type: ignore[attr-defined]
    detail = EventDetail.model_validate(detail_data) if with_detail else None
    return StoredEvent(
        summary=EventSummary.model_validate(summary_data),
        detail=detail,
        detail_fetched_at=START if with_detail else None,
        local_state=None,
    )


def valid_draft(**changes: object) -> EventDraft:
    return replace(EventDraft.new(START, END), **{"title": "Call with Jane", **changes})  # type: ignore[arg-type]


# -- new drafts and validation ------------------------------------------------------------------------------


def test_new_draft_defaults() -> None:
    draft = EventDraft.new(START, END, default_reminder=20)
    assert draft.creating
    assert (draft.title, draft.status, draft.event_type) == ("", EventStatus.SCHEDULED, EventType.MEETING)
    assert draft.is_reminder_enabled and draft.remind_before_minutes == 20
    assert draft.sync_external_calendars and draft.send_notifications


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        EventDraft.new(datetime(2026, 12, 1, 14, 0), END)


def test_a_complete_draft_is_valid() -> None:
    assert validate(valid_draft(), creating=True) == {}


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_title_is_required(title: str) -> None:
    assert "title" in validate(valid_draft(title=title), creating=True)


@pytest.mark.parametrize("end", [START, START - timedelta(minutes=1)])
def test_end_must_be_after_start(end: datetime) -> None:
    assert validate(valid_draft(end=end), creating=True) == {"end": "The end must be after the start."}


@pytest.mark.parametrize("status", [EventStatus.CANCELLED, EventStatus.COMPLETED, EventStatus.NO_SHOW])
def test_create_takes_only_scheduled_or_confirmed(status: EventStatus) -> None:
    assert "status" in validate(valid_draft(status=status), creating=True)
    assert validate(valid_draft(status=status), creating=False) == {}


@pytest.mark.parametrize("email", ["jane", "jane@", "@example.com", "jane@example", "ja ne@example.com", "a@b@c.de"])
def test_bad_emails(email: str) -> None:
    assert "customer_email" in validate(valid_draft(customer_email=email), creating=True)


@pytest.mark.parametrize("email", ["jane@example.com", "j.d+tag@mail.example.co.uk", "  jane@example.com  "])
def test_good_emails(email: str) -> None:
    assert validate(valid_draft(customer_email=email), creating=True) == {}


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+15551234567", "+15551234567"),
        ("+1 555-123-4567", "+15551234567"),
        ("+49 (30) 123.4567", "+49301234567"),
        ("0049 30 1234567", "+49301234567"),
        ("+1234567", "+1234567"),
        ("+123456789012345", "+123456789012345"),
    ],
)
def test_phone_normalisation(raw: str, normalised: str) -> None:
    assert normalise_phone(raw) == normalised
    assert validate(valid_draft(customer_phone=raw), creating=True) == {}


@pytest.mark.parametrize("raw", ["5551234567", "+123456", "+1234567890123456", "+1 555 CALL NOW", "+", "+١٢٣٤٥٦٧٨"])
def test_bad_phones(raw: str) -> None:
    assert normalise_phone(raw) is None
    assert "customer_phone" in validate(valid_draft(customer_phone=raw), creating=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "javascript:alert(1)", "meet.example.com", "https://", "https://a b"]
)
def test_video_url_must_be_http(url: str) -> None:
    problems = validate(valid_draft(has_video_conference=True, video_conference_url=url), creating=True)
    assert "video_conference_url" in problems
    # The URL is not sent when video is off, so it is not checked either.
    assert validate(valid_draft(has_video_conference=False, video_conference_url=url), creating=True) == {}


def test_video_without_a_link_is_allowed() -> None:
    assert validate(valid_draft(has_video_conference=True, video_conference_provider="Zoom"), creating=True) == {}


@pytest.mark.parametrize(
    ("minutes", "ok"), [(-1, False), (0, True), (MAX_REMIND_MINUTES, True), (MAX_REMIND_MINUTES + 1, False)]
)
def test_reminder_minutes_bounds(minutes: int, ok: bool) -> None:
    problems = validate(valid_draft(remind_before_minutes=minutes), creating=True)
    assert ("remind_before_minutes" not in problems) is ok


def test_unchanged_odd_values_from_the_server_do_not_block_an_edit() -> None:
    base = EventDraft.from_event(stored(customer={"name": "X", "email": "not-an-email", "phone": "555-1234"}))
    edited = replace(base, title="New title")
    assert validate(edited, creating=False, unchanged_from=base) == {}
    assert "customer_email" in validate(
        replace(edited, customer_email="still bad"), creating=False, unchanged_from=base
    )


@given(st.text(alphabet="0123456789 -", min_size=0, max_size=30))
def test_normalised_phones_are_e164(text: str) -> None:
    result = normalise_phone("+" + text)
    digits = [ch for ch in text if ch.isdigit()]
    if 7 <= len(digits) <= 15:
        assert result == "+" + "".join(digits)
    else:
        assert result is None


@given(st.emails())
def test_generated_emails_pass(email: str) -> None:
    assert is_email(email)


def test_web_urls() -> None:
    assert is_web_link("https://meet.google.com/abc-defg-hij")
    assert is_web_link("HTTP://example.com:8080/x?y=1")
    assert not is_web_link("file:///etc/passwd")


def test_field_name_mapping() -> None:
    assert draft_field("start_time") == "start" and draft_field("end_time") == "end"
    assert draft_field("customer_email") == "customer_email"
    assert api_field("end") == "end_time" and api_field("title") == "title"


# -- create payloads --------------------------------------------------------------------------------------


def test_to_input_sends_every_set_field_in_api_form() -> None:
    berlin = timezone(timedelta(hours=1))
    draft = replace(
        EventDraft.new(datetime(2026, 12, 1, 15, 0, tzinfo=berlin), datetime(2026, 12, 1, 16, 0, tzinfo=berlin)),
        title="  Product Demo ",
        description="Product demonstration",
        event_type=EventType.VIDEO_CALL,
        status=EventStatus.CONFIRMED,
        customer_name="Jane Doe",
        customer_email="jane@example.com",
        customer_phone="+1 555-123-4567",
        has_video_conference=True,
        video_conference_provider="Zoom",
        remind_before_minutes=15,
    )
    assert draft.to_input().to_payload() == {
        "title": "Product Demo",
        "description": "Product demonstration",
        "start_time": "2026-12-01T14:00:00.000Z",
        "end_time": "2026-12-01T15:00:00.000Z",
        "event_type": "video_call",
        "status": "confirmed",
        "customer_name": "Jane Doe",
        "customer_email": "jane@example.com",
        "customer_phone": "+15551234567",
        "has_video_conference": True,
        "video_conference_provider": "Zoom",
        "is_reminder_enabled": True,
        "remind_before_minutes": 15,
        "sync_external_calendars": True,
        "send_notifications": True,
    }


def test_to_input_leaves_out_video_fields_when_video_is_off() -> None:
    payload = valid_draft(video_conference_url="https://x.example", video_conference_provider="Zoom").to_input()
    assert "video_conference_url" not in payload.to_payload()
    assert payload.to_payload()["has_video_conference"] is False


def test_to_input_refuses_an_invalid_draft() -> None:
    with pytest.raises(ValueError, match="title"):
        EventDraft.new(START, END).to_input()


# -- edits ----------------------------------------------------------------------------------------------


def test_from_event_reads_summary_and_details() -> None:
    draft = EventDraft.from_event(stored())
    assert draft.event_id == 456 and not draft.creating and not draft.partial
    assert draft.start == datetime(2026, 12, 1, 14, 0, 0, 123000, tzinfo=UTC)
    assert (draft.customer_name, draft.customer_phone, draft.customer_notes) == ("Jane Doe", "+1 555 123 4567", "VIP")
    assert (draft.description, draft.video_conference_provider, draft.remind_before_minutes) == (
        "Demo for the client",
        "Zoom",
        30,
    )


def test_from_event_without_details_is_partial() -> None:
    draft = EventDraft.from_event(stored(with_detail=False))
    assert draft.partial and draft.description == "" and draft.customer_notes == ""


def test_untouched_edit_is_an_empty_patch() -> None:
    event = stored()
    assert EventDraft.from_event(event).to_patch(event).to_payload() == {}


def test_patch_holds_only_what_changed() -> None:
    event = stored()
    draft = replace(
        EventDraft.from_event(event),
        start=START + timedelta(hours=1),
        end=END + timedelta(hours=1),
        status=EventStatus.COMPLETED,
        location="",
    )
    assert draft.to_patch(event).to_payload() == {
        "start_time": "2026-12-01T15:00:00.000Z",
        "end_time": "2026-12-01T16:00:00.000Z",
        "status": "completed",
        "location": "",
    }


def test_patch_turning_video_off_clears_link_and_provider() -> None:
    event = stored()
    draft = replace(EventDraft.from_event(event), has_video_conference=False)
    assert draft.to_patch(event).to_payload() == {
        "has_video_conference": False,
        "video_conference_url": "",
        "video_conference_provider": "",
    }


def test_patch_normalises_a_changed_phone_and_keeps_an_untouched_one() -> None:
    event = stored()
    assert replace(EventDraft.from_event(event), customer_phone="+44 20 7946 0958").to_patch(event).to_payload() == {
        "customer_phone": "+442079460958"
    }
    assert replace(EventDraft.from_event(event), title="T").to_patch(event).to_payload() == {"title": "T"}


def test_patch_sends_turned_off_flags_only_with_a_change() -> None:
    event = stored()
    quiet = replace(EventDraft.from_event(event), send_notifications=False, sync_external_calendars=False)
    assert quiet.to_patch(event).to_payload() == {}
    moved = replace(quiet, title="Moved quietly")
    assert moved.to_patch(event).to_payload() == {
        "title": "Moved quietly",
        "send_notifications": False,
        "sync_external_calendars": False,
    }


def test_patch_ignores_minutes_of_a_disabled_reminder() -> None:
    event = stored()
    off = replace(EventDraft.from_event(event), is_reminder_enabled=False, remind_before_minutes=99)
    assert off.to_patch(event).to_payload() == {"is_reminder_enabled": False}


def test_partial_draft_leaves_unknown_fields_alone() -> None:
    event = stored(with_detail=False)
    draft = replace(EventDraft.from_event(event), title="Renamed")
    assert draft.to_patch(event).to_payload() == {"title": "Renamed"}


def test_to_patch_refuses_an_invalid_change() -> None:
    event = stored()
    with pytest.raises(ValueError, match="end"):
        replace(EventDraft.from_event(event), end=START).to_patch(event)


def test_changed_from_ignores_surrounding_spaces() -> None:
    base = EventDraft.from_event(stored())
    assert not replace(base, title=base.title + "  ").changed_from(base)
    assert replace(base, title="Other").changed_from(base)


_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@given(
    title=_texts,
    minutes=st.integers(min_value=-5, max_value=200),
    email=st.sampled_from(["", "a@b.co", "bad"]),
    phone=st.sampled_from(["", "+15551234567", "123"]),
    status=st.sampled_from(list(EventStatus)),
    reminder=st.integers(min_value=-10, max_value=MAX_REMIND_MINUTES + 10),
)
def test_valid_drafts_always_make_a_create_body(
    title: str, minutes: int, email: str, phone: str, status: EventStatus, reminder: int
) -> None:
    draft = replace(
        EventDraft.new(START, START + timedelta(minutes=minutes)),
        title=title,
        customer_email=email,
        customer_phone=phone,
        status=status,
        remind_before_minutes=reminder,
    )
    problems = validate(draft, creating=True)
    if problems:
        with pytest.raises(ValueError):
            draft.to_input()
        return
    payload = draft.to_input().to_payload()
    assert payload["title"] == title.strip() and payload["title"]
    assert payload["end_time"] > payload["start_time"]
    assert payload["status"] in ("scheduled", "confirmed")
