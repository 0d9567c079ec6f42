"""The agenda over the emulator's demo calendar, fetched over loopback HTTP like the app does, and screenshots
of it in light and dark palettes (written only when ``KLEN_SCREENSHOTS=DIR`` is set)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from screenshot_support import dark_palette
from test_agenda_values import make_entry
from waiting import exposed

from klen_desktop.api.client import KlenClient
from klen_desktop.api.models import EventStatus
from klen_desktop.emulator import EmulatorServer
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.store.outbox import OutboxState
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.detail_pane import LinkLabel
from klen_desktop.ui.agenda.model import Role, RowKind


async def fetch_demo_calendar(server: EmulatorServer, key: str) -> list[StoredEvent]:
    """What the app's cache would hold after a sync: summaries, with details for every event."""
    now = datetime.now(UTC)
    async with KlenClient(server.url, key) as client:
        summaries = await client.list_all_events(
            start_date=(now - timedelta(days=8)).date(), end_date=(now + timedelta(days=9)).date()
        )
        events = []
        for summary in summaries:
            detail = await client.get_event(summary.id)
            events.append(StoredEvent(summary=summary, detail=detail, detail_fetched_at=now, local_state=None))
    return events


@pytest.fixture
def demo_server(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    emulator.admin.reset("demo")
    yield emulator


@pytest.mark.asyncio
async def test_the_demo_calendar_from_the_emulator_fills_the_agenda(
    qtbot: QtBot, demo_server: EmulatorServer, rw_key: str
) -> None:
    events = await fetch_demo_calendar(demo_server, rw_key)
    assert len(events) > 20
    window = AgendaWindow()
    qtbot.addWidget(window)
    window.set_events(events, datetime.now(UTC))
    model = window.model
    shown = [model.event_at(r) for r in range(model.rowCount())]
    first_day, last_day = window.shown_range()  # the list holds the week the date box says, from today
    in_week = [e for e in events if first_day <= e.start_time.astimezone().date() <= last_day]
    assert first_day == datetime.now().astimezone().date()
    assert sorted(e.id for e in shown if e is not None) == sorted(e.id for e in in_week)
    days = {e.start_time.astimezone().date() for e in in_week}
    assert sum(1 for r in range(model.rowCount()) if model.index(r).data(Role.KIND) == RowKind.HEADING) >= len(days)
    # Every label in the window renders plain text, whatever the server put in a title or a note.
    first = next(e for e in shown if e is not None)
    window.show_event(first.id)
    assert window.pane.title_label.text() == first.title
    labels = window.findChildren(QLabel)  # a link label escapes what it shows (see test_detail_pane_links)
    assert all(label.textFormat() == Qt.TextFormat.PlainText or isinstance(label, LinkLabel) for label in labels)


@pytest.mark.asyncio
async def test_screenshots_light_and_dark(qtbot: QtBot, demo_server: EmulatorServer, rw_key: str) -> None:
    target = os.environ.get("KLEN_SCREENSHOTS")
    if not target:
        pytest.skip("set KLEN_SCREENSHOTS=DIR to write screenshots")
    events = await fetch_demo_calendar(demo_server, rw_key)
    now = datetime.now(UTC)
    # Give the picture every row state: a pending edit, a refused one, and an ended event awaiting its outcome.
    ended = max((e for e in events if e.end_time < now), key=lambda e: e.end_time)
    marked: list[StoredEvent] = []
    for event in events:
        if event.id == ended.id:
            event = dataclasses.replace(
                event, summary=event.summary.model_copy(update={"status": EventStatus.CONFIRMED}), detail=None
            )
        elif event.start_time > now and len(marked) % 4 == 1:
            event = dataclasses.replace(event, local_state=LocalState.PENDING)
        marked.append(event)
    refused = marked[-3]
    marked[-3] = dataclasses.replace(refused, local_state=LocalState.ATTENTION)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for name, palette in (("light", original), ("dark", dark_palette())):
            app.setPalette(palette)
            window = AgendaWindow()
            qtbot.addWidget(window)
            window.resize(1280, 760)
            window.set_demo(True)
            window.set_events(marked, now)
            window.set_sync_status(SyncStatus(phase=SyncPhase.OFFLINE, last_success=now - timedelta(minutes=7)))
            window.set_outbox_problems(
                [
                    make_entry(
                        4,
                        OutboxState.ATTENTION,
                        event_id=refused.id,
                        message="customer_email: Enter a valid email address.",
                    )
                ]
            )
            window.show()
            await exposed(window)
            window.show_event(ended.id)
            await asyncio.sleep(0.05)
            assert window.grab().save(str(folder / f"agenda-{name}.png"))
            window.set_read_only(True, "This API key can read the calendar but not change it.")
            window.toolbar.set_filter(window.model.filter.__class__(text="no such event at all"))
            await asyncio.sleep(0.02)
            assert window.grab().save(str(folder / f"agenda-empty-readonly-{name}.png"))
            window.close()
    finally:
        app.setPalette(original)
