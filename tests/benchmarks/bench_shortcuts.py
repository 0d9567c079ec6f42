"""Benchmark of the global shortcuts on X11 and the zone picker: ``python tests/benchmarks/bench_shortcuts.py``.

In a desktop session (an X display). Measures:

* key press to action: the X11 backend grabs Ctrl+Alt+K on the root window; a second X connection presses it
  through XTEST (as a keyboard would, without a process start per press, unlike xdotool), and the time from the
  press to the action's call on the asyncio loop is taken, N times (default 50);
* register: grabbing one combination (four grabs for the lock variants and a round trip);
* the Time zones tab's first fill (600 zones with their offsets now), offscreen Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

from Xlib import XK, X, display
from Xlib.ext import xtest

from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.x11 import X11Shortcuts


def press(conn: display.Display, combo: tuple[int, ...]) -> None:
    for code in combo:
        xtest.fake_input(conn, X.KeyPress, code)
    for code in reversed(combo):
        xtest.fake_input(conn, X.KeyRelease, code)
    conn.sync()


async def key_latency(presses: int) -> tuple[list[float], float]:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Queue[float] = asyncio.Queue()
    backend = X11Shortcuts(lambda _action: arrived.put_nowait(time.perf_counter()), os.environ["DISPLAY"])
    assert await backend.start()
    start = time.perf_counter()
    result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))
    register = time.perf_counter() - start
    assert result.ok, result.message
    keyboard = display.Display(os.environ["DISPLAY"])
    keys = tuple(keyboard.keysym_to_keycode(XK.string_to_keysym(n)) for n in ("Control_L", "Alt_L", "k"))
    times = []
    try:
        for _ in range(presses):
            sent = time.perf_counter()
            await loop.run_in_executor(None, press, keyboard, keys)
            got = await asyncio.wait_for(arrived.get(), 5)
            times.append(got - sent)
    finally:
        keyboard.close()
        await backend.close()
    return times, register


def picker_fill(runs: int = 5) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from klen_desktop.ui.second_zone_page import SecondZonePage

    app = QApplication.instance() or QApplication([])
    times = []
    for _ in range(runs):
        page = SecondZonePage("America/New_York")
        start = time.perf_counter()
        page.fill()
        times.append(time.perf_counter() - start)
        page.deleteLater()
    app.processEvents()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=50)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("needs an X display (run in the test session)", file=sys.stderr)
        return 2
    times, register = asyncio.run(key_latency(args.presses))
    ms = sorted(t * 1000 for t in times)
    print(f"X11 key press to action: median {statistics.median(ms):.2f} ms, worst {ms[-1]:.2f} ms ({len(ms)} presses)")
    print(f"X11 register one combination: {register * 1000:.2f} ms")
    fills = sorted(t * 1000 for t in picker_fill())
    print(f"Time zones tab first fill: median {statistics.median(fills):.0f} ms, worst {fills[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
