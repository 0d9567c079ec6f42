"""Checks whether the local zone, the local day or the wall clock moved: at the next local midnight, when the
OS gives a hint, and otherwise rarely.

Nothing announces a change of zone or a wake from sleep to a running process in a portable way, so the check
runs when there is a reason to think time moved: at the next local midnight (the day turns), when the zone
setting under ``/etc`` changes (Linux: a file-system watch, no polling), when the application's state or its
screens change (an unlock, a wake, a monitor coming back), whenever the user looks (the agenda or the tray
menu opening) and, as the fallback for what no hint covers (a ``TZ`` change, a suspend on another OS), at most
:data:`~klen_desktop.ui.due_timer.LONGEST_WAIT` after the last check. What to do about a change is the
listener's business.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal
from PySide6.QtGui import QGuiApplication

from klen_desktop.timezone_watch import TimeChange, TimeWatch
from klen_desktop.ui.due_timer import DueTimer

log = logging.getLogger(__name__)

# Where the zone is set on Linux: tools replace the /etc/localtime link (a rename in /etc), so the folder is
# watched, not the link, which would follow it to a zone file that never changes.
_ZONE_FOLDER = "/etc"


def next_local_midnight(now: datetime) -> datetime:
    """The next 00:00 in the local zone as Python sees it now (DST-aware), as an aware datetime."""
    tomorrow = now.astimezone().date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day).astimezone()


class TimeChecks(QObject):
    """``changed(TimeChange)`` once per change found. :meth:`start` arms the checks, :meth:`stop` ends them."""

    changed = Signal(object)

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._watch = TimeWatch(now)
        self._due = DueTimer(self._timed_check, self)
        self._zone_watch: QFileSystemWatcher | None = None
        self._hints_hooked = False

    @property
    def due_at(self) -> datetime | None:
        """When the next timed check runs (None while stopped)."""
        return self._due.due_at

    def active(self) -> bool:
        return self._due.active()

    def start(self) -> None:
        self._hook_hints()
        self._arm()

    def stop(self) -> None:
        self._due.stop()

    def check(self) -> TimeChange:
        change = self._watch.check()
        if change:
            log.info("time changed (%s): refreshing local times", change)
            self.changed.emit(change)
        if self._due.active():
            self._arm()  # from the time as it is now: a jump or a new zone moves the next midnight
        return change

    def _timed_check(self) -> None:
        self._due.due_at = None
        self.check()
        self._arm()

    def _arm(self) -> None:
        now = self._now()
        self._due.arm(next_local_midnight(now), now)

    def _hook_hints(self) -> None:
        if self._hints_hooked:
            return
        self._hints_hooked = True
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._hinted)
            app.screenAdded.connect(self._hinted)
            app.screenRemoved.connect(self._hinted)
        if sys.platform.startswith("linux") and os.path.isdir(_ZONE_FOLDER):
            self._zone_watch = QFileSystemWatcher([_ZONE_FOLDER], self)
            self._zone_watch.directoryChanged.connect(self._hinted)

    def _hinted(self, *_args: object) -> None:
        if self._due.active():
            self.check()
