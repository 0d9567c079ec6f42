"""The agenda's Day and Week views as a user drives them: the switch and its keys, clicks, double-clicks, keys and
drags on the painted grid, the filters, the now line, and server values that make no sense. Real widgets."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from local_zone import local_zone
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QComboBox, QToolTip
from pytestqt.qtbot import QtBot
from test_agenda_values import make_event

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.date_texts import day_heading, day_range
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.filters import ALL_STATUSES, AgendaAccount, AgendaFilter
from klen_desktop.ui.agenda.toolbar import AgendaView
from klen_desktop.ui.agenda.week_view import WeekView

TODAY = datetime.now().astimezone().date()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


NOW = local(TODAY, 12)
TOMORROW = TODAY + timedelta(days=1)


def calendar() -> list[StoredEvent]:
    return [
        make_event(1, local(TODAY, 9), 60, title="Stand-up"),
        make_event(2, local(TODAY, 9, 30), 60, title="Overlapping call", event_type=EventType.VOICE_CALL),
        make_event(3, local(TODAY, 14), 30, title="Roof repair", customer={"name": "Ann"}, location="Main st 4"),
        make_event(4, local(TOMORROW, 10), 90, title="Cancelled visit", status=EventStatus.CANCELLED),
        make_event(5, local(TODAY + timedelta(days=3), 15), 60, title="Later this week"),
        make_event(6, local(TODAY + timedelta(days=8), 9), 60, title="Next week"),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, clock: Clock) -> Iterator[AgendaWindow]:
    w = AgendaWindow(clock=clock)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.set_events(calendar(), NOW)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    yield w
    w.hide()


def week(window: AgendaWindow) -> WeekView:
    window.set_view(AgendaView.WEEK)
    assert window.stack.currentWidget() is window.week_view
    return window.week_view


def titles(view: WeekView) -> set[str]:
    shown = {view.facts[b.item].summary.title for b in view.layout_.blocks}
    return shown | {view.facts[b.item].summary.title for b in view.layout_.bands}


def point_of(view: WeekView, event_id: int) -> QPoint:
    """The centre of the event's first block in viewport pixels, scrolled into view first."""
    block = view.first_block_of(event_id)
    assert block is not None
    rect = view.placed.block_rects[block]
    view.ensure_visible(rect)
    return rect.center().toPoint() - QPoint(0, view.verticalScrollBar().value())


def point_at(view: WeekView, day: date, hour: int, minute: int = 0) -> QPoint:
    """Viewport pixels of a moment in the middle of ``day``'s column, scrolled into view first."""
    column = view.days.index(day)
    y = view.y_of(hour * 60 + minute)
    view.verticalScrollBar().setValue(round(y - view.top_height - 2 * view.hour_height))
    x = view.x_of(column) + view.column_width() / 2
    return QPointF(x, y - view.verticalScrollBar().value()).toPoint()


def box(window: AgendaWindow) -> date:
    return window.toolbar.date_edit.date().toPython()  # type: ignore[no-any-return]


def test_the_switch_and_keys_1_2_3_change_the_view_and_the_box_and_steps_follow(
    qtbot: QtBot, window: AgendaWindow
) -> None:
    tb = window.toolbar
    assert [b.accessibleName() for b in tb.view_buttons.values()] == ["Agenda view", "Day view", "Week view"]
    window.list_view.setFocus()
    with qtbot.waitSignal(window.view_changed, timeout=1000) as switched:
        qtbot.keyClick(window.list_view, Qt.Key.Key_3)
    assert switched.args == [AgendaView.WEEK] and tb.view_buttons[AgendaView.WEEK].isChecked()
    view = window.week_view
    assert window.stack.currentWidget() is view and view.hasFocus()
    assert view.accessibleName() == f"Week, {day_range(TODAY, TODAY + timedelta(days=6))}, 5 events"
    assert (
        view.days
        == tuple(TODAY + timedelta(days=i) for i in range(7))
        == tuple(window.shown_range()[0] + timedelta(days=i) for i in range(7))
    )
    assert titles(view) == {"Stand-up", "Overlapping call", "Roof repair", "Cancelled visit", "Later this week"}

    qtbot.keyClick(view, Qt.Key.Key_2)
    assert view.accessibleName().startswith(f"{day_heading(TODAY)}, ")
    assert view.days == (TODAY,) and window.shown_range() == (TODAY, TODAY)
    assert tb.next_button.toolTip().startswith("Next day")
    tb.next_button.click()
    assert box(window) == TOMORROW and view.days == (TOMORROW,) and titles(view) == {"Cancelled visit"}
    assert window.footer.text() == "1 of 6 events"  # what the day shows, not the list's week
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert box(window) == TODAY and view.days == (TODAY,)

    tb.view_buttons[AgendaView.WEEK].click()
    tb.next_button.click()
    assert box(window) == TODAY + timedelta(days=7) and view.days[0] == box(window)
    assert titles(view) == {"Next week"}
    tb.today_button.click()
    assert box(window) == TODAY and view.days[0] == TODAY

    # A digit typed in the search box is a search, not a switch.
    tb.search_edit.setFocus()
    qtbot.keyClicks(tb.search_edit, "1")
    assert tb.view is AgendaView.WEEK and window.model.filter.text == "1"
    tb.search_edit.clear()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert tb.view is AgendaView.AGENDA and window.stack.currentWidget() is window.list_view
    assert window.shown_range() == (TODAY, TODAY + timedelta(days=6))
    tb.date_edit.setFocus()  # the date is a button, not a text box: a digit on it switches the view as anywhere
    qtbot.keyClick(tb.date_edit, Qt.Key.Key_2)
    assert tb.view is AgendaView.DAY


def test_a_click_shows_the_event_in_the_pane_and_a_double_click_or_enter_opens_it(
    qtbot: QtBot, window: AgendaWindow
) -> None:
    view = week(window)
    with qtbot.waitSignal(view.selected, timeout=1000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 3))
    assert window.pane.shown_event is not None and window.pane.shown_event.id == 3
    assert view.selected_id == 3 and view.hasFocus()
    assert view.accessibleDescription().startswith("Roof repair, ")  # what a screen reader says of the view
    with qtbot.waitSignal(window.edit_requested, timeout=1000) as opened:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 1))
    assert opened.args == [1]
    with qtbot.waitSignal(window.edit_requested, timeout=1000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [1]
    # A click on free time leaves nothing selected.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, TODAY, 18))
    assert view.selected_id == 0 and window.pane.shown_event is None
    # The detail pane's event stays selected across a switch to the list and back.
    window.show_event(5)
    assert view.selected_id == 5 and window.pane.shown_event is not None and window.pane.shown_event.id == 5


def test_arrows_move_between_events_and_days(qtbot: QtBot, window: AgendaWindow) -> None:
    view = week(window)
    view.setFocus()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 1))
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_id == 2 and window.pane.shown_event is not None and window.pane.shown_event.id == 2
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_id == 3
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_id == 4  # tomorrow's one event
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_id == 5  # two days on: the days between have none
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_id == 4
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.selected_id == 4  # the first of its day: it stays
    with qtbot.assertNotEmitted(window.cancel_requested):
        qtbot.keyClick(view, Qt.Key.Key_Delete)  # cancelled already: nothing to ask
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_id == 2  # the nearest in time to 10:00 on the day before: 9:30
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert window.cancel_dialog is not None and window.cancel_dialog.event_id == 2
    window.cancel_dialog.reject()
    # Past the last day with events, Right steps on to the next range (a week here, a day in the Day view).
    view.select(5)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert box(window) == TODAY + timedelta(days=7) and view.selected_id == 0
    qtbot.keyClick(view, Qt.Key.Key_2)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # a day with no events: on to the next day
    assert box(window) == TODAY + timedelta(days=8) and view.days == (box(window),)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # nothing selected yet: the first event in view
    assert view.selected_id == 6


def drag(qtbot: QtBot, view: WeekView, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=QPoint(start.x(), (start.y() + end.y()) // 2))
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)


def test_a_drag_over_free_time_asks_for_a_new_event_of_that_range(qtbot: QtBot, window: AgendaWindow) -> None:
    view = week(window)
    start = point_at(view, TOMORROW, 15, 5)
    end = start + QPoint(0, round(view.hour_height * 75 / 60))  # to 16:20
    with qtbot.waitSignal(window.new_event_requested, timeout=1000) as created:
        drag(qtbot, view, start, end)
    assert created.args == [local(TOMORROW, 15), local(TOMORROW, 16, 30)]  # snapped outward to quarter hours
    assert view.drag is None
    # Upwards works as well; a double-click on free time asks for an hour.
    with qtbot.waitSignal(window.new_event_requested, timeout=1000) as created:
        drag(qtbot, view, end, start)
    assert created.args == [local(TOMORROW, 15), local(TOMORROW, 16, 30)]
    with qtbot.waitSignal(window.new_event_requested, timeout=1000) as created:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, TODAY, 19, 5))
    assert created.args == [local(TODAY, 19), local(TODAY, 20)]
    # Escape drops a drag half made.
    with qtbot.assertNotEmitted(window.new_event_requested):
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(view.viewport(), pos=end)
        qtbot.keyClick(view, Qt.Key.Key_Escape)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    window.set_read_only(True, "This key can only read.")
    with qtbot.assertNotEmitted(window.new_event_requested):
        drag(qtbot, view, point_at(view, TOMORROW, 17), point_at(view, TOMORROW, 18))


def test_the_grid_shows_what_the_search_and_filters_let_through(qtbot: QtBot, window: AgendaWindow) -> None:
    view = week(window)
    qtbot.keyClicks(window.toolbar.search_edit, "roof")
    assert titles(view) == {"Roof repair"}
    window.toolbar.set_filter(AgendaFilter(statuses=ALL_STATUSES - {EventStatus.CANCELLED}))
    assert "Cancelled visit" not in titles(view) and "Stand-up" in titles(view)
    window.toolbar.set_filter(AgendaFilter(text="nothing like this"))
    assert titles(view) == set() and window.stack.currentWidget() is view  # an empty week is still a grid


def test_the_now_line_follows_the_minute_tick_in_todays_column(
    qtbot: QtBot, window: AgendaWindow, clock: Clock
) -> None:
    view = week(window)
    before = view.now_line_y()
    assert before == view.y_of(12 * 60)
    clock.now = NOW + timedelta(minutes=90)
    window.refresh_time()
    assert view.now_line_y() == view.y_of(13 * 60 + 30)
    window.toolbar.next_button.click()
    assert view.now_line_y() is None  # next week has no today


def test_server_values_that_make_no_sense_are_shown_without_failing(qtbot: QtBot, window: AgendaWindow) -> None:
    base = make_event(10, local(TODAY, 16), 30, title="<b>bold</b>\nsecond line")
    backwards = dataclasses.replace(
        base, summary=base.summary.model_copy(update={"end_time": base.summary.start_time - timedelta(hours=2)})
    )
    odd = make_event(11, local(TODAY, 17), 0, title="Zero length")
    odd = dataclasses.replace(
        odd,
        summary=odd.summary.model_copy(
            update={"event_type": EventType("team_webinar"), "status": EventStatus("postponed")}
        ),
    )
    huge = make_event(12, local(TODAY - timedelta(days=4000), 0), 60 * 24 * 9000, title="Decades long")
    window.set_events([*calendar(), backwards, odd, huge], NOW)
    view = week(window)
    assert {"<b>bold</b>\nsecond line", "Zero length", "Decades long"} <= titles(view)
    assert not view.grab().isNull()
    point = point_of(view, 10)
    qtbot.mouseMove(view.viewport(), point)  # the pointer rests on the event: its text is the tooltip
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    assert "&lt;b&gt;bold&lt;/b&gt; second line" in QToolTip.text()
    QToolTip.hideText()


def test_the_tooltip_follows_the_pointer_from_event_to_event_and_off_them(qtbot: QtBot, window: AgendaWindow) -> None:
    first = make_event(10, local(TODAY, 9), 60, title="Morning call")
    second = make_event(11, local(TODAY, 14), 60, title="Afternoon visit")
    window.set_events([first, second], NOW)
    view = week(window)
    viewport = view.viewport()

    def tip_at(point: QPoint) -> str:
        qtbot.mouseMove(viewport, point)
        QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
        return QToolTip.text() if QToolTip.isVisible() else ""

    try:
        assert "Morning call" in tip_at(point_of(view, 10))
        assert "Afternoon visit" in tip_at(point_of(view, 11))  # shown at once in place of the first
        block = view.placed.block_rects[view.first_block_of(10) or 0]
        free = QPoint(round(block.center().x()), round(block.top()) - 8 - view.verticalScrollBar().value())
        assert view.event_at(QPointF(free)) == 0
        tip_at(free)
        assert viewport.toolTip() == ""
        qtbot.waitUntil(lambda: not QToolTip.isVisible())  # the first event's tip goes, none comes
        window.set_events([second], NOW)  # events move under a still pointer: no stale text is left
        assert viewport.toolTip() == ""
    finally:
        QToolTip.hideText()


def test_the_toolbar_takes_two_rows_where_one_does_not_fit(qtbot: QtBot, window: AgendaWindow) -> None:
    tb = window.toolbar
    # Narrow enough for a 1280 x 800 screen at 200 % (640 logical pixels), switch included.
    assert window.minimumSizeHint().width() <= 640
    window.resize(1280, 700)
    qtbot.waitUntil(lambda: window.width() == 1280)
    assert tb.search_edit.geometry().center().y() == tb.today_button.geometry().center().y()
    window.resize(window.minimumSizeHint().width(), 700)
    qtbot.waitUntil(lambda: tb.search_edit.geometry().top() > tb.today_button.geometry().bottom())
    assert tb.sync_button.geometry().right() <= tb.width() and tb.view_buttons[AgendaView.DAY].isVisible()


def test_a_drag_held_at_the_bottom_edge_scrolls_on_to_later_hours(qtbot: QtBot, window: AgendaWindow) -> None:
    view = week(window)
    bar = view.verticalScrollBar()
    start = point_at(view, TOMORROW, 8)
    edge = view.viewport().height() - 2
    in_view_before = view.minutes_at(edge)  # the latest minute the drag could reach without scrolling
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(6):
        qtbot.mouseMove(view.viewport(), pos=QPoint(start.x(), edge - step % 2))
    with qtbot.waitSignal(window.new_event_requested, timeout=1000) as created:
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(start.x(), edge))
    assert created.args[0] == local(TOMORROW, 8)
    assert created.args[1] > local(TOMORROW, 0) + timedelta(minutes=in_view_before + 30)
    assert bar.value() > 0


def test_a_new_local_zone_moves_the_blocks_to_their_new_hours(qtbot: QtBot) -> None:
    with local_zone("Europe/Berlin"):
        monday = date(2026, 12, 7)
        now = datetime(2026, 12, 7, 8, tzinfo=UTC)
        w = AgendaWindow(clock=lambda: now)
        qtbot.addWidget(w)
        w.resize(1100, 700)
        w.set_events([make_event(1, datetime(2026, 12, 7, 9, tzinfo=UTC), 60, title="Call")], now)
        w.show()
        qtbot.waitExposed(w)
        w.go_to_date(monday)
        view = week(w)
        (block,) = view.layout_.blocks
        assert (view.days[block.day], block.top) == (monday, 10 * 60)  # 09:00 UTC is 10:00 in Berlin
        os.environ["TZ"] = "Asia/Tokyo"  # the OS moves on; the minute tick notices
        w.refresh_time()
        (block,) = view.layout_.blocks
        assert (view.days[block.day], block.top) == (monday, 18 * 60)
        w.hide()


def test_a_switch_shows_the_selected_event_or_else_the_now_line(qtbot: QtBot, window: AgendaWindow) -> None:
    view = window.week_view
    bar = view.verticalScrollBar()
    window.resize(1100, 420)  # a few hours in view
    qtbot.waitUntil(lambda: window.height() == 420)

    def in_view(top: float, bottom: float) -> bool:
        return view.top_height <= top - bar.value() and bottom - bar.value() <= view.viewport().height()

    window.set_view(AgendaView.DAY)
    now_y = view.now_line_y()
    assert now_y is not None and in_view(now_y, now_y)
    window.set_view(AgendaView.AGENDA)
    window.show_event(1)  # 9:00 to 10:00 today: above the rows the now line (12:00) scrolls to
    window.set_view(AgendaView.WEEK)
    block = view.first_block_of(1)
    assert block is not None
    rect = view.placed.block_rects[block]
    assert view.selected_id == 1 and in_view(rect.top(), rect.bottom())


def test_the_grid_is_built_on_the_first_switch_and_gets_what_was_set_before(qtbot: QtBot, clock: Clock) -> None:
    """Most sessions stay in the list: the grid's widget is made when a grid view is first chosen, and the account
    colours given before then reach it."""
    window = AgendaWindow(clock=clock)
    qtbot.addWidget(window)
    window.set_events(calendar(), NOW)
    accounts = [AgendaAccount("a", "Agency", "#aa0000"), AgendaAccount("b", "Bakery", "#0000aa")]
    window.set_accounts(accounts, lambda event_id: "a" if event_id % 2 else "b")
    window.show()
    qtbot.waitExposed(window)
    assert not window.grid.built and not window.findChildren(WeekView)
    assert window.stack.count() == 2  # the list and its message page only
    window.set_view(AgendaView.AGENDA)  # choosing the list again builds nothing
    assert not window.grid.built

    view = week(window)
    assert window.grid.built and window.findChildren(WeekView) == [view] and window.stack.indexOf(view) == 2
    assert view.account_colours == {"a": "#aa0000", "b": "#0000aa"}
    assert titles(view) >= {"Stand-up", "Roof repair"}
    window.set_view(AgendaView.DAY)
    assert window.week_view is view and window.findChildren(WeekView) == [view]  # built once
    window.set_accounts(accounts[:1], lambda _event_id: "a")
    assert view.account_colours == {}  # one account: no stripes


def test_the_account_choice_is_made_only_when_there_are_accounts_to_choose_from(qtbot: QtBot, clock: Clock) -> None:
    # The window's own children, not QApplication.allWidgets(): that wraps every widget the whole run left, and
    # a fresh-clone run once crashed in it, inside PySide, before this test did anything.
    window = AgendaWindow(clock=clock)
    qtbot.addWidget(window)
    window.set_events(calendar(), NOW)
    tb = window.toolbar
    window.set_accounts([AgendaAccount("a", "Agency", "#aa0000")], lambda _event_id: "a")
    window.show()
    qtbot.waitExposed(window)
    assert window.findChildren(QComboBox) == []  # one account: nothing to choose, nothing made
    assert tb.current_filter().accounts is None

    two = [AgendaAccount("a", "Agency", "#aa0000"), AgendaAccount("b", "Bakery", "#0000aa")]
    window.set_accounts(two, lambda event_id: "a" if event_id % 2 else "b")
    qtbot.waitUntil(lambda: tb.account_combo.isVisibleTo(window), timeout=1000)  # shown once laid out
    assert tb.account_combo.count() == 3
    with qtbot.waitSignal(window.filter_changed, timeout=1000):
        tb.account_combo.setCurrentIndex(tb.account_combo.findData("b"))
    assert tb.current_filter().accounts == frozenset({"b"})

    window.set_accounts(two[:1], lambda _event_id: "a")  # the chosen one went: back to all, the choice hidden
    assert not tb.account_combo.isVisibleTo(window) and tb.current_filter().accounts is None


def test_the_event_picked_in_the_grid_stays_picked_back_in_the_list(qtbot: QtBot, window: AgendaWindow) -> None:
    view = week(window)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 3))
    assert window.pane.shown_event is not None and window.pane.shown_event.id == 3
    window.set_view(AgendaView.AGENDA)
    assert window.list_view.hasFocus()
    assert window.model.event_at(window.list_view.currentIndex().row()).id == 3  # not the list's first event
    assert window.pane.shown_event.id == 3
