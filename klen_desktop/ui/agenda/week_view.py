"""The day and week views of the agenda as the user drives them: click, drag, keys and tooltips on the painted
grid of :class:`~klen_desktop.ui.agenda.grid_canvas.GridCanvas`.

It emits intentions only: ``selected`` (an event id, 0 for none), ``open_requested`` (double-click, Enter),
``delete_requested`` (Delete), ``create_requested`` (aware start and end from a drag over free time, snapped to
15 minutes) and ``step_requested`` (PageUp / PageDown: the previous or next day or week).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from klen_desktop.ui.agenda.grid_canvas import GridCanvas
from klen_desktop.ui.agenda.grid_paint import tooltip_text
from klen_desktop.ui.agenda.rows import Facts
from klen_desktop.ui.agenda.time_grid import SNAP_MINUTES, drag_range, moment_at
from klen_desktop.ui.agenda.widgets import plain_tooltip

_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_STEP_KEYS = {Qt.Key.Key_PageUp: -1, Qt.Key.Key_PageDown: 1}
_MOVE_KEYS = {Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1), Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0)}


class WeekView(GridCanvas):
    """The time grid of the agenda's Day and Week views (see the module docstring)."""

    selected = Signal(int)
    open_requested = Signal(int)
    delete_requested = Signal(int)
    create_requested = Signal(object, object)
    step_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._press: QPointF | None = None
        self._focus_block: int | None = None  # the block keys move from (an event has one per day it touches)
        self._hovered = 0  # the event whose text is the viewport's tooltip (0: none)
        self.viewport().setMouseTracking(True)

    def set_source(self, facts: Sequence[Facts], days: Sequence[date], now: datetime) -> None:
        super().set_source(facts, days, now)
        self._hovered = 0  # the events moved under the pointer: its next move finds the one there now
        self.viewport().setToolTip("")

    # -- hits ----------------------------------------------------------------------------------------------------
    def event_at(self, pos: QPointF) -> int:
        """The id of the event painted at viewport ``pos``, 0 for none."""
        if pos.y() < self.top_height:
            for rect, i in self.placed.band_rects:
                if rect.contains(pos):
                    return self.facts[self.layout_.bands[i].item].id
            return 0
        block = self.block_at(pos)
        return 0 if block is None else self.facts[self.layout_.blocks[block].item].id

    def block_at(self, pos: QPointF) -> int | None:
        content = QPointF(pos.x(), pos.y() + self.verticalScrollBar().value())
        day = self.day_at(pos.x())
        if day < 0 or pos.y() < self.top_height:
            return None
        starts = self.layout_.day_starts
        on_top_first = range(starts[day + 1] - 1, starts[day] - 1, -1)
        return next((i for i in on_top_first if self.placed.block_rects[i].contains(content)), None)

    # -- mouse ---------------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        picked = self.event_at(pos)
        if picked:
            self._pick(picked, self.block_at(pos))
        elif pos.y() >= self.top_height and self.day_at(pos.x()) >= 0:
            self._press = pos
            self.drag = (self.day_at(pos.x()), self.minutes_at(pos.y()), self.minutes_at(pos.y()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.drag is not None and self._press is not None:
            pos = event.position()
            if (pos - self._press).manhattanLength() >= QApplication.startDragDistance():
                # Near an edge the grid scrolls on, so a drag can reach hours out of view.
                bar, edge = self.verticalScrollBar(), self.line_height
                if pos.y() < self.top_height + edge or pos.y() > self.viewport().height() - edge:
                    bar.setValue(bar.value() + (-1 if pos.y() < self.top_height + edge else 1) * bar.singleStep())
                self.drag = (self.drag[0], self.drag[1], self.minutes_at(pos.y()))
                self.viewport().update()
        else:
            self._hover(event)
        event.accept()

    def _hover(self, event: QMouseEvent) -> None:
        """The tooltip of the event under the pointer: the viewport's own, which Qt shows after its usual pause.

        Not a ToolTip event caught in ``viewportEvent``: a handler of any event costs a Python class for every
        kind of event (see :mod:`klen_desktop.ui.theme_watch`).
        """
        picked = self.event_at(event.position())
        if picked == self._hovered:
            return
        self._hovered = picked
        facts = next((f for f in self.facts if f.id == picked), None) if picked else None
        text = "" if facts is None else plain_tooltip(tooltip_text(facts)).replace("\n", "<br>")
        viewport = self.viewport()
        viewport.setToolTip(text)
        if QToolTip.isVisible():  # another event's is up: this one's replaces it, or none
            if text:
                QToolTip.showText(event.globalPosition().toPoint(), text, viewport)
            else:
                QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, press = self.drag, self._press
        self.drag, self._press = None, None
        self.viewport().update()
        if drag is None or press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - press).manhattanLength() < QApplication.startDragDistance():
            self._pick(0, None)  # a click on free time: nothing selected
            return
        self._create(drag)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        picked = self.event_at(event.position())
        if picked:
            self._pick(picked, self.block_at(event.position()))
            self.open_requested.emit(picked)
        elif event.position().y() >= self.top_height and self.day_at(event.position().x()) >= 0:
            start = self.minutes_at(event.position().y()) // SNAP_MINUTES * SNAP_MINUTES
            self._create((self.day_at(event.position().x()), start, start + 60))  # an hour from its quarter
        self.drag = None
        event.accept()

    def _create(self, drag: tuple[int, float, float]) -> None:
        day, start, end = drag_range(drag)
        when = self.days[day]
        self.create_requested.emit(moment_at(when, start), moment_at(when, end))

    def select(self, event_id: int) -> None:
        super().select(event_id)
        self._describe(event_id)

    def _describe(self, event_id: int) -> None:
        """What a screen reader says of the view is the selected event: the painted blocks are no widgets it reads."""
        facts = next((f for f in self.facts if f.id == event_id), None) if event_id else None
        self.setAccessibleDescription("" if facts is None else tooltip_text(facts).replace("\n", ", "))

    def _pick(self, event_id: int, block: int | None) -> None:
        self._focus_block = block if event_id else None
        self._describe(event_id)
        if event_id != self.selected_id:
            self.selected_id = event_id
            self.selected.emit(event_id)
        self.viewport().update()

    # -- keys ----------------------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.drag is not None:
            self.drag = self._press = None  # the drag is dropped: nothing is created
            self.viewport().update()
        elif key in _OPEN_KEYS and self.selected_id:
            self.open_requested.emit(self.selected_id)
        elif key == Qt.Key.Key_Delete and self.selected_id:
            self.delete_requested.emit(self.selected_id)
        elif key in _STEP_KEYS and not event.modifiers():
            self.step_requested.emit(_STEP_KEYS[Qt.Key(key)])
        elif key in _MOVE_KEYS and not event.modifiers():
            self._move(*_MOVE_KEYS[Qt.Key(key)])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _move(self, days: int, steps: int) -> None:
        """Select the next event up or down the same day, or the nearest in time on the next day with events;
        left or right with no such day left, the range steps on (as PageUp / PageDown do)."""
        blocks = self.layout_.blocks
        current = self._current_block()
        if current is None:
            target = self._first_in_view() if blocks else None
        elif steps:
            target = current + steps
            same_day = 0 <= target < len(blocks) and blocks[target].day == blocks[current].day
            target = target if same_day else current
        else:
            target = self._nearest_on(blocks[current].day + days, days, blocks[current].top)
        if target is None:
            if days:
                self.step_requested.emit(days)
            return
        self._pick(self.facts[blocks[target].item].id, target)
        self.ensure_visible(self.placed.block_rects[target])

    def _current_block(self) -> int | None:
        if not self.selected_id:
            return None
        block = self._focus_block
        blocks = self.layout_.blocks
        if block is not None and block < len(blocks) and self.facts[blocks[block].item].id == self.selected_id:
            return block
        return self.first_block_of(self.selected_id)

    def _first_in_view(self) -> int | None:
        top = self.verticalScrollBar().value() + self.top_height
        shown = self.visible_blocks(top, top + self.viewport().height())
        return shown[0] if shown else 0

    def _nearest_on(self, day: int, direction: int, top: float) -> int | None:
        while 0 <= day < len(self.days):
            candidates = range(self.layout_.day_starts[day], self.layout_.day_starts[day + 1])
            if candidates:
                return min(candidates, key=lambda i: abs(self.layout_.blocks[i].top - top))
            day += direction
        return None

    # -- focus --------------------------------------------------------------------------------------------------
    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()  # the focus frame

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()
