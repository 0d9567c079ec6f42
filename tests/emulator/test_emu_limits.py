"""Per-key limits: daily event creation (6.22) and requests per minute (6.23), on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fixtures_emulator import CREATE, EVENTS, RO_KEY, RW_KEY, event_body

from klen_desktop.emulator import ApiKeySpec


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(emulator):
    clock = MovableClock(datetime(2026, 11, 24, 22, 0, 0, tzinfo=UTC))
    emulator.admin.set_clock(clock)
    return clock


def test_51st_create_is_refused_until_utc_midnight(api, emulator, clock):
    client = api()
    for _ in range(50):
        assert client.post(CREATE, json=event_body()).status_code == 201

    refused = client.post(CREATE, json=event_body())

    assert refused.status_code == 429
    assert refused.json() == {
        "error": "rate_limit_exceeded",
        "message": "Daily calendar event creation limit of 50 reached; resets at 00:00 UTC",
    }
    assert refused.headers["Retry-After"] == str(2 * 3600)
    assert len(emulator.admin.all_events()) == 50
    # Reads, updates and cancels are not creations.
    assert client.get(EVENTS, params={"start_date": "2026-11-25"}).status_code == 200
    first = emulator.admin.all_events()[0]["id"]
    assert client.patch(f"{EVENTS}/{first}/update", json={"title": "x"}).status_code == 200
    assert client.post(f"{EVENTS}/{first}/cancel").status_code == 200

    clock.advance(hours=1, minutes=59, seconds=30)
    assert client.post(CREATE, json=event_body()).headers["Retry-After"] == "30"
    clock.advance(seconds=30)
    assert client.post(CREATE, json=event_body()).status_code == 201


def test_daily_limit_is_per_key_and_counts_only_successes(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, daily_limit=2)
    emulator.admin.add_key(ApiKeySpec("klen_other", daily_limit=2, rpm=100_000))
    client = api()
    assert client.post(CREATE, json={"title": "no times"}).status_code == 400
    assert client.post(CREATE, json=event_body()).status_code == 201
    assert client.post(CREATE, json=event_body()).status_code == 201
    assert emulator.admin.creates_today(RW_KEY) == 2
    assert client.post(CREATE, json=event_body()).status_code == 429
    assert api(key="klen_other").post(CREATE, json=event_body()).status_code == 201


def test_validation_is_reported_before_the_daily_limit(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, daily_limit=0)
    client = api()
    assert client.post(CREATE, json={"title": "draft"}).json()["error"] == "missing_parameter"
    assert api(key=RO_KEY).post(CREATE, json=event_body()).status_code == 403
    assert client.post(CREATE, json=event_body()).status_code == 429


def test_requests_per_minute_sliding_window(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, rpm=3)
    client = api()
    for _ in range(3):
        assert client.get(EVENTS).status_code == 200
        clock.advance(seconds=10)

    refused = client.get(EVENTS)

    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] == "rate_limit_exceeded"
    assert body["message"].startswith("Per-minute request limit of 3 requests reached")
    # The first request was 30 s ago, so its slot frees in 30 s.
    assert refused.headers["Retry-After"] == "30"
    clock.advance(seconds=30)
    assert client.get(EVENTS).status_code == 200
    assert client.get(EVENTS).status_code == 429


def test_rpm_counts_every_endpoint_and_is_per_key(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, rpm=2)
    client = api()
    assert client.post(CREATE, json=event_body()).status_code == 201
    assert client.get(f"{EVENTS}/999999").status_code == 404
    assert client.get("/api/v1/calendar/availability").status_code == 429
    assert api(key=RO_KEY).get(EVENTS).status_code == 200


def test_unauthenticated_requests_are_not_throttled_per_key(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, rpm=1)
    for _ in range(3):
        assert api(key=None).get(EVENTS).status_code == 401
    assert api().get(EVENTS).status_code == 200


def test_reset_clears_counters_and_restores_keys(api, emulator, clock):
    emulator.admin.set_limits(RW_KEY, rpm=1)
    client = api()
    client.get(EVENTS)
    assert client.get(EVENTS).status_code == 429
    emulator.admin.reset("empty")
    assert client.get(EVENTS).status_code == 200
    assert client.get(EVENTS).status_code == 200


def test_injected_clock_must_be_aware(emulator, api):
    emulator.admin.set_clock(lambda: datetime(2026, 1, 1))
    assert api().get(EVENTS).status_code == 500
    emulator.admin.set_clock(None)
    assert api().get(EVENTS).status_code == 200


def test_server_clock_given_at_construction(make_emulator, api):
    fixed = datetime(2030, 1, 2, 12, tzinfo=UTC)
    server = make_emulator(clock=lambda: fixed)
    created = api(server=server).post(CREATE, json=event_body()).json()
    assert server.admin.event(created["id"])["created_at"] == "2030-01-02T12:00:00.000Z"
