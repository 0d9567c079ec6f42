"""Which days a poll reads: the plan of the window's ranges, as a pure function of the clock and what is known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.ranges import Plan, SyncRange, Tier, due_ranges, next_due, plan_ranges

CONFIG = SyncConfig()
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
TODAY = NOW.date()
START, END = CONFIG.window(NOW)


def every_day(read_at: datetime) -> dict[date, datetime]:
    return {START + timedelta(days=n): read_at for n in range((END - START).days + 1)}


def counts(per_day: int) -> dict[date, int]:
    return {day: per_day for day in every_day(NOW)}


def test_a_window_of_one_page_is_read_whole_at_every_poll() -> None:
    plan = plan_ranges(NOW, CONFIG, every_day(NOW), counts(2))
    assert plan.ranges == (SyncRange(START, END, Tier.NOW),)


def test_a_large_window_is_the_next_hours_the_next_two_days_and_ranges_of_about_range_events() -> None:
    plan = plan_ranges(NOW, CONFIG, every_day(NOW), counts(100))
    now, near, *far = plan.ranges
    assert now == SyncRange(TODAY, TODAY, Tier.NOW)  # 06:00 + 12 h is still today
    assert near == SyncRange(TODAY + timedelta(days=1), TODAY + timedelta(days=2), Tier.NEAR)
    assert all(r.tier is Tier.FAR for r in far)
    assert all(plan.estimated_events(r) >= CONFIG.range_events or r.end in (END, TODAY - timedelta(1)) for r in far)
    covered = sorted(day for r in plan.ranges for day in r.days())
    assert covered == sorted(every_day(NOW)), "every day of the window once"


def test_late_in_the_day_the_next_hours_reach_into_tomorrow() -> None:
    evening = NOW.replace(hour=20)
    plan = plan_ranges(evening, CONFIG, every_day(evening), counts(100))
    assert plan.ranges[0] == SyncRange(TODAY, TODAY + timedelta(days=1), Tier.NOW)


def test_before_any_day_is_read_the_servers_count_sizes_the_ranges() -> None:
    small = plan_ranges(NOW, CONFIG, {}, {}, density_hint=1.0)
    assert small.ranges[0].tier is Tier.NOW and len(small.ranges) > 1, "nothing read yet: the next hours first"
    big = plan_ranges(NOW, CONFIG, {}, {}, density_hint=250.0)
    assert all((r.end - r.start).days == 0 for r in big.ranges if r.tier is Tier.FAR), "a day a range at 250 a day"


def test_never_read_ranges_come_first_nearest_first_then_the_stalest() -> None:
    synced = every_day(NOW - timedelta(hours=2))
    laid_out = plan_ranges(NOW, CONFIG, synced, counts(100))
    far = [r for r in laid_out.ranges if r.tier is Tier.FAR]
    behind = next(r for r in far if r.end < TODAY)
    ahead = [r for r in far if r.start > TODAY]
    for day in [*ahead[-1].days(), *behind.days()]:
        synced.pop(day)  # never read
    for day in ahead[0].days():
        synced[day] = NOW - timedelta(minutes=1)  # just read
    due = due_ranges(Plan(laid_out.ranges, synced, counts(100), 100.0), NOW, CONFIG)
    assert due[:2] == [behind, ahead[-1]], "never read: first, the nearer one first"
    assert due[2] == laid_out.ranges[1], "then the next two days (read two hours ago)"
    assert ahead[0] not in due, "read a minute ago: not due"
    rest = due[3:]
    assert set(rest) == set(far) - {behind, ahead[0], ahead[-1]}, "then the other stale ranges"
    distance = [min(abs((r.start - TODAY).days), abs((r.end - TODAY).days)) for r in rest]
    assert distance == sorted(distance), "read as long ago as each other: the nearest first"


def test_the_next_range_falls_due_after_its_refresh() -> None:
    plan = plan_ranges(NOW, CONFIG, every_day(NOW), counts(100))
    assert due_ranges(plan, NOW, CONFIG) == []
    assert next_due(plan, NOW, CONFIG) == NOW + CONFIG.near_refresh
    later = NOW + CONFIG.far_refresh
    assert {r.tier for r in due_ranges(plan, later, CONFIG)} == {Tier.NEAR, Tier.FAR}


def test_a_sync_the_user_asked_for_makes_every_range_read_before_it_due_at_once() -> None:
    read_at = NOW - timedelta(minutes=1)
    plan = plan_ranges(NOW, CONFIG, every_day(read_at), counts(100))
    assert due_ranges(plan, NOW, CONFIG) == [], "read a minute ago: nothing due at the cadence"
    everything = [r for r in plan.ranges if r.tier is not Tier.NOW]
    assert set(due_ranges(plan, NOW, CONFIG, stale_before=NOW)) == set(everything)
    assert next_due(plan, NOW, CONFIG, stale_before=NOW) == read_at, "due already: the poll goes on at once"
    assert due_ranges(plan, NOW, CONFIG, stale_before=read_at) == [], "read since the ask: not again"
