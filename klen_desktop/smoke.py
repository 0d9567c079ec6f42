"""``--smoke``: the app started the way a launch starts it, then every part a packaged build may have lost is used once.

A frozen bundle drops what its build did not see imported; such a loss shows only when the code runs. So the
check runs the real code paths of the started app, not a second start-up of its own: the first sync into the
store, the tray, every window (agenda, editor, slot finder, settings, reminder card, "Starting now"), an ICS
file saved through the API, a notification through the platform's service, a throw-away secret through the
keyring, the network-status backend and the platform theme. It prints one ``SMOKE key=value ...`` line and the
app then quits through its normal shutdown. Any check that raises is reported by name, never swallowed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from klen_desktop import __version__
from klen_desktop.notify.messages import starting_now_content
from klen_desktop.secrets import KeyringUnavailable, KeyStore, KeyStoreError
from klen_desktop.session.files import ics_file_name

if TYPE_CHECKING:
    from klen_desktop.app import KlenDesktop
    from klen_desktop.session.connection import Connection

log = logging.getLogger(__name__)

FIRST_SYNC_TIMEOUT = 60.0
POLL = 0.05
# The order in which windows are opened; each is shown, checked on screen and closed again.
WINDOW_NAMES = ("agenda", "editor", "quick_add", "slots", "settings", "reminder", "starting_now")
# The check's throw-away secret lives under its own service name: the user's key is never touched.
SMOKE_KEYRING_SERVICE = "klen-desktop-smoke"
SMOKE_KEYRING_TIMEOUT = 10.0


async def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(POLL)
    return True


def _exposed(window: QWidget) -> bool:
    # Exposed, not only visible: on Wayland a window is visible at once but on screen only once the compositor
    # has configured it, and a window closed before that never showed.
    handle = window.windowHandle()
    return window.isVisible() and handle is not None and handle.isExposed()


async def _shown(window: QWidget) -> bool:
    """Whether ``window`` got on screen; it is closed again either way."""
    window.show()
    shown = await wait_for(lambda: _exposed(window), 5.0)
    await asyncio.sleep(POLL)  # one turn of the loop: the window paints before it goes
    window.close()
    return shown


async def check_windows(desktop: KlenDesktop, event_id: int | None) -> str:
    """Open every window of the app once: ``ok`` or ``failed:<name>,...``."""
    windows, bridge, controller = desktop.windows, desktop.notifications, desktop.controller
    assert windows is not None and bridge is not None and controller is not None
    failed: list[str] = []
    for name in WINDOW_NAMES:
        try:
            if name == "agenda":
                window: QWidget = windows.open_agenda()
            elif name == "editor":
                window = windows.new_event()
            elif name == "quick_add":
                window = windows.quick_add()
            elif name == "slots":
                window = windows.find_slot()
            elif name == "settings":
                window = windows.open_settings()
            else:
                stored = await controller.find_event(event_id) if event_id is not None else None
                if stored is None:
                    failed.append(f"{name}(no_event)")
                    continue
                content = starting_now_content(stored)
                cards = bridge.reminder_windows
                window = cards.show_reminder(content) if name == "reminder" else cards.show_starting_now(content)
            if not await _shown(window):
                failed.append(name)
        except Exception:
            log.exception("smoke: the %s window failed", name)
            failed.append(name)
    return "ok" if not failed else "failed:" + ",".join(failed)


async def check_ics(desktop: KlenDesktop, event_id: int | None) -> str:
    """Save one event's calendar file through the API into a temporary folder: ``ok`` or what went wrong."""
    controller = desktop.controller
    if controller is None or event_id is None:
        return "no_event"
    try:
        with tempfile.TemporaryDirectory(prefix="klen-smoke-") as folder:
            path = await controller.session.save_ics(event_id, Path(folder) / ics_file_name("smoke", event_id))
            return "ok" if path.read_bytes().startswith(b"BEGIN:VCALENDAR") else "not_a_calendar"
    except Exception as exc:
        log.exception("smoke: saving the ICS file failed")
        return type(exc).__name__


def no_tray_state(desktop: KlenDesktop) -> str:
    """``off`` with a tray; without one ``menu`` when the agenda carries the tray's menu, else what is missing."""
    mode = desktop.no_tray
    if mode is None:
        return "off"
    agenda = desktop.windows.agenda if desktop.windows is not None else None
    if agenda is None:
        return "no_agenda"
    return "menu" if mode.reachable_from(agenda) else "no_menu"


def network_backend(desktop: KlenDesktop) -> str:
    """The network-status backend Qt loaded (``none`` without one; the app then notices a reconnect later)."""
    info = desktop.network_information
    return info.backendName() if info is not None else "none"


async def run_self_check(desktop: KlenDesktop, connection: Connection) -> int:
    """The whole check on a started app; 0 when everything a packaged build needs worked."""
    from klen_desktop.ui.notifications import smoke_notification

    controller = desktop.controller
    assert controller is not None
    synced = await wait_for(
        lambda: controller.status.last_success is not None or controller.status.last_error is not None,
        FIRST_SYNC_TIMEOUT,
    )
    error = controller.status.last_error if synced else "no_first_sync"
    events = await controller.session.all_events()
    event_id = events[0].id if events else None
    tray = QSystemTrayIcon.isSystemTrayAvailable()
    tray_shown = desktop.tray is not None and desktop.tray.icon.isVisible()
    no_tray = no_tray_state(desktop)  # before the window check, which closes the agenda
    windows = await check_windows(desktop, event_id)
    ics = await check_ics(desktop, event_id)
    notify = await smoke_notification(desktop.notifier, tray_fallback=tray)
    keyring = await smoke_keyring()
    scheme = desktop.qt_app.styleHints().colorScheme().name
    mode = "demo" if connection.demo else "live"
    sys.stdout.write(
        f"SMOKE version={__version__} mode={mode} platform={desktop.qt_app.platformName()} "
        f"tray={tray} tray_shown={tray_shown} no_tray={no_tray} events={len(events)} "
        f"error={(error or 'none').replace(' ', '_')} windows={windows} ics={ics} notify={notify} "
        f"keyring={keyring} network={network_backend(desktop)} colors={scheme} optimize={sys.flags.optimize}\n"
    )
    sys.stdout.flush()
    ok = error is None and bool(events) and windows == "ok" and ics == "ok" and no_tray in ("off", "menu")
    return 0 if ok else 1


async def smoke_keyring(service: str = SMOKE_KEYRING_SERVICE) -> str:
    """Store, read back and delete a throw-away secret under ``service`` (never the user's key).

    ``ok``, ``unavailable`` (no keyring backend), or the error's title with spaces as underscores.
    """
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
