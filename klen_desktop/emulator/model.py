"""The emulator's own event values (it never imports the client's models: they meet only over HTTP).

:class:`EventFields` holds everything a client can write, with the documented create defaults;
:class:`EventRow` adds what the server owns (id, uuid, timestamps, revision). The account's AI agents and
teams are a fixed directory: the docs' own examples (agent 42 "Meeting Scheduler", team 123) resolve, and
the demo seed links events to the named agents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from klen_desktop.emulator import decisions
from klen_desktop.records import record

EVENT_TYPES: Final = ("meeting", "appointment", "busy", "voice_call", "video_call")
STATUSES: Final = ("scheduled", "confirmed", "cancelled", "completed", "no_show")
CREATE_STATUSES: Final = ("scheduled", "confirmed")

EVENT_TYPE_DISPLAY: Final = {
    "meeting": "Meeting",
    "appointment": "Appointment",
    "busy": "Busy",
    "voice_call": "Voice Call",
    "video_call": "Video Call",
}
STATUS_DISPLAY: Final = {
    "scheduled": "Scheduled",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "completed": "Completed",
    "no_show": "No Show",
}


@record
class AiAgent:
    id: int
    name: str
    assistant_id: str


@record
class Team:
    id: int
    name: str


AI_AGENTS: Final[dict[int, AiAgent]] = {
    agent.id: agent
    for agent in (
        AiAgent(42, "Meeting Scheduler", "asst_01234567890"),
        AiAgent(7, "Booking Assistant", "asst_7bk2Qm4Lx9Pz"),
        AiAgent(12, "Sales Scheduler", "asst_12sLs8Vn3Rt6"),
        AiAgent(19, "Support Concierge", "asst_19cNc5Wd1Hy4"),
    )
}
TEAMS: Final[dict[int, Team]] = {
    team.id: team for team in (Team(123, "Sales Team"), Team(124, "Customer Success"), Team(125, "Engineering"))
}


@record
class EventFields:
    """Everything a client may write; the defaults are the documented create defaults.

    Times are aware UTC datetimes truncated to milliseconds (the precision the API answers with).
    ``external_*`` cannot be written over the API; only the seed and the admin set them.
    """

    title: str
    start_time: datetime
    end_time: datetime
    description: str | None = None
    event_type: str = "meeting"
    status: str = "scheduled"
    location: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_notes: str | None = None
    has_video_conference: bool = False
    video_conference_url: str | None = None
    video_conference_provider: str | None = None
    is_reminder_enabled: bool = True
    remind_before_minutes: int = decisions.DEFAULT_REMIND_BEFORE_MINUTES
    ai_agent_id: int | None = None
    team_id: int | None = None
    created_by_ai_agent: bool = False
    sync_external_calendars: bool = True
    send_notifications: bool = True
    external_google: str | None = None
    external_outlook: str | None = None
    external_gohighlevel: str | None = None


@record
class EventRow:
    """A stored event. ``sequence`` counts updates (the ICS ``SEQUENCE``)."""

    id: int
    uuid: str
    fields: EventFields
    created_at: datetime
    updated_at: datetime
    sequence: int = 0
