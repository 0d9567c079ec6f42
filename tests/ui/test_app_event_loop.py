"""The app's event loop runs its blocking calls on threads started as calls need them (launch.app_event_loop).

Run in a fresh interpreter: the suite's own loop is made once per session, and a second qasync loop closed inside
it is what the suite's notes warn against."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import asyncio, json, os, threading
from PySide6.QtWidgets import QApplication
from klen_desktop.launch import app_event_loop

app = QApplication([])

def worker_name():
    return threading.current_thread().name

def both_at_once(barrier):
    barrier.wait(timeout=10)  # raises BrokenBarrierError unless the other call runs at the same time
    return threading.current_thread().name

async def main():
    loop = asyncio.get_running_loop()
    one_by_one = [await loop.run_in_executor(None, worker_name) for _ in range(5)]
    barrier = threading.Barrier(2)
    together = await asyncio.gather(*(loop.run_in_executor(None, both_at_once, barrier) for _ in range(2)))
    return {
        "one_by_one": one_by_one,
        "together": together,
        "threads": sorted(t.name for t in threading.enumerate()),
        "tasks": sorted(open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")),
    }

with asyncio.Runner(loop_factory=lambda: app_event_loop(app)) as runner:
    seen = runner.run(main())
seen["after"] = sorted(t.name for t in threading.enumerate())
print(json.dumps(seen))
"""


def test_blocking_calls_start_threads_only_as_they_overlap_and_end_with_the_loop() -> None:
    probe_run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(probe_run.stdout.strip().splitlines()[-1])
    assert len(set(seen["one_by_one"])) == 1 and seen["one_by_one"][0].startswith("klen-io")
    assert len(set(seen["together"])) == 2 and all(name.startswith("klen-io") for name in seen["together"])
    assert sum(name.startswith("klen-io") for name in seen["threads"]) == 2
    assert not [name for name in seen["tasks"] if "QThreadWorker" in name]  # qasync's ten were never started
    assert seen["after"] == ["MainThread"]  # joined when the loop closed
