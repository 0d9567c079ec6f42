"""The entry point: one instance per user, the tray icon up at once, then the app (:mod:`klen_desktop.app`).

Start-up order: single-instance check, Qt application, the boot tray icon (with nothing but Qt and the icon
painter imported, so it appears about as fast as a bare Qt tray icon does), then the qasync loop for the app's
whole life and the composition root :class:`klen_desktop.app.KlenDesktop`, which adopts the icon.
``--smoke`` adds the checks of :mod:`klen_desktop.smoke` to that same start.
"""

from __future__ import annotations

import builtins
import importlib
import linecache
import logging
import sys
from typing import TYPE_CHECKING

from klen_desktop import __version__
from klen_desktop.i18n import _, current_language, install
from klen_desktop.options import AppOptions
from klen_desktop.ui.icons import PANEL_SIZES, TrayState, app_icon, tray_icon

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from klen_desktop.app import KlenDesktop
    from klen_desktop.command_line.protocol import Answer, Request
    from klen_desktop.session.calendar import CalendarSession
    from klen_desktop.session.outcomes import Queued
    from klen_desktop.ui.single_instance import CommandHandler

# Qt comes in last, with the icon painter, and the widgets in the functions: no module is imported between
# Qt's import hook going in and drop_feature_import_hook taking it out.

log = logging.getLogger(__name__)


def boot_tray(qt_app: QApplication) -> QSystemTrayIcon | None:
    """Show the tray icon at once, before the heavy imports, with a "starting" menu; the Tray adopts both.

    Returns None when there is no tray (the app then comes up as a window). The boot menu offers no Quit:
    quitting before the loop and the core are up would have nothing to shut down cleanly, and the full menu
    (with Quit) replaces it within a second or two.
    """
    from PySide6.QtWidgets import QMenu, QSystemTrayIcon

    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon = QSystemTrayIcon(tray_icon(TrayState.SYNCING, PANEL_SIZES), qt_app)
    icon.setToolTip(_("Klen Desktop: starting…"))
    menu = QMenu()
    menu.addAction(_("Starting Klen Desktop…")).setEnabled(False)
    icon.setContextMenu(menu)
    icon.setProperty("bootMenu", menu)  # keeps the menu alive as long as the icon shows it
    icon.show()
    qt_app.processEvents()  # send the registration to the tray host now, not after the imports
    return icon


# The app's modules as they come in after the icon shows, in dependency order so that each step brings little but
# itself (some 5-45 ms each here). Qt's events are handled between steps: the panel reads the new icon's
# properties over D-Bus meanwhile, and one import of everything had kept it waiting about 100 ms. A module left
# out only makes the next step longer; one named here that no longer exists fails the start at once.
APP_IMPORT_STEPS = (
    "ssl",
    "inspect",
    "concurrent.futures",
    "asyncio",
    "qasync",
    "http.client",
    "urllib.request",
    "h11",
    "httpx",
    "klen_desktop.api.models",
    "klen_desktop.api.client",
    "klen_desktop.store.events",
    "klen_desktop.reminders.scheduler",
    "klen_desktop.sync.window_sync",
    "klen_desktop.sync.poller",
    "klen_desktop.core",
    "klen_desktop.session.calendar",
    "klen_desktop.session.accounts",
    "klen_desktop.ui.controller",
    "klen_desktop.ui.tray",
    "klen_desktop.ui.notifications",
    "klen_desktop.app",
)


def import_app_in_steps(qt_app: QApplication) -> None:
    """Import :data:`APP_IMPORT_STEPS`, letting Qt answer its events between steps."""
    for name in APP_IMPORT_STEPS:
        importlib.import_module(name)
        qt_app.processEvents()


def drop_feature_import_hook() -> None:
    """Give ``import`` back to Python: PySide6 puts a hook of its ``__feature__`` switches in front of it.

    The hook serves ``from __feature__ import snake_case, true_property``, which the app never uses, and to
    do so it reads the source of every module imported after PySide6 (``inspect.getsource``, to see whether
    it mentions PySide6): some 400 files whose text then stays in ``linecache`` for the app's whole life,
    about 15 MiB resident, and read during the start. PySide6 keeps the import it replaced as
    ``builtins.__orig_import__``; putting that back leaves Qt as it is (no feature selected, the default).
    The text it read until now (the modules imported with Qt) is let go too, before the app's own imports come
    in and can take up the memory it held.
    """
    original = getattr(builtins, "__orig_import__", None)
    if original is not None and builtins.__import__ is getattr(builtins, "__feature_import__", None):
        builtins.__import__ = original
        linecache.clearcache()


def skip_httpx_command_line() -> None:
    """Keep httpx from importing its command-line client, which the app never runs.

    httpx imports it whenever ``click`` (which uvicorn brings) imports, and with it ``rich`` and ``pygments``
    where those are installed too: up to 90 ms and 4 MiB of the start. A ``None`` in :data:`sys.modules` makes
    that import fail as if they were missing, and httpx then defines a stand-in ``httpx.main`` instead.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def saved_language() -> str:
    """The language picked in Settings ("" for the desktop's); read before any window has a text."""
    from klen_desktop.settings import load_preferences

    return load_preferences().language


def command_handler(desktop: KlenDesktop) -> CommandHandler:
    """The command line's requests, answered on the running app's calendar session.

    What answers them is built (and its modules imported, some 0.2 MiB) when the first command comes: most
    sessions of a tray app never see one."""
    answer: CommandHandler | None = None

    async def first_built(request: Request) -> Answer:
        nonlocal answer
        if answer is None:
            answer = _app_commands(desktop)
        return await answer(request)

    return first_built


def _app_commands(desktop: KlenDesktop) -> CommandHandler:
    from klen_desktop.command_line.in_app import AppCommands

    # The command line acts on the first account (its own ids, as before accounts): its session, and its writes
    # told to the windows under the handles they know them by.
    def queued(queued: Queued) -> None:
        if desktop.controller is not None:
            merged = desktop.controller.session
            desktop.controller.note_queued(merged.handles.queued(merged.first, queued))

    return AppCommands(
        lambda: desktop.controller.session.session() if desktop.controller is not None else None,
        on_queued=queued,
        default_reminder=lambda: desktop.prefs.default_reminder_minutes,
        run_action=lambda action: desktop.shortcuts.run(action) if desktop.shortcuts is not None else None,
        account_session=lambda account_id: _account_session(desktop, account_id),
        account_opening=lambda account_id: (
            desktop.controller is not None and desktop.controller.session.accounts.opening(account_id)
        ),
    ).answer


def _account_session(desktop: KlenDesktop, account_id: str) -> CalendarSession | None:
    """The session of the account ``account_id`` within the app's calendar of all accounts, or None (not open)."""
    from klen_desktop.accounts.model import AccountError

    if desktop.controller is None:
        return None
    merged = desktop.controller.session
    try:
        return merged.session(None if account_id == merged.first else account_id)
    except AccountError:
        return None


def app_key_service() -> str:
    """The keyring service the app's keys are kept under (a benchmark points this at one of its own)."""
    from klen_desktop.key_helper_runs import SERVICE_NAME

    return SERVICE_NAME


def read_the_first_key_early(service: str) -> None:
    """Start reading the key of the account the app shows first (the first keyed account, or the entry of an
    install from before accounts) in the key helper now, so that the keyring is read beside the imports."""
    from klen_desktop.accounts.migration import shown_first
    from klen_desktop.accounts.storage import load_accounts
    from klen_desktop.key_helper_runs import start_early_read

    start_early_read(service, shown_first(load_accounts()).key_entry)


def run_app(options: AppOptions) -> int:
    from PySide6.QtWidgets import QApplication

    drop_feature_import_hook()
    skip_httpx_command_line()
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    from klen_desktop.ui.qt_language import use_language_in_qt

    # The environment's language for the boot icon (reading the settings file would delay it); the one saved in
    # Settings, if another, once the app's modules are in, before any of its windows has a text.
    use_language_in_qt(qt_app, install())
    qt_app.setApplicationName("Klen Desktop")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("klen-desktop")
    qt_app.setQuitOnLastWindowClosed(False)
    instance = None
    # --smoke takes the same way as a real launch (a frozen build that cannot claim the instance must fail
    # there too); it only adds its checks and the quit.
    if options.single_instance:
        from klen_desktop.ui.single_instance import SingleInstance

        instance = SingleInstance()
        if not instance.claim():
            if options.smoke:
                sys.stdout.write("SMOKE error=another_Klen_Desktop_is_running\n")
                return 1
            log.info("Klen Desktop is already running: asked it to show the agenda")
            return 0
    boot = boot_tray(qt_app)
    if instance is not None:
        instance.listen()  # after the icon: a second launch meanwhile retries until the socket is there
    qt_app.setWindowIcon(app_icon())
    key_service = app_key_service()
    if not options.demo:
        read_the_first_key_early(key_service)
    from klen_desktop.heap import keep_large_buffers_mapped

    keep_large_buffers_mapped()  # after the icon: before it, only Qt's start has run
    import_app_in_steps(qt_app)
    import asyncio

    from klen_desktop.app import AfterStart, KlenDesktop
    from klen_desktop.key_helper_runs import drop_early_reads
    from klen_desktop.secrets import KeyStore

    chosen = saved_language()
    if chosen and chosen != current_language():
        use_language_in_qt(qt_app, install(chosen))

    desktop = KlenDesktop(qt_app, options, boot_icon=boot, key_store=KeyStore(service=key_service))
    # The same start as a real launch; the smoke run only adds its checks and the quit.
    after_start: AfterStart | None = None
    if options.smoke:
        from klen_desktop.smoke import run_self_check

        after_start = run_self_check
    if instance is not None:
        instance.raise_requested.connect(lambda: desktop.windows.open_agenda() if desktop.windows else None)
        instance.quit_requested.connect(desktop.quit)
        instance.set_command_handler(command_handler(desktop))
    try:
        with asyncio.Runner(loop_factory=lambda: app_event_loop(qt_app)) as runner:
            return runner.run(desktop.main(after_start))
    finally:
        drop_early_reads()
        if instance is not None:
            instance.release()


def app_event_loop(qt_app: QApplication) -> asyncio.AbstractEventLoop:
    """The app's asyncio loop on Qt's, whose blocking calls (the key helper's wait, a file written, a cache closed)
    run on threads started only when calls overlap: qasync's own default executor starts ten QThreads at the first
    such call, each with its stack and its own malloc arena (0.3 MiB resident in all), for calls that rarely
    overlap."""
    from concurrent.futures import ThreadPoolExecutor

    import qasync

    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(qt_app)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="klen-io"))
    return loop


__all__ = [
    "APP_IMPORT_STEPS",
    "AppOptions",
    "app_event_loop",
    "boot_tray",
    "drop_feature_import_hook",
    "import_app_in_steps",
    "run_app",
    "skip_httpx_command_line",
]
