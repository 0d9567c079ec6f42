"""Tasks an owner starts and does not await: kept referenced until they end (the event loop holds only weak
references to its tasks, so a forgotten one can vanish mid-way), a failure logged when it ends, and all of them
ended together when the owner closes. No Qt: the UI, the notification center and the core share it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    """The tasks one owner started that have not ended yet.

    A task that raises is logged on ``log`` with ``failure`` as the message (and the exception); one that is
    cancelled is not: cancelling is how its owner ends it.
    """

    def __init__(self, log: logging.Logger, failure: str) -> None:
        self._log = log
        self._failure = failure
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def pending(self) -> int:
        """How many tasks have not ended yet."""
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task on the running loop, kept until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._ended)
        return task

    def cancel_all(self) -> None:
        """Cancel every task not yet ended (each stops at its next await)."""
        for task in list(self._tasks):
            task.cancel()

    async def settle(self, timeout: float) -> None:
        """Give the tasks up to ``timeout`` seconds to end, then cancel those still running."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(list(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._log.error(self._failure, exc_info=task.exception())
