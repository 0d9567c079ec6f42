"""How values are written to SQLite text columns.

Times are stored as fixed-width ISO 8601 UTC (``2026-11-24T18:00:00.000000Z``): every stored time has the
same width and zone, so SQL string comparison and ``ORDER BY`` agree with time order, which the range
queries and their indexes rely on. Dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def encode_time(value: datetime) -> str:
    """A timezone-aware datetime as stored text. Naive datetimes are refused: their zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("refusing to store a naive datetime")
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def decode_time(text: str) -> datetime:
    """Stored text back to an aware UTC datetime (accepts any ISO 8601 form with a zone)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"stored time {text!r} has no time zone")
    return value.astimezone(UTC)


def encode_optional_time(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def decode_optional_time(text: str | None) -> datetime | None:
    return None if text is None else decode_time(text)


def encode_date(value: date) -> str:
    return value.isoformat()


def decode_date(text: str) -> date:
    return date.fromisoformat(text)


def day_start(value: date) -> str:
    """The stored form of midnight UTC starting ``value``: the lower bound of that day's start times."""
    return encode_time(datetime(value.year, value.month, value.day, tzinfo=UTC))
