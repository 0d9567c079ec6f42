"""A hostile Klen server for tests: raw HTTP/1.1 on loopback, every answer scriptable.

Unlike the emulator (a faithful server), this one says whatever a test tells it to, byte by byte: any status,
headers and body, a wait before the status line, a body dripped a few bytes at a time, a connection dropped
before any byte, in the middle of the head or of the body, a ``Content-Length`` that lies, chunked framing, a
body of hundreds of megabytes streamed from a generator. What it is not told, it answers like a correct Klen
API from its :class:`SaneCalendar` (list pages with pagination, details, ``404`` otherwise), so a test perturbs
only what it wants.

It runs its own asyncio loop in its own thread, so the same server works under a test's plain asyncio loop, the
suite's qasync loop, or none. It is bounded: each connection lives at most ``connection_limit`` seconds, an idle
one is closed after ``idle_timeout``, and the whole server stops itself after ``lifetime``.

Every request is recorded (:class:`SeenRequest`) without the key: the ``Authorization`` value is reduced to
whether it was exactly ``Bearer <key>``, and whether the key showed up anywhere else (target, another header,
body) is recorded as a flag.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, urlsplit

from klen_desktop.emulator import shapes
from klen_desktop.emulator.model import EventFields, EventRow

EVENTS_PATH = "/api/v1/calendar/events"
DEFAULT_KEY = "klen_hostile_test_key"
MAX_PAGE = 100  # the emulator's clamp; a sane answer behaves the same
_MAX_HEAD = 64 * 1024
_MAX_REQUEST_BODY = 1024 * 1024
_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
_REASONS |= {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}

Drop = Literal["before_headers", "mid_headers", "mid_body"]
BodySource = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``body`` is bytes, or a factory of an iterable of chunks (streamed, never held whole: a 200 MB body costs the
    server one chunk). ``content_length``: ``"auto"`` sends the true length for bytes (and none for a stream),
    ``None`` sends none, an int sends that number whatever the body's length (after a lie the connection is
    closed, as nothing sane can follow it). Without a length and without ``chunked`` the body ends when the
    connection closes. ``delay`` waits before the status line; ``drip=(n, seconds)`` sends the body ``n`` bytes at
    a time with ``seconds`` between sends. ``drop`` closes the connection before any byte, after ``drop_after``
    bytes of the head, or after ``drop_after`` bytes of the body.
    """

    status: int = 200
    body: BodySource = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = "application/json"
    content_length: int | Literal["auto"] | None = "auto"
    chunked: bool = False
    delay: float = 0.0
    drip: tuple[int, float] | None = None
    drop: Drop | None = None
    drop_after: int = 0
    keep_alive: bool = True
    reason: str | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200, **kwargs: Any) -> Reply:
        return cls(status=status, body=json.dumps(value).encode(), **kwargs)

    @classmethod
    def error(cls, status: int, code: str, message: str, *, retry_after: str | None = None, **kwargs: Any) -> Reply:
        """The API's error envelope; ``retry_after`` is sent verbatim as ``Retry-After``."""
        headers = tuple(kwargs.pop("headers", ()))
        if retry_after is not None:
            headers += (("Retry-After", retry_after),)
        return cls.json({"error": code, "message": message}, status, headers=headers, **kwargs)

    @classmethod
    def dropped(cls, where: Drop = "before_headers", after: int = 0, body: BodySource = b"") -> Reply:
        return cls(drop=where, drop_after=after, body=body)


def repeated(chunk: bytes, total: int, *, head: bytes = b"", tail: bytes = b"") -> Callable[[], Iterator[bytes]]:
    """A body factory: ``head``, then ``chunk`` repeated up to ``total`` bytes in all, then ``tail``."""

    def chunks() -> Iterator[bytes]:
        yield head
        left = total - len(head) - len(tail)
        while left > 0:
            piece = chunk if left >= len(chunk) else chunk[:left]
            left -= len(piece)
            yield piece
        yield tail

    return chunks


@dataclass(frozen=True)
class SeenRequest:
    """A request as the server saw it, without the key. ``number`` counts from 1 over the server's life."""

    number: int
    method: str
    path: str
    query: dict[str, str]
    headers: tuple[tuple[str, str], ...]
    bearer_ok: bool
    key_elsewhere: bool
    body: bytes
    at: float


Handler = Callable[[SeenRequest, int], "Reply | None"]


@dataclass
class _Route:
    method: str
    pattern: str
    replies: deque[Reply] | None
    handler: Handler | None
    seen: int = 0

    def matches(self, request: SeenRequest) -> bool:
        return self.method in ("*", request.method) and fnmatch.fnmatchcase(request.path, self.pattern)


def event(event_id: int, start: datetime, minutes: int = 30, **fields: Any) -> EventRow:
    """A server event as the emulator would hold it; ``fields`` are :class:`EventFields` names."""
    start = start.astimezone(UTC).replace(microsecond=start.microsecond // 1000 * 1000)
    values = EventFields(title=fields.pop("title", f"Event {event_id}"), start_time=start,
                         end_time=start + timedelta(minutes=minutes), **fields)  # fmt: skip
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    return EventRow(event_id, f"00000000-0000-4000-8000-{event_id:012d}", values, stamp, stamp)


class SaneCalendar:
    """What the server answers when not told otherwise: a correct Klen API over a list of events.

    Shapes are the emulator's own (:mod:`klen_desktop.emulator.shapes`); the list is ordered by start time
    then id, filtered by start date in ``[start_date, end_date]`` (UTC days), paged with ``limit`` clamped to
    100, and ``pages`` is ``ceil(count / limit)``. Thread-safe: tests change it while the server runs.
    """

    def __init__(self, events: Iterable[EventRow] = ()) -> None:
        self._lock = threading.Lock()
        self._events: dict[int, EventRow] = {e.id: e for e in events}

    def set(self, events: Iterable[EventRow]) -> None:
        with self._lock:
            self._events = {e.id: e for e in events}

    def put(self, *events: EventRow) -> None:
        with self._lock:
            self._events.update((e.id, e) for e in events)

    def remove(self, *event_ids: int) -> None:
        with self._lock:
            for event_id in event_ids:
                self._events.pop(event_id, None)

    @property
    def events(self) -> list[EventRow]:
        with self._lock:
            return sorted(self._events.values(), key=lambda e: (e.fields.start_time, e.id))

    def in_range(self, start: date, end: date) -> list[EventRow]:
        return [e for e in self.events if start <= e.fields.start_time.date() <= end]

    def page(self, request: SeenRequest) -> dict[str, Any]:
        """The list answer to ``request`` (its query's dates, page and limit), as a JSON-ready dict."""
        today = datetime.now(UTC).date()
        start = _query_date(request.query.get("start_date"), today)
        end = _query_date(request.query.get("end_date"), start + timedelta(days=30))
        page = _query_int(request.query.get("page"), 1)
        limit = min(_query_int(request.query.get("limit"), 10), MAX_PAGE)
        rows = self.in_range(start, end)
        chosen = rows[(page - 1) * limit : page * limit]
        return {
            "count": len(rows),
            "page": page,
            "limit": limit,
            "pages": math.ceil(len(rows) / limit),
            "events": [shapes.summary(e) for e in chosen],
        }

    def detail(self, ref: str) -> dict[str, Any] | None:
        with self._lock:
            for e in self._events.values():
                if ref in (str(e.id), e.uuid):
                    return shapes.detail(e)
        return None

    def answer(self, request: SeenRequest) -> Reply:
        if request.method == "GET" and request.path == EVENTS_PATH:
            return Reply.json(self.page(request))
        if request.method == "GET" and request.path.startswith(EVENTS_PATH + "/"):
            found = self.detail(request.path.removeprefix(EVENTS_PATH + "/"))
            if found is not None:
                return Reply.json(found)
        return Reply.error(404, "not_found", "Event not found or you do not have access")


def _query_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _query_int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and int(text) > 0 else default


class HostileServer:
    """``HostileServer().start()``; ``url`` to point a client at; ``script(...)`` to perturb; ``stop()`` once.

    Requests without ``Authorization: Bearer <api_key>`` get the API's 401 unless a script answers them.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_KEY,
        events: Iterable[EventRow] = (),
        lifetime: float = 600.0,
        connection_limit: float = 180.0,
        idle_timeout: float = 30.0,
    ) -> None:
        self.api_key = api_key
        self.calendar = SaneCalendar(events)
        self._lifetime = lifetime
        self._connection_limit = connection_limit
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._routes: list[_Route] = []
        self._seen: list[SeenRequest] = []
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0
        self.connections_opened = 0
        self.bytes_sent = 0

    # -- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10.0) or not self.port:
            raise RuntimeError("the hostile server did not start within 10 s")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and self._stopped is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended by itself (lifetime) meanwhile
                loop.call_soon_threadsafe(self._stopped.set)
        if thread is not None:
            thread.join(10.0)
            if thread.is_alive():
                raise RuntimeError("the hostile server did not stop within 10 s")

    def wait_stopped(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the server to end (by :meth:`stop` or its lifetime); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0, limit=_MAX_HEAD)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._lifetime)
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 5.0)

    # -- scripting --------------------------------------------------------------------------------------

    def script(self, pattern: str, replies: Reply | Sequence[Reply] | Handler, *, method: str = "GET") -> None:
        """Answer requests whose path matches ``pattern`` (fnmatch, ``*`` for any method with ``method="*"``).

        ``replies``: one reply (every time), a sequence (one per request, then the sane answer again), or a
        function ``(request, n) -> Reply | None`` where ``n`` counts this route's requests from 1 and None means
        the sane answer. Earlier scripts win over later ones while they still have replies.
        """
        if isinstance(replies, Reply):
            only = replies
            route = _Route(method, pattern, None, lambda _request, _n: only)
        elif callable(replies):
            route = _Route(method, pattern, None, replies)
        else:
            route = _Route(method, pattern, deque(replies), None)
        with self._lock:
            self._routes.append(route)

    def reset(self, events: Iterable[EventRow] | None = None) -> None:
        """Forget every script and recorded request; with ``events``, the calendar becomes those."""
        with self._lock:
            self._routes.clear()
            self._seen.clear()
        if events is not None:
            self.calendar.set(events)

    @property
    def requests(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._seen)

    def list_requests(self) -> list[SeenRequest]:
        return [r for r in self.requests if r.method == "GET" and r.path == EVENTS_PATH]

    def assert_key_only_as_bearer(self) -> None:
        """Every request carried the key as ``Authorization: Bearer`` and nowhere else."""
        for request in self.requests:
            assert request.bearer_ok, f"request {request.number} ({request.method} {request.path}) lacks the Bearer key"
            assert not request.key_elsewhere, f"request {request.number} carries the key outside Authorization"

    def _choose(self, request: SeenRequest) -> Reply:
        with self._lock:
            for route in self._routes:
                if not route.matches(request):
                    continue
                if route.replies is not None:
                    if not route.replies:
                        continue
                    route.seen += 1
                    return route.replies.popleft()
                route.seen += 1
                handler, n = route.handler, route.seen
                break
            else:
                handler, n = None, 0
        chosen = handler(request, n) if handler is not None else None
        if chosen is not None:
            return chosen
        if not request.bearer_ok:
            return Reply.error(401, "invalid_key", "Invalid or inactive API key")
        return self.calendar.answer(request)

    # -- the wire ---------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.connections_opened += 1
        try:
            await asyncio.wait_for(self._exchange_all(reader, writer), self._connection_limit)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # a client that went away or sent garbage: this connection is over, the server goes on
        except asyncio.CancelledError:
            pass  # the server is stopping
        finally:
            self._connections.discard(task)
            writer.transport.abort()

    async def _exchange_all(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._idle_timeout)
            request, client_keeps = await self._read_request(head, reader)
            reply = self._choose(request)
            if not await self._send(reply, writer) or not (client_keeps and reply.keep_alive):
                return

    async def _read_request(self, head: bytes, reader: asyncio.StreamReader) -> tuple[SeenRequest, bool]:
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        raw_headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
        lowered = {name.lower(): value for name, value in raw_headers}
        length = int(lowered.get("content-length", "0") or 0)
        body = await reader.readexactly(min(length, _MAX_REQUEST_BODY)) if length else b""
        auth = lowered.get("authorization", "")
        kept = tuple((name, "<hidden>" if name.lower() == "authorization" else value) for name, value in raw_headers)
        elsewhere = self.api_key in target or self.api_key.encode() in body
        elsewhere |= any(self.api_key in value for name, value in raw_headers if name.lower() != "authorization")
        split = urlsplit(target)
        with self._lock:
            self._count += 1
            request = SeenRequest(
                number=self._count,
                method=method,
                path=split.path,
                query=dict(parse_qsl(split.query, keep_blank_values=True)),
                headers=kept,
                bearer_ok=auth == f"Bearer {self.api_key}",
                key_elsewhere=elsewhere,
                body=body,
                at=time.monotonic(),
            )
            self._seen.append(request)
        return request, lowered.get("connection", "").lower() != "close"

    async def _send(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        """Write ``reply``; False when the connection must not carry another exchange."""
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop == "before_headers":
            return False
        streamed = not isinstance(reply.body, bytes)
        body: Iterable[bytes] = [reply.body] if isinstance(reply.body, bytes) else reply.body()
        declared = reply.content_length
        if declared == "auto":
            declared = None if streamed else len(reply.body)  # type: ignore[arg-type]
        reusable = reply.keep_alive and reply.drop is None and (declared is not None or reply.chunked)
        if declared is not None and not streamed and declared != len(reply.body):  # type: ignore[arg-type]
            reusable = False
        head = self._head(reply, declared, reusable)
        if reply.drop == "mid_headers":
            await self._write(writer, head[: reply.drop_after or len(head) // 2])
            return False
        await self._write(writer, head)
        limit = reply.drop_after if reply.drop == "mid_body" else None
        sent = 0
        for chunk in body:
            if limit is not None and sent + len(chunk) >= limit:
                chunk = chunk[: limit - sent]
            if chunk:
                await self._write_body(writer, chunk, reply)
                sent += len(chunk)
            if limit is not None and sent >= limit:
                return False
        if reply.chunked:
            await self._write(writer, b"0\r\n\r\n")
        return reusable

    def _head(self, reply: Reply, declared: int | None, reusable: bool) -> bytes:
        reason = reply.reason if reply.reason is not None else _REASONS.get(reply.status, "Status")
        lines = [f"HTTP/1.1 {reply.status} {reason}"]
        if reply.content_type is not None:
            lines.append(f"Content-Type: {reply.content_type}")
        if reply.chunked:
            lines.append("Transfer-Encoding: chunked")
        if declared is not None:
            lines.append(f"Content-Length: {declared}")
        lines.append("Connection: " + ("keep-alive" if reusable else "close"))
        lines += [f"{name}: {value}" for name, value in reply.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _write_body(self, writer: asyncio.StreamWriter, chunk: bytes, reply: Reply) -> None:
        step, pause = reply.drip if reply.drip is not None else (len(chunk), 0.0)
        for offset in range(0, len(chunk), max(1, step)):
            piece = chunk[offset : offset + max(1, step)]
            await self._write(writer, b"%x\r\n%s\r\n" % (len(piece), piece) if reply.chunked else piece)
            if pause:
                await asyncio.sleep(pause)

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        self.bytes_sent += len(data)
        await writer.drain()


def with_events(page: dict[str, Any], events: Sequence[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A copy of a list answer with other events (and other top-level values), for scripts that perturb a page."""
    return {**page, "events": list(events), **overrides}


def replace_fields(row: EventRow, **fields: Any) -> EventRow:
    return replace(row, fields=replace(row.fields, **fields))


__all__ = [
    "DEFAULT_KEY",
    "EVENTS_PATH",
    "HostileServer",
    "Reply",
    "SaneCalendar",
    "SeenRequest",
    "event",
    "repeated",
    "replace_fields",
    "with_events",
]
