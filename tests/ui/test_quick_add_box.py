"""The quick-add box as a widget: Escape in its line clears it (and only there), Save follows what was read, and
the agenda opens with the keyboard on its view switch, not typing into the box."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.quick_add_box import QuickAddBox

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_escape_in_the_line_clears_it_and_save_follows_what_was_read(qtbot: QtBot) -> None:
    box = QuickAddBox(clock=lambda: NOW)
    qtbot.addWidget(box)
    cancelled: list[bool] = []
    box.cancelled.connect(lambda: cancelled.append(True))
    assert not box.save_button.isEnabled() and not box.cancel_button.isEnabled()
    qtbot.keyClicks(box.line, "Call with Ann tomorrow 4pm")
    box.read_now()
    assert box.save_button.isEnabled() and box.cancel_button.isEnabled()
    qtbot.keyClicks(box.line, " or 5pm")  # now it gives two times
    box.read_now()
    assert not box.save_button.isEnabled() and "more than one time" in box.preview.text()
    qtbot.keyClick(box.line, Qt.Key.Key_Escape)
    assert box.line.text() == "" and cancelled == [True] and box.preview.isHidden()


def test_the_agenda_opens_with_the_keyboard_on_its_view_switch(qtbot: QtBot) -> None:
    window = AgendaWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is window.toolbar.view_buttons[window.toolbar.view]
