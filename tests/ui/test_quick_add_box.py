"""The quick-add box as a widget: Escape in its line clears it (and only there), Save follows what was read, and
the agenda opens with the keyboard on its view switch, not typing into the box."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from klen_desktop.ui import quick_add_box
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


def test_a_sentence_typed_while_the_reader_loads_is_read_once_it_is_in_not_on_the_ui_thread_before(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader's date data takes a quarter of a second to load at its first month name: the box's pause-in-typing
    # read waits for the warm-up thread rather than loading it on the UI thread, and reads as soon as it is done.
    loading = threading.Event()
    monkeypatch.setattr(quick_add_box, "_warm_up_started", True)  # as if the thread were still at it
    monkeypatch.setattr(quick_add_box, "_warmed_up", loading)
    box = QuickAddBox(clock=lambda: NOW)
    qtbot.addWidget(box)
    qtbot.keyClicks(box.line, "Call with Ann 24 Dec 4pm")
    qtbot.wait(quick_add_box.READ_AFTER_MS * 4)
    assert box.parsed is None and box.preview.isHidden()  # nothing read while the reader loads
    loading.set()
    qtbot.waitUntil(lambda: box.parsed is not None, timeout=5000)
    assert box.save_button.isEnabled() and "Call with Ann" in box.preview.text()


def test_the_first_sentence_typed_starts_the_reader_loading_off_the_ui_thread(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quick_add_box, "_warm_up_started", False)
    monkeypatch.setattr(quick_add_box, "_warmed_up", threading.Event())
    threads: list[str] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (threads.append(self.name), real_start(self))[1])
    box = QuickAddBox(clock=lambda: NOW)
    qtbot.addWidget(box)
    assert threads == []  # a box never typed in loads nothing
    qtbot.keyClicks(box.line, "Lunch 12 Dec 1pm")
    assert threads == ["quick-add-warm-up"]  # once, at the first letter
    qtbot.waitUntil(lambda: box.parsed is not None, timeout=10000)
    assert box.save_button.isEnabled()


def test_a_sentence_the_reader_fails_on_leaves_no_reading_to_save_and_says_so(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from klen_desktop import quick_add

    box = QuickAddBox(clock=lambda: NOW)
    qtbot.addWidget(box)
    saved: list[object] = []
    box.save_requested.connect(saved.append)
    qtbot.keyClicks(box.line, "Call with Ann tomorrow 4pm")
    box.read_now()
    assert box.save_button.isEnabled()

    def fails(text: str, now: datetime) -> None:  # a failure inside the date parser the reader uses
        raise LookupError("no zone")

    monkeypatch.setattr(quick_add, "parse_quick_add", fails)
    qtbot.keyClicks(box.line, " 24 Dec")
    box.read_now()
    assert box.problem.text() == quick_add_box.UNREADABLE and box.problem.isVisibleTo(box)
    assert not box.save_button.isEnabled() and box.edit_button.isEnabled()
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert saved == []  # the reading from before the failure is not saved in its place
    assert "a sentence could not be read" in caplog.text
