"""The second time zone in every window that shows times, real widgets: the agenda's rows, the week view's
second hour column, the detail pane, the editor, and the picker in Settings (through the running app).

Events sit around local noon tomorrow, in Berlin's zone, so no test depends on the time of day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from app_harness import MakeApp, insert_event, type_into
from local_zone import local_zone
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from test_agenda_values import make_event

from klen_desktop.date_texts import clock, second_zone_id, set_second_zone
from klen_desktop.drafts import EventDraft
from klen_desktop.settings import load_preferences
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.time_grid import moment_at
from klen_desktop.ui.agenda.toolbar import AgendaView
from klen_desktop.ui.editor import EventEditor

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield
    set_second_zone("")


def tomorrow_at(hour: int) -> datetime:
    day = datetime.now().astimezone().date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour).astimezone()


def in_new_york(moment: datetime) -> str:
    return clock(moment.astimezone(NEW_YORK))


def show_agenda(qtbot: QtBot, now: datetime) -> AgendaWindow:
    window = AgendaWindow(clock=lambda: now)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    start = tomorrow_at(14)
    window.set_events([make_event(1, start, 60, title="Call with Dana", customer={"name": "Dana"})], now)
    window.show()
    return window


def pane_texts(window: AgendaWindow) -> dict[str, str]:
    form = window.pane.form
    texts = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole).widget()
        value = form.itemAt(row, form.ItemRole.FieldRole).widget()
        texts[label.text()] = value.text().replace("\u200b", "")  # type: ignore[attr-defined]
    return texts


def test_agenda_rows_and_details_show_the_second_zone_once_chosen(qtbot: QtBot, berlin: None) -> None:
    start = tomorrow_at(14)
    window = show_agenda(qtbot, tomorrow_at(12) - timedelta(days=1))
    row = window.model.row_of(1)
    assert row is not None
    assert window.model.paint_info(row).texts.subtitle == "Dana"
    window.show_event(1)
    assert not any(label.startswith("In ") for label in pane_texts(window))

    set_second_zone("America/New_York")
    window.refresh_time()  # what choosing it in Settings does to an open agenda
    row = window.model.row_of(1)
    assert row is not None
    span = f"{in_new_york(start)}–{in_new_york(start + timedelta(hours=1))} New York"
    assert window.model.paint_info(row).texts.subtitle == f"{span} · Dana"
    times = f"{in_new_york(start)}–{in_new_york(start + timedelta(hours=1))}"
    assert f"{times} · New York (UTC−" in pane_texts(window)["In New York"]


def test_the_week_view_has_a_second_hour_column(qtbot: QtBot, berlin: None) -> None:
    window = show_agenda(qtbot, tomorrow_at(12) - timedelta(days=1))
    window.set_view(AgendaView.WEEK)
    view = window.week_view
    narrow = view.gutter
    set_second_zone("America/New_York")
    window.refresh_time()
    assert view.second_zone == "America/New_York"
    assert view.gutter > narrow + view.hour_label_width // 2  # room for the second column
    day = view.second_hour_day()
    assert day is not None and day in view.days
    image = view.viewport().grab().toImage()  # paints both columns and the zone's name without failing
    assert not image.isNull()
    # The column reads 9:00 local as that day's New York time (03:00, or 04:00 while only New York is on DST).
    nine = moment_at(day, 9 * 60)
    assert in_new_york(nine) in {"03:00", "04:00"}
    set_second_zone("")
    window.refresh_time()
    assert view.gutter == narrow


def test_the_editor_shows_start_and_end_in_the_second_zone(qtbot: QtBot, berlin: None) -> None:
    start = tomorrow_at(14)
    editor = EventEditor(EventDraft.new(start, start + timedelta(minutes=30)))
    qtbot.addWidget(editor)
    editor.confirm_discard = lambda: True  # closed at the end with a changed start: no question asked
    editor.show()
    assert editor.second_zone_label.isHidden()
    set_second_zone("America/New_York")
    editor.show_second_zone()
    assert editor.second_zone_caption.text() == "In New York"
    assert (
        f"{in_new_york(start)}–{in_new_york(start + timedelta(minutes=30))} · New York"
        in editor.second_zone_label.text()
    )
    # Moving the start moves the second zone's times with it.
    editor.start_edit.set_value(start + timedelta(hours=2))
    assert in_new_york(start + timedelta(hours=2)) in editor.second_zone_label.text()


@pytest.mark.asyncio
async def test_picking_a_zone_in_settings_keeps_it_and_shows_it(make_app: MakeApp) -> None:
    app = await make_app()
    start = (datetime.now().astimezone() + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    insert_event(app.server, "Roof survey", hours_from_now=0, base=start)
    app.controller.sync_now()
    await app.until(lambda: app.agenda_event("Roof survey") is not None, "the event synced")
    app.tray_item("Settings…").trigger()
    dialog = app.windows.settings
    assert dialog is not None
    dialog.tabs.setCurrentWidget(dialog.zone_page)
    page = dialog.zone_page
    assert page.zones.currentItem().text() == "None: local times only"
    type_into(page.search, "new york")
    shown = [page.zones.item(r) for r in range(page.zones.count()) if not page.zones.item(r).isHidden()]
    assert [item.text().split(" (")[0] for item in shown] == ["America/New_York"]
    assert shown[0].text().endswith(("(UTC−5)", "(UTC−4)"))  # its offset now, winter or summer
    assert page.zones.currentItem() is shown[0]  # the one match is taken
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Save, from the keyboard
    await app.until(lambda: second_zone_id() == "America/New_York", "the zone applied")
    try:
        assert load_preferences(app.desktop.prefs_path).second_zone == "America/New_York"
        row = app.agenda.model.row_of(app.agenda_event("Roof survey").id)
        assert app.agenda.model.paint_info(row).texts.subtitle.endswith("New York")
    finally:
        set_second_zone("")
