"""How times, types and statuses read on screen: always in the user's local time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from klen_desktop.api.models import EventStatus, EventType


class Timed(Protocol):
    """Anything with a start and an end (an EventSummary, a StoredEvent, a free slot's times)."""

    @property
    def start_time(self) -> datetime: ...

    @property
    def end_time(self) -> datetime: ...


TYPE_LABELS = {
    EventType.MEETING: "Meeting",
    EventType.APPOINTMENT: "Appointment",
    EventType.BUSY: "Busy",
    EventType.VOICE_CALL: "Voice call",
    EventType.VIDEO_CALL: "Video call",
}

STATUS_LABELS = {
    EventStatus.SCHEDULED: "Scheduled",
    EventStatus.CONFIRMED: "Confirmed",
    EventStatus.CANCELLED: "Cancelled",
    EventStatus.COMPLETED: "Completed",
    EventStatus.NO_SHOW: "No-show",
}


def local(dt: datetime) -> datetime:
    return dt.astimezone()


def time_range(event: Timed) -> str:
    return span(event.start_time, event.end_time)


def span(start_time: datetime, end_time: datetime) -> str:
    """``14:30–15:00`` in local time; the end's weekday is added when it falls on another day."""
    start, end = local(start_time), local(end_time)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%H:%M}–{end:%a %H:%M}"


def day_heading(day: date, today: date) -> str:
    if day == today:
        return f"Today, {day:%A %d %B}"
    if day == today + timedelta(days=1):
        return f"Tomorrow, {day:%A %d %B}"
    if day == today - timedelta(days=1):
        return f"Yesterday, {day:%A %d %B}"
    return f"{day:%A %d %B %Y}"


def starts_in(event: Timed, now: datetime) -> str:
    seconds = (event.start_time - now).total_seconds()
    if seconds <= 0:
        return "now" if event.end_time > now else "ended"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "in less than a minute"
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"in {hours} h {minutes:02d} min" if minutes else f"in {hours} h"
    return f"on {local(event.start_time):%a %d %b at %H:%M}"


def one_line(text: str | None, limit: int = 80) -> str:
    """Server text for a single-line widget: control characters flattened, long text elided."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HasStatus(Protocol):
    @property
    def status(self) -> EventStatus: ...


def is_active(event: HasStatus) -> bool:
    return event.status in (EventStatus.SCHEDULED, EventStatus.CONFIRMED)
