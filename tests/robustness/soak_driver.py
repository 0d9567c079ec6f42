"""The bounded fault soak: the real app (controller, tray, agenda) against a misbehaving emulator, measured.

Used by tests/robustness/test_fault_soak.py (bounded, for CI) and tests/benchmarks/bench_soak.py (the full
figures). One run, :func:`run_soak`:

1. Starts :class:`SoakDesktop` (the real composition root, :class:`KlenDesktop`) on the running qasync loop with
   the agenda window open, after a first clean sync.
2. Turns on the faults: ``latency`` uniform in ``(0, latency_max)`` and ``error_rate`` 5xx on every API
   request, plus, every few server changes, one of: a dropped connection, a connection dropped after the
   request was handled, a malformed JSON body, a burst of 429 with ``Retry-After``. Part-way through the key is
   revoked for a while and restored; nobody touches the app: it must notice by itself that the key works again
   (the halted poller re-tries the key every ``halted_recheck``, scaled like every other interval).
3. Meanwhile a scripted user makes ``user_edits`` edits through the controller's intentions, as the windows
   do (create, edit the title, confirm, cancel with a reason), and the server side makes ``server_changes``
   changes through the admin (insert, move, cancel). Every user edit carries a unique token (``soak-uNNN``
   titles, ``soak-cNNN`` cancel reasons) so it can be found on the server.
4. Waits (faults still on) for the outbox to empty, clears the faults, syncs once more and checks: every edit
   is on the server exactly once (one event per create token, and the server's own count of API creates equals
   the creates made; each edit's effect in the server's state; in the request log, each PATCH and cancel carried
   out and answered exactly once, a repeat only after an answer was lost), the store equals the server, nothing
   crashed, the event loop's worst lag, RSS.

Time is compressed by ``time_scale`` (default 60): the request budget allows 10 requests a SECOND instead of a
minute, and every cadence and backoff of :class:`SyncConfig` is divided by the same factor, so 200 edits take
minutes, not the hours the real budget would stretch them to. The proportions between polling, backoff and
budget stay those of the shipped defaults.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import random
import statistics
import sys
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import QApplication
from waiting import until

from klen_desktop.api.models import EventStatus
from klen_desktop.app import KlenDesktop
from klen_desktop.core import CoreConfig
from klen_desktop.drafts import EventDraft
from klen_desktop.emulator import EmulatorServer
from klen_desktop.options import AppOptions
from klen_desktop.secrets import KeyStore
from klen_desktop.session.connection import Connection
from klen_desktop.session.outcomes import WriteRefused
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.synced_days import SyncedDaysRepository
from klen_desktop.sync.budget import DEFAULT_LIMIT, DEFAULT_PERIOD
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.controller import Controller

CREATE_PATH = "/api/v1/calendar/events/create"
EVENTS_PATH = "/api/v1/calendar/events/"
# The user's edits, in this repeating order: creates lead, so there is always an own event to edit.
USER_PATTERN = ("create", "create", "edit", "create", "status", "edit", "create", "cancel", "status", "edit")
SERVER_PATTERN = ("insert", "insert", "move", "insert", "cancel", "move", "insert", "insert", "move", "cancel")
LAG_TICK = 0.010


@dataclass(frozen=True)
class SoakPlan:
    """How hard and how long to push. ``latency_max`` in seconds; ``revoke_for`` in (real) seconds."""

    user_edits: int = 200
    server_changes: int = 200
    latency_max: float = 2.0
    error_rate: float = 0.2
    one_shot_every: int = 4  # a one-shot fault (drop, drop-after, malformed, 429 burst) every N server changes
    rate_limit_burst: int = 3
    retry_after: int = 1
    revoke_after: float = 0.4  # revoke the key once this share of the user's edits is made
    revoke_for: float = 3.0
    # Pauses between two user edits and between two server changes: long enough that the outbox sends while the
    # user still edits, so the writes meet the faults (queueing 200 edits at once would test only the drain).
    edit_pause: float = 0.5
    change_pause: float = 0.5
    time_scale: float = 60.0
    seed: int = 7
    settle_timeout: float = 120.0


def scaled_sync_config(scale: float) -> SyncConfig:
    """The shipped :class:`SyncConfig` with every interval and backoff divided by ``scale``."""
    base = SyncConfig()
    return replace(
        base,
        fast_interval=base.fast_interval / scale,
        slow_interval=base.slow_interval / scale,
        backoff_base=base.backoff_base / scale,
        backoff_cap=base.backoff_cap / scale,
        outbox_backoff_base=base.outbox_backoff_base / scale,
        outbox_backoff_cap=base.outbox_backoff_cap / scale,
        halted_recheck=base.halted_recheck / scale,
    )


class SoakDesktop(KlenDesktop):
    """The real app, with its core built on a private cache file, the compressed cadence and budget.

    What it changes in :meth:`KlenDesktop.core_config`: a private cache file, the scaled cadence, and a budget of
    ``DEFAULT_LIMIT`` requests per ``DEFAULT_PERIOD / scale`` seconds.
    """

    def __init__(self, *args: Any, db_path: Path, scale: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._db_path = db_path
        self._scale = scale

    def core_config(self, connection: Connection) -> CoreConfig:
        return replace(
            super().core_config(connection),
            sync=scaled_sync_config(self._scale),
            db_path=self._db_path,
            request_budget=(DEFAULT_LIMIT, DEFAULT_PERIOD / self._scale),
        )


class LagMonitor:
    """Sleeps ``LAG_TICK`` again and again on the running loop and records how late each wake-up is.

    ``lags`` are wall-clock delays: what a user would feel, including time the OS gave to other processes and
    time the loop thread waited for the GIL (the emulator serves from a thread of this same process). ``busy``
    is the loop thread's own CPU time in each late tick: the part the app's code blocked the loop for.
    """

    def __init__(self) -> None:
        # Compact arrays: a hundred samples a second for minutes must not show up in the RSS being measured.
        self.lags = array("d")
        self.busy = array("d")
        self.worst_gc = 0.0  # the longest garbage-collection pass, which counts in ``busy`` too
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())
        gc.callbacks.append(self._on_gc)

    async def stop(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.worst_gc = max(self.worst_gc, time.perf_counter() - self._gc_started)

    async def _run(self) -> None:
        while True:
            before, cpu_before = time.perf_counter(), time.thread_time()
            await asyncio.sleep(LAG_TICK)
            self.lags.append(max(0.0, time.perf_counter() - before - LAG_TICK))
            self.busy.append(time.thread_time() - cpu_before)

    def worst(self) -> float:
        return max(self.lags, default=0.0)

    def worst_busy(self) -> float:
        return max(self.busy, default=0.0)

    def p99(self) -> float:
        if len(self.lags) < 100:
            return self.worst()
        return statistics.quantiles(self.lags, n=100)[98]


def rss_bytes() -> int:
    """Resident memory of this process (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def settled_rss() -> int:
    gc.collect()
    return rss_bytes()


class CrashWatch(logging.Handler):
    """Collects what would be a crash: an error logged by the app, an exception the loop or Qt did not handle."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.problems: list[str] = []
        self._old_hook: Callable[[type[BaseException], BaseException, TracebackType | None], Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("klen_desktop") and not record.name.startswith("klen_desktop.emulator"):
            self.problems.append(f"{record.name}: {record.getMessage()}")

    def install(self) -> None:
        logging.getLogger("klen_desktop").addHandler(self)
        self._old_hook = sys.excepthook
        sys.excepthook = self._excepthook
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(self._loop_exception)

    def uninstall(self) -> None:
        logging.getLogger("klen_desktop").removeHandler(self)
        if self._old_hook is not None:
            sys.excepthook = self._old_hook
        if self._loop is not None:
            self._loop.set_exception_handler(None)

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        self.problems.append(f"unhandled {kind.__name__}: {exc}")

    def _loop_exception(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.problems.append(f"event loop: {context.get('message')} {context.get('exception')!r}")


@dataclass
class UserEvent:
    """One event the scripted user created, and what their later edits expect of it on the server."""

    token: str
    title: str
    title_edits: int = 0
    confirmed: bool = False
    cancel_reason: str | None = None


@dataclass
class SoakReport:
    """The figures of one run. ``problems`` lists every failed check in words; empty means the run passed."""

    plan: SoakPlan
    edits_made: int = 0
    edits_by_kind: Counter[str] = field(default_factory=Counter)
    server_changes: int = 0
    edits_lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    changes_missing: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    outbox_left: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    paused_for_key: bool = False
    resumed_by_itself: bool = False
    worst_lag: float = 0.0
    worst_busy: float = 0.0
    worst_gc: float = 0.0
    p99_lag: float = 0.0
    lag_samples: int = 0
    rss_warm: int = 0
    rss_end: int = 0
    rss_samples: list[tuple[float, int]] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def rss_growth(self) -> int:
        return self.rss_end - self.rss_warm

    def summary(self) -> str:
        """The figures in one line, for assertion messages."""
        return (
            f"{self.edits_made} edits, {self.server_changes} server changes, {self.requests} requests, "
            f"faults {dict(self.faults)}; lost {len(self.edits_lost)}, duplicates {len(self.duplicates)}, "
            f"crashes {len(self.crashes)}; worst lag {self.worst_lag * 1000:.0f} ms (own CPU "
            f"{self.worst_busy * 1000:.0f} ms, worst GC pass {self.worst_gc * 1000:.0f} ms, "
            f"p99 {self.p99_lag * 1000:.0f} ms); RSS "
            f"{self.rss_growth / 2**20:+.1f} MiB; {self.seconds:.0f} s"
        )


class _Soak:
    def __init__(self, desktop: SoakDesktop, server: EmulatorServer, key: str, plan: SoakPlan) -> None:
        self.desktop = desktop
        self.server = server
        self.key = key
        self.plan = plan
        self.report = SoakReport(plan)
        self.rng = random.Random(plan.seed)
        self.base_day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.started_day = self.base_day.date()
        self.mine: list[UserEvent] = []
        self.server_ids: list[int] = []
        self.cancelled_on_server: set[int] = set()
        self.key_good = asyncio.Event()
        self.key_good.set()
        self.warm = asyncio.Event()
        self.statuses: list[SyncPhase] = []

    @property
    def controller(self) -> Controller:
        assert self.desktop.controller is not None
        return self.desktop.controller

    # -- helpers -----------------------------------------------------------------------------------------

    async def admin(self, call: Callable[..., Any], *args: Any) -> Any:
        # The server side is not part of the app: keep its blocking admin calls off the loop being measured.
        return await asyncio.get_running_loop().run_in_executor(None, call, *args)

    def slot(self) -> datetime:
        """A time two to twenty days ahead: in the sync window, clear of reminders and the "soon" cadence."""
        return self.base_day + timedelta(days=self.rng.randint(2, 20), hours=self.rng.randint(7, 19))

    def outbox_text(self) -> str:
        entries = self.controller.outbox
        shown = [
            f"#{e.seq} {e.op.value} {e.state.value} x{e.attempts} {e.error_code}: {e.error_message}" for e in entries
        ]
        return f"{len(entries)} outbox entries, sync {self.controller.status.phase.value}: {shown[:5]}"

    def cached(self, token: str) -> StoredEvent | None:
        return next((e for e in self.controller.events if e.title.split()[0] == token), None)

    # -- the user ----------------------------------------------------------------------------------------

    async def user(self) -> None:
        revoke_at = int(self.plan.user_edits * self.plan.revoke_after)
        revoker: asyncio.Task[None] | None = None
        try:
            for n in range(self.plan.user_edits):
                if n == revoke_at:
                    revoker = asyncio.ensure_future(self.revoke_for_a_while())
                await self.edit(n, USER_PATTERN[n % len(USER_PATTERN)])
                if n == self.plan.user_edits // 5:
                    self.warm.set()
                await asyncio.sleep(self.plan.edit_pause)
        finally:
            if revoker is not None:
                await revoker  # the key comes back in any case

    async def edit(self, n: int, kind: str) -> None:
        for _attempt in range(5):
            await self.controller.reload()
            target = self.pick(kind)
            done = await (self.create(n) if target is None else self.change(n, kind, target))
            if done:
                return
            await asyncio.sleep(0.1)  # the snapshot was a moment old (a create was just confirmed): look again
        self.report.problems.append(f"user edit {n} ({kind}) could not be queued after 5 attempts")

    def pick(self, kind: str) -> UserEvent | None:
        live = [e for e in self.mine if e.cancel_reason is None and self.cached(e.token) is not None]
        if kind == "edit":
            live = [e for e in live if e.title_edits == 0]
        elif kind == "status":
            live = [e for e in live if not e.confirmed]
        elif kind != "cancel":
            return None
        return self.rng.choice(live) if live else None

    async def create(self, n: int) -> bool:
        token = f"soak-u{n:03d}"
        start = self.slot()
        draft = EventDraft(title=token, start=start, end=start + timedelta(minutes=30), remind_before_minutes=15)
        try:
            await self.controller.save_draft(draft)
        except WriteRefused as exc:
            self.report.problems.append(f"create {token} refused: {exc.message}")
            return True
        self.mine.append(UserEvent(token, token))
        self.count("create")
        return True

    async def change(self, n: int, kind: str, target: UserEvent) -> bool:
        stored = self.cached(target.token)
        if stored is None:
            return False
        notices = len(self.report.notices)
        if kind == "edit":
            title = f"{target.token} e{n:03d}"
            try:
                await self.controller.save_draft(replace(EventDraft.from_event(stored), title=title), base=stored)
            except WriteRefused:
                return False
            target.title, target.title_edits = title, target.title_edits + 1
        elif kind == "status":
            await self.controller.change_status(stored.id, EventStatus.CONFIRMED.value)
            if len(self.report.notices) > notices:
                return False
            target.confirmed = True
        else:
            reason = f"soak-c{n:03d}"
            await self.controller.cancel_event(stored.id, reason)
            if len(self.report.notices) > notices:
                return False
            target.cancel_reason = reason
        self.count(kind)
        return True

    def count(self, kind: str) -> None:
        self.report.edits_made += 1
        self.report.edits_by_kind[kind] += 1

    async def revoke_for_a_while(self) -> None:
        self.key_good.clear()
        await self.admin(self.server.admin.revoke_key, self.key)
        await asyncio.sleep(self.plan.revoke_for)
        # Keep it revoked until sync has run into it too (a poll may be backing off from a 5xx meanwhile), so
        # the halt and the unprompted recovery are both exercised, not only the outbox's side.
        await until(
            lambda: SyncPhase.AUTH_ERROR in self.statuses, "sync to run into the revoked key", self.plan.settle_timeout
        )
        await self.admin(self.server.admin.restore_key, self.key)
        self.key_good.set()

    def on_status(self, status: SyncStatus) -> None:
        if not self.statuses or self.statuses[-1] is not status.phase:
            self.statuses.append(status.phase)

    # -- the server side ---------------------------------------------------------------------------------

    async def server_side(self) -> None:
        faults = self.server.faults
        one_shots: tuple[Callable[[], None], ...] = (
            lambda: faults.drop_next(1),
            lambda: faults.drop_after_next(1, method="POST", path=CREATE_PATH),
            lambda: faults.malformed_next(1),
            lambda: faults.rate_limit_next(self.plan.rate_limit_burst, retry_after=self.plan.retry_after),
            lambda: faults.drop_after_next(1, method="PATCH"),
            lambda: faults.drop_after_next(1, method="POST", path=EVENTS_PATH),
        )
        for m in range(self.plan.server_changes):
            if m % self.plan.one_shot_every == 0:
                one_shots[(m // self.plan.one_shot_every) % len(one_shots)]()
            await self.server_change(m, SERVER_PATTERN[m % len(SERVER_PATTERN)])
            self.report.server_changes += 1
            await asyncio.sleep(self.plan.change_pause)

    async def server_change(self, m: int, kind: str) -> None:
        live = [i for i in self.server_ids if i not in self.cancelled_on_server]
        admin = self.server.admin
        if kind == "insert" or not live:
            start = self.slot()
            event = {"title": f"soak-s{m:03d}", "start_time": start, "end_time": start + timedelta(minutes=45)}
            self.server_ids += await self.admin(admin.insert_events, [event])
            return
        event_id = self.rng.choice(live)
        if kind == "move":
            current = await self.admin(admin.event, event_id)
            shift = timedelta(hours=self.rng.choice((-2, -1, 1, 2)))
            start = datetime.fromisoformat(current["start_time"]) + shift
            await self.admin(
                admin.update_event, event_id, {"start_time": start, "end_time": start + timedelta(hours=1)}
            )
        else:
            await self.admin(admin.update_event, event_id, {"status": "cancelled"})
            self.cancelled_on_server.add(event_id)

    # -- the run -----------------------------------------------------------------------------------------

    async def sample_memory(self, started: float) -> None:
        while True:
            self.report.rss_samples.append((time.monotonic() - started, rss_bytes()))
            await asyncio.sleep(1.0)

    async def settle(self) -> None:
        """Faults off and the key good: wait for the outbox to empty, then one more sync from the tray."""
        self.server.faults.clear()
        await self.key_good.wait()
        # Nobody pressed anything since the key came back: the halted poller must have found out by itself.
        await until(
            lambda: not self.controller.status.halted,
            "sync to resume by itself once the key works again",
            self.plan.settle_timeout,
        )
        self.report.resumed_by_itself = True
        await until(
            lambda: not self.controller.outbox,
            "the outbox to empty",
            self.plan.settle_timeout,
            explain=self.outbox_text,
        )
        core = self.controller.session.core
        pressed = core.clock.now()
        assert self.desktop.tray is not None
        self.desktop.tray.sync_now.emit()
        # Sync now reads the whole window again, the next days first and the rest in the polls that follow: the
        # check waits for every day of it, not only the first poll's.
        start, end = core.config.sync.window(pressed)
        days = SyncedDaysRepository(core.db)

        def window_read_again() -> bool:
            synced = days.synced()
            every_day = all(
                (read := synced.get(start + timedelta(days=n))) is not None and read >= pressed
                for n in range((end - start).days + 1)
            )
            return every_day and self.controller.status.phase is SyncPhase.IDLE

        await until(window_read_again, "the final sync of the whole window", 60.0)
        await self.controller.reload()


async def run_soak(qapp: QApplication, server: EmulatorServer, key: str, workdir: Path, plan: SoakPlan) -> SoakReport:
    """One soak on the running (qasync) loop; returns the figures and every failed check in words.

    ``server`` must start empty, and ``key`` may write with room for the creates (a default key allows 50 a day).
    """
    desktop = SoakDesktop(
        qapp,
        AppOptions(base_url=server.url, single_instance=False),
        key_store=KeyStore(service=f"klen-desktop-soak-{uuid.uuid4().hex[:8]}"),
        prefs_path=workdir / "settings.json",
        db_path=workdir / "soak-cache.sqlite3",
        scale=plan.time_scale,
    )
    soak = _Soak(desktop, server, key, plan)
    watch, lag = CrashWatch(), LagMonitor()
    watch.install()
    helpers: list[asyncio.Task[None]] = []
    started = time.monotonic()
    # A full collection walks every object the process holds. The app's own process holds only the app; this one
    # also holds what the suite's earlier tests left (modules, fixtures, their caches), so its full collections
    # took 150 ms and more late in a CI run where the same soak alone takes 50-80 ms. Freezing what exists before
    # the app starts leaves the collector the app's own objects, as in the app's process.
    gc.collect()
    gc.freeze()
    try:
        controller = desktop.start(Connection(base_url=server.url, api_key=key, demo=False))
        controller.notice.connect(lambda title, message: soak.report.notices.append(f"{title}: {message}"))
        controller.session.core.on_status(soak.on_status)
        await until(lambda: controller.status.last_success is not None, "the first sync", 30.0)
        assert desktop.windows is not None
        desktop.windows.open_agenda()
        lag.start()
        helpers = [asyncio.ensure_future(soak.sample_memory(started))]
        server.faults.latency((0.0, plan.latency_max))
        server.faults.error_rate(plan.error_rate, seed=plan.seed)
        user = asyncio.ensure_future(soak.user())
        server_side = asyncio.ensure_future(soak.server_side())
        await soak.warm.wait()
        soak.report.rss_warm = settled_rss()
        await asyncio.gather(user, server_side)
        # The faults stay on until what the user queued has gone out through them.
        await until(
            lambda: not controller.outbox,
            "the outbox to drain under faults",
            plan.settle_timeout,
            explain=soak.outbox_text,
        )
        await soak.settle()
        soak.report.seconds = time.monotonic() - started
        soak.report.rss_end = settled_rss()
        await lag.stop()
        await check(soak, controller)
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        await lag.stop()
        server.faults.clear()
        await desktop.shutdown()
        watch.uninstall()
        gc.unfreeze()
    report = soak.report
    report.crashes = watch.problems
    report.worst_lag, report.p99_lag, report.lag_samples = lag.worst(), lag.p99(), len(lag.lags)
    report.worst_busy, report.worst_gc = lag.worst_busy(), lag.worst_gc
    report.paused_for_key = SyncPhase.AUTH_ERROR in soak.statuses
    if report.crashes:
        report.problems.append(f"{len(report.crashes)} crash(es): {report.crashes[:3]}")
    if not report.resumed_by_itself:
        report.problems.append("sync did not resume by itself after the key was restored")
    if not report.paused_for_key:
        report.problems.append("sync never paused on the revoked key (no auth_error status seen)")
    return report


async def check(soak: _Soak, controller: Controller) -> None:
    """Compare the server, its request log and the store; record every mismatch in the report."""
    report = soak.report
    server_events = {e["id"]: e for e in soak.server.admin.all_events()}
    log = soak.server.admin.request_log()
    report.requests = len(log)
    report.faults = fault_counts(log)
    stored = {e.id: e for e in await controller.session.core.all_cached()}
    report.outbox_left = len(await controller.session.core.outbox_entries())
    if report.outbox_left:
        report.problems.append(f"{report.outbox_left} outbox entries left")
    check_user_edits(soak, server_events, log)
    # Every event on the server, the other client's and the user's own, as the store (and so the agenda) has it.
    for event_id, server in server_events.items():
        mine = stored.get(event_id)
        wanted = (server["title"], server["start_time"], server["end_time"], server["status"])
        got = None if mine is None else (mine.title, _iso(mine.start_time), _iso(mine.end_time), mine.status.value)
        if got != wanted:
            report.changes_missing.append(f"{server['title']}: server {wanted}, store {got}")
    strays = sorted(event_id for event_id in stored if event_id not in server_events)
    if strays:
        report.changes_missing.append(f"events in the store that the server does not have: {strays[:5]}")
    if report.changes_missing:
        report.problems.append(f"the store differs from the server: {report.changes_missing[:3]}")
    if report.notices:
        report.problems.append(f"{len(report.notices)} notices shown to the user: {report.notices[:3]}")


def check_user_edits(soak: _Soak, server_events: dict[int, dict[str, Any]], log: list[Any]) -> None:
    report = soak.report
    by_token: dict[str, list[dict[str, Any]]] = {}
    for event in server_events.values():
        by_token.setdefault(event["title"].split()[0], []).append(event)
    applied: Counter[tuple[str, str]] = Counter()
    for record in log:
        # Carried out AND answered: only a write whose answer was lost (fault "drop_after") may be repeated.
        # (A "drop_after" request is not always carried out: while the key is revoked the server refused it.)
        answered = record.status is not None and 200 <= record.status < 300 and record.fault is None
        if answered and record.method in ("PATCH", "POST") and record.path.startswith(EVENTS_PATH):
            applied[(record.method, record.path)] += 1
    # The server's own count of events created through the API (per UTC day: skipped if the run crossed midnight).
    creates, created = report.edits_by_kind["create"], soak.server.admin.creates_today(soak.key)
    if datetime.now(UTC).date() == soak.started_day and created != creates:
        report.duplicates.append(f"the server created {created} events through the API for {creates} creates")
    for mine in soak.mine:
        found = by_token.get(mine.token, [])
        if not found:
            report.edits_lost.append(f"{mine.token}: not on the server")
            continue
        if len(found) > 1:
            report.duplicates.append(f"{mine.token}: {len(found)} events on the server")
        event = found[0]
        status = "cancelled" if mine.cancel_reason else "confirmed" if mine.confirmed else "scheduled"
        if event["title"] != mine.title:
            report.edits_lost.append(f"{mine.token}: title {event['title']!r}, expected {mine.title!r}")
        if event["status"] != status:
            report.edits_lost.append(f"{mine.token}: status {event['status']}, expected {status}")
        path = f"{EVENTS_PATH}{event['id']}"
        patches = applied[("PATCH", f"{path}/update")]
        if patches != mine.title_edits + int(mine.confirmed):
            report.duplicates.append(
                f"{mine.token}: {patches} answered PATCHes for {mine.title_edits + mine.confirmed}"
            )
        if mine.cancel_reason:
            notes = (event.get("customer") or {}).get("notes") or ""
            if notes.count(mine.cancel_reason) != 1 or applied[("POST", f"{path}/cancel")] != 1:
                report.duplicates.append(f"{mine.token}: cancel reason {notes.count(mine.cancel_reason)}x in notes")
    if report.edits_lost:
        report.problems.append(f"{len(report.edits_lost)} edits lost: {report.edits_lost[:3]}")
    if report.duplicates:
        report.problems.append(f"{len(report.duplicates)} duplicates: {report.duplicates[:3]}")


def fault_counts(log: list[Any]) -> Counter[str]:
    """Faults as the server's request log saw them (5xx, drops, malformed bodies, 429s, 401s of the revoked key)."""
    counts: Counter[str] = Counter()
    for record in log:
        if record.fault == "fail":
            counts["5xx"] += 1
        elif record.fault is not None:
            counts[str(record.fault)] += 1
        elif record.status == 401:
            counts["401 (revoked key)"] += 1
    return counts


def _iso(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
