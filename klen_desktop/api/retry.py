"""When to send a failed request again, and how long to wait first. Pure: no I/O, no clock, no sleeping.

The rule that matters most is *what may be repeated*. Klen has no idempotency key, so a create or a cancel
that may have reached the server must never be sent twice: a repeated create makes a duplicate event. Such
a POST is repeated only when the request certainly never left (connection refused, name not resolved) or
when the server answered 429, which means it did not act. Reads and updates (GET, PUT, PATCH) give the same
result when repeated, so they are also retried after 5xx answers, timeouts and dropped connections.

Waits are exponential backoff with full jitter (a uniform pick between 0 and the exponential cap, which
spreads clients that failed together). A ``Retry-After`` from the server is waited out exactly as given;
if it is longer than ``retry_after_cap`` or than what is left of the time budget, the policy gives up at
once (rather than wait less than asked, which would only earn another 429) so the caller can schedule the
work for later instead of blocking on it. The daily event-creation limit is never retried: it resets at
midnight, far beyond any budget.
"""

from __future__ import annotations

from collections.abc import Callable

from klen_desktop.api.errors import ConnectionFailed, KlenError, RateLimited, ServerFailed, TimedOut
from klen_desktop.records import record


@record(slots=True)
class RetryPolicy:
    """Bounds of the retry loop.

    ``max_attempts`` counts every send, the first one included (1 means never retry). ``total_budget`` is
    the time in seconds the whole call may take, waits included; no wait is started that would end past it.
    ``base_delay`` and ``max_delay`` shape the backoff: before attempt ``n + 1`` the wait is uniform in
    ``[0, min(max_delay, base_delay * 2 ** (n - 1))]``. ``retry_after_cap`` is the longest ``Retry-After``
    waited out in place; a longer one ends the call.
    """

    max_attempts: int = 4
    total_budget: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.total_budget <= 0 or self.base_delay < 0 or self.max_delay < 0 or self.retry_after_cap < 0:
            raise ValueError("retry budget and delays must not be negative (and the budget must be positive)")


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


@record(slots=True)
class RetryDecision:
    """What to do after a failed attempt: ``retry`` after ``delay`` seconds, or give up. ``reason`` is for logs."""

    retry: bool
    delay: float
    reason: str


def is_repeatable(error: KlenError, *, idempotent: bool) -> bool:
    """Whether sending the same request again is safe and may help, whatever the time left.

    ``idempotent`` is True for GET, PUT and PATCH; False for POST (create, cancel).
    """
    if isinstance(error, RateLimited):
        return not error.daily_limit
    if isinstance(error, TimedOut):
        return idempotent
    if isinstance(error, ConnectionFailed):
        return idempotent or not error.reached_server
    if isinstance(error, ServerFailed):
        return idempotent
    return False


def backoff_delay(policy: RetryPolicy, attempt: int, random: Callable[[], float]) -> float:
    """Full-jitter wait after failed attempt number ``attempt`` (1-based); ``random`` returns a float in [0, 1]."""
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
    return ceiling * min(max(random(), 0.0), 1.0)


def decide_retry(
    policy: RetryPolicy,
    error: KlenError,
    *,
    idempotent: bool,
    attempt: int,
    elapsed: float,
    random: Callable[[], float],
) -> RetryDecision:
    """Decide what follows failed attempt number ``attempt`` (1-based) after ``elapsed`` seconds of the budget.

    Gives up when the error may not be repeated, when the attempts are used up, when the server's
    ``Retry-After`` does not fit in the budget left, or when the backoff wait would overrun it.
    """
    if not is_repeatable(error, idempotent=idempotent):
        return RetryDecision(False, 0.0, f"{type(error).__name__} is not safe or useful to repeat")
    if attempt >= policy.max_attempts:
        return RetryDecision(False, 0.0, f"all {policy.max_attempts} attempts used")
    remaining = policy.total_budget - elapsed
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    if retry_after is not None:
        if retry_after > remaining or retry_after > policy.retry_after_cap:
            return RetryDecision(False, 0.0, f"Retry-After {retry_after:g}s is beyond the retry budget")
        return RetryDecision(True, max(retry_after, 0.0), "server asked to wait (Retry-After)")
    delay = backoff_delay(policy, attempt, random)
    if delay > remaining:
        return RetryDecision(False, 0.0, "backoff would overrun the time budget")
    return RetryDecision(True, delay, "backoff")
