"""Composition root: builds every part once, wires them together and owns the qasync loop for the app's life.

Start-up order: Qt application, then (off the UI thread) the API key from the keyring or, without one, the demo
emulator; then the API client, the tray and the agenda; then the first load. Shutdown reverses it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from klen_desktop import __version__
from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import KeyRejected, KlenError, PermissionMissing
from klen_desktop.api.models import EventSummary
from klen_desktop.demo import DemoBackend, start_demo_backend
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.ui.icons import TrayState, app_icon

log = logging.getLogger(__name__)

WINDOW_DAYS_BACK = 7
WINDOW_DAYS_AHEAD = 30
REFRESH_INTERVAL_MS = 60_000


@dataclass(frozen=True)
class AppOptions:
    demo: bool = False
    base_url: str = "https://api.klen.ai"
    smoke: bool = False


@dataclass(frozen=True)
class Connection:
    base_url: str
    api_key: str
    demo: bool
    notice: str | None = None


class KlenDesktop:
    """The running app. One instance per process."""

    def __init__(self, qt_app: QApplication, options: AppOptions) -> None:
        self.qt_app = qt_app
        self.options = options
        self.demo_backend: DemoBackend | None = None
        self.client: KlenClient | None = None
        self.events: list[EventSummary] = []
        self.last_error: str | None = None
        self._agenda: object | None = None
        self._loading: asyncio.Task[None] | None = None

    async def resolve_connection(self) -> Connection:
        notice = None
        if not self.options.demo:
            try:
                key = await KeyStore().get()
            except KeyStoreError as exc:
                key, notice = None, f"{exc.title}: {exc.message}"
                log.warning("keyring unavailable, starting in demo mode: %s", exc.title)
            if key:
                return Connection(base_url=self.options.base_url, api_key=key, demo=False)
        loop = asyncio.get_running_loop()
        self.demo_backend = await loop.run_in_executor(None, start_demo_backend)
        return Connection(
            base_url=self.demo_backend.base_url, api_key=self.demo_backend.api_key, demo=True, notice=notice
        )

    async def load_events(self) -> None:
        assert self.client is not None
        now = datetime.now(UTC)
        today = now.date()
        try:
            self.events = await self.client.list_all_events(
                start_date=today - timedelta(days=WINDOW_DAYS_BACK), end_date=today + timedelta(days=WINDOW_DAYS_AHEAD)
            )
            self.last_error = None
        except (KeyRejected, PermissionMissing) as exc:
            self.last_error = f"{exc.title}: {exc.message}"
            self.tray.set_state(TrayState.ERROR)
        except KlenError as exc:
            self.last_error = f"{exc.title}: {exc.message}"
            self.tray.set_state(TrayState.OFFLINE)
        else:
            self.tray.set_state(TrayState.NORMAL)
            self.tray.update_events(self.events, now)
        if self._agenda is not None:
            self._show_in_agenda()

    def refresh(self) -> None:
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self.load_events())

    def open_agenda(self) -> None:
        from klen_desktop.ui.agenda_list import AgendaListWindow  # heavy window: built on first use

        if self._agenda is None:
            window = AgendaListWindow(demo=self.connection.demo)
            window.setWindowIcon(app_icon())
            window.refresh_requested.connect(self.refresh)
            self._agenda = window
            self._show_in_agenda()
        assert isinstance(self._agenda, AgendaListWindow)
        self._agenda.show()
        self._agenda.raise_()
        self._agenda.activateWindow()

    def _show_in_agenda(self) -> None:
        from klen_desktop.ui.agenda_list import AgendaListWindow

        assert isinstance(self._agenda, AgendaListWindow)
        if self.last_error:
            self._agenda.show_error(self.last_error)
        else:
            self._agenda.show_events(self.events, datetime.now(UTC))

    async def main(self) -> int:
        from klen_desktop.ui.tray import Tray

        loop = asyncio.get_running_loop()
        quit_future: asyncio.Future[int] = loop.create_future()

        def finish() -> None:
            if not quit_future.done():
                quit_future.set_result(0)

        self.qt_app.aboutToQuit.connect(finish)
        self.connection = await self.resolve_connection()
        self.client = KlenClient(self.connection.base_url, self.connection.api_key)
        self.tray = Tray(demo=self.connection.demo)
        self.tray.open_agenda.connect(self.open_agenda)
        self.tray.sync_now.connect(self.refresh)
        self.tray.quit_requested.connect(self.qt_app.quit)
        try:
            if self.options.smoke:
                return await self.smoke()
            if self.tray.available:
                self.tray.show()
            else:
                log.warning("no system tray found: showing the agenda window instead")
                self.open_agenda()
            if self.connection.demo:
                self.open_agenda()
            self.refresh()
            timer = QTimer()
            timer.timeout.connect(self.refresh)
            timer.start(REFRESH_INTERVAL_MS)
            return await quit_future
        finally:
            await self.shutdown()

    async def smoke(self) -> int:
        await self.load_events()
        mode = "demo" if self.connection.demo else "live"
        sys.stdout.write(
            f"SMOKE version={__version__} mode={mode} platform={self.qt_app.platformName()} "
            f"tray={QSystemTrayIcon.isSystemTrayAvailable()} events={len(self.events)} "
            f"error={self.last_error or 'none'}\n"
        )
        sys.stdout.flush()
        return 0 if self.last_error is None and self.events else 1

    async def shutdown(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
        if self.client is not None:
            await self.client.aclose()
        if self.demo_backend is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.demo_backend.stop)


def run_app(options: AppOptions) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Klen Desktop")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("klen-desktop")
    qt_app.setQuitOnLastWindowClosed(False)
    qt_app.setWindowIcon(app_icon())
    desktop = KlenDesktop(qt_app, options)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qt_app)) as runner:
        return runner.run(desktop.main())
