"""Request validation of the emulated API, independent of any client code.

Writes are checked in a fixed order so the first problem reported is predictable: required fields
(``missing_parameter``), then each field in the documented field order (type, format, allowed values), then
the cross-field rule end > start (``validation_error``). Unknown body keys are ignored (decision 6.10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, Final

from klen_desktop.emulator import decisions
from klen_desktop.emulator.errors import (
    invalid_datetime,
    invalid_parameter,
    missing_parameter,
    validation_error,
)
from klen_desktop.emulator.model import AI_AGENTS, CREATE_STATUSES, EVENT_TYPES, STATUSES, TEAMS, EventFields

REQUIRED: Final = ("title", "start_time", "end_time")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Writable fields of create/update (created_by_ai_agent is create-only; see UPDATE_IGNORED).
_TEXT_FIELDS: Final = (
    "description",
    "location",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_notes",
    "video_conference_url",
    "video_conference_provider",
)
_BOOL_FIELDS: Final = (
    "has_video_conference",
    "is_reminder_enabled",
    "created_by_ai_agent",
    "sync_external_calendars",
    "send_notifications",
)
#: Fields the update endpoint does not take (the docs leave ``created_by_ai_agent`` out of update).
UPDATE_IGNORED: Final = frozenset({"created_by_ai_agent"})
_DEFAULTS: Final = {f.name: f.default for f in dataclass_fields(EventFields) if f.name not in REQUIRED}


def parse_json_object(raw: bytes, *, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}`` when ``allow_empty``."""
    if allow_empty and not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise validation_error("Request body must be a JSON object") from None
    if not isinstance(data, dict):
        raise validation_error("Request body must be a JSON object")
    return data


def parse_datetime(value: object, field: str) -> datetime:
    """An ISO 8601 datetime with an offset or ``Z``, normalised to UTC and cut to milliseconds."""
    if not isinstance(value, str):
        raise invalid_datetime(field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid_datetime(field) from None
    # A naive time would be guessed in some zone; refusing it keeps every stored time unambiguous (6.19).
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise invalid_datetime(field)
    utc = parsed.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def parse_date(value: str) -> date:
    """A ``YYYY-MM-DD`` query date; anything else is ``invalid_parameter_format``."""
    text = value.strip()
    if not _DATE.match(text):
        raise invalid_parameter()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid_parameter() from None


def parse_positive_int(name: str, value: str | None, default: int) -> int:
    """A query integer of 1 or more (``page``, ``limit``); 400 ``invalid_parameter_format`` otherwise."""
    if value is None or value == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise invalid_parameter(f"Invalid {name}: expected an integer of 1 or more") from None
    # The upper bound only keeps SQLite's 64-bit OFFSET from overflowing; no real page gets near it.
    if not 1 <= number <= 2**31:
        raise invalid_parameter(f"Invalid {name}: expected an integer of 1 or more")
    return number


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise validation_error(f"{name} must be a string")
    if len(value) > decisions.MAX_TEXT_LENGTH:
        raise validation_error(f"{name} must be at most {decisions.MAX_TEXT_LENGTH} characters")
    if value == "":
        return None
    if name == "customer_email" and not _EMAIL.match(value):
        raise validation_error("customer_email is not a valid email address")
    if name == "customer_phone" and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 5):
        raise validation_error("customer_phone is not a valid phone number (E.164 such as +15551234567)")
    if name == "video_conference_url" and not value.startswith(("https://", "http://")):
        raise validation_error("video_conference_url must be an http(s) URL")
    return value


def _bool(name: str, value: object) -> bool:
    if value is None:
        return bool(_DEFAULTS[name])
    if not isinstance(value, bool):
        raise validation_error(f"{name} must be a boolean")
    return value


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation_error(f"{name} must be an integer")
    return value


def _remind(value: object) -> int:
    if value is None:
        return decisions.DEFAULT_REMIND_BEFORE_MINUTES
    minutes = _integer("remind_before_minutes", value)
    low, high = decisions.REMIND_BEFORE_RANGE
    if not low <= minutes <= high:
        raise validation_error(f"remind_before_minutes must be between {low} and {high}")
    return minutes


def _agent(value: object) -> int | None:
    if value is None:
        return None
    agent_id = _integer("ai_agent_id", value)
    if agent_id not in AI_AGENTS:
        raise validation_error(f"Unknown ai_agent_id {agent_id}: no AI agent with that id in this account")
    return agent_id


def _team(value: object) -> int | None:
    if value is None:
        return None
    team_id = _integer("team_id", value)
    if team_id not in TEAMS:
        raise validation_error(f"Unknown team_id {team_id}: no team with that id in this account")
    return team_id


def _title(value: object) -> str:
    if not isinstance(value, str):
        raise validation_error("title must be a string")
    if not value.strip():
        raise missing_parameter("title")
    if len(value) > decisions.MAX_TITLE_LENGTH:
        raise validation_error(f"title must be at most {decisions.MAX_TITLE_LENGTH} characters")
    return value


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value is None:
            return str(_DEFAULTS[name])
        if not isinstance(value, str) or value not in allowed:
            raise validation_error(f"Invalid {name} {value!r}. Allowed values: {', '.join(allowed)}")
        return value

    return check


def _converters(statuses: tuple[str, ...]) -> dict[str, Callable[[object], object]]:
    """Field name -> converter, in the documented field order (this order decides which error comes first)."""
    conv: dict[str, Callable[[object], object]] = {
        "title": _title,
        "start_time": lambda v: parse_datetime(v, "start_time"),
        "end_time": lambda v: parse_datetime(v, "end_time"),
        "description": lambda v: _text("description", v),
        "event_type": _choice("event_type", EVENT_TYPES),
        "status": _choice("status", statuses),
    }
    for name in _TEXT_FIELDS[1:]:
        conv[name] = partial(_text, name)
    for name in _BOOL_FIELDS:
        conv[name] = partial(_bool, name)
    conv["remind_before_minutes"] = _remind
    conv["ai_agent_id"] = _agent
    conv["team_id"] = _team
    return conv


def _convert(body: Mapping[str, Any], statuses: tuple[str, ...], skip: frozenset[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, convert in _converters(statuses).items():
        if name in body and name not in skip:
            out[name] = convert(body[name])
    return out


def _check_order(start: datetime, end: datetime) -> None:
    if end <= start:
        raise validation_error("end_time must be after start_time")


def _require(body: Mapping[str, Any]) -> None:
    for name in REQUIRED:
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise missing_parameter(name)


def parse_create(body: Mapping[str, Any]) -> EventFields:
    """Fields of a new event; omitted fields take the documented create defaults."""
    _require(body)
    values = _convert(body, CREATE_STATUSES, frozenset())
    fields = EventFields(**values)  # type: ignore[arg-type]
    _check_order(fields.start_time, fields.end_time)
    return fields


def parse_any_status(body: Mapping[str, Any]) -> EventFields:
    """Like :func:`parse_create` but every status is allowed (admin inserts, seeding)."""
    _require(body)
    values = _convert(body, STATUSES, frozenset())
    fields = EventFields(**values)  # type: ignore[arg-type]
    _check_order(fields.start_time, fields.end_time)
    return fields


def parse_put(body: Mapping[str, Any], current: EventFields) -> EventFields:
    """A full update (6.9): title and times required, every other writable field back to its create default.

    What a client cannot write (``created_by_ai_agent``, external calendar ids) is kept.
    """
    _require(body)
    values = _convert(body, STATUSES, UPDATE_IGNORED)
    fields = EventFields(**values)  # type: ignore[arg-type]
    fields = replace(
        fields,
        created_by_ai_agent=current.created_by_ai_agent,
        external_google=current.external_google,
        external_outlook=current.external_outlook,
        external_gohighlevel=current.external_gohighlevel,
    )
    _check_order(fields.start_time, fields.end_time)
    return fields


def parse_patch(body: Mapping[str, Any], current: EventFields) -> EventFields:
    """A partial update: only the keys sent change. ``null`` resets an optional field to its create default;
    ``null`` for title or a time is rejected, as those can never be empty."""
    for name in REQUIRED:
        if name in body and body[name] is None:
            raise validation_error(f"{name} cannot be null")
    values = _convert(body, STATUSES, UPDATE_IGNORED)
    updated = replace(current, **values)  # type: ignore[arg-type]
    _check_order(updated.start_time, updated.end_time)
    return updated


def parse_cancel_reason(body: Mapping[str, Any]) -> str | None:
    """The optional cancel ``reason``, stripped; blank means none."""
    reason = body.get("reason")
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise validation_error("reason must be a string")
    if len(reason) > decisions.MAX_TEXT_LENGTH:
        raise validation_error(f"reason must be at most {decisions.MAX_TEXT_LENGTH} characters")
    return reason.strip() or None
