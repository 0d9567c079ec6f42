"""The tray, its menu and the no-tray fallback, on the real app against the emulator."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from app_harness import MakeApp, action, insert_event, local_noon_tomorrow, menu_labels
from local_zone import local_zone
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from shifted_clock import ShiftedClock
from waiting import until

from klen_desktop.api.models import EventType
from klen_desktop.emulator import EmulatorServer
from klen_desktop.links import is_web_link
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui import tray as tray_module
from klen_desktop.ui.formatting import span
from klen_desktop.ui.icons import TrayState, app_icon, tray_icon, tray_pixmap
from klen_desktop.ui.no_tray_mode import NoTrayMode
from klen_desktop.ui.tray import dialable


def submenu(menu: QMenu, prefix: str) -> QMenu:
    found = [a.menu() for a in menu.actions() if a.text().startswith(prefix) and a.menu() is not None]
    assert found and isinstance(found[0], QMenu), f"no submenu {prefix!r} in {menu_labels(menu)}"
    return found[0]


@pytest.mark.asyncio
async def test_menu_lists_todays_next_events_with_join_and_call(make_app: MakeApp, emulator: EmulatorServer) -> None:
    noon = local_noon_tomorrow()
    insert_event(
        emulator,
        "Video review",
        base=noon,
        hours_from_now=0.5,
        event_type="video_call",
        has_video_conference=True,
        video_conference_url="https://meet.example.com/abc",
    )
    insert_event(emulator, "Tomorrow's thing", base=noon, hours_from_now=24)
    insert_event(
        emulator,
        "Call Ana",
        base=noon,
        hours_from_now=0.7,
        event_type="voice_call",
        customer_name="Ana",
        customer_phone="+34 600 11 22 33",
    )
    app = await make_app(clock=ShiftedClock(noon))
    tray = app.tray
    tray.menu.aboutToShow.emit()  # what a tray host triggers before it shows the menu
    labels = menu_labels(tray.menu)
    assert any("Video review" in text for text in labels)
    assert "    Join Video review" in labels
    assert not any("Tomorrow's thing" in text for text in labels), "only today's events are listed"
    assert "    Call Ana" in labels and "    Copy phone" in labels
    for fixed in ("New event…", "Find a free slot…", "Open agenda", "Settings…", "Quit Klen Desktop"):
        assert fixed in labels
    last = app.controller.status.last_success
    assert last is not None
    assert f"Sync now (last sync {last.astimezone():%H:%M})" in labels

    joined: list[str] = []
    tray.join.connect(joined.append)
    action(tray.menu, "    Join Video review").trigger()
    assert joined == ["https://meet.example.com/abc"]
    called: list[str] = []
    tray.call.connect(called.append)
    action(tray.menu, "    Call Ana").trigger()
    assert called == ["+34600112233"]


@pytest.mark.asyncio
async def test_a_broken_link_or_a_broken_event_never_empties_the_menu(
    make_app: MakeApp, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    noon = local_noon_tomorrow()
    for title, url in (("Broken link", "http://[x"), ("With password", "https://user:pass@meet.example.com/")):
        insert_event(
            emulator,
            title,
            base=noon,
            hours_from_now=0.5,
            event_type="video_call",
            has_video_conference=True,
            video_conference_url=url,
        )
    insert_event(emulator, "Plain meeting", base=noon, hours_from_now=1)
    app = await make_app(clock=ShiftedClock(noon))
    tray = app.tray
    tray.menu.aboutToShow.emit()
    labels = menu_labels(tray.menu)
    assert any("Broken link" in text for text in labels) and any("With password" in text for text in labels)
    assert not any(text.strip().startswith("Join") for text in labels), "links that may mislead are not offered"
    for item in ("Open agenda", "Sync now", "Settings…", "Quit Klen Desktop"):
        assert any(text.startswith(item) for text in labels), f"{item} missing from {labels}"

    # Whatever else one event's line trips on, the others and the fixed items stay.
    real_type_icon = tray_module.type_icon

    def failing_for_one(event_type: EventType) -> object:
        if failing_for_one.calls == 0:  # type: ignore[attr-defined]
            failing_for_one.calls += 1  # type: ignore[attr-defined]
            raise ValueError("one event's line could not be drawn")
        return real_type_icon(event_type)

    failing_for_one.calls = 0  # type: ignore[attr-defined]
    monkeypatch.setattr(tray_module, "type_icon", failing_for_one)
    tray.fill_menu(tray.menu)  # the next rebuild
    labels = menu_labels(tray.menu)
    assert sum(1 for text in labels if "Plain meeting" in text or "Broken link" in text or "With password" in text) == 2
    assert any(text.startswith("Quit Klen Desktop") for text in labels)


@pytest.mark.asyncio
async def test_tooltip_names_the_next_event_as_plain_text(make_app: MakeApp, emulator: EmulatorServer) -> None:
    noon = local_noon_tomorrow()  # the tooltip names today's next event: keep it today at any hour of a run
    insert_event(emulator, "<b>Board</b> & co", base=noon, hours_from_now=1)
    app = await make_app(clock=ShiftedClock(noon))
    tip = app.tray.icon.toolTip()
    assert "&lt;b&gt;Board&lt;/b&gt; &amp; co" in tip
    assert "in 1 h" in tip or "in 59 min" in tip


@pytest.mark.asyncio
async def test_do_not_disturb_from_the_menu(make_app: MakeApp) -> None:
    app = await make_app()
    tray = app.tray
    tray.fill_menu(tray.menu)
    submenu(tray.menu, "Do not disturb").actions()[0].trigger()  # For 1 hour
    until = app.controller.dnd.until
    assert until is not None
    assert timedelta(minutes=59) < until - datetime.now(UTC) <= timedelta(minutes=60)
    assert tray.state is TrayState.DND
    tray.fill_menu(tray.menu)
    assert submenu(tray.menu, "Do not disturb (until ")
    off = next(a for a in submenu(tray.menu, "Do not disturb").actions() if a.text() == "Off")
    off.trigger()
    assert app.controller.dnd.until is None
    assert tray.state in (TrayState.NORMAL, TrayState.SYNCING)


@pytest.mark.asyncio
async def test_next_free_half_hour_books_in_two_clicks(make_app: MakeApp, emulator: EmulatorServer) -> None:
    # 10:05 UTC tomorrow: the emulator's business hours (09-17 UTC) still have free slots today.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    clock = ShiftedClock(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 5, tzinfo=UTC))
    emulator.admin.set_clock(clock.now)
    insert_event(emulator, "Busy until 11", hours_from_now=0)  # relative to real time: does not matter here
    app = await make_app(clock=clock)
    tray = app.tray
    tray.fill_menu(tray.menu)
    action(tray.menu, "Next free 30 minutes").trigger()
    await app.until(
        lambda: any(a.text().startswith("Book ") for a in tray.menu.actions()), "the slot offered in the item's text"
    )
    label = action(tray.menu, "Book ").text()
    expected_start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 30, tzinfo=UTC)
    if expected_start.astimezone().date() == clock.now().astimezone().date():
        assert label == f"Book {span(expected_start, expected_start + timedelta(minutes=30))} today"
    action(tray.menu, "Book ").trigger()
    await app.until(lambda: app.server_event("Busy") is not None, "the booking on the server")
    booked = app.server_event("Busy")
    assert booked is not None and booked["event_type"] == EventType.BUSY.value
    assert booked["start_time"].startswith(f"{tomorrow.isoformat()}T10:30:00")


async def click_in_opened_menu(tray: tray_module.Tray, prefix: str) -> str:
    """Open the tray menu as a user does, click the item starting with ``prefix`` (which closes the menu) and
    return the item's text as the menu shows it."""
    menu = tray.menu
    menu.popup(QPoint(40, 40))
    await until(menu.isVisible, "the tray menu open")
    item = action(menu, prefix)
    text = item.text()
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(item).center())
    await until(lambda: not menu.isVisible(), "the menu closed by the click")
    return text


async def slot_item_once_answered(tray: tray_module.Tray, clicked: str) -> QAction:
    """The free-slot item as the menu shows it when opened again, once the look-up the click on ``clicked``
    started has answered (the menu is rebuilt when the answer comes, not when it opens)."""
    menu = tray.menu
    seen: list[QAction] = []
    prefixes = ("No free", "Could not", "Book ", "Next free", "Looking")

    def opened_and_answered() -> bool:
        menu.popup(QPoint(40, 40))
        seen[:] = [a for a in menu.actions() if a.text().startswith(prefixes)]
        menu.hide()
        return bool(seen) and seen[0].text() != clicked and not seen[0].text().startswith("Looking")

    await until(opened_and_answered, "the answer in the item when the menu opens again")
    return seen[0]


@pytest.mark.asyncio
async def test_no_free_half_hour_today_is_said_in_the_item_and_a_click_looks_again(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    # 16:45 UTC tomorrow, in a UTC zone: the emulator's day (09-17 UTC) has no half hour left.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    clock = ShiftedClock(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 16, 45, tzinfo=UTC))
    emulator.admin.set_clock(clock.now)
    with local_zone("UTC"):
        app = await make_app(clock=clock)
        tray = app.tray
        clicked = await click_in_opened_menu(tray, "Next free 30 minutes")
        item = await slot_item_once_answered(tray, clicked)
        next_day = tomorrow + timedelta(days=1)
        assert item.text() == f"No free 30 minutes today — next: {next_day:%a} 09:00"
        assert item.isEnabled(), "a click on the answer looks again"
        week_on = (tomorrow + timedelta(days=7)).isoformat()
        assert f"end_date={week_on}" in emulator.admin.request_log()[-1].query, "one request looked a week ahead"

        emulator.faults.drop_next(20, path="/api/v1/calendar/availability")
        clicked = await click_in_opened_menu(tray, "No free 30 minutes today")
        item = await slot_item_once_answered(tray, clicked)
        assert emulator.faults.pending() < 20, "the click looked again"
        assert item.text() == "Could not look up free time: offline" and item.isEnabled()

        emulator.faults.clear()
        clicked = await click_in_opened_menu(tray, "Could not look up free time")
        item = await slot_item_once_answered(tray, clicked)
        assert item.text().startswith("No free 30 minutes today — next:"), "looked again, and this time it answered"


@pytest.mark.asyncio
async def test_left_click_opens_and_hides_the_agenda(make_app: MakeApp) -> None:
    app = await make_app()
    if app.windows.agenda is not None:
        app.windows.agenda.hide()
    app.tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert app.windows.agenda is not None and app.windows.agenda.isVisible()
    app.tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert not app.windows.agenda.isVisible()


@pytest.mark.asyncio
async def test_icon_follows_sync_state(make_app: MakeApp, revoked_key: str) -> None:
    app = await make_app()
    controller = app.controller
    controller._on_status(SyncStatus(phase=SyncPhase.OFFLINE, last_error="Cannot reach Klen"))
    assert app.tray.state is TrayState.OFFLINE
    assert "Cannot reach Klen" in app.tray.icon.toolTip()
    controller._on_status(SyncStatus(phase=SyncPhase.SYNCING))
    assert app.tray.state is TrayState.SYNCING
    rejected = await make_app(key=revoked_key)
    await rejected.until(lambda: rejected.tray.state is TrayState.ERROR, "the key problem on the icon")


def test_icons_are_painted_at_every_size_and_tell_states_apart(qapp: object) -> None:
    images: dict[TrayState, QImage] = {}
    for state in TrayState:
        for size in (16, 22, 32, 64, 256):
            image = tray_pixmap(state, size).toImage()
            assert (image.width(), image.height()) == (size, size)
            opaque = sum(1 for x in range(size) for y in range(size) if image.pixelColor(x, y).alpha() > 0)
            assert opaque > size * size // 3, f"{state} at {size}px is mostly empty"
        images[state] = tray_pixmap(state, 32).toImage()
    assert len({bytes(image.constBits()) for image in images.values()}) == len(TrayState)


def test_tray_icons_stop_at_panel_sizes_and_the_window_icon_paints_any_size_when_asked(qapp: object) -> None:
    # A tray icon's 128 and 256 px pictures were never sent to a panel; the window icon holds no picture until a
    # window asks for one, then paints the page at the size asked.
    assert max(size.width() for size in tray_icon(TrayState.NORMAL).availableSizes()) == 64
    window_icon = app_icon()
    assert {size.width() for size in window_icon.availableSizes()} >= {16, 32, 48, 128, 256}
    for size in (16, 48, 256, 100):
        picture = window_icon.pixmap(size).toImage()
        assert (picture.width(), picture.height()) == (size, size)
        assert picture == tray_pixmap(TrayState.NORMAL, size).toImage()
    copy = QIcon(window_icon)  # Qt clones the engine for a copy that is then changed; both still paint
    copy.addPixmap(tray_pixmap(TrayState.DEMO, 24))
    assert not window_icon.pixmap(32).isNull() and not copy.pixmap(24).isNull()


def test_link_and_phone_rules() -> None:
    assert is_web_link("https://meet.example.com/x") and is_web_link("http://a.b/")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://", None, ""):
        assert not is_web_link(bad)
    assert dialable("+1 (555) 010-2030") == "+15550102030"
    assert dialable("n/a") is None


@pytest.mark.asyncio
async def test_without_a_tray_the_menu_is_on_the_window_and_the_tray_comes_back(qtbot: QtBot) -> None:
    present = {"tray": False}

    def fill(menu: QMenu) -> None:
        menu.clear()
        menu.addAction("Open agenda")

    mode = NoTrayMode(fill, available=lambda: present["tray"], retry_ms=20)
    window = QWidget()
    QVBoxLayout(window)
    qtbot.addWidget(window)
    assert not mode.reachable_from(window)
    mode.attach(window)
    button = window.findChild(QToolButton, "klenMenuButton")
    assert button is not None and button.menu() is mode.menu
    assert mode.reachable_from(window)
    assert menu_labels(mode.menu) == ["Open agenda"]
    mode.hint_once(window)
    mode.hint_once(window)
    hints = [w for w in window.findChildren(QWidget) if w.objectName() == "noTrayHint"]
    assert len(hints) == 1, "the hint is said once"
    assert "AppIndicator" in hints[0].text() or "tray" in hints[0].text()
    appeared: list[bool] = []
    mode.tray_appeared.connect(lambda: appeared.append(True))
    mode.start()
    await until(lambda: mode.watching, "the no-tray mode to watch for a tray")
    assert not appeared
    present["tray"] = True
    await until(lambda: appeared, "the tray noticed")
    assert not mode.watching
    await until(lambda: mode.hint is None, "the notice closed: with a tray there, it is wrong")


@pytest.mark.asyncio
async def test_screenshots_of_the_tray_menu_and_icons(make_app: MakeApp, emulator: EmulatorServer) -> None:
    """Writes tray-menu-{light,dark}.png and tray-icons-{light,dark}.png when KLEN_SCREENSHOTS=DIR is set."""
    target = os.environ.get("KLEN_SCREENSHOTS")
    if not target:
        pytest.skip("set KLEN_SCREENSHOTS=DIR to write screenshots")
    noon = local_noon_tomorrow()
    insert_event(emulator, "Standup", base=noon, hours_from_now=0.25, event_type="meeting")
    insert_event(
        emulator,
        "Design review with Acme",
        base=noon,
        hours_from_now=1,
        event_type="video_call",
        has_video_conference=True,
        video_conference_url="https://meet.example.com/acme",
    )
    insert_event(
        emulator,
        "Call back Ana Souza",
        base=noon,
        hours_from_now=2.5,
        event_type="voice_call",
        customer_name="Ana Souza",
        customer_phone="+34 600 11 22 33",
    )
    insert_event(emulator, "Haircut: Bo", base=noon, hours_from_now=4, event_type="appointment")
    app = await make_app(clock=ShiftedClock(noon))
    app.controller.dnd.hold_for(app.controller.session.clock.now(), 60)
    qt = QApplication.instance()
    assert isinstance(qt, QApplication)
    original = qt.palette()
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for name, palette in (("light", original), ("dark", dark_tray_palette())):
            qt.setPalette(palette)
            menu = app.tray.menu
            await until(partial(painted_in, menu, palette), f"the menu in the {name} palette")
            app.tray.fill_menu(menu)
            menu.resize(menu.sizeHint())  # all of it: adjustSize would cut it at two thirds of a small screen
            assert menu.grab().save(str(folder / f"tray-menu-{name}.png"))
            strip = QPixmap(len(TrayState) * 40 + 8, 48)
            strip.fill(palette.color(QPalette.ColorRole.Window))
            painter = QPainter(strip)
            for index, state in enumerate(TrayState):
                painter.drawPixmap(8 + index * 40, 8, tray_pixmap(state, 32))
            painter.end()
            assert strip.save(str(folder / f"tray-icons-{name}.png"))
    finally:
        qt.setPalette(original)


def painted_in(widget: QWidget, palette: QPalette) -> bool:
    """Whether an application palette change has reached ``widget``."""
    window = QPalette.ColorRole.Window
    return widget.palette().color(window) == palette.color(window)


def dark_tray_palette() -> QPalette:
    palette = QPalette()
    for role, colour in {
        QPalette.ColorRole.Window: "#202227",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#17181c",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2c2e34",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
    }.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7f88"))
    return palette
