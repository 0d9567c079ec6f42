"""A private accessibility stack for one test, and a walker of what a screen reader sees over it.

A session bus of its own (so no other test's app is put on the accessibility bus), at-spi2-core's bus launcher on
it (the ``org.a11y.Bus`` service that hands out the accessibility bus, whose registry lists the applications), and
an AT-SPI client over plain D-Bus (``org.a11y.atspi.Accessible``: ``GetChildren``, ``GetRoleName``, ``Name``,
``Description``, ``GetState``, ``GetRelationSet``), the calls Orca makes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher")
ACCESSIBLE = "org.a11y.atspi.Accessible"
REGISTRY = "org.a11y.atspi.Registry"
ROOT = "/org/a11y/atspi/accessible/root"
STATE_VISIBLE = 30  # AtspiStateType: the control is shown (a control on a hidden tab is not)
STATE_ENABLED = 8
LABELLED_BY = 2  # AtspiRelationType

# The roles a user acts on: each must say what it is.
INTERACTIVE = frozenset(
    {
        "push button",
        "toggle button",
        "check box",
        "radio button",
        "combo box",
        "text",
        "entry",
        "password text",
        "spin button",
        "spin box",
        "cell",
        "table cell",
        "button menu",
        "list item",
        "menu item",
        "check menu item",
        "radio menu item",
        "slider",
        "page tab",
        "date editor",
    }
)


def launcher() -> str | None:
    return next((path for path in LAUNCHERS if Path(path).exists()), shutil.which("at-spi-bus-launcher"))


@contextmanager
def accessibility_session(run_dir: Path) -> Iterator[dict[str, str]]:
    """A session bus with the accessibility bus launcher on it; yields the environment for an app to use it.

    Both run in process groups of their own, ended by their ids when the block ends (the launcher starts the
    accessibility bus daemon and the registry as its children).
    """
    path = launcher()
    assert path is not None, "at-spi2-core is not installed (tests/session/system-deps.sh test)"
    run_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_AT_BRIDGE", "DBUS_SESSION_BUS_ADDRESS")}
    env["XDG_RUNTIME_DIR"] = str(run_dir)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address=unix:path={run_dir / 'bus'}",
         "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True, env=env,
    )  # fmt: skip
    assert bus.stdout is not None
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    # No DISPLAY for the launcher: it would also publish the bus on the X root window, where every other app of
    # the shared test display would find it. Qt asks the session bus for it when the root window has none.
    quiet = {k: v for k, v in env.items() if k != "DISPLAY"}
    bus_launcher = subprocess.Popen(
        [path, "--launch-immediately"], env=quiet, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        subprocess.run(
            ["gdbus", "wait", "--session", "--timeout", "10", "org.a11y.Bus"], env=env, check=True, timeout=15
        )
        env["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
        yield env
    finally:
        for process in (bus_launcher, bus):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


async def accessibility_bus(env: dict[str, str]) -> MessageBus:
    """A connection to the accessibility bus the session's ``org.a11y.Bus`` hands out."""
    session = await MessageBus(bus_address=env["DBUS_SESSION_BUS_ADDRESS"]).connect()
    try:
        reply = await session.call(
            Message(destination="org.a11y.Bus", path="/org/a11y/bus", interface="org.a11y.Bus", member="GetAddress")
        )
    finally:
        session.disconnect()
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply
    return await MessageBus(bus_address=reply.body[0]).connect()


@dataclass(frozen=True)
class Node:
    """One accessible object as a screen reader reads it."""

    role: str
    name: str
    description: str
    visible: bool
    enabled: bool
    labels: tuple[str, ...]  # the names of the labels it is labelled by (a form row's label)
    path: tuple[str, ...]  # the names of the objects above it, for a message that says where it is


class Walker:
    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus

    async def _call(
        self, dest: str, path: str, interface: str, member: str, sig: str = "", body: list[object] | None = None
    ) -> list[object]:
        reply = await self._bus.call(
            Message(destination=dest, path=path, interface=interface, member=member, signature=sig, body=body or [])
        )
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, (dest, path, member, reply)
        return list(reply.body)

    async def children(self, dest: str, path: str) -> list[tuple[str, str]]:
        (found,) = await self._call(dest, path, ACCESSIBLE, "GetChildren")
        return [(str(d), str(p)) for d, p in found]  # type: ignore[attr-defined]

    async def _prop(self, dest: str, path: str, name: str) -> str:
        (value,) = await self._call(dest, path, "org.freedesktop.DBus.Properties", "Get", "ss", [ACCESSIBLE, name])
        return str(value.value)  # type: ignore[attr-defined]

    async def node(self, dest: str, path: str, above: tuple[str, ...]) -> Node:
        (role,) = await self._call(dest, path, ACCESSIBLE, "GetRoleName")
        (states,) = await self._call(dest, path, ACCESSIBLE, "GetState")
        low = int(states[0])  # type: ignore[index]
        (relations,) = await self._call(dest, path, ACCESSIBLE, "GetRelationSet")
        labels = [
            await self._prop(*target, "Name")
            for kind, targets in relations  # type: ignore[attr-defined]
            if kind == LABELLED_BY
            for target in targets
        ]
        return Node(
            role=str(role),
            name=await self._prop(dest, path, "Name"),
            description=await self._prop(dest, path, "Description"),
            visible=bool(low & (1 << STATE_VISIBLE)),
            enabled=bool(low & (1 << STATE_ENABLED)),
            labels=tuple(labels),
            path=above,
        )

    async def windows(self) -> dict[str, tuple[str, str]]:
        """Every top-level window of every application on the bus, by its accessible name."""
        found = {}
        for app in await self.children(REGISTRY, ROOT):
            for window in await self.children(*app):
                found[await self._prop(*window, "Name")] = window
        return found

    async def walk(self, dest: str, path: str, above: tuple[str, ...] = ()) -> list[Node]:
        """The object at ``path`` and everything under it, depth first."""
        here = await self.node(dest, path, above)
        nodes = [here]
        label = f"{here.role} {here.name!r}"
        for child in await self.children(dest, path):
            nodes.extend(await self.walk(*child, (*above, label)))
        return nodes
