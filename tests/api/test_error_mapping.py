"""One function maps an error answer to one typed error: status, code, field, permission, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from local_zone import local_zone

from klen_desktop.api.error_mapping import (
    error_for_response,
    field_from_message,
    is_daily_limit,
    parse_retry_after,
    permission_from_message,
    wait_in_words,
)
from klen_desktop.api.errors import (
    ApiStatusError,
    EventNotFound,
    InvalidRequest,
    KeyRejected,
    PermissionMissing,
    RateLimited,
    ServerFailed,
)

NO_READ = "This API key does not have can_read_calendar permission"
NO_WRITE = "This API key does not have can_write_calendar permission"
NOW = datetime(2026, 11, 24, 18, 0, 0, tzinfo=UTC)


def envelope(code: str, message: str) -> dict[str, object]:
    return {"error": code, "message": message}


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, envelope("validation_error", "end_time must be after start_time"), InvalidRequest),
        (401, envelope("authentication_required", "API key is required"), KeyRejected),
        (401, envelope("invalid_key", "Invalid or inactive API key"), KeyRejected),
        (
            403,
            envelope("permission_denied", NO_READ),
            PermissionMissing,
        ),
        (404, envelope("not_found", "Event not found or you do not have access"), EventNotFound),
        (429, envelope("rate_limit_exceeded", "slow down"), RateLimited),
        (500, envelope("server_error", "An unexpected server error occurred"), ServerFailed),
        (502, None, ServerFailed),
        (503, {"detail": "maintenance"}, ServerFailed),
        (409, envelope("conflict", "odd"), ApiStatusError),
        (302, None, ApiStatusError),
        # A 2xx whose body carries ``error`` is a failure, classed by its code.
        (
            200,
            envelope("permission_denied", NO_WRITE),
            PermissionMissing,
        ),
        (200, envelope("not_found", "gone"), EventNotFound),
        (200, envelope("server_error", "oops"), ServerFailed),
        (201, envelope("something_new", "?"), ApiStatusError),
    ],
)
def test_status_and_code_choose_the_class(status: int, body: dict[str, object] | None, cls: type) -> None:
    error = error_for_response(status, body, retry_after_header=None, method="GET", path="/api/v1/calendar/events")
    assert type(error) is cls
    assert error.status == status
    assert error.method == "GET" and error.path == "/api/v1/calendar/events"
    assert error.message and error.title


def test_error_keeps_code_and_quotes_the_server() -> None:
    error = error_for_response(
        404, envelope("not_found", "Event not found or you do not have access"), retry_after_header=None,
        method="GET", path="/api/v1/calendar/events/9",
    )  # fmt: skip
    assert error.code == "not_found"
    assert "Event not found or you do not have access" in str(error)
    assert "refresh" in str(error)  # says what to do


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        ("Missing required parameter: title", "missing_parameter", "title"),
        ("Missing required parameter: start_time", "missing_parameter", "start_time"),
        (
            "Invalid datetime format. Expected ISO 8601 format (YYYY-MM-DDTHH:MM:SS.sssZ) for end_time",
            "invalid_datetime_format",
            "end_time",
        ),
        ("Duration must be between 1 and 180 minutes", "invalid_duration", "duration"),
        ("end_time must be after start_time", "validation_error", "end_time"),
        ("Invalid status 'maybe'", "validation_error", "status"),
        ("Invalid date format. Expected YYYY-MM-DD", "invalid_parameter_format", None),
        ("Something is wrong", "validation_error", None),
        ("", None, None),
    ],
)
def test_field_is_told_from_the_message(message: str, code: str | None, field: str | None) -> None:
    assert field_from_message(message, code) == field
    error = error_for_response(400, envelope(code or "x", message), retry_after_header=None, method="POST", path="/p")
    assert isinstance(error, InvalidRequest)
    assert error.field == field


def test_a_field_named_by_the_body_wins() -> None:
    body = {"error": "validation_error", "message": "Bad value", "field": "customer_email"}
    error = error_for_response(400, body, retry_after_header=None, method="POST", path="/p")
    assert isinstance(error, InvalidRequest) and error.field == "customer_email"


@pytest.mark.parametrize(
    ("message", "permission"),
    [
        (NO_WRITE, "can_write_calendar"),
        (NO_READ, "can_read_calendar"),
        ("Forbidden", None),
    ],
)
def test_permission_is_parsed(message: str, permission: str | None) -> None:
    assert permission_from_message(message) == permission
    error = error_for_response(
        403, envelope("permission_denied", message), retry_after_header=None, method="GET", path="/"
    )
    assert isinstance(error, PermissionMissing) and error.permission == permission


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),
        (" 30 ", 30.0),
        ("2.5", 2.5),
        ("-4", 0.0),
        ("Tue, 24 Nov 2026 18:01:00 GMT", 60.0),
        ("Tue, 24 Nov 2026 17:59:00 GMT", 0.0),  # a date in the past means now
        ("soon", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("1000000000", 86400.0),
        ("1" + "0" * 12, 86400.0),
        ("9" * 400, 86400.0),  # a very long time, whatever its exact length
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86400.0),
        ("Mon, 01 Jan 99999 00:00:00 GMT", None),
        ("120, 60", 120.0),
        ("60, soon", None),
        ("0x10", None),
        ("\x00\xff", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("message", "is_create", "daily"),
    [
        ("Daily calendar event creation limit of 50 reached; resets at 00:00 UTC", True, True),
        ("Daily calendar event creation limit of 50 reached; resets at 00:00 UTC", False, True),
        ("calendar_events_per_day_limit exceeded", False, True),
        ("Limit reached for today, come back another day", True, True),
        ("Limit reached for today, come back another day", False, False),
        ("Per-minute request limit of 60 requests reached; retry in 5 seconds", True, False),
        ("Per-minute request limit of 60 requests reached; retry in 5 seconds", False, False),
        ("", True, False),
    ],
)
def test_daily_limit_is_told_apart_from_the_minute_limit(message: str, is_create: bool, daily: bool) -> None:
    body = envelope("rate_limit_exceeded", message)
    assert is_daily_limit(body, is_create=is_create) is daily
    error = error_for_response(
        429, body, retry_after_header="21600", method="POST", path="/api/v1/calendar/events/create",
        is_create=is_create, now=NOW,
    )  # fmt: skip
    assert isinstance(error, RateLimited)
    assert error.daily_limit is daily
    # Six hours is believed for a create refused by the daily limit (shown to the user); any other wait, a read's
    # included, stops at an hour.
    assert error.retry_after == (21600.0 if daily and is_create else 3600.0)


def test_scrub_cleans_server_text() -> None:
    body = envelope("invalid_key", "Invalid key klen_secret_value")
    error = error_for_response(
        401, body, retry_after_header=None, method="GET", path="/", scrub=lambda t: t.replace("klen_secret_value", "*")
    )
    assert "klen_secret_value" not in str(error)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (3, "3 s"),
        (59, "59 s"),
        (61, "1 min"),
        (89, "1 min"),
        (90, "2 min"),
        (3540, "59 min"),
        (3600, "1 h"),
        (13013, "3 h 37 min"),
        (86399, "24 h"),
    ],
)
def test_a_wait_reads_in_hours_and_minutes_never_in_thousands_of_seconds(seconds: float, words: str) -> None:
    assert wait_in_words(seconds) == words


def test_the_daily_limit_says_the_limit_and_the_local_reset_time_without_codes() -> None:
    body = envelope("rate_limit_exceeded", "Daily calendar event creation limit of 2 reached; resets at 00:00 UTC")
    with local_zone("Europe/Berlin"):
        error = error_for_response(
            429, body, retry_after_header="21600", method="POST", path="/api/v1/calendar/events/create",
            is_create=True, now=NOW,
        )  # fmt: skip
    assert isinstance(error, RateLimited) and error.limit == 2 and error.code == "rate_limit_exceeded"
    # 18:00 UTC plus six hours is midnight UTC, 01:00 the next day in Berlin.
    assert error.message == "Daily limit of 2 new events reached. It resets at 01:00 tomorrow (in 6 h)."


def test_the_minute_limit_says_when_to_try_again_in_local_time() -> None:
    body = envelope("rate_limit_exceeded", "Per-minute request limit reached; retry in 90 seconds")
    with local_zone("Asia/Tokyo"):
        error = error_for_response(429, body, retry_after_header="90", method="GET", path="/", now=NOW)
    assert error.message == "Klen answers only so many requests a minute. Try again at 03:01 (in 2 min)."
