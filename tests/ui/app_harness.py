"""The real app on the emulator: the composition root's own objects (controller, tray, windows) over loopback.

The ``make_app`` fixture (tests/ui/conftest.py): ``make_app(key=..., server=...)`` starts :class:`KlenDesktop`
as a launch would (minus the single-instance check and the keyring lookup), on the shared qasync loop, with its
cache and settings in the test's temp folder.
Every wait is bounded (``app.until``). The stories drive it as a user does: tray menu items
(:meth:`AppHarness.tray_item`), clicks on the agenda's rows (:meth:`AppHarness.pick`), typing (:func:`type_into`).
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QMenu
from waiting import until

from klen_desktop.app import KlenDesktop
from klen_desktop.clock import Clock
from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.settings_dialog import SettingsDialog
from klen_desktop.ui.tray import Tray
from klen_desktop.ui.window_manager import Windows


@dataclass
class AppHarness:
    desktop: KlenDesktop
    server: EmulatorServer

    @property
    def controller(self) -> Controller:
        assert self.desktop.controller is not None
        return self.desktop.controller

    @property
    def windows(self) -> Windows:
        assert self.desktop.windows is not None
        return self.desktop.windows

    @property
    def tray(self) -> Tray:
        assert self.desktop.tray is not None
        return self.desktop.tray

    @property
    def agenda(self) -> Any:
        return self.windows.ensure_agenda()

    async def until(self, predicate: Callable[[], object], what: str, timeout: float = 10.0) -> None:
        """:func:`waiting.until`, for the stories that read ``await app.until(...)``."""
        await until(predicate, what, timeout)

    def tray_item(self, prefix: str) -> QAction:
        """The tray menu's item whose text starts with ``prefix``, as the menu shows it when opened."""
        self.tray.fill_menu(self.tray.menu)  # what opening the menu does
        return action(self.tray.menu, prefix)

    def open_new_event_editor(self) -> None:
        """The tray's New event… (the quick-add window), then its Edit… with nothing typed: the empty editor."""
        self.tray_item("New event…").trigger()
        window = self.windows.quick_add_window
        assert window is not None and window.isVisible()
        window.box.edit_button.click()

    async def pick(self, title: str) -> AgendaWindow:
        """Open the agenda from the tray and click the event's row, so the detail pane shows it."""
        self.tray_item("Open agenda").trigger()
        window = self.agenda
        await self.until(lambda: window.isVisible() and self.agenda_event(title) is not None, f"{title!r} listed")
        row = window.model.row_of(self.agenda_event(title).id)
        assert row is not None, f"{title!r} is filtered out of the list"
        index = window.model.index(row)
        window.list_view.scrollTo(index)
        rect = window.list_view.visualRect(index)
        # On the title: the row's own buttons (Join, Completed, No-show) sit at its right end.
        spot = QPoint(rect.left() + rect.width() // 4, rect.center().y())
        QTest.mouseClick(window.list_view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        shown = window.pane.shown_event
        assert shown is not None and shown.title == title, f"the click showed {shown and shown.title!r}"
        return window

    async def account_settings(self) -> SettingsDialog:
        """Settings from the tray, on the Account tab (clicked, as it opens on General)."""
        self.tray_item("Settings…").trigger()
        dialog = self.windows.settings
        assert dialog is not None
        bar = dialog.tabs.tabBar()
        tab = bar.tabRect(dialog.tabs.indexOf(dialog.key_page))
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=tab.center())
        assert dialog.tabs.currentWidget() is dialog.key_page
        return dialog

    def agenda_titles(self) -> list[str]:
        model = self.agenda.model
        titles = []
        for row in range(model.rowCount()):
            event = model.event_at(row)
            if event is not None:
                titles.append(event.title)
        return titles

    def server_event(self, title: str) -> dict[str, Any] | None:
        return next((e for e in self.server.admin.all_events() if e["title"] == title), None)

    def agenda_event(self, title: str) -> Any:
        model = self.agenda.model
        for row in range(model.rowCount()):
            event = model.event_at(row)
            if event is not None and event.title == title:
                return event
        return None

    async def synced(self) -> None:
        """Wait until the first poll is in and the agenda shows it."""
        await self.until(lambda: self.controller.status.last_success is not None, "the first sync")
        await self.controller.reload()


def type_into(field: QLineEdit | QAbstractSpinBox, text: str) -> None:
    """Replace what ``field`` holds with ``text``, typed key by key, as a user selects it all and types over it."""
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_Delete)
    for char in text:
        if char.isascii():
            QTest.keyClick(field, char)
        else:  # QTest knows keys for ASCII only; other letters arrive as text, as from a keyboard layout
            QTest.sendKeyEvent(QTest.KeyAction.Click, field, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier)


class UrlCatcher(QObject):
    """Stands in for the browser: Qt hands every https link opened through QDesktopServices to :meth:`open`."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def menu_labels(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def action(menu: QMenu, prefix: str) -> QAction:
    found = [a for a in menu.actions() if a.text().startswith(prefix)]
    assert found, f"no menu item starting with {prefix!r} in {menu_labels(menu)}"
    return found[0]


def insert_event(
    server: EmulatorServer, title: str, *, hours_from_now: float = 3, base: datetime | None = None, **extra: Any
) -> int:
    """Put an event straight into the emulator (as another client would have), ``hours_from_now`` after
    ``base`` (default: now)."""
    start = ((base or datetime.now(UTC)) + timedelta(hours=hours_from_now)).replace(second=0, microsecond=0)
    fields = {"title": title, "start_time": start, "end_time": start + timedelta(minutes=30), **extra}
    return server.admin.insert_events([fields])[0]


class AppFactory:
    """``await make_app(key=None, server=None, clock=None, demo=False)`` starts an app; ``shutdown_all()`` quits
    them all."""

    def __init__(self, make: Callable[..., Awaitable[AppHarness]], started: list[KlenDesktop]) -> None:
        self._make = make
        self._started = started

    async def __call__(
        self,
        key: str | None = None,
        server: EmulatorServer | None = None,
        clock: Clock | None = None,
        demo: bool = False,
    ) -> AppHarness:
        """``demo=True`` starts as demo mode would, but on the test emulator (a saved key then goes live)."""
        return await self._make(key=key, server=server, clock=clock, demo=demo)

    async def shutdown_all(self) -> None:
        for desktop in self._started:
            await desktop.shutdown()


MakeApp = AppFactory


def local_noon_tomorrow() -> datetime:
    """An instant with hours of the same local day on both sides: "today" tests pass at any time of day."""
    tomorrow = datetime.now().astimezone() + timedelta(days=1)
    return tomorrow.replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
