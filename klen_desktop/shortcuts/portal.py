"""Global shortcuts through the freedesktop portal (``org.freedesktop.portal.GlobalShortcuts``), over D-Bus.

The way on Wayland, where no client may grab keys: the app asks the desktop, which may show its own dialog and
may give a shortcut another key than the one asked for (the trigger is only a preference). The portal binds a
session's shortcuts all at once and at most once, so every change makes a new session with the whole set.
Presses come back as the ``Activated`` signal of the session. dbus-fast is the D-Bus library desktop-notifier
already brings.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from klen_desktop.i18n import N_, _
from klen_desktop.shortcuts.base import REGISTERED, ActivatedCallback, Outcome, Registration, unsupported
from klen_desktop.shortcuts.keys import KeyCombo

log = logging.getLogger(__name__)

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS_IFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST_IFACE = "org.freedesktop.portal.Request"
SESSION_IFACE = "org.freedesktop.portal.Session"
# How long the desktop may keep its "allow these shortcuts?" dialog open before the answer counts as no.
ANSWER_TIMEOUT = 120.0
CALL_TIMEOUT = 10.0
DESCRIPTIONS = {"quick-add": "Quick add an event", "join-next-call": "Join the next call"}


class PortalError(Exception):
    """The portal answered with an error or not at all; the message says which call."""


class PortalShortcuts:
    """Shortcuts bound through the portal on the session bus (``bus_address`` for tests, else the session's)."""

    name = "portal"

    def __init__(self, on_activated: ActivatedCallback, bus_address: str | None = None) -> None:
        self._on_activated = on_activated
        self._bus_address = bus_address
        self._bus: Any = None
        self._session: str | None = None
        self._wanted: dict[str, KeyCombo] = {}
        self._answers: dict[str, asyncio.Future[tuple[int, dict[str, Any]]]] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> bool:
        try:
            from dbus_fast import BusType, Message, MessageType
            from dbus_fast.aio import MessageBus
        except ImportError:
            return False
        try:
            bus = MessageBus(bus_address=self._bus_address, bus_type=BusType.SESSION)
            await asyncio.wait_for(bus.connect(), CALL_TIMEOUT)
        except Exception as exc:  # no session bus: dbus-fast raises several kinds
            log.info("no session bus for the shortcuts portal: %s", exc)
            return False
        self._bus = bus
        try:
            reply = await self._call(
                Message(
                    destination=PORTAL_NAME,
                    path=PORTAL_PATH,
                    interface="org.freedesktop.DBus.Properties",
                    member="Get",
                    signature="ss",
                    body=[SHORTCUTS_IFACE, "version"],
                )
            )
            error = str(reply.error_name) if reply.message_type is MessageType.ERROR else ""
        except PortalError as exc:  # a portal still starting up (activation) may not answer in time
            error = str(exc)
        if error:
            log.info("the desktop portal has no GlobalShortcuts: %s", error)
            bus.disconnect()
            self._bus = None
            return False
        bus.add_message_handler(self._on_message)
        for member, interface in (("Response", REQUEST_IFACE), ("Activated", SHORTCUTS_IFACE)):
            await self._call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="AddMatch",
                    signature="s",
                    body=[f"type='signal',interface='{interface}',member='{member}'"],
                )
            )
        return True

    async def _call(self, message: Any) -> Any:
        try:
            return await asyncio.wait_for(self._bus.call(message), CALL_TIMEOUT)
        except TimeoutError as exc:
            raise PortalError(f"the desktop portal did not answer {message.member} in time") from exc

    def _on_message(self, message: Any) -> None:
        if message.member == "Response" and message.interface == REQUEST_IFACE:
            waiting = self._answers.pop(message.path, None)
            if waiting is not None and not waiting.done() and len(message.body) == 2:
                waiting.set_result((int(message.body[0]), dict(message.body[1])))
        elif message.member == "Activated" and message.interface == SHORTCUTS_IFACE:
            body = message.body
            if len(body) >= 2 and body[0] == self._session and body[1] in self._wanted:
                self._on_activated(str(body[1]))

    async def _request(self, member: str, signature: str, body: list[Any], timeout: float) -> dict[str, Any]:
        """Call a portal method that answers later through a Request object; its results, or PortalError."""
        from dbus_fast import Message, MessageType, Variant

        token = "klen" + secrets.token_hex(6)
        sender = self._bus.unique_name.lstrip(":").replace(".", "_")
        path = f"{PORTAL_PATH}/request/{sender}/{token}"
        answer: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._answers[path] = answer  # before the call: the answer may come right after the reply
        body[-1]["handle_token"] = Variant("s", token)
        message = Message(
            destination=PORTAL_NAME,
            path=PORTAL_PATH,
            interface=SHORTCUTS_IFACE,
            member=member,
            signature=signature,
            body=body,
        )
        try:
            reply = await self._call(message)
            if reply.message_type is MessageType.ERROR:
                raise PortalError(f"the desktop portal refused {member}: {reply.body[0] if reply.body else ''}")
            code, results = await asyncio.wait_for(answer, timeout)
        except TimeoutError as exc:
            raise PortalError(f"the desktop gave no answer to {member}") from exc
        finally:
            self._answers.pop(path, None)
        if code != 0:
            raise PortalError("cancelled" if code == 1 else f"the desktop ended {member} (code {code})")
        return results

    async def register(self, action: str, combo: KeyCombo) -> Registration:
        if self._bus is None:
            return unsupported(action)
        async with self._lock:
            self._wanted[action] = combo
            return (await self._bind()).get(action, REGISTERED)

    async def unregister(self, action: str) -> None:
        if self._bus is None or action not in self._wanted:
            return
        async with self._lock:
            del self._wanted[action]
            await self._bind()

    async def _bind(self) -> dict[str, Registration]:
        """Bind the whole wanted set in a new session; per action, what came of it."""
        from dbus_fast import Variant

        await self._close_session()
        if not self._wanted:
            return {}
        try:
            created = await self._request(
                "CreateSession", "a{sv}", [{"session_handle_token": Variant("s", "klen")}], CALL_TIMEOUT
            )
            session = str(created["session_handle"].value)
            self._session = session
            shortcuts = [
                (
                    action,
                    {
                        "description": Variant("s", DESCRIPTIONS.get(action, action)),
                        "preferred_trigger": Variant("s", combo.portal_trigger()),
                    },
                )
                for action, combo in self._wanted.items()
            ]
            bound = await self._request(
                "BindShortcuts", "oa(sa{sv})sa{sv}", [session, shortcuts, "", {}], ANSWER_TIMEOUT
            )
        except (PortalError, KeyError) as exc:
            log.info("the desktop portal did not bind the shortcuts: %s", exc)
            refused = Registration(
                Outcome.REFUSED, _("The desktop did not accept the shortcut ({error}).").format(error=exc)
            )
            return dict.fromkeys(self._wanted, refused)
        return self._outcomes(bound)

    def _outcomes(self, bound: dict[str, Any]) -> dict[str, Registration]:
        log.debug("the portal bound %s", bound)
        given = {str(item[0]): dict(item[1]) for item in _value(bound.get("shortcuts"), [])}
        outcomes: dict[str, Registration] = {}
        for action in self._wanted:
            if action not in given:
                outcomes[action] = unsupported(action, N_("The desktop did not take this shortcut"))
                continue
            trigger = str(_value(given[action].get("trigger_description"), ""))
            wanted = self._wanted[action].portal_trigger()
            if trigger and trigger.replace(" ", "").lower() != wanted.lower():
                # The desktop decides the key in the end; say which one it gave, so the user is not surprised.
                outcomes[action] = Registration(
                    Outcome.REGISTERED, _("Registered: the desktop gave it {trigger}").format(trigger=trigger)
                )
            else:
                outcomes[action] = REGISTERED
        return outcomes

    async def _close_session(self) -> None:
        from dbus_fast import Message

        session, self._session = self._session, None
        if session is None or self._bus is None:
            return
        try:
            await self._call(Message(destination=PORTAL_NAME, path=session, interface=SESSION_IFACE, member="Close"))
        except PortalError as exc:
            log.info("closing the shortcuts session: %s", exc)

    async def close(self) -> None:
        if self._bus is None:
            return
        self._wanted.clear()
        await self._close_session()
        self._bus.disconnect()
        self._bus = None


def _value(item: Any, default: Any) -> Any:
    """A D-Bus variant's value (or the value itself, or ``default`` for None)."""
    if item is None:
        return default
    return getattr(item, "value", item)
