"""The request budget: keeps background traffic well under the key's per-minute rate limit.

A Klen key allows 60 requests a minute by default and the user's other tools (agents, scripts) share it, so
sync and the outbox together send at most ``limit`` requests (default 10, a sixth) in ANY 60-second span.
A sliding window of send times gives exactly that guarantee while still letting a burst of ``limit`` requests
go at once (a poke after a local write is served immediately); a token bucket would allow twice the limit in
some minute. Every request this layer sends first awaits :meth:`RequestBudget.acquire`; waiting goes through
the injected clock, so tests drive it with a fake clock. A 429 pauses the whole budget until the server's
``Retry-After`` has passed (:meth:`pause`), so the poller and the outbox stop together. A pause never lasts
more than ``MAX_WAIT`` (an hour), whatever the server said, and the user's "Sync now" may cut it short
(:meth:`lift_pause`): once the pause has been honoured for ``USER_LIFT_AFTER`` seconds (the per-minute limit has
surely reset by then), one request goes out at once; a server still limiting answers 429 and the pause begins
again. So a server that once answered ``Retry-After: 1000000000`` costs at most a minute after "Sync now".

A 429 also lowers the limit itself, and clean periods raise it again (:mod:`klen_desktop.sync.adaptive_limit`:
halved on a 429, floor one request a period, one more after each clean period up to the configured limit). The
key's limit is shared with other people and integrations the app cannot see; a 429 is the only sign that the
sum is too high, and each client giving way by the same rule is what leaves every one of them a fair share. The
decrease happens inside :meth:`pause`, which every 429 of the per-minute limit already reaches (the daily
create limit parks the write and never pauses the budget), so no caller has to know about it.

The core keeps a second, equal budget for what the user clicked (details, free slots, an ICS file). A 429 lowers
and pauses only the background budget: the user's next click goes at once and is the first request the app sends
once the key has room, and sync, now sending less, leaves that room. The interactive budget is never lowered: the
user's clicks are few and someone is waiting for each. A click that meets a 429 pauses and lowers the background
budget too, and so does a 429 the client retried itself (``CoreServices._key_busy``); the click itself waits out the
server's Retry-After and goes again (:mod:`klen_desktop.sync.patience`). Re-reads before reminders have a third,
small budget (``REMINDER_LIMIT``), so a burst of reminders never takes the clicks' budget.

The user's own writes go ahead of background reads (:meth:`RequestBudget.acquire` with ``write=True``): reads may
spend only ``limit - reserve`` requests in any period (the core's background budget keeps ``WRITE_RESERVE``), so
a cancel or an edit finds a request free at once even while a large poll waits for its next page or details, and
never queues behind them. The sum stays within ``limit``: writes may use the whole of it, reads never the reserve.

Retries made inside :class:`KlenClient` are not seen here; the sync layer builds its client with a small
retry policy so that stays a small, bounded excess. Not thread-safe: it lives on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timedelta

from klen_desktop.api.constants import MAX_WAIT
from klen_desktop.clock import Clock
from klen_desktop.sync.adaptive_limit import AdaptiveLimit, AimdRule
from klen_desktop.sync.waiting import sleep_or_wake

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
DEFAULT_PERIOD = 60.0
USER_LIFT_AFTER = 60.0
# Requests of every period that background reads leave to the user's writes: an edit costs two (read, then write).
WRITE_RESERVE = 2
# Re-reads of an event just before its reminder fires have a small budget of their own: a day of back-to-back
# reminders must not take the user's clicks' budget, and one that finds it spent fires from the cache.
REMINDER_LIMIT = 5
# Waits are re-planned at least this often, so a clock set back or forward cannot stretch one.
_WAIT_SLICE = 60.0


class RequestBudget:
    """At most ``limit`` acquisitions in any ``period`` seconds (less after a 429), and none while paused by one."""

    def __init__(
        self, clock: Clock, *, limit: int = DEFAULT_LIMIT, period: float = DEFAULT_PERIOD, reserve: int = 0
    ) -> None:
        if limit < 1 or period <= 0 or reserve < 0:
            raise ValueError("a request budget needs a limit of at least one request over a positive period")
        self._clock = clock
        self._reserve = reserve
        self._adaptive = AdaptiveLimit(AimdRule(ceiling=limit, period=period))
        self._period = timedelta(seconds=period)
        self._sent: deque[datetime] = deque()
        self._paused_until: datetime | None = None
        self._paused_since: datetime | None = None
        # One queue per kind (write or not), each with its own wake-up: a write waits only for other writes,
        # never behind a poll's waiting reads.
        self._locks = {True: asyncio.Lock(), False: asyncio.Lock()}
        self._changed = {True: asyncio.Event(), False: asyncio.Event()}
        self.spent = 0

    @property
    def limit(self) -> int:
        """Requests allowed per period now: the configured limit, or less while recovering from a 429."""
        return self._adaptive.limit(self._clock.now())

    @property
    def configured_limit(self) -> int:
        return self._adaptive.rule.ceiling

    @property
    def period(self) -> float:
        return self._period.total_seconds()

    @property
    def paused_until(self) -> datetime | None:
        """When a 429 pause ends (``None`` when not paused)."""
        if self._paused_until is not None and self._paused_until <= self._clock.now():
            return None
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429's ``Retry-After``), at most ``MAX_WAIT``. Pauses only ever extend.

        The first 429 of an episode also halves the limit (see the module docstring).

        A value that is not a finite number (a bug upstream) pauses for ``MAX_WAIT``: too long beats a timer that
        overflows and stops sync for the session.
        """
        wait = seconds if seconds == seconds else MAX_WAIT  # NaN compares unequal to itself
        now = self._clock.now()
        until = now + timedelta(seconds=min(max(0.0, wait), MAX_WAIT))
        if self._paused_until is None or self._paused_until <= now:
            self._paused_since = now
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until
        if self._adaptive.limited(now, self._paused_until):
            log.info("the key's request limit was reached: background requests lowered to %d a period", self.limit)

    def lift_pause(self) -> None:
        """The user asked to sync now: end the pause as soon as it has lasted ``USER_LIFT_AFTER`` seconds.

        Waiters re-plan at once. A pause shorter than that is left as it is.
        """
        self._replan()
        now = self._clock.now()
        if self._paused_until is None or self._paused_until <= now:
            return
        since = self._paused_since or now
        earliest = since + timedelta(seconds=USER_LIFT_AFTER)
        self._paused_until = min(self._paused_until, max(now, earliest))

    def replan(self) -> None:
        """Waiters work their wait out again now: the wall clock may have jumped (a wake from suspend, a clock
        set forward), and a wait planned before it could otherwise run a whole slice longer than needed."""
        self._replan()

    def _replan(self) -> None:
        for changed in self._changed.values():
            changed.set()

    def _share(self, limit: int, write: bool) -> int:
        """Requests per period open to writes (all) or to background reads (all but the reserve, at least one)."""
        return limit if write else max(1, limit - self._reserve)

    def available(self, *, write: bool = False) -> int:
        """Requests of the kind that could be sent right now without waiting."""
        if self.wait_time(write=write) > 0:
            return 0
        return max(0, self._share(self.limit, write) - len(self._sent))

    def wait_time(self, *, write: bool = False) -> float:
        """Seconds until one request of the kind may be sent (0 when one may be sent now)."""
        now = self._clock.now()
        self._forget(now)
        wait = 0.0
        if self._paused_until is not None and self._paused_until > now:
            wait = (self._paused_until - now).total_seconds()
        limit = self._share(self._adaptive.limit(now), write)
        if len(self._sent) >= limit:
            # The oldest sends beyond the limit must leave the window, unless the limit grows before they do.
            frees = self._sent[len(self._sent) - limit] + self._period
            grows = self._adaptive.next_increase(now)
            wait = max(wait, ((frees if grows is None else min(frees, grows)) - now).total_seconds())
        return min(wait, MAX_WAIT)

    async def acquire(self, *, write: bool = False) -> None:
        """Wait until a request may be sent, then count it. ``write``: the user's own write (it goes ahead of
        background reads, see the module docstring). Callers of one kind are served first come, first served."""
        async with self._locks[write]:
            while True:
                wait = self.wait_time(write=write)
                if wait <= 0:
                    break
                await sleep_or_wake(self._clock, min(wait, _WAIT_SLICE), self._changed[write])
            self._sent.append(self._clock.now())
            self.spent += 1
        if write:
            self._changed[False].set()  # a waiting read re-plans: the write took a request it may have counted on

    def refund(self) -> None:
        """Give back the latest acquisition: its request never left (the caller stopped before sending)."""
        if self._sent:
            self._sent.pop()
            self.spent -= 1
        self._replan()

    def _forget(self, now: datetime) -> None:
        # A clock set backwards leaves send times "in the future"; count them as sent now, not later. A pause
        # that now ends further ahead than it ever could is shortened the same way.
        if self._sent and self._sent[-1] > now:
            self._sent = deque(min(sent, now) for sent in self._sent)
        ceiling = now + timedelta(seconds=MAX_WAIT)
        if self._paused_until is not None and self._paused_until > ceiling:
            self._paused_until = ceiling
        while self._sent and self._sent[0] + self._period <= now:
            self._sent.popleft()
