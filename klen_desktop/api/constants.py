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

FALLBACK_DEADLINE = 60.0
"""Whole-attempt deadline when the timeout leaves a phase unbounded (see :func:`attempt_deadline`)."""


def attempt_deadline(timeout: httpx.Timeout) -> float:
    """The longest one attempt may take from start to last byte: the sum of its phases' timeouts.

    httpx's read timeout bounds the gap between two chunks, not the whole body, so a server that drips a byte
    every few seconds would otherwise hold a request (and the poll's lock) forever. With the defaults this is
    40 s, which a 400 KB page (the largest a real page comes to) only nears on a link under 100 kbit/s.
    """
    phases = (timeout.connect, timeout.pool, timeout.write, timeout.read)
    if any(phase is None for phase in phases):
        return FALLBACK_DEADLINE
    return float(sum(phase for phase in phases if phase is not None))


MAX_JSON_BYTES = 8_000_000
"""Largest JSON answer read. A full page of 100 events measures 41 KB on the emulator, and stays under 400 KB
with 255-character titles of emoji sent as JSON escapes (12 bytes each); 8 MB is twenty times that, and a
hostile answer stops costing memory there instead of at 200 MB. The body is streamed and the read stops as
soon as it is past; the user is told the answer was too large."""

MAX_WAIT = 3600.0
"""Longest wait any server answer can impose (a Retry-After, a pause of the request budget, an outbox backoff).

A longer Retry-After is not believed: after an hour the app asks again, which costs one request, and a server
that still means it says 429 once more. Beyond that, asyncio timers on Qt's loop overflow past about 24 days."""

MAX_DAILY_RESET = 86_400.0
"""Longest Retry-After believed for the daily event-creation limit, which resets at midnight: it is only shown
to the user (a create refused for the day waits for the user, not for a timer)."""

USER_AGENT = f"KlenDesktop/{__version__} (+python-httpx)"

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
"""Host names that always mean this machine; IP literals are checked with :mod:`ipaddress` instead."""
