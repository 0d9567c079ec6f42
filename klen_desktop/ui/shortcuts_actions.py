"""What the global shortcuts do: open quick add, and join the next call.

"Join next call" opens the video link of the call that is running now or starts within :data:`JOIN_AHEAD`;
of several, the one that starts first (a call that is already running before the next one). Only an event that
is open (scheduled or confirmed) and has a link the app may open counts, by the same rule as the agenda's Join
button (:func:`klen_desktop.event_rules.join_link`). With none, a notification says so, instead of
nothing happening after a key press.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from klen_desktop.event_rules import join_link
from klen_desktop.i18n import N_, _
from klen_desktop.store.events import StoredEvent

# Early enough to be in the call on time, late enough not to offer the one after lunch instead of nothing.
JOIN_AHEAD = timedelta(minutes=15)
NO_CALL_TITLE = N_("No call to join")
NO_CALL_TEXT = N_("No event with a video link is running now or starts in the next 15 minutes.")
QUICK_ADD = "quick-add"
JOIN_NEXT_CALL = "join-next-call"
ACTIONS = (QUICK_ADD, JOIN_NEXT_CALL)
LABELS = {QUICK_ADD: N_("Quick add an event"), JOIN_NEXT_CALL: N_("Join the next call")}
PREFERENCE_OF = {QUICK_ADD: "shortcut_quick_add", JOIN_NEXT_CALL: "shortcut_join_next_call"}


def next_call(events: Iterable[StoredEvent], now: datetime) -> tuple[StoredEvent, str] | None:
    """The call to join at ``now`` and its link, or None."""
    moment = now.timestamp()
    best: tuple[StoredEvent, str] | None = None
    for event in events:
        summary = event.summary
        if summary.start_time > now + JOIN_AHEAD:
            continue
        link = join_link(summary, moment)  # None once over, or when not open
        if link is None:
            continue
        if best is None or summary.start_time < best[0].summary.start_time:
            best = (event, link)
    return best


class ShortcutActions:
    """Runs an action by name; each action is a callable given by the composition root."""

    def __init__(
        self,
        *,
        quick_add: Callable[[], object],
        events: Callable[[], Iterable[StoredEvent]],
        now: Callable[[], datetime],
        open_link: Callable[[str], object],
        notice: Callable[[str, str], object],
    ) -> None:
        self._quick_add = quick_add
        self._events = events
        self._now = now
        self._open_link = open_link
        self._notice = notice

    def run(self, action: str) -> None:
        if action == QUICK_ADD:
            self._quick_add()
        elif action == JOIN_NEXT_CALL:
            self.join_next_call()

    def join_next_call(self) -> None:
        found = next_call(self._events(), self._now())
        if found is None:
            self._notice(_(NO_CALL_TITLE), _(NO_CALL_TEXT))
            return
        self._open_link(found[1])
