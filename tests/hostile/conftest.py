"""Fixtures of the hostile-server tests: a fresh :class:`HostileServer` per test, stopped after it.

The sync tests' virtual clock (``AutoClock``: waits jump time forward) is reused from tests/sync.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile.server import HostileServer

_SYNC = str(Path(__file__).parents[1] / "sync")
if _SYNC not in sys.path:
    sys.path.insert(0, _SYNC)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tracing() -> Iterator[None]:
    """tracemalloc on, for the tests that bound a poll's peak memory (it slows allocation, so only there)."""
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()
