"""A scheduler on a real database file, driven by a FakeClock, recording what it shows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from fake_clock import FakeClock

from klen_desktop.api.errors import ConnectionFailed, EventNotFound
from klen_desktop.api.models import EventDetail
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.reminders.scheduler import Refresh, ReminderScheduler
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.reminder_log import ReminderLogRepository


class ServerView:
    """What re-reading an event returns: the server's current details, a 404, or no connection."""

    def __init__(self) -> None:
        self.details: dict[int, EventDetail] = {}
        self.offline = False
        self.hang = False
        self.calls: list[tuple[int, datetime]] = []
        self.clock: FakeClock | None = None

    async def refresh(self, event_id: int) -> EventDetail | None:
        self.calls.append((event_id, self.clock.now() if self.clock else datetime.min))
        if self.hang:
            await asyncio.sleep(3600)
        if self.offline:
            raise ConnectionFailed("Cannot reach Klen: connection refused.", reached_server=False)
        found = self.details.get(event_id)
        if found is None:
            raise EventNotFound("Event not found or you do not have access", status=404, code="not_found")
        return found


class Harness:
    def __init__(
        self,
        path: Path,
        clock: FakeClock,
        *,
        refresh: Refresh | None = None,
        default_minutes: int = 15,
        refresh_timeout: float = 10.0,
        max_sleep: float = 60.0,
    ) -> None:
        self.clock = clock
        self.db = Database(path)
        self.events = EventRepository(self.db)
        self.log = ReminderLogRepository(self.db)
        self.scheduler = ReminderScheduler(
            self.db,
            self.events,
            self.log,
            clock,
            refresh=refresh,
            default_minutes=default_minutes,
            refresh_timeout=refresh_timeout,
            max_sleep=max_sleep,
        )
        self.fired: list[Reminder] = []
        self.summaries: list[MissedSummary] = []
        self.scheduler.subscribe(self.fired.append)
        self.scheduler.subscribe_summary(self.summaries.append)
        self.shown_before: list[Reminder] = []
        self.scheduler.subscribe_shown_before(self.shown_before.append)
        self.task: asyncio.Future[None] | None = None

    async def start(self) -> None:
        mark = self.clock.sleep_calls
        self.task = asyncio.ensure_future(self.scheduler.run())
        await self.clock.wait_for_sleepers(after=mark)

    async def stop(self) -> None:
        self.scheduler.stop()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=5)
        self.db.close()

    async def advance(self, seconds: float) -> None:
        """Move time on; if that wakes the scheduler, wait until it is parked again."""
        target = self.clock.now() + timedelta(seconds=seconds)
        woken = any(deadline <= target for deadline in self.clock.sleepers)
        mark = self.clock.sleep_calls
        self.clock.advance(seconds)
        if woken:
            await self.clock.wait_for_sleepers(after=mark)

    async def advance_to(self, when: datetime) -> None:
        """Advance in steps that never skip a wake-up, as real time would."""
        while self.clock.now() < when:
            nxt = min([d for d in self.clock.sleepers if d > self.clock.now()] + [when])
            await self.advance((nxt - self.clock.now()).total_seconds())

    async def jump(self, when: datetime) -> None:
        """A suspend/resume or a clock correction: time jumps and every sleeper re-checks."""
        mark = self.clock.sleep_calls
        self.clock.set(when)
        await self.clock.wait_for_sleepers(after=mark)

    async def poke(self) -> None:
        """What sync does after a change set: reschedule, then let the scheduler settle."""
        mark = self.clock.sleep_calls
        self.scheduler.reschedule()
        await self.clock.wait_for_sleepers(after=mark)

    async def snooze(self, event_id: int, due_at: datetime, choice: SnoozeChoice) -> datetime | None:
        """The user picks a snooze; returns once the scheduler has taken it in."""
        mark = self.clock.sleep_calls
        until = await self.scheduler.snooze(event_id, due_at, choice)
        await self.clock.wait_for_sleepers(after=mark)
        return until

    async def dismiss(self, event_id: int, due_at: datetime) -> None:
        mark = self.clock.sleep_calls
        await self.scheduler.dismiss(event_id, due_at)
        await self.clock.wait_for_sleepers(after=mark)
