"""A click of the user's that meets the key's per-minute limit waits it out, within the click's patience.

The key may be shared with other people and scripts, so the request a click sends can find the key's minute full
although the app's own interactive budget has room. The server's ``Retry-After`` then says when a request will be
let in (usually seconds), so the click waits that long and goes again, each attempt behind the interactive budget
(``turn``), rather than failing at once; it fails only when the wait would end past ``patience`` seconds from
the click, or after ``MAX_ATTEMPTS``. The daily create limit is never waited out here (it resets at midnight).
Waiting goes through the core's clock, so tests and time-scaled benchmarks drive it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from klen_desktop.api.errors import RateLimited
from klen_desktop.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

CLICK_PATIENCE = 60.0
"""Seconds a click may wait for the key's limit in all, before it fails with the server's reason: one period of the
per-minute limit, so any Retry-After of it is waited out (the user is told of the wait meanwhile)."""
MAX_ATTEMPTS = 4
# A 429 without a Retry-After (or one of 0) is still waited a little: going again at once only earns another.
_LEAST_WAIT = 1.0


async def patiently(
    clock: Clock,
    turn: Callable[[], Awaitable[None]],
    call: Callable[[], Awaitable[T]],
    *,
    patience: float = CLICK_PATIENCE,
    waiting: Callable[[float], None] | None = None,
) -> T:
    """``call()`` after ``turn()``; on a 429 of the per-minute limit, again after its ``Retry-After`` while the
    wait ends within ``patience`` seconds of the first try. ``waiting(seconds)`` hears each such wait."""
    deadline = clock.now() + timedelta(seconds=patience)
    attempt = 0
    while True:
        attempt += 1
        await turn()
        try:
            return await call()
        except RateLimited as exc:
            wait = max(_LEAST_WAIT, exc.retry_after if exc.retry_after is not None else _LEAST_WAIT)
            if exc.daily_limit or attempt >= MAX_ATTEMPTS or clock.now() + timedelta(seconds=wait) > deadline:
                raise
            log.info("the key's request limit was reached: the click goes again in %.0f s", wait)
            if waiting is not None:
                waiting(wait)
            await clock.sleep(wait)
