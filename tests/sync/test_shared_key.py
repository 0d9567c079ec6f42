"""A key shared with others: a 429 lowers the app's background budget, clean minutes raise it again, and the
user's clicks keep their own full budget throughout, wait out a short Retry-After instead of failing, and never
give their budget to reminder re-reads. The real core against the emulator on loopback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fast_sync import FAST_SYNC
from fixtures_emulator import TEST_RPM, event_body
from shifted_clock import ShiftedClock
from waiting import until

from klen_desktop.api.errors import RateLimited
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.reminders.due import Reminder
from klen_desktop.sync.budget import REMINDER_LIMIT
from klen_desktop.sync.patience import CLICK_PATIENCE
from klen_desktop.sync.status import SyncPhase

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(180)]


async def test_a_429_lowers_the_background_budget_and_clean_minutes_raise_it_again(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = ShiftedClock(datetime.now(UTC))
    emulator.admin.set_clock(clock.now)
    # Hours ahead: no reminder comes due (and re-reads its event) while the test moves the clock on.
    later = clock.now() + timedelta(hours=3)
    emulator.admin.insert_events([event_body(later + timedelta(minutes=10 * n), title=f"Call {n}") for n in range(4)])
    # Others use up the key: only two requests a minute are left for this app (a list page and one detail).
    emulator.admin.set_limits(rw_key, rpm=2)
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST_SYNC, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config, clock=clock)
    core.start()
    try:
        await until(lambda: core.budget.paused_until is not None, "the poll meets the key's limit")
        assert core.budget.limit == 5, "halved from the configured 10"
        assert core.interactive_budget.limit == 10, "the user's clicks keep their own full budget"

        emulator.admin.set_limits(rw_key, rpm=TEST_RPM)  # the others stop
        # A request already answered under the old limit may still lower the budget once more: start counting
        # from where the poll that met the limit left it.
        await until(lambda: core.poller.status.phase is not SyncPhase.SYNCING, "the limited poll ends")
        lowered = core.budget.limit
        assert lowered <= 5
        paused_until = core.budget.paused_until
        if paused_until is not None:
            clock.jump(max(timedelta(0), paused_until - clock.now()))
        for expected in range(lowered + 1, 11):
            synced = core.poller.status.last_success
            clock.jump(timedelta(seconds=60))
            core.poller.poke("a clean minute passed")
            # A loaded machine may take seconds for a poll and its details; the budget is what is checked here.
            await until(lambda: core.poller.status.last_success != synced, "a clean poll", 30)  # noqa: B023
            assert core.budget.limit == expected, "one more request a minute per clean minute"
        clock.jump(timedelta(minutes=10))
        assert core.budget.limit == 10, "never above the configured limit"
    finally:
        await core.stop()


async def test_a_429_the_client_retried_by_itself_still_lowers_the_background_budget(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST_SYNC, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    try:
        emulator.faults.rate_limit_next(1, retry_after=0)
        await core.client.list_events()  # answered after one quiet retry: no error reaches the poller
        assert core.budget.limit == 5
        emulator.faults.rate_limit_next(1, retry_after=0)
        (event_id,) = emulator.admin.insert_events([event_body()])
        assert await core.fetch_detail(event_id) is not None, "the click went through on its retry"
        assert core.interactive_budget.limit == 10, "the user's clicks are never slowed down"
    finally:
        await core.stop()


async def test_a_click_that_meets_the_keys_limit_waits_it_out_and_lands(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST_SYNC, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    waits: list[tuple[str, float]] = []
    core.on_interactive_wait(lambda what, seconds: waits.append((what, seconds)))
    try:
        (event_id,) = emulator.admin.insert_events([event_body(title="Busy key")])
        # Others filled the key's minute: the click's request is refused twice, each time for two seconds.
        emulator.faults.rate_limit_next(2, retry_after=2, method="GET", path=f"/api/v1/calendar/events/{event_id}")
        started = asyncio.get_running_loop().time()
        stored = await asyncio.wait_for(core.fetch_detail(event_id), CLICK_PATIENCE)
        assert stored is not None and stored.detail is not None and stored.title == "Busy key"
        assert asyncio.get_running_loop().time() - started >= 3.5, "each Retry-After was waited out (2 s, twice)"
        assert [what for what, _seconds in waits] == ["Loading the event's details"] * 2, "the wait is said"
        assert core.budget.limit == 5, "and the background gives way"
    finally:
        await core.stop()


async def test_a_click_fails_at_once_when_the_key_asks_for_longer_than_a_click_may_wait(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST_SYNC, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    try:
        (event_id,) = emulator.admin.insert_events([event_body()])
        emulator.faults.rate_limit_next(1, retry_after=int(CLICK_PATIENCE) + 30, method="GET")
        started = asyncio.get_running_loop().time()
        with pytest.raises(RateLimited):
            await core.fetch_detail(event_id)
        assert asyncio.get_running_loop().time() - started < 5, "the user is told at once, not after a wait"
    finally:
        await core.stop()


async def test_reminder_re_reads_use_their_own_share_not_the_clicks(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    # Eight calls starting within the reminder lead: every reminder is due at once, each re-reads its event.
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    emulator.admin.insert_events([event_body(soon + timedelta(minutes=n), title=f"Call {n}") for n in range(8)])
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST_SYNC, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    fired: list[Reminder] = []
    core.on_reminder(fired.append)
    core.start()
    try:
        await until(lambda: len(fired) >= REMINDER_LIMIT, "the reminders due at once fire", 30)
        assert core.reminder_budget.spent >= REMINDER_LIMIT
        assert core.interactive_budget.spent == 0, "the user's clicks keep their whole budget"
        assert core.interactive_budget.available() == core.interactive_budget.limit
    finally:
        await core.stop()
