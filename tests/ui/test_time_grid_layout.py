"""Where events sit on the day and week grids (Qt-free): lanes for overlaps, days cut at local midnight, whole
days in the band, and server values that make no sense laid out without a failure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from local_zone import local_zone

from klen_desktop.ui.agenda.time_grid import DAY_MINUTES, MIN_MINUTES, drag_range, lay_out, midnight, moment_at

MONDAY = date(2026, 3, 23)  # the week of the spring DST change in Europe (Sunday 29 March)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]


def at(day: date, hour: int, minute: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, minute).astimezone().timestamp()


def test_overlapping_events_share_the_column_and_the_rest_keep_its_width() -> None:
    with local_zone("Europe/Berlin"):
        spans = [
            (at(MONDAY, 9), at(MONDAY, 10)),
            (at(MONDAY, 9, 30), at(MONDAY, 11)),
            (at(MONDAY, 10), at(MONDAY, 10, 30)),  # starts as the first ends: it takes the first's lane
            (at(MONDAY, 14), at(MONDAY, 15)),
        ]
        grid = lay_out(WEEK, spans)
    by_item = {b.item: b for b in grid.blocks}
    assert [(by_item[i].lane, by_item[i].lanes) for i in range(3)] == [(0, 2), (1, 2), (0, 2)]
    assert (by_item[3].lane, by_item[3].lanes) == (0, 1)
    assert (by_item[0].top, by_item[0].bottom) == (9 * 60, 10 * 60)
    assert [b.day for b in grid.day_blocks(0)] == [0, 0, 0, 0] and grid.day_blocks(1) == ()


def test_an_event_over_midnight_is_cut_into_its_days_and_marked_as_going_on() -> None:
    with local_zone("Europe/Berlin"):
        grid = lay_out(WEEK, [(at(MONDAY, 22), at(MONDAY + timedelta(days=1), 1, 30))])
    first, second = grid.blocks
    assert (first.day, first.top, first.bottom, first.cut_before, first.cut_after) == (
        0,
        22 * 60,
        DAY_MINUTES,
        False,
        True,
    )
    assert (second.day, second.top, second.bottom, second.cut_before, second.cut_after) == (1, 0, 90, True, False)


def test_whole_days_of_long_events_go_to_the_band_in_rows_that_do_not_overlap() -> None:
    with local_zone("Europe/Berlin"):
        trip = (at(MONDAY - timedelta(days=3), 12), at(MONDAY + timedelta(days=2), 12))  # from last week
        holiday = (at(MONDAY + timedelta(days=1), 0), at(MONDAY + timedelta(days=3), 0))  # Tue and Wed exactly
        later = (at(MONDAY + timedelta(days=4), 0), at(MONDAY + timedelta(days=5), 0))  # Friday
        grid = lay_out(WEEK, [trip, holiday, later])
    bands = {b.item: b for b in grid.bands}
    assert (bands[0].first, bands[0].last, bands[0].cut_before, bands[0].cut_after) == (0, 1, True, True)
    assert (bands[1].first, bands[1].last, bands[1].cut_before, bands[1].cut_after) == (1, 2, False, False)
    assert bands[0].row != bands[1].row and bands[2].row == 0 and grid.band_rows == 2
    # The trip's last half day is a timed block on Wednesday, marked as begun before.
    (wednesday,) = [b for b in grid.blocks if b.item == 0]
    assert (wednesday.day, wednesday.top, wednesday.bottom, wednesday.cut_before) == (2, 0, 12 * 60, True)


def test_an_event_on_the_short_dst_day_sits_on_its_wall_clock_hour() -> None:
    sunday = MONDAY + timedelta(days=6)
    with local_zone("Europe/Berlin"):
        grid = lay_out(WEEK, [(at(sunday, 14), at(sunday, 15))])
        assert midnight(sunday + timedelta(days=1)) - midnight(sunday) == 23 * 3600
    (block,) = grid.blocks
    assert (block.day, block.top, block.bottom) == (6, 14 * 60, 15 * 60)


def test_senseless_times_lay_out_without_failing() -> None:
    with local_zone("UTC"):
        start = at(MONDAY, 10)
        spans = [
            (start, start - 3600),  # ends before it starts: a zero-length event at its start
            (start, start),  # zero length
            (at(MONDAY, 23, 59), at(MONDAY, 23, 59)),  # zero length at the day's very end
            (start - 100 * 365 * 86400, start + 100 * 365 * 86400),  # two centuries
            (at(MONDAY - timedelta(days=9), 10), at(MONDAY - timedelta(days=8), 10)),  # before the week
            (at(MONDAY + timedelta(days=7), 0), at(MONDAY + timedelta(days=7), 1)),  # after it
            (at(MONDAY, 0), at(MONDAY, 0)),  # zero length exactly at the first midnight
        ]
        grid = lay_out(WEEK, spans)
    shown = {b.item for b in grid.blocks} | {b.item for b in grid.bands}
    assert shown == {0, 1, 2, 3, 6}
    for block in grid.blocks:
        assert 0 <= block.top < block.bottom <= DAY_MINUTES and block.bottom - block.top >= MIN_MINUTES
    (centuries,) = [b for b in grid.bands if b.item == 3]
    assert (centuries.first, centuries.last, centuries.cut_before, centuries.cut_after) == (0, 6, True, True)
    assert lay_out([], spans).blocks == ()


def test_a_drag_snaps_outward_to_quarter_hours_whichever_way_it_went() -> None:
    assert drag_range((2, 9 * 60 + 50, 9 * 60 + 7)) == (2, 9 * 60, 10 * 60)
    assert drag_range((0, 600, 600)) == (0, 600, 615)  # a click's worth is still a quarter of an hour
    assert drag_range((0, DAY_MINUTES, DAY_MINUTES)) == (0, DAY_MINUTES - 15, DAY_MINUTES)
    with local_zone("Europe/Berlin"):
        assert moment_at(MONDAY, DAY_MINUTES) == datetime(2026, 3, 24).astimezone()


def test_a_block_widens_over_the_lanes_to_its_right_that_are_free_for_all_its_time() -> None:
    with local_zone("UTC"):
        spans = [
            (at(MONDAY, 9), at(MONDAY, 11)),  # lane 0
            (at(MONDAY, 9), at(MONDAY, 10)),  # lane 1
            (at(MONDAY, 9), at(MONDAY, 9, 30)),  # lane 2
            (at(MONDAY, 10), at(MONDAY, 11)),  # lane 1 again, and lane 2 is free from 9:30
        ]
        grid = lay_out(WEEK, spans)
    by_item = {b.item: b for b in grid.blocks}
    assert [(by_item[i].lane, by_item[i].lanes, by_item[i].span) for i in range(4)] == [
        (0, 3, 1),
        (1, 3, 1),
        (2, 3, 1),
        (1, 3, 2),
    ]
