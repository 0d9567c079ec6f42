"""The ICS download (decision 6.25): no key, text/calendar, parses with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fixtures_emulator import CREATE, EVENTS, event_body
from icalendar import Calendar


def _vevent(text: bytes):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return event


def test_ics_parses_with_uid_times_and_status(api, emulator):
    body = event_body(
        datetime(2026, 12, 15, 14, tzinfo=UTC),
        90,
        status="confirmed",
        description="Agenda",
        location="Room A",
        video_conference_url="https://meet.google.com/abc-defg-hij",
        remind_before_minutes=15,
    )
    created = api().post(CREATE, json=body).json()

    response = httpx.get(emulator.url + created["ics_url"], timeout=10)  # no key: the link is shareable

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    event = _vevent(response.content)
    assert str(event["UID"]) == created["uuid"]
    assert event.decoded("DTSTART") == datetime(2026, 12, 15, 14, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 15, 15, 30, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Client Meeting"
    assert str(event["LOCATION"]) == "Room A"
    assert str(event["URL"]) == "https://meet.google.com/abc-defg-hij"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER").total_seconds() == -15 * 60


def test_cancelled_event_is_served_with_status_cancelled(api, emulator):
    client = api()
    created = client.post(CREATE, json=event_body()).json()
    before = _vevent(httpx.get(emulator.url + created["ics_url"], timeout=10).content)
    client.post(f"{EVENTS}/{created['id']}/cancel", json={"reason": "No longer needed"})

    event = _vevent(httpx.get(emulator.url + created["ics_url"], timeout=10).content)

    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    assert not event.walk("VALARM")


@pytest.mark.parametrize("status, expected", [("scheduled", "TENTATIVE"), ("completed", "CONFIRMED")])
def test_status_mapping(emulator, status, expected):
    (event_id,) = emulator.admin.insert_events([{**event_body(), "status": status}])
    uuid = emulator.admin.event(event_id)["uuid"]
    event = _vevent(httpx.get(f"{emulator.url}/calendar/event/{uuid}/calendar.ics", timeout=10).content)
    assert str(event["STATUS"]) == expected


@pytest.mark.parametrize("ref", ["f47ac10b-58cc-4372-a567-0e02b2c3d479", "1"])
def test_unknown_uuid_is_not_found(emulator, ref):
    emulator.admin.insert_events([event_body()])
    response = httpx.get(f"{emulator.url}/calendar/event/{ref}/calendar.ics", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
