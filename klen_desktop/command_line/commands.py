"""What each command does, on one calendar: the same code whether the running app answers (over its socket)
or the command line runs on a core of its own. It returns data (JSON-ready), never text: :mod:`.output` words it.

Reads (``next``, ``agenda``) come from the cache. Writes (``add``, ``status``, ``cancel``) go through the calendar
session's rules and the outbox, then wait a bounded time to hear from the server: sent (exit 0), refused (exit 1
with the server's words), or kept to be sent later (exit 4). ``free`` and ``sync`` need the server (exit 5 when it
cannot be reached).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from klen_desktop.api.errors import ConnectionFailed, KlenError
from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.command_line.event_json import event_json
from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.json_times import parse_utc, utc_text
from klen_desktop.command_line.protocol import Answer, Request
from klen_desktop.drafts import EventDraft
from klen_desktop.event_rules import is_open
from klen_desktop.i18n import N_, _
from klen_desktop.records import record
from klen_desktop.session.outcomes import Queued, SaveOutcome, SaveState, WriteRefused
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import StoredEvent
from klen_desktop.sync.status import SyncPhase

if TYPE_CHECKING:
    from klen_desktop.session.calendar import CalendarSession

log = logging.getLogger(__name__)

UPCOMING = 5
MAX_AGENDA_DAYS = 62
STATUS_CHOICES = ("confirmed", "completed", "no_show", "scheduled")
QUEUED_MESSAGE = N_(
    "Klen has not taken it yet (offline, or the request limit shared with sync is used up for this minute); "
    "it is sent as soon as it can be."
)


class CommandFailed(Exception):
    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@record
class Calendar:
    """What the commands run on. ``session`` is None for a read of the cache alone (``next`` without the app);
    ``settle`` waits for a queued write to reach the server (or not) and says how it went."""

    events_between: Callable[[datetime, datetime], Awaitable[list[StoredEvent]]]
    event: Callable[[int], Awaitable[StoredEvent | None]]
    now: Callable[[], datetime]
    demo: bool
    source: str  # "app": the running app answered; "cache": the command line read the cache itself
    synced_at: datetime | None = None
    session: CalendarSession | None = None
    settle: Callable[[int], Awaitable[SaveOutcome]] | None = None
    send_queued: Callable[[], Awaitable[None]] | None = None
    # Syncs now; True when a complete sync ended within the command's time (default: one sync, awaited).
    sync: Callable[[], Awaitable[bool]] | None = None
    # Told of every write queued here (the running app reloads its windows and withdraws reminders).
    on_queued: Callable[[Queued], None] | None = None
    default_reminder: int = 15


def _base(calendar: Calendar) -> dict[str, Any]:
    return {
        "source": calendar.source,
        "demo": calendar.demo,
        "now": utc_text(calendar.now()),
        "synced_at": utc_text(calendar.synced_at) if calendar.synced_at else None,
    }


def _today_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone().date(), time()).astimezone()


async def next_event(calendar: Calendar) -> dict[str, Any]:
    now = calendar.now()
    events = await calendar.events_between(now - timedelta(days=1), now + timedelta(days=31))
    ahead = [e for e in events if is_open(e.status) and e.end_time > now]
    ahead.sort(key=lambda e: (e.start_time > now, e.start_time, e.id))  # one under way comes first
    today_end = _today_start(now) + timedelta(days=1)
    upcoming = [event_json(e) for e in ahead[1 : 1 + UPCOMING] if e.start_time < today_end]
    return {**_base(calendar), "event": event_json(ahead[0]) if ahead else None, "upcoming": upcoming}


async def agenda(calendar: Calendar, days: int, everything: bool) -> dict[str, Any]:
    if not 1 <= days <= MAX_AGENDA_DAYS:
        raise CommandFailed(Exit.USAGE, _("--days goes from 1 to {n}.").format(n=MAX_AGENDA_DAYS))
    start = _today_start(calendar.now())
    end = start + timedelta(days=days)
    events = await calendar.events_between(start, end)
    shown = [e for e in events if everything or e.status is not EventStatus.CANCELLED]
    return {**_base(calendar), "from": utc_text(start), "to": utc_text(end), "events": [event_json(e) for e in shown]}


def _session(calendar: Calendar) -> CalendarSession:
    if calendar.session is None:
        raise CommandFailed(Exit.ERROR, _("This command needs the calendar service, which was not started."))
    return calendar.session


async def _settled(calendar: Calendar, queued: Queued, event_id: int | None) -> dict[str, Any]:
    assert calendar.settle is not None
    if calendar.on_queued is not None:
        calendar.on_queued(queued)
    outcome = await calendar.settle(queued.seq)
    if outcome.state is SaveState.REFUSED:
        raise CommandFailed(
            Exit.ERROR,
            _("The server refused the change: {reason}").format(reason=outcome.message or _("no reason given")),
        )
    stored = await calendar.event(event_id) if event_id is not None else None
    data = {**_base(calendar), "state": str(outcome.state), "event": event_json(stored) if stored else None}
    if outcome.state is SaveState.QUEUED:
        data["message"] = outcome.message or _(QUEUED_MESSAGE)
    return data


def _draft(args: dict[str, Any], default_reminder: int) -> EventDraft:
    start, end = parse_utc(args.get("start")), parse_utc(args.get("end"))
    if start is None or end is None:
        raise CommandFailed(Exit.USAGE, _("The event needs a start and an end (ISO 8601 with a zone)."))
    try:
        kind = EventType(str(args.get("type", "meeting")))
    except ValueError:
        raise CommandFailed(Exit.USAGE, f"Unknown event type {args.get('type')!r}.") from None
    text = {name: str(args.get(name) or "") for name in ("title", "customer_name", "location", "video_provider")}
    return EventDraft(
        title=text["title"],
        start=start,
        end=end,
        event_type=kind,
        customer_name=text["customer_name"],
        location=text["location"],
        has_video_conference=kind is EventType.VIDEO_CALL,
        video_conference_provider=text["video_provider"] if kind is EventType.VIDEO_CALL else "",
        remind_before_minutes=default_reminder,
    )


async def add(calendar: Calendar, args: dict[str, Any]) -> dict[str, Any]:
    session = _session(calendar)
    queued = await session.save(_draft(args, calendar.default_reminder))
    created = -queued.seq
    data = await _settled(calendar, queued, created)
    if data["state"] == str(SaveState.SENT):
        entry = await session.core.outbox_entry(queued.seq)
        if entry is not None and entry.event_id is not None:
            stored = await calendar.event(entry.event_id)
            data["event"] = event_json(stored) if stored else data["event"]
    return data


async def _known(calendar: Calendar, args: dict[str, Any]) -> StoredEvent:
    event_id = args.get("id")
    if not isinstance(event_id, int):
        raise CommandFailed(Exit.USAGE, _("An event id is a number (see `klen-desktop agenda`)."))
    stored = await calendar.event(event_id)
    if stored is None:
        raise CommandFailed(
            Exit.NOT_FOUND, _("No event {id} in the calendar (see `klen-desktop agenda`).").format(id=event_id)
        )
    return stored


async def change_status(calendar: Calendar, args: dict[str, Any]) -> dict[str, Any]:
    stored = await _known(calendar, args)
    if args.get("status") not in STATUS_CHOICES:
        raise CommandFailed(Exit.USAGE, _("The status is one of {choices}.").format(choices=", ".join(STATUS_CHOICES)))
    status = EventStatus(str(args["status"]))
    if stored.status is status:
        raise CommandFailed(Exit.ERROR, f"Event {stored.id} is already {status.value}.")
    queued = await _session(calendar).change_status(stored.id, status, stored)
    return await _settled(calendar, queued, stored.id)


async def cancel(calendar: Calendar, args: dict[str, Any]) -> dict[str, Any]:
    stored = await _known(calendar, args)
    if stored.status is EventStatus.CANCELLED:
        raise CommandFailed(Exit.ERROR, _("Event {id} is already cancelled.").format(id=stored.id))
    queued = await _session(calendar).cancel(stored.id, str(args.get("reason") or ""))
    return await _settled(calendar, queued, stored.id)


async def free(calendar: Calendar, args: dict[str, Any]) -> dict[str, Any]:
    duration = args.get("duration")
    if not isinstance(duration, int) or not 1 <= duration <= 180:
        raise CommandFailed(Exit.USAGE, _("--duration goes from 1 to 180 minutes."))
    now = calendar.now()
    try:
        day = date.fromisoformat(str(args["date"])) if args.get("date") else now.astimezone().date()
    except ValueError:
        raise CommandFailed(Exit.USAGE, _("--date is a day as YYYY-MM-DD.")) from None
    found = await _session(calendar).find_slots(day, day, duration)
    slots = [slot for slot in found.available_slots if slot.start >= now and slot.start.astimezone().date() == day]
    return {
        **_base(calendar),
        "date": day.isoformat(),
        "duration_minutes": duration,
        "slots": [{"start": utc_text(s.start), "end": utc_text(s.end)} for s in sorted(slots, key=lambda s: s.start)],
    }


async def sync(calendar: Calendar) -> dict[str, Any]:
    session = _session(calendar)
    if calendar.sync is not None:
        finished = await calendar.sync()
    else:
        await session.sync_once()
        finished = True
    if calendar.send_queued is not None:
        await calendar.send_queued()
    status = session.status
    if not finished and status.phase in (SyncPhase.OFFLINE, SyncPhase.SERVER_ERROR):
        raise CommandFailed(Exit.OFFLINE, status.last_error or _("Klen cannot be reached."))
    data = _base(calendar)
    data["state"] = "done" if finished else "started"
    data["synced_at"] = utc_text(status.last_success) if status.last_success else None
    data["pending_changes"] = len(await session.outbox_entries())
    return data


async def run(request: Request, calendar: Calendar) -> Answer:
    """Run ``request`` on ``calendar``; every failure becomes an answer with its exit code and one sentence."""
    args = request.args
    try:
        if request.command == "next":
            data = await next_event(calendar)
        elif request.command == "agenda":
            data = await agenda(calendar, int(args.get("days", 7)), bool(args.get("all", False)))
        elif request.command == "add":
            data = await add(calendar, args)
        elif request.command == "status":
            data = await change_status(calendar, args)
        elif request.command == "cancel":
            data = await cancel(calendar, args)
        elif request.command == "free":
            data = await free(calendar, args)
        else:
            data = await sync(calendar)
    except CommandFailed as exc:
        return Answer(exc.code, error=exc.message)
    except WriteRefused as exc:
        return Answer(Exit.ERROR, error=exc.message)
    except ConnectionFailed as exc:
        return Answer(Exit.OFFLINE, error=f"{exc.title}: {exc.message}")
    except KlenError as exc:
        return Answer(Exit.ERROR, error=f"{exc.title}: {exc.message}")
    except DatabaseClosed:
        return Answer(Exit.ERROR, error=_("Klen Desktop is closing; try again in a moment."))
    except (TypeError, ValueError) as exc:
        return Answer(Exit.USAGE, error=_("The request was not understood: {error}").format(error=exc))
    return Answer(Exit.QUEUED if data.get("state") == str(SaveState.QUEUED) else Exit.OK, data)
