"""Typed values of the Klen Calendar API.

Responses are parsed into frozen models that ignore unknown fields (the server may add some) and fail with
:class:`MalformedResponse` naming the field when a required one is missing or of the wrong type. Datetimes
are timezone-aware UTC in every model and are sent as ISO 8601 with milliseconds and ``Z``, the form the
server itself uses. Inputs use the flat ``customer_*`` names the API expects; responses nest ``customer``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from klen_desktop.api.errors import MalformedResponse


class EventType(StrEnum):
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    BUSY = "busy"
    VOICE_CALL = "voice_call"
    VIDEO_CALL = "video_call"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


CREATE_STATUSES = frozenset({EventStatus.SCHEDULED, EventStatus.CONFIRMED})


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime has no time zone")
    return value.astimezone(UTC)


def format_utc(value: datetime) -> str:
    """``2025-05-01T14:00:00.000Z``: the API's own datetime form."""
    if value.tzinfo is None:
        raise ValueError("refusing to send a naive datetime")
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc), PlainSerializer(format_utc, return_type=str)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)


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


class EventSummary(_Model):
    """An event as the list endpoint returns it (no description, reminder fields or notes)."""

    id: int
    uuid: str
    title: str
    event_type: EventType
    status: EventStatus
    start_time: UtcDatetime
    end_time: UtcDatetime
    duration_minutes: int | None = None
    location: str | None = None
    has_video_conference: bool = False
    video_conference_url: str | None = None
    created_by_ai_agent: bool = False
    ai_agent: AiAgent | None = None
    customer: Customer | None = None


class EventDetail(EventSummary):
    """An event as the details endpoint returns it."""

    description: str | None = None
    event_type_display: str | None = None
    status_display: str | None = None
    video_conference_provider: str | None = None
    is_reminder_enabled: bool = True
    remind_before_minutes: int | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    team: Team | None = None
    external_calendars: ExternalCalendars | None = None
    ics_url: str | None = None


class EventPage(_Model):
    count: int
    page: int
    limit: int
    pages: int
    events: tuple[EventSummary, ...]


class WriteResult(_Model):
    """The short answer to create, update and cancel: not a whole event (read details for that)."""

    id: int
    uuid: str
    title: str | None = None
    start_time: UtcDatetime | None = None
    end_time: UtcDatetime | None = None
    status: EventStatus | None = None
    ics_url: str | None = None
    message: str | None = None


class AvailabilitySlot(_Model):
    start: UtcDatetime
    end: UtcDatetime
    duration_minutes: int


class Availability(_Model):
    user_id: int | None = None
    start_date: date
    end_date: date
    duration_minutes: int
    available_slots: tuple[AvailabilitySlot, ...]
    count: int


class EventInput(_Model):
    """The body of a create (POST) or a full update (PUT). ``None`` means "not sent"."""

    title: str
    start_time: UtcDatetime
    end_time: UtcDatetime
    description: str | None = None
    event_type: EventType | None = None
    status: EventStatus | None = None
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
    created_by_ai_agent: bool | None = None
    sync_external_calendars: bool | None = None
    send_notifications: bool | None = None

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class EventPatch(_Model):
    """The body of a partial update (PATCH): only the fields that were set are sent, ``None`` included."""

    title: str | None = None
    start_time: UtcDatetime | None = None
    end_time: UtcDatetime | None = None
    description: str | None = None
    event_type: EventType | None = None
    status: EventStatus | None = None
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
