"""Pytest plugin: a real Klen API emulator on loopback for the whole suite (registered by conftest.py).

* ``emulator_server`` (session): one :class:`EmulatorServer`, empty calendar, the standard test keys with a
  very high per-minute limit so tests are never throttled unless they lower it.
* ``emulator`` (function): the same server, reset to an empty calendar, real clock, no faults, the
  standard keys restored, request log cleared.
* ``rw_key`` / ``ro_key`` / ``revoked_key``: the standard keys (read+write, read-only, revoked).
* ``api``: a factory of ``httpx.Client`` objects on the ``emulator`` (``api(key=RW_KEY, server=None)``),
  closed after the test; ``key=None`` sends no key.
* ``make_emulator``: a factory for a private server (own clock, own db file, own keys), stopped after
  the test.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from klen_desktop.emulator import ApiKeySpec, EmulatorServer

RW_KEY = "klen_test_readwrite"
RO_KEY = "klen_test_readonly"
REVOKED_KEY = "klen_test_revoked"
TEST_RPM = 100_000
EVENTS = "/api/v1/calendar/events"
CREATE = "/api/v1/calendar/events/create"
AVAILABILITY = "/api/v1/calendar/availability"
STANDARD_KEYS = (
    ApiKeySpec(RW_KEY, rpm=TEST_RPM),
    ApiKeySpec(RO_KEY, can_write=False, rpm=TEST_RPM),
    ApiKeySpec(REVOKED_KEY, revoked=True, rpm=TEST_RPM),
)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    server = EmulatorServer(seed="empty", keys=STANDARD_KEYS).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    admin = emulator_server.admin
    admin.set_clock(None)
    admin.reset("empty")
    yield emulator_server
    emulator_server.faults.clear()
    admin.set_clock(None)


@pytest.fixture
def rw_key() -> str:
    return RW_KEY


@pytest.fixture
def ro_key() -> str:
    return RO_KEY


@pytest.fixture
def revoked_key() -> str:
    return REVOKED_KEY


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorServer]]:
    started: list[EmulatorServer] = []

    def make(**kwargs: Any) -> EmulatorServer:
        kwargs.setdefault("seed", "empty")
        kwargs.setdefault("keys", STANDARD_KEYS)
        server = EmulatorServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@functools.cache
def _shared_tls_context() -> ssl.SSLContext:
    # Building a TLS context per client costs ~0.1 s (CA loading); the emulator is plain http anyway.
    return ssl.create_default_context()


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[Callable[..., httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(key: str | None = RW_KEY, *, server: EmulatorServer | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(
            base_url=(server or emulator).url, headers=headers, timeout=10.0, verify=_shared_tls_context()
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def iso(value: datetime) -> str:
    """``2025-05-01T14:00:00.000Z``: the API's datetime form."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def event_body(start: datetime | None = None, minutes: int = 60, **fields: Any) -> dict[str, Any]:
    """A valid create body starting at ``start`` (default: tomorrow 10:00 UTC) lasting ``minutes``."""
    if start is None:
        start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    body: dict[str, Any] = {"title": "Client Meeting", "start_time": iso(start)}
    body["end_time"] = iso(start + timedelta(minutes=minutes))
    body.update(fields)
    return body
