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
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticUseDefault

from klen_desktop.api.errors import MalformedResponse

_OTHER = "OTHER"


class _OpenEnum(StrEnum):
    """A string enum that keeps values it does not know (as pseudo-members named ``OTHER``) instead of failing.

    ``for x in EventType`` still lists only the known members; ``EventType("webinar").known`` is false.
    """

    @classmethod
    def _missing_(cls, value: object) -> _OpenEnum | None:
        if not isinstance(value, str) or not value or len(value) > _MAX_ENUM_TEXT:
            return None
        folded = value.strip().lower()
        for known in cls:
            if known.value == folded:  # "Scheduled" or " scheduled": the same status, written loosely
                return known
        member = str.__new__(cls, value)
        member._name_ = _OTHER
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != _OTHER


# A label longer than this is not a type or status a person could read; it is refused like any bad value.
_MAX_ENUM_TEXT = 64


class EventType(_OpenEnum):
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    BUSY = "busy"
    VOICE_CALL = "voice_call"
    VIDEO_CALL = "video_call"


class EventStatus(_OpenEnum):
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


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc), PlainSerializer(format_utc, return_type=str)]


def _default_if_unreadable(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    try:
        return handler(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise PydanticUseDefault() from None


_T = TypeVar("_T")
_ItemT = TypeVar("_ItemT", bound=BaseModel)
Lenient = Annotated[_T, WrapValidator(_default_if_unreadable)]
"""An optional field that falls back to its default when the server sends something unreadable in it."""


def _require_known(value: _OpenEnum) -> _OpenEnum:
    if not value.known:
        raise ValueError(f"{value.value!r} is not one of {', '.join(m.value for m in type(value))}")
    return value


KnownEventType = Annotated[EventType, AfterValidator(_require_known)]
KnownEventStatus = Annotated[EventStatus, AfterValidator(_require_known)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False, defer_build=True)


class Customer(_Model):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None


class AiAgent(_Model):
    id: int
    name: str | None = None
    assistant_id: str | None = None


class Team(_Model):
    id: int
    name: str | None = None


class ExternalCalendars(_Model):
    google: str | None = None
    outlook: str | None = None
    gohighlevel: str | None = None


# A reminder lead beyond a year is no reminder setting (10^10 minutes would not even fit a datetime): read as unset.
LeadMinutes = Annotated[int, Field(ge=0, le=366 * 24 * 60)]

# SQLite's INTEGER range: an id beyond it could not be stored (local, unsent events use negative ids).
_ID_RANGE = Field(ge=-(2**63), le=2**63 - 1)


class EventSummary(_Model):
    """An event as the list endpoint returns it (no description, reminder fields or notes)."""

    id: int = _ID_RANGE
    uuid: str
    title: str
    event_type: EventType
    status: EventStatus
    start_time: UtcDatetime
    end_time: UtcDatetime
    duration_minutes: Lenient[int | None] = None
    location: Lenient[str | None] = None
    has_video_conference: Lenient[bool] = False
    video_conference_url: Lenient[str | None] = None
    created_by_ai_agent: Lenient[bool] = False
    ai_agent: Lenient[AiAgent | None] = None
    customer: Lenient[Customer | None] = None


class EventDetail(EventSummary):
    """An event as the details endpoint returns it."""

    description: Lenient[str | None] = None
    event_type_display: Lenient[str | None] = None
    status_display: Lenient[str | None] = None
    video_conference_provider: Lenient[str | None] = None
    is_reminder_enabled: Lenient[bool] = True
    remind_before_minutes: Lenient[LeadMinutes | None] = None
    created_at: Lenient[UtcDatetime | None] = None
    updated_at: Lenient[UtcDatetime | None] = None
    team: Lenient[Team | None] = None
    external_calendars: Lenient[ExternalCalendars | None] = None
    ics_url: Lenient[str | None] = None


class RejectedItem(_Model):
    """One item of a server list that could not be read: where it was, its id when readable, and why."""

    index: int
    id: int | None
    reason: str


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "item"
        return f"field '{field}' " + ("is missing" if first["type"] == "missing" else f"is invalid ({first['msg']})")
    return f"{type(exc).__name__}: {exc}"[:200]


def _item_id(item: object) -> int | None:
    raw = item.get("id") if isinstance(item, Mapping) else None
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**63 else None


def split_items(
    model: type[_ItemT], items: object, check: Callable[[_ItemT], str | None] | None = None
) -> tuple[list[_ItemT], list[RejectedItem]]:
    """Validate each item of a server list on its own: the readable ones, and the others as :class:`RejectedItem`.

    ``check`` may refuse a readable item with a reason (a rule of this list rather than of the model).
    """
    if not isinstance(items, list | tuple):
        raise ValueError("must be a list")
    good: list[_ItemT] = []
    rejected: list[RejectedItem] = []
    for index, item in enumerate(items):
        try:
            value = model.model_validate(item)
            problem = None if check is None else check(value)
        except (ValidationError, ValueError, TypeError, OverflowError) as exc:
            problem = _unreadable(exc)
        if problem is None:
            good.append(value)
        else:
            rejected.append(RejectedItem(index=index, id=_item_id(item), reason=problem))
    return good, rejected


def _server_id(event: EventSummary) -> str | None:
    # Negative ids name the cache's own unsent events: a server event must not collide with one.
    return None if event.id > 0 else f"id {event.id} is not a positive number"


class EventPage(_Model):
    """One page of a listing. ``rejected`` is filled by the parser, never taken from the server."""

    count: int
    page: int
    limit: int
    pages: int
    events: tuple[EventSummary, ...]
    rejected: tuple[RejectedItem, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _keep_readable_events(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "events" not in data:
            return data
        good, rejected = split_items(EventSummary, data["events"], _server_id)
        return {**data, "events": tuple(good), "rejected": tuple(rejected)}


class WriteResult(_Model):
    """The short answer to create, update and cancel: not a whole event (read details for that)."""

    id: int
    uuid: str
    title: Lenient[str | None] = None
    start_time: Lenient[UtcDatetime | None] = None
    end_time: Lenient[UtcDatetime | None] = None
    status: Lenient[EventStatus | None] = None
    ics_url: Lenient[str | None] = None
    message: Lenient[str | None] = None


class AvailabilitySlot(_Model):
    start: UtcDatetime
    end: UtcDatetime
    duration_minutes: int


class Availability(_Model):
    user_id: Lenient[int | None] = None
    start_date: date
    end_date: date
    duration_minutes: int
    available_slots: tuple[AvailabilitySlot, ...]
    count: int
    rejected: tuple[RejectedItem, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _keep_readable_slots(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "available_slots" not in data:
            return data
        good, rejected = split_items(AvailabilitySlot, data["available_slots"])
        return {**data, "available_slots": tuple(good), "rejected": tuple(rejected)}


class _EventWrite(_Model):
    """What a client may write on an event, each field optional as a partial update takes it. Declared once for
    create, full update and partial update, so their fields, checks and JSON names cannot drift apart."""

    title: str | None = None
    start_time: UtcDatetime | None = None
    end_time: UtcDatetime | None = None
    description: str | None = None
    event_type: KnownEventType | None = None
    status: KnownEventStatus | None = None
    location: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_notes: str | None = None
    has_video_conference: bool | None = None
    video_conference_url: str | None = None
    video_conference_provider: str | None = None
    is_reminder_enabled: bool | None = None
    remind_before_minutes: int | None = Field(default=None, ge=0)
    ai_agent_id: int | None = None
    team_id: int | None = None
    sync_external_calendars: bool | None = None
    send_notifications: bool | None = None


class EventInput(_EventWrite):
    """The body of a create (POST) or a full update (PUT). ``None`` means "not sent"."""

    title: str
    start_time: UtcDatetime
    end_time: UtcDatetime
    # Only a create sets it (the docs leave it out of update), so a partial update has no such field.
    created_by_ai_agent: bool | None = None

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class EventPatch(_EventWrite):
    """The body of a partial update (PATCH): only the fields that were set are sent, ``None`` included."""

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_model(model: type[ModelT], data: object) -> ModelT:
    """Validate server data into ``model``; any problem becomes :class:`MalformedResponse` naming the field."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"Expected a JSON object for {model.__name__}, got {type(data).__name__}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        problem = "is missing" if first["type"] == "missing" else f"is invalid ({first['msg']})"
        raise MalformedResponse(
            f"The server's {model.__name__} field '{field}' {problem}.",
            field=field,
        ) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # pydantic lets a few of these through
        raise MalformedResponse(f"The server's {model.__name__} could not be read: {str(exc)[:200]}") from None
