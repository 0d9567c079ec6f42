"""The running app's end of its single-instance socket on POSIX systems: a Unix socket file, served by asyncio.

The socket is bound and listening as soon as the tray icon shows (the kernel queues a second launch's connection
and its message until the event loop runs); asyncio's streams serve it once the loop runs. QtNetwork's local server
did the same job for about 3 MiB of resident libraries and bindings that the app needs nowhere else on these systems
(Windows keeps it: its named pipes are what asyncio's default loop there does not serve).

Each connection carries one message: a second launch's lines (read until it hangs up) or one JSON request line
(read up to its newline, at most ``MAX_REQUEST`` bytes), every read bounded by :data:`READ_TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket as sockets
import stat
from collections.abc import Callable
from pathlib import Path

from klen_desktop.command_line.protocol import MAX_REQUEST, is_request
from klen_desktop.paths import PRIVATE_FILE_MODE

log = logging.getLogger(__name__)

READ_TIMEOUT = 5.0
# A second launch says one word and perhaps its activation token: never more than this.
MAX_LAUNCH_MESSAGE = 1024
BACKLOG = 16


class StreamConnection:
    """One accepted connection, as :class:`~klen_desktop.ui.single_instance.SingleInstance` answers it."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def descriptor(self) -> int:
        sock = self._writer.get_extra_info("socket")
        return -1 if sock is None else int(sock.fileno())

    def reply(self, data: bytes) -> None:
        """Write ``data`` and hang up once it has gone out (the transport flushes before it closes)."""
        if self._writer.is_closing():
            return  # the command line gave up waiting
        self._writer.write(data)
        self._writer.close()

    def close(self) -> None:
        self._writer.close()


def bind(path: str) -> sockets.socket:
    """A listening Unix socket at ``path`` (a file left by a crash is replaced: the caller holds the lock)."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    sock = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    try:
        sock.bind(path)
        # The folder is 0700 already; the file's own bits say the same to anyone who looks.
        os.chmod(path, PRIVATE_FILE_MODE)
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def read_message(reader: asyncio.StreamReader) -> bytes:
    """The connection's one message: a request up to its newline, a launch's lines up to the hang-up.

    Stops early past the size either may have, returning what was read (too long is the caller's to say).
    """
    data = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return data
        data += chunk
        if is_request(data):
            if b"\n" in data or len(data) > MAX_REQUEST:
                return data
        elif len(data) > MAX_LAUNCH_MESSAGE:
            return data


class UnixListener:
    """Serves ``sock`` on the running loop; ``on_message(data, connection)`` gets each connection's message."""

    def __init__(self, sock: sockets.socket, on_message: Callable[[bytes, StreamConnection], None]) -> None:
        self._sock = sock
        self._path = str(sock.getsockname())
        self._on_message = on_message
        self._server: asyncio.AbstractServer | None = None
        self._closed = False

    async def serve(self) -> None:
        """Accept connections until :meth:`close` (the kernel held those that came before)."""
        if self._closed:
            return
        self._server = await asyncio.start_unix_server(self._connected, sock=self._sock)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = StreamConnection(writer)
        try:
            data = await asyncio.wait_for(read_message(reader), READ_TIMEOUT)
        except (TimeoutError, ConnectionError) as exc:
            log.info("dropped a connection to the instance socket: %s", type(exc).__name__)
            connection.close()
            return
        self._on_message(data, connection)

    def close(self) -> None:
        """Stop listening and remove the socket file (only ours: the lock says no one else uses the name)."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        else:
            self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            Path(self._path).unlink()
