"""One editor's saves: queue the draft, hear from the server, and send the same entry again after a refusal.

A refused save leaves its outbox entry parked with the server's words; the user corrects the draft and saves
again, and that must resend the parked entry with the new content, not queue a second change beside it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from klen_desktop.drafts import EventDraft
from klen_desktop.session.outcomes import SaveOutcome, SaveState
from klen_desktop.store.events import StoredEvent

# Queue a draft (the edit of the given event, or a create) and return its outbox seq; ``resend_seq`` names
# the refused entry the draft corrects. Raises WriteRefused for what cannot be queued at all.
QueueDraft = Callable[[EventDraft, StoredEvent | None, int | None], Awaitable[int]]
WaitForSend = Callable[[int], Awaitable[SaveOutcome]]


class DraftSave:
    """The save flow of one open editor; ``base`` is the event as it was when the editor opened (None: a create)."""

    def __init__(self, queue: QueueDraft, wait_for_send: WaitForSend, base: StoredEvent | None) -> None:
        self._queue = queue
        self._wait_for_send = wait_for_send
        self._base = base
        self._refused_seq: int | None = None

    async def save(self, draft: EventDraft) -> SaveOutcome:
        """Sent, refused (with the server's words and field: the draft stays for a fix) or still queued."""
        seq = await self._queue(draft, self._base, self._refused_seq)
        outcome = await self._wait_for_send(seq)
        self._refused_seq = outcome.seq if outcome.state is SaveState.REFUSED else None
        return outcome
