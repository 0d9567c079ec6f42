"""The retry policy, table by table: what may be repeated, how long to wait, and when to give up."""

from __future__ import annotations

import pytest

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
from klen_desktop.api.retry import (
    DEFAULT_RETRY,
    NO_RETRY,
    RetryPolicy,
    backoff_delay,
    decide_retry,
    is_repeatable,
)


def rate_limited(retry_after: float | None = None, *, daily: bool = False) -> RateLimited:
    return RateLimited("limit", status=429, code="rate_limit_exceeded", retry_after=retry_after, daily_limit=daily)


REFUSED = ConnectionFailed("refused", reached_server=False)
DROPPED = ConnectionFailed("dropped", reached_server=True)
TIMEOUT = TimedOut("slow")
SERVER_500 = ServerFailed("boom", status=500, code="server_error")
SERVER_503 = ServerFailed("unavailable", status=503, code=None)

# (error, repeatable for GET/PUT/PATCH, repeatable for POST create/cancel)
REPEATABLE = [
    pytest.param(rate_limited(1), True, True, id="429-per-minute"),
    pytest.param(rate_limited(None), True, True, id="429-no-retry-after"),
    pytest.param(rate_limited(3600, daily=True), False, False, id="429-daily-limit"),
    pytest.param(REFUSED, True, True, id="connection-refused"),
    pytest.param(DROPPED, True, False, id="connection-dropped"),
    pytest.param(TIMEOUT, True, False, id="timeout"),
    pytest.param(TimedOut("connect timeout", reached_server=False), True, False, id="post-never-after-any-timeout"),
    pytest.param(SERVER_500, True, False, id="500"),
    pytest.param(SERVER_503, True, False, id="503"),
    pytest.param(InvalidRequest("bad", status=400, code="validation_error"), False, False, id="400"),
    pytest.param(KeyRejected("key", status=401, code="invalid_key"), False, False, id="401"),
    pytest.param(PermissionMissing("perm", status=403, code="permission_denied"), False, False, id="403"),
    pytest.param(EventNotFound("gone", status=404, code="not_found"), False, False, id="404"),
    pytest.param(MalformedResponse("junk"), False, False, id="malformed"),
    pytest.param(KlenError("other"), False, False, id="base-error"),
]


@pytest.mark.parametrize(("error", "for_idempotent", "for_post"), REPEATABLE)
def test_which_errors_may_be_repeated(error: KlenError, for_idempotent: bool, for_post: bool) -> None:
    assert is_repeatable(error, idempotent=True) is for_idempotent
    assert is_repeatable(error, idempotent=False) is for_post


@pytest.mark.parametrize(
    ("attempt", "random", "expected"),
    [
        (1, 1.0, 0.5),
        (2, 1.0, 1.0),
        (3, 1.0, 2.0),
        (4, 1.0, 4.0),
        (5, 1.0, 8.0),
        (9, 1.0, 8.0),  # capped at max_delay
        (3, 0.0, 0.0),  # full jitter reaches down to zero
        (3, 0.25, 0.5),
        (2, 7.0, 1.0),  # a faulty random source cannot push past the ceiling
        (2, -1.0, 0.0),
    ],
)
def test_backoff_is_exponential_with_full_jitter(attempt: int, random: float, expected: float) -> None:
    assert backoff_delay(DEFAULT_RETRY, attempt, lambda: random) == pytest.approx(expected)


# (error, idempotent, attempt, elapsed, retry?, delay)
DECISIONS = [
    pytest.param(SERVER_500, True, 1, 0.0, True, 0.5, id="get-500-first-attempt-backs-off"),
    pytest.param(SERVER_500, True, 3, 2.0, True, 2.0, id="get-500-third-attempt"),
    pytest.param(SERVER_500, True, 4, 2.0, False, 0.0, id="get-500-attempts-used-up"),
    pytest.param(SERVER_500, False, 1, 0.0, False, 0.0, id="post-500-never-repeated"),
    pytest.param(TIMEOUT, False, 1, 0.0, False, 0.0, id="post-timeout-never-repeated"),
    pytest.param(DROPPED, False, 1, 0.0, False, 0.0, id="post-dropped-never-repeated"),
    pytest.param(REFUSED, False, 1, 0.0, True, 0.5, id="post-refused-is-repeated"),
    pytest.param(rate_limited(1), False, 1, 0.0, True, 1.0, id="post-429-waits-retry-after"),
    pytest.param(rate_limited(12.5), True, 2, 5.0, True, 12.5, id="get-429-retry-after-exact"),
    pytest.param(rate_limited(0), True, 1, 0.0, True, 0.0, id="retry-after-zero"),
    pytest.param(rate_limited(31), True, 1, 0.0, False, 0.0, id="retry-after-beyond-budget-gives-up"),
    pytest.param(rate_limited(10), True, 1, 25.0, False, 0.0, id="retry-after-beyond-remaining-budget"),
    pytest.param(rate_limited(None), True, 1, 0.0, True, 0.5, id="429-without-retry-after-backs-off"),
    pytest.param(rate_limited(5, daily=True), False, 1, 0.0, False, 0.0, id="daily-limit-never-retried"),
    pytest.param(SERVER_503, True, 3, 29.0, False, 0.0, id="backoff-would-overrun-budget"),
    pytest.param(SERVER_503, True, 3, 28.0, True, 2.0, id="backoff-just-fits-budget"),
]


@pytest.mark.parametrize(("error", "idempotent", "attempt", "elapsed", "retry", "delay"), DECISIONS)
def test_retry_decisions(
    error: KlenError, idempotent: bool, attempt: int, elapsed: float, retry: bool, delay: float
) -> None:
    decision = decide_retry(
        DEFAULT_RETRY, error, idempotent=idempotent, attempt=attempt, elapsed=elapsed, random=lambda: 1.0
    )
    assert decision.retry is retry
    assert decision.delay == pytest.approx(delay)
    assert decision.reason


def test_retry_after_above_the_cap_gives_up_even_with_budget_left() -> None:
    policy = RetryPolicy(total_budget=600.0, retry_after_cap=60.0)
    assert decide_retry(policy, rate_limited(59), idempotent=True, attempt=1, elapsed=0, random=lambda: 1).retry
    assert not decide_retry(policy, rate_limited(61), idempotent=True, attempt=1, elapsed=0, random=lambda: 1).retry


def test_no_retry_policy_never_repeats() -> None:
    decision = decide_retry(NO_RETRY, SERVER_500, idempotent=True, attempt=1, elapsed=0.0, random=lambda: 0.0)
    assert not decision.retry


def test_a_full_run_of_server_errors_stays_within_attempts_and_budget() -> None:
    policy = RetryPolicy(max_attempts=6, total_budget=10.0, base_delay=1.0, max_delay=30.0)
    attempt, elapsed, waits = 1, 0.0, []
    while True:
        decision = decide_retry(policy, SERVER_500, idempotent=True, attempt=attempt, elapsed=elapsed, random=lambda: 1)
        if not decision.retry:
            break
        waits.append(decision.delay)
        elapsed += decision.delay
        attempt += 1
    assert waits == [1.0, 2.0, 4.0]  # the next wait (8 s) would end past the 10 s budget
    assert elapsed <= policy.total_budget


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"total_budget": 0.0},
        {"base_delay": -1.0},
        {"max_delay": -0.5},
        {"retry_after_cap": -1.0},
    ],
)
def test_policy_rejects_nonsense_bounds(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
