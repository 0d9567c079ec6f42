"""How many requests a period the background may send when the key is shared: additive increase, multiplicative
decrease (AIMD), the rule TCP uses to share one link fairly among senders that cannot talk to each other.

Several people or integrations may use one key, and the server counts all of them against one per-minute limit.
No client can see the others, but every one of them sees a 429 when the sum is too high. On a 429 the limit
drops to ``factor`` of what it was (never below ``floor``); after each full ``period`` without one it grows by
``step`` again, up to the configured ``ceiling``. Clients that all follow the rule converge on fair shares of
the key and leave head-room, where fixed limits that add up to more than the key allows keep colliding.

Rules of the episode:

* One decrease per congestion episode: the server counts the last ``period`` of requests, so for a whole
  period after a decrease it still counts what was sent before it, and the 429s of that span (requests in
  flight, a click, the next poll once the short Retry-After has passed) say nothing about the lowered rate.
  Halving once per reply would punish one overload several times: the benchmark of five copies on one key
  saw limits fall to the floor and polls take minutes. A 429 within a period of the last decrease, or before
  its pause ended, only moves the start of the clean time later.
* Clean time starts when the pause ends (``resume_at``), not at the 429: waiting out Retry-After is not a period
  of clean operation.

Pure: no clock of its own and no I/O; every answer depends on the ``now`` it is given, so a table of instants
tests it. A clock set back before the last decrease moves the episode back with it (what was left of the pause
and of the clean period is kept); a clock set forward reads as time that passed cleanly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from klen_desktop.records import record


@record(slots=True)
class AimdRule:
    """The numbers of the rule: limits in requests per ``period`` seconds."""

    ceiling: int
    floor: int = 1
    step: int = 1
    factor: float = 0.5
    period: float = 60.0

    def __post_init__(self) -> None:
        if not 1 <= self.floor <= self.ceiling or self.step < 1:
            raise ValueError("an adaptive limit needs 1 <= floor <= ceiling and a positive step")
        if not 0 < self.factor < 1 or self.period <= 0:
            raise ValueError("the decrease factor must lie between 0 and 1, the period be positive")

    def decreased(self, limit: int) -> int:
        return max(self.floor, int(limit * self.factor))


class AdaptiveLimit:
    """The current limit under an :class:`AimdRule`, starting at the ceiling."""

    def __init__(self, rule: AimdRule) -> None:
        self.rule = rule
        self._base = rule.ceiling
        self._clean_from: datetime | None = None  # None: at the ceiling, nothing to recover
        self._decreased_at: datetime | None = None

    def limit(self, now: datetime) -> int:
        """Requests allowed per period at ``now``."""
        self._follow_clock_back(now)
        if self._clean_from is None:
            return self._base
        clean = (now - self._clean_from).total_seconds()
        if clean < 0:
            return self._base
        grown = self._base + self.rule.step * int(clean // self.rule.period)
        if grown >= self.rule.ceiling:
            self._base, self._clean_from = self.rule.ceiling, None
            return self.rule.ceiling
        return grown

    def next_increase(self, now: datetime) -> datetime | None:
        """When the limit next grows (None at the ceiling)."""
        if self.limit(now) >= self.rule.ceiling or self._clean_from is None:
            return None
        if now < self._clean_from:
            return self._clean_from + timedelta(seconds=self.rule.period)
        periods = int((now - self._clean_from).total_seconds() // self.rule.period) + 1
        return self._clean_from + timedelta(seconds=self.rule.period * periods)

    def limited(self, now: datetime, resume_at: datetime) -> bool:
        """A 429 at ``now`` with the pause ending at ``resume_at``; True when it lowered the limit."""
        self._follow_clock_back(now)
        if self._clean_from is not None and self._decreased_at is not None:
            episode_ends = max(self._clean_from, self._decreased_at + timedelta(seconds=self.rule.period))
            if now < episode_ends:
                self._clean_from = max(self._clean_from, resume_at)
                return False
        self._base = self.rule.decreased(self.limit(now))
        self._clean_from = max(now, resume_at)
        self._decreased_at = now
        return True

    def _follow_clock_back(self, now: datetime) -> None:
        if self._decreased_at is None or self._clean_from is None or now >= self._decreased_at:
            return
        shift = self._decreased_at - now
        self._decreased_at -= shift
        self._clean_from -= shift
