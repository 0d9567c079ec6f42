"""The Shortcuts tab of Settings, real widgets: typed combinations, what Save refuses, Clear, and the desktop's
answers shown under each field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from klen_desktop.settings import KeyState, Preferences
from klen_desktop.shortcuts.base import REGISTERED, TAKEN, unsupported
from klen_desktop.ui.settings_dialog import SHORTCUTS_TAB, SettingsDialog

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def dialog(qtbot: QtBot, prefs: Preferences | None = None) -> SettingsDialog:
    shown = SettingsDialog(prefs or Preferences(), key_state=KeyState(stored=True), open_tab=SHORTCUTS_TAB)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def save(shown: SettingsDialog) -> None:
    shown.buttons.button(shown.buttons.StandardButton.Save).click()


def test_a_typed_combination_is_saved_in_the_settings_spelling(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    QTest.keyClick(shown.shortcuts_page.edits["join-next-call"], Qt.Key.Key_J, CTRL_ALT)
    with qtbot.waitSignal(shown.preferences_saved) as saved:
        save(shown)
    prefs = saved.args[0]
    assert (prefs.shortcut_quick_add, prefs.shortcut_join_next_call) == ("", "Ctrl+Alt+J")


def test_save_refuses_a_bare_key_and_a_combination_used_twice_and_says_why(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    page = shown.shortcuts_page
    QTest.keyClick(page.edits["quick-add"], Qt.Key.Key_K)
    shown.tabs.setCurrentWidget(shown.preferences_page)
    save(shown)
    assert shown.isVisible() and shown.tabs.currentWidget() is page  # brought back to the problem
    assert page.errors["quick-add"].text().startswith("Add Ctrl, Alt or Meta")
    page.edits["quick-add"].clear()
    QTest.keyClick(page.edits["quick-add"], Qt.Key.Key_K, CTRL_ALT)
    assert page.errors["quick-add"].text() == ""  # a new combination clears the old complaint
    QTest.keyClick(page.edits["join-next-call"], Qt.Key.Key_K, CTRL_ALT)
    save(shown)
    assert shown.isVisible()
    assert page.errors["join-next-call"].text() == "The same combination cannot run both actions."


def test_clear_turns_a_shortcut_off(qtbot: QtBot) -> None:
    shown = dialog(qtbot, Preferences(shortcut_quick_add="Ctrl+Alt+K"))
    page = shown.shortcuts_page
    assert page.values()["shortcut_quick_add"] == "Ctrl+Alt+K"
    clear = page.findChild(type(shown.buttons.button(shown.buttons.StandardButton.Save)), "shortcut_quick_add_clear")
    QTest.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert page.values()["shortcut_quick_add"] == ""


def test_the_desktops_answers_show_under_their_fields(qtbot: QtBot) -> None:
    shown = dialog(qtbot, Preferences(shortcut_quick_add="Ctrl+Alt+K", shortcut_join_next_call="Ctrl+Alt+J"))
    page = shown.shortcuts_page
    page.show_results({"quick-add": REGISTERED, "join-next-call": TAKEN})
    assert page.results["quick-add"].text() == "Registered"
    assert page.errors["join-next-call"].text().startswith("Already taken by another application")
    page.show_results({"quick-add": unsupported("quick-add")})
    assert page.results["quick-add"].text() == ""
    assert page.errors["quick-add"].text() == (
        "This desktop does not allow global shortcuts: set one in your desktop's keyboard settings with the "
        "command `klen-desktop quick-add`."
    )
    assert page.errors["join-next-call"].text() == ""
