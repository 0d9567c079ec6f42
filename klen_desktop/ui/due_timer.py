"""A Qt timer armed for a wall-clock instant: the UI sleeps until the next thing it shows changes.

An idle tray app should not wake the machine on a fixed period to find that nothing changed. Each owner works
out when its next change is due (the next minute of a countdown, an event's start or end, the next local
midnight) and arms one single-shot timer for that instant.

Qt measures timers on the monotonic clock, which does not move while the machine sleeps and ignores a stepped
wall clock, so the instant is converted to a delay when armed and the delay is capped (:data:`LONGEST_WAIT`):
after a suspend or a clock step a timer fires at most that late, and the owner re-arms it from the new time.
The time checks (:mod:`klen_desktop.ui.time_checks`) notice such moves sooner and every owner re-arms then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer

# The longest single sleep: bounds how late a timer may fire after a suspend or a clock step nobody reported.
LONGEST_WAIT = timedelta(minutes=10)
# Fire just after the instant, not on it: a text computed at the very instant may still read the old way.
_MARGIN_MS = 20


class DueTimer(QObject):
    """Calls ``due`` once at the instant given to :meth:`arm` (or after :data:`LONGEST_WAIT`, if sooner)."""

    def __init__(self, due: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        # A coarse timer may fire 5% early; one that fires before the minute turns would wake twice for it.
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(due)
        self.due_at: datetime | None = None

    def arm(self, at: datetime, now: datetime) -> None:
        """Fire at ``at`` (aware), seen from ``now``; replaces any earlier arming."""
        wait = min(max(at - now, timedelta(0)), LONGEST_WAIT)
        self.due_at = now + wait
        self.timer.start(int(wait.total_seconds() * 1000) + _MARGIN_MS)

    def stop(self) -> None:
        self.due_at = None
        self.timer.stop()

    def active(self) -> bool:
        return self.timer.isActive()
