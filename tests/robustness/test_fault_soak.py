"""The bounded fault soak: the real app keeps every edit, exactly once, while the server misbehaves in every way.

Given the app running with its agenda open against the emulator, when a user makes 200 edits and another
client makes 200 changes while the server answers 20% of requests with 5xx, delays every request, drops
connections (before and after acting), sends broken JSON, bursts 429 with Retry-After and revokes the key for a
while, then once the faults stop: nothing crashed, every edit is on the server exactly once, every server change
is in the store, the outbox is empty, the event loop never stalled and memory stayed flat.

Bounded for CI (about 100 s here): latency up to 0.15 s instead of 2 s, because the outbox sends one write at a
time and 2 s latency alone makes the drain take minutes; every fault kind stays. Time is compressed 60x as the
driver describes. ``python tests/benchmarks/bench_soak.py`` runs the full 2 s latency.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from soak_driver import SoakPlan, run_soak

from klen_desktop.emulator import ApiKeySpec, EmulatorServer

pytestmark = pytest.mark.timeout(360)

SOAK_KEY = ApiKeySpec("klen_test_soak", rpm=100_000, daily_limit=10_000)
PLAN = SoakPlan(
    user_edits=200,
    server_changes=200,
    latency_max=0.15,
    edit_pause=0.25,
    change_pause=0.25,
    revoke_for=2.0,
    # The queue waits out the revoked key unprompted (the outbox's key backoff and the poller's key recheck,
    # 10 and 15 s at this time scale) before it drains the rest through the faults: up to ~2 minutes here.
    settle_timeout=180.0,
)
# The loop's stalls that the app controls: the loop thread's own CPU time in any one 10 ms tick (callbacks, Qt
# painting, a garbage-collection pass). The target is 100 ms and the full-strength soak (make soak) reports it:
# 72 ms there, 48-80 ms in most runs of this test (full collections of the app's objects: 50-80 ms of it). The
# driver freezes the suite's own objects before the app starts: late in a CI run a full collection walking them
# took 163 ms. Own CPU also counts time the thread spun for the GIL held by the in-process emulator (127 ms once on
# this shared 2-core machine), so this test, which guards against regressions, allows 150 ms.
MAX_BUSY = 0.150
# Wall-clock lateness also holds what the loop thread does not control: the OS running other processes (CI runners,
# and this 2-core machine shared with other jobs) and the GIL held by the emulator, which serves from a thread of
# this same process. Measured 75-145 ms with other jobs running; bench_soak.py reports the figure of each run.
MAX_WALL_LAG = 0.250
# RSS growth from warm-up (a fifth of the edits made) to the end, after a GC. The end holds every event of the
# run in the agenda model, the controller snapshot and the emulator's own tables and request log (all in this
# process): a few MiB by design. Measured: +5 to +11 MiB, and once +26.7 MiB on a CI run of this 2-core machine
# (the allocator keeps arenas it grew for the run's many short-lived records); a leak of the 1,000+ requests and
# their answers would be far more.
MAX_RSS_GROWTH = 32 * 1024 * 1024


@pytest.mark.asyncio
async def test_every_edit_lands_exactly_once_through_every_fault(
    qapp: QApplication, emulator: EmulatorServer, tmp_path: Path
) -> None:
    emulator.admin.add_key(SOAK_KEY)  # 80 creates in a day: more than a default key's daily limit allows
    report = await run_soak(qapp, emulator, SOAK_KEY.key, tmp_path, PLAN)
    figures = report.summary()
    print(figures)  # shown with -s or -rP: the run's figures even when it passes

    assert report.problems == [], figures
    assert report.edits_made == PLAN.user_edits and report.server_changes == PLAN.server_changes
    assert set(report.edits_by_kind) == {"create", "edit", "status", "cancel"}
    assert report.edits_lost == [] and report.duplicates == [] and report.changes_missing == []
    assert report.crashes == [] and report.outbox_left == 0
    assert report.paused_for_key and report.faults["401 (revoked key)"] >= 1
    assert report.resumed_by_itself
    for kind in ("5xx", "drop", "drop_after", "malformed", "rate_limit"):
        assert report.faults[kind] >= 1, f"the soak never injected {kind}: {dict(report.faults)}"
    assert report.worst_busy <= MAX_BUSY, figures
    assert report.worst_lag <= MAX_WALL_LAG, figures
    assert report.rss_growth <= MAX_RSS_GROWTH, figures
