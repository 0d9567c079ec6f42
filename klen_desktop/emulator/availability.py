"""Free slots (decision 6.26): fixed-step candidates inside UTC business hours, minus busy time and the past.

A candidate slot ``[s, s + duration)`` starts every :data:`decisions.SLOT_STEP_MINUTES` from the start of
business hours and must end by their end. It is offered when it starts no earlier than now and overlaps no
event that blocks time (any status but cancelled and no-show; any event type, busy blocks included).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from klen_desktop.emulator import decisions


def candidate_slots(start: date, end: date, duration: int) -> list[tuple[datetime, datetime]]:
    """Every slot of ``duration`` minutes inside business hours on each day from ``start`` to ``end``."""
    first_hour, last_hour = decisions.BUSINESS_HOURS
    step = timedelta(minutes=decisions.SLOT_STEP_MINUTES)
    length = timedelta(minutes=duration)
    slots: list[tuple[datetime, datetime]] = []
    day = start
    while day <= end:
        if day.weekday() in decisions.BUSINESS_DAYS:
            cursor = datetime.combine(day, time(first_hour), tzinfo=UTC)
            close = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=last_hour)
            while cursor + length <= close:
                slots.append((cursor, cursor + length))
                cursor += step
        day += timedelta(days=1)
    return slots


def free_slots(
    start: date, end: date, duration: int, busy: Sequence[tuple[datetime, datetime]], now: datetime
) -> list[tuple[datetime, datetime]]:
    """The candidates that start at or after ``now`` and overlap none of ``busy``."""
    ordered = sorted(busy)
    free: list[tuple[datetime, datetime]] = []
    for slot_start, slot_end in candidate_slots(start, end, duration):
        if slot_start < now:
            continue
        if any(b_start < slot_end and b_end > slot_start for b_start, b_end in ordered):
            continue
        free.append((slot_start, slot_end))
    return free


def window_of(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants covering the days ``start``..``end`` inclusive."""
    return (
        datetime.combine(start, time(0), tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC),
    )


def answer(
    start: date, end: date, duration: int, slots: Sequence[tuple[datetime, datetime]], fmt: Any
) -> dict[str, Any]:
    """The documented availability body; ``fmt`` formats a datetime the API's way."""
    return {
        "user_id": decisions.ACCOUNT_USER_ID,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "duration_minutes": duration,
        "available_slots": [{"start": fmt(s), "end": fmt(e), "duration_minutes": duration} for s, e in slots],
        "count": len(slots),
    }
