"""The demo calendar: realistic, complete and deterministic for a given clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fixtures_emulator import EVENTS

from klen_desktop.emulator.seed import demo_events

NOW = datetime(2026, 11, 24, 13, 7, 30, tzinfo=UTC)
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@pytest.fixture
def demo(emulator):
    emulator.admin.set_clock(lambda: NOW)
    emulator.admin.reset("demo")
    return emulator.admin.all_events()


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_a_fortnight_around_now_with_every_type_and_status(demo):
    assert 40 <= len(demo) <= 60
    starts = [_parse(e["start_time"]) for e in demo]
    assert min(starts) >= NOW - timedelta(days=8) and max(starts) <= NOW + timedelta(days=8)
    assert {e["event_type"] for e in demo} == {"meeting", "appointment", "busy", "voice_call", "video_call"}
    assert {e["status"] for e in demo} == {"scheduled", "confirmed", "cancelled", "completed", "no_show"}


def test_statuses_fit_the_timeline(demo):
    for event in demo:
        end = _parse(event["end_time"])
        if end <= NOW:
            assert event["status"] in {"completed", "no_show", "cancelled", "confirmed"}
        if _parse(event["start_time"]) > NOW:
            assert event["status"] in {"scheduled", "confirmed", "cancelled"}
    future_cancelled = [e for e in demo if e["status"] == "cancelled" and _parse(e["start_time"]) > NOW]
    assert future_cancelled


def test_events_starting_soon(demo):
    starts = {_parse(e["start_time"]) for e in demo if e["status"] == "confirmed"}
    minute = NOW.replace(second=0)
    assert {minute + timedelta(minutes=m) for m in (10, 25, 50)} <= starts


def test_realistic_details(demo):
    agents = {e["ai_agent"]["name"] for e in demo if e["ai_agent"]}
    assert len(agents) >= 2 and agents <= {
        "Booking Assistant",
        "Sales Scheduler",
        "Support Concierge",
        "Meeting Scheduler",
    }
    assert sum(e["created_by_ai_agent"] for e in demo) >= 8
    customers = [e["customer"] for e in demo if e["customer"]]
    assert len(customers) >= 20
    assert all(E164.match(c["phone"]) for c in customers if c["phone"])
    assert any(c["notes"] for c in customers)
    videos = [e for e in demo if e["event_type"] == "video_call"]
    assert videos and all(e["video_conference_url"].startswith("https://") for e in videos)
    assert all(e["video_conference_provider"] for e in videos)
    voice = [e for e in demo if e["event_type"] == "voice_call"]
    assert voice and all(e["customer"]["phone"] or e["location"] for e in voice)
    assert any(not e["is_reminder_enabled"] for e in demo) and any(e["is_reminder_enabled"] for e in demo)
    assert len({e["remind_before_minutes"] for e in demo}) >= 4
    assert any(e["external_calendars"] for e in demo)
    assert any(e["team"] for e in demo)
    assert all(e["customer"] is None for e in demo if e["event_type"] == "busy")
    assert all(_parse(e["created_at"]) <= NOW and _parse(e["updated_at"]) <= NOW for e in demo)


def test_deterministic_for_a_given_clock():
    first, second = demo_events(NOW), demo_events(NOW)
    assert first == second
    assert demo_events(NOW + timedelta(days=1)) != first


def test_demo_calendar_is_served_over_http(api, demo):
    client = api()
    page = client.get(EVENTS, params={"start_date": "2026-11-17", "end_date": "2026-12-01", "limit": 100}).json()
    assert page["count"] == len(demo)
    assert [e["id"] for e in page["events"]] == [e["id"] for e in demo]
    assert client.get(f"{EVENTS}/{demo[0]['uuid']}").json() == demo[0]
