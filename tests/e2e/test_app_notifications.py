"""The running app's notifications, end to end: the real app on the emulator, dunst on the session D-Bus.

Given the app started as a launch would (controller, tray, windows and the notification center it wires),
when an AI agent books, moves and cancels events through the API with a second client, then dunst receives
exactly one notification for each (the move with its old and new time) and none for the user's own change
made through the controller; a reminder falling due comes as a notification whose Join, Open and Snooze work
when picked in dunst; Do not disturb from the tray holds everything and summarises it when switched off;
Quit withdraws what is still shown. What reached dunst is read off the bus (a monitor filtered by app name).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / d) for d in ("notify", "ui")]

from app_harness import AppHarness, UrlCatcher, insert_event  # noqa: E402
from desktop_session import dunst_close_all, dunst_displayed  # noqa: E402
from fixtures_emulator import iso  # noqa: E402
from notify_support import NotifyCapture, Seen, dunst_invoke  # noqa: E402

from klen_desktop.app import KlenDesktop  # noqa: E402
from klen_desktop.emulator import EmulatorServer  # noqa: E402
from klen_desktop.notify.messages import time_range  # noqa: E402
from klen_desktop.notify.native import native_backend  # noqa: E402
from klen_desktop.options import AppOptions  # noqa: E402
from klen_desktop.secrets import KeyStore  # noqa: E402
from klen_desktop.session.connection import Connection  # noqa: E402
from klen_desktop.store.reminder_log import ReminderLogRepository, ReminderState  # noqa: E402

pytestmark = pytest.mark.session

REMINDER_LEAD = 15  # minutes: the default lead (Preferences.default_reminder_minutes)


@dataclass
class Running:
    app: AppHarness
    capture: NotifyCapture
    marker: str

    @property
    def desktop(self) -> KlenDesktop:
        return self.app.desktop

    def summaries(self) -> list[str]:
        return [s.summary for s in self.capture.seen]

    async def poll(self) -> None:
        """A poll now (as the fast cadence would do a moment later), waited for."""
        before = self.app.controller.status.last_success
        self.app.controller.sync_now()
        await self.app.until(lambda: self.app.controller.status.last_success != before, "a poll")

    async def seen(self, count: int) -> list[Seen]:
        return await self.capture.wait_for(count, timeout=15)


@asynccontextmanager
async def running_app(
    qapp: QApplication, emulator: EmulatorServer, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Running]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    marker = uuid.uuid4().hex[:6]
    # Only this test's notifications on screen: dunst's context menu then lists just them.
    await asyncio.get_running_loop().run_in_executor(None, dunst_close_all)
    app_name = f"Klen app test {marker}"
    desktop = KlenDesktop(
        qapp,
        AppOptions(base_url=emulator.url, single_instance=False),
        key_store=KeyStore(service=f"klen-desktop-test-{marker}"),
        prefs_path=tmp_path / "config" / "settings.json",
        notifier=native_backend(app_name),
    )
    # These stories ask for a poll after each step, several within seconds: more than the app's reads may take of
    # its 10 requests a minute (2 stay for the user's writes). Their subject is what is told; the budget has its own.
    built = desktop.core_config
    desktop.core_config = lambda c: replace(built(c), request_budget=(60, 60.0))  # type: ignore[method-assign]
    async with NotifyCapture(app_name) as capture:
        try:
            desktop.start(Connection(base_url=emulator.url, api_key=key, demo=False))
            app = AppHarness(desktop, emulator)
            await app.synced()
            bridge = desktop.notifications
            assert bridge is not None
            await app.until(lambda: bridge.center.server.available, "the notification service probed", 15)
            assert bridge.center.server.name == "dunst" and bridge.center.server.actions
            yield Running(app, capture, marker)
        finally:
            await desktop.shutdown()


@pytest.fixture
def agent(api: Callable[..., httpx.Client]) -> httpx.Client:
    """A second client of the API: the AI agent booking on the user's behalf."""
    return api()


def hours_ahead(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


@pytest.mark.asyncio
async def test_agent_books_moves_and_cancels_one_notification_each_and_own_changes_none(
    qapp: QApplication,
    emulator: EmulatorServer,
    rw_key: str,
    agent: httpx.Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    review_at = hours_ahead(26)
    review = insert_event(emulator, "Review", base=review_at, hours_from_now=0)
    lunch = insert_event(emulator, "Lunch", base=hours_ahead(28), hours_from_now=0)
    mine = insert_event(emulator, "Mine", base=hours_ahead(30), hours_from_now=0)
    mine_too = insert_event(emulator, "Mine too", base=hours_ahead(31), hours_from_now=0)
    async with running_app(qapp, emulator, rw_key, tmp_path, monkeypatch) as r:
        booked_at = hours_ahead(50)
        intro = {
            "title": f"Intro {r.marker}",
            "start_time": iso(booked_at),
            "end_time": iso(booked_at + timedelta(minutes=30)),
            "event_type": "meeting",
            "status": "scheduled",
            "customer_name": "Ada",
        }
        assert agent.post("/api/v1/calendar/events/create", json=intro).is_success
        await r.poll()
        (booked,) = await r.seen(1)
        assert booked.summary == f"New: Intro {r.marker}"
        assert "confirm" in booked.actions and "open" in booked.actions

        moved_to = review_at + timedelta(hours=4)
        times = {"start_time": iso(moved_to), "end_time": iso(moved_to + timedelta(minutes=30))}
        assert agent.patch(f"/api/v1/calendar/events/{review}/update", json=times).is_success
        await r.poll()
        moved = (await r.seen(2))[1]
        assert moved.summary == "Moved: Review"
        assert moved.body.splitlines()[:2] == [
            f"Now {time_range(moved_to, moved_to + timedelta(minutes=30))}",
            f"Was {time_range(review_at, review_at + timedelta(minutes=30))}",
        ]

        assert agent.post(f"/api/v1/calendar/events/{lunch}/cancel", json={"reason": "Flu"}).is_success
        await r.poll()
        cancelled = (await r.seen(3))[2]
        assert cancelled.summary == "Cancelled: Lunch"
        assert cancelled.body.splitlines()[-1] == "Reason: Flu"

        # The user's own changes, made here through the controller: sent, synced back, never announced.
        controller = r.app.controller
        await controller.cancel_event(mine, "Not needed")
        await controller.change_status(mine_too, "confirmed")
        await r.app.until(lambda: not controller.outbox, "the user's changes sent", 15)
        await r.poll()
        await r.poll()
        assert (await r.capture.settle(0.5)) and r.summaries() == [
            f"New: Intro {r.marker}",
            "Moved: Review",
            "Cancelled: Lunch",
        ]
        assert emulator.admin.event(mine)["status"] == "cancelled"  # type: ignore[index]


@pytest.mark.asyncio
async def test_a_reminder_due_soon_notifies_and_its_buttons_work_through_dunst(
    qapp: QApplication, emulator: EmulatorServer, rw_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")  # type: ignore[arg-type]
    try:
        # Reminders due a few seconds from now (their lead before their start), in the calendar at launch.
        mark = uuid.uuid4().hex[:6]
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=REMINDER_LEAD, seconds=6)
        # The lead is the app's default one: a reminder is planned from the list poll, before any details.
        fields = {
            "start_time": start,
            "end_time": start + timedelta(minutes=30),
            "remind_before_minutes": REMINDER_LEAD,
        }
        call, visit, later = emulator.admin.insert_events(
            [
                {
                    **fields,
                    "title": f"Call {mark}",
                    "event_type": "video_call",
                    "video_conference_url": "https://meet.example/abc",
                },
                {**fields, "title": f"Visit {mark}"},
                {**fields, "title": f"Later {mark}"},
            ]
        )
        async with running_app(qapp, emulator, rw_key, tmp_path, monkeypatch) as r:
            seen = await r.seen(3)
            due = {s.summary: s for s in seen}
            assert set(due) >= {f"Call {mark}", f"Visit {mark}", f"Later {mark}"}, r.summaries()
            assert "join" in due[f"Call {mark}"].actions
            assert "snooze:5" in due[f"Later {mark}"].actions

            await dunst_invoke(rf"(Call {mark}) \[[0-9]*,join\]")
            await r.app.until(lambda: catcher.opened, "the join link opened", 10)
            assert catcher.opened == ["https://meet.example/abc"]

            await dunst_invoke(rf"(Visit {mark}) \[[0-9]*,open\]")
            agenda = r.app.agenda
            await r.app.until(
                lambda: agenda.isVisible() and agenda.pane.shown_event is not None
                and agenda.pane.shown_event.id == visit,
                "the agenda shows the event",
            )  # fmt: skip

            await dunst_invoke(rf"(Later {mark}) \[[0-9]*,snooze:5\]")
            core = r.app.controller.session.core
            log_repo = ReminderLogRepository(core.db)

            def snoozed() -> bool:
                entries = log_repo.entries_for([later])
                return any(e.state is ReminderState.SNOOZED for e in entries.values())

            async def check() -> bool:
                return bool(await core.db.run(snoozed))

            deadline = asyncio.get_running_loop().time() + 10
            while not await check():
                assert asyncio.get_running_loop().time() < deadline, "the snooze was never recorded"
                await asyncio.sleep(0.05)
            (entry,) = (await core.db.run(log_repo.entries_for, [later])).values()
            assert entry.snoozed_until is not None
            assert timedelta(minutes=4) < entry.snoozed_until - datetime.now(UTC) <= timedelta(minutes=5)
            assert call  # the Call's own notification was consumed by Join
    finally:
        QDesktopServices.unsetUrlHandler("https")


@pytest.mark.asyncio
async def test_do_not_disturb_from_the_tray_holds_then_summarises_and_quit_withdraws(
    qapp: QApplication,
    emulator: EmulatorServer,
    rw_key: str,
    agent: httpx.Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running_app(qapp, emulator, rw_key, tmp_path, monkeypatch) as r:
        r.app.tray.dnd.emit(60)  # "Do not disturb: 1 hour" from the tray menu
        assert r.app.controller.dnd.until is not None
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=REMINDER_LEAD, seconds=2)
        insert_event(emulator, f"Standup {r.marker}", base=start, hours_from_now=0, remind_before_minutes=REMINDER_LEAD)
        booked_at = hours_ahead(60)
        quiet = {
            "title": f"Quiet {r.marker}",
            "start_time": iso(booked_at),
            "end_time": iso(booked_at + timedelta(minutes=30)),
        }
        assert agent.post("/api/v1/calendar/events/create", json=quiet).is_success
        await r.poll()
        await asyncio.sleep(3)  # the reminder falls due meanwhile
        await r.poll()
        assert await r.capture.settle(0.3) == []

        r.app.tray.dnd.emit(0)  # "Off"
        (held,) = await r.seen(1)
        assert held.summary == "While Do not disturb was on"
        lines = held.body.splitlines()
        assert lines[0] == "1 reminder:" and lines[1].endswith(f"Standup {r.marker}")
        assert lines[-1] == "2 calendar changes: 2 new"  # the agent's booking and the Standup itself

        await r.app.until(lambda: dunst_displayed() >= 1, "the summary shown by dunst")
        r.desktop.quit()
        await r.desktop.shutdown()
        await r.app.until(lambda: dunst_displayed() == 0, "the notification withdrawn on quit")
        assert r.summaries() == ["While Do not disturb was on"]


@pytest.mark.asyncio
async def test_settings_switches_turn_kinds_of_notification_off(
    qapp: QApplication,
    emulator: EmulatorServer,
    rw_key: str,
    agent: httpx.Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = insert_event(emulator, "Gone", base=hours_ahead(30), hours_from_now=0)
    async with running_app(qapp, emulator, rw_key, tmp_path, monkeypatch) as r:
        # Settings: no notifications about new bookings (the other kinds stay on).
        r.desktop.apply_preferences(replace(r.desktop.prefs, notify_new_bookings=False))
        await r.app.until(lambda: not r.desktop.prefs.notify_new_bookings, "the settings applied")
        booked_at = hours_ahead(40)
        booking = {"title": "Unheard", "start_time": iso(booked_at), "end_time": iso(booked_at + timedelta(hours=1))}
        assert agent.post("/api/v1/calendar/events/create", json=booking).is_success
        await r.poll()
        assert await r.capture.settle(0.3) == []
        assert agent.post(f"/api/v1/calendar/events/{gone}/cancel", json={}).is_success
        await r.poll()
        (cancelled,) = await r.seen(1)
        assert cancelled.summary == "Cancelled: Gone"
