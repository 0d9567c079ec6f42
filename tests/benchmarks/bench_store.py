"""Benchmark of the local store: ``python tests/benchmarks/bench_store.py [--events N]``.

Upserts N events (default 10,000, spread over a year, a third of them with details) into a fresh database
file in a temporary folder, then times the reads the UI makes: the agenda's range query for one week and
for the whole range, the tray's ``upcoming`` and one event by id, and the snapshot's re-read of every cached
event after a poll changed 1% of them (``everything``, which reads only rows written since its last read) next to
a full read of the same events in the same run. Prints a small table of milliseconds (median of several runs
for the reads). Self-contained: nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from klen_desktop.api.models import EventDetail, EventStatus, EventSummary, EventType
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository

T = TypeVar("T")

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))
STATUSES = (EventStatus.SCHEDULED, EventStatus.CONFIRMED, EventStatus.CONFIRMED, EventStatus.CANCELLED)


def make_events(count: int) -> list[EventSummary]:
    step = timedelta(days=365) / count
    events = []
    for i in range(count):
        start = START + step * i
        events.append(
            EventSummary(
                id=i + 1,
                uuid=f"00000000-0000-4000-8000-{i + 1:012d}",
                title=f"Appointment {i + 1} with a customer",
                event_type=EventType.APPOINTMENT,
                status=STATUSES[i % len(STATUSES)],
                start_time=start,
                end_time=start + timedelta(minutes=30 + 15 * (i % 4)),
                location="Conference Room A",
                customer={"name": f"Customer {i}", "email": f"c{i}@example.com", "phone": "+15551234567"},
            )
        )
    return events


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Median milliseconds of ``repeat`` calls (at least one), and the last result."""
    samples: list[float] = []
    results: list[T] = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        results.append(fn())
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), results[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7, help="runs per read (the median is shown)")
    args = parser.parse_args(argv)

    events = make_events(args.events)
    details = [EventDetail(**e.model_dump(), description="Notes " * 20, remind_before_minutes=30) for e in events[::3]]
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="klen-bench-") as tmp:
        db = Database(Path(tmp) / "data" / "cache.sqlite3")
        repo = EventRepository(db)
        try:
            ms, _ = timed(lambda: repo.upsert_summaries(events))
            rows.append((f"upsert_summaries x{len(events):,} (one transaction)", ms, f"{repo.count():,} rows"))
            fetched = START

            def store_details() -> None:
                for d in details:
                    repo.upsert_detail(d, fetched)

            ms, _ = timed(store_details)
            rows.append((f"upsert_detail x{len(details):,} (one transaction each)", ms, ""))
            ms, _ = timed(lambda: repo.upsert_summaries(events))
            rows.append((f"upsert_summaries x{len(events):,} again (all updates)", ms, ""))

            mid = START + timedelta(days=180)
            ms, week = timed(lambda: repo.between(mid, mid + timedelta(days=7)), args.repeat)
            rows.append(("between: one week (agenda)", ms, f"{len(week):,} events"))
            ms, year = timed(lambda: repo.between(START, START + timedelta(days=366)), args.repeat)
            rows.append(("between: whole range", ms, f"{len(year):,} events"))
            ms, up = timed(lambda: repo.upcoming(mid, 20), args.repeat)
            rows.append(("upcoming: next 20 (tray)", ms, f"{len(up):,} events"))
            ms, _ = timed(lambda: repo.get(args.events // 2), args.repeat * 10)
            rows.append(("get: one event by id", ms, ""))
            ms, win = timed(lambda: repo.window(mid.date(), (mid + timedelta(days=30)).date()), args.repeat)
            rows.append(("window: 31 days (sync diff)", ms, f"{len(win):,} events"))
            repo.everything()
            changed = events[:: max(1, len(events) // 100)]
            rereads: list[float] = []
            for n in range(args.repeat):
                repo.upsert_summaries(e.model_copy(update={"title": f"{e.title} ({n})"}) for e in changed)
                ms, everything = timed(repo.everything)
                rereads.append(ms)
            full, _ = timed(lambda: repo.between(EVER[0], EVER[1]), args.repeat)
            reread = statistics.median(rereads)
            note = f"{full / reread:.1f}x faster"
            rows.append((f"everything after {len(changed):,} changed (snapshot)", reread, note))
            rows.append(("between: every cached event (full read)", full, f"{len(everything):,} events"))
        finally:
            db.close()

    width = max(len(name) for name, _, _ in rows)
    print(f"{'operation':<{width}}  {'ms':>9}  note")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 14}")
    for name, ms, note in rows:
        print(f"{name:<{width}}  {ms:>9.2f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
