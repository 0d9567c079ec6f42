"""What sending one outbox entry came to, and what a whole drain did: the sender's small vocabulary."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from klen_desktop.api.models import EventDetail
from klen_desktop.records import record


@record
class DrainReport:
    """What one :meth:`OutboxSender.drain` did. ``blocked`` says why nothing can go until the user acts (or,
    for a rejected key, until ``waiting_until``, when the key is tried once more)."""

    sent: int
    parked: int
    waiting_until: datetime | None = None
    blocked: str | None = None
    failed: int = 0  # entries tried and kept for a later attempt (network, 5xx, 429, a rejected key)


class Outcome(Enum):
    SENT = "sent"
    PARKED = "parked"
    RETRY = "retry"
    BLOCKED = "blocked"
    WITHDRAWN = "withdrawn"  # discarded or changed by the user while it waited for the budget: re-read it


class Withdrawn(Exception):
    """The entry was discarded or changed while it waited to be sent: nothing was sent; read the queue again."""


class ConflictFound(Exception):
    """The event changed on the server in a way the queued edit would overwrite."""

    def __init__(self, server: EventDetail, fields: frozenset[str]) -> None:
        super().__init__(f"changed on the server: {', '.join(sorted(fields))}")
        self.server = server
        self.fields = fields
