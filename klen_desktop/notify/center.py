"""The notification service the app calls: sync news, reminders, write problems, Do not disturb.

:class:`NotificationCenter` runs on the asyncio (qasync) loop and never blocks it. It builds messages
(:mod:`klen_desktop.notify.messages`), asks the policy what to show (:mod:`klen_desktop.notify.policy`), sends
through a :class:`~klen_desktop.notify.backend.NotificationBackend`, and does every side effect through the
injected :class:`NotificationActions`, so the app wires Qt and the browser and tests capture them.

Where notifications go:

* the platform's service, when :meth:`NotificationCenter.start` found one;
* reminders, where the service shows no action buttons (or there is no service): ``actions.show_fallback``,
  our own reminder window with the same actions; a toast the user cannot act on is not enough;
* anything else with no service: ``actions.tray_message``. The missing service is logged once; it is
  probed again at most once a minute, so a notification daemon started later is picked up.

Escalation: a reminder for a type in ``NotifyPreferences.escalate_types`` arms a timer for its event's start;
if by then nothing was done with it (no button, no click, not closed by the user, not dismissed through
:meth:`NotificationCenter.act`) and the event has not ended, ``actions.show_starting_now`` is called, once per
event and start time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock
from klen_desktop.event_rules import is_open
from klen_desktop.links import web_link
from klen_desktop.notify.actions import NotificationActions
from klen_desktop.notify.backend import CLICK_KEY, NO_SERVER, NotificationBackend, ServerInfo
from klen_desktop.notify.do_not_disturb import DoNotDisturb
from klen_desktop.notify.messages import (
    ActionKind,
    Message,
    NotifyKind,
    reminder_message,
    with_account,
)
from klen_desktop.notify.policy import NotificationPolicy, NotifyPreferences
from klen_desktop.notify.reasons import ReasonLookup
from klen_desktop.notify.servers import fit_buttons
from klen_desktop.notify.summaries import missed_message, outbox_problem_message
from klen_desktop.records import record
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.diff import ChangeKind, ChangeSet, Origin

log = logging.getLogger(__name__)

REPROBE_AFTER = timedelta(seconds=60)


@record
class _Shown:
    message: Message
    reminder: Reminder | None = None  # what More… opens in the app's own card


@dataclass
class _Escalation:
    event: StoredEvent
    task: asyncio.Task[None]


class NotificationCenter:
    """See the module docstring. Every public coroutine returns once the notification was handed over."""

    def __init__(
        self,
        backend: NotificationBackend,
        clock: Clock,
        *,
        preferences: NotifyPreferences | None = None,
        actions: NotificationActions,
        tz: tzinfo | None = None,
        cancel_reason: ReasonLookup | None = None,
        dnd: DoNotDisturb | None = None,
        account_label: Callable[[int], str] | None = None,
    ) -> None:
        """``tz``: where times are shown (local when ``None``); ``cancel_reason``: reads why an event was
        cancelled (see :func:`klen_desktop.notify.reasons.details_reason_lookup`); without it a cancel is told
        without its reason unless the change itself carries the notes. ``account_label``: the name of an event's
        account where several are shown ("" where one is), put before the notification's text."""
        self._backend = backend
        self._clock = clock
        self._actions = actions
        self._tz = tz
        self._cancel_reason = cancel_reason
        self._account_label = account_label
        self._policy = NotificationPolicy(preferences, dnd)
        self._info: ServerInfo = NO_SERVER
        self._probed_at: datetime | None = None
        self._probing: asyncio.Future[None] | None = None
        self._missing_logged = False
        self._shown: dict[str, _Shown] = {}
        self._escalations: dict[int, _Escalation] = {}
        self._escalated: set[tuple[int, datetime]] = set()
        self._tasks = BackgroundTasks(log, "a notification task failed")
        self._dnd_task: asyncio.Task[None] | None = None

    # ----- lifecycle ---------------------------------------------------------------------------------

    @property
    def server(self) -> ServerInfo:
        """What the last probe found."""
        return self._info

    @property
    def dnd_active(self) -> bool:
        return self._policy.dnd_active(self._clock.now())

    async def start(self) -> None:
        """Find the notification service and what it can do (never raises: no service means fallbacks)."""
        await self._probe()

    async def close(self) -> None:
        """Cancel timers and release the backend; shown notifications stay with the server."""
        self._tasks.cancel_all()
        for escalation in self._escalations.values():
            escalation.task.cancel()
        if self._dnd_task is not None:
            self._dnd_task.cancel()
        self._escalations.clear()
        if self._probing is not None and not self._probing.done():
            self._probing.cancel()  # and waited for: else it could open a connection after the close below
            with contextlib.suppress(asyncio.CancelledError):
                await self._probing
        await self._backend.close()

    async def withdraw_all(self) -> None:
        """Close every notification this center showed that is still up (sign-out, switching accounts)."""
        shown, self._shown = self._shown, {}
        for identifier in shown:
            await self._backend.withdraw(identifier)

    def set_preferences(self, prefs: NotifyPreferences) -> None:
        self._policy.set_preferences(prefs)

    async def _probe(self) -> None:
        # A message sent while a probe runs (the night's missed reminders, at start) waits for that probe: a second
        # one would replace the first one's bus connection while the first still waits for its answers.
        if self._probing is None or self._probing.done():
            self._probing = asyncio.ensure_future(self._probe_now())
        await asyncio.shield(self._probing)

    async def _probe_now(self) -> None:
        try:
            self._info = await self._backend.probe()
        except Exception as exc:
            log.exception("probing the notification service failed")
            self._info = ServerInfo(available=False, reason=str(exc))
        self._probed_at = self._clock.now()
        if self._info.available:
            self._missing_logged = False
            log.info("notifications go to %s (buttons: %s)", self._info.name or "the system", self._info.actions)
        elif not self._missing_logged:
            self._missing_logged = True
            log.warning("no notification service: %s; using the tray's messages instead", self._info.reason)

    async def _service(self) -> ServerInfo:
        if not self._info.available and (
            self._probed_at is None or self._clock.now() - self._probed_at >= REPROBE_AFTER
        ):
            await self._probe()
        return self._info

    # ----- inputs ------------------------------------------------------------------------------------

    async def on_changes(self, changes: ChangeSet) -> None:
        """Tell the user about a sync's changes from elsewhere (bursts merged, own changes never echoed)."""
        for change in changes:
            over = change.kind is ChangeKind.STATUS_CHANGED and not is_open(change.event.status)
            if over or change.kind in (ChangeKind.CANCELLED, ChangeKind.MOVED, ChangeKind.GONE):
                await self.event_gone_or_moved(change.event_id)
        messages = self._policy.change_messages(changes, self._tz)
        if not messages:
            return
        reasons = await self._cancel_reasons(changes, messages)
        if reasons:
            messages = self._policy.change_messages(changes, self._tz, reasons)
        if await self._holding():
            for message in messages:
                self._policy.hold(message)
            return
        for message in self._policy.merge_burst(messages):
            await self._show(message)

    async def _cancel_reasons(self, changes: ChangeSet, messages: list[Message]) -> dict[int, str]:
        # Only for cancels told one by one: a burst summary shows no reasons, so it costs no requests.
        lookup = self._cancel_reason
        if lookup is None or len(messages) > self._policy.preferences.burst_threshold:
            return {}
        told = {m.event_id for m in messages if m.kind is NotifyKind.CANCELLED}
        wanted = [c for c in changes.of_kind(ChangeKind.CANCELLED) if c.origin is Origin.REMOTE and c.event_id in told]
        found = await asyncio.gather(*(lookup(c) for c in wanted), return_exceptions=True)
        return {c.event_id: r for c, r in zip(wanted, found, strict=True) if isinstance(r, str) and r}

    async def on_reminder(self, reminder: Reminder) -> None:
        """Show a reminder (or hold it during Do not disturb) and arm its Starting-now escalation."""
        if await self._holding():
            self._policy.hold_reminder(reminder)
            return
        if not reminder.snoozed:
            self._arm_escalation(reminder.event)
        if not self._policy.allows(NotifyKind.REMINDER):
            return
        info = await self._service()
        if not info.available or not info.actions:
            self._actions.show_fallback(reminder)
            return
        await self._show(reminder_message(reminder, self._tz), reminder)

    async def resume_escalation(self, reminder: Reminder) -> None:
        """Arm the Starting-now escalation of a reminder shown before the app restarted (it is not shown again):
        a restart between a reminder and its event's start must not lose the one alert that insists."""
        self._arm_escalation(reminder.event)

    async def on_missed(self, summary: MissedSummary) -> None:
        if not summary.reminders:
            return
        if await self._holding():
            for reminder in summary.reminders:
                self._policy.hold_reminder(reminder)
            return
        if self._policy.allows(NotifyKind.MISSED):
            await self._show(missed_message(summary, self._tz))

    async def on_outbox_problem(self, entry: OutboxEntry) -> None:
        """Tell the user once about a write the server refused or that conflicts."""
        if not self._policy.first_report(entry) or not self._policy.allows(NotifyKind.WRITE_PROBLEM):
            return
        message = outbox_problem_message(entry)
        if await self._holding():
            self._policy.hold(message)
            return
        await self._show(message)

    async def event_gone_or_moved(self, event_id: int) -> None:
        """Withdraw what still describes ``event_id`` as it was (its reminder, older news, its escalation): it
        was cancelled, moved, deleted or given an outcome (completed, no-show)."""
        escalation = self._escalations.pop(event_id, None)
        if escalation is not None:
            escalation.task.cancel()
        self._policy.forget_held(event_id)
        self._actions.close_windows(event_id)
        stale = [key for key, shown in self._shown.items() if shown.message.event_id == event_id]
        for key in stale:
            del self._shown[key]
            await self._backend.withdraw(key)

    # ----- do not disturb ----------------------------------------------------------------------------

    def set_dnd(self, until: datetime | None) -> None:
        """Hold notifications until ``until`` (``None``: until :meth:`end_dnd`); needs the running loop."""
        self._policy.set_dnd(until)
        if self._dnd_task is not None:
            self._dnd_task.cancel()
            self._dnd_task = None
        if until is not None:
            self._dnd_task = asyncio.ensure_future(self._end_dnd_at(until))

    async def end_dnd(self) -> None:
        """Stop holding; what was held (reminders due meanwhile, changes) is told in one summary."""
        task, self._dnd_task = self._dnd_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        summary = self._policy.end_dnd(self._tz)
        if summary is not None:
            await self._show(summary)

    async def _end_dnd_at(self, until: datetime) -> None:
        while (left := (until - self._clock.now()).total_seconds()) > 0:
            # In slices: asyncio's clock may not see a suspend or a wall-clock jump.
            await self._clock.sleep(min(left, 60.0))
        await self.end_dnd()

    async def _holding(self) -> bool:
        now = self._clock.now()
        if self._policy.dnd_expired(now):
            await self.end_dnd()
        return self._policy.dnd_active(now)

    # ----- showing and acting ------------------------------------------------------------------------

    async def _show(self, message: Message, reminder: Reminder | None = None) -> None:
        if self._account_label is not None and message.event_id is not None:
            message = with_account(message, self._account_label(message.event_id))
        info = await self._service()
        if info.available:
            message = fit_buttons(message, info.max_buttons)
            holder: list[str] = []
            identifier = await self._backend.send(
                message,
                on_action=lambda key: self._on_action(holder[0] if holder else "", key),
                on_dismissed=lambda: self._on_dismissed(holder[0] if holder else ""),
            )
            if identifier is not None:
                holder.append(identifier)
                self._shown[identifier] = _Shown(message, reminder)
                return
            self._info = ServerInfo(available=False, reason="the notification service did not take a notification")
            self._probed_at = self._clock.now()
            if not self._missing_logged:
                self._missing_logged = True
                log.warning("notification not shown: %s; using the tray's messages instead", self._info.reason)
        self._actions.tray_message(message.title, message.body)

    def _on_action(self, identifier: str, key: str) -> None:
        shown = self._shown.pop(identifier, None)
        if shown is None:
            return
        # Most servers close a notification when an action is taken; some (dunst's menu) leave it up.
        self._tasks.spawn(self._backend.withdraw(identifier))
        message = shown.message
        if key == CLICK_KEY:
            if message.click is None:
                return
            self._tasks.spawn(self._perform(message, message.click, None))
            return
        button = message.button(key)
        if button is None:
            log.warning("unknown notification action %r", key)
            return
        if button.kind is ActionKind.CARD and shown.reminder is not None:
            self._actions.show_fallback(shown.reminder)
            return
        self._tasks.spawn(self._perform(message, button.kind, button.snooze))

    def _on_dismissed(self, identifier: str) -> None:
        shown = self._shown.pop(identifier, None)
        if shown is not None and shown.message.kind is NotifyKind.REMINDER and shown.message.event_id is not None:
            self._acknowledge(shown.message.event_id)

    async def act(
        self,
        event_id: int,
        due_at: datetime | None,
        kind: ActionKind,
        *,
        snooze: SnoozeChoice | None = None,
        join_url: str | None = None,
    ) -> None:
        """Do what a button of our own reminder or Starting-now window asks (the windows emit, this acts).

        ``due_at`` names the reminder for SNOOZE and DISMISS (``None`` from the Starting-now window, whose
        Dismiss only closes it); ``join_url`` is opened for JOIN when it is an http(s) link.
        """
        message = Message(
            kind=NotifyKind.REMINDER, title="", body="", event_id=event_id, due_at=due_at, join_url=join_url
        )
        await self._perform(message, kind, snooze)

    async def _perform(self, message: Message, kind: ActionKind, snooze: SnoozeChoice | None) -> None:
        event_id, due_at = message.event_id, message.due_at
        if event_id is not None and message.kind is NotifyKind.REMINDER:
            self._acknowledge(event_id)
        try:
            if kind is ActionKind.JOIN:
                url = web_link(message.join_url)
                if url is not None:
                    self._actions.open_url(url)
            elif kind is ActionKind.OPEN and event_id is not None:
                self._actions.open_event(event_id)
            elif kind is ActionKind.OPEN_AGENDA:
                self._actions.open_agenda()
            elif kind is ActionKind.SNOOZE and event_id is not None and due_at is not None and snooze is not None:
                await self._actions.snooze(event_id, due_at, snooze)
            elif kind is ActionKind.DISMISS and event_id is not None and due_at is not None:
                await self._actions.dismiss(event_id, due_at)
            elif kind is ActionKind.CONFIRM and event_id is not None:
                await self._actions.confirm(event_id)
        except Exception:
            # A failing action must not break the notification loop; the app reports its own errors.
            log.exception("notification action %s for event %s failed", kind, event_id)

    # ----- starting-now escalation -------------------------------------------------------------------

    def _acknowledge(self, event_id: int) -> None:
        escalation = self._escalations.pop(event_id, None)
        if escalation is not None:
            escalation.task.cancel()

    def _arm_escalation(self, event: StoredEvent) -> None:
        key = (event.id, event.start_time)
        if key in self._escalated or not self._policy.escalates(event) or event.start_time <= self._clock.now():
            return
        old = self._escalations.pop(event.id, None)
        if old is not None:
            old.task.cancel()
        task = asyncio.ensure_future(self._escalate_at_start(event))
        self._escalations[event.id] = _Escalation(event, task)

    async def _escalate_at_start(self, event: StoredEvent) -> None:
        while (left := (event.start_time - self._clock.now()).total_seconds()) > 0:
            await self._clock.sleep(min(left, 60.0))
        escalation = self._escalations.get(event.id)
        if escalation is None or escalation.task is not asyncio.current_task():
            return
        del self._escalations[event.id]
        now = self._clock.now()
        # Woken after the end (a suspend through the call): nothing is starting any more.
        if self._policy.dnd_active(now) or event.end_time <= now:
            return
        self._escalated.add((event.id, event.start_time))
        for key in [k for k, s in self._shown.items() if s.message.event_id == event.id]:
            # The window replaces the toast: one place to act, not two.
            del self._shown[key]
            await self._backend.withdraw(key)
        log.info("event %d starts unacknowledged: showing the Starting-now window", event.id)
        self._actions.show_starting_now(event)
