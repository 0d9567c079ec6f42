"""Every endpoint, through real HTTP to the emulator: the user's calendar round-trips through the client."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from api_helpers import BASE_TIME, MakeClient, api_records, event_input

from klen_desktop import __version__
from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventDetail, EventPatch, EventStatus, EventType

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_create_then_read_by_id_and_by_uuid(client: KlenClient, emulator: Any) -> None:
    data = event_input(
        "Product Demo",
        description="Demo for a client",
        event_type=EventType.VIDEO_CALL,
        status=EventStatus.CONFIRMED,
        customer_name="Jane Doe",
        customer_email="jane@example.com",
        customer_phone="+15551234567",
        has_video_conference=True,
        video_conference_provider="Zoom",
        remind_before_minutes=15,
    )
    created = await client.create_event(data)

    assert created.title == "Product Demo"
    assert created.status is EventStatus.CONFIRMED
    assert created.start_time == BASE_TIME
    assert created.ics_url == f"/calendar/event/{created.uuid}/calendar.ics"

    by_id = await client.get_event(created.id)
    by_uuid = await client.get_event(created.uuid)
    assert by_id == by_uuid
    assert isinstance(by_id, EventDetail)
    assert (by_id.description, by_id.event_type, by_id.remind_before_minutes) == (
        "Demo for a client",
        EventType.VIDEO_CALL,
        15,
    )
    assert by_id.customer is not None and by_id.customer.email == "jane@example.com"
    assert by_id.end_time - by_id.start_time == timedelta(hours=1)
    assert emulator.admin.event(created.id)["title"] == "Product Demo"

    # Datetimes go out in the API's own form: UTC, milliseconds, Z.
    post = api_records(emulator, "POST", "/events/create")[-1]
    assert post.status == 201


async def test_list_sends_dates_as_plain_dates_and_filters_by_status(client: KlenClient, emulator: Any) -> None:
    first = await client.create_event(event_input("Kick-off", status=EventStatus.CONFIRMED))
    await client.create_event(event_input("Later", start=BASE_TIME + timedelta(days=1)))
    await client.create_event(event_input("Outside", start=BASE_TIME + timedelta(days=40)))

    page = await client.list_events(start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))
    assert [event.title for event in page.events] == ["Kick-off", "Later"]
    assert (page.count, page.page, page.pages) == (2, 1, 1)

    confirmed = await client.list_events(
        start_date=date(2027, 3, 1), end_date=date(2027, 3, 31), status=EventStatus.CONFIRMED
    )
    assert [event.id for event in confirmed.events] == [first.id]

    query = api_records(emulator, "GET", "/calendar/events")[-1].query
    assert "start_date=2027-03-01" in query and "end_date=2027-03-31" in query and "status=confirmed" in query


async def test_list_refuses_a_datetime_as_a_date(client: KlenClient) -> None:
    with pytest.raises(TypeError, match="date"):
        await client.list_events(start_date=datetime(2027, 3, 1, tzinfo=UTC))


async def test_patch_changes_only_what_is_sent(client: KlenClient) -> None:
    created = await client.create_event(event_input("Standup", location="Room 1"))
    moved = BASE_TIME + timedelta(hours=2)

    result = await client.update_event(created.id, EventPatch(start_time=moved, end_time=moved + timedelta(minutes=30)))

    assert result.id == created.id and result.start_time == moved
    detail = await client.get_event(created.uuid)
    assert (detail.title, detail.location, detail.start_time) == ("Standup", "Room 1", moved)


async def test_patch_sets_statuses_the_create_cannot(client: KlenClient) -> None:
    created = await client.create_event(event_input("Call"))
    result = await client.update_event(created.uuid, EventPatch(status=EventStatus.COMPLETED))
    assert result.status is EventStatus.COMPLETED
    assert (await client.get_event(created.id)).status is EventStatus.COMPLETED


async def test_empty_patch_is_refused_before_sending(client: KlenClient) -> None:
    with pytest.raises(ValueError, match="no field"):
        await client.update_event(1, EventPatch())
    assert client.requests_sent == 0


async def test_put_replaces_the_event(client: KlenClient) -> None:
    created = await client.create_event(event_input("Draft", location="Room 9", description="old"))
    result = await client.replace_event(created.id, event_input("Final", minutes=90))
    assert result.title == "Final"
    detail = await client.get_event(created.id)
    assert detail.title == "Final"
    assert detail.end_time - detail.start_time == timedelta(minutes=90)
    assert detail.location is None and detail.description is None  # PUT resets what it does not send


async def test_cancel_with_reason_appends_to_notes(client: KlenClient) -> None:
    created = await client.create_event(event_input("Review", customer_name="Ann", customer_notes="VIP"))
    result = await client.cancel_event(created.id, reason="Client asked to reschedule")
    assert result.status is EventStatus.CANCELLED
    detail = await client.get_event(created.id)
    assert detail.status is EventStatus.CANCELLED
    assert detail.customer is not None and detail.customer.notes == "VIP\nClient asked to reschedule"


async def test_cancel_without_reason(client: KlenClient) -> None:
    created = await client.create_event(event_input("Review"))
    result = await client.cancel_event(created.uuid)
    assert (result.id, result.status) == (created.id, EventStatus.CANCELLED)


async def test_availability_leaves_out_booked_time(client: KlenClient, emulator: Any) -> None:
    await client.create_event(event_input("Busy", start=datetime(2027, 3, 1, 9, 0, tzinfo=UTC), minutes=120))
    free = await client.availability(start_date=date(2027, 3, 1), end_date=date(2027, 3, 1), duration=60)
    assert free.duration_minutes == 60
    assert free.start_date == free.end_date == date(2027, 3, 1)
    assert free.count == len(free.available_slots) > 0
    assert all(slot.start >= datetime(2027, 3, 1, 11, 0, tzinfo=UTC) for slot in free.available_slots)
    query = api_records(emulator, "GET", "/availability")[-1].query
    assert "start_date=2027-03-01" in query and "duration=60" in query


async def test_ics_link_resolves_and_downloads(client: KlenClient, emulator: Any) -> None:
    created = await client.create_event(event_input("Dentist"))
    assert created.ics_url is not None
    url = client.ics_absolute_url(created.ics_url)
    assert url == f"{emulator.url}/calendar/event/{created.uuid}/calendar.ics"

    data = await client.download_ics(created.ics_url)

    assert data.startswith(b"BEGIN:VCALENDAR")
    assert created.uuid.encode() in data and b"Dentist" in data
    assert api_records(emulator, "GET", "/calendar.ics")[-1].status == 200


async def test_every_request_identifies_the_app(client: KlenClient, emulator: Any, rw_key: str) -> None:
    await client.list_events()
    record = api_records(emulator, "GET")[-1]
    assert record.header("user-agent") == f"KlenDesktop/{__version__} (+python-httpx)"
    assert record.header("accept") == "application/json"

    async with KlenClient(emulator.url, rw_key, user_agent="KlenDesktop/9 (tests)") as custom:
        await custom.availability()
    assert api_records(emulator, "GET")[-1].header("user-agent") == "KlenDesktop/9 (tests)"


async def test_event_ids_cannot_change_the_path(client: KlenClient) -> None:
    for bad in ("../create", "1/cancel", "", "a b", "1?x=2"):
        with pytest.raises(ValueError, match="event_id"):
            await client.get_event(bad)
    for wrong in (True, 0, -5):
        with pytest.raises((TypeError, ValueError)):
            await client.get_event(wrong)
    assert client.requests_sent == 0


async def test_bodies_carry_utc_datetimes_in_the_api_form(make_client: MakeClient, rw_key: str) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"id": 7, "uuid": "u-7", "status": "scheduled"})

    paris = timezone(timedelta(hours=1))
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = make_client(rw_key, http=http)
        await client.create_event(event_input("Zoned", start=datetime(2027, 3, 1, 11, 0, 0, 250_000, tzinfo=paris)))
        await client.update_event(7, EventPatch(description=None))

    create, patch = (json.loads(request.content) for request in sent)
    assert create["start_time"] == "2027-03-01T10:00:00.250Z"
    assert create["end_time"] == "2027-03-01T11:00:00.250Z"
    assert "description" not in create  # unset optional fields are not sent on create
    assert patch == {"description": None}  # an explicitly cleared field is sent on PATCH
    assert all(request.headers["authorization"] == f"Bearer {rw_key}" for request in sent)
    assert all("api_key" not in str(request.url) and rw_key not in str(request.url) for request in sent)
