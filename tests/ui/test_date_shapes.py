"""Every window and notification names dates and times in the one set of formats, under two locale styles.

The C locale reads day first on a 24-hour clock; the other style is a month-first, 12-hour locale (as en_US
reads). A text made anywhere with its own ``strftime`` reads the same under both and fails the second.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from local_zone import local_zone
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from klen_desktop import date_texts
from klen_desktop.api.error_mapping import clock_time
from klen_desktop.api.models import AvailabilitySlot, EventStatus, EventSummary, EventType
from klen_desktop.date_texts import clock, date_time, day_range, short_date, weekday
from klen_desktop.drafts import EventDraft
from klen_desktop.notify.messages import Message, reminder_content, starting_now_content
from klen_desktop.notify.summaries import dnd_summary_message, missed_message
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.session.calendar import FreeSlots
from klen_desktop.session.free_slot_offer import FreeSlotOffer, SlotAnswer, no_slot_text
from klen_desktop.store.events import StoredEvent
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.banners import since_text, sync_banner
from klen_desktop.ui.editor import EventEditor
from klen_desktop.ui.reminder_window import ReminderCard, StartingNowWindow
from klen_desktop.ui.slots import SlotFinder

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
NEXT_YEAR = date(NOW.year + 1, 1, 4)


@pytest.fixture(params=["day-first-24h", "month-first-12h"])
def locale_style(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "month-first-12h":
        monkeypatch.setattr(date_texts, "_order_and_clock", lambda: (True, True, "AM", "PM"))
    date_texts.forget_style()
    with local_zone("Europe/Berlin"):
        yield str(request.param)
    date_texts.forget_style()


def evening(day: date) -> datetime:
    """20:30 local on ``day``: a time that reads differently on a 12-hour clock."""
    return datetime(day.year, day.month, day.day, 20, 30).astimezone()


def test_the_styles_differ(locale_style: str) -> None:
    # The premise of every test here: the two styles give different texts for the same moment.
    text = date_time(evening(NEXT_YEAR))
    assert text == ("Mon Jan 4, 2027, 8:30 PM" if locale_style == "month-first-12h" else "Mon 4 Jan 2027, 20:30")


def test_the_date_boxes_read_as_the_short_date(qtbot: QtBot, locale_style: str) -> None:
    agenda = AgendaWindow()
    qtbot.addWidget(agenda)
    agenda.toolbar.date_edit.setDate(QDate(NEXT_YEAR.year, NEXT_YEAR.month, NEXT_YEAR.day))
    assert agenda.toolbar.date_edit.text() == short_date(NEXT_YEAR)
    finder = SlotFinder(today=NEXT_YEAR)
    qtbot.addWidget(finder)
    assert finder.start_date.text() == short_date(NEXT_YEAR)


def test_the_editor_reads_its_times_and_zone_as_every_window(qtbot: QtBot, locale_style: str) -> None:
    start = evening(NEXT_YEAR)
    editor = EventEditor(EventDraft.new(start.astimezone(UTC), (start + timedelta(minutes=90)).astimezone(UTC)))
    editor.confirm_discard = lambda: True
    qtbot.addWidget(editor)
    assert editor.start_edit.text() == date_time(start)
    assert editor.end_edit.text() == date_time(start + timedelta(minutes=90))
    assert editor.zone_label.text() == "Berlin (UTC+1)"
    assert editor.start_edit.value() == start.astimezone(UTC), "what is shown reads back as the same moment"


def test_the_agenda_footer_banner_and_empty_week(qtbot: QtBot, locale_style: str) -> None:
    earlier = NOW - timedelta(days=2)
    assert since_text(earlier, NOW).startswith(f"{date_time(earlier.astimezone())} (")
    assert since_text(NOW - timedelta(minutes=5), NOW).startswith(
        f"{clock((NOW - timedelta(minutes=5)).astimezone())} ("
    )
    retry = NOW + timedelta(minutes=2)
    banner = sync_banner(SyncStatus(phase=SyncPhase.OFFLINE, last_success=earlier, next_poll=retry), NOW)
    assert banner is not None and f"Next try at {clock(retry.astimezone())}." in banner.text
    agenda = AgendaWindow()
    qtbot.addWidget(agenda)
    agenda.set_events([], NOW)
    first, last = agenda.shown_range()
    assert agenda.message.text() == f"No events this week ({day_range(first, last)})."


def reminder_at(start: datetime) -> Reminder:
    summary = EventSummary(
        id=1,
        uuid="uuid-1",
        title="Standup",
        start_time=start,
        end_time=start + timedelta(minutes=30),
        duration_minutes=30,
        event_type=EventType.MEETING,
        status=EventStatus.CONFIRMED,
    )
    event = StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=None)
    return Reminder(event=event, due_at=start, fire_at=start)


def test_notifications_read_as_the_windows(locale_style: str) -> None:
    start = (NOW - timedelta(days=1)).replace(hour=19, minute=30)
    missed: Message = missed_message(MissedSummary((reminder_at(start),)))
    assert missed.body == f"{date_time(start.astimezone())} Standup"
    held = dnd_summary_message([], [reminder_at(start)])
    assert held.body.splitlines()[1] == f"{clock(start.astimezone())} Standup"


def slot(start: datetime) -> AvailabilitySlot:
    return AvailabilitySlot(start=start, end=start + timedelta(minutes=30), duration_minutes=30)


def test_the_tray_offer_and_waits_read_as_the_windows(locale_style: str) -> None:
    later = (NOW + timedelta(days=2)).replace(hour=19, minute=30)
    far = (NOW + timedelta(days=10)).replace(hour=19, minute=30)
    found = FreeSlots(today=None, later=slot(later))
    text = f"No free 30 minutes today — next: {weekday(later.astimezone().date())} {clock(later.astimezone())}"
    assert no_slot_text(found, 30, NOW) == text
    found = FreeSlots(today=None, later=slot(far))
    assert no_slot_text(found, 30, NOW).endswith(f"{short_date(far.astimezone().date())} {clock(far.astimezone())}")
    offer = FreeSlotOffer()
    offer.click(NOW)
    offer.answered(SlotAnswer(slot(later)), NOW)
    ends = (later + timedelta(minutes=30)).astimezone()
    assert offer.label(NOW) == f"Book {clock(later.astimezone())}–{clock(ends)} {short_date(later.astimezone().date())}"
    assert clock_time(far, NOW) == f"{clock(far.astimezone())} on {short_date(far.astimezone().date())}"


def test_the_reminder_card_and_the_starting_now_window_read_as_the_windows(qtbot: QtBot, locale_style: str) -> None:
    start = evening(NEXT_YEAR)
    remind = reminder_at(start.astimezone(UTC))
    card = ReminderCard(reminder_content(remind))
    qtbot.addWidget(card)
    ends = start + timedelta(minutes=30)
    assert card.when.text() == f"{date_time(start)}–{clock(ends)}"
    now_window = StartingNowWindow(starting_now_content(remind.event))
    qtbot.addWidget(now_window)
    assert now_window.when.text() == card.when.text()
