"""After the user's own write reaches the server, the event's details are read again, so what the details alone
carry (when the server last updated the event, and what it set by itself) shows the server's new values.

The answer to a write carries only the title, times and status; the cache writes the rest from the copy the edit
was made on, so without a fresh read the detail pane would keep saying "Updated" at the old time for as long as
the event stays as it is. Only events whose details are cached are read again (one request each): the others
are read when they are opened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from klen_desktop.api.errors import KlenError
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.core import CoreServices
from klen_desktop.store.outbox import OutboxState

log = logging.getLogger(__name__)


class FreshDetails:
    """Watches the writes the session queued (:meth:`watch`) and, after each outbox drain (:meth:`drained`),
    reads again the details of those that reached the server; then tells :meth:`on_refreshed` listeners."""

    def __init__(self, core: CoreServices, tasks: BackgroundTasks) -> None:
        self._core = core
        self._tasks = tasks
        self._watched: set[int] = set()
        self._listeners: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()

    def watch(self, seq: int) -> None:
        self._watched.add(seq)

    def on_refreshed(self, listener: Callable[[], None]) -> None:
        """``listener()`` after details were read again into the cache."""
        self._listeners.append(listener)

    def drained(self) -> None:
        if self._watched:
            self._tasks.spawn(self._refresh())

    async def _refresh(self) -> None:
        # One pass at a time: a drain during a pass leaves its writes to the next, never read twice.
        async with self._lock:
            refreshed = False
            for seq in sorted(self._watched):
                event_id = await self._sent_event(seq)
                if event_id is not None and not self._core.stopped:
                    refreshed = await self._read_again(event_id) or refreshed
            if refreshed:
                for listener in list(self._listeners):
                    listener()

    async def _sent_event(self, seq: int) -> int | None:
        """The server id of the event write ``seq`` changed once it is on the server; None while it is still
        queued or refused (it stays watched: a resend goes under the same seq) or when it was dropped."""
        entry = await self._core.outbox_entry(seq)
        if entry is not None and entry.state is not OutboxState.DONE:
            return None
        self._watched.discard(seq)
        if entry is None or entry.event_id is None or entry.event_id < 0:
            return None
        return entry.event_id

    async def _read_again(self, event_id: int) -> bool:
        stored = await self._core.event(event_id)
        if stored is None or stored.detail is None:
            return False
        try:
            await self._core.fetch_detail(event_id, quiet=True)
        except KlenError as exc:  # the details are read again when the event is next opened
            log.info("could not read event %s again after a write: %s", event_id, exc.title)
            return False
        return True
