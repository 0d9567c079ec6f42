"""The Accounts tab of Settings on its own: what it lists, what it offers for which account, and that Return in its
fields changes nothing the user did not click."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from klen_desktop.session.merged import AccountOverview
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.ui.settings_dialog import ACCOUNTS_TAB, SettingsDialog

FIRST = AccountOverview("1", "Klen", "#0072b2", None, 0, first=True, demo=False)
SECOND = AccountOverview(
    "2", "Roofing client", "#e69f00", "Klen did not accept the API key.", 2, first=False, demo=False
)


def test_the_tab_names_each_account_its_trouble_and_offers_removal_for_all_but_the_first(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(), key_state=KeyState(stored=True), open_tab=ACCOUNTS_TAB)
    qtbot.addWidget(dialog)
    page = dialog.accounts_page
    page.set_accounts([FIRST, SECOND])
    asked: list[tuple[str, int]] = []
    removed: list[tuple[str, bool]] = []
    page.confirm_remove = lambda _parent, name, unsent: asked.append((name, unsent)) is None
    page.remove_requested.connect(lambda account_id, lose: removed.append((account_id, lose)))

    assert [page.list.item(i).text() for i in range(2)] == ["Klen", "Roofing client: Klen did not accept the API key."]
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isVisibleTo(dialog)
    assert not page.remove_button.isEnabled() and not page.key_button.isEnabled(), "the first: its key is elsewhere"
    page.list.setCurrentRow(1)
    assert page.remove_button.isEnabled() and page.key_button.isEnabled()
    page.remove_button.click()
    assert asked == [("Roofing client", 2)] and removed == [("2", True)], "the loss of 2 changes confirmed"


def test_return_in_a_field_of_the_tab_neither_saves_nor_renames(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(), key_state=KeyState(stored=True), open_tab=ACCOUNTS_TAB)
    qtbot.addWidget(dialog)
    page = dialog.accounts_page
    page.set_accounts([FIRST, SECOND])
    emitted: list[object] = []
    for signal in (dialog.preferences_saved, page.rename_requested, page.add_requested, page.remove_requested):
        signal.connect(lambda *args: emitted.append(args))
    dialog.show()
    page.new_key.setFocus()
    qtbot.keyClick(page.new_key, Qt.Key.Key_Return)
    page.name_edit.setFocus()
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Return)

    assert emitted == [] and dialog.isVisible()
