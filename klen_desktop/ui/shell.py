"""The running app: builds every part once, wires them together and runs them on the qasync loop.

:mod:`klen_desktop.app` (the entry point) shows the tray icon first and imports this module after, so the icon
is up before the core's imports are paid for. Start-up order here: preferences, then (off the UI thread) the
API key from the keyring or, without one, the demo emulator; then the core services, the controller and the
tray (which adopts the boot icon), and the notification center (:mod:`klen_desktop.ui.notifications`), which
gets reminders, sync news and notices; the tray's balloon is only its fallback. Windows are built on first use
(:mod:`klen_desktop.ui.window_manager`). What opening the cache had to do (a damaged file set aside, an in-memory cache
for a full disk or a read-only folder: :mod:`klen_desktop.store.recovery`) is told once as a notice. Shutdown
reverses it: notifications withdrawn, windows hidden, tray removed, core stopped (queued writes stay on disk for
the next start), demo emulator stopped.

Demo mode (no key stored, or ``--demo``) runs the real app against the built-in emulator on loopback, with a
"Demo" mark on the tray and the agenda and Settings one click away to enter a real key; saving a key switches
to the live calendar without a restart, forgetting it switches back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from klen_desktop.api.errors import KlenError
from klen_desktop.clock import Clock, SystemClock
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.demo import DemoBackend, start_demo_backend
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.outcomes import WriteRefused
from klen_desktop.settings import KeyState, Preferences, load_preferences, save_preferences
from klen_desktop.store.recovery import CacheNotice
from klen_desktop.sync.config import SyncConfig
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.no_tray_mode import NoTrayMode
from klen_desktop.ui.tray import FREE_SLOT_MINUTES, Tray, no_slot_today
from klen_desktop.ui.window_manager import Windows, copy_text, open_phone

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

    from klen_desktop.app import AppOptions
    from klen_desktop.notify.backend import NotificationBackend
    from klen_desktop.ui.notifications import NotificationBridge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    base_url: str
    api_key: str
    demo: bool
    notice: str | None = None


def sync_config(prefs: Preferences) -> SyncConfig:
    fast = float(prefs.fast_poll_seconds)
    return SyncConfig(
        days_back=prefs.window_days_back,
        days_ahead=prefs.window_days_ahead,
        fast_interval=fast,
        slow_interval=max(fast, float(prefs.slow_poll_seconds)),
    )


class KlenDesktop:
    """The running app. One instance per process."""

    def __init__(
        self,
        qt_app: QApplication,
        options: AppOptions,
        *,
        key_store: KeyStore | None = None,
        prefs_path: Path | None = None,
        clock: Clock | None = None,
        boot_icon: QSystemTrayIcon | None = None,
        notifier: NotificationBackend | None = None,
    ) -> None:
        """``notifier``: the notification service to use (default: the platform's, through desktop-notifier)."""
        self.qt_app = qt_app
        self.clock: Clock = clock or SystemClock()
        self.boot_icon = boot_icon
        self.options = options
        self.key_store = key_store or KeyStore()
        self.prefs_path = prefs_path
        self.prefs = Preferences()
        self.demo_backend: DemoBackend | None = None
        self.connection: Connection | None = None
        self.key_stored = False
        self.keyring_problem: str | None = None
        self.controller: Controller | None = None
        self.quit_future: asyncio.Future[int] | None = None
        self.tray: Tray | None = None
        self.windows: Windows | None = None
        self.no_tray: NoTrayMode | None = None
        self.notifier = notifier
        self.notifications: NotificationBridge | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._shut_down = False
        self._network: QNetworkInformation | None = None
        self._cache_announced: set[tuple[str, str]] = set()

    # -- connection ---------------------------------------------------------------------------------------

    async def resolve_connection(self) -> Connection:
        """The stored key on the configured server, or the demo emulator when there is none (or --demo)."""
        key = None
        if not self.options.demo:
            try:
                key = await self.key_store.get()
            except KeyStoreError as exc:
                self.keyring_problem = exc.message
                log.warning("keyring unavailable, starting in demo mode: %s", exc.title)
        self.key_stored = key is not None
        if key:
            return Connection(base_url=self.options.base_url, api_key=key, demo=False)
        return await self._demo_connection()

    async def _demo_connection(self) -> Connection:
        if self.demo_backend is None:
            loop = asyncio.get_running_loop()
            self.demo_backend = await loop.run_in_executor(None, start_demo_backend)
        notice = f"Keyring problem: {self.keyring_problem}" if self.keyring_problem else None
        return Connection(
            base_url=self.demo_backend.base_url, api_key=self.demo_backend.api_key, demo=True, notice=notice
        )

    def core_config(self, connection: Connection) -> CoreConfig:
        """What the core of ``connection`` is built from: the connection and the user's preferences."""
        return CoreConfig(
            base_url=connection.base_url,
            api_key=connection.api_key,
            demo=connection.demo,
            sync=sync_config(self.prefs),
            default_reminder_minutes=self.prefs.default_reminder_minutes,
        )

    def build_core(self, connection: Connection) -> CoreServices:
        self.connection = connection
        core = CoreServices(self.core_config(connection), clock=self.clock)
        if self.controller is not None:
            # A core rebuilt for a new key or new settings (the first is announced by start).
            self._announce_cache(core.cache_notice)
        return core

    def build_session(self, connection: Connection) -> CalendarSession:
        """The calendar session of ``connection``: its core, behind the rules every user action goes through."""
        return CalendarSession(self.build_core(connection))

    async def connect(self, api_key: str | None) -> CalendarSession:
        """A session for a newly saved key (live) or for none (demo); the controller swaps it in."""
        self.key_stored = api_key is not None
        if api_key is None:
            return self.build_session(await self._demo_connection())
        return self.build_session(Connection(base_url=self.options.base_url, api_key=api_key, demo=False))

    def key_state(self) -> KeyState:
        demo = self.connection.demo if self.connection is not None else True
        return KeyState(stored=self.key_stored, demo=demo, keyring_problem=self.keyring_problem)

    # -- preferences ----------------------------------------------------------------------------------------

    def apply_preferences(self, value: object) -> None:
        if isinstance(value, Preferences):
            self._spawn(self._apply_preferences(value))

    async def _apply_preferences(self, prefs: Preferences) -> None:
        old, self.prefs = self.prefs, prefs
        controller = self.controller
        try:
            save_preferences(prefs, self.prefs_path)
        except OSError as exc:
            if controller is not None:
                controller.notice.emit("Settings not saved", f"The settings file could not be written: {exc}")
        if prefs.start_at_login != old.start_at_login:
            self._set_autostart(prefs.start_at_login)
        changed_sync = sync_config(prefs) != sync_config(old)
        changed_reminders = prefs.default_reminder_minutes != old.default_reminder_minutes
        if self.notifications is not None:
            self.notifications.set_preferences(prefs)
        if controller is not None and self.connection is not None and (changed_sync or changed_reminders):
            await controller.replace_session(self.build_session(self.connection))

    def _set_autostart(self, on: bool) -> None:
        from klen_desktop import autostart

        try:
            autostart.enable() if on else autostart.disable()
        except autostart.AutostartError as exc:
            if self.controller is not None:
                self.controller.notice.emit(exc.title, exc.message)

    # -- running ----------------------------------------------------------------------------------------------

    async def main(self) -> int:
        loop = asyncio.get_running_loop()
        self.quit_future = loop.create_future()
        self.qt_app.aboutToQuit.connect(self.quit)
        self.prefs = load_preferences(self.prefs_path)
        connection = await self.resolve_connection()
        try:
            self.start(connection)
            if self.options.smoke:
                # The same start as a real launch; the smoke run only adds its checks and the quit.
                from klen_desktop.ui.self_check import run_self_check

                return await run_self_check(self, connection)
            return await self.quit_future
        finally:
            await self.shutdown()

    def start(self, connection: Connection) -> Controller:
        """Build the controller, the tray and the windows on the running loop; show the tray (or the window)."""
        # A tray app: closing the agenda or a dialog must never end it (only Quit does).
        self.qt_app.setQuitOnLastWindowClosed(False)
        controller = Controller(
            self.build_session(connection),
            connect=self.connect,
            key_store=self.key_store,
            live_base_url=self.options.base_url,
        )
        self.controller = controller
        tray = Tray(controller, clock=self.clock.now, icon=self.boot_icon)
        windows = Windows(
            controller,
            prefs=lambda: self.prefs,
            key_state=self.key_state,
            save_prefs=self.apply_preferences,
            clock=self.clock.now,
        )
        self.tray, self.windows = tray, windows
        self._wire(controller, tray, windows)
        notifications = self._notifications(controller, windows)
        controller.start()
        self._spawn(notifications.start())
        if tray.available():
            tray.show()
        else:
            self._no_tray(tray, windows)
        if connection.demo:
            # The demo mark and the way to enter a key are in the agenda: show it on a demo start.
            windows.open_agenda()
        if connection.notice:
            controller.notice.emit("Demo mode", connection.notice)
        self._announce_cache(controller.session.cache_notice)
        return controller

    def _announce_cache(self, notice: CacheNotice | None) -> None:
        """Tell the user once per run what opening the cache had to do (a core rebuilt on the same unusable
        folder would report the same thing again)."""
        if notice is None or self.controller is None:
            return
        key = (notice.problem, notice.path)
        if key in self._cache_announced:
            return
        self._cache_announced.add(key)
        self.controller.notice.emit(notice.title, notice.message)

    def _wire(self, controller: Controller, tray: Tray, windows: Windows) -> None:
        tray.toggle_agenda.connect(windows.toggle_agenda)
        tray.open_agenda.connect(windows.open_agenda)
        tray.show_event.connect(windows.show_event)
        tray.new_event.connect(windows.new_event)
        tray.find_slot.connect(windows.find_slot)
        tray.settings.connect(windows.open_settings)
        tray.sync_now.connect(controller.sync_now)
        # Never QApplication.quit() here: it would stop qasync's loop under the shutdown that must still run.
        tray.quit_requested.connect(self.quit)
        tray.join.connect(windows.open_link)
        tray.call.connect(open_phone)
        tray.copy_text.connect(copy_text)
        tray.dnd.connect(self._dnd)
        tray.free_slot_wanted.connect(lambda: self._spawn(self._find_free_slot()))
        tray.book.connect(lambda start, end: self._spawn(self._book(start, end)))
        controller.connection_changed.connect(self._connection_changed)
        self._watch_network()

    def _notifications(self, controller: Controller, windows: Windows) -> NotificationBridge:
        """Reminders, sync news and notices go to the notification center; the tray is only its fallback."""
        from klen_desktop.ui.notifications import NotificationBridge

        bridge = NotificationBridge(
            controller,
            windows,
            clock=self.clock,
            tray_message=self._tray_message,
            preferences=self.prefs,
            backend=self.notifier,
            open_url=windows.open_link,
        )
        bridge.hook(controller.session)  # before the session starts: no reminder or change can slip by
        self.notifications = bridge
        return bridge

    def _watch_network(self) -> None:
        """Sync at once when the network comes back (the poller notices a wake from sleep by itself)."""
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network-status backend: a reconnect is noticed at the next poll")
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._reachability_changed)
            self._network = info

    def _reachability_changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online and self.controller is not None:
            log.info("the network is back: syncing now")
            self.controller.sync_now()

    def _no_tray(self, tray: Tray, windows: Windows) -> None:
        mode = NoTrayMode(tray.fill_menu)
        windows.on_agenda_created.append(mode.attach)
        agenda = windows.open_agenda()
        mode.attach(agenda)
        mode.hint_once(agenda)
        mode.tray_appeared.connect(tray.show)
        mode.start()
        self.no_tray = mode

    def _dnd(self, minutes: int) -> None:
        assert self.controller is not None
        dnd, now = self.controller.dnd, self.clock.now()
        if minutes == 0:
            dnd.stop()
        elif minutes < 0:
            dnd.hold_until_tomorrow(now)
        else:
            dnd.hold_for(now, minutes)

    async def _find_free_slot(self) -> None:
        # The menu closed on the click that asked: what was found, or why nothing was, is also said aloud.
        assert self.controller is not None and self.tray is not None
        now = self.controller.session.clock.now()
        try:
            found = await self.controller.session.free_slots_ahead(now, FREE_SLOT_MINUTES)
        except KlenError as exc:
            self.tray.offer_slot(None, None, "Could not look for a free slot")
            self.controller.notice.emit("Could not look for a free slot", exc.message)
            return
        if found.today is not None:
            self.tray.offer_slot(found.today.start, found.today.end)
            return
        note = no_slot_today(found.later, FREE_SLOT_MINUTES, now)
        self.tray.offer_slot(None, None, note)
        self.controller.notice.emit(note, "Find a free slot… in the tray menu looks at other days and lengths.")

    async def _book(self, start: object, end: object) -> None:
        assert self.controller is not None
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return
        try:
            await self.controller.book(start, end)
        except WriteRefused as exc:
            self.controller.notice.emit("Could not book the slot", exc.message)
            return
        self.controller.notice.emit("Booked", f"{start.astimezone():%H:%M}–{end.astimezone():%H:%M} is now busy.")

    def _tray_message(self, title: str, message: str) -> None:
        """The notification center's fallback when no notification service answers."""
        if self.tray is not None and self.tray.icon.isVisible():
            self.tray.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        elif self.windows is not None and self.windows.agenda is not None:
            # No tray to show a balloon: a non-modal message on the agenda, the window the user has.
            box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self.windows.agenda)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _connection_changed(self) -> None:
        if self.controller is not None and not self.controller.demo and self.demo_backend is not None:
            backend, self.demo_backend = self.demo_backend, None
            self._spawn(self._stop_backend(backend))
        if self.tray is not None:
            self.tray.refresh()

    async def _stop_backend(self, backend: DemoBackend) -> None:
        await asyncio.get_running_loop().run_in_executor(None, backend.stop)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def quit(self) -> None:
        """End the app: :meth:`main` shuts everything down on the running loop, then returns."""
        if self.quit_future is not None and not self.quit_future.done():
            self.quit_future.set_result(0)

    @property
    def network_information(self) -> QNetworkInformation | None:
        """The network-status backend in use (None: Qt has none here; a reconnect waits for the next poll)."""
        return self._network

    async def shutdown(self) -> None:
        """Hide everything and stop the core; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        for task in list(self._tasks):
            task.cancel()
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._reachability_changed)
            self._network = None
        if self.notifications is not None:
            await self.notifications.close()  # withdraws what is still shown, where the platform allows
        if self.windows is not None:
            self.windows.close_all()
        if self.tray is not None:
            self.tray.hide()
        if self.controller is not None:
            await self.controller.shutdown()
        await self._stop_demo()

    async def _stop_demo(self) -> None:
        if self.demo_backend is not None:
            backend, self.demo_backend = self.demo_backend, None
            await self._stop_backend(backend)
