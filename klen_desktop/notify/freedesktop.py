"""Notifications on Linux and the BSDs: the freedesktop ``org.freedesktop.Notifications`` service, over jeepney.

The app speaks the protocol itself rather than through desktop-notifier (kept for macOS and Windows, see
:mod:`klen_desktop.notify.backend`): the protocol is four calls and two signals, and owning them means the hints
the app needs (``desktop-entry``, ``category``) go into the ``Notify`` call directly, the server's own ids stay at
hand for closing a notification the server keeps up after an action (dunst's context menu), and no library
internals are patched. It also saves the library's import at start (about 1.3 MiB resident).

The D-Bus library is jeepney (pure Python, already the keyring's on Linux): a connection with it costs the app
0.4 MiB resident where dbus-fast, which desktop-notifier brings, cost 4.1 MiB, measured alone the same way.

One connection to the session bus, made by :meth:`FreedesktopBackend.probe`, carries the calls and the
``ActionInvoked`` and ``NotificationClosed`` signals; every call waits at most ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import Any

from klen_desktop.notify.backend import (
    BUS_NAME,
    CLICK_KEY,
    NO_SERVER,
    OBJECT_PATH,
    PROBE_TIMEOUT,
    ActionCallback,
    ServerInfo,
    body_for,
    icon_uri,
    notification_hints,
    server_info,
)
from klen_desktop.notify.messages import APP_NAME, Message

log = logging.getLogger(__name__)

URGENCY_NORMAL = 1
URGENCY_CRITICAL = 2
# NotificationClosed reasons: 1 expired, 2 dismissed by the user, 3 closed by CloseNotification, 4 undefined.
DISMISSED_BY_USER = 2
_SIGNATURE_REFUSALS = ("org.freedesktop.DBus.Error.InvalidArgs", "org.freedesktop.DBus.Error.UnknownMethod")
NO_EXPIRY = -1  # the server's default for how long it shows a notification
_SIGNALS = f"type='signal',sender='{BUS_NAME}',interface='{BUS_NAME}',path='{OBJECT_PATH}'"


def _hints(message: Message, urgency: int, as_text: bool) -> dict[str, Any]:
    """The ``Notify`` hints: variants (jeepney's ``(signature, value)``), as the spec has them, or plain text for
    servers of the old ``a{ss}`` form."""
    hints = notification_hints(message)
    if as_text:
        return {**hints, "urgency": str(urgency)}
    return {**{key: ("s", value) for key, value in hints.items()}, "urgency": ("y", urgency)}


def session_bus_address() -> str:
    """The session bus's address: the environment's, else the per-user socket systemd and dbus-broker make."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return f"unix:path={runtime}/bus"


class _Shown:
    __slots__ = ("on_action", "on_dismissed")

    def __init__(self, on_action: ActionCallback, on_dismissed: Callable[[], None]) -> None:
        self.on_action = on_action
        self.on_dismissed = on_dismissed


class FreedesktopBackend:
    """:class:`~klen_desktop.notify.backend.NotificationBackend` on the session bus's notification service."""

    def __init__(self, app_name: str = APP_NAME, *, timeout: float = PROBE_TIMEOUT, address: str | None = None) -> None:
        self._app_name = app_name
        self._timeout = timeout
        self._address = address
        self._connection: Any = None
        self._router: Any = None
        self._signals: Any = None  # the filter that routes the service's signals to a queue
        self._reader: asyncio.Task[None] | None = None
        self._info = NO_SERVER
        self._icon = ""
        # Shown notifications by the server's id: what to call when the user acts on one or closes it.
        self._shown: dict[int, _Shown] = {}
        # Servers that declare the old ``a{ss}`` hints (found when one refuses ``a{sv}``).
        self._string_hints = False
        # One probe at a time: each starts by closing the connection before it, so a second one started while a
        # first waits for its answers would close the bus connection under it, or leave one of the two open.
        self._probing = asyncio.Lock()

    async def probe(self) -> ServerInfo:
        async with self._probing:
            return await self._probe()

    async def _probe(self) -> ServerInfo:
        from jeepney import MatchRule
        from jeepney.io.asyncio import DBusRouter, open_dbus_connection

        await self.close()
        try:
            address = self._address or session_bus_address()
            connection = await asyncio.wait_for(open_dbus_connection(address), self._timeout)
        except Exception as exc:
            self._info = ServerInfo(available=False, reason=f"no session D-Bus: {exc!r}")
            return self._info
        self._connection, self._router = connection, DBusRouter(connection)
        try:
            info = await self._call("GetServerInformation")
            capabilities = await self._call("GetCapabilities")
            # Signals carry the server's unique name, not the service's: the bus matches the sender (AddMatch
            # below), this rule only routes what arrives.
            rule = MatchRule(type="signal", interface=BUS_NAME, path=OBJECT_PATH)
            queue: asyncio.Queue[Any] = asyncio.Queue()  # unbounded: a full one would drop a click
            self._signals = self._router.filter(rule, queue=queue)
            self._reader = asyncio.ensure_future(self._read_signals(queue))
            await self._call_bus("AddMatch", "s", [_SIGNALS])
        except (LookupError, TimeoutError) as exc:
            await self.close()
            self._info = ServerInfo(available=False, reason=f"no notification service answers: {exc!r}")
            return self._info
        self._info = server_info(str(info[0]), {str(cap) for cap in capabilities[0]})
        self._icon = icon_uri()
        return self._info

    async def send(
        self, message: Message, *, on_action: ActionCallback, on_dismissed: Callable[[], None]
    ) -> str | None:
        if self._router is None or not self._info.available:
            return None
        info = self._info
        actions: list[str] = []
        if info.actions:
            if message.click is not None:
                actions += [CLICK_KEY, ""]
            for button in message.buttons[: info.max_buttons]:
                actions += [button.key, button.label]
        urgency = URGENCY_CRITICAL if message.urgent else URGENCY_NORMAL
        try:
            server_id = await self._notify(message, info, actions, urgency)
        except (LookupError, TimeoutError) as exc:
            log.warning("the notification service did not take a notification: %s", exc)
            return None
        self._shown[server_id] = _Shown(on_action, on_dismissed)
        return str(server_id)

    async def _notify(self, message: Message, info: ServerInfo, actions: list[str], urgency: int) -> int:
        while True:
            as_text = self._string_hints
            body = [self._app_name, 0, self._icon, message.title, body_for(message, info), actions]
            body += [_hints(message, urgency, as_text), NO_EXPIRY]
            try:
                reply = await self._call("Notify", "susssasa{ss}i" if as_text else "susssasa{sv}i", body)
            except LookupError as exc:
                # A server declaring a{ss} refuses a{sv}: GLib's servers say InvalidArgs, others UnknownMethod.
                if as_text or not any(name in str(exc) for name in _SIGNATURE_REFUSALS):
                    raise
                log.info("the notification service takes only text hints (a{ss}): sending those")
                self._string_hints = True
                continue
            return int(reply[0])

    async def withdraw(self, identifier: str) -> None:
        server_id = int(identifier)
        self._shown.pop(server_id, None)
        if self._router is None:
            return
        try:
            await self._call("CloseNotification", "u", [server_id])
        except (LookupError, TimeoutError):
            log.debug("notification %s was closed already", identifier, exc_info=True)

    async def close(self) -> None:
        router, self._router = self._router, None
        connection, self._connection = self._connection, None
        reader, self._reader = self._reader, None
        signals, self._signals = self._signals, None
        self._shown.clear()
        if signals is not None:
            signals.close()
        if reader is not None:
            reader.cancel()
        if router is not None:
            # Calls cancelled just now (a shutdown cancels its tasks, then closes this) unwind first: jeepney fails
            # every reply still awaited when its receiver stops, and one already cancelled would make it raise.
            await asyncio.sleep(0)
            try:
                await router.__aexit__(None, None, None)  # stops its receiver task
            except asyncio.InvalidStateError:
                log.debug("a notification call was cancelled as the bus connection closed")
        if connection is not None:
            await connection.close()

    async def _read_signals(self, queue: asyncio.Queue[Any]) -> None:
        while True:
            self._on_message(await queue.get())

    def _on_message(self, message: Any) -> None:
        from jeepney import HeaderFields, MessageType

        header = message.header
        if header.message_type is not MessageType.signal or header.fields.get(HeaderFields.interface) != BUS_NAME:
            return
        member, signature = header.fields.get(HeaderFields.member), header.fields.get(HeaderFields.signature)
        if member == "ActionInvoked" and signature == "us":
            server_id, key = message.body
            shown = self._shown.pop(int(server_id), None)
            if shown is not None:
                shown.on_action(str(key))
        elif member == "NotificationClosed" and signature == "uu":
            server_id, reason = message.body
            shown = self._shown.pop(int(server_id), None)
            if shown is not None and int(reason) == DISMISSED_BY_USER:
                shown.on_dismissed()

    async def _call(self, member: str, signature: str = "", body: list[Any] | None = None) -> list[Any]:
        return await self._request(BUS_NAME, OBJECT_PATH, BUS_NAME, member, signature, body)

    async def _call_bus(self, member: str, signature: str, body: list[Any]) -> list[Any]:
        bus_name = "org.freedesktop.DBus"
        return await self._request(bus_name, "/org/freedesktop/DBus", bus_name, member, signature, body)

    async def _request(
        self, destination: str, path: str, interface: str, member: str, signature: str, body: list[Any] | None
    ) -> list[Any]:
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call
        from jeepney.io.common import RouterClosed

        router = self._router
        if router is None:
            raise LookupError("not connected to the session bus")
        call = new_method_call(DBusAddress(path, destination, interface), member, signature or None, tuple(body or ()))
        try:
            # asyncio.timeout, not wait_for: no second task, whose reply jeepney may fail after it was given up.
            async with asyncio.timeout(self._timeout):
                reply = await router.send_and_get_reply(call)
        except (ConnectionError, EOFError, OSError, RouterClosed) as exc:  # the bus connection went away
            raise LookupError(f"the session bus closed: {exc!r}") from None
        if reply.header.message_type is MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "")
            detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise LookupError(f"{name} {detail}".strip())
        return list(reply.body)
