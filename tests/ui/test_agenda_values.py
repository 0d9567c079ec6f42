"""The agenda's Qt-free rules (filters, safe links, detail text, banner wording), and the event factory the
other agenda tests import (``from test_agenda_values import make_event``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType
from klen_desktop.event_rules import join_link
from klen_desktop.links import web_link
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda.banners import problem_text, since_text, sync_banner
from klen_desktop.ui.agenda.event_facts import detail_rows, details_text
from klen_desktop.ui.agenda.filters import AgendaFilter, matches, search_text

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def make_event(
    event_id: int,
    start: datetime,
    minutes: int = 60,
    *,
    title: str | None = None,
    status: EventStatus = EventStatus.CONFIRMED,
    event_type: EventType = EventType.MEETING,
    customer: dict[str, Any] | None = None,
    location: str | None = None,
    video_url: str | None = None,
    ai_agent: str | None = None,
    local_state: LocalState | None = None,
    detail: dict[str, Any] | None = None,
) -> StoredEvent:
    """A cached event; ``detail`` (extra detail fields) makes it carry current details."""
    fields: dict[str, Any] = {
        "id": event_id,
        "uuid": f"00000000-0000-4000-8000-{abs(event_id):012d}",
        "title": title if title is not None else f"Event {event_id}",
        "event_type": event_type,
        "status": status,
        "start_time": start.astimezone(UTC),
        "end_time": (start + timedelta(minutes=minutes)).astimezone(UTC),
        "duration_minutes": minutes,
        "location": location,
        "has_video_conference": video_url is not None,
        "video_conference_url": video_url,
        "created_by_ai_agent": ai_agent is not None,
        "ai_agent": None if ai_agent is None else {"id": 7, "name": ai_agent},
        "customer": customer,
    }
    summary = EventSummary.model_validate(fields)
    full = None if detail is None else EventDetail.model_validate({**fields, **detail})
    return StoredEvent(
        summary=summary, detail=full, detail_fetched_at=None if full is None else NOW, local_state=local_state
    )


def make_entry(
    seq: int,
    state: OutboxState,
    *,
    op: OutboxOp = OutboxOp.PATCH,
    event_id: int | None = 1,
    message: str | None = "Invalid email",
    title: str = "Call",
) -> OutboxEntry:
    return OutboxEntry(
        seq=seq,
        op=op,
        event_id=event_id,
        payload={"title": title},
        base=None,
        state=state,
        attempts=1,
        next_attempt_at=None,
        error_code="validation_error",
        error_message=message,
        error_field=None,
        meta={},
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.example.com/abc", True),
        ("http://zoom.example.org/j/1?pwd=x", True),
        ("HTTPS://Meet.Example.com/x", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,<b>x</b>", False),
        ("https://", False),
        ("https://exa mple.com", False),
        ("https://example.com/\nfile:///x", False),
        ("//example.com/x", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_links_may_be_opened(url: str | None, ok: bool) -> None:
    assert (web_link(url) is not None) is ok


def test_join_is_offered_only_for_video_calls_with_a_safe_link() -> None:
    assert join_link(make_event(1, NOW, video_url="https://meet.example.com/a").summary) == "https://meet.example.com/a"
    assert join_link(make_event(2, NOW, video_url="javascript:alert(1)").summary) is None
    assert join_link(make_event(3, NOW).summary) is None


def test_search_looks_in_title_customer_and_location_case_insensitively() -> None:
    event = make_event(
        1, NOW, title="Roof  Repair", customer={"name": "Zoë Ortiz", "phone": "+1 555 0100"}, location="Bay 4"
    )
    hay = search_text(event.summary)
    for needle in ("roof repair", "ZOË", "bay 4", "555 0100"):
        flt = AgendaFilter(text=needle)
        assert matches(event, flt, hay, flt.needle)
    flt = AgendaFilter(text="plumbing")
    assert not matches(event, flt, hay, flt.needle)


def test_status_and_type_filters_combine() -> None:
    event = make_event(1, NOW, status=EventStatus.CANCELLED, event_type=EventType.VOICE_CALL)
    hay = search_text(event.summary)
    assert matches(event, AgendaFilter(), hay, "")
    assert not matches(event, AgendaFilter(statuses=frozenset({EventStatus.CONFIRMED})), hay, "")
    assert not matches(event, AgendaFilter(types=frozenset({EventType.MEETING})), hay, "")
    assert AgendaFilter().is_default and not AgendaFilter(text="x").is_default


def test_details_list_everything_the_api_returns() -> None:
    event = make_event(
        5,
        NOW,
        title="<b>x</b>",
        customer={"name": "Ann", "email": "ann@example.com", "phone": "+15550100"},
        video_url="https://meet.example.com/a",
        ai_agent="Sofia",
        detail={
            "description": "Bring the plans",
            "customer": {"name": "Ann", "email": "ann@example.com", "phone": "+15550100", "notes": "Gate code 12"},
            "video_conference_provider": "Google Meet",
            "is_reminder_enabled": True,
            "remind_before_minutes": 30,
            "team": {"id": 3, "name": "Field team"},
            "external_calendars": {"google": "g-1", "outlook": None, "gohighlevel": "h-2"},
            "created_at": NOW - timedelta(days=1),
            "updated_at": NOW,
        },
    )
    rows = dict(detail_rows(event))
    assert rows["Description"] == "Bring the plans"
    assert rows["Customer notes"] == "Gate code 12"
    assert rows["Reminder"] == "30 min before"
    assert rows["External calendars"] == "Google, GoHighLevel"
    assert rows["Team"] == "Field team"
    assert rows["AI agent"] == "Sofia" and rows["Booked by"] == "AI agent Sofia"
    assert rows["Video call"] == "Google Meet · https://meet.example.com/a"
    assert {"When", "Created", "Updated", "Email", "Phone"} <= rows.keys()
    text = details_text(event)
    assert text.splitlines()[0] == "<b>x</b>"
    assert "Customer notes: Gate code 12" in text


def test_sync_banner_says_what_happened_and_since_when() -> None:
    last = NOW - timedelta(minutes=12)
    offline = sync_banner(SyncStatus(phase=SyncPhase.OFFLINE, last_success=last), NOW)
    assert offline is not None and "Offline" in offline.text and "12 min ago" in offline.text
    auth = sync_banner(SyncStatus(phase=SyncPhase.AUTH_ERROR, last_error="Invalid API key"), NOW)
    assert auth is not None and auth.action == "Settings…" and "Invalid API key" in auth.text
    assert sync_banner(SyncStatus(phase=SyncPhase.IDLE, last_success=NOW), NOW) is None
    assert since_text(None, NOW) == "never"


def test_problem_wording_offers_the_right_way_out() -> None:
    message, resend, discard = problem_text(make_entry(1, OutboxState.CONFLICT), None)
    assert "“Call”" in message and (resend, discard) == ("Overwrite with mine", "Keep the server's")
    message, resend, _ = problem_text(make_entry(2, OutboxState.ATTENTION, op=OutboxOp.CREATE), "Visit")
    assert "Visit" in message and "Invalid email" in message and resend == "Send again"
