"""Noticing that the local time zone, the local day or the wall clock changed under a running app.

Python reads the local zone once: ``datetime.astimezone()`` keeps using it after the user (or the OS, on
arrival in another country) changes ``/etc/localtime`` or ``TZ``, until ``time.tzset()`` is called. Nothing
announces such a change to a process in a portable way, so :class:`TimeWatch` is checked whenever there
is a reason to (:mod:`klen_desktop.ui.time_checks`: at midnight, on hints from the OS, when the user looks,
and every 10 minutes at the latest; the agenda on its minute tick): each check re-reads the zone and compares
it, the local date, and the wall clock against the monotonic clock. A wall clock that moved much more or
less than the monotonic one was stepped (NTP, the user) or the machine slept (Linux's monotonic clock stops
during suspend).

Qt-free on purpose: Qt caches the zone separately (``QTimeZone.systemTimeZone``); the app formats every time
with Python's ``datetime``, so Python's cache is the one that matters.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime
from enum import Flag, auto

from klen_desktop.records import record

log = logging.getLogger(__name__)

# A wall clock within this many seconds of what the monotonic clock predicts is not a jump: checks run late
# when the loop is busy, and NTP slews small drifts.
JUMP_TOLERANCE = 90.0
_LOCALTIME = "/etc/localtime"


@record
class LocalZone:
    """What identifies the local zone: its configured name (``TZ`` or where ``/etc/localtime`` points, ``""``
    when neither is known) and the rules Python read from it."""

    key: str
    names: tuple[str, str]  # standard and daylight abbreviations, e.g. ("CET", "CEST")
    utc_offset: int  # seconds east of UTC in standard time
    dst_offset: int  # seconds east of UTC in daylight time
    has_dst: bool

    def describe(self) -> str:
        name = self.key.rsplit("zoneinfo/", 1)[-1] if self.key else "/".join(self.names)
        return f"{name} (UTC{self.utc_offset / 3600:+g})"


class TimeChange(Flag):
    """What moved since the last check; an empty value means nothing did."""

    NONE = 0
    ZONE = auto()  # the local zone: local times and day boundaries are different now
    DAY = auto()  # the local date: "today" moved (midnight passed, or a jump or zone change crossed it)
    JUMP = auto()  # the wall clock was stepped or the machine slept


def refresh_zone() -> None:
    """Make ``astimezone()`` see the zone the OS has now (no-op where Python has no ``tzset``, as on Windows,
    which reads the zone on every call)."""
    tzset = getattr(time, "tzset", None)
    if tzset is not None:
        tzset()


def zone_rules() -> tuple[tuple[str, str], int, int, int]:
    """The zone as Python currently applies it (no re-read): cheap enough to compare on every agenda update."""
    return (time.tzname[0], time.tzname[1]), time.timezone, time.altzone, time.daylight


def _zone_key() -> str:
    configured = os.environ.get("TZ")
    if configured:
        return configured
    try:
        return os.path.realpath(_LOCALTIME) if os.path.lexists(_LOCALTIME) else ""
    except OSError:
        return ""


def local_zone() -> LocalZone:
    """Re-read the OS zone (``tzset``) and describe it."""
    refresh_zone()
    names, std, dst, daylight = zone_rules()
    return LocalZone(key=_zone_key(), names=names, utc_offset=-std, dst_offset=-dst, has_dst=bool(daylight))


class TimeWatch:
    """Tells what changed between two :meth:`check` calls. ``now`` gives aware UTC time (the app's clock);
    ``monotonic`` seconds that never jump (``time.monotonic``; tests inject their own)."""

    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        jump_tolerance: float = JUMP_TOLERANCE,
    ) -> None:
        self._now = now
        self._monotonic = monotonic
        self._tolerance = jump_tolerance
        self.zone = local_zone()
        self._wall = now()
        self._mono = monotonic()
        self.day: date = self._wall.astimezone().date()

    def check(self) -> TimeChange:
        zone = local_zone()
        wall, mono = self._now(), self._monotonic()
        change = TimeChange.NONE
        if zone != self.zone:
            log.info("the local time zone changed from %s to %s", self.zone.describe(), zone.describe())
            change |= TimeChange.ZONE
        drift = (wall - self._wall).total_seconds() - (mono - self._mono)
        if abs(drift) > self._tolerance:
            log.info("the wall clock moved %+.0f s against the monotonic clock (a step or a sleep)", drift)
            change |= TimeChange.JUMP
        day = wall.astimezone().date()
        if day != self.day:
            change |= TimeChange.DAY
        self.zone, self._wall, self._mono, self.day = zone, wall, mono, day
        return change
