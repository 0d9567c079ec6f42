"""The Week view in the real app on the emulator: the user switches to it, drags over free time tomorrow and gets
the editor for that range; the app started again opens its agenda on the Week view (the settings file keeps it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_harness import MakeApp, insert_event, local_noon_tomorrow
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from klen_desktop.emulator import EmulatorServer
from klen_desktop.settings import load_preferences
from klen_desktop.ui.agenda.toolbar import AgendaView

pytestmark = pytest.mark.asyncio


async def test_week_view_drag_opens_the_editor_for_that_range_and_the_view_is_remembered(
    qtbot: QtBot, make_app: MakeApp, emulator: EmulatorServer
) -> None:
    insert_event(emulator, "Team sync", hours_from_now=2)
    app = await make_app()
    app.tray_item("Open agenda").trigger()
    agenda = app.agenda
    await app.until(lambda: "Team sync" in app.agenda_titles(), "the calendar listed")
    agenda.toolbar.view_buttons[AgendaView.WEEK].click()
    view = agenda.week_view
    assert agenda.stack.currentWidget() is view
    await app.until(lambda: app.desktop.prefs.agenda_view == "week", "the choice saved")

    start = local_noon_tomorrow() + timedelta(hours=3)  # tomorrow 15:00 local, free
    agenda.go_to_date(start.date())  # the Week view shows calendar weeks: tomorrow may open the next one
    column = view.days.index(start.date())
    view.verticalScrollBar().setValue(round(view.y_of(14 * 60) - view.top_height))
    x = view.x_of(column) + view.column_width() / 2
    scroll = view.verticalScrollBar().value()
    top = QPointF(x, view.y_of(15 * 60 + 5) - scroll).toPoint()
    bottom = QPointF(x, view.y_of(16 * 60 + 20) - scroll).toPoint()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=top)
    qtbot.mouseMove(view.viewport(), pos=top + QPoint(0, 20))
    qtbot.mouseMove(view.viewport(), pos=bottom)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=bottom)
    await app.until(lambda: app.windows.editors, "the editor opened")
    editor = app.windows.editors[-1]
    assert editor.start_edit.value() == start
    assert editor.end_edit.value() == start + timedelta(minutes=90)
    editor.reject()

    again = await make_app()  # the same settings file: the app started again
    again.desktop.prefs = load_preferences(again.desktop.prefs_path)  # what its main() does before it starts
    again.tray_item("Open agenda").trigger()
    assert again.agenda.toolbar.view is AgendaView.WEEK
    assert again.agenda.stack.currentWidget() is again.agenda.week_view
