"""The async client of the Klen Calendar API: one method per documented operation, typed in and out.

Every call goes through one retry loop (see :mod:`klen_desktop.api.retry` for what may be repeated), has a
timeout, sends the key only as ``Authorization: Bearer`` and only to the configured origin, and fails with
one of the typed errors of :mod:`klen_desktop.api.errors`. The key is never logged, never put in a URL, an
error message or the ``repr``. Logs carry method, path and status only.

The client owns its ``httpx.AsyncClient`` unless one is passed in (then the caller closes it, and is
responsible for it; one that skips TLS verification is refused unless the server is loopback). Sending,
retrying and reading answers is :mod:`klen_desktop.api.exchange`'s job; this module turns typed arguments
into requests and answers into models.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from klen_desktop.api.asyncio_transport import AsyncioTransport
from klen_desktop.api.constants import (
    AVAILABILITY_PATH,
    DEFAULT_ICS_MAX_BYTES,
    DEFAULT_PAGE_LIMIT,
    DEFAULT_TIMEOUT,
    EVENTS_PATH,
    MAX_PAGE_SIZE,
    MAX_PAGES,
    USER_AGENT,
)
from klen_desktop.api.errors import MalformedResponse, RateLimited
from klen_desktop.api.exchange import HIDDEN, Exchange
from klen_desktop.api.models import (
    Availability,
    EventDetail,
    EventInput,
    EventPage,
    EventPatch,
    EventStatus,
    EventSummary,
    WriteResult,
    parse_model,
)
from klen_desktop.api.retry import DEFAULT_RETRY, RetryPolicy
from klen_desktop.api.transport import check_injected_http, normalize_base_url, resolve_on_origin

_EVENT_REF = re.compile(r"[A-Za-z0-9_-]{1,100}")
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")  # visible ASCII: anything else could split or forge a header


def _event_ref(event_id: int | str) -> str:
    """The ``{event_id}`` path segment: a positive integer id or a uuid, never anything that could change the path."""
    if isinstance(event_id, bool) or not isinstance(event_id, int | str):
        raise TypeError("event_id must be an int id or a uuid string")
    if isinstance(event_id, int):
        if event_id < 1:
            raise ValueError("event_id must be a positive integer")
        return str(event_id)
    text = event_id.strip()
    if not _EVENT_REF.fullmatch(text):
        raise ValueError("event_id must be a numeric id or a uuid")
    return quote(text, safe="")


def last_page(result: EventPage, page_size: int) -> int:
    """The last page a walk may read after ``result``: what ``pages`` says, but never more than ``count`` and the
    page size allow, nor more than :data:`MAX_PAGES`.

    A server's ``limit`` is believed only when it is at most the size asked for (a server may clamp it down);
    ``count`` and ``pages`` are both server claims, so the walk trusts the smaller of the two.
    """
    per_page = result.limit if 1 <= result.limit <= page_size else page_size
    by_count = max(1, -(-max(result.count, 0) // per_page))
    return max(1, min(result.pages, by_count, MAX_PAGES))


def _query_date(value: date) -> str:
    # A datetime is a date too; its date part depends on its zone, so ask for a plain date instead of guessing.
    if isinstance(value, datetime):
        raise TypeError("pass a date, not a datetime, as a date filter")
    return value.isoformat()


@functools.cache
def _verified_tls() -> ssl.SSLContext:
    """The one verifying TLS context of the process, as ``httpx.AsyncClient(verify=True)`` would build it.

    Each context loads every certificate authority (some 50 ms and a few MiB), and the app holds several
    clients (sync, interactive, key check): they share this one.
    """
    return httpx.create_ssl_context()


@functools.cache
def _trusting_nobody() -> ssl.SSLContext:
    """A TLS context that checks certificates and host names but trusts no authority: for plain-http loopback
    servers (demo mode), which never speak TLS. Loading the authorities would cost a few MiB for nothing, and
    should anything send such a client to an https address, the handshake fails instead of trusting it."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _tls_for(base: httpx.URL) -> ssl.SSLContext:
    return _trusting_nobody() if base.scheme == "http" else _verified_tls()


def app_http_client(base: httpx.URL, timeout: httpx.Timeout) -> httpx.AsyncClient:
    """The httpx client the app talks to ``base`` with: on asyncio's own connections (api/asyncio_transport.py),
    unless the system names a proxy; httpx's default transport then takes it, with NO_PROXY and all as before."""
    tls = _tls_for(base)
    if urllib.request.getproxies():  # what httpx reads too (trust_env); a given transport would turn it off
        return httpx.AsyncClient(verify=tls, timeout=timeout)
    return httpx.AsyncClient(transport=AsyncioTransport(tls), timeout=timeout)


class KlenClient:
    """Async client of one Klen account (one API key) at ``base_url`` (``https://api.klen.ai``).

    Use as ``async with KlenClient(url, key) as client: ...`` or call :meth:`aclose`. Methods raise the
    errors of :mod:`klen_desktop.api.errors`; ValueError or TypeError mean the caller passed bad arguments.
    ``requests_sent`` counts the HTTP attempts that actually went out (retries included; attempts refused
    before sending are not counted), which the sync layer uses to stay within the per-minute limit.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        user_agent: str | None = None,
        on_rate_limited: Callable[[RateLimited], None] | None = None,
    ) -> None:
        self._base = normalize_base_url(base_url)
        if not isinstance(api_key, str) or not _KEY_CHARS.fullmatch(api_key):
            # Say nothing about the value itself: it may be a real key pasted with a stray character.
            raise ValueError("The API key is empty or contains spaces or non-ASCII characters.")
        limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        if http is not None:
            check_injected_http(self._base, http)
        self._owns_http = http is None
        self._http = http if http is not None else app_http_client(self._base, limits)
        self._exchange = Exchange(
            base=self._base,
            api_key=api_key,
            http=self._http,
            timeout=limits,
            retry=retry,
            sleep=sleep,
            user_agent=user_agent or USER_AGENT,
            on_rate_limited=on_rate_limited,
        )

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP connections if this client opened them; an ``http`` passed in is left open."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"KlenClient(base_url={self.base_url!r}, api_key={HIDDEN!r})"

    @property
    def base_url(self) -> str:
        """The normalised server address (no trailing slash, no ``/api/v1``)."""
        return str(self._base).rstrip("/")

    @property
    def requests_sent(self) -> int:
        return self._exchange.requests_sent

    # -- events ------------------------------------------------------------------------------------------

    async def list_events(
        self,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
        status: EventStatus | None = None,
        page: int = 1,
        limit: int = DEFAULT_PAGE_LIMIT,
    ) -> EventPage:
        """One page of events whose start is in the date range (server defaults: today to today + 30 days)."""
        if page < 1 or limit < 1:
            raise ValueError("page and limit must be at least 1")
        params: dict[str, str] = {"page": str(page), "limit": str(limit)}
        if start_date is not None:
            params["start_date"] = _query_date(start_date)
        if end_date is not None:
            params["end_date"] = _query_date(end_date)
        if status is not None:
            params["status"] = EventStatus(status).value
        body = await self._exchange.json("GET", EVENTS_PATH, params=params)
        return parse_model(EventPage, body)

    async def iter_events(
        self,
        *,
        start_date: date,
        end_date: date,
        status: EventStatus | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[EventSummary]:
        """Every readable event in the range, page after page until the last one (see :func:`last_page`).

        The API pages by offset, so an event created or removed while the walk runs can shift the pages:
        an event seen twice is yielded once, but one may be missed; a sync should walk again later (the sync
        walks with :meth:`list_events` itself, to check each walk's consistency). Events the parser could not
        read are left out (see :attr:`EventPage.rejected`).
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        seen: set[int] = set()
        page = 1
        last = MAX_PAGES
        while True:
            result = await self.list_events(
                start_date=start_date, end_date=end_date, status=status, page=page, limit=page_size
            )
            for event in result.events:
                if event.id not in seen:
                    seen.add(event.id)
                    yield event
            last = min(last, last_page(result, page_size))
            if not result.events or page >= last:
                break
            page += 1
        if result.events and page >= MAX_PAGES and result.pages > MAX_PAGES and result.count > len(seen):
            raise MalformedResponse(f"The server kept reporting more pages after {MAX_PAGES}; the walk was stopped.")

    async def list_all_events(
        self,
        *,
        start_date: date,
        end_date: date,
        status: EventStatus | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[EventSummary]:
        """:meth:`iter_events` collected into a list."""
        return [
            event
            async for event in self.iter_events(
                start_date=start_date, end_date=end_date, status=status, page_size=page_size
            )
        ]

    async def get_event(self, event_id: int | str) -> EventDetail:
        """The full event, by integer id or uuid."""
        body = await self._exchange.json("GET", f"{EVENTS_PATH}/{_event_ref(event_id)}")
        return parse_model(EventDetail, body)

    async def create_event(self, data: EventInput) -> WriteResult:
        """Create an event. Counts against the daily creation limit; never sent twice unless surely not received."""
        body = await self._exchange.json("POST", f"{EVENTS_PATH}/create", json_body=data.to_payload(), is_create=True)
        return parse_model(WriteResult, body)

    async def update_event(self, event_id: int | str, patch: EventPatch) -> WriteResult:
        """Change only the fields set in ``patch`` (PATCH). Raises ValueError for a patch that changes nothing."""
        payload = patch.to_payload()
        if not payload:
            raise ValueError("the patch sets no field")
        body = await self._exchange.json("PATCH", f"{EVENTS_PATH}/{_event_ref(event_id)}/update", json_body=payload)
        return parse_model(WriteResult, body)

    async def replace_event(self, event_id: int | str, data: EventInput) -> WriteResult:
        """Replace the event with ``data`` (PUT): fields not sent go back to their defaults on the server."""
        path = f"{EVENTS_PATH}/{_event_ref(event_id)}/update"
        body = await self._exchange.json("PUT", path, json_body=data.to_payload())
        return parse_model(WriteResult, body)

    async def cancel_event(self, event_id: int | str, reason: str | None = None) -> WriteResult:
        """Cancel the event; ``reason`` is appended to its customer notes by the server."""
        payload: dict[str, Any] = {} if reason is None else {"reason": reason}
        body = await self._exchange.json("POST", f"{EVENTS_PATH}/{_event_ref(event_id)}/cancel", json_body=payload)
        return parse_model(WriteResult, body)

    async def availability(
        self, *, start_date: date | None = None, end_date: date | None = None, duration: int = 30
    ) -> Availability:
        """Free slots of ``duration`` minutes (1-180) in the range (server default: today to today + 7 days)."""
        params: dict[str, str] = {"duration": str(duration)}
        if start_date is not None:
            params["start_date"] = _query_date(start_date)
        if end_date is not None:
            params["end_date"] = _query_date(end_date)
        body = await self._exchange.json("GET", AVAILABILITY_PATH, params=params)
        return parse_model(Availability, body)

    # -- ICS ---------------------------------------------------------------------------------------------

    def ics_absolute_url(self, ics_url: str) -> str:
        """The absolute address of an event's ``ics_url`` (relative, like ``/calendar/event/{uuid}/calendar.ics``).

        Raises :class:`MalformedResponse` when the link points anywhere but this client's server.
        """
        return str(resolve_on_origin(self._base, ics_url))

    async def download_ics(self, ics_url: str, *, max_bytes: int = DEFAULT_ICS_MAX_BYTES) -> bytes:
        """The event's ICS file. Raises :class:`MalformedResponse` if it is larger than ``max_bytes`` or not ICS."""
        target = resolve_on_origin(self._base, ics_url)
        data = await self._exchange.download(target, accept="text/calendar", max_bytes=max_bytes)
        if not data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"BEGIN:VCALENDAR"):
            raise MalformedResponse("The server's ICS download is not an iCalendar file.", field="ics_url")
        return data
