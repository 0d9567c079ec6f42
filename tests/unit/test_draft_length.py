"""How long a draft lasts: read in days and hours past a day, a warning past a day, a refusal below zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klen_desktop.drafts import EventDraft, duration_text, length_warning, validate

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def draft_lasting(length: timedelta) -> EventDraft:
    return EventDraft(title="Planning", start=START, end=START + length)


@pytest.mark.parametrize(
    ("length", "text"),
    [
        (timedelta(minutes=45), "45 min"),
        (timedelta(minutes=90), "1 h 30 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=24), "1 day"),
        (timedelta(hours=25), "1 day 1 h"),
        (timedelta(hours=152, minutes=49), "6 days 8 h 49 min"),
        (timedelta(days=3), "3 days"),
    ],
)
def test_a_length_reads_in_days_and_hours_past_a_day(length: timedelta, text: str) -> None:
    assert duration_text(length) == text


def test_an_event_over_a_day_is_warned_about_but_may_be_saved() -> None:
    draft = draft_lasting(timedelta(hours=152, minutes=49))
    assert length_warning(draft) == "This event lasts 6 days 8 h 49 min — is the end right?"
    assert validate(draft, creating=True) == {}


@pytest.mark.parametrize("length", [timedelta(minutes=30), timedelta(hours=24), -timedelta(hours=30)])
def test_no_warning_up_to_a_day_or_when_the_end_is_refused(length: timedelta) -> None:
    assert length_warning(draft_lasting(length)) == ""


def test_an_end_before_the_start_is_refused() -> None:
    assert validate(draft_lasting(-timedelta(minutes=1)), creating=True) == {"end": "The end must be after the start."}
