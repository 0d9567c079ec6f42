"""A line edit that tells by signals what the app would otherwise watch for with an event filter.

An event filter is a handler of any event, and the first event it sees costs the app a Python class for every kind
of event (see :mod:`klen_desktop.ui.theme_watch`); these handlers each see one kind.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class LineEdit(QLineEdit):
    """``entered`` when it takes the keyboard focus. Made with ``takes_escape``, Escape typed in it is its own:
    ``escaped`` is sent and the key goes no further (a window's shortcut would take Escape from every field)."""

    entered = Signal()
    escaped = Signal()

    def __init__(self, parent: QWidget | None = None, *, takes_escape: bool = False) -> None:
        super().__init__(parent)
        self._takes_escape = takes_escape

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.entered.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._takes_escape and event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.escaped.emit()
            return
        super().keyPressEvent(event)
