"""Rules about an event's status that every layer shares: one home, so the tray, the agenda, the reminders and
sync cannot disagree about which events are still open, and the detail pane and the agenda rows cannot disagree
about which status changes an event offers."""

from __future__ import annotations

from datetime import datetime

from klen_desktop.api.models import EventStatus, EventSummary, EventType
from klen_desktop.i18n import N_, _
from klen_desktop.links import web_link
from klen_desktop.records import record

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


OUTCOME_NOT_YET = N_("Completed and No-show can be chosen once the event has started.")
OUTCOME_CLOSED = N_("Only a scheduled or confirmed event can be marked Completed or No-show.")
CONFIRM_DONE = N_("This event is already confirmed.")
CONFIRM_CLOSED = N_("Only a scheduled event can be confirmed.")
CANCEL_DONE = N_("This event is already cancelled.")


def outcome_possible(status: object, start: datetime, now: datetime) -> bool:
    """Completed and No-show are answers about an event that has started and is still open: not before."""
    return is_open(status) and start <= now


def asks_outcome(status: object, start: datetime, end: datetime, now: datetime) -> bool:
    """True when the agenda asks "Did it happen?": the event is over and could get an outcome. Its start counts
    as much as its end, so a server copy that ends before it starts is not asked about before it has begun."""
    return outcome_possible(status, start, now) and end <= now


@record
class StatusActions:
    """The status changes an event offers: each is None when offered, or says why it is not."""

    confirm: str | None
    outcome: str | None  # Completed and No-show
    cancel: str | None


def status_actions(status: object, start: datetime, now: datetime) -> StatusActions:
    """What the user may do to the status of an event with ``status`` starting at ``start``, at ``now``."""
    confirm = _confirm_refusal(status)
    outcome = _outcome_refusal(status, start, now)
    return StatusActions(confirm, outcome, _(CANCEL_DONE) if status is EventStatus.CANCELLED else None)


def _confirm_refusal(status: object) -> str | None:
    if status is EventStatus.SCHEDULED:
        return None
    return _(CONFIRM_DONE if status is EventStatus.CONFIRMED else CONFIRM_CLOSED)


def _outcome_refusal(status: object, start: datetime, now: datetime) -> str | None:
    if outcome_possible(status, start, now):
        return None
    return _(OUTCOME_NOT_YET if is_open(status) else OUTCOME_CLOSED)


def join_link(summary: EventSummary, now_ts: float | None = None) -> str | None:
    """The video call link to offer a Join button for, or ``None`` when there is no safe one.

    With ``now_ts`` (a POSIX time) the link is offered only while joining makes sense: the event is not over and
    not cancelled, completed or marked no-show.
    """
    if not summary.has_video_conference and summary.event_type is not EventType.VIDEO_CALL:
        return None
    if now_ts is not None and (summary.status not in OPEN_STATUSES or summary.end_time.timestamp() <= now_ts):
        return None
    return web_link(summary.video_conference_url)
