"""Date navigation of the agenda: the one place that decides which week the list shows.

The week shown is a single value, its first day. Whatever moves it (Today, the week steps, a picked date, an event
to show, another calendar) goes through :meth:`DayNavigation.go_to`, which gives that one value to the
model (the rows are that week's, nothing else) and to the date box (which then says that first day). Nothing
reads the date back from the list's scroll position, so the two cannot drift apart whatever loads or scrolls.
A new day (midnight, a wake, a zone change) leaves the week where the user put it: today's heading moves on and
the day before reads "Yesterday", in the same week the box still names.

The Day view steps a day at a time (:attr:`DayNavigation.span` is 1); the list and the Week view a week. The
list's week starts on the day picked (today: the coming seven days); the Week view's starts on the first day of
the week of the user's locale (Sunday in the United States, Monday in Germany) when the window is given it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtWidgets import QAbstractItemView

from klen_desktop.ui.agenda.model import AgendaModel
from klen_desktop.ui.agenda.toolbar import AgendaToolbar

WEEK_DAYS = 7


class DayNavigation:
    """See the module docstring. ``today`` is the local date now; the first week shown starts on it.
    ``moved`` is called after every move, for what the window shows around the list (an empty week's message)."""

    def __init__(
        self,
        view: QAbstractItemView,
        model: AgendaModel,
        toolbar: AgendaToolbar,
        today: Callable[[], date],
        moved: Callable[[], None],
    ) -> None:
        self._view = view
        self._model = model
        self._toolbar = toolbar
        self._today = today
        self._moved = moved
        self._first = today()
        self.span = WEEK_DAYS  # the days a step moves and the grid shows
        self.week_starts_on: int | None = None  # the locale's first day of the week (Monday 0), for calendar weeks
        self.calendar_weeks = False  # True in the Week view: a range starts on week_starts_on
        model.set_range(self._first, WEEK_DAYS)
        toolbar.show_date(self._first)
        toolbar.today_clicked.connect(self.go_to_today)
        toolbar.week_step.connect(self.step)
        toolbar.date_picked.connect(self.go_to)

    @property
    def first_day(self) -> date:
        """The first day of the week shown."""
        return self._first

    def go_to(self, day: date) -> None:
        """Show the week from ``day`` (in the Week view, the calendar week holding it): its rows in the list, its
        first day in the date box, the list at its top."""
        if self.calendar_weeks and self.week_starts_on is not None:
            day = week_start(day, self.week_starts_on)
        self._first = day
        self._model.set_range(day, WEEK_DAYS)
        self._toolbar.show_date(day)
        self._view.scrollToTop()
        self._moved()

    def go_to_today(self) -> None:
        self.go_to(self._today())

    def step(self, spans: int) -> None:
        self.go_to(self._first + timedelta(days=self.span * spans))

    def reveal(self, day: date) -> None:
        """Make sure ``day`` is shown: the range steps from the one shown, as many as it takes to reach it."""
        spans = (day - self._first).days // self.span
        if spans:
            self.step(spans)


def week_start(day: date, first_weekday: int) -> date:
    """The first day of the calendar week holding ``day``, weeks starting on ``first_weekday`` (Monday 0)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % WEEK_DAYS)
