"""The app's notifications on real notification servers: dunst, xfce4-notifyd, notification-daemon (GNOME's
fallback) and a server without the ``actions`` capability, each on a private session bus (servers_support).

Per server: what the Notify calls carry (app name, icon, desktop-entry hint, urgency, body escaped only where
the server reads markup, the buttons the server can show), that "Starting now" is the app's own window, and on
the servers that draw buttons, that a real pointer click on a button reaches the app.
"""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fake_clock import FakeClock
from notify_support import BASE, CapturedActions, NotifyCapture, Seen, dunst_invoke, reminder, summary
from servers_support import SERVERS, RunningServer, ServerKind, click, popup_windows, private_server, text_spans
from waiting import until

from klen_desktop.notify.backend import app_icon_spec
from klen_desktop.notify.center import NotificationCenter
from klen_desktop.notify.native import native_backend
from klen_desktop.sync.diff import Change, ChangeKind, ChangeSet

NORMAL = 1  # freedesktop urgency: 0 low, 1 normal, 2 critical
MARKUP = "Room <b>4</b> & 5"  # a location as a customer typed it: text, never markup
ESCAPED = "Room &lt;b&gt;4&lt;/b&gt; &amp; 5"
CALL_AT = BASE + timedelta(hours=1)
REMINDER_LABELS = ["Join", "Snooze 5 min", "Open", "Snooze 10 min", "Snooze 15 min", "Snooze until start"]


def expected_icon() -> str:
    spec = app_icon_spec()
    assert spec is not None
    return spec[1] if spec[0] == "name" else Path(spec[1]).as_uri()


def check_common(seen: Seen, kind: ServerKind) -> None:
    assert seen.icon == expected_icon()
    assert seen.hints.get("desktop-entry") == "klen-desktop"
    assert seen.urgency == NORMAL, "only the app's own Starting-now window insists; no notification is critical"
    if kind.markup:
        assert ESCAPED in seen.body and "<b>" not in seen.body
    else:
        assert MARKUP in seen.body and "&lt;" not in seen.body and "&amp;" not in seen.body


# Where each server draws a reminder's buttons: the row's distance from the popup's bottom, the label count,
# which label to click and what the app must then do. Labels are found on a screenshot of that row.
CLICKS = {
    "xfce4-notifyd": (32, 6, "Snooze 5 min"),  # one row of equal buttons across the bottom
    "notification-daemon": (39, 4, "More…"),  # flat labels after the icon column; it draws four
}


async def click_a_reminder_button(server: RunningServer, labels_sent: list[str]) -> str:
    """Click a drawn button of the one popup on screen with the pointer, as a user would; its label."""
    above_bottom, count, label = CLICKS[server.kind.key]
    # A server may map its popup before it has laid it out and move or resize it after: the geometry is read
    # again on each look and must hold still between two looks, or the band can fall on the bare root window.
    windows: list[tuple[int, int, int, int]] = []
    settled: list[tuple[int, int, int, int]] = []
    spans: list[tuple[int, int]] = []

    def all_labels() -> bool:  # a just-mapped popup is black until it is first painted
        previous = windows[0] if len(windows) == 1 else None
        windows[:] = popup_windows(server.pid)
        if len(windows) != 1 or windows[0] != previous:
            return False
        x, y, width, height = windows[0]
        spans[:] = text_spans(x + 20, y + height - above_bottom - 6, width - 40, 12)
        settled[:] = windows
        return len(spans) == count

    await until(
        all_labels,
        f"{count} button labels on the one popup",
        explain=lambda: f"windows: {windows}, text spans: {spans} (band of {settled})",
    )
    _x, y, _width, height = settled[0]
    start, end = spans[labels_sent.index(label)]
    click((start + end) // 2, y + height - above_bottom)
    return label


async def press_a_reminder_button(server: RunningServer, sent: Seen, captured: CapturedActions, due: object) -> None:
    """A button of the reminder, pressed on the server as a user would, reaches the app."""
    labels = [label for key, label in sent.actions.items() if key != "default"]
    if server.kind.key == "dunst":
        await dunst_invoke("Snooze 10 min")  # dunst lists the actions in a menu (a stand-in dmenu picks)
        assert await captured.wait_for("snooze") == [(1, due, 10)]
    elif await click_a_reminder_button(server, labels) == "More…":
        assert [r.event.id for (r,) in await captured.wait_for("show_fallback")] == [1]  # the card
    else:
        assert await captured.wait_for("snooze") == [(1, due, 5)]


@pytest.mark.session
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", SERVERS, ids=lambda kind: kind.key)
async def test_notifications_on_a_real_server(
    kind: ServerKind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with private_server(kind, tmp_path) as server:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", server.address)
        app_name = f"Klen servers test {secrets.token_hex(3)}"
        clock = FakeClock(BASE - timedelta(minutes=15))
        captured = CapturedActions()
        center = NotificationCenter(native_backend(app_name), clock, actions=captured.actions(), tz=UTC)
        starting = summary(2, title="Starts soon", location=MARKUP)
        call = summary(1, CALL_AT, title="Call", location=MARKUP, video_conference_url="https://meet.example/a")
        news = summary(3, CALL_AT, title="Booked", location=MARKUP)
        async with NotifyCapture(app_name) as capture:
            await center.start()
            try:
                assert center.server.name == kind.name
                assert (center.server.actions, center.server.markup) == (kind.buttons != 0, kind.markup)
                assert center.server.max_buttons == kind.buttons
                # The call's reminder first, alone on screen, so that a click finds its popup.
                await center.on_reminder(reminder(call))
                if kind.buttons != 0:
                    (sent,) = await capture.wait_for(1)
                    await press_a_reminder_button(server, sent, captured, reminder(call).due_at)
                # A reminder nobody acts on becomes the Starting-now window at the start, not a critical toast.
                await center.on_reminder(reminder(starting))
                await clock.wait_for_sleepers()
                clock.advance(15 * 60)
                assert [e.id for (e,) in await captured.wait_for("show_starting_now")] == [2]
                await center.on_changes(ChangeSet((Change(ChangeKind.CREATED, news),)))
                seen = await capture.wait_for(1 if kind.buttons == 0 else 3)
                for one in seen:
                    assert one.app_name == app_name
                    check_common(one, kind)
                by_title = {one.summary: one for one in seen}
                if kind.buttons == 0:
                    # No buttons to show: reminders are the app's own card, news arrive without actions.
                    assert [r.event.id for (r,) in captured.named("show_fallback")] == [1, 2]
                    assert all(list(one.actions) in ([], ["default"]) for one in seen)
                    return
                labels = [label for key, label in by_title["Call"].actions.items() if key != "default"]
                shown = REMINDER_LABELS if kind.buttons is None else REMINDER_LABELS[: kind.buttons]
                if kind.buttons is not None and kind.buttons < len(REMINDER_LABELS):
                    shown = [*REMINDER_LABELS[: kind.buttons - 1], "More…"]
                assert labels == shown
                booked = next(one for one in seen if "Booked" in one.summary)
                assert {key: label for key, label in booked.actions.items() if key != "default"} == {"open": "Open"}
            finally:
                await center.withdraw_all()
                await center.close()
