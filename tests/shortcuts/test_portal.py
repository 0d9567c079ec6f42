"""Global shortcuts through the freedesktop GlobalShortcuts portal, on the test session's real D-Bus.

The portal itself is a stand-in (see portal_standin.py for why; test_portal_kde.py runs the real one where it is
installed), on a private session bus; the D-Bus traffic, the bus and the client are real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from portal_standin import PortalStandIn, private_bus
from waiting import until

from klen_desktop.shortcuts.base import Outcome
from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.portal import PortalShortcuts

pytestmark = [pytest.mark.session, pytest.mark.asyncio]


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    with private_bus(tmp_path) as address:
        yield address


@pytest_asyncio.fixture
async def portal(bus: str) -> AsyncIterator[PortalStandIn]:
    standin = PortalStandIn(address=bus)
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()


async def test_without_a_portal_the_desktop_is_said_to_refuse(bus: str) -> None:
    backend = PortalShortcuts(lambda _a: None, bus_address=bus)
    assert not await backend.start()  # nothing owns org.freedesktop.portal.Desktop on this bus
    result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))
    assert result.outcome is Outcome.UNSUPPORTED
    assert "does not allow global shortcuts" in result.message and "klen-desktop quick-add" in result.message


async def test_bound_shortcuts_run_their_action_when_the_desktop_says_pressed(portal: PortalStandIn) -> None:
    seen: list[str] = []
    backend = PortalShortcuts(seen.append, bus_address=portal.address)
    assert await backend.start()
    try:
        assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))).message == "Registered"
        assert (await backend.register("join-next-call", KeyCombo.parse("Meta+J"))).ok
        (bound,) = portal.sessions.values()  # one session holds both: each change binds the whole set anew
        assert bound == {"quick-add": "CTRL+ALT+k", "join-next-call": "LOGO+j"}
        portal.press("join-next-call")
        await until(lambda: seen == ["join-next-call"], "the action ran on the portal's Activated signal")
        await backend.unregister("join-next-call")
        (bound,) = portal.sessions.values()
        assert bound == {"quick-add": "CTRL+ALT+k"}
    finally:
        await backend.close()
    assert portal.sessions == {}


async def test_a_refusal_and_another_key_are_told(portal: PortalStandIn) -> None:
    backend = PortalShortcuts(lambda _a: None, bus_address=portal.address)
    assert await backend.start()
    try:
        portal.triggers["quick-add"] = "CTRL+SHIFT+q"
        result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))
        assert result.ok and result.message == "Registered: the desktop gave it CTRL+SHIFT+q"
        portal.refuse = True
        result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))
        assert result.outcome is Outcome.REFUSED
        assert result.message == "The desktop did not accept the shortcut (cancelled)."
    finally:
        await backend.close()
