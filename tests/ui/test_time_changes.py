"""Time moving under the running app: the time zone changes, midnight passes, the wall clock jumps after a sleep.

The real app (``make_app``: controller, tray, agenda window) runs on the emulator over loopback with a clock a
test can step; the agenda window is also tested on its own with a FakeClock for its minute tick. Zones are
switched the way the OS does it for a running process: ``TZ`` changes and nobody calls ``time.tzset()`` for
the app; the app's own check must. Every test restores ``TZ`` (and tzsets) in ``finally``: other tests in this
process format local times too.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from app_harness import AppHarness, MakeApp, insert_event
from fake_clock import FakeClock
from local_zone import local_zone
from PySide6.QtWidgets import QLabel, QMenu
from pytestqt.qtbot import QtBot
from shifted_clock import ShiftedClock
from test_agenda_values import make_event
from waiting import signal_caught

from klen_desktop.emulator import EmulatorServer
from klen_desktop.timezone_watch import TimeChange, TimeWatch
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.model import AgendaModel
from klen_desktop.ui.agenda.rows import NowMark
from klen_desktop.ui.due_timer import LONGEST_WAIT

pytestmark = pytest.mark.timeout(60)

BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
# The app's clock runs in real time from the instant chosen, so "in 1 h" may already read "in 59 min".
ABOUT_AN_HOUR = r"Next: {} in (1 h|59 min) \("


def move_to(name: str) -> None:
    """What the OS does on arrival in another zone: the setting changes; the app is not told."""
    os.environ["TZ"] = name


def placed(model: AgendaModel) -> dict[str, tuple[date, str]]:
    """Each shown event's title -> (the day of the heading it is under, its time text), as painted."""
    found: dict[str, tuple[date, str]] = {}
    for row in range(model.rowCount()):
        info = model.paint_info(row)
        day = model.day_of_row(row)
        if info.event is not None and info.texts is not None and day is not None:
            found[info.event.title] = (day, info.texts.time)
    return found


def seen_in(zone_info: ZoneInfo, start: datetime, end: datetime) -> tuple[date, str]:
    """Where an event belongs for someone in ``zone_info``: its local day and ``HH:MM–HH:MM``."""
    s, e = start.astimezone(zone_info), end.astimezone(zone_info)
    return s.date(), f"{s:%H:%M}–{e:%H:%M}"


def heading(model: AgendaModel, day: date) -> str:
    rows = [r for r in range(model.rowCount()) if model.event_at(r) is None and model.day_of_row(r) == day]
    assert rows, f"no heading for {day}"
    return str(model.data(model.index(rows[0])))


def pane_texts(window: AgendaWindow) -> str:
    return "\n".join(label.text() for label in window.pane.findChildren(QLabel))


def menu_texts(app: AppHarness) -> list[str]:
    menu = QMenu()
    try:
        app.tray.fill_menu(menu)
        return [action.text() for action in menu.actions()]
    finally:
        menu.deleteLater()


def day_after_tomorrow_at(hour: int) -> datetime:
    base = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour)


# ----- the real app ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_moving_from_berlin_to_tokyo_regroups_the_agenda_and_refreshes_the_tray(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    now = day_after_tomorrow_at(8)  # 09:00 or 10:00 in Berlin, 17:00 in Tokyo: the same date in both
    lunch = now + timedelta(hours=3)  # 11:00 UTC: midday in Berlin, evening in Tokyo
    late = now + timedelta(hours=13, minutes=30)  # 21:30 UTC: late evening in Berlin, next morning in Tokyo
    with local_zone("Europe/Berlin"):
        lunch_id = insert_event(emulator, "Lunch with Ann", hours_from_now=0, base=lunch)
        insert_event(emulator, "Late review", hours_from_now=0, base=late)
        app = await make_app(clock=ShiftedClock(now))
        window = app.windows.open_agenda()
        await app.until(lambda: {"Lunch with Ann", "Late review"} <= set(placed(window.model)), "both events shown")
        window.show_event(lunch_id)
        half = timedelta(minutes=30)
        today = now.astimezone(BERLIN).date()
        assert placed(window.model) == {
            "Lunch with Ann": seen_in(BERLIN, lunch, lunch + half),
            "Late review": seen_in(BERLIN, late, late + half),
        }
        assert {day for day, _ in placed(window.model).values()} == {today}
        assert sum("Lunch with Ann" in t or "Late review" in t for t in menu_texts(app)) == 2
        assert seen_in(BERLIN, lunch, lunch + half)[1] in pane_texts(window)

        move_to("Asia/Tokyo")
        assert app.controller.check_time() & TimeChange.ZONE

        tokyo_today = now.astimezone(TOKYO).date()
        assert placed(window.model) == {
            "Lunch with Ann": seen_in(TOKYO, lunch, lunch + half),
            "Late review": seen_in(TOKYO, late, late + half),  # now under the next day's heading
        }
        assert placed(window.model)["Late review"][0] == tokyo_today + timedelta(days=1)
        assert heading(window.model, tokyo_today).startswith("Today, ")
        assert heading(window.model, tokyo_today + timedelta(days=1)).startswith("Tomorrow, ")
        pane = pane_texts(window)
        assert seen_in(TOKYO, lunch, lunch + half)[1] in pane and "Tokyo (UTC+9)" in pane
        tip = app.tray.icon.toolTip()
        assert "Lunch with Ann" in tip and f"({seen_in(TOKYO, lunch, lunch + half)[1]})" in tip
        menu = menu_texts(app)  # "today" in the tray menu is Tokyo's today: the late review is tomorrow there
        assert any("Lunch with Ann" in t for t in menu) and not any("Late review" in t for t in menu)
        assert app.controller.check_time() == TimeChange.NONE  # reported once, not on every check


@pytest.mark.asyncio
async def test_a_night_asleep_moves_today_the_now_line_and_the_next_event(
    make_app: MakeApp, emulator: EmulatorServer, qtbot: QtBot
) -> None:
    evening = day_after_tomorrow_at(18)  # 19:00 or 20:00 in Berlin
    with local_zone("Europe/Berlin"):
        insert_event(emulator, "Evening call", hours_from_now=1, base=evening)
        insert_event(emulator, "Morning standup", hours_from_now=14, base=evening)  # 08:00 UTC the next day
        clock = ShiftedClock(evening)
        app = await make_app(clock=clock)
        window = app.windows.open_agenda()
        await app.until(lambda: {"Evening call", "Morning standup"} <= set(placed(window.model)), "both events")
        assert window.model.today == evening.astimezone(BERLIN).date()
        assert re.search(ABOUT_AN_HOUR.format("Evening call"), app.tray.icon.toolTip())
        due = app.controller.time_checks.due_at  # checked while running: at midnight, or sooner as a fallback
        assert app.controller.time_checks.active() and due is not None and due <= clock.now() + LONGEST_WAIT

        window.hide()
        clock.jump(timedelta(hours=13))  # the lid opens at 07:00 UTC the next morning
        async with signal_caught(app.controller.time_changed, "the jump noticed") as seen:
            app.windows.open_agenda()  # the first look after the wake, before the next timed check

        change = seen.args[0] if seen.args else TimeChange.NONE
        assert TimeChange.JUMP in change and TimeChange.DAY in change
        morning = (evening + timedelta(hours=13)).astimezone(BERLIN)
        assert window.model.today == morning.date()
        assert heading(window.model, morning.date()).startswith("Today, ")
        assert heading(window.model, morning.date() - timedelta(days=1)).startswith("Yesterday, ")
        row = window.model.row_of(app.agenda_event("Morning standup").id)
        assert window.model.paint_info(row).now_mark is NowMark.ABOVE  # the now line sits just above it
        next_up = ABOUT_AN_HOUR.format("Morning standup")
        await app.until(lambda: re.search(next_up, app.tray.icon.toolTip()), "the tray's next event")
        assert "Evening call" not in app.tray.icon.toolTip()


# ----- the agenda window on its own: its minute tick --------------------------------------------------------------


def test_the_minute_tick_crosses_midnight_and_notices_a_new_zone(qtbot: QtBot) -> None:
    with local_zone("Europe/Berlin"):
        day = (datetime.now(BERLIN) + timedelta(days=3)).date()
        start = datetime(day.year, day.month, day.day, 23, 40, tzinfo=BERLIN).astimezone(UTC)
        clock = FakeClock(start)
        late = datetime(day.year, day.month, day.day, 23, 50, tzinfo=BERLIN)
        early = late + timedelta(hours=9, minutes=10)  # 09:00 the next day in Berlin
        events = [make_event(1, late, 30, title="Night shift"), make_event(2, early, 30, title="Breakfast")]
        window = AgendaWindow(clock=clock.now)
        qtbot.addWidget(window)
        window.set_events(events, clock.now())
        window.show()
        qtbot.waitExposed(window)
        window.show_event(2)
        model = window.model
        assert model.today == day and heading(model, day).startswith("Today, ")
        assert model.paint_info(model.row_of(1)).now_mark is NowMark.ABOVE  # type: ignore[arg-type]

        clock.advance(30 * 60)  # 00:10: midnight passed while the window was open
        window.refresh_time()
        assert model.today == day + timedelta(days=1)
        assert heading(model, day + timedelta(days=1)).startswith("Today, ")
        assert heading(model, day).startswith("Yesterday, ")
        assert model.paint_info(model.row_of(2)).now_mark is NowMark.ABOVE  # type: ignore[arg-type]

        move_to("Asia/Tokyo")
        window.refresh_time()  # the next tick: the window re-reads the zone itself
        assert placed(model) == {
            "Night shift": seen_in(TOKYO, late, late + timedelta(minutes=30)),
            "Breakfast": seen_in(TOKYO, early, early + timedelta(minutes=30)),
        }
        assert model.today == clock.now().astimezone(TOKYO).date()
        assert f"{early.astimezone(TOKYO):%H:%M}" in pane_texts(window) and "Tokyo (UTC+9)" in pane_texts(window)
        assert window.toolbar.date_edit.date().toPython() == window.shown_range()[0]


# ----- the watch itself (no Qt) ------------------------------------------------------------------------------------


def test_the_watch_tells_a_sleep_a_step_midnight_and_a_zone_apart() -> None:
    with local_zone("Europe/Berlin"):
        evening = datetime(2026, 11, 24, 22, 55, tzinfo=UTC)  # 23:55 in Berlin
        clock = FakeClock(evening)
        monotonic = [1000.0]
        watch = TimeWatch(clock.now, monotonic=lambda: monotonic[0])

        def tick(wall: float, mono: float | None = None) -> TimeChange:
            clock.advance(wall)
            monotonic[0] += wall if mono is None else mono
            return watch.check()

        assert tick(30) == TimeChange.NONE
        assert tick(30, mono=10) == TimeChange.NONE  # a late check, a slewed clock: not a jump
        assert tick(5 * 60) == TimeChange.DAY  # 00:01 in Berlin: midnight passed in real time
        assert tick(3 * 3600, mono=30) == TimeChange.JUMP  # the machine slept 3 hours
        assert tick(-4 * 3600, mono=30) == TimeChange.JUMP | TimeChange.DAY  # corrected back, over midnight
        assert tick(2 * 3600, mono=30) == TimeChange.JUMP | TimeChange.DAY  # and stepped forward again
        move_to("Asia/Tokyo")
        assert tick(30) == TimeChange.ZONE  # 09:01 in Tokyo: the same date as 01:01 in Berlin
        assert watch.zone.key == "Asia/Tokyo" and watch.zone.utc_offset == 9 * 3600
        assert watch.zone.describe() == "Asia/Tokyo (UTC+9)"
        assert tick(30) == TimeChange.NONE
