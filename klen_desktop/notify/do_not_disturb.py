"""Do not disturb: whether notifications are held back, and until when. No Qt.

One instance per app, shared by what sets it (the tray's menu, through the controller) and what obeys it (the
notification policy), so the menu, the tooltip and the notifications can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta


class DoNotDisturb:
    """On or off; when on, until a time or (``until`` None) until turned off. Listeners hear every change."""

    def __init__(self) -> None:
        self._on = False
        self._until: datetime | None = None
        self._listeners: list[Callable[[DoNotDisturb], None]] = []

    @property
    def on(self) -> bool:
        return self._on

    @property
    def until(self) -> datetime | None:
        """When it ends by itself (None: it is off, or on until turned off)."""
        return self._until if self._on else None

    def active(self, now: datetime) -> bool:
        return self._on and (self._until is None or now < self._until)

    def expired(self, now: datetime) -> bool:
        """On with an end time that has passed: it still needs turning off (and its summary told)."""
        return self._on and self._until is not None and now >= self._until

    def hold_until(self, until: datetime | None) -> None:
        """Hold notifications until ``until`` (None: until :meth:`stop`)."""
        self._set(True, until)

    def hold_for(self, now: datetime, minutes: int) -> None:
        self.hold_until(now + timedelta(minutes=minutes))

    def hold_until_tomorrow(self, now: datetime) -> None:
        """Until the next local midnight."""
        local_now = now.astimezone()
        self.hold_until((local_now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0))

    def stop(self) -> None:
        self._set(False, None)

    def subscribe(self, listener: Callable[[DoNotDisturb], None]) -> None:
        self._listeners.append(listener)

    def _set(self, on: bool, until: datetime | None) -> None:
        if (on, until) == (self._on, self._until):
            return
        self._on, self._until = on, until
        for listener in list(self._listeners):
            listener(self)
