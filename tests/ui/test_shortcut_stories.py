"""Global shortcuts in the running app, on the test session's real X server: set in Settings, pressed with xdotool.

xdotool types through XTEST, as a keyboard does: the X server delivers the key to the app's grab while another
window (or none) has the focus. Links opened by "Join next call" go to a stand-in browser (Qt's URL handler).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid

import pytest
from app_harness import AppHarness, MakeApp, UrlCatcher, insert_event
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from waiting import signal_caught

from klen_desktop.settings import load_preferences
from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.x11 import X11Shortcuts
from klen_desktop.ui.settings_dialog import SettingsDialog
from klen_desktop.ui.shortcuts_actions import NO_CALL_TITLE

pytestmark = [pytest.mark.session, pytest.mark.asyncio]
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


async def press(keys: str) -> None:
    await asyncio.to_thread(subprocess.run, ["xdotool", "key", "--clearmodifiers", keys], check=True, timeout=10)


async def shortcuts_tab(app: AppHarness) -> SettingsDialog:
    app.tray_item("Settings…").trigger()
    dialog = app.windows.settings
    assert dialog is not None
    bar = dialog.tabs.tabBar()
    QTest.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(dialog.tabs.indexOf(dialog.shortcuts_page)).center()
    )
    assert dialog.tabs.currentWidget() is dialog.shortcuts_page
    return dialog


async def set_shortcut(app: AppHarness, action: str, key: Qt.Key) -> None:
    """Type ``Ctrl+Alt+key`` into the action's field in Settings and save, as a user does."""
    dialog = await shortcuts_tab(app)
    edit = dialog.shortcuts_page.edits[action]
    edit.setFocus()
    QTest.keyClick(edit, key, CTRL_ALT)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    await app.until(lambda: app.windows.settings is None, "Settings closed on Save")
    hub = app.desktop.shortcuts
    assert hub is not None
    await app.until(lambda: action in hub.results, f"the {action} shortcut registered or refused")


async def test_quick_add_from_anywhere_opens_the_quick_add_window(make_app: MakeApp) -> None:
    app = await make_app()
    hub = app.desktop.shortcuts
    assert hub is not None and hub.backend_name == ""  # nothing set: no X connection, no portal session opened
    await set_shortcut(app, "quick-add", Qt.Key.Key_K)
    assert load_preferences(app.desktop.prefs_path).shortcut_quick_add == "Ctrl+Alt+K"
    dialog = await shortcuts_tab(app)  # opened again: it says what the desktop answered
    assert dialog.shortcuts_page.results["quick-add"].text() == "Registered"
    dialog.reject()
    assert app.windows.quick_add_window is None
    await press("ctrl+alt+k")
    await app.until(
        lambda: app.windows.quick_add_window is not None and app.windows.quick_add_window.isVisible(),
        "the quick-add window opened from the shortcut",
    )
    assert hub.backend_name == "x11"

    # Cleared in Settings: the key is let go, so it reaches other applications again and opens nothing here.
    dialog = await shortcuts_tab(app)
    QTest.mouseClick(dialog.findChild(QPushButton, "shortcut_quick_add_clear"), Qt.MouseButton.LeftButton)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    await app.until(lambda: "quick-add" not in hub.results, "the shortcut released")
    assert load_preferences(app.desktop.prefs_path).shortcut_quick_add == ""
    other = X11Shortcuts(lambda _action: None, os.environ["DISPLAY"])
    assert await other.start()
    try:
        assert (await other.register("theirs", KeyCombo.parse("Ctrl+Alt+K"))).ok  # free for others again
    finally:
        await other.close()


async def test_join_next_call_opens_the_running_call_or_says_there_is_none(make_app: MakeApp) -> None:
    app = await make_app()
    await set_shortcut(app, "join-next-call", Qt.Key.Key_J)
    async with signal_caught(app.controller.notice, "the no-call notice") as notice:
        await press("ctrl+alt+j")
    assert notice.args[0] == NO_CALL_TITLE

    link = f"https://meet.example/{uuid.uuid4().hex[:8]}"
    insert_event(app.server, "Call with Dana", hours_from_now=0.1, event_type="video_call", video_conference_url=link)
    insert_event(app.server, "Later call", hours_from_now=2, event_type="video_call", video_conference_url=link + "x")
    app.controller.sync_now()
    await app.until(lambda: app.agenda_event("Call with Dana") is not None, "the call synced")
    browser = UrlCatcher()
    QDesktopServices.setUrlHandler("https", browser, "open")  # type: ignore[arg-type]
    try:
        await press("ctrl+alt+j")
        await app.until(lambda: browser.opened == [link], "the call's link opened")
    finally:
        QDesktopServices.unsetUrlHandler("https")


async def test_a_combination_another_application_holds_is_refused_in_words(make_app: MakeApp) -> None:
    other = X11Shortcuts(lambda _action: None, os.environ["DISPLAY"])
    assert await other.start()
    try:
        assert (await other.register("theirs", KeyCombo.parse("Ctrl+Alt+L"))).ok
        app = await make_app()
        async with signal_caught(app.controller.notice, "the refusal told") as notice:
            await set_shortcut(app, "quick-add", Qt.Key.Key_L)
        assert notice.args[0] == "Shortcut not set"
        assert "Already taken by another application" in str(notice.args[1])
        dialog = await shortcuts_tab(app)
        error = dialog.shortcuts_page.errors["quick-add"]
        assert error.isVisibleTo(dialog) and error.text().startswith("Already taken by another application")
        dialog.reject()
    finally:
        await other.close()
