"""What the agenda is given from the cache, and what it asks of the cache beyond the events held in memory.

The app keeps in memory only the events near now and those of the spans views hold (see
:mod:`klen_desktop.session.snapshot`). While the agenda is shown it holds its days (a week); moving to another week
holds that one instead, and the rows say they are loading until its events are read. Hiding the agenda lets its week
go. Two questions reach past the held events and are answered from the cache, off the UI thread:

- a search or filter: how many events match in other weeks, and where the nearest is (every cached row is read);
- showing an event no span holds (a notification about a booking a month ahead): its day is read, the agenda moves
  there, and the event is selected once its week arrives.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime

from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.filters import AgendaFilter, summary_matches
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.formatting import local, local_midnight

AGENDA_SPAN = "agenda"


class AgendaFeed:
    """Feeds one agenda window from the controller; :meth:`events_changed` after every new copy of the events."""

    def __init__(
        self, window: AgendaWindow, controller: Controller, tasks: BackgroundTasks, clock: Callable[[], datetime]
    ) -> None:
        self._window = window
        self._controller = controller
        self._tasks = tasks
        self._clock = clock
        self._wanted = AgendaFilter()
        self._searching: asyncio.Task[None] | None = None
        self._again = False
        window.range_changed.connect(self._hold)
        window.visibility_changed.connect(self._visibility_changed)
        window.filter_changed.connect(self._search)

    def events_changed(self) -> None:
        """Give the window the newest events, the cache's count and whether its days are all there."""
        window, controller = self._window, self._controller
        self._hold()  # a new local zone moves the bounds of the days shown
        window.set_events(
            controller.events, self._clock(), total=controller.event_count, covered=controller.holds(AGENDA_SPAN)
        )
        if not window.model.filter.is_default:
            self._search(window.model.filter)  # the calendar changed under a search: count its matches again

    def show_event(self, event_id: int) -> None:
        """Select the event in the agenda; one no span holds is looked up in the cache and its week shown."""
        window = self._window
        window.show_event(event_id)
        if window.pending_show == event_id and self._controller.cached_event(event_id) is None:
            self._tasks.spawn(self._reveal(event_id))

    async def _reveal(self, event_id: int) -> None:
        stored = await self._controller.find_event(event_id)
        if stored is not None and self._window.pending_show == event_id:
            self._window.show_event(event_id, local(stored.start_time).date())

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self._hold()
        else:
            self._controller.release(AGENDA_SPAN)

    def _hold(self) -> None:
        if self._window.isVisible():
            first, after = self._window.shown_days()
            self._controller.hold(AGENDA_SPAN, local_midnight(first), local_midnight(after))

    def _search(self, flt: object) -> None:
        """Count the matches of ``flt`` in every week (at most one read runs; the newest filter follows it)."""
        if not isinstance(flt, AgendaFilter):
            return
        self._wanted = flt
        if flt.is_default:
            return
        if self._searching is not None and not self._searching.done():
            self._again = True
            return
        self._searching = self._tasks.spawn(self._run_search())

    async def _run_search(self) -> None:
        while True:
            self._again = False
            flt = self._wanted
            starts = await self._controller.starts_matching(functools.partial(summary_matches, flt=flt), flt.accounts)
            if flt == self._wanted:
                self._window.set_match_days(flt, [local(start).date() for start in starts])
            if not self._again or self._wanted.is_default:
                return
