"""The painted time grid of the day and week views: its geometry and its paint, no widget per event.

Hours run down, local days across; above the hours sit the day headings and a band for events that fill whole
days. Where events sit comes from :mod:`klen_desktop.ui.agenda.time_grid`, made when the events, filter or range
change; their pixel rectangles (:mod:`klen_desktop.ui.agenda.grid_geometry`) when the size or font changes. A
paint only walks the blocks of the rows in view, so a week of 2,000 events scrolls as a week of 20 does.

With a second time zone chosen, the hours column has a second column of that zone's hours beside it (headed by
the zone's city), read on today when shown, else on the first day shown: a DST change inside the week moves them.

What the user does with it (clicks, drags, keys) is handled by :class:`klen_desktop.ui.agenda.week_view.WeekView`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QWidget

from klen_desktop.date_texts import (
    clock,
    day_heading,
    day_range,
    second_hour_label,
    second_zone_id,
    short_date,
    weekday_and_day,
    zone_city,
)
from klen_desktop.i18n import _, ngettext
from klen_desktop.ui.agenda.grid_geometry import MAX_BAND_ROWS, MORE_ROW, Metrics, Placement, place
from klen_desktop.ui.agenda.grid_paint import BlockFonts, BlockPainter, GridColors
from klen_desktop.ui.agenda.rows import Facts
from klen_desktop.ui.agenda.time_grid import (
    DAY_MINUTES,
    EMPTY,
    Block,
    GridLayout,
    drag_range,
    lay_out,
    moment_at,
    wall_minutes,
)
from klen_desktop.ui.painting import fill
from klen_desktop.ui.theme_watch import on_font_change, on_palette_change
from klen_desktop.ui.viewports import give_own_viewport

WORK_HOURS = (8 * 60, 18 * 60)  # shaded as free time on working days; the rest a shade darker
_CROWDED = 80  # more blocks with room for text on screen: square bars and their titles alone (cheaper)


class GridCanvas(QAbstractScrollArea):
    """See the module docstring. Feed it with :meth:`set_source`; :meth:`set_now` moves the now line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        give_own_viewport(self)  # painted and asked for its size all the time
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.facts: list[Facts] = []
        self.layout_: GridLayout = EMPTY
        self.placed = Placement()
        self.selected_id = 0
        self.drag: tuple[int, float, float] | None = None  # day, start and end minute of a drag to create
        # Account id -> colour of the stripe on the right edge of its blocks (empty with one account).
        self.account_colours: dict[str, str] = {}
        self._today = date.today()
        self._now_ts = 0.0
        self._start_pending = False
        self._placed_layout: GridLayout | None = None
        self._placed: tuple[float, ...] = ()
        self._colors = GridColors(self.palette())
        self._fonts = BlockFonts(self.font())
        self._painter = BlockPainter(self._colors, self._fonts)
        self._measure()
        on_palette_change(self, self._palette_changed)
        on_font_change(self, self._font_changed)

    # -- inputs ------------------------------------------------------------------------------------------------
    def set_source(self, facts: Sequence[Facts], days: Sequence[date], now: datetime) -> None:
        """Lay out ``facts`` (those the filter lets through, any order) over ``days``, as of ``now``."""
        self.facts = list(facts)
        self.layout_ = lay_out(days, [(f.start_ts, f.end_ts) for f in self.facts])
        # What a screen reader says of the grid: which days, and how many events (each is read as it is selected).
        count = ngettext("{n} event", "{n} events", len(self.facts)).format(n=len(self.facts))
        if len(days) == 1:
            shown = day_heading(days[0])
        else:
            shown = _("Week, {days}").format(days=day_range(days[0], days[-1])) if days else _("Week")
        self.setAccessibleName(_("{days}, {count}").format(days=shown, count=count))
        if self.selected_id and not any(f.id == self.selected_id for f in self.facts):
            self.selected_id = 0
        self.set_now(now)
        self._measure()

    def set_now(self, now: datetime) -> None:
        local = now.astimezone()
        self._today, self._now_ts = local.date(), local.timestamp()
        self.viewport().update()

    @property
    def days(self) -> tuple[date, ...]:
        return self.layout_.days

    def select(self, event_id: int) -> None:
        """Show ``event_id`` selected (0: none) and scroll its first block into view; no signal."""
        self.selected_id = event_id
        block = self.first_block_of(event_id)
        if block is not None and block < len(self.placed.block_rects):  # hidden, it has no rectangles yet
            self.ensure_visible(self.placed.block_rects[block])
        self.viewport().update()

    def scroll_to_start(self) -> None:
        """Scroll to the selected event, else to where a day begins for the user: the now line when today is
        shown, else the working day (once the view has its size, if it has not yet)."""
        self._start_pending = True
        self._scroll_to_start()

    def _scroll_to_start(self) -> None:
        if not self._start_pending or not self.isVisible():
            return
        self._start_pending = False
        block = self.first_block_of(self.selected_id) if self.selected_id else None
        if block is not None and block < len(self.placed.block_rects):
            self.ensure_visible(self.placed.block_rects[block])
            return
        minutes = float(WORK_HOURS[0])
        if self._today in self.days:
            minutes = max(0.0, min(wall_minutes(self._now_ts) - 90, DAY_MINUTES - 8 * 60))
        self.verticalScrollBar().setValue(round(self.y_of(minutes) - self.top_height))

    # -- geometry ----------------------------------------------------------------------------------------------
    def _measure(self) -> None:
        """Pixel sizes from the font, then every block's rectangle (a resize, a font or a layout change)."""
        fm = self.fontMetrics()
        self.line_height = fm.height()
        self.hour_height = max(40, round(fm.height() * 2.6))
        self.hour_label_width = fm.horizontalAdvance(clock(datetime(2000, 1, 1, 12, 59))) + 6
        self.second_zone = second_zone_id()
        self.gutter = self.hour_label_width * (2 if self.second_zone else 1) + 6
        self.heading_height = fm.height() + 10
        rows = min(self.layout_.band_rows, MAX_BAND_ROWS)
        self.band_row_height = fm.height() + 4
        self.top_height = self.heading_height + (rows * self.band_row_height + 4 if rows else 0)
        content = 24 * self.hour_height
        page = max(1, self.viewport().height() - self.top_height)
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, content - page))
        bar.setPageStep(page)
        bar.setSingleStep(max(1, self.hour_height // 4))
        self._place_blocks()
        self.viewport().update()

    def column_width(self) -> float:
        return max(1.0, (self.viewport().width() - self.gutter) / max(1, len(self.days)))

    def x_of(self, day: int) -> float:
        return self.gutter + day * self.column_width()

    def y_of(self, minutes: float) -> float:
        """Content y (before scrolling) of a wall-clock minute."""
        return self.top_height + minutes * self.hour_height / 60

    def minutes_at(self, y: float) -> float:
        """The wall-clock minute at viewport ``y`` (scrolled)."""
        content = y + self.verticalScrollBar().value() - self.top_height
        return max(0.0, min(float(DAY_MINUTES), content * 60 / self.hour_height))

    def day_at(self, x: float) -> int:
        """The column at viewport ``x``, -1 in the hour gutter."""
        if x < self.gutter or not self.days:
            return -1
        return min(len(self.days) - 1, int((x - self.gutter) // self.column_width()))

    def _place_blocks(self) -> None:
        """The blocks' pixels (see :mod:`~klen_desktop.ui.agenda.grid_geometry`), made again only when the layout
        or a size changed, and not while the view is hidden (a load with the list shown): the show makes them."""
        m = Metrics(
            self.gutter,
            self.column_width(),
            self.hour_height,
            self.top_height,
            self.heading_height,
            self.band_row_height,
        )
        key = (*m, self._colors.base.rgba())
        if self.layout_ is self._placed_layout and key == self._placed:
            return
        self._placed_layout, self._placed = self.layout_, key
        if not self.isVisible():
            self._placed_layout = None
            self.placed = Placement(len(self.days))
            return
        self.placed = place(self.layout_, self.facts, m, self._colors.base)

    def first_block_of(self, event_id: int) -> int | None:
        return next((i for i, b in enumerate(self.layout_.blocks) if self.facts[b.item].id == event_id), None)

    def ensure_visible(self, rect: QRectF) -> None:
        bar = self.verticalScrollBar()
        page_top = bar.value() + self.top_height
        page_bottom = bar.value() + self.viewport().height()
        if rect.top() < page_top:
            bar.setValue(round(rect.top() - self.top_height - self.hour_height / 2))
        elif rect.bottom() > page_bottom:
            bar.setValue(round(rect.bottom() - self.viewport().height() + self.hour_height / 2))

    def visible_blocks(self, top: float, bottom: float) -> list[int]:
        """Indexes of the blocks reaching into content rows ``top`` to ``bottom``, in paint order."""
        tops, bottoms = self.placed.tops, self.placed.bottoms
        out: list[int] = []
        starts = self.layout_.day_starts
        for day in range(len(self.days)):
            # A day's blocks are sorted by top: none starting above the tallest block's reach can show.
            lo = bisect.bisect_left(tops, top - self.placed.tallest[day] - 1, starts[day], starts[day + 1])
            hi = bisect.bisect_right(tops, bottom, lo, starts[day + 1])
            out.extend(i for i in range(lo, hi) if bottoms[i] >= top)
        return out

    # -- painting ----------------------------------------------------------------------------------------------
    def _palette_changed(self) -> None:
        self._colors = self._painter.colors = GridColors(self.palette())
        self._place_blocks()  # their fills are mixed with the base
        self.viewport().update()

    def _font_changed(self) -> None:
        self._fonts = self._painter.fonts = BlockFonts(self.font())
        self._painter.forget_texts()
        self._measure()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._measure()
        self._scroll_to_start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._measure()
        self._scroll_to_start()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            area = event.rect()
            scroll = self.verticalScrollBar().value()
            painter.save()
            painter.setClipRect(QRectF(0, self.top_height, self.viewport().width(), self.viewport().height()))
            painter.translate(0, -scroll)
            self._paint_hours(painter, area.top() + scroll, area.bottom() + scroll)
            self._paint_blocks(painter, area.top() + scroll, area.bottom() + scroll)
            self._paint_now(painter)
            self._paint_drag(painter)
            painter.restore()
            self._paint_top(painter)
            if self.hasFocus():
                painter.setPen(QPen(self._colors.highlight, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(self.viewport().rect()).adjusted(1, 1, -1, -1))
        finally:
            painter.end()

    def _paint_hours(self, painter: QPainter, top: float, bottom: float) -> None:
        c, width = self._colors, self.viewport().width()
        fill(painter, QRectF(0, top, width, bottom - top + 1), c.window)
        col = self.column_width()
        for day, when in enumerate(self.days):
            x = self.x_of(day)
            fill(painter, QRectF(x, self.y_of(0), col, self.y_of(DAY_MINUTES) - self.y_of(0)), c.off_hours)
            if when.weekday() < 5:
                work = QRectF(x, self.y_of(WORK_HOURS[0]), col, self.y_of(WORK_HOURS[1]) - self.y_of(WORK_HOURS[0]))
                fill(painter, work, c.base)
        first = max(0, int((top - self.top_height) // self.hour_height))
        last = min(23, int((bottom - self.top_height) // self.hour_height) + 1)
        fm = self.fontMetrics()
        label_top = self.verticalScrollBar().value() + self.top_height
        for hour in range(first, last + 1):
            y = self.y_of(hour * 60)
            painter.setPen(c.hour_line)
            painter.drawLine(QPointF(self.gutter - 4, y), QPointF(width, y))
            painter.setPen(c.half_line)
            painter.drawLine(QPointF(self.gutter, y + self.hour_height / 2), QPointF(width, y + self.hour_height / 2))
            if hour and y - fm.ascent() / 2 >= label_top:  # not half under the headings
                painter.setPen(c.window_text)
                label = clock(datetime(2000, 1, 1, hour))
                painter.drawText(QPointF(self.gutter - 6 - fm.horizontalAdvance(label), y + fm.ascent() / 2 - 1), label)
                if self.second_zone:
                    self._paint_second_hour(painter, hour, y)
        painter.setPen(c.hour_line)
        for day in range(len(self.days) + 1):
            x = self.x_of(day)
            painter.drawLine(QPointF(x, self.y_of(0)), QPointF(x, self.y_of(DAY_MINUTES)))

    def second_hour_day(self) -> date | None:
        """The day the second zone's hours are read on: today when shown, else the first day shown."""
        if not self.days:
            return None
        return self._today if self._today in self.days else self.days[0]

    def _paint_second_hour(self, painter: QPainter, hour: int, y: float) -> None:
        day = self.second_hour_day()
        if day is None:
            return
        fm = self.fontMetrics()
        label = second_hour_label(moment_at(day, hour * 60))
        painter.setPen(self._colors.muted)
        right = self.hour_label_width - 2
        painter.drawText(QPointF(right - fm.horizontalAdvance(label), y + fm.ascent() / 2 - 1), label)

    def _paint_blocks(self, painter: QPainter, top: float, bottom: float) -> None:
        visible = self.visible_blocks(top, bottom)
        self._paint_event_blocks(painter, visible)
        if self.account_colours:
            self._paint_account_stripes(painter, visible)

    def _paint_account_stripes(self, painter: QPainter, visible: list[int]) -> None:
        """Each block's account, in its colour down the right edge (the left one carries the type's hue)."""
        blocks, rects = self.layout_.blocks, self.placed.block_rects
        for i in visible:
            colour = self.account_colours.get(self.facts[blocks[i].item].account)
            if colour is not None:
                rect = rects[i]
                fill(painter, QRectF(rect.right() - 3, rect.top() + 1, 3, max(1.0, rect.height() - 2)), QColor(colour))

    def _paint_event_blocks(self, painter: QPainter, visible: list[int]) -> None:
        blocks, rects, facts = self.layout_.blocks, self.placed.block_rects, self.facts
        view_top = self.verticalScrollBar().value() + self.top_height
        wide = self.placed.wide
        with_text = [i for i in visible if wide[i]]
        if len(with_text) > _CROWDED:
            # A hundred blocks on screen: square bars by colour (a call per colour, not per block), titles alone.
            self._paint_bars(painter, visible)
            self._painter.paint_titles(painter, [(rects[i], facts[blocks[i].item]) for i in with_text], view_top)
            return
        if len(with_text) < len(visible):
            self._paint_bars(painter, [i for i in visible if not wide[i]])  # too thin for text or rounding
        for i in with_text:
            block: Block = blocks[i]
            f = facts[block.item]
            marks = (block.cut_before, block.cut_after)
            chosen = f.id == self.selected_id
            self._painter.paint(painter, rects[i], f, selected=chosen, marks=marks, view_top=view_top)

    def _paint_bars(self, painter: QPainter, indexes: list[int]) -> None:
        placed = self.placed
        rects, stripes, fill_keys, hue_keys = placed.block_rects, placed.stripes, placed.fill_keys, placed.hue_keys
        fills: dict[int, list[QRectF]] = {}
        hues: dict[int, list[QRectF]] = {}
        for i in indexes:
            fills.setdefault(fill_keys[i], []).append(rects[i])
            hues.setdefault(hue_keys[i], []).append(stripes[i])
        painter.setPen(Qt.PenStyle.NoPen)
        for groups in (fills, hues):  # every fill before any stripe: a stripe lies on its block's fill
            for key, group in groups.items():
                painter.setBrush(self.placed.fill_colors[key])
                painter.drawRects(group)
        chosen = [rects[i] for i in indexes if self.facts[self.layout_.blocks[i].item].id == self.selected_id]
        if chosen:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self._colors.highlight, 2))
            painter.drawRects(chosen)

    def now_line_y(self) -> float | None:
        """Where the now line is drawn (content y, before scrolling); None when today is not shown."""
        return self.y_of(wall_minutes(self._now_ts)) if self._today in self.days else None

    def _paint_now(self, painter: QPainter) -> None:
        y = self.now_line_y()
        if y is None:
            return
        c = self._colors
        painter.setPen(QPen(c.now_faint, 1))
        painter.drawLine(QPointF(self.gutter, y), QPointF(self.viewport().width(), y))
        day = self.days.index(self._today)
        x = self.x_of(day)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(c.now, 2))
        painter.drawLine(QPointF(x, y), QPointF(x + self.column_width(), y))
        painter.setBrush(c.now)
        painter.drawEllipse(QPointF(x, y), 4, 4)

    def _paint_drag(self, painter: QPainter) -> None:
        if self.drag is None:
            return
        day, lo, hi = drag_range(self.drag)
        rect = QRectF(self.x_of(day) + 1, self.y_of(lo), self.column_width() - 3, self.y_of(hi) - self.y_of(lo))
        fill(painter, rect, self._colors.drag)
        painter.setPen(QPen(self._colors.highlight, 1))
        painter.drawRect(rect)
        painter.setPen(self._colors.text)
        when = self.days[day]
        text = f"{clock(moment_at(when, lo))}–{clock(moment_at(when, hi))}"
        painter.drawText(rect.adjusted(6, 2, -2, -2), Qt.AlignmentFlag.AlignLeft, text)

    def _paint_top(self, painter: QPainter) -> None:
        c, fm = self._colors, self.fontMetrics()
        width = self.viewport().width()
        fill(painter, QRectF(0, 0, width, self.top_height), c.window)
        col = self.column_width()
        for day, when in enumerate(self.days):
            x = self.x_of(day)
            today = when == self._today
            text = day_heading(when, self._today) if len(self.days) == 1 else short_date(when, self._today)
            painter.setFont(self._fonts.bold if today else self._fonts.base)
            painter.setPen(c.highlight if today else c.window_text)
            metrics = self._fonts.bold_metrics if today else self._fonts.metrics
            if metrics.horizontalAdvance(text) > col - 8:
                text = weekday_and_day(when)  # a narrow column: the date box names the month
            text = self._painter.elide(text, metrics, int(col - 8), today)
            painter.drawText(QPointF(x + 6, (self.heading_height - fm.height()) / 2 + fm.ascent()), text)
            more = self.placed.band_more.get(day)
            if more:
                y = self.heading_height + MORE_ROW * self.band_row_height
                painter.setFont(self._fonts.base)
                painter.setPen(c.window_text)
                label = self._painter.elide(
                    ngettext("+{n} more", "+{n} more", more).format(n=more), fm, int(col - 8), False
                )
                painter.drawText(QPointF(x + 6, y + fm.ascent() + 2), label)
        for rect, i in self.placed.band_rects:
            band = self.layout_.bands[i]
            f = self.facts[band.item]
            marks = (band.cut_before, band.cut_after)
            chosen = f.id == self.selected_id
            self._painter.paint(painter, rect, f, selected=chosen, marks=marks, one_line=True)
        if self.second_zone:
            painter.setFont(self._fonts.base)
            painter.setPen(c.muted)
            city = self._painter.elide(zone_city(self.second_zone), fm, int(self.gutter) - 4, False)
            painter.drawText(QPointF(2, (self.heading_height - fm.height()) / 2 + fm.ascent()), city)
        painter.setPen(c.hour_line)
        painter.drawLine(QPointF(0, self.top_height - 1), QPointF(width, self.top_height - 1))
        for day in range(len(self.days) + 1):
            x = self.x_of(day)
            painter.drawLine(QPointF(x, 0), QPointF(x, self.top_height))
