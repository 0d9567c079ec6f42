"""One running app per user: a second launch asks the first to raise its agenda (or, with ``--quit``, to quit),
then exits; and a command of the command line (``klen-desktop next``) is answered by the running app.

The first instance takes a lock file and listens on a local socket, both in a private (0700) runtime folder
of the user, so another user on the same machine can neither see nor poke it. A launch that finds the lock
held connects to the socket and sends one line: ``raise`` or ``quit`` (``raise`` followed by ``token …`` when
the desktop gave the launch a Wayland activation token, which lets the running app take focus). The lock (not the
socket) decides who is first: two launches at the same moment cannot both remove each other's socket, and a lock
left by a crashed process is taken over (Qt checks whether its owner still runs).

A command comes as one JSON line of :mod:`klen_desktop.command_line.protocol` and gets one JSON line back: the
request is read up to its newline (at most ``MAX_REQUEST`` bytes), the peer must run as this user (Linux checks it
with ``SO_PEERCRED``; elsewhere the 0700 folder is the guard), and the answer comes from the handler given to
:meth:`SingleInstance.set_command_handler`, on the event loop, without blocking the UI.

The first instance listens only after its tray icon shows (:meth:`SingleInstance.listen`), and a second launch
meanwhile retries for two seconds. On POSIX systems the socket is a Unix socket file served by asyncio
(:mod:`klen_desktop.ui.unix_listener`), and a second launch writes to it with Python's own socket; Windows uses
QtNetwork's local server and socket, a named pipe.
"""

from __future__ import annotations

import logging
import os
import re
import socket as sockets
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QByteArray, QLockFile, QObject, QTimer, Signal

from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.protocol import (
    MAX_REQUEST,
    Answer,
    ProtocolError,
    Request,
    decode_request,
    is_request,
    runtime_dir,
    server_name,
)
from klen_desktop.paths import ensure_private_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    from klen_desktop.background_tasks import BackgroundTasks
    from klen_desktop.ui.unix_listener import UnixListener

log = logging.getLogger(__name__)

RAISE = b"raise\n"
QUIT = b"quit\n"
# On Wayland only a launch the user made may take focus: the launcher hands the new process an xdg-activation
# token, and the second launch passes it on so the running app's raise is allowed (Qt's wayland plugin uses the
# token in this variable on the next activateWindow; without one GNOME shows "is ready" instead of raising).
ACTIVATION_TOKEN = "XDG_ACTIVATION_TOKEN"
TOKEN_PREFIX = b"token "
TOKEN_CHARS = re.compile(rb"[\x21-\x7e]{1,256}")  # one printable word: nothing else goes into the environment
CONNECT_TIMEOUT_MS = 2000
# The first instance may hold the lock but not listen yet (it is starting): keep trying this long.
CONNECT_ATTEMPTS = 10
CONNECT_PAUSE = 0.2
SERVE_RETRY_MS = 20


_server_name = server_name
CommandHandler = Callable[[Request], Awaitable[Answer]]
_BUFFER = "klenRequest"  # the bytes of a request read so far, kept on its socket
_TAKEN = "klenAnswering"  # set once the socket's request was read whole
# Windows: QtNetwork's named pipe. POSIX: a Unix socket file, served by asyncio.
USE_QT_SOCKET = sys.platform == "win32"


class Connection(Protocol):
    """One accepted connection, whichever transport carries it."""

    def descriptor(self) -> int: ...

    def reply(self, data: bytes) -> None:
        """Write ``data``, then hang up once it has gone out."""

    def close(self) -> None: ...


class _QtConnection:
    def __init__(self, socket: QLocalSocket) -> None:
        self._socket = socket

    def descriptor(self) -> int:
        return int(self._socket.socketDescriptor())

    def reply(self, data: bytes) -> None:
        from PySide6.QtNetwork import QLocalSocket

        socket = self._socket
        try:
            if socket.state() is not QLocalSocket.LocalSocketState.ConnectedState:
                return  # the command line gave up waiting
            socket.write(QByteArray(data))
            socket.disconnectFromServer()  # after what was written has gone out
        except RuntimeError:  # the socket was deleted meanwhile (the peer left)
            return

    def close(self) -> None:
        try:
            self._socket.abort()
        except RuntimeError:
            return


def peer_is_this_user(descriptor: int) -> bool:
    """True when the process at the other end of the local socket ``descriptor`` runs as this user (Linux's
    ``SO_PEERCRED``); True where the system cannot say, as the socket's private folder already keeps others out."""
    if descriptor < 0:
        return False
    option = getattr(sockets, "SO_PEERCRED", None)
    if option is None:
        return True
    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM, fileno=os.dup(descriptor)) as peer:
        _pid, uid, _gid = struct.unpack("3i", peer.getsockopt(sockets.SOL_SOCKET, option, struct.calcsize("3i")))
    return bool(uid == os.getuid())


class SingleInstance(QObject):
    """``claim()`` once at start-up: True means run (then ``listen()``); False means another instance was asked
    to raise."""

    raise_requested = Signal()
    quit_requested = Signal()

    def __init__(self, folder: Path | None = None, *, qt_socket: bool = USE_QT_SOCKET) -> None:
        super().__init__()
        self._folder = folder if folder is not None else runtime_dir()
        ensure_private_dir(self._folder)
        self._lock = QLockFile(str(self._folder / "instance.lock"))
        self._lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        self._name = _server_name(self._folder)
        # Tests run the Windows transport here too: QLocalServer serves a socket file on Linux.
        self._qt_socket = qt_socket
        self._server: QLocalServer | None = None
        self._listener: UnixListener | None = None
        self._handler: CommandHandler | None = None
        # Made with the first command: asyncio (and the ssl it loads) must not delay the tray icon at start.
        self._tasks: BackgroundTasks | None = None

    def set_command_handler(self, handler: CommandHandler) -> None:
        """Answer the command line's requests with ``handler`` (on the running event loop)."""
        self._handler = handler

    @property
    def server_name(self) -> str:
        return self._name

    def claim(self) -> bool:
        """Become the running instance, or tell the running one to raise its window (then return False)."""
        if self._lock.tryLock(0):
            return True
        if send_to_running(self._name, raise_message()):
            return False
        # A lock whose owner does not answer: it may have crashed between checks. Try once more to take it.
        self._lock.removeStaleLockFile()
        if self._lock.tryLock(0):
            return True
        log.warning("another Klen Desktop holds the instance lock but does not answer; starting anyway")
        return True

    def release(self) -> None:
        if self._tasks is not None:
            self._tasks.cancel_all()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._lock.unlock()

    def listen(self) -> None:
        """Answer later launches (call once after a successful :meth:`claim`)."""
        if self._server is not None or self._listener is not None:
            return
        if not self._qt_socket:
            self._listen_unix()
            return
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self._name)  # a socket file left by a crash; we hold the lock
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            log.warning("cannot listen for a second launch (%s): it will start a second app", server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _listen_unix(self) -> None:
        from klen_desktop.ui.unix_listener import UnixListener, bind

        try:
            sock = bind(self._name)
        except OSError as exc:
            log.warning("cannot listen for a second launch (%s): it will start a second app", exc)
            return
        listener = UnixListener(sock, self._message)
        self._listener = listener
        # Bound now, so the kernel queues what comes; served once the event loop runs (at start it does not yet).
        QTimer.singleShot(0, self._serve)

    def _serve(self) -> None:
        import asyncio

        if self._listener is None:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # Qt ran its events before the app's event loop started (the boot does)
            QTimer.singleShot(SERVE_RETRY_MS, self._serve)
            return
        self._spawn(self._listener.serve())

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)  # the message may have arrived before readyRead was connected

    def _read(self, socket: QLocalSocket) -> None:
        if socket.property(_TAKEN):
            socket.readAll()  # one request a connection: what follows it is dropped, never run
            return
        data = bytes(socket.property(_BUFFER) or b"") + bytes(socket.readAll().data())
        if is_request(data) and b"\n" not in data and len(data) <= MAX_REQUEST:
            socket.setProperty(_BUFFER, QByteArray(data))  # the rest of the line is still on its way
            return
        socket.setProperty(_TAKEN, True)
        self._message(data, _QtConnection(socket))

    def _message(self, data: bytes, connection: Connection) -> None:
        """A connection's message, read whole: a command line's request, or a second launch's lines."""
        if is_request(data):
            self._request(connection, data)
            return
        lines = data.split(b"\n")
        connection.close()
        if QUIT.strip() in lines:
            log.info("a second launch asked the app to quit")
            self.quit_requested.emit()
        elif RAISE.strip() in lines:
            log.info("a second launch asked to raise the agenda")
            for line in lines:
                token = line[len(TOKEN_PREFIX) :]
                if line.startswith(TOKEN_PREFIX) and TOKEN_CHARS.fullmatch(token):
                    os.environ[ACTIVATION_TOKEN] = token.decode("ascii")
            self.raise_requested.emit()

    def _request(self, connection: Connection, data: bytes) -> None:
        if b"\n" not in data:
            self._reply(connection, Answer(Exit.USAGE, error=f"The request is longer than {MAX_REQUEST} bytes."))
            return
        if not peer_is_this_user(connection.descriptor()):
            log.warning("refused a command from a process of another user")
            connection.close()
            return
        try:
            request = decode_request(data.split(b"\n", 1)[0])
        except ProtocolError as exc:
            self._reply(connection, Answer(Exit.ERROR, error=f"Klen Desktop did not understand the request: {exc}."))
            return
        if self._handler is None:
            self._reply(connection, Answer(Exit.ERROR, error="Klen Desktop is still starting; try again in a moment."))
            return
        log.info("the command line asked: %s", request.command)
        self._spawn(self._answer(connection, self._handler, request))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        if self._tasks is None:
            from klen_desktop.background_tasks import BackgroundTasks

            self._tasks = BackgroundTasks(log, "answering a command failed")
        self._tasks.spawn(job)

    async def _answer(self, connection: Connection, handler: CommandHandler, request: Request) -> None:
        try:
            answer = await handler(request)
        except Exception:
            log.exception("a command of the command line failed")
            answer = Answer(Exit.ERROR, error="Klen Desktop failed to answer; see its log.")
        self._reply(connection, answer)

    @staticmethod
    def _reply(connection: Connection, answer: Answer) -> None:
        connection.reply(answer.encode())


def raise_message() -> bytes:
    """``raise``, with this launch's activation token when the desktop gave it one (Wayland)."""
    token = os.environ.get(ACTIVATION_TOKEN, "").encode("ascii", "replace")
    return RAISE + TOKEN_PREFIX + token + b"\n" if TOKEN_CHARS.fullmatch(token) else RAISE


def send_to_running(name: str, message: bytes, attempts: int = CONNECT_ATTEMPTS) -> bool:
    """Send ``message`` to the instance listening on ``name``; False when none answers within the attempts."""
    send = _send_over_qt if USE_QT_SOCKET else _send_over_unix
    for _attempt in range(attempts):
        if send(name, message):
            return True
        time.sleep(CONNECT_PAUSE)
    return False


def _send_over_unix(name: str, message: bytes) -> bool:
    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as conn:
        conn.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            conn.connect(name)
            conn.sendall(message)
        except OSError:  # no file yet, nobody listening, or the app went away meanwhile
            return False
    return True


def _send_over_qt(name: str, message: bytes) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS // CONNECT_ATTEMPTS):
        return False
    socket.write(QByteArray(message))
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


def ask_running_to_quit() -> bool:
    """``klen-desktop --quit``: ask this user's running app to quit. False when no app of the user runs.

    Never takes the lock, so it cannot start an app by itself. A lock nobody holds means nothing runs: one
    attempt then, instead of the retries that cover a first instance still starting up.
    """
    folder = runtime_dir()
    lock = QLockFile(str(folder / "instance.lock"))
    if lock.tryLock(0):
        lock.unlock()
        return False
    return send_to_running(_server_name(folder), QUIT)
