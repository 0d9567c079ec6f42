"""A new palette or font, told to a widget without a Python handler of Qt's events.

Qt tells a widget of a new palette or font in ``changeEvent``. In PySide6, the first event that reaches a Python
handler typed for any event (``changeEvent``, ``event``, ``eventFilter``, a scroll area's ``viewportEvent``, a
delegate's ``editorEvent``) makes it build a Python class for every QEvent subclass, to find the one that event is:
53 classes, some 0.7 MiB resident in the app, paid by a window that only wanted to recolour for a new theme.
Handlers typed for one kind of event (``keyPressEvent``, ``focusInEvent``, ``mouseReleaseEvent``) build only their
own; the app's widgets keep to those, and hear of palettes and fonts here.

The application's ``paletteChanged`` and ``fontChanged`` signals carry that news for the application's palette and
font, which are what a theme or the desktop's font setting changes (the app sets neither on a window of its own).
They are sent before the widgets have taken the new values, which Qt hands to them by posted events; a widget is
told by a timer, which Qt runs after the events posted before it (a posted call of its own would come first), once
however many signals came together.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

_AFTER_POSTED_MS = 1  # a timer, not a zero-time call: Qt queues that as a posted event, ahead of the palette's


class _Follower(QObject):
    """Calls ``react`` after the application's palette (or font) changed; a child of the widget, so it ends with
    it, and with it its connection."""

    def __init__(self, widget: QWidget, react: Callable[[], None], *, font: bool) -> None:
        super().__init__(widget)
        self._react = react
        self._due = False
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            (app.fontChanged if font else app.paletteChanged).connect(self._changed)

    def _changed(self, _value: object) -> None:
        if not self._due:
            self._due = True
            QTimer.singleShot(_AFTER_POSTED_MS, self, self._tell)

    def _tell(self) -> None:
        self._due = False
        self._react()


def on_palette_change(widget: QWidget, react: Callable[[], None]) -> None:
    """Call ``react`` whenever the application's palette has changed, once ``widget`` has the new one."""
    _Follower(widget, react, font=False)


def on_font_change(widget: QWidget, react: Callable[[], None]) -> None:
    """Call ``react`` whenever the application's font has changed, once ``widget`` has the new one."""
    _Follower(widget, react, font=True)
