"""Create validation, PUT versus PATCH, cancel (decisions 6.9-6.11, 6.18-6.21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fixtures_emulator import CREATE, EVENTS, event_body

FULL = {
    "title": "Product Demo",
    "description": "Demo",
    "start_time": "2026-12-15T14:00:00.000Z",
    "end_time": "2026-12-15T15:00:00.000Z",
    "event_type": "video_call",
    "status": "confirmed",
    "location": "Online",
    "customer_name": "Jane Doe",
    "customer_email": "jane@example.com",
    "customer_phone": "+15551234567",
    "customer_notes": "VIP",
    "has_video_conference": True,
    "video_conference_url": "https://zoom.us/j/123",
    "video_conference_provider": "Zoom",
    "is_reminder_enabled": False,
    "remind_before_minutes": 15,
    "ai_agent_id": 12,
    "team_id": 124,
    "created_by_ai_agent": True,
}


@pytest.fixture
def created(api):
    return api().post(CREATE, json=FULL).json()


# -- create validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["title", "start_time", "end_time"])
def test_missing_required_field(api, missing):
    body = {k: v for k, v in FULL.items() if k != missing}
    response = api().post(CREATE, json=body)
    assert response.status_code == 400
    assert response.json() == {"error": "missing_parameter", "message": f"Missing required parameter: {missing}"}


def test_blank_title_counts_as_missing(api):
    assert api().post(CREATE, json={**FULL, "title": "   "}).json()["error"] == "missing_parameter"


def test_required_fields_are_reported_in_order(api):
    assert api().post(CREATE, json={}).json()["message"] == "Missing required parameter: title"


@pytest.mark.parametrize(
    "value",
    ["2025-05-15 14:00", "15/05/2025 14:00", "2025-05-15T14:00:00", "2025-05-15", "tomorrow", 1747317600, None],
)
def test_bad_or_naive_datetimes_are_invalid_datetime_format(api, value):
    response = api().post(CREATE, json={**FULL, "start_time": value})
    if value is None:
        assert response.json()["error"] == "missing_parameter"
        return
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_datetime_format"
    assert body["message"].startswith("Invalid datetime format. Expected ISO 8601 format (YY")
    assert "start_time" in body["message"]


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"end_time": "2026-12-15T14:00:00Z"}, "end_time must be after start_time"),
        ({"end_time": "2026-12-15T13:00:00Z"}, "end_time must be after start_time"),
        ({"event_type": "party"}, "event_type"),
        ({"status": "cancelled"}, "status"),
        ({"status": "completed"}, "status"),
        ({"title": 5}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"has_video_conference": "yes"}, "has_video_conference"),
        ({"remind_before_minutes": -1}, "remind_before_minutes"),
        ({"remind_before_minutes": "15"}, "remind_before_minutes"),
        ({"remind_before_minutes": True}, "remind_before_minutes"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"customer_phone": "call me"}, "customer_phone"),
        ({"video_conference_url": "zoom.us/j/1"}, "video_conference_url"),
        ({"ai_agent_id": 999}, "ai_agent_id"),
        ({"team_id": "123"}, "team_id"),
    ],
)
def test_invalid_fields_are_validation_errors(api, changes, fragment):
    response = api().post(CREATE, json={**FULL, **changes})
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"
    assert fragment in response.json()["message"]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b""])
def test_body_must_be_a_json_object(api, raw):
    response = api().post(CREATE, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"


def test_unknown_keys_are_ignored_and_overlaps_allowed(api):
    client = api()
    assert client.post(CREATE, json={**FULL, "colour": "red"}).status_code == 201
    assert client.post(CREATE, json=FULL).status_code == 201


def test_create_status_confirmed_is_allowed(api):
    assert api().post(CREATE, json={**FULL, "status": "scheduled"}).json()["status"] == "scheduled"


# -- PUT versus PATCH ------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api, created):
    client = api()
    before = client.get(f"{EVENTS}/{created['id']}").json()

    response = client.patch(
        f"{EVENTS}/{created['id']}/update",
        json={"start_time": "2026-12-16T10:00:00Z", "end_time": "2026-12-16T10:45:00Z"},
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": created["id"],
        "uuid": created["uuid"],
        "title": "Product Demo",
        "start_time": "2026-12-16T10:00:00.000Z",
        "end_time": "2026-12-16T10:45:00.000Z",
        "status": "confirmed",
        "message": "Event updated successfully",
    }
    after = client.get(f"{EVENTS}/{created['id']}").json()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"start_time", "end_time", "duration_minutes", "updated_at"}


def test_patch_by_uuid_and_status_changes(api, created):
    client = api()
    for status in ["completed", "no_show", "scheduled", "cancelled", "confirmed"]:
        response = client.patch(f"{EVENTS}/{created['uuid']}/update", json={"status": status})
        assert response.status_code == 200 and response.json()["status"] == status


def test_patch_null_resets_optional_fields_and_rejects_null_required(api, created):
    client = api()
    response = client.patch(
        f"{EVENTS}/{created['id']}/update",
        json={"location": None, "customer_notes": None, "remind_before_minutes": None, "team_id": None},
    )
    assert response.status_code == 200
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    assert detail["location"] is None and detail["customer"]["notes"] is None
    assert detail["remind_before_minutes"] == 60 and detail["team"] is None
    rejected = client.patch(f"{EVENTS}/{created['id']}/update", json={"title": None})
    assert rejected.status_code == 400 and rejected.json()["error"] == "validation_error"


def test_patch_checks_times_against_the_stored_ones(api, created):
    response = api().patch(f"{EVENTS}/{created['id']}/update", json={"end_time": "2026-12-15T13:00:00Z"})
    assert response.status_code == 400
    assert response.json()["message"] == "end_time must be after start_time"


def test_put_requires_title_and_times(api, created):
    response = api().put(f"{EVENTS}/{created['id']}/update", json={"title": "Only a title"})
    assert response.status_code == 400
    assert response.json() == {"error": "missing_parameter", "message": "Missing required parameter: start_time"}


def test_put_resets_omitted_fields_to_create_defaults(api, created):
    client = api()
    response = client.put(
        f"{EVENTS}/{created['id']}/update",
        json={"title": "Replaced", "start_time": "2026-12-20T09:00:00Z", "end_time": "2026-12-20T09:30:00Z"},
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Event updated successfully"
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    assert detail["title"] == "Replaced"
    assert detail["event_type"] == "meeting" and detail["status"] == "scheduled"
    assert detail["description"] is None and detail["location"] is None and detail["customer"] is None
    assert detail["has_video_conference"] is False and detail["video_conference_url"] is None
    assert detail["is_reminder_enabled"] is True and detail["remind_before_minutes"] == 60
    assert detail["ai_agent"] is None and detail["team"] is None
    # Not writable through update, so a full update keeps it.
    assert detail["created_by_ai_agent"] is True


def test_put_may_set_any_status(api, created):
    body = {"title": "T", "start_time": FULL["start_time"], "end_time": FULL["end_time"], "status": "completed"}
    assert api().put(f"{EVENTS}/{created['id']}/update", json=body).json()["status"] == "completed"


def test_update_bumps_updated_at_but_not_created_at(api, created, emulator):
    client = api()
    before = client.get(f"{EVENTS}/{created['id']}").json()
    later = emulator.admin.now() + timedelta(minutes=5)
    emulator.admin.set_clock(lambda: later)
    client.patch(f"{EVENTS}/{created['id']}/update", json={"title": "Renamed"})
    after = client.get(f"{EVENTS}/{created['id']}").json()
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]


# -- cancel ----------------------------------------------------------------------------------------------


def test_cancel_with_reason_appends_it_on_a_new_line(api, created):
    client = api()
    response = client.post(f"{EVENTS}/{created['id']}/cancel", json={"reason": "Client requested to reschedule"})
    assert response.status_code == 200
    assert response.json() == {
        "id": created["id"],
        "uuid": created["uuid"],
        "status": "cancelled",
        "message": "Event cancelled successfully",
    }
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    assert detail["status"] == "cancelled"
    assert detail["customer"]["notes"] == "VIP\nClient requested to reschedule"


def test_cancel_reason_creates_customer_object_when_there_was_none(api):
    client = api()
    event = client.post(CREATE, json=event_body()).json()
    client.post(f"{EVENTS}/{event['uuid']}/cancel", json={"reason": "Sick"})
    customer = client.get(f"{EVENTS}/{event['id']}").json()["customer"]
    assert customer == {"name": None, "email": None, "phone": None, "notes": "Sick"}


def test_cancel_without_body_and_idempotent(api, created):
    client = api()
    first = client.post(f"{EVENTS}/{created['id']}/cancel")
    assert first.status_code == 200
    before = client.get(f"{EVENTS}/{created['id']}").json()
    again = client.post(f"{EVENTS}/{created['id']}/cancel", json={"reason": "retry"})
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    # The repeat changes nothing: a retried cancel must not duplicate the note.
    assert client.get(f"{EVENTS}/{created['id']}").json() == before


def test_cancel_rejects_a_non_string_reason(api, created):
    response = api().post(f"{EVENTS}/{created['id']}/cancel", json={"reason": 5})
    assert response.status_code == 400 and response.json()["error"] == "validation_error"


def test_cancelled_event_can_be_reopened_by_update(api, created):
    client = api()
    client.post(f"{EVENTS}/{created['id']}/cancel")
    response = client.patch(f"{EVENTS}/{created['id']}/update", json={"status": "confirmed"})
    assert response.json()["status"] == "confirmed"
