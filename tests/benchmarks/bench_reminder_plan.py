"""Benchmark of one reminder pass: ``python tests/benchmarks/bench_reminder_plan.py [--events N] [--runs N]``.

Every change to the cache re-plans the reminders: the scheduler reads the events that can still owe a reminder
and sorts them into due, pending and missed. The cache holds N events (default 10,000) spread evenly over the
sync window from a week ago, as a first sync stores them (no details). Timed in the same process: the
plan as it is made (events without details only up to ``PLAN_AHEAD``) against the plan over every event of the
window (``starting_by=None``, as before the horizon), median of the runs, with the number of reminders each holds.
As in the app, the snapshot's read of every cached event comes first, and a pass decodes only the rows written
since it (none here); the next two days are timed cold too (a repository with no such copies, every row decoded).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_startup import fill_cache

from klen_desktop.core import cache_path
from klen_desktop.reminders.due import PLAN_AHEAD, due_reminders
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        fill_cache(Path(folder), args.events)  # as the app's cache, as the start-up benchmark fills it
        db = Database(cache_path(False))
        try:
            repo = EventRepository(db)
            repo.everything()  # what the app's snapshot reads after every change, before the pass
            results = {}
            for label, until in (("whole window", None), ("next two days", now + PLAN_AHEAD)):
                times, held = [], 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    plan = due_reminders(now, repo.reminder_candidates(now, until), {}, plan_until=until)
                    times.append(time.perf_counter() - started)
                    held = len(plan.pending) + len(plan.fire)
                results[label] = statistics.median(times)
                print(f"{label:>14}: {held:6d} reminders planned, median {results[label] * 1000:7.1f} ms")
            cold = []
            for _ in range(args.runs):
                fresh = EventRepository(db)
                started = time.perf_counter()
                due_reminders(now, fresh.reminder_candidates(now, now + PLAN_AHEAD), {}, plan_until=now + PLAN_AHEAD)
                cold.append(time.perf_counter() - started)
            print(f"{'next two days':>14}, cold (every row decoded): median {statistics.median(cold) * 1000:7.1f} ms")
            ratio = results["next two days"] / results["whole window"]
            print(f"plan as made / whole window: {ratio:.2f}x ({args.events} events cached)")
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
