"""Oversized and odd data from the server: 5,000-character titles, emoji, right-to-left text, events of 0 minutes
and 30 days, and 2,000 events in one day. Nothing crashes, nothing is logged as an error, and the layout holds:
the windows and menus stay within the screen, rows keep their height, long text is elided or wrapped, and the
editor keeps every character of the user's data.

The events come through the emulator into the real app (tests/ui/app_harness), as in test_hostile_markup.
The emulator refuses titles over 255 characters and zero-length events on write (as the real API does), so a
server that holds such data anyway is simulated by rewriting the emulator's stored row after an admin insert.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from app_harness import AppHarness, MakeApp, insert_event, local_noon_tomorrow
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget
from shifted_clock import ShiftedClock

from klen_desktop.app import KlenDesktop
from klen_desktop.clock import Clock
from klen_desktop.core import CoreConfig
from klen_desktop.date_texts import date_time
from klen_desktop.emulator import EmulatorServer
from klen_desktop.labels import clip, extends_previous
from klen_desktop.notify.messages import change_message, reminder_content, reminder_message
from klen_desktop.options import AppOptions
from klen_desktop.reminders.due import Reminder
from klen_desktop.secrets import KeyStore
from klen_desktop.session.connection import Connection
from klen_desktop.sync.diff import Change, ChangeKind
from klen_desktop.ui.formatting import breakable
from klen_desktop.ui.reminder_window import WIDTH as CARD_WIDTH
from klen_desktop.ui.reminder_window import ReminderCard

# The thread method: a SIGALRM exception would be swallowed by the qasync loop, and the run would hang.
pytestmark = pytest.mark.timeout(240, method="thread")

N = 5000


def _fill(unit: str, prefix: str) -> str:
    """``prefix`` then ``unit`` repeated: exactly N code points (the cut may split a cluster, as real data can)."""
    return (prefix + unit * (N // len(unit) + 1))[:N]


# One unbreakable word: the hardest case for wrapping.
ASCII = _fill("Quarterly-planning-", "ASCII ")
# ZWJ families, skin tones, flags with variation selectors.
EMOJI = _fill("👩‍👩‍👧‍👦 👍🏽 🏳️‍🌈 🧑🏿‍💻 ", "EMOJI ")
ARABIC = _fill("اجتماع مع العميل لمراجعة الخطة ", "")
HEBREW = _fill("פגישה עם הלקוח על התוכנית ", "")
BIDI = _fill("Call with שרה כהן about مراجعة Q3 (10:00) ✅ ", "BIDI ")
COMBINING = _fill("Z̴̡̛͓a̶̝͋l̷̩g̵̣o̸̞ ", "COMBINING ")
ZERO_WIDTH = _fill("zero\u200bwidth\u200c\u200d\u2060\ufeffchars ", "ZW ")
CONTROL = _fill("line one\nline two\ttabbed\r\nline three ", "CTRL ")
TITLES = {
    "ascii": ASCII,
    "emoji": EMOJI,
    "arabic": ARABIC,
    "hebrew": HEBREW,
    "bidi": BIDI,
    "combining": COMBINING,
    "zero_width": ZERO_WIDTH,
    "control": CONTROL,
}
# What a user would type to find each one.
NEEDLES = {
    "ascii": "quarterly-planning",
    "emoji": "👩‍👩‍👧‍👦",
    "arabic": "العميل",
    "hebrew": "הלקוח",
    "bidi": "שרה כהן",
    "combining": "zalgo",
    "zero_width": "zerowidthchars",
    "control": "line two tabbed",
}

MENU_MAX_WIDTH = 520  # px: a tray menu wider than this reads as broken on a 1280 px screen
TOOLTIP_MAX_CHARS = 300
NOTIFICATION_TITLE_MAX = 120
NOTIFICATION_BODY_MAX = 600
# The first sync of 2,000 events in one day is a first look at the window, then the day's 20 list pages: at the
# default 10 requests a minute the last page goes at the start of the third minute. That pacing is tested in
# tests/sync/test_first_sync_big_day.py and measured by bench_first_sync.py; here, where the big day's agenda is
# what is tested, the app may send as fast as the emulator key allows.
BIG_DAY_BUDGET = (60, 60.0)
WAIT_FOR_BIG_DAY = 60.0


# -- helpers -----------------------------------------------------------------------------------------------------


def insert_raw(server: EmulatorServer, title: str, **fields: Any) -> int:
    """An event the server holds although its write checks would refuse it (over-long title, zero length)."""
    end = fields.pop("end_time", None)
    event_id = insert_event(server, "placeholder", **fields)
    store = server._state.store  # the emulator's own rows: the only way to hold what its API refuses
    row = store.get_id(event_id)
    assert row is not None
    store.save(
        event_id,
        replace(row.fields, title=title, end_time=end or row.fields.end_time),
        now=server.admin.now(),
    )
    return event_id


def painted_colours(image: QImage) -> int:
    """How many distinct colours a sample of the image holds: a blank grab has one or two."""
    colours = set()
    step_x, step_y = max(1, image.width() // 60), max(1, image.height() // 60)
    for y in range(0, image.height(), step_y):
        for x in range(0, image.width(), step_x):
            colours.add(image.pixel(x, y))
    return len(colours)


def assert_painted(widget: QWidget, what: str) -> None:
    image = widget.grab().toImage()
    assert not image.isNull() and painted_colours(image) >= 4, f"{what} painted nothing visible"


def screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("KLEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / f"odd-{name}.png"))


def screen_rect() -> QRect:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def assert_within_screen(widget: QWidget, what: str) -> None:
    """The widget can be shown whole on this screen: its layout's minimum fits (the long text did not raise it).

    Its current size is not compared: the offscreen test screen is 800 px wide, narrower than the agenda's
    default size, which is not what these tests are about."""
    area = screen_rect()
    least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    assert least.width() <= area.width() and least.height() <= area.height(), f"{what} needs {least}, screen {area}"


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage()[:300] for r in bad]


def start_unsynced(make_app: MakeApp, server: EmulatorServer, key: str, tmp_path: Path, clock: Clock) -> AppHarness:
    """The app as ``make_app`` starts it, without its 10 s wait for the first sync and with the request budget of
    :data:`BIG_DAY_BUDGET`: a first sync of 2,000 events is what is measured here. Registered with the factory, so
    the test's own shutdown quits it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)

    class BigDayDesktop(KlenDesktop):
        def core_config(self, connection: Connection) -> CoreConfig:
            return replace(super().core_config(connection), request_budget=BIG_DAY_BUDGET)

    desktop = BigDayDesktop(
        app,
        AppOptions(base_url=server.url, single_instance=False),
        key_store=KeyStore(service=f"klen-desktop-test-{uuid.uuid4().hex[:8]}"),
        prefs_path=tmp_path / "config" / "settings.json",
        clock=clock,
    )
    make_app._started.append(desktop)
    desktop.start(Connection(base_url=server.url, api_key=key, demo=False))
    return AppHarness(desktop, server)


async def details_loaded(app: AppHarness) -> None:
    """Wait out the detail loads the agenda asked for: shutting the app down under one that is still on the
    wire raises "client has been closed" in the loop (a shutdown race of the controller, reported separately)."""

    def pending() -> bool:
        return any(
            getattr(task.get_coro(), "__qualname__", "") == "Controller.load_detail" and not task.done()
            for task in asyncio.all_tasks()
        )

    await app.until(lambda: not pending(), "the agenda's detail loads to finish", 60)


async def settle(rounds: int = 5) -> None:
    """Let the loop run a few turns (layouts, paints, queued signals).

    Never ``QApplication.processEvents()`` inside a test coroutine: qasync would step the app's other tasks
    from within this one ("Cannot enter into task"), and the tasks so broken hang the run at shutdown."""
    for _ in range(rounds):
        await asyncio.sleep(0.02)


# -- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TITLES))
def test_cut_text_never_splits_what_the_user_sees_as_one_character(name: str) -> None:
    text = TITLES[name]
    for limit in range(2, 120):
        cut = clip(text, limit)
        assert len(cut) <= limit and cut.endswith("…")
        body = cut[:-1]
        assert "\n" not in cut and "\t" not in cut
        assert not body.endswith("\u200d"), f"{name}: a ZWJ left dangling at {limit}"
        assert text.startswith(body) or " ".join(text.split()).startswith(body)
        rest = " ".join(text.split())[len(body.rstrip()) :]
        assert not rest or not extends_previous(rest[0]), f"{name}: cut inside a cluster at {limit}"
    wrapped = breakable(text)
    assert wrapped.replace("\u200b", "") == text.replace("\u200b", ""), "breakable changed the text"
    assert all(len(word) <= 60 for word in wrapped.replace("\u200b", " ").split())


@pytest.mark.asyncio
async def test_long_and_odd_strings_keep_every_surface_bounded(
    make_app: MakeApp, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    noon = local_noon_tomorrow()
    ids = {}
    for i, (name, title) in enumerate(TITLES.items()):
        ids[name] = insert_raw(
            emulator,
            title,
            base=noon,
            hours_from_now=0.25 + i * 0.25,
            description=_fill("Long description, with words to wrap. ", f"{name} "),
            customer_name=_fill("Customer-Name-Without-Spaces", ""),
            location=BIDI[:300],
            event_type="video_call",
            has_video_conference=True,
            video_conference_url="https://meet.example.com/" + "x" * 200,
        )
    app = await make_app(clock=ShiftedClock(noon))
    await app.until(lambda: all(app.agenda_event(t) is not None for t in TITLES.values()), "the odd events")

    # Tray: menu items elided, the menu stays narrow; the tooltip is bounded.
    tray = app.tray
    tray.menu.aboutToShow.emit()
    labels = [a.text() for a in tray.menu.actions()]
    assert sum(1 for text in labels if "Quarterly-planning" in text) >= 1, labels
    assert all(len(text) <= 200 for text in labels), max(labels, key=len)
    width = tray.menu.sizeHint().width()
    assert width <= MENU_MAX_WIDTH, f"tray menu is {width} px wide"
    tip = tray.icon.toolTip()
    assert 0 < len(tip) <= TOOLTIP_MAX_CHARS, len(tip)
    # The time stays first in an event item, also when the title is right-to-left.
    for action in tray.menu.actions():
        if "العميل" in action.text() or "הלקוח" in action.text():
            layout_text = action.text()
            assert layout_text[:2].isdigit() or layout_text.startswith("    Join "), layout_text[:20]
            assert "\u2068" in layout_text and "\u2069" in layout_text, "RTL title not isolated from our label"
    tray.menu.popup(screen_rect().center())
    await settle()
    assert_within_screen(tray.menu, "the tray menu")
    assert_painted(tray.menu, "the tray menu")
    screenshot(tray.menu, "tray-menu")
    tray.menu.hide()

    # Agenda: fixed row heights, the window no wider than the screen, every row paints.
    agenda = app.windows.open_agenda()
    before = agenda.size()
    least = agenda.minimumSizeHint()  # the toolbar's: wider than the 800 px offscreen screen (reported)
    view = agenda.list_view
    row_height = view.verticalHeader().defaultSectionSize()
    assert 30 <= row_height <= 100
    started = time.perf_counter()
    for name, event_id in ids.items():
        app.windows.show_event(event_id)
        await settle(2)
        assert agenda.pane.shown_event is not None and agenda.pane.shown_event.id == event_id, name
        row = agenda.model.row_of(event_id)
        assert row is not None and view.rowHeight(row) == row_height, name
        assert agenda.size() == before, f"{name}: the agenda resized itself to {agenda.size()}"
        grown = agenda.minimumSizeHint()
        assert grown.width() <= least.width(), f"{name} widened the agenda's minimum to {grown.width()} px"
        assert grown.height() <= screen_rect().height(), f"{name} made the agenda {grown.height()} px tall"
        assert_painted(view.viewport(), f"the agenda list with {name}")
    print(f"\nodd-data: 8 long events selected and painted in {time.perf_counter() - started:.2f} s")

    # Detail pane: the long title wraps inside the pane and the pane scrolls vertically, never sideways.
    app.windows.show_event(ids["ascii"])
    # Asked again, as reopening the event does: the pane's own request went out while the user clicked through
    # the eight events, and its answer may have come while another event was shown.
    app.controller.load_detail(ids["ascii"])
    await app.until(
        lambda: any("Long description" in label.text() for label in agenda.pane.findChildren(QLabel)),
        "the description in the detail pane",
        # Clicks have their own request budget (10 a minute), so the eight reads above never wait behind sync.
        15,
    )
    await settle()
    scroll = agenda.pane.findChild(QScrollArea)
    assert scroll is not None
    assert scroll.horizontalScrollBar().maximum() == 0, "the detail pane scrolls sideways"
    assert scroll.verticalScrollBar().maximum() > 0, "5,000 characters fit without scrolling?"
    title_label = agenda.pane.title_label
    assert title_label.text().replace("\u200b", "") == ASCII, "the pane shows the whole title"
    assert title_label.width() <= scroll.viewport().width()
    assert title_label.height() > 3 * title_label.fontMetrics().height(), "the long title does not wrap"
    assert_painted(agenda.pane, "the detail pane")
    screenshot(agenda, "agenda-ascii")
    for name in ("emoji", "bidi", "arabic"):
        app.windows.show_event(ids[name])
        await settle()
        assert scroll.horizontalScrollBar().maximum() == 0, f"{name}: the detail pane scrolls sideways"
        screenshot(agenda, f"agenda-{name}")

    # Search finds each odd string by what a user would type.
    search = agenda.toolbar.search_edit
    for name, needle in NEEDLES.items():
        search.setText(needle)
        await settle(1)
        shown = {e.id for e in (agenda.model.event_at(r) for r in range(agenda.model.rowCount())) if e is not None}
        assert ids[name] in shown, f"searching {needle!r} does not find the {name} event"
    search.setText("")

    # Editor on the long event: every character kept, the API's limit shown up front.
    editor = app.windows.edit_event(ids["ascii"])
    assert editor is not None
    try:
        editor.show()
        await settle()
        assert editor.title_edit.text() == ASCII, "the editor cut the title"
        assert editor.customer_name_edit.text() == _fill("Customer-Name-Without-Spaces", "")
        limit_note = editor._errors["title"]
        assert limit_note.isVisible() and "255" in limit_note.text(), limit_note.text()
        assert_within_screen(editor, "the editor")
        assert_painted(editor, "the editor")
        screenshot(editor, "editor-ascii")
    finally:
        editor.confirm_discard = lambda: True
        editor.close()

    # Notifications and the reminder card for the long events.
    for name, event_id in ids.items():
        stored = app.controller.cached_event(event_id)
        assert stored is not None
        reminder = Reminder(event=stored, due_at=stored.start_time, fire_at=stored.start_time)
        message = reminder_message(reminder)
        assert len(message.title) <= NOTIFICATION_TITLE_MAX, (name, len(message.title))
        assert len(message.body) <= NOTIFICATION_BODY_MAX, (name, len(message.body))
        change = change_message(Change(ChangeKind.CREATED, stored.summary, None))
        assert change is not None and len(change.title) <= NOTIFICATION_TITLE_MAX
        assert len(change.body) <= NOTIFICATION_BODY_MAX
        card = ReminderCard(reminder_content(reminder))
        try:
            card.show()
            await settle(2)
            assert card.width() == max(CARD_WIDTH, card.button_row_width()), "no text widens the card"
            assert card.height() <= screen_rect().height() // 2, (name, card.height())
            assert_painted(card, f"the reminder card for {name}")
            screenshot(card, f"card-{name}")
        finally:
            card.close()

    await details_loaded(app)
    no_errors_logged(caplog)


@pytest.mark.asyncio
async def test_zero_minute_thirty_day_and_midnight_events_read_sensibly(
    make_app: MakeApp, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    noon = local_noon_tomorrow()
    zero = insert_raw(emulator, "Zero minutes", base=noon, hours_from_now=1, end_time=noon + timedelta(hours=1))
    start30 = noon + timedelta(hours=2)
    month = insert_event(emulator, "Thirty days", base=noon, hours_from_now=2, end_time=start30 + timedelta(days=30))
    late = (noon + timedelta(hours=11, minutes=30)).replace(second=0, microsecond=0)
    overnight = insert_event(emulator, "Overnight", base=noon, hours_from_now=11.5, end_time=late + timedelta(hours=2))
    app = await make_app(clock=ShiftedClock(noon))
    await app.until(lambda: app.agenda_event("Overnight") is not None, "the odd-length events")
    agenda = app.windows.open_agenda()
    model = agenda.model

    def rows_of(event_id: int) -> list[int]:
        return [r for r in range(model.rowCount()) if (e := model.event_at(r)) is not None and e.id == event_id]

    # Each is one row on its start day; the row says where it ends when that is another day.
    for event_id in (zero, month, overnight):
        assert len(rows_of(event_id)) == 1, event_id
    texts = {event_id: model.paint_info(rows_of(event_id)[0]).texts for event_id in (zero, month, overnight)}
    assert all(t is not None for t in texts.values())
    zero_texts, month_texts, night_texts = texts[zero], texts[month], texts[overnight]
    assert zero_texts is not None and month_texts is not None and night_texts is not None
    start_local = noon.astimezone() + timedelta(hours=1)
    assert zero_texts.time == f"{start_local:%H:%M}–{start_local:%H:%M}"
    end30 = (start30 + timedelta(days=30)).astimezone()
    assert f"{end30.day} {end30:%b}" in month_texts.time, month_texts.time  # a weekday alone would read as days
    end_night = (late + timedelta(hours=2)).astimezone()
    if end_night.date() != late.astimezone().date():
        assert f"{end_night:%a}" in night_texts.time, night_texts.time

    # The row's time fits the room the delegate gives it (it would run into the type icon otherwise).
    fm = agenda.list_view.fontMetrics()
    time_room = fm.horizontalAdvance("00:00–Wed 00:00") + 12
    for t in (zero_texts, month_texts, night_texts):
        assert fm.horizontalAdvance(t.time) < time_room, t.time

    # The tray names them the same way: the 30-day event with its end date, not a weekday.
    app.tray.menu.aboutToShow.emit()
    labels = [a.text() for a in app.tray.menu.actions()]
    assert any(text.startswith(f"{start_local:%H:%M}–{start_local:%H:%M}  Zero minutes") for text in labels), labels
    month_label = next(text for text in labels if "Thirty days" in text)
    assert date_time(end30) in month_label, month_label
    for event_id in (zero, month, overnight):
        app.windows.show_event(event_id)
        await settle(2)
        assert_painted(agenda.list_view.viewport(), f"the agenda with event {event_id}")
    screenshot(agenda, "agenda-lengths")
    await details_loaded(app)
    no_errors_logged(caplog)


@pytest.mark.asyncio
async def test_two_thousand_events_in_one_day_open_and_scroll(
    make_app: MakeApp, emulator: EmulatorServer, rw_key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    noon = local_noon_tomorrow()
    day_start = noon - timedelta(hours=11)
    events = [
        {
            "title": f"Slot {i:04d} " + ("بحث " if i % 3 == 0 else "") + ("🧑🏽‍💻" if i % 5 == 0 else ""),
            "start_time": day_start + timedelta(seconds=i * 40),
            "end_time": day_start + timedelta(seconds=i * 40 + 1800),
            "customer_name": f"Customer {i}",
        }
        for i in range(2000)
    ]
    for event in events:
        for key in ("start_time", "end_time"):
            event[key] = event[key].replace(microsecond=0)
    emulator.admin.insert_events(events)
    started = time.perf_counter()
    app = start_unsynced(make_app, emulator, rw_key, tmp_path, ShiftedClock(noon))
    await app.until(
        lambda: app.agenda.model.total_events >= 2000,
        f"all 2,000 events in the agenda (allowed {WAIT_FOR_BIG_DAY:.0f} s for the first sync)",
        WAIT_FOR_BIG_DAY,
    )
    first_sync = time.perf_counter() - started
    agenda = app.windows.open_agenda()
    view = agenda.list_view
    await settle()
    slowest = 0.0
    bar = view.verticalScrollBar()
    steps = 0
    while True:
        t0 = time.perf_counter()
        view.viewport().repaint()
        slowest = max(slowest, time.perf_counter() - t0)
        steps += 1
        if bar.value() >= bar.maximum() or steps > 500:
            break
        bar.setValue(bar.value() + bar.pageStep())
        await asyncio.sleep(0)
    assert bar.value() == bar.maximum(), "did not reach the end of the list"
    last_row = agenda.model.rowCount() - 1
    last = agenda.model.event_at(last_row)
    assert last is not None and last.title.startswith("Slot 1999")
    assert view.viewport().rect().intersects(view.visualRect(agenda.model.index(last_row)))
    assert_painted(view.viewport(), "the end of the 2,000-event day")
    screenshot(agenda, "agenda-2000")
    print(
        f"\nodd-data: 2,000 events: first sync to agenda {first_sync:.1f} s; {steps} pages; slowest paint "
        f"{slowest * 1000:.1f} ms"
    )
    assert slowest < (2.0 if os.environ.get("CI") else 1.0), f"a page took {slowest * 1000:.0f} ms to paint"
    await details_loaded(app)
    no_errors_logged(caplog)
