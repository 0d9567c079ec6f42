"""The entry point: one instance per user, the tray icon up at once, then the app (:mod:`klen_desktop.ui.shell`).

Start-up order: single-instance check, Qt application, the boot tray icon (with nothing but Qt and the icon
painter imported, so it appears about as fast as a bare Qt tray icon does), then the qasync loop for the app's
whole life and the composition root :class:`klen_desktop.ui.shell.KlenDesktop`, which adopts the icon.
"""

from __future__ import annotations

import logging
import secrets
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from klen_desktop import __version__
from klen_desktop.ui.icons import PANEL_SIZES, TrayState, app_icon, tray_icon

if TYPE_CHECKING:
    from klen_desktop.ui.shell import Connection, KlenDesktop

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.klen.ai"
# The smoke test's throw-away secret lives under its own service name: the user's key is never touched.
SMOKE_KEYRING_SERVICE = "klen-desktop-smoke"
SMOKE_KEYRING_TIMEOUT = 10.0


@dataclass(frozen=True)
class AppOptions:
    demo: bool = False
    base_url: str = DEFAULT_BASE_URL
    smoke: bool = False
    # Tests run several apps in one process; a real launch always takes part in the single-instance check.
    single_instance: bool = True


def boot_tray(qt_app: QApplication) -> QSystemTrayIcon | None:
    """Show the tray icon at once, before the heavy imports, with a "starting" menu; the Tray adopts both.

    Returns None when there is no tray (the app then comes up as a window). The boot menu offers no Quit:
    quitting before the loop and the core are up would have nothing to shut down cleanly, and the full menu
    (with Quit) replaces it within a second or two.
    """
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon = QSystemTrayIcon(tray_icon(TrayState.SYNCING, PANEL_SIZES), qt_app)
    icon.setToolTip("Klen Desktop: starting…")
    menu = QMenu()
    menu.addAction("Starting Klen Desktop…").setEnabled(False)
    icon.setContextMenu(menu)
    icon.setProperty("bootMenu", menu)  # keeps the menu alive as long as the icon shows it
    icon.show()
    qt_app.processEvents()  # send the registration to the tray host now, not after the imports
    return icon


def run_app(options: AppOptions) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
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
    qt_app.setWindowIcon(app_icon())
    import asyncio

    import qasync

    from klen_desktop.ui.shell import KlenDesktop

    desktop = KlenDesktop(qt_app, options, boot_icon=boot)
    if instance is not None:
        instance.raise_requested.connect(lambda: desktop.windows.open_agenda() if desktop.windows else None)
        instance.quit_requested.connect(desktop.quit)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qt_app)) as runner:
            return runner.run(desktop.main())
    finally:
        if instance is not None:
            instance.release()


async def smoke_keyring(service: str = SMOKE_KEYRING_SERVICE) -> str:
    """Store, read back and delete a throw-away secret under ``service`` (never the user's key).

    ``ok``, ``unavailable`` (no keyring backend), or the error's title with spaces as underscores.
    """
    from klen_desktop.secrets import KeyringUnavailable, KeyStore, KeyStoreError

    store = KeyStore(service=service, timeout=SMOKE_KEYRING_TIMEOUT)
    secret = f"smoke-{secrets.token_hex(8)}"
    try:
        await store.set(secret)
        try:
            read = await store.get()
        finally:
            await store.delete()
    except KeyringUnavailable as exc:
        log.warning("smoke: no keyring: %s", exc.message)
        return "unavailable"
    except KeyStoreError as exc:
        log.warning("smoke: keyring round trip failed: %s: %s", exc.title, exc.message)
        return exc.title.replace(" ", "_")
    if read != secret:
        log.warning("smoke: the keyring returned another secret than the one stored")
        return "Keyring_mismatch"
    return "ok"


def __getattr__(name: str) -> Any:
    # The composition root lives in klen_desktop.ui.shell (imported after the boot icon); these names stay
    # reachable from here for callers that import the app by its entry point.
    if name in ("KlenDesktop", "Connection", "sync_config"):
        from klen_desktop.ui import shell

        return getattr(shell, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AppOptions", "Connection", "KlenDesktop", "boot_tray", "run_app", "smoke_keyring"]
