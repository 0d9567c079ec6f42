"""One request to Klen, start to finish: headers, timeout, retries, and the answer or a typed error.

:class:`Exchange` is the client's plumbing, kept apart from the endpoint methods of
:class:`~klen_desktop.api.client.KlenClient`. It holds the key and is the only place that puts it on the
wire (``Authorization: Bearer``, never a URL). Errors are raised outside ``except`` blocks so they do not
chain to httpx exceptions, whose ``request`` carries the key in its headers.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any, TypeVar, cast

import httpx

from klen_desktop.api.error_mapping import error_for_response
from klen_desktop.api.errors import ConnectionFailed, KlenError, MalformedResponse
from klen_desktop.api.retry import RetryPolicy, decide_retry
from klen_desktop.api.transport import error_for_transport, origin_path

logger = logging.getLogger(__name__)

T = TypeVar("T")
HIDDEN = "<hidden>"


async def _read_capped(response: httpx.Response, max_bytes: int) -> list[bytes] | None:
    """The body's chunks, or None as soon as it is known to exceed ``max_bytes``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        # Refused unread: a half-read body iterator is finalised badly on loops without asyncgen hooks (qasync).
        return None
    chunks: list[bytes] = []
    size = 0
    async with aclosing(cast(AsyncGenerator[bytes, None], response.aiter_bytes())) as body:
        async for chunk in body:
            size += len(chunk)
            if size > max_bytes:
                return None
            chunks.append(chunk)
    return chunks


def _decode_json(response: httpx.Response) -> tuple[object, bool]:
    try:
        return response.json(), True
    except (ValueError, UnicodeDecodeError):
        return None, False


class Exchange:
    """Sends requests for one key to one origin (``base``), with retries as ``retry`` allows.

    ``requests_sent`` counts attempts that left this machine (a refused connection cost the server nothing).
    The ``http`` client is used as given; closing it is the owner's business.
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
    ) -> None:
        self.base = base
        self._api_key = api_key
        self._http = http
        self._timeout = timeout
        self._retry = retry
        self._sleep = sleep
        self._random: Callable[[], float] = random.random
        self._user_agent = user_agent
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
            return await self._send_for_json(method, url, path, params, json_body, is_create)

        return await self._with_retries(attempt, method=method, path=path, idempotent=method != "POST")

    async def download(self, url: httpx.URL, *, accept: str, max_bytes: int) -> bytes:
        """The body of a GET of ``url`` (already checked to be on our origin), at most ``max_bytes`` long."""

        async def attempt() -> bytes:
            return await self._send_for_bytes(url, accept, max_bytes)

        return await self._with_retries(attempt, method="GET", path=url.path, idempotent=True)

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
        self.requests_sent += 1
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=self._headers(accept="application/json"),
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            failure = self._transport_failure(exc, method, path)
        else:
            return self._read_json(response, method, path, is_create)
        raise failure

    def _read_json(self, response: httpx.Response, method: str, path: str, is_create: bool) -> object:
        logger.debug("%s %s -> %d", method, path, response.status_code)
        body, readable = _decode_json(response)
        if response.is_success:
            if not readable:
                raise MalformedResponse(f"Klen's answer to {method} {path} is not valid JSON.")
            if not isinstance(body, Mapping) or "error" not in body:
                return body
        raise error_for_response(
            response.status_code,
            body if isinstance(body, Mapping) else None,
            retry_after_header=response.headers.get("Retry-After"),
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
            raise MalformedResponse(f"The download is larger than {max_bytes} bytes; it was not kept.")
        logger.debug("GET %s -> %d", path, status)
        data = b"".join(chunks)
        if 200 <= status < 300:
            return data
        try:
            body: object = json.loads(data)
        except ValueError:
            body = None
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
