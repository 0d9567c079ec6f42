"""Settings, General: Language (the system's, English or Deutsch), kept in the settings file and read at the
next start before any window has a text."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from klen_desktop.settings import KeyState, Preferences, load_preferences, save_preferences
from klen_desktop.ui.qt_language import use_language_in_qt
from klen_desktop.ui.settings_dialog import GENERAL_TAB, SettingsDialog


def test_the_language_choice_is_saved_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert Preferences().language == ""  # the system's
    save_preferences(Preferences(language="de"), path)
    assert load_preferences(path).language == "de"


def test_an_unknown_language_in_the_file_falls_back_to_the_system_s(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"language": "xx", "fast_poll_seconds": 90}))
    prefs = load_preferences(path)
    assert prefs.language == "" and prefs.fast_poll_seconds == 90


def test_the_settings_dialog_offers_each_language_and_saves_the_pick(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(language="de"), key_state=KeyState(stored=True), open_tab=GENERAL_TAB)
    qtbot.addWidget(dialog)
    combo = dialog.preferences_page.language_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Same as the system", "English", "Deutsch"]
    assert combo.currentData() == "de"
    combo.setCurrentIndex(combo.findData("en"))
    saved: list[Preferences] = []
    dialog.preferences_saved.connect(saved.append)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert [p.language for p in saved] == ["en"]


def test_qt_s_own_texts_follow_the_language_and_a_switch_takes_the_last_one_out(qapp: QApplication) -> None:
    before = QLocale()
    try:
        assert use_language_in_qt(qapp, "de") is not None
        assert QCoreApplication.translate("QPlatformTheme", "Close") == "Schließen"
        assert use_language_in_qt(qapp, "en") is None
        assert QCoreApplication.translate("QPlatformTheme", "Close") == "Close"
    finally:
        use_language_in_qt(qapp, "en")
        QLocale.setDefault(before)
