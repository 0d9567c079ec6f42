"""Waiting in tests for something to become true, on the running event loop, with a deadline that says what.

The one way tests wait for a condition. (Tests that drive an installed app from outside, without an event loop,
poll with :func:`desktop_probe.wait_until` instead.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(
    predicate: Callable[[], object],
    what: str,
    timeout: float = 10.0,
    interval: float = 0.02,
    *,
    explain: Callable[[], str] | None = None,
) -> None:
    """Return as soon as ``predicate()`` is true; fail with ``what`` after ``timeout`` seconds.

    ``explain()``, when given, is added to the failure: the state that tells why it never came true.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            detail = "" if explain is None else f"; {explain()}"
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}{detail}")
        await asyncio.sleep(interval)
