"""Whatever the server sends, reading it either gives a model or raises MalformedResponse, nothing else.

Arbitrary JSON and near-valid events (a field dropped or given a wrong type) are fed to ``parse_model`` for
every response model; valid data round-trips through the models' own serializer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klen_desktop.api.errors import MalformedResponse
from klen_desktop.api.model_base import ApiModel
from klen_desktop.api.models import (
    Availability,
    EventDetail,
    EventPage,
    EventStatus,
    EventSummary,
    EventType,
    WriteResult,
    format_utc,
    parse_model,
)

RESPONSE_MODELS: tuple[type[ApiModel], ...] = (EventSummary, EventDetail, EventPage, WriteResult, Availability)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
# JSON as the wire can carry it: also NaN/Infinity, which Python's json module accepts.
wire_values = st.recursive(
    json_scalars | st.floats(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)

utc_times = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
)
stamps = utc_times.map(format_utc)
short_text = st.text(max_size=30)
optional_text = st.none() | short_text

summaries = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=1, max_value=2**31),
        "uuid": st.uuids().map(str),
        "title": short_text,
        "event_type": st.sampled_from([kind.value for kind in EventType]),
        "status": st.sampled_from([status.value for status in EventStatus]),
        "start_time": stamps,
        "end_time": stamps,
        "duration_minutes": st.integers(min_value=0, max_value=10_000),
        "location": optional_text,
        "has_video_conference": st.booleans(),
        "video_conference_url": optional_text,
        "created_by_ai_agent": st.booleans(),
        "ai_agent": st.none()
        | st.fixed_dictionaries({"id": st.integers(1, 10_000), "name": optional_text, "assistant_id": optional_text}),
        "customer": st.none()
        | st.fixed_dictionaries(
            {"name": optional_text, "email": optional_text, "phone": optional_text, "notes": optional_text}
        ),
    }
)
details = st.builds(
    lambda summary, extra: {**summary, **extra},
    summaries,
    st.fixed_dictionaries(
        {
            "description": optional_text,
            "event_type_display": optional_text,
            "status_display": optional_text,
            "video_conference_provider": optional_text,
            "is_reminder_enabled": st.booleans(),
            "remind_before_minutes": st.none() | st.integers(0, 10_000),
            "created_at": stamps,
            "updated_at": stamps,
            "team": st.none() | st.fixed_dictionaries({"id": st.integers(1, 10_000), "name": optional_text}),
            "external_calendars": st.none()
            | st.fixed_dictionaries({"google": optional_text, "outlook": optional_text, "gohighlevel": optional_text}),
            "ics_url": optional_text,
        }
    ),
)
pages = st.fixed_dictionaries(
    {
        "count": st.integers(0, 10_000),
        "page": st.integers(1, 100),
        "limit": st.integers(1, 100),
        "pages": st.integers(0, 100),
        "events": st.lists(summaries, max_size=3),
    }
)
write_results = st.fixed_dictionaries(
    {"id": st.integers(1, 2**31), "uuid": st.uuids().map(str)},
    optional={
        "title": short_text,
        "start_time": stamps,
        "end_time": stamps,
        "status": st.sampled_from([status.value for status in EventStatus]),
        "ics_url": short_text,
        "message": short_text,
    },
)
slots = st.fixed_dictionaries({"start": stamps, "end": stamps, "duration_minutes": st.integers(1, 180)})
availabilities = st.fixed_dictionaries(
    {
        "user_id": st.none() | st.integers(1, 10_000),
        "start_date": st.dates().map(lambda day: day.isoformat()),
        "end_date": st.dates().map(lambda day: day.isoformat()),
        "duration_minutes": st.integers(1, 180),
        "available_slots": st.lists(slots, max_size=3),
        "count": st.integers(0, 1000),
    }
)
VALID: dict[type[ApiModel], st.SearchStrategy[dict[str, Any]]] = {
    EventSummary: summaries,
    EventDetail: details,
    EventPage: pages,
    WriteResult: write_results,
    Availability: availabilities,
}


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[type[ApiModel], dict[str, Any]]:
    """A valid body of some model with one to three fields dropped or replaced by an arbitrary JSON value."""
    model = draw(st.sampled_from(RESPONSE_MODELS))
    data = dict(draw(VALID[model]))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(data)))
        if draw(st.booleans()):
            data.pop(key)
        else:
            data[key] = draw(wire_values)
        if not data:
            break
    return model, data


def parses_or_malformed(model: type[ApiModel], data: object) -> ApiModel | None:
    try:
        return parse_model(model, data)
    except MalformedResponse as error:
        assert error.message
        return None


@SETTINGS
@given(model=st.sampled_from(RESPONSE_MODELS), data=wire_values)
def test_arbitrary_json_gives_a_model_or_malformed_response(model: type[ApiModel], data: object) -> None:
    parses_or_malformed(model, data)


@SETTINGS
@given(case=near_valid())
def test_near_valid_events_give_a_model_or_malformed_response(case: tuple[type[ApiModel], dict[str, Any]]) -> None:
    model, data = case
    parses_or_malformed(model, data)


@SETTINGS
@given(model=st.sampled_from(RESPONSE_MODELS), raw=st.text(max_size=40) | json_values.map(json.dumps))
def test_decoded_wire_text_gives_a_model_or_malformed_response(model: type[ApiModel], raw: str) -> None:
    try:
        data = json.loads(raw)
    except ValueError:
        return  # the client reports undecodable bodies itself; this test is about decoded JSON
    parses_or_malformed(model, data)


@SETTINGS
@given(st.data())
def test_valid_bodies_round_trip(data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(RESPONSE_MODELS))
    body = data.draw(VALID[model])
    parsed = parse_model(model, body)
    again = parse_model(model, json.loads(json.dumps(parsed.model_dump(mode="json"))))
    assert again == parsed
    for key, value in body.items():
        dumped = parsed.model_dump(mode="json")[key]
        if isinstance(value, list):
            assert len(dumped) == len(value)
        elif key not in ("start_date", "end_date"):
            assert dumped == value, key
