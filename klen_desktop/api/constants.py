"""Fixed numbers of the Klen API client: paths, page size, timeouts, identification.

Kept apart so the sync layer and the tests can read the same values the client uses.
"""

from __future__ import annotations

import httpx

from klen_desktop import __version__

API_PREFIX = "/api/v1"
"""Path of the API root below the base URL (``https://api.klen.ai`` + this)."""

EVENTS_PATH = f"{API_PREFIX}/calendar/events"
AVAILABILITY_PATH = f"{API_PREFIX}/calendar/availability"

MAX_PAGE_SIZE = 100
"""Largest ``limit`` worth asking for: the emulator's documented clamp (the real API documents no maximum)."""

DEFAULT_PAGE_LIMIT = 100

MAX_PAGES = 200
"""Hard stop for page walks (20,000 events at the largest page size, far beyond any calendar's month), so a
server whose ``pages`` and ``count`` keep growing cannot keep a sync running, or the request budget spent."""

DEFAULT_ICS_MAX_BYTES = 1_000_000
"""One event's ICS file is a few kilobytes; anything near a megabyte is not an ICS file we want."""

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
WRITE_TIMEOUT = 15.0
POOL_TIMEOUT = 5.0

DEFAULT_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT)
"""Applied to every request; no wait on the network is unbounded."""

USER_AGENT = f"KlenDesktop/{__version__} (+python-httpx)"

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
"""Host names that always mean this machine; IP literals are checked with :mod:`ipaddress` instead."""
