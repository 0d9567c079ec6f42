"""What the quick-add boxes (the agenda's and the "New event" window's) do: Save queues the event read from the
words and waits a moment to hear from the server, keeping the text when it was refused; Edit… opens the editor
with what was read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.drafts import EventDraft
from klen_desktop.i18n import _
from klen_desktop.session.outcomes import SaveOutcome, SaveState, WriteRefused
from klen_desktop.settings import Preferences
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.ui.controller import Controller

if TYPE_CHECKING:
    from klen_desktop.quick_add import QuickAdd
    from klen_desktop.ui.quick_add_box import QuickAddBox
    from klen_desktop.ui.quick_add_window import QuickAddWindow

log = logging.getLogger(__name__)


def next_half_hour(now: datetime) -> datetime:
    """The next :00 or :30 in local time: where a new event starts when the user picked no time."""
    local_now = now.astimezone()
    base = local_now.replace(second=0, microsecond=0, minute=0 if local_now.minute < 30 else 30)
    return base + timedelta(minutes=30)


def tell_if_kept(controller: Controller, outcome: SaveOutcome) -> None:
    """A save kept on this computer (the daily limit, or no connection) is said, not silent (editor, quick add)."""
    if outcome.waiting:
        controller.notice.emit(_("Kept until the limit resets"), outcome.message or "")
    elif outcome.state is SaveState.QUEUED:
        controller.notice.emit(
            _("Saved on this computer"),
            _("Klen could not be reached yet; the change is kept and sent as soon as it can be."),
        )


class QuickAddFlow:
    """``editor(draft)`` opens the editor on a draft (None: an empty new event)."""

    def __init__(
        self,
        controller: Controller,
        tasks: BackgroundTasks,
        *,
        prefs: Callable[[], Preferences],
        clock: Callable[[], datetime],
        editor: Callable[[EventDraft | None], None],
    ) -> None:
        self._controller = controller
        self._tasks = tasks
        self._prefs = prefs
        self._clock = clock
        self._editor = editor
        self.window: QuickAddWindow | None = None

    def open_window(self) -> QuickAddWindow:
        """The "New event" window, built on first use (the date parser's data loading meanwhile), shown."""
        if self.window is None:
            from klen_desktop.ui.quick_add_box import warm_up
            from klen_desktop.ui.quick_add_window import QuickAddWindow

            warm_up()
            self.window = QuickAddWindow(clock=self._clock)
            self.wire(self.window.box, self.window.close)
        self.window.open()
        return self.window

    def wire(self, box: QuickAddBox, done: Callable[[], object]) -> None:
        """Act on ``box``'s Save and Edit…; ``done()`` after either went through (close the window, or nothing)."""
        box.save_requested.connect(lambda parsed: self._tasks.spawn(self.save(box, parsed, done)))
        box.edit_requested.connect(lambda parsed: self.edit(box, parsed, done))

    def edit(self, box: QuickAddBox, parsed: QuickAdd | None, done: Callable[[], object]) -> None:
        """Edit…: the editor, filled with what was read (the next half hour where no time was)."""
        reminder = self._prefs().default_reminder_minutes
        start = next_half_hour(self._clock())
        self._editor(None if parsed is None else parsed.draft(default_reminder=reminder, start=start))
        box.clear()
        done()

    async def save(self, box: QuickAddBox, parsed: QuickAdd, done: Callable[[], object]) -> None:
        box.set_saving(True)
        try:
            draft = parsed.draft(default_reminder=self._prefs().default_reminder_minutes)
            seq = await self._controller.save_draft(draft)
            outcome = await self._controller.session.wait_for_send(seq)
        except WriteRefused as exc:
            box.show_problem(exc.message)
            return
        except DatabaseClosed:
            return  # the app is quitting; what was queued is on disk
        except Exception as exc:  # the text must survive anything: keep it, say what happened
            log.exception("saving a quick-add event failed")
            box.show_problem(_("The event could not be saved: {error}").format(error=exc))
            return
        if outcome.state is SaveState.REFUSED:
            box.show_problem(outcome.message or _("The server refused the event."))
            return
        tell_if_kept(self._controller, outcome)
        box.set_saving(False)
        box.clear()
        done()
