"""The one set of date formats: every screen and notification names a day, a date and a time the same way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from local_zone import local_zone

from klen_desktop import date_texts
from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType
from klen_desktop.date_texts import date_time, day_heading, offset_text, short_date, zone_text
from klen_desktop.notify.messages import starting_now_content, time_range
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui import formatting
from klen_desktop.ui.agenda.event_facts import detail_rows, when_text

TODAY = date(2026, 12, 5)
# The short date and date-time shapes in the C locale: no leading zero on the day, no year this year.
SHORT = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [1-9]\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)( \d{4})?"
DATE_TIME = SHORT + r", \d\d:\d\d"


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    with local_zone("UTC"):
        yield


def event(start: datetime, minutes: int = 30) -> StoredEvent:
    summary = EventSummary(
        id=1,
        uuid="uuid-1",
        title="Review",
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        event_type=EventType.APPOINTMENT,
        status=EventStatus.SCHEDULED,
    )
    return StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=None)


def test_a_date_names_its_year_only_when_it_is_not_this_year() -> None:
    assert day_heading(date(2026, 12, 7), TODAY) == "Monday 7 December"
    assert day_heading(date(2027, 1, 4), TODAY) == "Monday 4 January 2027"
    assert day_heading(TODAY, TODAY) == "Today, Saturday 5 December"
    assert short_date(TODAY, TODAY) == "Sat 5 Dec"
    assert short_date(date(2025, 12, 5), TODAY) == "Fri 5 Dec 2025"
    assert date_texts.weekday_and_day(TODAY) == "Sat 5"  # a narrow week column: the date box names the month
    assert date_time(datetime(2026, 12, 5, 20, 30), TODAY) == "Sat 5 Dec, 20:30"


def test_the_agenda_headings_the_detail_pane_and_notifications_share_the_formats() -> None:
    start = datetime.now(UTC).replace(hour=20, minute=30, second=0, microsecond=0) + timedelta(days=2)
    today = datetime.now(UTC).date()
    assert formatting.day_heading(start.date(), today) == day_heading(start.date(), today)
    when = f"{date_time(start)}–{start + timedelta(minutes=30):%H:%M}"
    assert when_text(event(start).summary) == f"{when} · UTC"
    assert time_range(start, start + timedelta(minutes=30), UTC) == when
    assert starting_now_content(event(start), UTC).when == when
    assert re.fullmatch(DATE_TIME + r"–\d\d:\d\d", when)


def test_stamps_in_the_detail_pane_read_as_a_date_time() -> None:
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    base = event(start)
    detail = EventDetail(**base.summary.model_dump(), created_at=datetime(2025, 11, 2, 8, 5, tzinfo=UTC))
    stored = StoredEvent(summary=base.summary, detail=detail, detail_fetched_at=start, local_state=None)
    rows = dict(detail_rows(stored))
    assert re.fullmatch(DATE_TIME, rows["Created"]), rows["Created"]


def test_starts_in_a_day_or_more_reads_as_a_date_time() -> None:
    now = datetime.now(UTC)
    later = event(now + timedelta(days=3))
    local_start = later.summary.start_time.astimezone()
    assert formatting.starts_in(later.summary, now) == f"on {date_time(local_start)}"


@pytest.mark.parametrize(
    ("zone", "at", "text"),
    [
        ("Etc/UTC", datetime(2026, 12, 5, tzinfo=UTC), "UTC"),
        ("UTC", datetime(2026, 12, 5, tzinfo=UTC), "UTC"),
        ("Europe/Berlin", datetime(2026, 12, 5, tzinfo=UTC), "Berlin (UTC+1)"),
        ("Europe/Berlin", datetime(2026, 7, 5, tzinfo=UTC), "Berlin (UTC+2)"),
        ("America/Argentina/Buenos_Aires", datetime(2026, 7, 5, tzinfo=UTC), "Buenos Aires (UTC−3)"),
        ("Asia/Kolkata", datetime(2026, 7, 5, tzinfo=UTC), "Kolkata (UTC+5:30)"),
    ],
)
def test_a_zone_reads_as_a_person_reads_it(zone: str, at: datetime, text: str) -> None:
    from zoneinfo import ZoneInfo

    assert zone_text(zone, at.astimezone(ZoneInfo(zone))) == text


def test_the_local_zone_is_named_by_its_city() -> None:
    with local_zone("Europe/Berlin"):
        at = datetime(2026, 12, 5, tzinfo=UTC)
        assert date_texts.local_zone_text(at) == "Berlin (UTC+1)"
        assert when_text(event(at).summary).endswith(" · Berlin (UTC+1)")
    assert offset_text(datetime(2026, 1, 1, tzinfo=UTC)) == "UTC+0"


def test_a_locale_that_reads_month_first_on_a_twelve_hour_clock_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(date_texts, "_order_and_clock", lambda: (True, True, "AM", "PM"))
    date_texts.forget_style()
    try:
        assert day_heading(date(2026, 12, 7), TODAY) == "Monday December 7"
        assert short_date(date(2027, 1, 4), TODAY) == "Mon Jan 4, 2027"
        assert date_time(datetime(2026, 12, 5, 20, 30), TODAY) == "Sat Dec 5, 8:30 PM"
        assert date_texts.clock(datetime(2026, 12, 5, 0, 5)) == "12:05 AM"
    finally:
        date_texts.forget_style()
