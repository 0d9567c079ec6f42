"""The week the agenda shows, as the user sees it on the real app: the date box and the listed rows agree after
every move, a new calendar (a key saved), a sync that brings rows, and a new day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from app_harness import MakeApp, insert_event, type_into
from local_zone import local_zone
from shifted_clock import ShiftedClock
from test_agenda_window import assert_box_and_list_agree, box

from klen_desktop.emulator import EmulatorServer

pytestmark = pytest.mark.asyncio


@pytest.mark.session  # the real Secret Service keeps the saved key
async def test_a_saved_key_opens_the_new_calendar_on_this_week_with_the_box_saying_so(
    make_app: MakeApp, emulator: EmulatorServer, rw_key: str
) -> None:
    with local_zone("UTC"):
        now = datetime.now(UTC)
        today = now.date()
        for days in (-9, 3, 4):
            insert_event(emulator, f"Live in {days} days", hours_from_now=24 * days)
        app = await make_app(demo=True)
        app.tray_item("Open agenda").trigger()
        agenda = app.agenda
        await app.until(lambda: app.agenda_titles(), "the demo calendar listed")
        agenda.toolbar.next_button.click()
        agenda.toolbar.next_button.click()
        assert box(agenda) == today + timedelta(days=14)
        assert_box_and_list_agree(agenda)

        page = (await app.account_settings()).key_page
        type_into(page.key_edit, rw_key)
        page.save_button.click()
        await app.until(lambda: not app.controller.demo, "the saved key switched to the live calendar")
        await app.until(lambda: "Live in 3 days" in app.agenda_titles(), "the live calendar listed")
        assert box(agenda) == today, "a new calendar opens on today's week"
        assert_box_and_list_agree(agenda)
        assert "Live in -9 days" not in app.agenda_titles()

        # A sync brings a row two weeks ahead: the week shown and its box stay; a step shows the row.
        insert_event(emulator, "Booked by an agent", hours_from_now=24 * 15)
        app.controller.sync_now()
        await app.until(lambda: any(e.title == "Booked by an agent" for e in app.controller.events), "the sync")
        assert box(agenda) == today and "Booked by an agent" not in app.agenda_titles()
        assert_box_and_list_agree(agenda)
        agenda.toolbar.next_button.click()
        agenda.toolbar.next_button.click()
        assert box(agenda) == today + timedelta(days=14) and app.agenda_titles() == ["Booked by an agent"]
        await app.controller.forget_key()  # the keyring is the session's: leave it without the key


async def test_a_new_day_keeps_the_week_shown_and_the_box_naming_it(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    clock = ShiftedClock(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 23, 59, 30, tzinfo=UTC))
    emulator.admin.set_clock(clock.now)
    with local_zone("UTC"):
        insert_event(emulator, "Tonight", hours_from_now=-1, base=clock.now())
        insert_event(emulator, "Six days on", hours_from_now=24 * 6 - 1, base=clock.now())
        insert_event(emulator, "A week on", hours_from_now=24 * 7 - 1, base=clock.now())
        app = await make_app(clock=clock)
        await app.synced()
        app.tray_item("Open agenda").trigger()
        agenda = app.agenda
        await app.until(lambda: "Six days on" in app.agenda_titles(), "this week listed")
        assert box(agenda) == tomorrow and app.agenda_titles() == ["Tonight", "Six days on"]
        assert_box_and_list_agree(agenda)

        clock.jump(timedelta(minutes=1))
        agenda.refresh_time()  # what the minute tick does
        assert agenda.model.today == tomorrow + timedelta(days=1)
        assert box(agenda) == tomorrow and app.agenda_titles() == ["Tonight", "Six days on"]
        assert_box_and_list_agree(agenda)
        agenda.toolbar.today_button.click()
        assert box(agenda) == tomorrow + timedelta(days=1)
        assert app.agenda_titles() == ["Six days on", "A week on"]
        assert_box_and_list_agree(agenda)
