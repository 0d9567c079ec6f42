"""List endpoint: range semantics, filters, sort order and pagination maths (decisions 6.1-6.6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fixtures_emulator import EVENTS


def _insert_days(emulator, first: datetime, count: int, **extra):
    return emulator.admin.insert_events(
        [
            {
                "title": f"Event {i}",
                "start_time": first + timedelta(days=i),
                "end_time": first + timedelta(days=i, hours=1),
            }
            | extra
            for i in range(count)
        ]
    )


@pytest.mark.parametrize(
    "count, limit, pages",
    [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2), (25, 10, 3), (25, 7, 4), (25, 100, 1)],
)
def test_pages_is_ceiling_of_count_over_limit(api, emulator, count, limit, pages):
    if count > 0:
        emulator.admin.insert_events(
            [
                {
                    "title": f"E{i}",
                    "start_time": datetime(2025, 5, 1, 8, tzinfo=UTC) + timedelta(minutes=15 * i),
                    "end_time": datetime(2025, 5, 1, 8, 15, tzinfo=UTC) + timedelta(minutes=15 * i),
                }
                for i in range(count)
            ]
        )
    body = api().get(EVENTS, params={"start_date": "2025-05-01", "end_date": "2025-05-01", "limit": limit}).json()
    assert (body["count"], body["limit"], body["pages"]) == (count, limit, pages)
    assert len(body["events"]) == min(count, limit)


def test_walking_every_page_returns_every_event_once_in_order(api, emulator):
    start = datetime(2025, 5, 1, 9, tzinfo=UTC)
    ids = emulator.admin.insert_events(
        [{"title": f"E{i}", "start_time": start, "end_time": start + timedelta(hours=1)} for i in range(5)]
        + [{"title": "Earlier", "start_time": start - timedelta(hours=1), "end_time": start}]
    )
    client = api()
    seen = []
    for page in (1, 2, 3):
        body = client.get(EVENTS, params={"start_date": "2025-05-01", "limit": 2, "page": page}).json()
        assert body["page"] == page and body["pages"] == 3 and body["count"] == 6
        seen += [event["id"] for event in body["events"]]
    # Sorted by start_time, then id (6.5): the earlier event first, then the five equal starts by id.
    assert seen == [ids[5], *ids[:5]]


def test_page_past_the_end_is_empty(api, emulator):
    _insert_days(emulator, datetime(2025, 5, 1, 14, tzinfo=UTC), 3)
    body = api().get(EVENTS, params={"start_date": "2025-05-01", "page": 5}).json()
    assert body["events"] == [] and body["count"] == 3 and body["page"] == 5 and body["pages"] == 1


def test_limit_above_max_is_clamped_to_100(api, emulator):
    emulator.admin.insert_events(
        [
            {
                "title": f"E{i}",
                "start_time": datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=i),
                "end_time": datetime(2025, 5, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            }
            for i in range(120)
        ]
    )
    body = api().get(EVENTS, params={"start_date": "2025-05-01", "limit": 500}).json()
    assert body["limit"] == 100 and len(body["events"]) == 100 and body["pages"] == 2 and body["count"] == 120


def test_default_limit_is_10(api, emulator):
    _insert_days(emulator, datetime(2025, 5, 1, 14, tzinfo=UTC), 12)
    body = api().get(EVENTS, params={"start_date": "2025-05-01"}).json()
    assert body["limit"] == 10 and len(body["events"]) == 10 and body["page"] == 1


@pytest.mark.parametrize(
    "name, value", [("page", "0"), ("limit", "0"), ("page", "-1"), ("limit", "x"), ("page", "1.5"), ("page", "9" * 30)]
)
def test_page_and_limit_below_one_or_not_integers_are_rejected(api, name, value):
    response = api().get(EVENTS, params={name: value})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_parameter_format"
    assert name in response.json()["message"]


def test_range_is_utc_dates_inclusive_on_start_time(api, emulator):
    day = datetime(2025, 5, 10, tzinfo=UTC)
    ids = emulator.admin.insert_events(
        [
            {"title": "before", "start_time": day - timedelta(minutes=1), "end_time": day + timedelta(hours=2)},
            {"title": "first", "start_time": day, "end_time": day + timedelta(hours=1)},
            {
                "title": "last",
                "start_time": day + timedelta(days=2, hours=23, minutes=59),
                "end_time": day + timedelta(days=3, hours=1),
            },
            {"title": "after", "start_time": day + timedelta(days=3), "end_time": day + timedelta(days=3, hours=1)},
        ]
    )
    body = api().get(EVENTS, params={"start_date": "2025-05-10", "end_date": "2025-05-12"}).json()
    # An event that began before the window is not listed even though it overlaps it (6.3).
    assert [event["id"] for event in body["events"]] == [ids[1], ids[2]]


def test_offset_times_count_by_their_utc_date(api):
    client = api()
    # 00:30 on the 11th in Berlin is 23:30 on the 10th in UTC.
    client.post(
        "/api/v1/calendar/events/create",
        json={"title": "late", "start_time": "2025-05-11T00:30:00+01:00", "end_time": "2025-05-11T01:30:00+01:00"},
    )
    tenth = client.get(EVENTS, params={"start_date": "2025-05-10", "end_date": "2025-05-10"}).json()
    eleventh = client.get(EVENTS, params={"start_date": "2025-05-11", "end_date": "2025-05-11"}).json()
    assert tenth["count"] == 1 and eleventh["count"] == 0


def test_defaults_are_today_plus_30_days(api, emulator):
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    ids = emulator.admin.insert_events(
        [
            {"title": "yesterday", "start_time": today - timedelta(hours=2), "end_time": today - timedelta(hours=1)},
            {"title": "today", "start_time": today + timedelta(minutes=1), "end_time": today + timedelta(hours=1)},
            {
                "title": "day 30",
                "start_time": today + timedelta(days=30, hours=23),
                "end_time": today + timedelta(days=31),
            },
            {
                "title": "day 31",
                "start_time": today + timedelta(days=31, hours=1),
                "end_time": today + timedelta(days=31, hours=2),
            },
        ]
    )
    body = api().get(EVENTS).json()
    assert [event["id"] for event in body["events"]] == [ids[1], ids[2]]


def test_only_end_date_uses_today_as_start(api, emulator):
    today = datetime.now(UTC).date()
    body = api().get(EVENTS, params={"end_date": (today + timedelta(days=1)).isoformat()})
    assert body.status_code == 200
    assert api().get(EVENTS, params={"end_date": (today - timedelta(days=1)).isoformat()}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2025-5-1"},
        {"start_date": "05/01/2025"},
        {"start_date": "2025-02-30"},
        {"start_date": "2025-05-01T00:00:00Z"},
        {"end_date": "tomorrow"},
        {"start_date": "2025-05-10", "end_date": "2025-05-09"},
    ],
)
def test_bad_dates_are_invalid_parameter_format(api, params):
    response = api().get(EVENTS, params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_parameter_format"


def test_malformed_date_message_is_documented(api):
    assert api().get(EVENTS, params={"start_date": "2025/05/01"}).json() == {
        "error": "invalid_parameter_format",
        "message": "Invalid date format. Expected YYYY-MM-DD",
    }


def test_status_filter_and_all_statuses_by_default(api, emulator):
    start = datetime(2025, 5, 1, 9, tzinfo=UTC)
    statuses = ["scheduled", "confirmed", "cancelled", "completed", "no_show"]
    emulator.admin.insert_events(
        [
            {
                "title": s,
                "status": s,
                "start_time": start + timedelta(hours=i),
                "end_time": start + timedelta(hours=i, minutes=30),
            }
            for i, s in enumerate(statuses)
        ]
    )
    client = api()
    everything = client.get(EVENTS, params={"start_date": "2025-05-01"}).json()
    assert [event["status"] for event in everything["events"]] == statuses
    for status in statuses:
        body = client.get(EVENTS, params={"start_date": "2025-05-01", "status": status}).json()
        assert [event["status"] for event in body["events"]] == [status]


@pytest.mark.parametrize("status", ["done", "confirmed,cancelled", "CONFIRMED"])
def test_invalid_status_filter_is_validation_error(api, status):
    response = api().get(EVENTS, params={"status": status})
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"
