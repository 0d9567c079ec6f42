"""Open every window of the app at once, with real widgets, for a screen reader to walk over AT-SPI.

Run in its own process (``python a11y_probe.py``) with the accessibility bus up and
``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1``: Qt then publishes each window's accessible tree on that bus, and
:mod:`test_accessible_names` walks it from outside, as Orca would. Each window's title is made unique (its probe
name) so the walker knows which window it is in. Prints ``ready`` once every window is shown, and quits when its
standard input closes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget
from scale_probe import NOON, WINDOW_NAMES, event
from scale_probe import windows as scale_windows

from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.toolbar import AgendaView
from klen_desktop.ui.editor import EventEditor

# Every window a user meets, by the probe's names (scale_probe's, and the agenda once more in its Week view).
WINDOWS = (WINDOW_NAMES[0], "agenda-week", *WINDOW_NAMES[1:])


def windows() -> Iterator[tuple[str, QWidget]]:
    for name, window in scale_windows():
        if name in WINDOWS:
            yield name, window
        if name == "agenda":
            events = [event(i, NOON + timedelta(hours=3 * i), f"Client meeting {i}") for i in range(12)]
            week = AgendaWindow()
            week.set_events(events, NOON)
            week.set_view(AgendaView.WEEK)
            week.show_event(events[1].id)
            yield "agenda-week", week


def main() -> None:
    app = QApplication(sys.argv[:1])
    shown = []
    for name, window in windows():
        if isinstance(window, EventEditor):
            window.confirm_discard = lambda: True
        window.setWindowTitle(f"probe:{name}")
        window.show()
        shown.append(window)
    for _ in range(10):
        app.processEvents()
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(lambda *_: sys.stdin.read() == "" and app.quit())
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
