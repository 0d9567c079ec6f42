"""Asking the running app: one request over its single-instance socket, one answer, every wait bounded.

POSIX systems speak to the socket file directly, Windows to the named pipe QtNetwork makes there; no Qt is
imported, so a ``klen-desktop next`` from a panel starts in tens of milliseconds.
"""

from __future__ import annotations

import socket
import sys
import time

from klen_desktop.command_line.protocol import MAX_ANSWER, Answer, ProtocolError, Request, decode_answer
from klen_desktop.i18n import _

CONNECT_TIMEOUT = 1.0


class AppDidNotAnswer(Exception):
    """The app took the request but gave no usable answer in time; the text says what happened."""


def _read_line(conn: socket.socket, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AppDidNotAnswer(_("Klen Desktop did not answer in time."))
        conn.settimeout(remaining)
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            raise AppDidNotAnswer(_("Klen Desktop did not answer in time.")) from None
        if not chunk:
            raise AppDidNotAnswer(_("Klen Desktop closed the connection without an answer."))
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            return b"".join(chunks).split(b"\n", 1)[0]
        if size > MAX_ANSWER:
            raise AppDidNotAnswer(_("Klen Desktop's answer was too long."))


def ask_app(name: str, request: Request, timeout: float) -> Answer | None:
    """The running app's answer to ``request``, or None when no app listens on ``name``.

    Raises :class:`AppDidNotAnswer` when an app took the request but did not answer within ``timeout`` seconds.
    """
    if sys.platform == "win32":
        return _ask_over_pipe(name, request, timeout)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(CONNECT_TIMEOUT)
        try:
            conn.connect(name)
        except (FileNotFoundError, ConnectionRefusedError, TimeoutError):
            return None
        conn.sendall(request.encode())
        line = _read_line(conn, time.monotonic() + timeout)
    except OSError as exc:
        raise AppDidNotAnswer(
            _("The connection to Klen Desktop failed ({error}).").format(error=type(exc).__name__)
        ) from None
    finally:
        conn.close()
    return _decoded(line)


def _decoded(line: bytes) -> Answer:
    try:
        return decode_answer(line)
    except ProtocolError as exc:
        raise AppDidNotAnswer(_("Klen Desktop's answer was not understood: {error}.").format(error=exc)) from None


def _ask_over_pipe(name: str, request: Request, timeout: float) -> Answer | None:  # pragma: no cover - Windows
    """Windows: QtNetwork's local server is a named pipe; a file opened on it reads and writes its bytes. Reads on
    it cannot time out, so they run on a daemon thread that is abandoned when the time is up."""
    import threading

    path = "\\\\.\\pipe\\" + name
    try:
        pipe = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed by the reader thread
    except OSError:
        return None
    result: list[bytes] = []

    def exchange() -> None:
        with pipe:
            pipe.write(request.encode())
            data = b""
            while b"\n" not in data and len(data) <= MAX_ANSWER:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                data += chunk
            result.append(data)

    reader = threading.Thread(target=exchange, daemon=True)
    reader.start()
    reader.join(timeout)
    if not result:
        raise AppDidNotAnswer(_("Klen Desktop did not answer in time."))
    if b"\n" not in result[0]:
        raise AppDidNotAnswer(_("Klen Desktop closed the connection without an answer."))
    return _decoded(result[0].split(b"\n", 1)[0])
