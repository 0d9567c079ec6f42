"""User stories about the network: offline edits, server-side changes, and booking a free slot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from app_harness import MakeApp, free_port, insert_event, type_into
from fixtures_emulator import STANDARD_KEYS

from klen_desktop.emulator import EmulatorServer
from klen_desktop.store.events import LocalState
from klen_desktop.ui.icons import TrayState

pytestmark = pytest.mark.asyncio


async def test_an_edit_made_while_the_server_is_down_is_pending_then_syncs(
    make_app: MakeApp, make_emulator: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    db, port = tmp_path / "server.sqlite3", free_port()
    server = make_emulator(db_path=db, port=port)
    event_id = insert_event(server, "Dentist")
    app = await make_app(server=server)
    await app.until(lambda: app.agenda_event("Dentist") is not None, "the event in the agenda")

    server.stop()
    window = await app.pick("Dentist")
    window.pane.edit_button.click()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "Dentist (bring X-rays)")
    editor.save_button.click()
    # Saved locally: shown at once, marked pending, and the tray says there is unsent work.
    await app.until(lambda: app.agenda_event("Dentist (bring X-rays)") is not None, "the edit shown at once")

    def pending() -> bool:
        event = app.agenda_event("Dentist (bring X-rays)")
        return event is not None and event.local_state is LocalState.PENDING

    await app.until(pending, "the pending mark")
    await app.until(lambda: app.controller.outbox, "the edit queued")
    await app.until(lambda: app.tray.state in (TrayState.PENDING, TrayState.OFFLINE), "the tray shows it")

    back = make_emulator(db_path=db, port=port, keys=STANDARD_KEYS)
    app.tray_item("Sync now").trigger()
    await app.until(lambda: back.admin.event(event_id)["title"] == "Dentist (bring X-rays)", "the edit on the server")  # type: ignore[index]
    await app.until(lambda: not app.controller.outbox, "nothing left in the outbox")

    def settled() -> bool:  # read once: the agenda may be between two refreshes of the same row
        event = app.agenda_event("Dentist (bring X-rays)")
        return event is not None and event.local_state is None

    await app.until(settled, "the pending mark gone")


async def test_a_change_made_on_the_server_appears_after_a_poll(make_app: MakeApp, emulator: EmulatorServer) -> None:
    app = await make_app()
    assert app.agenda_event("Booked by an agent") is None
    insert_event(emulator, "Booked by an agent", created_by_ai_agent=True)
    app.controller.sync_now()  # the poll that the poller's own timer would start within minutes
    await app.until(lambda: app.agenda_event("Booked by an agent") is not None, "the new booking in the agenda")


async def test_find_a_free_slot_and_book_it(make_app: MakeApp, emulator: EmulatorServer) -> None:
    app = await make_app()
    app.tray_item("Find a free slot…").trigger()
    finder = app.windows.slot_finder
    assert finder is not None
    type_into(finder.duration_spin, "45")
    assert finder.duration_spin.value() == 45
    finder.search_button.click()
    await app.until(lambda: finder.book_button.isEnabled(), "slots listed with the first one selected")
    chosen = finder._selected_slot()
    assert chosen is not None
    finder.book_button.click()
    await app.until(lambda: app.windows.editors, "the editor opened on the slot")
    editor = app.windows.editors[-1]
    assert editor.draft().start == chosen.start and editor.draft().end == chosen.end
    type_into(editor.title_edit, "Intro call")
    editor.save_button.click()
    await app.until(lambda: app.server_event("Intro call") is not None, "the booking on the server")
    booked = app.server_event("Intro call")
    assert booked is not None
    assert (booked["start_time"], booked["end_time"]) == (
        chosen.start.isoformat().replace("+00:00", ".000Z"),
        chosen.end.isoformat().replace("+00:00", ".000Z"),
    )


async def test_quitting_while_a_detail_read_is_in_flight_ends_it_quietly(
    make_app: MakeApp, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    event_id = insert_event(emulator, "Slow server")
    app = await make_app()
    emulator.faults.latency(1.5, path=f"/api/v1/calendar/events/{event_id}")
    budget = app.controller.session.core.interactive_budget
    spent = budget.spent
    read = app.controller.load_detail(event_id)  # what selecting the event asks; its task shows the cancel
    await app.until(lambda: budget.spent > spent, "the read to take its turn and go out")
    assert not read.done()

    await app.desktop.shutdown()
    assert read.cancelled(), "quit cancels the read instead of closing its HTTP client under it"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
