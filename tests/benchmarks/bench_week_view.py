"""Benchmark of the agenda's Week view: ``python tests/benchmarks/bench_week_view.py [--events N] [--strict]``.

N events (default 2,000) in the week shown, 30 to 75 minutes long, every type and status, spread over the whole
day (the busiest layout the grid meets: a dozen lanes at a time), and measures offscreen:

* open: construct the window, ``set_events``, switch to the Week view and the first paint of the whole window;
* a full repaint of the grid (``grab`` of the view, every visible block painted);
* scrolling the grid a quarter hour at a time (the mouse wheel's step) and a page at a time through the day
  (each: scroll + repaint of the grid); then the same wheel steps in the Day view of the first day, whose
  blocks are wide enough to carry their texts;

and the same for a baseline in the same run: the same week with 20 events. Ratios are N events / baseline.
Targets: open at most 150 ms (as the agenda list), every frame under 16 ms, in wall time; ``--strict`` exits 1
when one is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from klen_desktop.api.models import Customer, EventStatus, EventSummary, EventType
from klen_desktop.store.events import StoredEvent

OPEN_TARGET_MS = 150.0
FRAME_TARGET_MS = 16.0
BASELINE_EVENTS = 20
STATUSES = tuple(EventStatus)
TYPES = tuple(EventType)


def week_of_events(count: int, first: datetime) -> list[StoredEvent]:
    """``count`` events over the 7 days from ``first`` (local midnight), evenly from 00:00 to 24:00."""
    step = timedelta(days=7) / max(1, count)
    events = []
    for i in range(count):
        begin = (first + step * i).replace(second=0, microsecond=0)
        summary = EventSummary(
            id=i + 1,
            uuid=f"00000000-0000-4000-8000-{i + 1:012d}",
            title=f"Appointment {i + 1} with a customer about the quarterly plan",
            event_type=TYPES[i % len(TYPES)],
            status=STATUSES[i % len(STATUSES)],
            start_time=begin,
            end_time=begin + timedelta(minutes=30 + 15 * (i % 4)),
            location=f"Room {i % 12}" if i % 3 else None,
            customer=Customer(name=f"Customer {i}", phone=f"+1555{i:07d}"),
        )
        events.append(StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=None))
    return events


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(count: int, now: datetime) -> dict[str, float]:
    """Open, repaint and scroll figures (wall ms) of the Week view over ``count`` events in its week."""
    from klen_desktop.ui.agenda import AgendaWindow
    from klen_desktop.ui.agenda.toolbar import AgendaView

    first = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    events = week_of_events(count, first)
    holder: list[AgendaWindow] = []

    def open_window() -> None:
        window = AgendaWindow(clock=lambda: now)
        window.resize(1200, 800)
        window.set_events(events, now)
        window.set_view(AgendaView.WEEK)
        window.show()
        window.grab()
        holder.append(window)

    figures = {"open": timed(open_window)}
    window = holder[0]
    view = window.week_view
    assert len(view.facts) == count, "every event is in the week shown"
    repaints = [timed(view.grab) for _ in range(20)]
    figures["repaint, median"] = statistics.median(repaints)
    figures["repaint, max"] = max(repaints)
    bar = view.verticalScrollBar()
    for name, step in (("wheel step", bar.singleStep()), ("page", bar.pageStep())):
        bar.setValue(0)
        frames = []
        while bar.value() < bar.maximum():
            frames.append(timed(lambda step=step: (bar.setValue(bar.value() + step), view.grab())))
        figures[f"scroll a {name}, median"] = statistics.median(frames)
        figures[f"scroll a {name}, max"] = max(frames)
    # The Day view of the same: a seventh of the events, in blocks wide enough for their texts.
    window.set_view(AgendaView.DAY)
    view.grab()  # its first paint, which lays out every title once (an open, not a frame)
    bar.setValue(0)
    frames = []
    while bar.value() < bar.maximum():
        frames.append(timed(lambda: (bar.setValue(bar.value() + bar.singleStep()), view.grab())))
    figures["Day view: scroll a wheel step, median"] = statistics.median(frames)
    figures["Day view: scroll a wheel step, max"] = max(frames)
    window.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None
    now = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    measure(BASELINE_EVENTS, now)  # warm-up: the first window of a process also pays for fonts and style
    base = measure(BASELINE_EVENTS, now)
    busy = measure(args.events, now)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Week view, {args.events:,} events in the week vs {BASELINE_EVENTS} (offscreen, "
        f"Qt {__import__('PySide6').__version__}, {os.cpu_count()} CPUs, load {load:.1f})"
    )
    print(f"{'measure (wall ms)':<38} {args.events:>8,} {BASELINE_EVENTS:>8}  {'ratio':>6}  target")
    missed = False
    for name, ms in busy.items():
        goal = OPEN_TARGET_MS if name == "open" else FRAME_TARGET_MS if name.endswith("max") else None
        verdict = "" if goal is None else (f"<= {goal:g}  ok" if ms <= goal else f"<= {goal:g}  MISSED")
        missed |= goal is not None and ms > goal
        print(f"{name:<38} {ms:8.1f} {base[name]:8.1f}  {ms / base[name]:5.1f}×  {verdict}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
