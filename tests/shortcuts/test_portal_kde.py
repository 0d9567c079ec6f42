"""The real freedesktop portal of Debian 12 with its KDE backend: xdg-desktop-portal 1.16, xdg-desktop-portal-kde
5.27 and kglobalaccel, on a private session bus of the test session (``XDG_CURRENT_DESKTOP=KDE``).

What it shows: the app's D-Bus calls are the ones a real portal accepts (a session is created, BindShortcuts is
answered), and what Plasma 5.27 does with an application outside a sandbox, which it cannot name: it binds
nothing (an empty list). The app then says so and names the command to bind in the desktop's keyboard settings.

Needs ``apt-get install xdg-desktop-portal xdg-desktop-portal-kde`` (about 100 packages, most of KDE's
frameworks): skipped, saying so, where they are not installed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from portal_standin import private_bus
from waiting import until

from klen_desktop.shortcuts.base import Outcome
from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.portal import PortalShortcuts

FRONTEND = Path("/usr/libexec/xdg-desktop-portal")
KDE_BACKEND = Path("/usr/lib/x86_64-linux-gnu/libexec/xdg-desktop-portal-kde")
KGLOBALACCEL = shutil.which("kglobalaccel5")
KDE_PORTAL = Path("/usr/share/xdg-desktop-portal/portals/kde.portal")

pytestmark = [
    pytest.mark.session,
    pytest.mark.asyncio,
    pytest.mark.skipif(
        not (FRONTEND.exists() and KDE_BACKEND.exists() and KDE_PORTAL.exists() and KGLOBALACCEL),
        reason="needs xdg-desktop-portal, xdg-desktop-portal-kde and kglobalaccel5 (apt-get install "
        "xdg-desktop-portal xdg-desktop-portal-kde)",
    ),
]


@pytest.fixture
def kde_portal(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A private session bus with the portal, its KDE backend and KDE's shortcut daemon: (bus address, log).

    The bus activates nothing, so every process on it is one started here, and ended here.
    """
    # Only the KDE backend: with every installed one (gnome-keyring's too) the portal waits out a D-Bus timeout
    # on a backend that has no service here before it takes its name.
    portals = tmp_path / "portals"
    portals.mkdir()
    shutil.copy(KDE_PORTAL, portals)
    log = tmp_path / "portal.log"
    processes: list[subprocess.Popen[bytes]] = []
    with private_bus(tmp_path) as address, log.open("w") as sink:
        env = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_CURRENT_DESKTOP": "KDE",
            "QT_QPA_PLATFORM": "xcb",
            "XDG_DESKTOP_PORTAL_DIR": str(portals),
        }

        def start(*command: str) -> None:
            processes.append(subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT))

        try:
            start(str(KGLOBALACCEL))
            start(str(KDE_BACKEND))
            wait_for_name(env, "org.freedesktop.impl.portal.desktop.kde")  # the frontend asks it first thing
            start(str(FRONTEND), "-v")
            yield address, log
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)


def wait_for_name(env: dict[str, str], name: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = subprocess.run(
            ["gdbus", "call", "--session", "-d", "org.freedesktop.DBus", "-o", "/org/freedesktop/DBus",
             "-m", "org.freedesktop.DBus.NameHasOwner", name],
            env=env, capture_output=True, text=True, timeout=10,
        ).stdout  # fmt: skip
        if "true" in answer:
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} did not come up on the private bus within {timeout} s")


@pytest_asyncio.fixture
async def ready(kde_portal: tuple[str, Path]) -> AsyncIterator[tuple[str, Path]]:
    address, log = kde_portal
    # The frontend takes its name only after asking every backend what it implements: a few seconds.
    await until(lambda: "org.freedesktop.portal.Desktop acquired" in log.read_text(), "the portal up", timeout=30)
    yield address, log


async def test_plasma_binds_nothing_for_an_unsandboxed_app_and_the_user_is_told(ready: tuple[str, Path]) -> None:
    address, log = ready
    backend = PortalShortcuts(lambda _action: None, bus_address=address)
    assert await backend.start()
    try:
        result = await asyncio.wait_for(backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K")), 30)
    finally:
        await backend.close()
    assert "global shortcuts session owned by" in log.read_text()  # CreateSession reached the real portal
    assert result.outcome is Outcome.UNSUPPORTED
    assert result.message == (
        "The desktop did not take this shortcut: set one in your desktop's keyboard settings with the command "
        "`klen-desktop quick-add`."
    )
