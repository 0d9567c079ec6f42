"""The small "New event" window of the tray (and of a global shortcut): the quick-add box on its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QVBoxLayout, QWidget

from klen_desktop.i18n import _
from klen_desktop.ui.quick_add_box import QuickAddBox
from klen_desktop.ui.screen_fit import fit_to_screen, room

WIDTH = 520


class QuickAddWindow(QWidget):
    """Holds a :class:`QuickAddBox` (``box``); Cancel closes it, so does a save that went through."""

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New event"))
        self.box = QuickAddBox(clock=clock, closes=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.box.cancelled.connect(self.close)
        fit_to_screen(self)
        self.resize(max(self.width(), min(WIDTH, room(self).width())), self.height())

    def open(self) -> None:
        """Show, raise and put the cursor in the line."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.line.setFocus()
