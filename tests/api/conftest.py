"""Fixtures of the client tests: clients pointed at the emulator, closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest_asyncio
from api_helpers import MakeClient, RecordingSleep

from klen_desktop.api.client import KlenClient
from klen_desktop.api.retry import DEFAULT_RETRY, RetryPolicy


@pytest_asyncio.fixture(loop_scope="session")
async def make_client(emulator: Any) -> AsyncIterator[MakeClient]:
    """Build clients for the test's emulator; all are closed at the end of the test.

    ``make_client(key, retry=..., timeout=..., sleep=..., base_url=...)``; the default sleep records.
    """
    made: list[KlenClient] = []

    def make(
        key: str,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: httpx.Timeout | float = 5.0,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> KlenClient:
        client = KlenClient(
            base_url or emulator.url,
            key,
            retry=retry,
            timeout=timeout,
            sleep=sleep or RecordingSleep(),
            http=http,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def client(make_client: MakeClient, rw_key: str) -> KlenClient:
    """A read+write client on a fresh, empty emulator."""
    return make_client(rw_key)
