"""Which call "Join the next call" opens: the one under way, else the soonest within 15 minutes, open and with a
link the app may open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_agenda_values import make_event

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.shortcuts_actions import next_call

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_the_next_call_is_the_running_or_the_soonest_open_one_with_a_web_link() -> None:
    def call(event_id: int, minutes_from_now: int, **extra: object) -> StoredEvent:
        extra.setdefault("video_url", f"https://meet.example/{event_id}")
        return make_event(
            event_id, NOW + timedelta(minutes=minutes_from_now), 30, event_type=EventType.VIDEO_CALL, **extra
        )  # type: ignore[arg-type]

    later = call(1, 14)
    assert next_call([later, call(2, 16)], NOW) == (later, "https://meet.example/1")
    running = call(3, -20)
    assert next_call([later, running], NOW) == (running, "https://meet.example/3")  # under way comes first
    assert next_call([call(4, -31)], NOW) is None  # over
    assert next_call([call(5, 16)], NOW) is None  # too far ahead
    assert next_call([call(6, 5, status=EventStatus.CANCELLED)], NOW) is None
    assert next_call([call(7, 5, video_url="javascript:alert(1)")], NOW) is None  # never opened
