"""Rules about an event's status that every layer shares: one home, so the tray, the agenda, the reminders and
sync cannot disagree about which events are still open."""

from __future__ import annotations

from datetime import datetime

from klen_desktop.api.models import EventStatus

# Still to happen as planned: reminded of, offered Join and the outcome buttons, counted as "next".
OPEN_STATUSES = frozenset({EventStatus.SCHEDULED, EventStatus.CONFIRMED})


def is_open(status: object) -> bool:
    """True for a scheduled or confirmed event; False for every other status, one never seen included."""
    return status in OPEN_STATUSES


# What the user's time is not taken by: everything else blocks a slot, whatever its type (as the server decides).
FREE_TIME_STATUSES = frozenset({EventStatus.CANCELLED, EventStatus.NO_SHOW})


def blocks_time(status: object) -> bool:
    """True when an event with ``status`` takes its time; a status never seen is taken to block it."""
    return status not in FREE_TIME_STATUSES


def outcome_possible(status: object, start: datetime, now: datetime) -> bool:
    """Completed and No-show are answers about an event that has started and is still open: not before."""
    return is_open(status) and start <= now
