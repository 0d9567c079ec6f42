"""The Qt side of notifications: builds the :class:`NotificationCenter`, feeds it and performs its actions.

The center (:mod:`klen_desktop.notify`) decides what to show; this bridge connects it to the running app:

* feeds: the core's sync changes, fired reminders and missed-reminder summaries (hooked again on every new
  core, after a key is saved or forgotten), write-queue entries that need the user, Do not disturb from the
  tray, the user's own cancel or move of an event (its notifications are withdrawn), and our own reminder
  windows' buttons;
* actions: Join opens the http(s) link, Open raises the agenda on the event, Snooze and Dismiss go to the
  current core's reminder scheduler, Confirm queues the status change through the controller (and so the
  outbox), the reminder windows are our fallback where the server shows no buttons, the tray balloon is the
  fallback when no notification service answers;
* the controller's notices ("Could not sync", "API key saved"...) go to the same notification service, or
  to the tray when there is none.

Everything the center does runs on the qasync loop; callbacks from Qt and the core are plain functions, so
each coroutine is wrapped in a task kept here and cancelled by :meth:`NotificationBridge.close`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from klen_desktop.api.models import EventDetail, EventStatus
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock
from klen_desktop.i18n import _
from klen_desktop.notify.actions import NotificationActions
from klen_desktop.notify.backend import NotificationBackend
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.messages import (
    Message,
    NotifyKind,
    ReminderContent,
    reminder_content,
    starting_now_content,
)
from klen_desktop.notify.native import native_backend
from klen_desktop.notify.policy import NotifyPreferences
from klen_desktop.notify.reasons import details_reason_lookup
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.session.merged import MergedCalendar
from klen_desktop.settings import Preferences
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.window_manager import Windows, open_web_link

if TYPE_CHECKING:
    from klen_desktop.ui.reminder_window import ReminderWindows

log = logging.getLogger(__name__)

# Kinds each Settings switch covers; kinds no switch names (write problems, Do-not-disturb summaries) stay on.
_REMINDER_KINDS = frozenset({NotifyKind.REMINDER, NotifyKind.MISSED})
_BOOKING_KINDS = frozenset({NotifyKind.NEW_EVENT})
_CHANGE_KINDS = frozenset(
    {NotifyKind.CONFIRMED, NotifyKind.MOVED, NotifyKind.COMPLETED, NotifyKind.NO_SHOW, NotifyKind.CHANGES_SUMMARY}
)
_CANCEL_KINDS = frozenset({NotifyKind.CANCELLED})

TrayMessage = Callable[[str, str], None]
CLOSE_GRACE = 2.0  # seconds work in flight (a send, an action) may take to finish on quit


def notify_preferences(prefs: Preferences) -> NotifyPreferences:
    """The center's preferences from the Settings switches (``notify_reminders``, ``notify_new_bookings``...)."""
    off: set[NotifyKind] = set()
    for enabled, kinds in (
        (prefs.notify_reminders, _REMINDER_KINDS),
        (prefs.notify_new_bookings, _BOOKING_KINDS),
        (prefs.notify_changes, _CHANGE_KINDS),
        (prefs.notify_cancellations, _CANCEL_KINDS),
    ):
        if not enabled:
            off |= kinds
    return NotifyPreferences().without(*off)


def _open_quietly(url: str) -> None:
    # The app passes Windows.open_link, which also says when a link is refused; this default only opens.
    open_web_link(url)


class NotificationBridge:
    """Owns the notification center of the running app. Build on the loop, :meth:`start`, :meth:`close` once.

    ``backend`` defaults to the platform's notification service (desktop-notifier); ``open_url`` receives only
    http(s) links (tests capture it); ``tray_message`` shows a title and a message without a notification
    service (the tray balloon, or a message on the agenda when there is no tray).
    """

    def __init__(
        self,
        controller: Controller,
        windows: Windows,
        *,
        clock: Clock,
        tray_message: TrayMessage,
        preferences: Preferences | None = None,
        backend: NotificationBackend | None = None,
        open_url: Callable[[str], None] = _open_quietly,
    ) -> None:
        self._controller = controller
        self._windows = windows
        self._clock = clock
        self._tray_message = tray_message
        self._open_url = open_url
        self._backend: NotificationBackend = backend or native_backend()
        self._reminder_windows: ReminderWindows | None = None
        self._tasks = BackgroundTasks(log, "a notification task failed")
        self._hooked: set[int] = set()
        self._notices: list[str] = []
        self._closed = False
        self.center = NotificationCenter(
            self._backend,
            clock,
            preferences=notify_preferences(preferences or Preferences()),
            actions=self._actions(),
            cancel_reason=details_reason_lookup(self._fetch_detail, self._cached_detail),
            dnd=controller.dnd,
            account_label=lambda handle: controller.session.label_of(handle),
        )
        controller.outbox_changed.connect(self._outbox_changed)
        controller.dnd_changed.connect(self._dnd_changed)
        controller.connection_changed.connect(self._connection_changed)
        controller.changed_here.connect(self._changed_here)
        controller.time_changed.connect(self._time_changed)
        controller.notice.connect(self.notice)

    # -- lifecycle ------------------------------------------------------------------------------------

    def hook(self, session: MergedCalendar) -> None:
        """Feed the center from ``session`` (call before it starts; again for every new session)."""
        if id(session) in self._hooked:
            return
        self._hooked.add(id(session))
        session.on_changes(lambda changes: self._from(session, self.center.on_changes(changes)))
        session.on_reminder(lambda reminder: self._from(session, self.center.on_reminder(reminder)))
        session.on_reminder_shown_before(lambda reminder: self._from(session, self.center.resume_escalation(reminder)))
        session.on_missed(lambda summary: self._from(session, self._missed(summary)))

    async def start(self) -> None:
        """Find the notification service (bounded; no service means the fallbacks are used)."""
        await self.center.start()

    async def close(self) -> None:
        """Withdraw what this app still shows, close our windows, release the service; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        # A notification being sent now must be known before it can be withdrawn: let sends finish.
        await self._tasks.settle(CLOSE_GRACE)
        try:
            await asyncio.wait_for(self._withdraw_everything(), 5.0)
        except Exception:
            # Quitting must not hang or fail on a notification server that stopped answering.
            log.warning("could not withdraw the notifications on quit", exc_info=True)
        await self.center.close()
        if self._reminder_windows is not None:
            for window in self._reminder_windows.windows():
                window.close()

    async def _withdraw_everything(self) -> None:
        await self.center.withdraw_all()
        notices, self._notices = self._notices, []
        for identifier in notices:
            await self._backend.withdraw(identifier)

    def set_preferences(self, prefs: Preferences) -> None:
        self.center.set_preferences(notify_preferences(prefs))

    @property
    def reminder_windows(self) -> ReminderWindows:
        """Our own reminder and Starting-now windows (built on first use)."""
        if self._reminder_windows is None:
            from klen_desktop.ui.reminder_window import ReminderWindows

            self._reminder_windows = ReminderWindows(now=self._clock.now)
            self._reminder_windows.action_requested.connect(self._window_action)
        return self._reminder_windows

    # -- feeds ------------------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self._closed:
            coro.close()
            return
        self._tasks.spawn(coro)

    def _from(self, session: MergedCalendar, coro: Coroutine[Any, Any, None]) -> None:
        # A session replaced meanwhile (key saved or forgotten) may still deliver its last news: not the user's.
        if session is self._controller.session:
            self._spawn(coro)
        else:
            coro.close()

    async def _missed(self, summary: MissedSummary) -> None:
        await self.center.on_missed(summary)

    def _outbox_changed(self, entries: object) -> None:
        if not isinstance(entries, tuple):
            return
        for entry in entries:
            if isinstance(entry, OutboxEntry) and entry.state in NEEDS_USER:
                self._spawn(self.center.on_outbox_problem(entry))  # the policy tells each problem once

    def _dnd_changed(self, until: object) -> None:
        if isinstance(until, datetime):
            self.center.set_dnd(until)
        elif until is None:
            self._spawn(self.center.end_dnd())

    def _connection_changed(self) -> None:
        self.hook(self._controller.session)

    def _time_changed(self, _change: object) -> None:
        if self._reminder_windows is not None:
            self._reminder_windows.close_ended(self._clock.now())

    def _changed_here(self, event_id: int) -> None:
        self._spawn(self.center.event_gone_or_moved(event_id))

    def _window_action(self, action: object) -> None:
        from klen_desktop.ui.reminder_window import WindowAction

        if isinstance(action, WindowAction):
            self._spawn(
                self.center.act(
                    action.event_id, action.due_at, action.kind, snooze=action.snooze, join_url=action.join_url
                )
            )

    def notice(self, title: str, message: str) -> None:
        """Tell the user something the app did or could not do (to the notification service, else the tray)."""
        log.info("notice: %s: %s", title, message)
        # The titles of typed errors are marked for translation where they are defined (N_): translated here,
        # where every notice is shown; a title translated already is its own translation.
        self._spawn(self._notice(_(title), message))

    async def _notice(self, title: str, body: str) -> None:
        if self.center.server.available:
            # Not a calendar change: sent as is (no buttons, no burst merging), withdrawn on quit.
            message = Message(kind=NotifyKind.WRITE_PROBLEM, title=title, body=body)
            identifier = await self._backend.send(message, on_action=lambda _key: None, on_dismissed=lambda: None)
            if identifier is not None:
                self._notices.append(identifier)
                return
        self._tray_message(title, body)

    # -- actions -----------------------------------------------------------------------------------------

    def _actions(self) -> NotificationActions:
        return NotificationActions(
            open_url=self._open_url,
            open_event=self._windows.show_event,
            open_agenda=self._open_agenda,
            snooze=self._snooze,
            dismiss=self._dismiss,
            confirm=self._confirm,
            show_fallback=self._show_fallback,
            show_starting_now=self._show_starting_now,
            tray_message=self._tray_message,
            close_windows=self._close_windows,
        )

    def _open_agenda(self) -> None:
        self._windows.open_agenda()

    async def _snooze(self, event_id: int, due_at: datetime, choice: SnoozeChoice) -> None:
        await self._controller.session.snooze(event_id, due_at, choice)

    async def _dismiss(self, event_id: int, due_at: datetime) -> None:
        await self._controller.session.dismiss(event_id, due_at)

    async def _confirm(self, event_id: int) -> None:
        # Through the controller: it checks the key may write, queues the patch and wakes the outbox.
        await self._controller.change_status(event_id, EventStatus.CONFIRMED.value)

    def _show_fallback(self, reminder: Reminder) -> None:
        content = self._with_account(reminder_content(reminder))
        self.reminder_windows.show_reminder(content, reminder.event.end_time)

    def _show_starting_now(self, event: StoredEvent) -> None:
        self.reminder_windows.show_starting_now(self._with_account(starting_now_content(event)), event.end_time)

    def _with_account(self, content: ReminderContent) -> ReminderContent:
        """Our own windows name the event's account too, where several are shown."""
        account = self._controller.session.label_of(content.event_id)
        return replace(content, details=(account, *content.details)) if account else content

    def _close_windows(self, event_id: int) -> None:
        if self._reminder_windows is not None:
            self._reminder_windows.close_for(event_id)

    async def _fetch_detail(self, event_id: int) -> EventDetail | None:
        stored = await self._controller.session.fetch_detail(event_id)
        return stored.detail if stored is not None else None

    async def _cached_detail(self, event_id: int) -> EventDetail | None:
        stored = await self._controller.session.event(event_id)
        return stored.detail if stored is not None else None


SMOKE_TITLE = "Klen Desktop is running"
SMOKE_WITHDRAW_AFTER = 0.5


async def smoke_notification(backend: NotificationBackend | None = None, *, tray_fallback: bool) -> str:
    """Send one real notification through the app's backend and withdraw it (``--smoke``).

    ``sent``: the notification service took it; ``fallback``: no service answered (the reason is logged) and
    the app would use the tray's messages; ``none``: neither a service nor a tray to fall back on.
    """
    notifier = backend or native_backend()
    try:
        info = await notifier.probe()
        if not info.available:
            log.warning("smoke: no notification service: %s", info.reason)
            return "fallback" if tray_fallback else "none"
        message = Message(kind=NotifyKind.DND_SUMMARY, title=SMOKE_TITLE, body="Smoke test: this closes by itself.")
        identifier = await notifier.send(message, on_action=lambda _key: None, on_dismissed=lambda: None)
        if identifier is None:
            log.warning("smoke: the notification service (%s) did not take the notification", info.name)
            return "fallback" if tray_fallback else "none"
        await asyncio.sleep(SMOKE_WITHDRAW_AFTER)  # long enough for the server to show it before it goes
        await notifier.withdraw(identifier)
        return "sent"
    except Exception:
        log.exception("smoke: sending a notification failed")
        return "fallback" if tray_fallback else "none"
    finally:
        await notifier.close()


__all__ = ["NotificationBridge", "notify_preferences", "smoke_notification"]
