"""Waiting that a poke can cut short: the one wait primitive of the poller and the outbox sender."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from klen_desktop.api.constants import MAX_WAIT
from klen_desktop.clock import Clock


async def sleep_or_wake(clock: Clock, seconds: float | None, wake: asyncio.Event) -> bool:
    """Wait ``seconds`` on ``clock`` (forever when ``None``) or until ``wake`` is set; True when woken.

    The event is cleared on return, so a poke made during the wait is consumed by it and one made after it is
    seen by the next wait. A timed wait lasts at most ``MAX_WAIT`` (the caller re-plans after it): a wait worked
    out from a server's numbers or a stored time must never reach a timer that overflows.
    """
    if wake.is_set():
        wake.clear()
        return True
    waiter = asyncio.ensure_future(wake.wait())
    tasks: set[asyncio.Future[Any]] = {waiter}
    if seconds is not None:
        bounded = min(max(0.0, seconds), MAX_WAIT) if seconds == seconds else MAX_WAIT  # NaN: never equal to itself
        tasks.add(asyncio.ensure_future(clock.sleep(bounded)))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    woken = wake.is_set()
    wake.clear()
    return woken
