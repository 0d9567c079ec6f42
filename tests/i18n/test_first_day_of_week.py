"""The first day of the week is the user's locale's: Sunday in the United States, Monday in Germany, in the Week
view of the agenda and in the calendars of the date boxes (the agenda's and the slot finder's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.navigation import week_start
from klen_desktop.ui.agenda.toolbar import AgendaView
from klen_desktop.ui.qt_language import first_day_of_week
from klen_desktop.ui.slots import SlotFinder

WEDNESDAY = date(2026, 12, 9)
LOCALES = {"en_US": (6, date(2026, 12, 6), Qt.DayOfWeek.Sunday), "de_DE": (0, date(2026, 12, 7), Qt.DayOfWeek.Monday)}


@pytest.fixture(params=sorted(LOCALES))
def locale_name(request: pytest.FixtureRequest) -> Iterator[str]:
    before = QLocale()
    QLocale.setDefault(QLocale(str(request.param)))
    yield str(request.param)
    QLocale.setDefault(before)


def test_the_first_day_of_the_week_comes_from_the_locale(locale_name: str) -> None:
    weekday, _first, _qt_day = LOCALES[locale_name]
    assert first_day_of_week() == weekday


def test_the_week_view_shows_the_calendar_week_of_the_locale(qtbot: QtBot, locale_name: str) -> None:
    _weekday, first, _qt_day = LOCALES[locale_name]
    window = AgendaWindow(clock=lambda: datetime.now(UTC), week_starts_on=first_day_of_week())
    qtbot.addWidget(window)
    window.set_events([], datetime.now(UTC))
    window.set_view(AgendaView.WEEK)
    window.go_to_date(WEDNESDAY)
    assert window.shown_range() == (first, first.replace(day=first.day + 6))
    assert window.week_view.days[0] == first and window.toolbar.date_edit.date().toPython() == first
    window.set_view(AgendaView.AGENDA)  # the list goes on from the same first day, seven days from it
    window.go_to_date(WEDNESDAY)
    assert window.shown_range()[0] == WEDNESDAY


def test_the_date_box_calendars_start_their_weeks_on_the_locale_s_first_day(qtbot: QtBot, locale_name: str) -> None:
    _weekday, _first, qt_day = LOCALES[locale_name]
    finder = SlotFinder()
    qtbot.addWidget(finder)
    window = AgendaWindow()
    qtbot.addWidget(window)
    for box in (finder.start_date, finder.end_date, window.toolbar.date_edit):
        assert box.calendarWidget().firstDayOfWeek() == qt_day


@pytest.mark.parametrize("first_weekday", range(7))
def test_a_week_starts_on_its_first_weekday_at_or_before_the_day(first_weekday: int) -> None:
    for offset in range(14):
        day = date(2026, 12, 1).replace(day=1 + offset)
        start = week_start(day, first_weekday)
        assert start.weekday() == first_weekday and 0 <= (day - start).days < 7
