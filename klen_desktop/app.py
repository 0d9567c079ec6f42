"""The composition root: builds every part of the running app once, wires them together, runs them on the loop.

:mod:`klen_desktop.launch` (the entry point) shows the tray icon first and imports this module after, so the icon
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from klen_desktop.accounts.migration import accounts_at_start, first_account, shown_first
from klen_desktop.accounts.model import Account
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import ACCOUNTS_FILENAME, cache_path_of
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.clock import Clock, SystemClock
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.i18n import _
from klen_desktop.options import AppOptions
from klen_desktop.secrets import KeyStore
from klen_desktop.session.accounts import AccountSessions
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.connection import Connection, ConnectionChooser, core_config, sync_config
from klen_desktop.session.merged import MergedCalendar
from klen_desktop.settings import KeyState, Preferences, load_preferences, save_preferences
from klen_desktop.store.recovery import CacheNotice
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.network_watch import NetworkWatch
from klen_desktop.ui.tray import Tray
from klen_desktop.ui.tray_actions import TrayActions
from klen_desktop.ui.window_manager import Windows, copy_text, open_phone

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

    from klen_desktop.notify.backend import NotificationBackend
    from klen_desktop.ui.no_tray_mode import NoTrayMode
    from klen_desktop.ui.notifications import NotificationBridge
    from klen_desktop.ui.shortcuts_hub import ShortcutsHub

log = logging.getLogger(__name__)

# What a start can add after the app is up (the smoke check): it gets the running app and returns the exit code.
AfterStart = Callable[["KlenDesktop", Connection], Awaitable[int]]


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
        self.connections = ConnectionChooser(self.key_store, options.base_url, demo_only=options.demo)
        self.prefs_path = prefs_path
        # The accounts file lives beside the settings (a test's private settings file keeps its accounts private).
        self.accounts_path = None if prefs_path is None else prefs_path.with_name(ACCOUNTS_FILENAME)
        self.accounts = AccountRegistry((first_account(),))
        self.account: Account = first_account()
        self.prefs = Preferences()
        self.connection: Connection | None = None
        self.controller: Controller | None = None
        self.quit_future: asyncio.Future[int] | None = None
        self.tray: Tray | None = None
        self.windows: Windows | None = None
        self.no_tray: NoTrayMode | None = None
        self.notifier = notifier
        self.notifications: NotificationBridge | None = None
        self.shortcuts: ShortcutsHub | None = None
        self._tasks = BackgroundTasks(log, "an app task failed")
        self._shut_down = False
        self._network = NetworkWatch(self._network_back)
        self._cache_announced: set[tuple[str, str]] = set()

    # -- connection ---------------------------------------------------------------------------------------

    def core_config(self, connection: Connection) -> CoreConfig:
        # The demo has its own cache whatever account is shown; a key's calendar is cached in its account's file.
        return core_config(connection, self.prefs, None if connection.demo else cache_path_of(self.account))

    def build_core(self, connection: Connection) -> CoreServices:
        self.connection = connection
        core = CoreServices(self.core_config(connection), clock=self.clock)
        self._announce_cache_when_open(core)
        return core

    def build_session(self, connection: Connection) -> MergedCalendar:
        """Every account's calendar as one: the first account's session on ``connection`` (its stored key, or the
        demo) starts at once, the other accounts' as their keys are read."""
        current = self.controller.session if self.controller is not None else None
        registry = current.registry if current is not None else self.accounts
        accounts = AccountSessions(
            registry,
            build=self._account_session,
            demo=self.connections.demo,
            live_base_url=self.options.base_url,
            keys=self.key_store,
            registry_path=self.accounts_path,
        )
        handles = current.handles if current is not None else None
        return MergedCalendar(accounts, self.account.id, CalendarSession(self.build_core(connection)), handles)

    def _account_session(self, connection: Connection, cache: Path) -> CalendarSession:
        """The session of an account other than the first (each its own cache, outbox, budget and poller)."""
        core = CoreServices(core_config(connection, self.prefs, None if connection.demo else cache), clock=self.clock)
        self._announce_cache_when_open(core)
        return CalendarSession(core)

    async def connect(self, api_key: str | None) -> MergedCalendar:
        """A session for a newly saved key (live) or for none (demo); the controller swaps it in."""
        return self.build_session(await self.connections.for_key(api_key))

    def key_state(self) -> KeyState:
        return self.connections.key_state(self.connection)

    # -- preferences ----------------------------------------------------------------------------------------

    def apply_preferences(self, value: object) -> None:
        if isinstance(value, Preferences):
            self._tasks.spawn(self._apply_preferences(value))

    async def _apply_preferences(self, prefs: Preferences) -> None:
        old, self.prefs = self.prefs, prefs
        controller = self.controller
        try:
            save_preferences(prefs, self.prefs_path)
        except OSError as exc:
            if controller is not None:
                controller.notice.emit(
                    _("Settings not saved"), _("The settings file could not be written: {error}").format(error=exc)
                )
        if prefs.language != old.language and controller is not None:
            controller.notice.emit(_("Language"), _("A new language shows the next time Klen Desktop starts."))
        if prefs.start_at_login != old.start_at_login:
            self._set_autostart(prefs.start_at_login)
        changed_sync = sync_config(prefs) != sync_config(old)
        changed_reminders = prefs.default_reminder_minutes != old.default_reminder_minutes
        if self.notifications is not None:
            self.notifications.set_preferences(prefs)
        self._apply_display(prefs, old)
        if controller is not None and self.connection is not None and (changed_sync or changed_reminders):
            await controller.replace_session(self.build_session(self.connection))

    def _apply_display(self, prefs: Preferences, old: Preferences | None) -> None:
        """The second time zone and the global shortcuts: shown and bound as soon as they are saved."""
        from klen_desktop.date_texts import set_second_zone

        if old is None or prefs.second_zone != old.second_zone:
            set_second_zone(prefs.second_zone)
            if old is not None and self.windows is not None:
                self.windows.second_zone_changed()
        if self.shortcuts is not None:
            self._tasks.spawn(self.shortcuts.apply(prefs))

    def quick_add(self) -> None:
        """What the Quick add shortcut opens: the quick-add window, as the tray's New event… does."""
        if self.windows is not None:
            self.windows.quick_add()

    def _set_autostart(self, on: bool) -> None:
        from klen_desktop import autostart

        try:
            autostart.enable() if on else autostart.disable()
        except autostart.AutostartError as exc:
            if self.controller is not None:
                self.controller.notice.emit(exc.title, exc.message)

    # -- running ----------------------------------------------------------------------------------------------

    async def main(self, after_start: AfterStart | None = None) -> int:
        """Run until Quit (or until ``after_start`` returns its exit code), then shut everything down."""
        loop = asyncio.get_running_loop()
        self.quit_future = loop.create_future()
        self.qt_app.aboutToQuit.connect(self.quit)
        self.prefs = load_preferences(self.prefs_path)
        await self._load_accounts()
        connection = await self.connections.resolve()
        try:
            self.start(connection)
            if after_start is not None:
                return await after_start(self, connection)
            return await self.quit_future
        finally:
            await self.shutdown()

    async def _load_accounts(self) -> None:
        """The accounts (an install from before accounts becomes account 1 in place) and the one shown: the
        first with a key entry, whose key the Account tab of Settings saves and forgets."""
        loop = asyncio.get_running_loop()
        self.accounts = await loop.run_in_executor(None, accounts_at_start, self.accounts_path)
        self.account = shown_first(self.accounts)
        self.key_store = self.key_store.for_entry(self.account.key_entry)
        live_url = self.account.base_url or self.options.base_url
        self.connections = ConnectionChooser(self.key_store, live_url, demo_only=self.options.demo)

    def start(self, connection: Connection) -> Controller:
        """Build the controller, the tray and the windows on the running loop; show the tray (or the window)."""
        # A tray app: closing the agenda or a dialog must never end it (only Quit does).
        self.qt_app.setQuitOnLastWindowClosed(False)
        controller = Controller(
            self.build_session(connection),
            connect=self.connect,
            key_store=self.key_store,
            live_base_url=self.account.base_url or self.options.base_url,
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
        self._shortcuts(controller, windows)
        controller.start()
        self._tasks.spawn(notifications.start())
        if tray.available():
            tray.show()
        else:
            self._no_tray(tray, windows)
        if connection.demo:
            # The demo mark and the way to enter a key are in the agenda: show it on a demo start.
            windows.open_agenda()
        if connection.notice:
            controller.notice.emit(_("Demo mode"), connection.notice)
        return controller

    def _announce_cache_when_open(self, core: CoreServices) -> None:
        async def announce() -> None:
            self._announce_cache(await core.cache_opened())

        self._tasks.spawn(announce())

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
        tray.new_event.connect(windows.quick_add)
        tray.find_slot.connect(windows.find_slot)
        tray.settings.connect(windows.open_settings)
        tray.enter_key.connect(lambda: windows.open_settings(tab="account"))
        tray.sync_now.connect(controller.sync_now)
        # Never QApplication.quit() here: it would stop qasync's loop under the shutdown that must still run.
        tray.quit_requested.connect(self.quit)
        tray.join.connect(windows.open_link)
        tray.call.connect(open_phone)
        tray.copy_text.connect(copy_text)
        actions = TrayActions(controller, tray)
        tray.dnd.connect(actions.set_do_not_disturb)
        tray.free_slot_wanted.connect(lambda: self._tasks.spawn(actions.find_free_slot()))
        tray.book.connect(lambda start, end: self._tasks.spawn(actions.book(start, end)))
        controller.connection_changed.connect(self._connection_changed)
        controller.status_changed.connect(self._network.sync_status)

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

    def _shortcuts(self, controller: Controller, windows: Windows) -> None:
        from klen_desktop.ui.shortcuts_actions import ShortcutActions
        from klen_desktop.ui.shortcuts_hub import ShortcutsHub

        actions = ShortcutActions(
            quick_add=self.quick_add,
            events=lambda: controller.events,
            now=self.clock.now,
            open_link=windows.open_link,
            notice=controller.notice.emit,
        )
        hub = ShortcutsHub(actions, controller.notice.emit)
        windows.on_settings_created.append(lambda dialog: dialog.shortcuts_page.show_results(hub.results))
        hub.results_changed.connect(
            lambda results: windows.settings.shortcuts_page.show_results(results) if windows.settings else None
        )
        self.shortcuts = hub
        self._apply_display(self.prefs, None)

    def _network_back(self) -> None:
        if self.controller is not None:
            self.controller.sync_now()

    def _no_tray(self, tray: Tray, windows: Windows) -> None:
        from klen_desktop.ui.no_tray_mode import NoTrayMode  # only where no panel shows tray icons

        mode = NoTrayMode(tray.fill_menu)
        windows.on_agenda_created.append(mode.attach)
        agenda = windows.open_agenda()
        mode.attach(agenda)
        mode.hint_once(agenda)
        mode.tray_appeared.connect(tray.show)
        mode.start()
        self.no_tray = mode

    def _tray_message(self, title: str, message: str) -> None:
        """The notification center's fallback when no notification service answers."""
        if self.tray is not None and self.tray.icon.isVisible():
            self.tray.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        elif self.windows is not None and self.windows.agenda is not None:
            # No tray to show a balloon: a non-modal message on the agenda, the window the user has.
            from PySide6.QtWidgets import QMessageBox  # its type alone is 0.4 MiB: loaded for the first message

            box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self.windows.agenda)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _connection_changed(self) -> None:
        controller = self.controller
        # The demo emulator runs while some account shows it: the first without a key, or a demo account.
        if controller is not None and not controller.demo and not any(a.demo for a in controller.session.registry):
            self._tasks.spawn(self.connections.stop_demo())
        if self.tray is not None:
            self.tray.refresh()

    def quit(self) -> None:
        """End the app: :meth:`main` shuts everything down on the running loop, then returns."""
        if self.quit_future is not None and not self.quit_future.done():
            self.quit_future.set_result(0)

    @property
    def network_information(self) -> QNetworkInformation | None:
        """The network-status backend in use (None: Qt has none here; a reconnect waits for the next poll)."""
        return self._network.information

    async def shutdown(self) -> None:
        """Hide everything and stop the core; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self._tasks.cancel_all()
        self._network.stop()
        if self.shortcuts is not None:
            await self.shortcuts.close()
        if self.notifications is not None:
            await self.notifications.close()  # withdraws what is still shown, where the platform allows
        if self.windows is not None:
            self.windows.close_all()
        if self.tray is not None:
            self.tray.hide()
        if self.controller is not None:
            await self.controller.shutdown()
        await self.connections.stop_demo()
