"""Cancel reasons: the API appends a cancel's reason to the customer notes, which only details carry.

A list poll shows that an event was cancelled but not why; :func:`details_reason_lookup` builds the lookup
the notification center uses for the few cancels it is about to announce: it reads the event's details
(through whatever the app passes, normally the client behind the request budget), bounded by a timeout,
and compares the notes with the cached details' notes. Any failure only costs the reason, never the notice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from klen_desktop.api.models import EventDetail
from klen_desktop.notify.messages import notes_reason
from klen_desktop.sync.diff import Change

log = logging.getLogger(__name__)

ReasonLookup = Callable[[Change], Awaitable[str | None]]
FetchDetail = Callable[[int], Awaitable[EventDetail | None]]
CachedDetail = Callable[[int], Awaitable[EventDetail | None]]


def details_reason_lookup(
    fetch: FetchDetail, cached: CachedDetail | None = None, *, timeout: float = 5.0
) -> ReasonLookup:
    """A :data:`ReasonLookup` reading the server's details with ``fetch`` and the cached ones with ``cached``.

    The cached details must be read before they are refreshed (the poller does not refresh cancelled events).
    """

    async def lookup(change: Change) -> str | None:
        try:
            old = await cached(change.event_id) if cached is not None else None
            new = await asyncio.wait_for(fetch(change.event_id), timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("no cancel reason for event %d: its details could not be read (%s)", change.event_id, exc)
            return None
        if new is None:
            return None
        old_notes = old.customer.notes if old is not None and old.customer is not None else None
        new_notes = new.customer.notes if new.customer is not None else None
        return notes_reason(old_notes, new_notes)

    return lookup
