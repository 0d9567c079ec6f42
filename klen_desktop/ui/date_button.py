"""A date shown on a button that opens a month calendar to pick another: the agenda's "go to a date".

Not a QDateEdit: that class, its spin box and sections cost the app some 0.6 MiB resident from the moment the agenda
opens (tests/benchmarks/bench_startup.py), for a box most users only ever open as a calendar. Here the calendar is
built the first time it opens. The face reads as the short date with its year. A click, Space, Enter, Alt+Down or F4
opens the calendar at the date shown, on the locale's first day of the week; in it the arrows and Page keys move,
Enter or a click picks, and Escape or a click elsewhere closes it without a change.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget

from klen_desktop.date_texts import short_date_with_year

if TYPE_CHECKING:
    from PySide6.QtWidgets import QCalendarWidget

_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F4)


class DateButton(QPushButton):
    """``dateChanged`` when the date changes (picked, or set by :meth:`setDate`): QDateEdit's names, so callers
    block its signals and read it the same way."""

    dateChanged = Signal(QDate)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._date = QDate.currentDate()
        self._calendar: QCalendarWidget | None = None
        self.clicked.connect(self.open_calendar)
        self._show()

    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        if not value.isValid() or value == self._date:
            return
        self._date = QDate(value)
        self._show()
        self.dateChanged.emit(QDate(value))

    def calendarWidget(self) -> QCalendarWidget:
        """The month calendar the button opens, made on first use (a popup window of the button's)."""
        if self._calendar is None:
            from PySide6.QtWidgets import QCalendarWidget  # its class too is built only then

            calendar = self._calendar = QCalendarWidget(self)
            calendar.setWindowFlags(Qt.WindowType.Popup)
            calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            calendar.setAccessibleName(self.accessibleName())
            calendar.clicked.connect(self._picked)
            calendar.activated.connect(self._picked)
        return self._calendar

    def open_calendar(self) -> None:
        calendar = self.calendarWidget()
        calendar.setSelectedDate(self._date)
        calendar.adjustSize()
        size = calendar.sizeHint()
        below = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry()
        # Below the button where it fits, else above it; never past the screen's edges.
        x = max(screen.left(), min(below.x(), screen.right() + 1 - size.width()))
        y = below.y() if below.y() + size.height() <= screen.bottom() + 1 else below.y() - self.height() - size.height()
        calendar.move(x, max(screen.top(), y))
        calendar.show()
        calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        if event.key() in _OPEN_KEYS or alt_down:
            event.accept()
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def _picked(self, value: QDate) -> None:
        if self._calendar is not None:
            self._calendar.hide()
        self.setFocus(Qt.FocusReason.PopupFocusReason)
        self.setDate(value)

    def _show(self) -> None:
        shown = self._date
        self.setText(short_date_with_year(date(shown.year(), shown.month(), shown.day())))
