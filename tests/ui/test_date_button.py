"""The agenda's "go to a date": a button showing the date, opening a month calendar to pick another."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication, QCalendarWidget
from pytestqt.qtbot import QtBot

from klen_desktop.date_texts import short_date, short_date_with_year
from klen_desktop.ui.date_button import DateButton

DAY = date(2026, 12, 8)


@pytest.fixture
def button(qtbot: QtBot) -> DateButton:
    shown = DateButton()
    qtbot.addWidget(shown)
    shown.setDate(QDate(DAY.year, DAY.month, DAY.day))
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def picked(qtbot: QtBot, button: DateButton) -> list[date]:
    got: list[date] = []
    button.dateChanged.connect(lambda value: got.append(value.toPython()))
    return got


def test_the_face_reads_as_the_short_date_with_its_year(button: DateButton) -> None:
    assert button.text() == short_date_with_year(DAY)
    assert short_date_with_year(date(DAY.year + 1, 1, 4)) == short_date(date(DAY.year + 1, 1, 4), DAY)
    assert short_date_with_year(DAY).endswith(str(DAY.year)) and not short_date(DAY, DAY).endswith(str(DAY.year))


def test_the_calendar_is_built_when_first_opened_at_the_date_shown(qtbot: QtBot, button: DateButton) -> None:
    assert not button.findChildren(QCalendarWidget)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    calendar = button.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    assert calendar.selectedDate() == QDate(2026, 12, 8)
    assert calendar.firstDayOfWeek() == QLocale().firstDayOfWeek()
    assert calendar.geometry().top() >= button.mapToGlobal(button.rect().topLeft()).y()  # beside the button


def test_a_click_on_a_day_picks_it_and_closes_the_calendar(qtbot: QtBot, button: DateButton) -> None:
    got = picked(qtbot, button)
    button.open_calendar()
    calendar = button.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    calendar.clicked.emit(QDate(2026, 12, 24))  # what a click on the 24th sends
    assert got == [date(2026, 12, 24)] and button.date() == QDate(2026, 12, 24)
    assert not calendar.isVisible()
    assert button.text() == short_date_with_year(date(2026, 12, 24))


def test_the_keyboard_opens_moves_and_picks(qtbot: QtBot, button: DateButton) -> None:
    got = picked(qtbot, button)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = button.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    view = QApplication.focusWidget()
    assert view is not None and calendar.isAncestorOf(view)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert got == [date(2026, 12, 16)]
    assert not calendar.isVisible()


def test_escape_closes_the_calendar_and_changes_nothing(qtbot: QtBot, button: DateButton) -> None:
    got = picked(qtbot, button)
    qtbot.keyClick(button, Qt.Key.Key_F4)
    calendar = button.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    view = QApplication.focusWidget()
    assert view is not None
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert got == [] and button.date() == QDate(2026, 12, 8)


def test_setting_the_date_says_so_once_and_blocked_signals_stay_quiet(button: DateButton) -> None:
    got: list[QDate] = []
    button.dateChanged.connect(got.append)
    button.setDate(QDate(2026, 12, 8))  # the same date: nothing changes
    button.setDate(QDate(2027, 1, 4))
    button.blockSignals(True)
    button.setDate(QDate(2027, 2, 1))
    button.blockSignals(False)
    button.setDate(QDate())  # not a date
    assert got == [QDate(2027, 1, 4)] and button.date() == QDate(2027, 2, 1)
