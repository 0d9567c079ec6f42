"""A key shared with others: a 429 lowers the app's background budget, clean minutes raise it again, and the
user's clicks keep their own full budget throughout. The real core against the emulator on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fast_sync import FAST_SYNC
from fixtures_emulator import TEST_RPM, event_body
from shifted_clock import ShiftedClock
from waiting import until

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
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
