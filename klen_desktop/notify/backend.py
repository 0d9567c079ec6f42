"""The native notification backend: desktop-notifier, plus the checks it does not make itself.

desktop-notifier sends through the freedesktop D-Bus service on Linux, the notification center on macOS and
WinRT toasts on Windows, and delivers button and click callbacks on the running asyncio (qasync) loop. Two
things it does not do for us:

* tell whether a notification service exists: on Linux a missing ``org.freedesktop.Notifications`` only makes
  it log a warning and still return an id. :meth:`DesktopNotifierBackend.probe` asks the service itself
  (``GetServerInformation`` + ``GetCapabilities``, each with a timeout; a D-Bus-activatable server is
  started by the call) and :meth:`DesktopNotifierBackend.send` reports a notification that was never
  dispatched as ``None``;
* say whether the server interprets markup: a server that lists ``body-markup`` or ``body-hyperlinks`` would
  render ``<a href=…>`` from a customer's notes, so the body is escaped for it, and only for it;
* tie a notification to the app: it sends no ``desktop-entry`` or ``category`` hint and only a fixed app icon.
  Each notification carries the app's icon (the installed theme icon by name, else the bundled image's path)
  and, on the freedesktop service, the hints ``desktop-entry`` (so desktops group it under the app and apply
  the user's per-app settings) and ``category`` (see :data:`CATEGORIES`), added to the D-Bus call.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from klen_desktop.notify.messages import APP_NAME, Message, NotifyKind
from klen_desktop.notify.servers import button_limit

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


@dataclass(frozen=True, slots=True)
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


async def probe_freedesktop(timeout: float = PROBE_TIMEOUT, address: str | None = None) -> ServerInfo:
    """Ask the session bus's notification service for its name and capabilities, each call bounded."""
    from dbus_fast import Message as DBusMessage
    from dbus_fast import MessageType
    from dbus_fast.aio import MessageBus

    try:
        bus = await asyncio.wait_for(MessageBus(bus_address=address).connect(), timeout)
    except Exception as exc:
        return ServerInfo(available=False, reason=f"no session D-Bus: {exc!r}")
    try:

        async def call(member: str) -> list[Any]:
            msg = DBusMessage(destination=BUS_NAME, path=OBJECT_PATH, interface=BUS_NAME, member=member)
            reply = await asyncio.wait_for(bus.call(msg), timeout)
            if reply is None or reply.message_type is MessageType.ERROR:
                detail = reply.body[0] if reply is not None and reply.body else ""
                raise LookupError(f"{reply.error_name if reply else 'no reply'} {detail}".strip())
            return list(reply.body)

        info = await call("GetServerInformation")
        caps = {str(cap) for cap in (await call("GetCapabilities"))[0]}
    except (LookupError, TimeoutError) as exc:
        return ServerInfo(available=False, reason=f"no notification service answers on the session bus: {exc!r}")
    finally:
        bus.disconnect()
    return ServerInfo(
        available=True,
        actions="actions" in caps,
        markup=bool(caps & {"body-markup", "body-hyperlinks"}),
        max_buttons=button_limit(str(info[0]), caps),
        name=str(info[0]),
    )


def body_for(message: Message, info: ServerInfo) -> str:
    """The body as the server must receive it: escaped when the server would read markup in it."""
    return html.escape(message.body, quote=False) if info.markup else message.body


class DesktopNotifierBackend:
    """:class:`NotificationBackend` on desktop-notifier. Build it on the loop it will deliver callbacks to."""

    def __init__(self, app_name: str = APP_NAME, *, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self._app_name = app_name
        self._probe_timeout = probe_timeout
        self._notifier: Any = None
        self._info = NO_SERVER
        # freedesktop ids by desktop-notifier id: desktop-notifier forgets its own once an action came back,
        # but a server that keeps a notification up after an action (dunst's context menu) still needs closing.
        self._platform_ids: dict[str, int] = {}
        # Hints of the notifications being sent, by (title, body) as the D-Bus call carries them.
        self._pending_hints: dict[tuple[str, str], dict[str, str]] = {}

    def _desktop_notifier(self) -> Any:
        if self._notifier is None:
            # Imported here: it pulls in the platform's bindings, which the app does not need until it notifies.
            from desktop_notifier import DesktopNotifier, Icon

            spec = app_icon_spec()
            icon = None
            if spec is not None:
                icon = Icon(name=spec[1]) if spec[0] == "name" else Icon(path=Path(spec[1]))
            self._notifier = DesktopNotifier(app_name=self._app_name, app_icon=icon)
            self._hint_dbus_calls(self._notifier)
        return self._notifier

    def _hint_dbus_calls(self, notifier: Any) -> None:
        """Add our hints to desktop-notifier's ``Notify`` calls (it has no way to pass hints of one's own)."""
        backend: Any = getattr(notifier, "_backend", None)
        init = getattr(backend, "_init_dbus", None)
        if backend is None or init is None:
            return  # macOS or Windows: no freedesktop hints there

        async def init_with_hints() -> Any:
            interface = await init()
            notify = interface.call_notify

            async def notify_with_hints(*args: Any, **kwargs: Any) -> Any:
                title, body, hints = args[3], args[4], args[6]
                extra = self._pending_hints.pop((title, body), None)
                if extra is not None and isinstance(hints, dict):
                    args = (*args[:6], {**hints, **_typed_hints(extra, hints)}, *args[7:])
                return await notify(*args, **kwargs)

            interface.call_notify = notify_with_hints
            return interface

        backend._init_dbus = init_with_hints

    async def probe(self) -> ServerInfo:
        if sys.platform.startswith("linux") or "bsd" in sys.platform:
            self._info = await probe_freedesktop(self._probe_timeout)
            if self._info.available:
                await self._warm_up()
        else:
            self._info = await self._probe_native()
        return self._info

    async def _warm_up(self) -> None:
        # desktop-notifier connects and introspects on its first use; doing it now keeps that (a few hundred
        # ms) off the first reminder.
        try:
            await asyncio.wait_for(self._desktop_notifier().get_capabilities(), self._probe_timeout)
        except Exception:
            log.info("the notification service answered the probe but not desktop-notifier", exc_info=True)

    async def _probe_native(self) -> ServerInfo:
        from desktop_notifier import Capability

        notifier = self._desktop_notifier()
        try:
            allowed = await asyncio.wait_for(notifier.request_authorisation(), self._probe_timeout)
            caps = await asyncio.wait_for(notifier.get_capabilities(), self._probe_timeout)
        except Exception as exc:
            return ServerInfo(available=False, reason=f"the notification center does not answer: {exc}")
        if not allowed:
            return ServerInfo(available=False, reason="notifications are not allowed for this app")
        return ServerInfo(
            available=True,
            actions=Capability.BUTTONS in caps,
            max_buttons=_WINDOWS_MAX_BUTTONS if sys.platform == "win32" else None,
            name=sys.platform,
        )

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
        notifier = self._desktop_notifier()
        self._pending_hints[(notification.title, notification.message)] = notification_hints(message)
        try:
            identifier = str(await notifier.send_notification(notification))
        finally:
            self._pending_hints.pop((notification.title, notification.message), None)
        # desktop-notifier logs a failed send and still returns an id; only a dispatched one was shown.
        if not dispatched:
            return None
        platform_ids = getattr(notifier._backend, "_platform_to_interface_notification_identifier", None)
        if platform_ids is not None and identifier in platform_ids.inverse:
            self._platform_ids[identifier] = int(platform_ids.inverse[identifier])
        return identifier

    async def withdraw(self, identifier: str) -> None:
        platform_id = self._platform_ids.pop(identifier, None)
        notifier = self._desktop_notifier()
        try:
            await notifier.clear(identifier)
            return
        except KeyError:
            pass  # desktop-notifier no longer tracks it: an action came back, or the server closed it
        except Exception:
            log.warning("could not withdraw notification %s", identifier, exc_info=True)
            return
        interface = getattr(notifier._backend, "interface", None)
        if platform_id is None or interface is None:
            return
        try:
            await asyncio.wait_for(interface.call_close_notification(platform_id), self._probe_timeout)
        except Exception:
            log.debug("notification %s was closed already", identifier, exc_info=True)

    async def close(self) -> None:
        notifier = self._notifier
        self._notifier = None
        backend = getattr(notifier, "_backend", None)
        bus = getattr(backend, "bus", None)
        if bus is not None:
            bus.disconnect()


def _typed_hints(extra: Mapping[str, str], like: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` in the hint type the server's ``Notify`` takes: variants (``a{sv}``, the spec's), or plain
    strings for the old servers that declare ``a{ss}``."""
    if like and all(isinstance(value, str) for value in like.values()):
        return dict(extra)
    from dbus_fast import Variant

    return {key: Variant("s", value) for key, value in extra.items()}


def _bind(callback: ActionCallback, key: str) -> Callable[[], None]:
    return lambda: callback(key)
