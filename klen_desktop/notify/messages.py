"""What each notification says: pure builders from changes, reminders and write problems to :class:`Message`.

Nothing here talks to a notification server or reads the clock; times are shown in ``tz`` (the user's local
zone when ``None``). Every string that came from the server is kept as plain text here; escaping for a server
that interprets markup is the backend's job, because only it knows the server's capabilities.

A :class:`Message` names its buttons by :class:`ActionKind` and carries what those actions need (event id,
reminder due time, join link), so the notification center can act on a press without looking anything up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from enum import StrEnum

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.date_texts import clock, moment_range
from klen_desktop.i18n import _, ngettext
from klen_desktop.labels import TYPE_LABELS, clip
from klen_desktop.links import web_link
from klen_desktop.records import record
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.snooze import SNOOZE_MINUTES, UNTIL_START, SnoozeChoice
from klen_desktop.store.events import StoredEvent
from klen_desktop.sync.diff import Change, ChangeKind

APP_NAME = "Klen Desktop"

# Notification servers cut or refuse long texts, each in its own way; ours arrive already short. The full text
# is one click away (Open).
TITLE_LIMIT = 100
LINE_LIMIT = 160
CARD_TITLE_LIMIT = 200  # our own reminder window wraps the title: a few lines at most


class NotifyKind(StrEnum):
    """Every kind of notification; preferences switch them on and off one by one."""

    REMINDER = "reminder"
    NEW_EVENT = "new_event"
    CONFIRMED = "confirmed"
    MOVED = "moved"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CHANGES_SUMMARY = "changes_summary"
    MISSED = "missed"
    WRITE_PROBLEM = "write_problem"
    DND_SUMMARY = "dnd_summary"


# Kinds that describe one event's change from the server, in the order a summary of a burst of them names them.
CHANGE_ORDER = (
    NotifyKind.NEW_EVENT,
    NotifyKind.CONFIRMED,
    NotifyKind.MOVED,
    NotifyKind.CANCELLED,
    NotifyKind.COMPLETED,
    NotifyKind.NO_SHOW,
)
CHANGE_KINDS = frozenset(CHANGE_ORDER)


class ActionKind(StrEnum):
    JOIN = "join"
    SNOOZE = "snooze"
    OPEN = "open"
    CONFIRM = "confirm"
    OPEN_AGENDA = "agenda"
    DISMISS = "dismiss"
    CARD = "card"  # the app's own reminder card, with every choice a server had no room for


@record(slots=True)
class Button:
    """One action on a notification. ``snooze`` is set for SNOOZE buttons only."""

    kind: ActionKind
    label: str
    snooze: SnoozeChoice | None = None

    @property
    def key(self) -> str:
        """A stable identifier for the notification server (``snooze:10``, ``join``...)."""
        return self.kind.value if self.snooze is None else f"{self.kind.value}:{self.snooze}"


@record(slots=True)
class Message:
    """One notification, ready to send. ``click`` is what a click on the body does (``None``: nothing)."""

    kind: NotifyKind
    title: str
    body: str
    buttons: tuple[Button, ...] = ()
    click: ActionKind | None = None
    event_id: int | None = None
    due_at: datetime | None = None
    join_url: str | None = None
    # Critical urgency: red and never expiring on most servers. No notification of ours is that: the one alert
    # that must stay (an unacknowledged call at its start) is the app's own Starting-now window.
    urgent: bool = False

    def button(self, key: str) -> Button | None:
        return next((b for b in self.buttons if b.key == key), None)


@record(slots=True)
class ReminderContent:
    """What our own reminder and Starting-now windows show (they render values, they do not format them)."""

    event_id: int
    due_at: datetime | None
    title: str
    when: str
    details: tuple[str, ...]
    late: bool
    join_url: str | None


def time_range(start: datetime, end: datetime, tz: tzinfo | None = None) -> str:
    """``Tue 24 Nov, 14:30–15:00`` in ``tz`` (local time when ``None``); the end's day is added when it differs."""
    return moment_range(start.astimezone(tz), end.astimezone(tz))


def _who(event: EventSummary) -> str | None:
    """``Customer: Ada Byron`` or the location: what tells the user where or with whom."""
    if event.location:
        return clip(_("Location: {location}").format(location=event.location), LINE_LIMIT)
    return _customer_line(event)


def _customer_line(event: EventSummary) -> str | None:
    if event.customer is not None and event.customer.name:
        return clip(_("Customer: {name}").format(name=event.customer.name), LINE_LIMIT)
    return None


def _event_lines(event: EventSummary, tz: tzinfo | None) -> list[str]:
    lines = [f"{time_range(event.start_time, event.end_time, tz)} · {TYPE_LABELS[event.event_type]}"]
    who = _who(event)
    if who:
        lines.append(who)
    return lines


def reminder_content(reminder: Reminder, tz: tzinfo | None = None) -> ReminderContent:
    event = reminder.event.summary
    details = [TYPE_LABELS[event.event_type]]
    if event.location:
        details.append(clip(_("Location: {location}").format(location=event.location), LINE_LIMIT))
    customer = _customer_line(event)
    if customer:
        details.append(customer)
    return ReminderContent(
        event_id=event.id,
        due_at=reminder.due_at,
        title=clip(event.title, CARD_TITLE_LIMIT),
        when=time_range(event.start_time, event.end_time, tz),
        details=tuple(details),
        late=reminder.late,
        join_url=web_link(event.video_conference_url),
    )


def starting_now_content(event: StoredEvent, tz: tzinfo | None = None) -> ReminderContent:
    summary = event.summary
    details = [TYPE_LABELS[summary.event_type]]
    who = _who(summary)
    if who:
        details.append(who)
    return ReminderContent(
        event_id=summary.id,
        due_at=None,
        title=clip(summary.title, CARD_TITLE_LIMIT),
        when=time_range(summary.start_time, summary.end_time, tz),
        details=tuple(details),
        late=False,
        join_url=web_link(summary.video_conference_url),
    )


def with_account(message: Message, account: str) -> Message:
    """``message`` with the name of its event's account before its text (unchanged for "": one account)."""
    if not account:
        return message
    return replace(message, body=f"{clip(account, LINE_LIMIT)}\n{message.body}" if message.body else account)


def snooze_buttons() -> tuple[Button, ...]:
    minutes = tuple(
        Button(ActionKind.SNOOZE, ngettext("Snooze {n} min", "Snooze {n} min", m).format(n=m), m)
        for m in SNOOZE_MINUTES
    )
    return (*minutes, Button(ActionKind.SNOOZE, _("Snooze until start"), UNTIL_START))


def reminder_message(reminder: Reminder, tz: tzinfo | None = None) -> Message:
    """Title, time range, type, location or customer; Join (http(s) link only), Snooze choices, Open.

    Buttons come most useful first, so a platform that shows only a few keeps Join, the first Snooze and Open.
    """
    event = reminder.event.summary
    url = web_link(event.video_conference_url)
    lines = _event_lines(event, tz)
    if reminder.late:
        lines.insert(0, _("Late reminder: it was due at {time}.").format(time=clock(reminder.due_at.astimezone(tz))))
    snoozes = snooze_buttons()
    buttons: list[Button] = []
    if url:
        buttons.append(Button(ActionKind.JOIN, _("Join")))
    buttons.append(snoozes[0])
    buttons.append(Button(ActionKind.OPEN, _("Open")))
    buttons.extend(snoozes[1:])
    title = clip(_("Late: {title}").format(title=event.title) if reminder.late else event.title, TITLE_LIMIT)
    return Message(
        kind=NotifyKind.REMINDER,
        title=title,
        body="\n".join(lines),
        buttons=tuple(buttons),
        click=ActionKind.OPEN,
        event_id=event.id,
        due_at=reminder.due_at,
        join_url=url,
    )


def notes_reason(old: str | None, new: str | None) -> str | None:
    """The reason a cancel appended to the customer notes (the API adds it on a new line), if any.

    ``old`` is the notes as last seen (``None`` when unknown); with unknown or empty old notes the last line
    is taken, since that is where the reason goes.
    """
    if not new or new == old:
        return None
    if old and new.startswith(old + "\n"):
        tail = new[len(old) + 1 :].strip()
        return tail.splitlines()[-1].strip() if tail else None
    if old and old.strip():
        return None  # edited in some other way: not a reason we can tell apart
    return new.strip().splitlines()[-1].strip() or None


def cancel_reason(change: Change) -> str | None:
    """The cancel reason visible in the change's own copies (only details carry notes; lists do not)."""
    new = change.event.customer.notes if change.event.customer is not None else None
    old = change.previous.customer.notes if change.previous and change.previous.customer is not None else None
    return notes_reason(old, new)


def _booked_by(event: EventSummary) -> str | None:
    """``Booked by Ava for Ada Byron`` for an agent's booking; None for any other (the customer has a line)."""
    if not (event.created_by_ai_agent or event.ai_agent is not None):
        return None
    agent = event.ai_agent.name if event.ai_agent is not None and event.ai_agent.name else None
    customer = event.customer.name if event.customer is not None and event.customer.name else None
    if agent and customer:
        return _("Booked by {agent} for {customer}").format(agent=agent, customer=customer)
    if agent:
        return _("Booked by {agent}").format(agent=agent)
    if customer:
        return _("Booked by an AI agent for {customer}").format(customer=customer)
    return _("Booked by an AI agent")


_STATUS_KINDS = {
    EventStatus.CONFIRMED: NotifyKind.CONFIRMED,
    EventStatus.COMPLETED: NotifyKind.COMPLETED,
    EventStatus.NO_SHOW: NotifyKind.NO_SHOW,
}


def change_kind(change: Change) -> NotifyKind | None:
    """The notification kind a server change calls for, or ``None`` (small edits, deletions)."""
    if change.kind is ChangeKind.CREATED:
        return NotifyKind.NEW_EVENT
    if change.kind is ChangeKind.MOVED:
        return NotifyKind.MOVED
    if change.kind is ChangeKind.CANCELLED:
        return NotifyKind.CANCELLED
    if change.kind is ChangeKind.STATUS_CHANGED:
        return _STATUS_KINDS.get(change.new_status)
    return None


def change_message(change: Change, tz: tzinfo | None = None, *, reason: str | None = None) -> Message | None:
    """The notification for one change from the server, or ``None`` when it is not news worth one.

    ``reason``: a cancel reason found elsewhere (in the details); otherwise it is looked for in the change.
    """
    kind = change_kind(change)
    if kind is None:
        return None
    event = change.event
    lines = _event_lines(event, tz)
    buttons: tuple[Button, ...] = (Button(ActionKind.OPEN, _("Open")),)
    if kind is NotifyKind.NEW_EVENT:
        title = clip(_("New: {title}").format(title=event.title), TITLE_LIMIT)
        booked = _booked_by(event)
        if booked:
            # The agent's line names the customer: a "Customer:" line would say it twice.
            lines = [line for line in lines if line != _customer_line(event)]
            lines.append(clip(booked, LINE_LIMIT))
        if event.status is EventStatus.SCHEDULED:
            buttons = (Button(ActionKind.CONFIRM, _("Confirm")), *buttons)
    elif kind is NotifyKind.MOVED:
        title = clip(_("Moved: {title}").format(title=event.title), TITLE_LIMIT)
        old_start, old_end = change.old_start, change.old_end
        assert old_start is not None and old_end is not None  # MOVED always has the previous copy
        lines[0] = _("Now {time}").format(time=time_range(event.start_time, event.end_time, tz))
        lines.insert(1, _("Was {time}").format(time=time_range(old_start, old_end, tz)))
    elif kind is NotifyKind.CANCELLED:
        title = clip(_("Cancelled: {title}").format(title=event.title), TITLE_LIMIT)
        reason = reason or cancel_reason(change)
        if reason:
            lines.append(clip(_("Reason: {reason}").format(reason=reason), LINE_LIMIT))
    elif kind is NotifyKind.CONFIRMED:
        title = clip(_("Confirmed: {title}").format(title=event.title), TITLE_LIMIT)
    elif kind is NotifyKind.COMPLETED:
        title = clip(_("Completed: {title}").format(title=event.title), TITLE_LIMIT)
    else:
        title = clip(_("No-show: {title}").format(title=event.title), TITLE_LIMIT)
    return Message(
        kind=kind, title=title, body="\n".join(lines), buttons=buttons, click=ActionKind.OPEN, event_id=event.id
    )
