"""The observable state of change sync, as the UI shows it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from klen_desktop.records import record


class SyncPhase(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    RATE_LIMITED = "rate_limited"
    # A 5xx or an unreadable answer: the server is up but failing; retried with backoff like offline.
    SERVER_ERROR = "server_error"
    # 401 / 403: polling stops until the user fixes the key or its permissions and calls ``resume()``.
    AUTH_ERROR = "auth_error"
    PERMISSION_ERROR = "permission_error"


HALTED_PHASES = frozenset({SyncPhase.AUTH_ERROR, SyncPhase.PERMISSION_ERROR})


@record(slots=True)
class SyncStatus:
    """One snapshot of the poller's state. ``last_error`` is the message to show (``None`` when healthy).

    ``last_poll_requests`` is how many API requests the last completed poll cost: its list pages when the window
    is announced, list pages plus detail reads once those are done. ``skipped_events`` counts the events the
    last poll's listing held that the app could not read (left out, their cached copy kept) and ``warning``
    says so in words; both are cleared by a poll that read everything.
    """

    phase: SyncPhase = SyncPhase.IDLE
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    next_poll: datetime | None = None
    fast: bool = False
    last_poll_requests: int = 0
    skipped_events: int = 0
    warning: str | None = None

    @property
    def halted(self) -> bool:
        return self.phase in HALTED_PHASES
