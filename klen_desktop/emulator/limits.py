"""Per-key request and creation limits (decisions 6.22 and 6.23).

* ``requests_per_minute_limit``: a sliding window of :data:`decisions.RPM_WINDOW_SECONDS`. Every request
  made with a known, unrevoked key counts when it is admitted; a refused request does not count, so a
  client that waits ``Retry-After`` seconds is let in again.
* ``calendar_events_per_day_limit``: successful creates per key per UTC day. ``Retry-After`` runs to the
  next UTC midnight.

Both use the server clock, so a test can move time instead of sleeping. Counters live in memory: a restart
or an admin reset clears them.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from klen_desktop.emulator import decisions
from klen_desktop.emulator.errors import rate_limited


class Limits:
    """Thread-safe counters of both limits, for all keys."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, deque[datetime]] = {}
        self._creates: dict[tuple[str, date], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._creates.clear()

    def admit_request(self, key: str, rpm: int) -> None:
        """Count one request for ``key``, or raise 429 when the per-minute limit is reached."""
        now = self._clock()
        window = timedelta(seconds=decisions.RPM_WINDOW_SECONDS)
        with self._lock:
            times = self._requests.setdefault(key, deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= rpm:
                wait = math.ceil((times[0] + window - now).total_seconds()) if times else decisions.RPM_WINDOW_SECONDS
                raise rate_limited(
                    f"Per-minute request limit of {rpm} requests reached; retry in {max(1, wait)} seconds",
                    wait,
                )
            times.append(now)

    def check_create(self, key: str, daily_limit: int) -> None:
        """Raise 429 when ``key`` has already created ``daily_limit`` events today (UTC)."""
        now = self._clock()
        with self._lock:
            used = self._creates.get((key, now.date()), 0)
        if used >= daily_limit:
            midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)
            raise rate_limited(
                f"Daily calendar event creation limit of {daily_limit} reached; resets at 00:00 UTC",
                math.ceil((midnight - now).total_seconds()),
            )

    def record_create(self, key: str) -> None:
        """Count one successful create for ``key`` today."""
        today = self._clock().date()
        with self._lock:
            self._creates[(key, today)] = self._creates.get((key, today), 0) + 1

    def creates_today(self, key: str) -> int:
        today = self._clock().date()
        with self._lock:
            return self._creates.get((key, today), 0)
