"""Notifications against the real notification server (dunst on the session D-Bus) and the emulator.

Given a calendar on the emulator synced by the real poller, when an agent books, confirms, moves or cancels
events elsewhere, then dunst receives exactly one notification per change with the expected text and
buttons, and none for the user's own edits; when the user picks a button in dunst, its effect happens
(the link is opened, the scheduler re-fires after the snooze, the event is opened or confirmed on the
server). What reached dunst is read from the bus itself (a D-Bus monitor filtered by this test's app name).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / d) for d in ("notify", "sync", "store")]

from fake_clock import FakeClock  # noqa: E402
from fixtures_emulator import iso  # noqa: E402
from notify_support import CapturedActions, NotifyCapture, Seen, dunst_invoke, reminder, summary  # noqa: E402
from sync_support import Stack, day_at, event_input, make_stack  # noqa: E402

from klen_desktop.api.models import EventDetail, EventPatch, EventStatus, EventType  # noqa: E402
from klen_desktop.date_texts import date_time  # noqa: E402
from klen_desktop.emulator import EmulatorServer  # noqa: E402
from klen_desktop.notify.center import NotificationCenter  # noqa: E402
from klen_desktop.notify.messages import time_range  # noqa: E402
from klen_desktop.notify.native import native_backend  # noqa: E402
from klen_desktop.notify.reasons import details_reason_lookup  # noqa: E402
from klen_desktop.reminders.due import MissedSummary  # noqa: E402
from klen_desktop.reminders.scheduler import ReminderScheduler  # noqa: E402
from klen_desktop.store.reminder_log import ReminderLogRepository  # noqa: E402

pytestmark = pytest.mark.session

SESSION_BUS_CONFIG = Path("/usr/share/dbus-1/session.conf")
REMINDER_KEYS = ["default", "join", "snooze:5", "open", "snooze:10", "snooze:15", "snooze:until_start"]


@dataclass
class Rig:
    stack: Stack
    center: NotificationCenter
    capture: NotifyCapture
    captured: CapturedActions
    marker: str

    async def sync(self) -> None:
        changes = await self.stack.poller.sync_once()
        await self.center.on_changes(changes)


@asynccontextmanager
async def rig(tmp_path: Path, emulator: EmulatorServer, key: str, *, clock: object = None) -> AsyncIterator[Rig]:
    marker = secrets.token_hex(3)
    app_name = f"Klen notify test {marker}"
    stack = make_stack(emulator.url, key, tmp_path / "cache.db", clock=clock)
    captured = CapturedActions()

    async def cached(event_id: int) -> EventDetail | None:
        found = await stack.db.run(stack.events.get, event_id)
        return found.detail if found is not None else None

    center = NotificationCenter(
        native_backend(app_name),
        stack.clock,
        actions=captured.actions(),
        tz=UTC,
        cancel_reason=details_reason_lookup(stack.client.get_event, cached),
    )
    async with NotifyCapture(app_name) as capture:
        await center.start()
        assert center.server.available and center.server.actions and center.server.name == "dunst"
        try:
            yield Rig(stack, center, capture, captured, marker)
        finally:
            await center.withdraw_all()
            await center.close()
            await stack.close()


def by_summary(seen: list[Seen]) -> dict[str, Seen]:
    return {s.summary: s for s in seen}


@pytest.mark.asyncio
async def test_each_server_change_gives_one_notification_and_own_edits_none(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str, api: object
) -> None:
    ids = emulator.admin.insert_events(
        [
            event_input("Pitch", day_at(2, 9), status="scheduled"),
            event_input("Review", day_at(2, 11)),
            event_input("Lunch", day_at(3, 12), customer_name="Bo", customer_notes="Vegan"),
            event_input("Audit", day_at(-1, 9)),
            event_input("Trial", day_at(-1, 11)),
            event_input("Mine", day_at(4, 9)),
        ]
    )
    pitch, review, lunch, audit, trial, mine = ids
    http = api()  # type: ignore[operator]
    async with rig(tmp_path, emulator, rw_key) as r:
        await r.sync()  # baseline: no news
        new = event_input(
            f"Intro {r.marker}", day_at(5, 14), status="scheduled", created_by_ai_agent=True, customer_name="Ada"
        )
        assert http.post("/api/v1/calendar/events/create", json=new).status_code in (200, 201)
        assert http.patch(f"/api/v1/calendar/events/{pitch}/update", json={"status": "confirmed"}).is_success
        moved = {"start_time": iso(day_at(2, 15)), "end_time": iso(day_at(2, 15, 30))}
        assert http.patch(f"/api/v1/calendar/events/{review}/update", json=moved).is_success
        await r.sync()
        first = list(await r.capture.wait_for(3))
        assert http.post(f"/api/v1/calendar/events/{lunch}/cancel", json={"reason": "Flu"}).is_success
        assert http.patch(f"/api/v1/calendar/events/{audit}/update", json={"status": "completed"}).is_success
        assert http.patch(f"/api/v1/calendar/events/{trial}/update", json={"status": "no_show"}).is_success
        await r.sync()
        await r.capture.wait_for(6)
        # The user's own edit, sent through the outbox: synced back, never announced.
        await r.stack.db.run(r.stack.writes.enqueue_patch, mine, EventPatch(location="Cafe"))
        await r.stack.db.run(r.stack.writes.enqueue_patch, mine, EventPatch(status=EventStatus.COMPLETED))
        assert (await r.stack.sender.drain()).sent == 2
        await r.sync()
        seen = by_summary(await r.capture.settle())
        assert len(r.capture.seen) == 6, [s.summary for s in r.capture.seen]

    assert {s.summary for s in first} == {f"New: Intro {r.marker}", "Confirmed: Pitch", "Moved: Review"}
    intro = seen[f"New: Intro {r.marker}"]
    assert intro.body.splitlines()[-1] == "Booked by an AI agent for Ada"
    assert list(intro.actions) == ["default", "confirm", "open"]
    assert intro.actions["confirm"] == "Confirm"
    assert seen["Moved: Review"].body.splitlines()[:2] == [
        f"Now {time_range(day_at(2, 15), day_at(2, 15, 30), UTC)}",
        f"Was {time_range(day_at(2, 11), day_at(2, 11, 30), UTC)}",
    ]
    assert seen["Cancelled: Lunch"].body.splitlines()[-1] == "Reason: Flu"
    assert list(seen["Confirmed: Pitch"].actions) == ["default", "open"]
    for title in ("Completed: Audit", "No-show: Trial"):
        assert title in seen


@pytest.mark.asyncio
async def test_confirm_button_confirms_the_booking_on_the_server(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str
) -> None:
    async with rig(tmp_path, emulator, rw_key) as r:
        await r.sync()
        (event_id,) = emulator.admin.insert_events(
            [event_input(f"Booked {r.marker}", day_at(1, 10), status="scheduled", created_by_ai_agent=True)]
        )

        async def confirm(eid: int) -> None:
            await r.stack.client.update_event(eid, EventPatch(status=EventStatus.CONFIRMED))

        r.captured.confirm_impl = confirm
        await r.sync()
        await r.capture.wait_for(1)
        await dunst_invoke(rf"(New: Booked {r.marker}) \[[0-9]*,confirm\]")
        assert await r.captured.wait_for("confirm") == [(event_id,)]
        event = emulator.admin.event(event_id)
        assert event is not None and event["status"] == "confirmed"


@pytest.mark.asyncio
async def test_reminder_actions_work_through_dunst(tmp_path: Path, emulator: EmulatorServer, rw_key: str) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    clock = FakeClock(start - timedelta(minutes=20))
    async with rig(tmp_path, emulator, rw_key, clock=clock) as r:
        emulator.admin.insert_events(
            [
                event_input(
                    f"Call {r.marker}",
                    start,
                    event_type="video_call",
                    video_conference_url="https://m.ex/a",
                    remind_before_minutes=15,
                ),
                event_input(f"Visit {r.marker}", start + timedelta(minutes=1), remind_before_minutes=15),
            ]
        )
        await r.stack.poller.sync_once()
        scheduler = ReminderScheduler(r.stack.db, r.stack.events, ReminderLogRepository(r.stack.db), clock)
        r.captured.snooze_impl = scheduler.snooze
        tasks: set[asyncio.Task[None]] = set()
        scheduler.subscribe(lambda rem: tasks.add(asyncio.ensure_future(r.center.on_reminder(rem))))
        mark = clock.sleep_calls
        runner = asyncio.ensure_future(scheduler.run())
        try:
            await clock.wait_for_sleepers(after=mark)
            clock.advance(6 * 60)  # both reminders (15 min lead) are due
            seen = await r.capture.wait_for(2)
            call = by_summary(seen)[f"Call {r.marker}"]
            assert list(call.actions) == REMINDER_KEYS and call.actions["snooze:until_start"] == "Snooze until start"
            assert call.body == f"{time_range(start, start + timedelta(minutes=30), UTC)} · Video call"
            assert list(by_summary(seen)[f"Visit {r.marker}"].actions) == [k for k in REMINDER_KEYS if k != "join"]

            await dunst_invoke(rf"(Call {r.marker}) \[[0-9]*,join\]")
            assert await r.captured.wait_for("open_url") == [("https://m.ex/a",)]

            # Marked before the click: the scheduler may plan its next sleep before the wait below sees the snooze.
            mark = clock.sleep_calls
            await dunst_invoke(rf"(Visit {r.marker}) \[[0-9]*,snooze:5\]")
            (snoozed,) = await r.captured.wait_for("snooze")
            assert snoozed[2] == 5
            await clock.wait_for_sleepers(after=mark)
            clock.advance(4 * 60)
            await asyncio.sleep(0.2)
            assert len(r.capture.seen) == 2  # not yet: the snooze lasts five minutes
            clock.advance(61)
            again = (await r.capture.wait_for(3))[2]
            assert again.summary == f"Visit {r.marker}"

            await dunst_invoke(rf"(Visit {r.marker}) \[[0-9]*,default\]")  # a click on the body
            assert await r.captured.wait_for("open_event") == [(snoozed[0],)]
        finally:
            scheduler.stop()
            await asyncio.wait_for(runner, 5)


@pytest.mark.asyncio
async def test_open_button_opens_the_event(tmp_path: Path, emulator: EmulatorServer, rw_key: str) -> None:
    async with rig(tmp_path, emulator, rw_key) as r:
        await r.sync()
        (event_id,) = emulator.admin.insert_events([event_input(f"Chat {r.marker}", day_at(1, 10))])
        await r.sync()
        await r.capture.wait_for(1)
        await dunst_invoke(rf"(New: Chat {r.marker}) \[[0-9]*,open\]")
        assert await r.captured.wait_for("open_event") == [(event_id,)]


@pytest.mark.asyncio
async def test_burst_of_ten_server_changes_gives_one_summary(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str
) -> None:
    async with rig(tmp_path, emulator, rw_key) as r:
        await r.sync()
        emulator.admin.insert_events([event_input(f"Slot {i}", day_at(1, 8 + i)) for i in range(10)])
        await r.sync()
        (summary,) = await r.capture.settle(0.5)
        assert summary.summary == "10 calendar changes"
        assert summary.body.splitlines()[0] == "10 new"
        assert list(summary.actions) == ["default", "agenda"]
        await dunst_invoke(r"(10 calendar changes) \[[0-9]*,agenda\]")
        assert await r.captured.wait_for("open_agenda") == [()]


@pytest.mark.asyncio
async def test_do_not_disturb_holds_then_summarises(tmp_path: Path, emulator: EmulatorServer, rw_key: str) -> None:
    async with rig(tmp_path, emulator, rw_key) as r:
        await r.sync()
        r.center.set_dnd(None)
        emulator.admin.insert_events([event_input("Quiet", day_at(1, 9), event_type="busy")])
        await r.sync()
        await r.center.on_reminder(reminder(summary(99, day_at(0, 23), title="Standup", event_type=EventType.MEETING)))
        assert await r.capture.settle() == []
        await r.center.end_dnd()
        (held,) = await r.capture.settle()
        assert held.summary == "While Do not disturb was on"
        assert held.body.splitlines() == ["1 reminder:", f"{day_at(0, 23):%H:%M} Standup", "1 calendar change: 1 new"]


@pytest.mark.asyncio
async def test_without_a_notification_server_the_fallbacks_are_used(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bus of our own with no service directories: nothing can be activated on it, not even a dunst.
    config = tmp_path / "bus.conf"
    config.write_text(SESSION_BUS_CONFIG.read_text().replace("<standard_session_servicedirs />", ""))
    out = subprocess.run(
        ["dbus-daemon", f"--config-file={config}", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True, text=True, timeout=10, check=True,
    ).stdout.split()  # fmt: skip
    address, pid = out[0], int(out[1])
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        captured = CapturedActions()
        stack = make_stack(emulator.url, rw_key, tmp_path / "cache.db")
        center = NotificationCenter(native_backend("Klen no server"), stack.clock, actions=captured.actions())
        await center.start()
        assert not center.server.available
        emulator.admin.insert_events([event_input("Alone", day_at(1, 9))])
        await stack.poller.sync_once()
        emulator.admin.insert_events([event_input("Alone 2", day_at(1, 10))])
        await center.on_changes(await stack.poller.sync_once())
        rem = reminder(summary(5, day_at(0, 23)))
        await center.on_reminder(rem)
        assert captured.named("tray_message")[0][0] == "New: Alone 2"
        assert captured.named("show_fallback") == [(rem,)]
        await center.close()
        await stack.close()
    finally:
        os.kill(pid, 15)


@pytest.mark.asyncio
async def test_missed_reminders_and_write_problems_notify_once(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str
) -> None:
    async with rig(tmp_path, emulator, rw_key) as r:
        (event_id,) = emulator.admin.insert_events([event_input(f"Fix {r.marker}", day_at(1, 9))])
        await r.sync()
        # A write the server refuses, retried by the outbox: the user hears about it once.
        patch = EventPatch(start_time=day_at(1, 9), end_time=day_at(1, 8))
        await r.stack.db.run(r.stack.writes.enqueue_patch, event_id, patch)
        await r.stack.sender.drain()
        (entry,) = await r.stack.db.run(r.stack.outbox_repo.active)
        for _ in range(3):
            await r.center.on_outbox_problem(entry)
        await r.center.on_missed(MissedSummary((reminder(summary(8, day_at(0, 7), title=f"Early {r.marker}")),)))
        seen = await r.capture.settle()
        assert [s.summary for s in seen] == ["Klen could not save a change", "1 missed reminder"]
        first, reason, advice = seen[0].body.splitlines()
        assert first == f"Your edit of “Fix {r.marker}” was not saved."
        assert "end_time must be after start_time" in reason
        assert advice == "Open the agenda to fix and resend it, or discard it."
        assert list(seen[0].actions) == ["default", "agenda"]
        assert seen[1].body == f"{date_time(day_at(0, 7).astimezone())} Early {r.marker}"
