"""Start-up time of the frozen app next to the unfrozen one: wall time of ``--smoke --demo``, median of N runs.

    .venv/bin/python packaging/measure_startup.py [--runs 5] [--frozen dist/klen-desktop/klen-desktop]

``--smoke`` covers the whole way to "tray ready": Qt and the app start, the demo emulator starts and seeds a
fresh calendar (every run gets an empty data folder), the calendar is loaded over loopback HTTP, the tray state
is set, and the app quits. Runs offscreen, and on xcb too when a desktop session is there (DISPLAY set).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_smoke(command: Sequence[str], platform: str) -> float:
    """Seconds one ``--smoke --demo`` run took; raises CalledProcessError when the smoke test failed."""
    with tempfile.TemporaryDirectory(prefix="klen-startup-") as data:
        env = {**os.environ, "QT_QPA_PLATFORM": platform, "XDG_DATA_HOME": data}
        started = time.perf_counter()
        subprocess.run([*command, "--smoke", "--demo"], env=env, capture_output=True, timeout=120, check=True)
        return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "klen-desktop" / "klen-desktop")
    options = parser.parse_args(argv)
    commands = {"unfrozen": [sys.executable, "-m", "klen_desktop"]}
    if options.frozen.exists():
        commands["frozen"] = [str(options.frozen)]
    else:
        sys.stderr.write(f"no frozen build at {options.frozen} (make package): measuring the unfrozen app only\n")
    platforms = ["offscreen"] + (["xcb"] if os.environ.get("DISPLAY") else [])
    for platform in platforms:
        for label, command in commands.items():
            time_smoke(command, platform)  # one untimed run, so both start from a warm disk cache
            runs = sorted(time_smoke(command, platform) for _ in range(options.runs))
            sys.stdout.write(
                f"{label:9} {platform:9} median {statistics.median(runs) * 1000:6.0f} ms  "
                f"(min {runs[0] * 1000:.0f}, max {runs[-1] * 1000:.0f}, {options.runs} runs)\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
