"""Settings of change sync and the outbox, as one frozen value with the defaults the issue asks for."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from klen_desktop.records import record


@record(slots=True)
class SyncConfig:
    """How far the window reaches, how often to poll, how hard to back off.

    Request cost of one poll of a window of one page: one list request plus at most ``max_details_per_poll``
    detail reads. A larger window costs the pages of its ``NOW`` range a poll, and its other ranges as they
    fall due (:mod:`klen_desktop.sync.ranges`).
    """

    days_back: int = 7
    days_ahead: int = 30
    # The emulator (and, we assume, the server) clamps larger pages to 100; the page's own ``limit`` is
    # what the poller trusts, so a smaller server cap only costs more pages.
    page_size: int = 100
    fast_interval: float = 60.0
    slow_interval: float = 300.0
    # An event starting this soon makes polling fast: a last-minute move must reach the reminder in time.
    soon: timedelta = timedelta(minutes=15)
    # A window of more than one page is read in ranges (see klen_desktop.sync.ranges): the days holding the
    # next ``now_span`` at every poll (their next hours, see ``fast_span``), the rest of the next ``near_span``
    # every ``near_refresh``, every other day in ranges of about ``range_events`` events every ``far_refresh``.
    now_span: timedelta = timedelta(hours=12)
    # Of those days, a poll reads only the events starting from ``soon`` ago to ``fast_span`` ahead, from the pages
    # that hold them, while the days themselves were read within ``near_refresh`` (a busy day is several pages).
    fast_span: timedelta = timedelta(hours=3)
    near_span: timedelta = timedelta(hours=48)
    near_refresh: timedelta = timedelta(minutes=10)
    far_refresh: timedelta = timedelta(minutes=30)
    range_events: int = 250
    # Events that left a range between two reads are looked up one by one (moved elsewhere, or gone), at most
    # this many a read; the rest keep their cached copy until the whole window is read.
    max_lookups: int = 10
    backoff_base: float = 15.0
    # A 429 while the key is shared is an expected slowdown (the budget gives way and polls wait for it), not an
    # error to show; only polls refused this long in a row are, with what to do about it.
    rate_limit_patience: timedelta = timedelta(minutes=5)
    backoff_cap: float = 900.0
    # While a 401/403 halts polling, the key is tried again this often (a suspended key may be restored).
    halted_recheck: float = 900.0
    # Details (reminder settings, notes) are read only for events starting within this horizon.
    reminder_horizon: timedelta = timedelta(hours=24)
    # While some day of the window was never read, details only for events starting this soon (see WindowSync).
    first_fill_detail_horizon: timedelta = timedelta(hours=2)
    detail_ttl: timedelta = timedelta(hours=6)
    max_details_per_poll: int = 5
    # Details read with spare requests leave this many of the minute's reads unused: a Sync now right after a
    # poll (a list page and the new event's details) must not wait a minute behind details nobody asked for.
    spare_kept: int = 2
    # The outbox's own retry backoff.
    outbox_backoff_base: float = 5.0
    outbox_backoff_cap: float = 600.0
    # Sent entries are kept this long: a poll tells the user's own changes by them, and an identical second
    # create must not adopt the event the first one made.
    outbox_keep_done: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.days_back < 0 or self.days_ahead < 0:
            raise ValueError("the sync window cannot reach a negative number of days")
        if self.page_size < 1 or self.max_details_per_poll < 0:
            raise ValueError("page_size must be positive and max_details_per_poll not negative")
        if self.halted_recheck <= 0:
            raise ValueError("halted_recheck must be positive")
        if not 0 < self.fast_interval <= self.slow_interval:
            raise ValueError("fast_interval must be positive and no longer than slow_interval")

    def window(self, now: datetime) -> tuple[date, date]:
        """The inclusive UTC date range to fetch at ``now``."""
        today = now.date()
        return today - timedelta(days=self.days_back), today + timedelta(days=self.days_ahead)

    def backoff(self, failures: int, base: float | None = None, cap: float | None = None) -> float:
        """Seconds to wait after ``failures`` consecutive failures (1 → base, doubling, capped)."""
        base = self.backoff_base if base is None else base
        cap = self.backoff_cap if cap is None else cap
        return float(min(cap, base * 2 ** max(0, min(failures - 1, 30))))

    def outbox_backoff(self, attempts: int) -> float:
        return self.backoff(attempts, self.outbox_backoff_base, self.outbox_backoff_cap)
