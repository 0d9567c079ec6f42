"""What the notifications' buttons and the app's own reminder windows do, as the app wires it. No Qt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from klen_desktop.records import record
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.store.events import StoredEvent


@record
class NotificationActions:
    """What the notifications' buttons do; the app wires these, tests capture them.

    ``open_url`` only ever receives absolute http(s) links. ``snooze`` and ``dismiss`` go to the reminder
    scheduler, ``confirm`` patches the event's status to confirmed (through the outbox in the app).
    """

    open_url: Callable[[str], None]
    open_event: Callable[[int], None]
    open_agenda: Callable[[], None]
    snooze: Callable[[int, datetime, SnoozeChoice], Awaitable[object]]
    dismiss: Callable[[int, datetime], Awaitable[object]]
    confirm: Callable[[int], Awaitable[object]]
    show_fallback: Callable[[Reminder], None]
    show_starting_now: Callable[[StoredEvent], None]
    tray_message: Callable[[str, str], None]
    close_windows: Callable[[int], None] = lambda _event_id: None
    """Close our own reminder or Starting-now window about an event that was cancelled, moved or deleted."""
