"""Fuzzing the API response parsers: whatever the server sends, only typed values or typed errors come out.

``parse_model`` gets arbitrary JSON and mutations of valid events; ``error_for_response`` gets arbitrary
status, body and ``Retry-After``. Brief in CI; ``make fuzz`` sets ``KLEN_FUZZ_EXAMPLES`` for a long run.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klen_desktop.api.error_mapping import error_for_response, parse_retry_after
from klen_desktop.api.errors import ApiStatusError, MalformedResponse
from klen_desktop.api.model_base import ApiModel
from klen_desktop.api.models import (
    Availability,
    EventDetail,
    EventPage,
    EventSummary,
    WriteResult,
    parse_model,
)

LONG_RUN = int(os.environ.get("KLEN_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(ci_examples: int) -> settings:
    # Moderate in CI, the make-fuzz budget otherwise; no deadline, no example database in the work tree.
    return settings(
        max_examples=max(LONG_RUN, ci_examples),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
# Strings that look like what the datetime fields expect, and near misses.
time_texts = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
    st.from_regex(r"\A-?\d{1,6}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?\Z"),
    any_text,
)

VALID_SUMMARY: dict[str, Any] = {
    "id": 7,
    "uuid": "u-7",
    "title": "Call",
    "event_type": "meeting",
    "status": "scheduled",
    "start_time": "2025-05-01T14:00:00.000Z",
    "end_time": "2025-05-01T15:00:00.000Z",
    "customer": {"name": "Ann", "email": "a@example.com"},
    "ai_agent": {"id": 1, "name": "Bot"},
}
MODELS: tuple[type[ApiModel], ...] = (EventSummary, EventDetail, EventPage, WriteResult, Availability)


def _parse_is_typed(model: type[ApiModel], data: object) -> None:
    try:
        value = parse_model(model, data)
    except MalformedResponse as exc:
        assert str(exc)  # a message the UI can show
    else:
        assert isinstance(value, model)


@fuzz_settings(300)
@given(model=st.sampled_from(MODELS), data=json_values)
def test_arbitrary_json_parses_or_is_malformed(model: type[ApiModel], data: object) -> None:
    _parse_is_typed(model, data)


@fuzz_settings(200)
@given(
    model=st.sampled_from((EventSummary, EventDetail, WriteResult)),
    changes=st.dictionaries(
        st.sampled_from([*VALID_SUMMARY, "created_at", "updated_at", "remind_before_minutes", "team", "x"]),
        json_values | time_texts,
        max_size=4,
    ),
    dropped=st.sets(st.sampled_from(list(VALID_SUMMARY)), max_size=3),
)
def test_mutated_events_parse_or_are_malformed(
    model: type[ApiModel], changes: dict[str, Any], dropped: set[str]
) -> None:
    # Near-valid events reach deep into the validators (datetimes, enums, nested objects), unlike random JSON.
    data = {k: v for k, v in VALID_SUMMARY.items() if k not in dropped} | changes
    _parse_is_typed(model, data)


@fuzz_settings(100)
@given(
    events=st.lists(
        st.fixed_dictionaries({}, optional={k: json_values | time_texts for k in VALID_SUMMARY}).map(
            lambda d: VALID_SUMMARY | d
        ),
        max_size=3,
    ),
    extra=st.dictionaries(st.sampled_from(["count", "page", "limit", "pages"]), json_values, max_size=2),
)
def test_mutated_pages_parse_or_are_malformed(events: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    _parse_is_typed(EventPage, {"count": len(events), "page": 1, "limit": 50, "pages": 1, "events": events} | extra)


retry_after_texts = st.one_of(
    st.none(),
    any_text,
    st.floats().map(repr),
    st.integers().map(str),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
    st.from_regex(r"\A[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{1,6} \d{1,2}:\d{1,2}:\d{1,2}( [A-Z]{3}|[+-]\d{4})?\Z"),
)
bodies = st.one_of(
    st.none(),
    st.dictionaries(any_text, json_values, max_size=4),
    st.fixed_dictionaries(
        {},
        optional={
            "error": json_values | st.sampled_from(["validation_error", "invalid_key", "rate_limit_exceeded"]),
            "message": json_values | st.sampled_from(["Missing required parameter: title", "events per day"]),
            "field": json_values,
        },
    ),
)


@fuzz_settings(300)
@given(
    status=st.integers(min_value=-1000, max_value=1000) | st.sampled_from([200, 201, 400, 401, 403, 404, 429, 500]),
    body=bodies,
    retry_after=retry_after_texts,
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path=any_text,
    is_create=st.booleans(),
)
def test_error_mapping_always_gives_a_typed_error(
    status: int, body: dict[str, Any] | None, retry_after: str | None, method: str, path: str, is_create: bool
) -> None:
    error = error_for_response(
        status, body, retry_after_header=retry_after, method=method, path=path, is_create=is_create
    )
    assert isinstance(error, ApiStatusError)
    assert error.status == status
    assert str(error)


@fuzz_settings(200)
@given(
    value=retry_after_texts,
    now=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
def test_retry_after_is_a_finite_non_negative_number_or_none(value: str | None, now: datetime) -> None:
    seconds = parse_retry_after(value, now=now)
    assert seconds is None or (0.0 <= seconds < float("inf"))
    if seconds is not None:
        timedelta(seconds=min(seconds, 1e9))  # usable as a wait
