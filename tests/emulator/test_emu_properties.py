"""Properties over many inputs: time normalisation and page walking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from fixtures_emulator import CREATE, EVENTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURE_OK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=offsets)


@FIXTURE_OK
@given(start=instants, minutes=st.integers(min_value=1, max_value=600))
def test_any_offset_is_stored_as_the_same_instant_in_utc(api, emulator, start, minutes):
    emulator.admin.reset("empty")  # fresh daily-limit counter for every example
    end = start + timedelta(minutes=minutes)
    body = {"title": "p", "start_time": start.isoformat(), "end_time": end.isoformat()}
    created = api().post(CREATE, json=body).json()
    expected = start.astimezone(UTC).replace(microsecond=start.microsecond // 1000 * 1000)
    assert created["start_time"] == expected.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expected.microsecond // 1000:03d}Z"


@FIXTURE_OK
@given(count=st.integers(min_value=0, max_value=40), limit=st.integers(min_value=1, max_value=15))
def test_walking_pages_yields_each_event_once(api, emulator, count, limit):
    emulator.admin.reset("empty")
    base = datetime(2025, 6, 1, 8, tzinfo=UTC)
    ids = emulator.admin.insert_events(
        [
            {"title": str(i), "start_time": base + timedelta(minutes=i % 7), "end_time": base + timedelta(hours=1)}
            for i in range(count)
        ]
    )
    client = api()
    first = client.get(EVENTS, params={"start_date": "2025-06-01", "limit": limit}).json()
    assert first["pages"] == -(-count // limit)
    seen = [e["id"] for e in first["events"]]
    for page in range(2, first["pages"] + 1):
        seen += [
            e["id"]
            for e in client.get(EVENTS, params={"start_date": "2025-06-01", "limit": limit, "page": page}).json()[
                "events"
            ]
        ]
    assert sorted(seen) == sorted(ids) and len(seen) == count
