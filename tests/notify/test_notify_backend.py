"""The backend's own checks: escaping for servers that read markup, detecting a missing service, and what the
session's notification server (dunst over D-Bus) receives."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fake_clock import FakeClock
from notify_support import BASE, CapturedActions, NotifyCapture, reminder, summary
from servers_support import ServerKind, private_server
from waiting import until

from klen_desktop.notify.backend import ServerInfo, body_for
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.freedesktop import FreedesktopBackend
from klen_desktop.notify.messages import Message, NotifyKind
from klen_desktop.notify.native import native_backend
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
    info = await FreedesktopBackend(timeout=2.0, address=f"unix:path={tmp_path}/no-bus-here").probe()
    assert not info.available
    assert "no session D-Bus" in info.reason


@pytest.mark.session
def test_a_notification_sent_and_closed_loads_no_dbus_fast() -> None:
    """The app's notifications speak D-Bus through jeepney (0.4 MiB resident); dbus-fast (4.1 MiB), which
    desktop-notifier brings for the other platforms, stays unloaded on Linux."""
    program = (
        "import asyncio, sys\n"
        "from klen_desktop.notify.freedesktop import FreedesktopBackend\n"
        "from klen_desktop.notify.messages import Message, NotifyKind\n"
        "async def main():\n"
        "    backend = FreedesktopBackend('Klen jeepney probe')\n"
        "    info = await backend.probe()\n"
        "    shown = await backend.send(Message(NotifyKind.REMINDER, 'Probe', 'b', event_id=1), on_action=print,"
        " on_dismissed=print)\n"
        "    await backend.withdraw(shown)\n"
        "    await backend.close()\n"
        "    print(info.available, shown is not None, 'dbus_fast' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "False"]


@pytest.mark.session
@pytest.mark.asyncio
async def test_closing_while_calls_are_cancelled_or_in_flight_raises_nothing() -> None:
    """A shutdown cancels the app's tasks and then closes the connection: calls given up a moment ago, and calls
    still waiting for their reply, must end quietly (each waiter with an error it expects), never in close."""
    for cancel_first in (True, False):
        backend = FreedesktopBackend("Klen close test")
        assert (await backend.probe()).available
        sends = [
            asyncio.ensure_future(
                backend.send(Message(NotifyKind.REMINDER, f"Close {i}", "b"), on_action=print, on_dismissed=print)
            )
            for i in range(5)
        ]
        await asyncio.sleep(0)  # the calls are out
        if cancel_first:
            for task in sends:
                task.cancel()
        await backend.close()
        done = await asyncio.gather(*sends, return_exceptions=True)
        assert all(isinstance(result, str | asyncio.CancelledError) or result is None for result in done), done
        after = Message(NotifyKind.REMINDER, "After", "b")
        assert await backend.send(after, on_action=print, on_dismissed=print) is None


@pytest.mark.session
@pytest.mark.asyncio
async def test_probe_finds_dunst_and_its_capabilities() -> None:
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    backend = FreedesktopBackend()
    try:
        info = await backend.probe()
    finally:
        await backend.close()
    assert info == ServerInfo(available=True, actions=True, markup=True, name="dunst")


@pytest.mark.session
@pytest.mark.asyncio
async def test_reminders_and_change_notes_arrive_at_normal_urgency() -> None:
    app_name = f"Klen urgency test {secrets.token_hex(3)}"
    clock = FakeClock(BASE - timedelta(minutes=15))
    center = NotificationCenter(native_backend(app_name), clock, actions=CapturedActions().actions(), tz=UTC)
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


def bus_connections_of_this_process() -> set[str]:
    """The session bus's unique names whose connection is this process's."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
    with open_dbus_connection() as connection:
        names = connection.send_and_get_reply(new_method_call(bus, "ListNames"), timeout=5).body[0]
        mine = set()
        for name in (n for n in names if n.startswith(":") and n != connection.unique_name):
            reply = connection.send_and_get_reply(new_method_call(bus, "GetConnectionUnixProcessID", "s", (name,)))
            if reply.body and reply.body[0] == os.getpid():
                mine.add(name)
        return mine


@pytest.mark.session
@pytest.mark.asyncio
async def test_probes_at_once_share_one_bus_connection_and_closing_leaves_none() -> None:
    before = bus_connections_of_this_process()
    backend = FreedesktopBackend()
    try:
        found = await asyncio.gather(*(backend.probe() for _ in range(3)))
        assert all(info.available and info.actions for info in found), [info.reason for info in found]
        opened = await asyncio.to_thread(bus_connections_of_this_process)
        assert len(opened - before) == 1, "each probe replaced the last one's connection without closing it"
    finally:
        await backend.close()
    await until(lambda: bus_connections_of_this_process() <= before, "the bus connection closed", 5)


@pytest.mark.session
@pytest.mark.asyncio
async def test_a_message_sent_while_the_start_probe_runs_keeps_the_service_and_its_buttons() -> None:
    """At start the missed reminders of a night are sent while the center is still finding the service: that send
    waits for the same probe instead of starting a second one, which tore down the first one's bus connection and
    left both without a service (the app then fell back to the tray's messages, which have no buttons)."""
    app_name = f"Klen start race {secrets.token_hex(3)}"
    clock = FakeClock(BASE - timedelta(minutes=15))
    captured = CapturedActions()
    center = NotificationCenter(native_backend(app_name), clock, actions=captured.actions(), tz=UTC)
    ended = summary(4, BASE - timedelta(hours=2), title="Ended one")
    async with NotifyCapture(app_name) as capture:
        try:
            await asyncio.gather(center.start(), center.on_missed(MissedSummary((reminder(ended),))))
            seen = await capture.wait_for(1)
            probed = center.server
        finally:
            await center.withdraw_all()
            await center.close()
    assert probed.available and probed.actions, probed.reason
    assert len(seen) == 1 and not captured.named("tray_message")


TEXT_HINTS = ServerKind(
    "text-hints",
    (sys.executable, str(Path(__file__).parent / "plain_notify_server.py"), "--text-hints"),
    "klen-test-text-hints",
    markup=False,
    buttons=0,
)


@pytest.mark.asyncio
async def test_a_server_that_takes_hints_as_text_gets_them_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some older servers declare Notify's hints as a{ss}: the spec's a{sv} is refused, then sent again as text,
    # and every later notification goes as text at once.
    with private_server(TEXT_HINTS, tmp_path) as server:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", server.address)
        app_name = f"Klen text hints {secrets.token_hex(3)}"
        backend = FreedesktopBackend(app_name)
        async with NotifyCapture(app_name) as capture:
            info = await backend.probe()
            try:
                assert info.available and info.name == "klen-test-text-hints"
                moved = Message(NotifyKind.MOVED, "Moved", "Now at 14:00")
                assert await backend.send(moved, on_action=lambda _key: None, on_dismissed=lambda: None) is not None
                refused, taken = await capture.wait_for(2)  # the same notification, as a{sv} then as a{ss}
                for call in (refused, taken):
                    assert call.hints["desktop-entry"] == "klen-desktop" and call.hints["category"] == "x-klen.change"
                    assert call.urgency == NORMAL
                assert await backend.send(moved, on_action=lambda _key: None, on_dismissed=lambda: None) is not None
                await asyncio.sleep(0.3)
                assert len(capture.seen) == 3, "the next notification went as text at once"
            finally:
                await backend.close()
