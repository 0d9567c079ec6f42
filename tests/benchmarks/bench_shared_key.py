"""Benchmark: several copies of the app and another integration sharing ONE key of 60 requests a minute.

Five app cores (``CoreServices``, each with its own cache, default sync settings and default request budgets, as
the app builds them) and a script that lists events at a steady rate (an integration that does not adapt) use one
key on the emulator, which runs in its own process with the key limited to 60 requests a minute. Meanwhile the
server's near events change (admin API, another client's edits) and each core's user opens an event's details
now and then. Reported:

* requests per minute on the key (sent, admitted, refused with 429), all clients and the app's cores alone;
  after the first minute the app's cores must send at most 60 a minute;
* per core: requests, 429s, sync status errors the user saw, clicks that failed, the lowest background limit;
* freshness: how long after a server change each core's cache had it, from a poll's change set or, checked every
  2 simulated seconds, from the cache itself (a click or a reminder's re-read stores the event too); goal: within
  twice the fast poll interval.

``--baseline`` runs the same with the budget that does not adapt (a 429 pauses it but leaves its limit), the
behaviour before the adaptive limit, for a ratio in the same run (``--compare`` runs both, adaptive first).
``--time-scale N`` runs the emulator's and the cores' clocks N times faster than real time (the emulator's
``--time-scale``), so ten minutes take 10/N; figures are in the scaled (simulated) time.

Usage: ``python tests/benchmarks/bench_shared_key.py [--minutes 10] [--time-scale 1] [--compare] [--runs 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from klen_desktop.api.errors import KlenError
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.diff import ChangeSet
from klen_desktop.sync.status import SyncStatus

KEY = "klen_shared_key"
KEY_RPM = 60
_CHANGED = re.compile(r"change (\d+)$")


class ScaledClock:
    """The emulator's ``--time-scale`` clock on the app's side: the same origin, the same speed."""

    def __init__(self, scale: float, origin: float) -> None:
        self.scale, self.origin = scale, origin

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.origin + (time.time() - self.origin) * self.scale, UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.scale)


@dataclass
class CoreRecord:
    responses: list[tuple[datetime, int]] = field(default_factory=list)
    seen: dict[int, datetime] = field(default_factory=dict)
    error_episodes: Counter[str] = field(default_factory=Counter)
    in_error: bool = False
    clicks: int = 0
    click_errors: Counter[str] = field(default_factory=Counter)
    lowest_limit: int = 10

    def on_status(self, status: SyncStatus) -> None:
        if status.last_error is not None and not self.in_error:
            self.error_episodes[status.last_error_code or "?"] += 1
        self.in_error = status.last_error is not None


@dataclass
class Run:
    adaptive: bool
    start: datetime
    minutes: float
    cores: list[CoreRecord]
    changes: dict[int, tuple[datetime, int]]  # change number: when, which event
    server_log: list[dict[str, Any]]
    agent: Counter[int]
    fast_interval: float


def start_emulator(scale: float, origin: float) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "klen_desktop.emulator", "--port", "0", "--seed", "empty", "--db", ":memory:"]
    command += ["--key", f"{KEY}:read,write", "--rpm", str(KEY_RPM), "--time-scale", str(scale)]
    command += ["--time-origin", repr(origin)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"serving at (\S+)", line)
    if match is None:
        process.terminate()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, match.group(1)


def calendar(now: datetime, events: int, near: int) -> list[dict[str, Any]]:
    """``events`` spread over the sync window, and ``near`` of them one every three minutes from now on, so one
    always starts within the fast-poll horizon while the run lasts."""
    body: list[dict[str, Any]] = []
    for n in range(near):
        start = now + timedelta(minutes=3 + 3 * n)
        body.append({"title": f"Near {n}", "start_time": start, "end_time": start + timedelta(minutes=30)})
    day0 = now.replace(hour=8, minute=0, second=0, microsecond=0)
    for n in range(events - near):
        start = day0 + timedelta(days=-6 + n % 35, minutes=20 * (n // 35))
        body.append({"title": f"Meeting {n}", "start_time": start, "end_time": start + timedelta(minutes=15)})
    return [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in e.items()} for e in body]


async def simulate(args: argparse.Namespace, adaptive: bool) -> Run:
    origin = time.time()
    clock = ScaledClock(args.time_scale, origin)
    process, url = start_emulator(args.time_scale, origin)
    admin = httpx.AsyncClient(base_url=f"{url.rstrip('/')}/_emulator", timeout=30)
    records = [CoreRecord() for _ in range(args.cores)]
    run = Run(adaptive, clock.now(), args.minutes, records, {}, [], Counter(), SyncConfig().fast_interval)
    cores: list[CoreServices] = []
    https: list[httpx.AsyncClient] = []
    tasks: list[asyncio.Task[None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            count = int(args.minutes / 3) + 8
            body = calendar(clock.now(), args.events, count)
            ids = (await admin.post("/events", json={"events": body})).raise_for_status().json()["ids"]
            near = [(i, datetime.fromisoformat(e["start_time"])) for i, e in zip(ids, body, strict=False)][:count]
            near_ids = [i for i, _start in near]
            run.start = clock.now()
            for n, record in enumerate(records):
                core, http = build_core(url, Path(tmp) / f"core-{n}.sqlite3", clock, record, adaptive)
                cores.append(core)
                https.append(http)
            for core in cores:
                core.start()
            tasks.append(asyncio.ensure_future(change_near_events(admin, clock, near, run, args)))
            tasks.append(asyncio.ensure_future(other_integration(url, clock, run.agent, args.agent_rpm)))
            for n, (core, record) in enumerate(zip(cores, records, strict=True)):
                tasks.append(asyncio.ensure_future(user_clicks(core, record, clock, near_ids, n, args)))
            tasks.append(asyncio.ensure_future(watch_limits(cores, records, clock)))
            tasks.append(asyncio.ensure_future(watch_caches(cores, records, clock, near_ids)))
            await clock.sleep(args.minutes * 60)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            run.server_log = (await admin.get("/requests")).raise_for_status().json()
        finally:
            for core in cores:
                await core.stop()
            for http in https:
                await http.aclose()
            await admin.aclose()
            process.terminate()
            process.wait(10)
    return run


def build_core(
    url: str, path: Path, clock: ScaledClock, record: CoreRecord, adaptive: bool
) -> tuple[CoreServices, httpx.AsyncClient]:
    async def count(response: httpx.Response) -> None:
        record.responses.append((clock.now(), response.status_code))

    http = httpx.AsyncClient(event_hooks={"response": [count]})
    core = CoreServices(CoreConfig(base_url=url, api_key=KEY, db_path=path), clock=clock, http=http)
    if not adaptive:
        core.budget._adaptive.limited = lambda _now, _resume: False  # type: ignore[method-assign]
    core.on_status(record.on_status)

    def seen(changeset: ChangeSet) -> None:
        now = clock.now()
        for change in changeset:
            note_seen(record, change.event.title, now)

    core.on_changes(seen)
    return core, http


async def change_near_events(
    admin: httpx.AsyncClient, clock: ScaledClock, near: list[tuple[int, datetime]], run: Run, args: Any
) -> None:
    """Another client edits one of the next three events to start every ``--change-every`` seconds: a new title
    and a new length (what a reminder is about to fire for)."""
    n = 0
    await clock.sleep(30)  # after the first syncs
    while True:
        n += 1
        upcoming = [(i, start) for i, start in near if start > clock.now()]
        event_id, start = upcoming[n % min(3, len(upcoming))] if upcoming else near[-1]
        patch = {"title": f"Near event change {n}", "end_time": (start + timedelta(minutes=20 + n % 3 * 5)).isoformat()}
        run.changes[n] = (clock.now(), event_id)
        (await admin.patch(f"/events/{event_id}", json=patch)).raise_for_status()
        await clock.sleep(args.change_every)


async def other_integration(url: str, clock: ScaledClock, statuses: Counter[int], rpm: float) -> None:
    """A script on the same key that lists events at a steady rate and never adapts."""
    if rpm <= 0:
        return
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        while True:
            response = await http.get("/api/v1/calendar/events", params={"page": "1", "limit": "20"})
            statuses[response.status_code] += 1
            await clock.sleep(60 / rpm)


async def user_clicks(
    core: CoreServices, record: CoreRecord, clock: ScaledClock, near_ids: list[int], n: int, args: Any
) -> None:
    """The user of core ``n`` opens a near event's details every ``60 / --clicks-per-minute`` seconds."""
    if args.clicks_per_minute <= 0:
        return
    every = 60 / args.clicks_per_minute
    await clock.sleep(20 + every * n / len(near_ids))
    while True:
        record.clicks += 1
        try:
            await core.fetch_detail(near_ids[(record.clicks + n) % 4])
        except KlenError as exc:
            record.click_errors[getattr(exc, "code", None) or type(exc).__name__] += 1
        await clock.sleep(every)


def note_seen(record: CoreRecord, title: str, now: datetime) -> None:
    match = _CHANGED.search(title)
    if match is not None:
        record.seen.setdefault(int(match.group(1)), now)


async def watch_caches(
    cores: list[CoreServices], records: list[CoreRecord], clock: ScaledClock, near_ids: list[int]
) -> None:
    """A change is seen when the core's cache has it, whoever brought it: a poll, the user's click on the event or
    the re-read before its reminder (both store the event's details, and so its new title, without a change set)."""
    while True:
        now = clock.now()
        for core, record in zip(cores, records, strict=True):
            for event_id in near_ids:
                stored = core.events.get(event_id)
                if stored is not None:
                    note_seen(record, stored.title, now)
        await clock.sleep(2)


async def watch_limits(cores: list[CoreServices], records: list[CoreRecord], clock: ScaledClock) -> None:
    while True:
        for core, record in zip(cores, records, strict=True):
            record.lowest_limit = min(record.lowest_limit, core.budget.limit)
        await clock.sleep(1)


@dataclass(frozen=True)
class Figures:
    adaptive: bool
    worst_app_minute: int  # most requests the app's cores sent in one minute after the first
    worst_key_minute: int  # most requests sent on the key (app and the other script) in one minute after the first
    app_429: int
    agent_429: int
    sync_errors: int
    click_errors: int
    clicks: int
    fresh_median: float
    fresh_worst: float
    missed: int
    per_core: list[str]
    per_minute: list[str]


def figures(run: Run) -> Figures:
    minutes = int(run.minutes)
    per_minute = []
    app_by_minute: Counter[int] = Counter()
    for record in run.cores:
        for at, _status in record.responses:
            app_by_minute[int((at - run.start).total_seconds() // 60)] += 1
    key_sent: Counter[int] = Counter()
    key_429: Counter[int] = Counter()
    for item in run.server_log:
        at = datetime.fromisoformat(item["at"])
        minute = int((at - run.start).total_seconds() // 60)
        key_sent[minute] += 1
        key_429[minute] += item["status"] == 429
    for m in range(minutes):
        per_minute.append(
            f"  minute {m + 1:2d}: key {key_sent[m]:3d} sent, {key_sent[m] - key_429[m]:3d} admitted, "
            f"{key_429[m]:3d} refused; app cores sent {app_by_minute[m]:3d}"
        )
    after_first = range(1, minutes)
    delays = []
    missed = 0
    per_core = []
    for n, record in enumerate(run.cores):
        mine = []
        for change, (at, event_id) in run.changes.items():
            # A later change of the same event before a poll replaces this one: seeing it counts.
            later = [c for c, (_at, e) in run.changes.items() if e == event_id and c >= change]
            seen = [record.seen[c] for c in later if c in record.seen]
            if seen:
                mine.append((min(seen) - at).total_seconds())
            elif (run.start + timedelta(minutes=run.minutes) - at).total_seconds() > 2 * run.fast_interval:
                missed += 1
        delays += mine
        statuses = Counter(status for _at, status in record.responses)
        per_core.append(
            f"  core {n}: {len(record.responses)} requests, {statuses[429]} x 429, "
            f"sync errors {dict(record.error_episodes) or 0}, clicks {record.clicks} "
            f"(failed {dict(record.click_errors) or 0}), lowest background limit {record.lowest_limit}/min, "
            f"fresh median {statistics.median(mine) if mine else float('nan'):.0f} s, "
            f"worst {max(mine, default=0):.0f} s"
        )
    return Figures(
        adaptive=run.adaptive,
        worst_app_minute=max((app_by_minute[m] for m in after_first), default=0),
        worst_key_minute=max((key_sent[m] for m in after_first), default=0),
        app_429=sum(status == 429 for r in run.cores for _at, status in r.responses),
        agent_429=run.agent[429],
        sync_errors=sum(sum(r.error_episodes.values()) for r in run.cores),
        click_errors=sum(sum(r.click_errors.values()) for r in run.cores),
        clicks=sum(r.clicks for r in run.cores),
        fresh_median=statistics.median(delays) if delays else float("nan"),
        fresh_worst=max(delays, default=float("nan")),
        missed=missed,
        per_core=per_core,
        per_minute=per_minute,
    )


def summary(f: Figures) -> str:
    return (
        f"{'adaptive' if f.adaptive else 'fixed (baseline)'}: after minute 1, at most {f.worst_app_minute} "
        f"requests/min from the app ({f.worst_key_minute} on the key with the other script); 429s: app {f.app_429}, "
        f"other script {f.agent_429}; sync errors seen {f.sync_errors}; clicks failed {f.click_errors}/{f.clicks}; "
        f"freshness median {f.fresh_median:.0f} s, worst {f.fresh_worst:.0f} s, not seen {f.missed}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="simulated minutes (default 10)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="clock speed (default 1: real time)")
    parser.add_argument("--cores", type=int, default=5)
    parser.add_argument("--events", type=int, default=450, help="events in the sync window (450: five list pages)")
    parser.add_argument("--agent-rpm", type=float, default=15.0, help="the other script's requests a minute")
    parser.add_argument("--clicks-per-minute", type=float, default=2.0, help="detail opens per user a minute")
    parser.add_argument("--change-every", type=float, default=20.0, help="seconds between server changes")
    parser.add_argument("--baseline", action="store_true", help="only the budget that does not adapt")
    parser.add_argument("--compare", action="store_true", help="adaptive, then the baseline, in the same run")
    parser.add_argument("--runs", type=int, default=1, help="repeat and give medians")
    parser.add_argument("-v", "--verbose", action="store_true", help="per minute and per core figures")
    args = parser.parse_args()
    modes = [True, False] if args.compare else [not args.baseline]
    results: dict[bool, list[Figures]] = {mode: [] for mode in modes}
    for run in range(args.runs):
        for mode in modes:
            started = time.perf_counter()
            f = figures(asyncio.run(simulate(args, mode)))
            results[mode].append(f)
            print(f"run {run + 1}: {summary(f)}  [{time.perf_counter() - started:.0f} s real]", flush=True)
            if args.verbose:
                print("\n".join(f.per_minute + f.per_core), flush=True)
    for mode, found in results.items():
        if len(found) > 1:
            med = {k: statistics.median(getattr(f, k) for f in found) for k in ("worst_app_minute", "app_429")}
            print(f"median of {len(found)} ({'adaptive' if mode else 'fixed'}): {med}")
    worst = max(f.worst_app_minute for f in results[modes[0]])
    return 0 if worst <= KEY_RPM else 1


if __name__ == "__main__":
    sys.exit(main())
