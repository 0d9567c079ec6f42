"""The tray's "Next free 30 minutes" as a rule, with no window: what the item says and what a click does, with
the look-ups answered by the emulator over loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from local_zone import local_zone
from session_harness import MakeSession

from klen_desktop.api.errors import ConnectionFailed, KeyRejected, RateLimited, ServerFailed, TimedOut
from klen_desktop.emulator import EmulatorServer
from klen_desktop.session.free_slot_offer import OFFER_LIFETIME, Click, FreeSlotOffer, failure_reason, look_up

pytestmark = pytest.mark.asyncio

AVAILABILITY = "/api/v1/calendar/availability"


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def test_a_slot_today_is_offered_then_booked_and_an_old_offer_is_looked_up_again(
    make_session: MakeSession, rw_key: str
) -> None:
    now = tomorrow_at(10, 5)  # the emulator's business hours are 09-17 UTC
    offer = FreeSlotOffer()
    with local_zone("UTC"):
        async with make_session(rw_key) as session:
            assert offer.label(now) == "Next free 30 minutes"
            assert offer.click(now) == (Click.LOOK, None)
            assert offer.label(now) == "Looking for a free slot…" and offer.click(now) == (Click.WAIT, None)
            offer.answered(await look_up(session, now), now)
            assert offer.label(now) == "Book 10:30–11:00 today"
            later = now + OFFER_LIFETIME + timedelta(seconds=1)
            assert offer.label(later) == "Next free 30 minutes", "a slot offered long ago may be taken by now"
            assert offer.click(later) == (Click.LOOK, None)
            offer.answered(await look_up(session, later), later)
            click, slot = offer.click(later)
            assert click is Click.BOOK and slot is not None and slot.start == tomorrow_at(10, 30)
            assert offer.label(later) == "Next free 30 minutes", "booked once: the next click looks again"


async def test_no_slot_left_today_says_when_the_next_one_is_and_a_click_looks_again(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str
) -> None:
    now = tomorrow_at(16, 45)  # no half hour left before 17:00 UTC
    offer = FreeSlotOffer()
    with local_zone("UTC"):
        async with make_session(rw_key) as session:
            offer.click(now)
            offer.answered(await look_up(session, now), now)
            next_day = tomorrow_at(9) + timedelta(days=1)
            assert offer.label(now) == f"No free 30 minutes today — next: {next_day:%a} 09:00"
            assert offer.click(now) == (Click.LOOK, None), "a click after the answer looks again"
            emulator.admin.insert_events(
                [{"title": "Away", "start_time": now, "end_time": now + timedelta(days=9), "status": "confirmed"}]
            )
            offer.answered(await look_up(session, now), now)
            assert offer.label(now) == "No free 30 minutes in the next 7 days"


async def test_a_failed_look_up_says_why_briefly_and_a_click_looks_again(
    make_session: MakeSession, emulator: EmulatorServer, rw_key: str, revoked_key: str
) -> None:
    now = tomorrow_at(10, 5)
    offer = FreeSlotOffer()
    with local_zone("UTC"):
        async with make_session(rw_key) as session:
            emulator.faults.drop_next(20, path=AVAILABILITY)
            offer.click(now)
            offer.answered(await look_up(session, now), now)
            assert offer.label(now) == "Could not look up free time: offline"
            emulator.faults.clear()
            assert offer.click(now) == (Click.LOOK, None)
            offer.answered(await look_up(session, now), now)
            assert offer.label(now) == "Book 10:30–11:00 today", "looked again, and this time it answered"
        async with make_session(revoked_key) as session:
            offer.click(now)
            offer.answered(await look_up(session, now), now)
            assert offer.label(now) == "Could not look up free time: API key not accepted"


async def test_each_kind_of_failure_is_said_in_a_word_or_two() -> None:
    limited = RateLimited("Too many", status=429, code="rate_limit_exceeded", retry_after=30, daily_limit=False)
    assert failure_reason(limited) == "rate limit reached"
    assert failure_reason(ConnectionFailed("refused", reached_server=False)) == "offline"
    assert failure_reason(TimedOut("slow")) == "Klen did not answer"
    assert failure_reason(KeyRejected("revoked", status=401, code="invalid_api_key")) == "API key not accepted"
    assert failure_reason(ServerFailed("boom", status=503, code="server_error")) == "Klen server error"
