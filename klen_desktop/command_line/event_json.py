"""Events as the command line's JSON shows them: stable keys, UTC times in ISO 8601 with ``Z`` plus the same
moments in the user's zone (``start_local``), so a script never has to guess a zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from klen_desktop.store.events import StoredEvent


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_text(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def event_json(event: StoredEvent) -> dict[str, Any]:
    summary = event.summary
    customer = summary.customer
    return {
        "id": summary.id,
        "title": summary.title,
        "type": str(summary.event_type),
        "status": str(summary.status),
        "start": utc_text(summary.start_time),
        "end": utc_text(summary.end_time),
        "start_local": local_text(summary.start_time),
        "end_local": local_text(summary.end_time),
        "location": summary.location,
        "customer": (
            None if customer is None else {"name": customer.name, "email": customer.email, "phone": customer.phone}
        ),
        "video_url": summary.video_conference_url,
        "created_by_ai_agent": summary.created_by_ai_agent,
        # Not on the server yet (a queued create or change): the id of a queued create is negative.
        "pending": event.local_state is not None or event.is_local,
    }


def parse_utc(text: object) -> datetime | None:
    """A time from JSON written by :func:`utc_text` (or any ISO 8601 with a zone), else None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
