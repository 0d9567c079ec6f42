"""A stand-in for the desktop's GlobalShortcuts portal on the test session's bus.

Debian 12 has no portal backend that binds global shortcuts without a whole desktop behind it: the GNOME and GTK
backends lack the interface, and the KDE one needs KDE's running shortcut daemon and session (over 100 packages).
So this answers the calls of ``org.freedesktop.portal.GlobalShortcuts`` as the documented interface says:
requests answered through ``org.freedesktop.portal.Request.Response`` signals on the handle path built from the
caller's name and token, one ``BindShortcuts`` per session, ``Activated`` signals on a press. What a desktop may
decide is settable: refuse (the user said no in its dialog), or give another trigger.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
IFACE = "org.freedesktop.portal.GlobalShortcuts"
# A session bus that activates nothing: where a real portal is installed, the session bus would start it for the
# first call to its name, and the stand-in (or its absence) would not be what answers.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_bus(folder: Path) -> Iterator[str]:
    """A session bus of its own with no activatable services; its address."""
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(path=folder / "bus"))
    out = subprocess.run(
        ["dbus-daemon", f"--config-file={config}", "--fork", "--nopidfile", "--print-address=1", "--print-pid=1"],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.split()
    try:
        yield out[0]
    finally:
        os.kill(int(out[1]), 15)


@dataclass
class PortalStandIn:
    refuse: bool = False
    triggers: dict[str, str] = field(default_factory=dict)  # id -> trigger the desktop gives instead
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)  # open session -> bound id -> trigger
    closed: list[str] = field(default_factory=list)
    address: str | None = None
    bus: Any = None

    async def start(self) -> None:
        self.bus = await MessageBus(bus_address=self.address).connect()
        self.bus.add_message_handler(self._handle)
        await self.bus.request_name(PORTAL_NAME)

    async def stop(self) -> None:
        await self.bus.release_name(PORTAL_NAME)
        self.bus.disconnect()

    def _respond_later(self, caller: str, options: dict[str, Any], results: dict[str, Variant], code: int) -> str:
        token = options["handle_token"].value
        path = f"{PORTAL_PATH}/request/{caller.lstrip(':').replace('.', '_')}/{token}"
        signal = Message.new_signal(path, "org.freedesktop.portal.Request", "Response", "ua{sv}", [code, results])
        asyncio.get_running_loop().call_later(0.01, self.bus.send, signal)
        return path

    def _handle(self, msg: Message) -> Message | None:
        if msg.message_type is not MessageType.METHOD_CALL:
            return None
        if msg.member == "Get" and msg.body == [IFACE, "version"]:
            return Message.new_method_return(msg, "v", [Variant("u", 1)])
        if msg.interface == "org.freedesktop.portal.Session" and msg.member == "Close":
            self.sessions.pop(msg.path, None)
            self.closed.append(msg.path)
            return Message.new_method_return(msg)
        if msg.interface != IFACE:
            return None
        if msg.member == "CreateSession":
            options = msg.body[0]
            caller = msg.sender.lstrip(":").replace(".", "_")
            session = f"{PORTAL_PATH}/session/{caller}/{options['session_handle_token'].value}"
            self.sessions[session] = {}
            results = {"session_handle": Variant("s", session)}
            return Message.new_method_return(msg, "o", [self._respond_later(msg.sender, options, results, 0)])
        if msg.member == "BindShortcuts":
            session, shortcuts, _parent, options = msg.body
            if self.refuse or self.sessions.get(session):
                return Message.new_method_return(msg, "o", [self._respond_later(msg.sender, options, {}, 1)])
            bound = []
            for ident, props in shortcuts:
                trigger = self.triggers.get(ident, props["preferred_trigger"].value)
                self.sessions[session][ident] = trigger
                bound.append(
                    [ident, {"description": props["description"], "trigger_description": Variant("s", trigger)}]
                )
            results = {"shortcuts": Variant("a(sa{sv})", bound)}
            return Message.new_method_return(msg, "o", [self._respond_later(msg.sender, options, results, 0)])
        return None

    def press(self, ident: str) -> None:
        """What the desktop does when the user presses the key it bound to ``ident``."""
        for session, bound in self.sessions.items():
            if ident in bound:
                self.bus.send(Message.new_signal(PORTAL_PATH, IFACE, "Activated", "osta{sv}", [session, ident, 0, {}]))
