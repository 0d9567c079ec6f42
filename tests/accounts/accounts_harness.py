"""What accounts stories share besides fixtures: how an account's session is built, and the type of
``make_sessions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fast_sync import FAST_SYNC

from klen_desktop.api.models import EventSummary
from klen_desktop.core import CoreServices
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.connection import Connection, core_config
from klen_desktop.settings import Preferences
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda.rows import Facts

MakeSessions = Callable[..., Any]


def build_session(connection: Connection, cache: Path) -> CalendarSession:
    """An account's session as the app builds it, with fast sync and no kernel clock watch."""
    config = replace(core_config(connection, Preferences(), cache), sync=FAST_SYNC, kernel_clock_signal=False)
    return CalendarSession(CoreServices(config), probe_access=False)


async def no_demo() -> Connection:
    raise AssertionError("no account of this story is the demo")


def facts(event_id: int, account: str) -> Facts:
    """An agenda row's facts of a one-hour meeting ``event_id`` of ``account``."""
    start = datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(hours=event_id)
    summary = EventSummary.model_validate(
        {
            "id": event_id,
            "uuid": f"00000000-0000-0000-0000-{event_id:012d}",
            "title": f"Event {event_id}",
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
            "status": "scheduled",
            "event_type": "meeting",
        }
    )
    made = Facts(StoredEvent(summary, None, None, None))
    made.account = account
    return made
