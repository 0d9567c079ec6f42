"""Benchmark of the agenda window: ``python tests/benchmarks/bench_agenda.py [--events N] [--strict]``.

Over N cached events (default 10,000, spread over a year around now, with customers, locations, AI agents, video
links and every status), measures, offscreen:

* open: construct the window, ``set_events`` and the first paint (cold: the first window of the process, which
  also pays for fonts and style; warm: a second window);
* a poll that changed one event (``set_events`` with the new list, plus the repaint; no target: it runs once a
  minute, off the user's hands);
* filter changes: typing a search one key at a time, then toggling a status filter (each: filter + repaint of the list);
* scrolling a page at a time through the list (each: scroll + repaint of the list).

Targets: open (cold) at most 150 ms, every filter and scroll frame under 16 ms, in wall time. Prints a table of
wall and CPU milliseconds (CPU time shows what the agenda costs when other processes share the machine) and the
load average; ``--strict`` exits 1 when a target is missed. Self-contained: no files are written.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from klen_desktop.api.models import AiAgent, Customer, EventStatus, EventSummary, EventType
from klen_desktop.store.events import LocalState, StoredEvent

OPEN_TARGET_MS = 150.0
FRAME_TARGET_MS = 16.0
STATUSES = (
    EventStatus.CONFIRMED,
    EventStatus.SCHEDULED,
    EventStatus.CONFIRMED,
    EventStatus.COMPLETED,
    EventStatus.CANCELLED,
    EventStatus.NO_SHOW,
)
TYPES = tuple(EventType)


def make_events(count: int, now: datetime) -> list[StoredEvent]:
    start = now - timedelta(days=182)
    step = timedelta(days=365) / count
    events = []
    for i in range(count):
        begin = (start + step * i).replace(second=0, microsecond=0)
        event_type = TYPES[i % len(TYPES)]
        video = event_type is EventType.VIDEO_CALL
        summary = EventSummary(
            id=i + 1,
            uuid=f"00000000-0000-4000-8000-{i + 1:012d}",
            title=f"Appointment {i + 1} with a customer about the quarterly plan",
            event_type=event_type,
            status=STATUSES[i % len(STATUSES)],
            start_time=begin,
            end_time=begin + timedelta(minutes=30 + 15 * (i % 4)),
            location=f"Room {i % 12}" if i % 3 else None,
            has_video_conference=video,
            video_conference_url=f"https://meet.example.com/{i}" if video else None,
            created_by_ai_agent=i % 4 == 0,
            ai_agent=AiAgent(id=1, name="Booking Assistant") if i % 4 == 0 else None,
            customer=Customer(name=f"Customer {i}", phone=f"+1555{i:07d}"),
        )
        state = LocalState.PENDING if i % 500 == 0 else None
        events.append(StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=state))
    return events


CPU: list[float] = []  # the process CPU time of each timed() call, in the same order


def timed(action: Callable[[], object]) -> float:
    """Wall milliseconds of ``action``; its CPU milliseconds are appended to ``CPU``."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    CPU.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000


def frame(change: Callable[[], object], view: QWidget) -> float:
    """Wall milliseconds of one change and the repaint of ``view`` that shows it."""

    def run() -> None:
        change()
        view.grab()

    return timed(run)


def cpu_of(count: int) -> list[float]:
    """The CPU times of the last ``count`` timed() calls."""
    return CPU[-count:]


def open_window(events: list[StoredEvent], now: datetime) -> tuple[object, float]:
    from klen_desktop.ui.agenda import AgendaWindow

    holder: list[AgendaWindow] = []

    def run() -> None:
        window = AgendaWindow(clock=lambda: now)
        window.resize(1200, 800)
        window.set_events(events, now)
        window.show()
        window.grab()  # the first paint of the whole window, synchronously
        holder.append(window)

    ms = timed(run)
    return holder[0], ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    now = datetime.now(UTC)
    events = make_events(args.events, now)
    import_ms = timed(lambda: __import__("klen_desktop.ui.agenda"))
    cold_window, cold_ms = open_window(events, now)
    warm_window, warm_ms = open_window(events, now)
    cold_window.close()  # type: ignore[attr-defined]
    from klen_desktop.ui.agenda import AgendaWindow

    window = warm_window
    assert isinstance(window, AgendaWindow)
    app.processEvents()
    # The user enters the search field (Ctrl+F or a click) and types a moment later: the idle work that makes the
    # search texts runs in between.
    window.activateWindow()
    window.toolbar.search_edit.setFocus()
    deadline = time.perf_counter() + 5
    while not window.toolbar.search_edit.hasFocus() and time.perf_counter() < deadline:
        app.processEvents()
    while not window.search_prepared and time.perf_counter() < deadline:
        app.processEvents()
    view = window.list_view.viewport()
    table: list[tuple[str, float, float, float | None]] = [
        ("import klen_desktop.ui.agenda", import_ms, CPU[0], None),
        ("open, cold (construct + set_events + first paint)", cold_ms, CPU[1], OPEN_TARGET_MS),
        ("open, warm (a second window)", warm_ms, CPU[2], None),
    ]

    changed = list(events)
    old = changed[len(events) // 2]
    renamed = old.summary.model_copy(update={"title": "Renamed by the customer"})
    changed[len(events) // 2] = StoredEvent(summary=renamed, detail=None, detail_fetched_at=None, local_state=None)
    poll_ms = frame(lambda: window.set_events(changed, now), view)
    table.append(("poll with one changed event (+ repaint)", poll_ms, CPU[-1], None))

    search = window.toolbar.search_edit
    # Typing a search one key at a time, clearing it, then switching a status and a type filter off and on.
    texts = ["customer 42"[:n] for n in range(1, 12)] + [""]
    frames = [frame(functools.partial(search.setText, text), view) for text in texts]
    for action in (window.toolbar.status_actions[EventStatus.CANCELLED], window.toolbar.type_actions[EventType.BUSY]):
        frames.append(frame(functools.partial(action.setChecked, False), view))
        frames.append(frame(functools.partial(action.setChecked, True), view))
    cpu = cpu_of(len(frames))
    table.append(("filter frame, median", statistics.median(frames), statistics.median(cpu), None))
    table.append(("filter frame, max", max(frames), max(cpu), FRAME_TARGET_MS))

    bar = window.list_view.verticalScrollBar()
    bar.setValue(0)
    frames = [frame(lambda: bar.setValue(bar.value() + bar.pageStep()), view) for _ in range(60)]
    cpu = cpu_of(len(frames))
    table.append(("scroll a page, median", statistics.median(frames), statistics.median(cpu), None))
    table.append(("scroll a page, max", max(frames), max(cpu), FRAME_TARGET_MS))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Agenda over {args.events:,} cached events (offscreen, Qt {__import__('PySide6').__version__}, "
        f"{os.cpu_count()} CPUs, load {load:.1f})"
    )
    print(f"{'measure':<52} {'wall ms':>8} {'cpu ms':>8}  target (wall)")
    missed = False
    for name, ms, cpu_ms, goal in table:
        verdict = "" if goal is None else (f"<= {goal:g}  ok" if ms <= goal else f"<= {goal:g}  MISSED")
        missed |= goal is not None and ms > goal
        print(f"{name:<52} {ms:8.1f} {cpu_ms:8.1f}  {verdict}")
    window.close()
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
