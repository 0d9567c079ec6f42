"""A bounded log of the requests the emulator answered, for tests (which key, which headers, which status).

Only API and ICS requests are logged, not the admin paths. Records are frozen; the log keeps the last
:data:`decisions.REQUEST_LOG_SIZE`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from klen_desktop.emulator import decisions
from klen_desktop.emulator.faults import SCOPE_FAULT
from klen_desktop.emulator.keys import KeySource, extract_key
from klen_desktop.records import record


@record
class RequestRecord:
    """One answered request.

    ``status`` is None when the connection was dropped on purpose (``fault`` says which fault applied).
    ``key`` is the API key the client presented (from whichever source, see ``key_source``), None if none.
    ``headers`` are the request headers, names lower-cased, in the order received.
    """

    at: datetime
    method: str
    path: str
    query: str
    status: int | None
    key: str | None
    key_source: KeySource | None
    headers: tuple[tuple[str, str], ...]
    fault: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)


class RequestLog:
    """Thread-safe ring buffer of :class:`RequestRecord`."""

    def __init__(self, size: int = decisions.REQUEST_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=size)

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class RequestLogMiddleware:
    """ASGI middleware that records every ``/api/`` and ``/calendar/`` request with its final status."""

    def __init__(self, app: ASGIApp, log: RequestLog, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.log = log
        self.clock = clock

    def _now(self) -> datetime:
        try:
            return self.clock()
        except ValueError:  # a misconfigured test clock must not also break the log
            return datetime.now(UTC)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(("/api/", "/calendar/")):
            await self.app(scope, receive, send)
            return
        logged = False

        def record(status: int | None) -> None:
            nonlocal logged
            logged = True
            headers = tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
            query = bytes(scope.get("query_string", b"")).decode("latin-1")
            key, source = extract_key(dict(headers), query)
            fault = scope.get(SCOPE_FAULT)
            self.log.add(
                RequestRecord(
                    at=self._now(),
                    method=str(scope["method"]),
                    path=path,
                    query=query,
                    status=None if fault in ("drop", "drop_after") else status,
                    key=key,
                    key_source=source,
                    headers=headers,
                    fault=fault,
                )
            )

        async def capture(message: Message) -> None:
            # Logged before the answer leaves, so a client that got its answer always finds it in the log.
            if message["type"] == "http.response.start" and not logged:
                record(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not logged:
                record(None)
