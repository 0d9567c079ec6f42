"""The app's tray as a tray host sees it, over D-Bus, in the real session.

The app runs as a user starts it (``python -m klen_desktop --demo``, its own process, data in a temp folder).
The test plays the tray host: it finds the app's StatusNotifierItem through the watcher, reads its menu with
``com.canonical.dbusmenu.GetLayout``, clicks items with ``Event(id, "clicked")`` and left-clicks the icon with
``Activate``; what happened is checked through D-Bus (tooltip) and X11 (``xdotool search``: which windows show).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from dbus_fast import DBusError, Variant
from dbus_fast.aio import MessageBus, ProxyInterface
from desktop_session import registered_tray_items

from klen_desktop.autostart import launch_command

pytestmark = pytest.mark.session

AGENDA_TITLE = "Klen — Agenda"


@dataclass
class TrayHost:
    """What a tray host holds for one item: its StatusNotifierItem and its dbusmenu."""

    sni: ProxyInterface
    menu: ProxyInterface

    async def layout(self) -> dict[str, int]:
        """Label -> item id, every level (the host asks AboutToShow first, as a real one does)."""
        await self.menu.call_about_to_show(0)  # type: ignore[attr-defined]
        _revision, root = await self.menu.call_get_layout(0, -1, ["label"])  # type: ignore[attr-defined]
        found: dict[str, int] = {}

        def walk(node: list[Any]) -> None:
            item_id, props, children = node
            label = props.get("label")
            if isinstance(label, Variant):
                found[str(label.value).replace("_", "", 1) if "_" in str(label.value) else str(label.value)] = item_id
            for child in children:
                walk(child.value if isinstance(child, Variant) else child)

        walk(root)
        return found

    async def click(self, label: str) -> None:
        items = await self.layout()
        matches = [item_id for text, item_id in items.items() if text.startswith(label)]
        assert matches, f"no menu item {label!r} in {sorted(items)}"
        await self.menu.call_event(matches[0], "clicked", Variant("i", 0), 0)  # type: ignore[attr-defined]

    async def tooltip(self) -> str:
        value = await self.sni.get_tool_tip()  # type: ignore[attr-defined]
        return str(value[2]) + "\n" + str(value[3])


def visible_windows(title: str) -> list[str]:
    result = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title], capture_output=True, text=True, timeout=10
    )
    return result.stdout.split()


async def eventually(check: Any, what: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        QT_QPA_PLATFORM="xcb",
    )
    (tmp_path / "run").mkdir(mode=0o700)
    process = subprocess.Popen(
        [*launch_command(), "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is not None and process.returncode != 0 and process.stderr is not None:
            sys.stderr.write(f"the app exited with {process.returncode}:\n{process.stderr.read()}\n")
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest_asyncio.fixture
async def host(session_bus: MessageBus, app_process: subprocess.Popen[str]) -> AsyncIterator[TrayHost]:
    before = set(await registered_tray_items(session_bus))
    items: list[str] = []

    async def registered() -> bool:
        assert app_process.poll() is None, f"the app exited: {app_process.stderr.read() if app_process.stderr else ''}"
        items[:] = [i for i in await registered_tray_items(session_bus) if i not in before]
        return bool(items)

    await eventually(registered, "the app's tray item registered with the watcher", timeout=30)
    # The watcher may still list items of processes that just ended; the app's is the newest that answers.
    for candidate in reversed(items):
        name = candidate.split("/")[0]
        try:
            intro = await session_bus.introspect(name, "/StatusNotifierItem")
        except DBusError:
            continue
        break
    else:
        raise AssertionError(f"none of the new tray items answers: {items}")
    sni = session_bus.get_proxy_object(name, "/StatusNotifierItem", intro).get_interface("org.kde.StatusNotifierItem")
    menu_path = str(await sni.get_menu())  # type: ignore[attr-defined]
    menu_intro = await session_bus.introspect(name, menu_path)
    menu = session_bus.get_proxy_object(name, menu_path, menu_intro).get_interface("com.canonical.dbusmenu")
    tray = TrayHost(sni, menu)

    async def app_menu() -> bool:
        # The icon comes up with a "starting" menu before the app is loaded; the full menu replaces it.
        return "Open agenda" in await tray.layout()

    await eventually(app_menu, "the app's full menu", timeout=30)
    yield tray


@pytest.mark.asyncio
async def test_the_tray_icon_registers_with_the_demo_mark_and_the_full_menu(host: TrayHost) -> None:
    await eventually(lambda: _contains(host.tooltip(), "Klen Desktop (Demo)"), "the demo tooltip")
    labels = await host.layout()
    for expected in (
        "Next free 30 minutes",
        "New event…",
        "Find a free slot…",
        "Open agenda",
        "Sync now",
        "Do not disturb",
        "For 1 hour",
        "Until tomorrow",
        "Settings…",
        "Quit Klen Desktop",
    ):
        assert any(text.startswith(expected) for text in labels), f"{expected!r} missing from {sorted(labels)}"


@pytest.mark.asyncio
async def test_menu_items_work_through_dbus(host: TrayHost, app_process: subprocess.Popen[str]) -> None:
    await host.click("For 1 hour")
    await eventually(lambda: _contains(host.tooltip(), "Do not disturb until"), "DND shown in the tooltip")
    await host.click("New event…")
    await eventually(lambda: visible_windows("New event"), "the editor window")
    await host.click("Settings…")
    await eventually(lambda: visible_windows("Klen Desktop Settings"), "the settings window")
    await host.click("Quit Klen Desktop")
    await eventually(lambda: app_process.poll() is not None, "the app quit")
    assert app_process.returncode == 0, app_process.stderr.read() if app_process.stderr else ""


@pytest.mark.asyncio
async def test_left_click_opens_and_hides_the_agenda(host: TrayHost) -> None:
    # A demo start shows the agenda once (it carries the Demo mark and the way to enter a key).
    await eventually(lambda: visible_windows(AGENDA_TITLE), "the agenda shown on a demo start")
    await host.sni.call_activate(10, 10)  # type: ignore[attr-defined]
    await eventually(lambda: not visible_windows(AGENDA_TITLE), "the agenda hidden by a left click")
    await host.sni.call_activate(10, 10)  # type: ignore[attr-defined]
    await eventually(lambda: visible_windows(AGENDA_TITLE), "the agenda shown by a left click")


async def _contains(tooltip: Any, text: str) -> bool:
    return text in await tooltip


@pytest.mark.asyncio
async def test_a_click_read_before_the_menu_changed_still_lands(host: TrayHost) -> None:
    # A host reads the menu, the user moves to an item, and meanwhile the app updates the menu (here: Do not
    # disturb turned on, so its title and its "Off" item change). The host then sends the id it read: the items
    # that stayed keep their ids, so the click reaches its item instead of an id that is gone.
    before = await host.layout()
    await host.click("For 1 hour")

    async def dnd_shown() -> bool:
        return any(text.startswith("Do not disturb (until") for text in await host.layout())

    await eventually(dnd_shown, "the menu updated with Do not disturb on")
    after = await host.layout()
    for label in ("New event…", "Find a free slot…", "Open agenda", "Settings…", "Quit Klen Desktop", "For 1 hour"):
        assert before[label] == after[label], f"{label!r} changed id: {before[label]} -> {after[label]}"
    settings_read_before = before["Settings…"]
    await host.menu.call_event(settings_read_before, "clicked", Variant("i", 0), 0)  # type: ignore[attr-defined]
    await eventually(lambda: visible_windows("Klen Desktop Settings"), "the settings window from the old id")
