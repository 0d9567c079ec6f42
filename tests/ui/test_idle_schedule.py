"""The idle app sleeps until the next thing it shows changes: no fixed-period timers in the tray or the time checks.

The tray redraws its tooltip at the next minute of a countdown, at an event's start and end, at the end of Do not
disturb, and each minute only while its menu is open; the time checks run at the next local midnight, when the
OS hints that time may have moved (application state, screens, the zone setting) and when the user looks.
The real app runs on the emulator with a clock placed just before such an instant, so the timers fire in a
second or two of real time.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from app_harness import MakeApp, insert_event, local_noon_tomorrow
from local_zone import local_zone
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from shifted_clock import ShiftedClock
from test_agenda_values import make_event
from waiting import signal_caught, until

from klen_desktop.emulator import EmulatorServer
from klen_desktop.timezone_watch import TimeChange
from klen_desktop.ui.due_timer import LONGEST_WAIT
from klen_desktop.ui.formatting import starts_in, starts_in_changes
from klen_desktop.ui.time_checks import next_local_midnight

pytestmark = pytest.mark.timeout(60)

BERLIN = ZoneInfo("Europe/Berlin")


def just_before(clock: ShiftedClock, instant: datetime) -> None:
    """Step the clock to 1.5 s before ``instant`` (after the app's start, whatever it took)."""
    clock.jump(instant - timedelta(seconds=1.5) - clock.now())


# ----- when the texts change (no Qt) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        timedelta(days=3),
        timedelta(hours=24, seconds=1),
        timedelta(hours=24),
        timedelta(hours=23, minutes=59),
        timedelta(hours=23, minutes=30),
        timedelta(hours=5, minutes=17, seconds=42),
        timedelta(hours=4, minutes=30),
        timedelta(hours=2, minutes=29, seconds=59),
        timedelta(hours=2, seconds=1),
        timedelta(hours=2),
        timedelta(hours=1, minutes=59, seconds=59),
        timedelta(hours=1, minutes=5),
        timedelta(minutes=5, seconds=1),
        timedelta(minutes=5),
        timedelta(seconds=59),
        timedelta(0),
        timedelta(minutes=-10),
    ],
)
def test_the_countdown_reads_the_same_until_the_instant_given_and_differently_just_after(before: timedelta) -> None:
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    event = make_event(1, start, 30)
    now = start - before
    change = starts_in_changes(event, now)
    assert change is not None and change >= now  # at a boundary: the text changes right after ``now``
    text = starts_in(event, now)
    for moment in (now + (change - now) / 3, change - timedelta(milliseconds=1)):
        assert moment < now or starts_in(event, moment) == text
    assert starts_in(event, change + timedelta(milliseconds=20)) != text
    assert starts_in_changes(event, start + timedelta(minutes=31)) is None  # ended: "ended" for good


def test_the_next_local_midnight_is_local_and_knows_daylight_saving() -> None:
    with local_zone("Europe/Berlin"):
        evening = datetime(2026, 3, 28, 22, 30, tzinfo=BERLIN)  # the night before clocks go forward
        assert next_local_midnight(evening.astimezone(UTC)) == datetime(2026, 3, 29, tzinfo=BERLIN)
        assert next_local_midnight(datetime(2026, 10, 25, 12, tzinfo=BERLIN)) == datetime(2026, 10, 26, tzinfo=BERLIN)
        just_before = datetime(2026, 11, 24, 23, 59, 59, tzinfo=BERLIN)
        assert next_local_midnight(just_before) == datetime(2026, 11, 25, tzinfo=BERLIN)


# ----- the tray ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_tray_wakes_when_its_countdown_turns_and_not_before(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    noon = local_noon_tomorrow()
    insert_event(emulator, "Standup", base=noon, hours_from_now=0)
    start = noon.replace(second=0, microsecond=0)
    clock = ShiftedClock(start - timedelta(minutes=4, seconds=30))
    app = await make_app(clock=clock)
    await app.until(lambda: "Standup in 4 min" in app.tray.icon.toolTip(), "the countdown in the tooltip")
    just_before(clock, start - timedelta(minutes=4))  # "in 4 min" turns to "in 3 min" in 1.5 s
    app.tray.refresh()
    assert app.tray.next_refresh is not None
    assert abs((app.tray.next_refresh - (start - timedelta(minutes=4))).total_seconds()) < 0.1
    await app.until(lambda: "Standup in 3 min" in app.tray.icon.toolTip(), "the next minute", timeout=5)
    due = app.tray.next_refresh
    assert due is not None and timedelta(seconds=55) < due - clock.now() <= timedelta(seconds=60)


@pytest.mark.asyncio
async def test_with_nothing_soon_the_tray_sleeps_long_and_its_open_menu_ticks_each_minute(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    noon = local_noon_tomorrow()
    insert_event(emulator, "Offsite", base=noon, hours_from_now=24 * 4)  # "on Sat 28 Nov at 12:00" for 3 days
    clock = ShiftedClock(noon)
    app = await make_app(clock=clock)
    await app.until(lambda: "Offsite on " in app.tray.icon.toolTip(), "the far event in the tooltip")
    due = app.tray.next_refresh
    assert due is not None and due - clock.now() > LONGEST_WAIT - timedelta(seconds=5)  # the longest sleep

    app.tray.menu.aboutToShow.emit()  # the user opens the menu: its times and offers are kept current
    due = app.tray.next_refresh
    next_minute = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    assert due is not None and abs((due - next_minute).total_seconds()) < 0.1
    app.tray.menu.aboutToHide.emit()
    due = app.tray.next_refresh
    assert due is not None and due - clock.now() > LONGEST_WAIT - timedelta(seconds=5)


@pytest.mark.asyncio
async def test_an_event_hours_away_reads_in_hours_and_the_tray_sleeps_till_the_hour_turns(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    noon = local_noon_tomorrow()
    insert_event(emulator, "Review", base=noon, hours_from_now=11)
    start = noon + timedelta(hours=11)
    clock = ShiftedClock(start - timedelta(hours=10, minutes=47))  # an evening before a morning meeting
    app = await make_app(clock=clock)
    await app.until(lambda: "Review in about 11 h" in app.tray.icon.toolTip(), "the far event, in hours")
    due = app.tray.next_refresh
    # No minute countdown this far out: the text turns when "about 11 h" becomes "about 10 h", 17 minutes on,
    # and the tray sleeps its longest wait (10 minutes) towards that.
    assert due is not None and due - clock.now() > LONGEST_WAIT - timedelta(seconds=5)
    just_before(clock, start - timedelta(hours=10, minutes=30))
    app.tray.refresh()
    due = app.tray.next_refresh
    assert due is not None and abs((due - (start - timedelta(hours=10, minutes=30))).total_seconds()) < 0.1
    await app.until(lambda: "Review in about 10 h" in app.tray.icon.toolTip(), "the hour turned", timeout=5)


@pytest.mark.asyncio
async def test_opening_the_tray_menu_after_a_night_asleep_shows_the_morning(
    make_app: MakeApp, emulator: EmulatorServer, qtbot: QtBot
) -> None:
    evening = local_noon_tomorrow() + timedelta(hours=7)
    insert_event(emulator, "Evening call", base=evening, hours_from_now=1)
    insert_event(emulator, "Morning standup", base=evening, hours_from_now=14)
    clock = ShiftedClock(evening)
    app = await make_app(clock=clock)
    await app.until(lambda: re.search(r"Evening call in (1 h|59 min)", app.tray.icon.toolTip()), "the evening call")

    clock.jump(timedelta(hours=13))  # the lid opens the next morning; no timer has fired meanwhile
    async with signal_caught(app.controller.time_changed, "the jump noticed") as seen:
        app.tray.menu.aboutToShow.emit()
    assert seen.args and TimeChange.JUMP in seen.args[0]
    await app.until(lambda: re.search(r"Morning standup in (1 h|59 min)", app.tray.icon.toolTip()), "the morning")


# ----- the time checks ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_time_checks_wake_at_midnight_and_on_a_hint_from_the_os(make_app: MakeApp, qtbot: QtBot) -> None:
    with local_zone("Europe/Berlin"):
        day = (datetime.now(BERLIN) + timedelta(days=2)).date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        clock = ShiftedClock(midnight - timedelta(seconds=30))
        app = await make_app(clock=clock)
        checks = app.controller.time_checks
        just_before(clock, midnight)
        assert checks.check() == TimeChange.NONE  # a step of seconds is no jump; it re-arms from the new time
        assert checks.due_at is not None and abs((checks.due_at - midnight).total_seconds()) < 0.1
        async with signal_caught(app.controller.time_changed, "the day turned") as seen:
            pass  # the day turns with no one looking
        assert seen.args and seen.args[0] == TimeChange.DAY
        due = checks.due_at
        assert due is not None and due - clock.now() > LONGEST_WAIT - timedelta(seconds=5)  # tomorrow is far

        os.environ["TZ"] = "Asia/Tokyo"  # the zone changes; the OS then reports the app active (an unlock)
        app_object = QGuiApplication.instance()
        assert isinstance(app_object, QGuiApplication)
        async with signal_caught(app.controller.time_changed, "the new zone noticed") as seen:
            app_object.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
        assert seen.args and TimeChange.ZONE in seen.args[0]
        await until(lambda: checks.due_at is not None, "the checks re-armed")
