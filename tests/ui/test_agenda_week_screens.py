"""Screenshots of the Week and Day views over the emulator's demo calendar, light and dark, for a person to look at
(written only when ``KLEN_SCREENSHOTS=DIR`` is set). Run once more with ``QT_SCALE_FACTOR=2`` for the 200 % ones:
the window then opens at the size the app gives it on that screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot
from screenshot_support import grab_light_and_dark
from test_agenda_screens import fetch_demo_calendar
from test_agenda_values import make_event

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.emulator import EmulatorServer
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.toolbar import AgendaView


def extras(now: datetime) -> list[StoredEvent]:
    """What the demo calendar lacks: overlaps three deep, a cancelled and a pending event, a multi-day trip."""
    today = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    return [
        make_event(-1, tomorrow + timedelta(hours=9), 90, title="Quarterly planning with the whole team"),
        make_event(-2, tomorrow + timedelta(hours=9.5), 60, title="Call Ann back", event_type=EventType.VOICE_CALL),
        make_event(-3, tomorrow + timedelta(hours=10), 45, title="Site visit", customer={"name": "Bob Meyer"}),
        make_event(-4, tomorrow + timedelta(hours=13), 60, title="Cancelled lunch", status=EventStatus.CANCELLED),
        make_event(-5, tomorrow + timedelta(hours=15), 30, title="Waiting to sync", local_state=LocalState.PENDING),
        make_event(-6, today + timedelta(days=2, hours=18), 60 * 50, title="Trade fair", event_type=EventType.BUSY),
    ]


@pytest.mark.asyncio
async def test_screenshots_of_the_week_and_day_views(qtbot: QtBot, emulator: EmulatorServer, rw_key: str) -> None:
    emulator.admin.reset("demo")
    now = datetime.now(UTC)
    events = [*await fetch_demo_calendar(emulator, rw_key), *extras(now)]
    window = AgendaWindow()
    qtbot.addWidget(window)
    scale = window.devicePixelRatioF()
    if scale < 1.5:
        window.resize(1280, 760)
    window.set_events(events, now)
    window.set_view(AgendaView.WEEK)
    window.show_event(-2)
    suffix = "" if scale < 1.5 else f"-{round(scale * 100)}"
    written = grab_light_and_dark(qtbot, window, f"agenda-week{suffix}")
    window.set_view(AgendaView.DAY)
    window.toolbar.next_button.click()
    written += grab_light_and_dark(qtbot, window, f"agenda-day{suffix}")
    assert all(path.stat().st_size > 0 for path in written)
