"""Date navigation of the agenda list: Today, the week steps and the date box, always in agreement with the list.

The list is one scroll of days with events. The date box always shows the day at the top of the list, whatever
moved it (a step, a picked date, the scroll bar, a reload); a step or a pick that lands on a week with no events
says so in a note under the toolbar, since the list cannot show an empty week. Week steps count from the date
asked for (not from the next day that had events), unless the user has scrolled since.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractItemView, QLabel

from klen_desktop.ui.agenda.model import AgendaModel
from klen_desktop.ui.agenda.toolbar import AgendaToolbar


class DayNavigation:
    """See the module docstring. ``today`` is the local date now."""

    def __init__(
        self,
        view: QAbstractItemView,
        model: AgendaModel,
        toolbar: AgendaToolbar,
        note: QLabel,
        today: Callable[[], date],
    ) -> None:
        self._view = view
        self._model = model
        self._toolbar = toolbar
        self._note = note
        self._today = today
        # The last date asked for, and the day it put at the top.
        self._anchor: tuple[date, date] | None = None
        self._moving = False
        note.setVisible(False)
        toolbar.today_clicked.connect(lambda: self.go_to(today()))
        toolbar.week_step.connect(self.step)
        toolbar.date_picked.connect(self.go_to)
        view.verticalScrollBar().valueChanged.connect(lambda _value: self._scrolled())

    def top_date(self) -> date:
        """The day of the row at the top of the list (today when the list is empty)."""
        day = self._model.day_of_row(self._view.indexAt(QPoint(4, 4)).row())
        return day if day is not None else self._today()

    def go_to(self, day: date) -> None:
        """Scroll so ``day`` (or the first later day with events) is at the top, and say when its week is empty."""
        row = self._model.row_for_date(day)
        self._moving = True
        try:
            if row is not None:
                self._view.scrollTo(self._model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)
        finally:
            self._moving = False
        self._anchor = (day, self.top_date())
        first = self._model.first_day_from(day)
        empty_week = first is None or first >= day + timedelta(days=7)
        if empty_week and self._model.rowCount():
            self._note.setText(f"Nothing on the calendar from {day:%a %d %b} to {day + timedelta(days=6):%a %d %b}.")
        self._note.setVisible(empty_week and bool(self._model.rowCount()))
        self.show_top()

    def step(self, weeks: int) -> None:
        top = self.top_date()
        base = self._anchor[0] if self._anchor is not None and self._anchor[1] == top else top
        self.go_to(base + timedelta(days=7 * weeks))

    def start_over(self) -> None:
        """Another calendar is shown (a key was saved or forgotten): forget where the last one was."""
        self._anchor = None
        self._note.setVisible(False)

    def show_top(self) -> None:
        """Put the top row's day in the date box (after anything that may have moved the list)."""
        self._toolbar.show_date(self.top_date())

    def _scrolled(self) -> None:
        if not self._moving:
            self._note.setVisible(False)
        self.show_top()
