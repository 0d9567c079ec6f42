"""A wake from sleep under the real core: the poller and the reminders sleep until they are due (no slices), and
the core's wake watch makes both re-plan at once. The emulator on loopback, a real cache, a clock that jumps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures_emulator import event_body
from shifted_clock import ShiftedClock
from waiting import until

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.reminders.due import Reminder
from klen_desktop.sync.status import SyncPhase

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def test_after_a_two_hour_sleep_the_missed_reminder_fires_once_and_a_poll_runs_at_once(
    emulator: EmulatorServer, rw_key: str, tmp_path: Path
) -> None:
    clock = ShiftedClock(datetime.now(UTC).replace(microsecond=0))
    emulator.admin.set_clock(clock.now)
    start = clock.now() + timedelta(hours=2, minutes=10)
    (event_id,) = emulator.admin.insert_events(
        [event_body(start, title="Board call", remind_before_minutes=15, is_reminder_enabled=True)]
    )
    # Default cadence (a poll every 5 minutes when nothing is soon): only the watch can make these come early.
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, db_path=tmp_path / "cache.sqlite3", wake_check_every=0.5)
    core = CoreServices(config, clock=clock)
    fired: list[Reminder] = []
    core.on_reminder(fired.append)
    core.start()
    try:
        await until(lambda: core.poller.status.last_success is not None, "the first sync")
        # Parked: the next poll planned minutes ahead (published just before the poller goes to sleep).
        await until(lambda: core.poller.status.next_poll is not None, "the poller waiting for its next poll")
        assert core.poller.status.phase is SyncPhase.IDLE
        await asyncio.sleep(0.2)  # the poller's state write and the reminders' plan land before the lid closes
        assert fired == []
        clock.jump(timedelta(hours=2))  # the lid opens ten minutes before the call; its reminder was due at -5 min
        woke = clock.now()
        await until(lambda: fired, "the reminder missed during the sleep, within a check of the wake", 5)
        assert [(r.event_id, r.late) for r in fired] == [(event_id, True)]
        await until(
            lambda: (core.poller.status.last_success or woke) > woke,
            "a poll right after the wake, not minutes later",
            5,
        )
        assert len(fired) == 1, "shown once"
    finally:
        await core.stop()
