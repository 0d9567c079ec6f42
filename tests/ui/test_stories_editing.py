"""User stories, end to end: the real app on the emulator over loopback, driven through its windows.

Given a calendar on the emulator, when the user does something in the editor or the agenda, then the change is
on the server (``emulator.admin``) and on screen (the agenda's model).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from app_harness import MakeApp, insert_event, type_into
from PySide6.QtWidgets import QFormLayout, QLabel

from klen_desktop.api.models import EventStatus
from klen_desktop.date_texts import date_time
from klen_desktop.emulator import EmulatorServer
from klen_desktop.store.outbox import OutboxState
from klen_desktop.ui.agenda import AgendaWindow

pytestmark = pytest.mark.asyncio


async def test_an_event_created_in_the_editor_is_on_the_server_and_in_the_agenda(make_app: MakeApp) -> None:
    app = await make_app()
    app.open_new_event_editor()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "Coffee with Ana")
    type_into(editor.location_edit, "Café Central")
    editor.save_button.click()

    await app.until(lambda: app.server_event("Coffee with Ana") is not None, "the event on the server")
    on_server = app.server_event("Coffee with Ana")
    assert on_server is not None and on_server["location"] == "Café Central"
    await app.until(lambda: app.agenda_event("Coffee with Ana") is not None, "the event in the agenda")
    # Once sent, the agenda shows the server's event (its real id), with nothing left pending.
    await app.until(lambda: app.agenda_event("Coffee with Ana").id == on_server["id"], "the server id in the agenda")
    await app.until(lambda: not app.controller.outbox, "an empty outbox")
    await app.until(lambda: editor not in app.windows.editors, "the editor closed once the server had the event")


async def test_an_edit_reaches_the_server(make_app: MakeApp, emulator: EmulatorServer) -> None:
    event_id = insert_event(emulator, "Quarterly review")
    app = await make_app()
    window = await app.pick("Quarterly review")
    window.pane.edit_button.click()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "Quarterly review (moved online)")
    editor.save_button.click()

    await app.until(
        lambda: app.server.admin.event(event_id)["title"] == "Quarterly review (moved online)",  # type: ignore[index]
        "the new title on the server",
    )
    await app.until(lambda: app.agenda_event("Quarterly review (moved online)") is not None, "the new title on screen")


def pane_fact(window: AgendaWindow, label: str) -> str | None:
    """The value the detail pane shows next to ``label``, as the user reads it."""
    form = window.pane.form
    for row in range(form.rowCount()):
        name = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        if isinstance(name, QLabel) and isinstance(value, QLabel) and name.text() == label:
            return value.text()
    return None


def shown_stamp(wire: str) -> str:
    """The pane's words for a server time: the app's one date-time format, in the local zone."""
    return date_time(datetime.fromisoformat(wire.replace("Z", "+00:00")).astimezone())


async def test_after_an_edit_the_pane_shows_when_the_server_updated_the_event(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    event_id = insert_event(emulator, "Site visit", updated_at=three_days_ago, created_at=three_days_ago)
    app = await make_app()
    window = await app.pick("Site visit")
    before = shown_stamp(app.server.admin.event(event_id)["updated_at"])  # type: ignore[index]
    await app.until(lambda: pane_fact(window, "Updated") == before, "the details loaded, updated three days ago")
    window.pane.edit_button.click()
    editor = app.windows.editors[-1]
    type_into(editor.location_edit, "Gate 2")
    editor.save_button.click()

    await app.until(lambda: app.server.admin.event(event_id)["location"] == "Gate 2", "the edit on the server")  # type: ignore[index]
    after = shown_stamp(app.server.admin.event(event_id)["updated_at"])  # type: ignore[index]
    assert after != before
    await app.until(lambda: pane_fact(window, "Location") == "Gate 2", "the edit in the pane")
    await app.until(lambda: pane_fact(window, "Updated") == after, f"Updated {after} in the pane")


async def test_cancel_with_a_reason_from_the_agenda(make_app: MakeApp, emulator: EmulatorServer) -> None:
    event_id = insert_event(emulator, "Haircut", customer_name="Bo")
    app = await make_app()
    window = await app.pick("Haircut")
    window.pane.cancel_button.click()
    dialog = window.cancel_dialog
    assert dialog is not None
    type_into(dialog.reason_edit, "Customer is ill")
    dialog.confirm_button.click()

    await app.until(lambda: app.server.admin.event(event_id)["status"] == "cancelled", "cancelled on the server")  # type: ignore[index]
    notes = app.server.admin.event(event_id)["customer"]["notes"]  # type: ignore[index]
    assert "Customer is ill" in notes
    await app.until(
        lambda: app.agenda_event("Haircut").status is EventStatus.CANCELLED, "shown as cancelled in the agenda"
    )


async def test_mark_completed_from_the_agenda(make_app: MakeApp, emulator: EmulatorServer) -> None:
    # Started earlier today (Completed is offered once an event has started; the agenda opens on today): two hours
    # ago, or half the time since local midnight when the day is younger than that.
    now = datetime.now(UTC).astimezone()
    ago = min(timedelta(hours=2), (now - now.replace(hour=0, minute=0, second=0, microsecond=0)) / 2)
    event_id = insert_event(emulator, "Consultation", hours_from_now=-ago.total_seconds() / 3600)
    app = await make_app()
    window = await app.pick("Consultation")
    window.pane.complete_button.click()

    await app.until(lambda: app.server.admin.event(event_id)["status"] == "completed", "completed on the server")  # type: ignore[index]
    await app.until(lambda: app.agenda_event("Consultation").status is EventStatus.COMPLETED, "shown as completed")


async def test_invalid_input_shows_the_inline_error_and_sends_nothing(make_app: MakeApp) -> None:
    app = await make_app()
    app.server.admin.clear_request_log()
    app.open_new_event_editor()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "")
    type_into(editor.customer_email_edit, "not-an-email")
    editor.save_button.click()
    await app.until(lambda: editor.general_error.isVisible() or _field_errors(editor), "an inline error")

    assert editor.isVisible(), "the draft stays open"
    assert editor.customer_email_edit.text() == "not-an-email", "the draft is kept"
    assert not app.controller.outbox
    writes = [r for r in app.server.admin.request_log() if r.method != "GET"]
    assert writes == []


async def test_a_read_only_key_greys_out_writes(make_app: MakeApp, emulator: EmulatorServer, ro_key: str) -> None:
    insert_event(emulator, "Team sync")
    app = await make_app(key=ro_key)
    await app.until(lambda: app.controller.access.read_only, "the key is known to be read-only")
    # The tray: new event and quick booking are off, and the menu says why.
    assert not app.tray_item("New event…").isEnabled()
    assert not app.tray_item("Next free 30 minutes").isEnabled()
    assert app.tray_item("Read-only key: changes are off")
    # The agenda's write buttons are off too.
    window = await app.pick("Team sync")
    assert not window.pane.confirm_button.isEnabled() and not window.pane.edit_button.isEnabled()
    # No button leads to an editor now; one opened all the same is read-only.
    editor = app.windows.new_event()
    assert not editor.save_button.isEnabled()
    # A write that gets past the greyed-out buttons all the same is refused before it is queued, and said.
    notices: list[str] = []
    app.controller.notice.connect(lambda title, _text: notices.append(title))
    window.status_requested.emit(window.pane.shown_event.id, "completed")
    await app.until(lambda: notices, "the refusal said")
    assert notices == ["Could not change the status"]
    assert not app.controller.outbox
    assert all(e["status"] == "scheduled" for e in app.server.admin.all_events())


def _field_errors(editor: object) -> bool:
    from klen_desktop.ui.form_widgets import ErrorLabel

    return any(label.isVisible() for label in editor.findChildren(ErrorLabel))  # type: ignore[attr-defined]


async def test_a_refused_create_comes_back_to_the_editor_and_is_resent_once_fixed(
    make_app: MakeApp, emulator: EmulatorServer, rw_key: str
) -> None:
    app = await make_app()
    # Writes refused by the server alone: the app took the key for writable, so it sends and hears a 403.
    await app.until(lambda: app.controller.access.can_write is True, "the key known as writable")
    emulator.admin.set_permissions(rw_key, can_read=True, can_write=False)
    app.open_new_event_editor()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "Strategy offsite")
    editor.save_button.click()
    await app.until(lambda: editor.general_error.isVisible(), "the server's refusal shown in the editor")
    assert "can_write_calendar" in editor.general_error.text()
    assert editor in app.windows.editors and editor.title_edit.text() == "Strategy offsite", "the draft is kept"
    assert app.server_event("Strategy offsite") is None

    emulator.admin.set_permissions(rw_key, can_read=True, can_write=True)
    editor.save_button.click()
    await app.until(lambda: editor not in app.windows.editors, "the editor closed once the event was sent")
    assert [e["title"] for e in emulator.admin.all_events()] == ["Strategy offsite"], "sent once, not twice"
    await app.until(lambda: not app.controller.outbox, "nothing left in the outbox")


async def test_a_create_over_the_daily_limit_stays_queued_and_says_when_it_goes_in_plain_words(
    make_app: MakeApp, emulator: EmulatorServer, rw_key: str
) -> None:
    emulator.admin.set_limits(rw_key, daily_limit=0)
    app = await make_app()
    notices: list[tuple[str, str]] = []
    app.controller.notice.connect(lambda title, text: notices.append((title, text)))
    app.open_new_event_editor()
    editor = app.windows.editors[-1]
    type_into(editor.title_edit, "Strategy offsite")
    editor.save_button.click()
    await app.until(lambda: editor not in app.windows.editors, "the editor closed: the draft is kept in the queue")
    await app.until(lambda: notices, "the save said what became of the event")
    [entry] = app.controller.outbox
    assert entry.state is OutboxState.PENDING, "queued, not parked as a refusal (which notifies as critical)"

    agenda = app.agenda
    await app.until(lambda: agenda.problems.rows, "the waiting event shown above the agenda")
    reset = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    told = [text for _title, text in notices] + [row.label.text() for row in agenda.problems.rows]
    assert len(notices) == 1, notices
    for text in told:
        assert "Daily limit of 0 new events reached" in text, text
        assert f"will be sent after {reset.astimezone():%H:%M}" in text, text
        # Seconds only for a wait under a minute (a run just before the reset at midnight), never a longer one.
        assert all(int(n) < 60 for n in re.findall(r"(\d+) ?s\b", text)), text
        assert not re.search(r"rate_limit|UTC|\(\w+_\w+\)", text), text

    emulator.admin.set_limits(rw_key, daily_limit=100)
    app.tray_item("Sync now").trigger()
    await app.until(lambda: app.server_event("Strategy offsite") is not None, "sent once the limit allows")
    await app.until(lambda: not agenda.problems.isVisible(), "nothing left waiting")
