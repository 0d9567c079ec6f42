"""Waiting in tests for something to become true, on the running event loop, with a deadline that says what.

The one way tests wait for a condition. (Tests that drive an installed app from outside, without an event loop,
poll with :func:`desktop_probe.wait_until` instead.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any


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


class Caught:
    """What :func:`signal_caught` saw: the arguments of the signal's first emission (empty until then)."""

    def __init__(self) -> None:
        self.fired = False
        self.args: list[object] = []

    def take(self, *args: object) -> None:
        if not self.fired:
            self.fired, self.args = True, list(args)


@contextlib.asynccontextmanager
async def signal_caught(signal: Any, what: str, timeout: float = 5.0) -> AsyncIterator[Caught]:
    """``async with signal_caught(sig, "what") as seen: act()``: after the block, wait (on the running loop) until
    ``sig`` was emitted, then ``seen.args`` holds its arguments.

    The async form of ``qtbot.waitSignal``, which spins a nested Qt event loop: inside a test coroutine that loop
    would step the app's other tasks from within this one ("Cannot enter into task"), losing their wake-ups, and
    the tasks so broken hang the run at shutdown.
    """
    caught = Caught()
    signal.connect(caught.take)
    try:
        yield caught
        await until(lambda: caught.fired, what, timeout)
    finally:
        signal.disconnect(caught.take)


async def exposed(widget: Any, timeout: float = 5.0) -> None:
    """Until ``widget``'s window is shown on screen: the async form of ``qtbot.waitExposed`` (see signal_caught)."""

    def shown() -> bool:
        handle = widget.windowHandle()
        return handle is not None and bool(handle.isExposed())

    await until(shown, f"{type(widget).__name__} shown on screen", timeout)
