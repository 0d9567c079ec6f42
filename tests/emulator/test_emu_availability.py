"""Availability (decision 6.26): 30-minute steps inside 09-17 UTC, busy time and the past excluded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fixtures_emulator import AVAILABILITY

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # before business hours on Tuesday 1 Dec 2026


@pytest.fixture
def fixed_now(emulator):
    emulator.admin.set_clock(lambda: NOW)


def _slots(client, **params):
    response = client.get(AVAILABILITY, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _event(emulator, start: datetime, minutes: int, **extra) -> int:
    return emulator.admin.insert_events(
        [{"title": "busy", "start_time": start, "end_time": start + timedelta(minutes=minutes), **extra}]
    )[0]


def test_documented_shape_and_an_empty_day(api, fixed_now):
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=60)
    assert set(body) == {"user_id", "start_date", "end_date", "duration_minutes", "available_slots", "count"}
    assert body["start_date"] == body["end_date"] == "2026-12-02"
    assert body["duration_minutes"] == 60
    starts = [slot["start"][11:16] for slot in body["available_slots"]]
    # 09:00 to 16:00 every 30 minutes: the last 60-minute slot ends exactly at 17:00.
    assert starts == [f"{h:02d}:{m:02d}" for h in range(9, 16) for m in (0, 30)] + ["16:00"]
    assert body["count"] == len(body["available_slots"]) == 15
    assert body["available_slots"][0] == {
        "start": "2026-12-02T09:00:00.000Z",
        "end": "2026-12-02T10:00:00.000Z",
        "duration_minutes": 60,
    }


def test_defaults_are_today_seven_days_and_30_minutes(api, fixed_now):
    body = _slots(api())
    assert body["start_date"] == "2026-12-01" and body["end_date"] == "2026-12-08"
    assert body["duration_minutes"] == 30
    # Eight inclusive days, weekends included, 16 half-hour slots each.
    assert body["count"] == 8 * 16


def test_events_block_overlapping_slots(api, emulator, fixed_now):
    _event(emulator, datetime(2026, 12, 2, 10, 15, tzinfo=UTC), 30)  # 10:15-10:45
    _event(emulator, datetime(2026, 12, 2, 13, 0, tzinfo=UTC), 60, event_type="busy")  # 13:00-14:00
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=30)
    starts = {slot["start"][11:16] for slot in body["available_slots"]}
    assert {"10:00", "10:30", "13:00", "13:30"}.isdisjoint(starts)
    assert {"09:30", "11:00", "12:30", "14:00"} <= starts
    assert body["count"] == 16 - 4


def test_touching_events_do_not_block(api, emulator, fixed_now):
    _event(emulator, datetime(2026, 12, 2, 8, 0, tzinfo=UTC), 60)  # ends at 09:00
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=30)
    assert body["available_slots"][0]["start"] == "2026-12-02T09:00:00.000Z"


def test_event_started_the_day_before_still_blocks(api, emulator, fixed_now):
    _event(emulator, datetime(2026, 12, 1, 20, 0, tzinfo=UTC), 15 * 60)  # until 11:00 on the 2nd
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=30)
    assert body["available_slots"][0]["start"] == "2026-12-02T11:00:00.000Z"


@pytest.mark.parametrize("status, blocks", [("cancelled", False), ("no_show", False), ("completed", True)])
def test_which_statuses_block(api, emulator, fixed_now, status, blocks):
    _event(emulator, datetime(2026, 12, 2, 9, 0, tzinfo=UTC), 60, status=status)
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=30)
    assert (body["available_slots"][0]["start"] == "2026-12-02T10:00:00.000Z") is blocks


def test_past_slots_are_not_offered(api, emulator):
    emulator.admin.set_clock(lambda: datetime(2026, 12, 2, 12, 10, tzinfo=UTC))
    body = _slots(api(), start_date="2026-12-01", end_date="2026-12-02", duration=30)
    assert body["available_slots"][0]["start"] == "2026-12-02T12:30:00.000Z"


def test_a_slot_must_fit_before_closing(api, fixed_now):
    body = _slots(api(), start_date="2026-12-02", end_date="2026-12-02", duration=180)
    assert body["available_slots"][-1]["start"] == "2026-12-02T14:00:00.000Z"
    assert body["available_slots"][-1]["end"] == "2026-12-02T17:00:00.000Z"


@pytest.mark.parametrize("duration", ["0", "181", "-5", "abc", "1.5"])
def test_invalid_duration(api, duration):
    response = api().get(AVAILABILITY, params={"duration": duration})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_duration", "message": "Duration must be between 1 and 180 minutes"}


@pytest.mark.parametrize("duration", ["1", "180"])
def test_duration_bounds_are_inclusive(api, fixed_now, duration):
    assert _slots(api(), duration=duration)["duration_minutes"] == int(duration)


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026/12/01"},
        {"end_date": "12-08-2026"},
        {"start_date": "2026-12-10", "end_date": "2026-12-09"},
        {"start_date": "2026-12-01", "end_date": "2027-01-01"},
    ],
)
def test_invalid_dates_and_ranges(api, fixed_now, params):
    response = api().get(AVAILABILITY, params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_parameter_format"


def test_31_days_is_the_longest_range(api, fixed_now):
    body = _slots(api(), start_date="2026-12-01", end_date="2026-12-31", duration=180)
    assert body["count"] == 31 * 11  # 09:00 to 14:00 every 30 minutes
