"""Benchmark of the merged calendar of several accounts: ``python tests/benchmarks/bench_accounts.py [--events N]``.

The agenda's snapshot reads every cached event after each change. This times that read for N events (default
10,000) through one account's own session (the baseline, as before accounts), through the merged calendar of that
one account (every handle is the event's id: nothing is copied), and through the merged calendar of two accounts
holding N/2 each under the same ids (the second account's events are copied under handles of their own). The
caches are filled directly in a temporary folder; the sessions point at a closed port, so no sync runs meanwhile.
The last two rows time the handles alone (no store read): what the merged calendar adds to a read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench_store import make_events

from klen_desktop.accounts.migration import first_account
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.session.accounts import AccountSessions
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.connection import Connection
from klen_desktop.session.handles import EventHandles
from klen_desktop.session.merged import MergedCalendar
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, StoredEvent

NO_SERVER = "http://127.0.0.1:9"


def fill(path: Path, count: int) -> None:
    db = Database(path)
    try:
        EventRepository(db).upsert_summaries(make_events(count))
    finally:
        db.close()


def session_on(path: Path) -> CalendarSession:
    config = CoreConfig(base_url=NO_SERVER, api_key="klen_bench", db_path=path, kernel_clock_signal=False)
    return CalendarSession(CoreServices(config), probe_access=False)


async def median_ms(read: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, int]:
    samples, found = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = len(await read())
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), found


async def no_demo() -> Connection:
    raise RuntimeError("no demo in this benchmark")


async def run(events: int, repeat: int, folder: Path) -> list[tuple[str, float, int]]:
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    fill(folder / "one.sqlite3", events)
    fill(folder / "half-a.sqlite3", events // 2)
    fill(folder / "half-b.sqlite3", events // 2)
    rows = []
    baseline = session_on(folder / "one.sqlite3")
    rows.append(("one account's session (before accounts)", *await median_ms(baseline.all_events, repeat)))
    await baseline.stop()

    first = first_account()
    one = MergedCalendar(
        AccountSessions(
            AccountRegistry((first,)), build=lambda *_: session_on(folder / "x"), demo=no_demo, live_base_url=NO_SERVER
        ),
        first.id,
        session_on(folder / "one.sqlite3"),
    )
    one.start()
    rows.append(("merged calendar, one account", *await median_ms(one.all_events, repeat)))
    await one.stop()

    registry = AccountRegistry((first,))
    second = registry.new_account("Second")
    accounts = AccountSessions(
        registry.with_account(second), build=lambda *_: session_on(folder / "x"), demo=no_demo, live_base_url=NO_SERVER
    )
    two = MergedCalendar(accounts, first.id, session_on(folder / "half-a.sqlite3"))
    two.start()
    accounts.adopt(second, session_on(folder / "half-b.sqlite3"))
    rows.append(("merged calendar, two accounts (half copied)", *await median_ms(two.all_events, repeat)))
    await two.stop()
    # The merged calendar's own share, apart from the store's reads (which vary with the machine's load).
    stored = [StoredEvent(summary, None, None, None) for summary in make_events(events)]
    handles = EventHandles()
    for name, account in (
        ("handles alone: every id its own (one account)", "1"),
        ("handles alone: every event copied", "2"),
    ):

        async def translate(account: str = account) -> list[StoredEvent]:
            return [handles.event(account, event) for event in stored]

        rows.append((name, *await median_ms(translate, repeat)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = asyncio.run(run(args.events, args.repeat, Path(tmp)))
    print(f"{'read of every cached event (' + format(args.events, ',') + ')':<48} {'ms':>8} {'events':>8}")
    for name, ms, found in rows:
        print(f"{name:<48} {ms:8.1f} {found:8,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
