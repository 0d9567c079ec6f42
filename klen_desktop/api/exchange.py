"""One request to Klen, start to finish: headers, timeout, retries, and the answer or a typed error.

:class:`Exchange` is the client's plumbing, kept apart from the endpoint methods of
:class:`~klen_desktop.api.client.KlenClient`. It holds the key and is the only place that puts it on the
wire (``Authorization: Bearer``, never a URL). Errors are raised outside ``except`` blocks so they do not
chain to httpx exceptions, whose ``request`` carries the key in its headers.

Nothing a server sends can make a request last or weigh without bound: each attempt has a total deadline
(:func:`~klen_desktop.api.constants.attempt_deadline`; httpx's read timeout alone is reset by every byte), bodies
are streamed and dropped past a size cap, and decoding refuses what would blow up later (nesting deeper than
the interpreter's stack, integers too large for the cache, non-standard NaN and Infinity). Each of those ends as
a typed error with a message for the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from klen_desktop.api.constants import MAX_JSON_BYTES, attempt_deadline
from klen_desktop.api.error_mapping import error_for_response
from klen_desktop.api.errors import ConnectionFailed, KlenError, MalformedResponse, RateLimited, TimedOut
from klen_desktop.api.readers import IntegerTooLarge
from klen_desktop.api.retry import RetryPolicy, decide_retry
from klen_desktop.api.transport import error_for_transport, origin_path
from klen_desktop.i18n import _
from klen_desktop.logging_setup import register_secret

logger = logging.getLogger(__name__)
_NOT_PRINTABLE = str.maketrans({code: "?" for code in range(32)})

T = TypeVar("T")
HIDDEN = "<hidden>"


async def _read_capped(response: httpx.Response, max_bytes: int) -> list[bytes] | None:
    """The body's chunks, or None as soon as it is known to exceed ``max_bytes``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None  # refused unread
    chunks: list[bytes] = []
    size = 0
    body = response.aiter_bytes()
    while True:
        try:
            chunk = await anext(body)
        except StopAsyncIteration:
            return chunks
        size += len(chunk)
        if size > max_bytes:
            await _abandon(body)
            return None
        chunks.append(chunk)


async def _abandon(body: AsyncIterator[bytes]) -> None:
    """Stop reading a body part-way by cancelling the next read in place.

    The cancellation runs through every layer of httpx's and httpcore's nested body iterators, each closing
    itself within this task. Merely leaving them suspended would hand them to the garbage collector, which on
    qasync's loop (it installs no asyncgen hooks) finalises them outside any task, with errors.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(0):
            async for _ in body:
                pass


_INT64 = 2**63
_MAX_INT_DIGITS = 20  # more digits than any 64-bit integer has


def _bounded_int(text: str) -> int | IntegerTooLarge:
    # The cache stores integers as SQLite's 64-bit INTEGER; a larger id would fail there, far from this answer.
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        return IntegerTooLarge(digits)
    value = int(text)
    if not -_INT64 <= value < _INT64:
        return IntegerTooLarge(digits)
    return value


def _printable(text: str) -> str:
    return text[:60].translate(_NOT_PRINTABLE)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def decode_json(data: bytes) -> tuple[object, bool]:
    """The parsed JSON in ``data`` and True, or None and False when it is not JSON this app can hold.

    Refused: invalid JSON or encoding, nesting deeper than the interpreter can follow, and ``NaN`` / ``Infinity``
    (Python's json would accept them). Integers outside 64 bits become :class:`IntegerTooLarge`.
    """
    try:
        return json.loads(data, parse_int=_bounded_int, parse_constant=_no_constant), True
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, False


class Exchange:
    """Sends requests for one key to one origin (``base``), with retries as ``retry`` allows.

    ``requests_sent`` counts attempts that left this machine (a refused connection cost the server nothing).
    The ``http`` client is used as given; closing it is the owner's business. ``on_rate_limited`` hears every
    429 of the per-minute limit, a retried one too: the key is shared, and each 429 is a sign to send less.
    """

    def __init__(
        self,
        *,
        base: httpx.URL,
        api_key: str,
        http: httpx.AsyncClient,
        timeout: httpx.Timeout,
        retry: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]],
        user_agent: str,
        max_json_bytes: int = MAX_JSON_BYTES,
        on_rate_limited: Callable[[RateLimited], None] | None = None,
    ) -> None:
        self.base = base
        self._api_key = api_key
        register_secret(api_key)  # whatever it looks like, it never reaches a log line or a crash report
        self._http = http
        self._timeout = timeout
        self._deadline = attempt_deadline(timeout)
        self._max_json_bytes = max_json_bytes
        self._retry = retry
        self._sleep = sleep
        self._random: Callable[[], float] = random.random
        self._user_agent = user_agent
        self._on_rate_limited = on_rate_limited
        self.requests_sent = 0

    def scrub(self, text: str) -> str:
        """``text`` with the key blanked out, for anything that came from outside."""
        return text.replace(self._api_key, HIDDEN)

    async def json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        is_create: bool = False,
    ) -> object:
        """The decoded JSON of a successful call to ``path`` (from the origin root, e.g. ``/api/v1/...``).

        Only POST is treated as unsafe to repeat (create, cancel); GET, PUT and PATCH are idempotent.
        """
        url = origin_path(self.base, path)

        async def attempt() -> object:
            return await self._within_deadline(
                lambda: self._send_for_json(method, url, path, params, json_body, is_create), method, path
            )

        return await self._with_retries(attempt, method=method, path=path, idempotent=method != "POST")

    async def download(self, url: httpx.URL, *, accept: str, max_bytes: int) -> bytes:
        """The body of a GET of ``url`` (already checked to be on our origin), at most ``max_bytes`` long."""

        async def attempt() -> bytes:
            return await self._within_deadline(lambda: self._send_for_bytes(url, accept, max_bytes), "GET", url.path)

        return await self._with_retries(attempt, method="GET", path=url.path, idempotent=True)

    async def _within_deadline(self, work: Callable[[], Awaitable[T]], method: str, path: str) -> T:
        """What ``work()`` gives, or :class:`TimedOut` once the attempt's total deadline passed (the request may
        have left). ``work`` is made inside the deadline: should setting the deadline fail (no running loop), no
        request was begun, and no coroutine is left behind unawaited."""
        timer = asyncio.timeout(self._deadline)
        try:
            async with timer:
                return await work()
        except TimeoutError:
            if not timer.expired():
                raise
        logger.debug("%s %s -> no complete answer within %.0f s", method, path, self._deadline)
        raise TimedOut(
            _(
                "Klen at {host} did not finish answering {what} within {seconds} s. "
                "The server may still have acted on it; check your connection and try again."
            ).format(host=self.base.host, what=f"{method} {path}", seconds=f"{self._deadline:.0f}")
        )

    def _headers(self, *, accept: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}", "User-Agent": self._user_agent, "Accept": accept}

    async def _with_retries(
        self, attempt: Callable[[], Awaitable[T]], *, method: str, path: str, idempotent: bool
    ) -> T:
        spent = 0.0  # time in attempts plus the waits asked for, so an injected sleep still spends budget
        number = 0
        while True:
            number += 1
            started = time.monotonic()
            failure: KlenError | None = None
            try:
                return await attempt()
            except KlenError as exc:
                failure = exc
            spent += time.monotonic() - started
            if isinstance(failure, RateLimited) and not failure.daily_limit and self._on_rate_limited is not None:
                self._on_rate_limited(failure)
            decision = decide_retry(
                self._retry, failure, idempotent=idempotent, attempt=number, elapsed=spent, random=self._random
            )
            if not decision.retry:
                if number > 1:
                    logger.info("%s %s: giving up after %d attempts (%s)", method, path, number, decision.reason)
                raise failure
            name = type(failure).__name__
            logger.info("%s %s: %s, retrying in %.2fs (%s)", method, path, name, decision.delay, decision.reason)
            await self._sleep(decision.delay)
            spent += decision.delay

    async def _send_for_json(
        self,
        method: str,
        url: httpx.URL,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Mapping[str, Any] | None,
        is_create: bool,
    ) -> object:
        failure: KlenError | None = None
        status = 0
        headers = httpx.Headers()
        chunks: list[bytes] | None = None
        self.requests_sent += 1
        try:
            async with self._http.stream(
                method,
                url,
                params=params,
                json=json_body,
                headers=self._headers(accept="application/json"),
                timeout=self._timeout,
                follow_redirects=False,
            ) as response:
                status, headers = response.status_code, response.headers
                chunks = await _read_capped(response, self._max_json_bytes)
        except httpx.HTTPError as exc:
            failure = self._transport_failure(exc, method, path)
        if failure is not None:
            raise failure
        logger.debug("%s %s -> %d", method, path, status)
        return self._read_json(status, headers, chunks, method, path, is_create)

    def _read_json(
        self,
        status: int,
        headers: httpx.Headers,
        chunks: list[bytes] | None,
        method: str,
        path: str,
        is_create: bool,
    ) -> object:
        success = 200 <= status < 300
        what = f"Klen's answer to {method} {path}"
        if chunks is None:
            if success:
                raise MalformedResponse(
                    f"{what} is larger than {self._max_json_bytes // 1_000_000} MB, far more than any calendar "
                    "answer; it was not read. Try again later, or tell Klen's support if it keeps happening."
                )
            body, readable = None, False  # an error page too large to read: its status still says enough
        else:
            body, readable = decode_json(b"".join(chunks))
        if success:
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind and "json" not in kind:
                raise MalformedResponse(
                    f"{what} is {_printable(kind)}, not JSON: a proxy or a captive portal may be answering "
                    "instead of Klen. Check the server address and your network."
                )
            if not readable:
                raise MalformedResponse(f"{what} is not valid JSON (or nests or counts beyond what can be read).")
            if not isinstance(body, Mapping) or "error" not in body:
                return body
        raise error_for_response(
            status,
            body if isinstance(body, Mapping) else None,
            retry_after_header=headers.get("Retry-After"),
            method=method,
            path=path,
            is_create=is_create,
            scrub=self.scrub,
        )

    async def _send_for_bytes(self, url: httpx.URL, accept: str, max_bytes: int) -> bytes:
        path = url.path
        failure: KlenError | None = None
        status = 0
        chunks: list[bytes] | None = None
        retry_after: str | None = None
        self.requests_sent += 1
        try:
            async with self._http.stream(
                "GET", url, headers=self._headers(accept=accept), timeout=self._timeout, follow_redirects=False
            ) as response:
                status = response.status_code
                retry_after = response.headers.get("Retry-After")
                chunks = await _read_capped(response, max_bytes)
        except httpx.HTTPError as exc:
            failure = self._transport_failure(exc, "GET", path)
        if failure is not None:
            raise failure
        if chunks is None:
            raise MalformedResponse(_("The download is larger than {n} bytes; it was not kept.").format(n=max_bytes))
        logger.debug("GET %s -> %d", path, status)
        data = b"".join(chunks)
        if 200 <= status < 300:
            return data
        body, _readable = decode_json(data)
        raise error_for_response(
            status,
            body if isinstance(body, Mapping) else None,
            retry_after_header=retry_after,
            method="GET",
            path=path,
            scrub=self.scrub,
        )

    def _transport_failure(self, exc: httpx.HTTPError, method: str, path: str) -> KlenError:
        error = error_for_transport(exc, method=method, path=path, host=self.base.host)
        if isinstance(error, ConnectionFailed) and not error.reached_server:
            self.requests_sent -= 1  # nothing left this machine, so it cost the server nothing
        logger.debug("%s %s -> %s", method, path, type(exc).__name__)
        return error
