"""Apply a queued write to a cached event, and tell whether a server copy conflicts with it. Pure functions.

The outbox shows a write in the cache before the server has it (optimistic), and reconciles with the server's
answer afterwards; both use :func:`apply_payload`. Request bodies use the API's flat input names
(``customer_name``, ``ai_agent_id``); events nest them (``customer.name``, ``ai_agent.id``). ``_PATHS`` is
the one place that maps one onto the other.

Conflict rule (:func:`conflicting_fields`), chosen because PATCH only overwrites the fields it sends: an edit
conflicts with the server copy when, for a field the edit sets, the server's value is neither the value the
edit was based on nor the value the edit wants (someone else changed that same field meanwhile). Changes the
server made to fields the edit does not touch survive a PATCH, so they are not a conflict, with one
exception: an event cancelled on the server since the edit was made is a conflict for any edit that does not
itself set the status (editing a meeting someone else called off deserves a question). Fields the base copy
does not have (a list view lacks ``description`` and the reminder settings) cannot be compared and never
conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from klen_desktop.api.models import EventDetail, EventInput, EventStatus, EventSummary, format_utc, parse_model

_PATHS: dict[str, tuple[str, ...]] = {
    "customer_name": ("customer", "name"),
    "customer_email": ("customer", "email"),
    "customer_phone": ("customer", "phone"),
    "customer_notes": ("customer", "notes"),
    "ai_agent_id": ("ai_agent", "id"),
    "team_id": ("team", "id"),
}
# Input-only switches: never stored on an event, never compared.
_INPUT_ONLY = frozenset({"sync_external_calendars", "send_notifications", "created_by_ai_agent"})
_CREATE_DEFAULTS: dict[str, Any] = {
    "event_type": "meeting",
    "status": "scheduled",
    "has_video_conference": False,
    "is_reminder_enabled": True,
    "remind_before_minutes": 60,
}


def _path(key: str) -> tuple[str, ...]:
    return _PATHS.get(key, (key,))


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    """(present, value) of a nested key; a missing parent object means "present, None"."""
    value: Any = data
    for index, part in enumerate(path):
        if not isinstance(value, Mapping):
            return True, None
        if part not in value:
            # A nested field of an absent object (no customer at all) reads as None; a missing top-level
            # key means the copy's type does not have the field.
            return index > 0, None
        value = value[part]
    return True, value


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    if value is None and len(path) > 1:
        if path[-1] == "id":
            # Unlinking an agent or team removes the whole object: an agent without an id is no agent.
            data[path[0]] = None
            return
        if not isinstance(data.get(path[0]), dict):
            return  # clearing a field of an object that does not exist changes nothing
    target = data
    for part in path[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    target[path[-1]] = value


def _duration(data: Mapping[str, Any]) -> int | None:
    try:
        start = datetime.fromisoformat(str(data["start_time"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(data["end_time"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return int((end - start).total_seconds() // 60)


def apply_payload(event: EventSummary, payload: Mapping[str, Any]) -> EventDetail:
    """``event`` (a list view or details) with a write's ``payload`` applied, as details."""
    data: dict[str, Any] = event.model_dump(mode="json")
    for key, value in payload.items():
        if key in _INPUT_ONLY or key == "reason":
            continue
        _set(data, _path(key), value)
    if "start_time" in payload or "end_time" in payload:
        data["duration_minutes"] = _duration(data)
    return parse_model(EventDetail, data)


def detail_from_input(event_id: int, uuid: str, payload: Mapping[str, Any]) -> EventDetail:
    """The event a create body describes, with the API's create defaults, under the given id and uuid."""
    parse_model(EventInput, payload)  # refuse a body the server would refuse for shape, before inventing an event
    data: dict[str, Any] = {"id": event_id, "uuid": uuid, **_CREATE_DEFAULTS}
    for key, value in payload.items():
        if key in _INPUT_ONLY or value is None:
            continue
        _set(data, _path(key), value)
    data["duration_minutes"] = _duration(data)
    return parse_model(EventDetail, data)


def with_write_result(
    detail: EventDetail, *, title: str | None, start: datetime | None, end: datetime | None, status: EventStatus | None
) -> EventDetail:
    """``detail`` corrected by the fields a write's answer carries (the server's word wins)."""
    updates: dict[str, Any] = {}
    if title is not None:
        updates["title"] = title
    if start is not None:
        updates["start_time"] = format_utc(start)
    if end is not None:
        updates["end_time"] = format_utc(end)
    if status is not None:
        updates["status"] = status.value
    return apply_payload(detail, updates) if updates else detail


def conflicting_fields(base: Mapping[str, Any], server: EventSummary, payload: Mapping[str, Any]) -> frozenset[str]:
    """Payload keys the server changed since ``base`` (a JSON dump of the copy the edit was made on).

    Empty means the edit can be sent without overwriting anyone's change. See the module docstring.
    """
    server_data = server.model_dump(mode="json")
    conflicts: set[str] = set()
    for key, wanted in payload.items():
        if key in _INPUT_ONLY or key == "reason":
            continue
        path = _path(key)
        base_has, base_value = _get(base, path)
        if not base_has:
            continue
        _, server_value = _get(server_data, path)
        if server_value != base_value and server_value != wanted:
            conflicts.add(key)
    cancelled = EventStatus.CANCELLED.value
    if "status" not in payload and server_data.get("status") == cancelled and base.get("status") != cancelled:
        conflicts.add("status")
    return frozenset(conflicts)
