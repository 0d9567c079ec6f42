"""The backend's own checks: escaping for servers that read markup, and detecting a missing service."""

from __future__ import annotations

import os

import pytest

from klen_desktop.notify.backend import ServerInfo, body_for, probe_freedesktop
from klen_desktop.notify.messages import Message, NotifyKind

TRICKY = Message(NotifyKind.CANCELLED, "Cancelled: Q&A", "Reason: <a href='https://evil.example'>click</a> & <b>go</b>")


def test_body_is_escaped_only_for_servers_that_read_markup() -> None:
    markup = ServerInfo(available=True, actions=True, markup=True)
    plain = ServerInfo(available=True, actions=True, markup=False)
    assert body_for(TRICKY, markup) == (
        "Reason: &lt;a href='https://evil.example'&gt;click&lt;/a&gt; &amp; &lt;b&gt;go&lt;/b&gt;"
    )
    assert body_for(TRICKY, plain) == TRICKY.body


@pytest.mark.asyncio
async def test_no_bus_at_all_is_detected_not_assumed(tmp_path: object) -> None:
    info = await probe_freedesktop(timeout=2.0, address=f"unix:path={tmp_path}/no-bus-here")
    assert not info.available
    assert "no session D-Bus" in info.reason


@pytest.mark.session
@pytest.mark.asyncio
async def test_probe_finds_dunst_and_its_capabilities() -> None:
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    info = await probe_freedesktop()
    assert info == ServerInfo(available=True, actions=True, markup=True, name="dunst")
