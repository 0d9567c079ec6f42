"""The values a user action gets back from the calendar session: what the key may do, why a write was refused,
and what became of a saved draft."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.records import record

if TYPE_CHECKING:
    from klen_desktop.store.outbox import OutboxEntry

READ_ONLY_REASON = N_(
    "This API key may read the calendar but not change it (it lacks can_write_calendar). "
    "Create a key with write access in the Klen web app and enter it in Settings."
)


@record
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


@record
class SaveOutcome:
    """What became of one saved draft: ``message`` and ``field`` are the server's words for a refusal (or why
    it is still queued)."""

    seq: int
    state: SaveState
    message: str | None = None
    field: str | None = None
    waiting: bool = False  # kept for a known time (the daily create limit): ``message`` says until when


@record
class Queued:
    """A write queued in the outbox: its ``seq``, and ``moved_here`` the event it moved or cancelled, if any
    (what still describes that event as it was is to be withdrawn)."""

    seq: int
    moved_here: int | None = None


@record
class Notice:
    """What to tell the user: a short title and a message that says what happened and what to do."""

    title: str
    message: str


def notice_for(exc: Exception, title: str) -> Notice | None:
    """The notice for an action titled ``title`` that failed with ``exc``, or None when there is nothing to tell
    (the cache was closed under it: the app is quitting or switching accounts).

    Raises ``exc`` again when it is not a failure the user can act on: that is a bug, for the log.
    """
    from klen_desktop.api.errors import KlenError
    from klen_desktop.secrets import KeyStoreError
    from klen_desktop.store.errors import DatabaseClosed, StoreError
    from klen_desktop.sync.local_writes import OutboxError

    if isinstance(exc, WriteRefused):
        return Notice(title, exc.message)
    if isinstance(exc, KlenError | KeyStoreError):
        return Notice(exc.title, exc.message)
    if isinstance(exc, OutboxError | ValueError):
        return Notice(title, str(exc))
    if isinstance(exc, DatabaseClosed):
        return None
    if isinstance(exc, StoreError):  # a refused write (disk full, read-only): what to free or fix
        return Notice(exc.title, exc.message)
    raise exc


def waiting_notice(what: str, seconds: float) -> Notice:
    """What to say before a user's click waits ``seconds`` for the request limit."""
    from klen_desktop.api.error_mapping import wait_in_words

    return Notice(
        _("Waiting for Klen's request limit"),
        _("{what} in about {wait}: Klen answers only so many requests a minute.").format(
            what=what, wait=wait_in_words(seconds)
        ),
    )


def daily_limit_wait(entry: OutboxEntry, now: datetime) -> str | None:
    """What to say of a create kept until the daily create limit resets (None for any other entry): the limit,
    that nothing is lost, and when it goes, in local time; worked out when shown, so the wait is never stale."""
    from klen_desktop.api.error_mapping import after_wait
    from klen_desktop.sync.send_failures import DAILY_LIMIT_META, waits_for_daily_reset

    if not waits_for_daily_reset(entry, now) or entry.next_attempt_at is None:
        return None
    limit = entry.meta.get(DAILY_LIMIT_META)
    when = after_wait((entry.next_attempt_at - now).total_seconds(), now)
    if isinstance(limit, int):
        return ngettext(
            "Daily limit of {n} new event reached. Your event is kept and will be sent after {time}.",
            "Daily limit of {n} new events reached. Your event is kept and will be sent after {time}.",
            limit,
        ).format(n=limit, time=when)
    return _("Daily limit new events reached. Your event is kept and will be sent after {time}.").format(time=when)
