"""User stories about the key and files: test a key, save it and go live, forget it; save an event's .ics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from app_harness import MakeApp, insert_event

from klen_desktop.emulator import EmulatorServer
from klen_desktop.key_check import KeyCheck

pytestmark = pytest.mark.asyncio


async def test_testing_a_read_only_key_says_it_cannot_write(make_app: MakeApp, ro_key: str) -> None:
    app = await make_app()
    answers: list[object] = []
    app.controller.key_tested.connect(answers.append)
    await app.controller.test_key(ro_key)
    assert len(answers) == 1
    result = answers[0]
    assert isinstance(result, KeyCheck)
    assert result.ok and result.can_read and not result.can_write


async def test_an_events_calendar_file_is_saved_inside_the_chosen_folder(
    make_app: MakeApp, emulator: EmulatorServer, tmp_path: Path
) -> None:
    event_id = insert_event(emulator, "../../Board/meeting: Q4")
    app = await make_app()
    folder = tmp_path / "downloads"
    folder.mkdir()
    written = await app.controller.save_ics(event_id, folder, "../../escape.ics")
    assert written.parent == folder.resolve(), "no name, from the server or the user, leaves the folder"
    assert written.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert list(folder.iterdir()) == [written]


@pytest.mark.session  # the real Secret Service
async def test_saving_a_key_goes_live_and_forgetting_it_goes_back_to_demo(make_app: MakeApp, rw_key: str) -> None:
    app = await make_app(demo=True)
    assert app.controller.demo
    changed: list[bool] = []
    app.controller.connection_changed.connect(lambda: changed.append(app.controller.demo))
    await app.controller.save_key(rw_key)
    assert changed == [False], "the saved key switched the app to the live calendar"
    assert await app.desktop.key_store.get() == rw_key
    assert app.desktop.key_state().stored and not app.desktop.key_state().demo
    await app.controller.forget_key()
    assert changed == [False, True], "forgetting the key went back to demo mode"
    assert await app.desktop.key_store.get() is None
    await asyncio.wait_for(app.until(lambda: app.controller.events, "the demo calendar loaded"), 30)
