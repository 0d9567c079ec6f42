"""Which notifications are shown, held or merged: preferences, bursts, Do not disturb, once-only problems.

:class:`NotificationPolicy` is pure state (no I/O, no clock): the notification center asks it what to show and
tells it what happened. Rules, in the order they apply to a sync's change set:

* only changes made elsewhere (``Origin.REMOTE``) are news; the user's own edits are never echoed back;
* one notification per event and sync: the first notifiable change in the diff's kind order (a new event that
  was also confirmed is told as new);
* kinds switched off in :class:`NotifyPreferences` are dropped;
* more than ``burst_threshold`` changes in one sync become one summary that opens the agenda;
* while Do not disturb is on everything is held; when it ends the held changes and the reminders that fell
  due meanwhile are told in one summary.

Write-queue problems are reported once per ``(seq, state, error_code)``: the outbox retries, the user hears
about a problem once, and again only if it becomes a different problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from klen_desktop.api.models import EventType
from klen_desktop.event_rules import is_open
from klen_desktop.notify.do_not_disturb import DoNotDisturb
from klen_desktop.notify.messages import (
    CHANGE_KINDS,
    Message,
    NotifyKind,
    change_message,
)
from klen_desktop.notify.summaries import burst_message, dnd_summary_message
from klen_desktop.records import record
from klen_desktop.reminders.due import Reminder
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry, OutboxState
from klen_desktop.sync.diff import ChangeSet, Origin

DEFAULT_ESCALATE_TYPES = frozenset({EventType.VIDEO_CALL, EventType.APPOINTMENT})


@record(slots=True)
class NotifyPreferences:
    """What the user wants to hear about (Settings). Every kind is on by default.

    ``escalate_types``: event types whose unacknowledged reminder escalates to the Starting-now window at
    start time (video calls and appointments by default; ``busy`` blocks never, unless added here).
    """

    kinds: frozenset[NotifyKind] = frozenset(NotifyKind)
    escalate_types: frozenset[EventType] = DEFAULT_ESCALATE_TYPES
    burst_threshold: int = 3

    def allows(self, kind: NotifyKind) -> bool:
        return kind in self.kinds

    def without(self, *kinds: NotifyKind) -> NotifyPreferences:
        return NotifyPreferences(self.kinds - frozenset(kinds), self.escalate_types, self.burst_threshold)


@dataclass
class _Held:
    messages: list[Message] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)


class NotificationPolicy:
    """Decides what to show; see the module docstring. Not thread-safe: used from the event loop only."""

    def __init__(self, preferences: NotifyPreferences | None = None, dnd: DoNotDisturb | None = None) -> None:
        """``dnd``: the app's Do not disturb, shared with what sets it (a private one when None)."""
        self._prefs = preferences or NotifyPreferences()
        self._dnd = dnd or DoNotDisturb()
        self._held = _Held()
        self._reported: set[tuple[int, OutboxState, str | None]] = set()

    @property
    def preferences(self) -> NotifyPreferences:
        return self._prefs

    def set_preferences(self, preferences: NotifyPreferences) -> None:
        self._prefs = preferences

    # ----- changes -----------------------------------------------------------------------------------

    def change_messages(
        self, changes: ChangeSet, tz: tzinfo | None = None, reasons: Mapping[int, str] | None = None
    ) -> list[Message]:
        """One message per event changed elsewhere, kinds the user turned off left out, bursts not merged.

        ``reasons`` maps event ids to cancel reasons read from details.
        """
        seen: set[int] = set()
        messages: list[Message] = []
        for change in changes:
            if change.origin is not Origin.REMOTE or change.event_id in seen:
                continue
            message = change_message(change, tz, reason=(reasons or {}).get(change.event_id))
            if message is None:
                continue
            seen.add(change.event_id)
            if self._prefs.allows(message.kind):
                messages.append(message)
        return messages

    def merge_burst(self, messages: list[Message]) -> list[Message]:
        """``messages`` as they are, or one summary when there are more than the burst threshold."""
        if len(messages) <= self._prefs.burst_threshold:
            return messages
        if not self._prefs.allows(NotifyKind.CHANGES_SUMMARY):
            return []
        return [burst_message(messages)]

    # ----- reminders and escalation ------------------------------------------------------------------

    def allows(self, kind: NotifyKind) -> bool:
        return self._prefs.allows(kind)

    def escalates(self, event: StoredEvent) -> bool:
        """Whether an unacknowledged reminder for ``event`` becomes the Starting-now window at its start."""
        return event.summary.event_type in self._prefs.escalate_types and is_open(event.status)

    # ----- write problems ----------------------------------------------------------------------------

    def first_report(self, entry: OutboxEntry) -> bool:
        """True the first time this problem (seq, state, error code) is seen and it needs the user."""
        if entry.state not in NEEDS_USER:
            return False
        key = (entry.seq, entry.state, entry.error_code)
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    # ----- do not disturb ----------------------------------------------------------------------------

    def set_dnd(self, until: datetime | None) -> None:
        """Turn Do not disturb on until ``until`` (``None``: until :meth:`end_dnd`)."""
        self._dnd.hold_until(until)

    @property
    def dnd_until(self) -> datetime | None:
        return self._dnd.until

    def dnd_active(self, now: datetime) -> bool:
        return self._dnd.active(now)

    def dnd_expired(self, now: datetime) -> bool:
        """True when Do not disturb was set with an end time that has passed (it still needs ending)."""
        return self._dnd.expired(now)

    def hold(self, message: Message) -> None:
        self._held.messages.append(message)

    def hold_reminder(self, reminder: Reminder) -> None:
        self._held.reminders.append(reminder)

    def forget_held(self, event_id: int) -> None:
        """Drop held news about an event that is gone or moved: the summary should not tell stale news."""
        self._held.reminders = [r for r in self._held.reminders if r.event_id != event_id]

    def end_dnd(self, tz: tzinfo | None = None) -> Message | None:
        """Turn Do not disturb off; the summary of what was held, or ``None`` when nothing was."""
        held, self._held = self._held, _Held()
        self._dnd.stop()
        if not held.messages and not held.reminders:
            return None
        if not self._prefs.allows(NotifyKind.DND_SUMMARY):
            return None
        changes = [m for m in held.messages if m.kind in CHANGE_KINDS or m.kind is NotifyKind.CHANGES_SUMMARY]
        other = [m for m in held.messages if m not in changes]
        summary = dnd_summary_message(changes, held.reminders, tz)
        if other:
            body = summary.body + "\n" + "\n".join(m.title for m in other)
            summary = Message(
                kind=summary.kind, title=summary.title, body=body, buttons=summary.buttons, click=summary.click
            )
        return summary
