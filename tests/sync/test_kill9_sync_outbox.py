"""kill -9 at random points of sync and outbox work, 50 runs: the cache opens clean, nothing lost or doubled.

Story: a user's cache holds a window of a few hundred events. Fifty times over, the user queues new edits
(creates, patches, status changes, cancels, each carrying a unique token), another client changes the calendar
on the server, and the app's core (tests/sync/core_worker.py: poller, outbox runner and reminders together,
on the real cache file, over loopback) starts and is SIGKILLed at a random moment: while opening or migrating
the store, mid-page, mid-apply, mid-send, mid-reconcile or in between. After each kill the file passes
``PRAGMA integrity_check``, opens through :class:`Database`, and its outbox is in a state the runner can
resume from, holding every entry queued so far. A last, clean run drains and syncs. Then each create is on
the server exactly once (its token once among the events, one 201 for it in the request log, in queue order),
each patch reached the server (at least one 200 per queued patch; the last one's value is what the server
holds), each cancel reason is in the notes once, the cache equals the server's window, no reminder was shown
twice and none is logged for an event the cache no longer has. The worker's loops must log no error at all.

Where the kills landed (the worker's last phase marker before the kill) is printed at the end (run with -s).
No change the app announces as news may be one of the user's own edits coming back.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from core_worker import CONFIG
from sync_support import day_at, event_input

from klen_desktop.api.models import EventInput, EventPatch, EventStatus, EventSummary, format_utc
from klen_desktop.clock import SystemClock
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.server import EmulatorServer
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, LocalState
from klen_desktop.store.outbox import OutboxOp, OutboxRepository, OutboxState
from klen_desktop.sync.local_writes import LocalWrites

WORKER = Path(__file__).with_name("core_worker.py")
KEY = "klen_kill9_user"
AGENT_KEY = "klen_kill9_agent"  # another client of the same calendar (an AI agent booking and moving events)
EVENTS = "/api/v1/calendar/events"
RUNS = 50
SEED = 20261124
SEED_EVENTS = 300
USER_EVENTS = range(0, 60)  # the user patches these; nobody else touches them
CANCEL_EVENTS = range(60, 120)  # the user cancels one of these per run
AGENT_EVENTS = range(120, SEED_EVENTS)  # the agent moves and cancels these
MARKER_TIMEOUT = 8.0
CI_BOUND = 180.0
PHASES = ("open", "page", "read", "apply", "send", "reconcile", "between")
# (target marker, how many of them to let pass at most, longest delay after it before the kill). "uniform"
# kills at a uniform time after the start, whatever the worker is doing.
PLANS: tuple[tuple[str, int, float], ...] = (
    ("open", 1, 0.004),
    ("page", 4, 0.02),
    ("read", 3, 0.01),
    ("apply", 2, 0.015),
    ("send", 5, 0.02),
    ("reconcile", 4, 0.003),
    ("between", 12, 0.005),
    ("uniform", 0, 1.8),
)


@dataclass
class Expected:
    """What the user queued, by token: the server must end up with exactly this."""

    creates: list[str] = field(default_factory=list)
    create_descriptions: dict[str, str] = field(default_factory=dict)
    descriptions: dict[int, str] = field(default_factory=dict)
    statuses: dict[int, EventStatus] = field(default_factory=dict)
    patches_per_event: Counter[int] = field(default_factory=Counter)
    cancels: dict[int, str] = field(default_factory=dict)
    entries: int = 0


@dataclass
class RunResult:
    killed: bool
    phase: str
    exit_code: int | None
    lines: list[str]
    stderr: str

    def tagged(self, tag: str) -> list[str]:
        """The payloads of the worker's ``<tag> ...`` lines."""
        return [line.split(" ", 1)[1] for line in self.lines if line.startswith(tag + " ")]


def _reader(stream: Any, lines: list[str], arrivals: queue.Queue[str | None]) -> None:
    for raw in stream:
        line = raw.rstrip("\n")
        lines.append(line)
        arrivals.put(line)
    arrivals.put(None)


def run_worker(
    db_path: Path, url: str, plan: tuple[str, int, float] | None, rng: random.Random, err_path: Path
) -> RunResult:
    """Start the worker; with a plan, SIGKILL it at the plan's moment (None: let it finish, 60 s at most).

    Its stderr goes to ``err_path``: the loops log what they caught there, and that should be nothing.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]), str(WORKER.parent)])}
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(db_path), url, KEY],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    lines: list[str] = []
    arrivals: queue.Queue[str | None] = queue.Queue()
    assert proc.stdout is not None
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines, arrivals), daemon=True)
    reader.start()
    killed = False
    try:
        if plan is None:
            proc.wait(timeout=60)
        else:
            target, most, longest = plan
            # Draw before waiting, so the seeded sequence does not depend on how the run went.
            nth, delay = rng.randint(1, max(1, most)), rng.uniform(0.0, longest)
            if target == "uniform":
                finished = _wait_exit(proc, delay)
            else:
                finished = _wait_marker(arrivals, target, nth, time.monotonic() + MARKER_TIMEOUT)
                finished = finished or _wait_exit(proc, delay)
            if not finished and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed = True
            proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=10)
        proc.stdout.close()
    phases = [line for line in lines if line in PHASES or line == "done"]
    phase = phases[-1] if phases else "boot"
    return RunResult(killed, phase, None if killed else proc.returncode, lines, err_path.read_text())


def _wait_exit(proc: subprocess.Popen[str], seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _wait_marker(arrivals: queue.Queue[str | None], target: str, nth: int, deadline: float) -> bool:
    """Block until the ``nth`` ``target`` marker (False) or the worker's end of output (True)."""
    seen = 0
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = arrivals.get(timeout=left)
        except queue.Empty:
            return False
        if line is None:
            return True
        if line == target:
            seen += 1
            if seen == nth:
                return False
    return False


# -- the calendar and the two clients that change it --------------------------------------------------------


def seed_calendar(server: EmulatorServer) -> list[int]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    events = []
    for i in range(SEED_EVENTS):
        if i < 20 or 120 <= i < 130:  # within the reminder horizon: details are read, reminders fire
            start = now + timedelta(hours=(i % 20) + 1, minutes=i)
        else:
            start = day_at(-5 + i % 31, 6 + (i // 31) % 12, (i * 7) % 60)
        events.append(event_input(f"Seed {i:03d}", start))
    return server.admin.insert_events(events)


def agent_changes(server: EmulatorServer, agent: httpx.Client, ids: list[int], run: int, rng: random.Random) -> None:
    """Between runs the calendar changes on the server: new bookings, moved and cancelled ones."""
    server.admin.insert_events(
        [event_input(f"Agent r{run:02d} n{i}", day_at(rng.randint(-3, 25), rng.randint(6, 18))) for i in range(6)]
    )
    for event_id in rng.sample([ids[i] for i in AGENT_EVENTS], 5):
        current = server.admin.event(event_id)
        assert current is not None
        if current["status"] == "cancelled":
            continue
        start = datetime.fromisoformat(current["start_time"]) + timedelta(minutes=rng.choice((-15, 15, 30)))
        body = {"title": f"Agent moved r{run:02d} {event_id}", "start_time": format_utc(start)}
        body["end_time"] = format_utc(start + timedelta(minutes=30))
        agent.patch(f"{EVENTS}/{event_id}/update", json=body).raise_for_status()
    agent.post(f"{EVENTS}/{rng.choice([ids[i] for i in AGENT_EVENTS])}/cancel", json={}).raise_for_status()


def queue_user_edits(db: Database, ids: list[int], run: int, rng: random.Random, expected: Expected) -> None:
    """Queue this run's edits, as the agenda would: only on events the cache holds."""
    events = EventRepository(db)
    writes = LocalWrites(db, events, OutboxRepository(db), SystemClock())
    soon = datetime.now(UTC) + timedelta(minutes=60, seconds=-2)  # its 60-minute reminder is due at once
    for i, start in enumerate((soon, day_at(2 + run % 25, 19, run % 60))):
        title = f"K9 r{run:02d} create{i}"
        local_id = writes.enqueue_create(EventInput.model_validate(event_input(title, start)))
        expected.creates.append(title)
        expected.entries += 1
        if i == 0:  # an edit queued on top of a create that has not reached the server yet
            description = f"K9 r{run:02d} on-local"
            writes.enqueue_patch(local_id, EventPatch(description=description))
            expected.create_descriptions[title] = description
            expected.entries += 1
    cached_user = [ids[i] for i in USER_EVENTS if events.get(ids[i]) is not None]
    for n, event_id in enumerate(rng.sample(cached_user, min(2, len(cached_user)))):
        description = f"K9 r{run:02d} patch{n}"
        writes.enqueue_patch(event_id, EventPatch(description=description))
        expected.descriptions[event_id] = description
        expected.patches_per_event[event_id] += 1
        expected.entries += 1
    if cached_user:
        event_id, status = rng.choice(cached_user), rng.choice((EventStatus.CONFIRMED, EventStatus.SCHEDULED))
        writes.enqueue_patch(event_id, EventPatch(status=status))
        expected.statuses[event_id] = status
        expected.patches_per_event[event_id] += 1
        expected.entries += 1
    to_cancel = [ids[i] for i in CANCEL_EVENTS if ids[i] not in expected.cancels and events.get(ids[i]) is not None]
    if to_cancel:
        event_id, reason = to_cancel[0], f"K9 r{run:02d} cancel"
        writes.enqueue_cancel(event_id, reason)
        expected.cancels[event_id] = reason
        expected.entries += 1


# -- checks ---------------------------------------------------------------------------------------------------


def check_after_kill(db: Database, expected: Expected) -> OutboxOp | None:
    """The file is sound and the outbox is a state the runner resumes from, with every queued entry in it.

    Returns the kind of the entry the kill left ``sending`` (it may or may not have reached the server), if any.
    """
    with db.read() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        total = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        local_ids = {int(r[0]) for r in conn.execute("SELECT id FROM events WHERE id < 0")}
    assert total == expected.entries, "an outbox entry was lost or added"
    outbox, events = OutboxRepository(db), EventRepository(db)
    active = outbox.active()
    parked = [
        (e.seq, e.op.value, e.error_message)
        for e in active
        if e.state not in (OutboxState.PENDING, OutboxState.SENDING)
    ]
    assert not parked, f"entries parked after a kill: {parked}"
    assert sum(e.state is OutboxState.SENDING for e in active) <= 1, "the runner sends one entry at a time"
    open_creates = {e.seq for e in active if e.op is OutboxOp.CREATE}
    assert local_ids == {-seq for seq in open_creates}, "local events and queued creates disagree"
    for entry in active:
        assert entry.event_id is not None
        if entry.op is OutboxOp.CREATE:
            assert entry.event_id == entry.local_id
        elif entry.event_id < 0:
            assert -entry.event_id in open_creates and -entry.event_id < entry.seq, "an edit lost its create"
        stored = events.get(entry.event_id)
        assert stored is not None and stored.local_state is LocalState.PENDING, f"entry {entry.seq}: {stored}"
    return next((e.op for e in active if e.state is OutboxState.SENDING), None)


def check_final(db: Database, server: EmulatorServer, agent: httpx.Client, expected: Expected) -> None:
    outbox = OutboxRepository(db)
    assert outbox.active() == []
    assert outbox.counts() == {OutboxState.DONE: expected.entries}
    on_server = server.admin.all_events()
    by_title = Counter(e["title"] for e in on_server)
    assert [t for t in expected.creates if by_title[t] != 1] == [], "a queued create is missing or doubled"
    assert max(by_title.values()) == 1, "the server holds duplicate events"
    log = [r for r in server.admin.request_log() if r.key == KEY]
    created = sum(r.method == "POST" and r.path == f"{EVENTS}/create" and r.status == 201 for r in log)
    assert created == len(expected.creates), "each create must be carried out by the server exactly once"
    server_by_title = {e["title"]: e for e in on_server}
    created_ids = [server_by_title[t]["id"] for t in expected.creates]
    assert created_ids == sorted(created_ids), "creates reached the server out of queue order"
    for title, description in expected.create_descriptions.items():
        assert server_by_title[title]["description"] == description
    for event_id, description in expected.descriptions.items():
        assert _event(server, event_id)["description"] == description
    for event_id, status in expected.statuses.items():
        assert _event(server, event_id)["status"] == status.value
    for event_id, count in expected.patches_per_event.items():
        patched = sum(r.method == "PATCH" and r.path == f"{EVENTS}/{event_id}/update" and r.status == 200 for r in log)
        assert patched >= count, f"event {event_id}: {count} patches queued, {patched} reached the server"
    for event_id, reason in expected.cancels.items():
        event = _event(server, event_id)
        assert event["status"] == "cancelled"
        assert (event["customer"] or {}).get("notes", "").count(reason) == 1, "a cancel reason doubled or lost"
    _check_store_equals_window(db, server_window(agent))


def _event(server: EmulatorServer, event_id: int) -> dict[str, Any]:
    event = server.admin.event(event_id)
    assert event is not None, f"event {event_id} vanished from the server"
    return event


def server_window(agent: httpx.Client) -> dict[int, EventSummary]:
    """The window as the list endpoint shows it to any client: what a poll can see of each event."""
    start, end = CONFIG.window(datetime.now(UTC))
    found: dict[int, EventSummary] = {}
    page, pages = 1, 1
    while page <= pages:
        params: dict[str, str | int] = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "page": page,
            "limit": 100,
        }
        body = agent.get(EVENTS, params=params).raise_for_status().json()
        found.update((e["id"], EventSummary.model_validate(e)) for e in body["events"])
        page, pages = page + 1, body["pages"]
    return found


def _check_store_equals_window(db: Database, window: dict[int, EventSummary]) -> None:
    """Same ids and the same list view. The list view carries no updated_at: equal copies stand in for it."""
    start, end = CONFIG.window(datetime.now(UTC))
    stored = EventRepository(db).window(start, end)
    assert sorted(stored) == sorted(window), "the cache and the server's window hold different events"
    differing = [(i, stored[i], window[i]) for i in window if stored[i] != window[i]]
    assert differing == [], f"cached copies differ from the server: {differing[:3]}"
    with db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM events WHERE id < 0 OR local_state IS NOT NULL").fetchone()[0] == 0


def orphan_reminders(db: Database) -> list[tuple[int, str]]:
    """Reminder log rows whose event the cache does not hold (under that id)."""
    with db.read() as conn:
        rows = conn.execute("SELECT event_id, due_at FROM reminder_log WHERE event_id NOT IN (SELECT id FROM events)")
        return [(int(r[0]), str(r[1])) for r in rows.fetchall()]


# -- the story ------------------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_kill9_during_sync_and_outbox_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    began = time.monotonic()
    rng = random.Random(SEED)
    server = EmulatorServer(
        seed="empty", keys=[ApiKeySpec(KEY, rpm=1_000_000, daily_limit=100_000), ApiKeySpec(AGENT_KEY, rpm=1_000_000)]
    ).start()
    # Each request takes a few milliseconds on the server, so kills also land while one is in flight.
    server.faults.latency((0.003, 0.02))
    db_path = tmp_path / "cache.sqlite3"
    expected = Expected()
    landed: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    news: list[str] = []
    in_doubt: Counter[OutboxOp | None] = Counter()
    try:
        ids = seed_calendar(server)
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {AGENT_KEY}"}, timeout=10) as agent:
            for run in range(RUNS):
                if run > 0:  # the first run starts on no file at all: its kill lands in the migration
                    db = Database(db_path)
                    try:
                        in_doubt[check_after_kill(db, expected)] += 1
                        queue_user_edits(db, ids, run, rng, expected)
                    finally:
                        db.close()
                    agent_changes(server, agent, ids, run, rng)
                plan = PLANS[0] if run == 0 else rng.choice(PLANS)
                result = run_worker(db_path, server.url, plan, rng, tmp_path / f"worker-{run:02d}.err")
                assert result.killed or result.exit_code == 0, f"run {run} failed: {result.stderr}"
                assert result.stderr == "", f"run {run}: the worker's loops caught errors:\n{result.stderr}"
                landed[result.phase if result.killed else "finished"] += 1
                fired.update(result.tagged("fired"))
                news.extend(result.tagged("news"))
            final = run_worker(db_path, server.url, None, rng, tmp_path / "worker-final.err")
            assert final.exit_code == 0, f"the clean run did not drain and sync: {final.stderr}"
            assert final.stderr == "", f"the clean run's loops caught errors:\n{final.stderr}"
            fired.update(final.tagged("fired"))
            news.extend(final.tagged("news"))
            db = Database(db_path)
            try:
                check_after_kill(db, expected)
                check_final(db, server, agent, expected)
                orphans = orphan_reminders(db)
            finally:
                db.close()
    finally:
        server.stop()
    elapsed = time.monotonic() - began
    kills = sum(n for phase, n in landed.items() if phase != "finished")
    sending = {op.value: n for op, n in in_doubt.items() if op is not None}
    print(
        f"\nkill -9: {kills} kills in {RUNS} runs, {expected.entries} queued entries, {elapsed:.1f} s;"
        f" by phase: {dict(sorted(landed.items()))}; entries left sending by a kill: {sending};"
        f" reminders fired: {sum(fired.values())}"
    )
    doubled = [r for r, n in fired.items() if n > 1]
    print(f"reminders shown twice: {doubled}; reminder log rows without their event: {orphans}")
    user_ids = {*expected.descriptions, *expected.statuses, *expected.cancels}
    echoes = [n for n in news if n.split(" ", 2)[2].startswith("K9 ") or int(n.split(" ", 2)[1]) in user_ids]
    print(f"news: {len(news)}, echoes of the user's own edits: {echoes}")
    assert kills >= RUNS * 3 // 4, f"most runs should end in a kill: {dict(landed)}"
    assert len({p for p in landed if p in PHASES}) >= 5, f"kills should spread over the phases: {dict(landed)}"
    assert elapsed < CI_BOUND, f"the test took {elapsed:.0f} s, over its {CI_BOUND:.0f} s bound"
    # The user's own edits are never announced back as news (a write reconciled while a poll was in flight
    # used to be), and a queued create's reminder is never recorded under its stale local id.
    assert echoes == [], f"{len(echoes)} of the user's own edits announced back as news, e.g. {echoes[:2]}"
    assert doubled == [] and orphans == [], f"reminders shown twice {doubled}, orphan log rows {orphans}"
