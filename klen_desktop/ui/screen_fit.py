"""Windows that fit a small screen: a laptop's 1280 x 800 at 200 % scale is 640 x 400 logical pixels.

A form too tall or a row too wide for the screen scrolls instead of pushing the window past the screen's edge,
where its buttons could not be reached. At ordinary scales nothing scrolls: the scroll areas here ask for their
whole content's size, and a window opens at that size whenever the screen has room for it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget

from klen_desktop.ui.viewports import give_own_viewport


def available_size(widget: QWidget) -> QSize:
    """The room on the screen ``widget`` is on (the primary one before it is shown), in logical pixels."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else QSize(1280, 800)


def room(widget: QWidget) -> QSize:
    """The most a window opens at: 90 % of the screen's free area, leaving room for its title bar."""
    return available_size(widget) * 0.9


def fit_to_screen(window: QWidget) -> None:
    """Size ``window`` as it asks, but never larger than :func:`room` (nor smaller than its minimum)."""
    window.resize(window.sizeHint().boundedTo(room(window)).expandedTo(window.minimumSizeHint()))


def _scroll_bar_extent(widget: QWidget) -> int:
    return widget.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, widget)


class FormScroll(QScrollArea):
    """A form that scrolls when the window is smaller than the form; it asks for the form's whole size, so it
    scrolls only where the screen is too small to show all of it."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        give_own_viewport(self)  # before the form goes in: it is asked for its height to fit the form
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setWidget(content)
        # Not a stop of its own on Tab: it would take focus without showing it. Tab goes to the form's fields, and
        # the scroll area brings each into view as it gets focus.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint().expandedTo(content.minimumSizeHint()) if content is not None else QSize()
        frame = 2 * self.frameWidth()
        # Room for the vertical scroll bar: where the form scrolls down, it must not also scroll sideways.
        return QSize(hint.width() + frame + _scroll_bar_extent(self), hint.height() + frame)

    def minimumSizeHint(self) -> QSize:
        # A few lines of the form and its full width when that fits the screen: scrolling sideways is a last
        # resort, scrolling down is expected.
        content = self.widget()
        lines = self.fontMetrics().lineSpacing() * 6
        if content is None:
            return QSize(lines, lines)
        width = content.minimumSizeHint().width() + _scroll_bar_extent(self) + 2 * self.frameWidth()
        return QSize(min(width, room(self).width()), lines)

    def refit(self, width: int | None = None) -> None:
        """Take in a change of the form's size (on a resize, and called by the window after showing messages in
        the form): the form keeps the height its rows need at the width it gets, and the window sees the area's
        new size hint."""
        # Without the kept height a tab widget or a word-wrapped note lets the area squeeze the rows until their
        # text is cut; without updateGeometry the window's layout keeps the area's old hint (a scroll area's
        # content does not tell the window it grew).
        content = self.widget()
        if content is None:
            return
        width = (self.width() if width is None else width) - _scroll_bar_extent(self) - 2 * self.frameWidth()
        needed = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        content.setMinimumHeight(max(needed, content.sizeHint().height()))
        self.updateGeometry()
        # A form that grew (a message under a field) grows its window while the screen has room, rather than
        # scrolling; never shrinks it under the user's hands.
        window = self.window()
        missing = content.minimumHeight() - self.viewport().height()
        if missing > 0 and window.isVisible():
            taller = min(window.height() + missing, max(room(window).height(), window.height()))
            window.resize(window.width(), taller)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.refit(event.size().width())
        super().resizeEvent(event)
