"""Which reminders are due: pure functions of the time, the cached events and the reminder log.

A reminder is due at ``start_time - remind_before_minutes`` for a scheduled or confirmed event whose
reminder is enabled. Reminder settings only come with details; for an event whose details were never
fetched the caller's default lead time applies (and the reminder counts as enabled), so an event synced
from the list alone still reminds. A snoozed reminder is due again at its ``snoozed_until``.

Missed reminders are sorted by whether their event is still worth a reminder:

* the event has not ended: the reminder fires once, marked ``late`` if it is more than ``late_after``
  overdue (after sleep, a clock jump or a late start);
* the event has ended: it is reported in one :class:`MissedSummary` rather than replayed one by one, but
  only if it fell due after ``missed_since`` (the scheduler's last check), so a first start or a poll that
  brings in last week's events never produces a summary of old news.

A reminder already due when the app first knew it (its event created here or first seen from the server, its
reminder set, its event moved or reopened after that time) was never missed, so it is never "late" and never in
a summary: it fires once as an ordinary reminder while its event is still ahead, and is dropped once the event
has started. While the app runs this is decided by ``known``, the reminders the previous plan already held;
at the first plan of a run, which has no previous plan, by the last check ``missed_since``, so whatever fell
due while the app was not running is still late. A create still waiting for the server's answer holds such a
reminder back: a create the server refuses never reminds.

"Missed" holds only while the event has ended. If the clock goes back to before its end (a clock that was a
day ahead for a minute, corrected by NTP), the reminder is owed again and fires when due: a wrong clock must
not silently cost the user the rest of the day's reminders. Fired, dismissed and dropped stay final.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta

from klen_desktop.event_rules import is_open
from klen_desktop.records import record
from klen_desktop.store.events import LOCAL_NEEDS_USER, StoredEvent
from klen_desktop.store.reminder_log import LogEntry, LogKey, ReminderState

DEFAULT_REMIND_MINUTES = 15
DEFAULT_LATE_AFTER = timedelta(seconds=60)
_MAX_LEAD_MINUTES = 366 * 24 * 60
# How far ahead a plan looks at events whose details (and so their own lead time) were never fetched: far beyond
# the scheduler's longest sleep, so every such reminder is planned long before it comes due, while a 10,000-event
# calendar's plan holds the next two days rather than every reminder of the next five weeks.
PLAN_AHEAD = timedelta(days=2)
_DONE_STATES = frozenset({ReminderState.FIRED, ReminderState.DISMISSED, ReminderState.MISSED, ReminderState.DROPPED})


def reminder_due_at(event: StoredEvent, default_minutes: int = DEFAULT_REMIND_MINUTES) -> datetime | None:
    """When the event's reminder is due, or ``None`` if it has none.

    ``None`` for an event that is not scheduled or confirmed, or whose cached details disable reminders.
    The lead time is the details' ``remind_before_minutes``; ``default_minutes`` is used when the details
    leave it unset or were never fetched. Start time and status come from the newest summary.
    """
    if not is_open(event.status):
        return None
    minutes = default_minutes
    detail = event.detail
    if detail is not None:
        if not detail.is_reminder_enabled:
            return None
        if detail.remind_before_minutes is not None:
            minutes = detail.remind_before_minutes
    # The lead comes from the server: one past what any reminder means is held to a year, so neither the
    # timedelta nor the date arithmetic can overflow and stop every reminder.
    lead = timedelta(minutes=min(max(0, minutes), _MAX_LEAD_MINUTES))
    try:
        return event.start_time - lead
    except OverflowError:  # an event within a year of 1 January, year 1
        return None


@record(slots=True)
class Reminder:
    """One reminder to show. ``due_at`` identifies it (pass it to snooze and dismiss); ``fire_at`` is when
    it is shown: ``due_at``, or the end of a snooze."""

    event: StoredEvent
    due_at: datetime
    fire_at: datetime
    late: bool = False
    snoozed: bool = False

    @property
    def event_id(self) -> int:
        return self.event.id

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def start_time(self) -> datetime:
        return self.event.start_time

    @property
    def key(self) -> LogKey:
        return (self.event.id, self.due_at)


@record
class MissedSummary:
    """Reminders whose events ended before they could be shown, reported together. Soonest first."""

    reminders: tuple[Reminder, ...]

    @property
    def count(self) -> int:
        return len(self.reminders)

    @property
    def events(self) -> tuple[StoredEvent, ...]:
        return tuple(r.event for r in self.reminders)


@record
class DuePlan:
    """What to do at one instant. Every tuple is ordered by ``fire_at``, then event id."""

    fire: tuple[Reminder, ...]  # due now, events not ended: show each once (``late`` marks the overdue)
    missed: tuple[Reminder, ...]  # never shown, events ended since the last check: one summary
    expired: tuple[Reminder, ...]  # snoozed, but the event ended meanwhile: close silently
    pending: tuple[Reminder, ...]  # not due yet
    # Came due before the app knew them (the event was booked or its reminder set after its due time) and the
    # event has started since: not late news, not worth showing; recorded so they are not planned again.
    stale: tuple[Reminder, ...] = ()
    # The reminders this plan knew before they came due: pass them as ``known`` to the next plan.
    known: frozenset[KnownKey] = frozenset()
    # Events without details starting after this were left out of the plan (see ``plan_until``): pass it as
    # ``known_until`` to the next plan.
    known_until: datetime | None = None

    @property
    def next_due(self) -> datetime | None:
        return self.pending[0].fire_at if self.pending else None

    @property
    def on_time(self) -> tuple[Reminder, ...]:
        return tuple(r for r in self.fire if not r.late)

    @property
    def late(self) -> tuple[Reminder, ...]:
        return tuple(r for r in self.fire if r.late)


KnownKey = int
"""A reminder's :data:`LogKey` packed into one integer: a plan of a 10,000-event calendar holds thousands of them
between steps, and a tuple of an id and a datetime costs six times the memory of an int."""

_MS_SPAN = 1 << 44  # milliseconds from 1970 to past 2500: the packed time never reaches into the id's bits


def known_key(key: LogKey) -> KnownKey:
    event_id, due_at = key
    return event_id * _MS_SPAN + (round(due_at.timestamp() * 1000) % _MS_SPAN)


def _order(reminder: Reminder) -> tuple[datetime, int]:
    return (reminder.fire_at, reminder.event_id)


def due_reminders(
    now: datetime,
    events: Iterable[StoredEvent],
    log: Mapping[LogKey, LogEntry],
    *,
    default_minutes: int = DEFAULT_REMIND_MINUTES,
    missed_since: datetime | None = None,
    late_after: timedelta = DEFAULT_LATE_AFTER,
    known: Collection[KnownKey] | None = None,
    plan_until: datetime | None = None,
    known_until: datetime | None = None,
) -> DuePlan:
    """Sort every reminder of ``events`` into fire now, missed, expired, pending or stale (see the module doc).

    ``log`` holds what was already done, keyed by ``(event_id, due_at)``; fired, dismissed, missed and
    dropped reminders are left out. ``known`` is the previous plan's :attr:`DuePlan.known` (``None`` at the
    first plan of a run); a due reminder not in it was unknown until now. ``missed_since`` is the last instant
    the reminders were checked (None: no reminder is reported as missed); at the first plan a reminder due before
    it counts as unknown. An unknown reminder fires once, on time and not "late", while its event is ahead (a
    queued create's waits for the server's answer), and is stale once the event has started. A create the server
    refused has no reminder.

    ``plan_until`` leaves out events without details that start after it (their reminder is due at a fixed lead
    before their start, far ahead); the next plan gets it back as ``known_until``: a reminder of such an event
    was left out, not unknown, so after a long suspend it is late or missed like any other.
    """
    fire: list[Reminder] = []
    missed: list[Reminder] = []
    expired: list[Reminder] = []
    pending: list[Reminder] = []
    stale: list[Reminder] = []
    seen: set[KnownKey] = set()
    # A check "in the future" means the clock was set back: nothing is known about what came before, so nothing
    # is taken for unknown.
    checked = missed_since if missed_since is not None and missed_since <= now else None
    for event in events:
        if event.is_local and event.local_state in LOCAL_NEEDS_USER:
            continue
        if plan_until is not None and event.detail is None and event.start_time > plan_until:
            continue
        due_at = reminder_due_at(event, default_minutes)
        if due_at is None:
            continue
        entry = log.get((event.id, due_at))
        owed_again = entry is not None and _owed_again(entry, event, now)
        if entry is not None and entry.state in _DONE_STATES and not owed_again:
            continue
        fire_at, snoozed = due_at, False
        if entry is not None and entry.state is ReminderState.SNOOZED and entry.snoozed_until is not None:
            fire_at, snoozed = entry.snoozed_until, True
        reminder = Reminder(event=event, due_at=due_at, fire_at=fire_at, snoozed=snoozed)
        if fire_at > now:
            if event.end_time > now:
                pending.append(reminder)
                seen.add(known_key(reminder.key))
            elif snoozed:
                expired.append(reminder)
            continue
        if not snoozed and not owed_again and not _was_known(reminder, known, checked, known_until):
            if event.start_time <= now:
                if event.end_time > now:
                    stale.append(reminder)
            elif not event.is_local:
                fire.append(reminder)
            continue
        seen.add(known_key(reminder.key))
        if event.end_time > now:
            fire.append(_with_lateness(reminder, now, late_after))
        elif snoozed:
            expired.append(reminder)
        elif missed_since is not None and (known is not None or fire_at > missed_since):
            missed.append(reminder)
    return DuePlan(
        fire=tuple(sorted(fire, key=_order)),
        missed=tuple(sorted(missed, key=_order)),
        expired=tuple(sorted(expired, key=_order)),
        pending=tuple(sorted(pending, key=_order)),
        stale=tuple(sorted(stale, key=_order)),
        known=frozenset(seen),
        known_until=plan_until,
    )


def _was_known(
    reminder: Reminder, known: Collection[KnownKey] | None, checked: datetime | None, known_until: datetime | None
) -> bool:
    """Whether the app knew the reminder before it came due (else it was not missed, only learnt of late)."""
    if known is not None:
        event = reminder.event
        beyond_plan = known_until is not None and event.detail is None and event.start_time > known_until
        return beyond_plan or known_key(reminder.key) in known
    return checked is None or reminder.fire_at > checked


def _owed_again(entry: LogEntry, event: StoredEvent, now: datetime) -> bool:
    """A reminder counted as missed whose event, by the clock as it reads now, has not ended."""
    return entry.state is ReminderState.MISSED and event.end_time > now


def _with_lateness(reminder: Reminder, now: datetime, late_after: timedelta) -> Reminder:
    if now - reminder.fire_at <= late_after:
        return reminder
    return Reminder(
        event=reminder.event, due_at=reminder.due_at, fire_at=reminder.fire_at, late=True, snoozed=reminder.snoozed
    )
