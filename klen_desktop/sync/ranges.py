"""Which days of the sync window to read at a poll: the hours ahead every time, the rest less often.

Re-reading the whole window at every poll costs one list request per 100 events: nothing for a few hundred
events, ten minutes of the request budget for 10,000. So a window estimated above one page is read in ranges
of days, each with its own cadence:

* ``NOW``: the days holding the next ``now_span`` hours, read at every poll (the poller's fast or slow cadence):
  a last-minute move of a near event must reach its reminder in time, at any calendar size. When those days are
  more than a page, a poll reads only their next hours (:func:`next_hours`), and the days as a whole every
  ``near_refresh``.
* ``NEAR``: the rest of the next ``near_span`` hours, read again every ``near_refresh``; on a first sync it is
  read right after ``NOW``, before the rest of the window, so the next two days are complete within seconds.
* ``FAR``: every other day of the window, in ranges of about ``range_events`` events (known from the cache, or
  estimated from the days already read), each read again every ``far_refresh``, stalest first, only with
  requests the budget has to spare.

A window estimated at one page or less is one ``NOW`` range: a small calendar costs one request a poll, as
before. Pure functions of the clock, the config, the days already read and the cache's events per day.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from enum import IntEnum

from klen_desktop.records import record
from klen_desktop.sync.config import SyncConfig


class Tier(IntEnum):
    NOW = 0
    NEAR = 1
    FAR = 2


@record
class SyncRange:
    """The days ``start`` to ``end`` (inclusive, UTC dates: the API filters on the start date); with ``hours``
    (``[since, until)``) only their events that start within those hours."""

    start: date
    end: date
    tier: Tier
    hours: tuple[datetime, datetime] | None = None

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


@record
class Plan:
    """The ranges of the window at one moment, and what is known of them."""

    ranges: tuple[SyncRange, ...]
    synced: Mapping[date, datetime]
    counts: Mapping[date, int]
    density: float | None  # events per day on the days read so far (None: no day read yet)

    def last_read(self, rng: SyncRange) -> datetime | None:
        """When every day of ``rng`` was read (its oldest day's time; None when a day was never read)."""
        times = [self.synced.get(day) for day in rng.days()]
        return None if any(t is None for t in times) else min(t for t in times if t is not None)

    def never_read(self, rng: SyncRange) -> set[date]:
        return {day for day in rng.days() if day not in self.synced}

    def estimated_events(self, rng: SyncRange) -> float:
        return sum(self._estimate(day) for day in rng.days())

    def estimated_pages(self, rng: SyncRange, page_size: int) -> int:
        return max(1, math.ceil(self.estimated_events(rng) / page_size))

    def _estimate(self, day: date) -> float:
        if day in self.synced:
            return float(self.counts.get(day, 0))
        return self.density if self.density is not None else 0.0


def _density(synced: Mapping[date, datetime], counts: Mapping[date, int]) -> float | None:
    if not synced:
        return None
    return sum(counts.get(day, 0) for day in synced) / len(synced)


def _chunks(
    start: date, end: date, estimate: Mapping[date, float], target: float, unknown_days: int
) -> list[SyncRange]:
    """Consecutive days grouped until each group holds about ``target`` events (``unknown_days`` days a group
    when nothing is known yet)."""
    ranges: list[SyncRange] = []
    day, first, size, days = start, start, 0.0, 0
    while day <= end:
        size += estimate.get(day, 0.0)
        days += 1
        full = size >= target if estimate else days >= unknown_days
        if full or day == end:
            ranges.append(SyncRange(first, day, Tier.FAR))
            first, size, days = day + timedelta(days=1), 0.0, 0
        day += timedelta(days=1)
    return ranges


def plan_ranges(
    now: datetime,
    config: SyncConfig,
    synced: Mapping[date, datetime],
    counts: Mapping[date, int],
    density_hint: float | None = None,
) -> Plan:
    """The window's ranges at ``now``; ``synced``: when each day was last read; ``counts``: cached events per day;
    ``density_hint``: events per day the server counted, while no day has been read yet."""
    start, end = config.window(now)
    synced = {day: at for day, at in synced.items() if start <= day <= end}
    density = _density(synced, counts)
    if density is None:
        density = density_hint
    whole = SyncRange(start, end, Tier.NOW)
    plan = Plan((whole,), synced, counts, density)
    if synced and plan.estimated_events(whole) <= config.page_size:
        return plan
    today = now.date()
    now_end = min(end, (now + config.now_span).date())
    near_end = max(now_end, min(end, (now + config.near_span).date()))
    ranges = [SyncRange(today, now_end, Tier.NOW)]
    if near_end > now_end:
        ranges.append(SyncRange(now_end + timedelta(days=1), near_end, Tier.NEAR))
    estimate = {day: plan._estimate(day) for day in whole.days()} if density is not None else {}
    # Days read on a first sync are unknown: a week a range until the first days tell the calendar's density.
    if near_end < end:
        ranges += _chunks(near_end + timedelta(days=1), end, estimate, config.range_events, 7)
    if start < today:
        ranges += _chunks(start, today - timedelta(days=1), estimate, config.range_events, 7)
    return Plan(tuple(ranges), synced, counts, density)


def next_hours(plan: Plan, now: datetime, config: SyncConfig) -> SyncRange:
    """What a poll reads of the ``NOW`` days: all of them when they are one page (or when the plan is one range),
    were never read or were last read ``near_refresh`` ago; else only their events starting from ``soon`` ago
    to ``fast_span`` ahead (a busy day is several pages, these hours one or two)."""
    days = plan.ranges[0]
    last = plan.last_read(days)
    whole = len(plan.ranges) == 1 or last is None or now - last >= config.near_refresh
    if whole or plan.estimated_pages(days, config.page_size) <= 1:
        return days
    since, until = now - config.soon, min(now + config.fast_span, now + config.now_span)
    return SyncRange(min(days.start, since.date()), max(days.start, until.date()), Tier.NOW, (since, until))


def due_ranges(plan: Plan, now: datetime, config: SyncConfig, stale_before: datetime | None = None) -> list[SyncRange]:
    """The ranges other than ``NOW`` that are due at ``now``, in the order to read them: never-read ones first
    (nearest first), then the stalest. A range last read before ``stale_before`` is due whatever its cadence (the
    user asked for a sync of everything)."""
    due: list[tuple[int, int, datetime, date, SyncRange]] = []
    for rng in plan.ranges:
        if rng.tier is Tier.NOW:
            continue
        last = plan.last_read(rng)
        if last is None:
            due.append((0, rng.tier, datetime.min.replace(tzinfo=now.tzinfo), abs_day(rng, now), rng))
        elif _due_at(rng, last, config, stale_before) <= now:
            due.append((1, rng.tier, last, abs_day(rng, now), rng))
    due.sort(key=lambda item: item[:4])
    return [item[4] for item in due]


def next_due(plan: Plan, now: datetime, config: SyncConfig, stale_before: datetime | None = None) -> datetime | None:
    """When the next range other than ``NOW`` falls due (None: there is none)."""
    times = []
    for rng in plan.ranges:
        if rng.tier is Tier.NOW:
            continue
        last = plan.last_read(rng)
        times.append(now if last is None else _due_at(rng, last, config, stale_before))
    return min(times, default=None)


def _due_at(rng: SyncRange, last: datetime, config: SyncConfig, stale_before: datetime | None) -> datetime:
    if stale_before is not None and last < stale_before:
        return last
    return last + (config.near_refresh if rng.tier is Tier.NEAR else config.far_refresh)


def abs_day(rng: SyncRange, now: datetime) -> date:
    """Sort key: how far the range is from today (a date, so nearer ranges sort first)."""
    today = now.date()
    distance = (rng.start - today).days if rng.start >= today else (today - rng.end).days
    return date.min + timedelta(days=distance)
