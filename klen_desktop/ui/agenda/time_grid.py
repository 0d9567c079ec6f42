"""Where events sit on a day or week time grid, Qt-free: columns by local day, rows by local wall-clock minute,
overlapping events side by side in lanes, and whole days of long events in a band above the hours.

The layout is made once per change of events, filter, range or zone (:func:`lay_out`); the painted view only maps
its minutes and lanes to pixels, so a paint never sorts, clips or converts a time. Server data is untrusted: an end
before its start, a zero length or a length of centuries all lay out (a span is clipped to the range before it is
cut into days, so a century-long event costs a week of work, not 36,500 days).

Positions are wall-clock minutes (0 to 1440) read from the local time of each moment, so an event at 14:00 sits
on the 14:00 row on a day a DST change makes 23 or 25 hours long.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from klen_desktop.ui.formatting import local_midnight

DAY_MINUTES = 1440
MIN_MINUTES = 15  # the least height a block gets: a zero-length event is still a target to click
_WIDEN_LIMIT = 200  # a larger overlapping group stays one lane a block: widening it would cost more than it shows
SNAP_MINUTES = 15


class Block(NamedTuple):
    """One event's part on one day: ``item`` is its index in the spans given to :func:`lay_out`."""

    item: int
    day: int  # column
    top: float  # wall-clock minutes from the day's local midnight
    bottom: float
    lane: int
    lanes: int  # lanes of the overlapping group it belongs to: a lane is 1 / lanes of the column
    cut_before: bool  # it began on an earlier day
    cut_after: bool  # it goes on past this day
    span: int = 1  # lanes it covers: it widens to the right over lanes free for all its time


class Band(NamedTuple):
    """Whole days of one event, shown in the band above the hours."""

    item: int
    first: int  # first and last column
    last: int
    row: int
    cut_before: bool  # it began before the first column (before the range, or part-way through that day)
    cut_after: bool


class GridLayout(NamedTuple):
    days: tuple[date, ...]
    blocks: tuple[Block, ...]  # by day, then by top
    day_starts: tuple[int, ...]  # blocks of day k are blocks[day_starts[k]:day_starts[k + 1]]
    bands: tuple[Band, ...]
    band_rows: int

    def day_blocks(self, day: int) -> tuple[Block, ...]:
        return self.blocks[self.day_starts[day] : self.day_starts[day + 1]]


EMPTY = GridLayout((), (), (0,), (), 0)


def midnight(day: date) -> float:
    """The POSIX time of ``day``'s local midnight (through the zone's rules: right across DST changes)."""
    return local_midnight(day).timestamp()


def wall_minutes(ts: float) -> float:
    moment = datetime.fromtimestamp(ts)
    return moment.hour * 60 + moment.minute + moment.second / 60


def moment_at(day: date, minutes: float) -> datetime:
    """The aware local moment ``minutes`` of wall clock after ``day``'s midnight (1440 is the next midnight)."""
    return (datetime.combine(day, time()) + timedelta(minutes=minutes)).astimezone()


def lay_out(days: Sequence[date], spans: Sequence[tuple[float, float]]) -> GridLayout:
    """The grid of ``days`` (consecutive) showing ``spans``: (start, end) POSIX times, any order, any values."""
    if not days:
        return EMPTY
    bounds = [midnight(d) for d in days]
    bounds.append(midnight(days[-1] + timedelta(days=1)))
    first_ts, after_ts = bounds[0], bounds[-1]
    parts: list[list[tuple[float, float, int, bool, bool]]] = [[] for _ in days]
    whole: list[tuple[int, int, int, bool, bool]] = []
    for item, (start, end) in enumerate(spans):
        end = max(start, end)  # an end before the start reads as a zero-length event at its start
        if (end <= first_ts and not start == end == first_ts) or start >= after_ts:
            continue
        lo, hi = max(start, first_ts), min(end, after_ts)
        first = bisect.bisect_right(bounds, lo) - 1
        last = max(first, bisect.bisect_left(bounds, hi) - 1)
        run_from = -1
        for k in range(first, last + 1):
            day_lo, day_hi = bounds[k], bounds[k + 1]
            if start <= day_lo and end >= day_hi:
                run_from = k if run_from < 0 else run_from
            else:
                if run_from >= 0:
                    whole.append((item, run_from, k - 1, start < bounds[run_from], True))
                    run_from = -1
                top = 0.0 if start <= day_lo else wall_minutes(start)
                bottom = float(DAY_MINUTES) if end >= day_hi else wall_minutes(end)
                parts[k].append((top, bottom, item, start < day_lo, end > day_hi))
        if run_from >= 0:
            whole.append((item, run_from, last, start < bounds[run_from], end > bounds[last + 1]))
    blocks: list[Block] = []
    starts = [0]
    for k, day_parts in enumerate(parts):
        blocks.extend(_lanes(k, day_parts))
        starts.append(len(blocks))
    bands, rows = _band_rows(whole)
    return GridLayout(tuple(days), tuple(blocks), tuple(starts), bands, rows)


def _lanes(day: int, parts: list[tuple[float, float, int, bool, bool]]) -> list[Block]:
    """Blocks of one day: each overlapping group side by side, each event in the first lane free at its start."""
    shown = []
    for top, bottom, item, before, after in parts:
        # Short events get a clickable height; one at the day's very end is moved up to fit.
        top = min(top, DAY_MINUTES - MIN_MINUTES)
        shown.append((top, max(bottom, top + MIN_MINUTES), item, before, after))
    shown.sort(key=lambda p: (p[0], -p[1], p[2]))
    out: list[Block] = []
    group: list[tuple[float, float, int, bool, bool, int]] = []
    lane_ends: list[float] = []
    group_end = float("-inf")

    def close() -> None:
        lanes = len(lane_ends)
        spans = _spans(group, lanes) if lanes > 1 and len(group) <= _WIDEN_LIMIT else [1] * len(group)
        out.extend(
            Block(item, day, top, bottom, lane, lanes, b, a, span)
            for (top, bottom, item, b, a, lane), span in zip(group, spans, strict=True)
        )

    for top, bottom, item, before, after in shown:
        if top >= group_end and group:
            close()
            group, lane_ends = [], []
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= top), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(bottom)
        else:
            lane_ends[lane] = bottom
        group.append((top, bottom, item, before, after, lane))
        group_end = max(group_end, bottom)
    if group:
        close()
    return out


def _spans(group: list[tuple[float, float, int, bool, bool, int]], lanes: int) -> list[int]:
    """How many lanes each block of an overlapping group covers: its own, and those to its right that nothing
    uses during its time."""
    by_lane: list[list[tuple[float, float]]] = [[] for _ in range(lanes)]
    for top, bottom, *_rest, lane in group:
        by_lane[lane].append((top, bottom))
    spans = []
    for top, bottom, *_rest, lane in group:
        span = 1
        while lane + span < lanes and not any(t < bottom and top < b for t, b in by_lane[lane + span]):
            span += 1
        spans.append(span)
    return spans


def _band_rows(whole: list[tuple[int, int, int, bool, bool]]) -> tuple[tuple[Band, ...], int]:
    """Whole-day runs stacked in rows: each in the first row free over all its days (longest first)."""
    whole.sort(key=lambda w: (w[1], w[1] - w[2], w[0]))
    row_ends: list[int] = []
    bands = []
    for item, first, last, before, after in whole:
        row = next((i for i, end in enumerate(row_ends) if end < first), len(row_ends))
        if row == len(row_ends):
            row_ends.append(last)
        else:
            row_ends[row] = last
        bands.append(Band(item, first, last, row, before, after))
    return tuple(bands), len(row_ends)


def drag_range(drag: tuple[int, float, float]) -> tuple[int, int, int]:
    """A drag from one minute to another of a day as the range it creates: snapped outward to the grid, at least
    one step long, in order whichever way the mouse went."""
    day, a, b = drag
    lo, hi = min(a, b), max(a, b)
    start = max(0, min(DAY_MINUTES - SNAP_MINUTES, int(lo // SNAP_MINUTES) * SNAP_MINUTES))
    end = min(DAY_MINUTES, max(start + SNAP_MINUTES, -int(-hi // SNAP_MINUTES) * SNAP_MINUTES))
    return day, start, end
