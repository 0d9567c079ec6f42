"""The agenda window as a user drives it: keyboard, painted buttons, the cancel confirmation, states, banners,
read-only mode and the detail pane. Real widgets, offscreen or in the test session."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from test_agenda_values import make_entry, make_event

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.date_texts import day_range
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.store.outbox import OutboxState
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.detail_pane import LinkLabel
from klen_desktop.ui.agenda.filters import AgendaFilter
from klen_desktop.ui.agenda.model import Role
from klen_desktop.ui.agenda.rows import NowMark

NOW = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
DETAIL = {"description": "Bring the plans", "is_reminder_enabled": True, "remind_before_minutes": 15}


def calendar() -> list[StoredEvent]:
    return [
        make_event(1, NOW - timedelta(hours=3), 60, title="Ended, still confirmed", detail=DETAIL),
        make_event(
            2,
            NOW + timedelta(hours=1),
            30,
            title="<b>x</b>",
            event_type=EventType.VIDEO_CALL,
            video_url="https://meet.example.com/abc",
            customer={"name": "Ann"},
        ),
        make_event(3, NOW + timedelta(hours=2), 30, event_type=EventType.VIDEO_CALL, video_url="javascript:alert(1)"),
        make_event(4, NOW + timedelta(days=1), 60, title="Roof repair", location="Main street 4", detail=DETAIL),
        make_event(5, NOW + timedelta(days=8), 60, title="Next week", status=EventStatus.SCHEDULED, detail=DETAIL),
    ]


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[AgendaWindow]:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.set_events(calendar(), NOW)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.hide()


def select(window: AgendaWindow, event_id: int) -> None:
    window.show_event(event_id)
    assert window.pane.shown_event is not None and window.pane.shown_event.id == event_id


def click_row_button(qtbot: QtBot, window: AgendaWindow, event_id: int, which: str) -> None:
    row = window.model.row_of(event_id)
    assert row is not None
    view = window.list_view
    index = window.model.index(row)
    view.scrollTo(index)
    rect = view.visualRect(index)
    fm = view.fontMetrics()
    join = index.data(Role.JOIN_URL) is not None
    buttons = window.delegate.buttons(rect, fm, join, bool(index.data(Role.NEEDS_OUTCOME)))
    target = getattr(buttons, which)
    assert target is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=target.center())


def test_keyboard_moves_opens_creates_and_searches(qtbot: QtBot, window: AgendaWindow) -> None:
    # Window shortcuts (N, Ctrl+F) fire only in the active window, as when the user types in it.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    select(window, 2)
    view = window.list_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.pane.shown_event is not None and window.pane.shown_event.id == 3
    with qtbot.waitSignal(window.edit_requested, timeout=1000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [3]
    with qtbot.waitSignal(window.new_event_requested, timeout=1000) as created:
        qtbot.keyClick(view, Qt.Key.Key_N)
    assert created.args == [None, None]
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.toolbar.search_edit.hasFocus()
    # Typing "n" in the search box searches; it does not start a new event.
    with qtbot.assertNotEmitted(window.new_event_requested):
        qtbot.keyClicks(window.toolbar.search_edit, "roof")
    assert window.model.filter.text == "roof"
    assert [window.model.event_at(r) for r in range(window.model.rowCount()) if window.model.event_at(r)] == [
        window.model.find_event(4)
    ]


def test_delete_asks_for_a_reason_then_cancels(qtbot: QtBot, window: AgendaWindow) -> None:
    select(window, 4)
    window.list_view.setFocus()
    with qtbot.assertNotEmitted(window.cancel_requested):
        qtbot.keyClick(window.list_view, Qt.Key.Key_Delete)
    dialog = window.cancel_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason_edit, "Customer  asked to move it")
    with qtbot.waitSignal(window.cancel_requested, timeout=1000) as cancelled:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert cancelled.args == [4, "Customer asked to move it"]
    qtbot.waitUntil(lambda: window.cancel_dialog is None, timeout=1000)


def test_keeping_the_event_cancels_nothing(qtbot: QtBot, window: AgendaWindow) -> None:
    select(window, 4)
    with qtbot.assertNotEmitted(window.cancel_requested):
        window.pane.cancel_button.click()
        dialog = window.cancel_dialog
        assert dialog is not None
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # Enter keeps the event: the safe default
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=1000)


def test_join_is_painted_for_http_links_only_and_clicking_it_asks_to_join(qtbot: QtBot, window: AgendaWindow) -> None:
    assert window.model.index(window.model.row_of(2) or 0).data(Role.JOIN_URL) == "https://meet.example.com/abc"
    assert window.model.index(window.model.row_of(3) or 0).data(Role.JOIN_URL) is None
    with qtbot.waitSignal(window.join_requested, timeout=1000) as joined:
        click_row_button(qtbot, window, 2, "join")
    assert joined.args == ["https://meet.example.com/abc"]
    select(window, 3)
    assert window.pane.join_button.isHidden()
    select(window, 2)
    assert not window.pane.join_button.isHidden()


def test_an_ended_open_event_asks_did_it_happen(qtbot: QtBot, window: AgendaWindow) -> None:
    with qtbot.waitSignal(window.status_requested, timeout=1000) as done:
        click_row_button(qtbot, window, 1, "completed")
    assert done.args == [1, "completed"]
    select(window, 1)
    assert window.pane.outcome_label.isVisible()
    with qtbot.waitSignal(window.status_requested, timeout=1000) as no_show:
        window.pane.no_show_button.click()
    assert no_show.args == [1, "no_show"]
    select(window, 5)
    with qtbot.waitSignal(window.status_requested, timeout=1000) as confirmed:
        window.pane.confirm_button.click()
    assert confirmed.args == [5, "confirmed"]


def test_outcomes_wait_until_the_event_has_started_and_say_why(window: AgendaWindow) -> None:
    select(window, 5)  # still ahead
    pane = window.pane
    for button in (pane.complete_button, pane.no_show_button):
        assert not button.isEnabled() and "once the event has started" in button.toolTip()
    select(window, 1)  # ended, still confirmed
    assert pane.complete_button.isEnabled() and pane.no_show_button.isEnabled()


def test_an_event_that_has_not_started_is_never_asked_did_it_happen(window: AgendaWindow) -> None:
    # A server copy whose end lies before its start: over by its end, yet it starts in two hours.
    odd = make_event(6, NOW + timedelta(hours=2), -4 * 60, title="Ends before it starts", detail=DETAIL)
    window.set_events([*calendar(), odd], NOW)
    row = window.model.row_of(6)
    assert row is not None and not window.model.index(row).data(Role.NEEDS_OUTCOME), "no Did it happen? on the row"
    select(window, 6)
    pane = window.pane
    assert not pane.outcome_label.isVisible()
    for button in (pane.complete_button, pane.no_show_button):
        assert not button.isEnabled() and "once the event has started" in button.toolTip()
    assert pane.confirm_button.isEnabled() is False and pane.cancel_button.isEnabled()


def test_every_status_action_that_is_off_says_why(window: AgendaWindow) -> None:
    done = make_event(7, NOW - timedelta(hours=5), 30, title="Done", status=EventStatus.COMPLETED, detail=DETAIL)
    gone = make_event(8, NOW + timedelta(hours=5), 30, title="Off", status=EventStatus.CANCELLED, detail=DETAIL)
    window.set_events([*calendar(), done, gone], NOW)
    pane = window.pane
    for event_id in (1, 2, 5, 7, 8):
        select(window, event_id)
        for button in (pane.confirm_button, pane.complete_button, pane.no_show_button, pane.cancel_button):
            assert button.isEnabled() or button.toolTip(), f"{button.text()} is off with no reason for {event_id}"
    select(window, 5)  # scheduled, a week ahead: Confirm and Cancel stay
    assert pane.confirm_button.isEnabled() and pane.cancel_button.isEnabled()


def test_an_events_title_can_be_selected_and_the_hint_shown_without_one_cannot(window: AgendaWindow) -> None:
    # A pane that only showed the hint never needs the text machinery a selectable label brings.
    pane = window.pane
    assert pane.shown_event is None and pane.title_label.text() == "No event selected"
    assert pane.title_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    select(window, 2)
    assert pane.title_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    pane.show_event(None)
    assert pane.title_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction


def test_titles_are_plain_text_everywhere(window: AgendaWindow) -> None:
    select(window, 2)
    assert window.model.index(window.model.row_of(2) or 0).data(Qt.ItemDataRole.DisplayRole) == "<b>x</b>"
    assert window.pane.title_label.text() == "<b>x</b>"
    labels = window.findChildren(QLabel)
    # A link label is rich text only to be clickable; it escapes what it shows (see test_detail_pane_links).
    assert labels and all(
        label.textFormat() == Qt.TextFormat.PlainText or isinstance(label, LinkLabel) for label in labels
    )


def test_read_only_disables_every_write_with_the_reason(qtbot: QtBot, window: AgendaWindow) -> None:
    reason = "This key may only read the calendar."
    window.set_read_only(True, reason)
    select(window, 5)
    pane = window.pane
    for button in (
        pane.confirm_button,
        pane.complete_button,
        pane.no_show_button,
        pane.cancel_button,
        pane.edit_button,
    ):
        assert not button.isEnabled() and reason in button.toolTip()
    assert not window.toolbar.new_button.isEnabled() and reason in window.toolbar.new_button.toolTip()
    assert pane.copy_button.isEnabled() and pane.ics_button.isEnabled()
    assert window.read_only_banner.isVisible() and reason in window.read_only_banner.label.text()
    window.list_view.setFocus()
    with qtbot.assertNotEmitted(window.new_event_requested), qtbot.assertNotEmitted(window.edit_requested):
        qtbot.keyClick(window.list_view, Qt.Key.Key_N)
        qtbot.keyClick(window.list_view, Qt.Key.Key_Return)
        qtbot.keyClick(window.list_view, Qt.Key.Key_Delete)
    assert window.cancel_dialog is None
    rect = window.list_view.visualRect(window.model.index(window.model.row_of(1) or 0))
    buttons = window.delegate.buttons(rect, window.list_view.fontMetrics(), False, True)
    assert buttons.completed is None and buttons.no_show is None
    window.set_read_only(False, "")
    assert pane.confirm_button.isEnabled() and not window.read_only_banner.isVisible()


def test_loading_empty_and_no_match_states(qtbot: QtBot) -> None:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    assert w.stack.currentIndex() == 1 and "Loading" in w.message.text()
    w.set_sync_status(SyncStatus(phase=SyncPhase.OFFLINE))
    assert "nothing is cached" in w.message.text()
    w.set_events([], NOW)
    assert "No events" in w.message.text() and w.message_button.text() == "New event"
    with qtbot.waitSignal(w.new_event_requested, timeout=1000):
        w.message_button.click()
    w.set_events(calendar(), NOW)
    assert w.stack.currentIndex() == 0
    w.toolbar.search_edit.setText("no such thing")
    assert w.stack.currentIndex() == 1 and w.message_button.text() == "Clear filters"
    w.message_button.click()
    assert w.model.filter == AgendaFilter() and w.toolbar.search_edit.text() == "" and w.stack.currentIndex() == 0


def test_offline_and_key_error_banners(qtbot: QtBot, window: AgendaWindow) -> None:
    last = NOW - timedelta(minutes=25)
    window.set_sync_status(SyncStatus(phase=SyncPhase.OFFLINE, last_success=last))
    banner = window.sync_banner
    assert banner.isVisible() and "Offline" in banner.label.text() and "25 min ago" in banner.label.text()
    assert window.stack.currentIndex() == 0  # cached events stay on screen
    with qtbot.waitSignal(window.refresh_requested, timeout=1000):
        banner.button.click()
    window.set_sync_status(SyncStatus(phase=SyncPhase.AUTH_ERROR, last_success=last, last_error="Invalid API key"))
    assert "Invalid API key" in banner.label.text() and banner.button.text() == "Settings…"
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        banner.button.click()
    window.set_sync_status(SyncStatus(phase=SyncPhase.IDLE, last_success=NOW))
    assert not banner.isVisible() and "Last synced" in window.footer.text()


def test_outbox_problem_banners_resend_and_discard(qtbot: QtBot, window: AgendaWindow) -> None:
    entries = [
        make_entry(11, OutboxState.ATTENTION, event_id=4, message="customer_email: invalid"),
        make_entry(12, OutboxState.CONFLICT, event_id=5),
        make_entry(13, OutboxState.PENDING, event_id=2),
    ]
    window.set_outbox_problems(entries)
    rows = window.problems.rows
    assert window.problems.isVisible() and len(rows) == 2
    assert "Roof repair" in rows[0].label.text() and "customer_email: invalid" in rows[0].label.text()
    assert "changed on the server" in rows[1].label.text().replace("change made on the server", "changed on the server")
    with qtbot.waitSignal(window.outbox_resend_requested, timeout=1000) as resend:
        rows[0].button.click()
    assert resend.args == [11]
    with qtbot.waitSignal(window.outbox_discard_requested, timeout=1000) as discard:
        rows[1].second_button.click()
    assert discard.args == [12]
    window.set_outbox_problems([])
    assert not window.problems.isVisible()


def test_pane_asks_for_missing_details_and_shows_them(qtbot: QtBot, window: AgendaWindow) -> None:
    with qtbot.waitSignal(window.detail_needed, timeout=1000) as needed:
        window.show_event(2)
    assert needed.args == [2]
    assert window.pane.note_label.text() == "Loading details…"
    with qtbot.assertNotEmitted(window.detail_needed):
        window.show_event(4)  # details cached and current
        window.show_event(2)  # already asked
    base = window.model.find_event(2)
    assert base is not None
    fresh = make_event(
        2,
        base.start_time,
        30,
        title="<b>x</b>",
        event_type=EventType.VIDEO_CALL,
        video_url="https://meet.example.com/abc",
        customer={"name": "Ann"},
        detail={"description": "Agenda: <i>pricing</i>", "customer": {"name": "Ann", "notes": "VIP"}},
    )
    window.set_event_detail(fresh)
    texts = [label.text() for label in window.pane.findChildren(QLabel)]
    assert "Agenda: <i>pricing</i>" in texts and "VIP" in texts
    assert window.pane.note_label.isHidden()


def test_copy_details_puts_plain_text_on_the_clipboard(qtbot: QtBot, window: AgendaWindow) -> None:
    select(window, 4)
    with qtbot.waitSignal(window.copy_details_requested, timeout=1000) as copied:
        window.pane.copy_button.click()
    assert copied.args == [4]
    text = QGuiApplication.clipboard().text()
    assert (
        text.startswith("Roof repair\n")
        and "Location: Main street 4" in text
        and "Description: Bring the plans" in text
    )
    with qtbot.waitSignal(window.ics_requested, timeout=1000) as ics:
        window.pane.ics_button.click()
    assert ics.args == [4]


def test_show_event_clears_filters_that_hide_it_and_updates_keep_the_selection(window: AgendaWindow) -> None:
    window.toolbar.search_edit.setText("roof")
    window.show_event(5)
    assert window.toolbar.search_edit.text() == "" and window.pane.shown_event is not None
    assert window.list_view.currentIndex().row() == window.model.row_of(5)
    events = calendar()
    events[4] = dataclasses.replace(events[4], local_state=LocalState.PENDING)
    window.set_events([make_event(9, NOW - timedelta(days=2)), *events], NOW)
    assert window.list_view.currentIndex().row() == window.model.row_of(5)
    assert window.pane.shown_event is not None and window.pane.shown_event.local_state is LocalState.PENDING


def box(w: AgendaWindow) -> date:
    """The date the date box shows, read from its text as the user reads it."""
    return datetime.strptime(w.toolbar.date_edit.text(), "%a %d %b %Y").date()


def listed_days(w: AgendaWindow) -> list[date]:
    """The days of the events the list holds, in order."""
    model = w.model
    return [model.index(r).data(Role.DAY) for r in range(model.rowCount()) if model.event_at(r) is not None]


def assert_box_and_list_agree(w: AgendaWindow) -> None:
    first = box(w)
    assert w.shown_range() == (first, first + timedelta(days=6))
    headings = [w.model.day_of_row(r) for r in range(w.model.rowCount())]
    assert all(first <= d < first + timedelta(days=7) for d in headings if d is not None), (first, headings)


def test_the_buttons_move_the_date_box_and_the_list_together(qtbot: QtBot) -> None:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    w.resize(1000, 600)
    today = NOW.date()
    # Events three to five days ahead only, and some the week before: a week ahead has none.
    days = [-5, -4, 3, 4, 5]
    w.set_events([make_event(d * 10 + h, NOW + timedelta(days=d, hours=h)) for d in days for h in range(3)], NOW)
    w.show()
    qtbot.waitExposed(w)
    ahead = [today + timedelta(days=d) for d in (3, 4, 5) for _ in range(3)]

    assert box(w) == today and listed_days(w) == ahead
    assert_box_and_list_agree(w)
    qtbot.mouseClick(w.toolbar.next_button, Qt.MouseButton.LeftButton)
    next_week = today + timedelta(days=7)
    assert box(w) == next_week and listed_days(w) == []
    assert w.stack.currentIndex() == 1 and w.message.isVisibleTo(w), "the empty week is said in the list's place"
    assert w.message.text() == f"No events this week ({day_range(next_week, next_week + timedelta(days=6))})."
    assert_box_and_list_agree(w)
    qtbot.mouseClick(w.toolbar.next_button, Qt.MouseButton.LeftButton)
    assert box(w) == today + timedelta(days=14) and listed_days(w) == []
    for _ in range(3):
        qtbot.mouseClick(w.toolbar.prev_button, Qt.MouseButton.LeftButton)
    assert box(w) == today - timedelta(days=7)
    assert listed_days(w) == [today + timedelta(days=d) for d in (-5, -4) for _ in range(3)]
    assert w.stack.currentIndex() == 0
    assert_box_and_list_agree(w)
    qtbot.mouseClick(w.toolbar.today_button, Qt.MouseButton.LeftButton)
    assert box(w) == today and listed_days(w) == ahead

    w.toolbar.date_edit.setDate(w.toolbar.date_edit.date().addDays(4))  # a date picked in the box
    assert box(w) == today + timedelta(days=4)
    assert listed_days(w) == [today + timedelta(days=d) for d in (4, 5) for _ in range(3)]
    assert_box_and_list_agree(w)

    w.toolbar.search_edit.setText("no such thing")  # a filter keeps the week and says the search found nothing
    assert box(w) == today + timedelta(days=4) and "match the search" in w.message.text()
    w.toolbar.search_edit.setText("Event 3")  # three events on day 3, the week before the one shown
    assert w.message.text().endswith("match the search and filters; 3 do in other weeks.")
    qtbot.mouseClick(w.message_button, Qt.MouseButton.LeftButton)
    assert box(w) == today - timedelta(days=3) and listed_days(w) == [today + timedelta(days=3)] * 3
    assert_box_and_list_agree(w)
    w.toolbar.search_edit.clear()
    w.go_to_date(today + timedelta(days=4))

    # A sync brings rows in other weeks: the week shown and its box stay as they were.
    later = [make_event(900 + d, NOW + timedelta(days=d)) for d in (-20, 1, 30)]
    w.set_events([*later, *(make_event(d * 10, NOW + timedelta(days=d)) for d in days)], NOW)
    assert box(w) == today + timedelta(days=4) and listed_days(w) == [today + timedelta(days=d) for d in (4, 5)]

    w.show_event(930)  # a notification opens an event a month ahead: the weeks step to it
    assert today + timedelta(days=30) in listed_days(w)
    assert_box_and_list_agree(w)
    assert w.pane.shown_event is not None and w.pane.shown_event.id == 930


def test_visibility_is_reported_for_fast_sync(qtbot: QtBot, window: AgendaWindow) -> None:
    with qtbot.waitSignal(window.visibility_changed, timeout=1000) as hidden:
        window.close()
    assert hidden.args == [False]
    with qtbot.waitSignal(window.visibility_changed, timeout=1000) as shown:
        window.show()
    assert shown.args == [True]


def test_demo_mark(qtbot: QtBot, window: AgendaWindow) -> None:
    window.set_demo(True)
    assert "Demo" in window.windowTitle() and window.mode_banner.isVisible() and "Demo" in window.footer.text()
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        window.mode_banner.button.click()
    window.set_demo(False)
    assert not window.mode_banner.isVisible() and "Demo" not in window.windowTitle()


def test_sync_and_slot_buttons(qtbot: QtBot, window: AgendaWindow) -> None:
    with qtbot.waitSignal(window.refresh_requested, timeout=1000):
        window.toolbar.sync_button.click()
    with qtbot.waitSignal(window.find_slot_requested, timeout=1000):
        window.toolbar.slot_button.click()
    point = QPoint(1, 1)
    assert window.list_view.indexAt(point).isValid()


def test_arrows_step_over_day_headings(qtbot: QtBot, window: AgendaWindow) -> None:
    select(window, 3)  # the last event today; tomorrow's heading comes next
    view = window.list_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.pane.shown_event is not None and window.pane.shown_event.id == 4
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert window.pane.shown_event is not None and window.pane.shown_event.id == 3
    select(window, 1)  # the first event: only today's heading above it
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex().row() == window.model.row_of(1)


def test_show_event_before_the_window_is_shown_scrolls_once_shown(qtbot: QtBot) -> None:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    w.resize(900, 500)
    events = [make_event(i, NOW + timedelta(hours=4 * i - 200)) for i in range(1, 120)]
    w.set_events(events, NOW)
    w.show_event(100)  # a notification was clicked while the agenda was closed
    w.show()
    qtbot.waitExposed(w)
    row = w.model.row_of(100)
    assert row is not None
    rect = w.list_view.visualRect(w.model.index(row))
    assert w.list_view.viewport().rect().contains(rect.center())
    assert w.pane.shown_event is not None and w.pane.shown_event.id == 100


def test_tooltips_cannot_be_read_as_rich_text(window: AgendaWindow) -> None:
    window.set_read_only(True, "<b>x</b> & more")
    tip = window.toolbar.new_button.toolTip()
    assert tip == "<p>&lt;b&gt;x&lt;/b&gt; &amp; more</p>"  # Qt shows exactly: <b>x</b> & more


def test_search_texts_are_made_once_the_search_field_is_entered_not_after_each_load(
    qtbot: QtBot, window: AgendaWindow
) -> None:
    window.set_events(calendar(), NOW)  # a poll's reload
    qtbot.wait(50)
    assert window.model.prepare_search(0), "search texts were made for a search nobody started"
    window.activateWindow()
    window.toolbar.search_edit.setFocus()
    qtbot.waitUntil(lambda: not window.model.prepare_search(0), timeout=3000)
    window.set_events([*calendar(), make_event(6, NOW + timedelta(hours=5), 30, title="Booked now")], NOW)
    qtbot.waitUntil(lambda: not window.model.prepare_search(0), timeout=3000)  # the field still has focus
    qtbot.keyClicks(window.toolbar.search_edit, "booked")
    qtbot.waitUntil(lambda: window.model.row_of(6) is not None and window.model.row_of(4) is None, timeout=3000)


def test_the_now_line_passes_an_event_as_it_starts(qtbot: QtBot) -> None:
    """The agenda's clock ticks on the turn of the minute, not on a period counted from when it was opened: an event
    starting at 12:00 is passed by the line at 12:00, not up to a minute later."""
    opened = time.monotonic()
    start = NOW - timedelta(seconds=0.7)  # the window opens 0.7 s before the minute turns

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - opened)

    w = AgendaWindow(clock=clock)
    qtbot.addWidget(w)
    starting = make_event(1, NOW, 1, title="Starts on the minute")
    later = make_event(2, NOW + timedelta(hours=2), 30, title="Later")
    w.set_events([starting, later], clock())
    w.show()
    qtbot.waitExposed(w)

    def line_above(event_id: int) -> bool:
        row = w.model.row_of(event_id)
        return row is not None and w.model.index(row).data(Role.NOW_MARK) == NowMark.ABOVE

    assert line_above(1)
    qtbot.waitUntil(lambda: line_above(2), timeout=3000)
    assert clock() - NOW < timedelta(seconds=2), "moved at the minute, not a minute later"
    w.hide()


def test_a_moving_now_line_repaints_the_rows_its_dot_reaches(qtbot: QtBot) -> None:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    events = [make_event(i, NOW + timedelta(hours=i - 3), 30, title=f"Event {i}") for i in range(1, 7)]
    w.set_events(events, NOW)  # the line above event 3, starting now (12:00)
    old = w.model.row_of(3)
    assert old is not None and w.model.index(old).data(Role.NOW_MARK) == NowMark.ABOVE
    repainted: set[int] = set()
    w.model.dataChanged.connect(lambda first, last, _roles=(): repainted.update(range(first.row(), last.row() + 1)))
    w.model.set_now(NOW + timedelta(minutes=30))  # now above event 4 (13:00)
    new = w.model.row_of(4)
    assert new == old + 1 and w.model.index(new).data(Role.NOW_MARK) == NowMark.ABOVE
    # The dot reaches 3 px into the row above the line: the row above the old line repaints, or a piece stays.
    assert {old - 1, old, new, new + 1} <= repainted
