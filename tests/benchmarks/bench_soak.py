"""Benchmark of the fault soak: ``python tests/benchmarks/bench_soak.py [--edits N] [--changes N] [--latency S]``.

Runs the real app (controller, tray, agenda window) on a qasync loop against the emulator on loopback with
every fault of tests/robustness/soak_driver.py: 5xx on a share of requests, latency up to ``--latency`` seconds,
dropped connections (before and after the server acted), malformed JSON, bursts of 429 with Retry-After and a
revoked key that comes back; a scripted user makes ``--edits`` edits while the server side makes ``--changes``
changes. Time is compressed 60x (budget 10 requests a second, cadence and backoffs / 60; see the driver).

Prints the README table (faults injected, edits made, lost, duplicates, crashes, worst loop lag, memory) and the
RSS trend: samples once a second, and the slope of a least-squares line through the second half of the run
(a leak shows as a steady positive slope; allocator noise does not). Exits 1 when any check failed.
Offscreen unless a display is set. Writes only to a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
sys.path.insert(0, str(Path(__file__).parents[1] / "robustness"))
sys.path.insert(0, str(Path(__file__).parents[1]))

import qasync
from PySide6.QtWidgets import QApplication
from soak_driver import SoakPlan, SoakReport, run_soak

from klen_desktop.emulator import ApiKeySpec, EmulatorServer

KEY = "klen_bench_soak"
MIB = 1024 * 1024


def slope_mib_per_min(samples: list[tuple[float, int]]) -> float:
    """Least-squares RSS slope over the second half of the samples, in MiB per minute."""
    half = samples[len(samples) // 2 :]
    if len(half) < 3:
        return 0.0
    mean_t = sum(t for t, _ in half) / len(half)
    mean_r = sum(r for _, r in half) / len(half)
    var = sum((t - mean_t) ** 2 for t, _ in half)
    cov = sum((t - mean_t) * (r - mean_r) for t, r in half)
    return cov / var * 60 / MIB if var else 0.0


def print_report(report: SoakReport, command: str) -> None:
    plan = report.plan
    faults = ", ".join(f"{kind} {count}" for kind, count in sorted(report.faults.items()))
    rows = [
        (
            "faults injected",
            f"{faults}; latency 0-{plan.latency_max:g} s and {plan.error_rate:.0%} 5xx on every request "
            f"({report.requests} requests)",
        ),
        ("edits made", f"{report.edits_made} ({dict(report.edits_by_kind)}); server changes {report.server_changes}"),
        ("edits lost", str(len(report.edits_lost))),
        ("duplicates", str(len(report.duplicates))),
        ("server changes missing in the store", str(len(report.changes_missing))),
        ("crashes", str(len(report.crashes))),
        (
            "worst loop lag",
            f"{report.worst_lag * 1000:.0f} ms wall (p99 {report.p99_lag * 1000:.0f} ms, {report.lag_samples} "
            f"wakes of 10 ms); the loop thread's own CPU in the worst tick {report.worst_busy * 1000:.0f} ms",
        ),
        (
            "memory (RSS)",
            f"{report.rss_warm / MIB:.1f} MiB after warm-up, {report.rss_end / MIB:.1f} MiB at the end "
            f"({report.rss_growth / MIB:+.1f} MiB); "
            f"2nd-half slope {slope_mib_per_min(report.rss_samples):+.2f} MiB/min",
        ),
        (
            "key revoked and back",
            f"sync paused: {report.paused_for_key}; resumed by itself: {report.resumed_by_itself}",
        ),
        ("duration", f"{report.seconds:.0f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"fault soak: {command}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    for problem in report.problems:
        print(f"  FAILED: {problem}")


async def soak(args: argparse.Namespace) -> SoakReport:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    plan = SoakPlan(
        user_edits=args.edits,
        server_changes=args.changes,
        latency_max=args.latency,
        error_rate=args.error_rate,
        revoke_for=args.revoke_for,
        settle_timeout=args.settle_timeout,
        time_scale=args.time_scale,
        edit_pause=args.pace,
        change_pause=args.pace,
    )
    server = EmulatorServer(seed="empty", keys=(ApiKeySpec(KEY, rpm=100_000, daily_limit=100_000),)).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return await run_soak(app, server, KEY, Path(tmp), plan)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--latency", type=float, default=2.0, help="latency upper bound, seconds")
    parser.add_argument("--error-rate", type=float, default=0.2)
    parser.add_argument("--time-scale", type=float, default=60.0, help="budget and cadence speed-up")
    parser.add_argument("--revoke-for", type=float, default=5.0, help="seconds the key stays revoked")
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between two edits (and two changes)")
    parser.add_argument("--settle-timeout", type=float, default=900.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        report = loop.run_until_complete(soak(args))
    print_report(report, "python tests/benchmarks/bench_soak.py " + " ".join(sys.argv[1:]))
    print(f"  load average after the run: {os.getloadavg()[0]:.2f} (2 cores; other processes add to the wall lag)")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
