"""Which status changes an event offers, and when the agenda asks "Did it happen?": the one rule the detail pane
and the agenda rows both follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klen_desktop.api.models import EventStatus
from klen_desktop.event_rules import (
    CANCEL_DONE,
    CONFIRM_DONE,
    OUTCOME_CLOSED,
    OUTCOME_NOT_YET,
    StatusActions,
    asks_outcome,
    status_actions,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_outcome_is_asked_only_for_open_events_that_have_started_and_ended() -> None:
    assert asks_outcome(EventStatus.CONFIRMED, NOW - 2 * HOUR, NOW - HOUR, NOW)
    assert asks_outcome(EventStatus.SCHEDULED, NOW - HOUR, NOW, NOW), "ending now counts as ended"
    assert not asks_outcome(EventStatus.CONFIRMED, NOW - HOUR, NOW + HOUR, NOW), "still under way"
    assert not asks_outcome(EventStatus.CONFIRMED, NOW + HOUR, NOW + 2 * HOUR, NOW), "ahead"
    assert not asks_outcome(EventStatus.CONFIRMED, NOW + 2 * HOUR, NOW - 2 * HOUR, NOW), "ends before it starts"
    assert not asks_outcome(EventStatus.COMPLETED, NOW - 2 * HOUR, NOW - HOUR, NOW)


def test_future_events_offer_confirm_and_cancel_and_outcomes_wait_for_the_start() -> None:
    assert status_actions(EventStatus.SCHEDULED, NOW + HOUR, NOW) == StatusActions(None, OUTCOME_NOT_YET, None)
    assert status_actions(EventStatus.CONFIRMED, NOW + HOUR, NOW) == StatusActions(CONFIRM_DONE, OUTCOME_NOT_YET, None)
    assert status_actions(EventStatus.CONFIRMED, NOW, NOW).outcome is None, "from its first minute on"
    assert status_actions(EventStatus.SCHEDULED, NOW - HOUR, NOW) == StatusActions(None, None, None)


def test_closed_events_say_why_each_change_is_off() -> None:
    cancelled = status_actions(EventStatus.CANCELLED, NOW - HOUR, NOW)
    assert cancelled.cancel == CANCEL_DONE and cancelled.outcome == OUTCOME_CLOSED and cancelled.confirm
    done = status_actions(EventStatus.COMPLETED, NOW - HOUR, NOW)
    assert done.outcome == OUTCOME_CLOSED and done.confirm and done.cancel is None
