"""Quick add, end to end: the real app on the emulator over loopback. The user types an event in words in the
tray's "New event" window or the agenda's box, sees what it was read as, and saves it, or opens the editor with it;
a sentence that could be read two ways is never saved."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from app_harness import MakeApp, type_into
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from klen_desktop.api.models import EventType
from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui.quick_add_window import QuickAddWindow

pytestmark = pytest.mark.asyncio


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone()


async def test_new_event_from_the_tray_shows_what_it_read_and_saves_it(make_app: MakeApp) -> None:
    app = await make_app()
    typed_on = datetime.now().astimezone().date()
    app.tray_item("New event…").trigger()
    window = app.windows.quick_add_window
    assert isinstance(window, QuickAddWindow) and window.isVisible()
    type_into(window.box.line, "Call with Jane Doe tomorrow 3pm 30 min video")
    window.box.read_now()
    preview = window.box.preview.text()
    assert "Video call" in preview and "Jane Doe" in preview and "30 min" in preview
    assert window.box.save_button.isEnabled()
    window.box.save_button.click()

    await app.until(lambda: app.server_event("Call with Jane Doe") is not None, "the event on the server")
    on_server = app.server_event("Call with Jane Doe")
    assert on_server is not None
    start = _local(on_server["start_time"])
    # "tomorrow" of the day it was typed on (the test may run across midnight)
    tomorrows = {typed_on + timedelta(days=1), datetime.now().astimezone().date() + timedelta(days=1)}
    assert (start.hour, start.minute) == (15, 0) and start.date() in tomorrows
    assert on_server["event_type"] == "video_call" and on_server["customer"]["name"] == "Jane Doe"
    await app.until(lambda: not window.isVisible(), "the window closed once the server had it")


async def test_a_guess_is_never_saved_and_edit_opens_the_editor_with_what_was_read(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    app = await make_app()
    app.tray_item("New event…").trigger()
    window = app.windows.quick_add_window
    assert window is not None
    type_into(window.box.line, "busy tomorrow 9-12")
    window.box.read_now()
    assert not window.box.save_button.isEnabled()
    assert "could be 09:00–12:00 or 21:00–00:00" in window.box.preview.text()
    QTest.keyClick(window.box.line, Qt.Key.Key_Return)  # Enter saves only what is ready: nothing here
    window.box.edit_button.click()
    editor = app.windows.editors[-1]
    assert editor.title_edit.text() == "Busy"
    assert not window.isVisible()
    assert emulator.admin.all_events() == []


async def test_the_agendas_box_saves_on_enter(make_app: MakeApp) -> None:
    app = await make_app()
    app.tray_item("Open agenda").trigger()
    box = app.agenda.toolbar.quick_add
    type_into(box.line, "Demo for Acme tomorrow 10:00-11:00 at Office")
    QTest.keyClick(box.line, Qt.Key.Key_Return)
    await app.until(lambda: app.server_event("Demo for Acme") is not None, "the event on the server")
    on_server = app.server_event("Demo for Acme")
    assert on_server is not None
    assert (on_server["location"], on_server["customer"]["name"]) == ("Office", "Acme")
    assert on_server["event_type"] == EventType.MEETING.value
    await app.until(lambda: box.line.text() == "", "the box emptied for the next one")


async def test_a_read_only_key_keeps_quick_add_from_saving(make_app: MakeApp, ro_key: str) -> None:
    app = await make_app(key=ro_key)
    await app.until(lambda: app.controller.access.read_only, "the key is known to be read-only")
    window = app.windows.quick_add()
    type_into(window.box.line, "Call with Ann tomorrow 4pm")
    window.box.read_now()
    assert not window.box.save_button.isEnabled() and window.box.save_button.toolTip()
