"""Small plain-text building blocks of the agenda window: tooltips, write buttons, its pages and panes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from klen_desktop import markup


def plain_tooltip(text: str) -> str:
    """Tooltip text Qt renders literally: escaped, then wrapped so Qt reads the entities as rich text."""
    return f"<p>{markup.escape(text)}</p>" if text else ""


def set_write_enabled(widget: QWidget, enabled: bool, reason: str) -> None:
    """Enable a write action, or disable it with the reason as its tooltip and what a screen reader says of it."""
    widget.setEnabled(enabled)
    widget.setToolTip("" if enabled else plain_tooltip(reason))
    widget.setAccessibleDescription("" if enabled else reason)


def default_window_size() -> QSize:
    """1100 x 700, or less on a small screen (a laptop at 200 % scale): never open larger than 90 % of it."""
    screen = QGuiApplication.primaryScreen()
    wanted = QSize(1100, 700)
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    return wanted.boundedTo(room)


def page_stack(listing: QWidget, message: QWidget, button: QWidget) -> QStackedWidget:
    """The agenda's pages by index: 0 the list, 1 a message instead of it (a third of the way down, its button
    under it); the day or week grid is added as page 2 when it is built."""
    page = QWidget()
    column = QVBoxLayout(page)
    column.addStretch(1)
    column.addWidget(message)
    column.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
    column.addStretch(2)
    stack = QStackedWidget()
    for widget in (listing, page):
        stack.addWidget(widget)
    return stack


def beside(main: QWidget, pane: QWidget) -> QSplitter:
    """``main`` and the detail pane beside it, 3 : 2."""
    splitter = QSplitter()
    splitter.addWidget(main)
    splitter.addWidget(pane)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([680, 420])
    return splitter
