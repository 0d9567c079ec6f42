"""Events as the command line's JSON shows them: stable keys, UTC times in ISO 8601 with ``Z`` plus the same
moments in the user's zone (``start_local``), so a script never has to guess a zone."""

from __future__ import annotations

from typing import Any

from klen_desktop.command_line.json_times import local_text, utc_text
from klen_desktop.store.events import StoredEvent


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
