"""Helpers for tests that need the real desktop session started by `make test`: the tray watcher and dunst."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from dbus_fast import Variant
from dbus_fast.aio import MessageBus

WATCHER = "org.kde.StatusNotifierWatcher"


async def registered_tray_items(bus: MessageBus) -> list[str]:
    intro = await bus.introspect(WATCHER, "/StatusNotifierWatcher")
    props = bus.get_proxy_object(WATCHER, "/StatusNotifierWatcher", intro).get_interface(
        "org.freedesktop.DBus.Properties"
    )
    value: Variant = await props.call_get(WATCHER, "RegisteredStatusNotifierItems")  # type: ignore[attr-defined]
    return list(value.value)


async def wait_for_tray_item(bus: MessageBus, *, timeout: float = 10.0) -> str:
    """The bus name of this process's tray item, once Qt has registered it (it does so asynchronously)."""
    me = bus.unique_name
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        items = await registered_tray_items(bus)
        # Qt registers through its own connection, so the item is the newest one that is not our probe. A real
        # host's watcher lists "bus name/object path" (xfce4-panel's does), the self-made one the bus name.
        ours = [item.split("/", 1)[0] for item in items if item.split("/", 1)[0] != me]
        if ours:
            return ours[-1]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"no tray item registered with the watcher within {timeout} s (items: {items})")
        await asyncio.sleep(0.05)


def dunst_history() -> list[dict[str, Any]]:
    out = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, timeout=10, check=True).stdout
    data = json.loads(out)["data"]
    return [{key: field.get("data") for key, field in entry.items()} for entry in data[0]] if data else []


def dunst_displayed() -> int:
    out = subprocess.run(["dunstctl", "count", "displayed"], capture_output=True, text=True, timeout=10, check=True)
    return int(out.stdout.strip())


def dunst_close_all() -> None:
    subprocess.run(["dunstctl", "close-all"], timeout=10, check=True)


def dunst_pick(pattern: str) -> None:
    """Make the session's stand-in dmenu choose the notification context-menu line matching ``pattern``."""
    Path(os.environ["SESSION_DIR"], "dunst-pick").write_text(pattern)
