"""Keeps the day or week grid showing what the list would: the same events through the same filter, over the days
the date navigation names, laid out again only when one of those changed (a sync status or a minute tick alone
moves just the now line). A switch of view sets how far the navigation steps: a day in the Day view, else a week.

The grid itself is built on the first switch to the Day or Week view: most sessions stay in the list, which needs
neither the grid's widget nor its modules (0.2 MiB resident, and less work when the agenda first opens)."""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from klen_desktop.ui.agenda.model import AgendaModel
from klen_desktop.ui.agenda.navigation import WEEK_DAYS, DayNavigation
from klen_desktop.ui.agenda.rows import Facts, shown_facts
from klen_desktop.ui.agenda.toolbar import AgendaToolbar, AgendaView
from klen_desktop.ui.formatting import local_midnight

if TYPE_CHECKING:
    from klen_desktop.ui.agenda.week_view import WeekView


def facts_between(facts: list[Facts], first: float, after: float) -> list[Facts]:
    """Of ``facts`` (sorted by start), those reaching into ``first`` to ``after`` (POSIX times).

    Those starting inside come from a bisect; those starting before are kept when they end inside or later: a
    long event from last month still fills this week."""
    end = bisect.bisect_left(facts, after, key=_START)
    begin = bisect.bisect_left(facts, first, key=_START)
    return [f for f in facts[:begin] if f.end_ts > first] + facts[begin:end]


_START = operator.attrgetter("start_ts")


class GridHost:
    """Feeds the grid ``build`` makes from ``model`` (see the module docstring)."""

    def __init__(
        self,
        build: Callable[[], WeekView],
        model: AgendaModel,
        navigation: DayNavigation,
        toolbar: AgendaToolbar,
    ) -> None:
        self._build = build
        self._view: WeekView | None = None
        self._model = model
        self._navigation = navigation
        self._toolbar = toolbar
        self._key: tuple[object, ...] = ()
        self._facts: list[Facts] | None = None  # the model's list the layout was made from

    @property
    def built(self) -> bool:
        return self._view is not None

    @property
    def view(self) -> WeekView:
        """The grid, built on first use."""
        if self._view is None:
            view = self._view = self._build()
            view.step_requested.connect(self._navigation.step)
            self._toolbar.today_clicked.connect(view.scroll_to_start)
        return self._view

    @property
    def shown(self) -> bool:
        return self._toolbar.view is not AgendaView.AGENDA

    def switch(self, view: AgendaView, selected: int) -> None:
        """After the switch showed ``view``: steps of its range, the same first day, ``selected`` still selected."""
        self._navigation.span = 1 if view is AgendaView.DAY else WEEK_DAYS
        self._navigation.calendar_weeks = view is AgendaView.WEEK
        self._navigation.go_to(self._navigation.first_day)  # the box and the steps now speak of the new range
        if view is not AgendaView.AGENDA:
            self.view.select(selected)
            self.view.scroll_to_start()

    def refresh(self, now: datetime) -> None:
        """Show the range the navigation names as of ``now``."""
        model = self._model
        first, days = self._navigation.first_day, self._navigation.span
        shown = [first + timedelta(days=i) for i in range(days)]
        key = (model.filter, tuple(shown), model.zone_changes)
        if key == self._key and model.all_facts is self._facts:
            self.view.set_now(now)
            return
        self._key, self._facts = key, model.all_facts
        facts = list(shown_facts(model.all_facts, model.filter))
        start = local_midnight(shown[0]).timestamp()
        after = local_midnight(shown[-1] + timedelta(days=1)).timestamp()
        self.view.set_source(facts_between(facts, start, after), shown, now)

    def forget(self) -> None:
        """Lay out again at the next refresh (the events were replaced in place, or the zone moved)."""
        self._key, self._facts = (), None
