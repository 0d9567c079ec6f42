"""The time grid's pixels: where each event block and whole-day band is drawn, made once per layout and size.

Beside the rectangles it keeps what a paint of many blocks needs without asking Qt per block: tops and bottoms as
floats (the visible blocks of a day are found by bisection over them), the tallest block of each day (how far
above the view a block may start and still show), the colour stripes, and the colours as small keys into one list
(blocks are painted in a call per colour, not per block).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from klen_desktop.ui.agenda.grid_paint import TEXT_MIN_WIDTH, fill_color, type_color
from klen_desktop.ui.agenda.rows import Facts
from klen_desktop.ui.agenda.time_grid import GridLayout

MAX_BAND_ROWS = 3  # whole-day rows shown above the hours; more are counted on the last one
MORE_ROW = MAX_BAND_ROWS - 1


class Metrics(NamedTuple):
    """The grid's sizes in pixels, from its font and width."""

    gutter: float  # the hour labels' column
    column: float  # a day's width
    hour_height: float
    top_height: float  # headings and the whole-day band, above the hours
    heading_height: float
    band_row_height: float


class Placement:
    """Where everything of one layout is drawn at one size (content coordinates: before scrolling)."""

    def __init__(self, days: int = 0) -> None:
        self.block_rects: list[QRectF] = []
        self.stripes: list[QRectF] = []
        self.fill_keys: list[int] = []
        self.hue_keys: list[int] = []
        self.fill_colors: list[QColor] = []
        self.wide: list[bool] = []  # room for text
        self.tops: list[float] = []
        self.bottoms: list[float] = []
        self.tallest: list[float] = [0.0] * days
        self.band_rects: list[tuple[QRectF, int]] = []  # (rect, band index); rows past the shown ones are left out
        self.band_more: dict[int, int] = {}  # day -> whole-day events not shown in the band


def place(layout: GridLayout, facts: Sequence[Facts], m: Metrics, base: QColor) -> Placement:
    """The rectangles of ``layout``'s blocks and bands (``facts`` are its items) at sizes ``m`` over ``base``."""
    out = Placement()
    scale = m.hour_height / 60
    looks: dict[tuple[str, str], tuple[int, int]] = {}
    for b in layout.blocks:
        lane_w = (m.column - 6) / b.lanes
        left = m.gutter + b.day * m.column + 1 + b.lane * lane_w
        top = m.top_height + b.top * scale + 1
        w, h = max(2.0, lane_w * b.span - 1), max(3.0, (b.bottom - b.top) * scale - 2)
        out.block_rects.append(QRectF(left, top, w, h))
        out.stripes.append(QRectF(left, top, min(2.0, w), h))
        out.tops.append(top)
        out.bottoms.append(top + h)
        out.wide.append(w >= TEXT_MIN_WIDTH)
        f = facts[b.item]
        look = looks.get((f.type, f.status))
        if look is None:
            look = looks[(f.type, f.status)] = (len(out.fill_colors), len(out.fill_colors) + 1)
            out.fill_colors += [fill_color(f, base), type_color(f)]
        out.fill_keys.append(look[0])
        out.hue_keys.append(look[1])
    starts, tops, bottoms = layout.day_starts, out.tops, out.bottoms
    out.tallest = [
        max((bottoms[i] - tops[i] for i in range(starts[d], starts[d + 1])), default=0.0)
        for d in range(len(layout.days))
    ]
    for i, band in enumerate(layout.bands):
        if band.row >= MAX_BAND_ROWS or (band.row == MORE_ROW and layout.band_rows > MAX_BAND_ROWS):
            for day in range(band.first, band.last + 1):
                out.band_more[day] = out.band_more.get(day, 0) + 1
            continue
        top = m.heading_height + band.row * m.band_row_height
        left = m.gutter + band.first * m.column + 2
        right = m.gutter + (band.last + 1) * m.column - 2
        out.band_rects.append((QRectF(left, top + 1, right - left, m.band_row_height - 2), i))
    return out
