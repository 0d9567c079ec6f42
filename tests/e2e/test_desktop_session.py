"""The real desktop session the later tests stand on: a tray icon registers with the StatusNotifierWatcher and
answers a tray host's click, a notification reaches the notification server and its button comes back, and a secret
round-trips through the Secret Service without touching any file in clear text."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from desktop_notifier import Button, DesktopNotifier
from desktop_session import dunst_close_all, dunst_displayed, dunst_history, dunst_pick, wait_for_tray_item
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

from klen_desktop.secrets import KeyStore

pytestmark = pytest.mark.session


def solid_icon(color: str = "#2a7ae2") -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


@pytest.mark.asyncio
async def test_tray_icon_registers_and_answers_a_click(qapp: object, session_bus: MessageBus) -> None:
    assert QSystemTrayIcon.isSystemTrayAvailable()
    tray = QSystemTrayIcon(solid_icon())
    tray.setToolTip("Klen test tooltip")
    activated: asyncio.Future[QSystemTrayIcon.ActivationReason] = asyncio.get_running_loop().create_future()
    tray.activated.connect(lambda reason: activated.done() or activated.set_result(reason))
    tray.show()
    try:
        item = await wait_for_tray_item(session_bus)
        intro = await session_bus.introspect(item, "/StatusNotifierItem")
        sni = session_bus.get_proxy_object(item, "/StatusNotifierItem", intro).get_interface(
            "org.kde.StatusNotifierItem"
        )
        tooltip = await sni.get_tool_tip()  # type: ignore[attr-defined]
        assert tooltip[2] == "Klen test tooltip"
        await sni.call_activate(10, 10)  # type: ignore[attr-defined]  # what a tray host does on a left click
        assert await asyncio.wait_for(activated, 5) == QSystemTrayIcon.ActivationReason.Trigger
    finally:
        tray.hide()


@pytest.mark.asyncio
async def test_notification_reaches_the_server_and_its_button_comes_back() -> None:
    dunst_close_all()
    loop = asyncio.get_running_loop()
    pressed: asyncio.Future[str] = loop.create_future()
    notifier = DesktopNotifier(app_name="Klen Desktop tests")
    marker = secrets.token_hex(4)
    await notifier.send(
        title=f"Session check {marker}",
        message="A notification with a button",
        buttons=[Button(title="Snooze", identifier="snooze", on_pressed=lambda: pressed.set_result("snooze"))],
    )
    for _ in range(100):
        if any(entry.get("summary") == f"Session check {marker}" for entry in dunst_history()) or dunst_displayed():
            break
        await asyncio.sleep(0.05)
    assert dunst_displayed() >= 1
    dunst_pick(r"\[.*,snooze\]")
    # dunstctl blocks until dunst answers; run it off the loop so dunst's ActionInvoked signal is received meanwhile.
    await loop.run_in_executor(None, lambda: subprocess.run(["dunstctl", "context"], timeout=10, check=True))
    assert await asyncio.wait_for(pressed, 5) == "snooze"
    dunst_close_all()


@pytest.mark.asyncio
async def test_api_key_round_trips_through_the_secret_service(tmp_path: Path) -> None:
    store = KeyStore(service=f"klen-desktop-test-{secrets.token_hex(3)}")
    key = "klen_" + secrets.token_hex(16)
    await store.set(key)
    assert await store.get() == key
    # The keyring's files are encrypted: the key is in none of the session's files in clear text.
    session_dir = Path(os.environ["SESSION_DIR"])
    for path in session_dir.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 5_000_000:
            assert key.encode() not in path.read_bytes(), f"API key found in {path}"
    assert await store.delete() is True
    assert await store.get() is None
    assert await store.delete() is False
