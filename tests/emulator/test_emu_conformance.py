"""The emulator answers the documented examples with the documented shapes (contract section 2)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fixtures_emulator import CREATE, EVENTS, REVOKED_KEY, RO_KEY, RW_KEY, event_body

from klen_desktop.emulator import EmulatorServer

SUMMARY_KEYS = {
    "id", "uuid", "title", "event_type", "status", "start_time", "end_time", "duration_minutes", "location",
    "has_video_conference", "video_conference_url", "created_by_ai_agent", "ai_agent", "customer",
}  # fmt: skip
DETAIL_KEYS = SUMMARY_KEYS | {
    "description", "event_type_display", "status_display", "video_conference_provider", "is_reminder_enabled",
    "remind_before_minutes", "created_at", "updated_at", "team", "external_calendars", "ics_url",
}  # fmt: skip
DOCS_CREATE_EXAMPLE = {
    "title": "Product Demo",
    "description": "Product demonstration for potential client",
    "start_time": "2025-05-15T14:00:00.000Z",
    "end_time": "2025-05-15T15:00:00.000Z",
    "event_type": "video_call",
    "status": "confirmed",
    "customer_name": "Jane Doe",
    "customer_email": "jane@example.com",
    "customer_phone": "+15551234567",
    "has_video_conference": True,
    "video_conference_provider": "Zoom",
    "is_reminder_enabled": True,
    "remind_before_minutes": 15,
}


def test_create_answers_201_with_the_documented_partial_event(api):
    response = api().post(CREATE, json=DOCS_CREATE_EXAMPLE)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "uuid", "title", "start_time", "end_time", "status", "ics_url", "message"}
    assert isinstance(body["id"], int)
    assert body["title"] == "Product Demo"
    assert body["start_time"] == "2025-05-15T14:00:00.000Z"
    assert body["end_time"] == "2025-05-15T15:00:00.000Z"
    assert body["status"] == "confirmed"
    assert body["ics_url"] == f"/calendar/event/{body['uuid']}/calendar.ics"
    assert body["message"] == "Event created successfully"


def test_details_have_the_full_shape_by_id_and_by_uuid(api):
    client = api()
    created = client.post(CREATE, json=DOCS_CREATE_EXAMPLE).json()

    by_id = client.get(f"{EVENTS}/{created['id']}")
    by_uuid = client.get(f"{EVENTS}/{created['uuid']}")

    assert by_id.status_code == by_uuid.status_code == 200
    detail = by_id.json()
    assert detail == by_uuid.json()
    assert set(detail) == DETAIL_KEYS
    assert detail["event_type_display"] == "Video Call"
    assert detail["status_display"] == "Confirmed"
    assert detail["duration_minutes"] == 60
    assert detail["customer"] == {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "phone": "+15551234567",
        "notes": None,
    }
    assert detail["video_conference_provider"] == "Zoom"
    assert detail["remind_before_minutes"] == 15
    assert detail["ai_agent"] is None and detail["team"] is None and detail["external_calendars"] is None
    assert detail["ics_url"] == created["ics_url"]
    assert detail["created_at"].endswith("Z") and len(detail["created_at"]) == len("2025-04-25T10:15:30.000Z")


def test_uuid_lookup_ignores_case(api):
    client = api()
    created = client.post(CREATE, json=event_body()).json()
    assert client.get(f"{EVENTS}/{created['uuid'].upper()}").json()["id"] == created["id"]


def test_list_items_are_summaries(api):
    client = api()
    client.post(CREATE, json={**DOCS_CREATE_EXAMPLE, "ai_agent_id": 42, "created_by_ai_agent": True})

    page = client.get(EVENTS, params={"start_date": "2025-05-01", "end_date": "2025-05-31"}).json()

    assert set(page) == {"count", "page", "limit", "pages", "events"}
    (item,) = page["events"]
    assert set(item) == SUMMARY_KEYS
    assert item["customer"] == {"name": "Jane Doe", "email": "jane@example.com", "phone": "+15551234567"}
    assert item["ai_agent"] == {"id": 42, "name": "Meeting Scheduler", "assistant_id": "asst_01234567890"}
    assert item["created_by_ai_agent"] is True


def test_defaults_of_a_minimal_create(api, emulator):
    created = api().post(CREATE, json=event_body()).json()

    detail = emulator.admin.event(created["id"])
    assert detail is not None
    assert detail["event_type"] == "meeting"
    assert detail["status"] == "scheduled"
    assert detail["has_video_conference"] is False
    assert detail["is_reminder_enabled"] is True
    assert detail["remind_before_minutes"] == 60
    assert detail["created_by_ai_agent"] is False
    assert detail["customer"] is None and detail["location"] is None and detail["description"] is None


def test_customer_object_appears_with_notes_only(api):
    client = api()
    created = client.post(CREATE, json=event_body(customer_notes="Prefers mornings")).json()
    customer = client.get(f"{EVENTS}/{created['id']}").json()["customer"]
    assert customer == {"name": None, "email": None, "phone": None, "notes": "Prefers mornings"}


def test_team_and_agent_objects(api):
    client = api()
    created = client.post(CREATE, json=event_body(team_id=123, ai_agent_id=7)).json()
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    assert detail["team"] == {"id": 123, "name": "Sales Team"}
    assert detail["ai_agent"]["name"] == "Booking Assistant"
    assert detail["created_by_ai_agent"] is False


def test_offsets_are_normalised_to_utc_milliseconds(api):
    client = api()
    body = event_body(start_time="2026-12-01T10:00:00.123456+02:00", end_time="2026-12-01T09:30:00Z")
    created = client.post(CREATE, json=body).json()
    assert created["start_time"] == "2026-12-01T08:00:00.123Z"
    assert created["end_time"] == "2026-12-01T09:30:00.000Z"


def test_admin_event_equals_what_get_returns(api, emulator):
    client = api()
    created = client.post(CREATE, json=DOCS_CREATE_EXAMPLE).json()
    assert emulator.admin.event(created["id"]) == client.get(f"{EVENTS}/{created['id']}").json()
    assert emulator.admin.all_events() == [client.get(f"{EVENTS}/{created['id']}").json()]


# -- authentication and permissions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, params",
    [
        ({"Authorization": f"Bearer {RW_KEY}"}, {}),
        ({"X-API-Key": RW_KEY}, {}),
        ({}, {"api_key": RW_KEY}),
    ],
    ids=["bearer", "x-api-key", "query"],
)
def test_the_three_documented_key_sources_work(emulator, headers, params):
    response = httpx.get(emulator.url + EVENTS, headers=headers, params=params, timeout=10)
    assert response.status_code == 200
    assert emulator.admin.request_log()[-1].key == RW_KEY


def test_authorization_wins_over_other_sources(emulator):
    response = httpx.get(
        emulator.url + EVENTS,
        headers={"Authorization": "Bearer klen_unknown", "X-API-Key": RW_KEY},
        params={"api_key": RW_KEY},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_key"
    assert emulator.admin.request_log()[-1].key_source == "authorization"


def test_x_api_key_wins_over_query(emulator):
    response = httpx.get(
        emulator.url + EVENTS, headers={"X-API-Key": RW_KEY}, params={"api_key": "klen_bad"}, timeout=10
    )
    assert response.status_code == 200


def test_missing_key_is_authentication_required(api):
    response = api(key=None).get(EVENTS)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication_required", "message": "API key is required"}


@pytest.mark.parametrize("key", ["klen_nope", REVOKED_KEY])
def test_unknown_or_revoked_key_is_invalid_key(api, key):
    response = api(key=key).get(EVENTS)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_key", "message": "Invalid or inactive API key"}


def test_non_bearer_authorization_is_rejected(emulator):
    response = httpx.get(emulator.url + EVENTS, headers={"Authorization": f"Basic {RW_KEY}"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_key"


def test_read_only_key_cannot_write(api):
    client = api(key=RO_KEY)
    for method, path, body in [
        ("POST", CREATE, event_body()),
        ("PATCH", f"{EVENTS}/1/update", {"title": "x"}),
        ("PUT", f"{EVENTS}/1/update", event_body()),
        ("POST", f"{EVENTS}/1/cancel", {}),
    ]:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json() == {
            "error": "permission_denied",
            "message": "This API key does not have can_write_calendar permission",
        }


def test_write_only_key_cannot_read(api, emulator):
    emulator.admin.set_permissions(RW_KEY, can_read=False, can_write=True)
    client = api()
    for path in [EVENTS, f"{EVENTS}/1", "/api/v1/calendar/availability"]:
        response = client.get(path)
        assert response.status_code == 403
        assert response.json() == {
            "error": "permission_denied",
            "message": "This API key does not have can_read_calendar permission",
        }
    assert client.post(CREATE, json=event_body()).status_code == 201


def test_revoking_and_restoring_a_key(api, emulator):
    client = api()
    assert client.get(EVENTS).status_code == 200
    emulator.admin.revoke_key(RW_KEY)
    assert client.get(EVENTS).json()["error"] == "invalid_key"
    emulator.admin.restore_key(RW_KEY)
    assert client.get(EVENTS).status_code == 200


def test_auth_is_checked_before_validation_and_lookup(api):
    assert api(key=None).post(CREATE, json={}).status_code == 401
    assert api(key=RO_KEY).post(CREATE, json={}).status_code == 403
    assert api(key=RO_KEY).post(f"{EVENTS}/999999/cancel").status_code == 403


# -- not found and unknown paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, suffix",
    [("GET", ""), ("PATCH", "/update"), ("PUT", "/update"), ("POST", "/cancel")],
)
@pytest.mark.parametrize("ref", ["999999", "f47ac10b-58cc-4372-a567-0e02b2c3d479"])
def test_missing_event_is_not_found(api, method, suffix, ref):
    response = api().request(method, f"{EVENTS}/{ref}{suffix}", json=event_body())
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Event not found or you do not have access"}


def test_unknown_path_and_method_use_the_envelope(api):
    client = api()
    missing = client.get("/api/v1/calendar/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong_method = client.delete(f"{EVENTS}/1")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def test_server_error_envelope(api, emulator):
    emulator.faults.fail_next(1)
    response = api().get(EVENTS)
    assert response.status_code == 500
    assert response.json() == {"error": "server_error", "message": "An unexpected server error occurred"}


def test_datetimes_are_utc_with_milliseconds(api):
    client = api()
    created = client.post(CREATE, json=event_body(datetime(2026, 12, 3, 9, 15, tzinfo=UTC))).json()
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    for field in ("start_time", "end_time", "created_at", "updated_at"):
        parsed = datetime.strptime(detail[field], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert parsed.year >= 2026


def test_default_keys_are_the_demo_keys():
    server = EmulatorServer(seed="empty")
    assert [(k.key, k.can_read, k.can_write, k.revoked) for k in server.keys] == [
        ("klen_demo_readwrite", True, True, False),
        ("klen_demo_readonly", True, False, False),
        ("klen_demo_revoked", True, True, True),
    ]
    server.stop()


@pytest.mark.asyncio
async def test_async_client_on_the_app_loop(emulator, rw_key):
    # The server runs in its own thread and loop, so the app's (qasync) loop only awaits sockets.
    async with httpx.AsyncClient(base_url=emulator.url, headers={"X-API-Key": rw_key}, timeout=10) as client:
        created = await asyncio.wait_for(client.post(CREATE, json=event_body()), 10)
        fetched = await asyncio.wait_for(client.get(f"{EVENTS}/{created.json()['id']}"), 10)
    assert created.status_code == 201
    assert fetched.json()["uuid"] == created.json()["uuid"]


def test_docs_list_example_request(api, emulator):
    start = datetime(2025, 5, 1, 14, tzinfo=UTC)
    emulator.admin.insert_events(
        [
            {
                "title": f"Client Meeting {i}",
                "status": "confirmed" if i < 25 else "scheduled",
                "start_time": start + timedelta(days=i % 30),
                "end_time": start + timedelta(days=i % 30, hours=1),
            }
            for i in range(30)
        ]
    )
    response = api().get(
        "/api/v1/calendar/events?start_date=2025-05-01&end_date=2025-05-31&status=confirmed&page=1&limit=10"
    )
    body = response.json()
    assert (body["count"], body["page"], body["limit"], body["pages"]) == (25, 1, 10, 3)
    assert all(event["status"] == "confirmed" for event in body["events"])


def test_docs_availability_example_request(api, emulator):
    emulator.admin.set_clock(lambda: datetime(2025, 4, 30, 12, tzinfo=UTC))
    body = api().get("/api/v1/calendar/availability?start_date=2025-05-01&end_date=2025-05-07&duration=60").json()
    assert body["available_slots"][0] == {
        "start": "2025-05-01T09:00:00.000Z",
        "end": "2025-05-01T10:00:00.000Z",
        "duration_minutes": 60,
    }
    assert body["count"] == 7 * 15 and body["user_id"] == 1


def test_trailing_slash_is_not_served(api):
    response = api().get(EVENTS + "/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_ics_answers_head(api, emulator):
    created = api().post(CREATE, json=event_body()).json()
    response = httpx.head(emulator.url + created["ics_url"], timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")


@pytest.mark.asyncio
async def test_asgi_app_serves_in_process_without_a_socket():
    server = EmulatorServer(seed="demo")
    try:
        transport = httpx.ASGITransport(app=server.asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            response = await client.get(EVENTS, headers={"X-API-Key": "klen_demo_readonly"})
        assert response.status_code == 200
        assert response.json()["count"] > 0
    finally:
        server.stop()
