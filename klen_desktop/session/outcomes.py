"""The values a user action gets back from the calendar session: what the key may do, why a write was refused,
and what became of a saved draft."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

READ_ONLY_REASON = (
    "This API key may read the calendar but not change it (it lacks can_write_calendar). "
    "Create a key with write access in the Klen web app and enter it in Settings."
)


@dataclass(frozen=True)
class Access:
    """What the key may do. ``can_write`` None until known; ``reason`` says why writes are off."""

    can_write: bool | None = None
    reason: str | None = None

    @property
    def read_only(self) -> bool:
        return self.can_write is False


class WriteRefused(Exception):
    """A save that could not be queued; ``field`` names the editor field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SaveState(StrEnum):
    SENT = "sent"  # on the server
    QUEUED = "queued"  # kept in the outbox; it goes when the server can be reached
    REFUSED = "refused"  # the server said no; the entry waits for the user (fix and resend, or discard)


@dataclass(frozen=True)
class SaveOutcome:
    """What became of one saved draft: ``message`` and ``field`` are the server's words for a refusal (or why
    it is still queued)."""

    seq: int
    state: SaveState
    message: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Queued:
    """A write queued in the outbox: its ``seq``, and ``moved_here`` the event it moved or cancelled, if any
    (what still describes that event as it was is to be withdrawn)."""

    seq: int
    moved_here: int | None = None
