"""Demo mode's calendar, unchanged on the server, polls quietly: after the first sync every poll reports no change
and reads no details. The real core against the emulator seeded with the demo calendar, over loopback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fast_sync import FAST_SYNC
from fixtures_emulator import RW_KEY
from waiting import until

from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.sync.diff import ChangeSet

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

POLLS = 5
_POLL_LINE = re.compile(r"sync \S+: (\d+) events, (\d+) changes, (\d+) details, (\d+) requests")


def _polls(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int, int, int]]:
    """(events, changes, details, requests) of every poll logged so far, in order."""
    found = (_POLL_LINE.search(r.getMessage()) for r in caplog.records if r.name == "klen_desktop.sync.poller")
    return [(int(m[1]), int(m[2]), int(m[3]), int(m[4])) for m in found if m is not None]


async def test_the_demo_calendar_polls_quietly_after_the_first_sync(
    make_emulator: Callable[..., EmulatorServer], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="klen_desktop.sync.poller")
    emulator = make_emulator(seed="demo")
    # A budget this test never meets: what a poll reads is what it wants, not what the minute allowed.
    config = CoreConfig(
        base_url=emulator.url,
        api_key=RW_KEY,
        sync=FAST_SYNC,
        db_path=tmp_path / "cache.sqlite3",
        request_budget=(10_000, 60.0),
    )
    core = CoreServices(config)
    announced: list[ChangeSet] = []
    core.on_changes(announced.append)
    core.start()
    try:
        await until(lambda: len(_polls(caplog)) > POLLS, f"{POLLS} polls after the first sync", timeout=30.0)
    finally:
        await core.stop()
    first, *later = _polls(caplog)
    assert first[0] > 20, "the demo calendar was synced"
    assert [(changes, details, requests) for _, changes, details, requests in later] == [(0, 0, 1)] * len(later), (
        "every later poll: no change, no detail read, one list page"
    )
    assert announced == [], "no news about an unchanged calendar"
