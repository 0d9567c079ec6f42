"""The outbox's failure classifier, as a table: each error a request can end in, and what the entry does next."""

from __future__ import annotations

import pytest

from klen_desktop.api.constants import MAX_WAIT
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
    TimedOut,
)
from klen_desktop.store.outbox import OutboxOp
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.send_failures import FailureDecision, FailureKind, classify_failure

CONFIG = SyncConfig(outbox_backoff_base=2.0, outbox_backoff_cap=600.0)
PARK, RETRY, KEY = FailureKind.PARK, FailureKind.RETRY, FailureKind.KEY
CREATE, PATCH, CANCEL = OutboxOp.CREATE, OutboxOp.PATCH, OutboxOp.CANCEL


def limited(retry_after: float | None, *, daily: bool = False) -> RateLimited:
    code = "rate_limit_exceeded"
    return RateLimited("Slow down.", status=429, code=code, retry_after=retry_after, daily_limit=daily)


# error, op, earlier failed attempts -> kind, code, field, wait, budget pause, maybe sent
TABLE: list[tuple[KlenError, OutboxOp, int, FailureDecision]] = [
    (
        InvalidRequest("End is before start.", status=400, code="validation_error", field="end_time"),
        CREATE,
        0,
        FailureDecision(PARK, "validation_error", "End is before start.", field="end_time"),
    ),
    (
        PermissionMissing("Needs write.", status=403, code="insufficient_permissions"),
        PATCH,
        3,
        FailureDecision(PARK, "insufficient_permissions", "Needs write."),
    ),
    (
        EventNotFound("No such event.", status=404, code="not_found"),
        CANCEL,
        0,
        FailureDecision(PARK, "not_found", "No such event."),
    ),
    (
        limited(13013, daily=True),
        CREATE,
        0,
        FailureDecision(RETRY, "rate_limit_exceeded", "Slow down.", wait=13013.0, daily_limit=True),
    ),
    (
        limited(30),
        CREATE,
        0,
        FailureDecision(RETRY, "rate_limit_exceeded", "Slow down.", wait=30.0, pause_budget=30.0),
    ),
    (
        limited(None),
        PATCH,
        0,
        FailureDecision(RETRY, "rate_limit_exceeded", "Slow down.", wait=60.0, pause_budget=60.0),
    ),
    (
        limited(10**9),
        PATCH,
        0,
        FailureDecision(RETRY, "rate_limit_exceeded", "Slow down.", wait=MAX_WAIT, pause_budget=MAX_WAIT),
    ),
    (
        KeyRejected("Key revoked.", status=401, code="invalid_api_key"),
        CREATE,
        5,
        FailureDecision(KEY, "invalid_api_key", "Key revoked.", wait=600.0),
    ),
    (
        ConnectionFailed("Refused.", reached_server=False),
        CREATE,
        0,
        FailureDecision(RETRY, "ConnectionFailed", "Refused.", wait=2.0),
    ),
    (
        ConnectionFailed("Dropped.", reached_server=True),
        CREATE,
        1,
        FailureDecision(RETRY, "ConnectionFailed", "Dropped.", wait=4.0, maybe_sent=True),
    ),
    (
        ConnectionFailed("Dropped.", reached_server=True),
        PATCH,
        1,
        FailureDecision(RETRY, "ConnectionFailed", "Dropped.", wait=4.0),
    ),
    (TimedOut("No answer."), CREATE, 2, FailureDecision(RETRY, "TimedOut", "No answer.", wait=8.0, maybe_sent=True)),
    (
        ServerFailed("Bad gateway.", status=502, code=None),
        CREATE,
        0,
        FailureDecision(RETRY, "ServerFailed", "Bad gateway.", wait=2.0, maybe_sent=True),
    ),
    (
        MalformedResponse("Not JSON."),
        CREATE,
        20,
        FailureDecision(RETRY, "MalformedResponse", "Not JSON.", wait=600.0, maybe_sent=True),
    ),
    (
        ServerFailed("Down.", status=503, code="maintenance"),
        CANCEL,
        0,
        FailureDecision(RETRY, "maintenance", "Down.", wait=2.0),
    ),
]


@pytest.mark.parametrize(("error", "op", "attempts", "expected"), TABLE, ids=lambda v: getattr(v, "kind", v))
def test_each_failure_gets_its_decision(
    error: KlenError, op: OutboxOp, attempts: int, expected: FailureDecision
) -> None:
    assert classify_failure(error, op, attempts, CONFIG) == expected


def test_the_wait_doubles_with_each_failed_attempt_up_to_the_cap() -> None:
    waits = [classify_failure(ServerFailed("x", status=500, code=None), PATCH, n, CONFIG).wait for n in range(12)]
    assert waits[:4] == [2.0, 4.0, 8.0, 16.0]
    assert waits == sorted(waits) and waits[-1] == CONFIG.outbox_backoff_cap
