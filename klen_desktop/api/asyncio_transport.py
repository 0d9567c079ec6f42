"""httpx's network layer for the app: HTTP/1.1 on asyncio's own streams, with h11 reading and writing the protocol.

httpx's default transport is httpcore, and under asyncio httpcore runs on anyio. Together they keep some 2.5 MiB
resident (anyio's asyncio backend alone 1.6 MiB) to do what asyncio already does: open a connection with a timeout,
wrap it in TLS, read and write. Here asyncio does that, and h11 (the parser httpcore itself uses) speaks HTTP/1.1.
Where the system names a proxy (``HTTPS_PROXY``...), the app keeps httpx's default transport, which goes through
it (:func:`klen_desktop.api.client.app_http_client`).

Each connection serves one exchange at a time and goes back to an idle list once its answer was read to the end;
an answer dropped half read closes its connection, so a next request never reads the rest of an old one. Idle
connections are closed after :data:`KEEPALIVE_EXPIRY` or once the server closed them. Failures come out as
httpx's own errors (``ConnectError``, ``ReadTimeout``, ``RemoteProtocolError``...), each caused by the underlying
``OSError``, ``ssl.SSLError`` or ``h11`` error, as httpx's default transport raises them.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from types import TracebackType

import h11
import httpx

log = logging.getLogger(__name__)

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx's default
MAX_IDLE = 10  # idle connections kept in all; the app rarely has more than two requests out at once
_READ_SIZE = 64 * 1024
# The longest header block accepted, as httpcore has it: past it the answer is a protocol error, not a hang.
_MAX_HEADER_BYTES = 100 * 1024
_CLOSE_TIMEOUT = 2.0

Origin = tuple[bytes, bytes, int]


class _Connection:
    """One TCP (or TLS) connection and the h11 state of its current exchange."""

    def __init__(self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEADER_BYTES)
        self.idle_since = time.monotonic()

    def reusable(self, now: float) -> bool:
        # A server that closed the connection while it idled has left the reader at its end; one that sent
        # anything while no request was out has left bytes that would be read as the next answer's start.
        return (
            now - self.idle_since < KEEPALIVE_EXPIRY
            and not self.reader.at_eof()
            and not getattr(self.reader, "_buffer", b"")
            and not self.writer.is_closing()
            and self.h11.our_state is h11.IDLE
        )

    async def send(self, data: bytes, timeout: float | None) -> None:
        self.writer.write(data)
        try:
            async with asyncio.timeout(timeout):
                await self.writer.drain()
        except TimeoutError as exc:
            raise httpx.WriteTimeout("Timed out sending the request.") from exc
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc

    async def next_event(self, timeout: float | None) -> object:
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            try:
                async with asyncio.timeout(timeout):
                    data = await self.reader.read(_READ_SIZE)
            except TimeoutError as exc:
                raise httpx.ReadTimeout("Timed out waiting for the server's answer.") from exc
            except OSError as exc:
                raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
            if not data and self.h11.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            try:
                self.h11.receive_data(data)
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc

    def close(self) -> None:
        self.writer.close()

    async def closed(self) -> None:
        self.close()
        with suppress(OSError, TimeoutError, ssl.SSLError):
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await self.writer.wait_closed()


class _AnswerBody(httpx.AsyncByteStream):
    """The body of one answer, read from its connection as httpx asks for it."""

    def __init__(self, transport: AsyncioTransport, connection: _Connection, read_timeout: float | None) -> None:
        self._transport = transport
        self._connection = connection
        self._read_timeout = read_timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while not self._done:
                event = await self._connection.next_event(self._read_timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._done = True
                    self._transport.finished(self._connection)
                elif isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError("Server disconnected in the middle of its answer.")
        except BaseException:
            self._done = True
            self._transport.retire(self._connection)
            raise

    async def aclose(self) -> None:
        if not self._done:  # dropped half read: the rest would be read as the next answer
            self._done = True
            self._transport.retire(self._connection)
            await self._connection.closed()


class AsyncioTransport(httpx.AsyncBaseTransport):
    """httpx transport over asyncio streams; ``ssl_context`` is used for every https origin."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self.ssl_context = ssl_context
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port or _default_port(request.url))
        connection = self._idle_connection(origin) or await self._connect(origin, timeouts.get("connect"))
        try:
            await self._send(connection, request, timeouts.get("write"))
            answer = await self._answer_head(connection, timeouts.get("read"))
        except BaseException:
            self.retire(connection)
            raise
        return httpx.Response(
            status_code=answer.status_code,
            headers=[(name, value) for name, value in answer.headers],
            stream=_AnswerBody(self, connection, timeouts.get("read")),
            extensions={"http_version": b"HTTP/" + answer.http_version, "reason_phrase": bytes(answer.reason)},
        )

    def finished(self, connection: _Connection) -> None:
        """``connection``'s answer was read to its end: keep it for the next request if both sides may."""
        if connection.h11.our_state is h11.DONE and connection.h11.their_state is h11.DONE:
            connection.h11.start_next_cycle()
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
            while len(self._idle) > MAX_IDLE:
                self.retire(self._idle.pop(0))
        else:
            self.retire(connection)

    async def aclose(self) -> None:
        connections, self._open, self._idle = list(self._open), set(), []
        await asyncio.gather(*(connection.closed() for connection in connections))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        now = time.monotonic()
        for connection in list(self._idle):
            if connection.reusable(now):
                if connection.origin == origin:
                    self._idle.remove(connection)
                    return connection
            else:
                self._idle.remove(connection)
                self.retire(connection)
        return None

    def retire(self, connection: _Connection) -> None:
        """Close ``connection`` for good: its exchange failed or was dropped, or it is no longer wanted."""
        connection.close()
        self._open.discard(connection)

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        name = host.decode("ascii")
        tls = scheme == b"https"
        log.debug("connecting to %s port %d%s", name, port, " (TLS)" if tls else "")
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    name,
                    port,
                    ssl=self.ssl_context if tls else None,
                    server_hostname=name if tls else None,
                    limit=_READ_SIZE,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"Timed out connecting to {name}.") from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        connection = _Connection(origin, reader, writer)
        self._open.add(connection)
        return connection

    async def _send(self, connection: _Connection, request: httpx.Request, timeout: float | None) -> None:
        head = h11.Request(method=request.method, target=request.url.raw_path, headers=list(request.headers.raw))
        try:
            await connection.send(connection.h11.send(head) or b"", timeout)
            assert isinstance(request.stream, httpx.AsyncByteStream)  # an AsyncClient's requests stream so
            async for chunk in request.stream:
                await connection.send(connection.h11.send(h11.Data(data=chunk)) or b"", timeout)
            await connection.send(connection.h11.send(h11.EndOfMessage()) or b"", timeout)
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc

    async def _answer_head(self, connection: _Connection, timeout: float | None) -> h11.Response:
        while True:
            event = await connection.next_event(timeout)
            if isinstance(event, h11.Response):
                return event
            if isinstance(event, h11.ConnectionClosed):
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            # An informational answer (100 Continue, 103 Early Hints) comes before the real one.


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


__all__ = ["KEEPALIVE_EXPIRY", "MAX_IDLE", "AsyncioTransport"]
