"""``EmulatorServer``: the emulated Klen API served by uvicorn on loopback, in its own thread and loop.

Running in a separate thread keeps the server independent of the caller's event loop (the app's qasync
loop, the tests' loop): a slow emulator response can never stall the caller, and the client talks to it
over a real socket exactly as it talks to the real service.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

import uvicorn
from starlette.applications import Starlette

from klen_desktop.emulator.admin import EmulatorAdmin
from klen_desktop.emulator.app import build_app
from klen_desktop.emulator.faults import FaultInjector, install_log_filter
from klen_desktop.emulator.keys import DEMO_KEYS, ApiKeySpec
from klen_desktop.emulator.seed import seed_demo
from klen_desktop.emulator.state import EmulatorState
from klen_desktop.emulator.transport import CoalescingH11Protocol

logger = logging.getLogger(__name__)


class EmulatorError(RuntimeError):
    """The emulator could not start or stop in time; the message says what to check."""


class PortUnavailable(EmulatorError, OSError):
    """The address could not be bound (port in use, no permission). Also an ``OSError``, as binding is."""


class EmulatorServer:
    """An emulator: state built at construction, served by :meth:`start` until :meth:`stop`.

    ``url`` is ``http://HOST:PORT``; the API root is ``url + "/api/v1"``. The database is opened at
    construction, and ``seed="demo"`` then fills it with the demo calendar only if it holds no events (a
    demo calendar survives restarts). ``clock`` must return aware datetimes (default: real time). A stopped
    server cannot be started again; build a new one on the same ``db_path``.
    """

    def __init__(
        self,
        *,
        db_path: str | Path = ":memory:",
        seed: Literal["demo", "empty"] = "demo",
        keys: Sequence[ApiKeySpec] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if seed not in ("demo", "empty"):
            raise ValueError(f"seed must be 'demo' or 'empty', got {seed!r}")
        self._host = host
        self._port = port
        self._state = EmulatorState.build(
            db_path=str(db_path), keys=tuple(DEMO_KEYS if keys is None else keys), clock=clock
        )
        self.admin = EmulatorAdmin(self._state)
        self.faults: FaultInjector = self._state.faults
        self._app = build_app(self._state)
        if seed == "demo" and self._state.store.is_empty():
            count = seed_demo(self._state.store, self._state.clock())
            logger.info("seeded the demo calendar with %d events", count)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self._failure: BaseException | None = None
        self._closed = False

    @property
    def url(self) -> str:
        """Base URL without a trailing slash; only valid once started."""
        if self._url is None:
            raise EmulatorError("The emulator is not running: call start() first.")
        return self._url

    @property
    def api_root(self) -> str:
        return self.url + "/api/v1"

    @property
    def asgi_app(self) -> Starlette:
        """The ASGI app over this server's state, for ``httpx.ASGITransport`` in tests that need no socket.

        Usable without ``start()``; admin and faults apply to it too (a dropped connection surfaces
        differently in-process, so fault tests should use the socket)."""
        return self._app

    @property
    def keys(self) -> list[ApiKeySpec]:
        return self._state.keys.all()

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Bind, serve in a daemon thread, and return once the server accepts connections."""
        if self._thread is not None:
            raise EmulatorError("The emulator is already started.")
        if self._closed:
            raise EmulatorError("This emulator was stopped; build a new EmulatorServer on the same db_path.")
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            raise PortUnavailable(f"Cannot listen on {self._host}:{self._port} ({exc}); pick another port.") from exc
        port = sock.getsockname()[1]
        install_log_filter()
        config = uvicorn.Config(
            self._app,
            http=CoalescingH11Protocol,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            log_config=None,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=self._run, args=(server, sock), name="klen-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if self._failure is not None or not self._thread.is_alive():
                raise EmulatorError(f"The emulator failed to start: {self._failure!r}")
            if time.monotonic() > deadline:
                server.should_exit = True
                raise EmulatorError(f"The emulator did not start within {timeout} s.")
            time.sleep(0.005)
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._url = f"http://{host}:{port}"
        return self

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to start() callers, not lost in the thread
            self._failure = exc
            logger.exception("the emulator server stopped with an error")
        finally:
            sock.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and close the database. Safe to call twice."""
        self._closed = True
        if self._thread is None or self._server is None:
            self._state.store.close()
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(2.0)
            if self._thread.is_alive():
                raise EmulatorError(f"The emulator did not stop within {timeout} s.")
        self._thread = None
        self._server = None
        self._url = None
        self._state.store.close()

    def __enter__(self) -> EmulatorServer:
        return self.start() if self._thread is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self._url!r})"


__all__ = ["EmulatorError", "EmulatorServer", "PortUnavailable"]
