"""What to do with an outbox entry whose request failed: a pure decision, from the error alone.

* The user must act (``PARK``): the server refused the content (400), the key may not do it (403), or the event is
  gone (404). The entry keeps its payload for a fix, a resend or a discard.
* Wait for the day to turn (``RETRY`` with ``daily_limit``): a create over the daily create limit is nothing the
  user can fix, so it stays queued and goes by itself when the limit resets; other writes are not held up by it.
* Try again later (``RETRY``): the network, a 5xx, an unreadable answer, the per-minute 429 (which also pauses the
  shared request budget for Retry-After, an hour at most). The wait doubles with each attempt, capped.
* Hold for the key (``KEY``): a 401. Nothing can be sent until the key is fixed; it is tried once more after the
  longest backoff, since a key suspended and restored on the server must let the queue go by itself.

A create that may have reached the server (``maybe_sent``) is looked for before it is sent again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from klen_desktop.api.constants import MAX_DAILY_RESET, MAX_WAIT
from klen_desktop.api.errors import (
    ConnectionFailed,
    EventNotFound,
    InvalidRequest,
    KeyRejected,
    KlenError,
    MalformedResponse,
    PermissionMissing,
    RateLimited,
    ServerFailed,
)
from klen_desktop.records import record
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.config import SyncConfig

_PARKING_ERRORS = (InvalidRequest, PermissionMissing, EventNotFound)
# A 429 without Retry-After: a minute, the period of the per-minute limit.
DEFAULT_RATE_LIMIT_WAIT = 60.0
_MAX_DAILY_WAIT = timedelta(seconds=MAX_DAILY_RESET)
DAILY_LIMIT_META = "daily_limit"
"""Meta key of a create waiting for the daily create limit to reset; its value is the limit, when the server said."""


def waits_for_daily_reset(entry: OutboxEntry, now: datetime) -> bool:
    """Whether ``entry`` is a create over the daily limit whose reset is still ahead (a reset further ahead than
    any server may set, after a clock set back, counts as passed)."""
    due = entry.next_attempt_at
    return (
        DAILY_LIMIT_META in entry.meta
        and entry.state is OutboxState.PENDING
        and due is not None
        and now < due <= now + _MAX_DAILY_WAIT
    )


class FailureKind(Enum):
    PARK = "park"
    RETRY = "retry"
    KEY = "key"


@record
class FailureDecision:
    kind: FailureKind
    code: str  # the server's error code, or the error's type when it sent none
    message: str
    field: str | None = None  # the field a 400 names, for the editor to show the message on
    wait: float = 0.0  # seconds until the next attempt (RETRY and KEY)
    pause_budget: float | None = None  # seconds the shared request budget pauses (the per-minute 429)
    maybe_sent: bool = False
    daily_limit: bool = False  # a create over the daily create limit: it waits without holding up the queue


def may_have_acted(exc: KlenError) -> bool:
    """Whether the server may have carried the request out despite the error (a 401 or 429 certainly did not)."""
    if isinstance(exc, ConnectionFailed):
        return exc.reached_server
    return isinstance(exc, ServerFailed | MalformedResponse)


def classify_failure(exc: KlenError, op: OutboxOp, attempts: int, config: SyncConfig) -> FailureDecision:
    """The decision for an entry of ``op`` that failed with ``exc`` after ``attempts`` earlier failed tries."""
    code = getattr(exc, "code", None) or type(exc).__name__
    if isinstance(exc, RateLimited) and exc.daily_limit:
        # Not capped at MAX_WAIT: the reset is a known time, and the waiting create holds up no other write.
        wait = exc.retry_after if exc.retry_after is not None else MAX_WAIT
        return FailureDecision(FailureKind.RETRY, code, exc.message, wait=wait, daily_limit=True)
    if isinstance(exc, _PARKING_ERRORS):
        field = exc.field if isinstance(exc, InvalidRequest) else None
        return FailureDecision(FailureKind.PARK, code, exc.message, field)
    maybe_sent = op is OutboxOp.CREATE and may_have_acted(exc)
    if isinstance(exc, RateLimited):
        wait = min(exc.retry_after if exc.retry_after is not None else DEFAULT_RATE_LIMIT_WAIT, MAX_WAIT)
        return FailureDecision(
            FailureKind.RETRY, code, exc.message, wait=wait, pause_budget=wait, maybe_sent=maybe_sent
        )
    if isinstance(exc, KeyRejected):
        return FailureDecision(FailureKind.KEY, code, exc.message, wait=config.outbox_backoff_cap)
    return FailureDecision(
        FailureKind.RETRY, code, exc.message, wait=config.outbox_backoff(attempts + 1), maybe_sent=maybe_sent
    )
