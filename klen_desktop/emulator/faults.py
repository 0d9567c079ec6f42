"""Fault injection for tests and manual checks: latency, 5xx answers, dropped connections, broken JSON, 429s,
and rewritten answers (a page that lies about its counts, an event with a value the app has never seen).

Faults apply only to ``/api/`` paths; every rule can be narrowed to one HTTP method and a path prefix.
One-shot rules (``fail_next`` and friends) are consumed in the order they were added, one per matching
request. A dropped connection is made by starting a response that promises more body than is ever sent and
then ending the ASGI call: uvicorn closes the socket and the client sees a protocol error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from klen_desktop.emulator.errors import MSG_SERVER_ERROR
from klen_desktop.records import record

FaultKind = Literal["fail", "drop", "malformed", "rate_limit", "drop_after", "rewrite"]
#: Turns the JSON body of a real answer into the one sent. It runs on the server's thread, after the request was
#: handled, so it may also change the server's state (delete an event between two page reads, say).
Rewrite = Callable[[Any], Any]
#: Key in the ASGI scope where the fault applied to a request is noted (read by the request log).
SCOPE_FAULT: Final = "klen_emulator.fault"
_DROP_NOTICE: Final = "ASGI callable returned without completing response."
_PROMISED_BODY: Final = b'{"count": 1, "page": 1, "events": [{"id": 1, "title": "'
_MALFORMED_BODY: Final = b'{"count": 3, "page": 1, "limit": 10, "events": [{"id": 1, "title": "Unterminated'


@dataclass
class _OneShot:
    kind: FaultKind
    remaining: int
    method: str | None
    path: str | None
    status: int = 500
    retry_after: int = 1
    rewrite: Rewrite | None = None

    def matches(self, method: str, path: str) -> bool:
        return _matches(self.method, self.path, method, path)


@record
class _Latency:
    low: float
    high: float
    method: str | None
    path: str | None


@record
class FaultPlan:
    """What to do to one request: wait ``delay`` seconds, then apply ``action`` (None: serve normally)."""

    delay: float = 0.0
    action: FaultKind | None = None
    status: int = 500
    retry_after: int = 1
    rewrite: Rewrite | None = None


@dataclass
class _ErrorRate:
    rate: float
    status: int
    rng: random.Random = field(default_factory=random.Random)


def _matches(rule_method: str | None, rule_path: str | None, method: str, path: str) -> bool:
    return (rule_method is None or rule_method == method) and (rule_path is None or path.startswith(rule_path))


def _check_count(n: int) -> None:
    if n < 1:
        raise ValueError(f"n must be 1 or more, got {n}")


def _check_5xx(status: int) -> None:
    if not 500 <= status <= 599:
        raise ValueError(f"status must be a 5xx code, got {status}")


class FaultInjector:
    """The fault rules of one server. Thread-safe: tests add rules while the server thread reads them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency: list[_Latency] = []
        self._one_shots: list[_OneShot] = []
        self._error_rate: _ErrorRate | None = None
        self._latency_rng = random.Random(0)

    def latency(
        self, seconds: float | tuple[float, float], *, method: str | None = None, path: str | None = None
    ) -> None:
        """Delay every matching request by ``seconds`` (or a uniform random time in ``(low, high)``)."""
        low, high = (seconds, seconds) if isinstance(seconds, int | float) else seconds
        if low < 0 or high < low:
            raise ValueError(f"latency must be >= 0 and low <= high, got {seconds!r}")
        with self._lock:
            self._latency.append(_Latency(float(low), float(high), _method(method), path))

    def fail_next(self, n: int, status: int = 500, *, method: str | None = None, path: str | None = None) -> None:
        """The next ``n`` matching requests get ``status`` (5xx) with the ``server_error`` envelope."""
        _check_count(n)
        _check_5xx(status)
        self._add(_OneShot("fail", n, _method(method), path, status=status))

    def error_rate(self, rate: float, status: int = 500, *, seed: int = 0) -> None:
        """A fraction ``rate`` (0-1) of requests fail with ``status``, drawn from a seeded generator.

        ``rate`` 0 turns it off."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must lie in [0, 1], got {rate}")
        _check_5xx(status)
        with self._lock:
            self._error_rate = _ErrorRate(rate, status, random.Random(seed)) if rate > 0 else None

    def drop_next(self, n: int, *, method: str | None = None, path: str | None = None) -> None:
        """The next ``n`` matching requests are not handled: the connection closes mid-response."""
        _check_count(n)
        self._add(_OneShot("drop", n, _method(method), path))

    def drop_after_next(self, n: int, *, method: str | None = None, path: str | None = None) -> None:
        """The next ``n`` matching requests ARE handled (a create is stored), then the connection drops."""
        _check_count(n)
        self._add(_OneShot("drop_after", n, _method(method), path))

    def malformed_next(self, n: int, *, method: str | None = None, path: str | None = None) -> None:
        """The next ``n`` matching requests get 200 with a body that is not valid JSON."""
        _check_count(n)
        self._add(_OneShot("malformed", n, _method(method), path))

    def rate_limit_next(
        self, n: int, retry_after: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """The next ``n`` matching requests get 429 ``rate_limit_exceeded`` with ``Retry-After``."""
        _check_count(n)
        if retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        self._add(_OneShot("rate_limit", n, _method(method), path, status=429, retry_after=retry_after))

    def rewrite_next(self, n: int, rewrite: Rewrite, *, method: str | None = None, path: str | None = None) -> None:
        """The next ``n`` matching requests are handled for real, then answered with ``rewrite(body)`` (JSON)."""
        _check_count(n)
        self._add(_OneShot("rewrite", n, _method(method), path, status=200, rewrite=rewrite))

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._latency.clear()
            self._one_shots.clear()
            self._error_rate = None

    def pending(self) -> int:
        """How many one-shot faults are still to be applied."""
        with self._lock:
            return sum(rule.remaining for rule in self._one_shots)

    def plan(self, method: str, path: str) -> FaultPlan:
        """Decide (and consume) the faults for one request."""
        with self._lock:
            delay = sum(
                self._latency_rng.uniform(rule.low, rule.high)
                for rule in self._latency
                if _matches(rule.method, rule.path, method, path)
            )
            for rule in self._one_shots:
                if rule.remaining > 0 and rule.matches(method, path):
                    rule.remaining -= 1
                    self._one_shots = [r for r in self._one_shots if r.remaining > 0]
                    return FaultPlan(delay, rule.kind, rule.status, rule.retry_after, rule.rewrite)
            if self._error_rate is not None and self._error_rate.rng.random() < self._error_rate.rate:
                return FaultPlan(delay, "fail", self._error_rate.status)
        return FaultPlan(delay)

    def _add(self, rule: _OneShot) -> None:
        with self._lock:
            self._one_shots.append(rule)


def _method(method: str | None) -> str | None:
    return method.upper() if method else None


class _SuppressDropNotice(logging.Filter):
    """uvicorn logs an error for every response we cut short on purpose; that is noise, not a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_NOTICE


def install_log_filter() -> None:
    """Idempotently hide uvicorn's notice about responses this module drops on purpose."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _SuppressDropNotice) for f in logger.filters):
        logger.addFilter(_SuppressDropNotice())


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: Iterable[tuple[str, str]] = ()) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _send_truncated(send: Send) -> None:
    # Promise twice the body we send, then stop: the client must not get a complete answer.
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(_PROMISED_BODY) * 2).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _PROMISED_BODY, "more_body": True})


async def _send_rewritten(app: ASGIApp, scope: Scope, receive: Receive, send: Send, rewrite: Rewrite) -> None:
    status = 200
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))

    await app(scope, receive, capture)
    body = rewrite(json.loads(b"".join(chunks) or b"null"))
    await _send_json(send, status, body)


class FaultMiddleware:
    """ASGI middleware applying a :class:`FaultInjector`'s plan to ``/api/`` requests."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        plan = self.injector.plan(str(scope["method"]), str(scope["path"]))
        if plan.delay > 0:
            await asyncio.sleep(plan.delay)
        if plan.action is None:
            await self.app(scope, receive, send)
            return
        scope[SCOPE_FAULT] = plan.action
        if plan.action == "fail":
            await _send_json(send, plan.status, {"error": "server_error", "message": MSG_SERVER_ERROR})
        elif plan.action == "rate_limit":
            message = f"Per-minute request limit reached; retry in {max(1, plan.retry_after)} seconds"
            body = {"error": "rate_limit_exceeded", "message": message}
            await _send_json(send, 429, body, [("Retry-After", str(plan.retry_after))])
        elif plan.action == "malformed":
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(_MALFORMED_BODY)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": _MALFORMED_BODY, "more_body": False})
        elif plan.action == "drop":
            await _send_truncated(send)
        elif plan.action == "rewrite" and plan.rewrite is not None:
            await _send_rewritten(self.app, scope, receive, send, plan.rewrite)
        else:  # drop_after: handle the request for real, throw the answer away, then drop.

            async def swallow(_message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _send_truncated(send)
