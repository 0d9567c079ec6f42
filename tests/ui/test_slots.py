"""The free-slot finder end to end: real widgets, a real KlenClient, the emulator over loopback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import groupby

import pytest
import pytest_asyncio
from local_zone import local_zone
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from screenshot_support import dark_palette, grab_light_and_dark
from waiting import exposed, signal_caught, until

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import KlenError
from klen_desktop.api.models import Availability
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.date_texts import date_time
from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui.formatting import contrast_ratio as contrast
from klen_desktop.ui.formatting import day_heading
from klen_desktop.ui.slots import DEFAULT_DURATION, MAX_DURATION, MIN_DURATION, SlotFinder

TODAY = date(2026, 12, 1)
SERVER_NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
WAIT = 10.0


@pytest.fixture
def tokyo() -> Iterator[None]:
    """Local time UTC+9, so the emulator's 09:00-17:00 UTC business hours straddle local midnight."""
    with local_zone("Asia/Tokyo"):
        yield


@pytest_asyncio.fixture
async def client(emulator: EmulatorServer, rw_key: str) -> AsyncIterator[KlenClient]:
    emulator.admin.set_clock(lambda: SERVER_NOW)
    async with KlenClient(emulator.url, rw_key, retry=NO_RETRY, timeout=5.0) as klen:
        yield klen


def connect(finder: SlotFinder, klen: KlenClient) -> list[asyncio.Task[None]]:
    """What the controller does: each search asks the availability endpoint and shows the answer or error."""
    tasks: list[asyncio.Task[None]] = []

    async def search(start: date, end: date, minutes: int) -> None:
        try:
            answer = await klen.availability(start_date=start, end_date=end, duration=minutes)
        except KlenError as exc:
            finder.show_error(exc.message)
        else:
            finder.show_availability(answer)

    finder.search_requested.connect(lambda s, e, m: tasks.append(asyncio.ensure_future(search(s, e, m))))
    return tasks


async def search_and_wait(qtbot: QtBot, finder: SlotFinder, tasks: list[asyncio.Task[None]]) -> None:
    qtbot.mouseClick(finder.search_button, Qt.MouseButton.LeftButton)
    assert finder.is_busy and not finder.search_button.isEnabled()
    await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    assert not finder.is_busy and finder.search_button.isEnabled()


@pytest.fixture
def make_finder(qtbot: QtBot) -> Callable[[], SlotFinder]:
    def make() -> SlotFinder:
        finder = SlotFinder(today=TODAY)
        qtbot.addWidget(finder)
        return finder

    return make


def set_range(finder: SlotFinder, start: date, end: date, minutes: int) -> None:
    from klen_desktop.ui.slots import _qdate

    finder.start_date.setDate(_qdate(start))
    finder.end_date.setDate(_qdate(end))
    finder.duration_spin.setValue(minutes)


def test_defaults_are_a_week_and_thirty_minutes(make_finder: Callable[[], SlotFinder]) -> None:
    finder = make_finder()
    assert finder.search_range() == (TODAY, TODAY + timedelta(days=7), DEFAULT_DURATION)
    assert (finder.duration_spin.minimum(), finder.duration_spin.maximum()) == (MIN_DURATION, MAX_DURATION)
    assert not finder.is_busy and not finder.book_button.isEnabled()
    assert finder.state_label.text() == "Choose a range and a length, then Search.", "the window says what to do"


def test_the_range_dates_read_as_the_one_short_date_with_its_year(make_finder: Callable[[], SlotFinder]) -> None:
    finder = make_finder()
    # The year stays in a date box: it is what the user edits to reach next year.
    assert finder.start_date.text() == "Tue 1 Dec 2026"
    assert finder.end_date.text() == "Tue 8 Dec 2026"


def test_the_end_date_cannot_precede_the_start(make_finder: Callable[[], SlotFinder]) -> None:
    finder = make_finder()
    set_range(finder, TODAY + timedelta(days=3), TODAY, 30)
    start, end, _ = finder.search_range()
    assert end >= start


@pytest.mark.asyncio
async def test_slots_are_grouped_by_local_day_and_booking_emits_the_slot(
    qtbot: QtBot, tokyo: None, emulator: EmulatorServer, client: KlenClient, make_finder: Callable[[], SlotFinder]
) -> None:
    emulator.admin.insert_events(
        [{"title": "Busy", "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T11:00:00Z"}]
    )
    finder = make_finder()
    tasks = connect(finder, client)
    set_range(finder, TODAY, TODAY + timedelta(days=1), 60)
    await search_and_wait(qtbot, finder, tasks)

    expected: Availability = await client.availability(
        start_date=TODAY, end_date=TODAY + timedelta(days=1), duration=60
    )
    starts = [slot.start for slot in expected.available_slots]
    assert datetime(2026, 12, 1, 10, 0, tzinfo=UTC) not in starts  # the busy hour is not offered
    by_day = [(day, len(list(group))) for day, group in groupby(starts, key=lambda s: s.astimezone().date())]
    # 09:00-17:00 UTC is 18:00-02:00 in Tokyo: two server days make three local days.
    assert [day for day, _ in by_day] == [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)]
    assert finder.day_headings() == [day_heading(day, TODAY) for day, _ in by_day]
    assert [finder.tree.topLevelItem(i).childCount() for i in range(len(by_day))] == [n for _, n in by_day]  # type: ignore[union-attr]
    first_child = finder.tree.topLevelItem(0).child(0)  # type: ignore[union-attr]
    assert first_child.text(0) == "18:00–19:00"

    # Choose the first slot of the second local day by double-click.
    second_day = finder.tree.topLevelItem(1)
    assert second_day is not None
    item = second_day.child(0)
    finder.show()
    await exposed(finder)
    finder.tree.scrollToItem(item)
    finder.tree.doItemsLayout()
    await asyncio.sleep(0.02)
    rect = finder.tree.visualItemRect(item)
    emitted: list[tuple[datetime, datetime]] = []
    finder.slot_chosen.connect(lambda start, end: emitted.append((start, end)))
    async with signal_caught(finder.slot_chosen, "a double-clicked slot chosen") as chosen:
        # A real double-click is press, release, double-click; the view only takes one on the pressed row.
        qtbot.mouseClick(finder.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(finder.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    slot = expected.available_slots[by_day[0][1]]
    assert chosen.args == [slot.start, slot.end]
    await asyncio.sleep(0.02)
    assert emitted == [(slot.start, slot.end)]
    assert chosen.args[0].tzinfo is not None and chosen.args[1] - chosen.args[0] == timedelta(minutes=60)

    # And by the Book button on the selected one.
    finder.tree.setCurrentItem(first_child)
    async with signal_caught(finder.slot_chosen, "the selected slot booked") as booked:
        qtbot.mouseClick(finder.book_button, Qt.MouseButton.LeftButton)
    assert booked.args == [expected.available_slots[0].start, expected.available_slots[0].end]


@pytest.mark.asyncio
async def test_slot_texts_use_the_one_date_format_and_name_the_zone_by_its_city(
    qtbot: QtBot, tokyo: None, client: KlenClient, make_finder: Callable[[], SlotFinder]
) -> None:
    finder = make_finder()
    tasks = connect(finder, client)
    set_range(finder, TODAY, TODAY, 60)
    await search_and_wait(qtbot, finder, tasks)

    assert finder.state_label.text().endswith("· times in Tokyo (UTC+9)")
    slot = finder.tree.topLevelItem(0).child(0)  # type: ignore[union-attr]
    # 09:00 UTC on 1 Dec 2026 is 18:00 in Tokyo: a date-time without the (current) year, then the end time.
    assert slot.toolTip(0).startswith(f"{date_time(datetime(2026, 12, 1, 18, 0), TODAY)}–{'19:00'}")
    assert slot.toolTip(0).startswith("Tue 1 Dec, 18:00–19:00")
    # A screen reader reads the slot whole (day, times and length), and the list is a Tab stop once it has slots.
    assert slot.data(0, Qt.ItemDataRole.AccessibleTextRole) == slot.toolTip(0)
    assert finder.tree.focusPolicy() == Qt.FocusPolicy.StrongFocus


@pytest.mark.asyncio
async def test_no_slots_shows_the_empty_state(
    qtbot: QtBot, emulator: EmulatorServer, client: KlenClient, make_finder: Callable[[], SlotFinder]
) -> None:
    emulator.admin.set_clock(lambda: datetime(2026, 12, 1, 23, 0, tzinfo=UTC))  # every slot today is past
    finder = make_finder()
    tasks = connect(finder, client)
    set_range(finder, TODAY, TODAY, 30)
    await search_and_wait(qtbot, finder, tasks)
    assert finder.tree.topLevelItemCount() == 0
    assert finder.state_label.text().startswith("No free slots in this range")
    assert not finder.book_button.isEnabled()


@pytest.mark.asyncio
async def test_a_failed_search_says_why_and_keeps_the_list(
    qtbot: QtBot, emulator: EmulatorServer, client: KlenClient, revoked_key: str, make_finder: Callable[[], SlotFinder]
) -> None:
    finder = make_finder()
    tasks = connect(finder, client)
    set_range(finder, TODAY, TODAY, 30)
    await search_and_wait(qtbot, finder, tasks)
    listed = finder.tree.topLevelItemCount()
    assert listed == 1
    state = finder.state_label.text()

    emulator.admin.revoke_key(client_key := "klen_test_readwrite")
    try:
        tasks.clear()
        await search_and_wait(qtbot, finder, tasks)
    finally:
        emulator.admin.restore_key(client_key)
    assert finder.error_label.isVisibleTo(finder) and finder.error_label.text()
    assert finder.error_label.textFormat() == Qt.TextFormat.PlainText
    assert finder.tree.topLevelItemCount() == listed
    assert finder.state_label.text() == state


@pytest.mark.asyncio
async def test_screenshots_of_the_slot_finder(
    qtbot: QtBot, emulator: EmulatorServer, client: KlenClient, make_finder: Callable[[], SlotFinder]
) -> None:
    if not os.environ.get("KLEN_SCREENSHOTS"):
        pytest.skip("set KLEN_SCREENSHOTS=DIR to write screenshots")
    emulator.admin.insert_events(
        [{"title": "Standup", "start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-01T10:30:00Z"}]
    )
    finder = make_finder()
    tasks = connect(finder, client)
    set_range(finder, TODAY, TODAY + timedelta(days=2), 45)
    await search_and_wait(qtbot, finder, tasks)
    finder.resize(460, 560)
    grab_light_and_dark(qtbot, finder, "slot-finder")


def white_on_light_blue() -> QPalette:
    """A dark theme as some desktops give it: a light blue highlight, with Qt's white highlighted text."""
    palette = dark_palette()
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return palette


@pytest.mark.asyncio
@pytest.mark.parametrize("theme", ["light", "dark", "white-on-light-blue"])
@pytest.mark.parametrize("focused", [True, False])
async def test_the_selected_slot_reads_in_light_and_dark_palettes(
    qtbot: QtBot, client: KlenClient, make_finder: Callable[[], SlotFinder], theme: str, focused: bool
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    try:
        if theme != "light":
            app.setPalette(dark_palette() if theme == "dark" else white_on_light_blue())
        finder = make_finder()
        tasks = connect(finder, client)
        set_range(finder, TODAY, TODAY, 60)
        await search_and_wait(qtbot, finder, tasks)
        finder.show()
        await exposed(finder)
        if focused:
            finder.activateWindow()
            finder.tree.setFocus()
            await until(finder.tree.hasFocus, "the slot list has the focus")
        else:
            finder.book_button.setFocus()
        item = finder.tree.currentItem()
        assert item is not None and item.isSelected()
        # What is on screen: the selected row's background, and its pixel that stands out most from it (the text).
        image = finder.tree.viewport().grab(finder.tree.visualItemRect(item)).toImage()
        background = image.pixelColor(image.width() - 4, image.height() // 2)
        ink = max(
            (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())),
            key=lambda c: contrast(c, background),
        )
        assert contrast(ink, background) >= 4.5, (theme, ink.name(), background.name())
    finally:
        app.setPalette(original)
