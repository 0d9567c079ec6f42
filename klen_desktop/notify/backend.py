"""The native notification backends: what they share, and desktop-notifier for macOS and Windows.

On Linux and the BSDs the app speaks the freedesktop protocol itself (:mod:`klen_desktop.notify.freedesktop`);
:func:`klen_desktop.notify.native.native_backend` picks the one for this platform. Shared here:

* whether a service exists: :meth:`NotificationBackend.probe` asks it (on freedesktop ``GetServerInformation``
  and ``GetCapabilities``, each with a timeout; a D-Bus-activatable server is started by the call), and
  :meth:`NotificationBackend.send` reports a notification that was never shown as ``None``;
* whether the server interprets markup: a server that lists ``body-markup`` or ``body-hyperlinks`` would render
  ``<a href=…>`` from a customer's notes, so the body is escaped for it, and only for it;
* what ties a notification to the app: the app's icon (the installed theme icon by name, else the bundled
  image's path) and, on the freedesktop service, the hints ``desktop-entry`` (so desktops group it under the
  app and apply the user's per-app settings) and ``category`` (see :data:`CATEGORIES`).

desktop-notifier sends through the notification center on macOS and WinRT toasts on Windows, and delivers button
and click callbacks on the running asyncio (qasync) loop. Neither platform can run here: that backend is not
exercised by the tests, which say so.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from klen_desktop import markup
from klen_desktop.notify.messages import APP_NAME, Message, NotifyKind
from klen_desktop.notify.servers import button_limit
from klen_desktop.records import record

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
CLICK_KEY = "default"
PROBE_TIMEOUT = 5.0
# Windows toasts take at most five buttons; macOS folds extra ones into a menu; freedesktop has no limit.
_WINDOWS_MAX_BUTTONS = 5

ActionCallback = Callable[[str], None]

#: The .desktop file's name without ``.desktop``: the icon's theme name and the ``desktop-entry`` hint.
DESKTOP_ENTRY = "klen-desktop"
#: The ``category`` hint of each kind (the freedesktop list has nothing for calendars, so ``x-klen.*``).
CATEGORIES: Mapping[NotifyKind, str] = {
    NotifyKind.REMINDER: "x-klen.reminder",
    NotifyKind.MISSED: "x-klen.reminder",
    NotifyKind.NEW_EVENT: "x-klen.change",
    NotifyKind.CONFIRMED: "x-klen.change",
    NotifyKind.MOVED: "x-klen.change",
    NotifyKind.CANCELLED: "x-klen.change",
    NotifyKind.COMPLETED: "x-klen.change",
    NotifyKind.NO_SHOW: "x-klen.change",
    NotifyKind.CHANGES_SUMMARY: "x-klen.change",
    NotifyKind.WRITE_PROBLEM: "x-klen.problem",
    NotifyKind.DND_SUMMARY: "x-klen.summary",
}


def icon_data_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The XDG data folders an icon theme is looked up in, the user's first."""
    env = os.environ if environ is None else environ
    home = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local" / "share")
    dirs = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(folder) for folder in [home, *dirs.split(":")] if folder]


def themed_icon_installed(data_dirs: Sequence[Path], name: str = DESKTOP_ENTRY) -> bool:
    """Whether the hicolor theme of one of ``data_dirs`` has the app's icon (the .deb and install.sh put it there)."""
    for folder in data_dirs:
        hicolor = folder / "icons" / "hicolor"
        if any(hicolor.glob(f"*/apps/{name}.png")) or any(hicolor.glob(f"*/apps/{name}.svg")):
            return True
    return False


def bundled_icon() -> Path | None:
    """The app's own icon file: the PNG a packaged build carries, else the SVG of the source tree."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    for candidate in ("klen-desktop.png", "klen-desktop.svg"):
        path = base / "resources" / "icons" / candidate
        if path.is_file():
            return path
    return None


def app_icon_spec(data_dirs: Sequence[Path] | None = None) -> tuple[str, str] | None:
    """``("name", "klen-desktop")`` when the icon is installed in the theme, ``("path", file)`` otherwise, or
    None when there is no icon at all."""
    if themed_icon_installed(icon_data_dirs() if data_dirs is None else data_dirs):
        return ("name", DESKTOP_ENTRY)
    path = bundled_icon()
    return ("path", str(path)) if path is not None else None


def notification_hints(message: Message) -> dict[str, str]:
    return {"desktop-entry": DESKTOP_ENTRY, "category": CATEGORIES.get(message.kind, "x-klen.summary")}


@record(slots=True)
class ServerInfo:
    """What the platform's notification service is and can do. ``available=False``: nothing answers."""

    available: bool
    actions: bool = False
    markup: bool = False
    max_buttons: int | None = None
    name: str = ""
    reason: str = ""


NO_SERVER = ServerInfo(available=False, reason="not probed yet")


class NotificationBackend(Protocol):
    """Sends, withdraws and reports back. Implementations call ``on_action`` with a button key (``Button.key``)
    or :data:`CLICK_KEY` for a click on the body, and ``on_dismissed`` when the user closes the notification."""

    async def probe(self) -> ServerInfo: ...

    async def send(
        self, message: Message, *, on_action: ActionCallback, on_dismissed: Callable[[], None]
    ) -> str | None:
        """Show ``message``; its identifier, or ``None`` when the service did not take it."""
        ...

    async def withdraw(self, identifier: str) -> None:
        """Close the notification if it is still shown (a no-op when the user closed it already)."""
        ...

    async def close(self) -> None: ...


def server_info(name: str, capabilities: set[str]) -> ServerInfo:
    """A freedesktop server's answers to ``GetServerInformation`` and ``GetCapabilities``, as the app reads them."""
    return ServerInfo(
        available=True,
        actions="actions" in capabilities,
        markup=bool(capabilities & {"body-markup", "body-hyperlinks"}),
        max_buttons=button_limit(name, capabilities),
        name=name,
    )


def icon_uri() -> str:
    """The ``app_icon`` of a freedesktop notification: the theme icon's name, else the bundled file's URI."""
    spec = app_icon_spec()
    if spec is None:
        return ""
    return spec[1] if spec[0] == "name" else Path(spec[1]).as_uri()


def body_for(message: Message, info: ServerInfo) -> str:
    """The body as the server must receive it: escaped when the server would read markup in it."""
    return markup.escape(message.body, quote=False) if info.markup else message.body


class DesktopNotifierBackend:
    """:class:`NotificationBackend` on desktop-notifier (macOS, Windows). Build it on the loop it will deliver
    callbacks to."""

    def __init__(self, app_name: str = APP_NAME, *, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self._app_name = app_name
        self._probe_timeout = probe_timeout
        self._notifier: Any = None
        self._info = NO_SERVER

    def _desktop_notifier(self) -> Any:
        if self._notifier is None:
            # Imported here: it pulls in the platform's bindings, which the app does not need until it notifies.
            from desktop_notifier import DesktopNotifier, Icon

            spec = app_icon_spec()
            icon = None
            if spec is not None:
                icon = Icon(name=spec[1]) if spec[0] == "name" else Icon(path=Path(spec[1]))
            self._notifier = DesktopNotifier(app_name=self._app_name, app_icon=icon)
        return self._notifier

    async def probe(self) -> ServerInfo:
        from desktop_notifier import Capability

        notifier = self._desktop_notifier()
        try:
            allowed = await asyncio.wait_for(notifier.request_authorisation(), self._probe_timeout)
            caps = await asyncio.wait_for(notifier.get_capabilities(), self._probe_timeout)
        except Exception as exc:
            self._info = ServerInfo(available=False, reason=f"the notification center does not answer: {exc}")
            return self._info
        if not allowed:
            self._info = ServerInfo(available=False, reason="notifications are not allowed for this app")
            return self._info
        self._info = ServerInfo(
            available=True,
            actions=Capability.BUTTONS in caps,
            max_buttons=_WINDOWS_MAX_BUTTONS if sys.platform == "win32" else None,
            name=sys.platform,
        )
        return self._info

    async def send(
        self, message: Message, *, on_action: ActionCallback, on_dismissed: Callable[[], None]
    ) -> str | None:
        from desktop_notifier import Button, Notification, Urgency

        info = self._info
        buttons = message.buttons if info.actions else ()
        if info.max_buttons is not None:
            buttons = buttons[: info.max_buttons]
        dispatched = False

        def mark_dispatched() -> None:
            nonlocal dispatched
            dispatched = True

        notification = Notification(
            title=message.title,
            message=body_for(message, info),
            urgency=Urgency.Critical if message.urgent else Urgency.Normal,
            buttons=tuple(Button(title=b.label, identifier=b.key, on_pressed=_bind(on_action, b.key)) for b in buttons),
            on_clicked=_bind(on_action, CLICK_KEY) if message.click is not None else None,
            on_dismissed=on_dismissed,
            on_dispatched=mark_dispatched,
            timeout=-1,
        )
        identifier = str(await self._desktop_notifier().send_notification(notification))
        # desktop-notifier logs a failed send and still returns an id; only a dispatched one was shown.
        return identifier if dispatched else None

    async def withdraw(self, identifier: str) -> None:
        try:
            await self._desktop_notifier().clear(identifier)
        except KeyError:
            pass  # desktop-notifier no longer tracks it: an action came back, or the platform closed it
        except Exception:
            log.warning("could not withdraw notification %s", identifier, exc_info=True)

    async def close(self) -> None:
        self._notifier = None


def _bind(callback: ActionCallback, key: str) -> Callable[[], None]:
    return lambda: callback(key)
