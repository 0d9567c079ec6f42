"""The settings dialog as a user meets it: a masked key, the test result, save/forget, preferences checked inline."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot
from screenshot_support import grab_light_and_dark

from klen_desktop.secrets import NO_BACKEND_HELP
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.ui.settings_dialog import ACCOUNT_TAB, SettingsDialog

KEY = "klen_live_0123456789abcdef"

MakeDialog = Callable[..., SettingsDialog]


@pytest.fixture
def make_dialog(qtbot: QtBot) -> Iterator[MakeDialog]:
    def make(
        prefs: Preferences | None = None,
        key_state: KeyState | None = None,
        *,
        confirm: bool = True,
        open_tab: str = ACCOUNT_TAB,
    ) -> SettingsDialog:
        dialog = SettingsDialog(
            prefs or Preferences(),
            key_state=key_state or KeyState(stored=False, demo=True),
            open_tab=open_tab,
            confirm_forget=lambda _parent: confirm,
        )
        qtbot.addWidget(dialog)
        return dialog

    yield make


def type_key(qtbot: QtBot, dialog: SettingsDialog, key: str = KEY) -> None:
    dialog.key_page.key_edit.setFocus()
    qtbot.keyClicks(dialog.key_page.key_edit, key)


def test_key_is_masked_until_shown(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    page = dialog.key_page
    type_key(qtbot, dialog)
    assert page.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert page.key_edit.displayText() != KEY
    qtbot.mouseClick(page.show_key, Qt.MouseButton.LeftButton)
    assert page.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert page.show_key.text() == "Hide"
    qtbot.mouseClick(page.show_key, Qt.MouseButton.LeftButton)
    assert page.key_edit.echoMode() == QLineEdit.EchoMode.Password


def test_test_connection_emits_the_key_and_shows_what_it_may_do(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    page = dialog.key_page
    # Nothing typed: the button tests the connection in use, asked for with an empty key.
    assert page.test_button.isEnabled() and page.test_button.text() == "Test connection"
    with qtbot.waitSignal(dialog.test_key_requested, timeout=1000) as connection:
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert connection.args == [""]
    dialog.show_key_test(True, True, True, "Tested the connection to the demo calendar on this computer: it works.")
    type_key(qtbot, dialog, f"  {KEY} ")
    assert page.test_button.text() == "Test this key on the live service"
    with qtbot.waitSignal(dialog.test_key_requested, timeout=1000) as blocker:
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [KEY]
    assert not page.test_button.isEnabled() and page.test_button.text() == "Testing…"

    dialog.show_key_test(True, True, True, "The key works: <b>read</b> and write.")
    assert page.result_box.isVisibleTo(dialog)
    assert page.read_value.text() == "Yes" and page.write_value.text() == "Yes"
    assert page.result_label.text() == "The key works: <b>read</b> and write."
    assert page.result_label.textFormat() == Qt.TextFormat.PlainText
    assert not page.read_only_note.isVisibleTo(dialog)
    assert page.test_button.isEnabled()


def test_return_in_the_key_field_tests_and_does_not_close(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    dialog.show()
    qtbot.waitExposed(dialog)
    type_key(qtbot, dialog)
    saved: list[object] = []
    dialog.preferences_saved.connect(saved.append)
    with qtbot.waitSignal(dialog.test_key_requested, timeout=1000):
        qtbot.keyClick(dialog.key_page.key_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and saved == []


def test_read_only_key_is_explained(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    type_key(qtbot, dialog)
    dialog.key_page.test_button.click()
    dialog.show_key_test(True, True, False, "The key works read-only.")
    page = dialog.key_page
    assert page.write_value.text() == "No"
    assert page.read_only_note.isVisibleTo(dialog)
    assert "read-only" in page.read_only_note.text()


def test_rejected_key_shows_the_message_and_no_read_only_note(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    type_key(qtbot, dialog)
    dialog.key_page.test_button.click()
    dialog.show_key_test(False, False, False, "Klen did not accept this key.")
    page = dialog.key_page
    assert page.result_label.text() == "Klen did not accept this key."
    assert (page.read_value.text(), page.write_value.text()) == ("No", "No")
    assert not page.read_only_note.isVisibleTo(dialog)


def test_editing_the_key_hides_the_old_result(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    type_key(qtbot, dialog)
    dialog.key_page.test_button.click()
    dialog.show_key_test(True, True, True, "ok")
    qtbot.keyClicks(dialog.key_page.key_edit, "x")
    assert not dialog.key_page.result_box.isVisibleTo(dialog)


def test_save_key_emits_it_and_a_stored_key_clears_the_field(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    page = dialog.key_page
    assert not page.forget_button.isEnabled()
    type_key(qtbot, dialog)
    with qtbot.waitSignal(dialog.save_key_requested, timeout=1000) as blocker:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [KEY]
    dialog.set_key_state(KeyState(stored=True, demo=False))
    assert page.key_edit.text() == ""
    assert "stored in your system keyring" in page.status_label.text()
    assert not page.demo_badge.isVisibleTo(dialog)
    assert page.forget_button.isEnabled()


def test_key_with_spaces_is_refused_inline(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    type_key(qtbot, dialog, "klen abc")
    with qtbot.assertNotEmitted(dialog.save_key_requested):
        dialog.key_page.save_button.click()
    assert "no spaces" in dialog.key_page.error_label.text()


def test_keyring_error_is_shown_and_the_key_kept(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    type_key(qtbot, dialog)
    dialog.key_page.save_button.click()
    dialog.show_key_error("The system keyring is locked. Unlock it and retry.")
    assert dialog.key_page.error_label.isVisibleTo(dialog)
    assert dialog.key_page.key_text() == KEY


def test_forget_asks_first(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    declined = make_dialog(key_state=KeyState(stored=True), confirm=False)
    with qtbot.assertNotEmitted(declined.forget_key_requested):
        declined.key_page.forget_button.click()
    accepted = make_dialog(key_state=KeyState(stored=True), confirm=True)
    with qtbot.waitSignal(accepted.forget_key_requested, timeout=1000):
        qtbot.mouseClick(accepted.key_page.forget_button, Qt.MouseButton.LeftButton)


def test_demo_mode_is_shown(make_dialog: MakeDialog) -> None:
    dialog = make_dialog(key_state=KeyState(stored=False, demo=True))
    assert dialog.key_page.demo_badge.isVisibleTo(dialog)
    assert "Demo mode" in dialog.key_page.status_label.text()


def test_no_keyring_explains_what_to_install_and_disables_key_inputs(make_dialog: MakeDialog) -> None:
    dialog = make_dialog(key_state=KeyState(stored=False, demo=True, keyring_problem=NO_BACKEND_HELP))
    page = dialog.key_page
    assert page.keyring_problem.isVisibleTo(dialog)
    assert "gnome-keyring" in page.keyring_problem.text()
    assert "demo mode" in page.keyring_problem.text()
    for widget in (page.key_edit, page.show_key, page.save_button, page.forget_button):
        assert not widget.isEnabled()
    assert page.test_button.isEnabled(), "the connection in use can be tested without the keyring"


def test_preferences_are_shown_and_saved(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    prefs = Preferences(fast_poll_seconds=45, window_days_ahead=60, notify_changes=False)
    dialog = make_dialog(prefs, open_tab="general")
    page = dialog.preferences_page
    assert dialog.tabs.currentWidget() is page
    assert page.spins["fast_poll_seconds"].value() == 45
    assert not page.checks["notify_changes"].isChecked()
    page.spins["default_reminder_minutes"].setValue(30)
    page.checks["start_at_login"].click()
    with qtbot.waitSignal(dialog.preferences_saved, timeout=1000) as blocker:
        dialog.buttons.accepted.emit()
    assert blocker.args == [
        Preferences(
            fast_poll_seconds=45,
            window_days_ahead=60,
            notify_changes=False,
            default_reminder_minutes=30,
            start_at_login=True,
        )
    ]
    assert dialog.result() == SettingsDialog.DialogCode.Accepted


def test_invalid_preferences_show_inline_and_are_not_saved(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    page = dialog.preferences_page
    page.spins["fast_poll_seconds"].setValue(10)
    page.spins["window_days_ahead"].setValue(0)
    with qtbot.assertNotEmitted(dialog.preferences_saved):
        dialog.buttons.accepted.emit()
    assert dialog.tabs.currentWidget() is page
    assert "30 s" in page.errors["fast_poll_seconds"].text()
    assert page.errors["window_days_ahead"].isVisibleTo(dialog)
    assert not page.errors["slow_poll_seconds"].isVisibleTo(dialog)
    # The dialog grows to show the whole message rather than clip it.
    dialog.show()
    qtbot.waitExposed(dialog)
    error = page.errors["fast_poll_seconds"]
    assert error.height() >= error.heightForWidth(error.width())
    # Fixing the value clears its message.
    page.spins["fast_poll_seconds"].setValue(60)
    assert not page.errors["fast_poll_seconds"].isVisibleTo(dialog)


def test_a_message_grows_the_dialog_rather_than_scrolling_it(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog(Preferences(fast_poll_seconds=10), open_tab="general")
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.preferences_page.errors["fast_poll_seconds"].isVisible()
    scroll = dialog.tabs_scroll
    # The screen has room: the tabs show whole, with the message, and nothing scrolls.
    assert scroll.viewport().height() >= dialog.tabs.sizeHint().height()
    assert scroll.verticalScrollBar().maximum() == 0


def test_save_preferences_is_offered_only_on_the_general_tab(make_dialog: MakeDialog) -> None:
    dialog = make_dialog(open_tab=ACCOUNT_TAB)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isVisibleTo(dialog)
    dialog.show_tab("general")
    assert save.isVisibleTo(dialog)
    with pytest.raises(ValueError):
        dialog.show_tab("colours")


def test_theme_note_says_the_system_palette_is_followed(make_dialog: MakeDialog) -> None:
    assert "system" in make_dialog().preferences_page.theme_note.text()


# -- screenshots (KLEN_SCREENSHOTS=DIR) ---------------------------------------------------------------------


def test_screenshots_of_the_settings_dialog(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    general = make_dialog(Preferences(fast_poll_seconds=10), open_tab="general")
    general.buttons.accepted.emit()  # shows the inline error
    shots = grab_light_and_dark(qtbot, general, "settings-general")

    account = make_dialog(key_state=KeyState(stored=False, demo=True))
    type_key(qtbot, account)
    account.key_page.test_button.click()
    account.show_key_test(
        True,
        True,
        False,
        "The key works read-only: Klen Desktop can show your calendar, but not change it. To change events from "
        "here, give the key the 'can_write_calendar' permission in Klen.",
    )
    shots += grab_light_and_dark(qtbot, account, "settings-account-read-only")

    no_keyring = make_dialog(key_state=KeyState(stored=False, demo=True, keyring_problem=NO_BACKEND_HELP))
    shots += grab_light_and_dark(qtbot, no_keyring, "settings-account-no-keyring")
    assert all(path.stat().st_size > 0 for path in shots)
