"""The tray on real tray hosts, seen on the screen and clicked with the pointer: one leg per host.

``make test`` runs this module once per host after the main run (tests/session/run-tests.sh), each time with
only the tray host replaced (tests/session/tray-host.sh): xfce4-panel's Status Tray (a StatusNotifierItem host:
the panel draws the icon and the menu), trayer (XEmbed only: Qt draws both) and none (the no-tray mode). In the
main run (the self-made watcher, which draws nothing) every test here is skipped.

Per host: the icon's pixels are in the panel, a left click opens the agenda, a right click opens the menu with
every item reachable (its last item, Quit, is clicked, not scrolled to), and the icon's pixels follow the state.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from app_harness import AppHarness, MakeApp, insert_event, local_noon_tomorrow
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton
from shifted_clock import ShiftedClock
from tray_screen import PANEL_STRIP, click, colour_box, key, save, screen, tray_host, visible_windows
from waiting import until

from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui.icons import TrayState, accent

HOST = tray_host()
pytestmark = pytest.mark.session

drawn_tray = pytest.mark.skipif(HOST not in ("xfce", "trayer"), reason=f"needs a tray host that draws (now: {HOST})")
no_tray = pytest.mark.skipif(HOST != "none", reason=f"the no-tray leg (now: {HOST})")

# xfce4-panel's Status Tray draws a StatusNotifierItem's menu in its plugin process, whose X class is this.
XFCE_MENU_CLASS = "Wrapper-2.0"
# trayer as tests/session/tray-host.sh starts it: along the top edge, on a flat light background.
TRAYER = "trayer --edge top --align left --widthtype pixel --width 240 --height 32 --transparent false --tint 0xf0f0f0"


async def icon_on_screen(state: TrayState, what: str) -> QRect:
    """Where the icon's header, in ``state``'s colour, is in the panel, once the host has drawn it."""
    found: list[QRect] = []

    def drawn() -> bool:
        box = colour_box(screen(), accent(state))
        found[:] = [box] if box is not None else []
        return bool(found)

    await until(drawn, what, timeout=10, interval=0.1)
    return found[0]


async def start(make_app: MakeApp, emulator: EmulatorServer, events: int) -> AppHarness:
    # The host drops an earlier test's icon a moment after it left; two icons would make one box of pixels.
    if visible_windows(XFCE_MENU_CLASS):
        key("Escape")  # a menu an earlier failure left open holds the pointer
    await until(
        lambda: all(colour_box(screen(), accent(state)) is None for state in (TrayState.NORMAL, TrayState.DND)),
        "no icon left in the panel from an earlier test",
        interval=0.1,
    )
    noon = local_noon_tomorrow()
    for n in range(events):
        insert_event(emulator, f"Meeting {n + 1}", base=noon, hours_from_now=0.5 + n)
    app = await make_app(clock=ShiftedClock(noon))
    assert app.tray.icon.isVisible(), f"the tray icon is shown on {HOST}"
    return app


class Quits:
    """Counts Quit clicks instead of quitting, so the test's app outlives the click."""

    def __init__(self, app: AppHarness) -> None:
        self.count = 0
        app.tray.quit_requested.disconnect(app.desktop.quit)
        app.tray.quit_requested.connect(self._quit)

    def _quit(self) -> None:
        self.count += 1


async def open_menu_and_click_quit(app: AppHarness, icon: QRect, quits: Quits, shot: str) -> int:
    """Right-click the icon, click the menu's last item (Quit Klen Desktop) where the menu shows it, and
    return the menu's height on screen. A menu sized for fewer rows hides Quit behind a scroll arrow: the
    click at its bottom then scrolls instead of quitting."""
    before = quits.count
    await panel_settled(app)
    click(icon.center().x(), icon.center().y(), 3)
    if HOST == "trayer":  # XEmbed: Qt shows the QMenu itself
        menu = app.tray.menu
        await until(menu.isVisible, "the tray menu open")
        rect = menu.geometry()
        quit_item = menu.actions()[-1]
        assert quit_item.text() == "Quit Klen Desktop"
        spot = menu.mapToGlobal(menu.actionGeometry(quit_item).center())
        assert rect.contains(spot), "Quit lies inside the menu on screen"
    else:
        windows: list[QRect] = []

        def shown() -> bool:
            windows[:] = [w.rect for w in visible_windows(XFCE_MENU_CLASS) if w.rect.height() > 60]
            return bool(windows)

        await until(shown, "the panel's menu window", interval=0.1)
        rect = windows[0]
        await until(lambda: rect_settled(rect), "the panel's menu drawn", interval=0.1)
        spot = QPoint(rect.center().x(), rect.bottom() - 12)  # the last row, above the menu's bottom padding
    save(screen(), shot)
    click(spot.x(), spot.y(), 1)
    await until(lambda: quits.count == before + 1, f"Quit clicked at the bottom of the menu ({rect})", timeout=3)
    return rect.height()


async def panel_settled(app: AppHarness) -> None:
    """Wait until the icon is the normal one and the panel redraws nothing: a host may rebuild the icon's
    button when the icon changes (a sync shows a badge for a moment), and a click then lands on the panel."""
    await until(lambda: app.tray.state is TrayState.NORMAL, "the icon back to normal")
    last: list[QImage] = []

    def unchanged() -> bool:
        strip = screen().copy(PANEL_STRIP)
        same = bool(last) and last[0] == strip
        last[:] = [strip]
        return same

    await until(unchanged, "the panel drawn and still", interval=0.15)


def rect_settled(rect: QRect) -> bool:
    return any(w.rect == rect for w in visible_windows(XFCE_MENU_CLASS))


@drawn_tray
@pytest.mark.asyncio
async def test_icon_shows_opens_the_agenda_and_follows_the_state(make_app: MakeApp, emulator: EmulatorServer) -> None:
    app = await start(make_app, emulator, events=1)
    icon = await icon_on_screen(TrayState.NORMAL, f"the icon's pixels in the {HOST} panel")
    save(screen(), f"tray-{HOST}-icon")
    assert PANEL_STRIP.contains(icon)

    click(icon.center().x(), icon.center().y(), 1)
    await until(lambda: app.windows.agenda is not None and app.windows.agenda.isVisible(), "the agenda opened")
    app.windows.agenda.hide()

    app.tray.dnd.emit(60)  # Do not disturb for an hour: the header turns violet
    assert app.tray.state is TrayState.DND
    await icon_on_screen(TrayState.DND, "the Do-not-disturb icon in the panel")
    assert colour_box(screen(), accent(TrayState.NORMAL)) is None, "the normal icon is gone"
    save(screen(), f"tray-{HOST}-dnd")
    app.tray.dnd.emit(0)
    await icon_on_screen(TrayState.NORMAL, "the normal icon back")


@drawn_tray
@pytest.mark.asyncio
async def test_menu_shows_every_item_on_first_opening_and_after_rows_change(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    app = await start(make_app, emulator, events=1)
    quits = Quits(app)
    icon = await icon_on_screen(TrayState.NORMAL, "the icon in the panel")
    first = await open_menu_and_click_quit(app, icon, quits, f"tray-{HOST}-menu-first")
    again = await open_menu_and_click_quit(app, icon, quits, f"tray-{HOST}-menu-again")
    assert first == again, "the first opening has the size of every later one"

    # Two more of today's events: two more rows, shown in full the first time the menu opens after.
    noon = local_noon_tomorrow()
    insert_event(emulator, "Added A", base=noon, hours_from_now=2.5)
    insert_event(emulator, "Added B", base=noon, hours_from_now=3.5)
    app.controller.sync_now()
    await until(lambda: any("Added B" in a.text() for a in app.tray.menu.actions()), "the new events in the menu")
    grown = await open_menu_and_click_quit(app, icon, quits, f"tray-{HOST}-menu-grown")
    assert grown > first, f"two more rows make a taller menu ({first} -> {grown})"
    assert grown == await open_menu_and_click_quit(app, icon, quits, f"tray-{HOST}-menu-grown-again")


@pytest.fixture
def later_tray() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start a tray host in the middle of a test (the no-tray leg); stopped, by its PID, at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(timeout=10)


@no_tray
@pytest.mark.asyncio
async def test_without_a_tray_the_app_is_a_window_and_a_tray_that_appears_takes_over(
    make_app: MakeApp, emulator: EmulatorServer, later_tray: list[subprocess.Popen[bytes]]
) -> None:
    app = await start_without_tray(make_app, emulator)
    mode = app.desktop.no_tray
    assert mode is not None and mode.watching
    assert notice_open(), "the 'No system tray' notice is shown"
    agenda = app.windows.agenda
    assert agenda is not None and agenda.isVisible(), "the agenda is the app's window"
    button = agenda.findChild(QToolButton, "klenMenuButton")
    assert button is not None and button.menu() is mode.menu, "the tray's menu is on it"

    later_tray.append(subprocess.Popen(TRAYER.split()))
    await until(app.tray.icon.isVisible, "the tray icon shown once a tray appeared", timeout=15)
    await icon_on_screen(TrayState.NORMAL, "the icon in the tray that appeared")
    await until(lambda: not notice_open(), "the 'No system tray' notice closed: it is no longer true")
    save(screen(), "tray-none-then-trayer")


async def start_without_tray(make_app: MakeApp, emulator: EmulatorServer) -> AppHarness:
    noon = local_noon_tomorrow()
    insert_event(emulator, "Meeting", base=noon, hours_from_now=0.5)
    app = await make_app(clock=ShiftedClock(noon))
    assert not app.tray.icon.isVisible()
    return app


def notice_open() -> bool:
    return any(
        isinstance(w, QMessageBox) and w.windowTitle() == "No system tray" and w.isVisible()
        for w in QApplication.topLevelWidgets()
    )
