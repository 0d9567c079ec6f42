"""Times as the command line's JSON writes and reads them: UTC in ISO 8601 with ``Z``, or in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_text(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def parse_utc(text: object) -> datetime | None:
    """A time from JSON written by :func:`utc_text` (or any ISO 8601 with a zone), else None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
