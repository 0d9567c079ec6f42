"""A tiny hostile HTTP server on loopback for the client's robustness tests (imported as ``raw_http``).

It speaks raw HTTP/1.1 from ``asyncio.start_server``, so a test can send what no framework would: a body that
drips a byte at a time, one far larger than any answer, JSON nested 100,000 deep, odd headers. Each request is
answered by the next scripted :data:`Reply` (the last one repeats); ``requests`` records the request lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Reply = Callable[[asyncio.StreamWriter], Awaitable[None]]


# One well-formed event as the API lists it, for answers that are broken everywhere else.
WIRE_EVENT = {
    "id": 7,
    "uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "title": "Standup",
    "event_type": "meeting",
    "status": "scheduled",
    "start_time": "2027-03-01T10:00:00.000Z",
    "end_time": "2027-03-01T10:30:00.000Z",
}


def head(status: int, headers: Sequence[tuple[str, str]] = (), *, length: int | None = None) -> bytes:
    """A status line and headers; ``length`` None means no Content-Length (the body ends when the socket closes)."""
    lines = [f"HTTP/1.1 {status} Status", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int, body: bytes | Any, headers: Sequence[tuple[str, str]] = (("Content-Type", "application/json"),)
) -> Reply:
    """A whole answer at once; a body that is not bytes is sent as JSON."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def reply(writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, headers, length=len(data)) + data)
        await writer.drain()

    return reply


def drip(body: bytes, every: float) -> Reply:
    """A 200 JSON answer whose body comes one byte every ``every`` seconds (each byte resets a read timeout)."""

    async def reply(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("Content-Type", "application/json")], length=len(body)))
        for byte in body:
            await writer.drain()
            await asyncio.sleep(every)
            writer.write(bytes([byte]))

    return reply


def flood(total: int, *, declare: bool = False, chunk: int = 256 * 1024) -> Reply:
    """A 200 JSON answer of ``total`` bytes (a JSON string of spaces), streamed; Content-Length only if ``declare``."""

    async def reply(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("Content-Type", "application/json")], length=total if declare else None))
        writer.write(b'"')
        sent = 1
        block = b" " * chunk
        while sent < total - 1:
            piece = block[: total - 1 - sent]
            writer.write(piece)
            sent += len(piece)
            await writer.drain()  # raises once the client hung up, which ends the flood
        writer.write(b'"')

    return reply


class RawServer:
    """``async with RawServer([replies...]) as server``: ``server.url`` is its base URL."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        if not replies:
            raise ValueError("a raw server needs at least one reply")
        self._replies = list(replies)
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            lines = request.decode("latin-1").split("\r\n")
            length = next(
                (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0
            )
            self.bodies.append(await reader.readexactly(length) if length else b"")
            self.requests.append(lines[0])
            reply = self._replies[min(len(self.requests) - 1, len(self._replies) - 1)]
            await reply(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up, which is what several tests want it to do
        except asyncio.CancelledError:
            pass  # the server is closing; ending quietly spares asyncio's stream callback a cancelled task
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
