"""Small builders of API values for store and reminder tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType

BASE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def summary(
    event_id: int,
    start: datetime = BASE,
    *,
    minutes: int = 60,
    status: EventStatus = EventStatus.CONFIRMED,
    title: str | None = None,
    **extra: Any,
) -> EventSummary:
    return EventSummary(
        id=event_id,
        uuid=f"uuid-{event_id}" if event_id > 0 else f"local:{-event_id:08d}",
        title=title if title is not None else f"Event {event_id}",
        event_type=EventType.MEETING,
        status=status,
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        **extra,
    )


def detail(
    event_id: int,
    start: datetime = BASE,
    *,
    minutes: int = 60,
    status: EventStatus = EventStatus.CONFIRMED,
    remind: int | None = 15,
    enabled: bool = True,
    title: str | None = None,
    **extra: Any,
) -> EventDetail:
    base = summary(event_id, start, minutes=minutes, status=status, title=title)
    return EventDetail(
        **base.model_dump(),
        is_reminder_enabled=enabled,
        remind_before_minutes=remind,
        description=f"About event {event_id}",
        **extra,
    )
