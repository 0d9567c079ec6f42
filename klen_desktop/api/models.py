"""Typed values of the Klen Calendar API.

Responses are parsed into frozen models that ignore unknown fields (the server may add some) and fail with
:class:`MalformedResponse` naming the field when a required one is missing or of the wrong type. Datetimes
are timezone-aware UTC in every model and are sent as ISO 8601 with milliseconds and ``Z``, the form the
server itself uses. Inputs use the flat ``customer_*`` names the API expects; responses nest ``customer``.

Server data is read tolerantly, user input strictly:

* An ``event_type`` or ``status`` the app does not know (``"webinar"``, a new status) is kept as it is: it
  becomes a pseudo-member whose ``known`` is false, stored and shown by its raw value (a known value written
  with other case or spaces, ``"Confirmed "``, is the known member). Only input models
  (:class:`EventInput`, :class:`EventPatch`) refuse unknown values, so the app never sends one.
* Times must lie in :data:`PLAUSIBLE_START` .. :data:`PLAUSIBLE_END` (1970 to the end of 2200, UTC). A calendar
  event outside that range is a server bug, not a meeting; refusing it at the boundary keeps every stored
  time four-digit and fixed-width (see :mod:`klen_desktop.store.codec`).
* Optional fields a list or detail view may carry (location, customer, reminder settings, ...) fall back to
  their default when their value is unreadable: a bad phone number must not hide the meeting. Only the
  fields an event cannot be shown without (id, uuid, title, type, status, times) make the event unreadable.
* A page keeps the events it could read and lists the others in :attr:`EventPage.rejected`, so one bad event
  never fails the whole listing (the sync reports it and leaves its cached copy alone).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from klen_desktop.api.errors import MalformedResponse
from klen_desktop.api.model_base import ApiModel, spec
from klen_desktop.api.open_enum import OpenEnum
from klen_desktop.api.readers import (
    Unreadable,
    checked,
    choice,
    day,
    flag,
    integer,
    items,
    moment,
    optional,
    text,
)


class EventType(OpenEnum):
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    BUSY = "busy"
    VOICE_CALL = "voice_call"
    VIDEO_CALL = "video_call"


class EventStatus(OpenEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


CREATE_STATUSES = frozenset({EventStatus.SCHEDULED, EventStatus.CONFIRMED})

PLAUSIBLE_START = datetime(1970, 1, 1, tzinfo=UTC)
PLAUSIBLE_END = datetime(2201, 1, 1, tzinfo=UTC)
"""Times are accepted in ``[PLAUSIBLE_START, PLAUSIBLE_END)``; see the module docstring."""


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime has no time zone")
    utc = value.astimezone(UTC)
    if not PLAUSIBLE_START <= utc < PLAUSIBLE_END:
        raise ValueError(f"time {utc.isoformat()} is outside the years 1970 to 2200")
    return utc


def format_utc(value: datetime) -> str:
    """``2025-05-01T14:00:00.000Z``: the API's own datetime form, always with a four-digit year."""
    if value.tzinfo is None:
        raise ValueError("refusing to send a naive datetime")
    u = value.astimezone(UTC)
    # Not strftime: its %Y drops the leading zeros of years below 1000 on some C libraries.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}."
        f"{u.microsecond // 1000:03d}Z"
    )


_utc = checked(moment, _require_utc)


def _time(*, default: Any = ..., lenient: bool = False) -> Any:
    """A UTC time field, written as :func:`format_utc` writes it."""
    if default is ...:
        return spec(_utc, dump=format_utc)
    return spec(optional(_utc), default=default, lenient=lenient, dump=format_utc)


def _lenient(reader: Callable[[Any], Any], default: Any = None) -> Any:
    """An optional field that falls back to its default when the server sends something unreadable in it."""
    return spec(reader, default=default, lenient=True)


def _require_known(value: OpenEnum) -> OpenEnum:
    if not value.known:
        raise ValueError(f"{value.value!r} is not one of {', '.join(m.value for m in type(value))}")
    return value


_known_type = optional(checked(choice(EventType), _require_known))
_known_status = optional(checked(choice(EventStatus), _require_known))
_optional_text = optional(text)
_optional_flag = optional(flag)
_optional_int = optional(integer())


class Customer(ApiModel):
    name: str | None = spec(_optional_text, default=None)
    email: str | None = spec(_optional_text, default=None)
    phone: str | None = spec(_optional_text, default=None)
    notes: str | None = spec(_optional_text, default=None)


class AiAgent(ApiModel):
    id: int = spec(integer())
    name: str | None = spec(_optional_text, default=None)
    assistant_id: str | None = spec(_optional_text, default=None)


class Team(ApiModel):
    id: int = spec(integer())
    name: str | None = spec(_optional_text, default=None)


class ExternalCalendars(ApiModel):
    google: str | None = spec(_optional_text, default=None)
    outlook: str | None = spec(_optional_text, default=None)
    gohighlevel: str | None = spec(_optional_text, default=None)


# A reminder lead beyond a year is no reminder setting (10^10 minutes would not even fit a datetime): read as unset.
_lead_minutes = optional(integer(0, 366 * 24 * 60))

# SQLite's INTEGER range: an id beyond it could not be stored (local, unsent events use negative ids).
_event_id = integer(-(2**63), 2**63 - 1)


class EventSummary(ApiModel):
    """An event as the list endpoint returns it (no description, reminder fields or notes)."""

    id: int = spec(_event_id)
    uuid: str = spec(text)
    title: str = spec(text)
    event_type: EventType = spec(choice(EventType))
    status: EventStatus = spec(choice(EventStatus))
    start_time: datetime = _time()
    end_time: datetime = _time()
    duration_minutes: int | None = _lenient(_optional_int)
    location: str | None = _lenient(_optional_text)
    has_video_conference: bool = _lenient(flag, False)
    video_conference_url: str | None = _lenient(_optional_text)
    created_by_ai_agent: bool = _lenient(flag, False)
    ai_agent: AiAgent | None = _lenient(optional(AiAgent.model_validate))
    customer: Customer | None = _lenient(optional(Customer.model_validate))


class EventDetail(EventSummary):
    """An event as the details endpoint returns it."""

    description: str | None = _lenient(_optional_text)
    event_type_display: str | None = _lenient(_optional_text)
    status_display: str | None = _lenient(_optional_text)
    video_conference_provider: str | None = _lenient(_optional_text)
    is_reminder_enabled: bool = _lenient(flag, True)
    remind_before_minutes: int | None = _lenient(_lead_minutes)
    created_at: datetime | None = _time(default=None, lenient=True)
    updated_at: datetime | None = _time(default=None, lenient=True)
    team: Team | None = _lenient(optional(Team.model_validate))
    external_calendars: ExternalCalendars | None = _lenient(optional(ExternalCalendars.model_validate))
    ics_url: str | None = _lenient(_optional_text)


class RejectedItem(ApiModel):
    """One item of a server list that could not be read: where it was, its id when readable, and why."""

    index: int = spec(integer())
    id: int | None = spec(_optional_int)
    reason: str = spec(text)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, Unreadable):
        field = exc.field or "item"
        return f"field '{field}' " + ("is missing" if exc.missing else f"is invalid ({exc.reason})")
    return f"{type(exc).__name__}: {exc}"[:200]


def _item_id(item: object) -> int | None:
    raw = item.get("id") if isinstance(item, Mapping) else None
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**63 else None


_ItemT = TypeVar("_ItemT", bound=ApiModel)


def split_items(
    model: type[_ItemT], items: object, check: Callable[[_ItemT], str | None] | None = None
) -> tuple[list[_ItemT], list[RejectedItem]]:
    """Validate each item of a server list on its own: the readable ones, and the others as :class:`RejectedItem`.

    ``check`` may refuse a readable item with a reason (a rule of this list rather than of the model).
    """
    if not isinstance(items, list | tuple):
        raise Unreadable("should be a list")
    good: list[_ItemT] = []
    rejected: list[RejectedItem] = []
    for index, item in enumerate(items):
        try:
            value = model.model_validate(item)
            problem = None if check is None else check(value)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            problem = _unreadable(exc)
        if problem is None:
            good.append(value)
        else:
            rejected.append(RejectedItem(index=index, id=_item_id(item), reason=problem))
    return good, rejected


def _server_id(event: EventSummary) -> str | None:
    # Negative ids name the cache's own unsent events: a server event must not collide with one.
    return None if event.id > 0 else f"id {event.id} is not a positive number"


def _rejected_items(value: object) -> tuple[RejectedItem, ...]:
    # Filled by the listing's own step below; whatever the server put under this name is never read.
    return value if isinstance(value, tuple) else ()


def _kept(items_of: type[_ItemT]) -> Callable[[object], Any]:
    """A list field whose items were already split by the listing's ``_prepare`` (or are read here, all or nothing)."""
    read_all = items(items_of.model_validate)

    def read(value: object) -> tuple[_ItemT, ...]:
        if isinstance(value, tuple) and all(isinstance(item, items_of) for item in value):
            return value
        return read_all(value)

    return read


class EventPage(ApiModel):
    """One page of a listing. ``rejected`` is filled by the parser, never taken from the server."""

    count: int = spec(integer())
    page: int = spec(integer())
    limit: int = spec(integer())
    pages: int = spec(integer())
    events: tuple[EventSummary, ...] = spec(_kept(EventSummary))
    rejected: tuple[RejectedItem, ...] = spec(_rejected_items, default=())

    @classmethod
    def _prepare(cls, data: Mapping[str, object]) -> Mapping[str, object]:
        if "events" not in data:
            return {key: value for key, value in data.items() if key != "rejected"}
        good, rejected = split_items(EventSummary, data["events"], _server_id)
        return {**data, "events": tuple(good), "rejected": tuple(rejected)}


class WriteResult(ApiModel):
    """The short answer to create, update and cancel: not a whole event (read details for that)."""

    id: int = spec(integer())
    uuid: str = spec(text)
    title: str | None = _lenient(_optional_text)
    start_time: datetime | None = _time(default=None, lenient=True)
    end_time: datetime | None = _time(default=None, lenient=True)
    status: EventStatus | None = _lenient(optional(choice(EventStatus)))
    ics_url: str | None = _lenient(_optional_text)
    message: str | None = _lenient(_optional_text)


class AvailabilitySlot(ApiModel):
    start: datetime = _time()
    end: datetime = _time()
    duration_minutes: int = spec(integer())


class Availability(ApiModel):
    user_id: int | None = _lenient(_optional_int)
    start_date: date = spec(day)
    end_date: date = spec(day)
    duration_minutes: int = spec(integer())
    available_slots: tuple[AvailabilitySlot, ...] = spec(_kept(AvailabilitySlot))
    count: int = spec(integer())
    rejected: tuple[RejectedItem, ...] = spec(_rejected_items, default=())

    @classmethod
    def _prepare(cls, data: Mapping[str, object]) -> Mapping[str, object]:
        if "available_slots" not in data:
            return {key: value for key, value in data.items() if key != "rejected"}
        good, rejected = split_items(AvailabilitySlot, data["available_slots"])
        return {**data, "available_slots": tuple(good), "rejected": tuple(rejected)}


class _EventWrite(ApiModel):
    """What a client may write on an event, each field optional as a partial update takes it. Declared once for
    create, full update and partial update, so their fields, checks and JSON names cannot drift apart."""

    title: str | None = spec(_optional_text, default=None)
    start_time: datetime | None = _time(default=None)
    end_time: datetime | None = _time(default=None)
    description: str | None = spec(_optional_text, default=None)
    event_type: EventType | None = spec(_known_type, default=None)
    status: EventStatus | None = spec(_known_status, default=None)
    location: str | None = spec(_optional_text, default=None)
    customer_name: str | None = spec(_optional_text, default=None)
    customer_email: str | None = spec(_optional_text, default=None)
    customer_phone: str | None = spec(_optional_text, default=None)
    customer_notes: str | None = spec(_optional_text, default=None)
    has_video_conference: bool | None = spec(_optional_flag, default=None)
    video_conference_url: str | None = spec(_optional_text, default=None)
    video_conference_provider: str | None = spec(_optional_text, default=None)
    is_reminder_enabled: bool | None = spec(_optional_flag, default=None)
    remind_before_minutes: int | None = spec(optional(integer(0)), default=None)
    ai_agent_id: int | None = spec(_optional_int, default=None)
    team_id: int | None = spec(_optional_int, default=None)
    sync_external_calendars: bool | None = spec(_optional_flag, default=None)
    send_notifications: bool | None = spec(_optional_flag, default=None)


class EventInput(_EventWrite):
    """The body of a create (POST) or a full update (PUT). ``None`` means "not sent"."""

    title: str = spec(text)
    start_time: datetime = _time()
    end_time: datetime = _time()
    # Only a create sets it (the docs leave it out of update), so a partial update has no such field.
    created_by_ai_agent: bool | None = spec(_optional_flag, default=None)

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class EventPatch(_EventWrite):
    """The body of a partial update (PATCH): only the fields that were set are sent, ``None`` included."""

    @classmethod
    def _prepare_keeps_set(cls) -> bool:
        return True

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


ModelT = TypeVar("ModelT", bound=ApiModel)


def parse_model(model: type[ModelT], data: object) -> ModelT:
    """Validate server data into ``model``; any problem becomes :class:`MalformedResponse` naming the field."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"Expected a JSON object for {model.__name__}, got {type(data).__name__}.")
    try:
        return model.model_validate(data)
    except Unreadable as exc:
        field = exc.field or None
        problem = "is missing" if exc.missing else f"is invalid ({exc.reason})"
        raise MalformedResponse(
            f"The server's {model.__name__} field '{field}' {problem}.",
            field=field,
        ) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise MalformedResponse(f"The server's {model.__name__} could not be read: {str(exc)[:200]}") from None
