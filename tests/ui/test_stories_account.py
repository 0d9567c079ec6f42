"""User stories about the key and files: test a key, save it and go live, forget it; save an event's .ics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from app_harness import MakeApp, insert_event, type_into
from PySide6.QtWidgets import QApplication

from klen_desktop.emulator import EmulatorServer
from klen_desktop.session.files import ics_file_name

pytestmark = pytest.mark.asyncio


async def test_testing_a_read_only_key_says_it_cannot_write(make_app: MakeApp, ro_key: str) -> None:
    app = await make_app()
    page = (await app.account_settings()).key_page
    type_into(page.key_edit, ro_key)
    page.test_button.click()
    await app.until(lambda: page.result_box.isVisibleTo(page), "the test's answer")
    assert (page.read_value.text(), page.write_value.text()) == ("Yes", "No")
    assert page.read_only_note.isVisibleTo(page), "a key that works but cannot write says so"


async def test_an_events_calendar_file_is_saved_under_the_name_the_user_chose(
    make_app: MakeApp, emulator: EmulatorServer, tmp_path: Path
) -> None:
    event_id = insert_event(emulator, "../../Board/meeting: Q4")
    suggested = ics_file_name("../../Board/meeting: Q4", event_id)
    assert "/" not in suggested and suggested.endswith(".ics"), "the server's title cannot place the file elsewhere"
    app = await make_app()
    folder = tmp_path / "downloads"
    folder.mkdir()
    chosen = folder / "meeting.ics"
    chosen.write_text("an older file the save dialog asked to replace")
    written = await app.controller.session.save_ics(event_id, chosen)
    assert written == chosen, "the file is written under the name the dialog asked about, not another"
    assert chosen.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert sorted(path.name for path in folder.iterdir()) == ["meeting.ics"]


async def test_saving_again_uses_the_cached_details_and_a_wait_for_the_limit_is_said(
    make_app: MakeApp, emulator: EmulatorServer, tmp_path: Path
) -> None:
    event_id = insert_event(emulator, "Quarterly review")
    app = await make_app()
    await app.controller.session.save_ics(event_id, tmp_path / "first.ics")
    emulator.admin.clear_request_log()
    for n in range(3):
        await app.controller.session.save_ics(event_id, tmp_path / f"again-{n}.ics")
    paths = [record.path for record in emulator.admin.request_log()]
    assert not [path for path in paths if path.endswith(f"/events/{event_id}")], f"details read again: {paths}"
    assert len(paths) == 3, f"one request a save: {paths}"

    notices: list[tuple[str, str]] = []
    app.controller.notice.connect(lambda title, text: notices.append((title, text)))
    app.controller.session.core.interactive_budget.pause(3)  # as after a 429 with Retry-After: 3
    await asyncio.wait_for(app.controller.session.save_ics(event_id, tmp_path / "after-wait.ics"), 15)
    assert (tmp_path / "after-wait.ics").exists()
    assert [title for title, _ in notices] == ["Waiting for Klen's request limit"], notices
    assert "Saving the calendar file in about 3 s" in notices[0][1]


@pytest.mark.session  # the real Secret Service
async def test_saving_a_key_goes_live_and_forgetting_it_goes_back_to_demo(make_app: MakeApp, rw_key: str) -> None:
    app = await make_app(demo=True)
    assert app.controller.demo
    changed: list[bool] = []
    app.controller.connection_changed.connect(lambda: changed.append(app.controller.demo))
    page = (await app.account_settings()).key_page
    type_into(page.key_edit, rw_key)
    page.save_button.click()
    await app.until(lambda: changed, "the saved key to switch the app")
    assert changed == [False], "the saved key switched the app to the live calendar"
    assert await app.desktop.key_store.get() == rw_key
    assert app.desktop.key_state().stored and not app.desktop.key_state().demo
    # "Forget key…" asks first in a modal message box (test_settings_dialog.py answers it); this is what Yes sends.
    await app.controller.forget_key()
    assert changed == [False, True], "forgetting the key went back to demo mode"
    assert await app.desktop.key_store.get() is None
    await asyncio.wait_for(app.until(lambda: app.controller.events, "the demo calendar loaded"), 30)


@pytest.mark.session  # the real Secret Service
async def test_the_open_settings_dialog_follows_a_saved_key_and_the_banner_opens_the_account_tab(
    make_app: MakeApp, rw_key: str
) -> None:
    app = await make_app(demo=True)
    app.tray_item("Open agenda").trigger()
    banner = app.agenda.mode_banner.button
    assert banner.isVisible() and banner.text() == "Enter API key…"
    banner.click()
    dialog = app.windows.settings
    assert dialog is not None and dialog.tabs.currentWidget() is dialog.key_page, "the banner opens the Account tab"
    assert dialog.key_page.demo_badge.isVisibleTo(dialog) and not dialog.key_page.forget_button.isEnabled()
    type_into(dialog.key_page.key_edit, rw_key)
    dialog.key_page.save_button.click()
    await app.until(lambda: not app.controller.demo, "the saved key switched the app to the live calendar")
    await app.until(lambda: dialog.key_page.forget_button.isEnabled(), "Forget enabled in the open dialog")
    assert not dialog.key_page.demo_badge.isVisibleTo(dialog), "no longer says Demo mode"
    await app.controller.forget_key()  # the keyring is the session's: leave it without the key


async def test_enter_api_key_from_the_banner_or_the_tray_opens_account_with_the_key_field_focused(
    make_app: MakeApp,
) -> None:
    app = await make_app(demo=True)
    app.tray_item("Open agenda").trigger()
    app.agenda.mode_banner.button.click()
    dialog = app.windows.settings
    assert dialog is not None and dialog.tabs.currentWidget() is dialog.key_page
    await app.until(lambda: QApplication.focusWidget() is dialog.key_page.key_edit, "the key field focused")
    dialog.close()
    await app.until(lambda: app.windows.settings is None, "the dialog closed")

    app.tray_item("Enter API key…").trigger()
    dialog = app.windows.settings
    assert dialog is not None and dialog.tabs.currentWidget() is dialog.key_page, "the tray opens Account too"
    await app.until(lambda: QApplication.focusWidget() is dialog.key_page.key_edit, "the key field focused")


async def test_in_demo_mode_the_account_tab_says_so_and_tests_the_demo_connection(make_app: MakeApp) -> None:
    app = await make_app(demo=True)
    page = (await app.account_settings()).key_page
    assert "Demo" in page.connection_value.text() and app.controller.session.config.base_url in (
        page.connection_value.text()
    )
    assert page.stored_value.text().startswith("No")
    assert page.test_button.isEnabled(), "with the field empty, Test connection tests the connection in use"
    page.test_button.click()
    await app.until(lambda: page.result_box.isVisible(), "the test's answer")
    assert "demo" in page.result_label.text().lower()
    assert (page.read_value.text(), page.write_value.text()) == ("Yes", "Yes")


async def test_a_key_typed_in_demo_mode_is_tested_against_the_live_service_and_labelled_so(
    make_app: MakeApp,
) -> None:
    app = await make_app(demo=True)
    page = (await app.account_settings()).key_page
    type_into(page.key_edit, "klen_not_a_real_key")
    assert "live" in page.test_button.text().lower(), page.test_button.text()
    page.test_button.click()
    await app.until(lambda: page.result_box.isVisible(), "the test's answer")
    assert "did not accept" in page.result_label.text()
    assert not page.read_value.isVisible(), "a rejected key has no permissions to show, not 'Read: No'"


@pytest.mark.session  # the real Secret Service
async def test_the_account_tab_shows_the_live_connection_and_the_stored_key_as_soon_as_it_is_saved(
    make_app: MakeApp, rw_key: str
) -> None:
    app = await make_app(demo=True)
    page = (await app.account_settings()).key_page
    type_into(page.key_edit, rw_key)
    page.save_button.click()
    await app.until(lambda: page.stored_value.text().startswith("Yes"), "the stored key shown at once")
    assert "Live" in page.connection_value.text() and "Demo" not in page.connection_value.text()
    assert page.forget_button.isEnabled()
    await app.controller.forget_key()  # the keyring is the session's: leave it without the key
    await app.until(lambda: "Demo" in page.connection_value.text(), "back to demo, shown at once")
    assert page.stored_value.text().startswith("No") and not page.forget_button.isEnabled()
