"""The backend's own checks: escaping for servers that read markup, detecting a missing service, and what the
session's notification server (dunst over D-Bus) receives."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, timedelta

import pytest
from fake_clock import FakeClock
from notify_support import BASE, CapturedActions, NotifyCapture, reminder, summary

from klen_desktop.notify.backend import DesktopNotifierBackend, ServerInfo, body_for, probe_freedesktop
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.messages import Message, NotifyKind
from klen_desktop.reminders.due import MissedSummary
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet

NORMAL = 1  # the freedesktop urgency levels: 0 low, 1 normal, 2 critical (red, and never expiring on most servers)

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


@pytest.mark.session
@pytest.mark.asyncio
async def test_reminders_and_change_notes_arrive_at_normal_urgency() -> None:
    app_name = f"Klen urgency test {secrets.token_hex(3)}"
    clock = FakeClock(BASE - timedelta(minutes=15))
    center = NotificationCenter(DesktopNotifierBackend(app_name), clock, actions=CapturedActions().actions(), tz=UTC)
    call, late, moved = summary(1, title="Call"), summary(2, title="Late one"), summary(3, title="Moved one")
    ended = summary(4, BASE - timedelta(hours=2), title="Ended one")
    async with NotifyCapture(app_name) as capture:
        await center.start()
        try:
            await center.on_reminder(reminder(call))
            await center.on_reminder(reminder(late, late=True))
            later = moved.model_copy(
                update={"start_time": BASE + timedelta(hours=1), "end_time": BASE + timedelta(hours=2)}
            )
            await center.on_changes(ChangeSet((Change(ChangeKind.MOVED, later, previous=moved),)))
            await center.on_missed(MissedSummary((reminder(ended),)))
            seen = await capture.wait_for(4)
        finally:
            await center.withdraw_all()
            await center.close()
    assert len(seen) == 4
    assert {s.summary: s.urgency for s in seen} == {s.summary: NORMAL for s in seen}, "none is critical"
