"""Checks, on a Qt timer, whether the local zone, the local day or the wall clock moved.

Nothing announces a change of zone to a running process, and a wake from sleep is only seen as a jump of the
wall clock, so the check runs every :data:`TIME_CHECK_MS` and whenever something has a reason to think time
moved (the agenda opening after a flight). What to do about a change is the listener's business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from klen_desktop.timezone_watch import TimeChange, TimeWatch

log = logging.getLogger(__name__)

TIME_CHECK_MS = 30_000


class TimeChecks(QObject):
    """``changed(TimeChange)`` once per change found."""

    changed = Signal(object)

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watch = TimeWatch(now)
        self.timer = QTimer(self)
        self.timer.setInterval(TIME_CHECK_MS)
        self.timer.timeout.connect(self.check)

    def check(self) -> TimeChange:
        change = self._watch.check()
        if change:
            log.info("time changed (%s): refreshing local times", change)
            self.changed.emit(change)
        return change
