"""JSON shapes of the emulated API: list summary (contract 2.1), details (2.2) and the short write answers.

``customer`` is null until any customer field or notes is set, then an object with every key (decision
6.20); ``ai_agent`` and ``team`` are null unless linked; ``external_calendars`` is null unless the event has
an id in at least one external calendar. Datetimes are ``2025-05-01T14:00:00.000Z``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from klen_desktop.emulator import decisions
from klen_desktop.emulator.model import AI_AGENTS, EVENT_TYPE_DISPLAY, STATUS_DISPLAY, TEAMS, EventFields, EventRow


def format_time(value: datetime) -> str:
    """The API's datetime form: UTC, milliseconds, ``Z``."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def ics_url(uuid: str) -> str:
    return decisions.ICS_PATH_TEMPLATE.format(uuid=uuid)


def duration_minutes(fields: EventFields) -> int:
    return int((fields.end_time - fields.start_time).total_seconds() // 60)


def _has_customer(f: EventFields) -> bool:
    return any(v is not None for v in (f.customer_name, f.customer_email, f.customer_phone, f.customer_notes))


def _ai_agent(f: EventFields) -> dict[str, Any] | None:
    if f.ai_agent_id is None:
        return None
    agent = AI_AGENTS.get(f.ai_agent_id)
    if agent is None:
        return {"id": f.ai_agent_id, "name": None, "assistant_id": None}
    return {"id": agent.id, "name": agent.name, "assistant_id": agent.assistant_id}


def summary(row: EventRow) -> dict[str, Any]:
    """An item of the list endpoint."""
    f = row.fields
    customer = (
        {"name": f.customer_name, "email": f.customer_email, "phone": f.customer_phone} if _has_customer(f) else None
    )
    return {
        "id": row.id,
        "uuid": row.uuid,
        "title": f.title,
        "event_type": f.event_type,
        "status": f.status,
        "start_time": format_time(f.start_time),
        "end_time": format_time(f.end_time),
        "duration_minutes": duration_minutes(f),
        "location": f.location,
        "has_video_conference": f.has_video_conference,
        "video_conference_url": f.video_conference_url,
        "created_by_ai_agent": f.created_by_ai_agent,
        "ai_agent": _ai_agent(f),
        "customer": customer,
    }


def detail(row: EventRow) -> dict[str, Any]:
    """The details endpoint's event."""
    f = row.fields
    customer = (
        {"name": f.customer_name, "email": f.customer_email, "phone": f.customer_phone, "notes": f.customer_notes}
        if _has_customer(f)
        else None
    )
    team = TEAMS.get(f.team_id) if f.team_id is not None else None
    externals = {"google": f.external_google, "outlook": f.external_outlook, "gohighlevel": f.external_gohighlevel}
    return {
        "id": row.id,
        "uuid": row.uuid,
        "title": f.title,
        "description": f.description,
        "event_type": f.event_type,
        "event_type_display": EVENT_TYPE_DISPLAY[f.event_type],
        "status": f.status,
        "status_display": STATUS_DISPLAY[f.status],
        "start_time": format_time(f.start_time),
        "end_time": format_time(f.end_time),
        "duration_minutes": duration_minutes(f),
        "location": f.location,
        "has_video_conference": f.has_video_conference,
        "video_conference_url": f.video_conference_url,
        "video_conference_provider": f.video_conference_provider,
        "created_by_ai_agent": f.created_by_ai_agent,
        "is_reminder_enabled": f.is_reminder_enabled,
        "remind_before_minutes": f.remind_before_minutes,
        "created_at": format_time(row.created_at),
        "updated_at": format_time(row.updated_at),
        "customer": customer,
        "ai_agent": _ai_agent(f),
        "team": {"id": team.id, "name": team.name} if team is not None else None,
        "external_calendars": externals if any(v is not None for v in externals.values()) else None,
        "ics_url": ics_url(row.uuid),
    }


def _write_answer(row: EventRow, message: str) -> dict[str, Any]:
    """The short answer of create and update: the event's key fields and a message, not the whole event."""
    f = row.fields
    return {
        "id": row.id,
        "uuid": row.uuid,
        "title": f.title,
        "start_time": format_time(f.start_time),
        "end_time": format_time(f.end_time),
        "status": f.status,
        "message": message,
    }


def created(row: EventRow) -> dict[str, Any]:
    """The create answer: a partial event with ``ics_url``."""
    return {**_write_answer(row, "Event created successfully"), "ics_url": ics_url(row.uuid)}


def updated(row: EventRow) -> dict[str, Any]:
    """The update answer (PUT and PATCH)."""
    return _write_answer(row, "Event updated successfully")


def cancelled(row: EventRow) -> dict[str, Any]:
    """The cancel answer."""
    return {"id": row.id, "uuid": row.uuid, "status": row.fields.status, "message": "Event cancelled successfully"}
