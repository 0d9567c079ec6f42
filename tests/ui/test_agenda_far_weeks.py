"""A calendar larger than what the app keeps in memory, on the real app: the events near now and the agenda's week
are held, the rest stays in the cache until a week, a search or an event asks for it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from app_harness import AppHarness, MakeApp, type_into
from local_zone import local_zone
from test_agenda_window import assert_box_and_list_agree, box

from klen_desktop.emulator import EmulatorServer
from klen_desktop.session.snapshot import UPCOMING_HELD
from klen_desktop.ui.agenda.states import GO_TO_MATCH
from klen_desktop.ui.window_manager import SLOT_SPAN

pytestmark = pytest.mark.asyncio

PER_DAY = 4
DAYS = 26  # from tomorrow: inside the sync window (30 days ahead), and far more events than the upcoming few held


def fill(emulator: EmulatorServer, start: datetime) -> dict[str, int]:
    """Four events a day from ``start`` for :data:`DAYS` days; one on day 20 has a title of its own. Title -> id."""
    fields = []
    for day in range(DAYS):
        for slot in range(PER_DAY):
            begin = start + timedelta(days=day, hours=9 + 2 * slot)
            title = "Harbour inspection" if (day, slot) == (20, 1) else f"Call {day}.{slot}"
            fields.append({"title": title, "start_time": begin, "end_time": begin + timedelta(minutes=30)})
    ids = emulator.admin.insert_events(fields)
    return {f["title"]: event_id for f, event_id in zip(fields, ids, strict=True)}


async def started_on_a_big_calendar(
    make_app: MakeApp, emulator: EmulatorServer
) -> tuple[AppHarness, datetime, dict[str, int]]:
    """The app on :func:`fill`'s calendar from tomorrow, once its first sync cached all of it (the next days come
    first, the rest after); with the start of today (UTC) and the events' ids."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ids = fill(emulator, today + timedelta(days=1))
    app = await make_app()
    await app.synced()
    await app.until(lambda: app.controller.event_count == PER_DAY * DAYS, "the whole calendar cached")
    return app, today, ids


def held_titles(app: AppHarness) -> set[str]:
    return {e.title for e in app.controller.events}


async def test_only_the_near_days_and_the_agendas_week_are_held_and_the_rest_loads_when_shown(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    with local_zone("UTC"):
        app, today, ids = await started_on_a_big_calendar(make_app, emulator)
        held = held_titles(app)
        assert "Harbour inspection" not in held, "three weeks ahead is not kept in memory with the agenda closed"
        assert len(held) < PER_DAY * DAYS
        assert len(held) >= UPCOMING_HELD, "the next events are held however far they are (the tray's next)"

        app.tray_item("Open agenda").trigger()
        agenda = app.agenda
        await app.until(lambda: len(app.agenda_titles()) == PER_DAY * 6, "this week listed: six days of calls")
        assert "Harbour inspection" not in app.agenda_titles()
        assert agenda.footer.text().startswith(f"{PER_DAY * 6} of {PER_DAY * DAYS} events"), agenda.footer.text()

        for _ in range(3):
            agenda.toolbar.next_button.click()
        assert box(agenda) == today.date() + timedelta(days=21)
        await app.until(lambda: "Harbour inspection" in app.agenda_titles(), "the far week read from the cache")
        assert len(app.agenda_titles()) == PER_DAY * (DAYS - 20), "day 21 to 26: the rest of the calendar"
        assert_box_and_list_agree(agenda)
        assert "Harbour inspection" in held_titles(app)

        agenda.hide()
        await app.until(lambda: "Harbour inspection" not in held_titles(app), "the closed agenda let its week go")
        assert ids["Harbour inspection"] not in {e.id for e in app.controller.events}


async def test_a_search_counts_and_reaches_matches_in_weeks_not_held(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    with local_zone("UTC"):
        app, today, _ids = await started_on_a_big_calendar(make_app, emulator)
        app.tray_item("Open agenda").trigger()
        agenda = app.agenda
        await app.until(lambda: len(app.agenda_titles()) == PER_DAY * 6, "this week listed")

        type_into(agenda.toolbar.search_edit, "harbour")
        await app.until(lambda: "1 does in other weeks" in agenda.message.text(), "the match in another week counted")
        assert agenda.message_button.text() == GO_TO_MATCH
        agenda.message_button.click()
        await app.until(lambda: app.agenda_titles() == ["Harbour inspection"], "the nearest match shown")
        assert box(agenda) == today.date() + timedelta(days=21)

        type_into(agenda.toolbar.search_edit, "no such thing anywhere")
        await app.until(lambda: "match the search" in agenda.message.text(), "no match")
        assert "other weeks" not in agenda.message.text()


async def test_showing_an_event_no_week_holds_moves_the_agenda_to_it(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    with local_zone("UTC"):
        app, today, ids = await started_on_a_big_calendar(make_app, emulator)
        far = ids["Harbour inspection"]
        assert app.controller.cached_event(far) is None

        app.windows.show_event(far)  # what a notification's "Show" does for a booking three weeks ahead
        agenda = app.agenda
        await app.until(lambda: agenda.pane.shown_event is not None, "the event selected once its week was read")
        assert agenda.pane.shown_event.title == "Harbour inspection"
        assert box(agenda) <= today.date() + timedelta(days=21) < box(agenda) + timedelta(days=7)
        assert "Harbour inspection" in app.agenda_titles()


async def test_a_new_calendar_keeps_the_days_the_open_windows_hold(make_app: MakeApp, emulator: EmulatorServer) -> None:
    with local_zone("UTC"):
        app, today, _ids = await started_on_a_big_calendar(make_app, emulator)
        finder = app.windows.find_slot()  # the free-slot finder holds the days it searches
        await app.until(lambda: app.controller.holds(SLOT_SPAN), "the finder's days read")
        start, end, _length = finder.search_range()
        assert (end - start).days >= 6
        sixth = today.date() + timedelta(days=6)
        assert sixth in {e.start_time.date() for e in app.controller.events}

        # What new sync settings do: the calendar is built again under the open windows.
        desktop = app.desktop
        assert desktop.connection is not None
        await app.controller.replace_session(desktop.build_session(desktop.connection))
        await app.until(lambda: app.controller.holds(SLOT_SPAN), "the new calendar's copy holds the finder's days")
        assert sixth in {e.start_time.date() for e in app.controller.events}

        # Two switches at once (a key saved while new settings apply): each new calendar starts once, the last stays.
        first, second = desktop.build_session(desktop.connection), desktop.build_session(desktop.connection)
        await asyncio.gather(app.controller.replace_session(first), app.controller.replace_session(second))
        assert app.controller.session is second and first.stopped and not second.stopped
        await app.until(lambda: app.controller.holds(SLOT_SPAN), "the last calendar's copy holds the finder's days")
