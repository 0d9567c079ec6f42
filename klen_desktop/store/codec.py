"""How values are written to SQLite text columns.

Times are stored as fixed-width ISO 8601 UTC (``2026-11-24T18:00:00.000000Z``): every stored time has the
same width and zone, so SQL string comparison and ``ORDER BY`` agree with time order, which the range
queries and their indexes rely on. Dates are ``YYYY-MM-DD``.

The text is built by hand, not with ``strftime``: its ``%Y`` writes year 999 as ``999`` on glibc, a
shorter string that sorts after every four-digit year and that :func:`decode_time` cannot read back. Every
aware datetime Python can hold (years 1 to 9999) round-trips through :func:`encode_time` and
:func:`decode_time`; values no repository can read back are set aside (:mod:`klen_desktop.store.quarantine`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

TIME_WIDTH = len("2026-11-24T18:00:00.000000Z")


def encode_time(value: datetime) -> str:
    """A timezone-aware datetime as stored text. Naive datetimes are refused: their zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("refusing to store a naive datetime")
    u = value.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"


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
