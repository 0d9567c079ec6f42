"""An open free-slot finder never offers a slot the calendar has taken meanwhile: booked here or by an agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from app_harness import AppHarness, MakeApp
from local_zone import local_zone
from shifted_clock import ShiftedClock

from klen_desktop.api.constants import AVAILABILITY_PATH
from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui import window_manager as windows_module
from klen_desktop.ui.slots import SlotFinder

pytestmark = pytest.mark.asyncio


def listed(finder: SlotFinder) -> list[str]:
    out = []
    for i in range(finder.tree.topLevelItemCount()):
        day = finder.tree.topLevelItem(i)
        assert day is not None
        out += [child.text(0) for child in (day.child(j) for j in range(day.childCount())) if child is not None]
    return out


def tomorrow_at_eight(emulator: EmulatorServer) -> ShiftedClock:
    """A clock at 08:00 UTC tomorrow, on the app and the emulator: the whole working day is still ahead."""
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    clock = ShiftedClock(datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC))
    emulator.admin.set_clock(clock.now)
    return clock


async def finder_on_tomorrow(app: AppHarness) -> SlotFinder:
    """The finder opened once the first sync is in, its range set to tomorrow alone."""
    await app.synced()
    finder = app.windows.find_slot()
    finder.start_date.setDate(finder.start_date.date().addDays(1))
    finder.end_date.setDate(finder.start_date.date())
    return finder


async def test_a_slot_booked_here_or_by_an_agent_leaves_the_open_finder(
    make_app: MakeApp, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(windows_module, "SLOT_REFRESH_MS", 300)
    clock = tomorrow_at_eight(emulator)
    tomorrow = clock.now().date()
    with local_zone("UTC"):
        app = await make_app(clock=clock)
        finder = app.windows.find_slot()
        finder.start_date.setDate(finder.start_date.date().addDays(1))
        finder.end_date.setDate(finder.start_date.date())
        finder.search_button.click()
        await app.until(lambda: "09:00–09:30" in listed(finder), "tomorrow's slots listed")
        assert "09:30–10:00" in listed(finder)

        nine = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=UTC)
        await app.controller.book(nine, nine + timedelta(minutes=30))
        # At once, from the cache: the local copy of the booking takes the slot before the server knows it.
        await app.until(lambda: "09:00–09:30" not in listed(finder), "the booked slot taken off the list")

        searches = len([r for r in emulator.admin.request_log() if r.path.endswith("/availability")])
        emulator.admin.insert_events(
            [
                {
                    "title": "Booked by an agent",
                    "start_time": nine + timedelta(minutes=30),
                    "end_time": nine + timedelta(hours=1),
                }
            ]
        )
        app.controller.sync_now()
        await app.until(lambda: "09:30–10:00" not in listed(finder), "the agent's booking taken off the list", 20)
        await app.until(
            lambda: len([r for r in emulator.admin.request_log() if r.path.endswith("/availability")]) > searches,
            "the finder asked the server again",
            20,
        )
        await app.until(lambda: not finder.is_busy, "the refreshed answer shown")
        assert "09:00–09:30" not in listed(finder) and "09:30–10:00" not in listed(finder)
        assert "10:00–10:30" in listed(finder)


async def test_booking_from_the_finder_refreshes_its_list_and_keeps_the_chosen_range(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    clock = tomorrow_at_eight(emulator)
    with local_zone("UTC"):
        app = await make_app(clock=clock)
        finder = await finder_on_tomorrow(app)
        finder.duration_spin.setValue(45)
        chosen = finder.search_range()
        finder.search_button.click()
        await app.until(lambda: "09:00–09:45" in listed(finder), "tomorrow's slots listed")
        searches = availability_requests(emulator)

        finder.book_button.click()  # the first slot is selected
        editor = app.windows.editors[-1]
        editor.title_edit.setText("Booked from the finder")
        editor.save_button.click()
        await app.until(lambda: app.server_event("Booked from the finder") is not None, "the booking on the server")
        await app.until(lambda: "09:00–09:45" not in listed(finder), "the booked slot taken off the list")
        await app.until(lambda: availability_requests(emulator) > searches, "the finder asked the server again")
        await app.until(lambda: not finder.is_busy, "the refreshed answer shown")
        assert "09:00–09:45" not in listed(finder) and "09:30–10:15" not in listed(finder)
        assert "10:00–10:45" in listed(finder)
        assert finder.search_range() == chosen and finder.last_search == chosen


def availability_requests(emulator: EmulatorServer) -> int:
    return len([r for r in emulator.admin.request_log() if r.path.endswith("/availability")])


async def test_a_change_during_a_slow_search_asks_again_once_it_answers(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    clock = tomorrow_at_eight(emulator)
    tomorrow = clock.now().date()
    with local_zone("UTC"):
        app = await make_app(clock=clock)
        finder = await finder_on_tomorrow(app)
        emulator.faults.latency(1.5, path=AVAILABILITY_PATH)
        finder.search_button.click()
        assert finder.is_busy
        nine = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=UTC)
        await app.controller.book(nine, nine + timedelta(minutes=30))  # while the search is under way
        await app.until(lambda: availability_requests(emulator) >= 2, "asked again after the first answer", 20)
        await app.until(lambda: not finder.is_busy, "the second answer shown", 20)
        assert "09:00–09:30" not in listed(finder) and "09:30–10:00" in listed(finder)
