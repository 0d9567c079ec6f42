"""The clear button of the app's text fields (search, time zone search, API key): painted, shown only with text,
and emptying the field as a user edit would."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.form_widgets import add_clear_button


def test_the_button_shows_with_text_and_empties_the_field_as_an_edit(qtbot: QtBot) -> None:
    line = QLineEdit()
    qtbot.addWidget(line)
    button = add_clear_button(line)
    assert not button.isVisible() and not button.icon().isNull() and button.toolTip() == "Clear"
    edits: list[str] = []
    line.textEdited.connect(edits.append)
    qtbot.keyClicks(line, "abc")
    assert button.isVisible()
    button.trigger()
    assert line.text() == "" and edits[-1] == "" and not button.isVisible()


def test_the_agenda_search_is_cleared_by_its_button_and_the_filter_goes_back_to_all(qtbot: QtBot) -> None:
    window = AgendaWindow()
    qtbot.addWidget(window)
    search = window.toolbar.search_edit
    assert not search.isClearButtonEnabled()  # Qt's own loads the style's standard icon for it
    (button,) = search.actions()
    qtbot.keyClicks(search, "Ethan")
    qtbot.waitUntil(lambda: window.model.filter.text == "Ethan", timeout=2000)
    button.trigger()
    qtbot.waitUntil(lambda: window.model.filter.is_default, timeout=2000)
